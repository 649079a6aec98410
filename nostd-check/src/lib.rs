//! A `#![no_std]`, allocation-free user of `autodiff`: proof that `#[differentiable]` and the
//! code it generates need neither `std` nor `alloc`.
//!
//! The crate depends on `autodiff` with `default-features = false`, so the runtime does its math
//! through `libm`. Bodies call float methods through the [`Scalar`] trait (`x.sin()` resolves to
//! `Scalar::sin` here, because `core` has no `f64::sin`). `.ci/run` builds this crate, runs its
//! tests (`tests/smoke.rs`, which may use `std`), and checks with `cargo tree` that no `std`
//! feature of the runtime is switched on in its dependency graph.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use autodiff::{differentiable, FastMath};
// `x.sin()` etc. on `f64`: `core` has no such methods, `Scalar` provides them. Once `std` is
// anywhere in the crate graph (the unit-test harness, or a workspace build that unifies
// `autodiff/std` on), its inherent float methods win and this import goes unused.
#[allow(unused_imports)]
use autodiff::Scalar;

/// Himmelblau's function, `(x^2 + y - 11)^2 + (x + y^2 - 7)^2`; four minima with value 0, one
/// of them at (3, 2).
#[differentiable]
pub fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

/// `exp(y sin x) + sqrt(x^2 + y^2 + 1)`: exercises `sin`, `exp` and `sqrt` through `libm`.
#[differentiable]
pub fn wave(x: f64, y: f64) -> f64 {
    let u = x.sin() * y;
    u.exp() + (x * x + y * y + 1.0).sqrt()
}

/// The same function as [`wave`] in `f32`.
#[differentiable]
pub fn wave_f32(x: f32, y: f32) -> f32 {
    let u = x.sin() * y;
    u.exp() + (x * x + y * y + 1.0).sqrt()
}

/// `k sin(x)^2`, differentiated with respect to `x` only: `k` is passive data.
#[differentiable(wrt(x))]
pub fn scaled_sin_sq(x: f64, k: f64) -> f64 {
    k * x.sin().powi(2)
}

/// One tanh unit with the branch-free `tanh_fast` (`FastMath`: `core` only, no `libm` call),
/// `tanh_fast(w x + b)`, differentiated with respect to `w` and `b`.
#[differentiable(wrt(w, b))]
pub fn tanh_unit(w: f64, b: f64, x: f64) -> f64 {
    (w * x + b).tanh_fast()
}

/// Everything the generated functions of a two-parameter function give, at one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Derivatives<T> {
    /// `f(x, y)`, from calling the function itself.
    pub value: T,
    /// `f::grad(x, y)`: the value and the gradient.
    pub grad: (T, (T, T)),
    /// `f::jvp(x, y, dx, dy)`: the value and the directional derivative along `(dx, dy)`.
    pub jvp: (T, T),
    /// `f::vjp(x, y, seed)`: the value and `seed` times the gradient.
    pub vjp: (T, (T, T)),
}

/// [`Derivatives`] of [`himmelblau`] at `(x, y)`, direction `(dx, dy)`, seed `seed`.
pub fn himmelblau_derivatives(x: f64, y: f64, dx: f64, dy: f64, seed: f64) -> Derivatives<f64> {
    Derivatives {
        value: himmelblau(x, y),
        grad: himmelblau::grad(x, y),
        jvp: himmelblau::jvp(x, y, dx, dy),
        vjp: himmelblau::vjp(x, y, seed),
    }
}

/// [`Derivatives`] of [`wave`] at `(x, y)`, direction `(dx, dy)`, seed `seed`.
pub fn wave_derivatives(x: f64, y: f64, dx: f64, dy: f64, seed: f64) -> Derivatives<f64> {
    Derivatives {
        value: wave(x, y),
        grad: wave::grad(x, y),
        jvp: wave::jvp(x, y, dx, dy),
        vjp: wave::vjp(x, y, seed),
    }
}

/// [`Derivatives`] of [`wave_f32`] at `(x, y)`, direction `(dx, dy)`, seed `seed`.
pub fn wave_f32_derivatives(x: f32, y: f32, dx: f32, dy: f32, seed: f32) -> Derivatives<f32> {
    Derivatives {
        value: wave_f32(x, y),
        grad: wave_f32::grad(x, y),
        jvp: wave_f32::jvp(x, y, dx, dy),
        vjp: wave_f32::vjp(x, y, seed),
    }
}

/// For [`scaled_sin_sq`] (one active parameter, so nothing is wrapped in a tuple):
/// `(grad, jvp with tangent dx, vjp with seed)`, each `(value, derivative)`.
pub fn scaled_sin_sq_derivatives(
    x: f64,
    k: f64,
    dx: f64,
    seed: f64,
) -> ((f64, f64), (f64, f64), (f64, f64)) {
    (
        scaled_sin_sq::grad(x, k),
        scaled_sin_sq::jvp(x, k, dx),
        scaled_sin_sq::vjp(x, k, seed),
    )
}

/// `steps` steps of plain gradient descent on [`himmelblau`] from `(x, y)` with learning rate
/// `lr`, entirely on the stack. Returns the final point.
pub fn descend_himmelblau(mut x: f64, mut y: f64, lr: f64, steps: usize) -> (f64, f64) {
    for _ in 0..steps {
        let (_, (gx, gy)) = himmelblau::grad(x, y);
        x -= lr * gx;
        y -= lr * gy;
    }
    (x, y)
}

/// Rosenbrock's function over a fixed-size array with a `for` loop, and a penalty applied
/// with an `if`: `sum 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2`, plus `x[0]^2` when `x[0] < 0`.
#[differentiable]
pub fn rosen_penalized<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    if x[0] < 0.0 {
        s += x[0] * x[0];
    }
    s
}

/// Value, gradient and Hessian-vector product of [`rosen_penalized`] for `N = 4`, all without
/// allocation.
pub fn rosen_penalized_second_order(x: &[f64; 4], v: &[f64; 4]) -> (f64, [f64; 4], [f64; 4]) {
    let (value, grad) = rosen_penalized::grad(x);
    let (hv_value, hv_grad, hv) = rosen_penalized::hvp(x, v);
    debug_assert!(value == hv_value && grad == hv_grad);
    (value, grad, hv)
}

// --- optimizers (`autodiff::optim`, enabled by the facade's `optim` feature without `std` or
// `alloc`): the optimizer state lives in `[f64; N]` arrays, so nothing is allocated.

/// The Adam used below: `lr`, the other hyperparameters torch's defaults, state in two
/// `[f64; N]` arrays.
fn adam<const N: usize>(lr: f64) -> autodiff::optim::Adam<f64, [f64; N]> {
    autodiff::optim::AdamConfig::default()
        .lr(lr)
        .build(N)
        .expect("valid hyperparameters and matching dimension")
}

/// `steps` Adam steps (torch's defaults but `lr`) on [`himmelblau`] from `x0`, gradients from
/// `himmelblau::grad`. Returns the final point.
pub fn adam_himmelblau(x0: [f64; 2], lr: f64, steps: usize) -> [f64; 2] {
    use autodiff::optim::Optimizer;
    let mut opt = adam::<2>(lr);
    let mut x = x0;
    for _ in 0..steps {
        let (_, (gx, gy)) = himmelblau::grad(x[0], x[1]);
        opt.step(&mut x, &[gx, gy]);
    }
    x
}

/// `steps` Adam steps on the fixed-size [`rosen_penalized`] from `x0`, gradients from
/// `rosen_penalized::grad` (an `[f64; N]`). Returns the final point.
pub fn adam_rosen_penalized<const N: usize>(x0: [f64; N], lr: f64, steps: usize) -> [f64; N] {
    use autodiff::optim::Optimizer;
    let mut opt = adam::<N>(lr);
    let mut x = x0;
    for _ in 0..steps {
        let (_, g) = rosen_penalized::grad(&x);
        opt.step(&mut x, &g);
    }
    x
}

/// The same run as [`adam_rosen_penalized`] through the driver: `minimize_in` on
/// `rosen_penalized::objective()` with a stack gradient buffer and an iteration limit of
/// `steps`. Returns the final point and the driver's report.
pub fn minimize_rosen_penalized<const N: usize>(
    x0: [f64; N],
    lr: f64,
    steps: usize,
) -> ([f64; N], autodiff::optim::Report<f64>) {
    use autodiff::optim::{minimize_in, NoObserver, NoSchedule, StopRules};
    let mut opt = adam::<N>(lr);
    let mut x = x0;
    let mut g = [0.0; N];
    let report = minimize_in(
        &rosen_penalized::objective::<N>(),
        &mut x,
        &mut g,
        &mut opt,
        &StopRules::max_iterations(steps),
        &mut NoSchedule,
        &mut NoObserver,
    );
    (x, report)
}

/// The same run through the single entry point `minimize`, without `alloc`: the state storage
/// is inferred from the array (`[f64; N]`), the method given explicitly.
pub fn minimize_entry_rosen_penalized<const N: usize>(
    x0: [f64; N],
    lr: f64,
    steps: usize,
) -> ([f64; N], autodiff::optim::Report<f64>) {
    use autodiff::optim::{minimize, AdamConfig, StopRules};
    let mut x = x0;
    let report = minimize(&rosen_penalized::objective::<N>(), &mut x)
        .with(AdamConfig::default().lr(lr))
        .stop(StopRules::max_iterations(steps))
        .run()
        .expect("valid hyperparameters and matching dimension");
    (x, report)
}

// --- a parameter struct (`#[derive(Differentiable)]`), differentiated and trained without
// `alloc`: its gradient is a `Line`, the optimizer works on its flattened fields.

/// A line `y = slope x + offset`, with a passive tag.
#[derive(Clone, Copy, Debug, PartialEq, autodiff::Differentiable)]
pub struct Line {
    /// The slope.
    pub slope: f64,
    /// The offset.
    pub offset: f64,
    /// Not differentiated.
    #[passive]
    pub tag: u8,
}

/// Squared error of the line on the points `(xs[i], ys[i])`.
#[differentiable(wrt(line))]
pub fn line_loss(line: &Line, xs: &[f64; 4], ys: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        s += (line.slope * xs[i] + line.offset - ys[i]).powi(2);
    }
    s
}

/// [`line_loss`] on the first `line.tag` points only (at most 4): a passive field read in the
/// function that differentiates its struct (the derive tells the attribute it is passive).
#[differentiable(wrt(line))]
pub fn line_loss_first(line: &Line, xs: &[f64; 4], ys: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..(line.tag as usize).min(4) {
        s += (line.slope * xs[i] + line.offset - ys[i]).powi(2);
    }
    s
}

/// `steps` Adam steps on [`line_loss`]: the struct is flattened into an array for the optimizer
/// and rebuilt from it (its passive fields kept). Returns the fitted line.
pub fn fit_line(line: Line, xs: &[f64; 4], ys: &[f64; 4], lr: f64, steps: usize) -> Line {
    use autodiff::optim::Optimizer;
    use autodiff::Differentiable;
    let mut opt = adam::<2>(lr);
    let mut x = [0.0; 2];
    line.flatten_into(&mut x);
    let mut g = [0.0; 2];
    for _ in 0..steps {
        let (_, grad) = line_loss::grad(&line.with_flat(&x), xs, ys);
        grad.flatten_into(&mut g);
        opt.step(&mut x, &g);
    }
    line.with_flat(&x)
}

/// The same fit through `minimize` on a [`autodiff::FlatArray`]: the struct's active fields in
/// an array, Adam's state in arrays, nothing allocated.
pub fn fit_line_minimize(line: Line, xs: &[f64; 4], ys: &[f64; 4], lr: f64, steps: usize) -> Line {
    use autodiff::optim::{minimize, AdamConfig, StopRules};
    use autodiff::{Differentiable, FlatArray};
    let objective = line_loss::objective(&line, xs, ys);
    let mut params = FlatArray::<Line, { Line::DIM }>::new(line);
    let _ = minimize(&objective, &mut params)
        .with(AdamConfig::default().lr(lr))
        .stop(StopRules::max_iterations(steps))
        .run();
    params.get()
}
