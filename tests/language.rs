//! Every supported language construct, differentiated and compared with a closed form.
//! Relative tolerance 1e-12: closed form and generated code evaluate the same derivative with
//! different rounding, a few ulps of terms no larger than ~10x the result at these points.
// `s = s * y` and friends are written out on purpose: they are constructs under test.
#![allow(clippy::assign_op_pattern)]
mod common;
use autodiff::differentiable;
use common::*;

const REL: f64 = 1e-12;
const PTS: [(f64, f64); 4] = [(0.7, 1.3), (-1.1, 0.4), (2.3, -0.6), (0.25, 2.0)];

#[differentiable]
fn with_let(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b = a.sin();
    b * x
}

#[test]
fn let_bindings() {
    for (x, y) in PTS {
        let (s, c) = (x * y).sin_cos();
        let want = (c * y * x + s, c * x * x);
        check2(
            "let",
            (x, y),
            s * x,
            want,
            REL,
            1.0,
            with_let::jvp,
            with_let::vjp,
            with_let::grad,
        );
    }
}

#[differentiable]
fn with_let_mut(x: f64, y: f64) -> f64 {
    let mut s = x * y;
    s = s.sin() + x;
    s = s * y;
    s
}

#[test]
fn let_mut_and_reassignment() {
    for (x, y) in PTS {
        // s = (sin(xy) + x) y
        let (sn, c) = (x * y).sin_cos();
        let want = ((c * y + 1.0) * y, c * x * y + sn + x);
        check2(
            "let mut",
            (x, y),
            (sn + x) * y,
            want,
            REL,
            1.0,
            with_let_mut::jvp,
            with_let_mut::vjp,
            with_let_mut::grad,
        );
    }
}

/// Values overwritten after the adjoint needs them, a variable that starts passive (a literal)
/// and becomes active, an active one overwritten by a constant, a copy taken before mutation.
#[differentiable]
fn starts_passive(x: f64, y: f64) -> f64 {
    let mut s = 0.0;
    s += x * y;
    s *= 2.0;
    s
}
#[differentiable]
fn overwritten_by_constant(x: f64, y: f64) -> f64 {
    let mut a = x * x;
    let b = a * y;
    a = 3.0;
    a * y + b
}
#[differentiable]
fn copy_then_mutate(x: f64, y: f64) -> f64 {
    let mut t = x * y;
    let u = t;
    t *= t;
    u + t
}
#[differentiable]
fn old_value_needed(x: f64, y: f64) -> f64 {
    let mut a = x.sin();
    let b = a * y;
    a = a.exp();
    b * a
}
#[differentiable]
#[allow(unused_assignments)]
fn reassigned_from_other_parameter(x: f64, y: f64) -> f64 {
    let mut a = x;
    a = y;
    a = a * x;
    a
}

#[test]
fn overwritten_values() {
    for (x, y) in PTS {
        check2(
            "starts passive",
            (x, y),
            2.0 * x * y,
            (2.0 * y, 2.0 * x),
            REL,
            1.0,
            starts_passive::jvp,
            starts_passive::vjp,
            starts_passive::grad,
        );
        let v = 3.0 * y + x * x * y;
        check2(
            "overwritten by constant",
            (x, y),
            v,
            (2.0 * x * y, 3.0 + x * x),
            REL,
            1.0,
            overwritten_by_constant::jvp,
            overwritten_by_constant::vjp,
            overwritten_by_constant::grad,
        );
        let p = x * y;
        let want = (y + 2.0 * p * y, x + 2.0 * p * x);
        check2(
            "copy then mutate",
            (x, y),
            p + p * p,
            want,
            REL,
            1.0,
            copy_then_mutate::jvp,
            copy_then_mutate::vjp,
            copy_then_mutate::grad,
        );
        // sin(x) y exp(sin x)
        let (s, c) = x.sin_cos();
        let e = s.exp();
        let want = (c * y * e * (1.0 + s), s * e);
        check2(
            "old value needed",
            (x, y),
            s * y * e,
            want,
            REL,
            1.0,
            old_value_needed::jvp,
            old_value_needed::vjp,
            old_value_needed::grad,
        );
        check2(
            "reassigned",
            (x, y),
            x * y,
            (y, x),
            REL,
            1.0,
            reassigned_from_other_parameter::jvp,
            reassigned_from_other_parameter::vjp,
            reassigned_from_other_parameter::grad,
        );
    }
}

#[differentiable]
fn with_compound(x: f64, y: f64) -> f64 {
    let mut s = x;
    s += x * y;
    s -= 2.0 * y;
    s *= x;
    s /= y + 3.0;
    s
}

/// A compound assignment that reads its own target: `a *= a`, `a += a`, `a /= y`, `a -= a * y`.
#[differentiable]
fn with_self_compound(x: f64, y: f64) -> f64 {
    let mut a = x;
    a *= a;
    a += a;
    a /= y;
    a -= a * y;
    a
}

#[test]
fn compound_assignment() {
    for (x, y) in PTS {
        // s1 = x + xy - 2y, s2 = x s1, s3 = s2 / (y + 3)
        let s1 = x + x * y - 2.0 * y;
        let s2 = x * s1;
        let v = s2 / (y + 3.0);
        let d2x = s1 + x * (1.0 + y);
        let d2y = x * (x - 2.0);
        let want = (
            d2x / (y + 3.0),
            d2y / (y + 3.0) - s2 / ((y + 3.0) * (y + 3.0)),
        );
        check2(
            "compound",
            (x, y),
            v,
            want,
            REL,
            1.0,
            with_compound::jvp,
            with_compound::vjp,
            with_compound::grad,
        );
        // a = 2x^2 / y (1 - y) = 2x^2 (1/y - 1)
        let v = 2.0 * x * x * (1.0 / y - 1.0);
        let want = (4.0 * x * (1.0 / y - 1.0), -2.0 * x * x / (y * y));
        check2(
            "self compound",
            (x, y),
            v,
            want,
            REL,
            1.0,
            with_self_compound::jvp,
            with_self_compound::vjp,
            with_self_compound::grad,
        );
    }
}

#[differentiable]
fn with_shadowing(x: f64, y: f64) -> f64 {
    let x = x * 2.0;
    let y = x + y;
    let x = x * y;
    let y = y.exp();
    x + y
}

#[test]
fn shadowing() {
    for (x, y) in PTS {
        // 2x (2x + y) + exp(2x + y)
        let e = (2.0 * x + y).exp();
        let want = (8.0 * x + 2.0 * y + 2.0 * e, 2.0 * x + e);
        let v = 2.0 * x * (2.0 * x + y) + e;
        check2(
            "shadowing",
            (x, y),
            v,
            want,
            REL,
            1.0,
            with_shadowing::jvp,
            with_shadowing::vjp,
            with_shadowing::grad,
        );
    }
}

#[differentiable]
fn with_blocks(x: f64, y: f64) -> f64 {
    let a = {
        let t = x * y;
        t + {
            let u = x.exp();
            u * 2.0
        }
    };
    a * { y - 1.0 }
}

/// A block that shadows a parameter (the outer `x` is the parameter again afterwards), and a
/// statement block that mutates an outer variable.
#[differentiable]
fn block_scopes(x: f64, y: f64) -> f64 {
    let a = {
        let x = x * 2.0;
        x + 1.0
    };
    let mut s = a * x;
    {
        s *= y;
    }
    s + y
}

#[test]
fn block_scoping() {
    for (x, y) in PTS {
        // (2x + 1) x y + y
        let v = (2.0 * x + 1.0) * x * y + y;
        let want = ((4.0 * x + 1.0) * y, (2.0 * x + 1.0) * x + 1.0);
        check2(
            "block scopes",
            (x, y),
            v,
            want,
            REL,
            1.0,
            block_scopes::jvp,
            block_scopes::vjp,
            block_scopes::grad,
        );
    }
}

#[test]
fn nested_block_expressions() {
    for (x, y) in PTS {
        // (xy + 2 e^x)(y - 1)
        let e = x.exp();
        let a = x * y + 2.0 * e;
        let want = ((y + 2.0 * e) * (y - 1.0), x * (y - 1.0) + a);
        check2(
            "blocks",
            (x, y),
            a * (y - 1.0),
            want,
            REL,
            1.0,
            with_blocks::jvp,
            with_blocks::vjp,
            with_blocks::grad,
        );
    }
}

const SCALE: f64 = 2.5;

#[differentiable]
fn with_consts(x: f64, y: f64) -> f64 {
    const OFFSET: f64 = 0.75;
    SCALE * x * x + OFFSET * y + OFFSET
}

/// Type-annotated `let`, literal spellings, and paths to constants.
#[differentiable]
#[allow(clippy::excessive_precision)]
fn with_literals(x: f64, y: f64) -> f64 {
    let a: f64 = 1e-3 * x + 2.0_f64 * y;
    let b: f64 = 0.5f64 * x * y + 3. * x;
    a + b + core::f64::consts::PI * x + f64::EPSILON
}

#[test]
fn typed_lets_literal_forms_and_path_consts() {
    let pi = std::f64::consts::PI;
    for (x, y) in PTS {
        let v = 1e-3 * x + 2.0 * y + 0.5 * x * y + 3.0 * x + pi * x + f64::EPSILON;
        let want = (1e-3 + 0.5 * y + 3.0 + pi, 2.0 + 0.5 * x);
        check2(
            "literals",
            (x, y),
            v,
            want,
            REL,
            1.0,
            with_literals::jvp,
            with_literals::vjp,
            with_literals::grad,
        );
    }
}

#[test]
fn consts_module_and_local() {
    for (x, y) in PTS {
        let v = 2.5 * x * x + 0.75 * y + 0.75;
        check2(
            "consts",
            (x, y),
            v,
            (5.0 * x, 0.75),
            REL,
            1.0,
            with_consts::jvp,
            with_consts::vjp,
            with_consts::grad,
        );
    }
}

/// Integer arithmetic on a passive integer inside the cast: `(n + 1) as f64`, `(n * 2) as f64`.
#[differentiable]
fn with_cast_of_integer_expression(x: f64, n: usize) -> f64 {
    x * (n + 1) as f64 + (n * 2) as f64
}

/// Integer arithmetic in a `let`, then the cast.
#[differentiable]
fn with_integer_let(x: f64, n: usize) -> f64 {
    let m = n * 2 + 1;
    x * m as f64
}

#[test]
fn casts_of_integer_expressions() {
    for (x, _) in PTS {
        for n in [0usize, 1, 4] {
            let c = |s: &str| format!("cast of integer expression at x = {x}, n = {n}: {s}");
            let (v, g) = with_cast_of_integer_expression::grad(bb(x), bb(n));
            assert_rel(v, x * (n + 1) as f64 + (2 * n) as f64, REL, &c("value"));
            assert_rel(g, (n + 1) as f64, REL, &c("grad"));
            let (_, d) = with_cast_of_integer_expression::jvp(bb(x), bb(n), bb(-0.5));
            assert_rel(d, -0.5 * (n + 1) as f64, REL, &c("jvp"));
            let (v, g) = with_integer_let::grad(bb(x), bb(n));
            assert_rel(v, x * (2 * n + 1) as f64, REL, &c("let value"));
            assert_rel(g, (2 * n + 1) as f64, REL, &c("let grad"));
            assert_rel(
                with_integer_let::vjp(bb(x), bb(n), bb(3.0)).1,
                3.0 * (2 * n + 1) as f64,
                REL,
                &c("let vjp"),
            );
        }
    }
}

/// Parenthesised arithmetic on passive values must keep its grouping.
#[differentiable]
fn with_passive_parentheses(x: f64, n: usize) -> f64 {
    let m = n as f64;
    let k = m * 0.5 + 1.0;
    let c = (m + k) * (k - m);
    let d = -(m - k);
    x * c + d
}

/// Division of passive values.
#[differentiable]
fn with_passive_division(x: f64, n: usize) -> f64 {
    let m = n as f64;
    let d = m / 2.0;
    x * d + d
}

#[test]
fn passive_parenthesised_arithmetic() {
    for (x, _) in PTS {
        for n in [0usize, 2, 7] {
            let m = n as f64;
            let k = m * 0.5 + 1.0;
            let (c, d) = ((m + k) * (k - m), -(m - k));
            let ctx = |s: &str| format!("passive parentheses at x = {x}, n = {n}: {s}");
            let (v, g) = with_passive_parentheses::grad(bb(x), bb(n));
            assert_rel(v, x * c + d, REL, &ctx("value"));
            assert_rel(g, c, REL, &ctx("grad"));
            assert_rel(
                with_passive_parentheses::jvp(bb(x), bb(n), bb(0.5)).1,
                0.5 * c,
                REL,
                &ctx("jvp"),
            );
            let (v, g) = with_passive_division::grad(bb(x), bb(n));
            assert_rel(v, x * m / 2.0 + m / 2.0, REL, &ctx("division value"));
            assert_rel(g, m / 2.0, REL, &ctx("division grad"));
        }
    }
}

/// Intrinsics and literals on passive values (no derivative code needed for them).
#[differentiable]
fn with_passive_math(x: f64, n: usize) -> f64 {
    let m = n as f64;
    m.sqrt() * x + (m + 1.0).ln() + 2.0f64.powf(x) + (3.0f64).ln() * x
}

#[test]
fn intrinsics_on_passive_values_and_literals() {
    for (x, _) in PTS {
        for n in [1usize, 4, 9] {
            let m = n as f64;
            let v = m.sqrt() * x + (m + 1.0).ln() + 2.0f64.powf(x) + 3.0f64.ln() * x;
            let want = m.sqrt() + 2.0f64.powf(x) * 2.0f64.ln() + 3.0f64.ln();
            let (val, g) = with_passive_math::grad(bb(x), bb(n));
            assert_rel(val, v, REL, "passive math value");
            assert_rel(g, want, REL, "passive math grad");
            assert_rel(
                with_passive_math::jvp(bb(x), bb(n), bb(2.0)).1,
                2.0 * want,
                REL,
                "passive math jvp",
            );
        }
    }
}

#[differentiable]
fn with_cast(x: f64, n: usize, k: i32) -> f64 {
    let m = n as f64;
    x * m + (k as f64) * x.sin() + m * m
}

#[test]
fn integer_to_float_casts_with_passive_integers() {
    for (x, _) in PTS {
        for (n, k) in [(0usize, 1i32), (3, -2), (10, 7)] {
            let m = n as f64;
            let v = x * m + k as f64 * x.sin() + m * m;
            let want = m + k as f64 * x.cos();
            let c = |s: &str| format!("cast at x = {x}, n = {n}, k = {k}: {s}");
            let (val, d) = with_cast::jvp(bb(x), bb(n), bb(k), bb(1.5));
            assert_rel(val, v, REL, &c("jvp value"));
            assert_rel(d, 1.5 * want, REL, &c("jvp"));
            let (_, b) = with_cast::vjp(bb(x), bb(n), bb(k), bb(-0.5));
            assert_rel(b, -0.5 * want, REL, &c("vjp"));
            let (val, g) = with_cast::grad(bb(x), bb(n), bb(k));
            assert_rel(val, v, REL, &c("grad value"));
            assert_rel(g, want, REL, &c("grad"));
        }
    }
}

/// Passive bool and slice parameters stay in their place; only `x` and `y` are active.
#[differentiable(wrt(x, y))]
fn with_passive_data(x: f64, _data: &[f64], _flag: bool, y: f64) -> f64 {
    x * x * y + y
}

#[test]
fn passive_bool_and_slice_parameters() {
    let data = [1.0, 2.0, 3.0];
    for (x, y) in PTS {
        for flag in [true, false] {
            let want = (2.0 * x * y, x * x + 1.0);
            let v = x * x * y + y;
            let d: &[f64] = bb(&data);
            check2(
                "passive data",
                (x, y),
                v,
                want,
                REL,
                1.0,
                |x, y, dx, dy| with_passive_data::jvp(x, d, bb(flag), y, dx, dy),
                |x, y, c| with_passive_data::vjp(x, d, bb(flag), y, c),
                |x, y| with_passive_data::grad(x, d, bb(flag), y),
            );
        }
    }
}

/// `wrt` picks a subset of the float parameters; `y` is passive although it is an f64.
#[differentiable(wrt(x, z))]
fn with_wrt_subset(x: f64, y: f64, z: f64) -> f64 {
    x * y + z * y * y + x * z
}

#[test]
fn wrt_selects_a_subset() {
    for (x, y) in PTS {
        let z = 0.5 - y;
        let v = x * y + z * y * y + x * z;
        let (gx, gz) = (y + z, y * y + x);
        let (val, (ax, az)) = with_wrt_subset::grad(bb(x), bb(y), bb(z));
        assert_rel(val, v, REL, "wrt grad value");
        assert_rel(ax, gx, REL, "wrt grad d/dx");
        assert_rel(az, gz, REL, "wrt grad d/dz");
        let (_, d) = with_wrt_subset::jvp(bb(x), bb(y), bb(z), bb(0.5), bb(-2.0));
        assert_rel(d, 0.5 * gx - 2.0 * gz, REL, "wrt jvp");
        let (_, (bx, bz)) = with_wrt_subset::vjp(bb(x), bb(y), bb(z), bb(3.0));
        assert_rel(bx, 3.0 * gx, REL, "wrt vjp x");
        assert_rel(bz, 3.0 * gz, REL, "wrt vjp z");
    }
}

#[differentiable]
fn three(x: f64, y: f64, z: f64) -> f64 {
    x * y * z + (x - z).powi(2) + y.exp()
}

#[test]
fn three_active_parameters() {
    for (x, y) in PTS {
        let z = x - 2.0 * y;
        let v = x * y * z + (x - z).powi(2) + y.exp();
        let g = (
            y * z + 2.0 * (x - z),
            x * z + y.exp(),
            x * y - 2.0 * (x - z),
        );
        let (val, (gx, gy, gz)) = three::grad(bb(x), bb(y), bb(z));
        assert_rel(val, v, REL, "three value");
        assert_rel(gx, g.0, REL, "three d/dx");
        assert_rel(gy, g.1, REL, "three d/dy");
        assert_rel(gz, g.2, REL, "three d/dz");
        let (t0, t1, t2) = (0.5, -1.5, 2.0);
        let (_, d) = three::jvp(bb(x), bb(y), bb(z), bb(t0), bb(t1), bb(t2));
        let terms = (g.0 * t0).abs() + (g.1 * t1).abs() + (g.2 * t2).abs();
        assert_close(d, g.0 * t0 + g.1 * t1 + g.2 * t2, REL, terms, "three jvp");
        let (val, (bx, by, bz)) = three::vjp(bb(x), bb(y), bb(z), bb(-0.25));
        assert_rel(val, v, REL, "three vjp value");
        assert_rel(bx, -0.25 * g.0, REL, "three vjp x");
        assert_rel(by, -0.25 * g.1, REL, "three vjp y");
        assert_rel(bz, -0.25 * g.2, REL, "three vjp z");
    }
}

#[differentiable]
fn in_f32(x: f32, y: f32) -> f32 {
    let s = x.sin();
    s * y + y * y / 2.0
}

#[test]
fn f32_function() {
    for (x, y) in PTS {
        let (x, y) = (x as f32, y as f32);
        // f32 all the way (the annotations fail to compile on any promotion).
        let (v, (gx, gy)): (f32, (f32, f32)) = in_f32::grad(bb(x), bb(y));
        let (_, d): (f32, f32) = in_f32::jvp(bb(x), bb(y), bb(1.0f32), bb(-1.0f32));
        let (_, (bx, by)): (f32, (f32, f32)) = in_f32::vjp(bb(x), bb(y), bb(2.0f32));
        let (x, y) = (x as f64, y as f64);
        let want = (x.cos() * y, x.sin() + y);
        // A handful of f32 roundings (eps 1.2e-7) of O(1) terms.
        let r = 1e-6;
        assert_close(v as f64, x.sin() * y + y * y / 2.0, r, 1.0, "f32 value");
        assert_close(gx as f64, want.0, r, 1.0, "f32 d/dx");
        assert_close(gy as f64, want.1, r, 1.0, "f32 d/dy");
        assert_close(d as f64, want.0 - want.1, r, 1.0, "f32 jvp");
        assert_close(bx as f64, 2.0 * want.0, r, 1.0, "f32 vjp x");
        assert_close(by as f64, 2.0 * want.1, r, 1.0, "f32 vjp y");
    }
}

#[differentiable]
#[allow(clippy::needless_return)]
fn with_return(x: f64) -> f64 {
    let a = x * x;
    return a * x + 1.0;
}

#[test]
fn return_as_last_statement() {
    for (x, _) in PTS {
        check1(
            "return",
            x,
            x * x * x + 1.0,
            3.0 * x * x,
            REL,
            with_return::jvp,
            with_return::vjp,
            with_return::grad,
        );
    }
}

#[differentiable]
#[allow(double_negations)]
fn with_neg(x: f64, y: f64) -> f64 {
    -x * y + -(x - y) + -(-x).sin() - -y
}

#[test]
fn unary_minus() {
    for (x, y) in PTS {
        // -xy - x + y + sin(x) + y
        let v = -x * y - (x - y) + x.sin() + y;
        let want = (-y - 1.0 + x.cos(), -x + 2.0);
        check2(
            "unary minus",
            (x, y),
            v,
            want,
            REL,
            1.0,
            with_neg::jvp,
            with_neg::vjp,
            with_neg::grad,
        );
    }
}

#[differentiable]
fn deeply_nested(x: f64, y: f64) -> f64 {
    ((x * (y * (x * (y + 1.0) + 1.0) + 1.0) + 1.0).ln()
        * (x * (y * (x * (y + 1.0) + 1.0) + 1.0) + 1.0).sqrt())
    .exp()
        / (((((x + y) * 2.0 - 1.0) * 3.0 + x) / 2.0 - y) * 0.5 + 10.0)
}

#[test]
fn deeply_nested_expression() {
    for (x, y) in [(0.7f64, 1.3f64), (1.1, 0.4), (2.3, 0.6), (0.25, 2.0)] {
        // p = x^2 y (y + 1) + x y + x + 1, h = exp(ln p sqrt p), q = (7x + 4y - 3)/4 + 10
        let p = x * x * y * (y + 1.0) + x * y + x + 1.0;
        let (px, py) = (
            2.0 * x * y * (y + 1.0) + y + 1.0,
            x * x * (2.0 * y + 1.0) + x,
        );
        let h = (p.ln() * p.sqrt()).exp();
        let hp = h * (1.0 / p.sqrt() + p.ln() / (2.0 * p.sqrt()));
        let q = (7.0 * x + 4.0 * y - 3.0) / 4.0 + 10.0;
        let (qx, qy) = (1.75, 1.0);
        let want = (
            (hp * px * q - h * qx) / (q * q),
            (hp * py * q - h * qy) / (q * q),
        );
        check2(
            "deeply nested",
            (x, y),
            h / q,
            want,
            REL,
            1.0,
            deeply_nested::jvp,
            deeply_nested::vjp,
            deeply_nested::grad,
        );
    }
}
