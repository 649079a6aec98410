//! [`SparsityPattern`] (where a matrix may be nonzero, compressed sparse columns) and
//! [`CscMatrix`] (a pattern with values).

use alloc::vec::Vec;

use crate::Float;

/// Where an `nrows × ncols` matrix may be nonzero, in compressed sparse column (CSC) form: the
/// row indices of column `j` are `row_idx[col_ptr[j]..col_ptr[j + 1]]`, sorted, without
/// repeats. Hessian patterns are symmetric and hold both triangles.
///
/// ```
/// use autodiff_runtime::sparse::SparsityPattern;
/// // [x x .]
/// // [. x x]
/// let p = SparsityPattern::from_entries(2, 3, [(0, 0), (0, 1), (1, 1), (1, 2), (0, 1)]);
/// assert_eq!(p.col_ptr(), [0, 1, 3, 4]);
/// assert_eq!(p.row_idx(), [0, 0, 1, 1]);
/// assert_eq!(p.nnz(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparsityPattern {
    nrows: usize,
    ncols: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
}

impl SparsityPattern {
    /// The pattern holding the given `(row, col)` entries (any order, repeats allowed).
    ///
    /// # Panics
    /// If an entry lies outside `nrows × ncols`.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let p = SparsityPattern::from_entries(2, 2, [(1, 1), (0, 0)]);
    /// assert!(p.contains(0, 0) && !p.contains(0, 1));
    /// ```
    pub fn from_entries(
        nrows: usize,
        ncols: usize,
        entries: impl IntoIterator<Item = (usize, usize)>,
    ) -> Self {
        let mut e: Vec<(usize, usize)> = entries.into_iter().map(|(r, c)| (c, r)).collect();
        for &(c, r) in &e {
            assert!(
                r < nrows && c < ncols,
                "`SparsityPattern`: entry ({r}, {c}) outside a {nrows} × {ncols} matrix"
            );
        }
        e.sort_unstable();
        e.dedup();
        let mut col_ptr = Vec::with_capacity(ncols + 1);
        col_ptr.push(0);
        let mut k = 0;
        for c in 0..ncols {
            while k < e.len() && e[k].0 == c {
                k += 1;
            }
            col_ptr.push(k);
        }
        SparsityPattern {
            nrows,
            ncols,
            col_ptr,
            row_idx: e.into_iter().map(|(_, r)| r).collect(),
        }
    }

    /// Every entry of an `nrows × ncols` matrix.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// assert_eq!(SparsityPattern::dense(2, 3).nnz(), 6);
    /// ```
    pub fn dense(nrows: usize, ncols: usize) -> Self {
        Self::from_entries(
            nrows,
            ncols,
            (0..ncols).flat_map(|c| (0..nrows).map(move |r| (r, c))),
        )
    }

    /// Number of rows.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// assert_eq!(SparsityPattern::dense(2, 3).nrows(), 2);
    /// ```
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// assert_eq!(SparsityPattern::dense(2, 3).ncols(), 3);
    /// ```
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// Number of stored entries.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// assert_eq!(SparsityPattern::from_entries(3, 3, [(0, 0), (2, 1)]).nnz(), 2);
    /// ```
    pub fn nnz(&self) -> usize {
        self.row_idx.len()
    }

    /// Column starts: column `j` is `row_idx()[col_ptr()[j]..col_ptr()[j + 1]]`
    /// (`ncols + 1` entries).
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let p = SparsityPattern::from_entries(2, 2, [(0, 1), (1, 1)]);
    /// assert_eq!(p.col_ptr(), [0, 0, 2]);
    /// ```
    pub fn col_ptr(&self) -> &[usize] {
        &self.col_ptr
    }

    /// Row index of each stored entry, column by column, sorted within a column.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let p = SparsityPattern::from_entries(2, 2, [(1, 1), (0, 1)]);
    /// assert_eq!(p.row_idx(), [0, 1]);
    /// ```
    pub fn row_idx(&self) -> &[usize] {
        &self.row_idx
    }

    /// The rows of column `j` that may be nonzero.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let p = SparsityPattern::from_entries(3, 2, [(2, 1), (0, 1)]);
    /// assert_eq!(p.column(1), [0, 2]);
    /// ```
    pub fn column(&self, j: usize) -> &[usize] {
        &self.row_idx[self.col_ptr[j]..self.col_ptr[j + 1]]
    }

    /// Position of entry `(i, j)` in [`SparsityPattern::row_idx`] (and in a [`CscMatrix`]'s
    /// values), if stored.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let p = SparsityPattern::from_entries(3, 2, [(2, 1), (0, 1)]);
    /// assert_eq!((p.position(2, 1), p.position(1, 1)), (Some(1), None));
    /// ```
    pub fn position(&self, i: usize, j: usize) -> Option<usize> {
        if j >= self.ncols {
            return None;
        }
        let start = self.col_ptr[j];
        self.column(j).binary_search(&i).ok().map(|k| start + k)
    }

    /// Whether entry `(i, j)` is stored.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// assert!(SparsityPattern::from_entries(2, 2, [(1, 0)]).contains(1, 0));
    /// ```
    pub fn contains(&self, i: usize, j: usize) -> bool {
        self.position(i, j).is_some()
    }

    /// The stored entries `(row, col)`, column by column.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let p = SparsityPattern::from_entries(2, 2, [(1, 1), (1, 0)]);
    /// assert_eq!(p.entries().collect::<Vec<_>>(), [(1, 0), (1, 1)]);
    /// ```
    pub fn entries(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.ncols).flat_map(move |j| self.column(j).iter().map(move |&i| (i, j)))
    }

    /// The union of two patterns of the same shape (a pattern valid at several points).
    ///
    /// # Panics
    /// If the shapes differ.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let a = SparsityPattern::from_entries(2, 2, [(0, 0)]);
    /// let b = SparsityPattern::from_entries(2, 2, [(1, 1)]);
    /// assert_eq!(a.union(&b).nnz(), 2);
    /// ```
    pub fn union(&self, other: &Self) -> Self {
        assert!(
            self.nrows == other.nrows && self.ncols == other.ncols,
            "`SparsityPattern::union`: a {} × {} pattern and a {} × {} one",
            self.nrows,
            self.ncols,
            other.nrows,
            other.ncols
        );
        Self::from_entries(
            self.nrows,
            self.ncols,
            self.entries().chain(other.entries()),
        )
    }

    /// The transpose (rows become columns).
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// let p = SparsityPattern::from_entries(2, 3, [(0, 2)]);
    /// assert!(p.transpose().contains(2, 0));
    /// ```
    pub fn transpose(&self) -> Self {
        Self::from_entries(self.ncols, self.nrows, self.entries().map(|(i, j)| (j, i)))
    }

    /// Whether the pattern is square and symmetric.
    ///
    /// ```
    /// use autodiff_runtime::sparse::SparsityPattern;
    /// assert!(SparsityPattern::from_entries(2, 2, [(0, 1), (1, 0)]).is_symmetric());
    /// assert!(!SparsityPattern::from_entries(2, 2, [(0, 1)]).is_symmetric());
    /// ```
    pub fn is_symmetric(&self) -> bool {
        self.nrows == self.ncols && self.entries().all(|(i, j)| self.contains(j, i))
    }
}

/// A sparse matrix in compressed sparse column form: a [`SparsityPattern`] and one value per
/// stored entry, in the pattern's order (`values()[k]` belongs to row `row_idx()[k]` of the
/// column whose range holds `k`). What [`SparseHessian`](super::SparseHessian) and
/// [`SparseJacobian`](super::SparseJacobian) produce.
///
/// ```
/// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
/// let p = SparsityPattern::from_entries(2, 2, [(0, 0), (1, 0), (1, 1)]);
/// let m = CscMatrix::new(p, vec![1.0, 2.0, 3.0]);
/// assert_eq!(m.get(1, 0), 2.0);
/// assert_eq!(m.get(0, 1), 0.0); // not stored
/// assert_eq!(m.triplets().collect::<Vec<_>>(), [(0, 0, 1.0), (1, 0, 2.0), (1, 1, 3.0)]);
/// assert_eq!(m.to_dense(), [[1.0, 0.0], [2.0, 3.0]]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CscMatrix<F = f64> {
    pattern: SparsityPattern,
    values: Vec<F>,
}

impl<F: Float> CscMatrix<F> {
    /// A matrix from its pattern and values.
    ///
    /// # Panics
    /// If `values` does not have one value per stored entry.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
    /// let m = CscMatrix::new(SparsityPattern::from_entries(1, 1, [(0, 0)]), vec![4.0]);
    /// assert_eq!(m.values(), [4.0]);
    /// ```
    pub fn new(pattern: SparsityPattern, values: Vec<F>) -> Self {
        assert_eq!(
            values.len(),
            pattern.nnz(),
            "`CscMatrix`: one value per stored entry"
        );
        CscMatrix { pattern, values }
    }

    /// Zeros on `pattern`.
    pub(crate) fn zeros(pattern: SparsityPattern) -> Self {
        let values = alloc::vec![F::zero(); pattern.nnz()];
        CscMatrix { pattern, values }
    }

    pub(crate) fn values_mut(&mut self) -> &mut [F] {
        &mut self.values
    }

    /// The pattern (rows, columns, `col_ptr`, `row_idx`).
    ///
    /// ```
    /// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
    /// let m = CscMatrix::new(SparsityPattern::from_entries(1, 2, [(0, 1)]), vec![4.0]);
    /// assert_eq!(m.pattern().col_ptr(), [0, 0, 1]);
    /// ```
    pub fn pattern(&self) -> &SparsityPattern {
        &self.pattern
    }

    /// The values, in the pattern's order.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
    /// let m = CscMatrix::new(SparsityPattern::from_entries(2, 1, [(1, 0), (0, 0)]), vec![1.0, 2.0]);
    /// assert_eq!(m.values(), [1.0, 2.0]); // (0, 0) then (1, 0)
    /// ```
    pub fn values(&self) -> &[F] {
        &self.values
    }

    /// Entry `(i, j)`: its value if stored, else zero.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
    /// let m = CscMatrix::new(SparsityPattern::from_entries(2, 2, [(1, 0)]), vec![5.0]);
    /// assert_eq!((m.get(1, 0), m.get(0, 0)), (5.0, 0.0));
    /// ```
    pub fn get(&self, i: usize, j: usize) -> F {
        self.pattern
            .position(i, j)
            .map_or(F::zero(), |k| self.values[k])
    }

    /// The stored entries as `(row, col, value)`, column by column.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
    /// let m = CscMatrix::new(SparsityPattern::from_entries(2, 2, [(1, 0)]), vec![5.0]);
    /// assert_eq!(m.triplets().collect::<Vec<_>>(), [(1, 0, 5.0)]);
    /// ```
    pub fn triplets(&self) -> impl Iterator<Item = (usize, usize, F)> + '_ {
        self.pattern
            .entries()
            .zip(&self.values)
            .map(|((i, j), &v)| (i, j, v))
    }

    /// `y = A x` (`x` of length `ncols`, `y` of length `nrows`, overwritten).
    ///
    /// # Panics
    /// If the lengths do not match.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
    /// let m = CscMatrix::new(SparsityPattern::from_entries(2, 2, [(0, 0), (1, 0), (1, 1)]), vec![1.0, 2.0, 3.0]);
    /// let mut y = [0.0; 2];
    /// m.mul_vec(&[1.0, 1.0], &mut y);
    /// assert_eq!(y, [1.0, 5.0]);
    /// ```
    pub fn mul_vec(&self, x: &[F], y: &mut [F]) {
        let p = &self.pattern;
        assert!(
            x.len() == p.ncols && y.len() == p.nrows,
            "`CscMatrix::mul_vec`: lengths {} and {} for a {} × {} matrix",
            x.len(),
            y.len(),
            p.nrows,
            p.ncols
        );
        y.fill(F::zero());
        for (j, &xj) in x.iter().enumerate() {
            for k in p.col_ptr[j]..p.col_ptr[j + 1] {
                y[p.row_idx[k]] += self.values[k] * xj;
            }
        }
    }

    /// The dense matrix, as rows.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{CscMatrix, SparsityPattern};
    /// let m = CscMatrix::new(SparsityPattern::from_entries(2, 2, [(0, 1)]), vec![7.0]);
    /// assert_eq!(m.to_dense(), [[0.0, 7.0], [0.0, 0.0]]);
    /// ```
    pub fn to_dense(&self) -> Vec<Vec<F>> {
        let mut d = alloc::vec![alloc::vec![F::zero(); self.pattern.ncols]; self.pattern.nrows];
        for (i, j, v) in self.triplets() {
            d[i][j] = v;
        }
        d
    }
}
