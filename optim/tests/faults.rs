//! Fault tests: every method against every fault, as one table. Each run is bounded (iteration
//! limits of [`LIMIT`], and the objective panics past [`MAX_CALLS`] calls so a hang fails fast
//! instead of blocking), must not panic, and must stop for the reason the table states.
//!
//! The "right reason" for each fault, whatever the method:
//!
//! | fault                                    | reason                                         |
//! |------------------------------------------|------------------------------------------------|
//! | NaN/inf value, gradient or HVP after k   | `Diverged`                                     |
//! | NaN start                                | `Diverged` at iteration 0, parameters unchanged|
//! | flat function (zero gradient)            | `Converged(GradNorm)` at iteration 0           |
//! | zero-dimensional problem                 | `Converged(GradNorm)` at iteration 0           |
//! | `max_iterations = 0`                     | `MaxIterations`, no step, one evaluation       |
//! | unbounded below (linear)                 | `Diverged` once the value overflows, else      |
//! |                                          | `MaxIterations` (first order: steps too small  |
//! |                                          | to overflow within the limit)                  |
//! | non-smooth `|x|`                         | first order: `MaxIterations` (oscillates);     |
//! |                                          | second order: as pinned in the table           |
//! | lr negative or NaN                       | `OptimError` at construction, no run           |
//! | lr 0                                     | first order: valid in torch, no move:          |
//! |                                          | `MaxIterations`; L-BFGS: `OptimError`          |
//! | lr 1e10 / inf                            | a run that ends `Diverged` or `MaxIterations`  |
//!
//! Newton-CG has no step-length parameter (its line search starts at 1); the trust region's
//! counterpart of the lr is its initial radius, tested in the same table.

use std::cell::Cell;

use autodiff_runtime::{Objective, ObjectiveError};
use optim::{
    minimize, AdadeltaConfig, AdagradConfig, AdamConfig, AdamWConfig, GradNorm, Lbfgs, LbfgsConfig,
    NAdamConfig, NewtonCg, NewtonCgConfig, NoObserver, NoSchedule, OptimError, Optimizer,
    RAdamConfig, RmsPropConfig, Rule, SgdConfig, Status, StopRules, TrustRegion, TrustRegionConfig,
};

/// The iteration limit of every run.
const LIMIT: usize = 50;
/// More objective calls than this is a hang.
const MAX_CALLS: usize = 20_000;

/// What goes wrong, and from which call of the objective on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    NanValue,
    InfValue,
    NanGrad,
    InfGrad,
    NanHvp,
}

/// The function under the faults.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Base {
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
struct Faulty {
    base: Base,
    fault: Fault,
    after: usize,
    calls: Cell<usize>,
}

impl Faulty {
    fn new(base: Base, fault: Fault, after: usize) -> Self {
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
enum Method {
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

const METHODS: [Method; 11] = [
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
struct Setup {
    /// The lr (the trust region's initial radius); `None`: the method's default.
    lr: Option<f64>,
    max_iterations: usize,
}

const NORMAL: Setup = Setup {
    lr: None,
    max_iterations: LIMIT,
};

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Outcome {
    status: Status,
    iterations: usize,
}

fn first_order<O: Optimizer<f64>>(
    opt: Result<O, OptimError>,
    obj: &Faulty,
    x: &mut [f64],
    setup: Setup,
) -> Result<Outcome, OptimError> {
    let mut opt = opt?;
    let rules = StopRules::max_iterations(setup.max_iterations).grad_norm(GradNorm::L2, 1e-8);
    let r = minimize(obj, x, &mut opt, &rules, &mut NoSchedule, &mut NoObserver);
    Ok(Outcome {
        status: r.status,
        iterations: r.iterations,
    })
}

/// Runs `method` on `obj` from `x` (updated in place).
fn run(method: Method, obj: &Faulty, x: &mut [f64], setup: Setup) -> Result<Outcome, OptimError> {
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

fn start(base: Base) -> Vec<f64> {
    match base {
        Base::Rosenbrock => vec![-1.2, 1.0],
        Base::Flat | Base::Linear => vec![0.5, -0.5],
        Base::Abs => vec![0.35, -0.2],
        Base::Huber => vec![5.0],
        Base::Empty => vec![],
    }
}

/// What a run must give.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// A run that stops for this reason.
    Run(Status),
    /// An `OptimError` at construction: no run, no evaluation.
    Error,
    /// Not applicable (no such parameter): the method runs and stops for this reason.
    Na(Status),
}

use Expect::{Error as E, Na, Run};
use Status::{Diverged as D, LineSearchFailed as Lsf, MaxIterations as Mi};
const GN: Status = Status::Converged(Rule::GradNorm);
const STEP: Status = Status::Converged(Rule::StepSize);

/// One fault: the problem, the fault, the setup, and the reason per method (in the order of
/// [`METHODS`]: Sgd, Adam, AdamW, RmsProp, Adagrad, Adadelta, NAdam, RAdam, Lbfgs, NewtonCg,
/// TrustRegion).
struct Case {
    name: &'static str,
    base: Base,
    fault: Fault,
    /// The fault starts after this many objective calls.
    after: usize,
    /// The start point, if not [`start`]'s.
    x0: Option<[f64; 2]>,
    setup: Setup,
    /// No step may be taken: zero iterations and the parameters unchanged.
    no_step: bool,
    expect: [Expect; 11],
}

const fn case(
    name: &'static str,
    base: Base,
    fault: Fault,
    after: usize,
    expect: [Expect; 11],
) -> Case {
    Case {
        name,
        base,
        fault,
        after,
        x0: None,
        setup: NORMAL,
        no_step: false,
        expect,
    }
}

const fn lr(lr: f64) -> Setup {
    Setup {
        lr: Some(lr),
        max_iterations: LIMIT,
    }
}

const ALL_D: [Expect; 11] = [Run(D); 11];

/// The table. The trust region treats a non-finite trial value as a failed step and shrinks,
/// so a fault that persists ends `Diverged` once the step no longer moves the iterate (27
/// shrinks from radius 1 here), still bounded.
fn cases() -> Vec<Case> {
    let fo = |s: Status| [Run(s); 8];
    let row = |first: [Expect; 8], lbfgs, ncg, tr| {
        let mut r = [Run(D); 11];
        r[..8].copy_from_slice(&first);
        r[8] = lbfgs;
        r[9] = ncg;
        r[10] = tr;
        r
    };
    vec![
        case(
            "NaN value after 3 calls",
            Base::Rosenbrock,
            Fault::NanValue,
            3,
            ALL_D,
        ),
        case(
            "inf value after 3 calls",
            Base::Rosenbrock,
            Fault::InfValue,
            3,
            ALL_D,
        ),
        case(
            "NaN gradient after 3 calls",
            Base::Rosenbrock,
            Fault::NanGrad,
            3,
            ALL_D,
        ),
        case(
            "inf gradient after 3 calls",
            Base::Rosenbrock,
            Fault::InfGrad,
            3,
            ALL_D,
        ),
        // First order and L-BFGS never ask for an HVP: their runs are unaffected.
        case(
            "NaN HVP after 1 call",
            Base::Rosenbrock,
            Fault::NanHvp,
            1,
            row(fo(Mi), Run(GN), Run(D), Run(D)),
        ),
        Case {
            x0: Some([f64::NAN, 1.0]),
            no_step: true,
            ..case("NaN start", Base::Rosenbrock, Fault::None, 0, ALL_D)
        },
        Case {
            no_step: true,
            ..case("flat", Base::Flat, Fault::None, 0, [Run(GN); 11])
        },
        Case {
            no_step: true,
            ..case(
                "zero-dimensional",
                Base::Empty,
                Fault::None,
                0,
                [Run(GN); 11],
            )
        },
        Case {
            setup: Setup {
                lr: None,
                max_iterations: 0,
            },
            no_step: true,
            ..case(
                "max_iterations 0",
                Base::Rosenbrock,
                Fault::None,
                0,
                [Run(Mi); 11],
            )
        },
        // L-BFGS: the strong-Wolfe search reaches its largest step (1e20) still decreasing.
        case(
            "unbounded below",
            Base::Linear,
            Fault::None,
            0,
            row(fo(Mi), Run(Lsf), Run(Mi), Run(Mi)),
        ),
        // |x|: Newton-CG's steepest-descent steps shrink to xtol at the kink; L-BFGS's line
        // search cannot satisfy the curvature condition across it.
        case(
            "non-smooth |x|",
            Base::Abs,
            Fault::None,
            0,
            row(fo(Mi), Run(Lsf), Run(STEP), Run(Mi)),
        ),
        // Started in the linear region: first order crawls at lr; the others reach 0.
        case(
            "Huber from its linear region",
            Base::Huber,
            Fault::None,
            0,
            row(fo(Mi), Run(GN), Run(GN), Run(GN)),
        ),
        // lr 0 is valid in torch (the first-order rules then do not move); L-BFGS needs a
        // positive step, the trust region a positive initial radius.
        Case {
            setup: lr(0.0),
            ..case(
                "lr 0",
                Base::Rosenbrock,
                Fault::None,
                0,
                row(fo(Mi), E, Na(Mi), E),
            )
        },
        Case {
            setup: lr(-1.0),
            ..case(
                "lr -1",
                Base::Rosenbrock,
                Fault::None,
                0,
                row([E; 8], E, Na(Mi), E),
            )
        },
        Case {
            setup: lr(f64::NAN),
            ..case(
                "lr NaN",
                Base::Rosenbrock,
                Fault::None,
                0,
                row([E; 8], E, Na(Mi), E),
            )
        },
        // The trust region's initial radius must stay below its largest radius (1000).
        Case {
            setup: lr(1e10),
            ..case(
                "lr 1e10",
                Base::Rosenbrock,
                Fault::None,
                0,
                [
                    Run(D),
                    Run(Mi),
                    Run(D),
                    Run(Mi),
                    Run(Mi),
                    Run(Mi),
                    Run(Mi),
                    Run(D),
                    Run(GN),
                    Na(Mi),
                    E,
                ],
            )
        },
        Case {
            setup: lr(f64::INFINITY),
            ..case(
                "lr inf",
                Base::Rosenbrock,
                Fault::None,
                0,
                row(fo(D), E, Na(Mi), E),
            )
        },
    ]
}

#[test]
fn every_method_against_every_fault() {
    let mut failures = Vec::new();
    for c in cases() {
        let obj = Faulty::new(c.base, c.fault, c.after);
        for (m, want) in METHODS.into_iter().zip(c.expect) {
            obj.calls.set(0);
            let x0 = c.x0.map_or_else(|| start(c.base), |x| x.to_vec());
            let mut x = x0.clone();
            let got = run(m, &obj, &mut x, c.setup);
            let ok = match (want, got) {
                (Run(s) | Na(s), Ok(o)) => {
                    o.status == s
                        && (!c.no_step
                            || (o.iterations == 0 && obj.calls.get() == 1 && same(&x, &x0)))
                }
                (E, Err(_)) => obj.calls.get() == 0,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{} / {m:?}: expected {want:?}, got {got:?}",
                    c.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Bitwise equality (NaN equals NaN).
fn same(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

// ---- one regression test per stop-reason defect of issue 12 (the table covers them too) ----

/// Newton-CG started where the Huber loss is linear (`|g| = 1`, zero curvature on the first CG
/// iteration) used to report `Converged(StepSize)` at the start point; it now takes the
/// steepest-descent direction and reaches the minimum.
#[test]
fn newton_cg_zero_curvature_takes_steepest_descent() {
    let obj = Faulty::new(Base::Huber, Fault::None, 0);
    let mut x = [5.0];
    let mut solver: NewtonCg<f64, [f64; 1]> = NewtonCgConfig::default().build(1).unwrap();
    let r = solver.minimize(&obj, &mut x).unwrap();
    assert_eq!(r.status, Status::Converged(Rule::GradNorm));
    assert!(r.iterations >= 1);
    assert_eq!(x, [0.0]);
}

/// With the gradient rule set, a step below `xtol` while the gradient is above its tolerance
/// is `NoProgress`, never convergence.
#[test]
fn newton_cg_small_step_with_large_gradient_is_not_convergence() {
    let obj = Faulty::new(Base::Rosenbrock, Fault::None, 0);
    let mut x = [-1.2, 1.0];
    let mut solver: NewtonCg<f64, [f64; 2]> = NewtonCgConfig::default()
        .xtol(1e3)
        .grad_norm(Some((GradNorm::L2, 1e-8)))
        .build(2)
        .unwrap();
    let r = solver.minimize(&obj, &mut x).unwrap();
    assert_eq!((r.status, r.iterations), (Status::NoProgress, 1));
    // Without the gradient rule it is scipy's step rule, as before.
    let mut x = [-1.2, 1.0];
    let mut scipy: NewtonCg<f64, [f64; 2]> = NewtonCgConfig::default().xtol(1e3).build(2).unwrap();
    let r = scipy.minimize(&obj, &mut x).unwrap();
    assert_eq!((r.status, r.iterations), (STEP, 1));
}

/// A NaN Hessian-vector product ends both Newton methods at once with `Diverged` (it used to
/// run `20 n` NaN CG iterations, or `max(20 n, 100)`, and end `NoProgress`).
#[test]
fn nan_hvp_is_diverged_at_once() {
    let obj = Faulty::new(Base::Rosenbrock, Fault::NanHvp, 0);
    let mut x = [-1.2, 1.0];
    let mut ncg: NewtonCg<f64, [f64; 2]> = NewtonCgConfig::default().build(2).unwrap();
    let r = ncg.minimize(&obj, &mut x).unwrap();
    assert_eq!((r.status, r.iterations, r.hvp_evals), (D, 0, 1));
    assert_eq!(x, [-1.2, 1.0]);
    let mut tr: TrustRegion<f64, [f64; 2]> = TrustRegionConfig::default().build(2).unwrap();
    let r = tr.minimize(&obj, &mut x).unwrap();
    assert_eq!((r.status, r.iterations, r.hvp_evals), (D, 0, 1));
    assert_eq!(x, [-1.2, 1.0]);
}

/// `max_iterations(0)` in the trust region: no step (it used to take one).
#[test]
fn trust_region_max_iterations_zero_takes_no_step() {
    let obj = Faulty::new(Base::Rosenbrock, Fault::None, 0);
    let mut x = [-1.2, 1.0];
    let mut tr: TrustRegion<f64, [f64; 2]> = TrustRegionConfig::default()
        .max_iterations(Some(0))
        .build(2)
        .unwrap();
    let r = tr.minimize(&obj, &mut x).unwrap();
    assert_eq!((r.status, r.iterations, r.value_evals), (Mi, 0, 1));
    assert_eq!(x, [-1.2, 1.0]);
}

/// `LbfgsConfig::lr` scales the minimizer's first trial step (lr 1e-10, 1 and 1e10 used to
/// give identical runs). lr 1 and 1e10 converge; lr 1e-10 makes every line search extrapolate
/// from 1e-10, so it spends many more evaluations and ends near the minimum (there its search
/// fails on rounding before the gradient rule fires).
#[test]
fn lbfgs_minimizer_honours_lr() {
    let rules = StopRules::max_iterations(500).grad_norm(GradNorm::L2, 1e-8);
    let runs: Vec<_> = [1e-10, 1.0, 1e10]
        .into_iter()
        .map(|lr| {
            let obj = Faulty::new(Base::Rosenbrock, Fault::None, 0);
            let mut x = [-1.2, 1.0];
            let mut opt: Lbfgs<f64, [f64; 2], [[f64; 2]; 10]> = LbfgsConfig::default()
                .lr(lr)
                .history_size(10)
                .build(2)
                .unwrap();
            let r = opt.minimize(&obj, &mut x, &rules);
            assert!(r.value < 1e-10, "lr {lr}: {r:?}");
            (r.status, r.value_evals)
        })
        .collect();
    assert_eq!(runs[0].0, Lsf);
    assert_eq!((runs[1].0, runs[2].0), (GN, GN));
    assert!(
        runs[0].1 > 10 * runs[1].1 && runs[2].1 != runs[1].1,
        "{runs:?}"
    );
}

/// A zero-dimensional problem is converged in every method (Newton-CG used to say
/// `MaxIterations`, its limit being `200 n = 0`), even with a zero gradient tolerance.
#[test]
fn zero_dimensional_is_converged_even_with_zero_tolerances() {
    let obj = Faulty::new(Base::Empty, Fault::None, 0);
    let mut ncg: NewtonCg<f64, [f64; 0]> = NewtonCgConfig::default().build(0).unwrap();
    assert_eq!(ncg.minimize(&obj, &mut []).unwrap().status, GN);
    let mut tr: TrustRegion<f64, [f64; 0]> =
        TrustRegionConfig::default().gtol(0.0).build(0).unwrap();
    assert_eq!(tr.minimize(&obj, &mut []).unwrap().status, GN);
    let mut lbfgs: Lbfgs<f64, [f64; 0], [[f64; 0]; 1]> =
        LbfgsConfig::default().history_size(1).build(0).unwrap();
    assert_eq!(
        lbfgs
            .minimize(&obj, &mut [], &StopRules::max_iterations(0))
            .status,
        GN
    );
    let mut sgd = SgdConfig::default().build::<f64, [f64; 0]>(0).unwrap();
    let r = minimize(
        &obj,
        &mut [],
        &mut sgd,
        &StopRules::max_iterations(5),
        &mut NoSchedule,
        &mut NoObserver,
    );
    assert_eq!((r.status, r.iterations), (GN, 0));
}
