//! Generated gradients (`f::grad` from `#[differentiable]`) against gradients written by hand.
//!
//! One criterion group per test function, each with three entries:
//! - `primal`: the function alone (the floor: a gradient cannot cost less than one evaluation);
//! - `grad_generated`: `f::grad`, value and gradient in reverse mode;
//! - `grad_hand_written`: the value and gradient as a person would write them, sharing
//!   subexpressions.
//!
//! Run with `cargo bench --bench gradients`; `benches/ratios.sh` then prints
//! generated / hand-written and generated / primal from criterion's saved estimates.
//! Inputs go through `black_box` so nothing is constant-folded; criterion black-boxes the result.

use std::hint::black_box;
use std::time::Duration;

use autodiff::differentiable;
use criterion::{criterion_group, criterion_main, Criterion};

/// Himmelblau's function.
#[differentiable]
fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

fn himmelblau_by_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    let a = x * x + y - 11.0;
    let b = x + y * y - 7.0;
    (
        a * a + b * b,
        (4.0 * a * x + 2.0 * b, 2.0 * a + 4.0 * b * y),
    )
}

/// Beale's function.
#[differentiable]
fn beale(x: f64, y: f64) -> f64 {
    (1.5 - x + x * y).powi(2)
        + (2.25 - x + x * y.powi(2)).powi(2)
        + (2.625 - x + x * y.powi(3)).powi(2)
}

fn beale_by_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    let y2 = y * y;
    let y3 = y2 * y;
    let t1 = 1.5 - x + x * y;
    let t2 = 2.25 - x + x * y2;
    let t3 = 2.625 - x + x * y3;
    let value = t1 * t1 + t2 * t2 + t3 * t3;
    let gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0));
    let gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3);
    (value, (gx, gy))
}

/// Notebook 000's f.
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

fn f_by_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    let a = x - 1.0;
    let b = y + 1.0;
    (
        a * a + 4.0 * b * b + 0.5 * x * y,
        (2.0 * a + 0.5 * y, 8.0 * b + 0.5 * x),
    )
}

/// One group: primal, generated gradient, hand-written gradient, all at `(x, y)`.
///
/// Generic rather than taking `fn` pointers: each function item is its own type, so the
/// measured closures call it directly (and may inline it) instead of through a pointer.
fn bench_group(
    c: &mut Criterion,
    name: &str,
    (x, y): (f64, f64),
    primal: impl Fn(f64, f64) -> f64,
    generated: impl Fn(f64, f64) -> (f64, (f64, f64)),
    by_hand: impl Fn(f64, f64) -> (f64, (f64, f64)),
) {
    // Check before timing that the two gradients agree.
    let (vg, (gxg, gyg)) = generated(x, y);
    let (vh, (gxh, gyh)) = by_hand(x, y);
    let checks = [
        ("value", vg, vh),
        ("value vs primal", vg, primal(x, y)),
        ("∂/∂x", gxg, gxh),
        ("∂/∂y", gyg, gyh),
    ];
    for (what, a, b) in checks {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(1.0),
            "{name} {what}: generated {a} vs {b}"
        );
    }

    let mut group = c.benchmark_group(name);
    group.bench_function("primal", |b| b.iter(|| primal(black_box(x), black_box(y))));
    group.bench_function("grad_generated", |b| {
        b.iter(|| generated(black_box(x), black_box(y)))
    });
    group.bench_function("grad_hand_written", |b| {
        b.iter(|| by_hand(black_box(x), black_box(y)))
    });
    group.finish();
}

fn gradients(c: &mut Criterion) {
    bench_group(
        c,
        "himmelblau",
        (-1.3, 2.7),
        himmelblau,
        himmelblau::grad,
        himmelblau_by_hand,
    );
    bench_group(c, "beale", (-1.0, 2.0), beale, beale::grad, beale_by_hand);
    bench_group(c, "notebook000_f", (3.0, 3.0), f, f::grad, f_by_hand);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = gradients
}
criterion_main!(benches);
