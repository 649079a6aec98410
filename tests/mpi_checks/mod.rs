//! The checks of `tests/mpi.rs`, compiled only with the feature `mpi`.

#[cfg(feature = "serde")]
mod checkpoint;
mod failures;
mod objectives;
mod problems;
mod training;

use autodiff::optim::mpi::rsmpi;
use autodiff::optim::mpi::rsmpi::collective::SystemOperation;
use autodiff::optim::mpi::rsmpi::topology::SimpleCommunicator;
use autodiff::optim::mpi::rsmpi::traits::{Communicator, CommunicatorCollectives};

/// Results of the checks on this process.
pub struct Checks {
    pub world: SimpleCommunicator,
    pub rank: usize,
    pub size: usize,
    passed: u64,
    failed: u64,
}

impl Checks {
    /// Records one check; failures are printed by the process that saw them.
    pub fn check(&mut self, name: &str, ok: bool, detail: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
            if self.rank == 0 {
                println!("ok: {name}");
            }
        } else {
            self.failed += 1;
            println!(
                "FAILED on process {} of {}: {name}: {}",
                self.rank,
                self.size,
                detail()
            );
        }
    }

    /// Whether every process has the same `bits` (gathered and compared on every process).
    pub fn same_everywhere(&self, bits: &[u64]) -> bool {
        let mut all = vec![0u64; bits.len() * self.size];
        self.world.all_gather_into(bits, &mut all[..]);
        all.chunks_exact(bits.len()).all(|theirs| theirs == bits)
    }
}

/// Bit patterns, for exact comparisons that also see NaN payloads and signed zeros.
pub fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

pub fn main() {
    let universe = rsmpi::initialize().expect("MPI initializes once");
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let mut checks = Checks {
        world,
        rank,
        size,
        passed: 0,
        failed: 0,
    };
    if rank == 0 {
        println!("MPI checks on {size} process(es)");
    }
    objectives::least_squares(&mut checks);
    objectives::network(&mut checks);
    training::minibatch(&mut checks);
    training::restarts(&mut checks);
    failures::nan_on_one_process(&mut checks);
    failures::mismatches(&mut checks);
    failures::no_hvp_anywhere(&mut checks);
    #[cfg(feature = "serde")]
    checkpoint::checkpoints(&mut checks);
    let mine = [checks.passed, checks.failed];
    let mut total = [0u64; 2];
    checks
        .world
        .all_reduce_into(&mine[..], &mut total[..], SystemOperation::sum());
    if rank == 0 {
        println!(
            "{} passed, {} failed (checks summed over {size} process(es))",
            total[0], total[1]
        );
    }
    drop(checks);
    drop(universe);
    if total[1] > 0 {
        std::process::exit(1);
    }
}
