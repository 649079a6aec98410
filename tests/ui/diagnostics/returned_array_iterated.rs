use autodiff::differentiable;

#[differentiable]
fn residuals(x: &[f64; 3]) -> [f64; 3] {
    [x[0] - 1.0, x[1] * x[0], x[2] + x[1]]
}

// The result used whole, as one first writes it: iterated, looped over, measured.
#[differentiable]
fn loss(x: &[f64; 3]) -> f64 {
    let r = residuals(x);
    r.iter().map(|v| v * v).sum()
}

#[differentiable]
fn total(x: &[f64; 3]) -> f64 {
    let r = residuals(x);
    let mut s = 0.0;
    for v in &r {
        s += v;
    }
    s
}

fn main() {}
