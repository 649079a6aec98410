use autodiff::differentiable;

#[differentiable(wrt(x))]
fn weighted(x: &[f64; 2], w: &[f64; 2]) -> f64 {
    x[0] * w[0] + x[1] * w[1]
}

/// `b` is active here, but `weighted` is not differentiated with respect to `w`.
#[differentiable]
fn outer(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    weighted(a, b)
}

/// The same with every array of the callee left out of its `wrt(..)`.
#[differentiable(wrt(t))]
fn scaled(t: f64, w: &[f64]) -> f64 {
    t * w[0]
}

#[differentiable]
fn outer_slice(a: f64, b: &[f64]) -> f64 {
    scaled(a, b)
}

fn main() {}
