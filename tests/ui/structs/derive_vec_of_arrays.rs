use autodiff::Differentiable;

// A `Vec` of floats is an active field; a `Vec` of arrays is not (yet).
#[derive(Clone, Differentiable)]
struct Points {
    xy: Vec<[f64; 2]>,
    b: f64,
}

fn main() {}
