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
pub fn pose_loss(p: &Pose, pts: &[[f64; 2]], targets: &[[f64; 2]]) -> f64 {
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
    let p = Pose {
        angle: 0.2,
        t: [0.1, -0.3],
        id: 0,
    };
    // (The struct is `objective`'s first argument: its passive fields, and the type's.)
    let o = pose_loss::objective(&p, &pts, &targets);
    assert_eq!(autodiff::Objective::dim(&o), 3);
    let x = [0.2, 0.1, -0.3];
    let mut g = [0.0; 3];
    let v = autodiff::Objective::value_grad(&o, &x, &mut g);
    let (v2, g2) = pose_loss_flat::grad(&x, &pts, &targets);
    assert_eq!((v, g), (v2, g2));
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

#[differentiable]
impl Mlp {
    /// The loss as a method: `self` is active (its gradient an `Mlp`), the data passive.
    pub fn loss(&self, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
        let mut loss = 0.0;
        for k in 0..xs.len() {
            loss += (self.predict(&xs[k]) - ys[k]).powi(2);
        }
        loss / xs.len() as f64
    }

    /// A method called by another.
    pub fn predict(&self, x: &[f64; 3]) -> f64 {
        let mut out = self.b2;
        for h in 0..self.w1.len() {
            let z = dot(&self.w1[h], x) + self.b1[h];
            out += self.w2[h] * z.tanh();
        }
        out
    }

    /// `self` passive: differentiated with respect to the input only.
    #[differentiable(wrt(x))]
    pub fn sensitivity(&self, x: &[f64; 3]) -> f64 {
        self.predict_passive(x)
    }

    #[differentiable(wrt(x))]
    pub fn predict_passive(&self, x: &[f64; 3]) -> f64 {
        let mut out = self.b2;
        for h in 0..4 {
            out += self.w2[h] * (dot(&self.w1[h], x) + self.b1[h]).tanh();
        }
        out
    }
}

/// The same network written as a free function with indexed loops.
#[differentiable(wrt(m))]
fn mlp_indexed(m: &Mlp, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for k in 0..xs.len() {
        let mut out = m.b2;
        for h in 0..4 {
            let mut z = 0.0;
            for j in 0..3 {
                z += m.w1[h][j] * xs[k][j];
            }
            out += m.w2[h] * (z + m.b1[h]).tanh();
        }
        loss += (out - ys[k]).powi(2);
    }
    loss / xs.len() as f64
}

#[test]
fn methods_differentiate_self() {
    let m = sample_mlp();
    let (xs, ys) = data();
    let (v, g) = m.loss_grad(&xs, &ys);
    let (v2, g2) = Mlp::loss_grad(&m, &xs, &ys);
    assert_eq!(v, m.loss(&xs, &ys));
    assert_eq!((v, g.w1), (v2, g2.w1));
    let (v3, g3) = mlp_indexed::grad(&m, &xs, &ys);
    assert_eq!(v3, mlp_indexed(&m, &xs, &ys));
    assert_close(v, v3, 1e-14, 1.0, "value");
    let (mut a, mut b) = (vec![0.0; Mlp::DIM], vec![0.0; Mlp::DIM]);
    g.flatten_into(&mut a);
    g3.flatten_into(&mut b);
    assert_grad_eq("method vs indexed", &a, &b, 1e-13);
    // `wrt(x)`: the gradient with respect to the input.
    let x = [0.3, -0.2, 0.9];
    let (_, gx) = m.sensitivity_grad(&x);
    let h = 1e-6;
    for j in 0..3 {
        let (mut p, mut q) = (x, x);
        p[j] += h;
        q[j] -= h;
        let fd = (m.sensitivity(&p) - m.sensitivity(&q)) / (2.0 * h);
        assert_close(gx[j], fd, 1e-8, 1.0, "d/dx");
    }
}

/// Iterators over a struct's array fields.
#[derive(Clone, Differentiable)]
pub struct Lin {
    pub w: [f64; 3],
    pub b: f64,
}

#[differentiable]
impl Lin {
    pub fn apply(&self, x: &[f64; 3]) -> f64 {
        self.w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + self.b
    }
    pub fn l2(&self) -> f64 {
        let mut s = 0.0;
        for v in &self.w {
            s += v * v;
        }
        s + self.w.windows(2).map(|p| p[0] * p[1]).sum::<f64>()
    }
}

#[test]
fn field_iters() {
    let l = Lin {
        w: [1.0, 2.0, 3.0],
        b: 0.5,
    };
    let (v, g) = l.apply_grad(&[0.5, -1.0, 2.0]);
    assert_eq!(v, l.apply(&[0.5, -1.0, 2.0]));
    assert_eq!((g.w, g.b), ([0.5, -1.0, 2.0], 1.0));
    let (v, g) = l.l2_grad();
    assert_eq!(v, 14.0 + 2.0 + 6.0);
    assert_eq!(g.w, [2.0 + 2.0, 4.0 + 1.0 + 3.0, 6.0 + 2.0]);
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Inner {
    pub a: f64,
    pub v: [f64; 2],
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Outer {
    pub inner: Inner,
    pub b: f64,
    #[passive]
    pub name: &'static str,
}

/// Nested structs flatten in place (their fields are not read through the outer struct in
/// `#[differentiable]` functions yet).
#[test]
fn nested_structs_flatten_in_place() {
    let o = Outer {
        inner: Inner {
            a: 2.0,
            v: [3.0, -1.0],
        },
        b: 0.5,
        name: "o",
    };
    assert_eq!(Outer::DIM, 4);
    let mut flat = [0.0; 4];
    o.flatten_into(&mut flat);
    assert_eq!(flat, [2.0, 3.0, -1.0, 0.5]);
    let mut p = o.with_flat(&[1.0, 1.0, 1.0, 1.0]);
    assert_eq!(p.name, "o");
    p.add_flat(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(
        p,
        Outer {
            inner: Inner {
                a: 2.0,
                v: [3.0, 4.0],
            },
            b: 5.0,
            name: "o",
        }
    );
}

/// Entry points for the allocation test (`no_alloc.rs`): the private function's derivatives.
pub fn pose_loss_grad_for_tests(p: &Pose, pts: &[[f64; 2]], t: &[[f64; 2]]) -> (f64, Pose) {
    pose_loss::grad(p, pts, t)
}

pub fn pose_loss_vjp_for_tests(p: &Pose, pts: &[[f64; 2]], t: &[[f64; 2]], bar: &mut Pose) -> f64 {
    pose_loss::vjp(p, pts, t, 1.0, bar)
}

pub fn pose_loss_hvp_for_tests(
    p: &Pose,
    pts: &[[f64; 2]],
    t: &[[f64; 2]],
    dir: &Pose,
) -> (f64, Pose) {
    let (v, _, hv) = pose_loss::hvp(p, pts, t, dir);
    (v, hv)
}

// ---- The 8-32-1 network of the benchmarks, written idiomatically: a parameter struct, methods
// and iterator chains. Its gradient is bitwise the indexed-loop version's.

const NI: usize = 8;
const NH: usize = 32;

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub w1: [[f64; NI]; NH],
    pub b1: [f64; NH],
    pub w2: [f64; NH],
    pub b2: f64,
}

#[differentiable]
impl Net {
    /// Mean squared error over the samples.
    pub fn loss(&self, xs: &[[f64; NI]], ys: &[f64]) -> f64 {
        let mut loss = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let r = self.predict(x) - y;
            loss += r * r;
        }
        loss / ys.len() as f64
    }

    pub fn predict(&self, x: &[f64; NI]) -> f64 {
        let mut out = self.b2;
        for h in 0..self.w1.len() {
            let z = self.w1[h]
                .iter()
                .zip(x)
                .fold(self.b1[h], |z, (w, xi)| z + w * xi);
            out += self.w2[h] * z.tanh();
        }
        out
    }
}

/// All 321 weights in one slice, indexed loops (the layout of `tests/programs.rs`).
#[differentiable(wrt(w))]
fn net_indexed(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            out += w[NH * NI + NH + j] * z.tanh();
        }
        let r = out - ys[s];
        loss += r * r;
    }
    loss / m as f64
}

pub fn sample_net(seed: u64) -> (Net, Vec<[f64; NI]>, Vec<f64>) {
    let mut rng = Rng::named(&format!("net{seed}"));
    let net = Net {
        w1: core::array::from_fn(|_| core::array::from_fn(|_| rng.range(-0.5, 0.5))),
        b1: core::array::from_fn(|_| rng.range(-0.1, 0.1)),
        w2: core::array::from_fn(|_| rng.range(-0.5, 0.5)),
        b2: 0.05,
    };
    let xs: Vec<[f64; NI]> = (0..64)
        .map(|_| core::array::from_fn(|_| rng.range(-1.0, 1.0)))
        .collect();
    let ys = xs
        .iter()
        .map(|x| (x[0] * x[1]).sin() + 0.5 * x[2])
        .collect();
    (net, xs, ys)
}

#[test]
fn idiomatic_network_is_bitwise_the_indexed_one() {
    let (net, xs, ys) = sample_net(1);
    let (v, g) = net.loss_grad(&xs, &ys);
    assert_eq!(v, net.loss(&xs, &ys));
    let mut w = vec![0.0; Net::DIM];
    net.flatten_into(&mut w);
    let (v2, g2) = net_indexed::grad(&w, xs.as_flattened(), &ys);
    assert_eq!(v.to_bits(), v2.to_bits());
    let mut gf = vec![0.0; Net::DIM];
    g.flatten_into(&mut gf);
    assert!(
        gf.iter().zip(&g2).all(|(a, b)| a.to_bits() == b.to_bits()),
        "gradients differ"
    );
    // And the Hessian-vector product, against the indexed one.
    let dir = net.with_flat(
        &(0..Net::DIM)
            .map(|k| (k as f64 * 0.3).sin())
            .collect::<Vec<_>>(),
    );
    let (_, _, hv) = net.loss_hvp(&xs, &ys, &dir);
    let mut d = vec![0.0; Net::DIM];
    dir.flatten_into(&mut d);
    let (_, _, hv2) = net_indexed::hvp(&w, xs.as_flattened(), &ys, &d);
    let mut hf = vec![0.0; Net::DIM];
    hv.flatten_into(&mut hf);
    assert!(
        hf.iter().zip(&hv2).all(|(a, b)| a.to_bits() == b.to_bits()),
        "hvps differ"
    );
}

// The README's struct example, compiled and run.
#[derive(Clone, Differentiable)]
struct Line {
    slope: f64,
    offset: f64,
    #[passive]
    name: &'static str,
}

#[differentiable]
impl Line {
    fn loss(&self, xs: &[f64], ys: &[f64]) -> f64 {
        xs.iter()
            .zip(ys)
            .map(|(x, y)| (self.slope * x + self.offset - y).powi(2))
            .sum()
    }
}

#[test]
fn readme_struct_example() -> Result<(), autodiff::optim::OptimError> {
    use autodiff::optim::{minimize, AdamConfig, StopRules};
    let (xs, ys) = ([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]);
    let line = Line {
        slope: 0.0,
        offset: 0.0,
        name: "fit",
    };
    let (loss, grad) = line.loss_grad(&xs, &ys);
    assert_eq!((loss, grad.slope, grad.offset), (35.0, -26.0, -18.0));
    let mut params = autodiff::Flat::new(line.clone());
    minimize(&Line::loss_objective(&line, &xs, &ys), &mut params)
        .with(AdamConfig::default().lr(0.1))
        .stop(StopRules::max_iterations(2000))
        .run()?;
    let fitted = params.into_inner();
    // The same by hand, on an array (what `no_std` code does).
    let mut w = [0.0; Line::DIM];
    line.flatten_into(&mut w);
    minimize(&Line::loss_objective(&line, &xs, &ys), &mut w)
        .with(AdamConfig::default().lr(0.1))
        .stop(StopRules::max_iterations(2000))
        .run()?;
    assert_eq!(w, [fitted.slope, fitted.offset]);
    assert!((fitted.slope - 2.0).abs() < 1e-6 && (fitted.offset - 1.0).abs() < 1e-6);
    assert_eq!(fitted.name, "fit");
    Ok(())
}

/// A tuple struct and a const-generic struct, used at a concrete size.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Pair(pub f64, pub [f64; 2]);

#[derive(Clone, Debug, Differentiable)]
pub struct Poly<const K: usize> {
    pub c: [f64; K],
}

#[differentiable(wrt(p))]
fn pair_energy(p: &Pair, k: f64) -> f64 {
    p.0 * p.1[0] + k * p.1[1].powi(2)
}

#[differentiable(wrt(q))]
fn horner3(q: &Poly<3>, x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..q.c.len() {
        s = s * x + q.c[i];
    }
    s
}

#[test]
fn tuple_and_const_generic_structs() {
    let p = Pair(2.0, [3.0, -1.0]);
    let (v, g) = pair_energy::grad(&p, 0.5);
    assert_eq!(v, 6.0 + 0.5);
    assert_eq!(g, Pair(3.0, [2.0, -1.0]));
    let q = Poly {
        c: [1.0, -2.0, 3.0],
    };
    let (v, g) = horner3::grad(&q, 2.0);
    assert_eq!(v, 1.0 * 4.0 - 2.0 * 2.0 + 3.0);
    assert_eq!(g.c, [4.0, 2.0, 1.0]);
    assert_eq!(Poly::<3>::DIM, 3);
}

/// Names of the flattened values, for labelling errors and Hessians; HESSE on a struct's loss.
#[test]
fn flattened_values_have_field_names() {
    assert_eq!(Pose::names(), ["angle", "t[0]", "t[1]"]);
    assert_eq!(Outer::names(), ["inner.a", "inner.v[0]", "inner.v[1]", "b"]);
    assert_eq!(Pair::names(), ["0", "1[0]", "1[1]"]);
    let names = Mlp::names();
    assert_eq!(names.len(), Mlp::DIM);
    assert_eq!((names[5].as_str(), names[20].as_str()), ("w1[1][2]", "b2"));
    // Minuit-style errors of a fitted pose, labelled by field.
    let pts = vec![[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0], [2.0, 1.0]];
    let targets: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| {
            let (s, c) = 0.3f64.sin_cos();
            [c * p[0] - s * p[1] + 0.5, s * p[0] + c * p[1] - 0.2]
        })
        .collect();
    let pose = Pose {
        angle: 0.3,
        t: [0.5, -0.2],
        id: 1,
    };
    let o = pose_loss::objective(&pose, &pts, &targets);
    let u = autodiff::optim::hesse_objective(&o, &[0.3, 0.5, -0.2], 1.0).expect("a minimum");
    let table: Vec<String> = Pose::names()
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{n} +- {:.4}", u.errors[i]))
        .collect();
    assert_eq!(table.len(), 3);
    assert!(table[1].starts_with("t[0] +- "));
}

/// Fields of nested structs read through the outer one (`o.inner.v[1]`), and a nested struct
/// passed whole to a helper.
#[differentiable(wrt(o))]
fn outer_energy(o: &Outer) -> f64 {
    o.inner.a * o.inner.v[0] + o.inner.v[1].powi(2) * o.b + inner_sum(&o.inner.v)
}

#[differentiable]
fn inner_sum(v: &[f64; 2]) -> f64 {
    v[0] + 2.0 * v[1]
}

#[test]
fn nested_fields_read_through_the_outer_struct() {
    let o = Outer {
        inner: Inner {
            a: 2.0,
            v: [3.0, -1.0],
        },
        b: 0.5,
        name: "o",
    };
    let (v, g) = outer_energy::grad(&o);
    assert_eq!(v, 6.0 + 0.5 + (3.0 - 2.0));
    assert_eq!(
        g,
        Outer {
            inner: Inner {
                a: 3.0,
                v: [2.0 + 1.0, -2.0 * 0.5 + 2.0],
            },
            b: 1.0,
            name: "o",
        }
    );
}

/// A struct method written the way one first writes it: element loops over fields with `zip`,
/// a reversed chain, a field passed to a slice helper, a `vec!` scratch buffer.
#[derive(Clone, Debug, Differentiable)]
pub struct Poly2 {
    pub c: [f64; 3],
    pub w: [f64; 3],
}

#[differentiable]
impl Poly2 {
    pub fn score(&self, xs: &[f64]) -> f64 {
        let mut scratch = vec![0.0; xs.len()];
        for (k, x) in xs.iter().enumerate() {
            // Horner from the highest coefficient.
            scratch[k] = self.c.iter().rev().fold(0.0, |acc, c| acc * x + c);
        }
        let mut s = dot(&scratch, &scratch);
        for (w, c) in self.w.iter().zip(&self.c) {
            s += w * c;
        }
        s + dot(&self.w, &self.c)
    }
}

#[test]
fn struct_method_written_as_first_written() {
    let p = Poly2 {
        c: [0.5, -1.0, 2.0],
        w: [1.5, 0.25, -0.75],
    };
    let xs = [0.3, -1.2, 2.0];
    let (v, g) = p.score_grad(&xs);
    assert_eq!(v, p.score(&xs));
    let mut flat = [0.0; Poly2::DIM];
    p.flatten_into(&mut flat);
    let mut gflat = [0.0; Poly2::DIM];
    g.flatten_into(&mut gflat);
    let f = |q: &[f64]| p.with_flat(q).score(&xs);
    let fns = Fns {
        f: &f,
        jvp: &|q: &[f64], d: &[f64]| p.with_flat(q).score_jvp(&xs, &p.with_flat(d)),
        vjp: &|q: &[f64], c: f64, b: &mut [f64]| {
            let mut bar = p.with_flat(b);
            let v = p.with_flat(q).score_vjp(&xs, c, &mut bar);
            bar.flatten_into(b);
            v
        },
        grad: &|q: &[f64]| {
            let (v, g) = p.with_flat(q).score_grad(&xs);
            let mut out = vec![0.0; Poly2::DIM];
            g.flatten_into(&mut out);
            (v, out)
        },
    };
    assert_eq!(check("Poly2::score", &fns, &flat), gflat);
}
