//! [`Storage`]: where an optimizer keeps its per-parameter state.

use autodiff_runtime::Float;

use crate::OptimError;

/// One per-parameter state buffer: `[F; N]` (no allocation) or `Vec<F>` (feature `alloc`).
pub trait Storage<F>: AsRef<[F]> + AsMut<[F]> + Sized {
    /// A buffer of `dim` values, all `value`.
    ///
    /// # Errors
    /// [`OptimError::Dimension`] if the storage has a fixed size other than `dim`.
    fn filled(component: &'static str, dim: usize, value: F) -> Result<Self, OptimError>;
}

impl<F: Float, const N: usize> Storage<F> for [F; N] {
    fn filled(component: &'static str, dim: usize, value: F) -> Result<Self, OptimError> {
        if dim == N {
            Ok([value; N])
        } else {
            Err(OptimError::Dimension {
                component,
                storage: N,
                dim,
            })
        }
    }
}

#[cfg(feature = "alloc")]
impl<F: Float> Storage<F> for alloc::vec::Vec<F> {
    fn filled(_component: &'static str, dim: usize, value: F) -> Result<Self, OptimError> {
        Ok(alloc::vec![value; dim])
    }
}
