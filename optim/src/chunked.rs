//! A dataset's objective as a sum over fixed-size chunks of examples, added up in one fixed
//! order: [`Chunks`] (the cut) and [`Chunked`] (the objective). Feature `alloc`.
//!
//! # The order of the sum
//!
//! The examples `0..n` are cut into chunks of `chunk_size` consecutive examples (the last one
//! may be shorter). Each chunk is its own objective (typically a `#[differentiable]` function
//! bound to that chunk's slice of the data), evaluated from scratch: its value, gradient and
//! Hessian-vector product are whatever that objective computes. The chunks' results are then
//! added component by component **in chunk order, starting from zero**:
//! `total = ((0 + c_0) + c_1) + ... + c_{k-1}`. This is the order in which the `parallel`
//! feature adds its pieces, and the order `optim::mpi`'s sharded objective reproduces across
//! processes, so that all three give the same bits for the same `chunk_size`.
//!
//! The cut depends on `n` and `chunk_size` only, never on threads or processes. A different
//! `chunk_size` associates the sum differently and so changes the result by rounding.
//!
//! ```
//! use optim::chunked::{Chunked, Chunks};
//! use optim::Objective;
//! use autodiff_runtime::from_fns;
//! // Least squares of a constant model p against ys, chunk by chunk.
//! let ys: Vec<f64> = (0..10).map(|i| i as f64).collect();
//! let chunk = |r: core::ops::Range<usize>| {
//!     let ys = &ys[r];
//!     from_fns(
//!         1,
//!         move |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum(),
//!         move |p: &[f64], g: &mut [f64]| {
//!             g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
//!             ys.iter().map(|y| (p[0] - y).powi(2)).sum()
//!         },
//!     )
//! };
//! let obj = Chunked::new(1, Chunks::new(ys.len(), 4).unwrap(), chunk).unwrap();
//! let mut g = [0.0];
//! assert_eq!(obj.value_grad(&[4.5], &mut g), 82.5);
//! assert_eq!(g, [0.0]);
//! ```

use alloc::vec::Vec;
use core::cell::RefCell;
use core::ops::Range;

use autodiff_runtime::{Float, Objective, ObjectiveError};

use crate::{ensure, OptimError};

/// The cut of `n_examples` examples into chunks of `chunk_size` consecutive examples (the last
/// chunk may be shorter), and how a contiguous block of chunks is given to each of `ranks`
/// processes.
///
/// ```
/// use optim::chunked::Chunks;
/// let chunks = Chunks::new(10, 4).unwrap();
/// assert_eq!((chunks.len(), chunks.range(2)), (3, 8..10));
/// // Two processes: chunks 0..1 and 1..3, examples 0..4 and 4..10.
/// assert_eq!((chunks.share(0, 2), chunks.share(1, 2)), (0..1, 1..3));
/// assert_eq!((chunks.shard(0, 2), chunks.shard(1, 2)), (0..4, 4..10));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunks {
    n_examples: usize,
    chunk_size: usize,
}

impl Chunks {
    /// The cut of `n_examples` examples into chunks of `chunk_size`.
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Chunks` if `chunk_size == 0`.
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// assert!(Chunks::new(0, 4).unwrap().is_empty());
    /// assert!(Chunks::new(10, 0).is_err());
    /// ```
    pub fn new(n_examples: usize, chunk_size: usize) -> Result<Self, OptimError> {
        ensure(chunk_size >= 1, "Chunks", "chunk_size must be >= 1")?;
        Ok(Chunks {
            n_examples,
            chunk_size,
        })
    }

    /// The number of examples.
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// let chunks = Chunks::new(10, 4).unwrap();
    /// assert_eq!(chunks.n_examples(), 10);
    /// ```
    pub fn n_examples(&self) -> usize {
        self.n_examples
    }

    /// Examples per chunk (the last chunk may have fewer).
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// let chunks = Chunks::new(10, 4).unwrap();
    /// assert_eq!(chunks.chunk_size(), 4);
    /// ```
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The number of chunks, `ceil(n_examples / chunk_size)`.
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// let chunks = Chunks::new(10, 4).unwrap();
    /// assert_eq!(chunks.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.n_examples.div_ceil(self.chunk_size)
    }

    /// Whether there are no chunks (no examples).
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// let chunks = Chunks::new(10, 4).unwrap();
    /// assert!(!chunks.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.n_examples == 0
    }

    /// The examples of chunk `k` (empty if `k >= len()`).
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// let chunks = Chunks::new(10, 4).unwrap();
    /// assert_eq!((chunks.range(0), chunks.range(2), chunks.range(3)), (0..4, 8..10, 10..10));
    /// ```
    pub fn range(&self, k: usize) -> Range<usize> {
        let start = k.saturating_mul(self.chunk_size).min(self.n_examples);
        let end = start.saturating_add(self.chunk_size).min(self.n_examples);
        start..end
    }

    /// The chunks given to process `rank` of `ranks`: a contiguous block, the blocks of ranks
    /// `0, 1, ..` following each other in chunk order, their sizes differing by at most one
    /// (`rank * len / ranks .. (rank + 1) * len / ranks`). Empty if `rank >= ranks`.
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// let chunks = Chunks::new(10, 4).unwrap();
    /// assert_eq!((chunks.share(0, 3), chunks.share(2, 3), chunks.share(3, 3)), (0..1, 2..3, 3..3));
    /// ```
    pub fn share(&self, rank: usize, ranks: usize) -> Range<usize> {
        block(self.len(), rank, ranks)
    }

    /// The examples of the chunks in [`Chunks::share`]: what process `rank` of `ranks` needs
    /// of the data.
    ///
    /// ```
    /// use optim::chunked::Chunks;
    /// let chunks = Chunks::new(10, 4).unwrap();
    /// assert_eq!((chunks.shard(0, 3), chunks.shard(2, 3)), (0..4, 8..10));
    /// ```
    pub fn shard(&self, rank: usize, ranks: usize) -> Range<usize> {
        let chunks = self.share(rank, ranks);
        if chunks.is_empty() {
            let at = self.range(chunks.start).start;
            return at..at;
        }
        self.range(chunks.start).start..self.range(chunks.end - 1).end
    }
}

/// Block `rank` of `0..n` cut into `ranks` contiguous blocks whose sizes differ by at most one.
pub(crate) fn block(n: usize, rank: usize, ranks: usize) -> Range<usize> {
    if rank >= ranks {
        return n..n;
    }
    // u128: `rank * n` cannot overflow.
    let at = |r: usize| ((r as u128 * n as u128) / ranks as u128) as usize;
    at(rank)..at(rank + 1)
}

/// What one evaluation computes: the layout of a chunk's row of results.
#[derive(Clone, Copy)]
pub(crate) enum Eval<'a, F> {
    /// `[value]`.
    Value,
    /// `[value, gradient (dim)]`.
    Grad,
    /// `[value, gradient (dim), H v (dim), error flag]`, with `v`.
    Hvp(&'a [F]),
}

impl<F> Eval<'_, F> {
    /// The length of a row for `dim` parameters.
    pub(crate) fn row_len(&self, dim: usize) -> usize {
        match self {
            Eval::Value => 1,
            Eval::Grad => 1 + dim,
            Eval::Hvp(_) => 2 + 2 * dim,
        }
    }
}

/// Evaluates `objective` at `x` into `row` (laid out as `kind` says). A missing
/// Hessian-vector product sets the row's error flag to one (and the rest to zero) instead of
/// failing, so that processes can still take part in a reduction.
pub(crate) fn eval_row<F: Float, O: Objective<F> + ?Sized>(
    objective: &O,
    x: &[F],
    kind: Eval<'_, F>,
    row: &mut [F],
) {
    let dim = x.len();
    match kind {
        Eval::Value => row[0] = objective.value(x),
        Eval::Grad => row[0] = objective.value_grad(x, &mut row[1..]),
        Eval::Hvp(v) => {
            let (value, rest) = row.split_at_mut(1);
            let (grad, rest) = rest.split_at_mut(dim);
            let (hv, flag) = rest.split_at_mut(dim);
            match objective.hvp(x, v, grad, hv) {
                Ok(f) => {
                    value[0] = f;
                    flag[0] = F::zero();
                }
                // `NoHvp`, the only `ObjectiveError` today (the enum is `#[non_exhaustive]`):
                // the flag carries no variant, so a new one must get its own flag value here.
                Err(_) => {
                    row.fill(F::zero());
                    row[1 + 2 * dim] = F::one();
                }
            }
        }
    }
}

/// `acc += row`, component by component.
#[inline]
pub(crate) fn add_row<F: Float>(acc: &mut [F], row: &[F]) {
    for (a, &r) in acc.iter_mut().zip(row) {
        *a += r;
    }
}

/// Splits a summed row into the caller's buffers; returns the value, or the error the flag
/// records.
pub(crate) fn unpack<F: Float>(
    kind: Eval<'_, F>,
    acc: &[F],
    grad: &mut [F],
    hv: &mut [F],
) -> Result<F, ObjectiveError> {
    let dim = grad.len();
    match kind {
        Eval::Value => {}
        Eval::Grad => grad.copy_from_slice(&acc[1..1 + dim]),
        Eval::Hvp(_) => {
            if acc[1 + 2 * dim] != F::zero() {
                return Err(ObjectiveError::NoHvp);
            }
            grad.copy_from_slice(&acc[1..1 + dim]);
            hv.copy_from_slice(&acc[1 + dim..1 + 2 * dim]);
        }
    }
    Ok(acc[0])
}

/// Checks that every chunk's objective in `chunks` has dimension `dim`; the first chunk that
/// does not.
pub(crate) fn check_chunk_dims<F, C, O>(
    dim: usize,
    cut: &Chunks,
    chunks: Range<usize>,
    chunk_objective: &C,
) -> Result<(), (usize, usize)>
where
    F: Float,
    C: Fn(Range<usize>) -> O,
    O: Objective<F>,
{
    for k in chunks {
        let d = chunk_objective(cut.range(k)).dim();
        if d != dim {
            return Err((k, d));
        }
    }
    Ok(())
}

/// The sum over [`Chunks`] of per-chunk objectives, added in chunk order from zero (see the
/// [module docs](self)): the single-process reference that `optim::mpi`'s sharded
/// objective equals bit for bit.
///
/// `chunk_objective(examples)` returns the objective of one chunk, given the chunk's range
/// of example indices; it is called once per chunk per evaluation, so it should only bind
/// data (as `f::objective(&xs[r.clone()], &ys[r])` does).
///
/// ```
/// use optim::chunked::{Chunked, Chunks};
/// use optim::Objective;
/// use autodiff_runtime::from_fns;
/// let ys = [1.0, 2.0, 3.0, 4.0, 5.0];
/// // sum (p - y_i)^2 / 2 over the examples of each chunk.
/// let chunk = |r: core::ops::Range<usize>| {
///     let ys = &ys[r];
///     let value = move |p: &[f64]| ys.iter().map(|y| 0.5 * (p[0] - y).powi(2)).sum::<f64>();
///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
///         g[0] = ys.iter().map(|y| p[0] - y).sum();
///         value(p)
///     })
/// };
/// let obj = Chunked::new(1, Chunks::new(ys.len(), 2).unwrap(), chunk).unwrap();
/// let mut g = [0.0];
/// assert_eq!(obj.value_grad(&[3.0], &mut g), 5.0);
/// assert_eq!(g, [0.0]);
/// ```
pub struct Chunked<F, C> {
    dim: usize,
    chunks: Chunks,
    chunk_objective: C,
    acc: RefCell<Vec<F>>,
    row: RefCell<Vec<F>>,
}

impl<F: Float, C, O> Chunked<F, C>
where
    C: Fn(Range<usize>) -> O,
    O: Objective<F>,
{
    /// The objective of `dim` parameters summed over `chunks`.
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Chunked` if a chunk's objective does not
    /// have dimension `dim`.
    ///
    /// ```
    /// use optim::chunked::{Chunked, Chunks};
    /// use optim::Objective;
    /// use autodiff_runtime::from_fns;
    /// let ys = [1.0, 2.0, 3.0, 4.0, 5.0];
    /// // sum (p - y_i)^2 / 2 over the examples of each chunk.
    /// let chunk = |r: core::ops::Range<usize>| {
    ///     let ys = &ys[r];
    ///     let value = move |p: &[f64]| ys.iter().map(|y| 0.5 * (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| p[0] - y).sum();
    ///         value(p)
    ///     })
    /// };
    /// let obj = Chunked::new(1, Chunks::new(ys.len(), 2).unwrap(), chunk).unwrap();
    /// assert_eq!(obj.dim(), 1);
    /// // Chunk objectives of another dimension are an error.
    /// assert!(Chunked::<f64, _>::new(2, Chunks::new(ys.len(), 2).unwrap(), chunk).is_err());
    /// ```
    pub fn new(dim: usize, chunks: Chunks, chunk_objective: C) -> Result<Self, OptimError> {
        ensure(
            check_chunk_dims(dim, &chunks, 0..chunks.len(), &chunk_objective).is_ok(),
            "Chunked",
            "every chunk's objective must have the dimension `dim`",
        )?;
        Ok(Chunked {
            dim,
            chunks,
            chunk_objective,
            acc: RefCell::new(Vec::new()),
            row: RefCell::new(Vec::new()),
        })
    }

    /// The cut of the data.
    ///
    /// ```
    /// use optim::chunked::{Chunked, Chunks};
    /// use optim::Objective;
    /// use autodiff_runtime::from_fns;
    /// let ys = [1.0, 2.0, 3.0, 4.0, 5.0];
    /// // sum (p - y_i)^2 / 2 over the examples of each chunk.
    /// let chunk = |r: core::ops::Range<usize>| {
    ///     let ys = &ys[r];
    ///     let value = move |p: &[f64]| ys.iter().map(|y| 0.5 * (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| p[0] - y).sum();
    ///         value(p)
    ///     })
    /// };
    /// let obj = Chunked::new(1, Chunks::new(ys.len(), 2).unwrap(), chunk).unwrap();
    /// assert_eq!(obj.chunks().len(), 3);
    /// ```
    pub fn chunks(&self) -> &Chunks {
        &self.chunks
    }

    fn eval(
        &self,
        x: &[F],
        kind: Eval<'_, F>,
        grad: &mut [F],
        hv: &mut [F],
    ) -> Result<F, ObjectiveError> {
        let len = kind.row_len(self.dim);
        let mut acc = self.acc.borrow_mut();
        let mut row = self.row.borrow_mut();
        acc.clear();
        acc.resize(len, F::zero());
        row.resize(len, F::zero());
        for k in 0..self.chunks.len() {
            let objective = (self.chunk_objective)(self.chunks.range(k));
            eval_row(&objective, x, kind, &mut row[..len]);
            add_row(&mut acc, &row[..len]);
        }
        unpack(kind, &acc, grad, hv)
    }
}

impl<F: Float, C, O> Objective<F> for Chunked<F, C>
where
    C: Fn(Range<usize>) -> O,
    O: Objective<F>,
{
    fn dim(&self) -> usize {
        self.dim
    }
    fn value(&self, x: &[F]) -> F {
        self.eval(x, Eval::Value, &mut [], &mut [])
            .unwrap_or_else(|_| F::zero())
    }
    fn value_grad(&self, x: &[F], grad: &mut [F]) -> F {
        self.eval(x, Eval::Grad, grad, &mut [])
            .unwrap_or_else(|_| F::zero())
    }
    fn hvp(&self, x: &[F], v: &[F], grad: &mut [F], hv: &mut [F]) -> Result<F, ObjectiveError> {
        self.eval(x, Eval::Hvp(v), grad, hv)
    }
}
