//! The generated second-order entry points allocate nothing for fixed-size parameters: `hvp`
//! and `hessian` of scalar and `&[f64; N]` functions, and `objective(..)` with `value`,
//! `value_grad`, `hvp` and `hessian_into` (stack buffers). A counting global allocator (per
//! thread, so the test harness's own threads cannot interfere) sees zero allocations across the
//! calls. Everything is in one `#[test]` so no other test runs on this thread meanwhile. Slice
//! functions' `hvp_into` allocates nothing once its `HvpWork` has grown to the length.
use autodiff::{differentiable, hessian_into, Objective};
use std::hint::black_box as bb;

mod alloc_counter;
use alloc_counter::allocations;

#[global_allocator]
static GLOBAL: alloc_counter::Counting = alloc_counter::Counting;

/// Rosenbrock on a slice (for `hvp_into`).
#[differentiable]
fn rosen_slice(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// Notebook 000's f.
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

#[differentiable]
fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

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

const STEPS: usize = 200;

/// Passive scalars bound in the objective; a constant-length loop (a runtime step count needs a
/// heap tape in reverse mode by design, see tests/programs_no_alloc.rs).
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

/// Runs `$e` between two reads of this thread's allocation counter; records a failure if it
/// allocated. The result goes through `black_box` so the call cannot be optimised away.
macro_rules! no_alloc {
    ($fails:ident, $what:expr, $e:expr) => {{
        let before = allocations();
        let r = bb($e);
        let n = allocations() - before;
        if n != 0 {
            $fails.push(format!("{}: {} allocation(s)", $what, n));
        }
        r
    }};
}

#[test]
fn second_order_entry_points_do_not_allocate() {
    // The counter works: a real allocation on this thread is seen.
    let before = allocations();
    let v = bb(vec![1.0f64; 16]);
    assert!(
        allocations() > before,
        "the counting allocator did not see a Vec allocation"
    );
    drop(v);

    // Build the failure list before measuring, and warm up.
    let mut fails: Vec<String> = Vec::with_capacity(64);
    let _ = bb(f::hvp(bb(0.3), bb(0.7), bb(1.0), bb(0.0)));

    let mut acc = 0.0f64;
    for &(x, y) in &[(3.0, 3.0), (-1.0, 2.0), (0.3, 0.7), (-2.805118, 3.131312)] {
        let (x, y) = (bb(x), bb(y));
        let (v, (a, b), (c, d)) = no_alloc!(fails, "f::hvp", f::hvp(x, y, bb(1.0), bb(-0.5)));
        acc += v + a + b + c + d;
        let (v, (a, b), h) = no_alloc!(fails, "f::hessian", f::hessian(x, y));
        acc += v + a + b + h[0][1];
        let (v, (a, b), (c, d)) = no_alloc!(
            fails,
            "himmelblau::hvp",
            himmelblau::hvp(x, y, bb(0.25), bb(2.0))
        );
        acc += v + a + b + c + d;
        let (v, (a, b), h) = no_alloc!(fails, "himmelblau::hessian", himmelblau::hessian(x, y));
        acc += v + a + b + h[1][0];

        // Objectives over the stack: value, value_grad, hvp, hessian_into.
        let p = [x, y];
        let dir = [bb(0.5), bb(-1.5)];
        let mut g = [0.0; 2];
        let mut hv = [0.0; 2];
        let mut out = [0.0; 4];
        let mut work = [0.0; 6];
        let obj = no_alloc!(fails, "f::objective()", f::objective());
        acc += no_alloc!(fails, "f::objective().value", obj.value(&p));
        acc += no_alloc!(
            fails,
            "f::objective().value_grad",
            obj.value_grad(&p, &mut g)
        );
        acc += no_alloc!(
            fails,
            "f::objective().hvp",
            obj.hvp(&p, &dir, &mut g, &mut hv)
        )
        .expect("generated objectives have hvp");
        acc += no_alloc!(
            fails,
            "hessian_into(f::objective())",
            hessian_into(&obj, &p, &mut out, &mut work)
        )
        .expect("generated objectives have hvp");
        let obj = himmelblau::objective();
        acc += no_alloc!(
            fails,
            "himmelblau::objective().hvp",
            obj.hvp(&p, &dir, &mut g, &mut hv)
        )
        .expect("generated objectives have hvp");
        let obj = oscillator::objective(bb(1.0), bb(0.0), bb(0.01));
        acc += no_alloc!(
            fails,
            "oscillator::objective(..).hvp",
            obj.hvp(&[4.0, 0.3], &dir, &mut g, &mut hv)
        )
        .expect("generated objectives have hvp");
        acc += g[0] + hv[1] + out[1];
    }

    // Rosenbrock on &[f64; 10].
    let x: [f64; 10] = std::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 });
    let dir: [f64; 10] = std::array::from_fn(|i| 0.1 * i as f64 - 0.45);
    let (v, g, hv) = no_alloc!(
        fails,
        "rosen_arr::hvp (N = 10)",
        rosen_arr::hvp(bb(&x), bb(&dir))
    );
    acc += v + g[3] + hv[7];
    let (v, g, h) = no_alloc!(
        fails,
        "rosen_arr::hessian (N = 10)",
        rosen_arr::hessian(bb(&x))
    );
    acc += v + g[0] + h[4][5];
    let obj = rosen_arr::objective::<10>();
    let mut g = [0.0; 10];
    let mut hv = [0.0; 10];
    acc += no_alloc!(
        fails,
        "rosen_arr::objective::<10>().hvp",
        obj.hvp(&x, &dir, &mut g, &mut hv)
    )
    .expect("generated objectives have hvp");
    let mut out = [0.0; 100];
    let mut work = [0.0; 30];
    acc += no_alloc!(
        fails,
        "hessian_into(rosen_arr::objective::<10>())",
        hessian_into(&obj, &x, &mut out, &mut work)
    )
    .expect("generated objectives have hvp");
    acc += g[9] + hv[0] + out[11];

    assert!(acc.is_finite());
    // `hvp_into` on a slice: the first call grows the work buffers, the next ones reuse them.
    let xs: Vec<f64> = (0..64).map(|i| (i as f64 * 0.37).sin()).collect();
    let vs: Vec<f64> = (0..64).map(|i| (i as f64 * 0.11).cos()).collect();
    let (mut g, mut hv) = (vec![0.0; 64], vec![0.0; 64]);
    let mut work = autodiff::HvpWork::new();
    rosen_slice::hvp_into(&xs, &vs, &mut g, &mut hv, &mut work);
    for _ in 0..3 {
        acc += no_alloc!(
            fails,
            "rosen_slice::hvp_into",
            rosen_slice::hvp_into(bb(&xs), bb(&vs), &mut g, &mut hv, &mut work)
        );
    }
    // The objective adapter's products run on this thread's reusable duals.
    let obj = rosen_slice::objective(64);
    obj.hvp(&xs, &vs, &mut g, &mut hv).expect("has hvp");
    for _ in 0..3 {
        acc += no_alloc!(
            fails,
            "rosen_slice::objective(64).hvp",
            obj.hvp(bb(&xs), bb(&vs), &mut g, &mut hv).expect("has hvp")
        );
    }
    let (v, g2, hv2) = rosen_slice::hvp(&xs, &vs);
    assert_eq!(
        (v, &g2, &hv2),
        (rosen_slice(&xs), &g, &hv),
        "hvp_into == hvp"
    );
    assert!(acc.is_finite());
    assert!(fails.is_empty(), "allocations:\n  {}", fails.join("\n  "));
}
