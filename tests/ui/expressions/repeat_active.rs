use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let a = [x; 4];
    a[0] * a[3]
}

fn main() {}
