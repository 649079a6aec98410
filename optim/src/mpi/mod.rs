//! Objectives, minibatch training and restarts spread over MPI processes (feature `mpi`, with
//! rsmpi, the `mpi` crate, over the system's MPI library, e.g. Open MPI): data-parallel
//! training as Horovod or `torch.distributed` do it, with replicated parameters.
//!
//! * [`Sharded`]: an [`Objective`](crate::Objective) whose value, gradient and Hessian-vector
//!   product are summed over the shards of the data held by all processes, so every optimizer
//!   of this crate (first order through [`minimize`](crate::minimize), [`Lbfgs`](crate::Lbfgs),
//!   [`NewtonCg`](crate::NewtonCg), [`TrustRegion`](crate::TrustRegion)) runs unchanged, each
//!   process holding the same parameters and taking the same steps.
//! * [`train_mpi`]: minibatch training, each batch's examples split across processes.
//! * [`restarts_mpi`]: restarts of a local minimizer spread over processes, the runs and the
//!   distinct minima gathered on every process.
//! * Helpers: [`RootOnly`] (an observer on process 0 only), [`broadcast_parameters`],
//!   [`ordered_sum`] and [`allreduce_sum`] for training loops of one's own.
//! * Checkpoints ([`save_on_root`], [`load_on_root`]): the saved states of [`crate::state`]
//!   written once by process 0 and read back by process 0 for everyone.
//!
//! Every function here is *collective*: all processes of the communicator call it, in the same
//! order, with the same settings. The objects keep their own duplicate of the communicator
//! (`MPI_Comm_dup`), so their messages never mix with the caller's; drop them before the
//! [`Universe`](::mpi::environment::Universe) (MPI is finalized when the universe is dropped).
//!
//! # Determinism: the same bits on any number of processes
//!
//! With [`Reduction::Ordered`] (the default) the data is cut into fixed-size chunks
//! ([`Chunks`](crate::chunked::Chunks)), each process evaluates a contiguous block of chunks,
//! and the chunks' results are added component by component in chunk order from zero, exactly
//! as the single-process [`Chunked`](crate::chunked::Chunked) objective adds them: process 0
//! adds its chunks to zero and sends the running sum to process 1, which adds its chunks and
//! passes it on, and so on in rank order (pipelined in segments of 65,536 numbers); the last
//! process then broadcasts the total. So the value, gradient and Hessian-vector product are bit
//! for bit those of the single-process objective over the same data and chunk size, on 1, 2 or
//! 64 processes, and identical on every process. Optimizers are deterministic, so whole
//! trajectories are the same bits as a single-process run, and every process stops at the same
//! iteration for the same reason: a NaN in any chunk makes the total NaN everywhere, and the
//! optimizers stop with [`Status::Diverged`](crate::Status::Diverged) on every process.
//!
//! [`Reduction::Allreduce`] instead adds each process's chunks locally and sums the per-process
//! totals with `MPI_Allreduce`: one collective call, faster on many processes (its cost grows
//! like `log p` rather than `p`), but the association of the sum depends on the number of
//! processes (and on the MPI library's algorithm), so results differ from the single-process
//! run by rounding. MPI does not promise that every process receives the same bits from an
//! allreduce; in practice Open MPI's algorithms do (every process ends with a partial result
//! combined once, or with `a + b` where another has `b + a`, which IEEE addition makes equal),
//! and the optimizers rely on that to stay in step (`tests/mpi.rs` checks it on 2 and 3
//! processes). [`Reduction::Ordered`] guarantees it.
//!
//! What is communicated per evaluation: one vector of `1 + n` numbers for a value and gradient
//! (`n` parameters), `2 + 2n` for a Hessian-vector product (value, gradient, `H v`, and a flag
//! saying whether a process's objective had no HVP), `1` for a value alone.
//!
//! ```no_run
//! use optim::mpi::{broadcast_parameters, rsmpi};
//! use optim::mpi::rsmpi::traits::Communicator;
//! // Run with `mpirun -n 4 ...`: one process per rank, MPI initialized once.
//! let universe = rsmpi::initialize().unwrap();
//! let world = universe.world();
//! let mut params = [world.rank() as f64];
//! broadcast_parameters(&world, &mut params);
//! assert_eq!(params, [0.0]);
//! ```

mod agree;
mod checkpoint;
mod error;
mod minibatch;
mod observe;
mod reduce;
mod restarts;
mod sharded;

/// The MPI bindings this module is built on (rsmpi, the `mpi` crate, 0.8), re-exported so
/// that users initialize MPI (`rsmpi::initialize()`) with the same version.
pub use ::mpi as rsmpi;

pub use self::checkpoint::{load_on_root, save_on_root, CheckpointError};
pub use self::error::MpiError;
pub use self::minibatch::train_mpi;
pub use self::observe::RootOnly;
pub use self::reduce::{allreduce_sum, broadcast_parameters, ordered_sum};
pub use self::restarts::{distinct_minima, restarts_mpi, Minimum, MpiRestarts, RunEnd};
pub use self::sharded::Sharded;

/// How [`Sharded`] sums the processes' results (see the [module docs](self)).
///
/// ```
/// use optim::mpi::Reduction;
/// // The default gives the same bits on any number of processes.
/// assert_eq!(Reduction::default(), Reduction::Ordered);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Reduction {
    /// Chunk order across processes, pipelined in rank order: the same bits as the
    /// single-process [`Chunked`](crate::chunked::Chunked) objective on any number of processes.
    /// A process keeps each of its chunks' results until the running sum of the processes
    /// before it arrives: (its number of chunks) × `n + 1` numbers for a gradient, `2n + 2` for
    /// a Hessian-vector product. With many parameters, use few large chunks, or `Allreduce`.
    #[default]
    Ordered,
    /// `MPI_Allreduce` of the per-process sums: faster on many processes, equal to the
    /// single-process result up to rounding only.
    Allreduce,
}
