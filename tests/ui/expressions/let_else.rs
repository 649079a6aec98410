use autodiff::differentiable;

#[differentiable(wrt(x))]
fn f(x: f64, y: Option<f64>) -> f64 {
    let Some(c) = y else { return 0.0 };
    x * c
}

fn main() {}
