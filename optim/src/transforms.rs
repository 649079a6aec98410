//! The elementwise operations the optimizers are built from, each exactly as torch 2.x's CPU
//! kernel computes it, fused multiply-adds included (checked op by op against torch's results).
//!
//! | torch op | here | computes |
//! |---|---|---|
//! | `a.add_(b, alpha=s)` | [`add_scaled`] | `fma(s, b, a)` |
//! | `a.mul_(m).addcmul_(b, c, value=s)` | [`decay_addcmul`] | `fma(s*b, c, a*m)` |
//! | `a.addcdiv_(b, c, value=s)` | [`addcdiv`] | `a + (s*b)/c` (no fma) |
//! | `a.lerp_(b, w)` | [`lerp`] | `fma(w, b-a, a)` if `abs(w) < 0.5`, else `fma(-(b-a), 1-w, b)` |

use autodiff_runtime::Float;

/// torch's `a.add_(b, alpha=s)`: `fma(s, b, a)`.
#[inline]
pub fn add_scaled<F: Float>(a: F, s: F, b: F) -> F {
    s.mul_add(b, a)
}

/// torch's `a.addcmul_(b, c, value=s)`: `fma(s*b, c, a)`.
#[inline]
pub fn addcmul<F: Float>(a: F, s: F, b: F, c: F) -> F {
    (s * b).mul_add(c, a)
}

/// torch's `a.mul_(m).addcmul_(b, c, value=s)`: `fma(s*b, c, a*m)`. The exponential moving
/// average of squares of Adam, RMSprop, Adadelta, ...
#[inline]
pub fn decay_addcmul<F: Float>(a: F, m: F, s: F, b: F, c: F) -> F {
    addcmul(a * m, s, b, c)
}

/// torch's `a.addcdiv_(b, c, value=s)`: `a + (s*b)/c`.
#[inline]
pub fn addcdiv<F: Float>(a: F, s: F, b: F, c: F) -> F {
    a + (s * b) / c
}

/// torch's `a.lerp_(b, w)` (scalar weight): the exponential moving average of Adam's first
/// moment (`w = 1 - beta1`).
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
#[inline]
pub fn effective_grad<F: Float>(g: F, p: F, maximize: bool, weight_decay: f64) -> F {
    let g = if maximize { -g } else { g };
    if weight_decay != 0.0 {
        add_scaled(g, F::from_f64(weight_decay), p)
    } else {
        g
    }
}
