//! Gradient checking: compare a gradient (hand-written, or generated) with central finite
//! differences of the function, component by component.
//!
//! ```
//! # use autodiff_runtime::check::check_gradient;
//! let f = |x: &[f64]| x[0] * x[0] + 3.0 * x[0] * x[1];
//! let mut x = [1.5, -2.0];
//! let grad = [2.0 * 1.5 + 3.0 * -2.0, 3.0 * 1.5];
//! let report = check_gradient(f, &mut x, &grad, 1e-6);
//! assert!(report.passes(1e-7));
//! assert_eq!(x, [1.5, -2.0]); // restored
//! ```

use crate::Float;

/// The outcome of [`check_gradient`]: the component that disagrees most with the finite
/// differences, by relative error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientCheck<F> {
    /// Index of the worst component (0 when the gradient is empty).
    pub worst_index: usize,
    /// `|analytic - numeric|` at that component.
    pub worst_abs_error: F,
    /// `|analytic - numeric| / max(|analytic|, |numeric|, 1)` at that component (NaN if either
    /// is NaN: such a component is always the worst).
    pub worst_rel_error: F,
    /// The checked gradient's value at that component.
    pub analytic: F,
    /// The central finite difference at that component.
    pub numeric: F,
}

impl<F: Float> GradientCheck<F> {
    /// Whether the worst relative error is at most `tol` (false if it is NaN).
    ///
    /// ```
    /// use autodiff_runtime::check_gradient;
    /// let f = |x: &[f64]| x[0] * x[0] + x[1].sin();
    /// let mut x = [1.0, 0.5];
    /// let right = [2.0, 0.5f64.cos()];
    /// assert!(check_gradient(f, &mut x, &right, 1e-6).passes(1e-7));
    /// let wrong = [2.0, 0.5];
    /// assert!(!check_gradient(f, &mut x, &wrong, 1e-6).passes(1e-7));
    /// ```
    pub fn passes(&self, tol: F) -> bool {
        self.worst_rel_error <= tol
    }
}

/// Compares `grad` with central finite differences of `f` at `x`.
///
/// Component `i` uses the step `h_i = h * max(1, |x_i|)`: `(f(x + h_i e_i) - f(x - h_i e_i)) /
/// (2 h_i)` (with the step actually representable around `x_i`). `x` is modified during the
/// check and restored exactly. A good `h` for `f64` is about `1e-6` (the error is then roughly
/// `h^2 |f'''| + eps |f| / h`); `passes(1e-7)` suits well-scaled functions.
///
/// # Panics
/// If `grad.len() != x.len()`.
pub fn check_gradient<F: Float>(
    f: impl Fn(&[F]) -> F,
    x: &mut [F],
    grad: &[F],
    h: F,
) -> GradientCheck<F> {
    assert_eq!(
        grad.len(),
        x.len(),
        "check_gradient: gradient and point have different lengths"
    );
    let zero = F::zero();
    let one = F::one();
    let mut worst = GradientCheck {
        worst_index: 0,
        worst_abs_error: zero,
        worst_rel_error: zero,
        analytic: grad.first().copied().unwrap_or(zero),
        numeric: zero,
    };
    let mut first = true;
    for (i, &analytic) in grad.iter().enumerate() {
        let xi = x[i];
        let step = h * max(one, xi.abs());
        let (up, down) = (xi + step, xi - step);
        x[i] = up;
        let f_up = f(x);
        x[i] = down;
        let f_down = f(x);
        x[i] = xi;
        let numeric = (f_up - f_down) / (up - down);

        let abs_error = (analytic - numeric).abs();
        let rel_error = abs_error / max(max(analytic.abs(), numeric.abs()), one);
        let worse = rel_error.is_nan() && !worst.worst_rel_error.is_nan()
            || rel_error > worst.worst_rel_error;
        if first || worse {
            worst = GradientCheck {
                worst_index: i,
                worst_abs_error: abs_error,
                worst_rel_error: rel_error,
                analytic,
                numeric,
            };
            first = false;
        }
    }
    worst
}

/// The larger of `a` and `b` (NaN if either is NaN, so errors propagate).
fn max<F: Float>(a: F, b: F) -> F {
    if a.is_nan() || b.is_nan() {
        F::from_f64(f64::NAN)
    } else if a > b {
        a
    } else {
        b
    }
}
