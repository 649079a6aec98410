//! Higher-order derivatives of one-parameter functions: the generated `f::derivatives::<K>(x)`
//! (`[f, f', f'', .., f^(K-1)]`, one forward pass on truncated Taylor series), checked
//!
//! 1. against the oracle's exact (sympy/mpmath, correctly rounded) derivatives of orders 0..6 in
//!    `tests/data/derivatives.json`: `tanh_derivatives.np_tanh` (`x.tanh()`),
//!    `tanh_derivatives.notebook_tanh` (the notebook's `(1 - e^-x) / (1 + e^-x)`), and
//!    `x_pow_cos_x` (first derivative of `x^cos x`, through `derivatives::<2>`);
//! 2. against exact coefficients of a polynomial;
//! 3. with a passive parameter (`#[differentiable(wrt(x))] fn f(x, k)`) against closed forms;
//! 4. in `f32` (tanh) against the exact `f64` values;
//! 5. for consistency with the generated `grad` (order 1) and `hvp` (order 2).
//!
//! Tolerances, in one place:
//! - `EXACT_REL` = 1e-12 relative (absolute `EXACT_ZERO` = 1e-14 where the exact value is 0):
//!   the oracle's values are correctly rounded; the jet recurrences for order k <= 6 are sums of
//!   at most k + 1 products per coefficient, a few dozen roundings in all, so 1e-12 leaves a
//!   margin of ~1e2..1e3 over the expected error while any wrong coefficient in a recurrence
//!   (an error of order 1) is caught.
//! - `CLOSED` = 1e-13 relative to the sum of the magnitudes of the closed form's terms (for the
//!   passive-parameter function and the grad/hvp consistency): both sides round a handful of
//!   operations differently.
//! - f32: see `tanh_f32_against_exact`.
#![allow(clippy::excessive_precision)]
mod common;
use autodiff::differentiable;
use common::*;

const EXACT_REL: f64 = 1e-12;
const EXACT_ZERO: f64 = 1e-14;
const CLOSED: f64 = 1e-13;

// =============================================================================================
// JSON helpers.

fn load(file: &str) -> serde_json::Value {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn nums(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(num)
        .collect()
}

fn matrix(v: &serde_json::Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(nums)
        .collect()
}

/// `(x, exact)` of one `tanh_derivatives` entry; `exact[order][i]` at `x[i]`, orders 0..6.
fn tanh_table(name: &str) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = load("derivatives.json");
    let t = &d["tanh_derivatives"][name];
    let x = nums(&t["x"]);
    let orders = nums(&t["orders"]);
    assert_eq!(
        orders,
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "{name}: orders"
    );
    let exact = matrix(&t["exact"]);
    assert_eq!(exact.len(), 7, "{name}: exact rows");
    for row in &exact {
        assert_eq!(row.len(), x.len(), "{name}: exact columns");
    }
    (x, exact)
}

/// Relative `EXACT_REL`, or absolute `EXACT_ZERO` where the exact value is 0. Collects every
/// failure so one run shows all of them; returns the largest relative error seen (for reports).
fn check_against_exact(name: &str, x: &[f64], exact: &[Vec<f64>], got: &dyn Fn(f64) -> [f64; 7]) {
    let mut fails = Vec::new();
    let mut worst = 0.0f64;
    for (i, &xi) in x.iter().enumerate() {
        let d = got(bb(xi));
        for (order, row) in exact.iter().enumerate() {
            let (g, w) = (d[order], row[i]);
            let err = (g - w).abs();
            let ok = if w == 0.0 {
                err <= EXACT_ZERO
            } else {
                worst = worst.max(err / w.abs());
                err <= EXACT_REL * w.abs()
            };
            if !ok {
                fails.push(format!(
                    "{name} order {order} at x = {xi}: got {g:?}, exact {w:?}, rel err {:e}",
                    err / w.abs()
                ));
            }
        }
    }
    eprintln!("{name}: worst relative error {worst:e}");
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

// =============================================================================================
// The functions.

#[differentiable]
fn t(x: f64) -> f64 {
    x.tanh()
}

#[differentiable]
fn t32(x: f32) -> f32 {
    x.tanh()
}

/// The notebook's "tanh": `(1 - e^-x) / (1 + e^-x)` (= tanh(x/2)).
#[differentiable]
fn notebook_tanh(x: f64) -> f64 {
    (1.0 - (-x).exp()) / (1.0 + (-x).exp())
}

#[differentiable]
fn x_pow_cos_x(x: f64) -> f64 {
    x.powf(x.cos())
}

/// `p(x) = 3x^5 - 2x^4 + x^3/2 - x + 7`, written with `powi`, plain products, a constant
/// integer `powf` and a division by a constant.
#[differentiable]
fn poly(x: f64) -> f64 {
    3.0 * x.powi(5) - 2.0 * x * x * x * x + x.powf(3.0) / 2.0 - x + 7.0
}

/// The same polynomial in Horner form.
#[differentiable]
fn poly_horner(x: f64) -> f64 {
    (((((3.0 * x - 2.0) * x) + 0.5) * x) * x - 1.0) * x + 7.0
}

/// Passive `k`: `sin(k x) + k x^2`.
#[differentiable(wrt(x))]
fn with_k(x: f64, k: f64) -> f64 {
    (k * x).sin() + k * x * x
}

// =============================================================================================
// 1. Against the oracle.

#[test]
fn tanh_against_exact() {
    let (x, exact) = tanh_table("np_tanh");
    assert_eq!(x, [-2.0, -0.5, 0.0, 0.3, 1.0, 2.5]);
    check_against_exact("tanh", &x, &exact, &|x| t::derivatives::<7>(x));
}

#[test]
fn notebook_tanh_against_exact() {
    let (x, exact) = tanh_table("notebook_tanh");
    check_against_exact("notebook_tanh", &x, &exact, &|x| {
        notebook_tanh::derivatives::<7>(x)
    });
}

/// Only orders 0 and 1 are stored. The oracle's autograd/jax/torch agree with the exact values
/// to 4.4e-16 absolute; the jet computes `exp(cos(x) ln x)` with its own roundings of `cos`,
/// `sin`, `ln` and `exp` (a dozen operations), so `EXACT_REL` has a wide margin.
#[test]
fn x_pow_cos_x_against_exact() {
    let d = load("derivatives.json");
    let t = &d["x_pow_cos_x"];
    let x = nums(&t["x"]);
    let value = nums(&t["value_exact"]);
    let exact = nums(&t["exact"]);
    assert_eq!(x.len(), exact.len());
    for i in 0..x.len() {
        let [f, df] = x_pow_cos_x::derivatives::<2>(bb(x[i]));
        assert_rel(f, value[i], EXACT_REL, &format!("x^cos x at {}", x[i]));
        assert_rel(
            df,
            exact[i],
            EXACT_REL,
            &format!("d/dx x^cos x at {}", x[i]),
        );
        // Order 0 is exactly the primal.
        assert_eq!(f, x_pow_cos_x(x[i]), "value vs primal at {}", x[i]);
    }
}

// =============================================================================================
// 2. A polynomial.

/// Exact derivatives of `3x^5 - 2x^4 + x^3/2 - x + 7`, orders 0..7 (5 and up constant / zero).
fn poly_exact(x: f64) -> [f64; 8] {
    [
        3.0 * x.powi(5) - 2.0 * x.powi(4) + 0.5 * x.powi(3) - x + 7.0,
        15.0 * x.powi(4) - 8.0 * x.powi(3) + 1.5 * x * x - 1.0,
        60.0 * x.powi(3) - 24.0 * x * x + 3.0 * x,
        180.0 * x * x - 48.0 * x + 3.0,
        360.0 * x - 48.0,
        360.0,
        0.0,
        0.0,
    ]
}

/// At dyadic points with few significant bits every intermediate (jet coefficients, products,
/// the `k!` factors) is exactly representable, so both forms must agree with the exact
/// derivatives bit for bit. At 0.3 (not dyadic) relative 1e-14 of the sum of the terms'
/// magnitudes (the polynomial in |x|).
#[test]
fn polynomial_exact_coefficients() {
    for x in [0.0, 1.0, -1.0, 1.5, -0.5, 2.0, 0.75, -3.25] {
        let want = poly_exact(x);
        assert_eq!(poly::derivatives::<8>(bb(x)), want, "poly at {x}");
        assert_eq!(
            poly_horner::derivatives::<8>(bb(x)),
            want,
            "poly_horner at {x}"
        );
    }
    let x = 0.3;
    let want = poly_exact(x);
    // Scales: the same derivatives with every coefficient and x made non-negative.
    let s = [
        3.0 * x.powi(5) + 2.0 * x.powi(4) + 0.5 * x.powi(3) + x + 7.0,
        15.0 * x.powi(4) + 8.0 * x.powi(3) + 1.5 * x * x + 1.0,
        60.0 * x.powi(3) + 24.0 * x * x + 3.0 * x,
        180.0 * x * x + 48.0 * x + 3.0,
        360.0 * x + 48.0,
        360.0,
        0.0,
        0.0,
    ];
    for (name, got) in [
        ("poly", poly::derivatives::<8>(bb(x))),
        ("poly_horner", poly_horner::derivatives::<8>(bb(x))),
    ] {
        for k in 0..8 {
            assert_close(
                got[k],
                want[k],
                1e-14,
                s[k],
                &format!("{name} order {k} at 0.3"),
            );
            if s[k] == 0.0 {
                assert_eq!(got[k], 0.0, "{name} order {k} at 0.3");
            }
        }
    }
}

/// `K = 1` is the value alone; the polynomial's jets of any length agree on shared orders.
#[test]
fn polynomial_orders_are_prefixes() {
    let x = 1.5;
    let full = poly::derivatives::<8>(x);
    assert_eq!(poly::derivatives::<1>(x), [full[0]]);
    assert_eq!(poly::derivatives::<3>(x), [full[0], full[1], full[2]]);
    assert_eq!(poly::derivatives::<12>(x)[..8], full);
    assert_eq!(poly::derivatives::<12>(x)[8..], [0.0; 4]);
    assert_eq!(full[0], poly(x));
}

// =============================================================================================
// 3. A passive parameter.

/// `d^n/dx^n [sin(k x) + k x^2] = k^n sin^(n)(k x) + (2 k x, 2 k, 0..)`, with
/// `sin^(n)` cycling sin, cos, -sin, -cos.
#[test]
fn passive_parameter() {
    for &(x, k) in &[(0.3, 2.0), (-1.2, 0.5), (2.0, -1.5), (0.0, 3.0), (1.0, 0.0)] {
        let got = with_k::derivatives::<7>(bb(x), bb(k));
        let (s, c) = (k * x).sin_cos();
        for n in 0..7 {
            let trig = [s, c, -s, -c][n % 4];
            let kn = k.powi(n as i32);
            let poly = [k * x * x, 2.0 * k * x, 2.0 * k, 0.0, 0.0, 0.0, 0.0][n];
            let want = kn * trig + poly;
            let scale = (kn * trig).abs() + poly.abs();
            assert_close(
                got[n],
                want,
                CLOSED,
                scale,
                &format!("with_k order {n} at x={x}, k={k}"),
            );
        }
        assert_eq!(got[0], with_k(x, k));
    }
}

// =============================================================================================
// 4. f32.

/// `t32::derivatives::<7>` against the exact f64 values, compared as Taylor coefficients
/// `c_k = f^(k) / k!`.
///
/// Tolerance `|got_k - exact_k| <= 64 eps_f32 k!` (`|c_k| error <= 64 eps_f32 ~ 7.6e-6`):
/// - tanh's Taylor coefficients around real x are bounded by ~1 (the nearest singularities are
///   at +-i pi/2, so |c_k| <~ (2/pi)^k max|tanh| on that disc), and so are the products summed
///   by the recurrences `t_k = (1/k) sum j a_j u_(k-j)`, `u_k = -sum t_j t_(k-j)`; each
///   coefficient accumulates at most ~2k + 2 roundings of quantities of size <= 1 on top of the
///   errors it inherits, so the absolute error of c_k stays within ~(k + 1)^2 eps_f32 <= 49 eps;
/// - x = 0.3 is not exact in f32 (0.3f32 - 0.3 = 1.2e-8 = 0.1 eps_f32), shifting c_k by at most
///   (k + 1) |c_(k+1)| 1.2e-8, under 1 eps;
/// - `tanhf` and `coshf` are within a few ulps.
///
/// A relative bound would be meaningless where f^(k) is tiny compared to the coefficients it is
/// computed from (e.g. order 6 at -2: 0.11 from coefficients of size ~0.1-0.5 times 720). The
/// bound still catches any wrong coefficient in a recurrence (errors of order |c_k| ~ 0.01-1).
#[test]
fn tanh_f32_against_exact() {
    let (x, exact) = tanh_table("np_tanh");
    let eps = f32::EPSILON as f64;
    let mut fact = [1.0f64; 7];
    for k in 1..7 {
        fact[k] = fact[k - 1] * k as f64;
    }
    let mut worst = 0.0f64;
    for (i, &xi) in x.iter().enumerate() {
        let got = t32::derivatives::<7>(bb(xi as f32));
        assert_eq!(got[0], t32(xi as f32), "value vs primal at {xi}");
        for k in 0..7 {
            let err = (got[k] as f64 - exact[k][i]).abs() / fact[k];
            worst = worst.max(err / eps);
            assert!(
                err <= 64.0 * eps,
                "f32 tanh order {k} at {xi}: got {:?}, exact {:?}, coefficient error {:.1} eps_f32",
                got[k],
                exact[k][i],
                err / eps
            );
        }
    }
    eprintln!("f32 tanh: worst coefficient error {worst:.2} eps_f32");
}

// =============================================================================================
// 5. Consistency with grad (order 1) and hvp (order 2).

/// Orders 1 and 2 from the jets against `grad` and `hvp(x, 1)` (reverse mode, and forward over
/// reverse on duals): `CLOSED` of the larger magnitude of the pair (at least 1e-300 so exact
/// zeros must agree within that), and order 0 / the values bit-identical to the primal.
#[test]
fn consistency_with_grad_and_hvp() {
    // Every mismatch is collected, so one run lists all of them.
    let fails = std::cell::RefCell::new(Vec::<String>::new());
    let check =
        |name: &str, x: f64, d: [f64; 3], grad: (f64, f64), hvp: (f64, f64, f64), primal: f64| {
            let ctx = format!("{name} at {x}");
            let close = |what: &str, got: f64, want: f64| {
                let tol = CLOSED * got.abs().max(want.abs()).max(1e-300);
                let ok = (got - want).abs() <= tol;
                if !ok {
                    fails
                        .borrow_mut()
                        .push(format!("{ctx}: {what}: {got:?} vs {want:?}"));
                }
            };
            let same = |what: &str, got: f64, want: f64| {
                if got.to_bits() != want.to_bits() {
                    fails
                        .borrow_mut()
                        .push(format!("{ctx}: {what}: {got:?} vs primal {want:?}"));
                }
            };
            same("derivatives value", d[0], primal);
            same("grad value", grad.0, primal);
            same("hvp value", hvp.0, primal);
            close("order 1 vs grad", d[1], grad.1);
            close("order 1 vs hvp gradient", d[1], hvp.1);
            close("order 2 vs hvp(x, 1)", d[2], hvp.2);
        };
    for x in [-2.0, -0.5, 0.3, 1.0, 2.5] {
        check(
            "tanh",
            x,
            t::derivatives::<3>(x),
            t::grad(x),
            t::hvp(x, 1.0),
            t(x),
        );
        check(
            "notebook_tanh",
            x,
            notebook_tanh::derivatives::<3>(x),
            notebook_tanh::grad(x),
            notebook_tanh::hvp(x, 1.0),
            notebook_tanh(x),
        );
        check(
            "poly",
            x,
            poly::derivatives::<3>(x),
            poly::grad(x),
            poly::hvp(x, 1.0),
            poly(x),
        );
        check(
            "with_k",
            x,
            with_k::derivatives::<3>(x, 0.7),
            with_k::grad(x, 0.7),
            with_k::hvp(x, 0.7, 1.0),
            with_k(x, 0.7),
        );
    }
    for x in [0.5, 1.0, 2.0, 5.0, 10.0] {
        check(
            "x^cos x",
            x,
            x_pow_cos_x::derivatives::<3>(x),
            x_pow_cos_x::grad(x),
            x_pow_cos_x::hvp(x, 1.0),
            x_pow_cos_x(x),
        );
    }
    // hvp is linear in v: hvp(x, v).2 = v f''(x).
    let d = t::derivatives::<3>(0.3);
    let (_, _, hv) = t::hvp(0.3, -2.5);
    assert_close(hv, -2.5 * d[2], CLOSED, 0.0, "tanh hvp(0.3, -2.5)");
    // f32: order 1 and 2 against grad/hvp in f32. The jets compute tanh' as 1 / cosh^2; the
    // first-order rule (`rules::tanh`) as 1 - tanh^2, whose cancellation amplifies the rounding
    // of tanh by t^2 / (1 - t^2) = sinh^2 x (37 at x = 2.5; measured 9 eps_f32 there), so the
    // tolerance is 4 eps_f32 (1 + 2 sinh^2 x).
    for x in [-2.0f32, -0.5, 0.3, 1.0, 2.5] {
        let d = t32::derivatives::<3>(x);
        let (v, g) = t32::grad(x);
        let (v2, g2, h2) = t32::hvp(x, 1.0);
        assert_eq!((d[0], v, v2), (t32(x), t32(x), t32(x)), "f32 values at {x}");
        let tol = 4.0 * f32::EPSILON * (1.0 + 2.0 * x.sinh().powi(2));
        assert!(
            (d[1] - g).abs() <= tol * g.abs(),
            "f32 order 1 vs grad at {x}: {} vs {g}",
            d[1]
        );
        assert!(
            (d[1] - g2).abs() <= tol * g2.abs(),
            "f32 order 1 vs hvp at {x}: {} vs {g2}",
            d[1]
        );
        assert!(
            (d[2] - h2).abs() <= tol * h2.abs(),
            "f32 order 2 vs hvp at {x}: {} vs {h2}",
            d[2]
        );
    }
    let fails = fails.into_inner();
    assert!(
        fails.is_empty(),
        "{} mismatches:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

// =============================================================================================
// Minimal cases.

#[differentiable]
fn cube_powf(x: f64) -> f64 {
    x.powf(3.0)
}

/// `x.powf(3.0)` at a negative base: value -8, f' = 12, f'' = -12. The jets (constant integer
/// exponent -> `powi`) get these right; checks every entry point.
#[test]
fn powf_constant_integer_exponent_negative_base() {
    let x = -2.0;
    assert_eq!(
        cube_powf::derivatives::<3>(x),
        [-8.0, 12.0, -12.0],
        "derivatives"
    );
    assert_eq!(cube_powf::grad(x), (-8.0, 12.0), "grad");
    let (v, g, hv) = cube_powf::hvp(x, 1.0);
    assert_eq!((v, g), (-8.0, 12.0), "hvp value and gradient");
    assert_eq!(hv, -12.0, "hvp H v");
}

#[differentiable]
fn tanh_only(x: f64) -> f64 {
    x.tanh()
}

/// Accuracy of tanh' far from 0 in the first-order rule. `derivatives` (jets) uses 1 / cosh^2
/// and is accurate; `grad` and `hvp` use `rules::tanh`'s 1 - tanh^2, which cancels: at x = 10
/// the exact tanh' is 8.24e-9 and 1 - t^2 has relative error ~1e-8; at x = 20 it is 0 instead
/// of 1.70e-17. Reference 1 / cosh^2 x is within a few ulps.
#[test]
fn tanh_first_derivative_far_from_zero() {
    for x in [10.0f64, -10.0, 20.0] {
        let want = 1.0 / (x.cosh() * x.cosh());
        assert_rel(
            tanh_only::derivatives::<2>(x)[1],
            want,
            EXACT_REL,
            &format!("jet tanh' at {x}"),
        );
        assert_rel(
            tanh_only::grad(x).1,
            want,
            EXACT_REL,
            &format!("grad tanh' at {x}"),
        );
        assert_rel(
            tanh_only::hvp(x, 1.0).1,
            want,
            EXACT_REL,
            &format!("hvp gradient tanh' at {x}"),
        );
    }
}
