use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Inner {
    a: f64,
}

#[derive(Clone, Differentiable)]
struct Outer {
    inner: Inner,
    b: f64,
}

#[differentiable(wrt(m))]
fn f(m: &Outer) -> f64 {
    m.inner.a * m.b
}

fn main() {}
