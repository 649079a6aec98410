use autodiff::differentiable;

#[differentiable(wrt(x))]
fn f(x: f64, c: Option<f64>) -> f64 {
    let mut y = x;
    while let Some(_) = c {
        y = y * x;
    }
    y
}

fn main() {}
