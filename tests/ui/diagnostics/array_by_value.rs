use autodiff::differentiable;

#[differentiable]
fn f(x: [f64; 8]) -> f64 {
    x[0] * x[1]
}

fn main() {}
