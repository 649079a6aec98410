//! [`Flat`]: a parameter struct as the parameters of `optim`'s `minimize`.

extern crate alloc;

use autodiff_runtime::Differentiable;

/// A parameter struct's active fields, flattened into a `Vec` for the optimizers: the
/// parameters `minimize(..)` takes (its state then lives in `Vec`s), with the struct given back
/// by [`Flat::get`] / [`Flat::into_inner`] (passive fields as they were). The vector follows
/// the struct's field order, the one of `T::loss_objective(..)` and of `T::names()`.
///
/// ```
/// use autodiff::optim::{minimize, AdamConfig, StopRules};
/// use autodiff::{differentiable, Differentiable, Flat};
///
/// #[derive(Clone, Debug, Differentiable)]
/// struct Line {
///     slope: f64,
///     offset: f64,
/// }
///
/// #[differentiable]
/// impl Line {
///     fn loss(&self, xs: &[f64], ys: &[f64]) -> f64 {
///         xs.iter().zip(ys).map(|(x, y)| (self.slope * x + self.offset - y).powi(2)).sum()
///     }
/// }
///
/// let (xs, ys) = ([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]);
/// let start = Line { slope: 0.0, offset: 0.0 };
/// let mut line = Flat::new(start.clone());
/// minimize(&Line::loss_objective(&start, &xs, &ys), &mut line)
///     .with(AdamConfig::default().lr(0.1))
///     .stop(StopRules::max_iterations(2000))
///     .run()?;
/// let fitted = line.into_inner();
/// assert!((fitted.slope - 2.0).abs() < 1e-6 && (fitted.offset - 1.0).abs() < 1e-6);
/// # Ok::<(), autodiff::optim::OptimError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Flat<T: Differentiable> {
    template: T,
    values: alloc::vec::Vec<T::Float>,
}

impl<T: Differentiable> Flat<T> {
    /// The struct's active fields, flattened.
    ///
    /// ```
    /// use autodiff::{Differentiable, Flat};
    /// #[derive(Clone, Differentiable)]
    /// struct P { a: f64, b: [f64; 2] }
    /// let p = Flat::new(P { a: 1.0, b: [2.0, 3.0] });
    /// assert_eq!(p.values(), &[1.0, 2.0, 3.0]);
    /// ```
    pub fn new(value: T) -> Self {
        let mut values = alloc::vec![<T::Float as autodiff_runtime::Scalar>::zero(); value.dim()];
        value.flatten_into(&mut values);
        Flat {
            template: value,
            values,
        }
    }

    /// The flattened values.
    ///
    /// ```
    /// use autodiff::{Differentiable, Flat};
    /// #[derive(Clone, Differentiable)]
    /// struct P { a: f64 }
    /// assert_eq!(Flat::new(P { a: 4.0 }).values(), &[4.0]);
    /// ```
    pub fn values(&self) -> &[T::Float] {
        &self.values
    }

    /// The struct with the current values (passive fields as given to [`Flat::new`]).
    ///
    /// ```
    /// use autodiff::{Differentiable, Flat};
    /// #[derive(Clone, Differentiable)]
    /// struct P { a: f64, #[passive] tag: u8 }
    /// let p = Flat::new(P { a: 4.0, tag: 7 });
    /// assert_eq!((p.get().a, p.get().tag), (4.0, 7));
    /// ```
    pub fn get(&self) -> T {
        self.template.with_flat(&self.values)
    }

    /// The struct with the current values, consuming the adapter.
    ///
    /// ```
    /// use autodiff::{Differentiable, Flat};
    /// #[derive(Clone, Differentiable)]
    /// struct P { a: f64 }
    /// assert_eq!(Flat::new(P { a: 4.0 }).into_inner().a, 4.0);
    /// ```
    pub fn into_inner(self) -> T {
        self.template.with_flat(&self.values)
    }
}

impl<T: Differentiable> optim::Params<T::Float> for Flat<T>
where
    alloc::vec::Vec<T::Float>: optim::Storage<T::Float>,
{
    type Storage = alloc::vec::Vec<T::Float>;
    fn as_mut_slice(&mut self) -> &mut [T::Float] {
        &mut self.values
    }
}
