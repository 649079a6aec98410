//! Output buffers, the MINPACK residual style: `fn residuals(x: &[f64], r: &mut [f64])` gets
//! `jvp` (tangent buffer), `vjp` (seed in the buffer's adjoint, in-out) and `jacobian`, like a
//! function returning an array; helpers that write (and read: in-out) buffers of the caller.

use crate::*;
use autodiff::{differentiable, Scalar};

/// Exponential decay fitted to data: r_i = x0 exp(x1 t_i) - y_i.
#[differentiable(wrt(x))]
fn residuals(x: &[f64], t: &[f64], y: &[f64], r: &mut [f64]) {
    for i in 0..r.len() {
        r[i] = x[0] * (x[1] * t[i]).exp() - y[i];
    }
}

/// A fixed-size residual with an in-out helper.
#[differentiable]
fn scale_add(a: f64, x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] += a * x[i];
    }
}

#[differentiable]
fn fixed_resid(x: &[f64; 3], r: &mut [f64; 2]) {
    r[0] = x[0] * x[1];
    r[1] = x[2].sin();
    scale_add(x[2], &x[..2], r);
    r[1] *= r[0];
}

fn fixed_resid_generic<S: Scalar>(x: &[S]) -> [S; 2] {
    let r0 = x[0] * x[1] + x[2] * x[0];
    let r1 = (x[2].sin() + x[2] * x[1]) * r0;
    [r0, r1]
}

#[test]
fn residuals_and_their_jacobian() {
    let t: Vec<f64> = (0..6).map(|i| i as f64 * 0.5).collect();
    let y: Vec<f64> = t
        .iter()
        .map(|&s| 2.0 * (-0.7 * s).exp() + 0.01 * s)
        .collect();
    let x = [1.5, -0.4];
    let mut r = vec![0.0; 6];
    let j = residuals::jacobian(&x, &t, &y, &mut r);
    for i in 0..6 {
        let e = (x[1] * t[i]).exp();
        assert_close(r[i], x[0] * e - y[i], 1e-15, 1.0, "residual value");
        assert_close(j[i][0], e, 1e-15, 1.0, "dr/dx0");
        assert_close(j[i][1], x[0] * t[i] * e, 1e-15, 1.0, "dr/dx1");
    }
    // jvp and vjp against each other (dot-product identity) and the Jacobian.
    let v = [0.3, -1.2];
    let mut dr = vec![0.0; 6];
    residuals::jvp(&x, &t, &y, &mut r, &v, &mut dr);
    let mut seed: Vec<f64> = (0..6).map(|i| 1.0 - 0.3 * i as f64).collect();
    let seed0 = seed.clone();
    let mut xb = [0.0; 2];
    residuals::vjp(&x, &t, &y, &mut r, &mut xb, &mut seed);
    let lhs: f64 = dr.iter().zip(&seed0).map(|(a, b)| a * b).sum();
    let rhs = xb[0] * v[0] + xb[1] * v[1];
    assert_close(lhs, rhs, 1e-14, 1.0, "residuals dot identity");
    // The output is only written: the adjoint of its earlier contents is zero.
    assert!(
        seed.iter().all(|&s| s == 0.0),
        "in-out seed after vjp: {seed:?}"
    );
}

#[test]
fn in_out_buffers_through_helpers() {
    let x = [0.5, -1.5, 0.7];
    let mut r = [0.0; 2];
    let j = fixed_resid::jacobian(&x, &mut r);
    let want = fixed_resid_generic(&x);
    assert_close(r[0], want[0], 1e-15, 1.0, "r0");
    assert_close(r[1], want[1], 1e-15, 1.0, "r1");
    for k in 0..3 {
        let (_, d) = dual_grad(&|p| fixed_resid_generic(p)[0], &x);
        assert_close(j[0][k], d[k], 1e-14, 1.0, "J row 0");
        let (_, d) = dual_grad(&|p| fixed_resid_generic(p)[1], &x);
        assert_close(j[1][k], d[k], 1e-14, 1.0, "J row 1");
    }
}

/// `return;` in a function writing an output buffer (found by the random programs).
#[differentiable]
fn early_out(x: f64, y: f64, r: &mut [f64]) {
    r[1] = x + y;
    if x > 3.0 {
        return;
    }
    r[0] = x * y;
    for i in 0..2 {
        if r[i] > 100.0 {
            return;
        }
        r[i] *= 2.0;
    }
}

#[test]
fn early_return_in_output_functions() {
    let mut r = vec![0.0; 2];
    let j = early_out::jacobian(2.0, 5.0, &mut r);
    assert_eq!(r, [20.0, 14.0]);
    assert_eq!(j, vec![vec![10.0, 4.0], vec![2.0, 2.0]]);
    let mut r = vec![0.0; 2];
    let j = early_out::jacobian(4.0, 5.0, &mut r);
    assert_eq!(r, [0.0, 9.0]);
    assert_eq!(j, vec![vec![0.0, 0.0], vec![1.0, 1.0]]);
    let mut r = vec![0.0; 2];
    let j = early_out::jacobian(2.0, 60.0, &mut r);
    // r0 = 120 > 100: returns before doubling anything.
    assert_eq!(r, [120.0, 62.0]);
    assert_eq!(j, vec![vec![60.0, 2.0], vec![1.0, 1.0]]);
}
