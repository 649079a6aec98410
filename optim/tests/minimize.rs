//! The single entry point `minimize(&objective, &mut x).with(..).stop(..).observe(..).run()`:
//! its defaults, `Box<dyn Optimizer>` wherever an optimizer goes, closure observers, storage
//! inference without annotations, errors, progress lines, and that it runs exactly what the
//! lower layer (the driver, each solver's own `minimize`) runs. The rules on every method:
//! `tests/minimize_rules.rs`.

mod fault_support;

use autodiff_runtime::{from_fns, Objective, ObjectiveError};
use fault_support::{rosenbrock, square};
use optim::{
    minimize, minimize_in, minimize_restarts, train, AdamConfig, GradNorm, History, Iterate, Lbfgs,
    LbfgsConfig, MinibatchConfig, NewtonCg, NewtonCgConfig, NoObserver, NoSchedule, OptimError,
    Optimizer, Progress, Report, Rule, Sgd, SgdConfig, Status, StopRules, TrustRegion,
    TrustRegionConfig,
};

#[test]
fn default_rules_and_method_converge() {
    // L-BFGS until max |g| <= 1e-5 (scipy's BFGS default), at most 1000 iterations.
    let (obj, mut x) = rosenbrock();
    let r = minimize(&obj, &mut x).run().unwrap();
    assert_eq!(r.status, Status::Converged(Rule::GradNorm));
    let mut g = [0.0; 2];
    obj.value_grad(&x, &mut g);
    assert!(GradNorm::Inf.of(&g) <= 1e-5);
    assert!(
        (x[0] - 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4,
        "{x:?}"
    );
    assert_eq!(r.grad_norm, GradNorm::L2.of(&g));
    assert_eq!((r.hvp_evals, r.grad_evals), (0, r.value_evals));
}

/// The entry point runs exactly what the lower layer runs, bit for bit.
#[test]
fn same_runs_as_the_lower_layer() {
    let (obj, x0) = rosenbrock();
    // First order: the driver with the caller's buffers.
    let rules = StopRules::max_iterations(300);
    let mut adam = AdamConfig::default()
        .lr(0.05)
        .build::<f64, [f64; 2]>(2)
        .unwrap();
    let (mut x1, mut g) = ([-1.2, 1.0], [0.0; 2]);
    let r1 = minimize_in(
        &obj,
        &mut x1,
        &mut g,
        &mut adam,
        &rules,
        &mut NoSchedule,
        &mut NoObserver,
    );
    let mut x2 = [-1.2, 1.0];
    let r2 = minimize(&obj, &mut x2)
        .with(AdamConfig::default().lr(0.05))
        .stop(rules)
        .run();
    assert_eq!((r2.unwrap(), x2), (r1, x1));
    // L-BFGS.
    let rules = StopRules::max_iterations(200).grad_norm(GradNorm::L2, 1e-10);
    let mut lbfgs: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = LbfgsConfig::default().build(2).unwrap();
    let mut x1 = x0.clone();
    let r1 = lbfgs.minimize(&obj, &mut x1, &rules);
    let mut x2 = x0.clone();
    let r2 = minimize(&obj, &mut x2)
        .with(LbfgsConfig::default())
        .stop(rules)
        .run();
    assert_eq!((r2.unwrap(), x2), (r1, x1));
    // Newton-CG and the trust region under only their own rules and scipy's limit 200 n.
    let scipy = StopRules::max_iterations(400);
    let mut ncg: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default().build(2).unwrap();
    let mut x1 = x0.clone();
    let r1 = ncg.minimize(&obj, &mut x1).unwrap();
    let mut x2 = x0.clone();
    let r2 = minimize(&obj, &mut x2)
        .with(NewtonCgConfig::default())
        .stop(scipy)
        .run();
    assert_eq!((r2.unwrap(), x2), (r1, x1));
    let mut tr: TrustRegion<f64, Vec<f64>> = TrustRegionConfig::default().build(2).unwrap();
    let mut x1 = x0.clone();
    let r1 = tr.minimize(&obj, &mut x1).unwrap();
    let mut x2 = x0.clone();
    let r2 = minimize(&obj, &mut x2).with(&mut tr).stop(scipy).run();
    assert_eq!((r2.unwrap(), x2), (r1, x1));
    assert_eq!(r1.status, Status::Converged(Rule::GradNorm));
}

/// `method` on Rosenbrock from its start under `rules`.
fn on_rosenbrock(method: impl optim::Method<f64, Vec<f64>>, rules: StopRules) -> Report<f64> {
    let (obj, mut x) = rosenbrock();
    minimize(&obj, &mut x)
        .with(method)
        .stop(rules)
        .run()
        .unwrap()
}

/// A config's own iteration limit still applies through the entry point (the smaller one).
#[test]
fn solver_limits_merge_with_the_rules() {
    let ncg = NewtonCgConfig::default().max_iterations(Some(2));
    let r = on_rosenbrock(ncg, StopRules::max_iterations(5));
    assert_eq!((r.status, r.iterations), (Status::MaxIterations, 2));
    let tr = TrustRegionConfig::default().max_iterations(Some(9));
    let r = on_rosenbrock(tr, StopRules::max_iterations(3));
    assert_eq!((r.status, r.iterations), (Status::MaxIterations, 3));
}

fn sgd(dim: usize) -> Sgd<f64, Vec<f64>> {
    SgdConfig::default()
        .lr(1e-4)
        .momentum(0.9)
        .build(dim)
        .unwrap()
}

/// `Box<dyn Optimizer<f64>>` goes wherever an optimizer goes, with the concrete optimizer's
/// results.
#[test]
fn boxed_optimizers_everywhere() {
    let (obj, x0) = rosenbrock();
    let rules = StopRules::max_iterations(40);
    let mut x_concrete = x0.clone();
    let concrete = minimize(&obj, &mut x_concrete)
        .with(sgd(2))
        .stop(rules)
        .run()
        .unwrap();
    // Owned, and lent.
    let boxed: Box<dyn Optimizer<f64>> = Box::new(sgd(2));
    let mut x = x0.clone();
    let r = minimize(&obj, &mut x)
        .with(boxed)
        .stop(rules)
        .run()
        .unwrap();
    assert_eq!((r, &x), (concrete, &x_concrete));
    let mut boxed: Box<dyn Optimizer<f64>> = Box::new(sgd(2));
    let mut x = x0.clone();
    let r = minimize(&obj, &mut x)
        .with(&mut boxed)
        .stop(rules)
        .run()
        .unwrap();
    assert_eq!((r, &x), (concrete, &x_concrete));
    // The driver, restarts, minibatch training, schedules.
    let mut boxed: Box<dyn Optimizer<f64>> = Box::new(sgd(2));
    let mut x = x0.clone();
    let mut g = [0.0; 2];
    let r = minimize_in(
        &obj,
        &mut x,
        &mut g,
        &mut boxed,
        &rules,
        &mut NoSchedule,
        &mut NoObserver,
    );
    assert_eq!((r, &x), (concrete, &x_concrete));
    let runs = minimize_restarts(&obj, &mut boxed, &rules, 3, 7, |rng, x| {
        rng.fill_uniform(x, -1.0, 1.0)
    });
    let plain = minimize_restarts(&obj, &mut sgd(2), &rules, 3, 7, |rng, x| {
        rng.fill_uniform(x, -1.0, 1.0)
    });
    assert_eq!(runs.best().unwrap().params, plain.best().unwrap().params);
    let data = [1.0, 2.0, 3.0, 4.0];
    let example = |p: &[f64], i: usize, g: &mut [f64]| {
        let r = p[0] - data[i];
        g[0] += r;
        r * r / 2.0
    };
    let config = MinibatchConfig::default().epochs(2).batch_size(2).seed(3);
    let mut boxed: Box<dyn Optimizer<f64>> = Box::new(sgd(1));
    let a = train(&[0.0], 4, &mut boxed, &config, &mut NoSchedule, example).unwrap();
    let b = train(&[0.0], 4, &mut sgd(1), &config, &mut NoSchedule, example).unwrap();
    assert_eq!(a.params, b.params);
    let mut step = optim::StepLr::new(1, 0.5).unwrap();
    optim::Scheduler::update(&mut step, &mut boxed, 0.0);
    assert_eq!(boxed.lr(), 0.5e-4);
}

/// The common calls compile with no type annotation: arrays (state in arrays), `Vec`s and
/// sub-slices (state in `Vec`s), `f32`, closure observers with an untyped argument.
#[test]
fn storage_and_closures_are_inferred() {
    let obj = from_fns(
        2,
        |x: &[f64]| x[0] * x[0] + x[1] * x[1],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            g[1] = 2.0 * x[1];
            x[0] * x[0] + x[1] * x[1]
        },
    );
    let mut array = [1.0, -1.0];
    let mut last = 0;
    let r = minimize(&obj, &mut array)
        .with(AdamConfig::default().lr(0.1))
        .observe(|it| last = it.iteration)
        .run();
    assert_eq!(r.unwrap().iterations, last);
    let mut vec = vec![1.0, -1.0];
    assert!(minimize(&obj, &mut vec).run().is_ok());
    let mut longer = [1.0, -1.0, 7.0];
    assert!(minimize(&obj, &mut longer[..2])
        .with(SgdConfig::default().lr(0.1))
        .run()
        .is_ok());
    assert_eq!(longer[2], 7.0);
    let obj32 = square::<f32>();
    let mut x32 = [3.0f32];
    let r = minimize(&obj32, &mut x32)
        .with(SgdConfig::default().lr(0.25))
        .stop(StopRules::max_iterations(3))
        .run();
    assert_eq!((r.unwrap().iterations, x32), (3, [0.375]));
}

/// Closure observers and observer values chain, in order.
#[test]
fn observers_chain() {
    let (obj, mut x) = rosenbrock();
    let mut history = History::new();
    let mut order = Vec::new();
    let r = minimize(&obj, &mut x)
        .stop(StopRules::max_iterations(3))
        .observe(|it: &Iterate<f64>| order.push(("first", it.iteration)))
        .observer(&mut history)
        .observe(|it: &Iterate<f64>| assert!(it.grad.len() == 2 && it.x.len() == 2))
        .run()
        .unwrap();
    assert_eq!(
        order,
        [("first", 0), ("first", 1), ("first", 2), ("first", 3)]
    );
    assert_eq!(history.values.len(), r.iterations + 1);
    assert_eq!(history.iterates[3], x);
}

#[test]
fn errors_not_panics() {
    let (obj, _) = rosenbrock();
    // Parameters or a ready-made optimizer of another dimension.
    let mut x3 = vec![0.0; 3];
    assert_eq!(
        minimize(&obj, &mut x3).run().unwrap_err(),
        OptimError::Length {
            component: "minimize",
            what: "the parameter vector",
            len: 3,
            dim: 2
        }
    );
    let mut x = [0.0, 0.0];
    let err = minimize(&obj, &mut x).with(sgd(3)).run().unwrap_err();
    assert!(matches!(
        err,
        OptimError::Length {
            what: "the optimizer",
            len: 3,
            dim: 2,
            ..
        }
    ));
    let ncg: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default().build(1).unwrap();
    assert!(matches!(
        minimize(&obj, &mut x).with(ncg).run(),
        Err(OptimError::Length { .. })
    ));
    // Invalid settings, and tolerances.
    let err = minimize(&obj, &mut x)
        .with(SgdConfig::default().lr(-1.0))
        .run()
        .unwrap_err();
    assert!(matches!(
        err,
        OptimError::InvalidHyperparameter {
            component: "Sgd",
            ..
        }
    ));
    let rules = StopRules::max_iterations(5).grad_norm(GradNorm::L2, f64::NAN);
    let err = minimize(&obj, &mut x).stop(rules).run().unwrap_err();
    assert!(matches!(
        err,
        OptimError::InvalidHyperparameter {
            component: "StopRules",
            ..
        }
    ));
    // A Newton method on an objective without Hessian-vector products.
    let no_hvp = square::<f64>();
    let mut y = [1.0];
    let err = minimize(&no_hvp, &mut y)
        .with(TrustRegionConfig::default())
        .run()
        .unwrap_err();
    assert_eq!(err, OptimError::Objective(ObjectiveError::NoHvp));
    assert_eq!(y, [1.0]);
    assert!(err.to_string().contains("no Hessian-vector product"));
    let err = minimize(&no_hvp, &mut y)
        .with(NewtonCgConfig::default())
        .run()
        .unwrap_err();
    assert_eq!(err, OptimError::Objective(ObjectiveError::NoHvp));
}

#[test]
fn progress_lines_go_to_a_writer() {
    let (obj, mut x) = rosenbrock();
    let mut out = Vec::new();
    let r = minimize(&obj, &mut x)
        .stop(StopRules::max_iterations(4))
        .observer(Progress::every(2).to(&mut out))
        .run()
        .unwrap();
    assert_eq!(r.iterations, 4);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        Progress::line(0, &[-1.2, 1.0], obj.value(&[-1.2, 1.0]), &{
            let mut g = [0.0; 2];
            obj.value_grad(&[-1.2, 1.0], &mut g);
            g
        })
    );
    assert!(lines[2].starts_with("iter      4  loss "));
}

/// With feature `log`, `Progress::every(k)` sends its lines to the `log` crate.
#[cfg(feature = "log")]
#[test]
fn progress_lines_go_to_the_log_crate() {
    use std::sync::Mutex;
    static LINES: Mutex<Vec<(log::Level, String, String)>> = Mutex::new(Vec::new());
    struct Capture;
    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, record: &log::Record) {
            let line = (
                record.level(),
                record.target().to_string(),
                record.args().to_string(),
            );
            LINES.lock().unwrap().push(line);
        }
        fn flush(&self) {}
    }
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Info);
    let (obj, mut x) = rosenbrock();
    minimize(&obj, &mut x)
        .stop(StopRules::max_iterations(2))
        .observer(Progress::every(1))
        .run()
        .unwrap();
    let lines = LINES.lock().unwrap();
    assert_eq!(lines.len(), 3);
    assert!(lines
        .iter()
        .all(|(level, target, _)| *level == log::Level::Info && target == "optim"));
    assert!(lines[2].2.starts_with("iter      2  loss "));
}
