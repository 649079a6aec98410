use autodiff::differentiable;

#[differentiable]
fn f(x: &[f64; 4]) -> f64 {
    let tail = &x[1..];
    let v = tail.to_vec();
    v[0]
}

fn main() {}
