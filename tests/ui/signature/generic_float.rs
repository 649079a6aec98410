use autodiff::differentiable;

// Generic over the float type: write it for `f64` (or `f32`); the generated code is generic
// over the runtime's scalar internally.
#[differentiable]
fn square<T: core::ops::Mul<Output = T> + Copy>(x: T) -> T {
    x * x
}

fn main() {}
