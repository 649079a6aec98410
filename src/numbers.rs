//! Numbers that carry derivatives. Code written over [`Scalar`](crate::Scalar) (generated
//! derivative code included) runs on them unchanged.

/// A dual number `re + eps ε` (`ε² = 0`): a value and one directional derivative, nestable
/// (`Dual<Dual<f64>>`). `f::hvp` runs the generated adjoint on these.
///
/// ```
/// use autodiff::{Dual, Scalar};
///
/// fn f<S: Scalar>(x: S) -> S {
///     x * x.sin()
/// }
///
/// // f and f' at x = 2 in one pass: seed the derivative part with 1.
/// let y = f(Dual::new(2.0, 1.0));
/// assert_eq!(y.re, f(2.0));
/// assert_eq!(y.eps, 2f64.sin() + 2.0 * 2f64.cos());
/// ```
pub use autodiff_runtime::Dual;

/// A truncated Taylor series: all derivatives up to order `N - 1` of a function of one variable
/// in one forward pass. `f::derivatives::<K>` runs a function on these.
///
/// ```
/// use autodiff::{Jet, Scalar};
///
/// fn f<S: Scalar>(x: S) -> S {
///     x.exp() * x
/// }
///
/// // (x e^x)^(k) = (x + k) e^x: at x = 0, the k-th derivative is k.
/// let d = f(Jet::<f64, 5>::var(0.0)).derivatives();
/// assert_eq!(d, [0.0, 1.0, 2.0, 3.0, 4.0]);
/// ```
pub use autodiff_runtime::Jet;

/// A number the generated derivative code computes with: `f64`, `f32`, [`Dual`] and [`Jet`].
/// Write a helper over it once and run it on plain floats or on numbers that carry
/// derivatives. In a `#![no_std]` crate, `use autodiff::Scalar;` also brings the float methods
/// (`sin`, `exp`, ...) into scope.
///
/// ```
/// use autodiff::{Dual, Scalar};
///
/// fn softplus<S: Scalar<Base = f64>>(x: S) -> S {
///     (x.exp() + S::cst(1.0)).ln()
/// }
///
/// assert_eq!(softplus(0.0), 2f64.ln());
/// // The derivative is the logistic function: 1/2 at 0.
/// assert_eq!(softplus(Dual::new(0.0, 1.0)).eps, 0.5);
/// ```
pub use autodiff_runtime::Scalar;

/// A primitive float, `f32` or `f64`: the [`Scalar::Base`] of every scalar.
///
/// ```
/// use autodiff::{Float, Scalar};
///
/// fn mean<F: Float>(x: &[F]) -> F {
///     let mut s = F::zero();
///     for &v in x {
///         s += v;
///     }
///     s / F::from_f64(x.len() as f64)
/// }
///
/// assert_eq!(mean(&[1.0f32, 2.0, 4.5]), 2.5);
/// ```
pub use autodiff_runtime::Float;

/// Opt-in fast elementary functions: `x.tanh_fast()` is a branch-free, inlined `tanh` within 3
/// ulp of `x.tanh()` (`f64` and `f32`, the whole real line, `±0`, NaN and `±inf` as `tanh`), so
/// loops over it vectorize; the system's `tanh` is a library call per element. The choice is
/// made at each call by its spelling. `#[differentiable]` differentiates it (derivative
/// `1 - t²` of the fast value `t`, without cancellation near `|t| = 1`), and duals and jets
/// implement it. Accuracy and method: [`autodiff_runtime::fast`].
///
/// ```
/// use autodiff::{differentiable, FastMath};
///
/// #[differentiable(wrt(w))]
/// fn layer(w: &[f64], x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..w.len() {
///         s += (w[i] * x[i]).tanh_fast();
///     }
///     s
/// }
///
/// let (w, x) = ([0.5, -1.0, 2.0], [1.0, 0.3, -0.2]);
/// let (value, g) = layer::grad(&w, &x);
/// let exact: f64 = w.iter().zip(&x).map(|(w, x)| (w * x).tanh()).sum();
/// assert!((value - exact).abs() < 1e-15);
/// for i in 0..3 {
///     let d = x[i] / (w[i] * x[i]).cosh().powi(2);
///     assert!((g[i] - d).abs() < 1e-15);
/// }
/// ```
pub use autodiff_runtime::FastMath;
