//! Fixed-size programs with loops differentiate without allocating: Rosenbrock over `&[f64; N]`
//! (N = 10 and 1000, const generic) and the explicit-Euler oscillator with a const step count.
//! Their trip counts are known at compile time, so the adjoint's tapes live on the stack
//! (ARCHITECTURE.md: "Fixed-trip-count loops use fixed-size stack storage").
//!
//! The runtime-sized versions (slice Rosenbrock, oscillator with a runtime step count) are
//! measured too and their counts printed (`cargo test --test programs_no_alloc -- --nocapture`).
//! Reverse mode may allocate for them ("dynamic loops use the `alloc` feature") and `grad` of a
//! slice returns a `Vec`. Measured at the time of writing:
//! - `rosen::jvp` (slice): 0; `rosen::vjp` (slice): 0 (nothing in the loop is overwritten and
//!   needed later, so no tape); `rosen::grad` (slice): 1 (the returned `Vec`);
//! - `oscillator_n::jvp`: 0; `oscillator_n::vjp` and `::grad` (1000 steps): 9 each (the tape of
//!   the overwritten `x`, `v` growing by doubling).
//!
//! Only forward mode is asserted for them (0: tangent code never needs storage); the reverse-mode
//! counts are reported, not required.
//!
//! A counting global allocator (per thread, so the harness's own threads cannot interfere) sees
//! every allocation; everything is in one `#[test]` so nothing else runs on this thread.
use autodiff::differentiable;
use std::hint::black_box as bb;

mod alloc_counter;
use alloc_counter::allocations;

#[global_allocator]
static GLOBAL: alloc_counter::Counting = alloc_counter::Counting;

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

const STEPS: usize = 1000;

#[differentiable(wrt(k, d))]
fn oscillator(k: f64, d: f64, x0: f64, v0: f64, dt: f64) -> f64 {
    let mut x = x0;
    let mut v = v0;
    for _ in 0..STEPS {
        let a = -k * x - d * v;
        x += dt * v;
        v += dt * a;
    }
    x
}

#[differentiable(wrt(k, d))]
fn oscillator_n(k: f64, d: f64, x0: f64, v0: f64, dt: f64, steps: usize) -> f64 {
    let mut x = x0;
    let mut v = v0;
    for _ in 0..steps {
        let a = -k * x - d * v;
        x += dt * v;
        v += dt * a;
    }
    x
}

/// Runs `$e` between two reads of this thread's allocation counter; returns (result, count).
/// The result goes through `black_box` so the call cannot be optimised away.
macro_rules! counted {
    ($e:expr) => {{
        let before = allocations();
        let r = bb($e);
        (r, allocations() - before)
    }};
}

/// Runs `$e`; records a failure if it allocated.
macro_rules! no_alloc {
    ($fails:ident, $what:expr, $e:expr) => {{
        let (r, n) = counted!($e);
        if n != 0 {
            $fails.push(format!("{}: {} allocation(s)", $what, n));
        }
        r
    }};
}

fn rosen_points<const N: usize>() -> [[f64; N]; 3] {
    [
        [1.0; N],
        core::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 }),
        core::array::from_fn(|i| 0.3 + 0.01 * (i % 17) as f64),
    ]
}

#[test]
fn fixed_size_programs_do_not_allocate() {
    // The counter works: a real allocation on this thread is seen.
    let before = allocations();
    #[allow(clippy::useless_vec)]
    let v = bb(vec![1.0f64; 16]);
    assert!(
        allocations() > before,
        "the counting allocator missed a Vec allocation"
    );
    drop(v);

    // Everything that is allowed to allocate (inputs, the failure list) is built first.
    let mut fails: Vec<String> = Vec::with_capacity(64);
    let p10 = rosen_points::<10>();
    let p1000 = rosen_points::<1000>();
    let t10 = [0.5f64; 10];
    let t1000: Box<[f64; 1000]> = Box::new(core::array::from_fn(|i| 1.0 - 0.002 * i as f64));
    let mut bar10 = [0.0f64; 10];
    let mut bar1000: Box<[f64; 1000]> = Box::new([0.0; 1000]);
    // Warm up (any lazy state in std's math is not the generated code's doing).
    let _ = bb(rosen_arr::grad(bb(&p10[1])));
    let _ = bb(oscillator::grad(
        bb(4.0),
        bb(0.3),
        bb(1.0),
        bb(0.0),
        bb(0.01),
    ));

    let mut acc = 0.0f64;
    for x in &p10 {
        let (v, d) = no_alloc!(
            fails,
            "rosen_arr::<10>::jvp",
            rosen_arr::jvp(bb(x), bb(&t10))
        );
        let w = no_alloc!(
            fails,
            "rosen_arr::<10>::vjp",
            rosen_arr::vjp(bb(x), bb(0.5), &mut bar10)
        );
        let (u, g) = no_alloc!(fails, "rosen_arr::<10>::grad", rosen_arr::grad(bb(x)));
        acc += v + d + w + u + g.iter().sum::<f64>() + bar10.iter().sum::<f64>();
    }
    for x in &p1000 {
        let (v, d) = no_alloc!(
            fails,
            "rosen_arr::<1000>::jvp",
            rosen_arr::jvp(bb(x), bb(&*t1000))
        );
        let w = no_alloc!(
            fails,
            "rosen_arr::<1000>::vjp",
            rosen_arr::vjp(bb(x), bb(0.5), &mut bar1000)
        );
        let (u, g) = no_alloc!(fails, "rosen_arr::<1000>::grad", rosen_arr::grad(bb(x)));
        acc += v + d + w + u + g.iter().sum::<f64>() + bar1000.iter().sum::<f64>();
    }
    for (k, d) in [(4.0, 0.3), (1.0, 0.05), (9.0, 1.5)] {
        let (k, d) = (bb(k), bb(d));
        let (x0, v0, dt) = (bb(1.0), bb(0.0), bb(0.01));
        let (v, t) = no_alloc!(
            fails,
            "oscillator::jvp",
            oscillator::jvp(k, d, x0, v0, dt, bb(1.0), bb(-0.5))
        );
        let (w, (a, b)) = no_alloc!(
            fails,
            "oscillator::vjp",
            oscillator::vjp(k, d, x0, v0, dt, bb(2.0))
        );
        let (u, (c, e)) = no_alloc!(
            fails,
            "oscillator::grad",
            oscillator::grad(k, d, x0, v0, dt)
        );
        acc += v + t + w + a + b + u + c + e;
    }

    // The runtime-sized versions: measured and reported, not required to be allocation-free.
    let xs: Vec<f64> = p10[1].to_vec();
    let ts: Vec<f64> = t10.to_vec();
    let mut bs = [0.0f64; 10];
    let ((v, d), slice_jvp) = counted!(rosen::jvp(bb(&xs[..]), bb(&ts[..])));
    let (w, slice_vjp) = counted!(rosen::vjp(bb(&xs[..]), bb(0.5), &mut bs[..]));
    let ((u, g), slice_grad) = counted!(rosen::grad(bb(&xs[..])));
    acc += v + d + w + u + g.iter().sum::<f64>();
    drop(g);
    let args = (bb(4.0), bb(0.3), bb(1.0), bb(0.0), bb(0.01), bb(STEPS));
    let ((v, t), osc_jvp) = counted!(oscillator_n::jvp(
        args.0,
        args.1,
        args.2,
        args.3,
        args.4,
        args.5,
        bb(1.0),
        bb(-0.5)
    ));
    let ((w, (a, b)), osc_vjp) = counted!(oscillator_n::vjp(
        args.0,
        args.1,
        args.2,
        args.3,
        args.4,
        args.5,
        bb(2.0)
    ));
    let ((u, (c, e)), osc_grad) = counted!(oscillator_n::grad(
        args.0, args.1, args.2, args.3, args.4, args.5
    ));
    acc += v + t + w + a + b + u + c + e;

    bb(acc);
    println!(
        "runtime-sized allocations: rosen slice n=10 jvp {slice_jvp}, vjp {slice_vjp}, grad \
         {slice_grad}; oscillator_n(1000 steps) jvp {osc_jvp}, vjp {osc_vjp}, grad {osc_grad}"
    );
    if slice_jvp != 0 || osc_jvp != 0 {
        fails.push(format!(
            "forward mode of runtime-sized loops allocated: rosen::jvp {slice_jvp}, \
             oscillator_n::jvp {osc_jvp}"
        ));
    }
    // Sanity: the results are real numbers (a stub returning NaN would not count).
    assert!(acc.is_finite(), "derivative results are not finite: {acc}");
    assert!(
        fails.is_empty(),
        "generated code for fixed-size programs allocated:\n  {}",
        fails.join("\n  ")
    );
}
