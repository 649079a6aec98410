//! Calls between `#[differentiable]` functions: same module, another module, three deep, with
//! passive arguments, and user-supplied derivatives (`custom = rule`). Each against closed forms
//! and central differences, in forward and reverse mode.
use autodiff::{differentiable, Scalar};

mod shapes {
    use autodiff::differentiable;

    /// A function in another module.
    #[differentiable]
    pub fn bump(x: f64) -> f64 {
        (-x * x).exp()
    }
}

#[differentiable]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiable(wrt(x))]
fn scaled(x: f64, k: f64, n: usize) -> f64 {
    square(x) * k + n as f64
}

/// Three deep: `chain3 -> scaled -> square`, plus a call into another module.
#[differentiable]
fn chain3(x: f64, y: f64) -> f64 {
    let s = scaled(x * y, 2.0, 3);
    s + shapes::bump(y).sin()
}

/// A call inside a loop and a branch.
#[differentiable]
fn looped(x: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..5 {
        let t = x + i as f64;
        if t > 1.0 {
            acc += square(t).sqrt();
        } else {
            acc -= shapes::bump(t);
        }
    }
    acc
}

/// log(e^x + e^y) without overflow, with its own derivative rule.
#[differentiable(custom = logsumexp_rule)]
fn logsumexp(x: f64, y: f64) -> f64 {
    let m = x.max(y);
    m + ((x - m).exp() + (y - m).exp()).ln()
}

fn logsumexp_rule<S: Scalar<Base = f64>>(x: S, y: S) -> (S, [S; 2]) {
    let m = if x.base() > y.base() { x } else { y };
    let (ex, ey) = ((x - m).exp(), (y - m).exp());
    (m + (ex + ey).ln(), [ex / (ex + ey), ey / (ex + ey)])
}

#[differentiable]
fn uses_custom(x: f64) -> f64 {
    logsumexp(x, 2.0 * x) * 3.0
}

fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// Finite differences in f64 with h ~ 1e-6 are good to ~1e-8 relative for these smooth functions.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn chain_three_deep_matches_closed_form() {
    for &(x, y) in &[(0.7, -1.3), (2.0, 0.5), (-1.1, 0.9)] {
        let (v, (gx, gy)) = chain3::grad(x, y);
        assert_eq!(v, chain3(x, y));
        let b = (-y * y).exp();
        let want_gx = 4.0 * x * y * y;
        let want_gy = 4.0 * x * x * y + b.cos() * (-2.0 * y * b);
        assert!(close(gx, want_gx, 1e-13), "{gx} vs {want_gx}");
        assert!(close(gy, want_gy, 1e-13), "{gy} vs {want_gy}");
        let (_, dx) = chain3::jvp(x, y, 1.0, 0.0);
        let (_, dy) = chain3::jvp(x, y, 0.0, 1.0);
        assert!(close(dx, gx, 1e-14) && close(dy, gy, 1e-14));
        // Second order through calls: H v against differences of the gradient.
        let (_, _, (hx, hy)) = chain3::hvp(x, y, 1.0, 0.0);
        let h = 1e-5;
        let num_hx = (chain3::grad(x + h, y).1 .0 - chain3::grad(x - h, y).1 .0) / (2.0 * h);
        let num_hy = (chain3::grad(x + h, y).1 .1 - chain3::grad(x - h, y).1 .1) / (2.0 * h);
        assert!(
            close(hx, num_hx, 1e-7) && close(hy, num_hy, 1e-7),
            "{hx} {num_hx} {hy} {num_hy}"
        );
    }
}

#[test]
fn calls_inside_loops_and_branches() {
    // Away from x + i = 1, where the branch switches and the function jumps.
    for &x in &[-2.7, -0.25, 0.4, 1.5] {
        let (v, g) = looped::grad(x);
        assert_eq!(v, looped(x));
        let num = fd(looped, x);
        assert!(close(g, num, 1e-7), "x = {x}: {g} vs {num}");
        assert!(close(looped::jvp(x, 1.0).1, g, 1e-14));
    }
}

#[test]
fn custom_rule_is_used_and_stable() {
    // The rule's partials are the softmax weights, also far out where the naive formula
    // would overflow.
    let (v, (a, b)) = logsumexp::grad(1000.0, 999.0);
    assert!((v - (1000.0 + (1.0 + (-1.0f64).exp()).ln())).abs() < 1e-12);
    let w = 1.0 / (1.0 + (-1.0f64).exp());
    assert!((a - w).abs() < 1e-15 && (b - (1.0 - w)).abs() < 1e-15);
    // Through a caller, forward and reverse.
    for &x in &[-2.0, 0.3, 5.0] {
        let (_, g) = uses_custom::grad(x);
        let num = fd(uses_custom, x);
        assert!(close(g, num, 1e-7), "{g} vs {num}");
        assert!(close(uses_custom::jvp(x, 1.0).1, g, 1e-14));
    }
}
