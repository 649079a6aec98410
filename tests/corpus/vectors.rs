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

/// Repeats of active values: `vec![e; n]`, `[e; N]`, `[[e; N]; M]`, as first written.
#[differentiable]
fn active_repeats(x: f64, y: f64, n: usize) -> f64 {
    let v = vec![x * y; n];
    let mut a = [x.sin(); 3];
    a[1] *= y;
    let m = [[x; 2]; 2];
    let row = [y, x * y];
    let rows = [row; 3];
    let mut s = v.len() as f64 * a[2] + m[0][1] * m[1][0] * y + rows[2][1] - rows[0][1];
    for i in 0..v.len() {
        s += v[i] * a[i % 3];
    }
    s
}

#[test]
fn repeats_of_active_values() {
    let (x, y, n) = (0.7, -1.2, 4);
    let (v, (gx, gy)) = active_repeats::grad(x, y, n);
    // n sin x + x^2 y + sum_i x y a[i % 3], a = [sin x, y sin x, sin x]
    let s = x.sin();
    let a = [s, y * s, s];
    let sum_a: f64 = (0..n).map(|i| a[i % 3]).sum();
    let want = n as f64 * s + x * x * y + x * y * sum_a;
    assert_close(v, want, 1e-14, 1.0, "value");
    let da_dx = [x.cos(), y * x.cos(), x.cos()];
    let sum_dx: f64 = (0..n).map(|i| da_dx[i % 3]).sum();
    let sum_dy: f64 = (0..n).map(|i| if i % 3 == 1 { s } else { 0.0 }).sum();
    assert_close(
        gx,
        n as f64 * x.cos() + 2.0 * x * y + y * sum_a + x * y * sum_dx,
        1e-14,
        1.0,
        "d/dx",
    );
    assert_close(gy, x * x + x * sum_a + x * y * sum_dy, 1e-14, 1.0, "d/dy");
    check("active_repeats", &fns2!(active_repeats, n), &[x, y]);
}
