use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Model {
    w: [f64; 2],
}

#[differentiable(wrt(m))]
fn f<const N: usize>(m: &Model, x: &[f64; N]) -> f64 {
    m.w[0] * x[0]
}

fn main() {}
