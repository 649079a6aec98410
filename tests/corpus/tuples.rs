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

/// A helper returning a tuple of floats, destructured by the caller.
#[differentiable]
fn to_polar(x: f64, y: f64) -> (f64, f64) {
    let r = (x * x + y * y).sqrt();
    (r, y.atan2(x))
}

#[differentiable]
fn polar_energy(x: f64, y: f64) -> f64 {
    let (r, t) = to_polar(x, y);
    let (r2, _) = to_polar(r, t);
    r * t.sin() + r2
}

#[test]
fn helpers_returning_tuples() {
    let x = [0.8, -0.6];
    let g = check("polar_energy", &fns2!(polar_energy), &x);
    let (r, t) = (1.0f64, (-0.6f64).atan2(0.8));
    let r2 = (r * r + t * t).sqrt();
    // d/dx of r sin t + sqrt(r^2 + t^2), with r = |(x, y)|, t = atan2(y, x)
    let (dr, dt) = ([x[0] / r, x[1] / r], [-x[1] / (r * r), x[0] / (r * r)]);
    let want: Vec<f64> = (0..2)
        .map(|i| dr[i] * t.sin() + r * t.cos() * dt[i] + (r * dr[i] + t * dt[i]) / r2)
        .collect();
    assert_grad_eq("polar_energy", &g, &want, 1e-14);
    // The helper itself, like a function returning [f64; 2].
    let (v, j) = to_polar::jacobian(0.8, -0.6);
    assert_eq!((v[0], v[1]), to_polar(0.8, -0.6));
    assert_close(j[0][0], 0.8, 1e-15, 1.0, "dr/dx");
    assert_close(j[1][1], 0.8, 1e-15, 1.0, "dt/dy");
}

/// A tuple of an array and a float as the result, and destructured by a caller.
#[differentiable]
fn polar_and_norm(x: f64, y: f64) -> ([f64; 2], f64) {
    let r = (x * x + y * y).sqrt();
    let p = [r, y.atan2(x)];
    (p, r * r)
}

#[differentiable]
fn uses_polar(x: f64, y: f64) -> f64 {
    let (p, n2): ([f64; 2], f64) = polar_and_norm(x, y);
    p[0] * p[1] + n2.sin()
}

#[test]
fn tuples_of_arrays_as_results() {
    let (x, y) = (0.6, -0.8);
    assert_eq!(polar_and_norm(x, y).1, x * x + y * y);
    // Derivatives see the result flattened: [r, theta, r^2].
    let (v, j) = polar_and_norm::jacobian(x, y);
    let r = (x * x + y * y).sqrt();
    assert_eq!(v[0], r);
    assert_close(j[0][0], x / r, 1e-15, 1.0, "dr/dx");
    assert_close(j[1][1], x / (r * r), 1e-15, 1.0, "dtheta/dy");
    assert_close(j[2][0], 2.0 * x, 1e-15, 1.0, "dn2/dx");
    let (v, (gx, gy)) = uses_polar::grad(x, y);
    assert_eq!(v, uses_polar(x, y));
    let t = y.atan2(x);
    let want_x = (x / r) * t + r * (-y / (r * r)) + (r * r).cos() * 2.0 * x;
    let want_y = (y / r) * t + r * (x / (r * r)) + (r * r).cos() * 2.0 * y;
    assert_close(gx, want_x, 1e-14, 1.0, "d/dx");
    assert_close(gy, want_y, 1e-14, 1.0, "d/dy");
    check("uses_polar", &fns2!(uses_polar), &[x, y]);
}
