//! The elementwise operations the optimizers are built from, each exactly as torch 2.x's CPU
//! kernel computes it, fused multiply-adds included (checked op by op against torch's results).
//!
//! | torch op | here | computes |
//! |---|---|---|
//! | `a.add_(b, alpha=s)` | [`add_scaled`] | `fma(s, b, a)` |
//! | `a.mul_(m).addcmul_(b, c, value=s)` | [`decay_addcmul`] | `fma(s*b, c, a*m)` |
//! | `a.addcdiv_(b, c, value=s)` | [`addcdiv`] | `a + (s*b)/c` (no fma) |
//! | `a.lerp_(b, w)` | [`lerp`] | `fma(w, b-a, a)` if `abs(w) < 0.5`, else `fma(-(b-a), 1-w, b)` |
//!
//! ```
//! use optim::transforms::{add_scaled, lerp};
//! // Adam's first moment with beta1 = 0.9, then a plain SGD update with lr 0.1.
//! let m = lerp(0.0f64, 2.0, 0.1);
//! assert!((m - 0.2).abs() < 1e-16);
//! assert_eq!(add_scaled(1.0, -0.1, 2.0), 0.8);
//! ```

use autodiff_runtime::Float;

/// torch's `a.add_(b, alpha=s)`: `fma(s, b, a)`.
///
/// ```
/// use optim::transforms::add_scaled;
/// assert_eq!(add_scaled(1.0, 0.5, 4.0), 3.0); // 1 + 0.5 * 4
/// // One rounding (a fused multiply-add), as torch's kernel.
/// assert_eq!(add_scaled(-1.0, 0.1f64, 10.0), 0.1f64.mul_add(10.0, -1.0));
/// ```
#[inline]
pub fn add_scaled<F: Float>(a: F, s: F, b: F) -> F {
    s.mul_add(b, a)
}

/// torch's `a.addcmul_(b, c, value=s)`: `fma(s*b, c, a)`.
///
/// ```
/// use optim::transforms::addcmul;
/// assert_eq!(addcmul(1.0, 0.5, 2.0, 3.0), 4.0); // 1 + 0.5 * 2 * 3
/// ```
#[inline]
pub fn addcmul<F: Float>(a: F, s: F, b: F, c: F) -> F {
    (s * b).mul_add(c, a)
}

/// torch's `a.mul_(m).addcmul_(b, c, value=s)`: `fma(s*b, c, a*m)`. The exponential moving
/// average of squares of Adam, RMSprop, Adadelta, ...
///
/// ```
/// use optim::transforms::decay_addcmul;
/// // Adam's second moment: 0.999 v + 0.001 g^2, with v = 1, g = 2.
/// assert_eq!(decay_addcmul(1.0, 0.999, 0.001, 2.0, 2.0), (0.001f64 * 2.0).mul_add(2.0, 0.999));
/// ```
#[inline]
pub fn decay_addcmul<F: Float>(a: F, m: F, s: F, b: F, c: F) -> F {
    addcmul(a * m, s, b, c)
}

/// torch's `a.addcdiv_(b, c, value=s)`: `a + (s*b)/c`.
///
/// ```
/// use optim::transforms::addcdiv;
/// assert_eq!(addcdiv(1.0, -0.5, 3.0, 2.0), 0.25); // 1 + (-0.5 * 3) / 2
/// ```
#[inline]
pub fn addcdiv<F: Float>(a: F, s: F, b: F, c: F) -> F {
    a + (s * b) / c
}

/// torch's `a.lerp_(b, w)` (scalar weight): the exponential moving average of Adam's first
/// moment (`w = 1 - beta1`).
///
/// ```
/// use optim::transforms::lerp;
/// assert_eq!(lerp(0.0, 10.0, 0.1), 1.0);
/// assert_eq!(lerp(0.0, 10.0, 0.9), 9.0); // the other formula, exact at the end point
/// assert_eq!(lerp(2.0, 4.0, 1.0), 4.0);
/// ```
#[inline]
pub fn lerp<F: Float>(a: F, b: F, w: F) -> F {
    let diff = b - a;
    let half = F::from_f64(0.5);
    if w.abs() < half {
        w.mul_add(diff, a)
    } else {
        (-diff).mul_add(F::one() - w, b)
    }
}

/// The gradient torch's rules start from: negated if maximizing, plus `weight_decay * param`
/// (L2, `grad.add(param, alpha=weight_decay)`) if `weight_decay != 0`.
///
/// ```
/// use optim::transforms::effective_grad;
/// assert_eq!(effective_grad(1.0, 2.0, false, 0.0), 1.0);
/// assert_eq!(effective_grad(1.0, 2.0, true, 0.0), -1.0); // maximizing
/// assert_eq!(effective_grad(1.0, 2.0, false, 0.5), 2.0); // + weight_decay * param
/// ```
#[inline]
pub fn effective_grad<F: Float>(g: F, p: F, maximize: bool, weight_decay: f64) -> F {
    let g = if maximize { -g } else { g };
    if weight_decay != 0.0 {
        add_scaled(g, F::from_f64(weight_decay), p)
    } else {
        g
    }
}
