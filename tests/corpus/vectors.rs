//! Scratch vectors with the `alloc` feature: `vec![0.0; n]`, `vec![a, b]`,
//! `Vec::with_capacity(n)` + `push`, `v.len()`, `&v` / `&v[..]` to helpers, `&Vec<f64>`
//! parameters as slices.

use crate::*;
use autodiff::{differentiable, Scalar};

#[differentiable]
fn mean(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s / x.len() as f64
}

/// Prefix sums pushed into a `Vec`, their mean, and a centred copy in `vec![0.0; n]`.
#[differentiable]
fn prefix_stats(x: &Vec<f64>) -> f64 {
    let mut sums = Vec::with_capacity(x.len());
    let mut acc = 0.0;
    for i in 0..x.len() {
        acc += x[i] * x[i];
        sums.push(acc.sqrt());
    }
    let m = mean(&sums);
    let mut centred = vec![0.0; sums.len()];
    for i in 0..sums.len() {
        centred[i] = sums[i] - m;
    }
    let pair = vec![centred[0], m];
    mean(&centred[1..]) * pair[0] + pair[1] * mean(&sums[..])
}

fn prefix_stats_generic<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut sums = Vec::new();
    let mut acc = S::zero();
    for &a in x {
        acc += a * a;
        sums.push(acc.sqrt());
    }
    let mean = |v: &[S]| v.iter().fold(S::zero(), |s, &a| s + a) / S::cst(v.len() as f64);
    let m = mean(&sums);
    let centred: Vec<S> = sums.iter().map(|&s| s - m).collect();
    mean(&centred[1..]) * centred[0] + m * mean(&sums)
}

#[test]
fn scratch_vectors() {
    let x = vec![0.5, -1.2, 0.8, 2.0, -0.3];
    let o = Fns {
        f: &|p: &[f64]| prefix_stats(&p.to_vec()),
        jvp: &|p: &[f64], v: &[f64]| prefix_stats::jvp(&p.to_vec(), v),
        vjp: &|p: &[f64], c: f64, b: &mut [f64]| prefix_stats::vjp(&p.to_vec(), c, b),
        grad: &|p: &[f64]| prefix_stats::grad(&p.to_vec()),
    };
    let g = check("prefix_stats", &o, &x);
    let (_, want) = dual_grad(&|d| prefix_stats_generic(d), &x);
    assert_grad_eq("prefix_stats", &g, &want, 1e-13);
    let v = [1.0, 0.5, -0.5, 0.25, 2.0];
    let (_, _, hv) = prefix_stats::hvp(&x, &v);
    check_hvp("prefix_stats", &|p| (o.grad)(p).1, &x, &v, &hv);
}

/// A `Vec` declared inside a loop, its length bounding an inner loop (found by the random
/// programs: the reverse sweep read the length where the `Vec` was out of scope).
#[differentiable]
fn nested_vec_len(x: f64) -> f64 {
    let mut s = x;
    for i in 0..3 {
        let mut v = vec![0.0; i + 1];
        for j in 0..v.len() {
            v[j] = s * (j as f64 + 1.0);
            s = s * 0.5 + v[j].sin();
        }
    }
    s
}

#[test]
fn nested_vector_lengths() {
    check("nested_vec_len", &fns1!(nested_vec_len), &[0.7]);
}
