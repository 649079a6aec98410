use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = x * 2.0;
    match y {
        0.0 => 1.0,
        _ => y,
    }
}

fn main() {}
