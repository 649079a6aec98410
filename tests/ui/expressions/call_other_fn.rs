use autodiff::differentiable;

fn square(t: f64) -> f64 {
    t * t
}

#[differentiable]
fn f(x: f64) -> f64 {
    square(x) + 1.0
}

fn main() {}
