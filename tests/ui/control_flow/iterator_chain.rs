use autodiff::differentiable;

#[differentiable]
fn f(x: &[f64]) -> f64 {
    x.iter().scan(0.0, |acc, v| Some(*acc + v)).sum()
}

fn main() {}
