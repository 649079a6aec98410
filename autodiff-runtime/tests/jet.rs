//! Taylor jets: derivatives of orders 1..6 (`Jet<f64, 7>`) of every elementary function.
//!
//! Three kinds of reference:
//! - closed forms of the n-th derivative (exp, sin, ln, powers, atan, atanh, ...) at several
//!   points, to 1e-12 relative (`max(1, |exact|)` as the scale);
//! - the oracle's exact (sympy/mpmath, correctly rounded) derivatives of `tanh` and of the
//!   notebook's `tanh`, `(1 - e^-x) / (1 + e^-x)`, from `tests/data/derivatives.json`
//!   (`tanh_derivatives.{np_tanh,notebook_tanh}.exact`), to 1e-12 relative (1e-14 absolute
//!   where the exact value is 0);
//! - for every function, a finite-difference ladder: order 1 against the first-order rule in
//!   `rules`, and each order k+1 against a Richardson-extrapolated central difference (steps
//!   1e-3 and 5e-4, error O(h^4) plus roundoff ~1e-13 / h) of the jet's own order-k derivative,
//!   to 1e-7 relative. Together these pin every order down inductively, where closed forms are
//!   hard (tan, asin, acos, asinh, acosh, hypot, atan2, x^x, ...). Identities such as
//!   `asin(sin x) = x` check the same functions once more, to 1e-12.

use autodiff_runtime::jet::Jet;
use autodiff_runtime::{rules, Scalar};

type J = Jet<f64, 7>;

/// The derivatives of orders 0..6 of `f` at `x`.
fn derivs(f: &impl Fn(J) -> J, x: f64) -> [f64; 7] {
    f(J::var(x)).derivatives()
}

#[track_caller]
fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    let err = (got - want).abs();
    assert!(
        err <= tol * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e} (error {err:e})"
    );
}

/// Orders 1..6 of `f` against `exact(order, x)` at each point.
#[track_caller]
fn check_closed(name: &str, f: impl Fn(J) -> J, exact: impl Fn(usize, f64) -> f64, points: &[f64]) {
    for &x in points {
        let d = derivs(&f, x);
        for (n, &dn) in d.iter().enumerate().skip(1) {
            assert_close(dn, exact(n, x), 1e-12, &format!("{name} order {n} at {x}"));
        }
    }
}

/// The finite-difference ladder: order 1 against `rule`'s partial, order k+1 against central
/// differences of the jet's order k.
#[track_caller]
fn check_ladder(name: &str, f: impl Fn(J) -> J, rule: impl Fn(f64) -> (f64, f64), points: &[f64]) {
    for &x in points {
        let d = derivs(&f, x);
        let (v, d1) = rule(x);
        assert_eq!(
            d[0].to_bits(),
            v.to_bits(),
            "{name} value at {x}: {} vs {v}",
            d[0]
        );
        assert_close(d[1], d1, 1e-12, &format!("{name} order 1 at {x} vs rules"));
        let h = 1e-3;
        let (p1, m1) = (derivs(&f, x + h), derivs(&f, x - h));
        let (p2, m2) = (derivs(&f, x + h / 2.0), derivs(&f, x - h / 2.0));
        for k in 0..6 {
            let c1 = (p1[k] - m1[k]) / (2.0 * h);
            let c2 = (p2[k] - m2[k]) / h;
            let richardson = (4.0 * c2 - c1) / 3.0;
            assert_close(
                d[k + 1],
                richardson,
                1e-7,
                &format!("{name} order {} at {x} vs differences", k + 1),
            );
        }
    }
}

/// The falling factorial `a (a-1) ... (a-n+1)`.
fn falling(a: f64, n: usize) -> f64 {
    (0..n).map(|i| a - i as f64).product()
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// Order `n >= 1` of `ln` at `x`: `(-1)^(n-1) (n-1)! / x^n`.
fn ln_deriv(n: usize, x: f64) -> f64 {
    let sign = if n % 2 == 1 { 1.0 } else { -1.0 };
    sign * factorial(n - 1) / x.powi(n as i32)
}

const PTS: [f64; 5] = [-2.0, -0.5, 0.3, 1.0, 2.5];
const POS: [f64; 4] = [0.2, 0.7, 1.5, 4.0];
const UNIT: [f64; 4] = [-0.8, -0.3, 0.1, 0.6];

#[test]
fn exp_family() {
    check_closed("exp", J::exp, |_, x| x.exp(), &PTS);
    check_closed(
        "exp2",
        J::exp2,
        |n, x| std::f64::consts::LN_2.powi(n as i32) * x.exp2(),
        &PTS,
    );
    check_closed("exp_m1", J::exp_m1, |_, x| x.exp(), &PTS);
    assert_eq!(J::var(1e-10).exp_m1().c[0], 1e-10f64.exp_m1());
    // 2^x written as powf with a variable exponent.
    check_closed(
        "2^x",
        |x| J::cst(2.0).powf(x),
        |n, x| std::f64::consts::LN_2.powi(n as i32) * x.exp2(),
        &PTS,
    );
}

#[test]
fn log_family() {
    use std::f64::consts::{LN_10, LN_2};
    check_closed("ln", J::ln, ln_deriv, &POS);
    check_closed("log2", J::log2, |n, x| ln_deriv(n, x) / LN_2, &POS);
    check_closed("log10", J::log10, |n, x| ln_deriv(n, x) / LN_10, &POS);
    check_closed(
        "ln_1p",
        J::ln_1p,
        |n, x| ln_deriv(n, 1.0 + x),
        &[-0.5, 0.0, 0.3, 3.0],
    );
    check_closed(
        "log(3)",
        |x| x.log(J::cst(3.0)),
        |n, x| ln_deriv(n, x) / 3f64.ln(),
        &POS,
    );
    assert_eq!(J::var(1e-12).ln_1p().c[0], 1e-12f64.ln_1p());
}

#[test]
fn trig_and_hyperbolic() {
    use std::f64::consts::FRAC_PI_2;
    check_closed("sin", J::sin, |n, x| (x + n as f64 * FRAC_PI_2).sin(), &PTS);
    check_closed("cos", J::cos, |n, x| (x + n as f64 * FRAC_PI_2).cos(), &PTS);
    check_closed(
        "sinh",
        J::sinh,
        |n, x| if n % 2 == 0 { x.sinh() } else { x.cosh() },
        &PTS,
    );
    check_closed(
        "cosh",
        J::cosh,
        |n, x| if n % 2 == 0 { x.cosh() } else { x.sinh() },
        &PTS,
    );
    // atan^(n)(x) = (-1)^(n-1) (n-1)! Im((x - i)^-n) = (-1)^(n-1) (n-1)! sin(n atan2(1, x)) / r^n.
    check_closed(
        "atan",
        J::atan,
        |n, x| {
            let sign = if n % 2 == 1 { 1.0 } else { -1.0 };
            sign * factorial(n - 1) * (n as f64 * 1f64.atan2(x)).sin()
                / (1.0 + x * x).sqrt().powi(n as i32)
        },
        &PTS,
    );
    // atanh' = (1/(1-x) + 1/(1+x)) / 2.
    check_closed(
        "atanh",
        J::atanh,
        |n, x| {
            let sign = if n % 2 == 1 { 1.0 } else { -1.0 };
            factorial(n - 1) / 2.0
                * ((1.0 - x).powi(-(n as i32)) + sign * (1.0 + x).powi(-(n as i32)))
        },
        &UNIT,
    );
}

#[test]
fn ladders_of_every_function() {
    check_ladder("sin", J::sin, rules::sin, &PTS);
    check_ladder("cos", J::cos, rules::cos, &PTS);
    check_ladder("tan", J::tan, rules::tan, &[-1.2, -0.5, 0.3, 1.0]);
    check_ladder("asin", J::asin, rules::asin, &UNIT);
    check_ladder("acos", J::acos, rules::acos, &UNIT);
    check_ladder("atan", J::atan, rules::atan, &PTS);
    check_ladder("sinh", J::sinh, rules::sinh, &PTS);
    check_ladder("cosh", J::cosh, rules::cosh, &PTS);
    check_ladder("tanh", J::tanh, rules::tanh, &PTS);
    check_ladder("asinh", J::asinh, rules::asinh, &PTS);
    check_ladder("acosh", J::acosh, rules::acosh, &[1.3, 2.0, 5.0]);
    check_ladder("atanh", J::atanh, rules::atanh, &UNIT);
    check_ladder("exp", J::exp, rules::exp, &PTS);
    check_ladder("exp2", J::exp2, rules::exp2, &PTS);
    check_ladder("exp_m1", J::exp_m1, rules::exp_m1, &PTS);
    check_ladder("ln", J::ln, rules::ln, &POS);
    check_ladder("log2", J::log2, rules::log2, &POS);
    check_ladder("log10", J::log10, rules::log10, &POS);
    check_ladder("ln_1p", J::ln_1p, rules::ln_1p, &[-0.5, 0.3, 3.0]);
    check_ladder("sqrt", J::sqrt, rules::sqrt, &POS);
    check_ladder("cbrt", J::cbrt, rules::cbrt, &[-3.0, -0.4, 0.5, 2.0]);
    check_ladder("powi(5)", |x| x.powi(5), |x| rules::powi(x, 5), &PTS);
    check_ladder("powi(-3)", |x| x.powi(-3), |x| rules::powi(x, -3), &PTS);
    let pow_rule = |x: f64| {
        let (v, dx, dp) = rules::powf(x, x);
        (v, dx + dp)
    };
    check_ladder("x^x", |x| x.powf(x), pow_rule, &POS);
    let atan2_rule = |x: f64| {
        let (v, dy, dx) = rules::atan2(x.sin(), 0.5 - x);
        (v, dy * x.cos() - dx)
    };
    check_ladder(
        "atan2(sin x, 0.5 - x)",
        |x| x.sin().atan2(J::cst(0.5) - x),
        atan2_rule,
        &PTS,
    );
    let hypot_rule = |x: f64| {
        let (v, da, db) = rules::hypot(x, 1.0 + x * x);
        (v, da + db * 2.0 * x)
    };
    check_ladder(
        "hypot(x, 1 + x^2)",
        |x| x.hypot(J::one() + x * x),
        hypot_rule,
        &PTS,
    );
    let log_rule = |x: f64| {
        let (v, _, db) = rules::log(2.0, x);
        (v, db)
    };
    check_ladder(
        "log_x(2)",
        |x| J::cst(2.0).log(x),
        log_rule,
        &[0.3, 2.0, 5.0],
    );
}

#[test]
fn powers() {
    for n in [0, 1, 2, 3, 5, 8, -1, -2, -3] {
        check_closed(
            "powi",
            |x| x.powi(n),
            |k, x| falling(n as f64, k) * x.powi(n - k as i32),
            &PTS,
        );
    }
    for p in [0.5, 1.5, -0.7, 2.0, 3.25] {
        check_closed(
            "powf",
            |x| x.powf(J::cst(p)),
            |k, x| falling(p, k) * x.powf(p - k as f64),
            &POS,
        );
    }
    // A constant integer exponent works for negative bases too.
    check_closed(
        "powf(3)",
        |x| x.powf(J::cst(3.0)),
        |k, x| falling(3.0, k) * x.powi(3 - k as i32),
        &[-2.0, -0.5],
    );
    check_closed(
        "sqrt",
        J::sqrt,
        |k, x| falling(0.5, k) * x.powf(0.5 - k as f64),
        &POS,
    );
    // cbrt(x) / x^k = x^(1/3 - k), real for negative x.
    check_closed(
        "cbrt",
        J::cbrt,
        |k, x| falling(1.0 / 3.0, k) * x.cbrt() / x.powi(k as i32),
        &[-8.0, -2.0, -0.3, 0.3, 1.0, 5.0],
    );
    // x^x: d/dx = x^x (ln x + 1).
    for x in POS {
        let d = derivs(&|x: J| x.powf(x), x);
        assert_close(d[1], x.powf(x) * (x.ln() + 1.0), 1e-12, "x^x order 1");
        assert_close(
            d[2],
            x.powf(x) * ((x.ln() + 1.0).powi(2) + 1.0 / x),
            1e-12,
            "x^x order 2",
        );
    }
    assert_eq!(J::var(1.7).powi(7).c[0], 1.7f64.powi(7));
    // Integer constant exponents are exact where the base is 0: (x - 1)^2 at 1, x^3 at 0.
    assert_eq!(
        (J::var(1.0) - J::one()).powf(J::cst(2.0)).derivatives(),
        [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        J::var(0.0).powf(J::cst(3.0)).derivatives(),
        [0.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        J::var(0.0).powf(J::cst(0.0)).derivatives(),
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
}

/// The oracle's points (`tanh_derivatives.*.x`).
const X: [f64; 6] = [-2.0, -0.5, 0.0, 0.3, 1.0, 2.5];
/// `tanh_derivatives.np_tanh.exact[order][i]` (orders 1..6) at X, copied verbatim.
#[rustfmt::skip]
const TANH_EXACT: [[f64; 6]; 6] = [
    [0.07065082485316447, 0.7864477329659274, 1.0, 0.9151369618266292, 0.4199743416140261, 0.02659222668316062],
    [0.13621868742711304, 0.7268619813835873, 0.0, -0.5331818782014544, -0.6397000084492245, -0.0524725421305805],
    [0.2526540650980627, -0.5652092882597703, -2.0, -1.3643061061011237, 0.6216266807712962, 0.10212602761283088],
    [0.4293871981827611, -3.952219563724583, 0.0, 3.72248581661372, 0.6650910447505016, -0.1931458277025849],
    [0.5737472735196657, -3.2666864719713926, 16.0, 6.113703931953153, -5.55689355847372, 0.34287459660120356],
    [0.11452669158685999, 36.279540291791626, 0.0, -52.17630757678585, 13.624075441312105, -0.5180319368967022],
];
/// `tanh_derivatives.notebook_tanh.exact[order][i]` (orders 1..6) at X, copied verbatim.
#[rustfmt::skip]
const NOTEBOOK_TANH_EXACT: [[f64; 6]; 6] = [
    [0.20998717080701304, 0.470007424403189, 0.5, 0.4889166233814917, 0.3932238664829637, 0.14020743309021633],
    [0.15992500211230612, 0.11511358970464149, 0.0, -0.07279236791115248, -0.18171549534589682, -0.11893567169086813],
    [0.07770333509641203, -0.19271351257916922, -0.25, -0.22820177047478657, -0.0706511610324713, 0.08123306020897386],
    [-0.04156819029690635, -0.20951186116066248, 0.0, 0.14074402445123105, 0.24701372273278643, -0.018881680307044162],
    [-0.17365292370230376, 0.2712403463828609, 0.5, 0.409435690989803, -0.10208395224910602, -0.07197797691815326],
    [-0.21287617877050163, 0.780631916232004, 0.0, -0.5711327849424637, -0.5668678170592442, 0.17090958569290304],
];

#[track_caller]
fn check_oracle(name: &str, f: impl Fn(J) -> J, exact: &[[f64; 6]; 6]) {
    for (i, &x) in X.iter().enumerate() {
        let d = derivs(&f, x);
        for order in 1..=6 {
            let (got, want) = (d[order], exact[order - 1][i]);
            let err = (got - want).abs();
            let ok = if want == 0.0 {
                err <= 1e-14
            } else {
                err <= 1e-12 * want.abs()
            };
            assert!(
                ok,
                "{name} order {order} at {x}: got {got:e}, exact {want:e}"
            );
        }
    }
}

#[test]
fn tanh_matches_oracle() {
    check_oracle("tanh", J::tanh, &TANH_EXACT);
}

#[test]
fn notebook_tanh_matches_oracle() {
    let notebook_tanh = |x: J| {
        let e = (-x).exp();
        (J::one() - e) / (J::one() + e)
    };
    check_oracle("notebook tanh", notebook_tanh, &NOTEBOOK_TANH_EXACT);
    // It is tanh(x / 2).
    check_oracle(
        "tanh(x/2)",
        |x| (x * J::cst(0.5)).tanh(),
        &NOTEBOOK_TANH_EXACT,
    );
}

#[test]
fn inverse_identities() {
    use std::f64::consts::PI;
    let identity = |x: f64| {
        let mut c = [0.0; 7];
        c[0] = x;
        c[1] = 1.0;
        c
    };
    #[track_caller]
    fn same(name: &str, got: J, want: [f64; 7]) {
        for (k, (&g, &w)) in got.c.iter().zip(&want).enumerate() {
            assert_close(g, w, 1e-12, &format!("{name} coefficient {k}"));
        }
    }
    for x in [-1.2, -0.4, 0.2, 1.1] {
        same("asin(sin x)", J::var(x).sin().asin(), identity(x));
        same("atan(tan x)", J::var(x).tan().atan(), identity(x));
        same("asinh(sinh x)", J::var(x).sinh().asinh(), identity(x));
        same("atanh(tanh x)", J::var(x).tanh().atanh(), identity(x));
        same(
            "atan2(sin x, cos x)",
            J::var(x).sin().atan2(J::var(x).cos()),
            identity(x),
        );
        same("ln(exp x)", J::var(x).exp().ln(), identity(x));
        same("log2(exp2 x)", J::var(x).exp2().log2(), identity(x));
        same("ln_1p(exp_m1 x)", J::var(x).exp_m1().ln_1p(), identity(x));
        if x.abs() > 0.3 {
            // (At x = 0.2 the coefficients of x^3 are 1/x^5 ~ 3e3 times larger than the
            // result's, so the cancelling higher coefficients only come out to ~1e-12.)
            same("cbrt(x^3)", J::var(x).powi(3).cbrt(), identity(x));
        }
        // hypot(sinh x, 1) = cosh x.
        same(
            "hypot(sinh x, 1)",
            J::var(x).sinh().hypot(J::one()),
            J::var(x).cosh().c,
        );
        let big = J::var(x).sinh().scale(1e200).hypot(J::cst(1e200));
        same(
            "hypot(1e200 sinh x, 1e200)",
            big,
            J::var(x).cosh().scale(1e200).c,
        );
    }
    for x in [0.3, 1.0, 2.5] {
        same("acos(cos x)", J::var(x).cos().acos(), identity(x));
        same("acosh(cosh x)", J::var(x).cosh().acosh(), identity(x));
        same("sqrt(x^2)", J::var(x).powi(2).sqrt(), identity(x));
        same(
            "atan2(-sin x, -cos x)",
            (-J::var(x).sin()).atan2(-J::var(x).cos()),
            identity(x - PI),
        );
    }
    // Far from the origin hypot must not overflow in the squares.
    let big = J::var(1e200).hypot(J::cst(1e200));
    assert_close(big.c[0] / 1e200, 2f64.sqrt(), 1e-15, "hypot value");
    assert_close(big.c[1], 0.5f64.sqrt(), 1e-15, "hypot slope");
}

#[test]
fn nonsmooth_functions() {
    let x = J::var(-1.5);
    assert_eq!(x.abs().c, [1.5, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(J::var(2.0).abs().c, J::var(2.0).c);
    // At 0: all derivative parts zero, like rules::abs.
    assert_eq!(J::var(0.0).abs().c, [0.0; 7]);
    assert_eq!(rules::abs(0.0).1, 0.0);
    assert_eq!(J::var(-0.0).abs().c[0].to_bits(), 0f64.to_bits());
    for (f, want) in [
        (J::floor as fn(J) -> J, -2.0),
        (J::ceil, -1.0),
        (J::round, -2.0),
        (J::trunc, -1.0),
        (J::signum, -1.0),
    ] {
        assert_eq!(f(x).c, J::constant(want).c);
    }
    assert_eq!(J::var(0.0).hypot(J::var(0.0)).c, [0.0; 7]);
}

#[test]
fn mul_add_and_log_base() {
    check_closed(
        "x.mul_add(x, x)",
        |x| x.mul_add(x, x),
        |n, x| match n {
            1 => 2.0 * x + 1.0,
            2 => 2.0,
            _ => 0.0,
        },
        &PTS,
    );
    let v = J::var(0.1).mul_add(J::cst(3.0), J::cst(0.2)).c[0];
    assert_eq!(v, 0.1f64.mul_add(3.0, 0.2));
    assert_eq!(J::var(8.0).log(J::cst(2.0)).c[0], 8f64.log(2.0));
}

#[test]
fn arithmetic() {
    let t = J::var(0.0);
    let one = J::one();
    // (1 + t)(1 - t) = 1 - t^2.
    assert_eq!(
        ((one + t) * (one - t)).c,
        [1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0]
    );
    // 1 / (1 - t) = sum t^k.
    assert_eq!((one / (one - t)).c, [1.0; 7]);
    // Division undoes multiplication.
    let a = J::var(0.7).sin();
    let b = J::var(0.7).exp() + J::cst(2.0);
    let q = a * b / b;
    for (g, w) in q.c.iter().zip(a.c) {
        assert_close(*g, w, 1e-14, "a * b / b");
    }
    let mut m = a;
    m += b;
    m -= b;
    m *= b;
    m /= b;
    for (g, w) in m.c.iter().zip(a.c) {
        assert_close(*g, w, 1e-14, "assign ops");
    }
    assert_eq!((-a).c, a.c.map(|v| -v));
    assert_eq!(J::default(), J::zero());
    assert_eq!(J::zero().c, [0.0; 7]);
    assert_eq!(J::cst(3.0), J::constant(3.0));
    assert_eq!(J::var(3.0).base(), 3.0);
    // derivatives = c[k] k!.
    assert_eq!(
        J::new([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]).derivatives(),
        [1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0]
    );
    // Order 0: just the value.
    assert_eq!(Jet::<f64, 1>::var(2.0).exp().c, [2f64.exp()]);
}

/// Code generic over `Scalar` (as generated code is) runs on jets: the rule's own derivative
/// `1 - tanh^2` differentiated once more is the second derivative of tanh.
#[test]
fn generic_code_and_nested_jets() {
    fn dtanh<S: Scalar>(x: S) -> S {
        rules::tanh(x).1
    }
    let d = dtanh(J::var(0.3)).derivatives();
    for order in 0..6 {
        assert_close(
            d[order],
            TANH_EXACT[order][3],
            1e-12,
            "d/dx of rules::tanh's partial",
        );
    }
    // Jets of jets: f(x, y) = sin(x) e^y; c[i].c[j] = d^(i+j) f / dx^i dy^j / (i! j!).
    type JJ = Jet<Jet<f64, 3>, 3>;
    let (x0, y0) = (0.4, -0.2);
    let x = JJ::var(Jet::constant(x0));
    let y = JJ::constant(Jet::var(y0));
    let f = x.sin() * y.exp();
    assert_close(f.c[2].c[1], -x0.sin() * y0.exp() / 2.0, 1e-15, "f_xxy / 2");
    assert_close(f.c[1].c[2], x0.cos() * y0.exp() / 2.0, 1e-15, "f_xyy / 2");
    assert_close(f.base(), x0.sin() * y0.exp(), 1e-15, "value");
}

#[test]
fn f32_jets() {
    type J4 = Jet<f32, 4>;
    let x = 0.5f32;
    let d = J4::var(x).exp().derivatives();
    for v in d {
        assert!((v - x.exp()).abs() < 1e-5);
    }
    let d = J4::var(x).sin().derivatives();
    let want = [x.sin(), x.cos(), -x.sin(), -x.cos()];
    for (g, w) in d.iter().zip(want) {
        assert!((g - w).abs() < 1e-5, "{g} vs {w}");
    }
    let d = (J4::one() / J4::var(x).powi(2)).derivatives();
    let want = [4.0, -16.0, 96.0, -768.0];
    for (g, w) in d.iter().zip(want) {
        assert!((g - w).abs() < 1e-4 * w.abs(), "{g} vs {w}");
    }
    assert!((J4::var(x).tanh().derivatives()[1] - (1.0 - x.tanh().powi(2))).abs() < 1e-6);
}
