//! Feature `mpi`: sharded objectives, minibatch training and restarts across MPI processes
//! give bit for bit the single-process results, with 1, 2 or 3 processes. Run by `.ci/run`:
//!
//! ```sh
//! cargo test --release -p autodiff-gen --features mpi --test mpi --no-run
//! mpirun --allow-run-as-root --oversubscribe -n 3 target/release/deps/mpi-<hash>
//! ```
//!
//! Every process computes the single-process reference itself and compares. MPI can be
//! initialized once per process, so this is one `main` (harness = false) that runs the checks
//! in order and never panics on a failed check (a panicking process would leave the others
//! waiting in a collective): each check records its result, and the processes agree on the
//! total at the end. Prints `N passed, 0 failed` (process 0) and exits non-zero on any failure.

#[cfg(feature = "mpi")]
mod mpi_checks;

fn main() {
    #[cfg(feature = "mpi")]
    mpi_checks::main();
}
