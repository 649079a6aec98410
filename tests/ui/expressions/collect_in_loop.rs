use autodiff::differentiable;

#[differentiable]
fn f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..2 {
        let r: Vec<f64> = x.iter().map(|v| v * k as f64).collect();
        s += r[0];
    }
    s
}

fn main() {}
