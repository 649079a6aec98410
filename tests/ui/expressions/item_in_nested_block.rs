use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = {
        const K: f64 = 2.0;
        K * x
    };
    y
}

fn main() {}
