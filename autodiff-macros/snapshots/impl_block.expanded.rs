impl Spring {
    fn energy(x: f64, k: f64) -> f64 {
        0.5 * k * x * x
    }
    fn total(x: f64, y: f64) -> f64 {
        Self::energy(x, 2.0) + Self::energy(y - x, 2.0)
    }
}
#[allow(non_snake_case, clippy::all, clippy::pedantic)]
impl Spring {
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Generic forward mode, used by the runtime (dual numbers, jets).
    #[doc(hidden)]
    #[inline]
    fn energy___jvp<__S: ::autodiff::__private::Scalar<Base = f64>>(
        x_0: __S,
        k_1: __S,
        x_0_d: __S,
        k_1_d: __S,
    ) -> (__S, __S) {
        let _ = Spring::energy;
        let __t1: __S = <__S as ::autodiff::__private::Scalar>::scale(k_1, 0.5);
        let __t2: __S = (__t1 * x_0);
        let __t2_a1: __S = x_0;
        let __t2_a0: __S = __t1;
        let __t3: __S = (__t2 * x_0);
        let __t3_a1: __S = x_0;
        let __t3_a0: __S = __t2;
        let __t1_d: __S = <__S as ::autodiff::__private::Scalar>::scale(k_1_d, 0.5);
        let __t2_d: __S = __t2_a1 * __t1_d + __t2_a0 * x_0_d;
        let __t3_d: __S = __t3_a1 * __t2_d + __t3_a0 * x_0_d;
        (__t3, __t3_d)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Generic reverse mode, adding into the adjoint buffers or overwriting them.
    #[doc(hidden)]
    #[inline]
    fn energy___vjp_w<
        __S: ::autodiff::__private::Scalar<Base = f64>,
        __AdjM: ::autodiff::__private::AdjointMode,
    >(x_0: __S, k_1: __S, __seed: __S, _: __AdjM) -> (__S, (__S, __S)) {
        let _ = Spring::energy;
        let __based: bool = <__AdjM as ::autodiff::__private::AdjointMode>::OVERWRITE;
        let mut x_0_b: __S = (-<__S as ::autodiff::__private::Scalar>::zero());
        let mut k_1_b: __S = (-<__S as ::autodiff::__private::Scalar>::zero());
        let __t1: __S = <__S as ::autodiff::__private::Scalar>::scale(k_1, 0.5);
        let __t2: __S = (__t1 * x_0);
        let __t2_a1: __S = x_0;
        let __t2_a0: __S = __t1;
        let __t3: __S = (__t2 * x_0);
        let __t3_a1: __S = x_0;
        let __t3_a0: __S = __t2;
        let mut __t3_b: __S = __seed;
        let mut __t2_b: __S = (if __based {
            <__S as ::autodiff::__private::Scalar>::scale(
                __t3_a1,
                <__S as ::autodiff::__private::Scalar>::base(__t3_b),
            )
        } else {
            __t3_a1 * __t3_b
        });
        let mut __t1_b: __S = __t2_a1 * __t2_b;
        x_0_b
            += (if __based {
                <__S as ::autodiff::__private::Scalar>::scale(
                    __t3_a0,
                    <__S as ::autodiff::__private::Scalar>::base(__t3_b),
                )
            } else {
                __t3_a0 * __t3_b
            }) + __t2_a0 * __t2_b;
        k_1_b += <__S as ::autodiff::__private::Scalar>::scale(__t1_b, 0.5);
        (
            __t3,
            (
                (x_0_b + <__S as ::autodiff::__private::Scalar>::zero()),
                (k_1_b + <__S as ::autodiff::__private::Scalar>::zero()),
            ),
        )
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Generic reverse mode, used by the runtime (dual numbers, jets).
    #[doc(hidden)]
    #[inline]
    fn energy___vjp<__S: ::autodiff::__private::Scalar<Base = f64>>(
        x_0: __S,
        k_1: __S,
        __seed: __S,
    ) -> (__S, (__S, __S)) {
        Spring::energy___vjp_w(x_0, k_1, __seed, ::autodiff::__private::Accumulate)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Used by other `#[differentiable]` functions that call this one: the value and
    /// the partial derivative with respect to every parameter (zero for passive ones).
    #[doc(hidden)]
    #[inline]
    fn energy___call<__S: ::autodiff::__private::Scalar<Base = f64>>(
        __a0: impl ::autodiff::__private::ToActive<__S>,
        __a1: impl ::autodiff::__private::ToActive<__S>,
    ) -> (__S, [__S; 2]) {
        let x_0: __S = ::autodiff::__private::ToActive::get(__a0);
        let k_1: __S = ::autodiff::__private::ToActive::get(__a1);
        let (__value, (__g0, __g1)) = Spring::energy___vjp(
            x_0,
            k_1,
            <__S as ::autodiff::__private::Scalar>::one(),
        );
        (__value, [__g0, __g1])
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `energy`, its gradient, and the Hessian times the direction `v` (one per active parameter), in one forward-over-reverse pass: the adjoint code runs on dual numbers.
    #[inline]
    fn energy_hvp(x: f64, k: f64, vx: f64, vk: f64) -> (f64, (f64, f64), (f64, f64)) {
        let (__value, (__s0, __s1)) = Spring::energy___vjp_w(
            ::autodiff::__private::Dual::new(x, vx),
            ::autodiff::__private::Dual::new(k, vk),
            ::autodiff::__private::Dual::new(
                <f64 as ::autodiff::__private::Scalar>::one(),
                <f64 as ::autodiff::__private::Scalar>::zero(),
            ),
            ::autodiff::__private::Overwrite,
        );
        (__value.re, (__s0.re, __s1.re), (__s0.eps, __s1.eps))
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `energy`, its gradient and its dense Hessian, from one Hessian-vector product per active parameter.
    #[inline]
    fn energy_hessian(x: f64, k: f64) -> (f64, (f64, f64), [[f64; 2]; 2]) {
        let mut __h = [[<f64 as ::autodiff::__private::Scalar>::zero(); 2]; 2];
        let (__v, __g, __h0) = Spring::energy_hvp(
            x,
            k,
            <f64 as ::autodiff::__private::Scalar>::one(),
            <f64 as ::autodiff::__private::Scalar>::zero(),
        );
        __h[0][0] = __h0.0;
        __h[1][0] = __h0.1;
        let (__v, __g, __h1) = Spring::energy_hvp(
            x,
            k,
            <f64 as ::autodiff::__private::Scalar>::zero(),
            <f64 as ::autodiff::__private::Scalar>::one(),
        );
        __h[0][1] = __h1.0;
        __h[1][1] = __h1.1;
        (__v, __g, __h)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///`energy` as an [`Objective`](::autodiff::Objective) over its active parameters, flattened in order; the passive arguments are bound here, and each active slice parameter is replaced by its length.
    fn energy_objective() -> ::autodiff::__private::Bound<
        __Spring_energy,
        (::core::marker::PhantomData<()>,),
    > {
        ::autodiff::__private::Bound::new((::core::marker::PhantomData,))
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `energy` and its directional derivative along the tangents (one per active parameter: `x`, `k`).
    #[inline]
    fn energy_jvp(x: f64, k: f64, dx: f64, dk: f64) -> (f64, f64) {
        Spring::energy___jvp(x, k, dx, dk)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `energy` and `seed` times its gradient with respect to `x`, `k` (reverse mode). Adjoints of array and slice parameters are added into the `_bar` buffers; scalar adjoints are returned.
    #[inline]
    fn energy_vjp(x: f64, k: f64, seed: f64) -> (f64, (f64, f64)) {
        Spring::energy___vjp(x, k, seed)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `energy` and its gradient with respect to `x`, `k`.
    #[inline]
    fn energy_grad(x: f64, k: f64) -> (f64, (f64, f64)) {
        let (__value, (__s0, __s1)) = Spring::energy___vjp_w(
            x,
            k,
            <f64 as ::autodiff::__private::Scalar>::one(),
            ::autodiff::__private::Overwrite,
        );
        (__value, (__s0, __s1))
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Generic forward mode, used by the runtime (dual numbers, jets).
    #[doc(hidden)]
    #[inline]
    fn total___jvp<__S: ::autodiff::__private::Scalar<Base = f64>>(
        x_0: __S,
        y_1: __S,
        x_0_d: __S,
        y_1_d: __S,
    ) -> (__S, __S) {
        let _ = Spring::total;
        let (__t1, __t1_parts): (__S, _) = Self::energy___call(
            ::autodiff::__private::Active(x_0),
            ::autodiff::__private::Const::<f64>(2.0),
        );
        let __t1_p0: __S = __t1_parts[0];
        let __t2: __S = (y_1 - x_0);
        let (__t3, __t3_parts): (__S, _) = Self::energy___call(
            ::autodiff::__private::Active(__t2),
            ::autodiff::__private::Const::<f64>(2.0),
        );
        let __t3_p0: __S = __t3_parts[0];
        let __t4: __S = (__t1 + __t3);
        let __t1_d: __S = __t1_p0 * x_0_d;
        let __t2_d: __S = y_1_d + -x_0_d;
        let __t3_d: __S = __t3_p0 * __t2_d;
        let __t4_d: __S = __t1_d + __t3_d;
        (__t4, __t4_d)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Generic reverse mode, adding into the adjoint buffers or overwriting them.
    #[doc(hidden)]
    #[inline]
    fn total___vjp_w<
        __S: ::autodiff::__private::Scalar<Base = f64>,
        __AdjM: ::autodiff::__private::AdjointMode,
    >(x_0: __S, y_1: __S, __seed: __S, _: __AdjM) -> (__S, (__S, __S)) {
        let _ = Spring::total;
        let __based: bool = <__AdjM as ::autodiff::__private::AdjointMode>::OVERWRITE;
        let mut x_0_b: __S = (-<__S as ::autodiff::__private::Scalar>::zero());
        let mut y_1_b: __S = (-<__S as ::autodiff::__private::Scalar>::zero());
        let (__t1, __t1_parts): (__S, _) = Self::energy___call(
            ::autodiff::__private::Active(x_0),
            ::autodiff::__private::Const::<f64>(2.0),
        );
        let __t1_p0: __S = __t1_parts[0];
        let __t2: __S = (y_1 - x_0);
        let (__t3, __t3_parts): (__S, _) = Self::energy___call(
            ::autodiff::__private::Active(__t2),
            ::autodiff::__private::Const::<f64>(2.0),
        );
        let __t3_p0: __S = __t3_parts[0];
        let __t4: __S = (__t1 + __t3);
        let mut __t4_b: __S = __seed;
        let mut __t1_b: __S = __t4_b;
        let mut __t3_b: __S = __t4_b;
        let mut __t2_b: __S = (if __based {
            <__S as ::autodiff::__private::Scalar>::scale(
                __t3_p0,
                <__S as ::autodiff::__private::Scalar>::base(__t3_b),
            )
        } else {
            __t3_p0 * __t3_b
        });
        y_1_b += __t2_b;
        x_0_b
            += (if __based {
                <__S as ::autodiff::__private::Scalar>::scale(
                    __t1_p0,
                    <__S as ::autodiff::__private::Scalar>::base(__t1_b),
                )
            } else {
                __t1_p0 * __t1_b
            }) - (__t2_b);
        (
            __t4,
            (
                (x_0_b + <__S as ::autodiff::__private::Scalar>::zero()),
                (y_1_b + <__S as ::autodiff::__private::Scalar>::zero()),
            ),
        )
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Generic reverse mode, used by the runtime (dual numbers, jets).
    #[doc(hidden)]
    #[inline]
    fn total___vjp<__S: ::autodiff::__private::Scalar<Base = f64>>(
        x_0: __S,
        y_1: __S,
        __seed: __S,
    ) -> (__S, (__S, __S)) {
        Spring::total___vjp_w(x_0, y_1, __seed, ::autodiff::__private::Accumulate)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    /// Used by other `#[differentiable]` functions that call this one: the value and
    /// the partial derivative with respect to every parameter (zero for passive ones).
    #[doc(hidden)]
    #[inline]
    fn total___call<__S: ::autodiff::__private::Scalar<Base = f64>>(
        __a0: impl ::autodiff::__private::ToActive<__S>,
        __a1: impl ::autodiff::__private::ToActive<__S>,
    ) -> (__S, [__S; 2]) {
        let x_0: __S = ::autodiff::__private::ToActive::get(__a0);
        let y_1: __S = ::autodiff::__private::ToActive::get(__a1);
        let (__value, (__g0, __g1)) = Spring::total___vjp(
            x_0,
            y_1,
            <__S as ::autodiff::__private::Scalar>::one(),
        );
        (__value, [__g0, __g1])
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `total`, its gradient, and the Hessian times the direction `v` (one per active parameter), in one forward-over-reverse pass: the adjoint code runs on dual numbers.
    #[inline]
    fn total_hvp(x: f64, y: f64, vx: f64, vy: f64) -> (f64, (f64, f64), (f64, f64)) {
        let (__value, (__s0, __s1)) = Spring::total___vjp_w(
            ::autodiff::__private::Dual::new(x, vx),
            ::autodiff::__private::Dual::new(y, vy),
            ::autodiff::__private::Dual::new(
                <f64 as ::autodiff::__private::Scalar>::one(),
                <f64 as ::autodiff::__private::Scalar>::zero(),
            ),
            ::autodiff::__private::Overwrite,
        );
        (__value.re, (__s0.re, __s1.re), (__s0.eps, __s1.eps))
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `total`, its gradient and its dense Hessian, from one Hessian-vector product per active parameter.
    #[inline]
    fn total_hessian(x: f64, y: f64) -> (f64, (f64, f64), [[f64; 2]; 2]) {
        let mut __h = [[<f64 as ::autodiff::__private::Scalar>::zero(); 2]; 2];
        let (__v, __g, __h0) = Spring::total_hvp(
            x,
            y,
            <f64 as ::autodiff::__private::Scalar>::one(),
            <f64 as ::autodiff::__private::Scalar>::zero(),
        );
        __h[0][0] = __h0.0;
        __h[1][0] = __h0.1;
        let (__v, __g, __h1) = Spring::total_hvp(
            x,
            y,
            <f64 as ::autodiff::__private::Scalar>::zero(),
            <f64 as ::autodiff::__private::Scalar>::one(),
        );
        __h[0][1] = __h1.0;
        __h[1][1] = __h1.1;
        (__v, __g, __h)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///`total` as an [`Objective`](::autodiff::Objective) over its active parameters, flattened in order; the passive arguments are bound here, and each active slice parameter is replaced by its length.
    fn total_objective() -> ::autodiff::__private::Bound<
        __Spring_total,
        (::core::marker::PhantomData<()>,),
    > {
        ::autodiff::__private::Bound::new((::core::marker::PhantomData,))
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `total` and its directional derivative along the tangents (one per active parameter: `x`, `y`).
    #[inline]
    fn total_jvp(x: f64, y: f64, dx: f64, dy: f64) -> (f64, f64) {
        Spring::total___jvp(x, y, dx, dy)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `total` and `seed` times its gradient with respect to `x`, `y` (reverse mode). Adjoints of array and slice parameters are added into the `_bar` buffers; scalar adjoints are returned.
    #[inline]
    fn total_vjp(x: f64, y: f64, seed: f64) -> (f64, (f64, f64)) {
        Spring::total___vjp(x, y, seed)
    }
    #[allow(
        dead_code,
        unused_mut,
        unused_variables,
        unused_parens,
        unused_braces,
        unused_assignments,
        unreachable_code,
        non_snake_case,
        deprecated,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
    )]
    ///Value of `total` and its gradient with respect to `x`, `y`.
    #[inline]
    fn total_grad(x: f64, y: f64) -> (f64, (f64, f64)) {
        let (__value, (__s0, __s1)) = Spring::total___vjp_w(
            x,
            y,
            <f64 as ::autodiff::__private::Scalar>::one(),
            ::autodiff::__private::Overwrite,
        );
        (__value, (__s0, __s1))
    }
}
#[allow(
    unused_variables,
    unused_mut,
    unused_assignments,
    unused_parens,
    unused_braces,
    deprecated,
    clippy::all,
    clippy::pedantic
)]
impl ::autodiff::__private::ObjectiveFns<f64, (::core::marker::PhantomData<()>,)>
for __Spring_energy {
    #[inline]
    fn dim(__args: &(::core::marker::PhantomData<()>,)) -> usize {
        0usize + 1usize + 1usize
    }
    #[inline]
    fn value(__args: &(::core::marker::PhantomData<()>,), __x: &[f64]) -> f64 {
        let mut __o = 0usize;
        let x: f64 = __x[__o];
        __o += 1usize;
        let k: f64 = __x[__o];
        __o += 1usize;
        Spring::energy(x, k)
    }
    #[inline]
    fn value_grad(
        __args: &(::core::marker::PhantomData<()>,),
        __x: &[f64],
        __grad: &mut [f64],
    ) -> f64 {
        let mut __o = 0usize;
        let x: f64 = __x[__o];
        __o += 1usize;
        let k: f64 = __x[__o];
        __o += 1usize;
        __grad.fill(<f64 as ::autodiff::__private::Scalar>::zero());
        let __grad = &mut __grad[..];
        let (__gd0, __grad) = __grad.split_at_mut(1);
        let (__gd1, __grad) = __grad.split_at_mut(1);
        let (__value, (__s0, __s1)) = Spring::energy_vjp(
            x,
            k,
            <f64 as ::autodiff::__private::Scalar>::one(),
        );
        __gd0[0] = __s0;
        __gd1[0] = __s1;
        __value
    }
    #[inline]
    fn hvp(
        __args: &(::core::marker::PhantomData<()>,),
        __x: &[f64],
        __v: &[f64],
        __grad: &mut [f64],
        __hv: &mut [f64],
    ) -> f64 {
        let mut __o = 0usize;
        let x: f64 = __x[__o];
        __o += 1usize;
        let k: f64 = __x[__o];
        __o += 1usize;
        let mut __o = 0usize;
        let __vd0: f64 = __v[__o];
        __o += 1usize;
        let __vd1: f64 = __v[__o];
        __o += 1usize;
        let (__value, __gv, __hvv) = Spring::energy_hvp(x, k, __vd0, __vd1);
        let __grad = &mut __grad[..];
        let __hv = &mut __hv[..];
        let (__gd0, __grad) = __grad.split_at_mut(1);
        let (__hd0, __hv) = __hv.split_at_mut(1);
        __gd0[0] = __gv.0;
        __hd0[0] = __hvv.0;
        let (__gd1, __grad) = __grad.split_at_mut(1);
        let (__hd1, __hv) = __hv.split_at_mut(1);
        __gd1[0] = __gv.1;
        __hd1[0] = __hvv.1;
        __value
    }
}
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct __Spring_energy {}
#[allow(
    unused_variables,
    unused_mut,
    unused_assignments,
    unused_parens,
    unused_braces,
    deprecated,
    clippy::all,
    clippy::pedantic
)]
impl ::autodiff::__private::ObjectiveFns<f64, (::core::marker::PhantomData<()>,)>
for __Spring_total {
    #[inline]
    fn dim(__args: &(::core::marker::PhantomData<()>,)) -> usize {
        0usize + 1usize + 1usize
    }
    #[inline]
    fn value(__args: &(::core::marker::PhantomData<()>,), __x: &[f64]) -> f64 {
        let mut __o = 0usize;
        let x: f64 = __x[__o];
        __o += 1usize;
        let y: f64 = __x[__o];
        __o += 1usize;
        Spring::total(x, y)
    }
    #[inline]
    fn value_grad(
        __args: &(::core::marker::PhantomData<()>,),
        __x: &[f64],
        __grad: &mut [f64],
    ) -> f64 {
        let mut __o = 0usize;
        let x: f64 = __x[__o];
        __o += 1usize;
        let y: f64 = __x[__o];
        __o += 1usize;
        __grad.fill(<f64 as ::autodiff::__private::Scalar>::zero());
        let __grad = &mut __grad[..];
        let (__gd0, __grad) = __grad.split_at_mut(1);
        let (__gd1, __grad) = __grad.split_at_mut(1);
        let (__value, (__s0, __s1)) = Spring::total_vjp(
            x,
            y,
            <f64 as ::autodiff::__private::Scalar>::one(),
        );
        __gd0[0] = __s0;
        __gd1[0] = __s1;
        __value
    }
    #[inline]
    fn hvp(
        __args: &(::core::marker::PhantomData<()>,),
        __x: &[f64],
        __v: &[f64],
        __grad: &mut [f64],
        __hv: &mut [f64],
    ) -> f64 {
        let mut __o = 0usize;
        let x: f64 = __x[__o];
        __o += 1usize;
        let y: f64 = __x[__o];
        __o += 1usize;
        let mut __o = 0usize;
        let __vd0: f64 = __v[__o];
        __o += 1usize;
        let __vd1: f64 = __v[__o];
        __o += 1usize;
        let (__value, __gv, __hvv) = Spring::total_hvp(x, y, __vd0, __vd1);
        let __grad = &mut __grad[..];
        let __hv = &mut __hv[..];
        let (__gd0, __grad) = __grad.split_at_mut(1);
        let (__hd0, __hv) = __hv.split_at_mut(1);
        __gd0[0] = __gv.0;
        __hd0[0] = __hvv.0;
        let (__gd1, __grad) = __grad.split_at_mut(1);
        let (__hd1, __hv) = __hv.split_at_mut(1);
        __gd1[0] = __gv.1;
        __hd1[0] = __hvv.1;
        __value
    }
}
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct __Spring_total {}
