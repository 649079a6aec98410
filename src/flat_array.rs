//! [`FlatArray`]: a fixed-size parameter struct as `minimize(..)`'s parameters, on the stack.

use autodiff_runtime::{Differentiable, Scalar};

/// A parameter struct's active fields flattened into an array of `N = T::DIM` values: the
/// parameters `minimize(..)` takes with the optimizer's state in arrays too, so nothing is
/// allocated and it works without `alloc` (`no_std`). [`FlatArray::get`] gives the struct back
/// with its passive fields. Name the length as the struct's constant,
/// `FlatArray::<Pose, { Pose::DIM }>::new(..)`; another `N` does not compile. With `alloc`,
/// [`Flat`](crate::Flat) needs no length.
///
/// ```
/// use autodiff::optim::{minimize, AdamConfig, StopRules};
/// use autodiff::{differentiable, Differentiable, FlatArray};
///
/// #[derive(Clone, Debug, Differentiable)]
/// struct Line {
///     slope: f64,
///     offset: f64,
/// }
///
/// #[differentiable]
/// impl Line {
///     fn loss(&self, xs: &[f64; 3], ys: &[f64; 3]) -> f64 {
///         xs.iter().zip(ys).map(|(x, y)| (self.slope * x + self.offset - y).powi(2)).sum()
///     }
/// }
///
/// let (xs, ys) = ([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]);
/// let start = Line { slope: 0.0, offset: 0.0 };
/// let mut line = FlatArray::<Line, { Line::DIM }>::new(start.clone());
/// minimize(&Line::loss_objective(&start, &xs, &ys), &mut line)
///     .with(AdamConfig::default().lr(0.1)) // Adam's moments in `[f64; 2]`s
///     .stop(StopRules::max_iterations(2000))
///     .run()?;
/// let fitted = line.get();
/// assert!((fitted.slope - 2.0).abs() < 1e-6 && (fitted.offset - 1.0).abs() < 1e-6);
/// # Ok::<(), autodiff::optim::OptimError>(())
/// ```
#[derive(Clone, Debug)]
pub struct FlatArray<T: Differentiable, const N: usize> {
    template: T,
    values: [T::Float; N],
}

impl<T: Differentiable, const N: usize> FlatArray<T, N> {
    /// The struct's active fields, flattened.
    ///
    /// ```
    /// use autodiff::{Differentiable, FlatArray};
    /// #[derive(Clone, Differentiable)]
    /// struct P { a: f64, b: [f64; 2] }
    /// let p = FlatArray::<P, { P::DIM }>::new(P { a: 1.0, b: [2.0, 3.0] });
    /// assert_eq!(p.values(), &[1.0, 2.0, 3.0]);
    /// ```
    pub fn new(value: T) -> Self {
        const {
            assert!(
                N == T::DIM,
                "FlatArray<T, N>: N must be T::DIM (write FlatArray::<T, {{ T::DIM }}>)"
            )
        };
        let mut values = [<T::Float as Scalar>::zero(); N];
        value.flatten_into(&mut values);
        FlatArray {
            template: value,
            values,
        }
    }

    /// The flattened values.
    ///
    /// ```
    /// use autodiff::{Differentiable, FlatArray};
    /// #[derive(Clone, Differentiable)]
    /// struct P { a: f64 }
    /// assert_eq!(FlatArray::<P, 1>::new(P { a: 4.0 }).values(), &[4.0]);
    /// ```
    pub fn values(&self) -> &[T::Float; N] {
        &self.values
    }

    /// The struct with the current values (passive fields as given to [`FlatArray::new`]).
    ///
    /// ```
    /// use autodiff::{Differentiable, FlatArray};
    /// #[derive(Clone, Differentiable)]
    /// struct P { a: f64, #[passive] tag: u8 }
    /// let p = FlatArray::<P, { P::DIM }>::new(P { a: 4.0, tag: 7 });
    /// assert_eq!((p.get().a, p.get().tag), (4.0, 7));
    /// ```
    pub fn get(&self) -> T {
        self.template.with_flat(&self.values)
    }
}

impl<T: Differentiable, const N: usize> optim::Params<T::Float> for FlatArray<T, N>
where
    [T::Float; N]: optim::Storage<T::Float>,
{
    type Storage = [T::Float; N];
    fn as_mut_slice(&mut self) -> &mut [T::Float] {
        &mut self.values
    }
}
