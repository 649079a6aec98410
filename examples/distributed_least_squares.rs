//! A large synthetic least-squares fit with Newton-CG across MPI processes (feature `mpi`):
//! each process generates and holds only its shard of the data, the gradient and every
//! Hessian-vector product are summed across processes in chunk order, and every process takes
//! the same Newton steps. Process 0 prints the progress, then times one gradient on all the
//! processes against one process alone (process 0 over the whole data, the others waiting), and
//! checks that the distributed fit is bit for bit the single-process fit.
//!
//! ```sh
//! cargo build --release --features mpi --example distributed_least_squares
//! mpirun -n 2 target/release/examples/distributed_least_squares [POINTS]
//! ```
//! Model: `y = w . x + b` with 8 features, `POINTS` examples (default 4,000,000;
//! `AUTODIFF_FAST=1`: 200,000), in chunks of 16,384.

use std::ops::Range;

use autodiff::differentiable;
use autodiff::optim::chunked::{Chunked, Chunks};
use autodiff::optim::mpi::rsmpi::topology::SimpleCommunicator;
use autodiff::optim::mpi::rsmpi::traits::{Communicator, CommunicatorCollectives};
use autodiff::optim::mpi::{rsmpi, Reduction, Sharded};
use autodiff::optim::{minimize, NewtonCgConfig, Observer, Report, StopRules};
use autodiff::Objective;

/// Features per example.
const K: usize = 8;
/// Parameters: the weights and the intercept.
const D: usize = K + 1;
const CHUNK: usize = 16_384;
/// The weights (and last, the intercept) the data are made from.
const W_TRUE: [f64; D] = [1.5, -2.0, 0.5, 0.0, 3.0, -0.75, 1.25, -1.0, 0.3];

/// Sum of squared residuals of the linear model over the examples of `xs` (`K` per example)
/// and `ys`.
#[differentiable(wrt(w))]
fn sq_error(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..ys.len() {
        let mut pred = w[K];
        for j in 0..K {
            pred += w[j] * xs[i * K + j];
        }
        let r = pred - ys[i];
        s += r * r;
    }
    s
}

/// A uniform number in `[-1, 1)` from a counter (splitmix64): example `i`'s data depend only on
/// `i`, so each process generates its shard alone.
fn noise(counter: u64) -> f64 {
    let mut z = counter.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// The examples `range`: features (`K` per example) and targets.
fn data(range: Range<usize>) -> (Vec<f64>, Vec<f64>) {
    let mut xs = Vec::with_capacity(range.len() * K);
    let mut ys = Vec::with_capacity(range.len());
    for i in range {
        let base = (i * (K + 1)) as u64;
        let mut y = W_TRUE[K] + 0.1 * noise(base + K as u64);
        for (j, w) in W_TRUE[..K].iter().enumerate() {
            let x = 2.0 * noise(base + j as u64);
            xs.push(x);
            y += w * x;
        }
        ys.push(y);
    }
    (xs, ys)
}

/// Prints each Newton iterate on process 0.
struct Rank0 {
    print: bool,
    start: f64,
}

impl Observer<f64> for Rank0 {
    fn observe(&mut self, k: usize, _x: &[f64], value: f64, grad: &[f64]) {
        if self.print {
            let norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
            let t = rsmpi::time() - self.start;
            println!("  iter {k:>2}  loss {value:.9e}  |grad| {norm:.3e}  at {t:.3} s");
        }
    }
}

fn newton<O: Objective<f64>>(objective: &O, observer: &mut Rank0) -> (Vec<f64>, Report<f64>) {
    let mut w = vec![0.0; D];
    // Only scipy's own rule (the step tolerance xtol) and its iteration limit.
    let report = minimize(objective, &mut w)
        .with(NewtonCgConfig::default())
        .stop(StopRules::max_iterations(200 * D))
        .observer(observer)
        .run()
        .expect("sq_error has Hessian-vector products");
    (w, report)
}

/// Seconds of one gradient of `objective`, the fastest of 7 (the figure least disturbed by other
/// work on the machine); collective when the objective is.
fn gradient_time<O: Objective<f64>>(objective: &O, w: &[f64]) -> f64 {
    let mut g = vec![0.0; D];
    (0..7)
        .map(|_| {
            let t0 = rsmpi::time();
            objective.value_grad(w, &mut g);
            rsmpi::time() - t0
        })
        .fold(f64::INFINITY, f64::min)
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

fn main() {
    let universe = rsmpi::initialize().expect("MPI initializes once");
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let fast = std::env::var("AUTODIFF_FAST").is_ok_and(|v| v == "1");
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(if fast { 200_000 } else { 4_000_000 });
    let chunks = Chunks::new(n, CHUNK).expect("chunk size > 0");
    let shard = chunks.shard(rank, size);
    let (xs, ys) = data(shard.clone());
    let local = |r: Range<usize>| {
        let r = r.start - shard.start..r.end - shard.start;
        sq_error::objective(D, &xs[r.start * K..r.end * K], &ys[r])
    };
    let objective = match Sharded::new(&world, D, chunks, Reduction::Ordered, local) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("process {rank}: {e}");
            std::process::exit(1);
        }
    };
    let print = rank == 0;
    if print {
        println!(
            "least squares: {n} points, {D} parameters, {} chunks of {CHUNK} over {size} process(es) ({} points on process 0)",
            chunks.len(),
            shard.len()
        );
        println!("Newton-CG on Hessian-vector products summed across processes:");
    }
    let start = rsmpi::time();
    let (w, report) = newton(&objective, &mut Rank0 { print, start });
    let elapsed = rsmpi::time() - start;
    let t_many = gradient_time(&objective, &w);
    quiet_barrier(&world);
    // One process alone: process 0 over the whole data (the same chunks), the others wait.
    let alone = print.then(|| {
        let (xa, ya) = data(0..n);
        let serial = Chunked::new(D, chunks, |r: Range<usize>| {
            sq_error::objective(D, &xa[r.start * K..r.end * K], &ya[r.clone()])
        })
        .expect("chunks of dimension D");
        let t_one = gradient_time(&serial, &w);
        let (w1, report1) = newton(
            &serial,
            &mut Rank0 {
                print: false,
                start,
            },
        );
        let same = w.iter().zip(&w1).all(|(a, b)| a.to_bits() == b.to_bits())
            && format!("{report:?}") == format!("{report1:?}");
        (t_one, same)
    });
    quiet_barrier(&world);
    if let Some((t_one, same)) = alone {
        let err = w
            .iter()
            .zip(W_TRUE)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        println!(
            "Newton-CG: {:?} after {} iterations, {} gradients, {} Hessian-vector products, {elapsed:.3} s",
            report.status, report.iterations, report.grad_evals, report.hvp_evals
        );
        println!(
            "  loss {:.9e}; fitted parameters within {err:.1e} of the true ones",
            report.value
        );
        println!("same bits as the single-process fit: {same}");
        println!(
            "one gradient of {n} points (fastest of 7): {:.2} ms on 1 process, {:.2} ms on {size}: speed-up {:.2}x",
            t_one * 1e3,
            t_many * 1e3,
            t_one / t_many
        );
    }
}
