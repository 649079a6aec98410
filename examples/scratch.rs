use autodiff::{differentiable, Scalar};

#[differentiable]
fn sq(x: f64) -> f64 {
    x * x
}

#[differentiable(wrt(x))]
fn scaled(x: f64, k: f64, n: usize) -> f64 {
    sq(x) * k + n as f64
}

#[differentiable]
fn top(x: f64, y: f64) -> f64 {
    scaled(x * y, 2.0, 3) + sq(y).sin()
}

/// log(e^x + e^y), stable.
#[differentiable(custom = lse_rule)]
fn lse(x: f64, y: f64) -> f64 {
    let m = x.max(y);
    m + ((x - m).exp() + (y - m).exp()).ln()
}

fn lse_rule<S: Scalar<Base = f64>>(x: S, y: S) -> (S, [S; 2]) {
    let m = if x.base() > y.base() { x } else { y };
    let ex = (x - m).exp();
    let ey = (y - m).exp();
    let s = ex + ey;
    (m + s.ln(), [ex / s, ey / s])
}

#[differentiable]
fn uses_lse(x: f64) -> f64 {
    lse(x, 2.0 * x) * 3.0
}

fn main() {
    let (x, y) = (0.7, -1.3);
    let h = 1e-6;
    println!(
        "{:?} fd {} {}",
        top::grad(x, y),
        (top(x + h, y) - top(x - h, y)) / (2.0 * h),
        (top(x, y + h) - top(x, y - h)) / (2.0 * h)
    );
    println!("{:?}", top::jvp(x, y, 1.0, 0.0));
    println!(
        "{:?} fd {}",
        uses_lse::grad(x),
        (uses_lse(x + h) - uses_lse(x - h)) / (2.0 * h)
    );
    println!("{:?}", lse::grad(1000.0, 999.0));
}
