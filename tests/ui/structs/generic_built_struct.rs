use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Mlp<const H: usize> {
    w: [f64; H],
    b: f64,
}

#[differentiable]
impl<const H: usize> Mlp<H> {
    fn loss(&self, x: f64) -> f64 {
        // A struct built inside a generic block: not yet.
        let q = Self { w: self.w, b: self.b * x };
        q.b * q.w[0]
    }
}

fn main() {}
