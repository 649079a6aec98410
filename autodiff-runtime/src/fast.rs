//! [`FastMath`]: opt-in fast versions of elementary functions, branch-free so that loops over
//! them vectorize, a few ulp from the correctly rounded result.
//!
//! Only `tanh` so far: the system's `tanh` is a scalar library call (about 9 ns);
//! [`FastMath::tanh_fast`] is plain multiplications, additions, one division and bit
//! operations, inlined, so `for k in 0..n { out[k] = z[k].tanh_fast() }` becomes packed SSE2
//! code on the default target (AVX-512/AVX2 with `-C target-cpu=native`). On 8,192 `f64`s
//! (`benches/programs.rs`, group `tanh_8192`): 40 µs instead of 80 µs (SSE2), 13 µs with
//! `target-cpu=native` (AVX-512); `f32` 17 µs (native 4.7 µs) instead of 91 µs. In a loop
//! that does not vectorize (a sum running through it, as `out += w[j] * z.tanh_fast()`), it
//! costs about as much as the library call (in `benches/programs.rs`'s network 13% more, 20%
//! native): put the activations in a loop of their own.
//!
//! # Accuracy
//!
//! Within 2.5 ulp of the exact `tanh` for `f64` and `f32`, on the whole real line. Measured:
//! `f64` max 2.26 ulp over 380,000 points (dense on [0, 20], random over all exponents) against
//! 50-digit values; `f32` max 2.31 ulp over all 2^32 inputs (against `f64::tanh`). The system's
//! `f64::tanh` is itself up to 1.95 ulp off on the same points. Special values as `tanh`: `±0`
//! keeps its sign, subnormals and tiny `x` are returned unchanged, large `|x|` and `±inf` give
//! `±1`, NaN gives NaN; the result is odd (bitwise) and nondecreasing.
//!
//! The derivative `1 - tanh²` comes with the value ([`FastMath::tanh_fast_with_derivative`])
//! without the cancellation of `1 - t * t` near `|t| = 1`: within 4 ulp of the exact
//! `1 - tanh² x` (measured: 3.63 ulp `f64`, 4.23 `f32`), down to `|x| = 354` (`f64`) or `43.5`
//! (`f32`), where it is near the smallest normal number; beyond, it is 0 (the exact value is
//! below `1.3e-307` or `6.7e-38` there). Tests: `autodiff-runtime/tests/fast_math.rs`.
//!
//! # Method
//!
//! With `a = -2|x|`, `tanh|x| = -(e^a - 1) / (e^a + 1)` and `1 - tanh|x| = 2 e^a / (e^a + 1)`.
//! `e^a - 1` is computed without cancellation near 0: `a = k ln 2 + r` with `|r| <= ln 2 / 2`
//! (`k` rounded by adding `1.5 * 2^52`, `ln 2` in two parts so `k ln 2` is exact),
//! `e^r - 1 = r + r² P(r)` with `P` the Taylor polynomial (degree 11 for `f64`, 6 for `f32`,
//! evaluated by Estrin's scheme), then `e^a - 1 = 2^k (e^r - 1) + (2^k - 1)` and
//! `e^a = 2^k (e^r - 1) + 2^k` with `2^k` built from its exponent bits. One division gives the
//! smaller of `tanh|x|` and `1 - tanh|x|` (the switch at 1/2), the other is 1 minus it; the
//! sign is copied from `x`. `|x|` is capped where `e^a` would leave the normal range, which
//! keeps NaN (the comparison is false).

/// Fast, vectorizable versions of elementary functions: an explicit opt-in, spelled at each
/// call (`z.tanh_fast()` instead of `z.tanh()`).
///
/// Implemented by `f32`, `f64` and every [`Scalar`](crate::Scalar) (a supertrait: duals and
/// jets carry the derivatives of the fast value). `#[differentiable]` functions may call
/// `tanh_fast` like any supported method. Accuracy, special values and speed: see
/// [the module](crate::fast).
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
    /// Hyperbolic tangent, branch-free and inlined; within 2.5 ulp of the exact value.
    fn tanh_fast(self) -> Self;
    /// `(t, 1 - t²)` with `t = self.tanh_fast()`: the value and its derivative, the derivative
    /// computed without the cancellation of `1 - t * t` near `|t| = 1`.
    fn tanh_fast_with_derivative(self) -> (Self, Self);
}

/// The branch-free kernel for one primitive float: `(tanh x, 1 - tanh² x)`.
macro_rules! tanh_kernel {
    (
        $name:ident, $t:ident, $u:ident, bias $bias:literal, mantissa $mant:literal,
        cap $cap:literal, log2e $log2e:expr, ln2 $ln2_hi:literal + $ln2_lo:literal,
        poly $poly:ident
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
            // e^r - 1 = r + r^2 P(r).
            let em1 = r + (r * r) * $poly(r);
            // 2^k from the exponent bits; k in [-(bias - 1), 0] by the cap.
            let kb = s.to_bits().wrapping_sub(SHIFT.to_bits());
            let two_k = <$t>::from_bits(kb.wrapping_add($bias) << $mant);
            let e = two_k * em1 + two_k; // e^a
            let m1 = two_k * em1 + (two_k - 1.0); // e^a - 1, in (-1, 0]
            let den = 2.0 + m1;
            // tanh|x| = -m1 / den and 1 - tanh|x| = 2 e / den: one division for the smaller
            // of the two (below 1/2, where m1 > -2/3), the other as 1 minus it.
            // (Written as `a + b v` with `b = ±1` rather than by choosing between `v` and
            // `1 - v`, which LLVM rewrites into a second division.)
            let small = m1 > -2.0 / 3.0;
            let v = if small { -m1 } else { 2.0 * e } / den;
            let (a, b): ($t, $t) = if small { (0.0, 1.0) } else { (1.0, -1.0) };
            let (t, one_minus_t) = (a + b * v, (1.0 - a) - b * v);
            let d = one_minus_t * (1.0 + t);
            let t = <$t>::from_bits((t.to_bits() & !SIGN) | (bits & SIGN));
            (t, if big { 0.0 } else { d })
        }
    };
}

/// `P(r) = (e^r - 1 - r) / r² = 1/2! + r/3! + ... + r^11/13!`, the Taylor polynomial (its
/// remainder is below 1e-17 relative to `e^r - 1` for `|r| <= ln 2 / 2`), by Estrin's scheme:
/// the terms of Horner's rule, but a chain of 5 dependent multiply-adds instead of 11, so that
/// consecutive elements of a loop overlap in the pipeline.
#[inline(always)]
fn expm1_poly_f64(r: f64) -> f64 {
    const C: [f64; 12] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362880.0,
        1.0 / 3628800.0,
        1.0 / 39916800.0,
        1.0 / 479001600.0,
        1.0 / 6227020800.0,
    ];
    let (r2, r4) = (r * r, (r * r) * (r * r));
    let s0 = (C[0] + C[1] * r) + (C[2] + C[3] * r) * r2;
    let s1 = (C[4] + C[5] * r) + (C[6] + C[7] * r) * r2;
    let s2 = (C[8] + C[9] * r) + (C[10] + C[11] * r) * r2;
    (s0 + s1 * r4) + s2 * (r4 * r4)
}

/// `P(r) = 1/2! + r/3! + ... + r^6/8!` for `f32` (remainder below 1e-9 relative), as above.
#[inline(always)]
fn expm1_poly_f32(r: f32) -> f32 {
    const C: [f32; 7] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
    ];
    let r2 = r * r;
    let s0 = (C[0] + C[1] * r) + (C[2] + C[3] * r) * r2;
    let s1 = (C[4] + C[5] * r) + C[6] * r2;
    s0 + s1 * (r2 * r2)
}

tanh_kernel! {
    tanh_f64, f64, u64, bias 1023, mantissa 52,
    cap 354.0, log2e core::f64::consts::LOG2_E, ln2 0.6931471804855391 + 7.440617110012397e-11,
    poly expm1_poly_f64
}

tanh_kernel! {
    tanh_f32, f32, u32, bias 127, mantissa 23,
    cap 43.5, log2e core::f32::consts::LOG2_E, ln2 0.69311523 + 3.1946183e-05,
    poly expm1_poly_f32
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
