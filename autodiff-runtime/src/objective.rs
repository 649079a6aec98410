//! [`Objective`]: what optimizers minimize. Implemented by the generated `f::objective(..)` of
//! every `#[differentiable]` function and by closures ([`from_fns`]), so hand-written objectives
//! plug into the same optimizers.

use core::fmt;
use core::marker::PhantomData;

use crate::Float;

/// Why an objective could not compute something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectiveError {
    /// The objective has no Hessian-vector product (a closure objective built without one).
    NoHvp,
}

impl fmt::Display for ObjectiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectiveError::NoHvp => f.write_str(
                "`Objective`: no Hessian-vector product; build it with `with_hvp(..)` or use a #[differentiable] function",
            ),
        }
    }
}

impl core::error::Error for ObjectiveError {}

/// A function of `dim()` parameters to minimize, with its derivatives.
///
/// Slices passed in must have length `dim()` (the implementations panic with a message
/// otherwise, as indexing would).
pub trait Objective<F: Float> {
    /// Number of parameters.
    fn dim(&self) -> usize;
    /// The value at `x`.
    ///
    /// # Panics
    /// If `x` does not have length [`Objective::dim`] (the generated objectives and
    /// [`FnObjective`] check every slice and name the one that is wrong).
    fn value(&self, x: &[F]) -> F;
    /// The value at `x`; the gradient is written (not added) into `grad`.
    ///
    /// # Panics
    /// If `x` or `grad` does not have length [`Objective::dim`].
    fn value_grad(&self, x: &[F], grad: &mut [F]) -> F;
    /// The value at `x`; the gradient is written into `grad` and the Hessian times `v` into
    /// `hv`, in one pass.
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product (the default).
    ///
    /// # Panics
    /// If `x`, `v`, `grad` or `hv` does not have length [`Objective::dim`].
    fn hvp(&self, x: &[F], v: &[F], grad: &mut [F], hv: &mut [F]) -> Result<F, ObjectiveError> {
        let _ = (x, v, grad, hv);
        Err(ObjectiveError::NoHvp)
    }
}

impl<F: Float, O: Objective<F> + ?Sized> Objective<F> for &O {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn value(&self, x: &[F]) -> F {
        (**self).value(x)
    }
    fn value_grad(&self, x: &[F], grad: &mut [F]) -> F {
        (**self).value_grad(x, grad)
    }
    fn hvp(&self, x: &[F], v: &[F], grad: &mut [F], hv: &mut [F]) -> Result<F, ObjectiveError> {
        (**self).hvp(x, v, grad, hv)
    }
}

/// An objective from closures: the value, and the value with the gradient (written into the
/// buffer). Add a Hessian-vector product with [`FnObjective::with_hvp`].
///
/// ```
/// use autodiff_runtime::{from_fns, Objective};
/// let obj = from_fns(2, |x: &[f64]| x[0] * x[0] + 3.0 * x[1] * x[1], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     g[1] = 6.0 * x[1];
///     x[0] * x[0] + 3.0 * x[1] * x[1]
/// });
/// let mut g = [0.0; 2];
/// assert_eq!(obj.value_grad(&[1.0, 1.0], &mut g), 4.0);
/// assert_eq!(g, [2.0, 6.0]);
/// assert!(obj.hvp(&[1.0, 1.0], &[1.0, 0.0], &mut g, &mut [0.0; 2]).is_err());
/// ```
pub fn from_fns<F, V, G>(dim: usize, value: V, value_grad: G) -> FnObjective<V, G, NoHvp>
where
    F: Float,
    V: Fn(&[F]) -> F,
    G: Fn(&[F], &mut [F]) -> F,
{
    FnObjective {
        dim,
        value,
        value_grad,
        hvp: NoHvp,
    }
}

/// An objective made of closures (see [`from_fns`]).
pub struct FnObjective<V, G, H> {
    dim: usize,
    value: V,
    value_grad: G,
    hvp: H,
}

/// Marks a closure objective without a Hessian-vector product.
pub struct NoHvp;

impl<V, G> FnObjective<V, G, NoHvp> {
    /// Adds a Hessian-vector product `hvp(x, v, grad, hv) -> value`.
    ///
    /// ```
    /// use autodiff_runtime::{from_fns, Objective};
    /// let f = |x: &[f64]| x[0].powi(3);
    /// let g = |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 3.0 * x[0] * x[0];
    ///     f(x)
    /// };
    /// let obj = from_fns(1, f, g).with_hvp(move |x: &[f64], v: &[f64], gr: &mut [f64], hv: &mut [f64]| {
    ///     hv[0] = 6.0 * x[0] * v[0];
    ///     g(x, gr)
    /// });
    /// let (mut gr, mut hv) = ([0.0], [0.0]);
    /// assert_eq!(obj.hvp(&[2.0], &[1.0], &mut gr, &mut hv), Ok(8.0));
    /// assert_eq!((gr, hv), ([12.0], [12.0]));
    /// ```
    pub fn with_hvp<F, H>(self, hvp: H) -> FnObjective<V, G, H>
    where
        F: Float,
        H: Fn(&[F], &[F], &mut [F], &mut [F]) -> F,
    {
        FnObjective {
            dim: self.dim,
            value: self.value,
            value_grad: self.value_grad,
            hvp,
        }
    }
}

impl<F: Float, V: Fn(&[F]) -> F, G: Fn(&[F], &mut [F]) -> F> Objective<F>
    for FnObjective<V, G, NoHvp>
{
    fn dim(&self) -> usize {
        self.dim
    }
    fn value(&self, x: &[F]) -> F {
        check_len("x", x.len(), self.dim);
        (self.value)(x)
    }
    fn value_grad(&self, x: &[F], grad: &mut [F]) -> F {
        check_len("x", x.len(), self.dim);
        check_len("grad", grad.len(), self.dim);
        (self.value_grad)(x, grad)
    }
}

impl<F, V, G, H> Objective<F> for FnObjective<V, G, H>
where
    F: Float,
    V: Fn(&[F]) -> F,
    G: Fn(&[F], &mut [F]) -> F,
    H: Fn(&[F], &[F], &mut [F], &mut [F]) -> F,
{
    fn dim(&self) -> usize {
        self.dim
    }
    fn value(&self, x: &[F]) -> F {
        check_len("x", x.len(), self.dim);
        (self.value)(x)
    }
    fn value_grad(&self, x: &[F], grad: &mut [F]) -> F {
        check_len("x", x.len(), self.dim);
        check_len("grad", grad.len(), self.dim);
        (self.value_grad)(x, grad)
    }
    fn hvp(&self, x: &[F], v: &[F], grad: &mut [F], hv: &mut [F]) -> Result<F, ObjectiveError> {
        for (what, len) in [
            ("x", x.len()),
            ("v", v.len()),
            ("grad", grad.len()),
            ("hv", hv.len()),
        ] {
            check_len(what, len, self.dim);
        }
        Ok((self.hvp)(x, v, grad, hv))
    }
}

/// The derivatives of one `#[differentiable]` function as an objective over its active
/// parameters, flattened in order; `A` holds the passive arguments. Implemented by the
/// generated derivative namespace `f`; used through [`Bound`].
#[doc(hidden)]
pub trait ObjectiveFns<F: Float, A> {
    fn dim(args: &A) -> usize;
    fn value(args: &A, x: &[F]) -> F;
    fn value_grad(args: &A, x: &[F], grad: &mut [F]) -> F;
    fn hvp(args: &A, x: &[F], v: &[F], grad: &mut [F], hv: &mut [F]) -> F;
}

/// A `#[differentiable]` function with its passive arguments bound: what `f::objective(..)`
/// returns.
pub struct Bound<M, A> {
    args: A,
    _m: PhantomData<M>,
}

impl<M, A> Bound<M, A> {
    #[doc(hidden)]
    pub fn new(args: A) -> Self {
        Bound {
            args,
            _m: PhantomData,
        }
    }
}

impl<F: Float, M: ObjectiveFns<F, A>, A> Objective<F> for Bound<M, A> {
    fn dim(&self) -> usize {
        M::dim(&self.args)
    }
    fn value(&self, x: &[F]) -> F {
        check_len("x", x.len(), M::dim(&self.args));
        M::value(&self.args, x)
    }
    fn value_grad(&self, x: &[F], grad: &mut [F]) -> F {
        let n = M::dim(&self.args);
        check_len("x", x.len(), n);
        check_len("grad", grad.len(), n);
        M::value_grad(&self.args, x, grad)
    }
    fn hvp(&self, x: &[F], v: &[F], grad: &mut [F], hv: &mut [F]) -> Result<F, ObjectiveError> {
        let n = M::dim(&self.args);
        check_len("x", x.len(), n);
        check_len("v", v.len(), n);
        check_len("grad", grad.len(), n);
        check_len("hv", hv.len(), n);
        Ok(M::hvp(&self.args, x, v, grad, hv))
    }
}

#[inline]
fn check_len(what: &str, got: usize, want: usize) {
    assert!(
        got == want,
        "`Objective`: `{what}` has length {got}, expected the dimension {want}"
    );
}

/// The dense Hessian of `obj` at `x` by `dim()` Hessian-vector products, row-major into `out`
/// (`dim * dim`), using `work` (`3 * dim`) as scratch. Allocation-free.
///
/// # Errors
/// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
///
/// # Panics
/// If `x` does not have length `dim`, `out` length `dim * dim` or `work` length `3 * dim`.
pub fn hessian_into<F: Float, O: Objective<F> + ?Sized>(
    obj: &O,
    x: &[F],
    out: &mut [F],
    work: &mut [F],
) -> Result<F, ObjectiveError> {
    let n = obj.dim();
    check_len("out", out.len(), n * n);
    check_len("work", work.len(), 3 * n);
    let (e, rest) = work.split_at_mut(n);
    let (g, hv) = rest.split_at_mut(n);
    e.fill(F::zero());
    let mut value = F::zero();
    for j in 0..n {
        e[j] = F::one();
        value = obj.hvp(x, e, g, hv)?;
        e[j] = F::zero();
        // `hv` is column j.
        for (i, h) in hv.iter().enumerate() {
            out[i * n + j] = *h;
        }
    }
    Ok(value)
}
