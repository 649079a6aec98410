//! [`Sharded`]: an objective summed over the shards of the data held by all processes.

use core::cell::RefCell;
use core::ops::Range;
use std::vec::Vec;

use ::mpi::datatype::Equivalence;
use ::mpi::topology::SimpleCommunicator;
use ::mpi::traits::Communicator;
use autodiff_runtime::{Float, Objective, ObjectiveError};

use super::agree::{agree, rank_size, Settings};
use super::reduce::{allreduce_sum, ordered_sum};
use super::{MpiError, Reduction};
use crate::chunked::{add_row, check_chunk_dims, eval_row, unpack, Chunks, Eval};

/// An objective over a dataset cut into [`Chunks`], each process evaluating its own block of
/// chunks ([`Chunks::share`]), the results summed over all processes (see the
/// [module docs](super) for the order of the sum and what it guarantees).
///
/// `chunk_objective(examples)` returns the objective of one chunk, given the chunk's **global**
/// range of example indices; it is only called for this process's chunks, whose examples are
/// [`Sharded::shard`], so a process need only hold that slice of the data (subtract
/// `shard().start` to index it). It is called once per chunk per evaluation, so it should only
/// bind data (as `f::objective(&xs[a..b], &ys[a..b])` does).
///
/// ```no_run
/// use autodiff_runtime::from_fns;
/// use optim::chunked::Chunks;
/// use optim::mpi::rsmpi::traits::Communicator;
/// use optim::mpi::{rsmpi, Reduction, Sharded};
///
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// let chunks = Chunks::new(1_000_000, 4096).unwrap();
/// // This process's part of the data (made up here; in practice read from disk).
/// let shard = chunks.shard(world.rank() as usize, world.size() as usize);
/// let ys: Vec<f64> = shard.clone().map(|i| i as f64).collect();
/// let objective = Sharded::new(&world, 1, chunks, Reduction::Ordered, |r| {
///     let ys = &ys[r.start - shard.start..r.end - shard.start];
///     let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum::<f64>();
///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
///         g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
///         value(p)
///     })
/// })
/// .unwrap();
/// // `objective` now plugs into any optimizer, on every process.
/// ```
pub struct Sharded<F, C> {
    comm: SimpleCommunicator,
    dim: usize,
    chunks: Chunks,
    mine: Range<usize>,
    reduction: Reduction,
    chunk_objective: C,
    rows: RefCell<Vec<F>>,
    acc: RefCell<Vec<F>>,
}

impl<F, C, O> Sharded<F, C>
where
    F: Float + Equivalence,
    C: Fn(Range<usize>) -> O,
    O: Objective<F>,
{
    /// The objective of `dim` parameters summed over `chunks`, this process evaluating its
    /// [`Chunks::share`]. Collective: every process of `comm` calls it, with the same `dim`,
    /// `chunks` and `reduction`.
    ///
    /// # Errors
    /// The same error on every process: [`MpiError::Dimension`] if the processes disagree on
    /// `dim`, [`MpiError::Mismatch`] if they disagree on `chunks` or `reduction`,
    /// [`MpiError::ChunkDimension`] if a chunk's objective does not have dimension `dim`.
    ///
    /// ```no_run
    /// use autodiff_runtime::from_fns;
    /// use optim::chunked::Chunks;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::mpi::{rsmpi, Reduction, Sharded};
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let chunks = Chunks::new(1000, 64).unwrap();
    /// let shard = chunks.shard(world.rank() as usize, world.size() as usize);
    /// let ys: Vec<f64> = shard.clone().map(|i| i as f64).collect();
    /// let objective = Sharded::new(&world, 1, chunks, Reduction::Ordered, |r| {
    ///     let ys = &ys[r.start - shard.start..r.end - shard.start];
    ///     let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
    ///         value(p)
    ///     })
    /// })
    /// .unwrap();
    /// use optim::Objective;
    /// let mut g = [0.0];
    /// // The mean of 0..1000 minimizes the sum: the gradient there is 0 on every process.
    /// objective.value_grad(&[499.5], &mut g);
    /// assert_eq!(g, [0.0]);
    /// ```
    pub fn new(
        comm: &impl Communicator,
        dim: usize,
        chunks: Chunks,
        reduction: Reduction,
        chunk_objective: C,
    ) -> Result<Self, MpiError> {
        let comm = comm.duplicate();
        let (rank, size) = rank_size(&comm);
        let mine = chunks.share(rank, size);
        let bad_chunk = check_chunk_dims(dim, &chunks, mine.clone(), &chunk_objective).err();
        agree(
            &comm,
            &Settings {
                dim,
                others: &[
                    ("number of examples", chunks.n_examples() as u64),
                    ("chunk size", chunks.chunk_size() as u64),
                    ("reduction", reduction as u64),
                ],
                bad_chunk,
            },
        )?;
        Ok(Sharded {
            comm,
            dim,
            chunks,
            mine,
            reduction,
            chunk_objective,
            rows: RefCell::new(Vec::new()),
            acc: RefCell::new(Vec::new()),
        })
    }

    /// The examples this process evaluates (those of its chunks).
    ///
    /// ```no_run
    /// use autodiff_runtime::from_fns;
    /// use optim::chunked::Chunks;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::mpi::{rsmpi, Reduction, Sharded};
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let chunks = Chunks::new(1000, 64).unwrap();
    /// let shard = chunks.shard(world.rank() as usize, world.size() as usize);
    /// let ys: Vec<f64> = shard.clone().map(|i| i as f64).collect();
    /// let objective = Sharded::new(&world, 1, chunks, Reduction::Ordered, |r| {
    ///     let ys = &ys[r.start - shard.start..r.end - shard.start];
    ///     let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
    ///         value(p)
    ///     })
    /// })
    /// .unwrap();
    /// assert_eq!(objective.shard(), shard);
    /// ```
    pub fn shard(&self) -> Range<usize> {
        let (rank, size) = rank_size(&self.comm);
        self.chunks.shard(rank, size)
    }

    /// The chunks this process evaluates.
    ///
    /// ```no_run
    /// use autodiff_runtime::from_fns;
    /// use optim::chunked::Chunks;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::mpi::{rsmpi, Reduction, Sharded};
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let chunks = Chunks::new(1000, 64).unwrap();
    /// let shard = chunks.shard(world.rank() as usize, world.size() as usize);
    /// let ys: Vec<f64> = shard.clone().map(|i| i as f64).collect();
    /// let objective = Sharded::new(&world, 1, chunks, Reduction::Ordered, |r| {
    ///     let ys = &ys[r.start - shard.start..r.end - shard.start];
    ///     let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
    ///         value(p)
    ///     })
    /// })
    /// .unwrap();
    /// assert_eq!(objective.my_chunks(), chunks.share(world.rank() as usize, world.size() as usize));
    /// ```
    pub fn my_chunks(&self) -> Range<usize> {
        self.mine.clone()
    }

    /// The cut of the data.
    ///
    /// ```no_run
    /// use autodiff_runtime::from_fns;
    /// use optim::chunked::Chunks;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::mpi::{rsmpi, Reduction, Sharded};
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let chunks = Chunks::new(1000, 64).unwrap();
    /// let shard = chunks.shard(world.rank() as usize, world.size() as usize);
    /// let ys: Vec<f64> = shard.clone().map(|i| i as f64).collect();
    /// let objective = Sharded::new(&world, 1, chunks, Reduction::Ordered, |r| {
    ///     let ys = &ys[r.start - shard.start..r.end - shard.start];
    ///     let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
    ///         value(p)
    ///     })
    /// })
    /// .unwrap();
    /// assert_eq!(objective.chunks().len(), 16);
    /// ```
    pub fn chunks(&self) -> &Chunks {
        &self.chunks
    }

    /// How the processes' results are summed.
    ///
    /// ```no_run
    /// use autodiff_runtime::from_fns;
    /// use optim::chunked::Chunks;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::mpi::{rsmpi, Reduction, Sharded};
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let chunks = Chunks::new(1000, 64).unwrap();
    /// let shard = chunks.shard(world.rank() as usize, world.size() as usize);
    /// let ys: Vec<f64> = shard.clone().map(|i| i as f64).collect();
    /// let objective = Sharded::new(&world, 1, chunks, Reduction::Ordered, |r| {
    ///     let ys = &ys[r.start - shard.start..r.end - shard.start];
    ///     let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
    ///         value(p)
    ///     })
    /// })
    /// .unwrap();
    /// assert_eq!(objective.reduction(), Reduction::Ordered);
    /// ```
    pub fn reduction(&self) -> Reduction {
        self.reduction
    }

    /// The (duplicated) communicator the objective talks over.
    ///
    /// ```no_run
    /// use autodiff_runtime::from_fns;
    /// use optim::chunked::Chunks;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::mpi::{rsmpi, Reduction, Sharded};
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let chunks = Chunks::new(1000, 64).unwrap();
    /// let shard = chunks.shard(world.rank() as usize, world.size() as usize);
    /// let ys: Vec<f64> = shard.clone().map(|i| i as f64).collect();
    /// let objective = Sharded::new(&world, 1, chunks, Reduction::Ordered, |r| {
    ///     let ys = &ys[r.start - shard.start..r.end - shard.start];
    ///     let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y).powi(2)).sum::<f64>();
    ///     from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
    ///         g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
    ///         value(p)
    ///     })
    /// })
    /// .unwrap();
    /// assert_eq!(objective.communicator().size(), world.size());
    /// ```
    pub fn communicator(&self) -> &SimpleCommunicator {
        &self.comm
    }

    /// One collective evaluation: this process's chunks, then the sum across processes.
    fn eval(
        &self,
        x: &[F],
        kind: Eval<'_, F>,
        grad: &mut [F],
        hv: &mut [F],
    ) -> Result<F, ObjectiveError> {
        let len = kind.row_len(self.dim);
        let mut rows = self.rows.borrow_mut();
        let mut acc = self.acc.borrow_mut();
        acc.resize(len, F::zero());
        match self.reduction {
            Reduction::Ordered => {
                // Every row is kept: they are added only once the running sum of the
                // processes before this one arrives.
                rows.resize(self.mine.len() * len, F::zero());
                for (k, row) in self.mine.clone().zip(rows.chunks_exact_mut(len)) {
                    eval_row(&(self.chunk_objective)(self.chunks.range(k)), x, kind, row);
                }
                ordered_sum(&self.comm, &rows[..self.mine.len() * len], &mut acc);
            }
            Reduction::Allreduce => {
                rows.clear();
                rows.resize(2 * len, F::zero());
                let (local, row) = rows.split_at_mut(len);
                for k in self.mine.clone() {
                    eval_row(&(self.chunk_objective)(self.chunks.range(k)), x, kind, row);
                    add_row(local, row);
                }
                allreduce_sum(&self.comm, local, &mut acc);
            }
        }
        unpack(kind, &acc, grad, hv)
    }
}

impl<F, C, O> Objective<F> for Sharded<F, C>
where
    F: Float + Equivalence,
    C: Fn(Range<usize>) -> O,
    O: Objective<F>,
{
    fn dim(&self) -> usize {
        self.dim
    }
    /// The value summed over all processes. Collective.
    fn value(&self, x: &[F]) -> F {
        self.eval(x, Eval::Value, &mut [], &mut [])
            .unwrap_or_else(|_| F::zero())
    }
    /// The value and gradient summed over all processes. Collective.
    fn value_grad(&self, x: &[F], grad: &mut [F]) -> F {
        self.eval(x, Eval::Grad, grad, &mut [])
            .unwrap_or_else(|_| F::zero())
    }
    /// The value, gradient and Hessian-vector product summed over all processes, in one
    /// reduction. Collective; if any process's chunk objective has no Hessian-vector product,
    /// every process returns [`ObjectiveError::NoHvp`].
    fn hvp(&self, x: &[F], v: &[F], grad: &mut [F], hv: &mut [F]) -> Result<F, ObjectiveError> {
        self.eval(x, Eval::Hvp(v), grad, hv)
    }
}
