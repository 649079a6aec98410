//! [`SparseHessian`]: a Hessian recovered from one Hessian-vector product per colour.

use alloc::vec::Vec;

use super::coloring::{star_coloring, Coloring};
use super::pattern::{CscMatrix, SparsityPattern};
use super::SparseError;
use crate::{Dual, Float, Objective, ObjectiveError};

/// Where each stored value comes from: value `k` is entry `row` of the product of colour `c`,
/// for the `(k, row)` in `plan[start[c]..start[c + 1]]`.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    start: Vec<usize>,
    items: Vec<(usize, usize)>,
}

impl Plan {
    /// Groups `(colour, value index, row)` by colour.
    pub(crate) fn new(colors: usize, mut sources: Vec<(usize, usize, usize)>) -> Self {
        sources.sort_unstable();
        let mut start = Vec::with_capacity(colors + 1);
        let mut k = 0;
        for c in 0..=colors {
            while k < sources.len() && sources[k].0 < c {
                k += 1;
            }
            start.push(k);
        }
        Plan {
            start,
            items: sources.into_iter().map(|(_, k, r)| (k, r)).collect(),
        }
    }

    /// Scatters the product of colour `c` into the values.
    #[inline]
    pub(crate) fn scatter<T: Copy, F>(
        &self,
        c: usize,
        product: &[T],
        values: &mut [F],
        get: impl Fn(T) -> F,
    ) {
        for &(k, r) in &self.items[self.start[c]..self.start[c + 1]] {
            values[k] = get(product[r]);
        }
    }
}

/// A sparse Hessian, prepared once from its pattern (star colouring, recovery plan, scratch) and
/// then evaluated at any number of points with one Hessian-vector product per colour and no
/// allocation.
///
/// The result is a symmetric [`CscMatrix`] holding both triangles; every stored entry is read
/// directly from one product (no linear solve), so it equals the dense Hessian's entry computed
/// the same way up to the rounding of the sums inside one product.
///
/// For a `#[differentiable]` function of one slice or array the macro generates
/// `f::sparse_hessian_pattern(..)` and `f::sparse_hessian(.., &mut work)`; the methods here take
/// any Hessian-vector product.
///
/// ```
/// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
///
/// // f(x) = sum x_i^2 x_{i+1}: tridiagonal; H v by hand.
/// let hvp = |x: &[f64], v: &[f64], hv: &mut [f64]| {
///     hv.fill(0.0);
///     for i in 0..x.len() - 1 {
///         hv[i] += 2.0 * x[i + 1] * v[i] + 2.0 * x[i] * v[i + 1];
///         hv[i + 1] += 2.0 * x[i] * v[i];
///     }
/// };
/// let n = 6;
/// let p = SparsityPattern::from_entries(n, n, (0..n).flat_map(|i| {
///     [(i, i), (i, i.saturating_sub(1)), (i.saturating_sub(1), i)]
/// }));
/// let mut work = SparseHessian::new(p).unwrap();
/// assert_eq!(work.coloring().count(), 3); // 3 products instead of 6
/// let h = work.compute_with_hvp(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], hvp);
/// assert_eq!(h.get(2, 2), 2.0 * 4.0);
/// assert_eq!((h.get(2, 3), h.get(3, 2)), (2.0 * 3.0, 2.0 * 3.0));
/// ```
#[derive(Clone, Debug)]
pub struct SparseHessian<F = f64> {
    matrix: CscMatrix<F>,
    coloring: Coloring,
    plan: Plan,
    seed: Vec<F>,
    product: Vec<F>,
    grad: Vec<F>,
    duals: Vec<Dual<F>>,
    bars: Vec<Dual<F>>,
}

impl<F: Float> SparseHessian<F> {
    /// Prepares the recovery of Hessians with this (symmetric) pattern: a star colouring
    /// ([`star_coloring`]), the source of every entry, and the scratch of the products.
    ///
    /// # Errors
    /// [`SparseError::NotSymmetric`] if the pattern is not square and symmetric.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseError, SparseHessian, SparsityPattern};
    /// let p = SparsityPattern::from_entries(2, 2, [(0, 1)]);
    /// assert_eq!(SparseHessian::<f64>::new(p).unwrap_err(), SparseError::NotSymmetric);
    /// ```
    pub fn new(pattern: SparsityPattern) -> Result<Self, SparseError> {
        let coloring = star_coloring(&pattern)?;
        let n = pattern.ncols();
        let colors = coloring.colors();
        // unique[k]: entry k = (r, j) is the only one of colour c(r) in column j, so
        // (H s_c(r))[j] = H[j][r].
        let mut unique = alloc::vec![false; pattern.nnz()];
        let mut count = alloc::vec![0usize; coloring.count()];
        for j in 0..n {
            let range = pattern.col_ptr()[j]..pattern.col_ptr()[j + 1];
            for &r in pattern.column(j) {
                count[colors[r]] += 1;
            }
            for k in range.clone() {
                unique[k] = count[colors[pattern.row_idx()[k]]] == 1;
            }
            for &r in pattern.column(j) {
                count[colors[r]] = 0;
            }
        }
        let mut sources = Vec::with_capacity(pattern.nnz());
        for (k, (r, j)) in pattern.entries().enumerate() {
            if unique[k] {
                sources.push((colors[r], k, j));
            } else {
                // The mirror (j, r) in column r: j alone of its colour there.
                let m = pattern.position(j, r).filter(|&m| unique[m]);
                let Some(_) = m else {
                    unreachable!("`SparseHessian`: the star colouring is not one")
                };
                sources.push((colors[j], k, r));
            }
        }
        let plan = Plan::new(coloring.count(), sources);
        let zero = F::zero();
        Ok(SparseHessian {
            matrix: CscMatrix::zeros(pattern),
            coloring,
            plan,
            seed: alloc::vec![zero; n],
            product: alloc::vec![zero; n],
            grad: alloc::vec![zero; n],
            duals: alloc::vec![Dual::constant(zero); n],
            bars: alloc::vec![Dual::constant(zero); n],
        })
    }

    /// The number of parameters.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// let w = SparseHessian::<f64>::new(SparsityPattern::from_entries(3, 3, [(1, 1)])).unwrap();
    /// assert_eq!(w.dim(), 3);
    /// ```
    pub fn dim(&self) -> usize {
        self.seed.len()
    }

    /// The colouring: [`Coloring::count`] products per evaluation.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// let diag = SparsityPattern::from_entries(4, 4, (0..4).map(|i| (i, i)));
    /// assert_eq!(SparseHessian::<f64>::new(diag).unwrap().coloring().count(), 1);
    /// ```
    pub fn coloring(&self) -> &Coloring {
        &self.coloring
    }

    /// The pattern.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// let p = SparsityPattern::from_entries(2, 2, [(0, 0)]);
    /// assert_eq!(SparseHessian::<f64>::new(p.clone()).unwrap().pattern(), &p);
    /// ```
    pub fn pattern(&self) -> &SparsityPattern {
        self.matrix.pattern()
    }

    /// The Hessian of the last evaluation (zeros before the first).
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// let w = SparseHessian::<f64>::new(SparsityPattern::from_entries(1, 1, [(0, 0)])).unwrap();
    /// assert_eq!(w.hessian().values(), [0.0]);
    /// ```
    pub fn hessian(&self) -> &CscMatrix<F> {
        &self.matrix
    }

    /// The gradient of the last evaluation by [`SparseHessian::compute_with_vjp`] or
    /// [`SparseHessian::compute_objective`] (zeros otherwise).
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// let w = SparseHessian::<f64>::new(SparsityPattern::from_entries(2, 2, [(0, 0)])).unwrap();
    /// assert_eq!(w.gradient(), [0.0, 0.0]);
    /// ```
    pub fn gradient(&self) -> &[F] {
        &self.grad
    }

    fn check_len(&self, x: &[F]) {
        assert_eq!(
            x.len(),
            self.dim(),
            "`SparseHessian`: the point has the wrong length"
        );
    }

    /// The Hessian at `x` from `hvp(x, v, hv)`, which writes `H(x) v` into `hv` (one call per
    /// colour).
    ///
    /// # Panics
    /// If `x` does not have [`SparseHessian::dim`] entries.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// // f = x0^2 x1: H = [[2 x1, 2 x0], [2 x0, 0]].
    /// let p = SparsityPattern::from_entries(2, 2, [(0, 0), (0, 1), (1, 0)]);
    /// let mut w = SparseHessian::new(p).unwrap();
    /// let h = w.compute_with_hvp(&[3.0, 5.0], |x, v, hv| {
    ///     hv[0] = 2.0 * x[1] * v[0] + 2.0 * x[0] * v[1];
    ///     hv[1] = 2.0 * x[0] * v[0];
    /// });
    /// assert_eq!(h.to_dense(), [[10.0, 6.0], [6.0, 0.0]]);
    /// ```
    pub fn compute_with_hvp(
        &mut self,
        x: &[F],
        mut hvp: impl FnMut(&[F], &[F], &mut [F]),
    ) -> &CscMatrix<F> {
        self.check_len(x);
        for c in 0..self.coloring.count() {
            self.coloring.seed(c, &mut self.seed);
            hvp(x, &self.seed, &mut self.product);
            self.plan
                .scatter(c, &self.product, self.matrix.values_mut(), |v| v);
        }
        &self.matrix
    }

    /// The value, gradient and Hessian at `x` by forward-over-reverse: `vjp(inputs, bars)` is
    /// the function's reverse mode run on dual numbers (what the generated code does): it reads
    /// the inputs (value `x`, tangent the colour's seed), adds `1 ×` the gradient into `bars`
    /// (zeroed before each call) and returns the value. Gradient and `H s` are read from the
    /// bars' real and dual parts. Allocates nothing.
    ///
    /// # Panics
    /// If `x` does not have [`SparseHessian::dim`] entries.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// use autodiff_runtime::{Dual, Scalar};
    /// // f = x0 x1 + x2^3, its adjoint written by hand over any scalar.
    /// fn vjp<S: Scalar<Base = f64>>(x: &[S], bar: &mut [S]) -> S {
    ///     bar[0] += x[1];
    ///     bar[1] += x[0];
    ///     bar[2] += x[2] * x[2] * S::cst(3.0.into());
    ///     x[0] * x[1] + x[2] * x[2] * x[2]
    /// }
    /// let p = SparsityPattern::from_entries(3, 3, [(0, 1), (1, 0), (2, 2)]);
    /// let mut w = SparseHessian::new(p).unwrap();
    /// let (value, grad, h) = w.compute_with_vjp(&[1.0, 2.0, 3.0], |x, bar| vjp::<Dual<f64>>(x, bar));
    /// assert_eq!((value, grad), (29.0, &[2.0, 1.0, 27.0][..]));
    /// assert_eq!((h.get(0, 1), h.get(2, 2)), (1.0, 18.0));
    /// ```
    pub fn compute_with_vjp(
        &mut self,
        x: &[F],
        vjp: impl FnMut(&[Dual<F>], &mut [Dual<F>]) -> Dual<F>,
    ) -> (F, &[F], &CscMatrix<F>) {
        self.passes(x, vjp, true)
    }

    /// [`SparseHessian::compute_with_vjp`] for a `vjp` that writes every element of `bars`
    /// without reading it (`#[differentiable]`'s overwriting reverse mode): the bars are not
    /// zeroed before each pass.
    ///
    /// # Panics
    /// If `x` does not have [`SparseHessian::dim`] entries.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// use autodiff_runtime::{Dual, Scalar};
    /// // f = x0 x1 + x2^3, its adjoint written by hand, writing the bars.
    /// fn vjp<S: Scalar<Base = f64>>(x: &[S], bar: &mut [S]) -> S {
    ///     bar[0] = x[1];
    ///     bar[1] = x[0];
    ///     bar[2] = x[2] * x[2] * S::cst(3.0.into());
    ///     x[0] * x[1] + x[2] * x[2] * x[2]
    /// }
    /// let p = SparsityPattern::from_entries(3, 3, [(0, 1), (1, 0), (2, 2)]);
    /// let mut w = SparseHessian::new(p).unwrap();
    /// let (value, grad, h) =
    ///     w.compute_with_vjp_overwriting(&[1.0, 2.0, 3.0], |x, bar| vjp::<Dual<f64>>(x, bar));
    /// assert_eq!((value, grad), (29.0, &[2.0, 1.0, 27.0][..]));
    /// assert_eq!((h.get(0, 1), h.get(2, 2)), (1.0, 18.0));
    /// ```
    pub fn compute_with_vjp_overwriting(
        &mut self,
        x: &[F],
        vjp: impl FnMut(&[Dual<F>], &mut [Dual<F>]) -> Dual<F>,
    ) -> (F, &[F], &CscMatrix<F>) {
        self.passes(x, vjp, false)
    }

    /// One forward-over-reverse pass per colour (one pass for an empty pattern), the bars
    /// zeroed before each when `zero_bars`; then the gradient from the bars.
    fn passes(
        &mut self,
        x: &[F],
        mut vjp: impl FnMut(&[Dual<F>], &mut [Dual<F>]) -> Dual<F>,
        zero_bars: bool,
    ) -> (F, &[F], &CscMatrix<F>) {
        self.check_len(x);
        let zero = Dual::constant(F::zero());
        let mut value = F::zero();
        let colors = self.coloring.colors();
        for c in 0..self.coloring.count() {
            for ((d, &xi), &ci) in self.duals.iter_mut().zip(x).zip(colors) {
                *d = Dual::new(xi, if ci == c { F::one() } else { F::zero() });
            }
            if zero_bars {
                self.bars.fill(zero);
            }
            value = vjp(&self.duals, &mut self.bars).re;
            self.plan
                .scatter(c, &self.bars, self.matrix.values_mut(), |b| b.eps);
        }
        if self.coloring.count() == 0 {
            // An empty pattern: one pass for the value and gradient.
            for (d, &xi) in self.duals.iter_mut().zip(x) {
                *d = Dual::constant(xi);
            }
            if zero_bars {
                self.bars.fill(zero);
            }
            value = vjp(&self.duals, &mut self.bars).re;
        }
        for (g, b) in self.grad.iter_mut().zip(&self.bars) {
            *g = b.re;
        }
        (value, &self.grad, &self.matrix)
    }

    /// The value, gradient and Hessian of an [`Objective`] at `x`, from its Hessian-vector
    /// products (one per colour).
    ///
    /// # Errors
    /// The objective's error if it has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have [`SparseHessian::dim`] entries.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseHessian, SparsityPattern};
    /// use autodiff_runtime::from_fns;
    /// // f = sum x_i^4 / 4: a diagonal Hessian, one product.
    /// let f = |x: &[f64]| x.iter().map(|v| v.powi(4) / 4.0).sum::<f64>();
    /// let g = move |x: &[f64], g: &mut [f64]| {
    ///     for (g, v) in g.iter_mut().zip(x) {
    ///         *g = v.powi(3);
    ///     }
    ///     f(x)
    /// };
    /// let obj = from_fns(3, f, g).with_hvp(move |x: &[f64], v: &[f64], gr: &mut [f64], hv: &mut [f64]| {
    ///     for i in 0..x.len() {
    ///         hv[i] = 3.0 * x[i] * x[i] * v[i];
    ///     }
    ///     g(x, gr)
    /// });
    /// let mut w = SparseHessian::new(SparsityPattern::from_entries(3, 3, (0..3).map(|i| (i, i)))).unwrap();
    /// let (value, grad, h) = w.compute_objective(&obj, &[1.0, 2.0, 3.0]).unwrap();
    /// assert_eq!(value, (1.0 + 16.0 + 81.0) / 4.0);
    /// assert_eq!(grad, [1.0, 8.0, 27.0]);
    /// assert_eq!(h.values(), [3.0, 12.0, 27.0]);
    /// ```
    pub fn compute_objective<O: Objective<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &[F],
    ) -> Result<(F, &[F], &CscMatrix<F>), ObjectiveError> {
        self.check_len(x);
        assert_eq!(
            objective.dim(),
            self.dim(),
            "`SparseHessian::compute_objective`: the objective has the wrong dimension"
        );
        let mut value = F::zero();
        for c in 0..self.coloring.count() {
            self.coloring.seed(c, &mut self.seed);
            value = objective.hvp(x, &self.seed, &mut self.grad, &mut self.product)?;
            self.plan
                .scatter(c, &self.product, self.matrix.values_mut(), |v| v);
        }
        if self.coloring.count() == 0 {
            value = objective.value_grad(x, &mut self.grad);
        }
        Ok((value, &self.grad, &self.matrix))
    }
}
