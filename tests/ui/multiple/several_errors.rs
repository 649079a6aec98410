use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = x.fract();
    let z = x % 2.0;
    if y > z { x } else { y }
}

fn main() {}
