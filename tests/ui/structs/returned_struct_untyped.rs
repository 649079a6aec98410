use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
}

#[differentiable]
impl Pose {
    pub fn energy(&self) -> f64 {
        self.angle * self.t[0]
    }
}

impl Pose {
    pub fn turned(&self, a: f64) -> Pose {
        Pose { angle: self.angle + a, t: self.t }
    }
}

#[differentiable(wrt(p))]
fn fit(p: &Pose) -> f64 {
    let q = p.turned(0.5);
    q.energy()
}

fn main() {}
