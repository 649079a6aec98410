//! `grad_into` and `grad` write the gradient without reading the buffer (see
//! `autodiff-macros/src/emit/carry.rs`): a fused loop finalizing `g[i]` one by one writes it,
//! the elements before and after it are zeroed, and every buffer another statement adds into is
//! zeroed first. Each program here runs on buffers full of NaN (and of garbage), which a missed
//! element or a read-back would show, against `vjp` into zeros, dual numbers and finite
//! differences: loops starting past 0, ranges empty or of one trip, a loop that stops early,
//! additions before the loop, two slices, an array, a scalar, and a buffer longer than the slice.

use crate::iterators::rosen_windows;
use crate::*;
use autodiff::{differentiable, Scalar};

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

/// The loop starts at 2 and ends one before the last pair: `g[0]`, `g[1]` and the last element
/// are never touched by it.
#[differentiable]
fn middle(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 2..x.len() - 2 {
        s += x[i] * x[i + 1] + (x[i] - 0.5).powi(2);
    }
    s
}

/// An addition into `x`'s adjoint before the loop: the buffer is zeroed instead.
#[differentiable]
fn with_head(x: &[f64]) -> f64 {
    let mut s = x[0] * x[0] * 3.0;
    for i in 0..x.len() - 1 {
        s += (x[i + 1] - x[i]).powi(2);
    }
    s
}

/// Stops early: the elements after the last iteration are zeroed.
#[differentiable]
fn stops(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        if x[i] > 1.0 {
            break;
        }
        s += x[i] * x[i + 1].sin();
    }
    s
}

/// Two slices (the loop carries `x`'s, `w`'s is added at `i` only) and a scalar.
#[differentiable]
fn weighted(x: &[f64], w: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let d = x[i + 1] - k * x[i];
        s += w[i] * d * d;
    }
    s
}

/// A fixed-size array.
#[differentiable]
fn ring<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        s += (x[i] * x[i + 1]).cos() + x[i];
    }
    s
}

#[differentiable]
fn sum_sq(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// A helper over a sub-slice next to the fused loop: its additions into the buffer are not the
/// loop's, so the buffer is zeroed first.
#[differentiable]
fn with_helper(x: &[f64]) -> f64 {
    let mut s = sum_sq(&x[1..]);
    for i in 0..x.len() - 1 {
        s += x[i] * x[i + 1];
    }
    s
}

fn twin_with_helper<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = x[1..].iter().fold(S::zero(), |a, &v| a + v * v);
    for i in 0..x.len() - 1 {
        s = s + x[i] * x[i + 1];
    }
    s
}

fn twin_rosen<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = S::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = S::one() - x[i];
        s = s + S::cst(100.0) * a * a + b * b;
    }
    s
}

fn twin_middle<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = S::zero();
    for i in 2..x.len().saturating_sub(2) {
        let d = x[i] - S::cst(0.5);
        s = s + x[i] * x[i + 1] + d * d;
    }
    s
}

fn twin_with_head<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = x[0] * x[0] * S::cst(3.0);
    for i in 0..x.len() - 1 {
        let d = x[i + 1] - x[i];
        s = s + d * d;
    }
    s
}

fn twin_stops<S: Scalar<Base = f64>>(x: &[S]) -> S {
    let mut s = S::zero();
    for i in 0..x.len() - 1 {
        if x[i].base() > 1.0 {
            break;
        }
        s = s + x[i] * x[i + 1].sin();
    }
    s
}

/// `grad_into` on a buffer of NaN and on one of garbage equals `vjp` into zeros (zeros of either
/// sign alike) and `grad`; the gradient equals the dual-number one.
#[track_caller]
fn check_into(
    what: &str,
    x: &[f64],
    into: &dyn Fn(&[f64], &mut [f64]) -> f64,
    vjp: &dyn Fn(&[f64], &mut [f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> (f64, Vec<f64>),
    twin: &dyn Fn(&[autodiff::Dual<f64>]) -> autodiff::Dual<f64>,
) {
    let mut zeros = vec![0.0; x.len()];
    let v = vjp(x, &mut zeros);
    for fill in [f64::NAN, -7.25, f64::INFINITY] {
        let mut g = vec![fill; x.len()];
        let vi = into(x, &mut g);
        assert_eq!(vi.to_bits(), v.to_bits(), "{what}: value");
        assert_eq!(g, zeros, "{what}: grad_into on {fill} vs vjp into zeros");
    }
    let (vg, g) = grad(x);
    assert_eq!((vg.to_bits(), &g), (v.to_bits(), &zeros), "{what}: grad");
    let (vd, gd) = dual_grad(twin, x);
    assert_close(v, vd, 1e-14, 0.0, &format!("{what}: value vs dual numbers"));
    assert_grad_eq(what, &g, &gd, 1e-14);
}

fn points(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 0.3 + 0.37 * ((i * 7 % 11) as f64) - 1.2)
        .collect()
}

/// [`check_into`] for the `#[differentiable]` function `f` of one slice and its twin.
macro_rules! check_fn {
    ($f:ident, $twin:ident, $x:expr) => {
        check_into(
            &format!("{} n={}", stringify!($f), $x.len()),
            &$x,
            &|x, g| $f::grad_into(x, g),
            &|x, g| $f::vjp(x, 1.0, g),
            &$f::grad,
            &|x| $twin(x),
        )
    };
}

#[test]
fn fused_loops_overwrite_every_element() {
    for n in [1, 2, 3, 4, 5, 9, 64] {
        check_fn!(rosen, twin_rosen, points(n));
        check_fn!(stops, twin_stops, points(n));
    }
    // `x.len() - 2` would wrap below 2: the same panics as the plain function's.
    for n in [2, 3, 4, 5, 6, 9, 64] {
        check_fn!(rosen_windows, twin_rosen, points(n));
        check_fn!(with_helper, twin_with_helper, points(n));
        check_fn!(middle, twin_middle, points(n));
        check_fn!(with_head, twin_with_head, points(n));
    }
}

#[test]
fn stopping_early_zeroes_the_rest() {
    let mut x: Vec<f64> = (0..12).map(|i| 0.1 * i as f64 - 0.4).collect();
    x[5] = 1.5; // stops at i = 5
    let mut g = vec![f64::NAN; 12];
    stops::grad_into(&x, &mut g);
    assert!(g[7..].iter().all(|&a| a == 0.0), "{g:?}");
    assert!(g[..5].iter().all(|&a| a != 0.0 && a.is_finite()), "{g:?}");
}

#[test]
fn other_buffers_scalars_and_arrays() {
    let (x, w) = (
        points(10),
        points(10).iter().map(|a| a * a).collect::<Vec<_>>(),
    );
    let k = 0.7;
    let (mut gx0, mut gw0) = (vec![0.0; 10], vec![0.0; 10]);
    let (v0, k0) = weighted::vjp(&x, &w, k, 1.0, &mut gx0, &mut gw0);
    let (mut gx, mut gw) = (vec![f64::NAN; 10], vec![f64::NAN; 10]);
    let (v, kb) = weighted::grad_into(&x, &w, k, &mut gx, &mut gw);
    assert_eq!((v, kb, &gx, &gw), (v0, k0, &gx0, &gw0), "weighted");
    let (vg, (gxa, gwa, kg)) = weighted::grad(&x, &w, k);
    assert_eq!((vg, &gxa, &gwa, kg), (v0, &gx0, &gw0, k0), "weighted grad");
    let mut z: Vec<f64> = x.clone();
    z.extend(&w);
    z.push(k);
    let fd = |z: &[f64]| weighted(&z[..10], &z[10..20], z[20]);
    let mut all = gx0.clone();
    all.extend(&gw0);
    all.push(k0);
    for (i, &gi) in all.iter().enumerate() {
        let h = 1e-6;
        let (mut p, mut m) = (z.clone(), z.clone());
        p[i] += h;
        m[i] -= h;
        let d = (fd(&p) - fd(&m)) / (2.0 * h);
        assert_close(gi, d, 1e-6, 1.0, &format!("weighted: gradient[{i}] vs FD"));
    }

    let xa: [f64; 6] = [0.2, -0.4, 0.9, 1.1, -0.3, 0.5];
    let mut ga0 = [0.0; 6];
    let va0 = ring::vjp(&xa, 1.0, &mut ga0);
    let mut ga = [f64::NAN; 6];
    let va = ring::grad_into(&xa, &mut ga);
    assert_eq!((va, ga), (va0, ga0), "ring grad_into");
    assert_eq!(ring::grad(&xa), (va0, ga0), "ring grad");
}

#[test]
fn a_longer_buffer_is_zeroed_past_the_slice() {
    let x = points(7);
    let mut g = vec![f64::NAN; 10];
    rosen::grad_into(&x, &mut g);
    let mut want = vec![0.0; 10];
    rosen::vjp(&x, 1.0, &mut want[..7]);
    assert_eq!(g, want);
}

/// `hvp_into` does not zero the dual adjoints between products: one `HvpWork` passed from
/// function to function (same length, so the buffer keeps the last product's values) gives
/// what `hvp` gives, and what finite differences of the gradient give.
#[test]
fn hvp_into_overwrites_the_reused_duals() {
    let mut work = autodiff::HvpWork::new();
    for n in [2, 5, 9] {
        let x = points(n);
        let v: Vec<f64> = (0..n).map(|i| 1.0 - 0.3 * i as f64).collect();
        for round in 0..2 {
            type HvpInto =
                fn(&[f64], &[f64], &mut [f64], &mut [f64], &mut autodiff::HvpWork<f64>) -> f64;
            let fs: [(&str, HvpInto); 3] = [
                ("rosen", rosen::hvp_into),
                ("stops", stops::hvp_into),
                ("with_head", with_head::hvp_into),
            ];
            for (name, f) in fs {
                let (mut g, mut hv) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                let value = f(&x, &v, &mut g, &mut hv, &mut work);
                let (value0, g0, hv0) = match name {
                    "rosen" => rosen::hvp(&x, &v),
                    "stops" => stops::hvp(&x, &v),
                    _ => with_head::hvp(&x, &v),
                };
                let what = format!("{name} n={n} round {round}");
                assert_eq!((value, &g, &hv), (value0, &g0, &hv0), "{what}");
                let grad = |p: &[f64]| match name {
                    "rosen" => rosen::grad(p).1,
                    "stops" => stops::grad(p).1,
                    _ => with_head::grad(p).1,
                };
                check_hvp(&what, &grad, &x, &v, &hv);
            }
        }
    }
}
