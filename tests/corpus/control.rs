//! Boolean conditions (`&&`, `||`, `!`) on active comparisons with short-circuit evaluation,
//! and `match`/`if` branches that `return`, `break` or `continue`.

use crate::*;
use autodiff::{differentiable, Dual, Scalar};

/// Newton's square root with the loop condition a C or NumPy port writes.
#[differentiable]
fn sqrt_newton(a: f64) -> f64 {
    let mut y = a;
    let mut it = 0;
    while (y * y - a).abs() > 1e-13 * a && it < 100 {
        y = 0.5 * (y + a / y);
        it += 1;
    }
    y
}

/// The same program over any scalar: an evaluation independent of the macro.
fn sqrt_newton_generic<S: Scalar<Base = f64>>(a: S) -> S {
    let mut y = a;
    let mut it = 0;
    while (y * y - a).abs().base() > 1e-13 * a.base() && it < 100 {
        y = S::cst(0.5) * (y + a / y);
        it += 1;
    }
    y
}

#[differentiable]
fn branches(x: f64, y: f64) -> f64 {
    if !(x > 0.0) || (y < 0.0 && x * y < -1.0) {
        x * y
    } else if x > y || !(y < 3.0) {
        x.sin() * y
    } else {
        x + y * y
    }
}

/// `||` must not evaluate its right side when the left decides (here: an out-of-bounds read).
#[differentiable]
fn short_circuit(x: &[f64; 3], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        if i >= 3 || x[i] < 0.0 {
            continue;
        }
        s += x[i] * x[i];
    }
    if k < 3 && x[k] > 1.0 {
        s * x[k]
    } else {
        s
    }
}

#[differentiable]
fn early_exits(x: f64, n: i32) -> f64 {
    let v = match n {
        0 => return x * x,
        1 => {
            return x.sin();
        }
        _ => x * 3.0,
    };
    let w = if v > 100.0 { return v } else { v * v };
    w + 1.0
}

#[differentiable]
fn loop_exits(x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..10 {
        let t = if i == 3 {
            continue;
        } else if i == 7 {
            break;
        } else {
            x * i as f64
        };
        s += t * x;
    }
    s
}

#[test]
fn boolean_conditions() {
    for a in [0.3, 2.0, 17.0] {
        let g = check("sqrt_newton", &fns1!(sqrt_newton), &[a]);
        let (v, want) = dual_grad(&|d| sqrt_newton_generic(d[0]), &[a]);
        assert_eq!(v, sqrt_newton(a));
        assert_grad_eq("sqrt_newton", &g, &want, 1e-14);
        // The iteration stops at a 1e-13 residual: its derivative is the closed form to ~1e-12.
        assert_grad_eq("sqrt_newton closed form", &g, &[0.5 / a.sqrt()], 1e-11);
        let (_, _, h) = sqrt_newton::hvp(a, 1.0);
        assert_close(h, -0.25 * a.powf(-1.5), 1e-10, 0.0, "sqrt'' ");
    }
    for x in [
        [0.7, 1.3],
        [-0.7, 1.3],
        [2.0, -1.0],
        [0.5, -0.5],
        [1.5, 3.5],
    ] {
        check("branches", &fns2!(branches), &x);
    }
    let x = [1.5, -0.5, 0.8];
    let g = check("short_circuit", &fns_arr!(short_circuit, 3, 0), &x);
    // s = x0^2 + x2^2, times x0
    let s = x[0] * x[0] + x[2] * x[2];
    assert_grad_eq(
        "short_circuit",
        &g,
        &[s + 2.0 * x[0] * x[0], 0.0, 2.0 * x[2] * x[0]],
        1e-15,
    );
    check("short_circuit k=5", &fns_arr!(short_circuit, 3, 5), &x);
}

#[test]
fn diverging_branches() {
    assert_eq!(early_exits::grad(2.0, 0), (4.0, 4.0));
    assert_eq!(early_exits::grad(2.0, 1), (2.0f64.sin(), 2.0f64.cos()));
    assert_eq!(early_exits::grad(2.0, 2), (37.0, 36.0));
    assert_eq!(early_exits::grad(40.0, 2), (120.0, 3.0));
    for n in 0..3 {
        check("early_exits", &fns1!(early_exits, n), &[1.3]);
    }
    // sum over i in {0,1,2,4,5,6} of i x^2 = 18 x^2
    let g = check("loop_exits", &fns1!(loop_exits), &[1.1]);
    assert_grad_eq("loop_exits", &g, &[36.0 * 1.1], 1e-15);
    let (_, _, h) = loop_exits::hvp(1.1, 1.0);
    assert_eq!(h, 36.0);
    let _ = Dual::new(0.0, 0.0);
}
