//! Fixed-size programs written as one first writes them stay allocation-free in every mode:
//! calls with arrays and sub-slices inside loops, tuples, array literals and copies. Counted by
//! the binary's per-thread counting allocator (`main.rs`).

use crate::alloc_counter::allocations;
use autodiff::differentiable;
use std::hint::black_box as bb;

#[differentiable]
fn sqnorm(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

#[differentiable]
fn pairs(x: &[f64; 8]) -> f64 {
    let mut s = 0.0;
    let mut buf = [0.0; 2];
    for i in 0..4 {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        buf[0] = a * b;
        buf[1] = a - b;
        let copy = buf;
        s += sqnorm(&x[2 * i..2 * i + 2]) * sqnorm(&copy) + sqnorm(&buf);
    }
    s
}

#[test]
fn fixed_size_calls_tuples_and_arrays_do_not_allocate() {
    let x = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8];
    let v = [1.0; 8];
    let before = allocations();
    let (a, _) = pairs::jvp(bb(&x), bb(&v));
    let mut bar = [0.0; 8];
    let b = pairs::vjp(bb(&x), 1.0, &mut bar);
    let (c, g) = pairs::grad(bb(&x));
    let (d, _, hv) = pairs::hvp(bb(&x), bb(&v));
    let after = allocations();
    bb((a, b, c, d, g, hv, bar));
    assert_eq!(after - before, 0, "allocations in jvp/vjp/grad/hvp");
}
