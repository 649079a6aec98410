//! Saving and resuming: every method stopped after k steps, its state saved (through postcard
//! with the `serde` feature, as a checkpoint file would be; a copy without it) and loaded into a
//! freshly built optimizer and schedule, then resumed, takes bit for bit the steps of the run
//! that was never stopped and ends with the same report. Here: the first-order methods through
//! the driver, each with one of the schedules.

mod fault_support;
mod resume_support;

use optim::schedule::{
    CosineAnnealingLr, CosineAnnealingWarmRestarts, ExponentialLr, LambdaLr, LinearLr, MultiStepLr,
    OneCycleLr, PolynomialLr, ReduceLrOnPlateau, SequentialLr, StepLr, ThresholdMode,
};
use optim::state::{DriverState, StateError, Stateful};
use optim::{
    minimize, minimize_in, resume_in, Adadelta, AdadeltaConfig, Adagrad, AdagradConfig, Adam,
    AdamConfig, AdamW, AdamWConfig, NAdam, NAdamConfig, NoSchedule, OptimError, Optimizer, RAdam,
    RAdamConfig, RmsProp, RmsPropConfig, Scheduler, Sgd, SgdConfig, Status, StopRules,
};
use resume_support::{rosenbrock, run_of, through_disk, Saved, Trace, X0};

const TOTAL: usize = 40;

/// One first-order method with one schedule: the uninterrupted run of `TOTAL` steps against
/// runs stopped after `k` steps, saved, loaded into fresh values and resumed.
fn check_first_order<O, Sch>(
    build: impl Fn() -> O,
    from_state: impl Fn(O::State) -> Result<O, StateError>,
    schedule: impl Fn() -> Sch,
) where
    O: Optimizer<f64> + Stateful,
    O::State: Saved,
    Sch: Scheduler + Stateful,
    Sch::State: Saved,
{
    let obj = rosenbrock();
    let rules = StopRules::max_iterations(TOTAL).loss_change(0.0);
    let (mut x, mut g) = (X0, [0.0; 2]);
    let (mut opt, mut sch, mut trace) = (build(), schedule(), Trace::default());
    let full = minimize_in(&obj, &mut x, &mut g, &mut opt, &rules, &mut sch, &mut trace);
    assert_eq!(full.status, Status::MaxIterations, "{full:?}");
    let full_lr = opt.lr();
    let expected = run_of(&full, &x, trace);
    for k in [0, 1, 7, 23, TOTAL] {
        let (mut y, mut first) = (X0, Trace::default());
        let (mut opt, mut sch, mut driver) = (build(), schedule(), DriverState::new());
        let stop = StopRules::max_iterations(k).loss_change(0.0);
        let r = resume_in(
            &obj,
            &mut y,
            &mut g,
            &mut opt,
            &stop,
            &mut sch,
            &mut first,
            &mut driver,
        );
        assert_eq!(r.iterations, k);
        // A new process: everything from the saved states.
        let saved = (
            through_disk(&opt.state()),
            through_disk(&sch.state()),
            through_disk(&driver),
            through_disk(&y.to_vec()),
        );
        let mut opt = from_state(saved.0).unwrap();
        let mut sch = schedule();
        sch.load_state(saved.1).unwrap();
        let mut driver = saved.2;
        y.copy_from_slice(&saved.3);
        let mut rest = Trace::default();
        let r = resume_in(
            &obj,
            &mut y,
            &mut g,
            &mut opt,
            &rules,
            &mut sch,
            &mut rest,
            &mut driver,
        );
        let resumed = run_of(&r, &y, first.then(rest));
        assert_eq!(resumed, expected, "after a stop at {k}");
        assert_eq!(
            opt.lr().to_bits(),
            full_lr.to_bits(),
            "lr after a stop at {k}"
        );
    }
}

#[test]
fn sgd_with_step_lr() {
    let config = SgdConfig::default().lr(1e-4).momentum(0.9).nesterov(true);
    check_first_order(
        || config.build::<f64, Vec<f64>>(2).unwrap(),
        Sgd::from_state,
        || StepLr::new(5, 0.5).unwrap(),
    );
}

#[test]
fn sgd_fixed_size_with_exponential_lr() {
    let config = SgdConfig::default().lr(1e-4).momentum(0.5).dampening(0.1);
    check_first_order(
        || config.build::<f64, [f64; 2]>(2).unwrap(),
        Sgd::from_state,
        || ExponentialLr::new(0.97).unwrap(),
    );
}

#[test]
fn adam_amsgrad_with_plateau() {
    let config = AdamConfig::default()
        .lr(0.05)
        .amsgrad(true)
        .weight_decay(0.01);
    // Patience 1 and a large threshold: the lr drops several times on both sides of a split.
    let plateau = || {
        ReduceLrOnPlateau::new()
            .patience(1)
            .threshold(0.05, ThresholdMode::Rel)
            .cooldown(2)
            .factor(0.5)
    };
    check_first_order(
        || config.build::<f64, [f64; 2]>(2).unwrap(),
        Adam::from_state,
        plateau,
    );
}

#[test]
fn adamw_with_warm_restarts() {
    let config = AdamWConfig::default().lr(0.05).weight_decay(0.1);
    check_first_order(
        || config.build::<f64, Vec<f64>>(2).unwrap(),
        AdamW::from_state,
        || CosineAnnealingWarmRestarts::new(3, 2, 0.001).unwrap(),
    );
}

#[test]
fn rmsprop_with_one_cycle() {
    let config = RmsPropConfig::default()
        .lr(1e-3)
        .centered(true)
        .momentum(0.5);
    check_first_order(
        || config.build::<f64, Vec<f64>>(2).unwrap(),
        RmsProp::from_state,
        || OneCycleLr::new(0.01, TOTAL as u64).unwrap(),
    );
}

#[test]
fn adagrad_with_warm_up_then_cosine() {
    let config = AdagradConfig::default()
        .lr(0.1)
        .lr_decay(0.01)
        .initial_accumulator_value(0.1);
    check_first_order(
        || config.build::<f64, Vec<f64>>(2).unwrap(),
        Adagrad::from_state,
        || {
            SequentialLr::new(
                LinearLr::new(0.1, 1.0, 5).unwrap(),
                CosineAnnealingLr::new(10, 0.01).unwrap(),
                5,
            )
        },
    );
}

#[test]
fn adadelta_with_multi_step() {
    let config = AdadeltaConfig::default().lr(1.0).weight_decay(0.01);
    check_first_order(
        || config.build::<f64, Vec<f64>>(2).unwrap(),
        Adadelta::from_state,
        || MultiStepLr::new([3, 10, 30], 0.5).unwrap(),
    );
}

#[test]
fn nadam_with_polynomial() {
    let config = NAdamConfig::default().lr(0.02);
    check_first_order(
        || config.build::<f64, [f64; 2]>(2).unwrap(),
        NAdam::from_state,
        || PolynomialLr::new(60, 2.0).unwrap(),
    );
}

#[test]
fn radam_with_lambda() {
    let config = RAdamConfig::default()
        .lr(1e-4)
        .weight_decay(0.01)
        .decoupled_weight_decay(true);
    check_first_order(
        || config.build::<f64, Vec<f64>>(2).unwrap(),
        RAdam::from_state,
        || LambdaLr::new(|e: u64| 1.0 / (1.0 + 0.1 * e as f64)),
    );
}

#[test]
fn no_schedule_is_stateless() {
    let config = AdamConfig::default().lr(0.01);
    check_first_order(
        || config.build::<f64, Vec<f64>>(2).unwrap(),
        Adam::from_state,
        || NoSchedule,
    );
}

/// The builder's `resume`: the same checkpoint round trip through
/// `minimize(..).with(&mut adam).schedule(&mut schedule).resume(&mut driver)`, against the
/// builder's uninterrupted `run`; and its errors, which leave the driver state as it was.
#[test]
fn builder_resumes() {
    let obj = rosenbrock();
    let config = AdamConfig::default().lr(0.05);
    let plateau = || ReduceLrOnPlateau::new().patience(1).factor(0.5);
    let rules = StopRules::max_iterations(TOTAL).loss_change(0.0);
    let (mut x, mut trace) = (X0, Trace::default());
    let full = minimize(&obj, &mut x)
        .with(config)
        .schedule(plateau())
        .stop(rules)
        .observer(&mut trace)
        .run()
        .unwrap();
    let expected = run_of(&full, &x, trace);
    for k in [0, 1, 7, TOTAL] {
        let (mut y, mut first, mut rest) = (X0, Trace::default(), Trace::default());
        let (mut adam, mut sch) = (config.build::<f64, [f64; 2]>(2).unwrap(), plateau());
        let mut driver = DriverState::new();
        let r = minimize(&obj, &mut y)
            .with(&mut adam)
            .schedule(&mut sch)
            .stop(StopRules::max_iterations(k).loss_change(0.0))
            .observer(&mut first)
            .resume(&mut driver)
            .unwrap();
        assert_eq!(r.iterations, k);
        let saved = (
            through_disk(&adam.state()),
            through_disk(&sch.state()),
            through_disk(&driver),
        );
        let mut sch = plateau();
        sch.load_state(saved.1).unwrap();
        let mut driver = saved.2;
        let r = minimize(&obj, &mut y)
            .with(Adam::from_state(saved.0).unwrap())
            .schedule(sch)
            .stop(rules)
            .observer(&mut rest)
            .resume(&mut driver)
            .unwrap();
        let resumed = run_of(&r, &y, first.then(rest));
        assert_eq!(resumed, expected, "after a stop at {k}");
    }
    let mut driver = DriverState::new();
    let adam3 = || config.build::<f64, Vec<f64>>(3).unwrap();
    let mut y = vec![0.0; 2];
    let err = minimize(&obj, &mut y).with(adam3()).resume(&mut driver);
    let what = "the optimizer";
    assert!(matches!(err, Err(OptimError::Length { what: w, len: 3, dim: 2, .. }) if w == what));
    let mut z = vec![0.0; 3];
    let err = minimize(&obj, &mut z).with(adam3()).resume(&mut driver);
    let what = "the parameter vector";
    assert!(matches!(err, Err(OptimError::Length { what: w, len: 3, dim: 2, .. }) if w == what));
    assert_eq!(
        (driver, y, z),
        (DriverState::new(), vec![0.0; 2], vec![0.0; 3])
    );
}

/// The code of the first fenced block after `heading` in a Markdown text (or in `//!` crate docs
/// given with the prefix stripped), without rustdoc's hidden `# ` lines.
fn block_after(text: &str, heading: &str) -> String {
    let rest = &text[text.find(heading).expect("the heading") + heading.len()..];
    let start = rest.find("```").expect("a code block");
    let body = &rest[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let end = body.find("```").expect("the block's end");
    body[..end]
        .lines()
        .filter(|l| !l.starts_with("# ") && *l != "#")
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn readme_example_is_the_crate_docs_doctest() {
    let docs: String = include_str!("../src/lib.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let doctest = block_after(&docs, "# Saving and resuming");
    let readme = block_after(include_str!("../../README.md"), "### Saving and resuming")
        .replace("autodiff::optim::", "optim::")
        .replace("use autodiff::from_fns;", "use autodiff_runtime::from_fns;");
    assert_eq!(readme, doctest);
}
