use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Poly {
    c: Vec<f64>,
    b: f64,
}

#[differentiable(wrt(p))]
fn doubled(p: &Poly) -> f64 {
    // A struct with `Vec` fields built inside the function: not supported.
    let q = Poly { c: vec![p.b; 2], b: p.b * 2.0 };
    q.b + q.c[0]
}

fn main() {}
