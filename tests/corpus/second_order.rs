//! Hessians and Jacobians for any mix of active scalars, arrays and slices, flattened in
//! parameter order; checked against finite differences of the gradient / the values and the
//! symmetric Hessian against its transpose.

use crate::*;
use autodiff::differentiable;

#[differentiable]
fn mixed(a: f64, x: &[f64; 3], y: &[f64], b: f64) -> f64 {
    let mut s = a * b;
    for i in 0..3 {
        s += (x[i] * a).sin() * y[i] + x[i] * x[i] * b;
    }
    s + y[0] * y[1] * y[2]
}

#[differentiable]
fn mixed_out(a: f64, x: &[f64; 2], y: &[f64]) -> [f64; 3] {
    [a * x[0], x[1] * y[0] + a, (y[1] * x[0]).exp()]
}

#[differentiable]
fn mixed_resid(a: f64, y: &[f64], r: &mut [f64]) {
    for i in 0..r.len() {
        r[i] = a * y[i] * y[i] + y[(i + 1) % y.len()];
    }
}

fn flat_mixed(p: &[f64]) -> f64 {
    mixed(
        p[0],
        <&[f64; 3]>::try_from(&p[1..4]).unwrap(),
        &p[4..7],
        p[7],
    )
}

#[test]
fn hessian_of_any_mix() {
    let p = [0.7, 0.3, -0.5, 1.1, 0.9, -0.4, 0.6, 1.3];
    let (v, g, h) = mixed::hessian(
        p[0],
        <&[f64; 3]>::try_from(&p[1..4]).unwrap(),
        &p[4..7],
        p[7],
    );
    assert_eq!(v, flat_mixed(&p));
    assert_eq!(g.len(), 8);
    let grad = |q: &[f64]| {
        let (_, (ga, gx, gy, gb)) = mixed::grad(
            q[0],
            <&[f64; 3]>::try_from(&q[1..4]).unwrap(),
            &q[4..7],
            q[7],
        );
        [vec![ga], gx.to_vec(), gy, vec![gb]].concat()
    };
    assert_grad_eq("hessian's gradient", &g, &grad(&p), 1e-15);
    for k in 0..8 {
        let mut e = [0.0; 8];
        e[k] = 1.0;
        let col: Vec<f64> = (0..8).map(|i| h[i][k]).collect();
        check_hvp(&format!("hessian column {k}"), &grad, &p, &e, &col);
        for i in 0..8 {
            assert_close(h[i][k], h[k][i], 1e-13, 1.0, "symmetric Hessian");
        }
    }
}

#[test]
fn jacobians_of_any_mix() {
    let (a, x, y) = (0.8, [0.5, -0.25], vec![1.5, 0.3]);
    let (v, j) = mixed_out::jacobian(a, &x, &y);
    assert_eq!(v, mixed_out(a, &x, &y));
    let f = |q: &[f64], r: usize| {
        mixed_out(q[0], <&[f64; 2]>::try_from(&q[1..3]).unwrap(), &q[3..5])[r]
    };
    let p = [a, x[0], x[1], y[0], y[1]];
    for r in 0..3 {
        for c in 0..5 {
            let mut e = [0.0; 5];
            e[c] = 1.0;
            assert_fd("mixed_out Jacobian", &|q| f(q, r), &p, &e, j[r][c], FD);
        }
    }
    let mut res = vec![0.0; 2];
    let jr = mixed_resid::jacobian(a, &y, &mut res);
    let g = |q: &[f64], r: usize| {
        let mut out = vec![0.0; 2];
        mixed_resid(q[0], &q[1..3], &mut out);
        out[r]
    };
    let p = [a, y[0], y[1]];
    for r in 0..2 {
        for c in 0..3 {
            let mut e = [0.0; 3];
            e[c] = 1.0;
            assert_fd("mixed_resid Jacobian", &|q| g(q, r), &p, &e, jr[r][c], FD);
        }
    }
}
