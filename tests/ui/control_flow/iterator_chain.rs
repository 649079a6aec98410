use autodiff::differentiable;

#[differentiable]
fn f(x: &[f64]) -> f64 {
    x.iter().skip(1).map(|v| v * v).sum()
}

fn main() {}
