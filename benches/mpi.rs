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
//!    over 10^7 points in chunks of 65,536, each process holding its shard: the minimum and median of 21
//!    evaluations , with [`Reduction::Ordered`] and [`Reduction::Allreduce`], and (process 0
//!    alone over all the points, the others waiting) the single-process [`Chunked`] objective,
//!    so one run on 2 processes prints the speed-up.
//! 2. `network`: the gradient of the 8-32-1 network of `tests/mpi_checks` over 16,384 samples
//!    on process 0 alone (the compute rate of the README's scaling model).
//! 3. `reduction`: the sum across processes alone, of one vector of 10^3, 10^5 and 10^6
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

    const NI: usize = 8;
    const NH: usize = 32;
    const NW: usize = NH * NI + 2 * NH + 1;

    /// The 8-32-1 tanh network of `tests/mpi_checks`: squared error over the samples.
    #[differentiable(wrt(w))]
    fn mlp(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
        let mut loss = 0.0;
        for s in 0..ys.len() {
            let mut out = w[NH * NI + 2 * NH];
            for j in 0..NH {
                let mut z = w[NH * NI + j];
                for i in 0..NI {
                    z += w[j * NI + i] * xs[s * NI + i];
                }
                out += w[NH * NI + NH + j] * z.tanh();
            }
            let r = out - ys[s];
            loss += r * r;
        }
        loss
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

    /// Minimum and median seconds of `reps` calls of `f` (each between barriers, so the
    /// slowest process sets the time), as process 0 measures them. The minimum is the figure
    /// least disturbed by other work on a shared machine.
    fn timed(world: &SimpleCommunicator, reps: usize, mut f: impl FnMut()) -> (f64, f64) {
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
        (times[0], times[reps / 2])
    }

    /// `min / median` in the given unit.
    fn show((min, median): (f64, f64), unit: f64) -> String {
        format!("{:.2} / {:.2}", min * unit, median * unit)
    }

    /// A barrier that waits without spinning (`MPI_Ibarrier`, tested every millisecond), so that
    /// processes waiting while process 0 works alone leave the cores to it.
    fn quiet_barrier(world: &SimpleCommunicator) {
        let mut request = world.immediate_barrier();
        loop {
            match request.test() {
                Ok(_) => return,
                Err(pending) => {
                    request = pending;
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
        }
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
            let t = timed(world, 21, || {
                obj.value_grad(&p, &mut g);
            });
            if rank == 0 {
                println!(
                    "gradient/least squares 1e7 points/{reduction:?}/{size} process(es): {} ms (min / median)",
                    show(t, 1e3)
                );
            }
        }
        quiet_barrier(world);
        if rank == 0 {
            let (xa, ya) = data(0..n);
            let serial = Chunked::new(2, chunks, |r: Range<usize>| {
                least_squares::objective(&xa[r.clone()], &ya[r])
            })
            .unwrap();
            serial.value_grad(&p, &mut g);
            let mut times: Vec<f64> = (0..21)
                .map(|_| {
                    let t0 = rsmpi::time();
                    serial.value_grad(&p, &mut g);
                    rsmpi::time() - t0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!(
                "gradient/least squares 1e7 points/Chunked, process 0 alone: {} ms (min / median)",
                show((times[0], times[10]), 1e3)
            );
        }
        quiet_barrier(world);
    }

    /// The network's gradient over 16,384 samples on process 0 alone: the compute rate per
    /// sample and weight that the README's scaling model uses.
    fn network(world: &SimpleCommunicator, rank: usize) {
        quiet_barrier(world);
        if rank == 0 {
            let m = 16_384;
            let xs: Vec<f64> = (0..m * NI).map(|i| point(i).0 / 5.0).collect();
            let ys: Vec<f64> = (0..m).map(|i| point(i + m * NI).1 / 10.0).collect();
            let w: Vec<f64> = (0..NW).map(|i| point(i).0 / 20.0).collect();
            let obj = mlp::objective(NW, &xs, &ys);
            let mut g = vec![0.0; NW];
            obj.value_grad(&w, &mut g);
            let mut times: Vec<f64> = (0..21)
                .map(|_| {
                    let t0 = rsmpi::time();
                    obj.value_grad(&w, &mut g);
                    rsmpi::time() - t0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!(
                "gradient/network 8-32-1 ({NW} weights), {m} samples, process 0 alone: {} ms (min / median); {:.3} ns per sample and weight (min)",
                show((times[0], times[10]), 1e3),
                times[0] * 1e9 / (m * NW) as f64
            );
        }
        quiet_barrier(world);
    }

    fn reduction(world: &SimpleCommunicator, rank: usize, size: usize) {
        for (len, reps) in [(1_000, 2001), (100_000, 201), (1_000_000, 41)] {
            let local: Vec<f64> = (0..len).map(|i| (i + rank) as f64 * 1e-3).collect();
            let mut acc = vec![0.0; len];
            let ordered = timed(world, reps, || ordered_sum(world, &local, &mut acc));
            let all = timed(world, reps, || allreduce_sum(world, &local, &mut acc));
            if rank == 0 {
                println!(
                    "reduction/{len} numbers/{size} process(es): ordered {} us, MPI_Allreduce {} us (min / median)",
                    show(ordered, 1e6),
                    show(all, 1e6)
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
        network(&world, rank);
        reduction(&world, rank, size);
    }
}

fn main() {
    #[cfg(feature = "mpi")]
    bench::main();
}
