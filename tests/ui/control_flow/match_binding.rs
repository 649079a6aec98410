use autodiff::differentiable;

#[differentiable]
fn f(x: f64, n: u32) -> f64 {
    match n {
        0 => x,
        k => x * (k as f64),
    }
}

fn main() {}
