use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let n = x as i32;
    x * (n as f64)
}

fn main() {}
