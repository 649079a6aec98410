use autodiff::differentiable;

struct S;

impl S {
    #[differentiable]
    fn f(x: f64) -> f64 {
        Self::g(x) * 2.0
    }

    fn g(x: f64) -> f64 {
        x
    }
}

fn main() {}
