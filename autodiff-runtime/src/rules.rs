//! Derivative rules: for every intrinsic, its value and its local partial derivatives.
//!
//! This module is the single place where the math of differentiation is written. The macro's
//! intrinsic table maps each supported operator, method and function to one function here;
//! forward mode computes `sum(partial_i * tangent_i)`, reverse mode `arg_i_bar += partial_i *
//! out_bar`. Dual numbers reuse the same rules for their own elementary functions.
//!
//! Every function returns `(value, d value / d arg_0, d value / d arg_1, ...)`, generic over
//! [`Scalar`] so one rule serves `f32`, `f64` and (later) duals and jets.
//!
//! Conventions where the derivative does not exist (documented, and tested):
//! - `abs` at 0: 0 (PyTorch and autograd do the same);
//! - `max`/`min` at a tie: 0.5 to each argument (PyTorch's `maximum`, autograd's `np.maximum`);
//!   when one argument is NaN the other is returned and gets the whole derivative;
//! - `clamp(x, lo, hi)`: d/dx = 1 on the closed interval `lo <= x <= hi`;
//! - `hypot(0, 0)`: 0 to both arguments; `powf(0, p)`: d/dp = 0.
//! - `floor`, `ceil`, `round`, `trunc`, `signum`: 0 everywhere (including at jumps).
//!
//! ```
//! use autodiff_runtime::rules;
//! // Forward mode through y = sin(x) * x at x = 2 with tangent 1, from the rules alone.
//! let (s, ds) = rules::sin(2.0f64);
//! let (y, dy_ds, dy_dx) = rules::mul(s, 2.0);
//! let tangent = dy_ds * ds + dy_dx;
//! assert_eq!(y, 2f64.sin() * 2.0);
//! assert!((tangent - (2f64.cos() * 2.0 + 2f64.sin())).abs() < 1e-15);
//! ```

use crate::{Float, Scalar};

/// The constant `v` in `S`.
#[inline(always)]
fn c<S: Scalar>(v: f64) -> S {
    S::cst(<S::Base as Float>::from_f64(v))
}

// ---- operators -------------------------------------------------------------------------------

/// `a + b`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::add(2.0f64, 3.0), (5.0, 1.0, 1.0));
/// ```
#[inline(always)]
pub fn add<S: Scalar>(a: S, b: S) -> (S, S, S) {
    (a + b, S::one(), S::one())
}
/// `a - b`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::sub(2.0f64, 3.0), (-1.0, 1.0, -1.0));
/// ```
#[inline(always)]
pub fn sub<S: Scalar>(a: S, b: S) -> (S, S, S) {
    (a - b, S::one(), -S::one())
}
/// `a * b`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::mul(2.0f64, 3.0), (6.0, 3.0, 2.0));
/// ```
#[inline(always)]
pub fn mul<S: Scalar>(a: S, b: S) -> (S, S, S) {
    (a * b, b, a)
}
/// `a / b`: partials `1/b` and `-(a/b)/b`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::div(3.0f64, 2.0), (1.5, 0.5, -0.75));
/// ```
#[inline(always)]
pub fn div<S: Scalar>(a: S, b: S) -> (S, S, S) {
    let q = a / b;
    let r = S::one() / b;
    (q, r, -q * r)
}
/// `-a`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::neg(2.0f64), (-2.0, -1.0));
/// ```
#[inline(always)]
pub fn neg<S: Scalar>(a: S) -> (S, S) {
    (-a, -S::one())
}

// ---- one argument ----------------------------------------------------------------------------

/// `sin x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::sin(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn sin<S: Scalar>(x: S) -> (S, S) {
    (x.sin(), x.cos())
}
/// `cos x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::cos(0.0f64), (1.0, 0.0));
/// ```
#[inline]
pub fn cos<S: Scalar>(x: S) -> (S, S) {
    (x.cos(), -x.sin())
}
/// `tan x`: derivative `1 + tan^2 x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::tan(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn tan<S: Scalar>(x: S) -> (S, S) {
    let t = x.tan();
    (t, S::one() + t * t)
}
/// `asin x`: derivative `1 / sqrt(1 - x^2)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::asin(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn asin<S: Scalar>(x: S) -> (S, S) {
    (x.asin(), S::one() / (S::one() - x * x).sqrt())
}
/// `acos x`: derivative `-1 / sqrt(1 - x^2)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::acos(0.0f64), (core::f64::consts::FRAC_PI_2, -1.0));
/// ```
#[inline]
pub fn acos<S: Scalar>(x: S) -> (S, S) {
    (x.acos(), -S::one() / (S::one() - x * x).sqrt())
}
/// `atan x`: derivative `1 / (1 + x^2)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::atan(1.0f64), (core::f64::consts::FRAC_PI_4, 0.5));
/// ```
#[inline]
pub fn atan<S: Scalar>(x: S) -> (S, S) {
    (x.atan(), S::one() / (S::one() + x * x))
}
/// `sinh x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::sinh(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn sinh<S: Scalar>(x: S) -> (S, S) {
    (x.sinh(), x.cosh())
}
/// `cosh x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::cosh(0.0f64), (1.0, 0.0));
/// ```
#[inline]
pub fn cosh<S: Scalar>(x: S) -> (S, S) {
    (x.cosh(), x.sinh())
}
/// `tanh x`: derivative `1 - tanh^2 x`, or `1 / cosh^2 x` where `tanh x` is close to 1 and the
/// subtraction would cancel (|tanh x| > 0.9).
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::tanh(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn tanh<S: Scalar>(x: S) -> (S, S) {
    let t = x.tanh();
    let d = if t.base().abs() <= <S::Base as Float>::from_f64(0.9) {
        S::one() - t * t
    } else {
        // sech^2 x = 4 e^(-2|x|) / (1 + e^(-2|x|))^2: no cosh^2 to overflow (on nested duals
        // cosh(x)^2 overflows for |x| > ~355 and the second derivative came out NaN).
        let two = <S::Base as Float>::from_f64(2.0);
        let a = if x.base() >= <S::Base as Float>::from_f64(0.0) {
            x.scale(-two)
        } else {
            x.scale(two)
        };
        let e = a.exp();
        let q = S::one() + e;
        e.scale(<S::Base as Float>::from_f64(4.0)) / (q * q)
    };
    (t, d)
}
/// `x.tanh_fast()` ([`FastMath`](crate::FastMath)): the branch-free `tanh`, derivative
/// `1 - t^2` of the fast value `t`, computed by the kernel without cancellation near `|t| = 1`
/// (no branch, so the derivative loops vectorize too).
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::tanh_fast(0.0f64), (0.0, 1.0));
/// let (t, d) = rules::tanh_fast(20.0f64);
/// assert_eq!(t, 1.0);
/// assert!((d / (1.0 / 20f64.cosh().powi(2)) - 1.0).abs() < 1e-14); // not 1 - 1 = 0
/// ```
#[inline]
pub fn tanh_fast<S: Scalar>(x: S) -> (S, S) {
    x.tanh_fast_with_derivative()
}
/// `asinh x`: derivative `1 / sqrt(x^2 + 1)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::asinh(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn asinh<S: Scalar>(x: S) -> (S, S) {
    (x.asinh(), S::one() / (x * x + S::one()).sqrt())
}
/// `acosh x`: derivative `1 / sqrt(x^2 - 1)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da) = rules::acosh(2.0f64);
/// assert!((v - 2.0f64.acosh()).abs() < 1e-14);
/// assert!((da - 1.0 / 3f64.sqrt()).abs() < 1e-14);
/// ```
#[inline]
pub fn acosh<S: Scalar>(x: S) -> (S, S) {
    (x.acosh(), S::one() / (x * x - S::one()).sqrt())
}
/// `atanh x`: derivative `1 / (1 - x^2)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::atanh(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn atanh<S: Scalar>(x: S) -> (S, S) {
    (x.atanh(), S::one() / (S::one() - x * x))
}
/// `e^x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::exp(0.0f64), (1.0, 1.0));
/// ```
#[inline]
pub fn exp<S: Scalar>(x: S) -> (S, S) {
    let e = x.exp();
    (e, e)
}
/// `2^x`: derivative `ln 2 * 2^x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da) = rules::exp2(3.0f64);
/// assert!((v - 8.0).abs() < 1e-14);
/// assert!((da - 8.0 * core::f64::consts::LN_2).abs() < 1e-14);
/// ```
#[inline]
pub fn exp2<S: Scalar>(x: S) -> (S, S) {
    let e = x.exp2();
    (e, e * c(core::f64::consts::LN_2))
}
/// `e^x - 1`: derivative `e^x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::exp_m1(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn exp_m1<S: Scalar>(x: S) -> (S, S) {
    (x.exp_m1(), x.exp())
}
/// `ln x`: derivative `1/x`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::ln(2.0f64), (core::f64::consts::LN_2, 0.5));
/// ```
#[inline]
pub fn ln<S: Scalar>(x: S) -> (S, S) {
    (x.ln(), S::one() / x)
}
/// `log2 x`: derivative `1 / (x ln 2)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da) = rules::log2(8.0f64);
/// assert!((v - 3.0).abs() < 1e-14);
/// assert!((da - 1.0 / (8.0 * core::f64::consts::LN_2)).abs() < 1e-14);
/// ```
#[inline]
pub fn log2<S: Scalar>(x: S) -> (S, S) {
    (x.log2(), S::one() / (x * c(core::f64::consts::LN_2)))
}
/// `log10 x`: derivative `1 / (x ln 10)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da) = rules::log10(100.0f64);
/// assert!((v - 2.0).abs() < 1e-14);
/// assert!((da - 1.0 / (100.0 * core::f64::consts::LN_10)).abs() < 1e-14);
/// ```
#[inline]
pub fn log10<S: Scalar>(x: S) -> (S, S) {
    (x.log10(), S::one() / (x * c(core::f64::consts::LN_10)))
}
/// `ln(1 + x)`: derivative `1 / (1 + x)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::ln_1p(0.0f64), (0.0, 1.0));
/// ```
#[inline]
pub fn ln_1p<S: Scalar>(x: S) -> (S, S) {
    (x.ln_1p(), S::one() / (S::one() + x))
}
/// `sqrt x`: derivative `1 / (2 sqrt x)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::sqrt(4.0f64), (2.0, 0.25));
/// ```
#[inline]
pub fn sqrt<S: Scalar>(x: S) -> (S, S) {
    let r = x.sqrt();
    (r, c::<S>(0.5) / r)
}
/// `cbrt x`: derivative `1 / (3 cbrt(x)^2)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da) = rules::cbrt(8.0f64);
/// assert!((v - 2.0).abs() < 1e-14);
/// assert!((da - 1.0 / 12.0).abs() < 1e-14);
/// ```
#[inline]
pub fn cbrt<S: Scalar>(x: S) -> (S, S) {
    let r = x.cbrt();
    (r, S::one() / (c::<S>(3.0) * r * r))
}
/// `|x|`: derivative `sign x`, and 0 at 0.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::abs(-3.0f64), (3.0, -1.0));
/// // At 0 the derivative is 0, as in PyTorch.
/// assert_eq!(rules::abs(0.0f64).1, 0.0);
/// ```
#[inline]
pub fn abs<S: Scalar>(x: S) -> (S, S) {
    let b = x.base();
    let zero = <S::Base as Float>::from_f64(0.0);
    let d = if b > zero {
        S::one()
    } else if b < zero {
        -S::one()
    } else {
        S::zero()
    };
    (x.abs(), d)
}
/// `1/x`: derivative `-1/x^2`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::recip(2.0f64), (0.5, -0.25));
/// ```
#[inline]
pub fn recip<S: Scalar>(x: S) -> (S, S) {
    let r = S::one() / x;
    (r, -r * r)
}
/// Radians to degrees.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da) = rules::to_degrees((core::f64::consts::PI));
/// assert!((v - 180.0).abs() < 1e-14);
/// assert!((da - 180.0 / core::f64::consts::PI).abs() < 1e-14);
/// ```
#[inline]
pub fn to_degrees<S: Scalar>(x: S) -> (S, S) {
    let k = c::<S>(180.0 / core::f64::consts::PI);
    (x * k, k)
}
/// Degrees to radians.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da) = rules::to_radians(180.0f64);
/// assert!((v - core::f64::consts::PI).abs() < 1e-14);
/// assert!((da - core::f64::consts::PI / 180.0).abs() < 1e-14);
/// ```
#[inline]
pub fn to_radians<S: Scalar>(x: S) -> (S, S) {
    let k = c::<S>(core::f64::consts::PI / 180.0);
    (x * k, k)
}
/// `floor x`: derivative 0.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::floor(2.5f64), (2.0, 0.0));
/// ```
#[inline]
pub fn floor<S: Scalar>(x: S) -> (S, S) {
    (x.floor(), S::zero())
}
/// `ceil x`: derivative 0.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::ceil(2.5f64), (3.0, 0.0));
/// ```
#[inline]
pub fn ceil<S: Scalar>(x: S) -> (S, S) {
    (x.ceil(), S::zero())
}
/// `round x`: derivative 0.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::round(2.5f64), (3.0, 0.0));
/// ```
#[inline]
pub fn round<S: Scalar>(x: S) -> (S, S) {
    (x.round(), S::zero())
}
/// `trunc x`: derivative 0.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::trunc(-2.5f64), (-2.0, 0.0));
/// ```
#[inline]
pub fn trunc<S: Scalar>(x: S) -> (S, S) {
    (x.trunc(), S::zero())
}
/// `signum x`: derivative 0.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::signum(-3.0f64), (-1.0, 0.0));
/// ```
#[inline]
pub fn signum<S: Scalar>(x: S) -> (S, S) {
    (x.signum(), S::zero())
}
/// `x^n` for an integer `n`: derivative `n x^(n-1)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::powi(3.0f64, 2), (9.0, 6.0));
/// ```
#[inline]
pub fn powi<S: Scalar>(x: S, n: i32) -> (S, S) {
    let d = match n {
        0 => S::zero(),
        1 => S::one(),
        2 => x + x,
        _ => c::<S>(f64::from(n)) * x.powi(n - 1),
    };
    (x.powi(n), d)
}

// ---- two and three arguments -----------------------------------------------------------------

/// `atan2(y, x)`: partials `x / (x^2 + y^2)` and `-y / (x^2 + y^2)`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::atan2(1.0f64, 1.0), (core::f64::consts::FRAC_PI_4, 0.5, -0.5));
/// ```
#[inline]
pub fn atan2<S: Scalar>(y: S, x: S) -> (S, S, S) {
    let r2 = x * x + y * y;
    (y.atan2(x), x / r2, -y / r2)
}
/// `x^p`: partials `p x^(p-1)` and `x^p ln x` (0 where `x^p` is 0).
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da, db) = rules::powf(2.0f64, 3.0);
/// assert!((v - 8.0).abs() < 1e-14);
/// assert!((da - 12.0).abs() < 1e-14);
/// assert!((db - 8.0 * core::f64::consts::LN_2).abs() < 1e-14);
/// ```
#[inline]
pub fn powf<S: Scalar>(x: S, p: S) -> (S, S, S) {
    let v = x.powf(p);
    let dx = p * x.powf(p - S::one());
    let dp = if v.base() == <S::Base as Float>::from_f64(0.0) {
        S::zero()
    } else {
        v * x.ln()
    };
    (v, dx, dp)
}
/// `hypot(a, b)`: partials `a/h` and `b/h` (0 at the origin).
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da, db) = rules::hypot(3.0f64, 4.0);
/// assert!((v - 5.0).abs() < 1e-14);
/// assert!((da - 0.6).abs() < 1e-14);
/// assert!((db - 0.8).abs() < 1e-14);
/// // At the origin both partials are 0.
/// assert_eq!(rules::hypot(0.0f64, 0.0), (0.0, 0.0, 0.0));
/// ```
#[inline]
pub fn hypot<S: Scalar>(a: S, b: S) -> (S, S, S) {
    let h = a.hypot(b);
    if h.base() == <S::Base as Float>::from_f64(0.0) {
        (h, S::zero(), S::zero())
    } else {
        (h, a / h, b / h)
    }
}
/// `log_base(x)` as Rust's `x.log(base)` = `ln x / ln base`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// let (v, da, db) = rules::log(8.0f64, 2.0);
/// assert!((v - 3.0).abs() < 1e-14);
/// assert!((da - 1.0 / (8.0 * core::f64::consts::LN_2)).abs() < 1e-14);
/// assert!((db - -3.0 / (2.0 * core::f64::consts::LN_2)).abs() < 1e-14);
/// ```
#[inline]
pub fn log<S: Scalar>(x: S, base: S) -> (S, S, S) {
    let lb = base.ln();
    let v = x.log(base);
    (v, S::one() / (x * lb), -v / (base * lb))
}
/// `max(a, b)` with Rust's NaN semantics; a tie splits the derivative 0.5/0.5.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::max(1.0f64, 2.0), (2.0, 0.0, 1.0));
/// // A tie splits the derivative.
/// assert_eq!(rules::max(1.0f64, 1.0), (1.0, 0.5, 0.5));
/// ```
#[inline]
pub fn max<S: Scalar>(a: S, b: S) -> (S, S, S) {
    let (x, y) = (a.base(), b.base());
    if x > y || y.is_nan() {
        (a, S::one(), S::zero())
    } else if x < y || x.is_nan() {
        (b, S::zero(), S::one())
    } else {
        let h = c::<S>(0.5);
        ((a + b) * h, h, h)
    }
}
/// `min(a, b)` with Rust's NaN semantics; a tie splits the derivative 0.5/0.5.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::min(1.0f64, 2.0), (1.0, 1.0, 0.0));
/// ```
#[inline]
pub fn min<S: Scalar>(a: S, b: S) -> (S, S, S) {
    let (x, y) = (a.base(), b.base());
    if x < y || y.is_nan() {
        (a, S::one(), S::zero())
    } else if x > y || x.is_nan() {
        (b, S::zero(), S::one())
    } else {
        let h = c::<S>(0.5);
        ((a + b) * h, h, h)
    }
}
/// `a.mul_add(b, c)` = `a * b + c` with one rounding: partials `b`, `a`, `1`.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::mul_add(2.0f64, 3.0, 4.0), (10.0, 3.0, 2.0, 1.0));
/// ```
#[inline]
pub fn mul_add<S: Scalar>(a: S, b: S, c: S) -> (S, S, S, S) {
    (a.mul_add(b, c), b, a, S::one())
}
/// `clamp(x, lo, hi)`: d/dx = 1 for `lo <= x <= hi`, else the bound that was hit gets 1.
#[inline]
///
/// # Panics
/// Like `f64::clamp`, if `lo > hi` or either bound is NaN, so the derivative code fails
/// exactly where the original function does.
///
/// ```
/// use autodiff_runtime::rules;
/// // (value, partial derivatives)
/// assert_eq!(rules::clamp(5.0f64, 0.0, 1.0), (1.0, 0.0, 0.0, 1.0));
/// // Inside the bounds, the derivative goes to x.
/// assert_eq!(rules::clamp(0.5f64, 0.0, 1.0), (0.5, 1.0, 0.0, 0.0));
/// ```
pub fn clamp<S: Scalar>(x: S, lo: S, hi: S) -> (S, S, S, S) {
    assert!(lo.base() <= hi.base(), "min > max, or either was NaN");
    let v = x.base();
    if v < lo.base() {
        (lo, S::zero(), S::one(), S::zero())
    } else if v > hi.base() {
        (hi, S::zero(), S::zero(), S::one())
    } else {
        (x, S::one(), S::zero(), S::zero())
    }
}
