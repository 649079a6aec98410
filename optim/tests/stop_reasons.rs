//! One regression test per stop-reason defect of issue 12 (section 3), on the fault-injecting
//! objective of `tests/fault_support`; `tests/faults.rs` runs every method against every fault.

mod fault_support;

use fault_support::{Base, Fault, Faulty};
use optim::{
    minimize, GradNorm, Lbfgs, LbfgsConfig, NewtonCg, NewtonCgConfig, Rule, SgdConfig, Status,
    StopRules, TrustRegion, TrustRegionConfig,
};

const GN: Status = Status::Converged(Rule::GradNorm);
const STEP: Status = Status::Converged(Rule::StepSize);
use Status::{Diverged as D, LineSearchFailed as Lsf, MaxIterations as Mi};

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
    let r = minimize(&obj, &mut [])
        .with(&mut sgd)
        .stop(StopRules::max_iterations(5))
        .run()
        .unwrap();
    assert_eq!((r.status, r.iterations), (GN, 0));
}

/// The other zero limits: an evaluation budget of 0 (one evaluation, no step), no CG
/// iterations (Newton-CG cannot make a direction: `NoProgress`, no HVP), an empty L-BFGS
/// history or inner loop (errors at construction).
#[test]
fn other_zero_limits() {
    let obj = Faulty::new(Base::Rosenbrock, Fault::None, 0);
    let rules = StopRules::max_iterations(10).max_evaluations(0);
    let mut x = [-1.2, 1.0];
    let mut sgd = SgdConfig::default().build::<f64, [f64; 2]>(2).unwrap();
    let r = minimize(&obj, &mut x)
        .with(&mut sgd)
        .stop(rules)
        .run()
        .unwrap();
    assert_eq!(
        (r.status, r.iterations, r.value_evals),
        (Status::MaxEvaluations, 0, 1)
    );
    let mut lbfgs: Lbfgs<f64, [f64; 2], [[f64; 2]; 3]> =
        LbfgsConfig::default().history_size(3).build(2).unwrap();
    let r = lbfgs.minimize(&obj, &mut x, &rules);
    assert_eq!(
        (r.status, r.iterations, r.value_evals),
        (Status::MaxEvaluations, 0, 1)
    );
    let mut ncg: NewtonCg<f64, [f64; 2]> = NewtonCgConfig::default()
        .max_cg_iterations(Some(0))
        .build(2)
        .unwrap();
    let r = ncg.minimize(&obj, &mut x).unwrap();
    assert_eq!(
        (r.status, r.iterations, r.hvp_evals),
        (Status::NoProgress, 0, 0)
    );
    assert_eq!(x, [-1.2, 1.0]);
    let e = LbfgsConfig::default()
        .history_size(0)
        .build::<f64, Vec<f64>, Vec<Vec<f64>>>(2);
    assert!(e.is_err());
    let e = LbfgsConfig::default()
        .max_iter(0)
        .build::<f64, Vec<f64>, Vec<Vec<f64>>>(2);
    assert!(e.is_err());
}
