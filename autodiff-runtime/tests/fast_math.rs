//! `FastMath::tanh_fast` (the branch-free `tanh`): accuracy in ulp for `f64` and `f32`, special
//! values, symmetry and monotonicity, and the derivative carried by duals and jets.
//!
//! References:
//! - `f64`: 56 points where the error is largest (found by sweeping 380,000 points against
//!   50-digit values from Python's `decimal`) and assorted others, with `tanh x` and
//!   `1 - tanh^2 x` stored as double-doubles (`hi + lo`, computed with `decimal` at 60
//!   digits); plus dense and random sweeps against the system's `f64::tanh`, itself within
//!   ~2 ulp, so the bound there is the sum.
//! - `f32`: `(x as f64).tanh()`, exact to far below an `f32` ulp.
//!
//! Measured (release, same code): `f64` max 2.26 ulp (`tanh`), 3.63 ulp (derivative) against
//! the 50-digit values; `f32` over all 2^32 inputs max 2.31 ulp (`tanh`), 4.23 ulp (derivative,
//! `|x| <= 43.5`). The bounds below are those plus a small margin.

use autodiff_runtime::{Dual, FastMath, Jet, Scalar};

/// Error of `got` in ulps of the double-double `hi + lo` (the spacing of `f64` at `hi`).
fn ulps64(got: f64, hi: f64, lo: f64) -> f64 {
    ((got - hi) - lo).abs() / spacing64(hi)
}

/// The spacing of doubles in the binade of `v` (`v` positive; 2^-1074 below the normal range).
fn spacing64(v: f64) -> f64 {
    let v = v.abs();
    if v < f64::MIN_POSITIVE {
        return f64::from_bits(1);
    }
    // The binade's lower end, then one ulp: exponent bits of v, mantissa 1.
    let e = f64::from_bits(v.to_bits() & 0x7ff0_0000_0000_0000);
    e * f64::EPSILON
}

/// The spacing of floats in the binade of the `f64` value `v`.
fn spacing32(v: f64) -> f64 {
    let v = v.abs();
    if v < f32::MIN_POSITIVE as f64 {
        return f32::from_bits(1) as f64;
    }
    let e = f64::from_bits(v.to_bits() & 0x7ff0_0000_0000_0000);
    e * f32::EPSILON as f64
}

/// `(x, tanh x as hi + lo, 1 - tanh^2 x as hi + lo)`, from Python's `decimal` at 60 digits.
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const REFERENCE: [(f64, f64, f64, f64, f64); 56] = [
    (1e-300, 1e-300, -0.0, 1.0, 0.0),
    (2.5e-200, 2.5e-200, -3.9956164062273686e-260, 1.0, 0.0),
    (1e-20, 1e-20, -3.333333333333333e-61, 1.0, -1e-40),
    (3e-09, 3e-09, -9e-27, 1.0, -9e-18),
    (
        1e-05,
        9.999999999666668e-06,
        -4.5758701526937e-22,
        0.9999999999,
        8.280703750214715e-18,
    ),
    (
        0.01,
        0.00999966667999946,
        2.249494707259477e-19,
        0.9999000066662889,
        4.329053073606935e-17,
    ),
    (
        0.1,
        0.09966799462495582,
        3.542433877641546e-18,
        0.9900662908474398,
        -2.3263156556362292e-17,
    ),
    (
        0.17900388463572273,
        0.17711617154841042,
        -2.6659357510163846e-18,
        0.968629861776034,
        1.970027721265501e-18,
    ),
    (
        0.18530000000000002,
        0.18320790325225841,
        -8.336923820761714e-19,
        0.9664348641859111,
        5.2296978934080707e-17,
    ),
    (
        0.19160000000000002,
        0.18928934318188523,
        -1.482663316434587e-18,
        0.9641695445577705,
        -4.9888460573751084e-18,
    ),
    (
        0.19206963220676992,
        0.18974210797036276,
        1.8672534648069402e-18,
        0.9639979324629632,
        3.214396999110255e-17,
    ),
    (
        0.19690979219238844,
        0.19440369466872978,
        -7.789285640046664e-19,
        0.9622072034991472,
        4.9668067990812774e-17,
    ),
    (
        0.2164893815353821,
        0.21316948953678896,
        -7.248053516460464e-18,
        0.9545587687306248,
        -1.6920449112212124e-17,
    ),
    (
        0.21880000000000002,
        0.21537402088076477,
        2.066463471166311e-18,
        0.9536140311296519,
        -2.729772549177708e-17,
    ),
    (
        0.21982995570108768,
        0.21635598291712257,
        2.8290637215950504e-20,
        0.9531900886559658,
        -7.94869368630126e-18,
    ),
    (
        0.22137014845210687,
        0.21782358917122235,
        2.1322556573362423e-19,
        0.9525528840005666,
        -4.72736269068958e-17,
    ),
    (
        0.2281,
        0.2242246485920641,
        -1.1331148954035255e-18,
        0.9497233069637654,
        -1.872443747643016e-17,
    ),
    (
        0.2321,
        0.22802011742677747,
        2.893422326254447e-18,
        0.9480068260486786,
        2.690545720948947e-17,
    ),
    (
        0.2358,
        0.23152476990457746,
        -3.0266556301736482e-21,
        0.9463962809206324,
        2.5501237801497166e-17,
    ),
    (
        0.25470000000000004,
        0.24933161986556784,
        -1.3769120949042162e-18,
        0.937833743335212,
        8.411743481069083e-18,
    ),
    (
        0.2553,
        0.2498942358772781,
        -7.58024957115621e-19,
        0.9375528708753113,
        4.2877753250308864e-17,
    ),
    (
        0.3,
        0.2913126124515909,
        -6.4602656586469586e-18,
        0.9151369618266292,
        2.850713922057346e-17,
    ),
    (
        0.4786,
        0.44512169677992264,
        -1.974010182514661e-19,
        0.8018666750557626,
        1.920069152753703e-17,
    ),
    (
        0.48400000000000004,
        0.4494413518683646,
        -5.29324297920327e-18,
        0.7980024712307369,
        2.771145475423868e-17,
    ),
    (
        0.4869,
        0.451752540199443,
        3.7289137434378576e-18,
        0.7959196424233507,
        -3.5755420141158714e-17,
    ),
    (
        0.5111727505525465,
        0.47085844556199413,
        3.6629699421222704e-18,
        0.7782923242429426,
        1.452351567480552e-17,
    ),
    (
        0.5111843720435639,
        0.4708674904297546,
        2.657556619555852e-18,
        0.778283806456385,
        -1.383905541614719e-17,
    ),
    (
        0.525,
        0.481549798364308,
        3.0846963973778186e-18,
        0.7681097916952943,
        5.0970307696483625e-17,
    ),
    (
        0.5269,
        0.48300787115812815,
        3.2079743917049283e-18,
        0.7667033963992931,
        -1.0935255981172176e-17,
    ),
    (
        0.5334,
        0.4879757762779625,
        2.2130057760749182e-18,
        0.7618796417659198,
        5.083180610701418e-17,
    ),
    (
        0.5404139397576933,
        0.49330123975343654,
        9.283085904610547e-19,
        0.7566538868577225,
        2.0367977253114494e-17,
    ),
    (
        0.5404599744080727,
        0.49333607125956475,
        -3.0076676018047087e-18,
        0.7566195207941777,
        -5.517376818812222e-17,
    ),
    (
        0.5493061443340549,
        0.5,
        3.4017364631255736e-17,
        0.75,
        -3.4017364631255736e-17,
    ),
    (
        0.75,
        0.6351489523872873,
        1.7012977006564836e-17,
        0.5965858082813315,
        -2.7344881528747107e-17,
    ),
    (
        1.0,
        0.7615941559557649,
        3.7090214482164924e-17,
        0.4199743416140261,
        -1.1598730457771976e-17,
    ),
    (
        1.323,
        0.867528048506645,
        1.318640494048815e-17,
        0.24739508505425217,
        4.560867724819428e-18,
    ),
    (
        1.3359,
        0.8706839519791493,
        4.4691076238244015e-17,
        0.2419094557659704,
        1.0932045499624464e-17,
    ),
    (
        1.3518000000000001,
        0.8744774755849932,
        3.3121004727747647e-17,
        0.23528914469449752,
        1.4013049986207233e-19,
    ),
    (
        1.5,
        0.9051482536448664,
        4.1992024501810215e-17,
        0.18070663892364852,
        9.053288223403626e-18,
    ),
    (
        1.7047,
        0.9359940409110503,
        2.1658986807173022e-17,
        0.12391515537900302,
        7.958647135144805e-19,
    ),
    (
        1.7114,
        0.9368190861161506,
        9.483845474177726e-18,
        0.12236999988850036,
        1.7665239841778727e-18,
    ),
    (
        2.0,
        0.9640275800758169,
        -1.9413550547557176e-17,
        0.07065082485316447,
        -4.898517755015516e-18,
    ),
    (
        2.4187000000000003,
        0.9842694280158785,
        2.95028542419554e-17,
        0.031213693073295377,
        1.2851857036676633e-18,
    ),
    (
        2.4918,
        0.9863944683444329,
        3.4787301186227436e-17,
        0.027025952819503502,
        -7.383090304098914e-20,
    ),
    (
        2.7739000000000003,
        0.9922382019851145,
        5.0062257435413715e-17,
        0.015463350521347067,
        2.338510172901988e-19,
    ),
    (
        3.0,
        0.9950547536867305,
        -1.2991892863562624e-17,
        0.00986603716544019,
        8.358295633404743e-19,
    ),
    (
        3.8579000000000003,
        0.9991089396936338,
        5.4441187084000733e-17,
        0.0017813266242627283,
        3.783278652652997e-21,
    ),
    (
        5.0,
        0.9999092042625951,
        2.298523750966507e-17,
        0.0001815832309438067,
        -9.677411680154446e-21,
    ),
    (
        7.016900000000001,
        0.9999983922158372,
        6.864372930943195e-18,
        3.2155657406260094e-06,
        1.0780515210097875e-23,
    ),
    (
        7.3105,
        0.9999991062620864,
        -3.571293834541525e-18,
        1.7874750283704756e-06,
        -1.287776687564848e-23,
    ),
    (
        8.0,
        0.9999997749296758,
        4.556169644130666e-17,
        4.5014059756372915e-07,
        2.0031123013230225e-23,
    ),
    (
        9.406600000000001,
        0.9999999864929333,
        -5.325870225725781e-17,
        2.7014133298768603e-08,
        8.192469314376565e-26,
    ),
    (
        12.0,
        0.9999999999244973,
        2.4308346468945755e-17,
        1.510053817597626e-10,
        3.0853976013564173e-27,
    ),
    (
        18.0,
        0.9999999999999996,
        -1.9815356198651153e-17,
        9.278091320974273e-16,
        6.295137156833727e-32,
    ),
    (
        19.0,
        0.9999999999999999,
        4.823964662155506e-17,
        1.2556531168192118e-16,
        -6.55019637311288e-33,
    ),
    (
        25.0,
        1.0,
        -3.8574996959278356e-22,
        7.714999391855671e-22,
        -1.5018738034574118e-38,
    ),
];

#[test]
fn f64_within_2_5_ulp_of_50_digit_values_and_derivative_within_4() {
    let (mut worst, mut worst_d) = (0.0f64, 0.0f64);
    for &(x, th, tl, dh, dl) in &REFERENCE {
        for (x, th, tl) in [(x, th, tl), (-x, -th, -tl)] {
            let (t, d) = x.tanh_fast_with_derivative();
            assert_eq!(t, x.tanh_fast(), "the two methods agree at {x:e}");
            let (e, ed) = (ulps64(t, th, tl), ulps64(d, dh, dl));
            assert!(e <= 2.5, "tanh_fast({x:e}) = {t:e}: {e} ulp from {th:e}");
            assert!(
                ed <= 4.0,
                "derivative at {x:e} = {d:e}: {ed} ulp from {dh:e}"
            );
            worst = worst.max(e);
            worst_d = worst_d.max(ed);
        }
    }
    // The table holds the measured worst cases: the bounds are not loose.
    assert!(worst > 2.0 && worst_d > 3.0, "{worst} {worst_d}");
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn f64_sweeps_within_3_ulp_of_std_tanh() {
    let mut xs: Vec<f64> = (0..400_000).map(|i| i as f64 * 5e-5).collect(); // [0, 20)
    let mut rng = Rng(7);
    // Random bit patterns over every exponent (subnormals, tiny, huge), and random points of
    // [0, 20) where tanh is not 0, x or 1.
    xs.extend((0..200_000).map(|_| f64::from_bits(rng.next() >> 1)));
    xs.extend((0..200_000).map(|_| (rng.next() >> 11) as f64 * (20.0 / (1u64 << 53) as f64)));
    let mut worst = (0.0, 0.0);
    for &x in &xs {
        if x.is_nan() {
            continue;
        }
        for x in [x, -x] {
            let (want, t) = (x.tanh(), x.tanh_fast());
            let e = (t - want).abs() / spacing64(want);
            if e > worst.0 {
                worst = (e, x);
            }
        }
    }
    assert!(worst.0 <= 3.0, "max {} ulp at {:e}", worst.0, worst.1);
}

#[test]
fn f32_within_2_5_ulp_and_derivative_within_4_5() {
    let mut xs: Vec<f32> = (0..400_000).map(|i| i as f32 * 2.5e-5).collect(); // [0, 10)
                                                                              // Every 1,021st bit pattern of the positive floats (2.1 million, all exponents).
    xs.extend((0..0x7f80_0000u32).step_by(1021).map(f32::from_bits));
    let (mut worst, mut worst_d) = ((0.0, 0.0f32), (0.0, 0.0f32));
    for &x in &xs {
        for x in [x, -x] {
            let (t, d) = x.tanh_fast_with_derivative();
            assert_eq!(t, x.tanh_fast());
            let want = (x as f64).tanh();
            let e = (t as f64 - want).abs() / spacing32(want);
            if e > worst.0 {
                worst = (e, x);
            }
            if x.abs() <= 43.5 {
                let c = (x as f64).cosh();
                let want_d = 1.0 / (c * c);
                let ed = (d as f64 - want_d).abs() / spacing32(want_d);
                if ed > worst_d.0 {
                    worst_d = (ed, x);
                }
            }
        }
    }
    assert!(worst.0 <= 2.5, "tanh: max {} ulp at {:e}", worst.0, worst.1);
    assert!(
        worst_d.0 <= 4.5,
        "derivative: max {} ulp at {:e}",
        worst_d.0,
        worst_d.1
    );
}

#[test]
fn special_values_f64() {
    let bits = |v: f64| v.to_bits();
    assert_eq!(bits(0.0f64.tanh_fast()), bits(0.0));
    assert_eq!(bits((-0.0f64).tanh_fast()), bits(-0.0));
    assert_eq!(0.0f64.tanh_fast_with_derivative().1, 1.0);
    for x in [f64::from_bits(1), 1e-310, f64::MIN_POSITIVE, 1e-300, 1e-17] {
        assert_eq!(x.tanh_fast(), x, "tanh x = x for tiny x ({x:e})");
        assert_eq!((-x).tanh_fast(), -x);
        assert_eq!(x.tanh_fast_with_derivative().1, 1.0);
    }
    assert!(f64::NAN.tanh_fast().is_nan());
    assert!((-f64::NAN).tanh_fast().is_nan());
    assert!(f64::NAN.tanh_fast_with_derivative().1.is_nan());
    // Saturation: tanh rounds to 1 from 19.06 on.
    for x in [19.1, 20.0, 354.0, 355.0, 1e10, f64::MAX, f64::INFINITY] {
        assert_eq!(x.tanh_fast(), 1.0, "{x:e}");
        assert_eq!((-x).tanh_fast(), -1.0, "{x:e}");
    }
    // The derivative: relative accuracy down to the cap, 0 beyond.
    let (_, d) = 354.0f64.tanh_fast_with_derivative();
    let want = 4.0 * (-708.0f64).exp();
    assert!(
        (d - want).abs() <= 8.0 * f64::EPSILON * want,
        "{d:e} {want:e}"
    );
    assert_eq!(355.0f64.tanh_fast_with_derivative().1, 0.0);
    assert_eq!(f64::INFINITY.tanh_fast_with_derivative().1, 0.0);
    assert_eq!(f64::NEG_INFINITY.tanh_fast_with_derivative(), (-1.0, 0.0));
}

#[test]
fn special_values_f32() {
    let bits = |v: f32| v.to_bits();
    assert_eq!(bits(0.0f32.tanh_fast()), bits(0.0));
    assert_eq!(bits((-0.0f32).tanh_fast()), bits(-0.0));
    for x in [f32::from_bits(1), 1e-40, f32::MIN_POSITIVE, 1e-30, 1e-8] {
        assert_eq!(x.tanh_fast(), x, "{x:e}");
        assert_eq!((-x).tanh_fast(), -x);
        assert_eq!(x.tanh_fast_with_derivative().1, 1.0);
    }
    assert!(f32::NAN.tanh_fast().is_nan());
    assert!(f32::NAN.tanh_fast_with_derivative().1.is_nan());
    for x in [9.1, 10.0, 43.5, 44.0, 1e10, f32::MAX, f32::INFINITY] {
        assert_eq!(x.tanh_fast(), 1.0, "{x:e}");
        assert_eq!((-x).tanh_fast(), -1.0, "{x:e}");
    }
    let (_, d) = 43.0f32.tanh_fast_with_derivative();
    let want = 4.0 * (-86.0f64).exp();
    assert!(
        (d as f64 - want).abs() <= 8.0 * f32::EPSILON as f64 * want,
        "{d:e} {want:e}"
    );
    assert_eq!(f32::NEG_INFINITY.tanh_fast_with_derivative(), (-1.0, 0.0));
}

/// Odd (bitwise), nondecreasing, within [-1, 1] and never past `tanh`'s saturation.
#[test]
fn odd_monotonic_bounded() {
    let mut prev = (0.0f64, 0.0f32);
    for i in 0..1_000_000 {
        let x = i as f64 * 2e-5;
        let (t, n) = (x.tanh_fast(), (-x).tanh_fast());
        assert_eq!(t.to_bits(), (-n).to_bits(), "odd at {x:e}");
        assert!(t >= prev.0 && t <= 1.0, "monotonic at {x:e}");
        let x32 = x as f32;
        let t32 = x32.tanh_fast();
        assert_eq!(t32.to_bits(), (-(-x32).tanh_fast()).to_bits());
        assert!(t32 >= prev.1 && t32 <= 1.0, "f32 monotonic at {x32:e}");
        prev = (t, t32);
    }
}

/// Duals and jets carry the derivatives of the fast value: first from the kernel, higher ones
/// by the recurrence `t' = (1 - t^2) a'`.
#[test]
fn duals_and_jets() {
    for x in [-20.0, -2.3, -0.4, 0.0, 0.7, 1.9, 6.0, 30.0] {
        let (t, d) = x.tanh_fast_with_derivative();
        let y = Dual::new(x, 1.0).tanh_fast();
        assert_eq!((y.re, y.eps), (t, d));
        // Nested: the second derivative -2 t (1 - t^2).
        let y = Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)).tanh_fast();
        assert_eq!((y.re.re, y.re.eps, y.eps.re), (t, d, d));
        assert_eq!(y.eps.eps, -2.0 * t * d);
        // A jet of order 5 against the jet of the system's tanh: the same recurrence from
        // constant terms a few ulp apart.
        let fast = Jet::<f64, 6>::var(x).tanh_fast().derivatives();
        let std = Jet::<f64, 6>::var(x).tanh().derivatives();
        assert_eq!(fast[0], t);
        assert_eq!(fast[1], d);
        // Relative to the largest derivative (orders cross zero at some points).
        let scale = std[1..].iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for k in 0..6 {
            let tol = 1e-13 * std[k].abs().max(scale);
            assert!(
                (fast[k] - std[k]).abs() <= tol,
                "order {k} at {x}: {} vs {}",
                fast[k],
                std[k]
            );
        }
        let (jt, jd) = Jet::<f64, 3>::var(x).tanh_fast_with_derivative();
        assert_eq!(jd.c[0], d);
        // (1 - t^2)' = -2 t t'.
        assert!((jd.c[1] - -2.0 * jt.c[0] * jt.c[1]).abs() <= 1e-15 * jd.c[1].abs().max(1e-300));
    }
}
