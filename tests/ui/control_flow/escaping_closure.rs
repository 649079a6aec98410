use autodiff::differentiable;

// A closure that escapes (returned in a tuple, passed to a function).
#[differentiable]
fn f(x: f64) -> f64 {
    let k = |t: f64| t * x;
    let v = [1.0, 2.0].map(k);
    v[0] + v[1]
}

fn main() {}
