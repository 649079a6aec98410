use autodiff::{differentiable, Differentiable};

#[derive(Clone, Differentiable)]
pub struct Pose {
    pub angle: f64,
    pub t: [f64; 2],
    #[passive]
    pub frozen: bool,
}

/// Reads a passive field.
#[differentiable(wrt(p))]
fn energy(p: &Pose) -> f64 {
    if p.frozen {
        0.0
    } else {
        p.angle * p.angle + p.t[0] * p.t[1]
    }
}

/// Reads none itself, but passes its struct to `energy`.
#[differentiable(wrt(p))]
fn doubled(p: &Pose) -> f64 {
    2.0 * energy(p)
}

/// Builds a pose: it has no passive fields to give.
#[differentiable]
fn built(x: &[f64; 3]) -> f64 {
    let p = Pose {
        angle: x[0],
        t: [x[1], x[2]],
        frozen: false,
    };
    energy(&p) + doubled(&p)
}

fn main() {}
