//! Passive fields (`#[passive]`: sizes, flags, data, configuration) read in the functions that
//! differentiate their struct, as one writes them: `m.lambda * r`, `for j in 0..m.used`,
//! `self.xs.iter().zip(&self.ys)`, `self.1`. Each against the same program written over the flat
//! parameters with the passive values as arguments (bitwise: same operations), finite
//! differences, and the dot-product identity.

use crate::common::{assert_dot, assert_fd};
use autodiff::{differentiable, Differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Ridge {
    pub w: [f64; 3],
    pub b: f64,
    #[passive]
    pub lambda: f64,
    #[passive]
    pub used: usize,
}

/// Ridge regression on the first `m.used` features.
#[differentiable(wrt(m))]
fn ridge_loss(m: &Ridge, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
    let mut l = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let mut p = m.b;
        for j in 0..m.used {
            p += m.w[j] * x[j];
        }
        l += (p - y).powi(2);
    }
    let mut r = 0.0;
    for j in 0..m.used {
        r += m.w[j] * m.w[j];
    }
    l + m.lambda * r
}

/// The same over `q = [w0, w1, w2, b]`, the passive values as arguments.
#[differentiable(wrt(q))]
fn ridge_flat(q: &[f64; 4], lambda: f64, used: usize, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
    let mut l = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let mut p = q[3];
        for j in 0..used {
            p += q[j] * x[j];
        }
        l += (p - y).powi(2);
    }
    let mut r = 0.0;
    for j in 0..used {
        r += q[j] * q[j];
    }
    l + lambda * r
}

fn ridge_data() -> (Ridge, [[f64; 3]; 3], [f64; 3]) {
    let m = Ridge {
        w: [0.3, -0.2, 0.5],
        b: 0.1,
        lambda: 0.7,
        used: 2,
    };
    let xs = [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0], [0.25, -1.5, 1.0]];
    (m, xs, [1.0, -0.5, 0.75])
}

fn flat(m: &Ridge) -> [f64; 4] {
    [m.w[0], m.w[1], m.w[2], m.b]
}

#[test]
fn passive_fields_of_a_parameter_are_read_as_written() {
    let (m, xs, ys) = ridge_data();
    let q = flat(&m);
    let (v, g) = ridge_loss::grad(&m, &xs, &ys);
    let (vf, gf) = ridge_flat::grad(&q, m.lambda, m.used, &xs, &ys);
    assert_eq!(v, ridge_loss(&m, &xs, &ys));
    assert_eq!(v.to_bits(), vf.to_bits());
    assert_eq!(flat(&g), gf, "the struct gradient is the flat one");
    assert_eq!(g.w[2], 0.0, "an unused feature has no gradient");
    assert_eq!((g.lambda, g.used), (0.7, 2), "passive fields are copied");
    // Against finite differences and forward mode; the dot identity.
    let f = |p: &[f64]| {
        let mut n = m.clone();
        n.w = [p[0], p[1], p[2]];
        n.b = p[3];
        ridge_loss(&n, &xs, &ys)
    };
    let dir = Ridge {
        w: [0.5, -1.0, 0.25],
        b: 2.0,
        ..m.clone()
    };
    let (_, jv) = ridge_loss::jvp(&m, &xs, &ys, &dir);
    assert_fd("ridge jvp", &f, &q, &flat(&dir), jv, 1e-7);
    let mut bar = Ridge {
        w: [0.0; 3],
        b: 0.0,
        ..m.clone()
    };
    ridge_loss::vjp(&m, &xs, &ys, 1.5, &mut bar);
    assert_dot("ridge", 1.5, jv, &flat(&bar), &flat(&dir), 1e-12);
    // Second order: the same Hessian-vector product as the flat program.
    let (_, _, hv) = ridge_loss::hvp(&m, &xs, &ys, &dir);
    let (_, _, hvf) = ridge_flat::hvp(&q, m.lambda, m.used, &xs, &ys, &flat(&dir));
    assert_eq!(flat(&hv), hvf);
    // Another configuration gives another function: the fields are read, not baked in.
    let all = Ridge {
        used: 3,
        lambda: 0.0,
        ..m.clone()
    };
    let (_, g3) = ridge_loss::grad(&all, &xs, &ys);
    let (_, gf3) = ridge_flat::grad(&q, 0.0, 3, &xs, &ys);
    assert_eq!(flat(&g3), gf3);
    assert_ne!(g3.w[2], 0.0);
}

/// A model with its data in passive fields (a `Vec` and a count), differentiated as a method.
#[derive(Clone, Debug, Differentiable)]
pub struct Fit {
    pub a: f64,
    pub k: [f64; 2],
    #[passive]
    pub xs: Vec<f64>,
    #[passive]
    pub ys: Vec<f64>,
    #[passive]
    pub scale: f64,
    #[passive]
    pub robust: bool,
}

#[differentiable]
impl Fit {
    /// `sum_i rho(scale * (a exp(-k0 x_i) + k1 - y_i))` with `rho` the square, or a soft `L1`.
    pub fn loss(&self) -> f64 {
        let mut s = 0.0;
        for (x, y) in self.xs.iter().zip(&self.ys) {
            let r = self.scale * (self.a * (-self.k[0] * x).exp() + self.k[1] - y);
            s += if self.robust {
                (1.0 + r * r).sqrt() - 1.0
            } else {
                r * r
            };
        }
        s / self.xs.len() as f64
    }
}

#[differentiable(wrt(q))]
fn fit_flat(q: &[f64; 3], xs: &[f64], ys: &[f64], scale: f64, robust: bool) -> f64 {
    let mut s = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let r = scale * (q[0] * (-q[1] * x).exp() + q[2] - y);
        s += if robust {
            (1.0 + r * r).sqrt() - 1.0
        } else {
            r * r
        };
    }
    s / xs.len() as f64
}

fn fit() -> Fit {
    Fit {
        a: 1.5,
        k: [0.7, -0.2],
        xs: vec![0.0, 0.5, 1.0, 1.5, 2.0],
        ys: vec![1.2, 0.9, 0.35, 0.2, 0.1],
        scale: 2.0,
        robust: false,
    }
}

#[test]
fn passive_data_fields_of_self_in_a_method() {
    for robust in [false, true] {
        let m = Fit { robust, ..fit() };
        let q = [m.a, m.k[0], m.k[1]];
        let (v, g) = m.loss_grad();
        let (vf, gf) = fit_flat::grad(&q, &m.xs, &m.ys, m.scale, robust);
        assert_eq!((v, [g.a, g.k[0], g.k[1]]), (vf, gf), "robust = {robust}");
        assert_eq!(g.xs, m.xs, "passive fields are copied into the gradient");
        let dir = Fit {
            a: 0.5,
            k: [-1.0, 2.0],
            ..m.clone()
        };
        let (_, jv) = m.loss_jvp(&dir);
        let f = |p: &[f64]| {
            Fit {
                a: p[0],
                k: [p[1], p[2]],
                ..m.clone()
            }
            .loss()
        };
        assert_fd("fit jvp", &f, &q, &[0.5, -1.0, 2.0], jv, 1e-7);
        let (_, _, hv) = m.loss_hvp(&dir);
        let (_, _, hvf) = fit_flat::hvp(&q, &m.xs, &m.ys, m.scale, robust, &[0.5, -1.0, 2.0]);
        assert_eq!([hv.a, hv.k[0], hv.k[1]], hvf);
    }
}

#[test]
fn objective_takes_the_struct_for_its_passive_fields() -> Result<(), autodiff::optim::OptimError> {
    use autodiff::optim::{minimize, GradNorm, LbfgsConfig, Status, StopRules};
    let m = Fit {
        robust: true,
        ..fit()
    };
    // The objective over the active fields `[a, k0, k1]`; the passive ones come from `m`.
    let o = Fit::loss_objective(&m);
    let mut p = autodiff::Flat::new(m.clone());
    let report = minimize(&o, &mut p)
        .with(LbfgsConfig::default())
        .stop(StopRules::max_iterations(200).grad_norm(GradNorm::Inf, 1e-10))
        .run()?;
    assert!(matches!(report.status, Status::Converged(_)), "{report:?}");
    let fitted = p.into_inner();
    let q = [fitted.a, fitted.k[0], fitted.k[1]];
    let (v, g) = fit_flat::grad(&q, &m.xs, &m.ys, m.scale, true);
    assert_eq!(v, fitted.loss());
    assert!(g.iter().all(|d| d.abs() < 1e-9), "{g:?}");
    assert_eq!(fitted.xs, m.xs);
    // The free function's objective too, and its Hessian against the flat program's.
    let (m, xs, ys) = ridge_data();
    let o = ridge_loss::objective(&m, &xs, &ys);
    let mut w = flat(&m);
    minimize(&o, &mut w)
        .with(LbfgsConfig::default())
        .stop(StopRules::max_iterations(200).grad_norm(GradNorm::Inf, 1e-10))
        .run()?;
    let (_, g) = ridge_flat::grad(&w, m.lambda, m.used, &xs, &ys);
    assert!(g.iter().all(|d| d.abs() < 1e-9), "{g:?}");
    let (_, _, h) = ridge_loss::hessian(&m, &xs, &ys);
    let (_, _, hf) = ridge_flat::hessian(&flat(&m), m.lambda, m.used, &xs, &ys);
    assert_eq!(h, hf);
    Ok(())
}

/// A tuple struct and a const-generic struct, each with a passive field, from another module.
mod shapes {
    use autodiff::Differentiable;

    #[derive(Clone, Debug, Differentiable)]
    pub struct Power(pub f64, #[passive] pub i32);

    #[derive(Clone, Debug, Differentiable)]
    pub struct Poly<const K: usize> {
        pub c: [f64; K],
        #[passive]
        pub degree: usize,
    }
}

#[differentiable]
impl shapes::Power {
    fn value(&self, x: f64) -> f64 {
        x * self.0.powi(self.1)
    }
}

/// Horner's rule up to the passive degree.
#[differentiable(wrt(p))]
fn horner(p: &shapes::Poly<4>, x: f64) -> f64 {
    let mut s = 0.0;
    for i in (0..=p.degree).rev() {
        s = s * x + p.c[i];
    }
    s
}

#[test]
fn tuple_and_generic_structs_from_another_module() {
    let pw = shapes::Power(1.3, 3);
    let (v, g) = pw.value_grad(2.0);
    assert_eq!(v, 2.0 * 1.3f64.powi(3));
    assert_eq!(g.0, 2.0 * 3.0 * 1.3f64.powi(2));
    assert_eq!(g.1, 3);
    let p = shapes::Poly {
        c: [1.0, -2.0, 0.5, 7.0],
        degree: 2,
    };
    let (v, g) = horner::grad(&p, 1.5);
    assert_eq!(v, 1.0 - 2.0 * 1.5 + 0.5 * 1.5 * 1.5);
    assert_eq!(
        g.c,
        [1.0, 1.5, 2.25, 0.0],
        "the coefficient above the degree is unused"
    );
    let dir = shapes::Poly {
        c: [0.5, 1.0, -1.0, 3.0],
        degree: 2,
    };
    let (_, jv) = horner::jvp(&p, 1.5, &dir);
    assert_eq!(jv, 0.5 + 1.5 - 2.25);
}

/// A layer as a module: its activation (an enum), output scale and data are passive fields,
/// read with `match`, a cast and iterators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Act {
    Tanh,
    Relu,
    Linear,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Layer {
    pub w: [[f64; 2]; 3],
    pub b: [f64; 3],
    pub out: [f64; 3],
    #[passive]
    pub act: Act,
    #[passive]
    pub scale: f32,
    #[passive]
    pub data: Vec<[f64; 2]>,
    #[passive]
    pub targets: Vec<f64>,
}

#[differentiable]
impl Layer {
    pub fn loss(&self) -> f64 {
        let mut l = 0.0;
        for (x, t) in self.data.iter().zip(&self.targets) {
            let mut y = 0.0;
            for k in 0..3 {
                let z = self.w[k][0] * x[0] + self.w[k][1] * x[1] + self.b[k];
                let h = match self.act {
                    Act::Tanh => z.tanh(),
                    Act::Relu => z.max(0.0),
                    Act::Linear => z,
                };
                y += self.out[k] * h;
            }
            l += (y * self.scale as f64 - t).powi(2);
        }
        l / self.data.len() as f64
    }
}

#[test]
fn a_layer_with_its_configuration_and_data_in_passive_fields() {
    use autodiff::Differentiable as _;
    for act in [Act::Tanh, Act::Relu, Act::Linear] {
        let m = Layer {
            w: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]],
            b: [0.0, 0.1, -0.1],
            out: [1.0, -1.0, 0.5],
            act,
            scale: 2.0,
            data: vec![[1.0, 2.0], [0.5, -1.0], [-0.7, 0.2]],
            targets: vec![0.3, -0.2, 0.1],
        };
        let mut q = [0.0; Layer::DIM];
        m.flatten_into(&mut q);
        let f = |p: &[f64]| m.with_flat(p).loss();
        let (v, g) = m.loss_grad();
        assert_eq!(v, m.loss());
        let dir: Vec<f64> = (0..Layer::DIM).map(|k| 0.3 - 0.07 * k as f64).collect();
        let (_, jv) = m.loss_jvp(&m.with_flat(&dir));
        assert_fd("layer jvp", &f, &q, &dir, jv, 1e-7);
        let mut gq = [0.0; Layer::DIM];
        g.flatten_into(&mut gq);
        let mut bar = m.with_flat(&[0.0; Layer::DIM]);
        m.loss_vjp(1.0, &mut bar);
        let mut bq = [0.0; Layer::DIM];
        bar.flatten_into(&mut bq);
        assert_eq!(gq, bq, "grad is vjp(1)");
        assert_dot("layer", 1.0, jv, &bq, &dir, 1e-12);
        assert_eq!((g.act, g.scale, &g.targets), (act, 2.0, &m.targets));
    }
}

/// Two `pub` structs of one name and the same fields in two modules: their exported layout
/// macros do not collide.
mod twin_a {
    #[derive(Clone, Debug, autodiff::Differentiable)]
    pub struct Same {
        pub x: f64,
        #[passive]
        pub n: usize,
    }

    #[autodiff::differentiable(wrt(s))]
    pub fn f(s: &Same) -> f64 {
        s.x * s.n as f64
    }
}

mod twin_b {
    #[derive(Clone, Debug, autodiff::Differentiable)]
    pub struct Same {
        pub x: f64,
        #[passive]
        pub n: usize,
    }

    #[autodiff::differentiable(wrt(s))]
    pub fn f(s: &Same) -> f64 {
        2.0 * s.x * s.n as f64
    }
}

#[test]
fn same_struct_in_two_modules() {
    assert_eq!(twin_a::f::grad(&twin_a::Same { x: 1.0, n: 3 }).1.x, 3.0);
    assert_eq!(twin_b::f::grad(&twin_b::Same { x: 1.0, n: 3 }).1.x, 6.0);
}

#[test]
fn pub_struct_inside_a_function_body() {
    // Its layout macro is exported from inside the function, without the `non_local_definitions`
    // warning.
    #[derive(Clone, Debug, Differentiable)]
    pub struct Local {
        pub x: f64,
        #[passive]
        pub n: usize,
    }
    #[differentiable(wrt(s))]
    fn f(s: &Local) -> f64 {
        s.x * s.n as f64
    }
    assert_eq!(f::grad(&Local { x: 1.0, n: 3 }).1.x, 3.0);
}

/// The mean squared error of a prediction, a helper over slices (the data passive).
#[differentiable(wrt(pred))]
fn mse(pred: &[f64], ys: &[f64]) -> f64 {
    pred.iter()
        .zip(ys)
        .map(|(p, y)| (p - y).powi(2))
        .sum::<f64>()
        / ys.len() as f64
}

/// A linear model as one first writes it: a scratch `vec!` sized by a passive field, filled in
/// an enumerated loop over the passive data, handed to a helper with another passive field; a
/// one-pass fold over the data; `vec!` of an active field.
#[derive(Clone, Debug, Differentiable)]
pub struct Lin {
    pub w: [f64; 2],
    pub b: f64,
    #[passive]
    pub xs: Vec<[f64; 2]>,
    #[passive]
    pub ys: Vec<f64>,
}

#[differentiable]
impl Lin {
    pub fn loss(&self) -> f64 {
        let mut pred = vec![0.0; self.xs.len()];
        for (i, x) in self.xs.iter().enumerate() {
            pred[i] = self.w[0] * x[0] + self.w[1] * x[1] + self.b;
        }
        let (s, q) = self
            .ys
            .iter()
            .fold((0.0, 0.0), |(s, q), y| (s + y, q + y * y));
        let shift = vec![self.b; 2];
        mse(&pred, &self.ys) + 1e-3 * (q - s * s / self.ys.len() as f64) * shift[1]
    }
}

#[test]
fn a_model_with_its_data_as_first_written() {
    use autodiff::Differentiable as _;
    let m = Lin {
        w: [0.5, -1.0],
        b: 0.2,
        xs: vec![[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]],
        ys: vec![1.0, 0.0, 2.0],
    };
    let mut q = [0.0; Lin::DIM];
    m.flatten_into(&mut q);
    let f = |p: &[f64]| m.with_flat(p).loss();
    let (v, g) = m.loss_grad();
    assert_eq!(v, m.loss());
    let mut gq = [0.0; Lin::DIM];
    g.flatten_into(&mut gq);
    let dir = [0.5, -1.0, 2.0];
    let (_, jv) = m.loss_jvp(&m.with_flat(&dir));
    assert_fd("lin jvp", &f, &q, &dir, jv, 1e-7);
    assert_dot("lin", 1.0, jv, &gq, &dir, 1e-12);
}
