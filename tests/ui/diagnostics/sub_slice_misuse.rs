use autodiff::differentiable;

#[differentiable]
fn f(x: &[f64; 4]) -> f64 {
    let (a, b) = (x[0], x[1]);
    let t = (a, b);
    let s = &x[1..3];
    let copy = s;
    a * b + t.0 + copy[0]
}

fn main() {}
