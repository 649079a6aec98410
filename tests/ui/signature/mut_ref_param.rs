use autodiff::differentiable;

#[differentiable(wrt(x))]
fn f(x: f64, out: &mut f64) -> f64 {
    *out = x;
    x * 2.0
}

fn main() {}
