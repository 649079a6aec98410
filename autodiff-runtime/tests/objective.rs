//! Closure objectives check their slices' lengths: a wrong length panics with a message naming
//! the slice, never computes on a prefix (the `# Panics` contract of `Objective`).

use autodiff_runtime::{from_fns, hessian_into, Objective, ObjectiveError};

fn square_sum() -> impl Objective<f64> {
    from_fns(
        2,
        |x: &[f64]| x[0] * x[0] + x[1] * x[1],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            g[1] = 2.0 * x[1];
            x[0] * x[0] + x[1] * x[1]
        },
    )
}

#[test]
#[should_panic(expected = "`Objective`: `x` has length 3, expected the dimension 2")]
fn value_rejects_a_longer_point() {
    square_sum().value(&[1.0, 2.0, 3.0]);
}

#[test]
#[should_panic(expected = "`Objective`: `grad` has length 3, expected the dimension 2")]
fn value_grad_rejects_a_longer_gradient() {
    square_sum().value_grad(&[1.0, 2.0], &mut [0.0; 3]);
}

#[test]
#[should_panic(expected = "`Objective`: `hv` has length 1, expected the dimension 2")]
fn hvp_rejects_a_shorter_product() {
    let obj = from_fns(
        2,
        |x: &[f64]| x[0],
        |x: &[f64], g: &mut [f64]| {
            g.fill(0.0);
            x[0]
        },
    )
    .with_hvp(|x: &[f64], _v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        g.fill(0.0);
        hv.fill(0.0);
        x[0]
    });
    let _ = obj.hvp(&[1.0, 2.0], &[1.0, 0.0], &mut [0.0; 2], &mut [0.0; 1]);
}

#[test]
#[should_panic(expected = "`Objective`: `out` has length 3, expected the dimension 4")]
fn hessian_into_rejects_a_short_output() {
    let _ = hessian_into(&square_sum(), &[1.0, 2.0], &mut [0.0; 3], &mut [0.0; 6]);
}

#[test]
fn right_lengths_compute_and_a_missing_hvp_is_an_error() {
    let obj = square_sum();
    let mut g = [0.0; 2];
    assert_eq!(obj.value_grad(&[1.0, 2.0], &mut g), 5.0);
    assert_eq!(g, [2.0, 4.0]);
    let r = obj.hvp(&[1.0, 2.0], &[1.0, 0.0], &mut g, &mut [0.0; 2]);
    assert_eq!(r, Err(ObjectiveError::NoHvp));
    let e: &dyn core::error::Error = &ObjectiveError::NoHvp;
    assert!(e.to_string().contains("no Hessian-vector product"));
}
