//! Many invalid inputs in one crate: every error must be spanned on user code.
use autodiff::differentiable;

#[differentiable]
fn closure(x: f64) -> f64 {
    let f = |a: f64| a * 2.0;
    f(x)
}

#[differentiable]
fn iterators(x: &[f64]) -> f64 {
    x.iter().map(|a| a * a).sum()
}

#[differentiable]
fn not_differentiable(x: f64) -> f64 {
    helper(x)
}

fn helper(x: f64) -> f64 {
    x
}

#[differentiable]
fn float_match(x: f64) -> f64 {
    match x * 2.0 {
        1.0 => 0.0,
        _ => x,
    }
}

#[differentiable]
fn by_value(x: [f64; 3]) -> f64 {
    x[0]
}

#[differentiable]
fn repeat_active(x: f64) -> f64 {
    let a = [x; 3];
    a[0]
}

#[differentiable]
fn vec_repeat_active(x: f64) -> f64 {
    let v = vec![x; 3];
    v[1]
}

#[differentiable]
fn cast_to_int(x: f64) -> f64 {
    let n = x as usize;
    n as f64
}

#[differentiable]
fn outputs_with_value(x: &[f64], r: &mut [f64]) -> f64 {
    r[0] = x[0];
    x[1]
}

#[differentiable]
fn push_in_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut v = Vec::new();
        v.push(x[i]);
        s += v[0];
    }
    s
}

#[differentiable]
fn mut_scalar_ref(x: f64, out: &mut f64) -> f64 {
    *out = x;
    x
}

fn main() {}
