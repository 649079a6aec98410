use autodiff::differentiable;

struct Model<T> {
    scale: T,
}

// Const generic parameters are supported; a type parameter is not.
#[differentiable]
impl<T: Copy> Model<T> {
    fn f(x: f64) -> f64 {
        x * 2.0
    }
}

fn main() {}
