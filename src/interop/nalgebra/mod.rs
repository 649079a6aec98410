//! [nalgebra](https://nalgebra.rs) vectors and matrices (feature `nalgebra`).
//!
//! - Objectives over nalgebra vectors: [`value`], [`value_grad`], [`hvp`] and [`hessian`] take
//!   any [`Objective`](crate::Objective) and a contiguous nalgebra column vector (`SVector`, `DVector`, a column
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

mod matrices;
mod vectors;

pub use matrices::matrix_from_rows;
#[cfg(feature = "alloc")]
pub use matrices::{dmatrix_from_rows, RaggedRows};
pub use vectors::{as_array, hessian, hvp, value, value_grad};
