use autodiff::differentiable;

pub struct Plain {
    pub a: f64,
}

#[differentiable(wrt(p))]
fn energy(p: &Plain, x: f64) -> f64 {
    p.a * x
}

fn main() {}
