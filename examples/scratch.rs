use autodiff::differentiable;

#[differentiable]
fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
fn rosen_n<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable(wrt(x))]
fn horner(x: f64, c: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[differentiable]
fn relu(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

#[differentiable]
fn early(x: f64) -> f64 {
    if x < 0.0 {
        return -x * x;
    }
    let mut y = x;
    let mut k = 0;
    while y < 100.0 {
        y = y * 2.0 + x;
        k += 1;
        if k > 50 {
            break;
        }
    }
    y
}

fn main() {
    let x = [-1.2, 1.0, 0.5];
    println!("{:?}", rosen::grad(&x));
    println!("{:?}", rosen_n::grad(&x));
    let h = 1e-6;
    for i in 0..3 {
        let mut xp = x;
        xp[i] += h;
        let mut xm = x;
        xm[i] -= h;
        print!("{} ", (rosen(&xp) - rosen(&xm)) / (2.0 * h));
    }
    println!();
    println!(
        "{:?} fd {}",
        horner::grad(0.7, &[1.0, 2.0, 3.0]),
        (horner(0.7 + h, &[1.0, 2.0, 3.0]) - horner(0.7 - h, &[1.0, 2.0, 3.0])) / (2.0 * h)
    );
    println!("{:?} {:?}", relu::grad(0.0), relu::grad(2.0));
    for x0 in [-2.0, 0.3, 1.7] {
        println!(
            "{:?} {:?} fd {}",
            early::grad(x0),
            early::jvp(x0, 1.0),
            (early(x0 + h) - early(x0 - h)) / (2.0 * h)
        );
    }
}
