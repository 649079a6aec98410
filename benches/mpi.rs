//! Feature `mpi`: the cost of spreading a gradient over MPI processes. Run under `mpirun` (a
//! `harness = false` program timing with `MPI_Wtime` and medians rather than criterion, whose
//! adaptive iteration counts would differ between processes that must call each collective
//! together); without the feature it compiles to an empty `main`.
//!
//! ```sh
//! cargo bench --features mpi --bench mpi --no-run
//! mpirun -n 1 target/release/deps/mpi-<hash> --bench
//! mpirun -n 2 target/release/deps/mpi-<hash> --bench
//! ```
//!
//! 1. `gradient`: value and gradient of notebook 004's least squares (`m x + c`, 2 parameters)
//!    over 10^7 points in chunks of 65,536, each process holding its shard: the median of 11
//!    evaluations, with [`Reduction::Ordered`] and [`Reduction::Allreduce`], and (process 0
//!    alone over all the points, the others waiting) the single-process [`Chunked`] objective,
//!    so one run on 2 processes prints the speed-up.
//! 2. `reduction`: the sum across processes alone, of one vector of 10^3, 10^5 and 10^6
//!    numbers per process: [`ordered_sum`] (the pipelined chain plus the broadcast) and
//!    [`allreduce_sum`] (`MPI_Allreduce`); medians of many calls.

#[cfg(feature = "mpi")]
mod bench {
    use std::ops::Range;

    use autodiff::differentiable;
    use autodiff::optim::chunked::{Chunked, Chunks};
    use autodiff::optim::mpi::rsmpi::topology::SimpleCommunicator;
    use autodiff::optim::mpi::rsmpi::traits::{Communicator, CommunicatorCollectives};
    use autodiff::optim::mpi::{allreduce_sum, ordered_sum, rsmpi, Reduction, Sharded};
    use autodiff::Objective;

    #[differentiable(wrt(m, c))]
    fn least_squares(m: f64, c: f64, x: &[f64], y: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            let r = m * x[i] + c - y[i];
            s += r * r;
        }
        s
    }

    fn point(i: usize) -> (f64, f64) {
        let mut z = (i as u64)
            .wrapping_add(1)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z ^= z >> 27;
        let x = (z >> 11) as f64 / (1u64 << 53) as f64 * 10.0 - 5.0;
        let noise = ((z & 0xffff) as f64 / 65536.0 - 0.5) * 0.5;
        (x, 1.7 * x + 0.3 + noise)
    }

    fn data(range: Range<usize>) -> (Vec<f64>, Vec<f64>) {
        range.map(point).unzip()
    }

    /// Median seconds of `reps` calls of `f` (each between barriers, so the slowest process
    /// sets the time); every process gets the same figure (process 0's).
    fn median(world: &SimpleCommunicator, reps: usize, mut f: impl FnMut()) -> f64 {
        f();
        let mut times: Vec<f64> = (0..reps)
            .map(|_| {
                world.barrier();
                let t0 = rsmpi::time();
                f();
                world.barrier();
                rsmpi::time() - t0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[reps / 2]
    }

    fn gradient(world: &SimpleCommunicator, rank: usize, size: usize) {
        let n = 10_000_000;
        let chunks = Chunks::new(n, 65_536).unwrap();
        let shard = chunks.shard(rank, size);
        let (xs, ys) = data(shard.clone());
        let local = |r: Range<usize>| {
            let r = r.start - shard.start..r.end - shard.start;
            least_squares::objective(&xs[r.clone()], &ys[r])
        };
        let p = [1.0, 0.0];
        let mut g = [0.0; 2];
        for reduction in [Reduction::Ordered, Reduction::Allreduce] {
            let obj = Sharded::new(world, 2, chunks, reduction, local).unwrap();
            let t = median(world, 11, || {
                obj.value_grad(&p, &mut g);
            });
            if rank == 0 {
                println!(
                    "gradient/least squares 1e7 points/{reduction:?}/{size} process(es): {:.2} ms",
                    t * 1e3
                );
            }
        }
        world.barrier();
        if rank == 0 {
            let (xa, ya) = data(0..n);
            let serial = Chunked::new(2, chunks, |r: Range<usize>| {
                least_squares::objective(&xa[r.clone()], &ya[r])
            })
            .unwrap();
            serial.value_grad(&p, &mut g);
            let mut times: Vec<f64> = (0..11)
                .map(|_| {
                    let t0 = rsmpi::time();
                    serial.value_grad(&p, &mut g);
                    rsmpi::time() - t0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!(
                "gradient/least squares 1e7 points/Chunked, process 0 alone: {:.2} ms",
                times[5] * 1e3
            );
        }
        world.barrier();
    }

    fn reduction(world: &SimpleCommunicator, rank: usize, size: usize) {
        for (len, reps) in [(1_000, 2001), (100_000, 201), (1_000_000, 41)] {
            let local: Vec<f64> = (0..len).map(|i| (i + rank) as f64 * 1e-3).collect();
            let mut acc = vec![0.0; len];
            let ordered = median(world, reps, || ordered_sum(world, &local, &mut acc));
            let all = median(world, reps, || allreduce_sum(world, &local, &mut acc));
            if rank == 0 {
                println!(
                    "reduction/{len} numbers/{size} process(es): ordered {:.1} us, MPI_Allreduce {:.1} us",
                    ordered * 1e6,
                    all * 1e6
                );
            }
        }
    }

    pub fn main() {
        let universe = rsmpi::initialize().expect("MPI initializes once");
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        // `cargo bench` passes `--bench`; `cargo test --benches` does not: then only check
        // that it runs, quickly.
        if !std::env::args().any(|a| a == "--bench") {
            return;
        }
        gradient(&world, rank, size);
        reduction(&world, rank, size);
    }
}

fn main() {
    #[cfg(feature = "mpi")]
    bench::main();
}
