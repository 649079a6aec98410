use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
}

#[differentiable(wrt(m))]
fn turned(m: &Pose) -> f64 {
    let m = Pose { angle: m.angle + 1.0, ..*m };
    m.angle * m.t[0]
}

fn main() {}
