use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
struct Inner {
    a: f64,
}

#[derive(Clone, Differentiable)]
struct Outer<const H: usize> {
    w: [f64; H],
    inner: Inner,
}

#[differentiable(wrt(q))]
fn h(q: &Inner, t: f64) -> f64 {
    q.a * t
}

#[differentiable]
impl<const H: usize> Outer<H> {
    fn loss(&self) -> f64 {
        // A nested struct passed on from a generic block: not yet.
        h(&self.inner, self.w[0])
    }
}

fn main() {}
