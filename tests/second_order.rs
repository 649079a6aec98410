//! Second-order derivatives: the generated `f::hvp` (forward-over-reverse on dual numbers),
//! `f::hessian`, and `f::objective(..)` (the `Objective` trait), checked
//!
//! 1. against hand-derived Hessians times v (Rosenbrock n = 2 and 100 as `&[f64; N]` and
//!    `&[f64]`, Himmelblau, Beale, notebook 000's f and g, notebook 002's h) and against the
//!    oracle's exact (sympy/mpmath) Hessians in `tests/data/derivatives.json`;
//! 2. on notebook 004's 240-unknown least-squares problem `lsq15` (`tests/data/newton_cg.json`):
//!    against the closed-form Hessian-vector product `2 X1^T X1 V`, the stored loss at theta0,
//!    the stored minimum and the stored extreme Hessian eigenvalue;
//! 3. against central differences of the gradient for programs with loops and branches
//!    (oscillator, Horner, MAE, `while`, early returns);
//! 4. by symmetry of the Hessian, `v . (H w) == w . (H v)`;
//! 5. `hessian()` against closed forms;
//! 6. the `Objective` implementations (generated and closure-built) and `hessian_into`.
//!
//! Tolerances, in one place:
//! - Closed forms (`CLOSED` = 1e-12): the generated code and the closed form sum the same
//!   partial products in a different order / association; each result is within a few ulps of
//!   the sum of the magnitudes of its terms (the `scale` computed next to every closed form).
//!   1e-12 of that scale is a margin of ~1e3 over a dozen roundings, and any wrong factor, sign
//!   or missing term (an error of order 1 of a term) is caught.
//! - Central differences of the gradient (`FD_H` = 1e-6, step h = 1e-5 max(1, |x|_inf)): the
//!   quotient `(g(x + h v) - g(x - h v)) / 2h` has truncation error `h^2/6 |g'''| ~ 2e-11 s^2 |g'''|`
//!   and rounding error `~eps |g| / h = 2e-11 |g| / s`; for these smooth programs both are
//!   <= ~1e-9 of `max(|H v|_inf, |g|_inf / s)`, so 1e-6 of that scale has a >= 1e3 margin and a
//!   wrong second derivative (an error of order 1) is still caught.
//! - Symmetry (`SYM` = 1e-12): both sides are sums of the same products of second partials with
//!   v and w, rounded differently; relative to the sum of the magnitudes of the products.
#![allow(
    clippy::needless_range_loop,
    clippy::assign_op_pattern,
    clippy::type_complexity,
    clippy::too_many_arguments
)]
mod common;
use autodiff::{differentiable, from_fns, hessian_into, FastMath, Objective, ObjectiveError};
use common::*;

const CLOSED: f64 = 1e-12;
const FD_H: f64 = 1e-6;
const SYM: f64 = 1e-12;

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

fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `H v` and, per component, `sum_j scale_ij |v_j|` for a dense closed-form Hessian.
fn mat_vec(h: &[Vec<f64>], s: &[Vec<f64>], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = v.len();
    let mut hv = vec![0.0; n];
    let mut sv = vec![0.0; n];
    for i in 0..n {
        for j in 0..n {
            hv[i] += h[i][j] * v[j];
            sv[i] += s[i][j] * v[j].abs();
        }
    }
    (hv, sv)
}

// =============================================================================================
// The notebook test functions (same definitions as tests/notebook_functions.rs).

/// Notebook 000's f.
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

/// Notebook 000's g.
#[differentiable]
fn g(x: f64, y: f64) -> f64 {
    ((x + 1.0).powi(2) + (y + 1.0).powi(2)) * ((x - 3.0).powi(2) + (y - 3.0).powi(2) + 1.0)
}

#[differentiable]
fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

#[differentiable]
fn beale(x: f64, y: f64) -> f64 {
    (1.5 - x + x * y).powi(2)
        + (2.25 - x + x * y.powi(2)).powi(2)
        + (2.625 - x + x * y.powi(3)).powi(2)
}

/// Notebook 002's h(x) = x^2/20 + tanh(sin x).
#[differentiable]
fn h(x: f64) -> f64 {
    x * x / 20.0 + x.sin().tanh()
}

type M2 = [[f64; 2]; 2];

/// Hand-derived Hessians and, per entry, the sum of the magnitudes of the terms the entry is
/// made of (the scale of its rounding error).
fn f_hess(_x: f64, _y: f64) -> (M2, M2) {
    let h = [[2.0, 0.5], [0.5, 8.0]];
    (h, h)
}

fn g_hess(x: f64, y: f64) -> (M2, M2) {
    // g = p q, p = (x+1)^2 + (y+1)^2, q = (x-3)^2 + (y-3)^2 + 1.
    let p = (x + 1.0).powi(2) + (y + 1.0).powi(2);
    let q = (x - 3.0).powi(2) + (y - 3.0).powi(2) + 1.0;
    let xx = [2.0 * q, 8.0 * (x + 1.0) * (x - 3.0), 2.0 * p];
    let xy = [4.0 * (x + 1.0) * (y - 3.0), 4.0 * (y + 1.0) * (x - 3.0)];
    let yy = [2.0 * q, 8.0 * (y + 1.0) * (y - 3.0), 2.0 * p];
    let sum = |t: &[f64]| t.iter().sum::<f64>();
    let mag = |t: &[f64]| t.iter().map(|a| a.abs()).sum::<f64>();
    (
        [[sum(&xx), sum(&xy)], [sum(&xy), sum(&yy)]],
        [[mag(&xx), mag(&xy)], [mag(&xy), mag(&yy)]],
    )
}

fn himmelblau_hess(x: f64, y: f64) -> (M2, M2) {
    // f_xx = 4a + 8x^2 + 2 = 12x^2 + 4y - 42, f_xy = 4x + 4y, f_yy = 12y^2 + 4x - 26.
    (
        [
            [12.0 * x * x + 4.0 * y - 42.0, 4.0 * x + 4.0 * y],
            [4.0 * x + 4.0 * y, 12.0 * y * y + 4.0 * x - 26.0],
        ],
        [
            [
                12.0 * x * x + 4.0 * y.abs() + 42.0,
                4.0 * (x.abs() + y.abs()),
            ],
            [
                4.0 * (x.abs() + y.abs()),
                12.0 * y * y + 4.0 * x.abs() + 26.0,
            ],
        ],
    )
}

fn beale_hess(x: f64, y: f64) -> (M2, M2) {
    // t_k = c_k - x + x y^k; u_k = dt_k/dx = y^k - 1; w_k = dt_k/dy = k x y^(k-1).
    // f_xx = 2 sum u_k^2; f_xy = 2 sum (w_k u_k + t_k k y^(k-1));
    // f_yy = 2 sum (w_k^2 + t_k k (k-1) x y^(k-2)).
    let c = [1.5, 2.25, 2.625];
    let (mut h, mut s) = ([[0.0; 2]; 2], [[0.0; 2]; 2]);
    for k in 1..=3 {
        let kf = k as f64;
        let yk = y.powi(k);
        let t = c[k as usize - 1] - x + x * yk;
        let ts = c[k as usize - 1] + x.abs() + (x * yk).abs();
        let u = yk - 1.0;
        let us = yk.abs() + 1.0;
        let w = kf * x * y.powi(k - 1);
        let du_dy = kf * y.powi(k - 1);
        let dw_dy = if k >= 2 {
            kf * (kf - 1.0) * x * y.powi(k - 2)
        } else {
            0.0
        };
        h[0][0] += 2.0 * u * u;
        s[0][0] += 2.0 * us * us;
        h[0][1] += 2.0 * (w * u + t * du_dy);
        s[0][1] += 2.0 * (w.abs() * us + ts * du_dy.abs());
        h[1][1] += 2.0 * (w * w + t * dw_dy);
        s[1][1] += 2.0 * (w * w + ts * dw_dy.abs());
    }
    h[1][0] = h[0][1];
    s[1][0] = s[0][1];
    (h, s)
}

type Hvp2 = fn(f64, f64, f64, f64) -> (f64, (f64, f64), (f64, f64));
type Grad2 = fn(f64, f64) -> (f64, (f64, f64));
type Hess2 = fn(f64, f64) -> (f64, (f64, f64), M2);

fn table2() -> [(
    &'static str,
    fn(f64, f64) -> f64,
    Hvp2,
    Grad2,
    Hess2,
    fn(f64, f64) -> (M2, M2),
); 4] {
    [
        ("f", f, f::hvp, f::grad, f::hessian, f_hess),
        ("g", g, g::hvp, g::grad, g::hessian, g_hess),
        (
            "himmelblau",
            himmelblau,
            himmelblau::hvp,
            himmelblau::grad,
            himmelblau::hessian,
            himmelblau_hess,
        ),
        (
            "beale",
            beale,
            beale::hvp,
            beale::grad,
            beale::hessian,
            beale_hess,
        ),
    ]
}

fn points2(name: &str) -> Vec<(f64, f64)> {
    let mut rng = Rng::named(name);
    let mut p = vec![
        (3.0, 3.0),
        (0.0, 0.0),
        (-1.0, 2.0),
        (3.5, 4.0),
        (-2.805118, 3.131312),
    ];
    for _ in 0..6 {
        p.push((rng.range(-4.0, 4.0), rng.range(-4.0, 4.0)));
    }
    p
}

#[test]
fn hvp_of_notebook_functions_matches_hand_derived_hessians() {
    let mut k = Checker::new();
    for (name, func, hvp, grad, _, hess) in table2() {
        let mut rng = Rng::named(&format!("{name} dirs"));
        for (x, y) in points2(name) {
            let ctx = format!("{name} at ({x}, {y})");
            let (hm, sm) = hess(x, y);
            let hm: Vec<Vec<f64>> = hm.iter().map(|r| r.to_vec()).collect();
            let sm: Vec<Vec<f64>> = sm.iter().map(|r| r.to_vec()).collect();
            let (gv, gg) = grad(bb(x), bb(y));
            let mut dirs = vec![[1.0, 0.0], [0.0, 1.0]];
            for _ in 0..3 {
                dirs.push([rng.tangent(), rng.tangent()]);
            }
            for v in dirs {
                let (val, gr, hv) = hvp(bb(x), bb(y), bb(v[0]), bb(v[1]));
                // The primal and the adjoint's real parts run the same operations as f and
                // grad, in the same order.
                k.exact(&ctx, "hvp value vs f", val, func(x, y));
                k.exact(&ctx, "hvp value vs grad value", val, gv);
                k.exact(&ctx, "hvp gradient d/dx vs grad", gr.0, gg.0);
                k.exact(&ctx, "hvp gradient d/dy vs grad", gr.1, gg.1);
                let (want, scale) = mat_vec(&hm, &sm, &v);
                k.close(
                    &ctx,
                    &format!("(Hv)_x along {v:?}"),
                    hv.0,
                    want[0],
                    CLOSED * scale[0],
                );
                k.close(
                    &ctx,
                    &format!("(Hv)_y along {v:?}"),
                    hv.1,
                    want[1],
                    CLOSED * scale[1],
                );
            }
        }
    }
    k.finish();
}

/// Against `test_functions.<name>.results[].hessian_exact` (sympy + mpmath, correctly rounded):
/// both through `hessian()` and through `hvp` along the axes. Tolerance: `CLOSED` of the
/// hand-derived term scale of each entry (the exact value is correctly rounded, ours is within a
/// few ulps of the term magnitudes).
#[test]
fn hessians_match_oracle_exact_values() {
    let data = load("derivatives.json");
    let tf = &data["test_functions"];
    let mut k = Checker::new();
    let mut compared = 0;
    for (name, _, hvp, _, hessian, hess) in table2() {
        let results = tf[name]["results"]
            .as_array()
            .unwrap_or_else(|| panic!("no results for {name}"));
        assert_eq!(results.len(), 5, "{name}: expected 5 stored points");
        for r in results {
            let p = nums(&r["point"]);
            let (x, y) = (p[0], p[1]);
            let ctx = format!("{name} at ({x}, {y})");
            let want = matrix(&r["hessian_exact"]);
            let (closed, scale) = hess(x, y);
            let (v, gr, hm) = hessian(bb(x), bb(y));
            let gw = nums(&r["grad_exact"]);
            let vw = num(&r["value_exact"]);
            k.close(&ctx, "hessian() value", v, vw, 1e-13 * vw.abs().max(1.0));
            k.close(
                &ctx,
                "hessian() grad x",
                gr.0,
                gw[0],
                1e-12 * gw[0].abs() + 1e-13 * vw.abs().max(1.0),
            );
            k.close(
                &ctx,
                "hessian() grad y",
                gr.1,
                gw[1],
                1e-12 * gw[1].abs() + 1e-13 * vw.abs().max(1.0),
            );
            let (_, _, c0) = hvp(bb(x), bb(y), bb(1.0), bb(0.0));
            let (_, _, c1) = hvp(bb(x), bb(y), bb(0.0), bb(1.0));
            let cols = [[c0.0, c1.0], [c0.1, c1.1]];
            for i in 0..2 {
                for j in 0..2 {
                    let tol = CLOSED * scale[i][j];
                    let e = format!("H[{i}][{j}]");
                    k.close(
                        &ctx,
                        &format!("hessian() {e} vs exact"),
                        hm[i][j],
                        want[i][j],
                        tol,
                    );
                    k.close(
                        &ctx,
                        &format!("hvp(e_{j})[{i}] vs exact"),
                        cols[i][j],
                        want[i][j],
                        tol,
                    );
                    // The hand-derived formula agrees with the oracle too (checks the formula).
                    k.close(
                        &ctx,
                        &format!("closed form {e} vs exact"),
                        closed[i][j],
                        want[i][j],
                        tol,
                    );
                }
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 20);

    // h(x) = x^2/20 + tanh(sin x): h'' = 1/10 - (1 - t^2)(2 t cos^2 x + sin x), t = tanh(sin x).
    for r in tf["h"]["results"].as_array().expect("h results") {
        let x = nums(&r["point"])[0];
        let want = matrix(&r["hessian_exact"])[0][0];
        let ctx = format!("h at {x}");
        let t = x.sin().tanh();
        let d = 1.0 - t * t;
        let closed = 0.1 - d * (2.0 * t * x.cos().powi(2) + x.sin());
        let scale = 0.1 + d * (2.0 * (t * x.cos().powi(2)).abs() + x.sin().abs());
        let (_, gr, hm) = h::hessian(bb(x));
        let (_, g2, hv) = h::hvp(bb(x), bb(-1.5));
        k.close(&ctx, "closed form vs exact", closed, want, CLOSED * scale);
        k.close(&ctx, "hessian() vs exact", hm[0][0], want, CLOSED * scale);
        k.close(
            &ctx,
            "hvp(-1.5) vs exact",
            hv,
            -1.5 * want,
            1.5 * CLOSED * scale,
        );
        k.exact(&ctx, "hvp gradient vs hessian gradient", g2, gr);
        k.exact(&ctx, "hessian gradient vs grad", gr, h::grad(x).1);
    }
    k.finish();
}

// =============================================================================================
// Rosenbrock, as a const-generic array and as a slice.

#[differentiable]
fn rosen_arr<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// scipy's `rosen_hess` written out: the dense Hessian and the per-entry term scale.
fn rosen_hess_closed(x: &[f64]) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    let mut s = vec![vec![0.0; n]; n];
    for i in 0..n - 1 {
        h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        s[i][i] += 1200.0 * x[i] * x[i] + 400.0 * x[i + 1].abs() + 2.0;
        h[i][i + 1] = -400.0 * x[i];
        h[i + 1][i] = -400.0 * x[i];
        s[i][i + 1] = 400.0 * x[i].abs();
        s[i + 1][i] = 400.0 * x[i].abs();
        h[i + 1][i + 1] += 200.0;
        s[i + 1][i + 1] += 200.0;
    }
    (h, s)
}

/// scipy's `rosen_hess_prod`: H v in O(n), with the per-component scale.
fn rosen_hvp_closed(x: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut hv = vec![0.0; n];
    let mut s = vec![0.0; n];
    for i in 0..n - 1 {
        let d = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        let ds = 1200.0 * x[i] * x[i] + 400.0 * x[i + 1].abs() + 2.0;
        hv[i] += d * v[i] - 400.0 * x[i] * v[i + 1];
        s[i] += ds * v[i].abs() + (400.0 * x[i] * v[i + 1]).abs();
        hv[i + 1] += -400.0 * x[i] * v[i] + 200.0 * v[i + 1];
        s[i + 1] += (400.0 * x[i] * v[i]).abs() + (200.0 * v[i + 1]).abs();
    }
    (hv, s)
}

fn rosen_grad_closed(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut s = vec![0.0; n];
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        g[i] += -400.0 * x[i] * a - 2.0 * b;
        s[i] += (400.0 * x[i] * a).abs() + (2.0 * b).abs();
        g[i + 1] += 200.0 * a;
        s[i + 1] += (200.0 * a).abs();
    }
    (g, s)
}

fn rosen_points(n: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    let classic: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let mut p = vec![classic, vec![1.0; n]];
    for _ in 0..3 {
        p.push((0..n).map(|_| rng.range(-1.5, 1.5)).collect());
    }
    p
}

fn check_rosen_hvp(
    what: &str,
    n: usize,
    hvp: &dyn Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    let mut rng = Rng::named(what);
    let mut k = Checker::new();
    for x in rosen_points(n, &mut rng) {
        let ctx = format!("{what} at x[0..2] = {:?}", &x[..2]);
        let (gw, gs) = rosen_grad_closed(&x);
        let mut dirs: Vec<Vec<f64>> = [0, n - 1]
            .iter()
            .map(|&i| {
                let mut e = vec![0.0; n];
                e[i] = 1.0;
                e
            })
            .collect();
        for _ in 0..3 {
            dirs.push(rng.tangents(n));
        }
        for (d, v) in dirs.iter().enumerate() {
            let (val, gr, hv) = hvp(&x, v);
            k.exact(&ctx, "hvp value vs rosen", val, rosen(&x));
            if gr.len() != n || hv.len() != n {
                k.fail(format!(
                    "{ctx}: lengths {} and {}, want {n}",
                    gr.len(),
                    hv.len()
                ));
                continue;
            }
            let (want, scale) = rosen_hvp_closed(&x, v);
            for i in 0..n {
                k.close(
                    &ctx,
                    &format!("grad[{i}] (direction {d})"),
                    gr[i],
                    gw[i],
                    CLOSED * gs[i],
                );
                k.close(
                    &ctx,
                    &format!("(Hv)[{i}] (direction {d})"),
                    hv[i],
                    want[i],
                    CLOSED * scale[i],
                );
            }
        }
    }
    k.finish();
}

fn rosen_arr_hvp<const N: usize>(x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let xa: [f64; N] = x.try_into().expect("length");
    let va: [f64; N] = v.try_into().expect("length");
    let (val, g, hv) = rosen_arr::hvp(bb(&xa), bb(&va));
    (val, g.to_vec(), hv.to_vec())
}

#[test]
fn rosenbrock_hvp_matches_rosen_hess_prod() {
    check_rosen_hvp("rosen_arr N=2", 2, &rosen_arr_hvp::<2>);
    check_rosen_hvp("rosen_arr N=100", 100, &rosen_arr_hvp::<100>);
    for n in [2, 100] {
        check_rosen_hvp(&format!("rosen slice n={n}"), n, &|x, v| {
            rosen::hvp(bb(x), bb(v))
        });
    }
    // Same operations in the same order: array and slice forms agree bitwise.
    let mut rng = Rng::named("rosen agree");
    let x: [f64; 100] = std::array::from_fn(|_| rng.range(-1.5, 1.5));
    let v: [f64; 100] = std::array::from_fn(|_| rng.tangent());
    let (va, ga, ha) = rosen_arr::hvp(&x, &v);
    let (vs, gs, hs) = rosen::hvp(&x, &v);
    assert_eq!(va, vs);
    assert_eq!(ga.to_vec(), gs);
    assert_eq!(ha.to_vec(), hs);
    // At the minimum the gradient is exactly 0 and H is the constant-coefficient tridiagonal
    // 1200 - 400 + 2 (+ 200), -400; with integer directions every product is exact.
    let ones = [1.0; 6];
    let e: [f64; 6] = [1.0, -2.0, 3.0, 0.0, 1.0, -1.0];
    let (v1, g1, h1) = rosen_arr::hvp(&ones, &e);
    let (want, _) = rosen_hvp_closed(&ones, &e);
    assert_eq!(v1, 0.0);
    assert_eq!(g1, [0.0; 6]);
    assert_eq!(h1.to_vec(), want, "Hv at the minimum (exact integers)");
}

#[test]
fn rosenbrock_matches_oracle_and_scipy_hessians() {
    let data = load("derivatives.json");
    let tf = &data["test_functions"];
    let mut k = Checker::new();
    for name in ["rosenbrock_n2", "rosenbrock_n5"] {
        for r in tf[name]["results"].as_array().expect("results") {
            let p = nums(&r["point"]);
            let n = p.len();
            let ctx = format!("{name} at {p:?}");
            let exact = matrix(&r["hessian_exact"]);
            let scipy = matrix(&r["hessian_scipy_rosen_hess"]);
            let (closed, scale) = rosen_hess_closed(&p);
            let got: Vec<Vec<f64>> = if n == 2 {
                let (_, _, hm) = rosen_arr::hessian(&[p[0], p[1]]);
                hm.iter().map(|r| r.to_vec()).collect()
            } else {
                let xa: [f64; 5] = p.clone().try_into().unwrap();
                let (_, _, hm) = rosen_arr::hessian(&xa);
                hm.iter().map(|r| r.to_vec()).collect()
            };
            for i in 0..n {
                for j in 0..n {
                    let tol = CLOSED * scale[i][j];
                    let e = format!("H[{i}][{j}]");
                    k.close(&ctx, &format!("{e} vs exact"), got[i][j], exact[i][j], tol);
                    k.close(
                        &ctx,
                        &format!("{e} vs scipy rosen_hess"),
                        got[i][j],
                        scipy[i][j],
                        tol,
                    );
                    k.close(
                        &ctx,
                        &format!("closed form {e} vs exact"),
                        closed[i][j],
                        exact[i][j],
                        tol,
                    );
                }
            }
        }
    }
    k.finish();
}

// =============================================================================================
// Notebook 004's least squares: 20 samples of 15 features, theta = [A row-major (15x15), b (15)],
// loss = sum_ij ((x A + b)_ij - y_ij)^2.

const D: usize = 15;

#[differentiable(wrt(theta))]
fn lsq15(theta: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let m = x.len() / D;
    let mut s = 0.0;
    for i in 0..m {
        for j in 0..D {
            let mut p = theta[D * D + j];
            for k in 0..D {
                p += x[i * D + k] * theta[k * D + j];
            }
            let r = p - y[i * D + j];
            s += r * r;
        }
    }
    s
}

struct Lsq {
    /// 20 x 15 row-major.
    x: Vec<f64>,
    y: Vec<f64>,
    theta0: Vec<f64>,
    theta_min: Vec<f64>,
    fun_min: f64,
    f_theta0: f64,
    eig_max: f64,
    eig_min: f64,
}

fn lsq_problem() -> Lsq {
    let j = load("newton_cg.json");
    let p = j["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .find(|p| p["id"] == "lsq15")
        .expect("lsq15 problem");
    assert_eq!(p["n"].as_u64(), Some(240));
    let flat = |m: Vec<Vec<f64>>| -> Vec<f64> {
        assert_eq!(m.len(), 20);
        assert!(m.iter().all(|r| r.len() == D));
        m.concat()
    };
    let data = &p["data"];
    let cf = &p["closed_form_minimum"];
    let eig = nums(&p["hessian_at_theta0"]["eigenvalues_min_max"]);
    let l = Lsq {
        x: flat(matrix(&data["x"])),
        y: flat(matrix(&data["y"])),
        theta0: nums(&data["theta0"]),
        theta_min: nums(&cf["theta"]),
        fun_min: num(&cf["fun"]),
        f_theta0: num(&p["f_theta0"]),
        eig_min: eig[0],
        eig_max: eig[1],
    };
    assert_eq!(l.theta0.len(), 240);
    assert_eq!(l.theta_min.len(), 240);
    // theta = [A row-major, b]: the stored A_hat and b_hat are the two parts of theta.
    let a_hat = matrix(&cf["A_hat"]).concat();
    let b_hat = nums(&cf["b_hat"]);
    assert_eq!(&l.theta_min[..D * D], &a_hat[..]);
    assert_eq!(&l.theta_min[D * D..], &b_hat[..]);
    l
}

/// Residuals R = X A + B - Y (20 x 15) and, per entry, the sum of the magnitudes of its terms.
fn lsq_residuals(l: &Lsq, theta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let m = l.x.len() / D;
    let mut r = vec![0.0; m * D];
    let mut s = vec![0.0; m * D];
    for i in 0..m {
        for j in 0..D {
            let mut p = theta[D * D + j];
            let mut ps = theta[D * D + j].abs();
            for k in 0..D {
                p += l.x[i * D + k] * theta[k * D + j];
                ps += (l.x[i * D + k] * theta[k * D + j]).abs();
            }
            r[i * D + j] = p - l.y[i * D + j];
            s[i * D + j] = ps + l.y[i * D + j].abs();
        }
    }
    (r, s)
}

/// `X1^T M` for a 20 x 15 matrix M (X1 = [X, 1]), times 2, laid out like theta; with the
/// per-entry scale `2 X1^T |M|` computed from `mabs`.
fn lsq_x1t(l: &Lsq, mm: &[f64], mabs: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let m = l.x.len() / D;
    let mut out = vec![0.0; D * D + D];
    let mut sc = vec![0.0; D * D + D];
    for i in 0..m {
        for j in 0..D {
            for k in 0..D {
                out[k * D + j] += 2.0 * l.x[i * D + k] * mm[i * D + j];
                sc[k * D + j] += 2.0 * l.x[i * D + k].abs() * mabs[i * D + j];
            }
            out[D * D + j] += 2.0 * mm[i * D + j];
            sc[D * D + j] += 2.0 * mabs[i * D + j];
        }
    }
    (out, sc)
}

/// The closed-form Hessian-vector product: H = 2 X1^T X1 acting on each of the 15 columns of
/// V = [V_A; v_b] (16 x 15), i.e. `Hv = 2 X1^T (X V_A + 1 v_b^T)`; with its term scale.
fn lsq_hvp_closed(l: &Lsq, v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let m = l.x.len() / D;
    let mut dr = vec![0.0; m * D];
    let mut ds = vec![0.0; m * D];
    for i in 0..m {
        for j in 0..D {
            dr[i * D + j] = v[D * D + j];
            ds[i * D + j] = v[D * D + j].abs();
            for k in 0..D {
                dr[i * D + j] += l.x[i * D + k] * v[k * D + j];
                ds[i * D + j] += (l.x[i * D + k] * v[k * D + j]).abs();
            }
        }
    }
    lsq_x1t(l, &dr, &ds)
}

#[test]
fn lsq15_hvp_value_and_minimum() {
    let l = lsq_problem();
    let mut k = Checker::new();
    let n = 240;

    // The JSON's stored minimum is the one the brief names; the Newton-CG runs reached it.
    assert_eq!(l.fun_min, 12.12743248434258);

    // The loss at theta0: residuals there are O(10) with terms of O(10): no cancellation to
    // speak of; ~17 roundings per residual and a 300-term positive sum in another order than
    // numpy's: <= ~1e-14 relative, 1e-12 leaves a wide margin.
    let v0 = lsq15(&l.theta0, &l.x, &l.y);
    assert_close(
        v0,
        l.f_theta0,
        1e-12,
        0.0,
        "lsq15 loss at theta0 vs f_theta0",
    );

    // Value and gradient at the stored closed-form minimum.
    let (vm, gm) = lsq15::grad(bb(&l.theta_min), bb(&l.x), bb(&l.y));
    let (r, rs) = lsq_residuals(&l, &l.theta_min);
    // Each residual (~0.2) is a cancellation of terms of up to ~|b| + |y| ~ 40: its rounding
    // error is ~17 eps * 40 ~ 1.5e-13 absolute, ~1e-12 relative; the sum of squares inherits at
    // most twice that. The stored minimiser is itself rounded to double, which moves the value
    // only to second order. 1e-10 relative keeps a ~100x margin.
    assert_close(
        vm,
        l.fun_min,
        1e-10,
        0.0,
        "lsq15 value at closed_form_minimum",
    );
    // The gradient 2 X1^T R is 0 at the exact minimiser. What remains: the rounding of each
    // residual (~17 eps of its term scale `rs`) and the rounding of theta_min to double /
    // lstsq's backward error (a few eps of |theta|, amplified by H, whose entries are the same
    // products 2 x_ik x_ik'): both are bounded by ~20 eps of `2 X1^T rs`. 1e-12 of that scale
    // (~4500 eps) is a wide margin, and is still ~1e-9 of the gradient's size at theta0.
    let zero = vec![0.0; 20 * D];
    let (_, gscale) = lsq_x1t(&l, &zero, &rs);
    let (gclosed, _) = lsq_x1t(&l, &r, &rs);
    for i in 0..n {
        k.close(
            "lsq15 at minimum",
            &format!("grad[{i}] ~ 0"),
            gm[i],
            0.0,
            1e-12 * gscale[i],
        );
        k.close(
            "lsq15 at minimum",
            &format!("grad[{i}] vs 2 X1^T R"),
            gm[i],
            gclosed[i],
            CLOSED * gscale[i],
        );
    }
    // For scale: at theta0 the gradient is large, and matches the closed form.
    let (_, g0) = lsq15::grad(bb(&l.theta0), bb(&l.x), bb(&l.y));
    let (r0, rs0) = lsq_residuals(&l, &l.theta0);
    let (g0c, g0s) = lsq_x1t(&l, &r0, &rs0);
    assert!(
        max_abs(&g0) > 1e3,
        "gradient at theta0 is O(1e3+): {}",
        max_abs(&g0)
    );
    for i in 0..n {
        k.close(
            "lsq15 at theta0",
            &format!("grad[{i}] vs 2 X1^T R"),
            g0[i],
            g0c[i],
            CLOSED * g0s[i],
        );
    }

    // Hessian-vector products against the closed form, at theta0 and at the minimum (the
    // problem is quadratic: H is constant).
    let mut rng = Rng::named("lsq15 hvp");
    for (where_, theta, gref) in [("theta0", &l.theta0, &g0), ("minimum", &l.theta_min, &gm)] {
        let ctx = format!("lsq15 at {where_}");
        let mut dirs: Vec<Vec<f64>> = vec![];
        for e in [0, 17, 224, 225, 239] {
            let mut u = vec![0.0; n];
            u[e] = 1.0;
            dirs.push(u);
        }
        for _ in 0..3 {
            dirs.push(rng.tangents(n));
        }
        for (d, v) in dirs.iter().enumerate() {
            let (val, gr, hv) = lsq15::hvp(bb(theta), bb(&l.x), bb(&l.y), bb(v));
            k.exact(&ctx, "hvp value vs lsq15", val, lsq15(theta, &l.x, &l.y));
            assert_eq!((gr.len(), hv.len()), (n, n), "{ctx}: hvp lengths");
            let (want, scale) = lsq_hvp_closed(&l, v);
            for i in 0..n {
                k.exact(
                    &ctx,
                    &format!("hvp grad[{i}] vs grad (direction {d})"),
                    gr[i],
                    gref[i],
                );
                k.close(
                    &ctx,
                    &format!("(Hv)[{i}] (direction {d})"),
                    hv[i],
                    want[i],
                    CLOSED * scale[i],
                );
            }
            // Rayleigh quotient within the stored extreme eigenvalues of the (constant) Hessian.
            let q = dot(v, &hv) / dot(v, v);
            if !(q >= l.eig_min * (1.0 - 1e-9) && q <= l.eig_max * (1.0 + 1e-9)) {
                k.fail(format!(
                    "{ctx}: Rayleigh quotient {q} outside [{}, {}] (direction {d})",
                    l.eig_min, l.eig_max
                ));
            }
        }
    }
    k.finish();

    // The largest eigenvalue by power iteration with hvp. H = 2 kron(X1^T X1, I_15) up to a
    // permutation: every eigenvalue has multiplicity 15 and the iteration converges to the top
    // eigenspace at the rate lambda_2 / lambda_1 of the 16 x 16 X1^T X1.
    let mut v: Vec<f64> = Rng::named("power").tangents(n);
    let mut lambda = 0.0;
    for _ in 0..300 {
        let nv = dot(&v, &v).sqrt();
        v.iter_mut().for_each(|a| *a /= nv);
        let (_, _, hv) = lsq15::hvp(&l.theta0, &l.x, &l.y, &v);
        lambda = dot(&v, &hv);
        v = hv;
    }
    // The Rayleigh quotient converges like (lambda_2 / lambda_1)^(2k); its rounding is ~1e-15.
    assert_close(
        lambda,
        l.eig_max,
        1e-10,
        0.0,
        "largest Hessian eigenvalue vs oracle",
    );
}

// =============================================================================================
// Programs with loops and branches: hvp against central differences of the gradient.

/// `(g(x + h v) - g(x - h v)) / 2h`, h = 1e-5 max(1, |x|_inf).
fn fd_hvp(grad: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    let s = x.iter().fold(1.0f64, |m, a| m.max(a.abs()));
    let h = 1e-5 * s;
    let at = |sign: f64| -> Vec<f64> {
        let p: Vec<f64> = x.iter().zip(v).map(|(a, d)| a + sign * h * d).collect();
        grad(bb(&p))
    };
    let (p, m) = (at(1.0), at(-1.0));
    p.iter().zip(&m).map(|(a, b)| (a - b) / (2.0 * h)).collect()
}

/// `hv` against [`fd_hvp`], relative `FD_H` of `max(|hv|_inf, |fd|_inf, |g(x)|_inf / s)` (see the
/// module docs for the error budget).
fn check_fd_hvp(
    k: &mut Checker,
    ctx: &str,
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    v: &[f64],
    hv: &[f64],
) {
    let fd = fd_hvp(grad, x, v);
    if fd.len() != hv.len() {
        k.fail(format!(
            "{ctx}: hvp has {} entries, want {}",
            hv.len(),
            fd.len()
        ));
        return;
    }
    let s = x.iter().fold(1.0f64, |m, a| m.max(a.abs()));
    let scale = max_abs(hv).max(max_abs(&fd)).max(max_abs(&grad(x)) / s);
    for i in 0..fd.len() {
        k.close(
            ctx,
            &format!("(Hv)[{i}] vs FD of the gradient along {v:?}"),
            hv[i],
            fd[i],
            FD_H * scale,
        );
    }
}

// --- Explicit-Euler oscillator x'' = -k x - d x', 200 steps, active stiffness and damping.

const STEPS: usize = 200;

#[differentiable(wrt(k, d))]
fn oscillator(k: f64, d: f64, x0: f64, v0: f64, dt: f64) -> f64 {
    let mut x = x0;
    let mut v = v0;
    for _ in 0..STEPS {
        let a = -k * x - d * v;
        x += dt * v;
        v += dt * a;
    }
    x
}

#[test]
fn oscillator_hvp_vs_finite_differences() {
    let mut k = Checker::new();
    let mut rng = Rng::named("oscillator hvp");
    for (kk, d, x0, v0, dt) in [
        (4.0, 0.3, 1.0, 0.0, 0.01),
        (1.0, 0.05, 0.5, -1.0, 0.02),
        (9.0, 1.5, -1.0, 2.0, 0.005),
    ] {
        let ctx = format!("oscillator k={kk} d={d}");
        let grad = |p: &[f64]| {
            let (_, (a, b)) = oscillator::grad(p[0], p[1], x0, v0, dt);
            vec![a, b]
        };
        let (gv, gg) = oscillator::grad(kk, d, x0, v0, dt);
        let mut dirs = vec![[1.0, 0.0], [0.0, 1.0]];
        dirs.push([rng.tangent(), rng.tangent()]);
        for v in dirs {
            let (val, gr, hv) =
                oscillator::hvp(bb(kk), bb(d), bb(x0), bb(v0), bb(dt), bb(v[0]), bb(v[1]));
            k.exact(&ctx, "hvp value vs grad value", val, gv);
            k.exact(&ctx, "hvp gradient vs grad (k)", gr.0, gg.0);
            k.exact(&ctx, "hvp gradient vs grad (d)", gr.1, gg.1);
            check_fd_hvp(&mut k, &ctx, &grad, &[kk, d], &v, &[hv.0, hv.1]);
        }
        // hessian() with passive arguments: symmetric to rounding (two different sweeps).
        let (_, _, hm) = oscillator::hessian(kk, d, x0, v0, dt);
        let s = hm[0][1]
            .abs()
            .max(hm[1][0].abs())
            .max(hm[0][0].abs())
            .max(hm[1][1].abs());
        k.close(&ctx, "hessian symmetric", hm[0][1], hm[1][0], 1e-12 * s);
    }
    k.finish();
}

// --- Horner's rule with active coefficients (and active x).

#[differentiable]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[test]
fn horner_hvp_vs_closed_form_and_finite_differences() {
    let mut k = Checker::new();
    let mut rng = Rng::named("horner hvp");
    let c: [f64; 7] = [1.5, -2.0, 0.25, 3.0, -0.5, 1.25, -0.75];
    for x in [-1.3f64, -0.4, 0.0, 0.7, 1.1, 2.0] {
        let ctx = format!("horner at x = {x}");
        // p = sum c_i x^i: d2p/dc_i dc_j = 0, d2p/dc_i dx = i x^(i-1),
        // d2p/dx2 = sum i (i-1) c_i x^(i-2).
        let vc = rng.tangents(7);
        let vx = rng.tangent();
        let (val, (gc, gx), (hc, hx)) = horner::hvp(bb(&c), bb(x), bb(&vc), bb(vx));
        let (gv, (gc0, gx0)) = horner::grad(&c, x);
        k.exact(&ctx, "hvp value", val, gv);
        k.exact(&ctx, "hvp d/dx", gx, gx0);
        if gc != gc0 || hc.len() != 7 {
            k.fail(format!(
                "{ctx}: hvp gradient {gc:?} vs grad {gc0:?}, |Hv_c| = {}",
                hc.len()
            ));
            continue;
        }
        let pw = |i: i32| if i < 0 { 0.0 } else { x.powi(i) };
        let mut want_x = 0.0;
        let mut scale_x = 0.0;
        for i in 0..7 {
            let ii = i as i32;
            let cross = i as f64 * pw(ii - 1);
            k.close(
                &ctx,
                &format!("(Hv)_c[{i}]"),
                hc[i],
                cross * vx,
                CLOSED * (cross * vx).abs(),
            );
            want_x += cross * vc[i];
            scale_x += (cross * vc[i]).abs();
            let xx = (i * i.saturating_sub(1)) as f64 * c[i] * pw(ii - 2);
            want_x += xx * vx;
            scale_x += (xx * vx).abs();
        }
        k.close(&ctx, "(Hv)_x", hx, want_x, CLOSED * scale_x);
        let grad = |p: &[f64]| {
            let (_, (g, gx)) = horner::grad(&p[..7], p[7]);
            let mut g = g.to_vec();
            g.push(gx);
            g
        };
        let mut p = c.to_vec();
        p.push(x);
        let mut v = vc.clone();
        v.push(vx);
        let mut hv = hc.to_vec();
        hv.push(hx);
        check_fd_hvp(&mut k, &ctx, &grad, &p, &v, &hv);
    }
    k.finish();
}

// --- Notebook 003's MAE, away from its kinks: piecewise linear, so H = 0 exactly.

#[differentiable(wrt(t1, t2))]
fn mae(t1: f64, t2: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = y[i] - (t1 * x[i] + t2 * x[i] * x[i]);
        s += r.abs();
    }
    s / x.len() as f64
}

#[test]
fn mae_hvp_is_zero_away_from_kinks() {
    let j = load("derivatives.json");
    let m = &j["mae_regression"];
    let x = nums(&m["data_numpy_float64"]["x"]);
    let y = nums(&m["data_numpy_float64"]["y"]);
    let mut pts: Vec<(f64, f64)> = m["evaluations_numpy_data"]
        .as_array()
        .expect("evaluations")
        .iter()
        .map(|e| {
            let t = nums(&e["theta"]);
            (t[0], t[1])
        })
        .collect();
    let mut rng = Rng::named("mae hvp");
    for _ in 0..4 {
        pts.push((rng.range(-4.0, 4.0), rng.range(-4.0, 4.0)));
    }
    let mut k = Checker::new();
    let mut checked = 0;
    for (t1, t2) in pts {
        let ctx = format!("MAE at ({t1}, {t2})");
        // Away from kinks: every residual is far from 0 compared with the FD step's effect
        // (h |v| (|x| + x^2) <= 1e-5 * 4 * 1.5 * 6 < 1e-3).
        let near = (0..x.len()).any(|i| (y[i] - (t1 * x[i] + t2 * x[i] * x[i])).abs() < 1e-3);
        if near {
            continue;
        }
        let (v1, v2) = (rng.tangent(), rng.tangent());
        let (val, gr, hv) = mae::hvp(bb(t1), bb(t2), bb(&x), bb(&y), bb(v1), bb(v2));
        let (gv, gg) = mae::grad(t1, t2, &x, &y);
        k.exact(&ctx, "hvp value", val, gv);
        k.exact(&ctx, "hvp gradient t1", gr.0, gg.0);
        k.exact(&ctx, "hvp gradient t2", gr.1, gg.1);
        // The second derivative of |r| is 0 off the kink, and every other operation is linear
        // in theta: H v is exactly zero.
        k.exact(&ctx, "(Hv)_1", hv.0, 0.0);
        k.exact(&ctx, "(Hv)_2", hv.1, 0.0);
        let grad = |p: &[f64]| {
            let (_, (a, b)) = mae::grad(p[0], p[1], &x, &y);
            vec![a, b]
        };
        check_fd_hvp(&mut k, &ctx, &grad, &[t1, t2], &[v1, v2], &[hv.0, hv.1]);
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} MAE points away from kinks");
    k.finish();
}

// --- A `while` loop with a data-dependent trip count.

#[differentiable]
fn halve(x: f64) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    while y > 0.1 {
        s += y.sin();
        y = y * 0.5;
    }
    s + y * y
}

#[test]
fn while_loop_hvp() {
    let mut k = Checker::new();
    for x in [0.05f64, -3.0, 0.15, 0.3, 1.0, 7.3, 100.0] {
        // y_k = x / 2^k for k < K; d2/dx2 = -sum_k sin(x / 2^k) / 4^k + 2 / 4^K.
        let (mut y, mut p, mut want, mut scale) = (x, 1.0f64, 0.0, 0.0);
        while y > 0.1 {
            want -= y.sin() * p * p;
            scale += (y.sin() * p * p).abs();
            y *= 0.5;
            p *= 0.5;
        }
        want += 2.0 * p * p;
        scale += 2.0 * p * p;
        let ctx = format!("halve at {x}");
        let (val, gr, hv) = halve::hvp(bb(x), bb(-0.75));
        let (gv, gg) = halve::grad(x);
        k.exact(&ctx, "hvp value", val, gv);
        k.exact(&ctx, "hvp gradient", gr, gg);
        k.close(
            &ctx,
            "H v vs closed form",
            hv,
            -0.75 * want,
            CLOSED * 0.75 * scale,
        );
        let (_, _, hm) = halve::hessian(bb(x));
        k.close(
            &ctx,
            "hessian() vs closed form",
            hm[0][0],
            want,
            CLOSED * scale,
        );
        // The trip count is constant within h of these points.
        check_fd_hvp(
            &mut k,
            &ctx,
            &|q: &[f64]| vec![halve::grad(q[0]).1],
            &[x],
            &[-0.75],
            &[hv],
        );
    }
    k.finish();
}

// --- Early returns.

#[differentiable]
fn piecewise(x: f64, y: f64) -> f64 {
    if x < -1.0 {
        return x * y;
    }
    let t = x * x;
    if t > 4.0 {
        return t.sqrt() * y.sin();
    }
    if y < 0.0 {
        let u = t + y;
        return u * u;
    }
    t * y.exp()
}

#[differentiable(wrt(x))]
fn first_over(x: &[f64], limit: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
        if s > limit {
            return s.sqrt() * x[i];
        }
    }
    s
}

#[test]
fn early_return_hvp() {
    let mut k = Checker::new();
    let mut rng = Rng::named("piecewise hvp");
    // One point inside each branch (away from the branch boundaries by >> h).
    let cases: [((f64, f64), M2); 4] = {
        let (x1, y1) = (-1.5f64, 0.7f64);
        let (x2, y2) = (2.5f64, 0.7f64);
        let (x3, y3) = (0.5f64, -0.3f64);
        let (x4, y4) = (0.5f64, 0.3f64);
        let u = x3 * x3 + y3;
        let e = y4.exp();
        [
            ((x1, y1), [[0.0, 1.0], [1.0, 0.0]]),
            // |x| sin y with x > 2.
            ((x2, y2), [[0.0, y2.cos()], [y2.cos(), -x2 * y2.sin()]]),
            // (x^2 + y)^2: H = [[12x^2 + 4y, 4x], [4x, 2]].
            (
                (x3, y3),
                [[8.0 * x3 * x3 + 4.0 * u, 4.0 * x3], [4.0 * x3, 2.0]],
            ),
            // x^2 e^y.
            (
                (x4, y4),
                [[2.0 * e, 2.0 * x4 * e], [2.0 * x4 * e, x4 * x4 * e]],
            ),
        ]
    };
    for ((x, y), hm) in cases {
        let ctx = format!("piecewise at ({x}, {y})");
        let (_, _, got) = piecewise::hessian(bb(x), bb(y));
        let s = hm.iter().flatten().fold(1.0f64, |m, a| m.max(a.abs()));
        for i in 0..2 {
            for j in 0..2 {
                k.close(
                    &ctx,
                    &format!("H[{i}][{j}]"),
                    got[i][j],
                    hm[i][j],
                    CLOSED * s,
                );
            }
        }
        let v = [rng.tangent(), rng.tangent()];
        let (_, _, hv) = piecewise::hvp(bb(x), bb(y), bb(v[0]), bb(v[1]));
        let grad = |p: &[f64]| {
            let (_, (a, b)) = piecewise::grad(p[0], p[1]);
            vec![a, b]
        };
        check_fd_hvp(&mut k, &ctx, &grad, &[x, y], &v, &[hv.0, hv.1]);
    }
    // From inside a loop; partial sums of x^2 are 0.25, 1.25, 3.5, 7.5, 7.99: each limit is
    // >= 0.15 away from them.
    let x = [0.5, -1.0, 1.5, 2.0, -0.7];
    for limit in [0.1, 1.0, 3.0, 7.0, 100.0] {
        let ctx = format!("first_over limit {limit}");
        let v = rng.tangents(5);
        let (val, gr, hv) = first_over::hvp(bb(&x), bb(limit), bb(&v));
        let (gv, gg) = first_over::grad(&x, limit);
        k.exact(&ctx, "hvp value", val, gv);
        if gr != gg {
            k.fail(format!("{ctx}: hvp gradient {gr:?} vs grad {gg:?}"));
        }
        let grad = |p: &[f64]| first_over::grad(p, limit).1;
        check_fd_hvp(&mut k, &ctx, &grad, &x, &v, &hv);
    }
    k.finish();
}

// =============================================================================================
// Symmetry v . (H w) == w . (H v).

const NI: usize = 8;
const NH: usize = 32;
const NW: usize = NH * NI + NH + NH + 1;

/// tests/programs.rs's network: 8 inputs, 32 tanh hidden units, 1 linear output, MSE.
#[differentiable(wrt(w))]
fn nn_loss(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            out += w[NH * NI + NH + j] * z.tanh();
        }
        let r = out - ys[s];
        loss += r * r;
    }
    loss / m as f64
}

/// `nn_loss` with the fast tanh (`autodiff::FastMath`).
#[differentiable(wrt(w))]
fn nn_loss_fast(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            out += w[NH * NI + NH + j] * z.tanh_fast();
        }
        let r = out - ys[s];
        loss += r * r;
    }
    loss / m as f64
}

fn nn_data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Rng::named("nn");
    let m = 256;
    let xs: Vec<f64> = (0..m * NI).map(|_| rng.range(-1.0, 1.0)).collect();
    let ys: Vec<f64> = (0..m)
        .map(|s| {
            let x = &xs[s * NI..(s + 1) * NI];
            (x[0] + 0.5 * x[1] * x[2]).sin() - 0.3 * x[7] + rng.range(-0.1, 0.1)
        })
        .collect();
    let w: Vec<f64> = (0..NW)
        .map(|k| {
            let fan_in = if k < NH * NI + NH { NI } else { NH };
            rng.range(-1.0, 1.0) / (fan_in as f64).sqrt()
        })
        .collect();
    (w, xs, ys)
}

#[track_caller]
fn check_symmetry(what: &str, hvp: &dyn Fn(&[f64]) -> Vec<f64>, n: usize, rng: &mut Rng) {
    for t in 0..3 {
        let v = rng.tangents(n);
        let w = rng.tangents(n);
        let hv = hvp(&v);
        let hw = hvp(&w);
        let lhs = dot(&v, &hw);
        let rhs = dot(&w, &hv);
        let scale: f64 = v.iter().zip(&hw).map(|(a, b)| (a * b).abs()).sum::<f64>()
            + w.iter().zip(&hv).map(|(a, b)| (a * b).abs()).sum::<f64>();
        assert_close(
            lhs,
            rhs,
            SYM,
            scale,
            &format!("{what}: v.(Hw) vs w.(Hv), pair {t}"),
        );
    }
}

#[test]
fn hessian_is_symmetric() {
    let mut rng = Rng::named("symmetry");
    let x: Vec<f64> = (0..100).map(|_| rng.range(-1.5, 1.5)).collect();
    check_symmetry("rosen n=100", &|v| rosen::hvp(&x, v).2, 100, &mut rng);
    let xa: [f64; 100] = x.clone().try_into().unwrap();
    check_symmetry(
        "rosen_arr N=100",
        &|v| rosen_arr::hvp(&xa, &v.try_into().unwrap()).2.to_vec(),
        100,
        &mut rng,
    );

    let l = lsq_problem();
    check_symmetry(
        "lsq15 at theta0",
        &|v| lsq15::hvp(&l.theta0, &l.x, &l.y, v).2,
        240,
        &mut rng,
    );

    let (w, xs, ys) = nn_data();
    check_symmetry(
        "nn loss",
        &|v| nn_loss::hvp(&w, &xs, &ys, v).2,
        NW,
        &mut rng,
    );
    // The network's hvp also agrees with FD of its gradient along a random direction.
    let mut k = Checker::new();
    let v = rng.tangents(NW);
    let (val, gr, hv) = nn_loss::hvp(bb(&w), bb(&xs), bb(&ys), bb(&v));
    let (gv, gg) = nn_loss::grad(&w, &xs, &ys);
    k.exact("nn", "hvp value", val, gv);
    if gr != gg {
        k.fail("nn: hvp gradient differs from grad".into());
    }
    check_fd_hvp(
        &mut k,
        "nn",
        &|p: &[f64]| nn_loss::grad(p, &xs, &ys).1,
        &w,
        &v,
        &hv,
    );

    // The fast tanh: the same three checks, and the product equal to the one with `tanh` to
    // within a few ulp of its largest component (each second-derivative factor -2 t (1 - t^2)
    // is within a few ulp).
    check_symmetry(
        "nn loss tanh_fast",
        &|v| nn_loss_fast::hvp(&w, &xs, &ys, v).2,
        NW,
        &mut rng,
    );
    let (valf, grf, hvf) = nn_loss_fast::hvp(bb(&w), bb(&xs), bb(&ys), bb(&v));
    let (gvf, ggf) = nn_loss_fast::grad(&w, &xs, &ys);
    k.exact("nn fast", "hvp value", valf, gvf);
    if grf != ggf {
        k.fail("nn fast: hvp gradient differs from grad".into());
    }
    check_fd_hvp(
        &mut k,
        "nn fast",
        &|p: &[f64]| nn_loss_fast::grad(p, &xs, &ys).1,
        &w,
        &v,
        &hvf,
    );
    let scale = max_abs(&hv);
    for i in 0..NW {
        k.close(
            "nn fast",
            &format!("(Hv)[{i}] vs tanh"),
            hvf[i],
            hv[i],
            1e-14 * scale,
        );
    }
    k.finish();
}

// =============================================================================================
// hessian().

#[test]
fn hessian_two_by_two_and_rosenbrock_five() {
    // f: every second derivative is a small dyadic number and every operation producing it is
    // exact, so the Hessian is exact at any point.
    for (x, y) in points2("f hessian") {
        let (v, gr, hm) = f::hessian(bb(x), bb(y));
        assert_eq!(hm, [[2.0, 0.5], [0.5, 8.0]], "f Hessian at ({x}, {y})");
        assert_eq!((v, gr), f::grad(x, y), "f hessian value/grad at ({x}, {y})");
    }
    let mut k = Checker::new();
    for (x, y) in points2("himmelblau hessian") {
        let ctx = format!("himmelblau at ({x}, {y})");
        let (v, gr, hm) = himmelblau::hessian(bb(x), bb(y));
        k.exact(&ctx, "value", v, himmelblau(x, y));
        let (_, gg) = himmelblau::grad(x, y);
        k.exact(&ctx, "grad x", gr.0, gg.0);
        k.exact(&ctx, "grad y", gr.1, gg.1);
        let (want, scale) = himmelblau_hess(x, y);
        for i in 0..2 {
            for j in 0..2 {
                k.close(
                    &ctx,
                    &format!("H[{i}][{j}]"),
                    hm[i][j],
                    want[i][j],
                    CLOSED * scale[i][j],
                );
            }
        }
        k.close(&ctx, "symmetric", hm[0][1], hm[1][0], CLOSED * scale[0][1]);
    }
    // Rosenbrock on &[f64; 5] against scipy's rosen_hess formula.
    let mut rng = Rng::named("rosen5 hessian");
    for x in rosen_points(5, &mut rng) {
        let xa: [f64; 5] = x.clone().try_into().unwrap();
        let ctx = format!("rosen_arr N=5 at {x:?}");
        let (v, gr, hm) = rosen_arr::hessian(bb(&xa));
        let (gv, gg) = rosen_arr::grad(&xa);
        k.exact(&ctx, "value", v, gv);
        if gr != gg {
            k.fail(format!("{ctx}: hessian gradient {gr:?} vs grad {gg:?}"));
        }
        let (want, scale) = rosen_hess_closed(&x);
        for i in 0..5 {
            for j in 0..5 {
                k.close(
                    &ctx,
                    &format!("H[{i}][{j}]"),
                    hm[i][j],
                    want[i][j],
                    CLOSED * scale[i][j],
                );
                k.close(
                    &ctx,
                    &format!("symmetric [{i}][{j}]"),
                    hm[i][j],
                    hm[j][i],
                    CLOSED * scale[i][j],
                );
                if (i as isize - j as isize).abs() > 1 {
                    k.exact(
                        &ctx,
                        &format!("H[{i}][{j}] outside the band"),
                        hm[i][j],
                        0.0,
                    );
                }
            }
        }
        // hessian() is hvp along the axes.
        for j in 0..5 {
            let mut e = [0.0; 5];
            e[j] = 1.0;
            let (_, _, col) = rosen_arr::hvp(&xa, &e);
            for i in 0..5 {
                k.exact(
                    &ctx,
                    &format!("H[{i}][{j}] vs hvp(e_{j})"),
                    hm[i][j],
                    col[i],
                );
            }
        }
    }
    k.finish();
}

// =============================================================================================
// Objective.

#[differentiable(wrt(m, c))]
fn lsq(m: f64, c: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = m * x[i] + c - y[i];
        s += r * r;
    }
    s
}

/// Checks `obj` against the generated entry points `value`, `grad` and `hvp` (flattened) at `x`
/// along `v`: the objective calls the same code, so everything agrees bitwise. Buffers are
/// pre-filled with garbage to check that they are overwritten.
fn check_objective(
    what: &str,
    obj: &dyn Objective<f64>,
    x: &[f64],
    v: &[f64],
    value: f64,
    grad: &[f64],
    hvp: (f64, Vec<f64>, Vec<f64>),
) {
    let n = x.len();
    assert_eq!(obj.dim(), n, "{what}: dim");
    assert_eq!(obj.value(x), value, "{what}: value");
    let mut g = vec![f64::NAN; n];
    assert_eq!(obj.value_grad(x, &mut g), value, "{what}: value_grad value");
    assert_eq!(g, grad, "{what}: value_grad gradient (overwritten)");
    let mut g = vec![7.0; n];
    let mut hv = vec![-3.0; n];
    let r = obj.hvp(x, v, &mut g, &mut hv);
    assert_eq!(r, Ok(hvp.0), "{what}: hvp value");
    assert_eq!(g, hvp.1, "{what}: hvp gradient");
    assert_eq!(hv, hvp.2, "{what}: hvp H v");
}

#[test]
fn objectives_agree_with_generated_functions() {
    let mut rng = Rng::named("objective");

    // f: two scalars.
    let obj = f::objective();
    for (x, y) in points2("f objective") {
        let v = [rng.tangent(), rng.tangent()];
        let (val, (gx, gy), (hx, hy)) = f::hvp(x, y, v[0], v[1]);
        check_objective(
            "f::objective",
            &obj,
            &[x, y],
            &v,
            f(x, y),
            &[gx, gy],
            (val, vec![gx, gy], vec![hx, hy]),
        );
    }

    // A line fit with passive data: H = 2 [[sum x^2, sum x], [sum x, n]] (small integers here,
    // so exact).
    let xs: Vec<f64> = (0..11).map(|i| i as f64).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| 1.7 * x - 0.5 + 0.1 * (x * 1.3).sin())
        .collect();
    let obj = lsq::objective(&xs, &ys);
    let (sx, sxx) = (
        xs.iter().sum::<f64>(),
        xs.iter().map(|x| x * x).sum::<f64>(),
    );
    for (m, c) in [(0.0, 0.0), (1.7, -0.5), (-2.0, 3.0)] {
        let v = [rng.tangent(), rng.tangent()];
        let (val, (gm, gc), (hm_, hc)) = lsq::hvp(m, c, &xs, &ys, v[0], v[1]);
        check_objective(
            "lsq::objective",
            &obj,
            &[m, c],
            &v,
            lsq(m, c, &xs, &ys),
            &[gm, gc],
            (val, vec![gm, gc], vec![hm_, hc]),
        );
        let mut out = [0.0; 4];
        let mut work = [0.0; 6];
        hessian_into(&obj, &[m, c], &mut out, &mut work).expect("has hvp");
        assert_eq!(
            out,
            [2.0 * sxx, 2.0 * sx, 2.0 * sx, 22.0],
            "line fit Hessian"
        );
    }

    // A slice objective: rosen::objective(n) has dimension n.
    for n in [2usize, 5, 100] {
        let obj = rosen::objective(n);
        let x: Vec<f64> = (0..n).map(|_| rng.range(-1.5, 1.5)).collect();
        let v = rng.tangents(n);
        let (gv, gg) = rosen::grad(&x);
        check_objective(
            &format!("rosen::objective({n})"),
            &obj,
            &x,
            &v,
            gv,
            &gg,
            rosen::hvp(&x, &v),
        );
    }

    // Mixed active slice and scalar, flattened in order: horner::objective(7) is [c.., x].
    let obj = horner::objective(7);
    let p: Vec<f64> = (0..8).map(|_| rng.range(-1.2, 1.2)).collect();
    let v = rng.tangents(8);
    let (val, (gc, gx), (hc, hx)) = horner::hvp(&p[..7], p[7], &v[..7], v[7]);
    let mut g = gc.to_vec();
    g.push(gx);
    let mut hv = hc.to_vec();
    hv.push(hx);
    check_objective(
        "horner::objective(7)",
        &obj,
        &p,
        &v,
        val,
        &g,
        (val, g.clone(), hv),
    );

    // Passive scalars bound: the oscillator over (k, d).
    let obj = oscillator::objective(1.0, 0.0, 0.01);
    let (val, (a, b), (ha, hb)) = oscillator::hvp(4.0, 0.3, 1.0, 0.0, 0.01, 0.5, -1.0);
    check_objective(
        "oscillator::objective",
        &obj,
        &[4.0, 0.3],
        &[0.5, -1.0],
        val,
        &[a, b],
        (val, vec![a, b], vec![ha, hb]),
    );

    // lsq15 as an objective over its 240 unknowns (slice length first, then the data).
    let l = lsq_problem();
    let obj = lsq15::objective(240, &l.x, &l.y);
    let v = rng.tangents(240);
    let (gv, gg) = lsq15::grad(&l.theta0, &l.x, &l.y);
    check_objective(
        "lsq15::objective",
        &obj,
        &l.theta0,
        &v,
        gv,
        &gg,
        lsq15::hvp(&l.theta0, &l.x, &l.y, &v),
    );
}

/// `hessian_into` is documented as "row-major into `out`", i.e. `out[i * n + j] = H[i][j]`, and
/// it is built from the same Hessian-vector products as `hessian()` (`hessian()[i][j]` is entry
/// i of `hvp(e_j)`): the two must agree bitwise, whatever rounding makes H[i][j] and H[j][i]
/// differ in their last bit.
#[test]
fn hessian_into_equals_hessian() {
    let mut k = Checker::new();
    let mut check =
        |what: &str, obj: &dyn Objective<f64>, x: &[f64], want: (f64, Vec<Vec<f64>>)| {
            let n = x.len();
            let mut out = vec![f64::NAN; n * n];
            let mut work = vec![f64::NAN; 3 * n];
            match hessian_into(obj, x, &mut out, &mut work) {
                Ok(v) => k.exact(what, "hessian_into value", v, want.0),
                Err(e) => k.fail(format!("{what}: {e}")),
            }
            for i in 0..n {
                for j in 0..n {
                    k.exact(
                        what,
                        &format!("out[{i} * n + {j}] vs hessian()[{i}][{j}]"),
                        out[i * n + j],
                        want.1[i][j],
                    );
                }
            }
        };
    let rows2 = |h: M2| -> Vec<Vec<f64>> { h.iter().map(|r| r.to_vec()).collect() };
    for (x, y) in points2("f objective") {
        let (v, _, hm) = f::hessian(x, y);
        check(
            &format!("f at ({x}, {y})"),
            &f::objective(),
            &[x, y],
            (v, rows2(hm)),
        );
    }
    for (x, y) in points2("himmelblau objective") {
        let (v, _, hm) = himmelblau::hessian(x, y);
        check(
            &format!("himmelblau at ({x}, {y})"),
            &himmelblau::objective(),
            &[x, y],
            (v, rows2(hm)),
        );
    }
    for (x, y) in points2("beale objective") {
        let (v, _, hm) = beale::hessian(x, y);
        check(
            &format!("beale at ({x}, {y})"),
            &beale::objective(),
            &[x, y],
            (v, rows2(hm)),
        );
    }
    let xs: Vec<f64> = (0..11).map(|i| i as f64).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| 1.7 * x - 0.5 + 0.1 * (x * 1.3).sin())
        .collect();
    for (m, c) in [(0.0, 0.0), (1.7, -0.5), (-2.0, 3.0)] {
        let (v, _, hm) = lsq::hessian(m, c, &xs, &ys);
        check(
            &format!("line fit at ({m}, {c})"),
            &lsq::objective(&xs, &ys),
            &[m, c],
            (v, rows2(hm)),
        );
    }
    // Rosenbrock n = 5: the slice objective and the array objective against the fixed-size
    // hessian().
    let mut rng = Rng::named("rosen5 hessian_into");
    for x in rosen_points(5, &mut rng) {
        let xa: [f64; 5] = x.clone().try_into().unwrap();
        let (v, _, hm) = rosen_arr::hessian(&xa);
        let hm: Vec<Vec<f64>> = hm.iter().map(|r| r.to_vec()).collect();
        check(
            &format!("rosen::objective(5) at {x:?}"),
            &rosen::objective(5),
            &x,
            (v, hm.clone()),
        );
        check(
            &format!("rosen_arr::objective::<5>() at {x:?}"),
            &rosen_arr::objective::<5>(),
            &x,
            (v, hm),
        );
    }
    k.finish();
}

#[test]
fn closure_objectives() {
    // Without an hvp: Err(NoHvp), also through hessian_into.
    let obj = from_fns(
        2,
        |x: &[f64]| f(x[0], x[1]),
        |x: &[f64], g: &mut [f64]| {
            let (v, (a, b)) = f::grad(x[0], x[1]);
            g[0] = a;
            g[1] = b;
            v
        },
    );
    assert_eq!(obj.dim(), 2);
    assert_eq!(obj.value(&[3.0, 3.0]), 72.5);
    let mut g = [0.0; 2];
    assert_eq!(obj.value_grad(&[3.0, 3.0], &mut g), 72.5);
    assert_eq!(g, [5.5, 33.5]);
    let mut hv = [0.0; 2];
    assert_eq!(
        obj.hvp(&[3.0, 3.0], &[1.0, 0.0], &mut g, &mut hv),
        Err(ObjectiveError::NoHvp)
    );
    let (mut out, mut work) = ([0.0; 4], [0.0; 6]);
    assert_eq!(
        hessian_into(&obj, &[3.0, 3.0], &mut out, &mut work),
        Err(ObjectiveError::NoHvp)
    );
    assert!(ObjectiveError::NoHvp.to_string().contains("with_hvp"));

    // With the generated hvp plugged in: the same Hessian as hessian().
    let obj = obj.with_hvp(|x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        let (val, (a, b), (c, d)) = himmelblau::hvp(x[0], x[1], v[0], v[1]);
        g.copy_from_slice(&[a, b]);
        hv.copy_from_slice(&[c, d]);
        val
    });
    let r = hessian_into(&obj, &[-2.0, 0.5], &mut out, &mut work);
    let (val, _, hm) = himmelblau::hessian(-2.0, 0.5);
    assert_eq!(r, Ok(val));
    assert_eq!(out, [hm[0][0], hm[0][1], hm[1][0], hm[1][1]]);
}

#[test]
#[should_panic(expected = "dimension")]
fn objective_value_wrong_length_panics() {
    let obj = f::objective();
    let _ = obj.value(&[1.0, 2.0, 3.0]);
}

#[test]
#[should_panic(expected = "dimension")]
fn objective_hvp_wrong_direction_length_panics() {
    let obj = rosen::objective(4);
    let (mut g, mut hv) = ([0.0; 4], [0.0; 4]);
    let _ = obj.hvp(&[1.0; 4], &[1.0; 3], &mut g, &mut hv);
}

#[test]
#[should_panic(expected = "dimension")]
fn objective_value_grad_wrong_buffer_length_panics() {
    let obj = rosen_arr::objective::<3>();
    let mut g = [0.0; 2];
    let _ = obj.value_grad(&[1.0; 3], &mut g);
}

#[test]
#[should_panic(expected = "dimension")]
fn hessian_into_wrong_output_length_panics() {
    let obj = f::objective();
    let (mut out, mut work) = ([0.0; 3], [0.0; 6]);
    let _ = hessian_into(&obj, &[1.0, 2.0], &mut out, &mut work);
}
