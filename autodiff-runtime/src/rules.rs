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

use crate::{Float, Scalar};

/// The constant `v` in `S`.
#[inline(always)]
fn c<S: Scalar>(v: f64) -> S {
    S::cst(<S::Base as Float>::from_f64(v))
}

// ---- operators -------------------------------------------------------------------------------

/// `a + b`.
#[inline(always)]
pub fn add<S: Scalar>(a: S, b: S) -> (S, S, S) {
    (a + b, S::one(), S::one())
}
/// `a - b`.
#[inline(always)]
pub fn sub<S: Scalar>(a: S, b: S) -> (S, S, S) {
    (a - b, S::one(), -S::one())
}
/// `a * b`.
#[inline(always)]
pub fn mul<S: Scalar>(a: S, b: S) -> (S, S, S) {
    (a * b, b, a)
}
/// `a / b`: partials `1/b` and `-(a/b)/b`.
#[inline(always)]
pub fn div<S: Scalar>(a: S, b: S) -> (S, S, S) {
    let q = a / b;
    let r = S::one() / b;
    (q, r, -q * r)
}
/// `-a`.
#[inline(always)]
pub fn neg<S: Scalar>(a: S) -> (S, S) {
    (-a, -S::one())
}

// ---- one argument ----------------------------------------------------------------------------

/// `sin x`.
#[inline]
pub fn sin<S: Scalar>(x: S) -> (S, S) {
    (x.sin(), x.cos())
}
/// `cos x`.
#[inline]
pub fn cos<S: Scalar>(x: S) -> (S, S) {
    (x.cos(), -x.sin())
}
/// `tan x`: derivative `1 + tan^2 x`.
#[inline]
pub fn tan<S: Scalar>(x: S) -> (S, S) {
    let t = x.tan();
    (t, S::one() + t * t)
}
/// `asin x`: derivative `1 / sqrt(1 - x^2)`.
#[inline]
pub fn asin<S: Scalar>(x: S) -> (S, S) {
    (x.asin(), S::one() / (S::one() - x * x).sqrt())
}
/// `acos x`: derivative `-1 / sqrt(1 - x^2)`.
#[inline]
pub fn acos<S: Scalar>(x: S) -> (S, S) {
    (x.acos(), -S::one() / (S::one() - x * x).sqrt())
}
/// `atan x`: derivative `1 / (1 + x^2)`.
#[inline]
pub fn atan<S: Scalar>(x: S) -> (S, S) {
    (x.atan(), S::one() / (S::one() + x * x))
}
/// `sinh x`.
#[inline]
pub fn sinh<S: Scalar>(x: S) -> (S, S) {
    (x.sinh(), x.cosh())
}
/// `cosh x`.
#[inline]
pub fn cosh<S: Scalar>(x: S) -> (S, S) {
    (x.cosh(), x.sinh())
}
/// `tanh x`: derivative `1 - tanh^2 x`, or `1 / cosh^2 x` where `tanh x` is close to 1 and the
/// subtraction would cancel (|tanh x| > 0.9).
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
/// `asinh x`: derivative `1 / sqrt(x^2 + 1)`.
#[inline]
pub fn asinh<S: Scalar>(x: S) -> (S, S) {
    (x.asinh(), S::one() / (x * x + S::one()).sqrt())
}
/// `acosh x`: derivative `1 / sqrt(x^2 - 1)`.
#[inline]
pub fn acosh<S: Scalar>(x: S) -> (S, S) {
    (x.acosh(), S::one() / (x * x - S::one()).sqrt())
}
/// `atanh x`: derivative `1 / (1 - x^2)`.
#[inline]
pub fn atanh<S: Scalar>(x: S) -> (S, S) {
    (x.atanh(), S::one() / (S::one() - x * x))
}
/// `e^x`.
#[inline]
pub fn exp<S: Scalar>(x: S) -> (S, S) {
    let e = x.exp();
    (e, e)
}
/// `2^x`: derivative `ln 2 * 2^x`.
#[inline]
pub fn exp2<S: Scalar>(x: S) -> (S, S) {
    let e = x.exp2();
    (e, e * c(core::f64::consts::LN_2))
}
/// `e^x - 1`: derivative `e^x`.
#[inline]
pub fn exp_m1<S: Scalar>(x: S) -> (S, S) {
    (x.exp_m1(), x.exp())
}
/// `ln x`: derivative `1/x`.
#[inline]
pub fn ln<S: Scalar>(x: S) -> (S, S) {
    (x.ln(), S::one() / x)
}
/// `log2 x`: derivative `1 / (x ln 2)`.
#[inline]
pub fn log2<S: Scalar>(x: S) -> (S, S) {
    (x.log2(), S::one() / (x * c(core::f64::consts::LN_2)))
}
/// `log10 x`: derivative `1 / (x ln 10)`.
#[inline]
pub fn log10<S: Scalar>(x: S) -> (S, S) {
    (x.log10(), S::one() / (x * c(core::f64::consts::LN_10)))
}
/// `ln(1 + x)`: derivative `1 / (1 + x)`.
#[inline]
pub fn ln_1p<S: Scalar>(x: S) -> (S, S) {
    (x.ln_1p(), S::one() / (S::one() + x))
}
/// `sqrt x`: derivative `1 / (2 sqrt x)`.
#[inline]
pub fn sqrt<S: Scalar>(x: S) -> (S, S) {
    let r = x.sqrt();
    (r, c::<S>(0.5) / r)
}
/// `cbrt x`: derivative `1 / (3 cbrt(x)^2)`.
#[inline]
pub fn cbrt<S: Scalar>(x: S) -> (S, S) {
    let r = x.cbrt();
    (r, S::one() / (c::<S>(3.0) * r * r))
}
/// `|x|`: derivative `sign x`, and 0 at 0.
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
#[inline]
pub fn recip<S: Scalar>(x: S) -> (S, S) {
    let r = S::one() / x;
    (r, -r * r)
}
/// Radians to degrees.
#[inline]
pub fn to_degrees<S: Scalar>(x: S) -> (S, S) {
    let k = c::<S>(180.0 / core::f64::consts::PI);
    (x * k, k)
}
/// Degrees to radians.
#[inline]
pub fn to_radians<S: Scalar>(x: S) -> (S, S) {
    let k = c::<S>(core::f64::consts::PI / 180.0);
    (x * k, k)
}
/// `floor x`: derivative 0.
#[inline]
pub fn floor<S: Scalar>(x: S) -> (S, S) {
    (x.floor(), S::zero())
}
/// `ceil x`: derivative 0.
#[inline]
pub fn ceil<S: Scalar>(x: S) -> (S, S) {
    (x.ceil(), S::zero())
}
/// `round x`: derivative 0.
#[inline]
pub fn round<S: Scalar>(x: S) -> (S, S) {
    (x.round(), S::zero())
}
/// `trunc x`: derivative 0.
#[inline]
pub fn trunc<S: Scalar>(x: S) -> (S, S) {
    (x.trunc(), S::zero())
}
/// `signum x`: derivative 0.
#[inline]
pub fn signum<S: Scalar>(x: S) -> (S, S) {
    (x.signum(), S::zero())
}
/// `x^n` for an integer `n`: derivative `n x^(n-1)`.
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
#[inline]
pub fn atan2<S: Scalar>(y: S, x: S) -> (S, S, S) {
    let r2 = x * x + y * y;
    (y.atan2(x), x / r2, -y / r2)
}
/// `x^p`: partials `p x^(p-1)` and `x^p ln x` (0 where `x^p` is 0).
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
#[inline]
pub fn log<S: Scalar>(x: S, base: S) -> (S, S, S) {
    let lb = base.ln();
    let v = x.log(base);
    (v, S::one() / (x * lb), -v / (base * lb))
}
/// `max(a, b)` with Rust's NaN semantics; a tie splits the derivative 0.5/0.5.
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
