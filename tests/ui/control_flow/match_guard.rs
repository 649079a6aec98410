use autodiff::differentiable;

#[differentiable]
fn f(x: f64, n: u32) -> f64 {
    match n {
        0 if n < 5 => x,
        _ => 2.0 * x,
    }
}

fn main() {}
