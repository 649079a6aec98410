//! The shared test fixtures: the fault-injecting objective and the method runners of
//! `tests/faults.rs`, `tests/stop_reasons.rs` and the entry point's tests (`tests/minimize*.rs`).
// Shared by several test crates, each of which uses only part of it.
#![allow(dead_code)]

use std::cell::Cell;

use autodiff_runtime::{Objective, ObjectiveError};
use optim::{
    minimize, AdadeltaConfig, AdagradConfig, AdamConfig, AdamWConfig, GradNorm, Iterate, Lbfgs,
    LbfgsConfig, NAdamConfig, NewtonCg, NewtonCgConfig, OptimError, Optimizer, RAdamConfig, Report,
    RmsPropConfig, SgdConfig, Status, StopRules, TrustRegion, TrustRegionConfig,
};

/// The iteration limit of every run.
pub const LIMIT: usize = 50;
/// More objective calls than this is a hang.
pub const MAX_CALLS: usize = 20_000;

/// What goes wrong, and from which call of the objective on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    None,
    NanValue,
    InfValue,
    NanGrad,
    InfGrad,
    NanHvp,
}

/// The function under the faults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Base {
    /// Rosenbrock in 2 dimensions (a run that does not converge within 3 evaluations).
    Rosenbrock,
    /// `f = 3`.
    Flat,
    /// `f = -(x0 + x1)`: unbounded below, zero Hessian.
    Linear,
    /// `f = |x0| + |x1|`.
    Abs,
    /// Huber loss (`delta = 1`) in 1 dimension: zero curvature where `|x| > 1`.
    Huber,
    /// No parameters, `f = 0`.
    Empty,
}

impl Base {
    fn dim(self) -> usize {
        match self {
            Base::Empty => 0,
            Base::Huber => 1,
            _ => 2,
        }
    }

    /// Value, gradient and (if `v` is given) Hessian times `v`.
    fn eval(self, x: &[f64], g: &mut [f64], hv: Option<(&[f64], &mut [f64])>) -> f64 {
        let (f, h): (f64, [[f64; 2]; 2]) = match self {
            Base::Rosenbrock => {
                let (a, b) = (x[1] - x[0] * x[0], 1.0 - x[0]);
                g[0] = -400.0 * x[0] * a - 2.0 * b;
                g[1] = 200.0 * a;
                let h00 = 1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0;
                let h01 = -400.0 * x[0];
                (100.0 * a * a + b * b, [[h00, h01], [h01, 200.0]])
            }
            Base::Flat => {
                g.fill(0.0);
                (3.0, [[0.0; 2]; 2])
            }
            Base::Linear => {
                g.fill(-1.0);
                (-(x[0] + x[1]), [[0.0; 2]; 2])
            }
            Base::Abs => {
                for (gi, &xi) in g.iter_mut().zip(x) {
                    *gi = if xi == 0.0 { 0.0 } else { xi.signum() };
                }
                (x[0].abs() + x[1].abs(), [[0.0; 2]; 2])
            }
            Base::Huber => {
                let inside = x[0].abs() <= 1.0;
                g[0] = if inside { x[0] } else { x[0].signum() };
                let f = if inside {
                    0.5 * x[0] * x[0]
                } else {
                    x[0].abs() - 0.5
                };
                (f, [[f64::from(u8::from(inside)), 0.0], [0.0; 2]])
            }
            Base::Empty => (0.0, [[0.0; 2]; 2]),
        };
        if let Some((v, hv)) = hv {
            for (i, hvi) in hv.iter_mut().enumerate() {
                *hvi = (0..v.len()).map(|j| h[i][j] * v[j]).sum();
            }
        }
        f
    }
}

/// An objective that injects `fault` into every call after the first `after` calls (value,
/// value-and-gradient and Hessian-vector product calls all count).
pub struct Faulty {
    pub base: Base,
    pub fault: Fault,
    pub after: usize,
    pub calls: Cell<usize>,
}

impl Faulty {
    pub fn new(base: Base, fault: Fault, after: usize) -> Self {
        Faulty {
            base,
            fault,
            after,
            calls: Cell::new(0),
        }
    }

    /// Counts a call; whether the fault is active for it.
    fn call(&self) -> bool {
        let c = self.calls.get() + 1;
        self.calls.set(c);
        assert!(
            c <= MAX_CALLS,
            "{:?}: {c} objective calls, a hang",
            self.base
        );
        c > self.after
    }

    fn inject(&self, active: bool, f: f64, g: &mut [f64], hv: Option<&mut [f64]>) -> f64 {
        if !active {
            return f;
        }
        match self.fault {
            Fault::None => f,
            Fault::NanValue => f64::NAN,
            Fault::InfValue => f64::INFINITY,
            Fault::NanGrad | Fault::InfGrad => {
                if let Some(g0) = g.first_mut() {
                    *g0 = if self.fault == Fault::NanGrad {
                        f64::NAN
                    } else {
                        f64::INFINITY
                    };
                }
                f
            }
            Fault::NanHvp => {
                if let Some(h0) = hv.and_then(|h| h.first_mut()) {
                    *h0 = f64::NAN;
                }
                f
            }
        }
    }
}

impl Objective<f64> for Faulty {
    fn dim(&self) -> usize {
        self.base.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        let active = self.call();
        let mut g = vec![0.0; self.dim()];
        let f = self.base.eval(x, &mut g, None);
        self.inject(active, f, &mut g, None)
    }
    fn value_grad(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let active = self.call();
        let f = self.base.eval(x, g, None);
        self.inject(active, f, g, None)
    }
    fn hvp(
        &self,
        x: &[f64],
        v: &[f64],
        g: &mut [f64],
        hv: &mut [f64],
    ) -> Result<f64, ObjectiveError> {
        let active = self.call();
        let f = self.base.eval(x, g, Some((v, &mut *hv)));
        Ok(self.inject(active, f, g, Some(hv)))
    }
}

/// Every method: the eight first-order rules through the driver, then the second-order ones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    Sgd,
    Adam,
    AdamW,
    RmsProp,
    Adagrad,
    Adadelta,
    NAdam,
    RAdam,
    Lbfgs,
    NewtonCg,
    TrustRegion,
}

pub const METHODS: [Method; 11] = [
    Method::Sgd,
    Method::Adam,
    Method::AdamW,
    Method::RmsProp,
    Method::Adagrad,
    Method::Adadelta,
    Method::NAdam,
    Method::RAdam,
    Method::Lbfgs,
    Method::NewtonCg,
    Method::TrustRegion,
];

/// How a run is set up.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// The lr (the trust region's initial radius); `None`: the method's default.
    pub lr: Option<f64>,
    pub max_iterations: usize,
}

pub const NORMAL: Setup = Setup {
    lr: None,
    max_iterations: LIMIT,
};

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub iterations: usize,
}

pub fn first_order<O: Optimizer<f64>>(
    opt: Result<O, OptimError>,
    obj: &Faulty,
    x: &mut [f64],
    setup: Setup,
) -> Result<Outcome, OptimError> {
    let mut opt = opt?;
    let rules = StopRules::max_iterations(setup.max_iterations).grad_norm(GradNorm::L2, 1e-8);
    let r = minimize(obj, x).with(&mut opt).stop(rules).run().unwrap();
    Ok(Outcome {
        status: r.status,
        iterations: r.iterations,
    })
}

/// Runs `method` on `obj` from `x` (updated in place).
pub fn run(
    method: Method,
    obj: &Faulty,
    x: &mut [f64],
    setup: Setup,
) -> Result<Outcome, OptimError> {
    let n = obj.dim();
    macro_rules! fo {
        ($cfg:ty, $default_lr:expr) => {{
            let lr = setup.lr.unwrap_or($default_lr);
            first_order(
                <$cfg>::default().lr(lr).build::<f64, Vec<f64>>(n),
                obj,
                x,
                setup,
            )
        }};
    }
    match method {
        Method::Sgd => fo!(SgdConfig, 1e-3),
        Method::Adam => fo!(AdamConfig, 1e-2),
        Method::AdamW => fo!(AdamWConfig, 1e-2),
        Method::RmsProp => fo!(RmsPropConfig, 1e-3),
        Method::Adagrad => fo!(AdagradConfig, 1e-2),
        Method::Adadelta => fo!(AdadeltaConfig, 1.0),
        Method::NAdam => fo!(NAdamConfig, 1e-2),
        Method::RAdam => fo!(RAdamConfig, 1e-2),
        Method::Lbfgs => {
            let mut opt: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = LbfgsConfig::default()
                .lr(setup.lr.unwrap_or(1.0))
                .build(n)?;
            let rules =
                StopRules::max_iterations(setup.max_iterations).grad_norm(GradNorm::L2, 1e-8);
            let r = opt.minimize(obj, x, &rules);
            Ok(Outcome {
                status: r.status,
                iterations: r.iterations,
            })
        }
        Method::NewtonCg => {
            let mut opt: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default()
                .max_iterations(Some(setup.max_iterations))
                .build(n)?;
            let r = opt.minimize(obj, x).expect("the objective has an HVP");
            Ok(Outcome {
                status: r.status,
                iterations: r.iterations,
            })
        }
        Method::TrustRegion => {
            let mut opt: TrustRegion<f64, Vec<f64>> = TrustRegionConfig::default()
                .initial_trust_radius(setup.lr.unwrap_or(1.0))
                .max_iterations(Some(setup.max_iterations))
                .build(n)?;
            let r = opt.minimize(obj, x).expect("the objective has an HVP");
            Ok(Outcome {
                status: r.status,
                iterations: r.iterations,
            })
        }
    }
}

pub fn start(base: Base) -> Vec<f64> {
    match base {
        Base::Rosenbrock => vec![-1.2, 1.0],
        Base::Flat | Base::Linear => vec![0.5, -0.5],
        Base::Abs => vec![0.35, -0.2],
        Base::Huber => vec![5.0],
        Base::Empty => vec![],
    }
}

/// Runs `method` through the single entry point [`minimize`] under `rules`, with the lrs that
/// keep the first-order rules stable on Rosenbrock, showing `observe` every iterate.
pub fn minimize_with<O, C>(
    method: Method,
    obj: &O,
    x: &mut [f64],
    rules: StopRules,
    observe: C,
) -> Result<Report<f64>, OptimError>
where
    O: Objective<f64> + ?Sized,
    C: FnMut(&Iterate<f64>),
{
    let run = minimize(obj, x).stop(rules).observe(observe);
    match method {
        Method::Sgd => run.with(SgdConfig::default().lr(1e-4)).run(),
        Method::Adam => run.with(AdamConfig::default().lr(1e-2)).run(),
        Method::AdamW => run.with(AdamWConfig::default().lr(1e-2)).run(),
        Method::RmsProp => run.with(RmsPropConfig::default().lr(1e-3)).run(),
        Method::Adagrad => run.with(AdagradConfig::default().lr(1e-1)).run(),
        Method::Adadelta => run.with(AdadeltaConfig::default()).run(),
        Method::NAdam => run.with(NAdamConfig::default().lr(1e-2)).run(),
        Method::RAdam => run.with(RAdamConfig::default().lr(1e-2)).run(),
        Method::Lbfgs => run.with(LbfgsConfig::default()).run(),
        Method::NewtonCg => run.with(NewtonCgConfig::default()).run(),
        Method::TrustRegion => run.with(TrustRegionConfig::default()).run(),
    }
}

/// Rosenbrock's value, gradient and Hessian-vector product (the fixtures' `Faulty` without a
/// fault), and its start point.
pub fn rosenbrock() -> (Faulty, Vec<f64>) {
    (
        Faulty::new(Base::Rosenbrock, Fault::None, 0),
        vec![-1.2, 1.0],
    )
}

/// `f = x^2` in one dimension, without a Hessian-vector product.
pub fn square<F: autodiff_runtime::Float>() -> impl Objective<F> {
    autodiff_runtime::from_fns(
        1,
        |x: &[F]| x[0] * x[0],
        |x: &[F], g: &mut [F]| {
            g[0] = x[0] + x[0];
            x[0] * x[0]
        },
    )
}
