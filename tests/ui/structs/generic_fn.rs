use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Model {
    w: [f64; 2],
}

// A struct parameter in a function with a type parameter (const parameters are supported).
#[differentiable(wrt(m))]
fn f<T: Copy>(m: &Model, x: &[f64; 2], _tag: T) -> f64 {
    m.w[0] * x[0]
}

fn main() {}
