use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: f64,
}

// A struct with `Vec` fields has its size at run time: it cannot be nested.
#[derive(Clone, Differentiable)]
struct Net {
    layer: Layer,
    out: f64,
}

#[differentiable(wrt(n))]
fn loss(n: &Net) -> f64 {
    n.out * n.out
}

fn main() {
    let n = Net { layer: Layer { w: vec![1.0], b: 0.0 }, out: 1.0 };
    let _ = loss::grad(&n);
}
