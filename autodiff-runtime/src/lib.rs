//! Runtime of `autodiff`: the scalar trait the generated derivative code is written against, and
//! the derivative rules (value and local partials) of every supported intrinsic.
//!
//! Generated code never names `f64` operations directly: it is generic over [`Scalar`], with
//! concrete `f64`/`f32` entry points. That lets later layers run the very same generated adjoint
//! on dual numbers (forward-over-reverse Hessian-vector products) without touching the emitters.
//!
//! `#![no_std]` and allocation-free. With the `std` feature (default) math goes through `std`;
//! without it through the pure-Rust [`libm`] crate, so the crate works on microcontrollers.
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod check;
mod dual;
pub mod fast;
mod float;
#[cfg(feature = "alloc")]
mod hvp_work;
pub mod jet;
pub mod linalg;
#[doc(hidden)]
pub mod mode;
pub mod objective;
mod params;
pub mod rules;
mod scalar;
#[cfg(feature = "alloc")]
pub mod sparse;
pub mod tape;

pub use check::{check_gradient, GradientCheck};
pub use dual::Dual;
pub use fast::FastMath;
pub use float::Float;
#[cfg(feature = "alloc")]
#[doc(hidden)]
pub use hvp_work::with_hvp_work;
#[cfg(feature = "alloc")]
pub use hvp_work::HvpWork;
pub use jet::Jet;
pub use linalg::{
    classify, classify_eigenvalues, sym_eigenvalues, sym_eigenvalues_in_place, CriticalPoint,
};
pub use objective::{
    from_fns, hessian_into, Bound, FnObjective, Objective, ObjectiveError, ObjectiveFns,
};
pub use params::{
    signature_float, Differentiable, Field, MethodResult, SignatureFloat, StructResult, Whole,
};
pub use scalar::Scalar;
#[doc(hidden)]
pub use tape::{dual_vec, split_dual_vec, vec_of, vec_with_capacity, zeros_vec, Vec};
pub use tape::{FixedTape, Slots, VecTape};

/// Calls between `#[differentiable]` functions (used by generated code).
#[doc(hidden)]
pub mod call {
    use crate::Scalar;

    /// A function returning an array `[T; N]`, with `N` (for [`ret_len`]).
    pub trait Returns<Args> {
        /// The returned array's length.
        const LEN: usize;
    }

    macro_rules! returns {
        ($($a:ident),*) => {
            impl<F, $($a,)* T, const N: usize> Returns<($($a,)*)> for F
            where
                F: Fn($($a),*) -> [T; N],
            {
                const LEN: usize = N;
            }
        };
    }
    returns!();
    returns!(A0);
    returns!(A0, A1);
    returns!(A0, A1, A2);
    returns!(A0, A1, A2, A3);
    returns!(A0, A1, A2, A3, A4);
    returns!(A0, A1, A2, A3, A4, A5);
    returns!(A0, A1, A2, A3, A4, A5, A6);
    returns!(A0, A1, A2, A3, A4, A5, A6, A7);
    returns!(A0, A1, A2, A3, A4, A5, A6, A7, A8);
    returns!(A0, A1, A2, A3, A4, A5, A6, A7, A8, A9);
    returns!(A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
    returns!(A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);

    /// The length of the array `f` returns, a constant (`[S; ret_len(&helper)]`): for a result
    /// bound without its type and then indexed, `let p = helper(x); p[0]`.
    pub const fn ret_len<F: Returns<Args>, Args>(_: &F) -> usize {
        F::LEN
    }

    /// A part of known length `N` (a matrix row, `&x[2..5]`) passed to a call: as `&[T; N]`, it
    /// fits a callee's `&[T; N]` parameter and coerces to a `&[T]` one.
    #[inline(always)]
    pub fn fixed<T, const N: usize>(s: &[T]) -> &[T; N] {
        match s.try_into() {
            Ok(a) => a,
            Err(_) => unreachable!("a part of known length"),
        }
    }

    /// [`fixed`] for output buffers and adjoints.
    #[inline(always)]
    pub fn fixed_mut<T, const N: usize>(s: &mut [T]) -> &mut [T; N] {
        match s.try_into() {
            Ok(a) => a,
            Err(_) => unreachable!("a part of known length"),
        }
    }

    /// An active argument of a call to another `#[differentiable]` function.
    #[derive(Clone, Copy, Debug)]
    pub struct Active<S>(pub S);

    /// A passive float argument of such a call.
    #[derive(Clone, Copy, Debug)]
    pub struct Const<F>(pub F);

    /// What an active parameter of a called function accepts: an active value, or a constant.
    pub trait ToActive<S: Scalar> {
        /// The argument as a scalar.
        fn get(self) -> S;
    }

    impl<S: Scalar> ToActive<S> for Active<S> {
        #[inline(always)]
        fn get(self) -> S {
            self.0
        }
    }

    /// A plain passive float (a constant, an element of data) where the callee's parameter is
    /// active.
    impl<S: Scalar<Base = f64>> ToActive<S> for f64 {
        #[inline(always)]
        fn get(self) -> S {
            S::cst(self)
        }
    }

    impl<S: Scalar<Base = f32>> ToActive<S> for f32 {
        #[inline(always)]
        fn get(self) -> S {
            S::cst(self)
        }
    }

    impl<S: Scalar> ToActive<S> for Const<S::Base> {
        #[inline(always)]
        fn get(self) -> S {
            S::cst(self.0)
        }
    }

    /// What a passive float parameter of a called function accepts: a plain value or a
    /// constant, never an active value (its derivative would be lost).
    #[diagnostic::on_unimplemented(
        message = "an active value is passed to a parameter that the called `#[differentiable]` function is not differentiated with respect to",
        label = "the derivative through this argument would be lost",
        note = "name the parameter in the called function's `wrt(..)` (`#[differentiable(wrt(x, t))]`), or pass a value that does not depend on the active inputs"
    )]
    pub trait ToPassive<F> {
        /// The argument's value.
        fn get(self) -> F;
    }

    impl ToPassive<f64> for f64 {
        #[inline(always)]
        fn get(self) -> f64 {
            self
        }
    }

    impl ToPassive<f32> for f32 {
        #[inline(always)]
        fn get(self) -> f32 {
            self
        }
    }

    impl<F> ToPassive<F> for Const<F> {
        #[inline(always)]
        fn get(self) -> F {
            self.0
        }
    }

    /// Implemented by no type: a bound of the `__call` of a `#[differentiable]` function that
    /// returns an array, so that a caller using its result as a scalar gets this message.
    #[diagnostic::on_unimplemented(
        message = "this `#[differentiable]` helper returns an array: bind its result with its type, `let p: [f64; M] = helper(..);`, or destructure it, `let [a, b] = helper(..);`",
        label = "the result of this call is an array"
    )]
    pub trait BindArrayResult {}

    /// Implemented by no type: a bound of the variants of a `#[differentiable]` function for
    /// an array argument its `wrt(..)` leaves out, so that a caller passing an active array there
    /// gets this message (as [`ToPassive`] for a float).
    #[diagnostic::on_unimplemented(
        message = "an active array is passed to a parameter that the called `#[differentiable]` function is not differentiated with respect to",
        label = "the derivative through this argument would be lost",
        note = "name the parameter in the called function's `wrt(..)` (`#[differentiable(wrt(x, w))]`), or pass an array that does not depend on the active inputs"
    )]
    pub trait ActiveArrayToPassive {}

    /// A passive float as the primitive float `B`, whether the user's code holds it by value or
    /// by reference (`c: &f64` used as `x * c`).
    pub trait ToBase<B> {
        /// The value.
        fn to_base(self) -> B;
    }

    impl ToBase<f64> for f64 {
        #[inline(always)]
        fn to_base(self) -> f64 {
            self
        }
    }

    impl ToBase<f32> for f32 {
        #[inline(always)]
        fn to_base(self) -> f32 {
            self
        }
    }

    impl<B, T: ToBase<B> + Copy> ToBase<B> for &T {
        #[inline(always)]
        fn to_base(self) -> B {
            (*self).to_base()
        }
    }
}

/// Expands its input only with the `std` feature: generated items that need a thread-local
/// (sparsity detection with [`sparse::Tracer`]) do not exist without it.
#[cfg(feature = "std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_std {
    ($($t:tt)*) => { $($t)* };
}

/// Expands its input only with the `std` feature (here: to nothing).
#[cfg(not(feature = "std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_std {
    ($($t:tt)*) => {};
}

/// Expands its input only with the `alloc` feature: generated items that need the heap
/// (`grad` of slice parameters, reverse mode of loops with run-time trip counts) do not exist
/// without it, instead of failing to compile.
#[cfg(feature = "alloc")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_alloc {
    ($($t:tt)*) => { $($t)* };
}

/// Expands its input only with the `alloc` feature (here: to nothing).
#[cfg(not(feature = "alloc"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_alloc {
    ($($t:tt)*) => {};
}
