//! The test functions of the lecture notebooks (000's f and g, Himmelblau, Beale): gradients
//! against hand-derived formulas, against the oracle (`tests/data/derivatives.json`, the `exact`
//! sympy/mpmath gradients), jvp/vjp/grad consistency, and two spellings of the same function.
mod common;
use autodiff::differentiable;
use common::*;

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

/// g again, with let-bindings and products instead of `powi`.
#[differentiable]
fn g_let(x: f64, y: f64) -> f64 {
    let a = x + 1.0;
    let b = y + 1.0;
    let c = x - 3.0;
    let d = y - 3.0;
    let p = a * a + b * b;
    let q = c * c + d * d + 1.0;
    p * q
}

/// Beale again, with let-bindings, repeated products and a mutable accumulator.
#[differentiable]
fn beale_let(x: f64, y: f64) -> f64 {
    let y2 = y * y;
    let y3 = y2 * y;
    let t1 = 1.5 - x + x * y;
    let t2 = 2.25 - x + x * y2;
    let t3 = 2.625 - x + x * y3;
    let mut s = t1 * t1;
    s += t2 * t2;
    s += t3 * t3;
    s
}

// Hand-derived gradients.
fn f_grad(x: f64, y: f64) -> (f64, f64) {
    (2.0 * (x - 1.0) + y / 2.0, 8.0 * (y + 1.0) + x / 2.0)
}
fn g_grad(x: f64, y: f64) -> (f64, f64) {
    let p = (x + 1.0).powi(2) + (y + 1.0).powi(2);
    let q = (x - 3.0).powi(2) + (y - 3.0).powi(2) + 1.0;
    (
        2.0 * (x + 1.0) * q + 2.0 * (x - 3.0) * p,
        2.0 * (y + 1.0) * q + 2.0 * (y - 3.0) * p,
    )
}
fn himmelblau_grad(x: f64, y: f64) -> (f64, f64) {
    let a = x * x + y - 11.0;
    let b = x + y * y - 7.0;
    (4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b)
}
fn beale_grad(x: f64, y: f64) -> (f64, f64) {
    let t1 = 1.5 - x + x * y;
    let t2 = 2.25 - x + x * y * y;
    let t3 = 2.625 - x + x * y * y * y;
    (
        2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y * y - 1.0) + 2.0 * t3 * (y * y * y - 1.0),
        2.0 * t1 * x + 2.0 * t2 * 2.0 * x * y + 2.0 * t3 * 3.0 * x * y * y,
    )
}

type Jvp = fn(f64, f64, f64, f64) -> (f64, f64);
type Vjp = fn(f64, f64, f64) -> (f64, (f64, f64));
type Grad = fn(f64, f64) -> (f64, (f64, f64));

/// (name, function, jvp, vjp, grad, hand-derived gradient)
#[allow(clippy::type_complexity)]
fn table() -> [(
    &'static str,
    fn(f64, f64) -> f64,
    Jvp,
    Vjp,
    Grad,
    fn(f64, f64) -> (f64, f64),
); 4] {
    [
        ("f", f, f::jvp, f::vjp, f::grad, f_grad),
        ("g", g, g::jvp, g::vjp, g::grad, g_grad),
        (
            "himmelblau",
            himmelblau,
            himmelblau::jvp,
            himmelblau::vjp,
            himmelblau::grad,
            himmelblau_grad,
        ),
        (
            "beale",
            beale,
            beale::jvp,
            beale::vjp,
            beale::grad,
            beale_grad,
        ),
    ]
}

/// Fixed points plus seeded random ones in [-3, 3]^2.
fn points() -> Vec<(f64, f64)> {
    let mut v = vec![
        (3.0, 3.0),
        (0.0, 0.0),
        (-1.5, 2.25),
        (3.5, 4.0),
        (-2.805118, 3.131312),
        (2.9, 0.45),
    ];
    let mut rng = Rng::new(2024);
    v.extend((0..10).map(|_| (rng.range(-3.0, 3.0), rng.range(-3.0, 3.0))));
    v
}

/// The gradient's rounding error is a few ulps of the largest intermediate term, which at these
/// points is at most ~ the function value, hence the floor 1e-12 * max(1, |f|).
#[test]
fn gradients_match_hand_derived_formulas() {
    for (name, func, jvp, vjp, grad, want) in table() {
        for (x, y) in points() {
            let floor = func(x, y).abs().max(1.0);
            check2(
                name,
                (x, y),
                func(x, y),
                want(x, y),
                1e-12,
                floor,
                jvp,
                vjp,
                grad,
            );
        }
    }
}

/// Notebook 000: at (3, 3) f's gradient is exactly (5.5, 33.5) (every step is exact in binary).
#[test]
fn f_gradient_at_3_3_is_exact() {
    assert_eq!(f::grad(bb(3.0), bb(3.0)), (72.5, (5.5, 33.5)));
    assert_eq!(f::jvp(bb(3.0), bb(3.0), bb(1.0), bb(0.0)), (72.5, 5.5));
    assert_eq!(f::jvp(bb(3.0), bb(3.0), bb(0.0), bb(1.0)), (72.5, 33.5));
    assert_eq!(f::vjp(bb(3.0), bb(3.0), bb(2.0)), (72.5, (11.0, 67.0)));
}

fn oracle() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/derivatives.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).expect("derivatives.json parses")
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Against `test_functions.<name>.results[].grad_exact` (sympy + mpmath, correctly rounded) at
/// each stored point. Relative 1e-12 with an absolute floor of 1e-13 * max(1, |f|): some points
/// are (near-)stationary, e.g. Himmelblau's local maximum where the exact gradient is ~2e-5 and
/// our rounding error is a few ulps of the ~13-sized terms (~1e-14).
#[test]
fn gradients_match_oracle_exact_values() {
    let data = oracle();
    let mut k = Checker::new();
    let mut compared = 0;
    for (name, _, jvp, vjp, grad, _) in table() {
        let entry = &data["test_functions"][name];
        let results = entry["results"]
            .as_array()
            .unwrap_or_else(|| panic!("no results for {name}"));
        assert_eq!(results.len(), 5, "{name}: expected 5 stored points");
        for r in results {
            let p = r["point"].as_array().expect("point");
            let (x, y) = (num(&p[0]), num(&p[1]));
            let value = num(&r["value_exact"]);
            let want = r["grad_exact"].as_array().expect("grad_exact");
            let want = (num(&want[0]), num(&want[1]));
            let ctx = format!("{name} at ({x}, {y})");
            let tol = |w: f64| 1e-12 * w.abs() + 1e-13 * value.abs().max(1.0);
            let (v, (gx, gy)) = grad(bb(x), bb(y));
            k.close(&ctx, "value vs value_exact", v, value, tol(value));
            k.close(&ctx, "grad d/dx vs grad_exact", gx, want.0, tol(want.0));
            k.close(&ctx, "grad d/dy vs grad_exact", gy, want.1, tol(want.1));
            k.close(
                &ctx,
                "jvp along x vs grad_exact",
                jvp(bb(x), bb(y), bb(1.0), bb(0.0)).1,
                want.0,
                tol(want.0),
            );
            k.close(
                &ctx,
                "jvp along y vs grad_exact",
                jvp(bb(x), bb(y), bb(0.0), bb(1.0)).1,
                want.1,
                tol(want.1),
            );
            let (_, (bx, by)) = vjp(bb(x), bb(y), bb(1.0));
            k.close(
                &ctx,
                "vjp(seed 1) d/dx vs grad_exact",
                bx,
                want.0,
                tol(want.0),
            );
            k.close(
                &ctx,
                "vjp(seed 1) d/dy vs grad_exact",
                by,
                want.1,
                tol(want.1),
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 20);
    k.finish();
}

/// jvp(v) == <grad, v>, vjp(c) == c * grad, and the dot-product identity, at seeded directions.
#[test]
fn jvp_vjp_grad_are_consistent() {
    let mut rng = Rng::new(7);
    let mut k = Checker::new();
    for (name, func, jvp, vjp, grad, _) in table() {
        for (x, y) in points() {
            let ctx = format!("{name} at ({x}, {y})");
            let (v, (gx, gy)) = grad(bb(x), bb(y));
            k.close(
                &ctx,
                "grad value vs f",
                v,
                func(x, y),
                4.0 * f64::EPSILON * v.abs(),
            );
            let (tx, ty, c) = (rng.tangent(), rng.tangent(), rng.tangent());
            let (_, d) = jvp(bb(x), bb(y), bb(tx), bb(ty));
            let scale = (gx * tx).abs() + (gy * ty).abs();
            k.close(
                &ctx,
                "jvp vs <grad, v>",
                d,
                gx * tx + gy * ty,
                1e-12 * scale,
            );
            let (_, (bx, by)) = vjp(bb(x), bb(y), bb(c));
            // The seed enters the reverse sweep first, so the roundings differ from c * grad:
            // a few ulps of the terms, bounded by ~ |c| max(1, |f|) at these points.
            let floor = c.abs() * v.abs().max(1.0);
            k.close(
                &ctx,
                "vjp x vs c * grad",
                bx,
                c * gx,
                1e-12 * (c * gx).abs().max(floor),
            );
            k.close(
                &ctx,
                "vjp y vs c * grad",
                by,
                c * gy,
                1e-12 * (c * gy).abs().max(floor),
            );
            k.close(
                &ctx,
                "dot identity",
                c * d,
                bx * tx + by * ty,
                1e-12 * (c.abs() * scale),
            );
        }
    }
    k.finish();
}

/// The same function written two ways differentiates to the same numbers.
#[test]
fn two_spellings_agree() {
    let mut k = Checker::new();
    for (x, y) in points() {
        let ctx = format!("at ({x}, {y})");
        for (name, a, b, a_val) in [
            (
                "g vs g_let",
                g::grad(bb(x), bb(y)),
                g_let::grad(bb(x), bb(y)),
                g(x, y),
            ),
            (
                "beale vs beale_let",
                beale::grad(bb(x), bb(y)),
                beale_let::grad(bb(x), bb(y)),
                beale(x, y),
            ),
        ] {
            let tol = |w: f64| 1e-12 * w.abs().max(a_val.abs()).max(1.0);
            k.close(&ctx, &format!("{name}: value"), b.0, a.0, tol(a.0));
            k.close(&ctx, &format!("{name}: d/dx"), b.1 .0, a.1 .0, tol(a.1 .0));
            k.close(&ctx, &format!("{name}: d/dy"), b.1 .1, a.1 .1, tol(a.1 .1));
        }
        let (t, u) = (0.375, -1.25);
        let (ga, gb) = (
            g::jvp(bb(x), bb(y), t, u).1,
            g_let::jvp(bb(x), bb(y), t, u).1,
        );
        k.close(
            &ctx,
            "g vs g_let: jvp",
            gb,
            ga,
            1e-12 * ga.abs().max(g(x, y).abs()).max(1.0),
        );
        let (ba, bb_) = (
            beale::vjp(bb(x), bb(y), 0.5).1,
            beale_let::vjp(bb(x), bb(y), 0.5).1,
        );
        let s = beale(x, y).abs().max(1.0);
        k.close(
            &ctx,
            "beale vs beale_let: vjp x",
            bb_.0,
            ba.0,
            1e-12 * ba.0.abs().max(s),
        );
        k.close(
            &ctx,
            "beale vs beale_let: vjp y",
            bb_.1,
            ba.1,
            1e-12 * ba.1.abs().max(s),
        );
    }
    k.finish();
}

// ---- more of the oracle: one-dimensional notebook functions and Rosenbrock ------------------

/// Notebook 002's h(x) = x^2/20 + tanh(sin x).
#[differentiable]
fn h(x: f64) -> f64 {
    x * x / 20.0 + x.sin().tanh()
}

#[differentiable]
fn rosenbrock2(x: f64, y: f64) -> f64 {
    100.0 * (y - x * x).powi(2) + (1.0 - x).powi(2)
}

/// x^cos(x): `powf` with an active exponent.
#[differentiable]
fn x_pow_cos_x(x: f64) -> f64 {
    x.powf(x.cos())
}

#[differentiable]
fn np_tanh(x: f64) -> f64 {
    x.tanh()
}

/// What the notebook calls tanh: (1 - e^-x) / (1 + e^-x) = tanh(x/2).
#[differentiable]
fn notebook_tanh(x: f64) -> f64 {
    (1.0 - (-x).exp()) / (1.0 + (-x).exp())
}

/// ReLU as `max(x, 0)`: at 0 a tie, 0.5 like torch.maximum / np.maximum.
#[differentiable]
fn relu(x: f64) -> f64 {
    x.max(0.0)
}

fn nums(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(num)
        .collect()
}

/// Relative 1e-12 with an absolute floor of 1e-13 (h has a near-stationary point at 3.985 and
/// its terms are O(1)); Rosenbrock's floor scales with its ~1e3-sized terms.
#[test]
fn one_dimensional_functions_and_rosenbrock_match_oracle() {
    let data = oracle();
    let mut k = Checker::new();
    let tf = &data["test_functions"];
    for r in tf["h"]["results"].as_array().expect("h results") {
        let x = nums(&r["point"])[0];
        let (want, value) = (nums(&r["grad_exact"])[0], num(&r["value_exact"]));
        let ctx = format!("h at {x}");
        let (v, g) = h::grad(bb(x));
        k.close(&ctx, "value", v, value, 1e-12 * value.abs() + 1e-13);
        k.close(&ctx, "grad", g, want, 1e-12 * want.abs() + 1e-13);
        k.close(
            &ctx,
            "jvp",
            h::jvp(bb(x), bb(-2.0)).1,
            -2.0 * want,
            1e-12 * (2.0 * want).abs() + 2e-13,
        );
    }
    for r in tf["rosenbrock_n2"]["results"]
        .as_array()
        .expect("rosenbrock_n2 results")
    {
        let p = nums(&r["point"]);
        let (want, value) = (nums(&r["grad_exact"]), num(&r["value_exact"]));
        let ctx = format!("rosenbrock_n2 at {p:?}");
        let tol = |w: f64| 1e-12 * w.abs() + 1e-13 * value.abs().max(1.0);
        let (v, (gx, gy)) = rosenbrock2::grad(bb(p[0]), bb(p[1]));
        k.close(&ctx, "value", v, value, tol(value));
        k.close(&ctx, "grad d/dx", gx, want[0], tol(want[0]));
        k.close(&ctx, "grad d/dy", gy, want[1], tol(want[1]));
        let (_, (bx, by)) = rosenbrock2::vjp(bb(p[0]), bb(p[1]), bb(1.0));
        k.close(&ctx, "vjp d/dx", bx, want[0], tol(want[0]));
        k.close(&ctx, "vjp d/dy", by, want[1], tol(want[1]));
    }
    let xp = &data["x_pow_cos_x"];
    for (x, want) in nums(&xp["x"]).into_iter().zip(nums(&xp["exact"])) {
        let ctx = format!("x^cos x at {x}");
        k.close(
            &ctx,
            "grad",
            x_pow_cos_x::grad(bb(x)).1,
            want,
            1e-12 * want.abs(),
        );
        k.close(
            &ctx,
            "jvp",
            x_pow_cos_x::jvp(bb(x), bb(1.0)).1,
            want,
            1e-12 * want.abs(),
        );
        k.close(
            &ctx,
            "vjp",
            x_pow_cos_x::vjp(bb(x), bb(1.0)).1,
            want,
            1e-12 * want.abs(),
        );
    }
    for (name, f) in [
        ("np_tanh", np_tanh::grad as fn(f64) -> (f64, f64)),
        ("notebook_tanh", notebook_tanh::grad),
    ] {
        let entry = &data["tanh_derivatives"][name];
        let xs = nums(&entry["x"]);
        let orders = entry["orders"].as_array().expect("orders");
        let first = orders
            .iter()
            .position(|o| o.as_u64() == Some(1))
            .expect("order 1 stored");
        let exact = &entry["exact"];
        let (values, firsts) = (
            nums(&exact[orders.iter().position(|o| o.as_u64() == Some(0)).unwrap()]),
            nums(&exact[first]),
        );
        for ((x, v0), d1) in xs.into_iter().zip(values).zip(firsts) {
            let ctx = format!("{name} at {x}");
            let (v, g) = f(bb(x));
            k.close(
                &ctx,
                "value (order 0)",
                v,
                v0,
                1e-15 * v0.abs().max(1e-300) + 1e-16,
            );
            k.close(&ctx, "first derivative", g, d1, 1e-12 * d1.abs());
        }
    }
    // ReLU at exactly 0, against the stored torch.maximum / np.maximum values.
    let relu0 = &data["relu_at_zero"];
    let torch_max = num(&relu0["torch"]["float64"]["torch.maximum(x, torch.zeros_like(x))"]);
    let autograd_max = num(&relu0["autograd"]["np.maximum(x, 0)"]);
    k.exact(
        "relu at 0",
        "vs torch.maximum",
        relu::grad(bb(0.0)).1,
        torch_max,
    );
    k.exact(
        "relu at 0",
        "vs np.maximum",
        relu::grad(bb(0.0)).1,
        autograd_max,
    );
    k.exact("relu at -1", "grad", relu::grad(bb(-1.0)).1, 0.0);
    k.exact("relu at 2", "grad", relu::grad(bb(2.0)).1, 1.0);
    k.finish();
}
