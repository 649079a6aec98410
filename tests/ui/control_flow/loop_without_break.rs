#![allow(unreachable_code)]

use autodiff::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    loop {
        y = y * x;
    }
    y
}

fn main() {}
