use autodiff::differentiable;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

#[differentiable(wrt(x))]
fn h(x: f64, n: usize, data: &[f64]) -> f64 {
    let mut s = 0.0;
    let k = n as f64;
    s += x.sin() * k;
    s *= data[0];
    let x = x * x;
    s + f64::exp(x) / 3.0
}

fn main() {
    println!("{:?}", f::grad(3.0, 3.0));
    println!("{:?}", f::jvp(3.0, 3.0, 1.0, 0.0));
    println!("{:?}", h::grad(0.5, 2, &[3.0]));
    println!("{:?}", h::jvp(0.5, 2, &[3.0], 1.0));
    let x: f64 = 0.5;
    println!(
        "expected {}",
        x.cos() * 2.0 * 3.0 + (x * x).exp() * 2.0 * x / 3.0
    );
}
