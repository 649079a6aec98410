//! Generated Jacobians and Hessians (rows) as nalgebra matrices.

use ::nalgebra::{SMatrix, Scalar};

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
