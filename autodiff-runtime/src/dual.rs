//! [`Dual`]: first-order dual numbers `re + eps ε` with `ε² = 0`, nestable (`Dual<Dual<f64>>`).
//!
//! Running the generated reverse-mode code on duals seeded with a direction `v` gives the
//! gradient in the real parts and the Hessian-vector product `H v` in the `eps` parts
//! (forward-over-reverse). Every elementary function uses the value and partials of
//! [`crate::rules`], so the math is written once.

use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{rules, FastMath, Scalar};

/// A dual number: a value and one directional derivative.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dual<S> {
    /// The value.
    pub re: S,
    /// The derivative along the seeded direction.
    pub eps: S,
}

impl<S: Scalar> Dual<S> {
    /// `re + eps ε`.
    ///
    /// ```
    /// use autodiff_runtime::Dual;
    /// // x * x at 3 with the derivative seeded: 9 and 2 x = 6.
    /// let x = Dual::new(3.0, 1.0);
    /// let y = x * x;
    /// assert_eq!((y.re, y.eps), (9.0, 6.0));
    /// ```
    #[inline(always)]
    pub fn new(re: S, eps: S) -> Self {
        Dual { re, eps }
    }

    /// A constant (derivative zero).
    ///
    /// ```
    /// use autodiff_runtime::Dual;
    /// let (x, c) = (Dual::new(3.0, 1.0), Dual::constant(2.0));
    /// let y = c * x;
    /// assert_eq!((y.re, y.eps), (6.0, 2.0)); // constants carry no derivative
    /// ```
    #[inline(always)]
    pub fn constant(re: S) -> Self {
        Dual { re, eps: S::zero() }
    }

    /// One argument's chain rule: `(value, d value / d self)`.
    #[inline(always)]
    fn chain(self, (v, d): (S, S)) -> Self {
        Dual::new(v, self.eps * d)
    }

    /// Two arguments' chain rule.
    #[inline(always)]
    fn chain2(self, o: Self, (v, da, db): (S, S, S)) -> Self {
        Dual::new(v, self.eps * da + o.eps * db)
    }
}

impl<S: Scalar> Add for Dual<S> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Dual::new(self.re + o.re, self.eps + o.eps)
    }
}

impl<S: Scalar> Sub for Dual<S> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Dual::new(self.re - o.re, self.eps - o.eps)
    }
}

impl<S: Scalar> Mul for Dual<S> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Dual::new(self.re * o.re, self.eps * o.re + self.re * o.eps)
    }
}

impl<S: Scalar> Div for Dual<S> {
    type Output = Self;
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let q = self.re / o.re;
        Dual::new(q, (self.eps - q * o.eps) / o.re)
    }
}

impl<S: Scalar> Neg for Dual<S> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual::new(-self.re, -self.eps)
    }
}

macro_rules! assign_ops {
    ($($tr:ident $m:ident $op:tt),*) => {$(
        impl<S: Scalar> $tr for Dual<S> {
            #[inline(always)]
            fn $m(&mut self, o: Self) {
                *self = *self $op o;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

macro_rules! unary {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> Self {
            self.chain(rules::$name(self.re))
        }
    )*};
}

impl<S: Scalar> Scalar for Dual<S> {
    type Base = S::Base;

    #[inline(always)]
    fn cst(b: S::Base) -> Self {
        Dual::constant(S::cst(b))
    }
    #[inline(always)]
    fn base(self) -> S::Base {
        self.re.base()
    }
    #[inline(always)]
    fn scale(self, k: S::Base) -> Self {
        Dual::new(self.re.scale(k), self.eps.scale(k))
    }
    #[inline(always)]
    fn add_base(self, k: S::Base) -> Self {
        Dual::new(self.re.add_base(k), self.eps)
    }
    #[inline(always)]
    fn sub_from_base(self, k: S::Base) -> Self {
        Dual::new(self.re.sub_from_base(k), -self.eps)
    }
    #[inline(always)]
    fn div_base(self, k: S::Base) -> Self {
        Dual::new(self.re.div_base(k), self.eps.div_base(k))
    }

    unary!(
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2, exp_m1,
        ln, log2, log10, ln_1p, sqrt, cbrt, abs, floor, ceil, round, trunc, signum
    );

    #[inline]
    fn atan2(self, x: Self) -> Self {
        self.chain2(x, rules::atan2(self.re, x.re))
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        self.chain(rules::powi(self.re, n))
    }
    #[inline]
    fn powf(self, p: Self) -> Self {
        let (v, dx, dp) = rules::powf(self.re, p.re);
        // A constant exponent contributes nothing, even where `x^p ln x` is NaN (x < 0).
        if p.eps == S::zero() {
            Dual::new(v, self.eps * dx)
        } else {
            Dual::new(v, self.eps * dx + p.eps * dp)
        }
    }
    #[inline]
    fn hypot(self, o: Self) -> Self {
        self.chain2(o, rules::hypot(self.re, o.re))
    }
    #[inline]
    fn log(self, base: Self) -> Self {
        self.chain2(base, rules::log(self.re, base.re))
    }
    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        let (v, da, db, dc) = rules::mul_add(self.re, a.re, b.re);
        Dual::new(v, self.eps * da + a.eps * db + b.eps * dc)
    }
}

/// The value and derivative of the real part's fast `tanh`, carried as in [`rules::tanh_fast`].
impl<S: Scalar> FastMath for Dual<S> {
    #[inline]
    fn tanh_fast(self) -> Self {
        self.chain(rules::tanh_fast(self.re))
    }
    /// `(1 - t^2)' = -2 t (1 - t^2)`: the derivative's own derivative, so nested duals (and
    /// the Hessian-vector products run on them) see the second derivative of the fast value.
    #[inline]
    fn tanh_fast_with_derivative(self) -> (Self, Self) {
        let (t, d) = self.re.tanh_fast_with_derivative();
        let dd = (t * d).scale(<S::Base as crate::Float>::from_f64(-2.0));
        (Dual::new(t, self.eps * d), Dual::new(d, self.eps * dd))
    }
}
