//! What optimizers minimize: [`Objective`], from a `#[differentiable]` function
//! (`f::objective(..)`) or from closures ([`from_fns`]).

/// A function of `dim()` parameters with its gradient and, optionally, Hessian-vector products.
///
/// ```
/// use autodiff::{differentiable, Objective};
///
/// #[differentiable]
/// fn f(x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() {
///         s += (x[i] - i as f64).powi(2);
///     }
///     s
/// }
///
/// let objective = f::objective(3); // the slice's length in its place
/// assert_eq!(objective.dim(), 3);
/// let (mut g, mut hv) = ([0.0; 3], [0.0; 3]);
/// assert_eq!(objective.value_grad(&[1.0; 3], &mut g), 2.0); // 1 + 0 + 1
/// assert_eq!(g, [2.0, 0.0, -2.0]); // 2 (x_i - i)
/// let value = objective.hvp(&[1.0; 3], &[1.0, 0.0, 0.0], &mut g, &mut hv).unwrap();
/// assert_eq!((value, hv), (2.0, [2.0, 0.0, 0.0]));
/// ```
pub use autodiff_runtime::Objective;

/// An [`Objective`] from two closures: the value, and the value with the gradient written into
/// a buffer.
///
/// ```
/// use autodiff::{from_fns, Objective};
///
/// let objective = from_fns(
///     1,
///     |x: &[f64]| x[0].cos(),
///     |x: &[f64], g: &mut [f64]| {
///         g[0] = -x[0].sin();
///         x[0].cos()
///     },
/// );
/// let mut g = [0.0];
/// assert_eq!(objective.value_grad(&[0.0], &mut g), 1.0);
/// assert_eq!(g, [-0.0]);
/// ```
pub use autodiff_runtime::from_fns;

/// The closure objective [`from_fns`] returns; [`with_hvp`](FnObjective::with_hvp) adds a
/// Hessian-vector product.
///
/// ```
/// use autodiff::{from_fns, Objective};
///
/// let objective = from_fns(1, |x: &[f64]| x[0].powi(3), |x: &[f64], g: &mut [f64]| {
///     g[0] = 3.0 * x[0] * x[0];
///     x[0].powi(3)
/// })
/// .with_hvp(|x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
///     g[0] = 3.0 * x[0] * x[0];
///     hv[0] = 6.0 * x[0] * v[0];
///     x[0].powi(3)
/// });
/// let (mut g, mut hv) = ([0.0], [0.0]);
/// assert_eq!(objective.hvp(&[2.0], &[0.5], &mut g, &mut hv), Ok(8.0));
/// assert_eq!((g, hv), ([12.0], [6.0]));
/// ```
pub use autodiff_runtime::FnObjective;

/// Why an [`Objective`] could not compute something: a closure objective asked for a
/// Hessian-vector product it was built without.
///
/// ```
/// use autodiff::{from_fns, Objective, ObjectiveError};
///
/// let objective = from_fns(1, |x: &[f64]| x[0], |_: &[f64], g: &mut [f64]| {
///     g[0] = 1.0;
///     0.0
/// });
/// let err = objective.hvp(&[0.0], &[1.0], &mut [0.0], &mut [0.0]).unwrap_err();
/// assert_eq!(err, ObjectiveError::NoHvp);
/// assert!(err.to_string().contains("with_hvp"));
/// ```
pub use autodiff_runtime::ObjectiveError;

/// The dense Hessian of an [`Objective`] at a point, by `dim()` Hessian-vector products,
/// row-major into a caller buffer (no allocation).
///
/// ```
/// use autodiff::{differentiable, hessian_into};
///
/// #[differentiable]
/// fn f(x: &[f64; 2]) -> f64 {
///     x[0] * x[0] * x[1] + x[1].exp()
/// }
///
/// let (mut h, mut work) = ([0.0; 4], [0.0; 6]);
/// let value = hessian_into(&f::objective(), &[1.0, 0.0], &mut h, &mut work).unwrap();
/// assert_eq!(value, 1.0);
/// assert_eq!(h, [0.0, 2.0, 2.0, 1.0]); // [[2 x1, 2 x0], [2 x0, e^x1]]
/// ```
pub use autodiff_runtime::hessian_into;
