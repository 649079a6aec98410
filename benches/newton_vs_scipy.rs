//! Newton-CG on Rosenbrock, n = 100, with the generated objective: the Rust half of the
//! comparison with `scipy.optimize.minimize(method='Newton-CG')` (issue 11, item 7).
//!
//! ```sh
//! cargo bench --bench newton_vs_scipy          # this half alone (a few seconds)
//! benches/newton_vs_scipy.sh                   # both halves, pinned to one core, and the ratio
//! ```
//!
//! From the standard start `(-1.2, 1, -1.2, 1, ...)`, `NewtonCg` with scipy's defaults (step
//! tolerance `xtol = 1e-5`, `200 n` iterations, no other rule: the solver is called directly, not
//! through `minimize`, whose default `StopRules` would add a gradient rule) on the generated
//! `rosen::objective(100)` (value, gradient and Hessian-vector products by `#[differentiable]`).
//! Each timed run builds a fresh solver and starts from a fresh copy of the start.
//!
//! Prints the run's outcome (status, iterations, evaluation counts, final value, distance to
//! the minimum) and the wall time of one run: the median over batches (min, max), in
//! milliseconds, on a line `rust_newton_cg_ms median=...` that the driver parses. Then, to show
//! where the time goes, the time of one call (median) of the objective's `value_grad` and `hvp`
//! at the start, of `rosen::hvp_into` (no allocation) for comparison, and the run's evaluation
//! counts times those.
#![allow(clippy::needless_range_loop)] // `#[differentiable]` bodies use index loops

use std::hint::black_box;
use std::time::Instant;

use autodiff::differentiable;
use autodiff::optim::{NewtonCg, NewtonCgConfig, Report};
use autodiff::{HvpWork, Objective};

const N: usize = 100;

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

#[inline(never)]
fn run<O: Objective<f64>>(obj: &O, x: &mut [f64]) -> Report<f64> {
    let mut solver: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default().build(x.len()).unwrap();
    solver.minimize(obj, x).unwrap()
}

/// Median over 21 batches of the time of one call of `f`, in nanoseconds.
fn ns_per_call(mut f: impl FnMut()) -> f64 {
    let reps = 2000;
    let mut ns: Vec<f64> = (0..21)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() * 1e9 / reps as f64
        })
        .collect();
    median(&mut ns)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let obj = rosen::objective(N);
    let start: Vec<f64> = (0..N)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();

    let mut x = start.clone();
    let r = run(&obj, &mut x);
    let dist = x.iter().fold(0.0f64, |m, v| m.max((v - 1.0).abs()));
    println!(
        "rust Newton-CG, Rosenbrock n = {N}: {:?} after {} iterations ({} values/gradients, {} \
         HVPs), f = {:.3e}, |g|_2 = {:.3e}, max |x - 1| = {:.3e}, x[0] = {:.6}, x[{}] = {:.6}",
        r.status,
        r.iterations,
        r.grad_evals,
        r.hvp_evals,
        r.value,
        r.grad_norm,
        dist,
        x[0],
        N - 1,
        x[N - 1]
    );
    assert!(dist < 1e-2, "did not reach the minimum"); // scipy's xtol rule stops within ~1e-3

    // Batches of about 50 ms each, 21 of them.
    let t = Instant::now();
    let mut calib = 0;
    while t.elapsed().as_secs_f64() < 0.05 {
        let mut x = start.clone();
        black_box(run(&obj, black_box(&mut x)));
        calib += 1;
    }
    let per_batch = calib.max(1);
    let mut ms: Vec<f64> = (0..21)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                let mut x = start.clone();
                black_box(run(&obj, black_box(&mut x)));
            }
            t.elapsed().as_secs_f64() * 1e3 / per_batch as f64
        })
        .collect();
    let med = median(&mut ms);
    println!(
        "rust_newton_cg_ms median={med:.4} min={:.4} max={:.4} (21 batches x {per_batch} runs)",
        ms[0], ms[20]
    );

    let v: Vec<f64> = (0..N).map(|i| (i as f64 * 0.3).cos()).collect();
    let (mut g, mut hv) = (vec![0.0; N], vec![0.0; N]);
    let mut work = HvpWork::new();
    let t_vg = ns_per_call(|| {
        black_box(obj.value_grad(black_box(&start), &mut g));
    });
    let t_hvp = ns_per_call(|| {
        black_box(
            obj.hvp(black_box(&start), black_box(&v), &mut g, &mut hv)
                .unwrap(),
        );
    });
    let t_into = ns_per_call(|| {
        black_box(rosen::hvp_into(
            black_box(&start),
            black_box(&v),
            &mut g,
            &mut hv,
            &mut work,
        ));
    });
    let evals_ms = (r.grad_evals as f64 * t_vg + r.hvp_evals as f64 * t_hvp) * 1e-6;
    println!(
        "per call: objective value_grad {t_vg:.0} ns, objective hvp {t_hvp:.0} ns, \
         rosen::hvp_into {t_into:.0} ns; the run's evaluations at these rates: {evals_ms:.2} ms \
         of {med:.2} ms"
    );
}
