use autodiff::differentiable;

#[differentiable]
fn pair(x: f64) -> [f64; 2] {
    [x * x, 2.0 * x]
}

/// Bound without its type and not used: the call is taken for a number.
#[differentiable]
fn unused(x: f64) -> f64 {
    let p = pair(x);
    x * 3.0
}


fn main() {}
