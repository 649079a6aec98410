//! Sparse Hessians and Jacobians: detect the sparsity pattern by running the function's generic
//! code on a [`Tracer`] scalar, colour it, and recover the matrix from a few compressed products.
//!
//! 1. **Pattern** ([`hessian_pattern`], [`jacobian_pattern`], feature `std`): the function runs
//!    once on tracers, which record which inputs each value depends on and how. The pattern is
//!    exact at the point given (branches follow it); [`SparsityPattern::union`] combines points.
//! 2. **Colouring** ([`star_coloring`] for symmetric Hessians, [`column_coloring`] for
//!    Jacobians): columns that can share a product get one colour.
//! 3. **Recovery** ([`SparseHessian`], [`SparseJacobian`]): prepared once from the pattern, then
//!    one Hessian-vector (or Jacobian-vector) product per colour and a scatter, no allocation.
//!    The result is a [`CscMatrix`] (compressed sparse columns: `col_ptr`, `row_idx`, `values`;
//!    [`CscMatrix::triplets`] for `(row, col, value)`).
//!
//! Rosenbrock's tridiagonal Hessian takes 3 products whatever `n`.
//!
//! ```
//! use autodiff_runtime::sparse::{hessian_pattern, SparseHessian, Tracer};
//! use autodiff_runtime::{Dual, Scalar};
//!
//! // Generic code, as `#[differentiable]` generates it: the value, and the adjoint.
//! fn rosen<S: Scalar<Base = f64>>(x: &[S]) -> S {
//!     let mut s = S::zero();
//!     for i in 0..x.len() - 1 {
//!         let a = x[i + 1] - x[i] * x[i];
//!         let b = x[i].sub_from_base(1.0);
//!         s += a.scale(100.0) * a + b * b;
//!     }
//!     s
//! }
//! fn rosen_vjp<S: Scalar<Base = f64>>(x: &[S], bar: &mut [S]) -> S {
//!     for i in 0..x.len() - 1 {
//!         let a = x[i + 1] - x[i] * x[i];
//!         let b = x[i].sub_from_base(1.0);
//!         bar[i + 1] += a.scale(200.0);
//!         bar[i] -= a.scale(400.0) * x[i] + b.scale(2.0);
//!     }
//!     rosen(x)
//! }
//!
//! let x = vec![0.5; 1000];
//! let pattern = hessian_pattern(&x, |t: &[Tracer]| rosen(t));
//! let mut work = SparseHessian::new(pattern).unwrap();
//! assert_eq!(work.coloring().count(), 3);
//! let (value, grad, h) = work.compute_with_vjp(&x, |d, bar| rosen_vjp::<Dual<f64>>(d, bar));
//! assert_eq!(value, rosen(&x));
//! // H00 = 1200 x0^2 - 400 x1 + 2, H10 = -400 x0.
//! assert!((h.get(0, 0) - 102.0).abs() < 1e-12 && (h.get(1, 0) + 200.0).abs() < 1e-12);
//! assert_eq!(h.pattern().nnz(), 1000 + 2 * 999);
//! # let _ = grad;
//! ```

mod coloring;
mod hessian;
mod jacobian;
mod pattern;
#[cfg(feature = "std")]
mod tracer;

pub use coloring::{column_coloring, star_coloring, Coloring};
pub use hessian::SparseHessian;
pub use jacobian::SparseJacobian;
pub use pattern::{CscMatrix, SparsityPattern};
#[cfg(feature = "std")]
pub use tracer::{hessian_pattern, jacobian_pattern, Tracer};

use core::fmt;

/// Why a sparse derivative cannot be prepared.
///
/// ```
/// use autodiff_runtime::sparse::SparseError;
/// assert_eq!(
///     SparseError::NotSymmetric.to_string(),
///     "`SparseHessian`: the pattern is not square and symmetric"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SparseError {
    /// A Hessian pattern that is not square and symmetric.
    NotSymmetric,
}

impl fmt::Display for SparseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SparseError::NotSymmetric => {
                f.write_str("`SparseHessian`: the pattern is not square and symmetric")
            }
        }
    }
}

impl core::error::Error for SparseError {}
