use autodiff::differentiable;

#[differentiable]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

#[differentiable]
fn f(theta: f64) -> f64 {
    let p = polar(theta, 0.5);
    p[0] * p[1]
}

fn main() {}
