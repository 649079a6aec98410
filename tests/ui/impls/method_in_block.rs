use autodiff::differentiable;

struct Model {
    scale: f64,
}

#[differentiable]
impl Model {
    fn loss(&self, x: f64) -> f64 {
        x * self.scale
    }
}

fn main() {}
