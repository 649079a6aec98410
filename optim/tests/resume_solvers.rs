//! Saving and resuming L-BFGS (both its minimizer and torch's `LBFGS.step`), Newton-CG and
//! trust region: stopped after k iterations, saved, loaded into a fresh solver and resumed,
//! each takes bit for bit the steps of the run that was never stopped (history, line-search
//! memory and trust radius included) and ends with the same report.

mod fault_support;
mod resume_support;

use optim::lbfgs::LbfgsHistory;
use optim::state::{LbfgsState, Stateful};
use optim::{
    minimize, GradNorm, Lbfgs, LbfgsConfig, Method, NewtonCg, NewtonCgConfig, Report, Rule, Status,
    StopRules, Storage, TrustRegion, TrustRegionConfig,
};
use resume_support::{rosenbrock, run_of, through_disk, Saved, Trace, X0};

const SPLITS: [usize; 5] = [0, 1, 4, 9, 17];

/// [`Lbfgs::minimize_observed`] stopped at each split and resumed with
/// [`Lbfgs::resume_observed`].
fn lbfgs_minimize<S, H>(build: impl Fn() -> Lbfgs<f64, S, H>)
where
    S: Storage<f64> + Clone,
    H: LbfgsHistory<f64, S> + Clone,
    LbfgsState<f64, S, H>: Saved,
{
    let obj = rosenbrock();
    let rules = StopRules::max_iterations(100).grad_norm(GradNorm::L2, 1e-9);
    let (mut x, mut trace) = (X0, Trace::default());
    let full = build().minimize_observed(&obj, &mut x, &rules, &mut trace);
    assert_eq!(
        full.status,
        Status::Converged(optim::Rule::GradNorm),
        "{full:?}"
    );
    assert!(full.iterations > 20, "{full:?}");
    let expected = run_of(&full, &x, trace);
    for k in SPLITS {
        let (mut y, mut first, mut lbfgs) = (X0, Trace::default(), build());
        let mut stop = rules;
        stop.max_iterations = k;
        lbfgs.minimize_observed(&obj, &mut y, &stop, &mut first);
        let saved = through_disk(&lbfgs.state());
        let mut lbfgs = Lbfgs::<f64, S, H>::from_state(saved).unwrap();
        let mut rest = Trace::default();
        let r = lbfgs.resume_observed(&obj, &mut y, &rules, &mut rest);
        let resumed = run_of(&r, &y, first.then(rest));
        assert_eq!(resumed, expected, "after a stop at {k}");
    }
}

#[test]
fn lbfgs_minimize_resumes() {
    let config = LbfgsConfig::default().history_size(3);
    lbfgs_minimize(|| config.build::<f64, Vec<f64>, Vec<Vec<f64>>>(2).unwrap());
}

#[test]
fn lbfgs_minimize_fixed_size_resumes() {
    let config = LbfgsConfig::default().history_size(3);
    lbfgs_minimize(|| config.build::<f64, [f64; 2], [[f64; 2]; 3]>(2).unwrap());
}

/// torch's `LBFGS.step(closure)` called 8 times, against 3 calls, a save (torch's
/// `state_dict()` round trip) and 5 calls of a fresh optimizer.
fn lbfgs_torch_steps(config: LbfgsConfig) {
    let obj = rosenbrock();
    let build = || config.build::<f64, Vec<f64>, Vec<Vec<f64>>>(2).unwrap();
    let (mut x, mut lbfgs) = (X0, build());
    let losses: Vec<u64> = (0..8).map(|_| lbfgs.step(&obj, &mut x).to_bits()).collect();
    let (mut y, mut first) = (X0, build());
    let mut resumed: Vec<u64> = (0..3).map(|_| first.step(&obj, &mut y).to_bits()).collect();
    let mut second = Lbfgs::from_state(through_disk(&first.state())).unwrap();
    resumed.extend((0..5).map(|_| second.step(&obj, &mut y).to_bits()));
    assert_eq!(resumed, losses);
    assert_eq!(y.map(f64::to_bits), x.map(f64::to_bits));
    assert_eq!(
        (second.n_iter(), second.func_evals(), second.history_len()),
        (lbfgs.n_iter(), lbfgs.func_evals(), lbfgs.history_len())
    );
    assert!(lbfgs.history_len() == 3, "the history wrapped around");
}

#[test]
fn lbfgs_torch_step_resumes() {
    lbfgs_torch_steps(LbfgsConfig::default().history_size(3).max_iter(4).lr(0.5));
}

#[test]
fn lbfgs_torch_step_strong_wolfe_resumes() {
    lbfgs_torch_steps(
        LbfgsConfig::default()
            .history_size(3)
            .max_iter(4)
            .strong_wolfe(true),
    );
}

/// A second-order solver: `run(limit, x, trace)` from a fresh solver (no limit: the whole run)
/// against runs stopped at each split, whose solver's state is saved, loaded by `resume` (with
/// the limit lifted) and resumed.
fn check_second_order<Sv>(
    run: impl Fn(Option<usize>, &mut [f64], &mut Trace) -> (Report<f64>, Sv),
    resume: impl Fn(Sv::State, &mut [f64], &mut Trace) -> Report<f64>,
) where
    Sv: Stateful,
    Sv::State: Saved,
{
    let (mut x, mut trace) = (X0, Trace::default());
    let (full, _) = run(None, &mut x, &mut trace);
    assert!(matches!(full.status, Status::Converged(_)), "{full:?}");
    assert!(full.iterations > 17, "{full:?}");
    let expected = run_of(&full, &x, trace);
    for k in SPLITS {
        let (mut y, mut first, mut rest) = (X0, Trace::default(), Trace::default());
        let (r, solver) = run(Some(k), &mut y, &mut first);
        assert_eq!((r.status, r.iterations), (Status::MaxIterations, k));
        let r = resume(through_disk(&solver.state()), &mut y, &mut rest);
        let resumed = run_of(&r, &y, first.followed_by(rest));
        assert_eq!(resumed, expected, "after a stop at {k}");
    }
}

#[test]
fn newton_cg_resumes() {
    let obj = rosenbrock();
    check_second_order(
        |limit, x, trace| {
            let config = NewtonCgConfig::default().max_iterations(limit);
            let mut solver = config.build::<f64, [f64; 2]>(2).unwrap();
            (solver.minimize_observed(&obj, x, trace).unwrap(), solver)
        },
        |mut saved, x, trace| {
            saved.param_group.max_iterations = None;
            let mut solver = NewtonCg::from_state(saved).unwrap();
            solver.resume_observed(&obj, x, trace).unwrap()
        },
    );
}

#[test]
fn trust_region_resumes() {
    let obj = rosenbrock();
    check_second_order(
        |limit, x, trace| {
            let config = TrustRegionConfig::default()
                .gtol(1e-9)
                .max_iterations(limit);
            let mut solver = config.build::<f64, Vec<f64>>(2).unwrap();
            (solver.minimize_observed(&obj, x, trace).unwrap(), solver)
        },
        |mut saved, x, trace| {
            saved.param_group.max_iterations = None;
            if saved.progress.iterations > 4 {
                assert_ne!(saved.radius, 1.0, "the radius has moved and is saved");
            }
            let mut solver = TrustRegion::from_state(saved).unwrap();
            solver.resume_observed(&obj, x, trace).unwrap()
        },
    );
}

/// A second-order solver run through `minimize(..)` under the caller's rules (merged with the
/// config's): stopped at each split and at the last two iterations by the iteration limit,
/// saved, loaded by `from_state` and resumed with `resume_under` under the full rules, against
/// the uninterrupted run. The full run ends on the loss-change rule, so the value it compares
/// against must survive the checkpoint.
fn check_through_minimize<Sv>(
    build: impl Fn() -> Sv,
    from_state: impl Fn(Sv::State) -> Sv,
    resume: impl Fn(&mut Sv, &StopRules, &mut [f64], &mut Trace) -> Report<f64>,
) where
    Sv: Stateful,
    Sv::State: Saved,
    for<'a> &'a mut Sv: Method<f64, [f64; 2]>,
{
    let obj = rosenbrock();
    let rules = StopRules::max_iterations(100).loss_change(1e-10);
    let (mut x, mut trace) = (X0, Trace::default());
    let full = minimize(&obj, &mut x)
        .with(&mut build())
        .stop(rules)
        .observer(&mut trace)
        .run()
        .unwrap();
    assert_eq!(full.status, Status::Converged(Rule::LossChange), "{full:?}");
    let expected = run_of(&full, &x, trace);
    for k in SPLITS
        .into_iter()
        .chain([full.iterations - 1, full.iterations])
    {
        let (mut y, mut first, mut rest) = (X0, Trace::default(), Trace::default());
        let mut solver = build();
        let mut stop = rules;
        stop.max_iterations = k;
        let r = minimize(&obj, &mut y)
            .with(&mut solver)
            .stop(stop)
            .observer(&mut first)
            .run()
            .unwrap();
        assert_eq!(r.iterations, k);
        let mut solver = from_state(through_disk(&solver.state()));
        let r = resume(&mut solver, &rules, &mut y, &mut rest);
        let resumed = run_of(&r, &y, first.followed_by(rest));
        assert_eq!(resumed, expected, "after a stop at {k}");
    }
}

#[test]
fn newton_cg_resumes_through_minimize() {
    let obj = rosenbrock();
    check_through_minimize(
        || {
            NewtonCgConfig::default()
                .xtol(0.0)
                .build::<f64, [f64; 2]>(2)
                .unwrap()
        },
        |saved| NewtonCg::from_state(saved).unwrap(),
        |solver, rules, x, trace| solver.resume_under(&obj, x, rules, trace).unwrap(),
    );
}

#[test]
fn trust_region_resumes_through_minimize() {
    let obj = rosenbrock();
    check_through_minimize(
        || {
            TrustRegionConfig::default()
                .gtol(0.0)
                .build::<f64, Vec<f64>>(2)
                .unwrap()
        },
        |saved| TrustRegion::from_state(saved).unwrap(),
        |solver, rules, x, trace| solver.resume_under(&obj, x, rules, trace).unwrap(),
    );
}
