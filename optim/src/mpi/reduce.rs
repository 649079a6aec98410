//! The two sums across processes: in chunk order (bitwise reproducible) and `MPI_Allreduce`.

use ::mpi::collective::SystemOperation;
use ::mpi::datatype::Equivalence;
use ::mpi::topology::SimpleCommunicator;
use ::mpi::traits::{Communicator, CommunicatorCollectives, Destination, Root, Source};
use autodiff_runtime::Float;

use crate::chunked::add_row;

/// Numbers per message of the pipelined chain (512 KiB of `f64`): large enough that latency
/// is paid rarely, small enough that the next process starts adding while this one sends.
const SEGMENT: usize = 1 << 16;

/// `acc` := the sum, component by component, of every process's `rows` (each `acc.len()`
/// long), added in rank order and within a process in row order, starting from zero:
/// `((0 + rows of rank 0) + rows of rank 1) + ...`. Every process receives the same bits.
/// Collective.
///
/// Process 0 adds its rows to zero and sends the running sum to process 1, which adds its rows
/// and sends it on; the last process broadcasts the total. The vector travels in segments of
/// [`SEGMENT`] numbers, so process `r + 1` works on one segment while process `r` works on the
/// next (the chain costs about one vector's transfer plus `p` latencies, not `p` transfers).
pub(crate) fn ordered_sum<F: Float + Equivalence>(
    comm: &SimpleCommunicator,
    rows: &[F],
    acc: &mut [F],
) {
    let len = acc.len();
    let (rank, size) = (comm.rank(), comm.size());
    acc.fill(F::zero());
    let mut start = 0;
    while start < len {
        let end = (start + SEGMENT).min(len);
        let segment = &mut acc[start..end];
        if rank > 0 {
            comm.process_at_rank(rank - 1).receive_into(segment);
        }
        for row in rows.chunks_exact(len) {
            add_row(segment, &row[start..end]);
        }
        if rank + 1 < size {
            comm.process_at_rank(rank + 1).send(&*segment);
        }
        start = end;
    }
    if size > 1 {
        comm.process_at_rank(size - 1).broadcast_into(acc);
    }
}

/// `acc` := the sum over processes of each process's `local` with `MPI_Allreduce`.
/// Collective.
pub(crate) fn allreduce_sum<F: Float + Equivalence>(
    comm: &SimpleCommunicator,
    local: &[F],
    acc: &mut [F],
) {
    comm.all_reduce_into(local, acc, SystemOperation::sum());
}
