//! Structs built inside differentiable functions with struct literals: a pose made from a
//! parameter vector and used through its method, nested literals, every shape of field value
//! (array and matrix literals, repeats, named arrays and rows, fields and parts of other
//! structs, `..base`), writes to a built struct's fields, structs rebuilt in a loop and passed to
//! helpers, and a literal inside a method. Each against a twin written on the flat values by
//! hand (same operations: the value bitwise), finite differences, the dot-product identity and
//! HVPs against finite differences of the gradient.

use crate::*;
use autodiff::{differentiable, Differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
}

#[differentiable]
impl Pose {
    /// The squared distance from the pose applied to `q` to `target`.
    pub fn residual(&self, q: &[f64; 2], target: &[f64; 2]) -> f64 {
        let (s, c) = self.angle.sin_cos();
        let u = c * q[0] - s * q[1] + self.t[0] - target[0];
        let v = s * q[0] + c * q[1] + self.t[1] - target[1];
        u * u + v * v
    }
}

/// A pose made from a plain parameter vector, as one writes it before knowing the struct API.
#[differentiable(wrt(x))]
fn pose_fit(x: &[f64], pts: &[[f64; 2]], targets: &[[f64; 2]]) -> f64 {
    let p = Pose {
        angle: x[0],
        t: [x[1], x[2] * 0.5],
    };
    let mut s = 0.0;
    for k in 0..pts.len() {
        s += p.residual(&pts[k], &targets[k]);
    }
    s + 0.1 * p.t[1] * p.angle
}

fn pose_fit_twin(x: &[f64], pts: &[[f64; 2]], targets: &[[f64; 2]]) -> f64 {
    let (angle, t) = (x[0], [x[1], x[2] * 0.5]);
    let mut s = 0.0;
    for k in 0..pts.len() {
        let (q, target) = (&pts[k], &targets[k]);
        let (sn, c) = angle.sin_cos();
        let u = c * q[0] - sn * q[1] + t[0] - target[0];
        let v = sn * q[0] + c * q[1] + t[1] - target[1];
        s += u * u + v * v;
    }
    s + 0.1 * t[1] * angle
}

fn pose_data() -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    let pts = vec![[1.0, 0.5], [-0.3, 2.0], [0.7, -1.1]];
    let targets = vec![[0.2, 1.4], [-1.9, 0.6], [1.5, 0.3]];
    (pts, targets)
}

#[test]
fn pose_built_from_a_parameter_vector() {
    let (pts, targets) = pose_data();
    let x = [0.3, -0.2, 0.9];
    let (v, g) = pose_fit::grad(&x, &pts, &targets);
    assert_eq!(v, pose_fit(&x, &pts, &targets));
    assert_eq!(v, pose_fit_twin(&x, &pts, &targets));
    let fns = Fns {
        f: &|q| pose_fit(q, &pts, &targets),
        jvp: &|q, d| pose_fit::jvp(q, &pts, &targets, d),
        vjp: &|q, seed, bar| pose_fit::vjp(q, &pts, &targets, seed, bar),
        grad: &|q| pose_fit::grad(q, &pts, &targets),
    };
    let gc = check("pose literal", &fns, &x);
    assert_eq!(gc, g);
    let dir = [0.4, -1.0, 0.25];
    let (_, _, hv) = pose_fit::hvp(&x, &pts, &targets, &dir);
    check_hvp(
        "pose literal",
        &|q| pose_fit::grad(q, &pts, &targets).1,
        &x,
        &dir,
        &hv,
    );
}

#[differentiable]
fn offset(x: &[f64; 3]) -> [f64; 2] {
    [x[1] * x[2], x[2] - x[1]]
}

#[differentiable]
fn heading(x: &[f64; 3]) -> f64 {
    (x[0] * x[1]).atan()
}

/// Field values from helpers, bound with their types first (as the message for a call in a
/// literal asks).
#[differentiable]
fn pose_from_helpers(x: &[f64; 3], q: &[f64; 2], target: &[f64; 2]) -> f64 {
    let t: [f64; 2] = offset(x);
    let a: f64 = heading(x);
    let p = Pose { angle: a, t };
    p.residual(q, target) + p.angle.sin()
}

#[test]
fn field_values_from_helpers() {
    let x = [0.4, 1.2, -0.6];
    let (q, target) = ([1.0, 0.5], [0.3, -0.2]);
    let (v, g) = pose_from_helpers::grad(&x, &q, &target);
    assert_eq!(v, pose_from_helpers(&x, &q, &target));
    let p = Pose {
        angle: heading(&x),
        t: offset(&x),
    };
    assert_eq!(v, p.residual(&q, &target) + p.angle.sin());
    for i in 0..3 {
        let mut e = [0.0; 3];
        e[i] = 1.0;
        let f = |y: &[f64]| pose_from_helpers(y.try_into().unwrap(), &q, &target);
        assert_close(g.0[i], central(&f, &x, &e), 1e-8, 1.0, "helpers");
    }
}

/// The generated objective of the function that builds the pose, fitted with L-BFGS: the
/// gradient vanishes at the fit and matches the twin's finite differences there.
#[test]
fn pose_literal_fitted_with_lbfgs() {
    use autodiff::optim::{minimize, GradNorm, LbfgsConfig, Status, StopRules};
    let (pts, targets) = pose_data();
    let objective = pose_fit::objective(3, &pts, &targets);
    let mut x = vec![0.0, 0.0, 0.0];
    let report = minimize(&objective, &mut x)
        .with(LbfgsConfig::default())
        .stop(StopRules::max_iterations(200).grad_norm(GradNorm::L2, 1e-8))
        .run()
        .expect("runs");
    assert!(matches!(report.status, Status::Converged(_)), "{report:?}");
    let (_, g) = pose_fit::grad(&x, &pts, &targets);
    assert!(max_abs(&g) <= 1e-8, "{g:?}");
    let fd: Vec<f64> = (0..3)
        .map(|i| {
            let mut e = [0.0; 3];
            e[i] = 1.0;
            central(&|q| pose_fit_twin(q, &pts, &targets), &x, &e)
        })
        .collect();
    assert!(max_abs(&fd) <= 1e-6, "{fd:?}");
}

#[derive(Clone, Debug, Differentiable)]
pub struct Block {
    pub w: [[f64; 2]; 2],
    pub b: [f64; 2],
    pub s: f64,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub l: Block,
    pub scale: f64,
}

#[differentiable(wrt(b))]
fn block_norm(b: &Block) -> f64 {
    b.w[0][0] * b.w[1][1] - b.w[0][1] * b.w[1][0] + b.b[0] * b.b[1] * b.s
}

fn block_norm_twin(w: [[f64; 2]; 2], b: [f64; 2], s: f64) -> f64 {
    w[0][0] * w[1][1] - w[0][1] * w[1][0] + b[0] * b[1] * s
}

#[differentiable]
impl Net {
    pub fn eval(&self, x: &[f64; 2]) -> f64 {
        let z0 = self.l.w[0][0] * x[0] + self.l.w[0][1] * x[1] + self.l.b[0];
        let z1 = self.l.w[1][0] * x[0] + self.l.w[1][1] * x[1] + self.l.b[1];
        self.scale * (z0.tanh() + self.l.s * z1.tanh())
    }

    /// A wider copy of itself built inside a method (`..base` from a field of `self`).
    pub fn widened(&self, x: &[f64; 2]) -> f64 {
        let wide = Net {
            l: Block {
                s: self.l.s * 2.0,
                ..self.l
            },
            scale: self.scale,
        };
        wide.eval(x) + block_norm(&wide.l)
    }
}

/// Nested literals with every shape of field value, a method and a helper on the parts.
#[differentiable(wrt(x))]
fn net_of(x: &[f64; 7], input: &[f64; 2]) -> f64 {
    let b = [x[4], x[5]];
    let net = Net {
        l: Block {
            w: [[x[0], x[1]], [x[2], x[3]]],
            b,
            s: x[6] * 2.0,
        },
        scale: 0.5,
    };
    net.eval(input) + block_norm(&net.l) * net.l.s
}

fn net_twin(x: &[f64; 7], input: &[f64; 2]) -> f64 {
    let (w, b, s, scale) = ([[x[0], x[1]], [x[2], x[3]]], [x[4], x[5]], x[6] * 2.0, 0.5);
    let z0 = w[0][0] * input[0] + w[0][1] * input[1] + b[0];
    let z1 = w[1][0] * input[0] + w[1][1] * input[1] + b[1];
    scale * (z0.tanh() + s * z1.tanh()) + block_norm_twin(w, b, s) * s
}

#[test]
fn nested_literals_methods_and_helpers() {
    let x = [0.3, -0.7, 1.1, 0.4, -0.2, 0.8, 0.6];
    let input = [0.9, -0.4];
    let (v, g) = net_of::grad(&x, &input);
    assert_eq!(v, net_of(&x, &input));
    assert_eq!(v, net_twin(&x, &input));
    let arr = |q: &[f64]| -> [f64; 7] { q.try_into().unwrap() };
    let fns = Fns {
        f: &|q| net_of(&arr(q), &input),
        jvp: &|q, d| net_of::jvp(&arr(q), &input, &arr(d)),
        vjp: &|q, seed, bar| {
            let mut b = arr(bar);
            let v = net_of::vjp(&arr(q), &input, seed, &mut b);
            bar.copy_from_slice(&b);
            v
        },
        grad: &|q| {
            let (v, g) = net_of::grad(&arr(q), &input);
            (v, g.to_vec())
        },
    };
    assert_eq!(check("nested literals", &fns, &x), g.to_vec());
    let dir = [0.5, -0.25, 1.0, 0.75, -1.5, 0.2, 0.3];
    let (_, _, hv) = net_of::hvp(&x, &input, &dir);
    check_hvp("nested literals", &|q| (fns.grad)(q).1, &x, &dir, &hv);
}

#[test]
fn literal_inside_a_method() {
    let m = Net {
        l: Block {
            w: [[0.3, -0.6], [0.8, 0.2]],
            b: [0.1, -0.3],
            s: 0.7,
        },
        scale: 1.3,
    };
    let x = [0.5, -1.5];
    let (v, g) = m.widened_grad(&x);
    assert_eq!(v, m.widened(&x));
    let mut twin = m.clone();
    twin.l.s *= 2.0;
    assert_eq!(v, twin.eval(&x) + block_norm(&twin.l));
    let mut p = vec![0.0; Net::DIM];
    m.flatten_into(&mut p);
    let flat = |q: &[f64]| m.with_flat(q);
    let fns = Fns {
        f: &|q| flat(q).widened(&x),
        jvp: &|q, d| flat(q).widened_jvp(&x, &flat(d)),
        vjp: &|q, seed, bar| {
            let mut b = flat(bar);
            let v = flat(q).widened_vjp(&x, seed, &mut b);
            b.flatten_into(bar);
            v
        },
        grad: &|q| {
            let (v, g) = flat(q).widened_grad(&x);
            let mut out = vec![0.0; Net::DIM];
            g.flatten_into(&mut out);
            (v, out)
        },
    };
    let gc = check("literal in a method", &fns, &p);
    let mut gf = vec![0.0; Net::DIM];
    g.flatten_into(&mut gf);
    assert_eq!(gc, gf);
}

/// Repeats, named rows and matrices, `..*m`, a struct rebuilt in a loop with its fields
/// written, and helpers on it.
#[differentiable(wrt(m))]
fn rebuilt(m: &Block, d: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..3 {
        let mut q = Block {
            s: m.s * (k as f64 + 1.0),
            ..*m
        };
        q.b[0] += d * q.s;
        q.w[1][0] = q.w[1][0] * 2.0 + m.b[1];
        q.s -= 0.25;
        s += block_norm(&q) + q.b[1] * q.s;
    }
    let r = [m.s; 2];
    let mm = [[m.b[0]; 2]; 2];
    let row = [m.b[1], m.s];
    let z = Block {
        w: [row; 2],
        b: r,
        s: 1.0,
    };
    let z2 = Block {
        w: mm,
        b: [m.s * 3.0; 2],
        s: m.w[0][1],
    };
    let z3 = Block {
        w: m.w,
        b: m.w[1],
        s: z2.b[1],
    };
    // Rows and elements of fields as items of array literals and repeats.
    let z4 = Block {
        w: [m.w[1], m.w[0]],
        b: [m.b[1], m.w[0][0]],
        s: m.b[0],
    };
    let z5 = Block {
        w: [m.w[1]; 2],
        b: [m.b[0]; 2],
        s: m.s,
    };
    // A clone of a struct as a nested field's value.
    let z6 = Net {
        l: m.clone(),
        scale: m.s,
    };
    s + block_norm(&z) * z2.w[1][1] + z2.b[0] + z2.s + block_norm(&z3) + block_norm(&z4)
        - block_norm(&z5) * z4.w[0][1]
        + z6.l.w[0][1] * z6.scale
}

fn rebuilt_twin(m: &Block, d: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..3 {
        let (mut w, mut b, mut qs) = (m.w, m.b, m.s * (k as f64 + 1.0));
        b[0] += d * qs;
        w[1][0] = w[1][0] * 2.0 + m.b[1];
        qs -= 0.25;
        s += block_norm_twin(w, b, qs) + b[1] * qs;
    }
    let row = [m.b[1], m.s];
    let z2w = [[m.b[0]; 2]; 2];
    let z2b = [m.s * 3.0; 2];
    s + block_norm_twin([row; 2], [m.s; 2], 1.0) * z2w[1][1]
        + z2b[0]
        + m.w[0][1]
        + block_norm_twin(m.w, m.w[1], z2b[1])
        + block_norm_twin([m.w[1], m.w[0]], [m.b[1], m.w[0][0]], m.b[0])
        - block_norm_twin([m.w[1]; 2], [m.b[0]; 2], m.s) * m.w[1][1]
        + m.w[0][1] * m.s
}

#[test]
fn every_shape_of_field_value() {
    let m = Block {
        w: [[0.6, -0.2], [0.4, 1.3]],
        b: [0.8, -0.5],
        s: 0.35,
    };
    let d = 0.7;
    let (v, _) = rebuilt::grad(&m, d);
    assert_eq!(v, rebuilt(&m, d));
    assert_close(v, rebuilt_twin(&m, d), 1e-15, 1.0, "twin");
    let mut p = vec![0.0; Block::DIM];
    m.flatten_into(&mut p);
    let flat = |q: &[f64]| m.with_flat(q);
    let fns = Fns {
        f: &|q| rebuilt(&flat(q), d),
        jvp: &|q, dq| rebuilt::jvp(&flat(q), d, &flat(dq)),
        vjp: &|q, seed, bar| {
            let mut b = flat(bar);
            let v = rebuilt::vjp(&flat(q), d, seed, &mut b);
            b.flatten_into(bar);
            v
        },
        grad: &|q| {
            let (v, g) = rebuilt::grad(&flat(q), d);
            let mut out = vec![0.0; Block::DIM];
            g.flatten_into(&mut out);
            (v, out)
        },
    };
    check("every shape of field value", &fns, &p);
    let dir: Vec<f64> = (0..Block::DIM).map(|k| (k as f64 * 1.3).sin()).collect();
    let (_, _, hv) = rebuilt::hvp(&m, d, &flat(&dir));
    let mut h = vec![0.0; Block::DIM];
    hv.flatten_into(&mut h);
    check_hvp(
        "every shape of field value",
        &|q| (fns.grad)(q).1,
        &p,
        &dir,
        &h,
    );
}

/// A struct that is not differentiated, built from passive values: left as written.
#[derive(Clone, Copy)]
pub struct Opts {
    pub reps: usize,
    pub damping: f64,
}

#[differentiable(wrt(x))]
fn with_options(x: &[f64], n: usize) -> f64 {
    let o = Opts {
        reps: n + 1,
        damping: 0.5,
    };
    let mut s = 0.0;
    for _ in 0..o.reps {
        for i in 0..x.len() {
            s += o.damping * x[i] * x[i];
        }
    }
    s
}

#[test]
fn passive_struct_literals_are_left_alone() {
    let x = [1.0, -2.0, 0.5];
    let (v, g) = with_options::grad(&x, 2);
    assert_eq!(v, with_options(&x, 2));
    assert_eq!(g, vec![3.0, -6.0, 1.5]);
}

/// A struct rebuilt under its own name from its old value (`let p = Pose { .., ..p };`).
#[differentiable]
fn shadowed(x: &[f64; 3]) -> f64 {
    let p = Pose {
        angle: x[0],
        t: [x[1], x[2]],
    };
    let p = Pose {
        angle: p.angle * 2.0 + p.t[1],
        ..p
    };
    let p = Pose {
        t: [p.t[1], p.angle],
        angle: p.t[0],
    };
    p.angle * p.t[0] + p.t[1].sin()
}

#[test]
fn struct_rebuilt_under_its_own_name() {
    let x: [f64; 3] = [0.3, -0.7, 1.1];
    let (a1, t1) = (x[0] * 2.0 + x[2], [x[1], x[2]]);
    let (a2, t2) = (t1[0], [t1[1], a1]);
    let want = a2 * t2[0] + t2[1].sin();
    let (v, g) = shadowed::grad(&x);
    assert_eq!(v, shadowed(&x));
    assert_eq!(v, want);
    // d/dx: a2 = x1, t2 = [x2, 2 x0 + x2]: v = x1 x2 + sin(2 x0 + x2).
    let c = (2.0 * x[0] + x[2]).cos();
    assert_close(g[0], 2.0 * c, 1e-15, 1.0, "d/dx0");
    assert_close(g[1], x[2], 1e-15, 1.0, "d/dx1");
    assert_close(g[2], x[1] + c, 1e-15, 1.0, "d/dx2");
}

#[derive(Clone, Debug, Differentiable)]
pub struct Line3 {
    pub w: [f64; 3],
    pub b: f64,
}

#[differentiable]
impl Line3 {
    pub fn predict(&self, x: &[f64; 3]) -> f64 {
        self.w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + self.b
    }
}

#[differentiable]
fn mean_square(r: &[f64]) -> f64 {
    r.iter().map(|v| v * v).sum::<f64>() / r.len() as f64
}

/// As one writes it first: a model struct made from a parameter slice, residuals collected with
/// an iterator chain calling its method, a helper over the slice of residuals.
#[differentiable(wrt(theta))]
fn fit_line(theta: &[f64], xs: &[[f64; 3]], ys: &[f64]) -> f64 {
    let line = Line3 {
        w: [theta[0], theta[1], theta[2]],
        b: theta[3],
    };
    let r: Vec<f64> = xs
        .iter()
        .zip(ys)
        .map(|(x, y)| line.predict(x) - y)
        .collect();
    mean_square(&r)
}

#[test]
fn struct_from_slice_with_iterators_and_collect() {
    let theta = vec![0.5, -1.0, 0.25, 0.1];
    let xs = vec![[1.0, 2.0, 0.5], [-0.3, 0.7, 1.1], [0.9, -1.4, 0.2]];
    let ys = vec![0.3, -0.8, 1.5];
    let (v, g) = fit_line::grad(&theta, &xs, &ys);
    assert_eq!(v, fit_line(&theta, &xs, &ys));
    let fns = Fns {
        f: &|q| fit_line(q, &xs, &ys),
        jvp: &|q, d| fit_line::jvp(q, &xs, &ys, d),
        vjp: &|q, seed, bar| fit_line::vjp(q, &xs, &ys, seed, bar),
        grad: &|q| fit_line::grad(q, &xs, &ys),
    };
    assert_eq!(check("line from a slice", &fns, &theta), g);
}
