//! The optimizers of `autodiff::optim` against update loops written by hand, and the solvers
//! against each other.
//!
//! Groups:
//! - `adam_rosen_n100`: Adam (torch's defaults, `lr = 1e-3`) on Rosenbrock over `&[f64; 100]`,
//!   state in `[f64; 100]` arrays (no allocation on either side).
//!   `update_optim` / `update_hand_written` / `update_hand_written_fused`: the update alone,
//!   from a fixed gradient (the two hand-written versions are described at
//!   `adam_update_hand_written`: plain arithmetic, or torch's fused roundings);
//!   `iteration_generated` / `iteration_hand_written`: gradient and update (`rosen_arr::grad`
//!   and `Adam::step`, against a hand-written gradient and update in one function).
//! - `lbfgs_rosen_n100`: one L-BFGS iteration (torch's `LBFGS.step` with `max_iter = 1`,
//!   `lr = 1`: gradient, curvature pair, two-loop recursion over a history of 10, fixed step)
//!   from the same warmed-up state each time (`iter_batched_ref`: the state is cloned outside
//!   the timing and passed by reference, not moved in and out inside it). `step_generated`:
//!   `Lbfgs::step` on `rosen_arr::objective()`; `step_optim_hand_objective`: the same on the
//!   hand-written gradient (the optimizer's own cost); `step_hand_written` /
//!   `step_hand_written_fused`: gradient, pair and two-loop recursion by hand, in plain
//!   arithmetic or with torch's fused multiply-adds.
//! - `to_gnorm_1e-8_rosen_n1000`: wall time from the standard start `(-1.2, 1, -1.2, 1, ...)`
//!   to a gradient with `|g|_2 <= 1e-8` on the generated `rosen::objective(1000)`: Newton-CG
//!   (scipy's algorithm, Hessian-vector products, `xtol = 0` and the gradient rule),
//!   L-BFGS (`Lbfgs::minimize`, history 10, Moré-Thuente line search) and gradient descent
//!   (`Sgd`, `lr = 1.5e-4`, capped at 60,000 iterations: it does not get there; where it got is
//!   printed before the timing).
//!
//! Note on fused multiply-adds: the library's updates use `mul_add` exactly where torch's kernels
//! fuse (so that steps match torch bit for bit). On the default x86-64 target (no `fma` target
//! feature) a `mul_add` is a call to libm's `fma`, so the library compiles its element loops a
//! second time with `#[target_feature(enable = "fma")]` and runs that build when the CPU has
//! FMA (`optim/src/kernels`); with `RUSTFLAGS="-C target-cpu=native"` (or
//! `-C target-feature=+fma`) there is only the one build, FMA from the start. The results are
//! the same bits either way. The hand-written loops are compiled for the target as they are:
//! the `_fused` ones pay libm calls on the default target (they are torch's computation, bit for
//! bit the library's, checked before timing); the plain ones are not torch's computation (they
//! round `a * b + c` twice) and need no `fma`.
//!
//! Run with `cargo bench --bench optim` (about two minutes). Every input goes through
//! `black_box`. Before timing, each group checks that the library and hand-written versions
//! agree.
// The hand-written loops index several arrays in step, as such loops are written.
#![allow(clippy::needless_range_loop)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use autodiff::optim::{
    Adam, AdamConfig, GradNorm, Lbfgs, LbfgsConfig, NewtonCg, NewtonCgConfig, Optimizer, Report,
    SgdConfig, Status, StopRules,
};
use autodiff::{differentiable, from_fns, Objective};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

// =============================================================================================
// Rosenbrock: generated and by hand.

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

/// Value, and the gradient written into `g`, in one fused loop.
#[inline(never)]
fn rosen_by_hand_into(x: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * x[i] * a - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    s
}

fn rosen_by_hand_value(x: &[f64]) -> f64 {
    let mut g = vec![0.0; x.len()];
    rosen_by_hand_into(x, &mut g)
}

const N: usize = 100;
const M: usize = 10;

fn x0<const K: usize>() -> [f64; K] {
    core::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
}

fn max_rel_dev(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / x.abs().max(y.abs()).max(1.0))
        .fold(0.0, f64::max)
}

fn l2(g: &[f64]) -> f64 {
    g.iter().map(|v| v * v).sum::<f64>().sqrt()
}

// =============================================================================================
// Adam.

/// Adam by hand, state in arrays (torch's formulas).
#[derive(Clone)]
struct AdamByHand<const K: usize> {
    lr: f64,
    t: i32,
    m: [f64; K],
    v: [f64; K],
}

impl<const K: usize> AdamByHand<K> {
    fn new(lr: f64) -> Self {
        AdamByHand {
            lr,
            t: 0,
            m: [0.0; K],
            v: [0.0; K],
        }
    }
}

/// One Adam update by hand, one fused loop (fixed-size arrays: no bounds checks).
///
/// `FUSED = false` is Adam as a person writes it, in plain arithmetic:
/// `m = b1 m + (1-b1) g`, `v = b2 v + (1-b2) g g`, each product and sum rounded separately. That
/// is not torch's computation (it differs from torch in the last bits), and never needs `fma`.
/// `FUSED = true` rounds exactly as torch's kernels (and the library) do: `m = fma(1-b1, g-m, m)`
/// (`lerp_`), `v = fma((1-b2) g, g, b2 v)` (`mul_(b2).addcmul_`), with `mul_add`, which on the
/// default x86-64 target is a libm call. The update of `x` is the same in both.
#[inline(never)]
fn adam_update_hand_written<const K: usize, const FUSED: bool>(
    st: &mut AdamByHand<K>,
    x: &mut [f64; K],
    g: &[f64; K],
) {
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
    st.t += 1;
    let step = st.lr / (1.0 - b1.powi(st.t));
    let bc2_sqrt = (1.0 - b2.powi(st.t)).sqrt();
    for i in 0..K {
        if FUSED {
            st.m[i] = (1.0 - b1).mul_add(g[i] - st.m[i], st.m[i]);
            st.v[i] = ((1.0 - b2) * g[i]).mul_add(g[i], st.v[i] * b2);
        } else {
            st.m[i] = b1 * st.m[i] + (1.0 - b1) * g[i];
            st.v[i] = b2 * st.v[i] + (1.0 - b2) * g[i] * g[i];
        }
        x[i] -= step * st.m[i] / (st.v[i].sqrt() / bc2_sqrt + eps);
    }
}

#[inline(never)]
fn adam_update_optim<const K: usize>(
    opt: &mut Adam<f64, [f64; K]>,
    x: &mut [f64; K],
    g: &[f64; K],
) {
    opt.step(x, g);
}

#[inline(never)]
fn adam_iteration_generated<const K: usize>(
    opt: &mut Adam<f64, [f64; K]>,
    x: &mut [f64; K],
) -> f64 {
    let (value, g) = rosen_arr::grad(x);
    opt.step(x, &g);
    value
}

#[inline(never)]
fn adam_iteration_hand_written<const K: usize>(st: &mut AdamByHand<K>, x: &mut [f64; K]) -> f64 {
    let mut g = [0.0; K];
    let value = rosen_by_hand_into(x, &mut g);
    adam_update_hand_written::<K, false>(st, x, &g);
    value
}

fn adam(lr: f64) -> Adam<f64, [f64; N]> {
    AdamConfig::default().lr(lr).build(N).unwrap()
}

fn bench_adam(c: &mut Criterion) {
    // Agreement: 200 iterations from the standard start.
    let (mut opt, mut hand) = (adam(1e-3), AdamByHand::<N>::new(1e-3));
    let (mut xa, mut xb) = (x0::<N>(), x0::<N>());
    for _ in 0..200 {
        adam_iteration_generated(&mut opt, &mut xa);
        adam_iteration_hand_written(&mut hand, &mut xb);
    }
    let dev = max_rel_dev(&xa, &xb);
    assert!(
        dev < 1e-10,
        "Adam: library vs hand-written after 200 steps: {dev:e}"
    );
    println!(
        "adam_rosen_n100: library vs hand-written after 200 iterations: max rel dev {dev:.1e}"
    );
    // The fused hand-written update is the library's computation: the same bits.
    let g = rosen_arr::grad(&x0::<N>()).1;
    let (mut opt, mut hand) = (adam(1e-3), AdamByHand::<N>::new(1e-3));
    let (mut xa, mut xb) = (x0::<N>(), x0::<N>());
    for _ in 0..200 {
        adam_update_optim(&mut opt, &mut xa, &g);
        adam_update_hand_written::<N, true>(&mut hand, &mut xb, &g);
    }
    assert_eq!(xa, xb, "Adam: library vs fused hand-written update");

    let g = rosen_arr::grad(&x0::<N>()).1;
    let mut group = c.benchmark_group("adam_rosen_n100");
    let (mut opt, mut x) = (adam(1e-3), x0::<N>());
    group.bench_function("update_optim", |b| {
        b.iter(|| adam_update_optim(&mut opt, black_box(&mut x), black_box(&g)))
    });
    let (mut hand, mut x) = (AdamByHand::<N>::new(1e-3), x0::<N>());
    group.bench_function("update_hand_written", |b| {
        b.iter(|| adam_update_hand_written::<N, false>(&mut hand, black_box(&mut x), black_box(&g)))
    });
    let (mut hand, mut x) = (AdamByHand::<N>::new(1e-3), x0::<N>());
    group.bench_function("update_hand_written_fused", |b| {
        b.iter(|| adam_update_hand_written::<N, true>(&mut hand, black_box(&mut x), black_box(&g)))
    });
    let (mut opt, mut x) = (adam(1e-3), x0::<N>());
    group.bench_function("iteration_generated", |b| {
        b.iter(|| adam_iteration_generated(&mut opt, black_box(&mut x)))
    });
    let (mut hand, mut x) = (AdamByHand::<N>::new(1e-3), x0::<N>());
    group.bench_function("iteration_hand_written", |b| {
        b.iter(|| adam_iteration_hand_written(&mut hand, black_box(&mut x)))
    });
    group.finish();
}

// =============================================================================================
// L-BFGS: one iteration of torch's `LBFGS.step` with `max_iter = 1`, `lr = 1`.

type LbfgsArr = Lbfgs<f64, [f64; N], [[f64; N]; M]>;

fn lbfgs_arr() -> LbfgsArr {
    LbfgsConfig::default()
        .max_iter(1)
        .history_size(M)
        .build(N)
        .unwrap()
}

/// The same iteration by hand: ring buffer of `(s, y, rho)`, two-loop recursion.
#[derive(Clone)]
struct LbfgsByHand<const K: usize, const H: usize> {
    s: [[f64; K]; H],
    y: [[f64; K]; H],
    rho: [f64; H],
    alpha: [f64; H],
    head: usize,
    len: usize,
    h_diag: f64,
    g: [f64; K],
    prev_g: [f64; K],
    d: [f64; K],
    t: f64,
    iter: usize,
}

impl<const K: usize, const H: usize> LbfgsByHand<K, H> {
    fn new() -> Self {
        LbfgsByHand {
            s: [[0.0; K]; H],
            y: [[0.0; K]; H],
            rho: [0.0; H],
            alpha: [0.0; H],
            head: 0,
            len: 0,
            h_diag: 1.0,
            g: [0.0; K],
            prev_g: [0.0; K],
            d: [0.0; K],
            t: 0.0,
            iter: 0,
        }
    }
}

fn dot<const K: usize>(a: &[f64; K], b: &[f64; K]) -> f64 {
    let mut s = 0.0;
    for i in 0..K {
        s += a[i] * b[i];
    }
    s
}

/// `a * b + c`: one rounding (torch's `add_(alpha)`, `mul_add`) if `FUSED`, else two.
#[inline(always)]
fn madd<const FUSED: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FUSED {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// One L-BFGS iteration by hand. `FUSED = false`: plain arithmetic, `d -= a y`, `d += c s` and
/// `x += t d` each rounded twice, as a person writes them (not torch's computation: it drifts
/// from torch's trajectory in the last bits). `FUSED = true`: those three updates fused as
/// torch's `add_(alpha)` does (the library's computation, bit for bit).
#[inline(never)]
fn lbfgs_step_hand_written<const K: usize, const H: usize, const FUSED: bool>(
    st: &mut LbfgsByHand<K, H>,
    x: &mut [f64; K],
) -> f64 {
    let value = rosen_by_hand_into(x, &mut st.g);
    if st.g.iter().fold(0.0f64, |m, v| m.max(v.abs())) <= 1e-7 {
        return value;
    }
    st.iter += 1;
    if st.iter == 1 {
        for i in 0..K {
            st.d[i] = -st.g[i];
        }
        let g1: f64 = st.g.iter().map(|v| v.abs()).sum();
        st.t = f64::min(1.0, 1.0 / g1);
    } else {
        // The pair s = t d, y = g - prev_g; kept if y.s > 1e-10.
        let (mut ys, mut yy) = (0.0, 0.0);
        for i in 0..K {
            let y = st.g[i] - st.prev_g[i];
            ys += y * (st.d[i] * st.t);
            yy += y * y;
        }
        if ys > 1e-10 {
            let p = if st.len < H {
                st.len += 1;
                (st.head + st.len - 1) % H
            } else {
                let p = st.head;
                st.head = (st.head + 1) % H;
                p
            };
            for i in 0..K {
                st.s[p][i] = st.d[i] * st.t;
                st.y[p][i] = st.g[i] - st.prev_g[i];
            }
            st.rho[p] = 1.0 / ys;
            st.h_diag = ys / yy;
        }
        // Two-loop recursion: d = -H g.
        for i in 0..K {
            st.d[i] = -st.g[i];
        }
        for k in (0..st.len).rev() {
            let p = (st.head + k) % H;
            let a = dot(&st.s[p], &st.d) * st.rho[p];
            st.alpha[p] = a;
            for i in 0..K {
                st.d[i] = madd::<FUSED>(-a, st.y[p][i], st.d[i]);
            }
        }
        for i in 0..K {
            st.d[i] *= st.h_diag;
        }
        for k in 0..st.len {
            let p = (st.head + k) % H;
            let b = dot(&st.y[p], &st.d) * st.rho[p];
            let c = st.alpha[p] - b;
            for i in 0..K {
                st.d[i] = madd::<FUSED>(c, st.s[p][i], st.d[i]);
            }
        }
        st.t = 1.0;
    }
    st.prev_g = st.g;
    if dot(&st.g, &st.d) > -1e-9 {
        return value;
    }
    for i in 0..K {
        x[i] = madd::<FUSED>(st.t, st.d[i], x[i]);
    }
    value
}

#[inline(never)]
fn lbfgs_step_generated<O: Objective<f64>>(opt: &mut LbfgsArr, obj: &O, x: &mut [f64; N]) -> f64 {
    opt.step(obj, x)
}

fn bench_lbfgs(c: &mut Criterion) {
    let obj = rosen_arr::objective::<N>();
    let hand_obj = from_fns(N, rosen_by_hand_value, rosen_by_hand_into);
    // Warm up both from the standard start; they follow the same path.
    const WARM: usize = 40;
    let (mut opt, mut hand) = (lbfgs_arr(), LbfgsByHand::<N, M>::new());
    let (mut xa, mut xb) = (x0::<N>(), x0::<N>());
    // The fused hand-written iteration is the library's computation: on the same (hand-written)
    // gradient, the same bits.
    let (mut fused, mut xc) = (LbfgsByHand::<N, M>::new(), x0::<N>());
    let (mut opt_hand, mut xd) = (lbfgs_arr(), x0::<N>());
    let mut worst: f64 = 0.0;
    for _ in 0..WARM {
        lbfgs_step_generated(&mut opt, &obj, &mut xa);
        lbfgs_step_hand_written::<N, M, false>(&mut hand, &mut xb);
        lbfgs_step_hand_written::<N, M, true>(&mut fused, &mut xc);
        lbfgs_step_generated(&mut opt_hand, &hand_obj, &mut xd);
        worst = worst.max(max_rel_dev(&xa, &xb));
        assert_eq!(xc, xd, "L-BFGS: library vs fused hand-written iteration");
    }
    assert!(
        worst < 1e-6 && xa.iter().all(|v| v.is_finite()),
        "L-BFGS: library vs hand-written over {WARM} iterations: {worst:e}"
    );
    println!(
        "lbfgs_rosen_n100: library vs hand-written over {WARM} warm-up iterations: max rel dev \
         {worst:.1e}; value {:.3e} -> {:.3e}; history {} pairs",
        rosen_arr(&x0::<N>()),
        rosen_arr(&xa),
        opt.history_len()
    );

    let mut group = c.benchmark_group("lbfgs_rosen_n100");
    group.bench_function("step_generated", |b| {
        b.iter_batched_ref(
            || (opt.clone(), xa),
            |(o, x)| lbfgs_step_generated(o, &obj, black_box(x)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("step_optim_hand_objective", |b| {
        b.iter_batched_ref(
            || (opt.clone(), xa),
            |(o, x)| lbfgs_step_generated(o, &hand_obj, black_box(x)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("step_hand_written", |b| {
        b.iter_batched_ref(
            || (hand.clone(), xb),
            |(h, x)| lbfgs_step_hand_written::<N, M, false>(h, black_box(x)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("step_hand_written_fused", |b| {
        b.iter_batched_ref(
            || (fused.clone(), xc),
            |(h, x)| lbfgs_step_hand_written::<N, M, true>(h, black_box(x)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

// =============================================================================================
// Time to |g|_2 <= 1e-8 on Rosenbrock n = 1000.

const BIG: usize = 1000;
const TOL: f64 = 1e-8;
const GD_LR: f64 = 1.5e-4;
const GD_CAP: usize = 60_000;

/// What a run ended with: status, iterations, evaluations, value, gradient norm.
struct Outcome {
    status: Status,
    iterations: usize,
    evals: (usize, usize, usize),
    value: f64,
    gnorm: f64,
}

fn outcome<O: Objective<f64>>(obj: &O, x: &[f64], r: &Report<f64>) -> Outcome {
    let mut g = vec![0.0; x.len()];
    obj.value_grad(x, &mut g);
    Outcome {
        status: r.status,
        iterations: r.iterations,
        evals: (r.value_evals, r.grad_evals, r.hvp_evals),
        value: r.value,
        gnorm: l2(&g),
    }
}

#[inline(never)]
fn run_newton_cg<O: Objective<f64>>(obj: &O, x: &mut [f64]) -> Report<f64> {
    let mut solver: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default()
        .xtol(0.0)
        .grad_norm(Some((GradNorm::L2, TOL)))
        .build(x.len())
        .unwrap();
    solver.minimize(obj, x).unwrap()
}

#[inline(never)]
fn run_lbfgs<O: Objective<f64>>(obj: &O, x: &mut [f64]) -> Report<f64> {
    let mut solver: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = LbfgsConfig::default()
        .history_size(10)
        .build(x.len())
        .unwrap();
    solver.minimize(
        obj,
        x,
        &StopRules::max_iterations(100_000).grad_norm(GradNorm::L2, TOL),
    )
}

#[inline(never)]
fn run_gd<O: Objective<f64>>(obj: &O, x: &mut [f64]) -> Report<f64> {
    autodiff::optim::minimize(obj, x)
        .with(SgdConfig::default().lr(GD_LR))
        .stop(StopRules::max_iterations(GD_CAP).grad_norm(GradNorm::L2, TOL))
        .run()
        .unwrap()
}

type Run<'a> = Box<dyn Fn(&mut [f64]) -> Report<f64> + 'a>;

fn bench_to_tolerance(c: &mut Criterion) {
    let obj = rosen::objective(BIG);
    let obj = &obj;
    let start: Vec<f64> = x0::<BIG>().to_vec();
    let runs: [(&str, Run); 3] = [
        ("newton_cg", Box::new(|x| run_newton_cg(obj, x))),
        ("lbfgs_m10", Box::new(|x| run_lbfgs(obj, x))),
        ("gradient_descent", Box::new(|x| run_gd(obj, x))),
    ];
    for (name, run) in &runs {
        let mut x = start.clone();
        let t = Instant::now();
        let r = run(&mut x);
        let dt = t.elapsed();
        let o = outcome(obj, &x, &r);
        println!(
            "to_gnorm_1e-8_rosen_n1000/{name}: {:?} after {} iterations ({} values, {} gradients, \
             {} HVPs), f = {:.3e}, |g|_2 = {:.3e}, |x - 1|_inf = {:.3e}; one run {:.1} ms",
            o.status,
            o.iterations,
            o.evals.0,
            o.evals.1,
            o.evals.2,
            o.value,
            o.gnorm,
            x.iter().fold(0.0f64, |m, v| m.max((v - 1.0).abs())),
            dt.as_secs_f64() * 1e3
        );
        if *name != "gradient_descent" {
            assert!(o.gnorm <= TOL, "{name} did not reach the tolerance");
        }
    }

    let mut group = c.benchmark_group("to_gnorm_1e-8_rosen_n1000");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2));
    for (name, run) in &runs {
        group.bench_function(*name, |b| {
            b.iter_batched(
                || start.clone(),
                |mut x| {
                    run(black_box(&mut x));
                    x
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = steps;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500));
    targets = bench_adam, bench_lbfgs
}
criterion_group!(solvers, bench_to_tolerance);
criterion_main!(steps, solvers);
