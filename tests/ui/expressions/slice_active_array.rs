use autodiff::differentiable;

#[differentiable]
fn f(x: &[f64; 4]) -> f64 {
    let tail = &x[1..];
    tail.iter().sum::<f64>() + tail[0]
}

fn main() {}
