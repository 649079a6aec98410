//! Every stopping rule of `StopRules` on every method run through `minimize`: the iteration
//! limit, the gradient rule, the loss change and the evaluation budget each stop the run at the
//! first iterate where they hold (found from the observed trajectory of a reference run), with
//! the report's counts and final gradient norm right.

mod fault_support;

use autodiff_runtime::Objective;
use fault_support::{minimize_with, rosenbrock, Method, METHODS};
use optim::{GradNorm, Report, Rule, Status, StopRules};

/// What the observer saw of a run: values, gradient norms and iterates.
#[derive(Default)]
struct Seen {
    values: Vec<f64>,
    norms: Vec<f64>,
    xs: Vec<Vec<f64>>,
}

/// Runs `method` on Rosenbrock under `rules`.
fn run(method: Method, rules: StopRules) -> (Report<f64>, Seen, Vec<f64>) {
    let (obj, mut x) = rosenbrock();
    let mut seen = Seen::default();
    let report = minimize_with(method, &obj, &mut x, rules, |it| {
        seen.values.push(it.value);
        seen.norms.push(it.grad_norm());
        seen.xs.push(it.x.to_vec());
    })
    .unwrap();
    (report, seen, x)
}

/// Steps of the reference runs, whose observed trajectory decides where each rule must fire.
const K: usize = 12;

#[test]
fn iteration_limit_on_every_method() {
    for method in METHODS {
        let (obj, x0) = rosenbrock();
        // No step at all with a limit of 0.
        let (r, seen, x) = run(method, StopRules::max_iterations(0));
        assert_eq!(
            (r.status, r.iterations),
            (Status::MaxIterations, 0),
            "{method:?}"
        );
        assert_eq!(
            (r.value_evals, r.hvp_evals, seen.values.len()),
            (1, 0, 1),
            "{method:?}"
        );
        assert_eq!(x, x0, "{method:?}");
        assert_eq!(r.value, obj.value(&x0));
        // K steps.
        let (r, seen, _) = run(method, StopRules::max_iterations(K));
        assert_eq!(
            (r.status, r.iterations),
            (Status::MaxIterations, K),
            "{method:?}"
        );
        assert_eq!(
            seen.values.len(),
            K + 1,
            "{method:?}: the observer sees every iterate"
        );
    }
}

#[test]
fn gradient_rule_fires_at_the_first_iterate_meeting_it_on_every_method() {
    for method in METHODS {
        let (_, reference, _) = run(method, StopRules::max_iterations(K));
        // The smallest gradient norm after a step: the rule must stop exactly where it first
        // occurs (the trajectory up to there does not depend on the rule).
        let tol = reference.norms[1..]
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let expected = reference.norms.iter().position(|&g| g <= tol).unwrap();
        let rules = StopRules::max_iterations(K).grad_norm(GradNorm::L2, tol);
        let (r, _, x) = run(method, rules);
        assert_eq!(r.status, Status::Converged(Rule::GradNorm), "{method:?}");
        assert_eq!(r.iterations, expected, "{method:?}");
        assert_eq!(x, reference.xs[expected], "{method:?}");
        assert_eq!(r.grad_norm, reference.norms[expected], "{method:?}");
    }
}

#[test]
fn loss_change_rule_fires_at_the_first_small_change_on_every_method() {
    for method in METHODS {
        let (_, reference, _) = run(method, StopRules::max_iterations(K));
        // Changes between an iterate and the one before, over moves only (a rejected
        // trust-region step leaves the iterate, and is not a change of the loss).
        let changes: Vec<(usize, f64)> = (1..=K)
            .filter(|&k| reference.xs[k] != reference.xs[k - 1])
            .map(|k| (k, (reference.values[k] - reference.values[k - 1]).abs()))
            .collect();
        let tol = changes.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
        let expected = changes.iter().find(|c| c.1 <= tol).unwrap().0;
        let rules = StopRules::max_iterations(K).loss_change(tol);
        let (r, _, x) = run(method, rules);
        assert_eq!(r.status, Status::Converged(Rule::LossChange), "{method:?}");
        assert_eq!(r.iterations, expected, "{method:?}");
        assert_eq!(x, reference.xs[expected], "{method:?}");
    }
}

#[test]
fn evaluation_budget_on_every_method() {
    for method in METHODS {
        let (reference, _, _) = run(method, StopRules::max_iterations(K));
        let budget = reference.value_evals / 2;
        let (r, _, _) = run(method, StopRules::max_iterations(K).max_evaluations(budget));
        assert_eq!(r.status, Status::MaxEvaluations, "{method:?}");
        assert!(r.value_evals >= budget, "{method:?}");
        // Checked at every iterate: one step less had not used the budget up.
        let (before, _, _) = run(method, StopRules::max_iterations(r.iterations - 1));
        assert!(before.value_evals < budget, "{method:?}");
        if (method as usize) < (Method::Lbfgs as usize) {
            // First order: one evaluation per step, so exactly the budget.
            assert_eq!(
                (r.value_evals, r.iterations),
                (budget, budget - 1),
                "{method:?}"
            );
        }
    }
}

#[test]
fn report_counts_and_final_gradient_norm_on_every_method() {
    for method in METHODS {
        let (obj, mut x) = rosenbrock();
        let calls = std::cell::Cell::new(0);
        let r = minimize_with(method, &obj, &mut x, StopRules::max_iterations(K), |_| {
            calls.set(calls.get() + 1);
        })
        .unwrap();
        // Every objective call is counted in value_evals or hvp_evals.
        assert_eq!(obj.calls.get(), r.value_evals + r.hvp_evals, "{method:?}");
        assert_eq!(calls.get(), r.iterations + 1, "{method:?}");
        let newton = matches!(method, Method::NewtonCg | Method::TrustRegion);
        assert_eq!(r.hvp_evals > 0, newton, "{method:?}");
        let mut g = [0.0; 2];
        assert_eq!(obj.value_grad(&x, &mut g), r.value, "{method:?}");
        assert_eq!(r.grad_norm, GradNorm::L2.of(&g), "{method:?}");
    }
}
