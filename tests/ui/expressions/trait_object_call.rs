use autodiff::differentiable;

// A closure passed in as a trait object: its body cannot be differentiated.
#[differentiable(wrt(x))]
fn apply(x: f64, g: &dyn Fn(f64) -> f64) -> f64 {
    g(x) * x
}

fn main() {}
