use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Model {
    w: [f64; 2],
    b: f64,
}

#[differentiable(wrt(m))]
fn f(m: &Model) -> f64 {
    m.b = 1.0;
    m.w[0] * m.b
}

fn main() {}
