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
