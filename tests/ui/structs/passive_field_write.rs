use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
pub struct Counter {
    pub a: f64,
    #[passive]
    pub calls: usize,
}

#[differentiable(wrt(c))]
fn energy(c: &Counter, x: f64) -> f64 {
    c.calls = 1;
    c.a * x
}

fn main() {}
