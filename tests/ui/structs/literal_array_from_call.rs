use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
}

#[differentiable]
fn offset(x: &[f64; 3]) -> [f64; 2] {
    [x[1], x[2]]
}

#[differentiable]
fn fit(x: &[f64; 3]) -> f64 {
    let p = Pose {
        angle: x[0],
        t: offset(x),
    };
    p.angle * p.t[0]
}

fn main() {}
