use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    x.fract()
}

fn main() {}
