//! [`FastMath`]: opt-in fast versions of elementary functions, branch-free so that loops over
//! them vectorize, a few ulp from the correctly rounded result.
//!
//! Only `tanh` so far: the system's `tanh` is a scalar library call (about 9 ns, most of the
//! time of a small tanh network); [`FastMath::tanh_fast`] is plain multiplications, additions,
//! two divisions and bit operations, inlined, so `for k in 0..n { out[k] = z[k].tanh_fast() }`
//! becomes packed SSE2 code on the default target (AVX with `-C target-cpu=native`).
//!
//! # Accuracy
//!
//! `tanh_fast` is within 3 ulp of the correctly rounded `tanh` for `f64` and `f32` on the
//! whole real line (measured: max 2 ulp for `f64`, 2 ulp for `f32`; see `tests/fast_math.rs`).
//! Special values as `tanh`: `±0` keeps its sign, subnormals are returned unchanged, large
//! `|x|` and `±inf` give `±1`, NaN gives NaN. The derivative `1 - tanh²` comes with the value
//! ([`FastMath::tanh_fast_with_derivative`]) without cancellation: its relative error is a
//! few ulp too, down to `|x| = 354` (`f64`) or `43.5` (`f32`), where `1 - tanh²` is near the
//! smallest normal number; beyond, it is 0.
//!
//! # Method
//!
//! With `a = -2|x|`, `tanh|x| = -(e^a - 1) / (e^a + 1)` and `1 - tanh|x| = 2 e^a / (e^a + 1)`.
//! `e^a - 1` is computed without cancellation near 0: `a = k ln 2 + r` with `|r| <= ln 2 / 2`
//! (`k` rounded by adding `1.5 * 2^52`, `ln 2` in two parts so `k ln 2` is exact),
//! `e^r - 1 = r + r² P(r)` with `P` the Taylor polynomial (degree 11 for `f64`, 6 for `f32`),
//! then `e^a - 1 = 2^k (e^r - 1) + (2^k - 1)` with `2^k` built from its exponent bits. `|x|` is
//! capped where `e^a` would leave the normal range, which keeps NaN (the comparison is false).

/// Fast, vectorizable versions of elementary functions: an explicit opt-in, spelled at each
/// call (`z.tanh_fast()` instead of `z.tanh()`).
///
/// Implemented by `f32`, `f64` and every [`Scalar`](crate::Scalar) (duals and jets carry the derivatives of
/// the fast value). `#[differentiable]` functions may call `tanh_fast` like any supported
/// method. Accuracy and special values: see [the module](crate::fast).
///
/// ```
/// use autodiff_runtime::FastMath;
///
/// let z = [-3.0f64, -0.5, 0.0, 0.25, 20.0];
/// let mut out = [0.0; 5];
/// for k in 0..z.len() {
///     out[k] = z[k].tanh_fast(); // a loop the compiler can vectorize
/// }
/// for (o, z) in out.iter().zip(z) {
///     assert!((o - z.tanh()).abs() <= 4.0 * f64::EPSILON * z.tanh().abs());
/// }
/// // The derivative with the value, accurate also where tanh is close to 1.
/// let (t, d) = 10.0f64.tanh_fast_with_derivative();
/// assert_eq!(t, 10f64.tanh());
/// assert!((d / (1.0 / 10f64.cosh().powi(2)) - 1.0).abs() < 1e-14);
/// ```
pub trait FastMath: Sized {
    /// Hyperbolic tangent, branch-free and inlined; within 3 ulp of `tanh`.
    fn tanh_fast(self) -> Self;
    /// `(t, 1 - t²)` with `t = self.tanh_fast()`: the value and its derivative, the derivative
    /// computed without the cancellation of `1 - t * t` near `|t| = 1`.
    fn tanh_fast_with_derivative(self) -> (Self, Self);
}

/// The branch-free kernel for one primitive float: `(tanh x, 1 - tanh² x)`.
macro_rules! tanh_kernel {
    (
        $name:ident, $t:ident, $u:ident, bias $bias:literal, mantissa $mant:literal,
        cap $cap:literal, log2e $log2e:literal, ln2 $ln2_hi:literal + $ln2_lo:literal,
        taylor $first:literal $($j:literal)*
    ) => {
        #[inline(always)]
        fn $name(x: $t) -> ($t, $t) {
            const SIGN: $u = !(<$u>::MAX >> 1);
            // 1.5 * 2^mantissa: adding it rounds to an integer kept in the low bits.
            const SHIFT: $t = 1.5 * (1u64 << $mant) as $t;
            let bits = x.to_bits();
            let ax = <$t>::from_bits(bits & !SIGN);
            // NaN > cap is false: NaN goes through and comes out NaN.
            let big = ax > $cap;
            let a = -2.0 * if big { $cap } else { ax };
            // a = k ln2 + r, |r| <= ln2 / 2 (plus rounding).
            let s = a * $log2e + SHIFT;
            let k = s - SHIFT;
            let r = (a - k * $ln2_hi) - k * $ln2_lo;
            // e^r - 1 = r + r^2 (1/2! + r/3! + ...), Horner from the highest term.
            let mut p: $t = 1.0 / $first;
            $(p = p * r + 1.0 / $j;)*
            let em1 = r + (r * r) * p;
            // 2^k from the exponent bits; k in [-(bias - 1), 0] by the cap.
            let kb = s.to_bits().wrapping_sub(SHIFT.to_bits());
            let two_k = <$t>::from_bits(kb.wrapping_add($bias) << $mant);
            let e = two_k * em1 + two_k; // e^a
            let m1 = two_k * em1 + (two_k - 1.0); // e^a - 1, in (-1, 0]
            let den = 2.0 + m1;
            // tanh|x| = -m1 / den and 1 - tanh|x| = 2 e / den: one division for the smaller
            // of the two (below 1/2, where m1 > -2/3), the other as 1 minus it.
            let small = m1 > -2.0 / 3.0;
            let v = if small { -m1 } else { 2.0 * e } / den;
            let (t, one_minus_t) = if small { (v, 1.0 - v) } else { (1.0 - v, v) };
            let d = one_minus_t * (1.0 + t);
            let t = <$t>::from_bits((t.to_bits() & !SIGN) | (bits & SIGN));
            (t, if big { 0.0 } else { d })
        }
    };
}

tanh_kernel! {
    tanh_f64, f64, u64, bias 1023, mantissa 52,
    cap 354.0, log2e 1.4426950408889634, ln2 0.6931471804855391 + 7.440617110012397e-11,
    // 1/k! for k = 13 down to 2.
    taylor 6227020800.0 479001600.0 39916800.0 3628800.0 362880.0 40320.0 5040.0 720.0 120.0
        24.0 6.0 2.0
}

tanh_kernel! {
    tanh_f32, f32, u32, bias 127, mantissa 23,
    cap 43.5, log2e 1.442695, ln2 0.69311523 + 3.1946183e-05,
    // 1/k! for k = 8 down to 2.
    taylor 40320.0 5040.0 720.0 120.0 24.0 6.0 2.0
}

impl FastMath for f64 {
    #[inline(always)]
    fn tanh_fast(self) -> Self {
        tanh_f64(self).0
    }
    #[inline(always)]
    fn tanh_fast_with_derivative(self) -> (Self, Self) {
        tanh_f64(self)
    }
}

impl FastMath for f32 {
    #[inline(always)]
    fn tanh_fast(self) -> Self {
        tanh_f32(self).0
    }
    #[inline(always)]
    fn tanh_fast_with_derivative(self) -> (Self, Self) {
        tanh_f32(self)
    }
}
