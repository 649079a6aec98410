//! The two sums across processes: in chunk order (bitwise reproducible) and `MPI_Allreduce`.

use ::mpi::collective::SystemOperation;
use ::mpi::datatype::Equivalence;
use ::mpi::traits::{Communicator, CommunicatorCollectives, Destination, Root, Source};
use autodiff_runtime::Float;

use crate::chunked::add_row;

/// Numbers per message of the pipelined chain (512 KiB of `f64`): large enough that latency
/// is paid rarely, small enough that the next process starts adding while this one sends.
const SEGMENT: usize = 1 << 16;

/// The tag of the chain's messages, so that a caller's own messages on the same communicator
/// (with other tags) are never taken for them.
const TAG: ::mpi::Tag = 0x6f70;

/// `acc` := the sum, component by component, of every process's `rows` (each `acc.len()`
/// long, concatenated), added in rank order and within a process in row order, starting from
/// zero: `((0 + rows of rank 0) + rows of rank 1) + ...`. Every process receives the same bits,
/// and the result does not depend on how the rows are spread over the processes, only on their
/// global order. Collective: every process calls it with the same `acc.len()` (a process may
/// have no rows). This is the sum behind [`Reduction::Ordered`](super::Reduction::Ordered),
/// public for training loops of one's own (Horovod's `allreduce`, reproducible). Its messages
/// carry their own tag; the objects of this module call it on their own duplicate of the
/// communicator.
///
/// Process 0 adds its rows to zero and sends the running sum to process 1, which adds its rows
/// and sends it on; the last process broadcasts the total. The vector travels in segments of
/// 65,536 numbers, so process `r + 1` works on one segment while process `r` works on the
/// next (the chain costs about one vector's transfer plus `p` latencies, not `p` transfers).
///
/// # Panics
/// If `rows.len()` is not a multiple of `acc.len()`.
///
/// ```no_run
/// use optim::mpi::ordered_sum;
/// use optim::mpi::rsmpi::traits::Communicator;
/// use optim::mpi::rsmpi;
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// // Two rows of length 2 per process, summed in rank order: the same bits everywhere.
/// let r = world.rank() as f64;
/// let rows = [r, 1.0, r, 1.0];
/// let mut acc = [0.0; 2];
/// ordered_sum(&world, &rows, &mut acc);
/// assert_eq!(acc[1], 2.0 * world.size() as f64);
/// ```
pub fn ordered_sum<F: Float + Equivalence>(comm: &impl Communicator, rows: &[F], acc: &mut [F]) {
    let len = acc.len();
    assert!(
        rows.len().is_multiple_of(len),
        "`ordered_sum`: rows has length {}, not a multiple of the sum's length {len}",
        rows.len()
    );
    let (rank, size) = (comm.rank(), comm.size());
    acc.fill(F::zero());
    let mut start = 0;
    while start < len {
        let end = (start + SEGMENT).min(len);
        let segment = &mut acc[start..end];
        if rank > 0 {
            comm.process_at_rank(rank - 1)
                .receive_into_with_tag(segment, TAG);
        }
        for row in rows.chunks_exact(len) {
            add_row(segment, &row[start..end]);
        }
        if rank + 1 < size {
            comm.process_at_rank(rank + 1).send_with_tag(&*segment, TAG);
        }
        start = end;
    }
    if size > 1 {
        comm.process_at_rank(size - 1).broadcast_into(acc);
    }
}

/// `acc` := the sum over processes of each process's `local` with `MPI_Allreduce` (the sum
/// behind [`Reduction::Allreduce`](super::Reduction::Allreduce): fast, but associated as the
/// MPI library chooses, so not reproducible across numbers of processes). Collective.
///
/// # Panics
/// If `local` and `acc` differ in length.
///
/// ```no_run
/// use optim::mpi::allreduce_sum;
/// use optim::mpi::rsmpi::traits::Communicator;
/// use optim::mpi::rsmpi;
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// let mut acc = [0.0];
/// allreduce_sum(&world, &[1.0], &mut acc);
/// assert_eq!(acc, [world.size() as f64]);
/// ```
pub fn allreduce_sum<F: Float + Equivalence>(comm: &impl Communicator, local: &[F], acc: &mut [F]) {
    assert_eq!(
        local.len(),
        acc.len(),
        "`allreduce_sum`: local and acc must have the same length"
    );
    comm.all_reduce_into(local, acc, SystemOperation::sum());
}

/// Overwrites `params` on every process with process 0's (`MPI_Bcast`), so that all processes
/// start from the same point, as Horovod's `broadcast_parameters`. Collective: every process
/// calls it with the same length.
///
/// ```no_run
/// use optim::mpi::broadcast_parameters;
/// use optim::mpi::rsmpi::traits::Communicator;
/// use optim::mpi::rsmpi;
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// // Every process starts from process 0's random initialization.
/// let mut params = [world.rank() as f64; 3];
/// broadcast_parameters(&world, &mut params);
/// assert_eq!(params, [0.0; 3]);
/// ```
pub fn broadcast_parameters<F: Float + Equivalence>(comm: &impl Communicator, params: &mut [F]) {
    if comm.size() > 1 {
        comm.process_at_rank(0).broadcast_into(params);
    }
}
