//! Tuples as values: `let (a, b) = (e1, e2)`, `x.sin_cos()`, tuple variables and fields,
//! destructuring assignment (`(u, v) = (v, u * v)`), nested tuples and `_`.

use crate::*;
use autodiff::{differentiable, Scalar};

#[differentiable]
fn tuples(x: f64, y: f64) -> f64 {
    let (a, b) = (x * y, x + y);
    let (s, c) = (a * 0.3).sin_cos();
    let t = (s, (c, b));
    let (mut p, q) = (t.0 * t.1 .0, t.1 .1);
    (p, _) = (p + q, 0.0);
    let mut u = x;
    let mut v = y;
    for _ in 0..3 {
        (u, v) = (v, u * v);
    }
    p * b + u - v
}

fn tuples_generic<S: Scalar<Base = f64>>(x: S, y: S) -> S {
    let (a, b) = (x * y, x + y);
    let (s, c) = ((a * S::cst(0.3)).sin(), (a * S::cst(0.3)).cos());
    let mut p = s * c + b;
    let q = b;
    p = p + q - q;
    let (mut u, mut v) = (x, y);
    for _ in 0..3 {
        (u, v) = (v, u * v);
    }
    p * b + u - v
}

/// A 2-D rotation written with `sin_cos`, as one writes it.
#[differentiable]
fn rotated_norm(theta: f64, px: f64, py: f64) -> f64 {
    let (s, c) = theta.sin_cos();
    let (qx, qy) = (c * px - s * py, s * px + c * py);
    (qx - 1.0).powi(2) + (qy + 0.5).powi(2)
}

#[test]
fn tuple_values() {
    for x in [[0.7, 1.3], [-0.4, 0.9]] {
        let g = check("tuples", &fns2!(tuples), &x);
        let (v, want) = dual_grad(&|d| tuples_generic(d[0], d[1]), &x);
        assert_close(v, tuples(x[0], x[1]), 1e-15, 0.0, "tuples value");
        assert_grad_eq("tuples", &g, &want, 1e-13);
    }
    let f = |p: &[f64]| rotated_norm(p[0], p[1], p[2]);
    let o = Fns {
        f: &f,
        jvp: &|p: &[f64], v: &[f64]| rotated_norm::jvp(p[0], p[1], p[2], v[0], v[1], v[2]),
        vjp: &|p: &[f64], c: f64, b: &mut [f64]| {
            let (value, (b0, b1, b2)) = rotated_norm::vjp(p[0], p[1], p[2], c);
            b[0] += b0;
            b[1] += b1;
            b[2] += b2;
            value
        },
        grad: &|p: &[f64]| {
            let (value, (g0, g1, g2)) = rotated_norm::grad(p[0], p[1], p[2]);
            (value, vec![g0, g1, g2])
        },
    };
    let x = [0.4, 1.2, -0.3];
    check("rotated_norm", &o, &x);
    let grad = |p: &[f64]| (o.grad)(p).1;
    let v = [0.3, -1.0, 0.5];
    let (_, _, hv) = rotated_norm::hvp(x[0], x[1], x[2], v[0], v[1], v[2]);
    check_hvp("rotated_norm", &grad, &x, &v, &[hv.0, hv.1, hv.2]);
}

#[differentiable]
fn array_patterns(p: &[f64; 3]) -> f64 {
    let [a, b, c] = *p;
    let q = [a * b, c];
    let [mut u, _] = q;
    u += c;
    u * a
}

#[test]
fn destructuring_arrays() {
    let x = [0.5, -1.5, 2.0];
    let g = check("array_patterns", &fns_arr!(array_patterns, 3), &x);
    // (a b + c) a
    assert_grad_eq(
        "array_patterns",
        &g,
        &[2.0 * x[0] * x[1] + x[2], x[0] * x[0], x[0]],
        1e-15,
    );
}
