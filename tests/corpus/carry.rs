//! Fused loops whose adjoint additions at `i` and `i + 1` are carried in a local to the next
//! iteration (see `emit/carry.rs`): against dual numbers of the same programs, including the
//! shapes where a carry would be wrong if it were applied (a stride of 2, a reversed range) and
//! loops that skip iterations or stop early.

use crate::*;
use autodiff::{differentiable, Dual, Scalar};

#[differentiable]
fn pairs_windows(x: &[f64]) -> f64 {
    x.windows(2).map(|w| w[0] * w[1] + w[1].sin()).sum()
}

#[differentiable]
fn pairs_chunks(x: &[f64]) -> f64 {
    x.chunks_exact(2).map(|c| c[0] * c[1].cos() + c[1]).sum()
}

#[differentiable]
fn pairs_skip_and_stop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        if i % 3 == 1 {
            continue;
        }
        if x[i] > 1.9 {
            break;
        }
        s += x[i] * x[i + 1] * x[i + 1];
    }
    s
}

#[differentiable]
fn pairs_reversed(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..x.len() - 1).rev() {
        s += x[i + 1] * x[i].exp();
    }
    s
}

fn twin_windows<S: Scalar<Base = f64>>(x: &[S]) -> S {
    x.windows(2)
        .fold(S::zero(), |s, w| s + w[0] * w[1] + w[1].sin())
}

fn twin_chunks<S: Scalar<Base = f64>>(x: &[S]) -> S {
    x.chunks_exact(2)
        .fold(S::zero(), |s, c| s + c[0] * c[1].cos() + c[1])
}

fn twin_skip_and_stop<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = S::zero();
    for i in 0..x.len() - 1 {
        if i % 3 == 1 {
            continue;
        }
        if x[i].base() > 1.9 {
            break;
        }
        s += x[i] * x[i + 1] * x[i + 1];
    }
    s
}

fn twin_reversed<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = S::zero();
    for i in (0..x.len() - 1).rev() {
        s += x[i + 1] * x[i].exp();
    }
    s
}

#[test]
fn carried_additions_match_dual_numbers() {
    let x: Vec<f64> = (0..11).map(|i| 0.3 * i as f64 - 0.4).collect();
    type F = fn(&[f64]) -> (f64, Vec<f64>);
    type T = fn(&[Dual<f64>]) -> Dual<f64>;
    let cases: [(&str, F, T); 4] = [
        ("windows", pairs_windows::grad, twin_windows),
        ("chunks", pairs_chunks::grad, twin_chunks),
        (
            "skip and stop",
            pairs_skip_and_stop::grad,
            twin_skip_and_stop,
        ),
        ("reversed", pairs_reversed::grad, twin_reversed),
    ];
    for (what, grad, twin) in cases {
        let (v, g) = grad(&x);
        let (vd, gd) = dual_grad(&|d| twin(d), &x);
        assert_close(v, vd, 1e-14, 1.0, what);
        assert_grad_eq(what, &g, &gd, 1e-13);
        // `vjp` adds into what the buffer holds.
        let mut bar = vec![1.0; x.len()];
        grad_vjp_adds(what, &x, &g, &mut bar);
    }
}

fn grad_vjp_adds(what: &str, x: &[f64], g: &[f64], bar: &mut [f64]) {
    let v = match what {
        "windows" => pairs_windows::vjp(x, 2.0, bar),
        "chunks" => pairs_chunks::vjp(x, 2.0, bar),
        "skip and stop" => pairs_skip_and_stop::vjp(x, 2.0, bar),
        _ => pairs_reversed::vjp(x, 2.0, bar),
    };
    assert!(v.is_finite());
    let want: Vec<f64> = g.iter().map(|gi| 1.0 + 2.0 * gi).collect();
    assert_grad_eq(what, bar, &want, 1e-14);
}
