use autodiff::Differentiable;

#[derive(Clone, Differentiable)]
struct Model {
    w: Vec<f64>,
    b: f64,
}

fn main() {}
