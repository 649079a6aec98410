//! Gradient checking against central finite differences.

use autodiff_runtime::check::{check_gradient, GradientCheck};

/// Rosenbrock in n dimensions and its gradient.
fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

fn rosenbrock_grad(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 0..x.len() - 1 {
        let r = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * r;
    }
    g
}

#[test]
fn correct_gradient_passes() {
    let start = [-1.2, 1.0, 0.3, 2.5, -0.7];
    let mut x = start;
    let grad = rosenbrock_grad(&x);
    let report = check_gradient(rosenbrock, &mut x, &grad, 1e-6);
    assert!(report.passes(1e-7), "{report:?}");
    assert_eq!(x, start, "x is restored exactly");
    assert!(report.worst_index < 5);
    assert_eq!(report.analytic, grad[report.worst_index]);
    assert!((report.numeric - report.analytic).abs() == report.worst_abs_error);

    // Large coordinates use a relative step; a smooth non-polynomial function.
    let f = |x: &[f64]| (x[0] / 1e3).sin() * x[1].exp() + x[2].ln();
    let mut x = [2500.0, 0.5, 1e4];
    let grad = [
        (2.5f64).cos() / 1e3 * 0.5f64.exp(),
        2.5f64.sin() * 0.5f64.exp(),
        1e-4,
    ];
    let report = check_gradient(f, &mut x, &grad, 1e-6);
    assert!(report.passes(1e-7), "{report:?}");

    // f32.
    let mut x = [1.0f32, 2.0];
    let report = check_gradient(|x: &[f32]| x[0] * x[1] * x[1], &mut x, &[4.0, 4.0], 1e-2);
    assert!(report.passes(1e-3), "{report:?}");
}

#[test]
fn wrong_component_is_caught() {
    let mut x = [-1.2, 1.0, 0.3, 2.5, -0.7];
    let mut grad = rosenbrock_grad(&x);
    grad[3] *= 1.001; // a 0.1% error in one component
    let report = check_gradient(rosenbrock, &mut x, &grad, 1e-6);
    assert!(!report.passes(1e-7), "{report:?}");
    assert_eq!(report.worst_index, 3);
    assert_eq!(report.analytic, grad[3]);
    assert!((report.numeric - grad[3] / 1.001).abs() < 1e-6 * grad[3].abs());
    assert!(
        (report.worst_rel_error - 0.001 / 1.001).abs() < 1e-6,
        "{report:?}"
    );

    // A sign error in a small component: relative to max(|a|, |n|, 1) = 1 it is still caught.
    let f = |x: &[f64]| 1e-3 * x[0] + x[1] * x[1];
    let mut x = [0.0, 3.0];
    let report = check_gradient(f, &mut x, &[-1e-3, 6.0], 1e-6);
    assert_eq!(report.worst_index, 0);
    assert!(!report.passes(1e-7) && report.passes(1e-2), "{report:?}");
}

#[test]
fn nan_is_the_worst_and_never_passes() {
    let mut x = [1.0, 2.0, 3.0];
    let report = check_gradient(
        |x: &[f64]| x.iter().sum(),
        &mut x,
        &[1.0, f64::NAN, 1.0],
        1e-6,
    );
    assert_eq!(report.worst_index, 1);
    assert!(report.worst_rel_error.is_nan());
    assert!(!report.passes(1.0));
}

#[test]
fn empty_gradient() {
    let report = check_gradient(|_: &[f64]| 1.0, &mut [], &[], 1e-6);
    assert_eq!(
        report,
        GradientCheck {
            worst_index: 0,
            worst_abs_error: 0.0,
            worst_rel_error: 0.0,
            analytic: 0.0,
            numeric: 0.0
        }
    );
    assert!(report.passes(0.0));
}

#[test]
#[should_panic(expected = "different lengths")]
fn length_mismatch_panics() {
    check_gradient(|x: &[f64]| x[0], &mut [1.0, 2.0], &[1.0], 1e-6);
}
