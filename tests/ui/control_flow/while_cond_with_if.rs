use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    while (if y > 1.0 { y } else { x }) < 10.0 {
        y = y * x;
    }
    y
}

fn main() {}
