//! Dataset training, random restarts and HESSE uncertainties:
//!
//! * (a) minibatch SGD fits notebook 004's line `y = x + 2` through 100 000 seeded noisy points
//!   in one epoch, reproducibly;
//! * (b) momentum SGD with 20 seeded random restarts on notebook 004's "nightmare" function
//!   keeps the lowest of the wells it finds, which is the global minimum;
//! * (c) the uncertainties of the chi-square line fit of `tests/data/minuit.json` (copied
//!   verbatim from `shared/oracle/data`) match iminuit's HESSE.

use std::cell::Cell;
use std::sync::OnceLock;

use autodiff_runtime::{check_gradient, from_fns, Objective};
use optim::minibatch::{train, MinibatchConfig, Reduction, TrainStatus};
use optim::restarts::{minimize_restarts, random_restarts, restarts_in};
use optim::rng::Rng;
use optim::uncertainty::{hesse, hesse_in, hesse_objective, UncertaintyError};
use optim::{GradNorm, NoSchedule, Optimizer, Rule, SgdConfig, Status, StepLr, StopRules};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// (a) minibatch SGD on 100 000 points
// ---------------------------------------------------------------------------------------------

/// Notebook 004, cell 32: `xs = linspace(0, 5, 100_000)`, `ys = xs * 1.0 + 2.0 + N(0, 0.5)`.
/// The notebook's `np.random` is unseeded; here the noise comes from `Rng::new(seed)`.
fn line_data(seed: u64) -> (Vec<f64>, Vec<f64>) {
    let n = 100_000;
    let mut rng = Rng::new(seed);
    let xs: Vec<f64> = (0..n).map(|i| 5.0 * i as f64 / (n - 1) as f64).collect();
    let ys = xs
        .iter()
        .map(|x| x + 2.0 + rng.normal_with(0.0, 0.5))
        .collect();
    (xs, ys)
}

/// Ordinary least squares `(m, c)` of the data (the best line the data allow).
fn least_squares(xs: &[f64], ys: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let m = sxy / sxx;
    (m, my - m * mx)
}

/// One epoch of the notebook's loop: mean gradient of `(m x + c - y)^2` over shuffled batches
/// of 16 (the short tail dropped, as `while subset_index + batch_size <= len(xs)`), plain SGD.
fn fit_line(xs: &[f64], ys: &[f64], shuffle_seed: u64) -> optim::minibatch::Training<f64> {
    let mut sgd = SgdConfig::default()
        .lr(0.01)
        .build::<f64, Vec<f64>>(2)
        .unwrap();
    let config = MinibatchConfig::default()
        .epochs(1)
        .batch_size(16)
        .drop_last(true)
        .seed(shuffle_seed);
    train(
        &[0.0, 0.0],
        xs.len(),
        &mut sgd,
        &config,
        &mut NoSchedule,
        |p, i, g| {
            let r = p[0] * xs[i] + p[1] - ys[i];
            g[0] += 2.0 * r * xs[i];
            g[1] += 2.0 * r;
            r * r
        },
    )
    .unwrap()
}

#[test]
fn minibatch_sgd_fits_the_line_in_one_epoch() {
    let (xs, ys) = line_data(4);
    let fit = fit_line(&xs, &ys, 7);
    let (m, c) = (fit.params[0], fit.params[1]);
    let (m_ls, c_ls) = least_squares(&xs, &ys);
    // 100 000 / 16 = 6250 full batches; 100 000 - 6250 * 16 = 0 dropped.
    assert_eq!(fit.report.status, TrainStatus::Completed);
    assert_eq!(fit.report.steps, 6250);
    assert_eq!(fit.report.examples_per_epoch, 100_000);
    assert_eq!(fit.epoch_losses.len(), 1);
    // The least-squares line of 100 000 points with noise 0.5 is within ~0.01 of the truth.
    assert!((m_ls - 1.0).abs() < 0.01 && (c_ls - 2.0).abs() < 0.02);
    // SGD's end point carries the stationary noise of constant-lr SGD. For this quadratic the
    // per-example gradient covariance is 2 sigma^2 H (H the Hessian of the mean loss), so the
    // iterate's covariance is about lr sigma^2 / (2 B) * 2 = lr sigma^2 / B per eigendirection:
    // 0.01 * 0.25 / 16, a standard deviation of 0.0125 (measured over 30 shuffle seeds: 0.012,
    // worst 0.028). The tolerances are 4 of those standard deviations.
    assert!(
        (m - 1.0).abs() < 0.05 && (c - 2.0).abs() < 0.05,
        "m = {m}, c = {c}"
    );
    assert!(
        (m - m_ls).abs() < 0.05 && (c - c_ls).abs() < 0.05,
        "m = {m} vs {m_ls}, c = {c} vs {c_ls}"
    );
    // The epoch's mean training loss: most of the epoch is spent at the fit, where the mean
    // loss is the noise variance 0.25 (plus the early batches far from it; measured 0.274).
    let mean = fit.mean_epoch_losses().next().unwrap();
    assert!(mean > 0.25 && mean < 0.3, "mean epoch loss {mean}");
}

#[test]
fn minibatch_is_reproducible_per_seed() {
    let (xs, ys) = line_data(4);
    let a = fit_line(&xs, &ys, 7);
    let b = fit_line(&xs, &ys, 7);
    let c = fit_line(&xs, &ys, 8);
    // Bitwise identical with the same seed.
    assert_eq!(a.params[0].to_bits(), b.params[0].to_bits());
    assert_eq!(a.params[1].to_bits(), b.params[1].to_bits());
    assert_eq!(a.epoch_losses[0].to_bits(), b.epoch_losses[0].to_bits());
    // Another shuffle ends elsewhere (but as good a fit).
    assert_ne!(a.params, c.params);
    assert_ne!(a.epoch_losses, c.epoch_losses);
    assert!((c.params[0] - 1.0).abs() < 0.05 && (c.params[1] - 2.0).abs() < 0.05);
}

#[test]
fn minibatch_batches_epochs_and_reductions() {
    // 10 examples, batches of 4: [4, 4, 2], or [4, 4] with drop_last.
    let seen = Cell::new([0usize; 10]);
    let count = |_: &[f64], i: usize, g: &mut [f64]| {
        let mut s = seen.get();
        s[i] += 1;
        seen.set(s);
        g[0] += 1.0;
        1.0
    };
    let mut sgd = SgdConfig::default()
        .lr(1.0)
        .build::<f64, Vec<f64>>(1)
        .unwrap();
    let keep = MinibatchConfig::default().epochs(3).batch_size(4).seed(1);
    let fit = train(&[0.0], 10, &mut sgd, &keep, &mut NoSchedule, count).unwrap();
    assert_eq!(fit.report.steps, 9);
    assert_eq!(fit.report.epochs, 3);
    assert_eq!(fit.epoch_losses, vec![10.0; 3]);
    // Every example exactly once per epoch.
    assert_eq!(seen.get(), [3; 10]);
    // Mean reduction: each step moves by lr * 1.
    assert_eq!(fit.params, vec![-9.0]);

    seen.set([0; 10]);
    let drop = keep.drop_last(true).reduction(Reduction::Sum);
    let fit = train(&[0.0], 10, &mut sgd, &drop, &mut NoSchedule, count).unwrap();
    assert_eq!(fit.report.steps, 6);
    assert_eq!(fit.report.examples_per_epoch, 8);
    assert_eq!(fit.epoch_losses, vec![8.0; 3]);
    assert_eq!(seen.get().iter().sum::<usize>(), 24);
    // Sum reduction: each step moves by lr * 4.
    assert_eq!(fit.params, vec![-24.0]);

    // Without shuffling the order is 0..n.
    let order = std::cell::RefCell::new(Vec::new());
    let fixed = keep.epochs(1).shuffle(false);
    train(&[0.0], 10, &mut sgd, &fixed, &mut NoSchedule, |_, i, _| {
        order.borrow_mut().push(i);
        0.0
    })
    .unwrap();
    assert_eq!(*order.borrow(), (0..10).collect::<Vec<_>>());

    // A per-epoch schedule: StepLr(step_size 1, gamma 0.5) halves the lr after each epoch.
    let mut sched = StepLr::new(1, 0.5).unwrap();
    let mut sgd2 = SgdConfig::default()
        .lr(1.0)
        .build::<f64, Vec<f64>>(1)
        .unwrap();
    let fit = train(
        &[0.0],
        4,
        &mut sgd2,
        &keep.batch_size(4),
        &mut sched,
        |_, _, g| {
            g[0] += 1.0;
            0.0
        },
    )
    .unwrap();
    assert_eq!(fit.params, vec![-1.75]);
    assert_eq!(sgd2.lr(), 0.125);

    // batch_size 0 is a typed error.
    assert!(train(
        &[0.0],
        10,
        &mut sgd,
        &keep.batch_size(0),
        &mut NoSchedule,
        count
    )
    .is_err());
}

#[test]
fn minibatch_stops_on_a_non_finite_batch() {
    let mut sgd = SgdConfig::default()
        .lr(1.0)
        .build::<f64, Vec<f64>>(1)
        .unwrap();
    let config = MinibatchConfig::default()
        .epochs(2)
        .batch_size(2)
        .shuffle(false);
    // Example 5 (the third batch of the first epoch) has a NaN loss.
    let fit = train(&[0.0], 6, &mut sgd, &config, &mut NoSchedule, |_, i, g| {
        g[0] += 1.0;
        if i == 5 {
            f64::NAN
        } else {
            1.0
        }
    })
    .unwrap();
    assert_eq!(
        fit.report.status,
        TrainStatus::Diverged { epoch: 0, batch: 2 }
    );
    assert_eq!(fit.report.steps, 2);
    assert_eq!(fit.params, vec![-2.0]);
    assert_eq!(fit.epoch_losses.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// (b) random restarts on the nightmare function
// ---------------------------------------------------------------------------------------------

const A: [f64; 2] = [-2.0, 3.0]; // notebook's `ctr`
const B: [f64; 2] = [3.0, 0.5]; // notebook's `false_ctr`

/// `w * exp(-|x - c|^2 / s)` and its gradient added into `g`.
fn gauss(x: &[f64], c: [f64; 2], s: f64, w: f64, g: &mut [f64]) -> f64 {
    let (dx, dy) = (x[0] - c[0], x[1] - c[1]);
    let e = w * (-(dx * dx + dy * dy) / s).exp();
    g[0] += -2.0 * dx / s * e;
    g[1] += -2.0 * dy / s * e;
    e
}

/// Notebook 004's `bad_function` ("3.7 A nightmare function"), by hand with its gradient:
///
/// ```text
/// L = - exp(-|x - a|^2 / 20)            deep, wide well at a = (-2, 3)
///     + exp(-|x + a|^2 / 20)            a hill at (2, -3)
///     - 0.08 exp(-6 |x + b|^2)          narrow well at -b = (-3, -0.5)
///     - 0.75 exp(-|x - b|^2 / 5)        well at b = (3, 0.5)
///     - 0.75 exp(-|x + b|^2 / 2)        well at -b
///     + exp(-2 (y + 1)^2)               the ridge along y = -1
/// ```
///
/// The converted notebook's third line is garbled (`np.exp(-(np.sum((theta+false_ctr, ord=2,
/// axis=1)*6)*0.08`, unbalanced); it is read as the narrow Gaussian well above, so the four
/// Gaussian wells are at a, -b (two terms) and b. Together with the hill and the ridge they make
/// four local minima (found numerically): -1.00850 at (-3.026, 0.254) (the global one),
/// -0.93782 at (-2.224, 3.331), -0.55130 at (2.475, 1.399) and -0.12899 at (-3.400, -2.042)
/// beyond the ridge.
fn nightmare(x: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    let neg = |c: [f64; 2]| [-c[0], -c[1]];
    let mut gt = [0.0; 2];
    let mut loss = 0.0;
    let mut term = |c, s, w: f64, sign: f64| {
        gt = [0.0; 2];
        let v = gauss(x, c, s, w, &mut gt);
        g[0] += sign * gt[0];
        g[1] += sign * gt[1];
        loss += sign * v;
    };
    term(A, 20.0, 1.0, -1.0);
    term(neg(A), 20.0, 1.0, 1.0);
    term(neg(B), 1.0 / 6.0, 0.08, -1.0);
    term(B, 5.0, 0.75, -1.0);
    term(neg(B), 2.0, 0.75, -1.0);
    // exp(-2 (y + 1)^2): d/dy = -4 (y + 1) e.
    let e = (-2.0 * (x[1] + 1.0).powi(2)).exp();
    g[1] += -4.0 * (x[1] + 1.0) * e;
    loss + e
}

fn nightmare_value(x: &[f64]) -> f64 {
    nightmare(x, &mut [0.0; 2])
}

/// The global minimum by a grid over [-6, 6]^2 refined by gradient descent.
fn nightmare_global_min() -> ([f64; 2], f64) {
    let mut best = ([0.0, 0.0], f64::INFINITY);
    for i in 0..=240 {
        for j in 0..=240 {
            let x = [-6.0 + 0.05 * i as f64, -6.0 + 0.05 * j as f64];
            let v = nightmare_value(&x);
            if v < best.1 {
                best = (x, v);
            }
        }
    }
    let mut x = best.0;
    let mut g = [0.0; 2];
    for _ in 0..20_000 {
        nightmare(&x, &mut g);
        x[0] -= 0.5 * g[0];
        x[1] -= 0.5 * g[1];
    }
    (x, nightmare_value(&x))
}

#[test]
fn nightmare_gradient_matches_finite_differences() {
    let mut rng = Rng::new(99);
    for _ in 0..50 {
        let mut x = [rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0)];
        let mut g = [0.0; 2];
        nightmare(&x, &mut g);
        let check = check_gradient(nightmare_value, &mut x, &g, 1e-6);
        assert!(check.passes(1e-7), "{check:?} at {x:?}");
    }
}

#[test]
fn restarts_with_momentum_find_the_lowest_well() {
    let obj = from_fns(2, nightmare_value, |x: &[f64], g: &mut [f64]| {
        nightmare(x, g)
    });
    // The notebook's `gradient_descent_restart_momentum(..., delta=0.2, alpha=0.9,
    // restarts=20)` with starts N(0, 2^2): v = alpha v + delta grad, x -= v, which is torch's
    // SGD with lr = delta and momentum = alpha (its buffer is v / delta).
    let mut sgd = SgdConfig::default()
        .lr(0.2)
        .momentum(0.9)
        .build::<f64, Vec<f64>>(2)
        .unwrap();
    let rules = StopRules::max_iterations(5000).grad_norm(GradNorm::L2, 1e-9);
    let sampler = |rng: &mut Rng, x: &mut [f64]| rng.fill_normal(x, 0.0, 2.0);
    let runs = minimize_restarts(&obj, &mut sgd, &rules, 20, 2024, sampler);
    assert_eq!(runs.runs.len(), 20);
    let best = runs.best().unwrap();

    // The kept run is the lowest of all the runs' end values (all are reported).
    for run in &runs.runs {
        assert!(best.value <= run.value);
        assert_eq!(run.value, run.result.value);
        assert_eq!(run.value, nightmare_value(&run.params));
    }
    // The runs end in the four distinct minima of the function (restarts matter here: most
    // starts miss the global one), and the best is the global minimum found independently.
    let mut wells: Vec<([f64; 2], f64)> = Vec::new();
    for run in &runs.runs {
        assert_eq!(run.result.status, Status::Converged(Rule::GradNorm));
        let p = [run.params[0], run.params[1]];
        if !wells
            .iter()
            .any(|(w, _)| (w[0] - p[0]).hypot(w[1] - p[1]) < 1e-6)
        {
            wells.push((p, run.value));
        }
    }
    assert_eq!(wells.len(), 4, "minima found: {wells:?}");
    let at_best = runs
        .runs
        .iter()
        .filter(|r| r.value - best.value < 1e-12)
        .count();
    assert!(
        at_best < 10,
        "{at_best} of 20 runs reach the global minimum"
    );
    let (x_star, f_star) = nightmare_global_min();
    assert!(
        (best.value - f_star).abs() < 1e-12,
        "best {} at {:?}, global {f_star} at {x_star:?}",
        best.value,
        best.params
    );
    assert!((best.params[0] - x_star[0]).hypot(best.params[1] - x_star[1]) < 1e-6);
    // Where it is: by the wells at -b, pulled up towards the deep wide well at a.
    assert!((best.params[0] + 3.0263).abs() < 1e-3 && (best.params[1] - 0.2537).abs() < 1e-3);
    assert!((f_star + 1.0085030488619).abs() < 1e-12);

    // Same seed: the same runs, bit for bit; another seed: other starts.
    let again = minimize_restarts(&obj, &mut sgd, &rules, 20, 2024, sampler);
    assert_eq!(again, runs);
    let other = minimize_restarts(&obj, &mut sgd, &rules, 20, 2025, sampler);
    assert_ne!(other.runs[0].start, runs.runs[0].start);
}

#[test]
fn restarts_in_agrees_with_random_restarts() {
    // The allocation-free variant keeps the same best end point.
    let descend = |_: usize, x: &mut [f64]| {
        let mut g = [0.0; 2];
        for _ in 0..3000 {
            nightmare(x, &mut g);
            x[0] -= 0.5 * g[0];
            x[1] -= 0.5 * g[1];
        }
        nightmare_value(x)
    };
    let sampler = |rng: &mut Rng, x: &mut [f64]| rng.fill_uniform(x, -5.0, 5.0);
    let all = random_restarts(2, 12, 5, sampler, descend);
    let (mut work, mut best) = ([0.0; 2], [0.0; 2]);
    let found = restarts_in(12, 5, &mut work, &mut best, sampler, descend).unwrap();
    let b = all.best().unwrap();
    assert_eq!(found.index, all.best_index.unwrap());
    assert_eq!(found.value, b.value);
    assert_eq!(best.to_vec(), b.params);
    // No runs, or only NaN scores: no best.
    assert!(random_restarts(2, 0, 5, sampler, descend).best().is_none());
    assert!(
        random_restarts(2, 3, 5, sampler, |_, _: &mut [f64]| f64::NAN)
            .best()
            .is_none()
    );
}

// ---------------------------------------------------------------------------------------------
// (c) HESSE uncertainties of the chi-square line fit (minuit.json)
// ---------------------------------------------------------------------------------------------

fn minuit() -> &'static Value {
    static DATA: OnceLock<Value> = OnceLock::new();
    DATA.get_or_init(|| serde_json::from_str(include_str!("data/minuit.json")).unwrap())
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().flat_map(floats).collect()
}

struct LineFit {
    x: Vec<f64>,
    y: Vec<f64>,
    yerr: Vec<f64>,
}

impl LineFit {
    fn load() -> Self {
        let data = &minuit()["line_fit"]["data"];
        let x = floats(&data["x"]);
        let y = floats(&data["y"]);
        let yerr = match &data["yerr"] {
            Value::Array(_) => floats(&data["yerr"]),
            v => vec![v.as_f64().unwrap(); x.len()],
        };
        assert_eq!((x.len(), y.len(), yerr.len()), (50, 50, 50));
        LineFit { x, y, yerr }
    }

    /// `chi2(m, c) = sum(((y - (m x + c)) / yerr)^2)` (the oracle's `cost`), with its gradient.
    fn chi2(&self, p: &[f64], g: &mut [f64]) -> f64 {
        g.fill(0.0);
        let mut chi2 = 0.0;
        for ((x, y), s) in self.x.iter().zip(&self.y).zip(&self.yerr) {
            let r = (y - (p[0] * x + p[1])) / s;
            chi2 += r * r;
            g[0] += -2.0 * r * x / s;
            g[1] += -2.0 * r / s;
        }
        chi2
    }

    /// The exact Hessian, constant for a linear model: `2 sum w [x^2, x; x, 1]`, `w = 1/yerr^2`.
    fn hessian(&self) -> [f64; 4] {
        let (mut sxx, mut sx, mut s1) = (0.0, 0.0, 0.0);
        for (x, s) in self.x.iter().zip(&self.yerr) {
            let w = 1.0 / (s * s);
            sxx += w * x * x;
            sx += w * x;
            s1 += w;
        }
        [2.0 * sxx, 2.0 * sx, 2.0 * sx, 2.0 * s1]
    }

    /// The minimum: the zero of the (linear) gradient, `p = -H^{-1} g(0)`.
    fn minimum(&self) -> [f64; 2] {
        let h = self.hessian();
        let mut g0 = [0.0; 2];
        self.chi2(&[0.0, 0.0], &mut g0);
        let det = h[0] * h[3] - h[1] * h[2];
        [
            -(h[3] * g0[0] - h[1] * g0[1]) / det,
            -(-h[2] * g0[0] + h[0] * g0[1]) / det,
        ]
    }
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Every entry within the relative tolerance.
fn assert_rel(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(rel(*g, *w) < tol, "{what}[{k}]: {g} vs {w}");
    }
}

#[test]
fn hesse_matches_iminuit_on_the_line_fit() {
    let fit = LineFit::load();
    let line = &minuit()["line_fit"];
    let closed = &line["closed_form"];
    let errordef = line["runs"]["handwritten_chi2"]["after_hesse"]["fmin"]["errordef"]
        .as_f64()
        .unwrap();
    assert_eq!(errordef, 1.0);

    // The minimum: closed form agrees with MIGRAD's (which stops at edm ~ 1e-21).
    let p = fit.minimum();
    let closed_values = floats(&closed["values"]);
    let mut g = [0.0; 2];
    let chi2 = fit.chi2(&p, &mut g);
    assert_rel(&p, &closed_values, 1e-12, "minimum");
    assert!(rel(chi2, closed["chi2_min"].as_f64().unwrap()) < 1e-12);
    assert!(g[0].abs() < 1e-9 && g[1].abs() < 1e-9, "{g:?}");

    // Covariance = 2 * errordef * H^{-1}; for this chi-square H = 2 X^T W X, so it is the
    // weighted-least-squares (X^T W X)^{-1} of `closed_form`, which we reproduce to rounding.
    let u = hesse(&fit.hessian(), 2, errordef).unwrap();
    let closed_cov = matrix(&closed["covariance"]);
    let closed_err = floats(&closed["errors"]);
    assert_rel(&u.covariance, &closed_cov, 1e-12, "closed-form covariance");
    assert_rel(&u.errors, &closed_err, 1e-12, "closed-form errors");

    // iminuit's HESSE (both runs: cost.LeastSquares and the handwritten chi2). HESSE uses
    // numerical second differences, so its numbers differ from the exact ones by its own
    // finite-difference error: 1.5e-7 relative on the covariance (7.6e-8 on the errors) here.
    // A tolerance of 1e-6 holds that with margin and still pins every digit that HESSE itself
    // gets right (and would catch a factor-2 slip in the errordef convention by a mile).
    for run in ["cost_LeastSquares", "handwritten_chi2"] {
        let h = &line["runs"][run]["after_hesse"];
        let errors = floats(&h["errors"]);
        let cov = matrix(&h["covariance"]);
        let corr = matrix(&h["correlation"]);
        assert!(rel(u.errors[0], 0.038415686) < 1e-6 && rel(u.errors[1], 0.222921785) < 1e-6);
        assert_rel(&u.errors, &errors, 1e-6, run);
        assert_rel(&u.covariance, &cov, 1e-6, run);
        assert_rel(&u.correlation, &corr, 1e-6, run);
        // ... and HESSE's own error is not negligible at that scale: the check is not vacuous.
        assert!(rel(u.covariance[0], cov[0]) > 1e-8);
        // The correlation of m and c: -0.86164...
        assert!((u.corr(0, 1) - corr[1]).abs() < 1e-6);
        assert_eq!(u.corr(0, 1), u.corr(1, 0));
        // MIGRAD's values match our minimum.
        assert_rel(&p, &floats(&h["values"]), 1e-9, run);
    }

    // The same through an `Objective` with a Hessian-vector product
    // (`autodiff_runtime::hessian_into`).
    let h = fit.hessian();
    let obj = from_fns(
        2,
        |p: &[f64]| fit.chi2(p, &mut [0.0; 2]),
        |p: &[f64], g: &mut [f64]| fit.chi2(p, g),
    )
    .with_hvp(|p: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        hv[0] = h[0] * v[0] + h[1] * v[1];
        hv[1] = h[2] * v[0] + h[3] * v[1];
        fit.chi2(p, g)
    });
    let via_obj = hesse_objective(&obj, &p, errordef).unwrap();
    assert_eq!(via_obj, u);

    // A negative log-likelihood has errordef 0.5: for the Gaussian likelihood nll = chi2 / 2,
    // H_nll = H / 2 and 2 * 0.5 * H_nll^{-1} is the same covariance.
    let h_nll: Vec<f64> = h.iter().map(|v| v / 2.0).collect();
    let nll = hesse(&h_nll, 2, 0.5).unwrap();
    assert_rel(&nll.covariance, &u.covariance, 1e-14, "nll");
}

#[test]
fn hesse_rejects_a_hessian_that_is_not_positive_definite() {
    let (mut cov, mut err, mut corr) = ([0.0; 4], [0.0; 2], [0.0; 4]);
    // A saddle (Himmelblau-like indefinite Hessian), a maximum, and a flat direction.
    for (h, index) in [
        ([2.0, 3.0, 3.0, 2.0], 1),
        ([-1.0, 0.0, 0.0, -1.0], 0),
        ([1.0, 1.0, 1.0, 1.0], 1),
    ] {
        assert_eq!(
            hesse_in(&h, 2, 1.0, &mut cov, &mut err, &mut corr),
            Err(UncertaintyError::NotPositiveDefinite { index })
        );
        assert_eq!(
            hesse(&h, 2, 1.0),
            Err(UncertaintyError::NotPositiveDefinite { index })
        );
    }
    // An objective without a Hessian-vector product.
    let obj = from_fns(
        1,
        |x: &[f64]| x[0] * x[0],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            x[0] * x[0]
        },
    );
    assert_eq!(obj.dim(), 1);
    assert_eq!(
        hesse_objective(&obj, &[0.0], 1.0),
        Err(UncertaintyError::Objective(
            autodiff_runtime::ObjectiveError::NoHvp
        ))
    );
    assert_eq!(
        hesse(&[1.0], 1, -1.0),
        Err(UncertaintyError::InvalidErrordef)
    );
}
