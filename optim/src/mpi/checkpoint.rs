//! Checkpoints of a run whose state is the same on every process: written once by process 0,
//! read once by process 0 and broadcast to the others.

use core::fmt;
use std::vec;
use std::vec::Vec;

use ::mpi::traits::{Communicator, Root};

/// Why [`save_on_root`] or [`load_on_root`] failed. Every process fails together.
///
/// ```
/// use optim::mpi::CheckpointError;
/// let e: CheckpointError<std::io::Error> = CheckpointError::RootFailed;
/// assert!(e.to_string().contains("process 0"));
/// let _: &dyn core::error::Error = &e;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointError<E> {
    /// On process 0: what its `write` or `read` returned.
    Root(E),
    /// On the other processes: process 0's `write` or `read` failed.
    RootFailed,
}

impl<E: fmt::Display> fmt::Display for CheckpointError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Root(e) => write!(f, "`mpi` checkpoint on process 0: {e}"),
            CheckpointError::RootFailed => {
                f.write_str("`mpi` checkpoint: process 0 could not write or read it")
            }
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for CheckpointError<E> {}

/// Writes a checkpoint once: process 0 calls `write` (e.g. serializes its optimizer's, schedule's
/// and driver's states, [`crate::state`], and writes a file); the others wait for the outcome,
/// so no process goes on before the checkpoint exists. Collective. Replicated training
/// ([`Sharded`](super::Sharded), [`train_mpi`](super::train_mpi)) keeps the same state on every
/// process, so process 0's is everyone's.
///
/// # Errors
/// On every process if process 0's `write` fails: [`CheckpointError::Root`] there,
/// [`CheckpointError::RootFailed`] elsewhere.
///
/// ```no_run
/// use optim::mpi::save_on_root;
/// use optim::mpi::rsmpi;
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// // Only process 0 writes; everyone learns whether it worked.
/// save_on_root(&world, || std::fs::write("checkpoint.bin", b"state")).unwrap();
/// ```
pub fn save_on_root<E>(
    comm: &impl Communicator,
    write: impl FnOnce() -> Result<(), E>,
) -> Result<(), CheckpointError<E>> {
    let mut outcome = Ok(());
    let mut ok = [1u8];
    if comm.rank() == 0 {
        if let Err(e) = write() {
            outcome = Err(CheckpointError::Root(e));
            ok[0] = 0;
        }
    }
    comm.process_at_rank(0).broadcast_into(&mut ok[..]);
    match (ok[0], outcome) {
        (1, _) => Ok(()),
        (_, Err(e)) => Err(e),
        (_, Ok(())) => Err(CheckpointError::RootFailed),
    }
}

/// Reads a checkpoint once: process 0 calls `read` (e.g. reads a file) and its bytes are
/// broadcast, so every process deserializes the same state without touching the file system.
/// Collective.
///
/// ```no_run
/// # use optim::mpi::{load_on_root, rsmpi};
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// let bytes = load_on_root(&world, || std::fs::read("checkpoint.bin")).unwrap();
/// // Every process: deserialize `bytes` with the format they were written in.
/// ```
///
/// # Errors
/// On every process if process 0's `read` fails: [`CheckpointError::Root`] there,
/// [`CheckpointError::RootFailed`] elsewhere.
pub fn load_on_root<E>(
    comm: &impl Communicator,
    read: impl FnOnce() -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, CheckpointError<E>> {
    let root = comm.process_at_rank(0);
    let mut bytes = Vec::new();
    let mut failure = None;
    // The length, or `u64::MAX` when process 0 could not read.
    let mut len = [u64::MAX];
    if comm.rank() == 0 {
        match read() {
            Ok(b) => {
                len[0] = b.len() as u64;
                bytes = b;
            }
            Err(e) => failure = Some(e),
        }
    }
    root.broadcast_into(&mut len[..]);
    if len[0] == u64::MAX {
        return Err(failure.map_or(CheckpointError::RootFailed, CheckpointError::Root));
    }
    if comm.rank() != 0 {
        bytes = vec![0u8; len[0] as usize];
    }
    if !bytes.is_empty() {
        root.broadcast_into(&mut bytes[..]);
    }
    Ok(bytes)
}
