//! The check at the start of every collective operation: do the processes agree on the
//! dimension and the settings?

use std::vec::Vec;

use ::mpi::topology::SimpleCommunicator;
use ::mpi::traits::{Communicator, CommunicatorCollectives};

use super::MpiError;

/// `(setting, value)` pairs every process must agree on, and an optional local error.
pub(crate) struct Settings<'a> {
    /// The parameters' dimension (checked first, reported as [`MpiError::Dimension`]).
    pub dim: usize,
    /// Other settings, compared with process 0's.
    pub others: &'a [(&'static str, u64)],
    /// A chunk whose objective has the wrong dimension on this process: `(chunk, dim)`.
    pub bad_chunk: Option<(usize, usize)>,
}

/// Gathers every process's settings and checks them against process 0's, in rank order, so
/// that every process returns the same verdict. Collective.
pub(crate) fn agree(comm: &SimpleCommunicator, settings: &Settings<'_>) -> Result<(), MpiError> {
    let (bad_chunk, bad_dim) = settings
        .bad_chunk
        .map_or((u64::MAX, 0), |(k, d)| (k as u64, d as u64));
    let mut mine: Vec<u64> = Vec::with_capacity(3 + settings.others.len());
    mine.extend([settings.dim as u64, bad_chunk, bad_dim]);
    mine.extend(settings.others.iter().map(|&(_, v)| v));
    let width = mine.len();
    let ranks = comm.size() as usize;
    let mut all = std::vec![0u64; width * ranks];
    comm.all_gather_into(&mine[..], &mut all[..]);
    let expected = all[0] as usize;
    let rows = || all.chunks_exact(width).enumerate();
    // Dimensions first (the most basic disagreement), then the chunks, then the settings.
    if let Some((rank, theirs)) = rows().find(|(_, t)| t[0] as usize != expected) {
        return Err(MpiError::Dimension {
            rank,
            dim: theirs[0] as usize,
            expected,
        });
    }
    if let Some((rank, theirs)) = rows().find(|(_, t)| t[1] != u64::MAX) {
        return Err(MpiError::ChunkDimension {
            rank,
            chunk: theirs[1] as usize,
            dim: theirs[2] as usize,
            expected,
        });
    }
    for (rank, theirs) in rows() {
        for (i, &(setting, _)) in settings.others.iter().enumerate() {
            if theirs[3 + i] != all[3 + i] {
                return Err(MpiError::Mismatch { rank, setting });
            }
        }
    }
    Ok(())
}

/// This process's rank and the number of processes, as `usize`.
pub(crate) fn rank_size(comm: &impl Communicator) -> (usize, usize) {
    (comm.rank() as usize, comm.size() as usize)
}
