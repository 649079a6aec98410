use autodiff::differentiable;

type Real = f64;

#[differentiable]
fn f(x: Real, data: &[Real]) -> Real {
    x * data[0]
}

fn main() {}
