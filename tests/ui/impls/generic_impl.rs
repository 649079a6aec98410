use autodiff::differentiable;

struct Model<const N: usize>;

#[differentiable]
impl<const N: usize> Model<N> {
    fn f(x: f64) -> f64 {
        x * N as f64
    }
}

fn main() {}
