use autodiff::differentiable;

#[differentiable(wrt(x))]
fn f(x: f64, c: Option<f64>) -> f64 {
    let mut y = x;
    if let Some(k) = c {
        y = y * k;
    }
    y
}

fn main() {}
