//! The [`Scalar`] trait: the arithmetic and elementary functions generated code may use.

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{FastMath, Float};

/// A number the generated derivative code can compute with.
///
/// Implemented by `f32` and `f64` (whose [`Scalar::Base`] is themselves); dual numbers and
/// Taylor jets implement it too, so one generated adjoint serves first and higher order.
///
/// [`FastMath`] is a supertrait: every scalar has `tanh_fast` (generated code calls it where the
/// source does).
///
/// Every elementary function here is the *value* only. Derivative rules (value and partials)
/// live in [`crate::rules`], written once over this trait.
pub trait Scalar:
    FastMath
    + Copy
    + Debug
    + Default
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + 'static
{
    /// The primitive float underneath (`f64` for `f64` and for duals of `f64`).
    type Base: Float;

    /// A constant: the value `b` with every derivative part zero.
    fn cst(b: Self::Base) -> Self;
    /// The primitive value (real part). Comparisons and branches in generated code use it, so
    /// derivatives follow the branch the primal computation takes.
    fn base(self) -> Self::Base;

    /// `self * k` for a primitive constant `k` (cheaper than `self * Self::cst(k)` for duals
    /// and jets, whose derivative parts need no multiplication by zero).
    #[inline]
    fn scale(self, k: Self::Base) -> Self {
        self * Self::cst(k)
    }
    /// `self + k` for a primitive constant `k`.
    #[inline]
    fn add_base(self, k: Self::Base) -> Self {
        self + Self::cst(k)
    }
    /// `k - self` for a primitive constant `k`.
    #[inline]
    fn sub_from_base(self, k: Self::Base) -> Self {
        Self::cst(k) - self
    }
    /// `self / k` for a primitive constant `k`.
    #[inline]
    fn div_base(self, k: Self::Base) -> Self {
        self / Self::cst(k)
    }
    /// `0`.
    #[inline]
    fn zero() -> Self {
        Self::cst(<Self::Base as Float>::from_f64(0.0))
    }
    /// `1`.
    #[inline]
    fn one() -> Self {
        Self::cst(<Self::Base as Float>::from_f64(1.0))
    }

    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Tangent.
    fn tan(self) -> Self;
    /// Arcsine.
    fn asin(self) -> Self;
    /// Arccosine.
    fn acos(self) -> Self;
    /// Arctangent.
    fn atan(self) -> Self;
    /// Four-quadrant arctangent of `self` (y) and `x`.
    fn atan2(self, x: Self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Inverse hyperbolic sine.
    fn asinh(self) -> Self;
    /// Inverse hyperbolic cosine.
    fn acosh(self) -> Self;
    /// Inverse hyperbolic tangent.
    fn atanh(self) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// `2^self`.
    fn exp2(self) -> Self;
    /// `e^self - 1`, accurate near 0.
    fn exp_m1(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Base-2 logarithm.
    fn log2(self) -> Self;
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// `ln(1 + self)`, accurate near 0.
    fn ln_1p(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// `self^n`.
    fn powi(self, n: i32) -> Self;
    /// `self^p`.
    fn powf(self, p: Self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// `sqrt(self^2 + other^2)` without undue overflow.
    fn hypot(self, other: Self) -> Self;
    /// Largest integer <= self.
    fn floor(self) -> Self;
    /// Smallest integer >= self.
    fn ceil(self) -> Self;
    /// Nearest integer, ties away from zero.
    fn round(self) -> Self;
    /// Integer part.
    fn trunc(self) -> Self;
    /// `self * a + b` with one rounding (fused multiply-add) for primitive floats.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// Logarithm to the given base, `ln self / ln base` (as `f64::log`).
    fn log(self, base: Self) -> Self;
    /// `1` for `+0` and positive, `-1` for `-0` and negative, NaN for NaN (as `f64::signum`).
    fn signum(self) -> Self;
}
