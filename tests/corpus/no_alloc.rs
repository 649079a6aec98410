//! Fixed-size programs written as one first writes them stay allocation-free in every mode:
//! calls with arrays and sub-slices inside loops, tuples, array literals and copies. Counted by
//! the binary's per-thread counting allocator (`main.rs`).

use crate::alloc_counter::allocations;
use autodiff::differentiable;
use std::hint::black_box as bb;

#[differentiable]
fn sqnorm(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

#[differentiable]
fn pairs(x: &[f64; 8]) -> f64 {
    let mut s = 0.0;
    let mut buf = [0.0; 2];
    for i in 0..4 {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        buf[0] = a * b;
        buf[1] = a - b;
        let copy = buf;
        s += sqnorm(&x[2 * i..2 * i + 2]) * sqnorm(&copy) + sqnorm(&buf);
    }
    s
}

#[test]
fn fixed_size_calls_tuples_and_arrays_do_not_allocate() {
    let x = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8];
    let v = [1.0; 8];
    let before = allocations();
    let (a, _) = pairs::jvp(bb(&x), bb(&v));
    let mut bar = [0.0; 8];
    let b = pairs::vjp(bb(&x), 1.0, &mut bar);
    let (c, g) = pairs::grad(bb(&x));
    let (d, _, hv) = pairs::hvp(bb(&x), bb(&v));
    let after = allocations();
    bb((a, b, c, d, g, hv, bar));
    assert_eq!(after - before, 0, "allocations in jvp/vjp/grad/hvp");
}

#[differentiable]
fn cross(a: &[f64], b: &[f64], out: &mut [f64]) {
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

/// A matrix parameter, a local matrix, rows to a helper, an output-buffer helper, a tuple.
#[differentiable]
fn frames(m: &[[f64; 3]; 3]) -> f64 {
    let mut c = [[0.0; 3]; 3];
    for i in 0..3 {
        cross(&m[i], &m[(i + 1) % 3], &mut c[i]);
    }
    let mut s = 0.0;
    for i in 0..3 {
        let (a, b) = (c[i][0], c[i][1] * m[i][2]);
        s += a * b + sqnorm(&c[i]);
    }
    s
}

#[test]
fn fixed_size_matrices_and_output_buffers_do_not_allocate() {
    let m = [[0.1, 0.2, -0.3], [0.4, 0.5, -0.6], [0.7, 0.8, 0.9]];
    let v = [[1.0; 3]; 3];
    let n0 = allocations();
    let (a, _) = frames::jvp(bb(&m), bb(&v));
    let n1 = allocations();
    let mut bar = [[0.0; 3]; 3];
    let b = frames::vjp(bb(&m), 1.0, &mut bar);
    let n2 = allocations();
    let (c, g) = frames::grad(bb(&m));
    let n3 = allocations();
    let (d, _, hv) = frames::hvp(bb(&m), bb(&v));
    let n4 = allocations();
    bb((a, b, c, d, g, hv, bar));
    assert_eq!(
        [n1 - n0, n2 - n1, n3 - n2, n4 - n3],
        [0; 4],
        "allocations in jvp/vjp/grad/hvp"
    );
}

/// Parameter structs of fixed size: `grad`, `vjp`, `jvp`, `hvp` and a method's gradient.
#[test]
fn fixed_size_structs_do_not_allocate() {
    use crate::structs::{Mlp, Pose};
    let p = Pose {
        angle: 0.3,
        t: [0.5, -0.2],
        id: 1,
    };
    let pts = [[1.0, 0.0], [0.0, 2.0], [-1.0, 1.0]];
    let targets = [[0.9, 0.7], [-0.4, 1.8], [-1.2, 0.3]];
    let m = Mlp {
        w1: [
            [0.1, 0.2, -0.3],
            [0.4, -0.5, 0.6],
            [0.7, 0.8, -0.9],
            [-1.0, 0.3, 0.2],
        ],
        b1: [0.1, -0.2, 0.3, 0.0],
        w2: [0.5, -0.6, 0.7, 0.8],
        b2: 0.1,
    };
    let xs = [[0.3, -0.1, 0.9], [0.2, 0.4, -0.5]];
    let ys = [0.5, -0.25];
    let before = allocations();
    let (a, g) = crate::structs::pose_loss_grad_for_tests(bb(&p), &pts, &targets);
    let mut bar = p.clone();
    let b = crate::structs::pose_loss_vjp_for_tests(bb(&p), &pts, &targets, &mut bar);
    let (c, hv) = crate::structs::pose_loss_hvp_for_tests(bb(&p), &pts, &targets, &g);
    let (d, gm) = bb(&m).loss_grad(&xs, &ys);
    let after = allocations();
    assert_eq!(after - before, 0, "allocations in struct derivatives");
    // Adam steps on the struct through `minimize` and a `FlatArray`: state in arrays.
    use autodiff::optim::{minimize, AdamConfig, StopRules};
    use autodiff::{Differentiable, FlatArray};
    let objective = crate::structs::pose_loss::objective(&p, &pts, &targets);
    let before = allocations();
    let mut params = FlatArray::<Pose, { Pose::DIM }>::new(p.clone());
    let report = minimize(&objective, &mut params)
        .with(AdamConfig::default().lr(0.01))
        .stop(StopRules::max_iterations(5))
        .run();
    let fitted = params.get();
    assert_eq!(
        allocations() - before,
        0,
        "allocations in Adam steps on a struct"
    );
    assert_eq!(report.expect("runs").iterations, 5);
    assert_eq!(fitted.id, p.id);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert!(d.is_finite() && gm.b2.is_finite() && hv.angle.is_finite());
}

/// `grad_into`: the gradient of a slice function into the caller's buffer, overwriting it, with
/// no allocation (`grad` returns a fresh `Vec`).
#[test]
fn grad_into_writes_the_callers_buffer() {
    let x: Vec<f64> = (0..64).map(|k| (k as f64 * 0.3).sin()).collect();
    let mut g = vec![7.0; 64];
    let before = allocations();
    let v = sqnorm::grad_into(bb(&x), &mut g);
    let after = allocations();
    assert_eq!(after - before, 0, "allocations in grad_into");
    let (v2, g2) = sqnorm::grad(&x);
    assert_eq!((v, &g), (v2, &g2));
    // Twice: overwritten, not accumulated.
    sqnorm::grad_into(&x, &mut g);
    assert_eq!(g, g2);
}
