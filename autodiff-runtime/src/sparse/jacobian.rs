//! [`SparseJacobian`]: a Jacobian recovered from one Jacobian-vector product per colour.

use alloc::vec::Vec;

use super::coloring::{column_coloring, Coloring};
use super::hessian::Plan;
use super::pattern::{CscMatrix, SparsityPattern};
use crate::Float;

/// A sparse Jacobian (`m × n`, `[output][input]`), prepared once from its pattern (column
/// colouring, recovery plan, scratch), then evaluated with one Jacobian-vector product (forward
/// mode) per colour and no allocation. Each entry is read directly: `J[i][j] = (J s_c(j))[i]`.
///
/// ```
/// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
///
/// // r_i = x_{i+1}^2 - x_i, i < 4: two colours for any length.
/// let jvp = |x: &[f64], v: &[f64], jv: &mut [f64]| {
///     for i in 0..jv.len() {
///         jv[i] = 2.0 * x[i + 1] * v[i + 1] - v[i];
///     }
/// };
/// let p = SparsityPattern::from_entries(4, 5, (0..4).flat_map(|i| [(i, i), (i, i + 1)]));
/// let mut work = SparseJacobian::new(p);
/// assert_eq!(work.coloring().count(), 2);
/// let j = work.compute_with_jvp(&[1.0, 2.0, 3.0, 4.0, 5.0], jvp);
/// assert_eq!((j.get(2, 2), j.get(2, 3)), (-1.0, 8.0));
/// ```
#[derive(Clone, Debug)]
pub struct SparseJacobian<F = f64> {
    matrix: CscMatrix<F>,
    coloring: Coloring,
    plan: Plan,
    seed: Vec<F>,
    product: Vec<F>,
}

impl<F: Float> SparseJacobian<F> {
    /// Prepares the recovery of Jacobians with this pattern: a column colouring
    /// ([`column_coloring`]), the source of every entry and the scratch of the products.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
    /// let w = SparseJacobian::<f64>::new(SparsityPattern::from_entries(2, 3, [(0, 0), (1, 2)]));
    /// assert_eq!((w.outputs(), w.inputs(), w.coloring().count()), (2, 3, 1));
    /// ```
    pub fn new(pattern: SparsityPattern) -> Self {
        let coloring = column_coloring(&pattern);
        let colors = coloring.colors();
        let sources = pattern
            .entries()
            .enumerate()
            .map(|(k, (i, j))| (colors[j], k, i))
            .collect();
        let plan = Plan::new(coloring.count(), sources);
        let zero = F::zero();
        SparseJacobian {
            seed: alloc::vec![zero; pattern.ncols()],
            product: alloc::vec![zero; pattern.nrows()],
            matrix: CscMatrix::zeros(pattern),
            coloring,
            plan,
        }
    }

    /// Number of inputs (columns).
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
    /// assert_eq!(SparseJacobian::<f64>::new(SparsityPattern::dense(2, 3)).inputs(), 3);
    /// ```
    pub fn inputs(&self) -> usize {
        self.seed.len()
    }

    /// Number of outputs (rows).
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
    /// assert_eq!(SparseJacobian::<f64>::new(SparsityPattern::dense(2, 3)).outputs(), 2);
    /// ```
    pub fn outputs(&self) -> usize {
        self.product.len()
    }

    /// The column colouring: [`Coloring::count`] products per evaluation.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
    /// assert_eq!(SparseJacobian::<f64>::new(SparsityPattern::dense(2, 3)).coloring().count(), 3);
    /// ```
    pub fn coloring(&self) -> &Coloring {
        &self.coloring
    }

    /// The pattern.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
    /// let p = SparsityPattern::dense(1, 2);
    /// assert_eq!(SparseJacobian::<f64>::new(p.clone()).pattern(), &p);
    /// ```
    pub fn pattern(&self) -> &SparsityPattern {
        self.matrix.pattern()
    }

    /// The Jacobian of the last evaluation (zeros before the first).
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
    /// let w = SparseJacobian::<f64>::new(SparsityPattern::dense(1, 1));
    /// assert_eq!(w.jacobian().values(), [0.0]);
    /// ```
    pub fn jacobian(&self) -> &CscMatrix<F> {
        &self.matrix
    }

    /// The Jacobian at `x` from `jvp(x, v, jv)`, which writes `J(x) v` into `jv` (one call per
    /// colour).
    ///
    /// # Panics
    /// If `x` does not have [`SparseJacobian::inputs`] entries.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{SparseJacobian, SparsityPattern};
    /// // r = (x0 x1, x2^2)
    /// let p = SparsityPattern::from_entries(2, 3, [(0, 0), (0, 1), (1, 2)]);
    /// let mut w = SparseJacobian::new(p);
    /// let j = w.compute_with_jvp(&[2.0, 3.0, 4.0], |x, v, jv| {
    ///     jv[0] = x[1] * v[0] + x[0] * v[1];
    ///     jv[1] = 2.0 * x[2] * v[2];
    /// });
    /// assert_eq!(j.to_dense(), [[3.0, 2.0, 0.0], [0.0, 0.0, 8.0]]);
    /// ```
    pub fn compute_with_jvp(
        &mut self,
        x: &[F],
        mut jvp: impl FnMut(&[F], &[F], &mut [F]),
    ) -> &CscMatrix<F> {
        assert_eq!(
            x.len(),
            self.inputs(),
            "`SparseJacobian`: the point has the wrong length"
        );
        for c in 0..self.coloring.count() {
            self.coloring.seed(c, &mut self.seed);
            jvp(x, &self.seed, &mut self.product);
            self.plan
                .scatter(c, &self.product, self.matrix.values_mut(), |v| v);
        }
        &self.matrix
    }
}
