use autodiff::Differentiable;

#[derive(Clone, Differentiable)]
struct Model {
    w: [f64; 2],
    b: f32,
}

fn main() {}
