//! [`MpiError`]: why a collective operation of this module could not start.

use core::fmt;

use crate::OptimError;

/// Why a collective operation could not start. Every process returns the same error.
///
/// ```
/// use optim::mpi::MpiError;
/// let e = MpiError::Dimension { rank: 2, dim: 3, expected: 4 };
/// assert!(e.to_string().contains("process 2"));
/// let _: &dyn core::error::Error = &e;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MpiError {
    /// Process `rank` has parameters of dimension `dim`, process 0 has `expected`.
    Dimension {
        /// The first process that disagrees with process 0.
        rank: usize,
        /// Its dimension.
        dim: usize,
        /// Process 0's dimension.
        expected: usize,
    },
    /// On process `rank`, the objective of chunk `chunk` has dimension `dim` instead of
    /// `expected`.
    ChunkDimension {
        /// The process.
        rank: usize,
        /// The chunk (global index).
        chunk: usize,
        /// The chunk objective's dimension.
        dim: usize,
        /// The dimension asked for.
        expected: usize,
    },
    /// Process `rank` was called with a different `setting` than process 0 (the data size, the
    /// chunk size, the reduction, ...).
    Mismatch {
        /// The first process that disagrees with process 0.
        rank: usize,
        /// Which setting.
        setting: &'static str,
    },
    /// An invalid setting.
    Optim(OptimError),
}

impl fmt::Display for MpiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MpiError::Dimension {
                rank,
                dim,
                expected,
            } => write!(
                f,
                "`mpi`: process {rank} has {dim} parameters but process 0 has {expected}; every process must optimize the same parameters"
            ),
            MpiError::ChunkDimension {
                rank,
                chunk,
                dim,
                expected,
            } => write!(
                f,
                "`mpi`: on process {rank}, the objective of chunk {chunk} has dimension {dim}, expected {expected}"
            ),
            MpiError::Mismatch { rank, setting } => write!(
                f,
                "`mpi`: process {rank} has a different {setting} than process 0; every process must call with the same settings"
            ),
            MpiError::Optim(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for MpiError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            MpiError::Optim(e) => Some(e),
            _ => None,
        }
    }
}

impl From<OptimError> for MpiError {
    fn from(e: OptimError) -> Self {
        MpiError::Optim(e)
    }
}
