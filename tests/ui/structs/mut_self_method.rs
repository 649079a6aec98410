use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Model {
    b: f64,
}

#[differentiable]
impl Model {
    fn bump(&mut self, x: f64) -> f64 {
        self.b * x
    }
}

fn main() {}
