//! Arrays and slices through calls, as numeric code is factored in C++ or NumPy: helpers over
//! slices (`sqnorm`, `dot`, `logsumexp`), sub-slices `&x[i * d..(i + 1) * d]` and `&x[a..]`,
//! local arrays passed by reference, passive data next to active parameters, calls inside loops,
//! fixed-size arrays, and scalars mixed in. Checked against the same program written over any
//! `Scalar` (dual numbers), finite differences, and Hessian-vector products against finite
//! differences of the gradient.

use crate::*;
use autodiff::{differentiable, Dual, Scalar};

#[differentiable]
fn sqnorm(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

#[differentiable]
fn dot(a: &[f64], b: &[f64], scale: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s * scale
}

/// The stable log-sum-exp of the GMM objective.
#[differentiable]
fn logsumexp(x: &[f64]) -> f64 {
    let mut mx = x[0];
    for i in 1..x.len() {
        if x[i] > mx {
            mx = x[i];
        }
    }
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (x[i] - mx).exp();
    }
    s.ln() + mx
}

/// Clusters of dimension 2 in `x`, data in `data`: every helper form at once.
#[differentiable(wrt(x, y))]
fn clusters(x: &[f64], data: &[f64], y: f64) -> f64 {
    let d = 2;
    let k = x.len() / d;
    let mut tmp = [0.0; 3];
    for c in 0..k {
        let lo = c * d;
        tmp[c] = dot(&x[lo..lo + d], &data[c * d..(c + 1) * d], y) + sqnorm(&x[lo..]);
    }
    logsumexp(&tmp) + sqnorm(x) * y + dot(&tmp, &tmp, 0.5)
}

fn sqnorm_g<S: Scalar>(x: &[S]) -> S {
    x.iter().fold(S::zero(), |s, &a| s + a * a)
}

fn dot_g<S: Scalar>(a: &[S], b: &[S], scale: S) -> S {
    a.iter().zip(b).fold(S::zero(), |s, (&p, &q)| s + p * q) * scale
}

fn logsumexp_g<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut mx = x[0];
    for &a in &x[1..] {
        if a.base() > mx.base() {
            mx = a;
        }
    }
    x.iter().fold(S::zero(), |s, &a| s + (a - mx).exp()).ln() + mx
}

fn clusters_g<S: Scalar<Base = f64>>(x: &[S], data: &[f64], y: S) -> S {
    let data: Vec<S> = data.iter().map(|&a| S::cst(a)).collect();
    let mut tmp = [S::zero(); 3];
    for c in 0..x.len() / 2 {
        let lo = c * 2;
        tmp[c] = dot_g(&x[lo..lo + 2], &data[lo..lo + 2], y) + sqnorm_g(&x[lo..]);
    }
    logsumexp_g(&tmp) + sqnorm_g(x) * y + dot_g(&tmp, &tmp, S::cst(0.5))
}

const DATA: [f64; 6] = [1.0, 2.0, 3.0, -1.0, 0.5, 0.25];

#[test]
fn helpers_over_slices_and_sub_slices() {
    let x = [0.3, -0.5, 1.2, 0.7, -0.1, 0.4, 0.8];
    let o = Fns {
        f: &|p: &[f64]| clusters(&p[..6], &DATA, p[6]),
        jvp: &|p: &[f64], v: &[f64]| clusters::jvp(&p[..6], &DATA, p[6], &v[..6], v[6]),
        vjp: &|p: &[f64], c: f64, b: &mut [f64]| {
            let (value, by) = clusters::vjp(&p[..6], &DATA, p[6], c, &mut b[..6]);
            b[6] += by;
            value
        },
        grad: &|p: &[f64]| {
            let (value, (mut g, gy)) = clusters::grad(&p[..6], &DATA, p[6]);
            g.push(gy);
            (value, g)
        },
    };
    let g = check("clusters", &o, &x);
    let (v, want) = dual_grad(&|d| clusters_g(&d[..6], &DATA, d[6]), &x);
    assert_eq!(v, clusters(&x[..6], &DATA, x[6]));
    assert_grad_eq("clusters", &g, &want, 1e-14);
    let dir = [0.5, -1.0, 0.25, 0.75, -0.5, 1.0, 0.3];
    let (_, _, (hx, hy)) = clusters::hvp(&x[..6], &DATA, x[6], &dir[..6], dir[6]);
    let mut hv = hx.clone();
    hv.push(hy);
    check_hvp("clusters", &|p| (o.grad)(p).1, &x, &dir, &hv);
}

/// Fixed-size arrays through calls: a local array literal, the parameter itself, a sub-slice.
#[differentiable]
fn fixed(x: &[f64; 3]) -> f64 {
    let loc = [x[0] * x[1], x[2], 1.0];
    sqnorm(&loc) + logsumexp(x) + sqnorm(&x[1..]) * dot(x, &loc, 2.0)
}

fn fixed_g<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let loc = [x[0] * x[1], x[2], S::one()];
    sqnorm_g(&loc) + logsumexp_g(x) + sqnorm_g(&x[1..]) * dot_g(x, &loc, S::cst(2.0))
}

/// A helper called in a loop on a local array that changes between the calls: each call's
/// reverse must see the array as it was at that call.
#[differentiable]
fn changing_local(x: &[f64; 4]) -> f64 {
    let mut buf = [0.0; 2];
    let mut s = 0.0;
    for i in 0..3 {
        buf[0] = x[i] * x[i + 1];
        buf[1] = x[i + 1].sin();
        s += sqnorm(&buf) * x[i];
    }
    s
}

fn changing_local_g<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = S::zero();
    for i in 0..3 {
        let buf = [x[i] * x[i + 1], x[i + 1].sin()];
        s += sqnorm_g(&buf) * x[i];
    }
    s
}

#[test]
fn fixed_arrays_and_locals_through_calls() {
    let x = [0.5, 1.5, -0.5];
    let g = check("fixed", &fns_arr!(fixed, 3), &x);
    let (_, want) = dual_grad(&|d| fixed_g(d), &x);
    assert_grad_eq("fixed", &g, &want, 1e-14);
    let x4 = [0.5, -1.5, 0.7, 1.1];
    let g = check("changing_local", &fns_arr!(changing_local, 4), &x4);
    let (_, want) = dual_grad(&|d| changing_local_g(d), &x4);
    assert_grad_eq("changing_local", &g, &want, 1e-14);
    let v = [1.0, -0.5, 0.25, 2.0];
    let (_, _, hv) = changing_local::hvp(&x4, &v);
    check_hvp(
        "changing_local",
        &|p| {
            changing_local::grad(<&[f64; 4]>::try_from(p).unwrap())
                .1
                .to_vec()
        },
        &x4,
        &v,
        &hv,
    );
    let _ = Dual::new(0.0, 0.0);
}

#[differentiable]
fn rotate(theta: f64, p: &[f64; 2]) -> [f64; 2] {
    let (s, c) = theta.sin_cos();
    [c * p[0] - s * p[1], s * p[0] + c * p[1]]
}

#[differentiable]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

/// Helpers returning arrays: bound with a type, destructured, and assigned.
#[differentiable]
fn returned_arrays(theta: f64, pts: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    let mut q: [f64; 2];
    for i in 0..2 {
        let p = [pts[2 * i], pts[2 * i + 1]];
        q = rotate(theta, &p);
        let [u, v] = polar(q[0], 0.5);
        let w: [f64; 2] = rotate(-theta, &q);
        s += (u - 1.0).powi(2) + v * v + w[0] * w[1];
    }
    s
}

fn returned_arrays_g<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let (theta, pts) = (x[0], &x[1..]);
    let rot = |t: S, p: [S; 2]| {
        [
            t.cos() * p[0] - t.sin() * p[1],
            t.sin() * p[0] + t.cos() * p[1],
        ]
    };
    let mut s = S::zero();
    for i in 0..2 {
        let q = rot(theta, [pts[2 * i], pts[2 * i + 1]]);
        let (u, v) = (q[0] * S::cst(0.5f64.cos()), q[0] * S::cst(0.5f64.sin()));
        let w = rot(-theta, q);
        s += (u - S::one()) * (u - S::one()) + v * v + w[0] * w[1];
    }
    s
}

#[test]
fn helpers_returning_arrays() {
    let x = [0.3, 1.0, 0.5, -0.3, 0.8];
    let o = Fns {
        f: &|p: &[f64]| returned_arrays(p[0], <&[f64; 4]>::try_from(&p[1..]).unwrap()),
        jvp: &|p: &[f64], v: &[f64]| {
            let (a, b) = (
                <&[f64; 4]>::try_from(&p[1..]).unwrap(),
                <&[f64; 4]>::try_from(&v[1..]).unwrap(),
            );
            returned_arrays::jvp(p[0], a, v[0], b)
        },
        vjp: &|p: &[f64], c: f64, bar: &mut [f64]| {
            let a = <&[f64; 4]>::try_from(&p[1..]).unwrap();
            let (b0, rest) = bar.split_at_mut(1);
            let (value, bt) =
                returned_arrays::vjp(p[0], a, c, <&mut [f64; 4]>::try_from(rest).unwrap());
            b0[0] += bt;
            value
        },
        grad: &|p: &[f64]| {
            let (value, (gt, gp)) =
                returned_arrays::grad(p[0], <&[f64; 4]>::try_from(&p[1..]).unwrap());
            (value, [vec![gt], gp.to_vec()].concat())
        },
    };
    let g = check("returned_arrays", &o, &x);
    let (_, want) = dual_grad(&|d| returned_arrays_g(d), &x);
    assert_grad_eq("returned_arrays", &g, &want, 1e-13);
}
