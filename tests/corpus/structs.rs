//! Parameter structs (`#[derive(Differentiable)]`) as active parameters named in `wrt(..)`:
//! gradients with the struct's own type, field reads as written.

use crate::*;
use autodiff::{differentiable, Differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
    #[passive]
    pub id: u32,
}

/// Squared distance of rotated and translated points to their targets.
#[differentiable(wrt(p))]
fn pose_loss(p: &Pose, pts: &[[f64; 2]], targets: &[[f64; 2]]) -> f64 {
    let (s, c) = p.angle.sin_cos();
    let mut l = 0.0;
    for i in 0..pts.len() {
        let x = c * pts[i][0] - s * pts[i][1] + p.t[0];
        let y = s * pts[i][0] + c * pts[i][1] + p.t[1];
        l += (x - targets[i][0]).powi(2) + (y - targets[i][1]).powi(2);
    }
    l
}

/// The same loss over the flat parameters `[angle, tx, ty]`, independently written.
#[differentiable(wrt(q))]
fn pose_loss_flat(q: &[f64; 3], pts: &[[f64; 2]], targets: &[[f64; 2]]) -> f64 {
    let (s, c) = q[0].sin_cos();
    let mut l = 0.0;
    for i in 0..pts.len() {
        let x = c * pts[i][0] - s * pts[i][1] + q[1];
        let y = s * pts[i][0] + c * pts[i][1] + q[2];
        l += (x - targets[i][0]).powi(2) + (y - targets[i][1]).powi(2);
    }
    l
}

#[derive(Clone, Debug, Differentiable)]
pub struct Mlp {
    pub w1: [[f64; 3]; 4],
    pub b1: [f64; 4],
    pub w2: [f64; 4],
    pub b2: f64,
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// A 3-4-1 network: rows of `w1` to a helper, matrix reads, `len()` of fields.
#[differentiable(wrt(m))]
fn mlp_loss(m: &Mlp, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for k in 0..xs.len() {
        let mut out = m.b2;
        for h in 0..m.w1.len() {
            let z = dot(&m.w1[h], &xs[k]) + m.b1[h];
            out += m.w2[h] * z.tanh();
        }
        let mut second = 0.0;
        for j in 0..m.w1[0].len() {
            second += m.w1[1][j] * xs[k][j];
        }
        loss += (out - ys[k]).powi(2) + 1e-3 * second * second;
    }
    loss / xs.len() as f64
}

fn sample_mlp() -> Mlp {
    let v = |k: usize| ((k as f64) * 0.731).sin() * 0.8;
    Mlp {
        w1: core::array::from_fn(|i| core::array::from_fn(|j| v(3 * i + j))),
        b1: core::array::from_fn(|i| v(20 + i)),
        w2: core::array::from_fn(|i| v(30 + i)),
        b2: 0.1,
    }
}

fn data() -> (Vec<[f64; 3]>, Vec<f64>) {
    let xs: Vec<[f64; 3]> = (0..6)
        .map(|k| core::array::from_fn(|j| ((k * 3 + j) as f64 * 0.37).cos()))
        .collect();
    let ys = (0..6).map(|k| (k as f64 * 0.5).sin()).collect();
    (xs, ys)
}

#[test]
fn struct_gradients_have_the_struct_type() {
    let p = Pose {
        angle: 0.3,
        t: [0.5, -0.2],
        id: 9,
    };
    let pts = [[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0]];
    let targets = [[0.9, 0.7], [-0.4, 1.8], [-1.2, 0.3]];
    let (v, g) = pose_loss::grad(&p, &pts, &targets);
    let q = [p.angle, p.t[0], p.t[1]];
    let (v2, g2) = pose_loss_flat::grad(&q, &pts, &targets);
    assert_eq!(v, v2);
    assert_eq!(v, pose_loss(&p, &pts, &targets));
    assert_eq!(g.angle, g2[0]);
    assert_eq!(g.t, [g2[1], g2[2]]);
    assert_eq!(g.id, 9, "passive fields are copied");
    // vjp adds into a struct, jvp and hvp take a struct direction.
    let mut bar = Pose {
        angle: 1.0,
        t: [0.0, 2.0],
        id: 1,
    };
    let v3 = pose_loss::vjp(&p, &pts, &targets, 2.0, &mut bar);
    assert_eq!(v3, v);
    assert_eq!(bar.angle, 1.0 + 2.0 * g.angle);
    assert_eq!(bar.t, [2.0 * g.t[0], 2.0 + 2.0 * g.t[1]]);
    assert_eq!(bar.id, 1);
    let dir = Pose {
        angle: 0.5,
        t: [1.0, -1.0],
        id: 0,
    };
    let (_, dv) = pose_loss::jvp(&p, &pts, &targets, &dir);
    let (_, dv2) = pose_loss_flat::jvp(&q, &pts, &targets, &[0.5, 1.0, -1.0]);
    assert_eq!(dv, dv2);
    let (_, gh, hv) = pose_loss::hvp(&p, &pts, &targets, &dir);
    let (_, _, hv2) = pose_loss_flat::hvp(&q, &pts, &targets, &[0.5, 1.0, -1.0]);
    assert_eq!(gh, g);
    assert_eq!((hv.angle, hv.t), (hv2[0], [hv2[1], hv2[2]]));
}

#[test]
fn struct_objectives_are_flattened_in_field_order() {
    let pts = vec![[1.0, 0.0], [0.0, 2.0]];
    let targets = vec![[0.5, 0.5], [-1.0, 1.5]];
    let o = pose_loss::objective(&pts, &targets);
    assert_eq!(autodiff::Objective::dim(&o), 3);
    let x = [0.2, 0.1, -0.3];
    let mut g = [0.0; 3];
    let v = autodiff::Objective::value_grad(&o, &x, &mut g);
    let (v2, g2) = pose_loss_flat::grad(&x, &pts, &targets);
    assert_eq!((v, g), (v2, g2));
    let p = Pose {
        angle: 0.2,
        t: [0.1, -0.3],
        id: 0,
    };
    let (_, gs, h) = pose_loss::hessian(&p, &pts, &targets);
    let (_, _, h2) = pose_loss_flat::hessian(&x, &pts, &targets);
    assert_eq!(gs.t, [g2[1], g2[2]]);
    assert_eq!(h, h2);
}

#[test]
fn mlp_struct_matches_finite_differences() {
    let m = sample_mlp();
    let (xs, ys) = data();
    let (v, g) = mlp_loss::grad(&m, &xs, &ys);
    assert_eq!(v, mlp_loss(&m, &xs, &ys));
    let mut flat = vec![0.0; Mlp::DIM];
    m.flatten_into(&mut flat);
    let mut gflat = vec![0.0; Mlp::DIM];
    g.flatten_into(&mut gflat);
    let f = |x: &[f64]| mlp_loss(&m.with_flat(x), &xs, &ys);
    let fns = Fns {
        f: &f,
        jvp: &|x: &[f64], d: &[f64]| {
            let (mm, dm) = (m.with_flat(x), m.with_flat(d));
            mlp_loss::jvp(&mm, &xs, &ys, &dm)
        },
        vjp: &|x: &[f64], c: f64, b: &mut [f64]| {
            let mut bar = m.with_flat(b);
            let value = mlp_loss::vjp(&m.with_flat(x), &xs, &ys, c, &mut bar);
            bar.flatten_into(b);
            value
        },
        grad: &|x: &[f64]| {
            let (value, g) = mlp_loss::grad(&m.with_flat(x), &xs, &ys);
            let mut out = vec![0.0; Mlp::DIM];
            g.flatten_into(&mut out);
            (value, out)
        },
    };
    let checked = check("mlp_loss", &fns, &flat);
    assert_eq!(checked, gflat);
}
