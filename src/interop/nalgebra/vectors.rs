//! Objectives evaluated on nalgebra column vectors, and `SVector`s borrowed as arrays.

use ::nalgebra::allocator::Allocator;
use ::nalgebra::{
    Const, DefaultAllocator, Dim, IsContiguous, Matrix, OMatrix, OVector, RawStorage, SVector,
    Scalar, U1,
};

use crate::{Float, Objective, ObjectiveError};

/// A column vector of `D` entries that can be read as a slice (`SVector`, `DVector`, column
/// views).
type Column<F, D, S> = Matrix<F, D, U1, S>;

/// The objective's value at `x`.
///
/// # Panics
/// If `x.len() != objective.dim()` (as [`Objective::value`]).
///
/// ```
/// use autodiff::differentiable;
/// use nalgebra::{DVector, Vector2};
///
/// #[differentiable]
/// fn f(x: &[f64]) -> f64 {
///     x.iter().map(|a| a * a).sum()
/// }
///
/// let objective = f::objective(2);
/// assert_eq!(autodiff::nalgebra::value(&objective, &Vector2::new(1.0, 2.0)), 5.0);
/// assert_eq!(autodiff::nalgebra::value(&objective, &DVector::from_vec(vec![3.0, 4.0])), 25.0);
/// ```
pub fn value<F, O, D, S>(objective: &O, x: &Column<F, D, S>) -> F
where
    F: Float + Scalar,
    O: Objective<F> + ?Sized,
    D: Dim,
    S: RawStorage<F, D> + IsContiguous,
{
    objective.value(x.as_slice())
}

/// The objective's value and gradient at `x`; the gradient has `x`'s dimension type (an
/// `SVector` for an `SVector`, a `DVector` for a `DVector`).
///
/// # Panics
/// If `x.len() != objective.dim()` (as [`Objective::value_grad`]).
///
/// ```
/// use autodiff::differentiable;
/// use nalgebra::Vector2;
///
/// #[differentiable]
/// fn f(x: f64, y: f64) -> f64 {
///     x * x * y
/// }
///
/// let (v, g) = autodiff::nalgebra::value_grad(&f::objective(), &Vector2::new(3.0, 2.0));
/// assert_eq!((v, g), (18.0, Vector2::new(12.0, 9.0)));
/// ```
pub fn value_grad<F, O, D, S>(objective: &O, x: &Column<F, D, S>) -> (F, OVector<F, D>)
where
    F: Float + Scalar,
    O: Objective<F> + ?Sized,
    D: Dim,
    S: RawStorage<F, D> + IsContiguous,
    DefaultAllocator: Allocator<D>,
{
    let mut grad = zeros_like(x);
    let v = objective.value_grad(x.as_slice(), grad.as_mut_slice());
    (v, grad)
}

/// The objective's value, gradient and Hessian times `v` at `x` (one forward-over-reverse
/// pass).
///
/// # Errors
/// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
///
/// # Panics
/// If `x` or `v` does not have the length `objective.dim()` (as [`Objective::hvp`]).
///
/// ```
/// use autodiff::differentiable;
/// use nalgebra::Vector2;
///
/// #[differentiable]
/// fn f(x: f64, y: f64) -> f64 {
///     x * x * y
/// }
///
/// let x = Vector2::new(3.0, 2.0);
/// let (_, _, hv) = autodiff::nalgebra::hvp(&f::objective(), &x, &Vector2::new(1.0, 0.0)).unwrap();
/// assert_eq!(hv, Vector2::new(4.0, 6.0)); // column 0 of [[2y, 2x], [2x, 0]]
/// ```
#[allow(clippy::type_complexity)]
pub fn hvp<F, O, D, S, Sv>(
    objective: &O,
    x: &Column<F, D, S>,
    v: &Column<F, D, Sv>,
) -> Result<(F, OVector<F, D>, OVector<F, D>), ObjectiveError>
where
    F: Float + Scalar,
    O: Objective<F> + ?Sized,
    D: Dim,
    S: RawStorage<F, D> + IsContiguous,
    Sv: RawStorage<F, D> + IsContiguous,
    DefaultAllocator: Allocator<D>,
{
    let (mut grad, mut hv) = (zeros_like(x), zeros_like(x));
    let value = objective.hvp(
        x.as_slice(),
        v.as_slice(),
        grad.as_mut_slice(),
        hv.as_mut_slice(),
    )?;
    Ok((value, grad, hv))
}

/// The objective's value, gradient and dense Hessian at `x`, `H[(i, j)] = d^2 f / dx_i dx_j`,
/// from one Hessian-vector product per column (column `j` is `H e_j`, as the generated
/// `f::hessian`). For an `SVector` everything stays on the stack.
///
/// # Errors
/// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
///
/// # Panics
/// If `x.len() != objective.dim()` (as [`Objective::hvp`]).
///
/// ```
/// use autodiff::differentiable;
/// use nalgebra::{Matrix2, Vector2};
///
/// #[differentiable]
/// fn f(x: f64, y: f64) -> f64 {
///     x * x * y
/// }
///
/// let (v, g, h) = autodiff::nalgebra::hessian(&f::objective(), &Vector2::new(3.0, 2.0)).unwrap();
/// assert_eq!((v, g), (18.0, Vector2::new(12.0, 9.0)));
/// assert_eq!(h, Matrix2::new(4.0, 6.0, 6.0, 0.0));
/// ```
#[allow(clippy::type_complexity)]
pub fn hessian<F, O, D, S>(
    objective: &O,
    x: &Column<F, D, S>,
) -> Result<(F, OVector<F, D>, OMatrix<F, D, D>), ObjectiveError>
where
    F: Float + Scalar,
    O: Objective<F> + ?Sized,
    D: Dim,
    S: RawStorage<F, D> + IsContiguous,
    DefaultAllocator: Allocator<D> + Allocator<D, D>,
{
    let d = x.shape_generic().0;
    let mut h = OMatrix::<F, D, D>::from_element_generic(d, d, F::zero());
    let (mut e, mut grad, mut hv) = (zeros_like(x), zeros_like(x), zeros_like(x));
    if x.is_empty() {
        let value = objective.value_grad(x.as_slice(), grad.as_mut_slice());
        return Ok((value, grad, h));
    }
    let mut value = F::zero();
    for j in 0..x.len() {
        e[j] = F::one();
        value = objective.hvp(
            x.as_slice(),
            e.as_slice(),
            grad.as_mut_slice(),
            hv.as_mut_slice(),
        )?;
        e[j] = F::zero();
        h.set_column(j, &hv);
    }
    Ok((value, grad, h))
}

/// Borrows an `SVector<F, N>` as the array `&[F; N]` a generated function takes, without a
/// copy.
///
/// ```
/// use autodiff::differentiable;
/// use autodiff::nalgebra::as_array;
/// use nalgebra::SVector;
///
/// #[differentiable]
/// fn norm2<const N: usize>(x: &[f64; N]) -> f64 {
///     x.iter().map(|a| a * a).sum()
/// }
///
/// let x = SVector::<f64, 3>::new(1.0, 2.0, 3.0);
/// let (v, g) = norm2::grad(as_array(&x));
/// assert_eq!((v, SVector::from(g)), (14.0, 2.0 * x));
/// ```
pub fn as_array<F: Scalar, const N: usize>(x: &SVector<F, N>) -> &[F; N] {
    // An `SVector<F, N>` is an `N x 1` matrix, stored as its one column.
    let [column] = &x.data.0;
    column
}

/// A zero vector of `x`'s dimension.
fn zeros_like<F, D, S>(x: &Column<F, D, S>) -> OVector<F, D>
where
    F: Float + Scalar,
    D: Dim,
    S: RawStorage<F, D>,
    DefaultAllocator: Allocator<D>,
{
    OVector::<F, D>::from_element_generic(x.shape_generic().0, Const::<1>, F::zero())
}
