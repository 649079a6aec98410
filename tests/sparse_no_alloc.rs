//! Sparse Hessian and Jacobian recovery with a prepared pattern allocates nothing: the
//! generated `f::sparse_hessian` (slice and array parameters), `SparseHessian::compute_with_hvp`
//! and `compute_objective` over allocation-free products, the generated `f::sparse_jacobian` and
//! `SparseJacobian::compute_with_jvp`.
//! A counting global allocator (per thread) sees zero allocations across the calls; preparation
//! (pattern detection, colouring) allocates and is done before measuring. One `#[test]` so no
//! other test runs on this thread meanwhile.
use autodiff::sparse::{jacobian_pattern, SparseHessian, SparseJacobian, Tracer};
use autodiff::{differentiable, Scalar};
use std::hint::black_box as bb;

mod alloc_counter;
use alloc_counter::allocations;

#[global_allocator]
static GLOBAL: alloc_counter::Counting = alloc_counter::Counting;

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

/// Arrowhead with passive data.
#[differentiable(wrt(x))]
fn arrow(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 1..x.len() {
        s += w[i] * (x[0] * x[i]).sin() + x[i].powi(4) / 4.0;
    }
    s
}

#[differentiable]
fn residuals<const N: usize>(x: &[f64; N]) -> [f64; 4] {
    let mut r = [0.0; 4];
    for i in 0..4 {
        r[i] = x[i] * x[i + 1] - x[i + 2].sin();
    }
    r
}

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
fn prepared_sparse_recovery_does_not_allocate() {
    let before = allocations();
    let v = bb(vec![1.0f64; 16]);
    assert!(
        allocations() > before,
        "the counter did not see a Vec allocation"
    );
    drop(v);

    let mut fails: Vec<String> = Vec::with_capacity(64);
    let n = 200;
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.01 * i as f64).collect();
    let w: Vec<f64> = (0..n).map(|i| 1.0 + 0.1 * i as f64).collect();
    let xa: [f64; 20] = core::array::from_fn(|i| 0.3 - 0.05 * i as f64);

    // Preparation (allocates): patterns and colourings.
    let mut rw = SparseHessian::new(rosen::sparse_hessian_pattern(&x)).unwrap();
    let mut aw = SparseHessian::new(rosen_arr::sparse_hessian_pattern(&xa)).unwrap();
    let mut ww = SparseHessian::new(arrow::sparse_hessian_pattern(&x, &w)).unwrap();
    let xr: [f64; 6] = core::array::from_fn(|i| 0.1 * i as f64 + 0.2);
    let jp = jacobian_pattern(&xr, 4, |t: &[Tracer], r: &mut [Tracer]| {
        for i in 0..4 {
            r[i] = t[i] * t[i + 1] - t[i + 2].sin();
        }
    });
    let mut jw = SparseJacobian::new(jp);
    let mut gw = SparseJacobian::new(residuals::sparse_jacobian_pattern(&xr));
    let obj = rosen_arr::objective::<20>();

    let mut acc = 0.0;
    for round in 0..3 {
        let s = 1.0 + 0.1 * round as f64;
        let xs: Vec<f64> = x.iter().map(|v| v * s).collect();
        let (v, g, h) = no_alloc!(
            fails,
            "rosen::sparse_hessian",
            rosen::sparse_hessian(&xs, &mut rw)
        );
        acc += v + g[3] + h.values()[7];
        let (v, g, h) = no_alloc!(
            fails,
            "rosen_arr::sparse_hessian",
            rosen_arr::sparse_hessian(&xa, &mut aw)
        );
        acc += v + g[3] + h.values()[7];
        let (v, _, h) = no_alloc!(
            fails,
            "arrow::sparse_hessian",
            arrow::sparse_hessian(&xs, &w, &mut ww)
        );
        acc += v + h.get(0, 5);
        let h = no_alloc!(
            fails,
            "SparseHessian::compute_with_hvp",
            aw.compute_with_hvp(&xa, |x, v, hv| {
                let (x, v): (&[f64; 20], &[f64; 20]) =
                    (x.try_into().unwrap(), v.try_into().unwrap());
                hv.copy_from_slice(&rosen_arr::hvp(x, v).2);
            })
        );
        acc += h.values()[1];
        let (v, _, _) = no_alloc!(
            fails,
            "SparseHessian::compute_objective",
            aw.compute_objective(&obj, &xa).unwrap()
        );
        acc += v;
        let j = no_alloc!(
            fails,
            "SparseJacobian::compute_with_jvp",
            jw.compute_with_jvp(&xr, |x, v, jv| {
                let (x, v): (&[f64; 6], &[f64; 6]) = (x.try_into().unwrap(), v.try_into().unwrap());
                jv.copy_from_slice(&residuals::jvp(x, v).1);
            })
        );
        acc += j.values()[2];
        let (r, j) = no_alloc!(
            fails,
            "residuals::sparse_jacobian",
            residuals::sparse_jacobian(&xr, &mut gw)
        );
        acc += r[0] + j.values()[3];
    }
    assert!(acc.is_finite());
    assert!(fails.is_empty(), "allocations: {fails:#?}");
}
