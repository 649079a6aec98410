//! Gradient clipping, as `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`, over the
//! gradient as one flat slice (torch's list of parameters' gradients, concatenated).
//!
//! Call them between computing the gradient and the optimizer's step. Both work in place on
//! `&mut [F]`, allocate nothing and are available without `std`. The norm is accumulated
//! sequentially in `f64` (torch reduces each parameter's norm with vectorized sums and then
//! takes the norm of those norms, so for long or several tensors the total can differ in the
//! last bits); the coefficient is rounded to `F` and multiplied in, as torch's `mul_`.

use autodiff_runtime::Float;

use crate::{ensure, OptimError};

/// Which norm [`clip_grad_norm`] measures (torch's `norm_type`).
///
/// ```
/// use optim::{clip_grad_norm_with, ClipNorm};
/// let mut g = [3.0f64, -4.0];
/// assert_eq!(clip_grad_norm_with(&mut g, 100.0, ClipNorm::P(1.0)).unwrap(), 7.0);
/// assert_eq!(clip_grad_norm_with(&mut g, 100.0, ClipNorm::Inf).unwrap(), 4.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClipNorm {
    /// `(sum |g_i|^p)^(1/p)` for a finite `p > 0` (torch's default is `p = 2`).
    P(f64),
    /// `max |g_i|` (torch's `norm_type=inf`).
    Inf,
}

/// `torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=2.0)`: the 2-norm of the whole
/// gradient, and the gradient scaled by `clip_coef = max_norm / (total_norm + 1e-6)` when that
/// is `< 1` (torch's `clamp(max=1.0)`). Returns the total norm before clipping.
///
/// A non-finite total norm (NaN or infinite gradient) is returned as is and the gradient is
/// scaled by the resulting coefficient, as torch does with `error_if_nonfinite=False`; check the
/// returned norm to skip such a step.
///
/// ```
/// let mut g = [3.0_f64, 4.0];
/// let norm = optim::clip_grad_norm(&mut g, 1.0).unwrap();
/// assert_eq!(norm, 5.0);
/// assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
/// ```
///
/// # Errors
/// A negative or NaN `max_norm`.
pub fn clip_grad_norm<F: Float>(grad: &mut [F], max_norm: f64) -> Result<f64, OptimError> {
    clip_grad_norm_with(grad, max_norm, ClipNorm::P(2.0))
}

/// [`clip_grad_norm`] with another norm (torch's `norm_type`).
///
/// # Errors
/// A negative or NaN `max_norm`, or `ClipNorm::P(p)` with `p` not finite and `> 0`.
///
/// ```
/// use optim::{clip_grad_norm_with, ClipNorm};
/// let mut g = [3.0f64, -4.0];
/// // The largest component is 4: scaled to about 2 (torch's 1e-6 in the coefficient).
/// let total = clip_grad_norm_with(&mut g, 2.0, ClipNorm::Inf).unwrap();
/// assert_eq!(total, 4.0);
/// assert!((g[0] - 1.5).abs() < 1e-6 && (g[1] + 2.0).abs() < 1e-6);
/// assert!(clip_grad_norm_with(&mut g, 1.0, ClipNorm::P(0.0)).is_err());
/// ```
pub fn clip_grad_norm_with<F: Float>(
    grad: &mut [F],
    max_norm: f64,
    norm: ClipNorm,
) -> Result<f64, OptimError> {
    ensure(max_norm >= 0.0, "clip_grad_norm", "max_norm must be >= 0")?;
    let total = match norm {
        ClipNorm::Inf => grad.iter().fold(0.0f64, |m, g| {
            let a = g.to_f64().abs();
            if a > m || a.is_nan() {
                a
            } else {
                m
            }
        }),
        ClipNorm::P(p) => {
            ensure(
                p > 0.0 && p.is_finite(),
                "clip_grad_norm",
                "the norm's p must be finite and > 0",
            )?;
            if p == 2.0 {
                let sum: f64 = grad.iter().map(|g| g.to_f64() * g.to_f64()).sum();
                autodiff_runtime::Scalar::sqrt(sum)
            } else {
                let sum: f64 = grad.iter().map(|g| crate::powf(g.to_f64().abs(), p)).sum();
                crate::powf(sum, 1.0 / p)
            }
        }
    };
    // torch: clip_coef = max_norm / (total_norm + 1e-6); clamp(max=1.0); grads *= clip_coef.
    let coef = max_norm / (total + 1e-6);
    let clamped = if coef < 1.0 || coef.is_nan() {
        coef
    } else {
        1.0
    };
    let c = F::from_f64(clamped);
    for g in grad.iter_mut() {
        *g *= c;
    }
    Ok(total)
}

/// `torch.nn.utils.clip_grad_value_(params, clip_value)`: clamps every component of the
/// gradient to `[-clip_value, clip_value]` (NaN components stay NaN, as `clamp_`).
///
/// ```
/// let mut g = [3.0_f64, -0.5, -7.0];
/// optim::clip_grad_value(&mut g, 1.0).unwrap();
/// assert_eq!(g, [1.0, -0.5, -1.0]);
/// ```
///
/// # Errors
/// A negative or NaN `clip_value`.
pub fn clip_grad_value<F: Float>(grad: &mut [F], clip_value: f64) -> Result<(), OptimError> {
    ensure(
        clip_value >= 0.0,
        "clip_grad_value",
        "clip_value must be >= 0",
    )?;
    let hi = F::from_f64(clip_value);
    let lo = -hi;
    for g in grad.iter_mut() {
        if *g > hi {
            *g = hi;
        } else if *g < lo {
            *g = lo;
        }
    }
    Ok(())
}
