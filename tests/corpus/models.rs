//! Models as people define them: ADBench's Gaussian mixture as a parameter struct with methods
//! (against the ported indexed objective), a rigid-body pose fitted with Newton-CG, and a struct
//! trained by minibatch Adam.

use crate::adbench_gmm::{gmm_objective, log_gamma_distrib, Wishart};
use crate::*;
use autodiff::{differentiable, Differentiable};

const D: usize = 3;
const K: usize = 4;
const ICF: usize = D * (D + 1) / 2;

/// ADBench's GMM parameters: weights, means, and the inverse Cholesky factors (log-diagonal
/// first, then the strictly lower part column by column).
#[derive(Clone, Debug, Differentiable)]
pub struct Gmm {
    pub alphas: [f64; K],
    pub means: [[f64; D]; K],
    pub icf: [[f64; ICF]; K],
}

#[differentiable]
fn logsumexp(v: &[f64; K]) -> f64 {
    let mx = v.iter().fold(f64::NEG_INFINITY, |m, &a| m.max(a));
    v.iter().map(|a| (a - mx).exp()).sum::<f64>().ln() + mx
}

#[differentiable]
impl Gmm {
    /// The negative log-likelihood with the Wishart prior, as ADBench's `gmm_objective`.
    pub fn objective(&self, x: &[[f64; D]], wishart: Wishart) -> f64 {
        let n = x.len();
        let constant = -((n * D) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
        let mut slse = 0.0;
        for xi in x {
            let mut main_term = [0.0; K];
            for k in 0..K {
                main_term[k] = self.alphas[k] + self.sum_q(k) - 0.5 * self.mahalanobis(k, xi);
            }
            slse += logsumexp(&main_term);
        }
        constant + slse - n as f64 * logsumexp(&self.alphas) + self.prior(wishart)
    }

    /// The log-determinant of component `k`'s precision factor.
    fn sum_q(&self, k: usize) -> f64 {
        self.icf[k].iter().take(D).sum()
    }

    /// `|Q_k (x - mu_k)|^2`.
    fn mahalanobis(&self, k: usize, xi: &[f64; D]) -> f64 {
        let ic = &self.icf[k];
        let mut xc = [0.0; D];
        for i in 0..D {
            xc[i] = xi[i] - self.means[k][i];
        }
        let mut qx = [0.0; D];
        for i in 0..D {
            qx[i] = ic[i].exp() * xc[i];
        }
        let mut l = D;
        for i in 0..D {
            for j in i + 1..D {
                qx[j] += ic[l] * xc[i];
                l += 1;
            }
        }
        qx.iter().map(|q| q * q).sum()
    }

    fn prior(&self, w: Wishart) -> f64 {
        let n = D + w.m as usize + 1;
        let c = (n * D) as f64 * (w.gamma.ln() - 0.5 * 2f64.ln())
            - log_gamma_distrib(0.5 * n as f64, D);
        let mut out = 0.0;
        for (k, ic) in self.icf.iter().enumerate() {
            let diag: f64 = ic.iter().take(D).map(|q| (2.0 * q).exp()).sum();
            let lower: f64 = ic.iter().skip(D).map(|v| v * v).sum();
            out += 0.5 * w.gamma * w.gamma * (diag + lower) - w.m as f64 * self.sum_q(k);
        }
        out - K as f64 * c
    }
}

fn sample_gmm(rng: &mut Rng) -> Gmm {
    Gmm {
        alphas: core::array::from_fn(|_| rng.range(-1.0, 1.0)),
        means: core::array::from_fn(|_| core::array::from_fn(|_| rng.range(-1.0, 1.0))),
        icf: core::array::from_fn(|_| core::array::from_fn(|_| rng.range(-0.5, 0.5))),
    }
}

#[test]
fn gmm_struct_is_the_ported_objective() {
    let mut rng = Rng::named("gmm struct");
    let g = sample_gmm(&mut rng);
    let x: Vec<[f64; D]> = (0..10)
        .map(|_| core::array::from_fn(|_| rng.range(-1.5, 1.5)))
        .collect();
    let w = Wishart { gamma: 1.5, m: 2 };
    // The indexed objective on the struct's fields, flattened in field order.
    let mut p = [0.0; Gmm::DIM];
    g.flatten_into(&mut p);
    let (pa, rest) = p.split_at(K);
    let (pm, pi) = rest.split_at(K * D);
    let (v_ref, (ga, gm, gi)) = gmm_objective::grad(D, K, x.len(), pa, pm, pi, x.as_flattened(), w);
    let (v, grad) = g.objective_grad(&x, w);
    assert_eq!(v, g.objective(&x, w));
    assert_close(v, v_ref, 1e-13, 1.0, "value vs indexed");
    let mut gs = [0.0; Gmm::DIM];
    grad.flatten_into(&mut gs);
    assert_grad_eq("gmm struct vs indexed", &gs, &[ga, gm, gi].concat(), 1e-12);

    let flat = |q: &[f64]| g.with_flat(q);
    let fns = Fns {
        f: &|q| flat(q).objective(&x, w),
        jvp: &|q, d| flat(q).objective_jvp(&x, w, &flat(d)),
        vjp: &|q, seed, bar| {
            let mut b = flat(bar);
            let v = flat(q).objective_vjp(&x, w, seed, &mut b);
            b.flatten_into(bar);
            v
        },
        grad: &|q| {
            let (v, gq) = flat(q).objective_grad(&x, w);
            let mut out = vec![0.0; Gmm::DIM];
            gq.flatten_into(&mut out);
            (v, out)
        },
    };
    check("gmm struct", &fns, &p);
    let dir: Vec<f64> = (0..Gmm::DIM).map(|_| rng.tangent()).collect();
    let (_, _, hv) = g.objective_hvp(&x, w, &g.with_flat(&dir));
    let mut h = vec![0.0; Gmm::DIM];
    hv.flatten_into(&mut h);
    check_hvp("gmm struct", &|q| (fns.grad)(q).1, &p, &dir, &h);
}

/// A layer with a matrix field iterated by rows in every way one writes it.
#[derive(Clone, Debug, Differentiable)]
pub struct Layer {
    pub w: [[f64; 3]; 2],
    pub b: [f64; 2],
}

#[differentiable]
impl Layer {
    pub fn rows(&self, x: &[f64; 3]) -> f64 {
        let mut s = 0.0;
        for (k, row) in self.w.iter().enumerate() {
            s += (row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + self.b[k]).tanh();
        }
        for row in &self.w {
            s += row[0] * row[2];
        }
        for (row, b) in self.w.iter().zip(&self.b) {
            s += b * row.len() as f64 * row[1];
        }
        let norms: f64 = self
            .w
            .iter()
            .map(|row| row.iter().map(|v| v * v).sum::<f64>())
            .sum();
        let last = self.w.iter().fold(0.0, |acc, row| acc * 0.5 + row[2]);
        // A vector field's items stay floats.
        let bs: f64 = self.b.iter().map(|v| v.sin()).sum();
        s + norms + last + bs
    }
}

/// `Layer::rows` over the flat parameters, indexed.
#[differentiable(wrt(p))]
fn layer_rows_indexed(p: &[f64; 8], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for k in 0..2 {
        let mut z = 0.0;
        for j in 0..3 {
            z += p[3 * k + j] * x[j];
        }
        s += (z + p[6 + k]).tanh();
    }
    for k in 0..2 {
        s += p[3 * k] * p[3 * k + 2];
    }
    for k in 0..2 {
        s += p[6 + k] * 3.0 * p[3 * k + 1];
    }
    let mut norms = 0.0;
    for v in &p[..6] {
        norms += v * v;
    }
    let last = (0.0 * 0.5 + p[2]) * 0.5 + p[5];
    s + norms + last + p[6].sin() + p[7].sin()
}

#[test]
fn matrix_fields_iterated_by_rows() {
    let l = Layer {
        w: [[0.3, -0.2, 0.5], [1.1, 0.4, -0.7]],
        b: [0.1, -0.3],
    };
    let x = [0.5, -1.0, 2.0];
    let mut p = [0.0; 8];
    l.flatten_into(&mut p);
    let (v, g) = l.rows_grad(&x);
    let (v2, g2) = layer_rows_indexed::grad(&p, &x);
    assert_close(v, v2, 1e-14, 1.0, "value");
    assert_eq!(v, l.rows(&x));
    let mut gf = [0.0; 8];
    g.flatten_into(&mut gf);
    assert_grad_eq("rows vs indexed", &gf, &g2, 1e-13);
}

/// A 2-D rigid-body pose fitted to points with Newton-CG, through `Flat`, and its HESSE errors
/// labelled by field names.
#[test]
fn pose_fitted_with_newton_cg() {
    use crate::structs::Pose;
    use autodiff::optim::{hesse_objective, minimize, GradNorm, NewtonCgConfig, Status, StopRules};
    let truth = Pose {
        angle: 0.4,
        t: [1.5, -0.7],
        id: 7,
    };
    let mut rng = Rng::named("pose newton");
    let pts: Vec<[f64; 2]> = (0..20)
        .map(|_| [rng.range(-2.0, 2.0), rng.range(-2.0, 2.0)])
        .collect();
    let (s, c) = truth.angle.sin_cos();
    let targets: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| {
            [
                c * p[0] - s * p[1] + truth.t[0] + 0.01 * rng.range(-1.0, 1.0),
                s * p[0] + c * p[1] + truth.t[1] + 0.01 * rng.range(-1.0, 1.0),
            ]
        })
        .collect();
    let start = Pose {
        angle: 0.0,
        t: [0.0, 0.0],
        id: 7,
    };
    let objective = crate::structs::pose_loss::objective(&start, &pts, &targets);
    let mut params = autodiff::Flat::new(start.clone());
    let report = minimize(&objective, &mut params)
        .with(NewtonCgConfig::default().xtol(1e-12))
        .stop(StopRules::max_iterations(100).grad_norm(GradNorm::L2, 1e-9))
        .run()
        .expect("runs");
    assert!(matches!(report.status, Status::Converged(_)), "{report:?}");
    assert!(report.iterations < 20, "{} iterations", report.iterations);
    let fitted = params.get();
    assert!((fitted.angle - truth.angle).abs() < 0.01, "{fitted:?}");
    assert!((fitted.t[0] - truth.t[0]).abs() < 0.01 && (fitted.t[1] - truth.t[1]).abs() < 0.01);
    assert_eq!(fitted.id, 7, "passive fields come back");
    // At the minimum the gradient vanishes: the fitted pose is the least-squares one.
    let (_, g) = crate::structs::pose_loss::grad(&fitted, &pts, &targets);
    assert!(g.angle.hypot(g.t[0]).hypot(g.t[1]) <= 1e-9, "{g:?}");
    // HESSE at the minimum, each error labelled by its field.
    let u = hesse_objective(&objective, params.values(), 1.0).expect("positive definite");
    let labelled: Vec<(String, f64)> = Pose::names().into_iter().zip(u.errors.clone()).collect();
    assert_eq!(labelled[0].0, "angle");
    assert_eq!(labelled[2].0, "t[1]");
    assert!(labelled.iter().all(|(_, e)| e.is_finite() && *e > 0.0));
    // Printed as a table: values ± errors and correlations, rows named by field.
    let table = format!("{:.4}", u.table(params.values(), &Pose::names()));
    assert!(table.contains("angle ") && table.contains("t[1]") && table.contains("correlations"));
    assert!(
        table.contains(&format!("{:.4} ± {:.4}", fitted.t[0], u.errors[1])),
        "{table}"
    );
}

/// A struct model trained by minibatch Adam: each example's gradient comes from the method's
/// `vjp`, added into the optimizer's flat gradient through the struct.
#[derive(Clone, Debug, Differentiable)]
pub struct Affine {
    pub w: [f64; 2],
    pub b: f64,
    #[passive]
    pub label: String,
}

#[differentiable]
impl Affine {
    pub fn loss(&self, x: &[f64; 2], y: f64) -> f64 {
        let pred = self.w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + self.b;
        (pred - y).powi(2)
    }
}

#[test]
fn struct_trained_by_minibatch_adam() {
    use autodiff::optim::minibatch::{train, MinibatchConfig};
    use autodiff::optim::{AdamConfig, NoSchedule};
    let mut rng = Rng::named("minibatch struct");
    let xs: Vec<[f64; 2]> = (0..64)
        .map(|_| [rng.range(-1.0, 1.0), rng.range(-1.0, 1.0)])
        .collect();
    let ys: Vec<f64> = xs.iter().map(|x| 2.0 * x[0] - 3.0 * x[1] + 0.5).collect();
    let model = Affine {
        w: [0.0, 0.0],
        b: 0.0,
        label: "affine".into(),
    };
    let mut init = vec![0.0; Affine::DIM];
    model.flatten_into(&mut init);
    let mut adam = AdamConfig::default()
        .lr(0.05)
        .build::<f64, Vec<f64>>(Affine::DIM)
        .expect("config");
    let config = MinibatchConfig::default().epochs(200).batch_size(8).seed(3);
    let fit = train(
        &init,
        xs.len(),
        &mut adam,
        &config,
        &mut NoSchedule,
        |p, i, g| {
            let m = model.with_flat(p);
            let mut bar = model.with_flat(g);
            let loss = m.loss_vjp(&xs[i], ys[i], 1.0, &mut bar);
            bar.flatten_into(g);
            loss
        },
    )
    .expect("trains");
    let fitted = model.with_flat(&fit.params);
    assert!(
        (fitted.w[0] - 2.0).abs() < 1e-3 && (fitted.w[1] + 3.0).abs() < 1e-3,
        "{fitted:?}"
    );
    assert!((fitted.b - 0.5).abs() < 1e-3);
    assert_eq!(fitted.label, "affine");
    let last = fit.mean_epoch_losses().last().expect("epochs");
    assert!(last < 1e-6, "{last}");
    // The same gradient as the struct's own `grad`, summed over a batch.
    let (_, g0) = model.loss_grad(&xs[0], ys[0]);
    let mut flat = vec![0.0; Affine::DIM];
    let mut bar = model.with_flat(&flat);
    model.loss_vjp(&xs[0], ys[0], 1.0, &mut bar);
    bar.flatten_into(&mut flat);
    assert_eq!(flat, [g0.w[0], g0.w[1], g0.b]);
}

/// Methods taking `self` by value (a `Copy` parameter struct), called as written.
#[derive(Clone, Copy, Debug, Differentiable)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
}

#[differentiable]
impl Spring {
    pub fn energy(self, x: f64) -> f64 {
        0.5 * self.k * self.stretch(x).powi(2)
    }

    pub fn stretch(self, x: f64) -> f64 {
        x - self.rest
    }
}

#[test]
fn methods_taking_self_by_value() {
    let s = Spring { k: 3.0, rest: 0.5 };
    let (v, g) = s.energy_grad(2.0);
    assert_eq!(v, s.energy(2.0));
    // d/dk = stretch^2 / 2, d/drest = -k stretch.
    assert_eq!((g.k, g.rest), (0.5 * 1.5 * 1.5, -3.0 * 1.5));
    let (v2, g2) = Spring::energy_grad(s, 2.0);
    assert_eq!((v2, g2.k, g2.rest), (v, g.k, g.rest));
    let (_, g3) = s.stretch_grad(2.0);
    assert_eq!((g3.k, g3.rest), (0.0, -1.0));
}

/// A layer written the way one first writes it with iterators: rows zipped with the biases and
/// the output weights, a dot product per row, `tanh`, summed.
#[derive(Clone, Debug, Differentiable)]
pub struct Layer2 {
    pub w1: [[f64; 3]; 4],
    pub b1: [f64; 4],
    pub w2: [f64; 4],
    pub b2: f64,
}

#[differentiable]
impl Layer2 {
    pub fn forward(&self, x: &[f64; 3]) -> f64 {
        let mut out = self.b2;
        for ((row, b), v) in self.w1.iter().zip(&self.b1).zip(&self.w2) {
            let z = row.iter().zip(x).map(|(a, c)| a * c).sum::<f64>() + b;
            out += v * z.tanh();
        }
        out
    }

    /// The same with the rows summed by a chain (unread rows count too).
    pub fn spread(&self) -> f64 {
        self.w1
            .iter()
            .zip(&self.b1)
            .zip(&self.w2)
            .map(|((row, b), v)| row[0] * b + v)
            .sum::<f64>()
            + self
                .w1
                .iter()
                .enumerate()
                .zip(&self.w2)
                .map(|((_k, _row), v)| *v)
                .sum::<f64>()
    }

    pub fn loss(&self, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
        let mut scratch = vec![0.0; ys.len()];
        for (k, (x, y)) in xs.iter().zip(ys).enumerate() {
            scratch[k] = self.forward(x) - y;
        }
        scratch.iter().map(|r| r * r).sum::<f64>() / ys.len() as f64
    }
}

#[test]
fn layer_written_with_nested_zips_and_a_scratch_vec() {
    let mut rng = Rng::named("layer2");
    let l = Layer2 {
        w1: core::array::from_fn(|_| core::array::from_fn(|_| rng.range(-1.0, 1.0))),
        b1: core::array::from_fn(|_| rng.range(-0.5, 0.5)),
        w2: core::array::from_fn(|_| rng.range(-1.0, 1.0)),
        b2: 0.1,
    };
    let xs: Vec<[f64; 3]> = (0..5)
        .map(|_| core::array::from_fn(|_| rng.range(-1.0, 1.0)))
        .collect();
    let ys: Vec<f64> = (0..5).map(|_| rng.range(-1.0, 1.0)).collect();
    let (sv, sg) = l.spread_grad();
    assert_eq!(sv, l.spread());
    assert_eq!(sg.w2, [2.0; 4]);
    assert_eq!(sg.b1, core::array::from_fn(|i| l.w1[i][0]));
    let (v, g) = l.loss_grad(&xs, &ys);
    assert_eq!(v, l.loss(&xs, &ys));
    let mut p = vec![0.0; Layer2::DIM];
    l.flatten_into(&mut p);
    let mut gf = vec![0.0; Layer2::DIM];
    g.flatten_into(&mut gf);
    let f = |q: &[f64]| l.with_flat(q).loss(&xs, &ys);
    for k in 0..Layer2::DIM {
        let mut e = vec![0.0; Layer2::DIM];
        e[k] = 1.0;
        assert_close(gf[k], central(&f, &p, &e), 1e-8, 1.0, &Layer2::names()[k]);
    }
}
