use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
}

#[differentiable]
fn pose_of(x: &[f64; 3]) -> Pose {
    Pose { angle: x[0], t: [x[1], x[2]] }
}

#[differentiable]
impl Pose {
    pub fn energy(&self) -> f64 {
        self.angle * self.t[0]
    }
}

#[differentiable]
fn fit(x: &[f64; 3]) -> f64 {
    let p = pose_of(x);
    p.energy()
}

fn main() {}
