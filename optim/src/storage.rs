//! [`Storage`]: where an optimizer keeps its per-parameter state.

use autodiff_runtime::Float;

use crate::OptimError;

/// One per-parameter state buffer: `[F; N]` (no allocation) or `Vec<F>` (feature `alloc`).
///
/// ```
/// use optim::{OptimError, Storage};
/// let v: Vec<f64> = Storage::filled("demo", 3, 0.5).unwrap();
/// assert_eq!(v, [0.5; 3]);
/// let a: [f64; 2] = Storage::from_values("demo", [1.0, 2.0]).unwrap();
/// assert_eq!(a, [1.0, 2.0]);
/// // A fixed size that does not match is an error, not a panic.
/// let e = <[f64; 2] as Storage<f64>>::filled("demo", 3, 0.0).unwrap_err();
/// assert_eq!(e, OptimError::Dimension { component: "demo", storage: 2, dim: 3 });
/// ```
pub trait Storage<F>: AsRef<[F]> + AsMut<[F]> + Sized {
    /// A buffer of `dim` values, all `value`.
    ///
    /// # Errors
    /// [`OptimError::Dimension`] if the storage has a fixed size other than `dim`.
    fn filled(component: &'static str, dim: usize, value: F) -> Result<Self, OptimError>;

    /// A buffer holding `values` in order (how saved state is loaded back).
    ///
    /// # Errors
    /// [`OptimError::Dimension`] if the storage has a fixed size other than the number of
    /// values (`dim` is then that number).
    fn from_values<I: IntoIterator<Item = F>>(
        component: &'static str,
        values: I,
    ) -> Result<Self, OptimError>;
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

    fn from_values<I: IntoIterator<Item = F>>(
        component: &'static str,
        values: I,
    ) -> Result<Self, OptimError> {
        let mut out = [F::zero(); N];
        let mut count = 0;
        for v in values {
            if let Some(slot) = out.get_mut(count) {
                *slot = v;
            }
            count += 1;
        }
        if count == N {
            Ok(out)
        } else {
            Err(OptimError::Dimension {
                component,
                storage: N,
                dim: count,
            })
        }
    }
}

#[cfg(feature = "alloc")]
impl<F: Float> Storage<F> for alloc::vec::Vec<F> {
    fn filled(_component: &'static str, dim: usize, value: F) -> Result<Self, OptimError> {
        Ok(alloc::vec![value; dim])
    }

    fn from_values<I: IntoIterator<Item = F>>(
        _component: &'static str,
        values: I,
    ) -> Result<Self, OptimError> {
        Ok(values.into_iter().collect())
    }
}
