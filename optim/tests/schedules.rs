//! The schedules of `optim::schedule` against torch's formulas, bit for bit: the expected lrs in
//! `tests/data/schedules.json` come from `tests/data/schedules_oracle.py`, a plain-float
//! transcription of what `scheduler.step()` does in torch 2.x (constructor step included). Also
//! gradient clipping against torch's `clip_grad_norm_` / `clip_grad_value_` formulas.

use std::sync::OnceLock;

use optim::{
    clip_grad_norm, clip_grad_norm_with, clip_grad_value, minimize, Anneal, ClipNorm,
    CosineAnnealingLr, CosineAnnealingWarmRestarts, ExponentialLr, LambdaLr, LinearLr, MultiStepLr,
    OneCycleLr, Optimizer, PolynomialLr, Scheduler, SequentialLr, SgdConfig, StopRules,
};
use serde_json::Value;

fn oracle() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| serde_json::from_str(include_str!("data/schedules.json")).unwrap())
}

/// An optimizer that only holds an lr.
struct LrOnly(f64);

impl Optimizer<f64> for LrOnly {
    fn dim(&self) -> usize {
        0
    }
    fn step(&mut self, _params: &mut [f64], _grad: &[f64]) {}
    fn lr(&self) -> f64 {
        self.0
    }
    fn set_lr(&mut self, lr: f64) {
        self.0 = lr;
    }
    fn reset(&mut self) {}
}

/// Starts `schedule` on an optimizer with lr `lr0`, steps it, and compares every lr (the one
/// after `start`, then after each update) with the oracle's, bit for bit.
fn check<S: Scheduler>(case: &str, lr0: f64, mut schedule: S) {
    let want: Vec<f64> = oracle()[case]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let mut opt = LrOnly(lr0);
    schedule.start(&mut opt);
    // A second start does nothing.
    schedule.start(&mut opt);
    let mut got = vec![opt.lr()];
    for _ in 1..want.len() {
        schedule.update(&mut opt, 0.0);
        got.push(opt.lr());
    }
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            g.to_bits(),
            w.to_bits(),
            "{case}: epoch {k}: {g:e} vs torch {w:e}"
        );
    }
}

#[test]
fn multistep_lr() {
    check(
        "multistep",
        0.05,
        MultiStepLr::new([3, 6, 6, 9], 0.1).unwrap(),
    );
}

#[test]
fn linear_lr() {
    check("linear_up", 0.05, LinearLr::new(0.05, 1.0, 8).unwrap());
    check("linear_down", 0.1, LinearLr::new(1.0, 0.1, 5).unwrap());
}

#[test]
fn polynomial_lr() {
    check("polynomial", 0.05, PolynomialLr::new(7, 0.9).unwrap());
}

#[test]
fn lambda_lr() {
    check(
        "lambda",
        0.1,
        LambdaLr::new(|e: u64| 0.95f64.powf(e as f64)),
    );
}

#[test]
fn cosine_annealing_warm_restarts() {
    let s = CosineAnnealingWarmRestarts::new(3, 2, 0.001).unwrap();
    check("warm_restarts", 0.1, s);
    let s = CosineAnnealingWarmRestarts::new(4, 1, 0.0).unwrap();
    check("warm_restarts_mult1", 0.1, s);
}

#[test]
fn one_cycle_lr() {
    check("one_cycle", 0.0, OneCycleLr::new(0.1, 20).unwrap());
    let s = OneCycleLr::with(0.1, 20, 0.25, Anneal::Linear, 10.0, 100.0, true).unwrap();
    check("one_cycle_linear_three_phase", 0.0, s);
    // Past total_steps the lr stays (torch raises).
    let mut s = OneCycleLr::new(0.1, 20).unwrap();
    let mut opt = LrOnly(0.0);
    s.start(&mut opt);
    for _ in 0..25 {
        s.update(&mut opt, 0.0);
    }
    let last = oracle()["one_cycle"].as_array().unwrap()[20]
        .as_f64()
        .unwrap();
    assert_eq!(opt.lr(), last);
}

#[test]
fn sequential_lr_warm_up_then_decay() {
    let warmup = LinearLr::new(0.1, 1.0, 5).unwrap();
    let cosine = CosineAnnealingLr::new(10, 0.001).unwrap();
    check(
        "sequential_linear_cosine",
        0.1,
        SequentialLr::new(warmup, cosine, 5),
    );
    let warmup = LinearLr::new(0.25, 1.0, 4).unwrap();
    let decay = ExponentialLr::new(0.9).unwrap();
    check(
        "sequential_linear_exponential",
        0.1,
        SequentialLr::new(warmup, decay, 4),
    );
}

#[test]
fn invalid_schedules_are_errors() {
    assert!(MultiStepLr::new([1], -0.1).is_err());
    assert!(LinearLr::new(0.0, 1.0, 5).is_err());
    assert!(LinearLr::new(0.5, 1.5, 5).is_err());
    assert!(PolynomialLr::new(0, 1.0).is_err());
    assert!(PolynomialLr::new(5, f64::NAN).is_err());
    assert!(CosineAnnealingWarmRestarts::new(0, 1, 0.0).is_err());
    assert!(CosineAnnealingWarmRestarts::new(3, 0, 0.0).is_err());
    assert!(OneCycleLr::new(0.1, 0).is_err());
    assert!(OneCycleLr::new(f64::NAN, 10).is_err());
    // pct_start * total_steps = 1: torch divides 0 by 0 at step 0.
    assert!(OneCycleLr::with(0.1, 10, 0.1, Anneal::Cos, 25.0, 1e4, false).is_err());
    assert!(OneCycleLr::with(0.1, 10, 1.5, Anneal::Cos, 25.0, 1e4, false).is_err());
}

/// The driver starts the schedule: the first step already uses the warm-up's lr.
#[test]
fn driver_starts_the_schedule() {
    let obj = autodiff_runtime::from_fns(
        1,
        |x: &[f64]| x[0] * x[0],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            x[0] * x[0]
        },
    );
    let mut sgd = SgdConfig::default()
        .lr(0.1)
        .build::<f64, Vec<f64>>(1)
        .unwrap();
    let mut x = [1.0];
    let mut schedule = LinearLr::new(0.5, 1.0, 4).unwrap();
    let r = minimize(&obj, &mut x)
        .with(&mut sgd)
        .stop(StopRules::max_iterations(1))
        .schedule(&mut schedule)
        .run()
        .unwrap();
    assert_eq!(r.iterations, 1);
    // One SGD step with lr 0.1 * 0.5 from x = 1: x - 0.05 * 2.
    assert_eq!(x, [1.0 - 0.05 * 2.0]);
}

#[test]
fn clip_grad_norm_as_torch() {
    // torch: clip_coef = max_norm / (total_norm + 1e-6), clamped to 1, multiplied in.
    let mut g = [3.0, 4.0];
    assert_eq!(clip_grad_norm(&mut g, 1.0).unwrap(), 5.0);
    let coef = 1.0 / (5.0 + 1e-6);
    assert_eq!(g, [3.0 * coef, 4.0 * coef]);
    // Below max_norm: multiplied by 1.0, unchanged.
    let mut g = [0.3, -0.4];
    assert_eq!(clip_grad_norm(&mut g, 1.0).unwrap(), 0.5);
    assert_eq!(g, [0.3, -0.4]);
    // f32 gradients: the coefficient rounded to f32.
    let mut g32 = [3.0f32, 4.0];
    clip_grad_norm(&mut g32, 2.0).unwrap();
    let c32 = (2.0 / (5.0 + 1e-6)) as f32;
    assert_eq!(g32, [3.0 * c32, 4.0 * c32]);
    // Other norms.
    let mut g = [1.0, -2.0, 2.0];
    assert_eq!(
        clip_grad_norm_with(&mut g, 1.0, ClipNorm::Inf).unwrap(),
        2.0
    );
    let c = 1.0 / (2.0 + 1e-6);
    assert_eq!(g, [c, -2.0 * c, 2.0 * c]);
    let mut g = [1.0, -2.0, 2.0];
    assert_eq!(
        clip_grad_norm_with(&mut g, 10.0, ClipNorm::P(1.0)).unwrap(),
        5.0
    );
    assert_eq!(g, [1.0, -2.0, 2.0]);
    // Non-finite gradient: the norm says so and the gradient becomes NaN (torch without
    // error_if_nonfinite); empty gradient: norm 0.
    let mut g = [f64::NAN, 1.0];
    assert!(clip_grad_norm(&mut g, 1.0).unwrap().is_nan());
    assert!(g[1].is_nan());
    assert_eq!(clip_grad_norm::<f64>(&mut [], 1.0).unwrap(), 0.0);
    // Errors, with the gradient untouched.
    let mut g = [3.0, 4.0];
    assert!(clip_grad_norm(&mut g, -1.0).is_err());
    assert!(clip_grad_norm(&mut g, f64::NAN).is_err());
    assert!(clip_grad_norm_with(&mut g, 1.0, ClipNorm::P(0.0)).is_err());
    assert_eq!(g, [3.0, 4.0]);
}

#[test]
fn clip_grad_value_as_torch() {
    let mut g = [3.0, -0.5, -7.0, f64::NAN];
    clip_grad_value(&mut g, 1.0).unwrap();
    assert_eq!(&g[..3], &[1.0, -0.5, -1.0]);
    assert!(g[3].is_nan());
    let mut g = [0.1f32, -0.2];
    clip_grad_value(&mut g, 0.0).unwrap();
    assert_eq!(g, [0.0, 0.0]);
    assert!(clip_grad_value(&mut g, -1.0).is_err());
    assert!(clip_grad_value(&mut g, f64::NAN).is_err());
}
