use autodiff::differentiable;

struct Wrapper(f64);

#[differentiable]
fn f(x: f64) -> f64 {
    let Wrapper(a) = Wrapper(x * 2.0);
    a * x
}

fn main() {}
