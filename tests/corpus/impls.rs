//! `#[differentiable]` on `impl` blocks: associated functions get `Type::f_grad`, `Type::f_jvp`,
//! ...; calls between them (`Self::g`, `Type::g`), with arrays, from free functions, and in
//! trait impls.

use crate::*;
use autodiff::differentiable;

pub struct Circle;

#[differentiable]
impl Circle {
    /// Not differentiated: no float parameter.
    pub fn new() -> Self {
        Circle
    }

    pub fn area(r: f64) -> f64 {
        core::f64::consts::PI * r * r
    }

    /// Calls through `Self::`.
    pub fn ring(r: f64, w: f64) -> f64 {
        Self::area(r + w) - Self::area(r)
    }

    /// Arrays, and a call with an array through `Circle::`.
    fn weighted(x: &[f64; 3], k: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            s += x[i] * x[i] * k;
        }
        s + Circle::first(x, k)
    }

    fn first(x: &[f64; 3], k: f64) -> f64 {
        x[0].sin() * k
    }
}

/// A free function calling an associated one.
#[differentiable]
fn outer(r: f64) -> f64 {
    Circle::ring(r, 0.5) * r
}

pub trait Energy {
    fn energy(x: f64, y: f64) -> f64;
}

pub struct Spring;

#[differentiable]
impl Energy for Spring {
    fn energy(x: f64, y: f64) -> f64 {
        0.5 * (x - y).powi(2) + x.exp()
    }
}

/// Only the marked function, with its own `wrt`.
pub struct Marked;

#[differentiable]
impl Marked {
    #[differentiable(wrt(x))]
    pub fn f(x: f64, c: f64) -> f64 {
        x * x * c
    }

    pub fn plain(x: f64) -> f64 {
        x + 1.0
    }
}

#[test]
fn associated_functions_get_prefixed_derivatives() {
    let _ = Circle::new();
    let pi = core::f64::consts::PI;
    assert_eq!(Circle::area_grad(2.0), (pi * 4.0, 2.0 * pi * 2.0));
    let (v, (gr, gw)) = Circle::ring_grad(1.0, 0.5);
    assert!((v - pi * 1.25).abs() < 1e-14);
    assert!((gr - 2.0 * pi * 0.5).abs() < 1e-14 && (gw - 2.0 * pi * 1.5).abs() < 1e-14);
    check(
        "Circle::ring",
        &Fns {
            f: &|x: &[f64]| Circle::ring(x[0], x[1]),
            jvp: &|x: &[f64], v: &[f64]| Circle::ring_jvp(x[0], x[1], v[0], v[1]),
            vjp: &|x: &[f64], c: f64, b: &mut [f64]| {
                let (value, (b0, b1)) = Circle::ring_vjp(x[0], x[1], c);
                b[0] += b0;
                b[1] += b1;
                value
            },
            grad: &|x: &[f64]| {
                let (value, (g0, g1)) = Circle::ring_grad(x[0], x[1]);
                (value, vec![g0, g1])
            },
        },
        &[0.7, 0.3],
    );
    check("outer", &fns1!(outer), &[0.9]);
    let (_, hv) = {
        let (v, _, hv) = Circle::area_hvp(2.0, 1.0);
        (v, hv)
    };
    assert!((hv - 2.0 * pi).abs() < 1e-14);
}

#[test]
fn associated_functions_with_arrays() {
    let x = [0.3, -0.7, 1.1];
    let (v, g) = Circle::weighted_grad(&x, 2.0);
    assert_eq!(v, Circle::weighted(&x, 2.0));
    let (gx, gk) = g;
    let expect = [4.0 * x[0] + x[0].cos() * 2.0, 4.0 * x[1], 4.0 * x[2]];
    for i in 0..3 {
        assert!((gx[i] - expect[i]).abs() < 1e-14, "{i}");
    }
    let sq: f64 = x.iter().map(|a| a * a).sum();
    assert!((gk - (sq + x[0].sin())).abs() < 1e-14);
}

#[test]
fn trait_impls_and_marked_functions() {
    let (v, (gx, gy)) = Spring::energy_grad(1.0, 3.0);
    assert_eq!(v, Spring::energy(1.0, 3.0));
    assert_eq!((gx, gy), (-2.0 + 1f64.exp(), 2.0));
    assert_eq!(Marked::f_grad(3.0, 2.0), (18.0, 12.0));
    assert_eq!(Marked::plain(1.0), 2.0);
}

#[test]
fn objectives_hessians_and_minimizing_associated_functions() {
    use autodiff::Objective;
    let o = Circle::ring_objective();
    assert_eq!(o.dim(), 2);
    let mut g = [0.0; 2];
    let v = o.value_grad(&[1.0, 0.5], &mut g);
    assert_eq!((v, (g[0], g[1])), Circle::ring_grad(1.0, 0.5));
    let (_, _, h) = Spring::energy_hessian(0.5, 1.0);
    let e = 0.5f64.exp();
    assert_eq!(h, [[1.0 + e, -1.0], [-1.0, 1.0]]);
    // The array function's objective: `x` flattened, then `k`.
    let w = Circle::weighted_objective();
    let x = [0.3, -0.7, 1.1, 2.0];
    let mut g = [0.0; 4];
    let v = w.value_grad(&x, &mut g);
    let (v2, (gx, gk)) = Circle::weighted_grad(&[0.3, -0.7, 1.1], 2.0);
    assert_eq!(v, v2);
    assert_eq!(g, [gx[0], gx[1], gx[2], gk]);
}
