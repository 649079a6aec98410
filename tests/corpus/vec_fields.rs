//! Parameter structs with `Vec` fields (their size known at run time): a model whose number of
//! coefficients is data, written as one writes it, with a passive field next to them. Each
//! against the same program over a flat slice (bitwise: same operations), finite differences,
//! the dot-product identity, Hessian-vector products against the flat program, `objective`
//! against `grad`, and training through `Flat`.

use crate::common::{assert_dot, assert_fd};
use autodiff::optim::{minimize, AdamConfig, GradNorm, LbfgsConfig, StopRules};
use autodiff::{differentiable, Differentiable, Flat};

/// A polynomial `bias + sum_k c_k x^(k+1)` with a passive ridge weight: the coefficients are a
/// `Vec` (their number chosen at run time).
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Poly {
    pub bias: f64,
    pub coeffs: Vec<f64>,
    #[passive]
    pub ridge: f64,
}

#[differentiable]
impl Poly {
    /// The polynomial at `x` (Horner over the coefficients, iterated backwards).
    pub fn at(&self, x: f64) -> f64 {
        let mut p = 0.0;
        for c in self.coeffs.iter().rev() {
            p = (p + c) * x;
        }
        p + self.bias
    }

    /// Squared error over the data plus `ridge` times the coefficients' squares.
    pub fn loss(&self, xs: &[f64], ys: &[f64]) -> f64 {
        let mut l = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let r = self.at(*x) - y;
            l += r * r;
        }
        let penalty: f64 = self.coeffs.iter().map(|c| c * c).sum();
        l + self.ridge * penalty / self.coeffs.len() as f64
    }
}

/// The same over `q = [bias, coeffs..]` (the documented order: the fixed part, then the `Vec`).
#[differentiable(wrt(q))]
fn poly_flat(q: &[f64], ridge: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let n = q.len() - 1;
    let mut l = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let mut p = 0.0;
        for k in (0..n).rev() {
            p = (p + q[1 + k]) * x;
        }
        let r = p + q[0] - y;
        l += r * r;
    }
    let mut penalty = 0.0;
    for k in 0..n {
        penalty += q[1 + k] * q[1 + k];
    }
    l + ridge * penalty / n as f64
}

fn data() -> (Vec<f64>, Vec<f64>) {
    let xs: Vec<f64> = (0..9).map(|i| -1.0 + 0.25 * i as f64).collect();
    let ys = xs.iter().map(|x| 0.5 - x + 2.0 * x * x * x).collect();
    (xs, ys)
}

fn flat(p: &Poly) -> Vec<f64> {
    let mut q = vec![p.bias];
    q.extend(&p.coeffs);
    q
}

#[test]
fn a_vec_field_is_differentiated_like_the_flat_slice() {
    let (xs, ys) = data();
    for n in [1, 3, 5] {
        let m = Poly {
            bias: 0.2,
            coeffs: (0..n).map(|k| 0.3 - 0.1 * k as f64).collect(),
            ridge: 0.05,
        };
        let q = flat(&m);
        assert_eq!(m.dim(), n + 1);
        let (v, g) = m.loss_grad(&xs, &ys);
        let (vf, gf) = poly_flat::grad(&q, m.ridge, &xs, &ys);
        assert_eq!(v, m.loss(&xs, &ys));
        assert_eq!(v.to_bits(), vf.to_bits(), "n = {n}: value");
        assert_eq!(flat(&g), gf, "n = {n}: the struct gradient is the flat one");
        assert_eq!(g.ridge, m.ridge, "passive fields are copied");
        // Forward mode against finite differences; the dot identity with `vjp`.
        let f = |p: &[f64]| {
            let mut s = m.clone();
            s.bias = p[0];
            s.coeffs = p[1..].to_vec();
            s.loss(&xs, &ys)
        };
        let dir = Poly {
            bias: 0.7,
            coeffs: (0..n).map(|k| 1.0 - 0.4 * k as f64).collect(),
            ..m.clone()
        };
        let (_, jv) = m.loss_jvp(&xs, &ys, &dir);
        assert_fd(&format!("poly n = {n}"), &f, &q, &flat(&dir), jv, 1e-7);
        let mut bar = Poly {
            bias: 0.0,
            coeffs: vec![0.0; n],
            ..m.clone()
        };
        m.loss_vjp(&xs, &ys, -0.5, &mut bar);
        assert_dot(
            &format!("poly n = {n}"),
            -0.5,
            jv,
            &flat(&bar),
            &flat(&dir),
            1e-12,
        );
        // Second order: the flat program's Hessian-vector product.
        let (_, _, hv) = m.loss_hvp(&xs, &ys, &dir);
        let (_, _, hvf) = poly_flat::hvp(&q, m.ridge, &xs, &ys, &flat(&dir));
        assert_eq!(flat(&hv), hvf, "n = {n}: hvp");
        // `objective` over the flattened fields, sized by the struct.
        let obj = Poly::loss_objective(&m, &xs, &ys);
        let mut og = vec![0.0; n + 1];
        let ov = autodiff::Objective::value_grad(&obj, &q, &mut og);
        assert_eq!((ov.to_bits(), og), (v.to_bits(), gf));
    }
}

#[test]
fn a_struct_with_a_vec_field_is_trained_through_flat() {
    let (xs, ys) = data();
    let start = Poly {
        bias: 0.0,
        coeffs: vec![0.0; 3],
        ridge: 1e-12,
    };
    let mut p = Flat::new(start.clone());
    assert_eq!(
        start.names_of(),
        ["bias", "coeffs[0]", "coeffs[1]", "coeffs[2]"]
    );
    let r = minimize(&Poly::loss_objective(&start, &xs, &ys), &mut p)
        .with(LbfgsConfig::default())
        .stop(StopRules::max_iterations(200).grad_norm(GradNorm::Inf, 1e-10))
        .run()
        .expect("L-BFGS converges");
    let fit = p.into_inner();
    assert!(r.value < 1e-9, "loss {}", r.value);
    for (got, want) in [fit.bias, fit.coeffs[0], fit.coeffs[1], fit.coeffs[2]]
        .iter()
        .zip([0.5, -1.0, 0.0, 2.0])
    {
        assert!((got - want).abs() < 1e-4, "{fit:?}");
    }
    assert_eq!(fit.ridge, 1e-12);
    // Adam on a longer `Vec` of the same model.
    let wide = Poly {
        coeffs: vec![0.0; 5],
        ..start
    };
    let mut p = Flat::new(wide.clone());
    let r = minimize(&Poly::loss_objective(&wide, &xs, &ys), &mut p)
        .with(AdamConfig::default().lr(0.02))
        .stop(StopRules::max_iterations(4000))
        .run()
        .expect("Adam runs");
    assert!(r.value < 1e-2, "loss {}", r.value);
    assert_eq!(p.get().coeffs.len(), 5);
}

/// Two `Vec` fields around a matrix and a scalar, a tuple struct with one, and two parameters
/// of one type with different lengths: offsets, names and per-parameter gradients.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Layers {
    pub u: Vec<f64>,
    pub w: [[f64; 2]; 2],
    pub v: Vec<f64>,
    pub s: f64,
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Pair(pub Vec<f64>, pub f64);

#[differentiable(wrt(a, b, p))]
fn mixed(a: &Layers, b: &Layers, p: &Pair, x: &[f64; 2]) -> f64 {
    let mut t = a.s * b.s;
    for (i, u) in a.u.iter().enumerate() {
        t += u * a.w[i % 2][0] * x[0] + b.u[0] * u.sin();
    }
    for k in 0..a.v.len() {
        t += a.v[k] * a.v[k] * a.w[1][k % 2] * x[1];
    }
    let q: f64 = b.v.iter().zip(&p.0).map(|(c, d)| c * d).sum();
    t + q * p.1 + b.w[0][1] * a.u[a.u.len() - 1]
}

fn flat_of<T: Differentiable<Float = f64>>(t: &T) -> Vec<f64> {
    let mut v = vec![0.0; t.dim()];
    t.flatten_into(&mut v);
    v
}

#[test]
fn two_vec_fields_two_parameters_and_a_tuple_struct() {
    let a = Layers {
        u: vec![0.5, -0.25, 1.0],
        w: [[0.3, -0.7], [1.1, 0.4]],
        v: vec![0.2, -0.6],
        s: 1.5,
    };
    let b = Layers {
        u: vec![0.9],
        w: [[-0.2, 0.8], [0.5, 0.1]],
        v: vec![1.0, 2.0, -1.0, 0.5],
        s: -0.5,
    };
    let p = Pair(vec![0.25, 0.75, -0.5], 2.0);
    let x = [0.6, -1.3];
    assert_eq!(a.dim(), 10);
    assert_eq!(
        a.names_of(),
        ["w[0][0]", "w[0][1]", "w[1][0]", "w[1][1]", "s", "u[0]", "u[1]", "u[2]", "v[0]", "v[1]"]
    );
    assert_eq!(flat_of(&p), [2.0, 0.25, 0.75, -0.5]);
    let (v, (ga, gb, gp)) = mixed::grad(&a, &b, &p, &x);
    assert_eq!(v, mixed(&a, &b, &p, &x));
    assert_eq!((ga.u.len(), gb.v.len(), gp.0.len()), (3, 4, 3));
    // Every coordinate against finite differences, through the flattened values.
    let (na, nb) = (a.dim(), b.dim());
    let all: Vec<f64> = [flat_of(&a), flat_of(&b), flat_of(&p)].concat();
    let f = |z: &[f64]| {
        let (za, rest) = z.split_at(na);
        let (zb, zp) = rest.split_at(nb);
        mixed(&a.with_flat(za), &b.with_flat(zb), &p.with_flat(zp), &x)
    };
    let grads: Vec<f64> = [flat_of(&ga), flat_of(&gb), flat_of(&gp)].concat();
    for k in 0..all.len() {
        let mut e = vec![0.0; all.len()];
        e[k] = 1.0;
        assert_fd(
            &format!("mixed coordinate {k}"),
            &f,
            &all,
            &e,
            grads[k],
            1e-7,
        );
    }
    // The dot identity, and the Hessian-vector product against FD of the gradient.
    let (da, db, dp) = (
        a.with_flat(&[0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1.0]),
        b.with_flat(&[1.0, -1.0, 0.5, 0.25, 0.3, 0.2, -0.1, 0.6, 0.9, -0.4]),
        p.with_flat(&[0.3, -0.2, 0.1, 0.4]),
    );
    let dir: Vec<f64> = [flat_of(&da), flat_of(&db), flat_of(&dp)].concat();
    let (_, jv) = mixed::jvp(&a, &b, &p, &x, &da, &db, &dp);
    let zero = |t: &Layers| t.with_flat(&vec![0.0; t.dim()]);
    let (mut ba, mut bb, mut bp) = (zero(&a), zero(&b), Pair(vec![0.0; 3], 0.0));
    mixed::vjp(&a, &b, &p, &x, 2.0, &mut ba, &mut bb, &mut bp);
    let bars: Vec<f64> = [flat_of(&ba), flat_of(&bb), flat_of(&bp)].concat();
    assert_dot("mixed", 2.0, jv, &bars, &dir, 1e-12);
    let (_, _, (ha, hb, hp)) = mixed::hvp(&a, &b, &p, &x, &da, &db, &dp);
    let hv: Vec<f64> = [flat_of(&ha), flat_of(&hb), flat_of(&hp)].concat();
    for k in 0..all.len() {
        let gk = |z: &[f64]| {
            let (za, rest) = z.split_at(na);
            let (zb, zp) = rest.split_at(nb);
            let (_, (ga, gb, gp)) =
                mixed::grad(&a.with_flat(za), &b.with_flat(zb), &p.with_flat(zp), &x);
            [flat_of(&ga), flat_of(&gb), flat_of(&gp)].concat()[k]
        };
        assert_fd(&format!("mixed hvp {k}"), &gk, &all, &dir, hv[k], 1e-6);
    }
}

/// A linear model as one first writes it: a `Vec` of weights, a method over an input row with
/// `zip` and a closure naming its item like the method's parameter (`|(w, x)|`), a `vec!`
/// scratch of residuals, a helper over slices. The same model with an array of weights is the
/// reference (bitwise). The inlined `predict` used to bind the row `x` to a new name, which a
/// row cannot be: the closure's `x` is renamed in its closure now.
#[derive(Clone, Debug, Differentiable)]
pub struct Linear {
    pub w: Vec<f64>,
    pub b: f64,
    #[passive]
    pub l2: f64,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Linear3 {
    pub w: [f64; 3],
    pub b: f64,
    #[passive]
    pub l2: f64,
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[differentiable]
impl Linear {
    pub fn predict(&self, x: &[f64; 3]) -> f64 {
        self.w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + self.b
    }

    pub fn loss(&self, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
        let mut r = vec![0.0; ys.len()];
        for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
            r[i] = self.predict(x) - y;
        }
        let fit: f64 = r.iter().map(|e| e * e).sum();
        fit / ys.len() as f64 + self.l2 * dot(&self.w, &self.w)
    }
}

#[differentiable]
impl Linear3 {
    pub fn predict(&self, x: &[f64; 3]) -> f64 {
        self.w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + self.b
    }

    pub fn loss(&self, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
        let mut r = vec![0.0; ys.len()];
        for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
            r[i] = self.predict(x) - y;
        }
        let fit: f64 = r.iter().map(|e| e * e).sum();
        fit / ys.len() as f64 + self.l2 * dot(&self.w, &self.w)
    }
}

#[test]
fn a_linear_model_as_first_written() {
    let m = Linear {
        w: vec![0.5, -0.2, 0.1],
        b: 0.3,
        l2: 0.01,
    };
    let m3 = Linear3 {
        w: [0.5, -0.2, 0.1],
        b: 0.3,
        l2: 0.01,
    };
    let xs = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [-0.3, 0.8, 1.1]];
    let ys = [1.0, -0.5, 0.25];
    let (v, g) = m.loss_grad(&xs, &ys);
    let (v3, g3) = m3.loss_grad(&xs, &ys);
    assert_eq!(v, m.loss(&xs, &ys));
    assert_eq!(v.to_bits(), v3.to_bits());
    assert_eq!((g.w.as_slice(), g.b), (&g3.w[..], g3.b));
    let f = |p: &[f64]| m.with_flat(p).loss(&xs, &ys);
    let q = flat_of(&m);
    for k in 0..q.len() {
        let mut e = vec![0.0; q.len()];
        e[k] = 1.0;
        assert_fd(&format!("linear {k}"), &f, &q, &e, flat_of(&g)[k], 1e-7);
    }
}
