//! [`Float`]: the primitive floats `f32` and `f64`, and their [`Scalar`] implementations with
//! math through `std` (feature `std`) or `libm`.

use crate::Scalar;

/// A primitive IEEE float (`f32` or `f64`): the [`Scalar::Base`] of every scalar type.
pub trait Float: Scalar<Base = Self> + PartialOrd {
    /// Converts from `f64` (rounding for `f32`).
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` (exact for `f32`).
    fn to_f64(self) -> f64;
    /// Whether the value is NaN.
    fn is_nan(self) -> bool;
}

/// Implements [`Scalar`] and [`Float`] for one primitive float. Each math function names the
/// `std` spelling and the `libm` spelling; exactly one is compiled.
macro_rules! primitive_float {
    ($t:ident, $($name:ident($this:ident $(, $arg:ident)*) => std $std:expr, libm $libm:expr;)*) => {
        impl Float for $t {
            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
        }

        impl Scalar for $t {
            type Base = $t;

            #[inline]
            fn cst(b: $t) -> Self {
                b
            }
            #[inline]
            fn base(self) -> $t {
                self
            }
            #[inline]
            fn zero() -> Self {
                0.0
            }
            #[inline]
            fn one() -> Self {
                1.0
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                #[cfg(feature = "std")]
                {
                    <$t>::powi(self, n)
                }
                #[cfg(not(feature = "std"))]
                {
                    powi_by_squaring(self, n)
                }
            }
            $(
                #[inline]
                fn $name($this $(, $arg: Self)*) -> Self {
                    #[cfg(feature = "std")]
                    {
                        $std
                    }
                    #[cfg(not(feature = "std"))]
                    {
                        $libm
                    }
                }
            )*
        }
    };
}

/// `x^n` by repeated squaring, for builds without `std` (which has an LLVM intrinsic for it).
#[cfg(not(feature = "std"))]
#[inline]
fn powi_by_squaring<T: Float>(x: T, n: i32) -> T {
    let mut base = if n < 0 { T::one() / x } else { x };
    let mut e = n.unsigned_abs();
    let mut acc = T::one();
    while e > 0 {
        if e & 1 == 1 {
            acc *= base;
        }
        base *= base;
        e >>= 1;
    }
    acc
}

primitive_float! { f64,
    sin(self) => std f64::sin(self), libm libm::sin(self);
    cos(self) => std f64::cos(self), libm libm::cos(self);
    tan(self) => std f64::tan(self), libm libm::tan(self);
    asin(self) => std f64::asin(self), libm libm::asin(self);
    acos(self) => std f64::acos(self), libm libm::acos(self);
    atan(self) => std f64::atan(self), libm libm::atan(self);
    atan2(self, x) => std f64::atan2(self, x), libm libm::atan2(self, x);
    sinh(self) => std f64::sinh(self), libm libm::sinh(self);
    cosh(self) => std f64::cosh(self), libm libm::cosh(self);
    tanh(self) => std f64::tanh(self), libm libm::tanh(self);
    asinh(self) => std f64::asinh(self), libm libm::asinh(self);
    acosh(self) => std f64::acosh(self), libm libm::acosh(self);
    atanh(self) => std f64::atanh(self), libm libm::atanh(self);
    exp(self) => std f64::exp(self), libm libm::exp(self);
    exp2(self) => std f64::exp2(self), libm libm::exp2(self);
    exp_m1(self) => std f64::exp_m1(self), libm libm::expm1(self);
    ln(self) => std f64::ln(self), libm libm::log(self);
    log2(self) => std f64::log2(self), libm libm::log2(self);
    log10(self) => std f64::log10(self), libm libm::log10(self);
    ln_1p(self) => std f64::ln_1p(self), libm libm::log1p(self);
    sqrt(self) => std f64::sqrt(self), libm libm::sqrt(self);
    cbrt(self) => std f64::cbrt(self), libm libm::cbrt(self);
    powf(self, p) => std f64::powf(self, p), libm libm::pow(self, p);
    abs(self) => std f64::abs(self), libm libm::fabs(self);
    hypot(self, other) => std f64::hypot(self, other), libm libm::hypot(self, other);
    floor(self) => std f64::floor(self), libm libm::floor(self);
    ceil(self) => std f64::ceil(self), libm libm::ceil(self);
    round(self) => std f64::round(self), libm libm::round(self);
    trunc(self) => std f64::trunc(self), libm libm::trunc(self);
    mul_add(self, a, b) => std f64::mul_add(self, a, b), libm libm::fma(self, a, b);
    log(self, base) => std f64::log(self, base), libm libm::log(self) / libm::log(base);
    signum(self) => std f64::signum(self), libm if self.is_nan() { self } else { libm::copysign(1.0, self) };
}

primitive_float! { f32,
    sin(self) => std f32::sin(self), libm libm::sinf(self);
    cos(self) => std f32::cos(self), libm libm::cosf(self);
    tan(self) => std f32::tan(self), libm libm::tanf(self);
    asin(self) => std f32::asin(self), libm libm::asinf(self);
    acos(self) => std f32::acos(self), libm libm::acosf(self);
    atan(self) => std f32::atan(self), libm libm::atanf(self);
    atan2(self, x) => std f32::atan2(self, x), libm libm::atan2f(self, x);
    sinh(self) => std f32::sinh(self), libm libm::sinhf(self);
    cosh(self) => std f32::cosh(self), libm libm::coshf(self);
    tanh(self) => std f32::tanh(self), libm libm::tanhf(self);
    asinh(self) => std f32::asinh(self), libm libm::asinhf(self);
    acosh(self) => std f32::acosh(self), libm libm::acoshf(self);
    atanh(self) => std f32::atanh(self), libm libm::atanhf(self);
    exp(self) => std f32::exp(self), libm libm::expf(self);
    exp2(self) => std f32::exp2(self), libm libm::exp2f(self);
    exp_m1(self) => std f32::exp_m1(self), libm libm::expm1f(self);
    ln(self) => std f32::ln(self), libm libm::logf(self);
    log2(self) => std f32::log2(self), libm libm::log2f(self);
    log10(self) => std f32::log10(self), libm libm::log10f(self);
    ln_1p(self) => std f32::ln_1p(self), libm libm::log1pf(self);
    sqrt(self) => std f32::sqrt(self), libm libm::sqrtf(self);
    cbrt(self) => std f32::cbrt(self), libm libm::cbrtf(self);
    powf(self, p) => std f32::powf(self, p), libm libm::powf(self, p);
    abs(self) => std f32::abs(self), libm libm::fabsf(self);
    hypot(self, other) => std f32::hypot(self, other), libm libm::hypotf(self, other);
    floor(self) => std f32::floor(self), libm libm::floorf(self);
    ceil(self) => std f32::ceil(self), libm libm::ceilf(self);
    round(self) => std f32::round(self), libm libm::roundf(self);
    trunc(self) => std f32::trunc(self), libm libm::truncf(self);
    mul_add(self, a, b) => std f32::mul_add(self, a, b), libm libm::fmaf(self, a, b);
    log(self, base) => std f32::log(self, base), libm libm::logf(self) / libm::logf(base);
    signum(self) => std f32::signum(self), libm if self.is_nan() { self } else { libm::copysignf(1.0, self) };
}
