//! [nalgebra](https://nalgebra.rs) vectors and matrices (feature `nalgebra`).
//!
//! - Objectives over nalgebra vectors: [`value`], [`value_grad`], [`hvp`] and [`hessian`] take
//!   any [`Objective`] and a contiguous nalgebra column vector (`SVector`, `DVector`, a column
//!   view) and return nalgebra vectors and matrices of the same dimension.
//! - Generated functions on `SVector`s: [`as_array`] borrows an `SVector<f, N>` as the
//!   `&[f; N]` a `#[differentiable]` function takes (`DVector::as_slice` gives a `&[f]`); arrays
//!   go back with `SVector::from(array)`.
//! - Generated Jacobians and Hessians as matrices: [`matrix_from_rows`] (`[[f; N]; M]`) and
//!   [`dmatrix_from_rows`] (`Vec<Vec<f>>`, with `alloc`) read them row by row, so that
//!   `J[(i, k)] = d r_i / d x_k`.
//!
//! Do not convert a generated `[[f; N]; M]` with `SMatrix::from`: nalgebra's `From<[[T; R]; C]>`
//! takes the inner arrays as *columns*, so it returns the `N x M` transpose.
//!
//! ```
//! use autodiff::differentiable;
//! use autodiff::nalgebra::{as_array, matrix_from_rows};
//! use nalgebra::{Matrix3x2, SMatrix, Vector2};
//!
//! #[differentiable]
//! fn spiral(x: &[f64; 2]) -> [f64; 3] {
//!     [x[0] * x[1].cos(), x[0] * x[1].sin(), x[1]]
//! }
//!
//! let x = Vector2::new(2.0, 0.0);
//! let (_, j) = spiral::jacobian(as_array(&x));
//! let jm = matrix_from_rows(&j); // 3 x 2: J[(i, k)] = d r_i / d x_k
//! assert_eq!(jm, Matrix3x2::new(1.0, 0.0, 0.0, 2.0, 0.0, 1.0));
//! let transposed: SMatrix<f64, 2, 3> = SMatrix::from(j); // the pitfall
//! assert_eq!(transposed, jm.transpose());
//! ```

use ::nalgebra::allocator::Allocator;
use ::nalgebra::{
    Const, DefaultAllocator, Dim, IsContiguous, Matrix, OMatrix, OVector, RawStorage, SMatrix,
    SVector, Scalar, U1,
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

/// The matrix whose rows are `rows`: `M[(i, k)] = rows[i][k]`. This is how a generated
/// Jacobian `[[f; N]; M]` (`j[i][k] = d r_i / d x_k`) and Hessian `[[f; N]; N]` read.
///
/// (nalgebra's own `SMatrix::from([[..]; R])` takes the inner arrays as columns and returns
/// the transpose.)
///
/// ```
/// use autodiff::differentiable;
/// use autodiff::nalgebra::matrix_from_rows;
/// use nalgebra::Matrix2;
///
/// #[differentiable]
/// fn polar(r: f64, t: f64) -> [f64; 2] {
///     [r * t.cos(), r * t.sin()]
/// }
///
/// let (_, j) = polar::jacobian(2.0, 0.0);
/// assert_eq!(matrix_from_rows(&j), Matrix2::new(1.0, 0.0, 0.0, 2.0)); // [[cos, -r sin], [sin, r cos]]
///
/// #[differentiable]
/// fn f(x: f64, y: f64) -> f64 {
///     x * x * y
/// }
/// let (_, _, h) = f::hessian(3.0, 2.0);
/// assert_eq!(matrix_from_rows(&h), Matrix2::new(4.0, 6.0, 6.0, 0.0));
/// ```
pub fn matrix_from_rows<F: Scalar, const R: usize, const C: usize>(
    rows: &[[F; C]; R],
) -> SMatrix<F, R, C> {
    SMatrix::from_fn(|i, k| rows[i][k].clone())
}

/// The matrix whose rows are `rows` (all of one length): `M[(i, k)] = rows[i][k]`. This is how
/// a generated Jacobian or Hessian of `Vec` rows (`Vec<Vec<f>>`) reads. Zero rows give a
/// `0 x 0` matrix.
///
/// # Errors
/// [`RaggedRows`] if a row's length differs from the first row's.
///
/// ```
/// use autodiff::differentiable;
/// use autodiff::nalgebra::dmatrix_from_rows;
/// use nalgebra::DMatrix;
///
/// /// Residuals r_i = x0 exp(x1 t_i) - y_i, written into `r`.
/// #[differentiable(wrt(x))]
/// fn residuals(x: &[f64], t: &[f64], y: &[f64], r: &mut [f64]) {
///     for i in 0..r.len() {
///         r[i] = x[0] * (x[1] * t[i]).exp() - y[i];
///     }
/// }
///
/// let (t, y) = ([0.0, 1.0, 2.0], [1.0, 1.0, 1.0]);
/// let mut r = vec![0.0; 3];
/// let j = residuals::jacobian(&[2.0, 0.0], &t, &y, &mut r);
/// let jm = dmatrix_from_rows(&j).unwrap(); // 3 x 2
/// assert_eq!(jm, DMatrix::from_row_slice(3, 2, &[1.0, 0.0, 1.0, 2.0, 1.0, 4.0]));
/// assert!(dmatrix_from_rows(&[vec![1.0, 2.0], vec![3.0]]).is_err());
/// ```
#[cfg(feature = "alloc")]
pub fn dmatrix_from_rows<F: Scalar, V: AsRef<[F]>>(
    rows: &[V],
) -> Result<::nalgebra::DMatrix<F>, RaggedRows> {
    let cols = rows.first().map_or(0, |r| r.as_ref().len());
    if let Some((row, r)) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.as_ref().len() != cols)
    {
        return Err(RaggedRows {
            row,
            len: r.as_ref().len(),
            expected: cols,
        });
    }
    Ok(::nalgebra::DMatrix::from_fn(rows.len(), cols, |i, k| {
        rows[i].as_ref()[k].clone()
    }))
}

/// Rows of different lengths given to [`dmatrix_from_rows`].
///
/// ```
/// use autodiff::nalgebra::{dmatrix_from_rows, RaggedRows};
///
/// let err = dmatrix_from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
/// assert_eq!(err, RaggedRows { row: 1, len: 1, expected: 2 });
/// assert_eq!(
///     err.to_string(),
///     "`dmatrix_from_rows`: row 1 has length 1, expected 2 (the length of row 0)"
/// );
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaggedRows {
    /// The first row whose length differs.
    pub row: usize,
    /// Its length.
    pub len: usize,
    /// The length of row 0.
    pub expected: usize,
}

#[cfg(feature = "alloc")]
impl core::fmt::Display for RaggedRows {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "`dmatrix_from_rows`: row {} has length {}, expected {} (the length of row 0)",
            self.row, self.len, self.expected
        )
    }
}

#[cfg(feature = "alloc")]
impl core::error::Error for RaggedRows {}

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
