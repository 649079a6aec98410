//! Checking a gradient against finite differences, and classifying a critical point by the
//! eigenvalues of its Hessian.

/// Compares a gradient with central finite differences of the function, component by component,
/// and reports the worst one.
///
/// ```
/// use autodiff::{check_gradient, differentiable};
///
/// #[differentiable]
/// fn f(x: &[f64; 2]) -> f64 {
///     x[0] * x[0] + 3.0 * x[0] * x[1].sin()
/// }
///
/// let mut x = [1.5, -2.0];
/// let (_, g) = f::grad(&x);
/// let check = check_gradient(|x: &[f64]| f(&[x[0], x[1]]), &mut x, &g, 1e-6);
/// assert!(check.passes(1e-8), "{check:?}");
/// ```
pub use autodiff_runtime::check_gradient;

/// What [`check_gradient`] found: the component that disagrees most with the finite differences.
///
/// ```
/// use autodiff::check_gradient;
///
/// let f = |x: &[f64]| x[0] * x[0] + x[1];
/// let wrong = [2.0, 1.5]; // the second component should be 1
/// let check = check_gradient(f, &mut [1.0, 1.0], &wrong, 1e-6);
/// assert!(!check.passes(1e-6));
/// assert_eq!(check.worst_index, 1);
/// assert!((check.numeric - 1.0).abs() < 1e-9 && check.analytic == 1.5);
/// ```
pub use autodiff_runtime::GradientCheck;

/// The eigenvalues of a symmetric `[[F; N]; N]` matrix, sorted ascending (Jacobi rotations, no
/// allocation).
///
/// ```
/// use autodiff::{differentiable, sym_eigenvalues};
///
/// #[differentiable]
/// fn f(x: f64, y: f64) -> f64 {
///     2.0 * x * x + 2.0 * x * y + 2.0 * y * y
/// }
///
/// let (_, _, h) = f::hessian(0.3, -0.1); // [[4, 2], [2, 4]]
/// let l = sym_eigenvalues(&h);
/// assert!((l[0] - 2.0).abs() < 1e-14 && (l[1] - 6.0).abs() < 1e-14);
/// ```
pub use autodiff_runtime::sym_eigenvalues;

/// The eigenvalues of a symmetric `n x n` matrix stored row-major in a buffer of any size (used
/// as the workspace), written sorted ascending into `out`.
///
/// ```
/// use autodiff::sym_eigenvalues_in_place;
///
/// let mut a = vec![2.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 5.0];
/// let mut out = vec![0.0; 3];
/// sym_eigenvalues_in_place(&mut a, 3, &mut out);
/// assert_eq!(out, [-1.0, 2.0, 5.0]);
/// ```
pub use autodiff_runtime::sym_eigenvalues_in_place;

/// Classifies a critical point by the eigenvalues of its symmetric Hessian: minimum, maximum,
/// saddle, or degenerate (an eigenvalue within `tol` of zero).
///
/// ```
/// use autodiff::{classify, differentiable, CriticalPoint};
///
/// #[differentiable]
/// fn monkey(x: f64, y: f64) -> f64 {
///     x * x - y * y + x * x * x
/// }
///
/// let (_, g, h) = monkey::hessian(0.0, 0.0);
/// assert_eq!(g, (0.0, 0.0));
/// assert_eq!(classify(&h, 1e-9), CriticalPoint::Saddle);
/// let (_, (gx, gy), h) = monkey::hessian(-2.0 / 3.0, 0.0);
/// assert!(gx.abs() < 1e-15 && gy == 0.0);
/// assert_eq!(classify(&h, 1e-9), CriticalPoint::Maximum);
/// ```
pub use autodiff_runtime::classify;

/// [`classify`] from eigenvalues already computed (for example by [`sym_eigenvalues_in_place`]
/// for a Hessian of run-time size).
///
/// ```
/// use autodiff::{classify_eigenvalues, CriticalPoint};
///
/// assert_eq!(classify_eigenvalues(&[0.5, 3.0], 1e-9), CriticalPoint::Minimum);
/// assert_eq!(classify_eigenvalues(&[0.0, 3.0], 1e-9), CriticalPoint::Degenerate);
/// ```
pub use autodiff_runtime::classify_eigenvalues;

/// What a critical point is, judged by its Hessian's eigenvalues ([`classify`]).
///
/// ```
/// use autodiff::{classify, CriticalPoint};
///
/// let h = [[-2.0, 0.0], [0.0, -1.0]];
/// assert_eq!(classify(&h, 1e-9), CriticalPoint::Maximum);
/// ```
pub use autodiff_runtime::CriticalPoint;
