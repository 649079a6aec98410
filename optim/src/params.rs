//! [`Params`]: the parameter containers [`crate::minimize`] takes, and the state storage each
//! implies.

use autodiff_runtime::Float;

use crate::Storage;

/// What parameters [`crate::minimize`] takes, and the optimizer state storage they imply: `[F; N]`
/// for arrays (no allocation), `Vec<F>` for `Vec`s and slices (feature `alloc`).
///
/// ```
/// use optim::Params;
/// fn storage_of<P: Params<f64> + ?Sized>(_: &P) -> &'static str {
///     std::any::type_name::<P::Storage>()
/// }
/// assert_eq!(storage_of(&[0.0; 3]), "[f64; 3]");
/// assert!(storage_of(&vec![0.0; 3]).contains("Vec<f64>"));
/// assert!(storage_of(&[0.0; 3][..2]).contains("Vec<f64>"));
/// let mut x = [1.0, 2.0];
/// assert_eq!(x.as_mut_slice(), &[1.0, 2.0]);
/// ```
pub trait Params<F> {
    /// The storage of the optimizer's per-parameter state.
    type Storage: Storage<F>;
    /// The parameters as one slice.
    fn as_mut_slice(&mut self) -> &mut [F];
}

impl<F: Float, const N: usize> Params<F> for [F; N] {
    type Storage = [F; N];
    fn as_mut_slice(&mut self) -> &mut [F] {
        self
    }
}

#[cfg(feature = "alloc")]
impl<F: Float> Params<F> for [F] {
    type Storage = alloc::vec::Vec<F>;
    fn as_mut_slice(&mut self) -> &mut [F] {
        self
    }
}

#[cfg(feature = "alloc")]
impl<F: Float> Params<F> for alloc::vec::Vec<F> {
    type Storage = alloc::vec::Vec<F>;
    fn as_mut_slice(&mut self) -> &mut [F] {
        self
    }
}
