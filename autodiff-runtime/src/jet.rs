//! [`Jet`]: truncated Taylor series, for derivatives of any fixed order in one forward pass.
//!
//! A `Jet<S, N>` holds the first `N` Taylor coefficients of a function of one variable around a
//! point `x0`: `f(x0 + t) = c[0] + c[1] t + ... + c[N-1] t^(N-1) + O(t^N)`, so `c[k] = f^(k)(x0) /
//! k!` ([`Jet::derivatives`] undoes the factorials). Seed the variable with [`Jet::var`], run any
//! code that is generic over [`Scalar`] (generated derivative code included), and read all
//! derivatives up to order `N - 1` of the result.
//!
//! Every operation uses the standard Taylor-coefficient recurrences (Griewank and Walther,
//! *Evaluating Derivatives*, ch. 13): each output coefficient is computed once, in `O(N^2)`
//! operations per elementary function, with no allocation. The value `c[0]` of every result is
//! the primitive function applied to the input values (`x0.tan()`, `x0.exp2()`, ...), so it agrees
//! bit for bit with the plain `f64`/`f32` evaluation.
//!
//! Conventions where derivatives do not exist follow [`crate::rules`]: `abs` at 0 and `hypot` at
//! the origin have all derivative parts zero; `floor`, `ceil`, `round`, `trunc` and `signum` are
//! locally constant. At singular points (`ln`, `sqrt`, `cbrt`, `powf` at 0, `asin` at +-1, ...) the
//! derivative parts are infinite or NaN, as the first-order rules are.

use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{FastMath, Float, Scalar};

/// A truncated Taylor series `f(x0 + t) = sum_{k < N} c[k] t^k` (`N >= 1` coefficients, order
/// `N - 1`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jet<S, const N: usize> {
    /// The Taylor coefficients: `c[k] = f^(k)(x0) / k!`.
    pub c: [S; N],
}

/// The constant `v` in `S`.
#[inline(always)]
fn k<S: Scalar>(v: f64) -> S {
    S::cst(<S::Base as Float>::from_f64(v))
}

/// The constant `i` (an index or order) in `S`.
#[inline(always)]
fn ki<S: Scalar>(i: usize) -> S {
    k(i as f64)
}

impl<S: Scalar, const N: usize> Jet<S, N> {
    /// Compile-time check that the jet has at least the value coefficient.
    const NONEMPTY: () = assert!(N >= 1, "a Jet needs at least one coefficient (N >= 1)");

    /// The jet with the given Taylor coefficients.
    ///
    /// ```
    /// use autodiff_runtime::Jet;
    /// // Taylor coefficients of f at x0: f(x0) = 1, f'(x0) = 2, f''(x0) / 2 = 3.
    /// let j = Jet::new([1.0, 2.0, 3.0]);
    /// assert_eq!(j.derivatives(), [1.0, 2.0, 6.0]);
    /// ```
    #[inline]
    pub fn new(c: [S; N]) -> Self {
        let () = Self::NONEMPTY;
        Jet { c }
    }

    /// A constant: `[x0, 0, 0, ...]`.
    ///
    /// ```
    /// use autodiff_runtime::Jet;
    /// let c: Jet<f64, 3> = Jet::constant(5.0);
    /// assert_eq!(c.derivatives(), [5.0, 0.0, 0.0]);
    /// ```
    #[inline]
    pub fn constant(x0: S) -> Self {
        let mut c = [S::zero(); N];
        c[0] = x0;
        Self::new(c)
    }

    /// The independent variable at `x0`: `[x0, 1, 0, ...]` (`[x0]` when `N == 1`).
    ///
    /// ```
    /// use autodiff_runtime::Jet;
    /// let x: Jet<f64, 4> = Jet::var(2.0);
    /// // x^3 at 2: 8, 3 x^2 = 12, 6 x = 12, 6.
    /// assert_eq!((x * x * x).derivatives(), [8.0, 12.0, 12.0, 6.0]);
    /// ```
    #[inline]
    pub fn var(x0: S) -> Self {
        let mut j = Self::constant(x0);
        if N > 1 {
            j.c[1] = S::one();
        }
        j
    }

    /// The value `c[0]`.
    ///
    /// ```
    /// use autodiff_runtime::Jet;
    /// let x: Jet<f64, 3> = Jet::var(3.0);
    /// assert_eq!((x * x).value(), 9.0);
    /// ```
    #[inline]
    pub fn value(&self) -> S {
        self.c[0]
    }

    /// The derivatives `f^(k)(x0) = c[k] * k!` for `k = 0 .. N-1` (index 0 is the value).
    ///
    /// ```
    /// use autodiff_runtime::{Jet, Scalar};
    /// // exp: every derivative at 0 is 1.
    /// let e = Jet::<f64, 5>::var(0.0).exp();
    /// assert_eq!(e.derivatives(), [1.0; 5]);
    /// ```
    pub fn derivatives(&self) -> [S; N] {
        let mut d = self.c;
        let mut fact = S::one();
        for (i, di) in d.iter_mut().enumerate().skip(1) {
            fact *= ki(i);
            *di *= fact;
        }
        d
    }

    /// Every coefficient multiplied by `s`.
    ///
    /// ```
    /// use autodiff_runtime::Jet;
    /// let x: Jet<f64, 3> = Jet::var(2.0);
    /// assert_eq!(x.scale(3.0).derivatives(), [6.0, 3.0, 0.0]);
    /// ```
    #[inline]
    pub fn scale(self, s: S) -> Self {
        Self::new(self.c.map(|x| x * s))
    }

    /// The same jet with its value replaced by `v` (used to make `c[0]` the primitive function's
    /// own result).
    #[inline]
    fn with_value(mut self, v: S) -> Self {
        self.c[0] = v;
        self
    }

    /// The derivative in `t`, `sum_k (k+1) c[k+1] t^k`; the last coefficient (unknown at this
    /// truncation) is set to zero. Only its first `N - 1` coefficients are meaningful.
    fn deriv(&self) -> Self {
        let mut d = [S::zero(); N];
        for i in 1..N {
            d[i - 1] = self.c[i] * ki(i);
        }
        Self::new(d)
    }

    /// The antiderivative with value `f0`: `f_k = g_(k-1) / k` for `k >= 1`.
    fn integrate(f0: S, g: &Self) -> Self {
        let mut f = [S::zero(); N];
        f[0] = f0;
        for (i, fi) in f.iter_mut().enumerate().skip(1) {
            *fi = g.c[i - 1] / ki(i);
        }
        Self::new(f)
    }

    /// `f` with value `f0` and `f' = g(a) a'`, where the derivative factor `g` is a jet:
    /// `f_k = (1/k) (g * a')_(k-1)`.
    fn chain(f0: S, a: &Self, g: &Self) -> Self {
        Self::integrate(f0, &(*g * a.deriv()))
    }

    /// `(tanh a, 1 - tanh^2 a)` as jets from their constant terms `t0` and `u0`: `t' = u a'`
    /// with `u = 1 - t^2` built coefficient by coefficient alongside `t`.
    fn tanh_from(&self, t0: S, u0: S) -> (Self, Self) {
        let mut t = [S::zero(); N];
        let mut u = [S::zero(); N];
        t[0] = t0;
        u[0] = u0;
        for i in 1..N {
            let mut s = S::zero();
            for j in 1..=i {
                s += ki::<S>(j) * self.c[j] * u[i - j];
            }
            t[i] = s / ki(i);
            let mut sq = S::zero();
            for j in 0..=i {
                sq += t[j] * t[i - j];
            }
            u[i] = -sq;
        }
        (Self::new(t), Self::new(u))
    }

    /// `e^a` with the value `e0` (which need not be `exp(a0)`: `exp2` passes `2^x0` with `a`
    /// scaled by `ln 2`): `e_k = (1/k) sum_{j=1..k} j a_j e_(k-j)`.
    fn exp_from(e0: S, a: &Self) -> Self {
        let mut e = [S::zero(); N];
        e[0] = e0;
        for i in 1..N {
            let mut s = S::zero();
            for j in 1..=i {
                s += ki::<S>(j) * a.c[j] * e[i - j];
            }
            e[i] = s / ki(i);
        }
        Self::new(e)
    }

    /// `ln a` with the value `l0`, dividing by `a0 = b0`:
    /// `l_k = (a_k - (1/k) sum_{j=1..k-1} j l_j a_(k-j)) / a_0`.
    fn ln_from(l0: S, a: &Self, a0: S) -> Self {
        let mut l = [S::zero(); N];
        l[0] = l0;
        for i in 1..N {
            let mut s = S::zero();
            for (j, &lj) in l.iter().enumerate().take(i).skip(1) {
                s += ki::<S>(j) * lj * a.c[i - j];
            }
            l[i] = (a.c[i] - s / ki(i)) / a0;
        }
        Self::new(l)
    }

    /// `a^alpha` for a constant real exponent, with the value `p0 = a0^alpha`:
    /// `p_k = (1/(k a_0)) sum_{j=1..k} (alpha j - (k - j)) a_j p_(k-j)` (from `a p' = alpha p a'`,
    /// valid for negative `a0` wherever `p0` is real).
    fn pow_from(p0: S, a: &Self, alpha: S) -> Self {
        let mut p = [S::zero(); N];
        p[0] = p0;
        for i in 1..N {
            let mut s = S::zero();
            for j in 1..=i {
                s += (alpha * ki(j) - ki(i - j)) * a.c[j] * p[i - j];
            }
            p[i] = s / (ki::<S>(i) * a.c[0]);
        }
        Self::new(p)
    }

    /// `sqrt a` with the value `r0`: `r_k = (a_k - sum_{j=1..k-1} r_j r_(k-j)) / (2 r_0)`.
    fn sqrt_from(r0: S, a: &Self) -> Self {
        let mut r = [S::zero(); N];
        r[0] = r0;
        let two_r0 = r0 + r0;
        for i in 1..N {
            let mut s = S::zero();
            for j in 1..i {
                s += r[j] * r[i - j];
            }
            r[i] = (a.c[i] - s) / two_r0;
        }
        Self::new(r)
    }

    /// The pair `(s, c)` with `s' = c a'`, `c' = sign * s a'` and the given values: sine and
    /// cosine for `sign = -1`, hyperbolic sine and cosine for `sign = +1`.
    fn sin_cos_from(s0: S, c0: S, a: &Self, negate: bool) -> (Self, Self) {
        let mut s = [S::zero(); N];
        let mut c = [S::zero(); N];
        s[0] = s0;
        c[0] = c0;
        for i in 1..N {
            let mut ss = S::zero();
            let mut cs = S::zero();
            for j in 1..=i {
                let ja = ki::<S>(j) * a.c[j];
                ss += ja * c[i - j];
                cs += ja * s[i - j];
            }
            let inv = S::one() / ki(i);
            s[i] = ss * inv;
            c[i] = if negate { -cs * inv } else { cs * inv };
        }
        (Self::new(s), Self::new(c))
    }

    /// `1 - a` times `1 + a` (`1 - a^2` without cancellation in the value near `|a| = 1`).
    fn one_minus_sq(&self) -> Self {
        let one = Self::one();
        (one - *self) * (one + *self)
    }

    /// Whether every derivative coefficient (`c[1..]`) is zero (a constant jet).
    fn is_constant(&self) -> bool {
        let zero = S::zero();
        self.c[1..].iter().all(|&x| x == zero)
    }
}

impl<S: Scalar, const N: usize> Default for Jet<S, N> {
    /// The zero jet.
    #[inline]
    fn default() -> Self {
        Self::new([S::default(); N])
    }
}

impl<S: Scalar, const N: usize> Add for Jet<S, N> {
    type Output = Self;
    #[inline]
    fn add(mut self, o: Self) -> Self {
        for (a, b) in self.c.iter_mut().zip(o.c) {
            *a += b;
        }
        self
    }
}

impl<S: Scalar, const N: usize> Sub for Jet<S, N> {
    type Output = Self;
    #[inline]
    fn sub(mut self, o: Self) -> Self {
        for (a, b) in self.c.iter_mut().zip(o.c) {
            *a -= b;
        }
        self
    }
}

impl<S: Scalar, const N: usize> Mul for Jet<S, N> {
    type Output = Self;
    /// The truncated Cauchy product `h_k = sum_{j=0..k} a_j b_(k-j)`.
    #[inline]
    fn mul(self, o: Self) -> Self {
        let mut h = [S::zero(); N];
        for (i, hi) in h.iter_mut().enumerate() {
            // Starting from the first product (not from +0) keeps the sign of a zero value:
            // `-0.3 * 0.0` is `-0.0`, as for floats (`signum` and comparisons see it).
            let mut s = self.c[0] * o.c[i];
            for j in 1..=i {
                s += self.c[j] * o.c[i - j];
            }
            *hi = s;
        }
        Self::new(h)
    }
}

impl<S: Scalar, const N: usize> Div for Jet<S, N> {
    type Output = Self;
    /// `q = a / b` by `q_k = (a_k - sum_{j=1..k} b_j q_(k-j)) / b_0`.
    #[inline]
    fn div(self, o: Self) -> Self {
        let mut q = [S::zero(); N];
        for i in 0..N {
            let mut s = self.c[i];
            for j in 1..=i {
                s -= o.c[j] * q[i - j];
            }
            q[i] = s / o.c[0];
        }
        Self::new(q)
    }
}

impl<S: Scalar, const N: usize> Neg for Jet<S, N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::new(self.c.map(|x| -x))
    }
}

macro_rules! assign_ops {
    ($($tr:ident $m:ident $op:tt),*) => {$(
        impl<S: Scalar, const N: usize> $tr for Jet<S, N> {
            #[inline]
            fn $m(&mut self, o: Self) {
                *self = *self $op o;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

/// Locally constant functions: the constant jet of the primitive's value.
macro_rules! piecewise_constant {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> Self {
            Self::constant(self.c[0].$name())
        }
    )*};
}

/// The Taylor coefficients of the constant term's fast `tanh`, by the recurrence of `tanh`.
impl<S: Scalar, const N: usize> FastMath for Jet<S, N> {
    fn tanh_fast(self) -> Self {
        self.tanh_fast_with_derivative().0
    }
    fn tanh_fast_with_derivative(self) -> (Self, Self) {
        let (t0, u0) = self.c[0].tanh_fast_with_derivative();
        self.tanh_from(t0, u0)
    }
}

impl<S: Scalar, const N: usize> Scalar for Jet<S, N> {
    type Base = S::Base;

    #[inline]
    fn cst(b: S::Base) -> Self {
        Self::constant(S::cst(b))
    }
    #[inline]
    fn base(self) -> S::Base {
        self.c[0].base()
    }

    fn sin(self) -> Self {
        let a0 = self.c[0];
        Self::sin_cos_from(a0.sin(), a0.cos(), &self, true).0
    }
    fn cos(self) -> Self {
        let a0 = self.c[0];
        Self::sin_cos_from(a0.sin(), a0.cos(), &self, true).1
    }
    /// `sin / cos`, with the value `tan x0`.
    fn tan(self) -> Self {
        let a0 = self.c[0];
        let (s, c) = Self::sin_cos_from(a0.sin(), a0.cos(), &self, true);
        (s / c).with_value(a0.tan())
    }
    /// `f' = a' / sqrt(1 - a^2)`.
    fn asin(self) -> Self {
        let g = Self::one() / self.one_minus_sq().sqrt();
        Self::chain(self.c[0].asin(), &self, &g)
    }
    /// `f' = -a' / sqrt(1 - a^2)`.
    fn acos(self) -> Self {
        let g = -Self::one() / self.one_minus_sq().sqrt();
        Self::chain(self.c[0].acos(), &self, &g)
    }
    /// `f' = a' / (1 + a^2)`.
    fn atan(self) -> Self {
        let g = Self::one() / (Self::one() + self * self);
        Self::chain(self.c[0].atan(), &self, &g)
    }
    /// `f' = (x y' - y x') / (x^2 + y^2)` for `self = y`.
    fn atan2(self, x: Self) -> Self {
        let y = self;
        let g = (x * y.deriv() - y * x.deriv()) / (x * x + y * y);
        Self::integrate(y.c[0].atan2(x.c[0]), &g)
    }
    fn sinh(self) -> Self {
        let a0 = self.c[0];
        Self::sin_cos_from(a0.sinh(), a0.cosh(), &self, false).0
    }
    fn cosh(self) -> Self {
        let a0 = self.c[0];
        Self::sin_cos_from(a0.sinh(), a0.cosh(), &self, false).1
    }
    /// `t' = u a'` with `u = 1 - t^2`, built coefficient by coefficient alongside `t`.
    fn tanh(self) -> Self {
        let a0 = self.c[0];
        // 1 / cosh^2 rather than 1 - tanh^2: no cancellation for large |x0| (and 0 on overflow).
        let ch = a0.cosh();
        self.tanh_from(a0.tanh(), S::one() / (ch * ch)).0
    }
    /// `f' = a' / sqrt(a^2 + 1)`.
    fn asinh(self) -> Self {
        let g = Self::one() / (self * self + Self::one()).sqrt();
        Self::chain(self.c[0].asinh(), &self, &g)
    }
    /// `f' = a' / sqrt((a - 1)(a + 1))`.
    fn acosh(self) -> Self {
        let one = Self::one();
        let g = one / ((self - one) * (self + one)).sqrt();
        Self::chain(self.c[0].acosh(), &self, &g)
    }
    /// `f' = a' / ((1 - a)(1 + a))`.
    fn atanh(self) -> Self {
        let g = Self::one() / self.one_minus_sq();
        Self::chain(self.c[0].atanh(), &self, &g)
    }
    fn exp(self) -> Self {
        Self::exp_from(self.c[0].exp(), &self)
    }
    /// `exp(a ln 2)` with the value `2^x0`.
    fn exp2(self) -> Self {
        Self::exp_from(self.c[0].exp2(), &self.scale(k(core::f64::consts::LN_2)))
    }
    /// `exp(a) - 1` with the value `exp_m1(x0)`.
    fn exp_m1(self) -> Self {
        let a0 = self.c[0];
        Self::exp_from(a0.exp(), &self).with_value(a0.exp_m1())
    }
    fn ln(self) -> Self {
        let a0 = self.c[0];
        Self::ln_from(a0.ln(), &self, a0)
    }
    /// `ln a / ln 2` with the value `log2 x0`.
    fn log2(self) -> Self {
        let a0 = self.c[0];
        Self::ln_from(a0.ln(), &self, a0)
            .scale(k(core::f64::consts::LOG2_E))
            .with_value(a0.log2())
    }
    /// `ln a / ln 10` with the value `log10 x0`.
    fn log10(self) -> Self {
        let a0 = self.c[0];
        Self::ln_from(a0.ln(), &self, a0)
            .scale(k(core::f64::consts::LOG10_E))
            .with_value(a0.log10())
    }
    /// `ln(1 + a)` with the value `ln_1p(x0)`.
    fn ln_1p(self) -> Self {
        let a0 = self.c[0];
        Self::ln_from(a0.ln_1p(), &self, S::one() + a0)
    }
    fn sqrt(self) -> Self {
        Self::sqrt_from(self.c[0].sqrt(), &self)
    }
    /// `a^(1/3)` by the power recurrence, real for negative `x0` (infinite derivatives at 0).
    fn cbrt(self) -> Self {
        Self::pow_from(self.c[0].cbrt(), &self, k(1.0 / 3.0))
    }
    /// Repeated squaring with jet products; `n < 0` raises `1 / x` to `-n`. The value is
    /// `x0.powi(n)`.
    fn powi(self, n: i32) -> Self {
        let mut base = if n < 0 { Self::one() / self } else { self };
        let mut e = n.unsigned_abs();
        let mut acc = Self::one();
        while e > 0 {
            if e & 1 == 1 {
                acc *= base;
            }
            e >>= 1;
            if e > 0 {
                base *= base;
            }
        }
        acc.with_value(self.c[0].powi(n))
    }
    /// `exp(p ln x)` (for `x0 > 0`). A constant exponent uses the power recurrence instead,
    /// which also serves negative `x0` where `x0^p` is real, and a constant integer exponent
    /// uses [`Scalar::powi`], exact at `x0 = 0` too (`(x - 1).powf(2.0)` at `x = 1`). Otherwise
    /// `x0 = 0` gives NaN derivative parts. The value is `x0.powf(p0)`.
    fn powf(self, p: Self) -> Self {
        let (x0, p0) = (self.c[0], p.c[0]);
        let v = x0.powf(p0);
        if !p.is_constant() {
            return Self::exp_from(v, &(p * self.ln()));
        }
        let pb = p0.base();
        if p0 == S::cst(pb) && pb.trunc() == pb && pb.abs().to_f64() <= f64::from(i32::MAX) {
            self.powi(pb.to_f64() as i32).with_value(v)
        } else {
            Self::pow_from(v, &self, p0)
        }
    }
    /// The sign of `x0` times `self`; all derivative parts zero at `x0 = 0` (as [`crate::rules::abs`]).
    fn abs(self) -> Self {
        let b = self.base();
        let zero = <S::Base as Float>::from_f64(0.0);
        if b > zero {
            self
        } else if b < zero {
            -self
        } else {
            Self::constant(self.c[0].abs())
        }
    }
    /// `m sqrt((a/m)^2 + (b/m)^2)` with `m = max(|a0|, |b0|)` (no overflow in the squares); all
    /// derivative parts zero at the origin (as [`crate::rules::hypot`]).
    fn hypot(self, other: Self) -> Self {
        let (a0, b0) = (self.c[0], other.c[0]);
        let h0 = a0.hypot(b0);
        let zero = <S::Base as Float>::from_f64(0.0);
        if h0.base() == zero {
            return Self::constant(h0);
        }
        let (aa, ab) = (a0.abs(), b0.abs());
        let m = if aa.base() >= ab.base() { aa } else { ab };
        let inv = S::one() / m;
        let (a, b) = (self.scale(inv), other.scale(inv));
        Self::sqrt_from(h0 * inv, &(a * a + b * b))
            .scale(m)
            .with_value(h0)
    }
    piecewise_constant!(floor, ceil, round, trunc, signum);
    /// `self * a + b`, with the value `x0.mul_add(a0, b0)`.
    fn mul_add(self, a: Self, b: Self) -> Self {
        (self * a + b).with_value(self.c[0].mul_add(a.c[0], b.c[0]))
    }
    /// `ln self / ln base`, with the value `x0.log(base0)`.
    fn log(self, base: Self) -> Self {
        (self.ln() / base.ln()).with_value(self.c[0].log(base.c[0]))
    }
}
