//! Proof that the fixed-size paths allocate nothing: a counting global allocator around one
//! step of each optimizer (and short solver runs) on a fixed-size problem, with the state in
//! `[f64; N]` arrays and every buffer on the stack.
//!
//! The allocator counts only while the current thread has counting switched on (a
//! thread-local flag), so allocations the test harness makes on other threads cannot leak in.
//! There is a single `#[test]` all the same, so nothing else runs in this process meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use autodiff_runtime::{from_fns, Objective};
use optim::lbfgs::Lbfgs;
use optim::minibatch::{train_in, MinibatchConfig};
use optim::state::{DriverState, Stateful};
use optim::{
    minimize, minimize_in, restarts_in, resume_in, Adam, AdamConfig, GradNorm, LbfgsConfig,
    NewtonCg, NewtonCgConfig, NoObserver, NoSchedule, Optimizer, Rng, Rule, Sgd, SgdConfig, Status,
    StopRules, TrustRegion, TrustRegionConfig,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    // `try_with`: the flag may already be gone while a thread shuts down.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: as `alloc`; `ptr` came from `System` through this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` with counting on; returns its result and the number of allocations it made.
fn count<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (r, ALLOCATIONS.load(Ordering::Relaxed) - before)
}

#[track_caller]
fn assert_no_alloc<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let (r, n) = count(f);
    assert_eq!(n, 0, "{what}: {n} allocation(s)");
    r
}

const N: usize = 8;
const M: usize = 5;

// Rosenbrock by hand, on slices (the objective's interface).

fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn rosen_grad(x: &[f64], g: &mut [f64]) -> f64 {
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

fn rosen_hvp(x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]) -> f64 {
    hv.fill(0.0);
    for i in 0..x.len() - 1 {
        // Term 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2.
        let hii = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        let hij = -400.0 * x[i];
        hv[i] += hii * v[i] + hij * v[i + 1];
        hv[i + 1] += hij * v[i] + 200.0 * v[i + 1];
    }
    rosen_grad(x, g)
}

fn x0() -> [f64; N] {
    core::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
}

#[test]
fn fixed_size_optimizers_do_not_allocate() {
    // The counter sees allocations: a `Vec` counts, and the `Vec`-backed storage does.
    let (_, n) = count(|| black_box(vec![1.0f64; 4]));
    assert_eq!(n, 1);
    let (_, n) = count(|| AdamConfig::default().build::<f64, Vec<f64>>(N).unwrap());
    assert!(n >= 2, "{n}");

    let obj = from_fns(N, rosen, rosen_grad).with_hvp(rosen_hvp);
    let obj = &obj;

    // The objective itself (so that a failure below is the optimizer's).
    assert_no_alloc("objective", || {
        let x = x0();
        let mut g = [0.0; N];
        let mut hv = [0.0; N];
        black_box(obj.value_grad(&x, &mut g));
        black_box(obj.hvp(&x, &[1.0; N], &mut g, &mut hv).unwrap());
    });

    // One step of gradient descent (Sgd, also with momentum), building included.
    let x = assert_no_alloc("Sgd step", || {
        let mut sgd: Sgd<f64, [f64; N]> = SgdConfig::default().lr(1e-4).build(N).unwrap();
        let mut heavy: Sgd<f64, [f64; N]> = SgdConfig::default()
            .lr(1e-4)
            .momentum(0.9)
            .build(N)
            .unwrap();
        let mut x = x0();
        let mut g = [0.0; N];
        obj.value_grad(&x, &mut g);
        sgd.step(&mut x, &g);
        let mut y = x0();
        heavy.step(&mut y, &g);
        heavy.step(&mut y, &g);
        x
    });
    assert!(rosen(&x) < rosen(&x0()));

    // One step of Adam.
    let x = assert_no_alloc("Adam step", || {
        let mut adam: Adam<f64, [f64; N]> = AdamConfig::default().lr(1e-2).build(N).unwrap();
        let mut x = x0();
        let mut g = [0.0; N];
        obj.value_grad(&x, &mut g);
        adam.step(&mut x, &g);
        x
    });
    assert_ne!(x, x0());

    // L-BFGS with a fixed history of M pairs: torch's step (fixed steps and strong Wolfe),
    // several calls so the history fills and wraps, and the line-search minimizer.
    let (x, r) = assert_no_alloc("L-BFGS", || {
        let mut torch: Lbfgs<f64, [f64; N], [[f64; N]; M]> = LbfgsConfig::default()
            .history_size(M)
            .lr(0.1)
            .build(N)
            .unwrap();
        let mut x = x0();
        torch.step(obj, &mut x);
        let mut wolfe: Lbfgs<f64, [f64; N], [[f64; N]; M]> = LbfgsConfig::default()
            .history_size(M)
            .strong_wolfe(true)
            .build(N)
            .unwrap();
        for _ in 0..3 {
            wolfe.step(obj, &mut x);
        }
        let mut lbfgs: Lbfgs<f64, [f64; N], [[f64; N]; M]> =
            LbfgsConfig::default().history_size(M).build(N).unwrap();
        let mut y = x0();
        let r = lbfgs.minimize(
            obj,
            &mut y,
            &StopRules::max_iterations(500).grad_norm(GradNorm::L2, 1e-8),
        );
        (y, r)
    });
    assert_eq!(r.status, Status::Converged(Rule::GradNorm), "{r:?}");
    assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-6), "{x:?}");

    // One Newton-CG iteration (state in the solver's eight `[f64; N]` work vectors), then a
    // full run; and trust-region Newton-CG.
    let (x1, x, r) = assert_no_alloc("Newton-CG", || {
        let mut one: NewtonCg<f64, [f64; N]> = NewtonCgConfig::default()
            .max_iterations(Some(1))
            .build(N)
            .unwrap();
        let mut x1 = x0();
        let r1 = one.minimize(obj, &mut x1).unwrap();
        assert_eq!((r1.status, r1.iterations), (Status::MaxIterations, 1));
        let mut full: NewtonCg<f64, [f64; N]> = NewtonCgConfig::default().build(N).unwrap();
        let mut x = x0();
        let r = full.minimize(obj, &mut x).unwrap();
        (x1, x, r)
    });
    assert!(rosen(&x1) < rosen(&x0()));
    assert_eq!(r.status, Status::Converged(Rule::StepSize), "{r:?}");
    assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-4), "{x:?}");
    let r = assert_no_alloc("trust region", || {
        let mut tr: TrustRegion<f64, [f64; N]> =
            TrustRegionConfig::default().gtol(1e-8).build(N).unwrap();
        let mut x = x0();
        tr.minimize(obj, &mut x).unwrap()
    });
    // (From this start it finds the local minimum near x[0] = -1 of the 8-d function.)
    assert_eq!(r.status, Status::Converged(Rule::GradNorm), "{r:?}");

    // The driver with caller buffers.
    let r = assert_no_alloc("minimize_in", || {
        let mut adam: Adam<f64, [f64; N]> = AdamConfig::default().lr(1e-2).build(N).unwrap();
        let mut x = x0();
        let mut g = [0.0; N];
        let rules = StopRules::max_iterations(200)
            .grad_norm(GradNorm::L2, 1e-12)
            .max_evaluations(150);
        minimize_in(
            obj,
            &mut x,
            &mut g,
            &mut adam,
            &rules,
            &mut NoSchedule,
            &mut NoObserver,
        )
    });
    assert_eq!((r.status, r.iterations), (Status::MaxEvaluations, 149));

    // The single entry point on an array: the state storage is inferred as `[f64; N]`, and the
    // same run as the driver's above; the Newton methods likewise.
    let (r_entry, _) = assert_no_alloc("minimize with Adam", || {
        let mut x = x0();
        let rules = StopRules::max_iterations(200)
            .grad_norm(GradNorm::L2, 1e-12)
            .max_evaluations(150);
        let config = AdamConfig::default().lr(1e-2);
        let r = minimize(obj, &mut x).with(config).stop(rules).run();
        (r.unwrap(), x)
    });
    assert_eq!(r_entry, r);
    let r = assert_no_alloc("minimize with Newton-CG and the trust region", || {
        let (mut x, mut y) = (x0(), x0());
        let rules = StopRules::max_iterations(50);
        let ncg = minimize(obj, &mut x)
            .with(NewtonCgConfig::default())
            .stop(rules)
            .run();
        let tr = minimize(obj, &mut y)
            .with(TrustRegionConfig::default())
            .stop(rules)
            .run();
        (ncg.unwrap(), tr.unwrap())
    });
    assert!(r.0.hvp_evals > 0 && r.1.hvp_evals > 0, "{r:?}");

    // Minibatch training and random restarts with caller buffers.
    let report = assert_no_alloc("train_in", || {
        let ys = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let mut sgd: Sgd<f64, [f64; 1]> = SgdConfig::default().lr(0.1).build(1).unwrap();
        let (mut p, mut g, mut order, mut losses) = ([0.0], [0.0], [0usize; 8], [0.0; 5]);
        let config = MinibatchConfig::default().epochs(5).batch_size(3).seed(3);
        train_in(
            &mut p,
            &mut g,
            &mut order,
            &mut losses,
            &mut sgd,
            &config,
            &mut NoSchedule,
            |p, i, g| {
                let r = p[0] - ys[i];
                g[0] += 2.0 * r;
                r * r
            },
        )
        .unwrap()
    });
    assert_eq!(report.steps, 15);
    let (best, found) = assert_no_alloc("restarts_in", || {
        let (mut work, mut best) = ([0.0; N], [0.0; N]);
        let found = restarts_in(
            3,
            11,
            &mut work,
            &mut best,
            |rng: &mut Rng, x: &mut [f64]| {
                for v in x.iter_mut() {
                    *v = rng.uniform(-2.0, 2.0);
                }
            },
            |_, x: &mut [f64]| {
                let mut sgd: Sgd<f64, [f64; N]> = SgdConfig::default().lr(1e-4).build(N).unwrap();
                let mut g = [0.0; N];
                let rules = StopRules::max_iterations(20);
                minimize_in(
                    obj,
                    x,
                    &mut g,
                    &mut sgd,
                    &rules,
                    &mut NoSchedule,
                    &mut NoObserver,
                )
            },
        )
        .unwrap();
        (best, found.value)
    });
    assert_eq!(rosen(&best), found);

    // Saving and loading fixed-size states, and resuming from them (through the driver and the
    // single entry point), allocate nothing.
    let (r, lbfgs) = assert_no_alloc("state and resume", || {
        let (mut x, mut g, mut driver) = (x0(), [0.0; N], DriverState::new());
        let mut adam: Adam<f64, [f64; N]> = AdamConfig::default().lr(0.01).build(N).unwrap();
        let (sch, obs) = (&mut NoSchedule, &mut NoObserver);
        let first = StopRules::max_iterations(5);
        resume_in(
            obj,
            &mut x,
            &mut g,
            &mut adam,
            &first,
            sch,
            obs,
            &mut driver,
        );
        let mut adam = Adam::<f64, [f64; N]>::from_state(adam.state()).unwrap();
        // The rest through the single entry point (its gradient buffer is an array too).
        let rules = StopRules::max_iterations(10);
        let r = minimize(obj, &mut x)
            .with(&mut adam)
            .stop(rules)
            .resume(&mut driver);
        let r = r.unwrap();
        let mut lbfgs: Lbfgs<f64, [f64; N], [[f64; N]; M]> =
            LbfgsConfig::default().history_size(M).build(N).unwrap();
        let mut x = x0();
        lbfgs.minimize(obj, &mut x, &StopRules::max_iterations(3));
        let mut lbfgs = Lbfgs::<f64, [f64; N], [[f64; N]; M]>::from_state(lbfgs.state()).unwrap();
        let more = lbfgs.resume_observed(obj, &mut x, &StopRules::max_iterations(6), obs);
        (r, more)
    });
    assert_eq!((r.iterations, lbfgs.iterations), (10, 6));

    // With `serde`, a fixed-size state goes through a byte buffer and back without allocating.
    #[cfg(feature = "serde")]
    assert_no_alloc("serialized state", || {
        let mut adam: Adam<f64, [f64; N]> = AdamConfig::default().build(N).unwrap();
        adam.step(&mut x0(), &[1.0; N]);
        let mut buf = [0u8; 256];
        let bytes = postcard::to_slice(&adam.state(), &mut buf).unwrap();
        let back: optim::state::AdamState<f64, [f64; N]> = postcard::from_bytes(bytes).unwrap();
        assert!(back == adam.state());
    });
}
