//! User code whose names could collide with the macro's generated names: locals named like
//! temporaries, adjoints, tangents and the derivative namespace's items, parameters named like
//! generated arguments, shadowed parameters, and module-level decoys for the paths generated
//! code might use unqualified. All must differentiate correctly (hand-derived formulas).
#![allow(non_snake_case, clippy::all)]
mod common;
use common::*;

const REL: f64 = 1e-12;
const PTS: [(f64, f64); 4] = [(0.7, 1.3), (-1.1, 0.4), (2.3, -0.6), (0.25, 2.0)];

#[::autodiff::differentiable]
fn temporaries(x: f64, y: f64) -> f64 {
    let __t0 = x * y;
    let __t1 = __t0.sin();
    let x_b = __t1 + x;
    let x_d = x_b * y;
    let x_bar = x_d - __t0;
    let seed = x_bar * 2.0;
    let dx = seed + y;
    let tmp = dx * dx;
    let S = tmp / (1.0 + y * y);
    let grad = S + x;
    let jvp = grad * y;
    let y_bar = jvp - x;
    let out_bar = y_bar * 0.5;
    let __out = out_bar + __t1;
    __out
}

/// Forward-mode by hand of `temporaries`: (value, d/dx, d/dy).
fn temporaries_by_hand(x: f64, y: f64) -> (f64, f64, f64) {
    let (s, c) = (x * y).sin_cos();
    // x_bar = (sin(xy) + x) y - xy = y sin(xy)
    let (xb, xb_x, xb_y) = (y * s, y * y * c, s + x * y * c);
    let (sd, sd_x, sd_y) = (2.0 * xb, 2.0 * xb_x, 2.0 * xb_y);
    let (dx, dx_x, dx_y) = (sd + y, sd_x, sd_y + 1.0);
    let (t, t_x, t_y) = (dx * dx, 2.0 * dx * dx_x, 2.0 * dx * dx_y);
    let q = 1.0 + y * y;
    let (S, S_x, S_y) = (t / q, t_x / q, t_y / q - t * 2.0 * y / (q * q));
    let (g, g_x, g_y) = (S + x, S_x + 1.0, S_y);
    let (j, j_x, j_y) = (g * y, g_x * y, g_y * y + g);
    let (yb, yb_x, yb_y) = (j - x, j_x - 1.0, j_y);
    (yb * 0.5 + s, yb_x * 0.5 + y * c, yb_y * 0.5 + x * c)
}

#[test]
fn locals_named_like_generated_temporaries() {
    for (x, y) in PTS {
        let (v, gx, gy) = temporaries_by_hand(x, y);
        check2(
            "temporaries",
            (x, y),
            v,
            (gx, gy),
            REL,
            v.abs().max(1.0),
            temporaries::jvp,
            temporaries::vjp,
            temporaries::grad,
        );
    }
}

/// Parameters named like the generated tangent/adjoint/seed arguments.
#[::autodiff::differentiable]
fn params_named_like_generated(x: f64, dx: f64, x_bar: f64, seed: f64) -> f64 {
    x * dx + x_bar.exp() * seed - seed / (1.0 + dx * dx)
}

#[test]
fn parameters_named_like_generated_arguments() {
    let (x, dx, x_bar, seed): (f64, f64, f64, f64) = (0.7, -1.2, 0.3, 2.5);
    let q = 1.0 + dx * dx;
    let e = x_bar.exp();
    let v = x * dx + e * seed - seed / q;
    let g = (dx, x + seed * 2.0 * dx / (q * q), e * seed, e - 1.0 / q);
    let (val, (g0, g1, g2, g3)) =
        params_named_like_generated::grad(bb(x), bb(dx), bb(x_bar), bb(seed));
    assert_rel(val, v, REL, "value");
    assert_rel(g0, g.0, REL, "d/dx");
    assert_rel(g1, g.1, REL, "d/d(dx)");
    assert_rel(g2, g.2, REL, "d/d(x_bar)");
    assert_rel(g3, g.3, REL, "d/d(seed)");
    let t = (0.5, -0.25, 1.5, -1.0);
    let (_, d) = params_named_like_generated::jvp(
        bb(x),
        bb(dx),
        bb(x_bar),
        bb(seed),
        bb(t.0),
        bb(t.1),
        bb(t.2),
        bb(t.3),
    );
    let terms = [g.0 * t.0, g.1 * t.1, g.2 * t.2, g.3 * t.3];
    assert_close(
        d,
        terms.iter().sum(),
        REL,
        terms.iter().map(|a| a.abs()).sum(),
        "jvp",
    );
    let (_, (b0, b1, b2, b3)) =
        params_named_like_generated::vjp(bb(x), bb(dx), bb(x_bar), bb(seed), bb(-3.0));
    assert_rel(b0, -3.0 * g.0, REL, "vjp x");
    assert_rel(b1, -3.0 * g.1, REL, "vjp dx");
    assert_rel(b2, -3.0 * g.2, REL, "vjp x_bar");
    assert_rel(b3, -3.0 * g.3, REL, "vjp seed");
}

#[::autodiff::differentiable]
fn shadows_parameter(x: f64) -> f64 {
    let x = x * x;
    let x = x.sin() + x;
    x
}

#[test]
fn shadowed_parameters() {
    for (x, _) in PTS {
        let v = (x * x).sin() + x * x;
        let want = ((x * x).cos() + 1.0) * 2.0 * x;
        check1(
            "shadows_parameter",
            x,
            v,
            want,
            REL,
            shadows_parameter::jvp,
            shadows_parameter::vjp,
            shadows_parameter::grad,
        );
    }
}

/// Locals named like the items of the derivative namespace, and like the function itself.
#[::autodiff::differentiable]
fn namespace_names(x: f64, y: f64) -> f64 {
    let jvp = x * y;
    let vjp = jvp + x;
    let grad = vjp * vjp;
    let hvp = grad - y;
    let objective = hvp * 0.5;
    let namespace_names = objective + x;
    namespace_names
}

#[test]
fn locals_named_like_namespace_items() {
    for (x, y) in PTS {
        // ((xy + x)^2 - y) / 2 + x
        let u = x * y + x;
        let v = (u * u - y) * 0.5 + x;
        let want = (u * (y + 1.0) + 1.0, u * x - 0.5);
        check2(
            "namespace_names",
            (x, y),
            v,
            want,
            REL,
            v.abs().max(1.0),
            namespace_names::jvp,
            namespace_names::vjp,
            namespace_names::grad,
        );
    }
}

/// Decoys for names that generated code must not resolve relative to the user's module.
mod decoys {
    #![allow(dead_code, unused_imports)]
    mod core {}
    mod std {}
    mod autodiff {}
    mod rules {}
    mod __private {}
    struct Scalar;
    struct Float;
    struct Dual;
    fn sin(_: f64) -> f64 {
        0.0
    }
    fn cos(_: f64) -> f64 {
        0.0
    }

    #[::autodiff::differentiable]
    pub fn with_decoys(x: f64, y: f64) -> f64 {
        x.sin() * y.cos() + x.powi(2) * y
    }
}

#[test]
fn decoy_items_in_the_users_module() {
    for (x, y) in PTS {
        let v = x.sin() * y.cos() + x * x * y;
        let want = (x.cos() * y.cos() + 2.0 * x * y, -x.sin() * y.sin() + x * x);
        check2(
            "decoys",
            (x, y),
            v,
            want,
            REL,
            1.0,
            decoys::with_decoys::jvp,
            decoys::with_decoys::vjp,
            decoys::with_decoys::grad,
        );
    }
}
