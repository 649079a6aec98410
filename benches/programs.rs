//! Generated gradients of whole programs (loops over arrays and slices) against gradients
//! written by hand, in the same run.
//!
//! One criterion group per program, each with at least three entries:
//! - `primal`: the function alone (the function `#[differentiable]` keeps);
//! - `*_generated`: the code `#[differentiable]` generates (`f::grad` or `f::vjp`);
//! - `*_hand_written`: value and gradient as a person would write them, in one fused loop.
//!
//! Programs (the same functions and layouts as tests/programs.rs):
//! - `rosen_arr_n2`: Rosenbrock on `&[f64; 2]` (const generic), `grad` returning `[f64; 2]`;
//! - `rosen_n100`, `rosen_n10000`: Rosenbrock on a slice. The main comparison is
//!   `grad_into_generated` (`grad_into`: the gradient written into a reused buffer, each element
//!   once) against `vjp_hand_written` (the best hand-written gradient: one pass, each element
//!   written once, no bounds checks, so no zeroing); `vjp_generated` is seed 1 into the buffer,
//!   zeroed each iteration (`vjp` adds into it). `grad_alloc_*` are the
//!   variants returning a fresh `Vec` (one allocation per call on both sides);
//!   `vjp_generated_windows` is the same function written `x.windows(2).map(|w| { .. }).sum()`
//!   with the same arithmetic (bitwise the same results as `vjp_generated`);
//! - `least_squares_n100000`: notebook 004's sum_i (m x_i + c - y_i)^2, m and c active, x and y
//!   passive slices of 100,000 points;
//! - `nn_loss_256x8x32`: 8 inputs, 32 tanh hidden units, 1 linear output, MSE over 256 samples,
//!   the 321 weights in one slice; generated `vjp` into a reused zeroed buffer against
//!   hand-written backprop into the same buffer; the `*_tanh_fast` entries are the same network
//!   with `z.tanh_fast()` (`autodiff::FastMath`, branch-free and vectorizable) for `z.tanh()`;
//! - `tanh_8192`: `tanh` against `tanh_fast` over 8,192 values (the network's calls per pass),
//!   in loops `out[k] = f(z[k])` that `benches/asm_check.sh` checks are vectorized.
//!
//! Run with `cargo bench --bench programs` (about a minute). Every input goes through
//! `black_box`; outputs written into buffers are black-boxed too, and criterion black-boxes the
//! returned value. Before timing, each group checks that the generated and hand-written
//! gradients agree.
// The programs are written the way `#[differentiable]` supports (index loops, no iterator
// chains), which these style lints would rewrite.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

use std::hint::black_box;
use std::time::Duration;

use autodiff::{differentiable, FastMath};
use criterion::{criterion_group, criterion_main, Criterion};

// =============================================================================================
// Deterministic inputs (splitmix64), so runs are comparable.

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
}

/// `a` and `b` agree to `rel` of `scale` (at least 1).
/// The generated functions behind the same `#[inline(never)]` boundary as the hand-written
/// ones, so that both are compiled as stand-alone functions: what LLVM does after inlining either
/// into the benchmark loop is noise, not a property of the code being compared.
#[inline(never)]
fn rosen_arr_grad_generated<const N: usize>(x: &[f64; N]) -> (f64, [f64; N]) {
    rosen_arr::grad(x)
}

#[inline(never)]
fn rosen_vjp_generated(x: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    rosen::vjp(x, 1.0, g)
}

/// The gradient written into the caller's buffer, as `grad_into` does: no zeroing, each
/// element written once (see `autodiff-macros/src/emit/carry.rs`).
#[inline(never)]
fn rosen_grad_into_generated(x: &[f64], g: &mut [f64]) -> f64 {
    rosen::grad_into(x, g)
}

#[inline(never)]
fn rosen_grad_generated(x: &[f64]) -> (f64, Vec<f64>) {
    rosen::grad(x)
}

#[inline(never)]
fn least_squares_grad_generated(m: f64, c: f64, x: &[f64], y: &[f64]) -> (f64, (f64, f64)) {
    least_squares::grad(m, c, x, y)
}

#[inline(never)]
fn nn_vjp_generated(w: &[f64], xs: &[f64], ys: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    nn_loss::vjp(w, xs, ys, 1.0, g)
}

#[inline(never)]
fn nn_fast_vjp_generated(w: &[f64], xs: &[f64], ys: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    nn_loss_fast::vjp(w, xs, ys, 1.0, g)
}

fn assert_close(a: f64, b: f64, rel: f64, scale: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * scale.max(a.abs()).max(1.0),
        "{what}: generated {a} vs hand-written {b}"
    );
}

fn assert_all_close(a: &[f64], b: &[f64], rel: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert_close(*x, *y, rel, scale, &format!("{what}[{k}]"));
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
}

// =============================================================================================
// Rosenbrock, as a const-generic array and as a slice.

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

#[inline(never)]
fn rosen_arr_by_hand<const N: usize>(x: &[f64; N]) -> (f64, [f64; N]) {
    let mut g = [0.0; N];
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * x[i] * a - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    (s, g)
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

/// The same function as one first writes it in Rust: `windows(2)`, `map`, `sum`, with the
/// indexed loop's arithmetic (so the two are the same program: bitwise the same results).
#[differentiable]
fn rosen_windows(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| {
            let a = w[1] - w[0] * w[0];
            let b = 1.0 - w[0];
            100.0 * a * a + b * b
        })
        .sum()
}

#[inline(never)]
fn rosen_windows_vjp_generated(x: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    rosen_windows::vjp(x, 1.0, g)
}

/// Value, and the gradient written into `g`: the best one can write by hand. One pass; the
/// partial for `x[i + 1]` carried in a register to the next iteration, so each `g[i]` is written
/// once (no zeroing); no bounds checks (`windows` and `zip` over slices of known lengths).
#[inline(never)]
fn rosen_by_hand_into(x: &[f64], g: &mut [f64]) -> f64 {
    assert!(x.len() >= 2 && g.len() == x.len());
    let (last, head) = g.split_last_mut().expect("n >= 2");
    let (mut s, mut carry) = (0.0, 0.0);
    for (gi, w) in head.iter_mut().zip(x.windows(2)) {
        let (xi, xn) = (w[0], w[1]);
        let a = xn - xi * xi;
        let b = 1.0 - xi;
        s += 100.0 * a * a + b * b;
        *gi = carry - 400.0 * xi * a - 2.0 * b;
        carry = 200.0 * a;
    }
    *last = carry;
    s
}

#[inline(never)]
fn rosen_by_hand(x: &[f64]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; x.len()];
    let s = rosen_by_hand_into(x, &mut g);
    (s, g)
}

fn bench_rosen_arr_n2(c: &mut Criterion) {
    let x = [-1.2, 1.0];
    let (vg, gg) = rosen_arr::grad(&x);
    let (vh, gh) = rosen_arr_by_hand(&x);
    assert_close(vg, vh, 1e-14, 0.0, "rosen_arr n=2 value");
    assert_eq!(vg, rosen_arr(&x), "rosen_arr n=2 value vs primal");
    assert_all_close(&gg, &gh, 1e-14, "rosen_arr n=2 grad");

    let mut group = c.benchmark_group("rosen_arr_n2");
    group.bench_function("primal", |b| b.iter(|| rosen_arr(black_box(&x))));
    // The result is used element by element (not copied whole): a 16-byte copy of
    // `(f64, [f64; 2])` spans two 8-byte stores of whichever version did not merge them, and
    // waits for store forwarding to fail (it made the generated `grad` 3.4x the hand-written
    // one, whose stores LLVM happened to merge).
    group.bench_function("grad_generated", |b| {
        b.iter(|| {
            let (v, g) = rosen_arr_grad_generated(black_box(&x));
            v + g[0] + g[1]
        })
    });
    group.bench_function("grad_hand_written", |b| {
        b.iter(|| {
            let (v, g) = rosen_arr_by_hand(black_box(&x));
            v + g[0] + g[1]
        })
    });
    group.finish();
}

fn bench_rosen_slice(c: &mut Criterion, n: usize) {
    let mut rng = Rng(0x5eed_0000 + n as u64);
    let x: Vec<f64> = (0..n).map(|_| rng.range(-1.5, 1.5)).collect();
    let name = format!("rosen_n{n}");

    let mut bg = vec![0.0; n];
    let vg = rosen::vjp(&x, 1.0, &mut bg);
    let mut bh = vec![0.0; n];
    let vh = rosen_by_hand_into(&x, &mut bh);
    assert_close(vg, vh, 1e-13, 0.0, &format!("{name} value"));
    assert_eq!(vg, rosen(&x), "{name} value vs primal");
    assert_all_close(&bg, &bh, 1e-13, &format!("{name} vjp"));
    let (va, ga) = rosen::grad(&x);
    assert_eq!((va, &ga), (vg, &bg), "{name}: grad == vjp(1)");

    let mut buf = vec![0.0; n];
    let mut group = c.benchmark_group(&name);
    group.bench_function("primal", |b| b.iter(|| rosen(black_box(&x))));
    group.bench_function("vjp_generated", |b| {
        b.iter(|| {
            let v = rosen_vjp_generated(black_box(&x), black_box(&mut buf[..]));
            black_box(&buf);
            v
        })
    });
    let mut bw = vec![0.0; n];
    let vw = rosen_windows::vjp(&x, 1.0, &mut bw);
    assert_eq!(
        (vw, &bw),
        (vg, &bg),
        "{name}: the windows form is the indexed one, bitwise"
    );
    group.bench_function("vjp_generated_windows", |b| {
        b.iter(|| {
            let v = rosen_windows_vjp_generated(black_box(&x), black_box(&mut buf[..]));
            black_box(&buf);
            v
        })
    });
    let mut bi = vec![f64::NAN; n];
    let vi = rosen_grad_into_generated(&x, &mut bi);
    assert_eq!((vi, &bi), (vg, &bg), "{name}: grad_into == vjp(1)");
    group.bench_function("grad_into_generated", |b| {
        b.iter(|| {
            let v = rosen_grad_into_generated(black_box(&x), black_box(&mut buf[..]));
            black_box(&buf);
            v
        })
    });
    group.bench_function("vjp_hand_written", |b| {
        b.iter(|| {
            let v = rosen_by_hand_into(black_box(&x), black_box(&mut buf[..]));
            black_box(&buf);
            v
        })
    });
    group.bench_function("grad_alloc_generated", |b| {
        b.iter(|| rosen_grad_generated(black_box(&x)))
    });
    group.bench_function("grad_alloc_hand_written", |b| {
        b.iter(|| rosen_by_hand(black_box(&x)))
    });
    group.finish();
}

fn bench_rosen(c: &mut Criterion) {
    bench_rosen_arr_n2(c);
    bench_rosen_slice(c, 100);
    bench_rosen_slice(c, 10_000);
}

// =============================================================================================
// Notebook 004: least squares over 100,000 points.

#[differentiable(wrt(m, c))]
fn least_squares(m: f64, c: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = m * x[i] + c - y[i];
        s += r * r;
    }
    s
}

#[inline(never)]
fn least_squares_by_hand(m: f64, c: f64, x: &[f64], y: &[f64]) -> (f64, (f64, f64)) {
    // One pass, no bounds checks, the factor 2 applied once at the end.
    let (mut s, mut gm, mut gc) = (0.0, 0.0, 0.0);
    for (&xi, &yi) in x.iter().zip(y) {
        let r = m * xi + c - yi;
        s += r * r;
        gm += r * xi;
        gc += r;
    }
    (s, (2.0 * gm, 2.0 * gc))
}

fn bench_least_squares(c: &mut Criterion) {
    let n = 100_000;
    let mut rng = Rng(0x004);
    // xs = linspace(0, 5, n); ys = xs + 2 + uniform noise in [-0.5, 0.5), as in notebook 004.
    let x: Vec<f64> = (0..n).map(|i| 5.0 * i as f64 / (n - 1) as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&xi| xi + 2.0 + rng.range(-0.5, 0.5))
        .collect();
    let (m, k) = (0.7, 1.5);

    let (vg, (gm, gc)) = least_squares::grad(m, k, &x, &y);
    let (vh, (hm, hc)) = least_squares_by_hand(m, k, &x, &y);
    assert_eq!(
        vg,
        least_squares(m, k, &x, &y),
        "least squares value vs primal"
    );
    assert_close(vg, vh, 1e-12, 0.0, "least squares value");
    assert_close(gm, hm, 1e-10, 0.0, "least squares dL/dm");
    assert_close(gc, hc, 1e-10, 0.0, "least squares dL/dc");

    let mut group = c.benchmark_group("least_squares_n100000");
    group.bench_function("primal", |b| {
        b.iter(|| least_squares(black_box(m), black_box(k), black_box(&x), black_box(&y)))
    });
    group.bench_function("grad_generated", |b| {
        b.iter(|| {
            least_squares_grad_generated(black_box(m), black_box(k), black_box(&x), black_box(&y))
        })
    });
    group.bench_function("grad_hand_written", |b| {
        b.iter(|| least_squares_by_hand(black_box(m), black_box(k), black_box(&x), black_box(&y)))
    });
    group.finish();
}

// =============================================================================================
// A small neural network: 8 inputs, 32 tanh hidden units, 1 linear output, MSE over 256
// samples. All 321 weights in one active slice `w`, laid out as
//   w[0 .. 256)   W1, 32 x 8 row-major: W1[j][i] = w[j * 8 + i]
//   w[256 .. 288) b1[j]               = w[256 + j]
//   w[288 .. 320) W2[j]               = w[288 + j]
//   w[320]        b2
// Inputs xs: 256 x 8 row-major (xs[s * 8 + i]), targets ys: 256.

const NI: usize = 8;
const NH: usize = 32;
const NW: usize = NH * NI + NH + NH + 1;

#[differentiable(wrt(w))]
fn nn_loss(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            out += w[NH * NI + NH + j] * z.tanh();
        }
        let r = out - ys[s];
        loss += r * r;
    }
    loss / m as f64
}

/// Hand-written backprop: the loss, and its gradient written into `g` (zeroed first).
#[inline(never)]
fn nn_backprop_into(w: &[f64], xs: &[f64], ys: &[f64], g: &mut [f64]) -> f64 {
    let m = ys.len();
    g.fill(0.0);
    let mut loss = 0.0;
    let mut h = [0.0; NH];
    for s in 0..m {
        let x = &xs[s * NI..(s + 1) * NI];
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * x[i];
            }
            h[j] = z.tanh();
            out += w[NH * NI + NH + j] * h[j];
        }
        let r = out - ys[s];
        loss += r * r;
        let dout = 2.0 * r / m as f64;
        g[NH * NI + 2 * NH] += dout;
        for j in 0..NH {
            g[NH * NI + NH + j] += dout * h[j];
            let dz = dout * w[NH * NI + NH + j] * (1.0 - h[j] * h[j]);
            g[NH * NI + j] += dz;
            for i in 0..NI {
                g[j * NI + i] += dz * x[i];
            }
        }
    }
    loss / m as f64
}

/// `nn_loss` with the fast `tanh`.
#[differentiable(wrt(w))]
fn nn_loss_fast(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            out += w[NH * NI + NH + j] * z.tanh_fast();
        }
        let r = out - ys[s];
        loss += r * r;
    }
    loss / m as f64
}

/// `nn_loss_fast` with each sample's hidden layer in three loops (pre-activations, activations,
/// output), so that the loop of `tanh_fast` has no sum running through it and vectorizes.
#[differentiable(wrt(w))]
fn nn_loss_fast_split(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut h = [0.0; NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            h[j] = z;
        }
        for j in 0..NH {
            h[j] = h[j].tanh_fast();
        }
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            out += w[NH * NI + NH + j] * h[j];
        }
        let r = out - ys[s];
        loss += r * r;
    }
    loss / m as f64
}

#[inline(never)]
fn nn_fast_split_vjp_generated(w: &[f64], xs: &[f64], ys: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    nn_loss_fast_split::vjp(w, xs, ys, 1.0, g)
}

/// Hand-written backprop with the fast `tanh` and its derivative, the hidden layer computed in
/// three loops (pre-activations, activations, output) so that the activations' loop has no
/// sum running through it and vectorizes.
#[inline(never)]
fn nn_backprop_fast_into(w: &[f64], xs: &[f64], ys: &[f64], g: &mut [f64]) -> f64 {
    let m = ys.len();
    g.fill(0.0);
    let mut loss = 0.0;
    let (mut z, mut h, mut dh) = ([0.0; NH], [0.0; NH], [0.0; NH]);
    for s in 0..m {
        let x = &xs[s * NI..(s + 1) * NI];
        for j in 0..NH {
            let mut zj = w[NH * NI + j];
            for i in 0..NI {
                zj += w[j * NI + i] * x[i];
            }
            z[j] = zj;
        }
        for j in 0..NH {
            (h[j], dh[j]) = z[j].tanh_fast_with_derivative();
        }
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            out += w[NH * NI + NH + j] * h[j];
        }
        let r = out - ys[s];
        loss += r * r;
        let dout = 2.0 * r / m as f64;
        g[NH * NI + 2 * NH] += dout;
        for j in 0..NH {
            g[NH * NI + NH + j] += dout * h[j];
            let dz = dout * w[NH * NI + NH + j] * dh[j];
            g[NH * NI + j] += dz;
            for i in 0..NI {
                g[j * NI + i] += dz * x[i];
            }
        }
    }
    loss / m as f64
}

/// `out[k] = z[k].tanh()`: a library call per element.
#[inline(never)]
fn tanh_loop_f64(z: &[f64], out: &mut [f64]) {
    for k in 0..z.len().min(out.len()) {
        out[k] = z[k].tanh();
    }
}

/// `out[k] = z[k].tanh_fast()`: vectorized.
#[inline(never)]
fn tanh_fast_loop_f64(z: &[f64], out: &mut [f64]) {
    let n = z.len().min(out.len());
    let (z, out) = (&z[..n], &mut out[..n]);
    for k in 0..n {
        out[k] = z[k].tanh_fast();
    }
}

/// The value and the derivative, as a backward pass needs them.
#[inline(never)]
fn tanh_fast_with_derivative_loop_f64(z: &[f64], out: &mut [f64], d: &mut [f64]) {
    let n = z.len().min(out.len()).min(d.len());
    let (z, out, d) = (&z[..n], &mut out[..n], &mut d[..n]);
    for k in 0..n {
        (out[k], d[k]) = z[k].tanh_fast_with_derivative();
    }
}

#[inline(never)]
fn tanh_loop_f32(z: &[f32], out: &mut [f32]) {
    for k in 0..z.len().min(out.len()) {
        out[k] = z[k].tanh();
    }
}

#[inline(never)]
fn tanh_fast_loop_f32(z: &[f32], out: &mut [f32]) {
    let n = z.len().min(out.len());
    let (z, out) = (&z[..n], &mut out[..n]);
    for k in 0..n {
        out[k] = z[k].tanh_fast();
    }
}

/// The same network written idiomatically: a parameter struct, a `loss` method, iterators.
#[derive(Clone, autodiff::Differentiable)]
struct Net {
    w1: [[f64; NI]; NH],
    b1: [f64; NH],
    w2: [f64; NH],
    b2: f64,
}

#[autodiff::differentiable]
impl Net {
    fn loss(&self, xs: &[[f64; NI]], ys: &[f64]) -> f64 {
        let mut loss = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let r = self.predict(x) - y;
            loss += r * r;
        }
        loss / ys.len() as f64
    }

    /// `loss` with the prediction written inline (no call per sample).
    fn loss_inline(&self, xs: &[[f64; NI]], ys: &[f64]) -> f64 {
        let mut loss = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let mut out = self.b2;
            for h in 0..self.w1.len() {
                let z = self.w1[h]
                    .iter()
                    .zip(x)
                    .fold(self.b1[h], |z, (w, xi)| z + w * xi);
                out += self.w2[h] * z.tanh();
            }
            let r = out - y;
            loss += r * r;
        }
        loss / ys.len() as f64
    }

    fn predict(&self, x: &[f64; NI]) -> f64 {
        let mut out = self.b2;
        for h in 0..self.w1.len() {
            let z = self.w1[h]
                .iter()
                .zip(x)
                .fold(self.b1[h], |z, (w, xi)| z + w * xi);
            out += self.w2[h] * z.tanh();
        }
        out
    }
}

#[inline(never)]
fn nn_grad_struct(net: &Net, xs: &[[f64; NI]], ys: &[f64]) -> (f64, Net) {
    net.loss_grad(xs, ys)
}

#[inline(never)]
fn nn_grad_struct_inline(net: &Net, xs: &[[f64; NI]], ys: &[f64]) -> (f64, Net) {
    net.loss_inline_grad(xs, ys)
}

fn bench_nn(c: &mut Criterion) {
    let mut rng = Rng(0x1234);
    let m = 256;
    let xs: Vec<f64> = (0..m * NI).map(|_| rng.range(-1.0, 1.0)).collect();
    let ys: Vec<f64> = (0..m)
        .map(|s| {
            let x = &xs[s * NI..(s + 1) * NI];
            (x[0] + 0.5 * x[1] * x[2]).sin() - 0.3 * x[7] + rng.range(-0.1, 0.1)
        })
        .collect();
    let w: Vec<f64> = (0..NW)
        .map(|k| {
            let fan_in = if k < NH * NI + NH { NI } else { NH };
            rng.range(-1.0, 1.0) / (fan_in as f64).sqrt()
        })
        .collect();

    let mut bg = vec![0.0; NW];
    let vg = nn_loss::vjp(&w, &xs, &ys, 1.0, &mut bg);
    let mut bh = vec![0.0; NW];
    let vh = nn_backprop_into(&w, &xs, &ys, &mut bh);
    assert_eq!(vg, nn_loss(&w, &xs, &ys), "nn value vs primal");
    assert_close(vg, vh, 1e-13, 0.0, "nn value");
    assert_all_close(&bg, &bh, 1e-12, "nn vjp");

    // The fast tanh: generated against hand-written, and both against the libm network.
    let mut bgf = vec![0.0; NW];
    let vgf = nn_loss_fast::vjp(&w, &xs, &ys, 1.0, &mut bgf);
    let mut bhf = vec![0.0; NW];
    let vhf = nn_backprop_fast_into(&w, &xs, &ys, &mut bhf);
    assert_eq!(vgf, nn_loss_fast(&w, &xs, &ys), "nn fast value vs primal");
    assert_close(vgf, vhf, 1e-13, 0.0, "nn fast value");
    assert_all_close(&bgf, &bhf, 1e-12, "nn fast vjp");
    assert_close(vgf, vg, 1e-14, 0.0, "nn fast value vs tanh");
    assert_all_close(&bgf, &bg, 1e-13, "nn fast vjp vs tanh");
    let mut bgs = vec![0.0; NW];
    let vgs = nn_fast_split_vjp_generated(&w, &xs, &ys, &mut bgs);
    assert_close(vgs, vgf, 1e-14, 0.0, "nn fast split value");
    assert_all_close(&bgs, &bgf, 1e-12, "nn fast split vjp");

    // The struct version: bitwise the indexed one.
    use autodiff::Differentiable;
    let rows: Vec<[f64; NI]> = xs
        .chunks_exact(NI)
        .map(|r| r.try_into().expect("NI"))
        .collect();
    let template = Net {
        w1: [[0.0; NI]; NH],
        b1: [0.0; NH],
        w2: [0.0; NH],
        b2: 0.0,
    };
    let net = template.with_flat(&w);
    let (vs, gs) = nn_grad_struct(&net, &rows, &ys);
    let mut gflat = vec![0.0; NW];
    gs.flatten_into(&mut gflat);
    assert_eq!(vs.to_bits(), vg.to_bits(), "struct value");
    assert!(
        gflat
            .iter()
            .zip(&bg)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "struct grad"
    );
    let (vi, gi) = nn_grad_struct_inline(&net, &rows, &ys);
    gi.flatten_into(&mut gflat);
    assert_eq!(vi.to_bits(), vg.to_bits(), "inline struct value");
    assert!(
        gflat
            .iter()
            .zip(&bg)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "inline struct grad"
    );

    let mut buf = vec![0.0; NW];
    let mut group = c.benchmark_group("nn_loss_256x8x32");
    group.bench_function("grad_struct_method", |b| {
        b.iter(|| nn_grad_struct(black_box(&net), black_box(&rows), black_box(&ys)))
    });
    group.bench_function("grad_struct_inline", |b| {
        b.iter(|| nn_grad_struct_inline(black_box(&net), black_box(&rows), black_box(&ys)))
    });
    group.bench_function("primal", |b| {
        b.iter(|| nn_loss(black_box(&w), black_box(&xs), black_box(&ys)))
    });
    group.bench_function("primal_tanh_fast", |b| {
        b.iter(|| nn_loss_fast(black_box(&w), black_box(&xs), black_box(&ys)))
    });
    group.bench_function("primal_tanh_fast_split", |b| {
        b.iter(|| nn_loss_fast_split(black_box(&w), black_box(&xs), black_box(&ys)))
    });
    // The gradients into `buf`, each behind its own `#[inline(never)]` boundary.
    type Vjp = fn(&[f64], &[f64], &[f64], &mut [f64]) -> f64;
    let vjps: [(&str, Vjp); 5] = [
        ("vjp_generated", nn_vjp_generated),
        ("vjp_hand_written", nn_backprop_into),
        ("vjp_generated_tanh_fast", nn_fast_vjp_generated),
        ("vjp_generated_tanh_fast_split", nn_fast_split_vjp_generated),
        ("vjp_hand_written_tanh_fast", nn_backprop_fast_into),
    ];
    for (name, f) in vjps {
        group.bench_function(name, |b| {
            b.iter(|| {
                let v = f(
                    black_box(&w),
                    black_box(&xs),
                    black_box(&ys),
                    black_box(&mut buf[..]),
                );
                black_box(&buf);
                v
            })
        });
    }
    group.finish();
}

fn bench_tanh(c: &mut Criterion) {
    const N: usize = NH * 256;
    let mut rng = Rng(0x7a4);
    // The spread of the network's pre-activations, and then some.
    let z: Vec<f64> = (0..N).map(|_| rng.range(-4.0, 4.0)).collect();
    let z32: Vec<f32> = z.iter().map(|&v| v as f32).collect();
    let (mut out, mut d) = (vec![0.0; N], vec![0.0; N]);
    let mut out32 = vec![0.0f32; N];
    tanh_fast_with_derivative_loop_f64(&z, &mut out, &mut d);
    for k in 0..N {
        assert_close(out[k], z[k].tanh(), 4.0 * f64::EPSILON, 0.0, "tanh_fast");
    }
    let mut group = c.benchmark_group("tanh_8192");
    group.bench_function("f64_libm", |b| {
        b.iter(|| tanh_loop_f64(black_box(&z), black_box(&mut out[..])))
    });
    group.bench_function("f64_fast", |b| {
        b.iter(|| tanh_fast_loop_f64(black_box(&z), black_box(&mut out[..])))
    });
    group.bench_function("f64_fast_with_derivative", |b| {
        b.iter(|| {
            tanh_fast_with_derivative_loop_f64(
                black_box(&z),
                black_box(&mut out[..]),
                black_box(&mut d[..]),
            )
        })
    });
    group.bench_function("f32_libm", |b| {
        b.iter(|| tanh_loop_f32(black_box(&z32), black_box(&mut out32[..])))
    });
    group.bench_function("f32_fast", |b| {
        b.iter(|| tanh_fast_loop_f32(black_box(&z32), black_box(&mut out32[..])))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_rosen, bench_least_squares, bench_nn, bench_tanh
}
criterion_main!(benches);
