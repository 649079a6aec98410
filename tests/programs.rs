//! Whole numeric programs with control flow, arrays and slices: Rosenbrock, the notebooks' MAE
//! and least-squares costs and "nightmare" function, x^cos x, Horner's rule, an explicit-Euler
//! oscillator, data-dependent `while`, early returns, ReLU at 0, `loop`/`break`/`continue`,
//! `match`, and a small neural network.
//!
//! Every function is checked three ways:
//! - against central finite differences (`common::central`) along axes and seeded random
//!   directions. Relative tolerance `FD` = 1e-6 of `max(|d|, |fd|, |f| / max(1, |x|))`: the
//!   difference quotient's error is truncation `h^2/6 |f'''|` (h = 1e-6 s: ~1e-13 relative for
//!   these smooth functions) plus rounding `eps |f| / h` (~1e-10 of |f|/s), so 1e-6 has a margin
//!   of >= 1e3 and still catches any wrong factor, sign or missing term (errors of order 1);
//! - forward against reverse by the dot-product identity `c (J v) == <vjp(c), v>` with a seeded
//!   random tangent and seed: relative `DOT` = 1e-12 of `|c J v| + sum |b_i v_i|` (both are
//!   sums of the same partials, rounded differently; even 1000-term sums accumulate at most
//!   ~1e3 eps = 1e-13 relative to the sum of magnitudes);
//! - `grad == vjp(seed = 1)` (4 ulps), plus closed forms where one exists.
// The programs are written the way `#[differentiable]` supports (index loops, no iterator
// chains), which these style lints would rewrite.
#![allow(
    clippy::needless_range_loop,
    clippy::assign_op_pattern,
    clippy::type_complexity
)]
mod common;
use autodiff::{differentiable, FastMath};
use common::*;

const FD: f64 = 1e-6;
const DOT: f64 = 1e-12;

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

/// Closed-form gradient and, per component, the sum of the magnitudes of its terms (the scale
/// against which rounding differences are measured).
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

fn rosen_plain(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn arr<const N: usize>(x: &[f64]) -> [f64; N] {
    x.try_into().expect("length")
}

fn rosen_arr_ops<const N: usize>() -> (
    impl Fn(&[f64]) -> f64,
    impl Fn(&[f64], &[f64]) -> (f64, f64),
    impl Fn(&[f64], f64, &mut [f64]) -> f64,
    impl Fn(&[f64]) -> (f64, Vec<f64>),
) {
    (
        |x: &[f64]| rosen_arr(&arr::<N>(x)),
        |x: &[f64], v: &[f64]| rosen_arr::jvp(bb(&arr::<N>(x)), bb(&arr::<N>(v))),
        |x: &[f64], c: f64, b: &mut [f64]| {
            let mut bar = arr::<N>(b);
            let v = rosen_arr::vjp(bb(&arr::<N>(x)), bb(c), &mut bar);
            b.copy_from_slice(&bar);
            v
        },
        |x: &[f64]| {
            let (v, g) = rosen_arr::grad(bb(&arr::<N>(x)));
            (v, g.to_vec())
        },
    )
}

fn check_rosen_at(what: &str, o: &VecOps, x: &[f64], rng: &mut Rng) {
    let n = x.len();
    let axes: Vec<usize> = [0, 1, n / 2, n - 1]
        .into_iter()
        .filter(|&i| i < n)
        .collect();
    assert_eq!((o.f)(x), rosen_plain(x), "{what}: the kept function");
    let g = check_vec_ops(what, o, x, &axes, 3, rng, FD, DOT);
    let (want, scale) = rosen_grad_closed(x);
    for i in 0..n {
        // Same terms, different association: a few ulps of the term magnitudes.
        assert_close(
            g[i],
            want[i],
            1e-12,
            scale[i],
            &format!("{what}: closed-form grad[{i}]"),
        );
    }
}

fn check_rosen(what: &str, o: &VecOps, n: usize) {
    let mut rng = Rng::named(what);
    // At the minimum, all ones: value and gradient exactly 0 (every term has a factor 0).
    let ones = vec![1.0; n];
    let (v, g) = (o.grad)(&ones);
    assert_eq!(v, 0.0, "{what}: value at ones");
    assert!(
        g.iter().all(|&gi| gi == 0.0),
        "{what}: gradient at ones not exactly 0: {g:?}"
    );
    let (v, d) = (o.jvp)(&ones, &rng.tangents(n));
    assert_eq!((v, d), (0.0, 0.0), "{what}: jvp at ones");
    // The classic start (-1.2, 1, -1.2, 1, ...) and random points in [-1.5, 1.5]^n.
    let classic: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    check_rosen_at(&format!("{what} at classic start"), o, &classic, &mut rng);
    for k in 0..2 {
        let x: Vec<f64> = (0..n).map(|_| rng.range(-1.5, 1.5)).collect();
        check_rosen_at(&format!("{what} at random point {k}"), o, &x, &mut rng);
    }
}

macro_rules! rosen_array_test {
    ($name:ident, $n:literal) => {
        #[test]
        fn $name() {
            let (f, jvp, vjp, grad) = rosen_arr_ops::<$n>();
            let o = VecOps {
                f: &f,
                jvp: &jvp,
                vjp: &vjp,
                grad: &grad,
            };
            check_rosen(concat!("rosen_arr N=", $n), &o, $n);
        }
    };
}
rosen_array_test!(rosenbrock_array_n2, 2);
rosen_array_test!(rosenbrock_array_n10, 10);
rosen_array_test!(rosenbrock_array_n1000, 1000);

fn rosen_slice_ops() -> VecOps<'static> {
    VecOps {
        f: &|x| rosen(x),
        jvp: &|x, v| rosen::jvp(bb(x), bb(v)),
        vjp: &|x, c, b| rosen::vjp(bb(x), bb(c), b),
        grad: &|x| rosen::grad(bb(x)),
    }
}

#[test]
fn rosenbrock_slice() {
    for n in [2, 10, 1000] {
        check_rosen(&format!("rosen slice n={n}"), &rosen_slice_ops(), n);
    }
}

#[test]
fn rosenbrock_array_and_slice_agree_bitwise() {
    // Same operations in the same order: identical bits.
    let mut rng = Rng::named("agree");
    let x: [f64; 10] = std::array::from_fn(|_| rng.range(-1.5, 1.5));
    let v: [f64; 10] = std::array::from_fn(|_| rng.tangent());
    assert_eq!(rosen_arr::jvp(&x, &v), rosen::jvp(&x, &v));
    let (va, ga) = rosen_arr::grad(&x);
    let (vs, gs) = rosen::grad(&x);
    assert_eq!(va, vs);
    assert_eq!(ga.to_vec(), gs);
    // The Vec-typed buffer coerces to `&mut [f64]`.
    let mut b = vec![0.0; 10];
    rosen::vjp(&x, 2.0, &mut b);
    let mut ba = [0.0; 10];
    rosen_arr::vjp(&x, 2.0, &mut ba);
    assert_eq!(b, ba.to_vec());
}

// f32 Rosenbrock, n = 10.
#[differentiable]
fn rosen_arr32<const N: usize>(x: &[f32; N]) -> f32 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
fn rosen32(x: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// f32 tolerances (eps32 = 1.2e-7). Each gradient term passes through <= ~6 f32 roundings
/// (a = x1 - x0^2, 400 x a, 2 b, their sum), so a component is within ~10 eps32 = 1.2e-6 of the
/// exact value relative to the sum of its term magnitudes; it is compared with the f64 closed
/// form at the same (f32-representable) point, so 1e-5 of that scale keeps a ~10x margin.
/// The directional derivative / dot identity: 10 such components, each weighted by |v_i| <= 1.5:
/// 1e-5 of `sum |v_i| scale_i`.
const F32_REL: f64 = 1e-5;

#[test]
fn rosenbrock_f32_n10() {
    let mut rng = Rng::named("rosen f32");
    for k in 0..4 {
        let x32: [f32; 10] = if k == 0 {
            std::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        } else {
            std::array::from_fn(|_| rng.range(-1.5, 1.5) as f32)
        };
        let x64: Vec<f64> = x32.iter().map(|&a| a as f64).collect();
        let (want, scale) = rosen_grad_closed(&x64);
        let f64v = rosen_plain(&x64);
        let v32: [f32; 10] = std::array::from_fn(|_| rng.tangent() as f32);
        let v64: Vec<f64> = v32.iter().map(|&a| a as f64).collect();
        let c32 = rng.tangent() as f32;
        let dscale: f64 = scale.iter().zip(&v64).map(|(s, v)| (s * v).abs()).sum();
        let dwant: f64 = want.iter().zip(&v64).map(|(g, v)| g * v).sum();

        type G = (f32, Vec<f32>);
        let runs: [(&str, G, (f32, f32), (f32, Vec<f32>)); 2] = [
            (
                "array",
                {
                    let (v, g) = rosen_arr32::grad(&x32);
                    (v, g.to_vec())
                },
                rosen_arr32::jvp(&x32, &v32),
                {
                    let mut b = [0.0f32; 10];
                    let v = rosen_arr32::vjp(&x32, c32, &mut b);
                    (v, b.to_vec())
                },
            ),
            (
                "slice",
                rosen32::grad(&x32),
                rosen32::jvp(&x32[..], &v32[..]),
                {
                    let mut b = vec![0.0f32; 10];
                    let v = rosen32::vjp(&x32, c32, &mut b);
                    (v, b)
                },
            ),
        ];
        for (what, (gv, g), (jv, d), (vv, b)) in runs {
            let ctx = format!("rosen f32 {what} point {k}");
            assert_close(gv as f64, f64v, F32_REL, 0.0, &format!("{ctx}: grad value"));
            assert_eq!(jv, gv, "{ctx}: jvp value");
            assert_eq!(vv, gv, "{ctx}: vjp value");
            for i in 0..10 {
                assert_close(
                    g[i] as f64,
                    want[i],
                    F32_REL,
                    scale[i],
                    &format!("{ctx}: grad[{i}]"),
                );
                assert_close(
                    b[i] as f64,
                    c32 as f64 * want[i],
                    F32_REL,
                    (c32 as f64 * scale[i]).abs(),
                    &format!("{ctx}: vjp[{i}]"),
                );
            }
            assert_close(d as f64, dwant, F32_REL, dscale, &format!("{ctx}: jvp"));
            // Finite difference of the f64 formula at the f32 point.
            let fd = central(&rosen_plain, &x64, &v64);
            assert_close(
                d as f64,
                fd,
                F32_REL,
                dscale,
                &format!("{ctx}: jvp vs f64 FD"),
            );
            // Dot identity in f32.
            let rhs: f64 = b.iter().zip(&v64).map(|(b, v)| *b as f64 * v).sum();
            assert_close(
                c32 as f64 * d as f64,
                rhs,
                F32_REL,
                (c32 as f64).abs() * dscale,
                &format!("{ctx}: dot identity"),
            );
        }
    }
    // At the minimum: exactly 0 in f32 too.
    let (v, g) = rosen_arr32::grad(&[1.0f32; 10]);
    assert_eq!(v, 0.0);
    assert!(g.iter().all(|&a| a == 0.0), "{g:?}");
    let (v, g) = rosen32::grad(&[1.0f32; 10]);
    assert_eq!(v, 0.0);
    assert!(g.iter().all(|&a| a == 0.0), "{g:?}");
}

// =============================================================================================
// Notebook 003: mean absolute error of y ~ t1 x + t2 x^2.

#[differentiable(wrt(t1, t2))]
fn mae(t1: f64, t2: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = y[i] - (t1 * x[i] + t2 * x[i] * x[i]);
        s += r.abs();
    }
    s / x.len() as f64
}

fn json() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/derivatives.json"
    ))
    .expect("tests/data/derivatives.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|a| a.as_f64().expect("number"))
        .collect()
}

#[test]
fn mae_notebook_003() {
    let j = json();
    let m = &j["mae_regression"];
    let data = &m["data_numpy_float64"];
    let x = floats(&data["x"]);
    let y = floats(&data["y"]);
    assert_eq!(x.len(), 20);
    // x is linspace(-2, 2, 20).
    for (i, xi) in x.iter().enumerate() {
        assert_close(*xi, -2.0 + 4.0 * i as f64 / 19.0, 1e-15, 1.0, "linspace");
    }
    let n = x.len() as f64;
    let mut rng = Rng::named("mae");
    let mut points: Vec<(f64, f64, Option<(f64, (f64, f64))>)> = Vec::new();
    for e in m["evaluations_numpy_data"].as_array().unwrap() {
        let th = floats(&e["theta"]);
        let g = floats(&e["grad_formula_mean_-sign(r)*[x, x^2]"]);
        let jv = e["J_autograd"].as_f64().unwrap();
        points.push((th[0], th[1], Some((jv, (g[0], g[1])))));
    }
    assert!(points.len() >= 4);
    for _ in 0..4 {
        points.push((rng.range(-4.0, 4.0), rng.range(-4.0, 4.0), None));
    }
    for (t1, t2, oracle) in points {
        let ctx = format!("MAE at ({t1}, {t2})");
        // The formula -mean(sign(r) [x, x^2]); no residual may be 0 (the kink).
        let mut want = (0.0, 0.0);
        let mut val = 0.0;
        let mut sum_abs = (0.0, 0.0);
        for i in 0..x.len() {
            let r = y[i] - (t1 * x[i] + t2 * x[i] * x[i]);
            assert!(
                r.abs() > 1e-9,
                "{ctx}: residual {i} is ~0, pick another point"
            );
            let s = r.signum();
            want.0 -= s * x[i] / n;
            want.1 -= s * x[i] * x[i] / n;
            sum_abs.0 += x[i].abs() / n;
            sum_abs.1 += x[i] * x[i] / n;
            val += r.abs();
        }
        val /= n;
        let (v, (g1, g2)) = mae::grad(bb(t1), bb(t2), bb(&x), bb(&y));
        assert_close(v, val, 1e-14, 0.0, &format!("{ctx}: value"));
        // Sums of +-x_i/20 in a different order: rounding ~20 eps of sum |x_i|/20.
        assert_close(
            g1,
            want.0,
            1e-13,
            sum_abs.0,
            &format!("{ctx}: dJ/dt1 vs formula"),
        );
        assert_close(
            g2,
            want.1,
            1e-13,
            sum_abs.1,
            &format!("{ctx}: dJ/dt2 vs formula"),
        );
        if let Some((jv, (o1, o2))) = oracle {
            assert_close(v, jv, 1e-14, 0.0, &format!("{ctx}: value vs oracle"));
            assert_close(
                g1,
                o1,
                1e-13,
                sum_abs.0,
                &format!("{ctx}: dJ/dt1 vs oracle"),
            );
            assert_close(
                g2,
                o2,
                1e-13,
                sum_abs.1,
                &format!("{ctx}: dJ/dt2 vs oracle"),
            );
        }
        let (vv, (b1, b2)) = mae::vjp(bb(t1), bb(t2), bb(&x), bb(&y), bb(1.0));
        assert_eq!((vv, b1, b2), (v, g1, g2), "{ctx}: grad == vjp(1)");
        let f = |p: &[f64]| mae(p[0], p[1], &x, &y);
        let (d1, d2) = (rng.tangent(), rng.tangent());
        let (vj, d) = mae::jvp(bb(t1), bb(t2), bb(&x), bb(&y), bb(d1), bb(d2));
        assert_eq!(vj, v, "{ctx}: jvp value");
        // Piecewise linear: central FD is exact up to rounding unless a kink is within h.
        assert_fd(&ctx, &f, &[t1, t2], &[d1, d2], d, FD);
        let c = rng.tangent();
        let (_, (c1, c2)) = mae::vjp(bb(t1), bb(t2), bb(&x), bb(&y), bb(c));
        assert_dot(&ctx, c, d, &[c1, c2], &[d1, d2], DOT);
    }
}

// =============================================================================================
// Notebook 004: least squares over 100,000 points.

#[differentiable(wrt(m, c))]
fn least_squares(m: f64, c: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = m * x[i] + c - y[i];
        s += r * r;
    }
    s
}

#[test]
fn least_squares_notebook_004() {
    let n = 100_000;
    let mut rng = Rng::named("least squares");
    // xs = linspace(0, 5, n); ys = xs + 2 + noise (seeded uniform noise in [-0.5, 0.5)).
    let x: Vec<f64> = (0..n).map(|i| 5.0 * i as f64 / (n - 1) as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&xi| xi + 2.0 + rng.range(-0.5, 0.5))
        .collect();
    for (m, c) in [(0.0, 0.0), (1.0, 2.0), (-0.7, 3.5), (2.5, -1.0)] {
        let ctx = format!("least squares at m = {m}, c = {c}");
        let (mut gm, mut gc, mut sm, mut sc, mut val) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            let r = m * x[i] + c - y[i];
            val += r * r;
            gm += 2.0 * r * x[i];
            gc += 2.0 * r;
            sm += (2.0 * r * x[i]).abs();
            sc += (2.0 * r).abs();
        }
        let (v, (a, b)) = least_squares::grad(bb(m), bb(c), bb(&x), bb(&y));
        assert_eq!(v, val, "{ctx}: value (same sum in the same order)");
        // 1e5-term sums possibly accumulated in another order (reverse sweep): the worst-case
        // rounding difference is n eps = 1.1e-11 of the sum of |terms|, typically sqrt(n) eps.
        assert_close(a, gm, 2e-11, sm, &format!("{ctx}: dL/dm closed form"));
        assert_close(b, gc, 2e-11, sc, &format!("{ctx}: dL/dc closed form"));
        let (tm, tc) = (rng.tangent(), rng.tangent());
        let (vj, d) = least_squares::jvp(bb(m), bb(c), bb(&x), bb(&y), bb(tm), bb(tc));
        assert_eq!(vj, v, "{ctx}: jvp value");
        assert_close(
            d,
            gm * tm + gc * tc,
            2e-11,
            (sm * tm).abs() + (sc * tc).abs(),
            &ctx,
        );
        let s = rng.tangent();
        let (vv, (bm, bc)) = least_squares::vjp(bb(m), bb(c), bb(&x), bb(&y), bb(s));
        assert_eq!(vv, v, "{ctx}: vjp value");
        assert_close(bm, s * gm, 2e-11, (s * sm).abs(), &format!("{ctx}: vjp m"));
        assert_close(bc, s * gc, 2e-11, (s * sc).abs(), &format!("{ctx}: vjp c"));
        let (_, (o1, o2)) = least_squares::vjp(bb(m), bb(c), bb(&x), bb(&y), bb(1.0));
        assert_eq!((o1, o2), (a, b), "{ctx}: grad == vjp(1)");
    }
}

// =============================================================================================
// Notebook 004's "nightmare" function: Gaussian wells and a ridge.

/// Well k: amplitude A[k] (negative = a bump), centre (CX[k], CY[k]), width W[k]; from the
/// notebook's `bad_function` (wells at +-(-2, 3) with width 20, +-(3, 0.5) with widths 5, 2).
const WA: [f64; 4] = [1.0, -1.0, 0.75, 0.75];
const WCX: [f64; 4] = [-2.0, 2.0, 3.0, -3.0];
const WCY: [f64; 4] = [3.0, -3.0, 0.5, -0.5];
const WW: [f64; 4] = [20.0, 20.0, 5.0, 2.0];

#[differentiable]
fn nightmare(x: f64, y: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..4 {
        let dx = x - WCX[k];
        let dy = y - WCY[k];
        s -= WA[k] * (-(dx * dx + dy * dy) / WW[k]).exp();
    }
    s + (-2.0 * (y + 1.0) * (y + 1.0)).exp()
}

/// The same with a local const array and the centres as passive slices.
#[differentiable(wrt(x, y))]
fn wells(x: f64, y: f64, cx: &[f64], cy: &[f64], w: &[f64]) -> f64 {
    let a = [1.0, -1.0, 0.75, 0.75];
    let mut s = 0.0;
    for k in 0..cx.len() {
        let dx = x - cx[k];
        let dy = y - cy[k];
        s -= a[k] * (-(dx * dx + dy * dy) / w[k]).exp();
    }
    let r = y + 1.0;
    s + (-2.0 * r * r).exp()
}

fn nightmare_plain(x: f64, y: f64) -> (f64, (f64, f64)) {
    let (mut v, mut gx, mut gy) = (0.0, 0.0, 0.0);
    for k in 0..4 {
        let (dx, dy) = (x - WCX[k], y - WCY[k]);
        let e = WA[k] * (-(dx * dx + dy * dy) / WW[k]).exp();
        v -= e;
        gx += e * 2.0 * dx / WW[k];
        gy += e * 2.0 * dy / WW[k];
    }
    let r = (-2.0 * (y + 1.0) * (y + 1.0)).exp();
    (v + r, (gx, gy - 4.0 * (y + 1.0) * r))
}

#[test]
fn nightmare_notebook_004() {
    let mut rng = Rng::named("nightmare");
    let mut pts = vec![
        (0.0, 0.0),
        (-2.0, 3.0),
        (3.0, 0.5),
        (1.0, -1.0),
        (-4.0, 4.0),
    ];
    for _ in 0..6 {
        pts.push((rng.range(-6.0, 6.0), rng.range(-6.0, 6.0)));
    }
    for (x, y) in pts {
        let (val, want) = nightmare_plain(x, y);
        let fd = |p: &[f64]| nightmare(p[0], p[1]);
        for (what, g) in [
            ("nightmare", nightmare::grad(bb(x), bb(y))),
            ("wells", wells::grad(bb(x), bb(y), &WCX, &WCY, &WW)),
        ] {
            let ctx = format!("{what} at ({x}, {y})");
            assert_close(g.0, val, 1e-14, 1.0, &format!("{ctx}: value"));
            // Closed form: same terms, so a few ulps of the largest term (<= ~2).
            assert_close(g.1 .0, want.0, 1e-13, 2.0, &format!("{ctx}: d/dx"));
            assert_close(g.1 .1, want.1, 1e-13, 2.0, &format!("{ctx}: d/dy"));
        }
        let (tx, ty) = (rng.tangent(), rng.tangent());
        let (v1, d1) = nightmare::jvp(bb(x), bb(y), bb(tx), bb(ty));
        let (v2, d2) = wells::jvp(bb(x), bb(y), &WCX, &WCY, &WW, bb(tx), bb(ty));
        assert_eq!(v1, v2);
        let ctx = format!("nightmare at ({x}, {y})");
        assert_fd(&ctx, &fd, &[x, y], &[tx, ty], d1, FD);
        assert_fd(
            &format!("wells at ({x}, {y})"),
            &fd,
            &[x, y],
            &[tx, ty],
            d2,
            FD,
        );
        let c = rng.tangent();
        let (_, (bx, by)) = nightmare::vjp(bb(x), bb(y), bb(c));
        assert_dot(&ctx, c, d1, &[bx, by], &[tx, ty], DOT);
        let (_, (bx, by)) = wells::vjp(bb(x), bb(y), &WCX, &WCY, &WW, bb(c));
        assert_dot(&ctx, c, d2, &[bx, by], &[tx, ty], DOT);
        let (_, g) = nightmare::grad(x, y);
        assert_eq!(g, nightmare::vjp(x, y, 1.0).1, "{ctx}: grad == vjp(1)");
    }
}

// =============================================================================================
// x^cos x against the closed form and the oracle.

#[differentiable]
fn x_pow_cos_x(x: f64) -> f64 {
    x.powf(x.cos())
}

#[test]
fn x_pow_cos_x_oracle() {
    let j = json();
    let e = &j["x_pow_cos_x"];
    let xs = floats(&e["x"]);
    let exact = floats(&e["exact"]);
    let value = floats(&e["value_exact"]);
    assert_eq!(xs, vec![0.5, 1.0, 2.0, 5.0, 10.0]);
    for (i, &x) in xs.iter().enumerate() {
        let closed = x.powf(x.cos() - 1.0) * (x.cos() - x * x.ln() * x.sin());
        // The oracle is the correctly rounded derivative; the generated code's powf rule
        // combines ~5 ulp-accurate factors without cancellation at these points (the bracket's
        // two terms have the same sign or differ by >5x): <= ~1e-15, 1e-13 leaves ~100x.
        assert_rel(closed, exact[i], 1e-13, "closed form vs oracle");
        let ctx = format!("x^cos x at {x}");
        check1(
            &ctx,
            x,
            value[i],
            exact[i],
            1e-13,
            x_pow_cos_x::jvp,
            x_pow_cos_x::vjp,
            x_pow_cos_x::grad,
        );
        let (_, d) = x_pow_cos_x::jvp(x, 1.0);
        assert_fd(&ctx, &|p: &[f64]| x_pow_cos_x(p[0]), &[x], &[1.0], d, FD);
    }
}

// =============================================================================================
// Horner's rule with active coefficients.

#[differentiable]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[differentiable]
fn horner_arr<const N: usize>(c: &[f64; N], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..N).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[test]
fn horner_active_coefficients() {
    let mut rng = Rng::named("horner");
    let c: [f64; 7] = [1.5, -2.0, 0.25, 3.0, -0.5, 1.25, -0.75];
    for x in [-1.3f64, -0.4, 0.0, 0.7, 1.1, 2.0] {
        let ctx = format!("horner at x = {x}");
        // dp/dc_i = x^i, dp/dx = sum i c_i x^(i-1).
        let dc: Vec<f64> = (0..7).map(|i| x.powi(i)).collect();
        let dx: f64 = (1..7).map(|i| i as f64 * c[i] * x.powi(i as i32 - 1)).sum();
        let dxs: f64 = (1..7)
            .map(|i| (i as f64 * c[i] * x.powi(i as i32 - 1)).abs())
            .sum();
        let val: f64 = (0..7).map(|i| c[i] * x.powi(i as i32)).sum();
        let vs: f64 = (0..7).map(|i| (c[i] * x.powi(i as i32)).abs()).sum();

        let (v, (gc, gx)) = horner::grad(bb(&c), bb(x));
        let (va, (gca, gxa)) = horner_arr::grad(bb(&c), bb(x));
        assert_eq!(
            (v, &gc[..], gx),
            (va, &gca[..], gxa),
            "{ctx}: slice and array agree"
        );
        assert_eq!(v, horner(&c, x), "{ctx}: value vs kept fn");
        // Horner and the power sum round differently: a few ulps of the sum of |terms|.
        assert_close(v, val, 1e-14, vs, &format!("{ctx}: value"));
        for i in 0..7 {
            assert_close(gc[i], dc[i], 1e-14, 0.0, &format!("{ctx}: dp/dc[{i}]"));
        }
        assert_close(gx, dx, 1e-13, dxs, &format!("{ctx}: dp/dx"));

        // jvp, vjp, dot identity, FD over (c, x) flattened.
        let f = |p: &[f64]| horner(&p[..7], p[7]);
        let mut p = c.to_vec();
        p.push(x);
        let t = rng.tangents(8);
        let (vj, d) = horner::jvp(bb(&c), bb(x), bb(&t[..7]), bb(t[7]));
        let (_, da) = horner_arr::jvp(bb(&c), bb(x), bb(&arr::<7>(&t[..7])), bb(t[7]));
        assert_eq!(vj, v);
        assert_eq!(d, da);
        assert_fd(&ctx, &f, &p, &t, d, FD);
        let s = rng.tangent();
        let mut cb = vec![0.0; 7];
        let (vv, xb) = horner::vjp(bb(&c), bb(x), bb(s), &mut cb);
        assert_eq!(vv, v);
        let mut bar = cb.clone();
        bar.push(xb);
        assert_dot(&ctx, s, d, &bar, &t, DOT);
        let mut cba = [0.0; 7];
        let (_, xba) = horner_arr::vjp(bb(&c), bb(x), bb(s), &mut cba);
        assert_eq!((cb.clone(), xb), (cba.to_vec(), xba), "{ctx}: array vjp");
        let mut c1 = vec![0.0; 7];
        let (_, x1) = horner::vjp(&c, x, 1.0, &mut c1);
        assert_eq!((c1, x1), (gc.clone(), gx), "{ctx}: grad == vjp(1)");
    }
    // Empty and one-coefficient polynomials.
    let (v, (g, gx)) = horner::grad(&[], 2.0);
    assert_eq!((v, g.len(), gx), (0.0, 0, 0.0));
    let (v, (g, gx)) = horner::grad(&[3.0], 2.0);
    assert_eq!((v, g, gx), (3.0, vec![1.0], 0.0));
}

// =============================================================================================
// 1,000 explicit-Euler steps of a damped oscillator x'' = -k x - d x'.

const STEPS: usize = 1000;

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

#[differentiable(wrt(k, d))]
fn oscillator_n(k: f64, d: f64, x0: f64, v0: f64, dt: f64, steps: usize) -> f64 {
    let mut x = x0;
    let mut v = v0;
    for _ in 0..steps {
        let a = -k * x - d * v;
        x += dt * v;
        v += dt * a;
    }
    x
}

fn oscillator_plain(k: f64, d: f64, x0: f64, v0: f64, dt: f64, steps: usize) -> f64 {
    let (mut x, mut v) = (x0, v0);
    for _ in 0..steps {
        let a = -k * x - d * v;
        x += dt * v;
        v += dt * a;
    }
    x
}

#[test]
fn oscillator_euler_1000_steps() {
    let mut rng = Rng::named("oscillator");
    for (k, d, x0, v0, dt) in [
        (4.0, 0.3, 1.0, 0.0, 0.01),
        (1.0, 0.05, 0.5, -1.0, 0.02),
        (9.0, 1.5, -1.0, 2.0, 0.005),
    ] {
        let ctx = format!("oscillator k={k} d={d}");
        let val = oscillator_plain(k, d, x0, v0, dt, STEPS);
        let f = |p: &[f64]| oscillator_plain(p[0], p[1], x0, v0, dt, STEPS);
        let (v, g) = oscillator::grad(bb(k), bb(d), bb(x0), bb(v0), bb(dt));
        let (vn, gn) = oscillator_n::grad(bb(k), bb(d), bb(x0), bb(v0), bb(dt), bb(STEPS));
        assert_eq!(v, val, "{ctx}: value");
        assert_eq!(vn, val, "{ctx}: value (runtime steps)");
        assert_eq!(g, gn, "{ctx}: const and runtime step counts agree bitwise");
        assert_fd(&format!("{ctx}: d/dk"), &f, &[k, d], &[1.0, 0.0], g.0, FD);
        assert_fd(&format!("{ctx}: d/dd"), &f, &[k, d], &[0.0, 1.0], g.1, FD);
        let (tk, td) = (rng.tangent(), rng.tangent());
        let (vj, dj) = oscillator::jvp(bb(k), bb(d), bb(x0), bb(v0), bb(dt), bb(tk), bb(td));
        let (vjn, djn) = oscillator_n::jvp(
            bb(k),
            bb(d),
            bb(x0),
            bb(v0),
            bb(dt),
            bb(STEPS),
            bb(tk),
            bb(td),
        );
        assert_eq!((vj, vjn), (val, val));
        assert_eq!(dj, djn, "{ctx}: jvp const vs runtime");
        assert_fd(&ctx, &f, &[k, d], &[tk, td], dj, FD);
        let c = rng.tangent();
        let (vv, (bk, bd)) = oscillator::vjp(bb(k), bb(d), bb(x0), bb(v0), bb(dt), bb(c));
        assert_eq!(vv, val);
        // 1000 steps of the same linear recurrence forward and backward: the dot identity holds
        // to rounding of the 1000-step accumulations, ~1e3 eps of the magnitudes.
        assert_dot(&ctx, c, dj, &[bk, bd], &[tk, td], DOT);
        let (_, (bkn, bdn)) =
            oscillator_n::vjp(bb(k), bb(d), bb(x0), bb(v0), bb(dt), bb(STEPS), bb(c));
        assert_dot(
            &format!("{ctx} (runtime steps)"),
            c,
            djn,
            &[bkn, bdn],
            &[tk, td],
            DOT,
        );
        assert_eq!(
            oscillator::vjp(k, d, x0, v0, dt, 1.0).1,
            g,
            "{ctx}: grad == vjp(1)"
        );
    }
    // Runtime step counts other than 1000, including 0 and 1.
    for steps in [0usize, 1, 2, 37, 250] {
        let (k, d, x0, v0, dt) = (2.0, 0.4, 1.0, 0.5, 0.03);
        let f = |p: &[f64]| oscillator_plain(p[0], p[1], x0, v0, dt, steps);
        let (v, g) = oscillator_n::grad(k, d, x0, v0, dt, steps);
        assert_eq!(v, oscillator_plain(k, d, x0, v0, dt, steps));
        let ctx = format!("oscillator {steps} steps");
        if steps <= 1 {
            // x_1 = x0 + dt v0 does not depend on k or d.
            assert_eq!(g, (0.0, 0.0), "{ctx}");
        } else {
            assert_fd(&format!("{ctx}: d/dk"), &f, &[k, d], &[1.0, 0.0], g.0, FD);
            assert_fd(&format!("{ctx}: d/dd"), &f, &[k, d], &[0.0, 1.0], g.1, FD);
        }
        if steps == 2 {
            // x_2 = x0 + 2 dt v0 - dt^2 (k x0 + d v0)... minus nothing else: exact.
            assert_close(g.0, -dt * dt * x0, 1e-15, 0.0, &ctx);
            assert_close(g.1, -dt * dt * v0, 1e-15, 0.0, &ctx);
        }
    }
}

// =============================================================================================
// A `while` loop with a data-dependent trip count.

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
fn while_data_dependent_trip_count() {
    // x / 2^k for k < K (the trip count), then y = x / 2^K:
    // d/dx = sum_k cos(x / 2^k) / 2^k + 2 y / 2^K.
    for x in [0.05f64, -3.0, 0.15, 0.3, 1.0, 7.3, 100.0, 1e6] {
        let (mut y, mut p, mut want, mut val, mut trips) = (x, 1.0f64, 0.0, 0.0, 0);
        while y > 0.1 {
            val += y.sin();
            want += y.cos() * p;
            y *= 0.5;
            p *= 0.5;
            trips += 1;
        }
        val += y * y;
        want += 2.0 * y * p;
        let ctx = format!("halve at {x} ({trips} trips)");
        check1(
            &ctx,
            x,
            val,
            want,
            1e-13,
            halve::jvp,
            halve::vjp,
            halve::grad,
        );
        let (_, d) = halve::jvp(x, 1.0);
        if x.abs() > 1e3 {
            // h = 1e-6 |x| = 1 would be far outside the region where sin(x) is smooth at this
            // scale; the closed form above covers this point.
            continue;
        }
        // The trip count is constant in a neighbourhood of these points.
        assert_fd(&ctx, &|p: &[f64]| halve(p[0]), &[x], &[1.0], d, FD);
    }
}

// =============================================================================================
// Early returns in several branches, also from inside a loop.

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

#[test]
fn early_returns_each_branch() {
    // Branch 1: x < -1 -> x y.
    for (x, y) in [(-1.5, 0.7), (-3.0, -2.0)] {
        check2(
            "return x*y",
            (x, y),
            x * y,
            (y, x),
            1e-14,
            1.0,
            piecewise::jvp,
            piecewise::vjp,
            piecewise::grad,
        );
    }
    // Branch 2: x > 2 -> |x| sin y = x sin y.
    for (x, y) in [(2.5f64, 0.7f64), (3.0, -2.0)] {
        let want = (y.sin(), x * y.cos());
        check2(
            "return sqrt(t)*sin y",
            (x, y),
            x * y.sin(),
            want,
            1e-14,
            1.0,
            piecewise::jvp,
            piecewise::vjp,
            piecewise::grad,
        );
    }
    // Branch 3: -1 <= x <= 2, y < 0 -> (x^2 + y)^2.
    for (x, y) in [(0.5, -0.3), (-0.8, -2.0), (1.9, -0.1)] {
        let u = x * x + y;
        check2(
            "return (t+y)^2",
            (x, y),
            u * u,
            (4.0 * x * u, 2.0 * u),
            1e-14,
            1.0,
            piecewise::jvp,
            piecewise::vjp,
            piecewise::grad,
        );
    }
    // Fall-through: -1 <= x <= 2, y >= 0 -> x^2 e^y.
    for (x, y) in [(0.5f64, 0.3f64), (-0.8, 2.0), (1.9, 0.0)] {
        let e = y.exp();
        check2(
            "fall through",
            (x, y),
            x * x * e,
            (2.0 * x * e, x * x * e),
            1e-14,
            1.0,
            piecewise::jvp,
            piecewise::vjp,
            piecewise::grad,
        );
    }
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
fn early_return_from_a_loop() {
    let x = [0.5, -1.0, 1.5, 2.0, -0.7];
    let mut rng = Rng::named("first_over");
    for limit in [0.1, 1.0, 3.0, 7.0, 100.0] {
        let ctx = format!("first_over limit {limit}");
        // Closed form: stop at the first j with s_j = sum_{i<=j} x_i^2 > limit.
        let mut s = 0.0f64;
        let mut stop = None;
        for (j, xi) in x.iter().enumerate() {
            s += xi * xi;
            if s > limit {
                stop = Some(j);
                break;
            }
        }
        let mut want = [0.0; 5];
        let val = match stop {
            Some(j) => {
                let r = s.sqrt();
                for i in 0..=j {
                    want[i] = x[i] / r * x[j];
                }
                want[j] += r;
                r * x[j]
            }
            None => {
                for i in 0..5 {
                    want[i] = 2.0 * x[i];
                }
                s
            }
        };
        let (v, g) = first_over::grad(bb(&x), bb(limit));
        assert_eq!(v, first_over(&x, limit), "{ctx}: value");
        assert_close(v, val, 1e-14, 0.0, &ctx);
        for i in 0..5 {
            assert_close(g[i], want[i], 1e-14, 1.0, &format!("{ctx}: grad[{i}]"));
        }
        let t = rng.tangents(5);
        let (_, d) = first_over::jvp(bb(&x), bb(limit), bb(&t));
        assert_fd(&ctx, &|p: &[f64]| first_over(p, limit), &x, &t, d, FD);
        let c = rng.tangent();
        let mut b = vec![0.0; 5];
        first_over::vjp(bb(&x), bb(limit), bb(c), &mut b);
        assert_dot(&ctx, c, d, &b, &t, DOT);
    }
}

// =============================================================================================
// ReLU as an `if` expression: the derivative follows the branch taken (notebook 002).

#[differentiable]
fn relu_gt(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

#[differentiable]
fn relu_ge(x: f64) -> f64 {
    if x >= 0.0 {
        x
    } else {
        0.0
    }
}

#[test]
fn relu_if_expression_at_zero() {
    let j = json();
    let t = &j["relu_at_zero"]["torch"]["float64"];
    let want_gt = t["torch.where(x > 0, x, 0)"].as_f64().unwrap();
    let want_ge = t["torch.where(x >= 0, x, 0)"].as_f64().unwrap();
    assert_eq!((want_gt, want_ge), (0.0, 1.0));
    assert_eq!(
        relu_gt::jvp(bb(0.0), bb(1.0)),
        (0.0, want_gt),
        "x > 0 at 0: jvp"
    );
    assert_eq!(relu_gt::grad(bb(0.0)), (0.0, want_gt), "x > 0 at 0: grad");
    assert_eq!(relu_gt::vjp(bb(0.0), bb(-2.0)).1, 0.0, "x > 0 at 0: vjp");
    assert_eq!(
        relu_ge::jvp(bb(0.0), bb(1.0)),
        (0.0, want_ge),
        "x >= 0 at 0: jvp"
    );
    assert_eq!(relu_ge::grad(bb(0.0)), (0.0, want_ge), "x >= 0 at 0: grad");
    assert_eq!(relu_ge::vjp(bb(0.0), bb(-2.0)).1, -2.0, "x >= 0 at 0: vjp");
    // -0.0 compares equal to 0.0.
    assert_eq!(relu_gt::grad(bb(-0.0)).1, 0.0);
    assert_eq!(relu_ge::grad(bb(-0.0)).1, 1.0);
    for x in [-2.0, -1e-300, 1e-300, 3.5] {
        let want = if x > 0.0 { 1.0 } else { 0.0 };
        for (name, g, jv) in [
            ("gt", relu_gt::grad(bb(x)), relu_gt::jvp(bb(x), bb(0.5))),
            ("ge", relu_ge::grad(bb(x)), relu_ge::jvp(bb(x), bb(0.5))),
        ] {
            assert_eq!(g, (x.max(0.0), want), "relu_{name} grad at {x}");
            assert_eq!(jv, (x.max(0.0), 0.5 * want), "relu_{name} jvp at {x}");
        }
    }
}

// =============================================================================================
// `loop` with `break` and `continue`; `match` on an integer loop index.

#[differentiable]
fn loop_break_continue(x: f64) -> f64 {
    let mut s = 0.0;
    let mut p = x;
    let mut i = 0;
    loop {
        i += 1;
        if i > 20 {
            break;
        }
        p = 0.9 * p + 0.1 * x.sin();
        if i % 3 == 0 {
            continue;
        }
        s += p * i as f64;
        if s > 50.0 {
            break;
        }
    }
    s * p
}

/// The same program with hand-written forward mode (value, derivative).
fn loop_bc_plain(x: f64) -> (f64, f64) {
    let (mut s, mut ds, mut p, mut dp) = (0.0, 0.0, x, 1.0);
    let mut i = 0;
    loop {
        i += 1;
        if i > 20 {
            break;
        }
        p = 0.9 * p + 0.1 * x.sin();
        dp = 0.9 * dp + 0.1 * x.cos();
        if i % 3 == 0 {
            continue;
        }
        s += p * i as f64;
        ds += dp * i as f64;
        if s > 50.0 {
            break;
        }
    }
    (s * p, ds * p + s * dp)
}

#[test]
fn loop_with_break_and_continue() {
    // Small x: all 20 iterations; large x: the `s > 50` break fires early.
    for x in [-1.0, 0.3, 0.9, 2.0, 5.0, 12.0] {
        let (val, want) = loop_bc_plain(x);
        let ctx = format!("loop/break/continue at {x}");
        check1(
            &ctx,
            x,
            val,
            want,
            1e-13,
            loop_break_continue::jvp,
            loop_break_continue::vjp,
            loop_break_continue::grad,
        );
        let (_, d) = loop_break_continue::jvp(x, 1.0);
        assert_fd(
            &ctx,
            &|p: &[f64]| loop_break_continue(p[0]),
            &[x],
            &[1.0],
            d,
            FD,
        );
    }
}

const THREE: usize = 3;

#[differentiable]
fn match_index(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        match i % 5 {
            0 => {
                s += x[i].sin();
            }
            1..=2 => {
                s += x[i] * x[i] * i as f64;
            }
            // A bare `THREE =>` is rejected as a "binding" (see the report); the path form is
            // the same constant pattern.
            self::THREE => {
                s *= x[i].cos();
            }
            _ => {
                let c = match i % 2 {
                    0 => x[i].exp(),
                    _ => 2.0 * x[i],
                };
                s += c;
            }
        }
    }
    s
}

fn match_index_plain(x: &[f64]) -> (f64, Vec<f64>) {
    // Forward-mode by hand along every axis: ds[j] = d s / d x[j].
    let n = x.len();
    let mut s = 0.0;
    let mut ds = vec![0.0; n];
    for i in 0..n {
        match i % 5 {
            0 => {
                s += x[i].sin();
                ds[i] += x[i].cos();
            }
            1 | 2 => {
                s += x[i] * x[i] * i as f64;
                ds[i] += 2.0 * x[i] * i as f64;
            }
            3 => {
                let c = x[i].cos();
                for d in ds.iter_mut() {
                    *d *= c;
                }
                ds[i] += -s * x[i].sin();
                s *= c;
            }
            _ => {
                if i % 2 == 0 {
                    s += x[i].exp();
                    ds[i] += x[i].exp();
                } else {
                    s += 2.0 * x[i];
                    ds[i] += 2.0;
                }
            }
        }
    }
    (s, ds)
}

#[test]
fn match_on_loop_index() {
    let mut rng = Rng::named("match");
    for n in [1, 4, 5, 12, 23] {
        let x: Vec<f64> = (0..n).map(|_| rng.range(-1.5, 1.5)).collect();
        let ctx = format!("match_index n={n}");
        let (val, want) = match_index_plain(&x);
        let o = VecOps {
            f: &|x| match_index(x),
            jvp: &|x, v| match_index::jvp(bb(x), bb(v)),
            vjp: &|x, c, b| match_index::vjp(bb(x), bb(c), b),
            grad: &|x| match_index::grad(bb(x)),
        };
        let g = check_vec_ops(&ctx, &o, &x, &[0, n - 1], 2, &mut rng, FD, DOT);
        assert_close(match_index(&x), val, 1e-14, 1.0, &ctx);
        for i in 0..n {
            assert_close(g[i], want[i], 1e-13, 1.0, &format!("{ctx}: grad[{i}]"));
        }
    }
}

// =============================================================================================
// A small neural network: 8 inputs, 32 tanh hidden units, 1 linear output, MSE over 256
// samples. All 321 weights in one active slice `w`, laid out as
//   w[0 .. 256)   W1, 32 x 8 row-major: W1[j][i] = w[j * 8 + i]
//   w[256 .. 288) b1[j]               = w[256 + j]
//   w[288 .. 320) W2[j]               = w[288 + j]
//   w[320]        b2
// Inputs xs: 256 x 8 row-major (xs[s * 8 + i]), targets ys: 256.

const NI: usize = 8;
const NH: usize = 32;
const NW: usize = NH * NI + NH + NH + 1;

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

/// Hand-written backprop with the activation `act(z) = (value, derivative)`.
fn nn_backprop_with(
    w: &[f64],
    xs: &[f64],
    ys: &[f64],
    act: impl Fn(f64) -> (f64, f64),
) -> (f64, Vec<f64>) {
    let m = ys.len();
    let mut g = vec![0.0; NW];
    let mut loss = 0.0;
    let (mut h, mut dh) = ([0.0; NH], [0.0; NH]);
    for s in 0..m {
        let x = &xs[s * NI..(s + 1) * NI];
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * x[i];
            }
            (h[j], dh[j]) = act(z);
            out += w[NH * NI + NH + j] * h[j];
        }
        let r = out - ys[s];
        loss += r * r;
        let dout = 2.0 * r / m as f64;
        g[NH * NI + 2 * NH] += dout;
        for j in 0..NH {
            g[NH * NI + NH + j] += dout * h[j];
            let dz = dout * w[NH * NI + NH + j] * dh[j];
            g[NH * NI + j] += dz;
            for i in 0..NI {
                g[j * NI + i] += dz * x[i];
            }
        }
    }
    (loss / m as f64, g)
}

/// The generator (for the test's further draws), inputs, targets (a smooth teacher plus noise, so the loss and gradient are O(1)) and weights
/// ~ `scale` U(-1/sqrt(fan_in), 1/sqrt(fan_in)) like a default PyTorch init (`scale` 1).
fn nn_data(scale: f64) -> (Rng, Vec<f64>, Vec<f64>, Vec<f64>) {
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
            scale * rng.range(-1.0, 1.0) / (fan_in as f64).sqrt()
        })
        .collect();
    (rng, xs, ys, w)
}

#[test]
fn neural_network_loss() {
    let (mut rng, xs, ys, w) = nn_data(1.0);
    assert_eq!(w.len(), 321);

    let (val, want) = nn_backprop_with(&w, &xs, &ys, |z| {
        let t = z.tanh();
        (t, 1.0 - t * t)
    });
    let (v, g) = nn_loss::grad(bb(&w), bb(&xs), bb(&ys));
    assert_eq!(v, nn_loss(&w, &xs, &ys), "value vs kept fn");
    assert_close(v, val, 1e-14, 0.0, "nn value vs hand-written forward");
    assert_eq!(g.len(), NW);
    // Each component sums 256 per-sample terms, each a product of a few factors: the rounding
    // difference between the generated reverse sweep and the hand-written backprop is
    // ~256 eps of the largest per-sample term, far below 1e-12 of the largest component.
    let gmax = max_abs(&want);
    for k in 0..NW {
        assert_close(
            g[k],
            want[k],
            1e-12,
            gmax,
            &format!("nn grad[{k}] vs backprop"),
        );
    }

    nn_directional_checks(
        "nn",
        &mut rng,
        &w,
        (v, &g),
        &|p: &[f64]| nn_loss(p, &xs, &ys),
        &|p: &[f64], t: &[f64]| nn_loss::jvp(bb(p), bb(&xs), bb(&ys), bb(t)),
        &|p: &[f64], c: f64, b: &mut [f64]| nn_loss::vjp(bb(p), bb(&xs), bb(&ys), bb(c), b),
    );
}

/// The checks both networks share, given the value `v` and gradient `g` at `w`: `jvp` along ~20
/// unit directions (one in each block: W1, b1, W2, b2) against the gradient and finite
/// differences, the dot-product identity on all 321 weights, FD along a random direction, and
/// `grad == vjp(1)`.
fn nn_directional_checks(
    name: &str,
    rng: &mut Rng,
    w: &[f64],
    (v, g): (f64, &[f64]),
    f: &dyn Fn(&[f64]) -> f64,
    jvp: &dyn Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: &dyn Fn(&[f64], f64, &mut [f64]) -> f64,
) {
    let gmax = max_abs(g);
    let mut idx: Vec<usize> = vec![0, 255, 256, 287, 288, 319, 320];
    while idx.len() < 21 {
        idx.push((rng.next_u64() % NW as u64) as usize);
    }
    for &k in &idx {
        let mut e = vec![0.0; NW];
        e[k] = 1.0;
        let (vj, d) = jvp(w, &e);
        assert_eq!(vj, v, "{name}: jvp value");
        assert_close(
            d,
            g[k],
            1e-12,
            gmax,
            &format!("{name} jvp along e_{k} vs grad"),
        );
        assert_fd(&format!("{name} weight {k}"), f, w, &e, d, FD);
    }
    let t = rng.tangents(NW);
    let c = rng.tangent();
    let (_, d) = jvp(w, &t);
    let mut b = vec![0.0; NW];
    let vv = vjp(w, c, &mut b);
    assert_eq!(vv, v, "{name}: vjp value");
    assert_dot(name, c, d, &b, &t, DOT);
    assert_fd(&format!("{name} random direction"), f, w, &t, d, FD);
    let mut one = vec![0.0; NW];
    vjp(w, 1.0, &mut one);
    assert_eq!(one, g, "{name}: grad == vjp(1)");
}

// The same network with the fast tanh (`autodiff::FastMath`), against finite differences, the
// dot-product identity, a hand-written backprop using the kernel's derivative, and the network
// with `tanh`: value and gradient equal to within a few ulp of the largest term.

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

#[test]
fn neural_network_loss_tanh_fast() {
    // Larger weights than `neural_network_loss` (x3), so that some units saturate (|z| up to
    // ~8, tanh within 1e-7 of 1) and the derivative's accuracy there counts.
    let (mut rng, xs, ys, w) = nn_data(3.0);

    let (v, g) = nn_loss_fast::grad(bb(&w), bb(&xs), bb(&ys));
    assert_eq!(v, nn_loss_fast(&w, &xs, &ys), "value vs kept fn");
    let gmax = max_abs(&g);
    // Against the same network with `tanh`: each of the 8,192 activations within 3 ulp, so the
    // loss (a mean of squares of O(1) residuals) within ~1e-15 relative, and each gradient
    // component (sums of 256 terms whose factors 1 - t^2 are within a few ulp) within 1e-14 of
    // the largest.
    let (vt, gt) = nn_loss::grad(bb(&w), bb(&xs), bb(&ys));
    assert_close(v, vt, 1e-15, 0.0, "nn fast value vs tanh");
    for k in 0..NW {
        assert_close(
            g[k],
            gt[k],
            1e-14,
            gmax,
            &format!("nn fast grad[{k}] vs tanh"),
        );
    }
    // Against hand-written backprop on the same kernel: the same rounding budget as
    // `neural_network_loss`.
    let (vh, gh) = nn_backprop_with(&w, &xs, &ys, |z| z.tanh_fast_with_derivative());
    assert_close(v, vh, 1e-14, 0.0, "nn fast value vs hand-written forward");
    for k in 0..NW {
        assert_close(
            g[k],
            gh[k],
            1e-12,
            gmax,
            &format!("nn fast grad[{k}] vs backprop"),
        );
    }

    nn_directional_checks(
        "nn fast",
        &mut rng,
        &w,
        (v, &g),
        &|p: &[f64]| nn_loss_fast(p, &xs, &ys),
        &|p: &[f64], t: &[f64]| nn_loss_fast::jvp(bb(p), bb(&xs), bb(&ys), bb(t)),
        &|p: &[f64], c: f64, b: &mut [f64]| nn_loss_fast::vjp(bb(p), bb(&xs), bb(&ys), bb(c), b),
    );
}

// =============================================================================================
// Local arrays with writes, `step_by`, `..=`, `(a..b).rev()` and shadowing in one program.

#[differentiable]
fn local_array<const N: usize>(x: &[f64; N]) -> f64 {
    let mut a = [0.0; N];
    for i in 0..N {
        a[i] = x[i] * x[i];
    }
    for i in (1..N).step_by(2) {
        a[i] += a[i - 1] * x[i];
    }
    for i in (1..N).rev() {
        a[i - 1] -= 0.5 * a[i].sin();
    }
    let mut s = 0.0;
    for i in 0..=N - 1 {
        let t = a[i];
        let t = t * x[i];
        s += t.tanh();
    }
    s
}

fn local_array_plain(x: &[f64]) -> f64 {
    let n = x.len();
    let mut a: Vec<f64> = x.iter().map(|v| v * v).collect();
    for i in (1..n).step_by(2) {
        a[i] += a[i - 1] * x[i];
    }
    for i in (1..n).rev() {
        a[i - 1] -= 0.5 * a[i].sin();
    }
    (0..n).map(|i| (a[i] * x[i]).tanh()).sum()
}

#[test]
fn local_array_writes_step_by_rev() {
    let mut rng = Rng::named("local array");
    let (f, jvp, vjp, grad) = (
        |x: &[f64]| local_array(&arr::<9>(x)),
        |x: &[f64], v: &[f64]| local_array::jvp(bb(&arr::<9>(x)), bb(&arr::<9>(v))),
        |x: &[f64], c: f64, b: &mut [f64]| {
            let mut bar = arr::<9>(b);
            let v = local_array::vjp(bb(&arr::<9>(x)), bb(c), &mut bar);
            b.copy_from_slice(&bar);
            v
        },
        |x: &[f64]| {
            let (v, g) = local_array::grad(bb(&arr::<9>(x)));
            (v, g.to_vec())
        },
    );
    let o = VecOps {
        f: &f,
        jvp: &jvp,
        vjp: &vjp,
        grad: &grad,
    };
    for k in 0..3 {
        let x: Vec<f64> = (0..9).map(|_| rng.range(-1.2, 1.2)).collect();
        assert_eq!(f(&x), local_array_plain(&x), "kept function");
        check_vec_ops(
            &format!("local_array point {k}"),
            &o,
            &x,
            &[0, 1, 4, 8],
            3,
            &mut rng,
            FD,
            DOT,
        );
    }
}
