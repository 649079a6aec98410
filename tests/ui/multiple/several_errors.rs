use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = x.fract();
    let z = x % 2.0;
    let n = x as i32;
    y * z * (n as f64)
}

fn main() {}
