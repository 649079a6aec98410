//! [`RefDual`]: the test's own dual numbers, independent of the runtime.
//!
//! The runtime's `Dual` takes every derivative from `autodiff::rules`, which is also what the
//! macro's generated code calls; a wrong rule there would agree with itself. These duals write
//! each derivative out again from the textbook formula, so the reference shares nothing with
//! the code under test but the primitive `f64`/`f32` functions. Nested (`RefDual<RefDual<_>>`)
//! they give second and third derivatives.

use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use autodiff::{FastMath, Float, Scalar};

/// `re + eps ε` with `ε² = 0`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RefDual<S> {
    /// The value.
    pub re: S,
    /// The derivative along the seeded direction.
    pub eps: S,
}

impl<S: Scalar> RefDual<S> {
    /// `re + eps ε`.
    pub fn new(re: S, eps: S) -> Self {
        RefDual { re, eps }
    }

    /// `f(re) + f'(re) eps ε`, given `f(re)` and `f'(re)`.
    fn chain(self, value: S, slope: S) -> Self {
        RefDual::new(value, self.eps * slope)
    }
}

/// `v` as a scalar of the same type as the value parts.
fn k<S: Scalar>(v: f64) -> S {
    S::cst(<S::Base as Float>::from_f64(v))
}

impl<S: Scalar> Add for RefDual<S> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        RefDual::new(self.re + o.re, self.eps + o.eps)
    }
}

impl<S: Scalar> Sub for RefDual<S> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        RefDual::new(self.re - o.re, self.eps - o.eps)
    }
}

impl<S: Scalar> Mul for RefDual<S> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        RefDual::new(self.re * o.re, self.re * o.eps + self.eps * o.re)
    }
}

impl<S: Scalar> Div for RefDual<S> {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        RefDual::new(
            self.re / o.re,
            (self.eps * o.re - self.re * o.eps) / (o.re * o.re),
        )
    }
}

impl<S: Scalar> Neg for RefDual<S> {
    type Output = Self;
    fn neg(self) -> Self {
        RefDual::new(-self.re, -self.eps)
    }
}

macro_rules! assign {
    ($($tr:ident $m:ident $op:tt),*) => {$(
        impl<S: Scalar> $tr for RefDual<S> {
            fn $m(&mut self, o: Self) {
                *self = *self $op o;
            }
        }
    )*};
}
assign!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

/// Written independently of the runtime's rule: `(1 - t^2)` from the fast value, and its
/// derivative `-2 t (1 - t^2)` for the derivative part.
impl<S: Scalar> FastMath for RefDual<S> {
    fn tanh_fast(self) -> Self {
        let t = self.re.tanh_fast();
        self.chain(t, S::one() - t * t)
    }
    fn tanh_fast_with_derivative(self) -> (Self, Self) {
        let t = self.re.tanh_fast();
        let d = S::one() - t * t;
        (self.chain(t, d), self.chain(d, -(t + t) * d))
    }
}

impl<S: Scalar> Scalar for RefDual<S> {
    type Base = S::Base;

    fn cst(b: S::Base) -> Self {
        RefDual::new(S::cst(b), S::zero())
    }
    fn base(self) -> S::Base {
        self.re.base()
    }
    fn sin(self) -> Self {
        self.chain(self.re.sin(), self.re.cos())
    }
    fn cos(self) -> Self {
        self.chain(self.re.cos(), -self.re.sin())
    }
    fn tan(self) -> Self {
        let t = self.re.tan();
        self.chain(t, S::one() + t * t)
    }
    fn asin(self) -> Self {
        let x = self.re;
        self.chain(x.asin(), S::one() / (S::one() - x * x).sqrt())
    }
    fn acos(self) -> Self {
        let x = self.re;
        self.chain(x.acos(), -S::one() / (S::one() - x * x).sqrt())
    }
    fn atan(self) -> Self {
        let x = self.re;
        self.chain(x.atan(), S::one() / (S::one() + x * x))
    }
    fn atan2(self, x: Self) -> Self {
        let y = self;
        let r2 = x.re * x.re + y.re * y.re;
        RefDual::new(y.re.atan2(x.re), (y.eps * x.re - x.eps * y.re) / r2)
    }
    fn sinh(self) -> Self {
        self.chain(self.re.sinh(), self.re.cosh())
    }
    fn cosh(self) -> Self {
        self.chain(self.re.cosh(), self.re.sinh())
    }
    fn tanh(self) -> Self {
        let t = self.re.tanh();
        self.chain(t, S::one() - t * t)
    }
    fn asinh(self) -> Self {
        let x = self.re;
        self.chain(x.asinh(), S::one() / (x * x + S::one()).sqrt())
    }
    fn acosh(self) -> Self {
        let x = self.re;
        self.chain(x.acosh(), S::one() / (x * x - S::one()).sqrt())
    }
    fn atanh(self) -> Self {
        let x = self.re;
        self.chain(x.atanh(), S::one() / (S::one() - x * x))
    }
    fn exp(self) -> Self {
        let e = self.re.exp();
        self.chain(e, e)
    }
    fn exp2(self) -> Self {
        let e = self.re.exp2();
        self.chain(e, e * k(core::f64::consts::LN_2))
    }
    fn exp_m1(self) -> Self {
        self.chain(self.re.exp_m1(), self.re.exp())
    }
    fn ln(self) -> Self {
        self.chain(self.re.ln(), S::one() / self.re)
    }
    fn log2(self) -> Self {
        self.chain(
            self.re.log2(),
            S::one() / (self.re * k(core::f64::consts::LN_2)),
        )
    }
    fn log10(self) -> Self {
        self.chain(
            self.re.log10(),
            S::one() / (self.re * k(core::f64::consts::LN_10)),
        )
    }
    fn ln_1p(self) -> Self {
        self.chain(self.re.ln_1p(), S::one() / (S::one() + self.re))
    }
    fn sqrt(self) -> Self {
        let r = self.re.sqrt();
        self.chain(r, S::one() / (r + r))
    }
    fn cbrt(self) -> Self {
        let c = self.re.cbrt();
        self.chain(c, S::one() / (k::<S>(3.0) * c * c))
    }
    fn powi(self, n: i32) -> Self {
        let slope = if n == 0 {
            S::zero()
        } else {
            k::<S>(n as f64) * self.re.powi(n - 1)
        };
        self.chain(self.re.powi(n), slope)
    }
    fn powf(self, p: Self) -> Self {
        let v = self.re.powf(p.re);
        let dx = self.eps * p.re * self.re.powf(p.re - S::one());
        // A constant exponent contributes nothing (and `ln x` may not exist).
        if p.eps == S::zero() {
            RefDual::new(v, dx)
        } else {
            RefDual::new(v, dx + p.eps * v * self.re.ln())
        }
    }
    fn abs(self) -> Self {
        let s = if self.re.base() > <S::Base as Float>::from_f64(0.0) {
            S::one()
        } else if self.re.base() < <S::Base as Float>::from_f64(0.0) {
            -S::one()
        } else {
            S::zero()
        };
        self.chain(self.re.abs(), s)
    }
    fn hypot(self, o: Self) -> Self {
        let h = self.re.hypot(o.re);
        RefDual::new(h, (self.re * self.eps + o.re * o.eps) / h)
    }
    fn floor(self) -> Self {
        self.chain(self.re.floor(), S::zero())
    }
    fn ceil(self) -> Self {
        self.chain(self.re.ceil(), S::zero())
    }
    fn round(self) -> Self {
        self.chain(self.re.round(), S::zero())
    }
    fn trunc(self) -> Self {
        self.chain(self.re.trunc(), S::zero())
    }
    fn mul_add(self, a: Self, b: Self) -> Self {
        let eps = self.eps * a.re + self.re * a.eps + b.eps;
        RefDual::new(self.re.mul_add(a.re, b.re), eps)
    }
    fn log(self, base: Self) -> Self {
        self.ln() / base.ln()
    }
    fn signum(self) -> Self {
        self.chain(self.re.signum(), S::zero())
    }
}
