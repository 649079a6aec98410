use autodiff::{differentiable, Differentiable};

#[derive(Clone, Default, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
}

#[differentiable]
fn fit(x: &[f64; 3]) -> f64 {
    let p = Pose {
        angle: x[0],
        ..Pose::default()
    };
    p.angle * p.t[0]
}

fn main() {}
