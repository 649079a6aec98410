//! Functions with their own derivative rule (`#[differentiable(custom = rule)]`), called from
//! the random programs (construct `CustomCall`), from another crate as users do. Each has a
//! generic twin `<name>_g` written from the formula, not from the rule, so the duals check the
//! rule (and the macro's use of it, up to `hvp` and Taylor jets).

use autodiff::{differentiable, Scalar};

/// `ln(e^x + e^y)` without overflow.
#[differentiable(custom = logsumexp_rule)]
pub fn logsumexp(x: f64, y: f64) -> f64 {
    let m = x.max(y);
    m + ((x - m).exp() + (y - m).exp()).ln()
}

/// Value and partials of [`logsumexp()`].
pub fn logsumexp_rule<S: Scalar<Base = f64>>(x: S, y: S) -> (S, [S; 2]) {
    let m = if x.base() > y.base() { x } else { y };
    let (ex, ey) = ((x - m).exp(), (y - m).exp());
    (m + (ex + ey).ln(), [ex / (ex + ey), ey / (ex + ey)])
}

/// The twin of [`logsumexp()`].
pub fn logsumexp_g<S: Scalar>(x: S, y: S) -> S {
    let m = crate::max(x, y);
    m + ((x - m).exp() + (y - m).exp()).ln()
}

/// `x / sqrt(1 + x^2)`.
#[differentiable(custom = softsign_rule)]
pub fn softsign(x: f64) -> f64 {
    x / (1.0 + x * x).sqrt()
}

/// Value and derivative of [`softsign()`]: `(1 + x^2)^(-3/2)`.
pub fn softsign_rule<S: Scalar<Base = f64>>(x: S) -> (S, [S; 1]) {
    let r = (S::one() + x * x).sqrt();
    (x / r, [S::one() / (r * r * r)])
}

/// The twin of [`softsign()`].
pub fn softsign_g<S: Scalar>(x: S) -> S {
    x / (S::one() + x * x).sqrt()
}
