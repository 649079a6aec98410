use autodiff::differentiable;

#[differentiable(wrt(a))]
fn f(x: f64, a: &[f64; 3]) -> f64 {
    x * a[0]
}

fn main() {}
