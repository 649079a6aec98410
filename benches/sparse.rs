//! Sparse Hessians of Rosenbrock (tridiagonal, 3 colours) against the best hand-written fill
//! and against the dense Hessian, in the same run.
//!
//! Groups:
//! - `rosen_sparse_hessian_n100` (`&[f64; 100]`):
//!   - `sparse_generated`: `rosen_arr::sparse_hessian(&x, &mut work)` with `work` prepared
//!     once: 3 forward-over-reverse passes on dual numbers and a scatter into the CSC values;
//!     value, gradient and the matrix (298 stored entries).
//!   - `sparse_generated_slice`: the same through the slice function `rosen::sparse_hessian`.
//!   - `csc_hand_written`: value, gradient and the 298 values written straight into a
//!     preallocated CSC value array in one loop (the best one can write by hand for this
//!     output).
//!   - `dense_hand_written`: value, gradient and the tridiagonal fill of a zeroed
//!     `[[f64; 100]; 100]` (the hand-written side of `benches/second_order.rs`).
//!   - `dense_generated`: `rosen_arr::hessian` (100 HVPs).
//! - `rosen_sparse_hessian_n10000` (slice of 10,000): `sparse_generated`, `csc_hand_written`,
//!   and `prepare` (pattern detection on the tracer + star colouring + plan: once per problem).
//!
//! Run with `cargo bench --bench sparse`. Inputs go through `black_box`; generated and
//! hand-written code are both behind `#[inline(never)]`. Each group first checks that the
//! results agree.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

use std::hint::black_box;
use std::time::Duration;

use autodiff::differentiable;
use autodiff::sparse::{CscMatrix, SparseHessian};
use criterion::{criterion_group, criterion_main, Criterion};

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

fn inputs(n: usize) -> Vec<f64> {
    // splitmix64, uniform in [-1.5, 1.5), as benches/second_order.rs.
    let mut s: u64 = 0x5eed_2000 + n as u64;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            -1.5 + 3.0 * ((z >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

#[inline(never)]
fn sparse_generated<'w, const N: usize>(
    x: &[f64; N],
    work: &'w mut SparseHessian,
) -> (f64, &'w [f64], &'w CscMatrix) {
    rosen_arr::sparse_hessian(x, work)
}

#[inline(never)]
fn sparse_generated_slice<'w>(
    x: &[f64],
    work: &'w mut SparseHessian,
) -> (f64, &'w [f64], &'w CscMatrix) {
    rosen::sparse_hessian(x, work)
}

#[inline(never)]
fn dense_generated<const N: usize>(x: &[f64; N]) -> (f64, [f64; N], [[f64; N]; N]) {
    rosen_arr::hessian(x)
}

/// Value, gradient and the tridiagonal Hessian's values in CSC order (column j: rows j - 1, j,
/// j + 1), written into preallocated buffers in one loop.
#[inline(never)]
fn csc_hand_written(x: &[f64], g: &mut [f64], h: &mut [f64]) -> f64 {
    let n = x.len();
    g.fill(0.0);
    // Diagonal of column j at 3 j (column 0 has no entry above), sub-diagonal next, the
    // super-diagonal entry (j, j + 1) opens column j + 1.
    let mut s = 0.0;
    let mut dprev = 0.0; // the 200 from the previous term
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * x[i] * a - 2.0 * b;
        g[i + 1] += 200.0 * a;
        let o = -400.0 * x[i];
        let d = 3 * i;
        h[d] = dprev + 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[d + 1] = o;
        h[d + 2] = o;
        dprev = 200.0;
    }
    h[3 * (n - 1)] = dprev;
    s
}

#[inline(never)]
fn dense_hand_written<const N: usize>(x: &[f64; N]) -> (f64, [f64; N], [[f64; N]; N]) {
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

fn check(work: &SparseHessian, x: &[f64]) {
    let n = x.len();
    let (mut g, mut h) = (vec![0.0; n], vec![0.0; 3 * n - 2]);
    let v = csc_hand_written(x, &mut g, &mut h);
    let m = work.hessian();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
    assert!(close(v, rosen(x)));
    assert!(g.iter().zip(work.gradient()).all(|(a, b)| close(*a, *b)));
    // The hand-written layout is the pattern's.
    assert_eq!(m.values().len(), h.len());
    assert!(m.values().iter().zip(&h).all(|(a, b)| close(*a, *b)));
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
}

fn bench_n100(c: &mut Criterion) {
    const N: usize = 100;
    let x: [f64; N] = inputs(N).try_into().unwrap();
    let mut work = SparseHessian::new(rosen_arr::sparse_hessian_pattern(&x)).unwrap();
    assert_eq!(work.coloring().count(), 3);
    sparse_generated(&x, &mut work);
    check(&work, &x);
    let mut work_s = SparseHessian::new(rosen::sparse_hessian_pattern(&x)).unwrap();
    sparse_generated_slice(&x, &mut work_s);
    check(&work_s, &x);
    let (mut g, mut h) = (vec![0.0; N], vec![0.0; 3 * N - 2]);

    let mut group = c.benchmark_group("rosen_sparse_hessian_n100");
    group.bench_function("sparse_generated", |b| {
        b.iter(|| sparse_generated(black_box(&x), &mut work).0)
    });
    group.bench_function("sparse_generated_slice", |b| {
        b.iter(|| sparse_generated_slice(black_box(&x), &mut work_s).0)
    });
    group.bench_function("csc_hand_written", |b| {
        b.iter(|| csc_hand_written(black_box(&x), &mut g, &mut h))
    });
    group.bench_function("dense_hand_written", |b| {
        b.iter(|| dense_hand_written(black_box(&x)))
    });
    group.bench_function("dense_generated", |b| {
        b.iter(|| dense_generated(black_box(&x)))
    });
    group.finish();
}

fn bench_n10000(c: &mut Criterion) {
    let n = 10_000;
    let x = inputs(n);
    let mut work = SparseHessian::new(rosen::sparse_hessian_pattern(&x)).unwrap();
    assert_eq!(work.coloring().count(), 3);
    sparse_generated_slice(&x, &mut work);
    check(&work, &x);
    let (mut g, mut h) = (vec![0.0; n], vec![0.0; 3 * n - 2]);

    let mut group = c.benchmark_group("rosen_sparse_hessian_n10000");
    group.bench_function("sparse_generated", |b| {
        b.iter(|| sparse_generated_slice(black_box(&x), &mut work).0)
    });
    group.bench_function("csc_hand_written", |b| {
        b.iter(|| csc_hand_written(black_box(&x), &mut g, &mut h))
    });
    group.bench_function("prepare", |b| {
        b.iter(|| SparseHessian::<f64>::new(rosen::sparse_hessian_pattern(black_box(&x))).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_n100, bench_n10000
}
criterion_main!(benches);
