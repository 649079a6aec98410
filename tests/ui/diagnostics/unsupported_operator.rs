use autodiff::differentiable;

#[differentiable]
fn f(x: f64, k: u32) -> f64 {
    if (k & 1) == 0 && x > 0.0 {
        x % 2.0
    } else {
        x
    }
}

fn main() {}
