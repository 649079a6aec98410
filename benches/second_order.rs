//! Generated second-order derivatives of Rosenbrock against second derivatives written by hand,
//! in the same run.
//!
//! Groups (one per size, each with the entries it compares):
//! - `rosen_hvp_n100`: Rosenbrock on `&[f64; 100]` (const generic).
//!   `hvp_generated` (`rosen_arr::hvp`, forward-over-reverse on dual numbers, returning value,
//!   gradient and `H v` as arrays) against `hvp_hand_written` (value, gradient and `H v` in one
//!   fused loop: scipy's `rosen_hess_prod` plus the gradient), and `grad_generated`
//!   (`rosen_arr::grad`) for the cost of an HVP in units of one gradient. `primal` for scale.
//! - `rosen_hvp_n10000`: the same on a slice of 10,000. The generated `rosen::hvp` returns two
//!   fresh `Vec`s (gradient and `H v`); the hand-written HVP allocates the same two `Vec`s, so
//!   both sides do equal work (two allocations of n doubles per call, zero-filled).
//!   `grad_generated` (`rosen::grad`) allocates its one gradient `Vec`.
//! - `rosen_hessian_n100`: the dense Hessian on `&[f64; 100]`: `hessian_generated`
//!   (`rosen_arr::hessian`, 100 HVPs along the axes) against `hessian_hand_written` (value,
//!   gradient and the tridiagonal fill of a zeroed `[[f64; 100]; 100]` in one loop). Both
//!   return `(f64, [f64; 100], [[f64; 100]; 100])`.
//!
//! Run with `cargo bench --bench second_order` (about 20 s). Every input goes through
//! `black_box`, and criterion black-boxes the returned value. Generated and hand-written code
//! are both called through `#[inline(never)]` wrappers so that both are compiled as
//! stand-alone functions. Before timing, each group checks that generated and hand-written
//! results agree.
#![allow(
    clippy::needless_range_loop,
    clippy::assign_op_pattern,
    clippy::type_complexity
)]

use std::hint::black_box;
use std::time::Duration;

use autodiff::differentiable;
use criterion::{criterion_group, criterion_main, Criterion};

// =============================================================================================
// Deterministic inputs (splitmix64), so runs are comparable.

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
}

/// `a` and `b` agree to `rel` of `scale` (at least 1).
fn assert_close(a: f64, b: f64, rel: f64, scale: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * scale.max(a.abs()).max(1.0),
        "{what}: generated {a} vs hand-written {b}"
    );
}

fn assert_all_close(a: &[f64], b: &[f64], rel: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert_close(*x, *y, rel, scale, &format!("{what}[{k}]"));
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
}

// =============================================================================================
// Rosenbrock, as a const-generic array and as a slice (the same definitions as
// tests/second_order.rs and benches/programs.rs).

#[differentiable]
fn rosen_arr<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

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

// ---------------------------------------------------------------------------------------------
// The generated code behind the same `#[inline(never)]` boundary as the hand-written code.

#[inline(never)]
fn rosen_arr_primal<const N: usize>(x: &[f64; N]) -> f64 {
    rosen_arr(x)
}

#[inline(never)]
fn rosen_arr_hvp_generated<const N: usize>(
    x: &[f64; N],
    v: &[f64; N],
) -> (f64, [f64; N], [f64; N]) {
    rosen_arr::hvp(x, v)
}

#[inline(never)]
fn rosen_arr_grad_generated<const N: usize>(x: &[f64; N]) -> (f64, [f64; N]) {
    rosen_arr::grad(x)
}

#[inline(never)]
fn rosen_arr_hessian_generated<const N: usize>(x: &[f64; N]) -> (f64, [f64; N], [[f64; N]; N]) {
    rosen_arr::hessian(x)
}

#[inline(never)]
fn rosen_primal(x: &[f64]) -> f64 {
    rosen(x)
}

#[inline(never)]
fn rosen_hvp_generated(x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    rosen::hvp(x, v)
}

#[inline(never)]
fn rosen_grad_generated(x: &[f64]) -> (f64, Vec<f64>) {
    rosen::grad(x)
}

// ---------------------------------------------------------------------------------------------
// Hand-written: value, gradient and H v in one fused loop.
//
// With a_i = x_{i+1} - x_i^2 and b_i = 1 - x_i, term i contributes
//   d/dx_i = -400 x_i a_i - 2 b_i,             d/dx_{i+1} = 200 a_i,
//   d2/dx_i^2 = 1200 x_i^2 - 400 x_{i+1} + 2,   d2/dx_i dx_{i+1} = -400 x_i,   d2/dx_{i+1}^2 = 200.

/// The best hand-written HVP of the array version: one pass into the result arrays with
/// [`rosen_hvp_by_hand_into`]'s carried parts (each element written once).
#[inline(never)]
fn rosen_arr_hvp_by_hand<const N: usize>(x: &[f64; N], v: &[f64; N]) -> (f64, [f64; N], [f64; N]) {
    let (mut g, mut hv) = ([0.0; N], [0.0; N]);
    let s = rosen_hvp_by_hand_into(x, v, &mut g, &mut hv);
    (s, g, hv)
}

/// The slice version, allocating its two outputs as the generated `rosen::hvp` does (uninit
/// is not available safely, so they are zero-filled `Vec`s, as the generated ones are), then
/// the best hand-written loop.
#[inline(never)]
fn rosen_hvp_by_hand(x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let n = x.len();
    let (mut g, mut hv) = (vec![0.0; n], vec![0.0; n]);
    let s = rosen_hvp_by_hand_into(x, v, &mut g, &mut hv);
    (s, g, hv)
}

/// The best hand-written HVP into the caller's buffers: one pass, the parts for element
/// `i + 1` carried in registers to the next iteration (each element written once, no zeroing),
/// no bounds checks.
#[inline]
fn rosen_hvp_by_hand_into(x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]) -> f64 {
    let n = x.len();
    assert!(n >= 2 && v.len() == n && g.len() == n && hv.len() == n);
    let (mut s, mut cg, mut ch) = (0.0, 0.0, 0.0);
    let pairs = x.windows(2).zip(v.windows(2));
    for ((gi, hi), (xw, vw)) in g[..n - 1].iter_mut().zip(&mut hv[..n - 1]).zip(pairs) {
        let (xi, xn, vi, vn) = (xw[0], xw[1], vw[0], vw[1]);
        let a = xn - xi * xi;
        let b = 1.0 - xi;
        s += 100.0 * a * a + b * b;
        *gi = cg - 400.0 * xi * a - 2.0 * b;
        cg = 200.0 * a;
        let d = 1200.0 * xi * xi - 400.0 * xn + 2.0;
        let o = -400.0 * xi;
        *hi = ch + d * vi + o * vn;
        ch = o * vi + 200.0 * vn;
    }
    g[n - 1] = cg;
    hv[n - 1] = ch;
    s
}

#[inline(never)]
fn rosen_hvp_into_by_hand(x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]) -> f64 {
    rosen_hvp_by_hand_into(x, v, g, hv)
}

#[inline(never)]
fn rosen_hvp_into_generated(
    x: &[f64],
    v: &[f64],
    g: &mut [f64],
    hv: &mut [f64],
    work: &mut autodiff::HvpWork<f64>,
) -> f64 {
    rosen::hvp_into(x, v, g, hv, work)
}

/// Value, gradient and the dense Hessian (tridiagonal fill of a zeroed matrix), one loop.
#[inline(never)]
fn rosen_arr_hessian_by_hand<const N: usize>(x: &[f64; N]) -> (f64, [f64; N], [[f64; N]; N]) {
    let mut g = [0.0; N];
    let mut h = [[0.0; N]; N];
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * x[i] * a - 2.0 * b;
        g[i + 1] += 200.0 * a;
        h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        let o = -400.0 * x[i];
        h[i][i + 1] = o;
        h[i + 1][i] = o;
        h[i + 1][i + 1] += 200.0;
    }
    (s, g, h)
}

// =============================================================================================

fn inputs(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(0x5eed_2000 + n as u64);
    let x: Vec<f64> = (0..n).map(|_| rng.range(-1.5, 1.5)).collect();
    let v: Vec<f64> = (0..n).map(|_| rng.range(-1.0, 1.0)).collect();
    (x, v)
}

fn bench_hvp_n100(c: &mut Criterion) {
    const N: usize = 100;
    let (xs, vs) = inputs(N);
    let x: [f64; N] = xs.try_into().unwrap();
    let v: [f64; N] = vs.try_into().unwrap();

    let (fg, gg, hg) = rosen_arr::hvp(&x, &v);
    let (fh, gh, hh) = rosen_arr_hvp_by_hand(&x, &v);
    assert_close(fg, fh, 1e-13, 0.0, "n=100 hvp value");
    assert_all_close(&gg, &gh, 1e-13, "n=100 hvp gradient");
    assert_all_close(&hg, &hh, 1e-13, "n=100 hvp H v");
    let (fgr, ggr) = rosen_arr::grad(&x);
    assert_close(fgr, fh, 1e-13, 0.0, "n=100 grad value");
    assert_all_close(&ggr, &gh, 1e-13, "n=100 grad");

    let mut group = c.benchmark_group("rosen_hvp_n100");
    group.bench_function("primal", |b| b.iter(|| rosen_arr_primal(black_box(&x))));
    group.bench_function("grad_generated", |b| {
        b.iter(|| rosen_arr_grad_generated(black_box(&x)))
    });
    group.bench_function("hvp_generated", |b| {
        b.iter(|| rosen_arr_hvp_generated(black_box(&x), black_box(&v)))
    });
    group.bench_function("hvp_hand_written", |b| {
        b.iter(|| rosen_arr_hvp_by_hand(black_box(&x), black_box(&v)))
    });
    group.finish();
}

fn bench_hvp_n10000(c: &mut Criterion) {
    let n = 10_000;
    let (x, v) = inputs(n);

    let (fg, gg, hg) = rosen::hvp(&x, &v);
    let (fh, gh, hh) = rosen_hvp_by_hand(&x, &v);
    assert_close(fg, fh, 1e-13, 0.0, "n=10000 hvp value");
    assert_all_close(&gg, &gh, 1e-13, "n=10000 hvp gradient");
    assert_all_close(&hg, &hh, 1e-13, "n=10000 hvp H v");
    let (fgr, ggr) = rosen::grad(&x);
    assert_close(fgr, fh, 1e-13, 0.0, "n=10000 grad value");
    assert_all_close(&ggr, &gh, 1e-13, "n=10000 grad");

    let mut group = c.benchmark_group("rosen_hvp_n10000");
    group.bench_function("primal", |b| b.iter(|| rosen_primal(black_box(&x))));
    group.bench_function("grad_generated", |b| {
        b.iter(|| rosen_grad_generated(black_box(&x)))
    });
    // Both allocate two zero-filled Vecs of n doubles per call (gradient and H v).
    group.bench_function("hvp_generated", |b| {
        b.iter(|| rosen_hvp_generated(black_box(&x), black_box(&v)))
    });
    group.bench_function("hvp_hand_written", |b| {
        b.iter(|| rosen_hvp_by_hand(black_box(&x), black_box(&v)))
    });
    // Into the caller's buffers: the generated one on dual numbers kept in an `HvpWork`, the
    // best hand-written one (each element written once).
    let (mut g, mut hv, mut work) = (vec![0.0; n], vec![0.0; n], autodiff::HvpWork::new());
    let fi = rosen::hvp_into(&x, &v, &mut g, &mut hv, &mut work);
    assert_eq!((fi, &g, &hv), (fg, &gg, &hg), "hvp_into == hvp");
    let (mut g2, mut hv2) = (vec![0.0; n], vec![0.0; n]);
    let fb = rosen_hvp_by_hand_into(&x, &v, &mut g2, &mut hv2);
    assert_close(fb, fh, 1e-13, 0.0, "n=10000 hvp into value");
    assert_all_close(&g2, &gh, 1e-13, "n=10000 hvp into gradient");
    assert_all_close(&hv2, &hh, 1e-13, "n=10000 hvp into H v");
    group.bench_function("hvp_into_generated", |b| {
        b.iter(|| {
            rosen_hvp_into_generated(
                black_box(&x),
                black_box(&v),
                black_box(&mut g[..]),
                black_box(&mut hv[..]),
                &mut work,
            )
        })
    });
    group.bench_function("hvp_into_hand_written", |b| {
        b.iter(|| {
            rosen_hvp_into_by_hand(
                black_box(&x),
                black_box(&v),
                black_box(&mut g2[..]),
                black_box(&mut hv2[..]),
            )
        })
    });
    group.finish();
}

fn bench_hessian_n100(c: &mut Criterion) {
    const N: usize = 100;
    let (xs, _) = inputs(N);
    let x: [f64; N] = xs.try_into().unwrap();

    let (fg, gg, hg) = rosen_arr::hessian(&x);
    let (fh, gh, hh) = rosen_arr_hessian_by_hand(&x);
    assert_close(fg, fh, 1e-13, 0.0, "n=100 hessian value");
    assert_all_close(&gg, &gh, 1e-13, "n=100 hessian gradient");
    assert_all_close(hg.as_flattened(), hh.as_flattened(), 1e-13, "n=100 hessian");

    let mut group = c.benchmark_group("rosen_hessian_n100");
    group.bench_function("hessian_generated", |b| {
        b.iter(|| rosen_arr_hessian_generated(black_box(&x)))
    });
    group.bench_function("hessian_hand_written", |b| {
        b.iter(|| rosen_arr_hessian_by_hand(black_box(&x)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_hvp_n100, bench_hvp_n10000, bench_hessian_n100
}
criterion_main!(benches);
