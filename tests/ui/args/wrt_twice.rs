use autodiff::differentiable;

#[differentiable(wrt(x, x))]
fn f(x: f64) -> f64 {
    x * 2.0
}

fn main() {}
