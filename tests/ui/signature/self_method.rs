use autodiff::differentiable;

struct S;

impl S {
    #[differentiable]
    fn f(&self, x: f64) -> f64 {
        x * 2.0
    }
}

fn main() {}
