//! The corpus: numeric programs written the way one first writes them (helpers over slices,
//! array literals, matrices, scratch vectors, tuples, boolean conditions, diverging branches,
//! output buffers), each differentiated by `#[differentiable]` and checked against independent
//! sources: central finite differences, the same program on dual numbers where it is written
//! generically, Hessian-vector products against finite differences of the gradient, and the
//! dot-product identity between forward and reverse mode.
//!
//! One module per construct family; the shared checks are here.
#![allow(
    clippy::needless_range_loop,
    clippy::assign_op_pattern,
    clippy::type_complexity,
    clippy::new_without_default,
    clippy::too_many_arguments,
    clippy::ptr_arg,
    clippy::manual_memcpy,
    clippy::useless_vec,
    clippy::neg_cmp_op_on_partial_ord
)]

#[path = "../common/mod.rs"]
mod common;

#[path = "../alloc_counter/mod.rs"]
mod alloc_counter;

/// Counts allocations per thread (for `no_alloc`; the other tests run on other threads).
#[global_allocator]
static GLOBAL: alloc_counter::Counting = alloc_counter::Counting;

mod adbench_ba;
mod adbench_gmm;
mod adbench_lstm;
mod calls;
mod carry;
mod control;
mod defects;
mod generic_structs;
mod impls;
mod inlining;
mod iterators;
mod literals;
mod matrices;
mod models;
mod nested;
mod no_alloc;
mod outputs;
mod overwrite;
mod passive_calls;
mod passive_fields;
mod returned;
mod second_order;
mod struct_defects;
mod structs;
mod tuples;
mod untyped_results;
mod vec_fields;
mod vectors;

pub use common::*;

/// Finite-difference tolerance (see `common::central` for the error budget) and the
/// dot-product identity's (exact up to rounding of the same partial products).
pub const FD: f64 = 1e-7;
pub const DOT: f64 = 1e-12;

/// A function of flattened active inputs: value, jvp, vjp (adds into the buffer) and grad.
pub struct Fns<'a> {
    pub f: &'a dyn Fn(&[f64]) -> f64,
    pub jvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, f64),
    pub vjp: &'a dyn Fn(&[f64], f64, &mut [f64]) -> f64,
    pub grad: &'a dyn Fn(&[f64]) -> (f64, Vec<f64>),
}

/// jvp against finite differences along every axis and two random directions, the dot-product
/// identity, vjp adding into its buffer, grad equal to vjp(1); returns the gradient.
#[track_caller]
pub fn check(what: &str, o: &Fns, x: &[f64]) -> Vec<f64> {
    let ops = VecOps {
        f: o.f,
        jvp: o.jvp,
        vjp: o.vjp,
        grad: o.grad,
    };
    let axes: Vec<usize> = (0..x.len()).collect();
    check_vec_ops(what, &ops, x, &axes, 2, &mut Rng::named(what), FD, DOT)
}

/// A Hessian-vector product against central finite differences of the gradient along `v`
/// (relative 1e-6 of the largest entry: the difference quotient of an exact gradient).
#[track_caller]
pub fn check_hvp(what: &str, grad: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64], hv: &[f64]) {
    let s = x.iter().fold(1.0f64, |m, a| m.max(a.abs()));
    let h = 1e-5 * s;
    let at = |sign: f64| -> Vec<f64> {
        let p: Vec<f64> = x.iter().zip(v).map(|(a, d)| a + sign * h * d).collect();
        grad(&p)
    };
    let (gp, gm) = (at(1.0), at(-1.0));
    let fd: Vec<f64> = gp
        .iter()
        .zip(&gm)
        .map(|(a, b)| (a - b) / (2.0 * h))
        .collect();
    let scale = max_abs(&fd).max(max_abs(hv)).max(1e-3);
    for i in 0..hv.len() {
        assert_close(
            hv[i],
            fd[i],
            1e-6,
            scale,
            &format!("{what}: (H v)[{i}] vs FD of the gradient"),
        );
    }
}

/// The gradient of a program written over any `Scalar`, by one dual-number pass per input:
/// an evaluation independent of the macro.
pub fn dual_grad(
    f: &dyn Fn(&[autodiff::Dual<f64>]) -> autodiff::Dual<f64>,
    x: &[f64],
) -> (f64, Vec<f64>) {
    use autodiff::Dual;
    let mut g = vec![0.0; x.len()];
    let mut value = 0.0;
    for i in 0..x.len() {
        let d: Vec<Dual<f64>> = x
            .iter()
            .enumerate()
            .map(|(k, &a)| Dual::new(a, if k == i { 1.0 } else { 0.0 }))
            .collect();
        let r = f(&d);
        value = r.re;
        g[i] = r.eps;
    }
    (value, g)
}

/// `got` equals the dual-number gradient to `rel` (relative to the largest entry).
#[track_caller]
pub fn assert_grad_eq(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: gradient length");
    let scale = max_abs(want).max(1e-300);
    for i in 0..got.len() {
        assert_close(
            got[i],
            want[i],
            rel,
            scale,
            &format!("{what}: gradient[{i}] vs dual numbers"),
        );
    }
}

/// `Fns` for a function of two scalars.
#[macro_export]
macro_rules! fns2 {
    ($f:ident $(, $extra:expr)*) => {
        $crate::Fns {
            f: &|x: &[f64]| $f(x[0], x[1] $(, $extra)*),
            jvp: &|x: &[f64], v: &[f64]| $f::jvp(x[0], x[1] $(, $extra)*, v[0], v[1]),
            vjp: &|x: &[f64], c: f64, b: &mut [f64]| {
                let (value, (b0, b1)) = $f::vjp(x[0], x[1] $(, $extra)*, c);
                b[0] += b0;
                b[1] += b1;
                value
            },
            grad: &|x: &[f64]| {
                let (value, (g0, g1)) = $f::grad(x[0], x[1] $(, $extra)*);
                (value, vec![g0, g1])
            },
        }
    };
}

/// `Fns` for a function of one scalar.
#[macro_export]
macro_rules! fns1 {
    ($f:ident $(, $extra:expr)*) => {
        $crate::Fns {
            f: &|x: &[f64]| $f(x[0] $(, $extra)*),
            jvp: &|x: &[f64], v: &[f64]| $f::jvp(x[0] $(, $extra)*, v[0]),
            vjp: &|x: &[f64], c: f64, b: &mut [f64]| {
                let (value, b0) = $f::vjp(x[0] $(, $extra)*, c);
                b[0] += b0;
                value
            },
            grad: &|x: &[f64]| {
                let (value, g0) = $f::grad(x[0] $(, $extra)*);
                (value, vec![g0])
            },
        }
    };
}

/// `Fns` for a function of one active `&[f64; N]` (then passive extras).
#[macro_export]
macro_rules! fns_arr {
    ($f:ident, $n:expr $(, $extra:expr)*) => {
        $crate::Fns {
            f: &|x: &[f64]| $f(<&[f64; $n]>::try_from(x).unwrap() $(, $extra)*),
            jvp: &|x: &[f64], v: &[f64]| {
                $f::jvp(
                    <&[f64; $n]>::try_from(x).unwrap() $(, $extra)*,
                    <&[f64; $n]>::try_from(v).unwrap(),
                )
            },
            vjp: &|x: &[f64], c: f64, b: &mut [f64]| {
                $f::vjp(
                    <&[f64; $n]>::try_from(x).unwrap() $(, $extra)*,
                    c,
                    <&mut [f64; $n]>::try_from(b).unwrap(),
                )
            },
            grad: &|x: &[f64]| {
                let (value, g) = $f::grad(<&[f64; $n]>::try_from(x).unwrap() $(, $extra)*);
                (value, g.to_vec())
            },
        }
    };
}

/// `Fns` for a function of one active `&[f64]` (then passive extras).
#[macro_export]
macro_rules! fns_slice {
    ($f:ident $(, $extra:expr)*) => {
        $crate::Fns {
            f: &|x: &[f64]| $f(x $(, $extra)*),
            jvp: &|x: &[f64], v: &[f64]| $f::jvp(x $(, $extra)*, v),
            vjp: &|x: &[f64], c: f64, b: &mut [f64]| $f::vjp(x $(, $extra)*, c, b),
            grad: &|x: &[f64]| $f::grad(x $(, $extra)*),
        }
    };
}
