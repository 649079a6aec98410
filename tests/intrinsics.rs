//! Numeric table of every supported intrinsic, in f64 and f32: forward mode against central
//! finite differences, reverse mode against forward mode by the dot-product identity, `grad`
//! against `vjp`, values against the original function (see `common::check_case`), plus
//! closed forms, the kink conventions, zero-derivative intrinsics, passive arguments via
//! `wrt`, and the path form (`f64::sin(x)`).
mod common;
use common::*;

/// `name(params) [wrt list] { body }` -> `mod name { #[differentiable] pub fn d64(..) -> f64;
/// #[differentiable] pub fn d32(..) -> f32 }`, both with the same body.
macro_rules! wrappers {
    ($($m:ident ($($p:ident),+) $([$($w:ident),+])? { $($body:tt)* })*) => {$(
        #[allow(clippy::all)]
        mod $m {
            #[allow(unused_imports)]
            use ::autodiff::FastMath;
            #[::autodiff::differentiable $((wrt($($w),+)))?]
            pub fn d64($($p: f64),+) -> f64 { $($body)* }
            #[::autodiff::differentiable $((wrt($($w),+)))?]
            pub fn d32($($p: f32),+) -> f32 { $($body)* }
        }
    )*};
}

wrappers! {
    sin(x) { x.sin() }
    cos(x) { x.cos() }
    tan(x) { x.tan() }
    asin(x) { x.asin() }
    acos(x) { x.acos() }
    atan(x) { x.atan() }
    sinh(x) { x.sinh() }
    cosh(x) { x.cosh() }
    tanh(x) { x.tanh() }
    tanh_fast(x) { x.tanh_fast() }
    asinh(x) { x.asinh() }
    acosh(x) { x.acosh() }
    atanh(x) { x.atanh() }
    exp(x) { x.exp() }
    exp2(x) { x.exp2() }
    exp_m1(x) { x.exp_m1() }
    ln(x) { x.ln() }
    log2(x) { x.log2() }
    log10(x) { x.log10() }
    ln_1p(x) { x.ln_1p() }
    sqrt(x) { x.sqrt() }
    cbrt(x) { x.cbrt() }
    abs(x) { x.abs() }
    recip(x) { x.recip() }
    to_degrees(x) { x.to_degrees() }
    to_radians(x) { x.to_radians() }
    floor(x) { x.floor() }
    ceil(x) { x.ceil() }
    round(x) { x.round() }
    trunc(x) { x.trunc() }
    signum(x) { x.signum() }
    powi_0(x) { x.powi(0) }
    powi_1(x) { x.powi(1) }
    powi_2(x) { x.powi(2) }
    powi_3(x) { x.powi(3) }
    powi_5(x) { x.powi(5) }
    powi_m1(x) { x.powi(-1) }
    powi_m2(x) { x.powi(-2) }
    atan2(y, x) { y.atan2(x) }
    powf(x, p) { x.powf(p) }
    hypot(a, b) { a.hypot(b) }
    log(x, b) { x.log(b) }
    max(a, b) { a.max(b) }
    min(a, b) { a.min(b) }
    mul_add(a, b, c) { a.mul_add(b, c) }
    clamp(x, lo, hi) { x.clamp(lo, hi) }
    // One passive (f64/f32 but excluded by `wrt`) argument each.
    atan2_wrt_y(y, x) [y] { y.atan2(x) }
    powf_wrt_x(x, p) [x] { x.powf(p) }
    powf_wrt_p(x, p) [p] { x.powf(p) }
    hypot_wrt_a(a, b) [a] { a.hypot(b) }
    log_wrt_b(x, b) [b] { x.log(b) }
    max_wrt_a(a, b) [a] { a.max(b) }
    min_wrt_b(a, b) [b] { a.min(b) }
    mul_add_wrt_ac(a, b, c) [a, c] { a.mul_add(b, c) }
    clamp_wrt_x(x, lo, hi) [x] { x.clamp(lo, hi) }
}

/// Adapts `module::d64` / `module::d32` to [`Ops`]: `[primal indices]`, `[tangent indices]`.
macro_rules! ops {
    ($m:ident :: $d:ident, $T:ty, [$($i:tt)+], [$($a:tt)+]) => {
        Ops {
            f: Box::new(|x: &[f64]| $m::$d($(bb(x[$i] as $T)),+) as f64),
            jvp: Box::new(|x: &[f64], t: &[f64]| {
                let (v, d) = $m::$d::jvp($(bb(x[$i] as $T),)+ $(bb(t[$a] as $T)),+);
                (bb(v) as f64, bb(d) as f64)
            }),
            vjp: Box::new(|x: &[f64], c: f64| {
                let (v, b) = $m::$d::vjp($(bb(x[$i] as $T),)+ bb(c as $T));
                (bb(v) as f64, Flat::flat(bb(b)))
            }),
            grad: Box::new(|x: &[f64]| {
                let (v, g) = $m::$d::grad($(bb(x[$i] as $T)),+);
                (bb(v) as f64, Flat::flat(bb(g)))
            }),
        }
    };
}

/// `case!(module, [primal indices], [tangent indices] @ [active parameter indices])`.
macro_rules! case {
    ($m:ident, [$($i:tt)+], [$($a:tt)+] @ [$($act:expr),+]) => {
        Case {
            name: stringify!($m),
            active: vec![$($act),+],
            o64: ops!($m::d64, f64, [$($i)+], [$($a)+]),
            o32: ops!($m::d32, f32, [$($i)+], [$($a)+]),
        }
    };
    ($m:ident / 1) => { case!($m, [0], [0] @ [0]) };
    ($m:ident / 2) => { case!($m, [0 1], [0 1] @ [0, 1]) };
    ($m:ident / 3) => { case!($m, [0 1 2], [0 1 2] @ [0, 1, 2]) };
}

/// One `#[test]` per row: `test_name: case, points;`.
macro_rules! numeric_table {
    ($($test:ident: $case:expr, $points:expr;)*) => {$(
        #[test]
        fn $test() {
            let mut k = Checker::new();
            check_case(&$case, &$points, &mut k);
            k.finish();
        }
    )*};
}

// Points well inside each domain, away from kinks and poles (see `common::central`).
const GENERAL: [f64; 5] = [-2.3, -0.7, 0.4, 1.1, 2.9];
const TAN: [f64; 5] = [-1.2, -0.5, 0.3, 0.9, 1.3];
const OPEN_UNIT: [f64; 5] = [-0.8, -0.35, 0.1, 0.5, 0.85];
const ACOSH: [f64; 5] = [1.1, 1.5, 2.0, 3.7, 10.0];
const POSITIVE: [f64; 5] = [0.05, 0.3, 1.7, 4.0, 123.0];
const LN_1P: [f64; 5] = [-0.6, -0.1, 0.2, 1.5, 30.0];
const NONZERO: [f64; 5] = [-3.0, -0.4, 0.25, 1.5, 7.0];
const ATAN2: [[f64; 2]; 5] = [
    [0.7, 1.3],
    [-1.1, 0.4],
    [2.0, -1.5],
    [-0.3, -2.2],
    [1.5, 0.1],
];
const POWF: [[f64; 2]; 5] = [[0.5, 1.3], [1.7, -0.8], [2.5, 2.2], [0.9, 3.1], [4.0, 0.5]];
const HYPOT: [[f64; 2]; 5] = [
    [3.0, 4.0],
    [-1.2, 0.5],
    [0.3, -2.0],
    [-2.5, -1.5],
    [0.8, 0.9],
];
const LOG: [[f64; 2]; 5] = [
    [2.0, 10.0],
    [0.3, 2.0],
    [5.5, 0.5],
    [1.7, 3.0],
    [100.0, 7.0],
];
const MAX_MIN: [[f64; 2]; 5] = [
    [1.0, 2.0],
    [3.0, -1.0],
    [-0.5, -0.4],
    [2.2, 2.3],
    [-3.0, 0.1],
];
const MUL_ADD: [[f64; 3]; 5] = [
    [1.5, -2.0, 0.3],
    [-0.7, 0.4, 2.2],
    [3.1, 1.1, -4.0],
    [0.2, -0.9, -0.1],
    [-2.5, -1.5, 1.0],
];
// Inside, below and above the interval (each bound gets the derivative when it is hit).
const CLAMP: [[f64; 3]; 6] = [
    [0.5, -1.0, 2.0],
    [-3.0, -1.0, 2.0],
    [3.5, -1.0, 2.0],
    [0.1, -0.5, 0.5],
    [1.2, 1.0, 1.5],
    [-0.25, -0.3, 0.8],
];

numeric_table! {
    sin_: case!(sin / 1), rows1(&GENERAL);
    cos_: case!(cos / 1), rows1(&GENERAL);
    tan_: case!(tan / 1), rows1(&TAN);
    asin_: case!(asin / 1), rows1(&OPEN_UNIT);
    acos_: case!(acos / 1), rows1(&OPEN_UNIT);
    atan_: case!(atan / 1), rows1(&GENERAL);
    sinh_: case!(sinh / 1), rows1(&GENERAL);
    cosh_: case!(cosh / 1), rows1(&GENERAL);
    tanh_: case!(tanh / 1), rows1(&GENERAL);
    tanh_fast_: case!(tanh_fast / 1), rows1(&GENERAL);
    asinh_: case!(asinh / 1), rows1(&GENERAL);
    acosh_: case!(acosh / 1), rows1(&ACOSH);
    atanh_: case!(atanh / 1), rows1(&OPEN_UNIT);
    exp_: case!(exp / 1), rows1(&GENERAL);
    exp2_: case!(exp2 / 1), rows1(&GENERAL);
    exp_m1_: case!(exp_m1 / 1), rows1(&GENERAL);
    ln_: case!(ln / 1), rows1(&POSITIVE);
    log2_: case!(log2 / 1), rows1(&POSITIVE);
    log10_: case!(log10 / 1), rows1(&POSITIVE);
    ln_1p_: case!(ln_1p / 1), rows1(&LN_1P);
    sqrt_: case!(sqrt / 1), rows1(&POSITIVE);
    cbrt_: case!(cbrt / 1), rows1(&NONZERO);
    abs_: case!(abs / 1), rows1(&NONZERO);
    recip_: case!(recip / 1), rows1(&NONZERO);
    to_degrees_: case!(to_degrees / 1), rows1(&GENERAL);
    to_radians_: case!(to_radians / 1), rows1(&GENERAL);
    powi_0_: case!(powi_0 / 1), rows1(&NONZERO);
    powi_1_: case!(powi_1 / 1), rows1(&NONZERO);
    powi_2_: case!(powi_2 / 1), rows1(&NONZERO);
    powi_3_: case!(powi_3 / 1), rows1(&NONZERO);
    powi_5_: case!(powi_5 / 1), rows1(&NONZERO);
    powi_m1_: case!(powi_m1 / 1), rows1(&NONZERO);
    powi_m2_: case!(powi_m2 / 1), rows1(&NONZERO);
    atan2_: case!(atan2 / 2), rows(&ATAN2);
    powf_: case!(powf / 2), rows(&POWF);
    hypot_: case!(hypot / 2), rows(&HYPOT);
    log_: case!(log / 2), rows(&LOG);
    max_: case!(max / 2), rows(&MAX_MIN);
    min_: case!(min / 2), rows(&MAX_MIN);
    mul_add_: case!(mul_add / 3), rows(&MUL_ADD);
    clamp_: case!(clamp / 3), rows(&CLAMP);
    atan2_wrt_y_: case!(atan2_wrt_y, [0 1], [0] @ [0]), rows(&ATAN2);
    powf_wrt_x_: case!(powf_wrt_x, [0 1], [0] @ [0]), rows(&POWF);
    powf_wrt_p_: case!(powf_wrt_p, [0 1], [0] @ [1]), rows(&POWF);
    hypot_wrt_a_: case!(hypot_wrt_a, [0 1], [0] @ [0]), rows(&HYPOT);
    log_wrt_b_: case!(log_wrt_b, [0 1], [0] @ [1]), rows(&LOG);
    max_wrt_a_: case!(max_wrt_a, [0 1], [0] @ [0]), rows(&MAX_MIN);
    min_wrt_b_: case!(min_wrt_b, [0 1], [0] @ [1]), rows(&MAX_MIN);
    mul_add_wrt_ac_: case!(mul_add_wrt_ac, [0 1 2], [0 1] @ [0, 2]), rows(&MUL_ADD);
    clamp_wrt_x_: case!(clamp_wrt_x, [0 1 2], [0] @ [0]), rows(&CLAMP);
}

/// floor, ceil, round, trunc, signum: derivative exactly 0, also at their jumps.
#[test]
fn zero_derivative_intrinsics() {
    let pts = [-2.3, -1.5, -0.7, 0.0, 0.4, 0.5, 1.0, 1.1, 2.5, 2.9];
    let mut k = Checker::new();
    for c in [
        case!(floor / 1),
        case!(ceil / 1),
        case!(round / 1),
        case!(trunc / 1),
        case!(signum / 1),
    ] {
        check_zero_derivative(&c, &pts, &mut k);
    }
    k.finish();
}

/// The documented conventions where the derivative does not exist.
#[test]
fn kink_conventions() {
    let mut k = Checker::new();
    // abs'(0) = 0 (also at -0).
    for x in [0.0, -0.0] {
        let c = format!("abs at {x:?}");
        k.exact(&c, "jvp f64", abs::d64::jvp(bb(x), bb(1.0)).1, 0.0);
        k.exact(&c, "vjp f64", abs::d64::vjp(bb(x), bb(1.0)).1, 0.0);
        k.exact(&c, "grad f64", abs::d64::grad(bb(x)).1, 0.0);
        k.exact(
            &c,
            "jvp f32",
            abs::d32::jvp(bb(x as f32), bb(1.0)).1 as f64,
            0.0,
        );
        k.exact(&c, "grad f32", abs::d32::grad(bb(x as f32)).1 as f64, 0.0);
    }
    // max/min at a tie: 0.5 to each argument.
    for (name, g64, g32, j64) in [
        (
            "max",
            max::d64::grad(bb(1.5), bb(1.5)),
            max::d32::grad(bb(1.5), bb(1.5)),
            max::d64::jvp(bb(1.5), bb(1.5), bb(1.0), bb(0.0)),
        ),
        (
            "min",
            min::d64::grad(bb(-0.25), bb(-0.25)),
            min::d32::grad(bb(-0.25), bb(-0.25)),
            min::d64::jvp(bb(-0.25), bb(-0.25), bb(0.0), bb(1.0)),
        ),
    ] {
        let c = format!("{name} at a tie");
        k.exact(&c, "value", g64.0, if name == "max" { 1.5 } else { -0.25 });
        k.exact(&c, "grad f64 d/da", g64.1 .0, 0.5);
        k.exact(&c, "grad f64 d/db", g64.1 .1, 0.5);
        k.exact(&c, "grad f32 d/da", g32.1 .0 as f64, 0.5);
        k.exact(&c, "grad f32 d/db", g32.1 .1 as f64, 0.5);
        k.exact(&c, "jvp f64 along one axis", j64.1, 0.5);
    }
    k.exact(
        "max_wrt_a at a tie",
        "grad",
        max_wrt_a::d64::grad(bb(2.0), bb(2.0)).1,
        0.5,
    );
    k.exact(
        "min_wrt_b at a tie",
        "grad",
        min_wrt_b::d64::grad(bb(2.0), bb(2.0)).1,
        0.5,
    );
    // clamp(x, lo, hi): d/dx = 1 on the closed interval, so also exactly at each bound. Since
    // clamp(x + t, lo + t, hi + t) = clamp(x, lo, hi) + t, the three partials sum to 1 anyway.
    for x in [-1.0, 2.0] {
        let c = format!("clamp({x}, -1, 2)");
        let (v, (gx, glo, ghi)) = clamp::d64::grad(bb(x), bb(-1.0), bb(2.0));
        k.exact(&c, "value", v, x);
        k.exact(&c, "grad f64 d/dx", gx, 1.0);
        k.exact(&c, "grad f64 sum of partials", gx + glo + ghi, 1.0);
        k.exact(
            &c,
            "jvp f64 d/dx",
            clamp::d64::jvp(bb(x), bb(-1.0), bb(2.0), bb(1.0), bb(0.0), bb(0.0)).1,
            1.0,
        );
        let (b, _, _) = clamp::d64::vjp(bb(x), bb(-1.0), bb(2.0), bb(3.0)).1;
        k.exact(&c, "vjp f64 d/dx (seed 3)", b, 3.0);
        let (_, (gx, glo, ghi)) = clamp::d32::grad(bb(x as f32), bb(-1.0), bb(2.0));
        k.exact(&c, "grad f32 d/dx", gx as f64, 1.0);
        k.exact(&c, "grad f32 sum of partials", (gx + glo + ghi) as f64, 1.0);
        k.exact(
            &c,
            "clamp_wrt_x grad f64",
            clamp_wrt_x::d64::grad(bb(x), bb(-1.0), bb(2.0)).1,
            1.0,
        );
        k.exact(
            &c,
            "clamp_wrt_x grad f32",
            clamp_wrt_x::d32::grad(bb(x as f32), bb(-1.0), bb(2.0)).1 as f64,
            1.0,
        );
    }
    k.finish();
}

/// `tanh_fast` (`autodiff::FastMath`): value within 3 ulp of `tanh`, and `jvp`, `vjp`, `grad`
/// within a few ulp of `1 / cosh^2` in `f64` and `f32`, also where `tanh` rounds to 1 and
/// `1 - tanh^2` would be 0 (the derivative comes from the kernel, without cancellation).
#[test]
fn tanh_fast_against_tanh() {
    let mut k = Checker::new();
    // sech^2 x without overflow or cancellation.
    let sech2 = |x: f64| {
        let e = (-2.0 * x.abs()).exp();
        4.0 * e / ((1.0 + e) * (1.0 + e))
    };
    for x in [
        -25.0, -7.5, -1.3, -0.2, -1e-9, 0.0, 3e-6, 0.45, 0.55, 1.0, 2.9, 12.0, 20.0, 100.0,
    ] {
        let c = format!("tanh_fast at {x:e}");
        let (v, g) = tanh_fast::d64::grad(bb(x));
        k.close(
            &c,
            "value f64",
            v,
            x.tanh(),
            3.0 * f64::EPSILON * x.tanh().abs(),
        );
        k.close(&c, "grad f64", g, sech2(x), 4.0 * f64::EPSILON * sech2(x));
        k.exact(&c, "jvp f64", tanh_fast::d64::jvp(bb(x), bb(1.0)).1, g);
        k.exact(
            &c,
            "vjp f64 (seed 3)",
            tanh_fast::d64::vjp(bb(x), bb(3.0)).1,
            3.0 * g,
        );
        let (v, g) = tanh_fast::d32::grad(bb(x as f32));
        let x32 = x as f32 as f64;
        let tol = |v: f64| 3.0 * f32::EPSILON as f64 * v.abs().max(f32::MIN_POSITIVE as f64);
        k.close(&c, "value f32", v as f64, x32.tanh(), tol(x32.tanh()));
        if x.abs() < 43.0 {
            k.close(&c, "grad f32", g as f64, sech2(x32), tol(sech2(x32)));
        }
        k.exact(
            &c,
            "jvp f32",
            tanh_fast::d32::jvp(bb(x as f32), bb(1.0)).1 as f64,
            g as f64,
        );
    }
    k.finish();
}

/// A few derivatives against their textbook closed forms (tighter than finite differences).
#[test]
fn closed_forms() {
    let mut k = Checker::new();
    let r = 1e-14; // a few ulps: the same formula, possibly in another order
    let mut c =
        |what: &str, got: f64, want: f64| k.close("closed form", what, got, want, r * want.abs());
    for x in [0.3, 1.7, 2.9] {
        c("sin' = cos", sin::d64::grad(bb(x)).1, x.cos());
        c("cos' = -sin", cos::d64::grad(bb(x)).1, -x.sin());
        c("exp' = exp", exp::d64::grad(bb(x)).1, x.exp());
        c("ln' = 1/x", ln::d64::grad(bb(x)).1, 1.0 / x);
        c(
            "sqrt' = 1/(2 sqrt)",
            sqrt::d64::grad(bb(x)).1,
            0.5 / x.sqrt(),
        );
        c(
            "atan' = 1/(1+x^2)",
            atan::d64::grad(bb(x)).1,
            1.0 / (1.0 + x * x),
        );
        c(
            "tanh' = 1 - tanh^2",
            tanh::d64::grad(bb(x)).1,
            1.0 - x.tanh() * x.tanh(),
        );
        c("powi_3' = 3x^2", powi_3::d64::grad(bb(x)).1, 3.0 * x * x);
        c(
            "powi_m2' = -2/x^3",
            powi_m2::d64::grad(bb(x)).1,
            -2.0 / (x * x * x),
        );
        c(
            "exp2' = ln2 exp2",
            exp2::d64::grad(bb(x)).1,
            std::f64::consts::LN_2 * x.exp2(),
        );
    }
    let (y, x) = (0.7, -1.3);
    let (_, (gy, gx)) = atan2::d64::grad(bb(y), bb(x));
    c("atan2 d/dy = x/(x^2+y^2)", gy, x / (x * x + y * y));
    c("atan2 d/dx = -y/(x^2+y^2)", gx, -y / (x * x + y * y));
    let (x, p) = (2.5, 1.3);
    let (_, (gx, gp)) = powf::d64::grad(bb(x), bb(p));
    c("powf d/dx = p x^(p-1)", gx, p * x.powf(p - 1.0));
    c("powf d/dp = x^p ln x", gp, x.powf(p) * x.ln());
    let (a, b) = (-1.2, 0.5);
    let (_, (ga, gb)) = hypot::d64::grad(bb(a), bb(b));
    c("hypot d/da = a/h", ga, a / a.hypot(b));
    c("hypot d/db = b/h", gb, b / a.hypot(b));
    let (x, b) = (5.5, 3.0);
    let (_, (gx, gb)) = log::d64::grad(bb(x), bb(b));
    c("log d/dx = 1/(x ln b)", gx, 1.0 / (x * b.ln()));
    c(
        "log d/db = -ln x/(b ln^2 b)",
        gb,
        -x.ln() / (b * b.ln() * b.ln()),
    );
    let (_, (ga, gb, gc)) = mul_add::d64::grad(bb(1.5), bb(-2.0), bb(0.3));
    c("mul_add d/da = b", ga, -2.0);
    c("mul_add d/db = a", gb, 1.5);
    c("mul_add d/dc = 1", gc, 1.0);
    c(
        "to_degrees' = 180/pi",
        to_degrees::d64::grad(bb(0.4)).1,
        180.0 / std::f64::consts::PI,
    );
    c("powi_0' = 0", powi_0::d64::grad(bb(0.4)).1, 0.0);
    c("powi_1' = 1", powi_1::d64::grad(bb(0.4)).1, 1.0);
    k.finish();
}

/// A passive argument (excluded by `wrt`) gets no tangent/adjoint, and the active partial is
/// the same as in the all-active wrapper.
#[test]
fn passive_argument_matches_all_active_partial() {
    let mut k = Checker::new();
    let mut same = |what: &str, passive: f64, full: f64| {
        k.close(what, "partial", passive, full, 4e-16 * full.abs())
    };
    for (a, b) in [(0.7, 1.3), (1.7, 2.5), (-0.4, 3.0)] {
        same(
            "atan2_wrt_y",
            atan2_wrt_y::d64::jvp(bb(a), bb(b), bb(1.0)).1,
            atan2::d64::jvp(bb(a), bb(b), bb(1.0), bb(0.0)).1,
        );
        same(
            "powf_wrt_x",
            powf_wrt_x::d64::grad(bb(b), bb(a)).1,
            powf::d64::grad(bb(b), bb(a)).1 .0,
        );
        same(
            "powf_wrt_p",
            powf_wrt_p::d64::vjp(bb(b), bb(a), bb(1.0)).1,
            powf::d64::vjp(bb(b), bb(a), bb(1.0)).1 .1,
        );
        same(
            "hypot_wrt_a",
            hypot_wrt_a::d64::grad(bb(a), bb(b)).1,
            hypot::d64::grad(bb(a), bb(b)).1 .0,
        );
        same(
            "log_wrt_b",
            log_wrt_b::d64::grad(bb(b), bb(b + 0.5)).1,
            log::d64::grad(bb(b), bb(b + 0.5)).1 .1,
        );
        same(
            "max_wrt_a",
            max_wrt_a::d64::grad(bb(b), bb(a)).1,
            max::d64::grad(bb(b), bb(a)).1 .0,
        );
        same(
            "min_wrt_b",
            min_wrt_b::d64::grad(bb(b), bb(a)).1,
            min::d64::grad(bb(b), bb(a)).1 .1,
        );
        let (ga, gc) = mul_add_wrt_ac::d64::grad(bb(a), bb(b), bb(0.3)).1;
        let (fa, _, fc) = mul_add::d64::grad(bb(a), bb(b), bb(0.3)).1;
        same("mul_add_wrt_ac d/da", ga, fa);
        same("mul_add_wrt_ac d/dc", gc, fc);
        same(
            "clamp_wrt_x",
            clamp_wrt_x::d64::grad(bb(a), bb(-1.0), bb(2.0)).1,
            clamp::d64::grad(bb(a), bb(-1.0), bb(2.0)).1 .0,
        );
    }
    k.finish();
}

/// `powi` with a passive `i32` exponent parameter.
#[::autodiff::differentiable]
fn powi_n64(x: f64, n: i32) -> f64 {
    x.powi(n)
}
#[::autodiff::differentiable]
fn powi_n32(x: f32, n: i32) -> f32 {
    x.powi(n)
}

#[test]
fn powi_with_passive_integer_exponent() {
    let mut k = Checker::new();
    for n in -3..=4 {
        for x in NONZERO {
            let ctx = format!("powi_n at x = {x}, n = {n}");
            let want = if n == 0 {
                0.0
            } else {
                n as f64 * x.powi(n - 1)
            };
            let (v, d) = powi_n64::jvp(bb(x), bb(n), bb(1.0));
            k.close(&ctx, "f64 value", v, x.powi(n), 0.0);
            k.close(&ctx, "f64 jvp", d, want, 1e-14 * want.abs());
            k.close(
                &ctx,
                "f64 vjp (seed 2)",
                powi_n64::vjp(bb(x), bb(n), bb(2.0)).1,
                2.0 * want,
                1e-14 * want.abs(),
            );
            k.close(
                &ctx,
                "f64 grad",
                powi_n64::grad(bb(x), bb(n)).1,
                want,
                1e-14 * want.abs(),
            );
            let x32 = x as f32;
            let want32 = if n == 0 {
                0.0
            } else {
                n as f64 * (x32 as f64).powi(n - 1)
            };
            let d32 = powi_n32::grad(bb(x32), bb(n)).1 as f64;
            k.close(&ctx, "f32 grad", d32, want32, 1e-6 * want32.abs());
        }
    }
    k.finish();
}

// ---- path form ---------------------------------------------------------------------------------

#[::autodiff::differentiable]
fn p_sin(x: f64) -> f64 {
    f64::sin(x)
}
#[::autodiff::differentiable]
fn p_powi(x: f64) -> f64 {
    f64::powi(x, 3)
}
#[::autodiff::differentiable]
fn p_atan2(y: f64, x: f64) -> f64 {
    f64::atan2(y, x)
}
#[::autodiff::differentiable]
fn p_mul_add(a: f64, b: f64, c: f64) -> f64 {
    f64::mul_add(a, b, c)
}
#[::autodiff::differentiable]
fn p_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    f64::clamp(x, lo, hi)
}
#[::autodiff::differentiable]
fn p32_exp(x: f32) -> f32 {
    f32::exp(x)
}
#[::autodiff::differentiable]
fn p32_hypot(a: f32, b: f32) -> f32 {
    f32::hypot(a, b)
}
#[::autodiff::differentiable]
fn p32_max(a: f32, b: f32) -> f32 {
    f32::max(a, b)
}
#[::autodiff::differentiable]
fn p32_ln(x: f32) -> f32 {
    f32::ln(x)
}

/// The path form differentiates exactly like the method form (which the table checks against
/// finite differences).
#[test]
fn path_form_matches_method_form() {
    let mut k = Checker::new();
    let mut same = |what: &str, got: f64, want: f64| {
        k.close(what, "same as method form", got, want, 4e-16 * want.abs())
    };
    for x in [0.3, 1.7, -2.2] {
        same(
            "f64::sin grad",
            p_sin::grad(bb(x)).1,
            sin::d64::grad(bb(x)).1,
        );
        same(
            "f64::sin jvp",
            p_sin::jvp(bb(x), bb(0.7)).1,
            sin::d64::jvp(bb(x), bb(0.7)).1,
        );
        same(
            "f64::powi grad",
            p_powi::grad(bb(x)).1,
            powi_3::d64::grad(bb(x)).1,
        );
        let (a, b) = (
            p_atan2::grad(bb(x), bb(0.9)).1,
            atan2::d64::grad(bb(x), bb(0.9)).1,
        );
        same("f64::atan2 d/dy", a.0, b.0);
        same("f64::atan2 d/dx", a.1, b.1);
        let (a, b) = (
            p_mul_add::vjp(bb(x), bb(0.9), bb(-1.1), bb(1.5)).1,
            mul_add::d64::vjp(bb(x), bb(0.9), bb(-1.1), bb(1.5)).1,
        );
        same("f64::mul_add vjp d/da", a.0, b.0);
        same("f64::mul_add vjp d/db", a.1, b.1);
        same("f64::mul_add vjp d/dc", a.2, b.2);
        let (a, b) = (
            p_clamp::grad(bb(x), bb(-1.0), bb(1.0)).1,
            clamp::d64::grad(bb(x), bb(-1.0), bb(1.0)).1,
        );
        same("f64::clamp d/dx", a.0, b.0);
        same("f64::clamp d/dlo", a.1, b.1);
        same("f64::clamp d/dhi", a.2, b.2);
        let x32 = x as f32;
        same(
            "f32::exp grad",
            p32_exp::grad(bb(x32)).1 as f64,
            exp::d32::grad(bb(x32)).1 as f64,
        );
        same(
            "f32::ln grad",
            p32_ln::grad(bb(x32.abs())).1 as f64,
            ln::d32::grad(bb(x32.abs())).1 as f64,
        );
        let (a, b) = (
            p32_hypot::grad(bb(x32), bb(0.9)).1,
            hypot::d32::grad(bb(x32), bb(0.9)).1,
        );
        same("f32::hypot d/da", a.0 as f64, b.0 as f64);
        same("f32::hypot d/db", a.1 as f64, b.1 as f64);
        let (a, b) = (
            p32_max::jvp(bb(x32), bb(0.9), bb(0.5), bb(2.0)).1,
            max::d32::jvp(bb(x32), bb(0.9), bb(0.5), bb(2.0)).1,
        );
        same("f32::max jvp", a as f64, b as f64);
    }
    // And the path form is really differentiated (not just equal to a broken method form).
    k.close(
        "f64::sin",
        "closed form",
        p_sin::grad(bb(0.3)).1,
        0.3f64.cos(),
        4e-16,
    );
    k.close(
        "f32::exp",
        "closed form",
        p32_exp::grad(bb(0.3f32)).1 as f64,
        0.3f32.exp() as f64,
        0.0,
    );
    k.finish();
}
