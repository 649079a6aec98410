use autodiff::differentiable;

#[differentiable(wrt(x))]
fn f(x: f64, y: Option<f64>) -> f64 {
    x * y?
}

fn main() {}
