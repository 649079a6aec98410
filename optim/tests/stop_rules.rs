//! The driver's stopping rules: the evaluation budget ([`StopRules::max_evaluations`]) in
//! [`minimize_in`] / [`minimize`] and in [`optim::Lbfgs::minimize`], and its order relative to
//! the other rules.

use std::cell::Cell;

use autodiff_runtime::{from_fns, Objective};
use optim::{
    minimize, minimize_in, GradNorm, Lbfgs, LbfgsConfig, NoObserver, NoSchedule, Rule, SgdConfig,
    Status, StopRules,
};

/// Rosenbrock in any dimension, counting every call of `value` or `value_grad` in `calls`.
fn counted_rosenbrock(n: usize, calls: &Cell<usize>) -> impl Objective<f64> + '_ {
    let value = move |x: &[f64]| {
        calls.set(calls.get() + 1);
        (0..x.len() - 1)
            .map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2))
            .sum()
    };
    let value_grad = move |x: &[f64], g: &mut [f64]| {
        calls.set(calls.get() + 1);
        g.fill(0.0);
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
            g[i] += -400.0 * x[i] * a - 2.0 * b;
            g[i + 1] += 200.0 * a;
        }
        s
    };
    from_fns(n, value, value_grad)
}

#[test]
fn driver_stops_on_the_evaluation_budget() {
    let calls = Cell::new(0);
    let obj = counted_rosenbrock(2, &calls);
    let mut sgd = SgdConfig::default()
        .lr(1e-3)
        .build::<f64, [f64; 2]>(2)
        .unwrap();
    let mut x = [-1.2, 1.0];
    let mut g = [0.0; 2];
    let rules = StopRules::max_iterations(1000).max_evaluations(7);
    let r = minimize_in(
        &obj,
        &mut x,
        &mut g,
        &mut sgd,
        &rules,
        &mut NoSchedule,
        &mut NoObserver,
    );
    assert_eq!(r.status, Status::MaxEvaluations);
    // One evaluation per iterate: 7 evaluations, 6 steps; the report's value is at `x`.
    assert_eq!((r.value_evals, r.grad_evals, r.iterations), (7, 7, 6));
    assert_eq!(calls.get(), 7);
    calls.set(0);
    assert_eq!(r.value, obj.value(&x));

    // The same run as an iteration limit of 6, except for the reason.
    let mut sgd2 = SgdConfig::default()
        .lr(1e-3)
        .build::<f64, Vec<f64>>(2)
        .unwrap();
    let mut x2 = [-1.2, 1.0];
    let r2 = minimize(&obj, &mut x2)
        .with(&mut sgd2)
        .stop(StopRules::max_iterations(6))
        .run()
        .unwrap();
    assert_eq!(r2.status, Status::MaxIterations);
    assert_eq!((r2.iterations, r2.value_evals), (6, 7));
    assert_eq!(x2, x);
}

#[test]
fn evaluation_budget_comes_after_convergence_and_iteration_limit() {
    let calls = Cell::new(0);
    let obj = counted_rosenbrock(2, &calls);
    let run = |rules: StopRules| {
        let mut sgd = SgdConfig::default()
            .lr(1e-3)
            .build::<f64, Vec<f64>>(2)
            .unwrap();
        let mut x = [1.0, 1.0];
        minimize(&obj, &mut x)
            .with(&mut sgd)
            .stop(rules)
            .run()
            .unwrap()
    };
    // At the minimum: the gradient rule fires at the first evaluation, before the budget of 1.
    let r = run(StopRules::max_iterations(10)
        .grad_norm(GradNorm::L2, 1e-12)
        .max_evaluations(1));
    assert_eq!(r.status, Status::Converged(Rule::GradNorm));
    // Iteration limit 0 and budget 1 both hold at the start: the iteration limit is reported.
    let r = run(StopRules::max_iterations(0).max_evaluations(1));
    assert_eq!(r.status, Status::MaxIterations);
    // A budget of 0 still evaluates the start point (the rules need its value and gradient).
    let r = run(StopRules::max_iterations(10).max_evaluations(0));
    assert_eq!(
        (r.status, r.value_evals, r.iterations),
        (Status::MaxEvaluations, 1, 0)
    );
    // Unset: no budget.
    assert_eq!(StopRules::default().max_evaluations, None);
    assert!(!StopRules::default().evaluations_exhausted(usize::MAX));
}

#[test]
fn lbfgs_stops_between_iterations_on_the_evaluation_budget() {
    let calls = Cell::new(0);
    let obj = counted_rosenbrock(10, &calls);
    let x0: Vec<f64> = (0..10)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();

    let mut lbfgs: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> =
        LbfgsConfig::default().history_size(10).build(10).unwrap();
    let mut x = x0.clone();
    let budget = 20;
    let rules = StopRules::max_iterations(1000)
        .grad_norm(GradNorm::L2, 1e-10)
        .max_evaluations(budget);
    let r = lbfgs.minimize(&obj, &mut x, &rules);
    assert_eq!(r.status, Status::MaxEvaluations);
    assert_eq!(r.value_evals, calls.get());
    // Checked between iterations: at least the budget, overrun by less than one line search.
    assert!(
        r.value_evals >= budget && r.value_evals < budget + 20,
        "{r:?}"
    );
    assert_eq!(r.value, obj.value(&x));

    // Without the budget the same solver converges, taking more evaluations.
    calls.set(0);
    let mut x = x0;
    let r = lbfgs.minimize(
        &obj,
        &mut x,
        &StopRules::max_iterations(1000).grad_norm(GradNorm::L2, 1e-10),
    );
    assert_eq!(r.status, Status::Converged(Rule::GradNorm));
    assert!(r.value_evals > budget + 20);
}

#[test]
fn newton_cg_optional_gradient_rule() {
    use optim::{NewtonCg, NewtonCgConfig};
    let n = 10;
    let rosen_der = |x: &[f64], g: &mut [f64]| {
        g.fill(0.0);
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            s += 100.0 * a * a + b * b;
            g[i] += -400.0 * x[i] * a - 2.0 * b;
            g[i + 1] += 200.0 * a;
        }
        s
    };
    let rosen_hvp = move |x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        hv.fill(0.0);
        for i in 0..x.len() - 1 {
            let hii = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            let hij = -400.0 * x[i];
            hv[i] += hii * v[i] + hij * v[i + 1];
            hv[i + 1] += hij * v[i] + 200.0 * v[i + 1];
        }
        rosen_der(x, g)
    };
    let obj = from_fns(
        n,
        |x: &[f64]| rosen_der(x, &mut vec![0.0; x.len()]),
        rosen_der,
    )
    .with_hvp(rosen_hvp);
    let x0: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let l2 = |x: &[f64]| {
        let mut g = vec![0.0; n];
        obj.value_grad(x, &mut g);
        g.iter().map(|v| v * v).sum::<f64>().sqrt()
    };

    // Default (scipy): the step rule only; the gradient at the end is small but not 1e-10.
    let mut scipy: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default().build(n).unwrap();
    let mut x = x0.clone();
    let r = scipy.minimize(&obj, &mut x).unwrap();
    assert_eq!(r.status, Status::Converged(Rule::StepSize));

    // With the gradient rule (and xtol = 0): stops exactly when |g|_2 <= tol.
    for tol in [1e-3, 1e-10] {
        let mut solver: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default()
            .xtol(0.0)
            .grad_norm(Some((GradNorm::L2, tol)))
            .build(n)
            .unwrap();
        let mut x = x0.clone();
        let r = solver.minimize(&obj, &mut x).unwrap();
        assert_eq!(r.status, Status::Converged(Rule::GradNorm), "tol {tol}");
        assert!(l2(&x) <= tol, "tol {tol}: {}", l2(&x));
        // One fewer iteration would not have met it.
        let mut short: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default()
            .xtol(0.0)
            .max_iterations(Some(r.iterations - 1))
            .build(n)
            .unwrap();
        let mut y = x0.clone();
        short.minimize(&obj, &mut y).unwrap();
        assert!(l2(&y) > tol, "tol {tol}");
    }
}
