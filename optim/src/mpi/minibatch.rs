//! [`train_mpi`]: minibatch training with each batch's examples split across processes.

use std::vec;
use std::vec::Vec;

use ::mpi::datatype::Equivalence;
use ::mpi::traits::Communicator;
use autodiff_runtime::Float;

use super::agree::{agree, rank_size, Settings};
use super::reduce::{broadcast_parameters, ordered_sum};
use super::MpiError;
use crate::chunked::block;
use crate::minibatch::{run, MinibatchConfig, Reduction, TrainStatus, Training};
use crate::schedule::Scheduler;
use crate::state::MinibatchState;
use crate::{ensure, Optimizer};

/// Trains from `x0` on `n_examples` examples with `optimizer`, every process holding the same
/// parameters and taking the same steps, each batch's examples split across the processes of
/// `comm`, as [`train`](crate::minibatch::train) and
/// [`train_par`](crate::minibatch::train) (feature `parallel`) do on one machine. Collective.
///
/// The run starts from process 0's `x0` (broadcast to the others, as Horovod's
/// `broadcast_parameters`). Every process shuffles with the same seeded [`Rng`](crate::Rng), so
/// the batches are those of a single-process run. Each batch is cut into `chunks` pieces of `ceil(len / chunks)`
/// examples exactly as the `parallel` feature cuts it; each process computes a contiguous block
/// of the pieces (a piece starts from zero and accumulates its examples in batch order), and the
/// pieces are added in piece order across processes (the ordered sum of the
/// [module docs](super)). So the run is bit for bit the `parallel` feature's `train_par` with the
/// same `chunks`, on any number of processes, and with `chunks = 1` it is
/// [`train`](crate::minibatch::train)'s run (but then one process does all the work: use at
/// least as many pieces as processes). A non-finite batch stops every process with the same
/// [`TrainStatus::Diverged`].
///
/// `example_grad(params, i, grad) -> loss_i` adds example `i`'s gradient into `grad`; it is
/// only called for the examples of this process's pieces, but those are spread over the whole
/// dataset (the batches are shuffled), so every process needs access to all the examples (as
/// with `torch.distributed` without a `DistributedSampler`). Each process's optimizer,
/// schedule and state are its own and evolve identically.
///
/// Checkpoints: the returned parameters and the optimizer's state are identical on every
/// process, so process 0 can save them ([`crate::state`]) and every process load them.
///
/// # Errors
/// The same error on every process: [`MpiError::Dimension`] if the processes' `x0` differ in
/// length, [`MpiError::Mismatch`] if they disagree on `n_examples`, `chunks` or `config`,
/// [`MpiError::Optim`] for invalid settings ([`MinibatchConfig::validate`], `chunks == 0`).
///
/// # Panics
/// If the optimizer does not have `x0`'s dimension.
///
/// ```no_run
/// use optim::mpi::train_mpi;
/// use optim::{MinibatchConfig, NoSchedule, SgdConfig};
/// use optim::mpi::rsmpi;
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// let ys: Vec<f64> = (0..1000).map(|i| (i as f64).sin()).collect();
/// let mut sgd = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap();
/// let config = MinibatchConfig::default().epochs(3).batch_size(50);
/// // Each batch's examples are split over the processes in 8 chunks; every process ends equal.
/// let run = train_mpi(&world, &[0.0], ys.len(), &mut sgd, &config, &mut NoSchedule, 8, |p: &[f64], i, g: &mut [f64]| {
///     let r = p[0] - ys[i];
///     g[0] += r;
///     0.5 * r * r
/// })
/// .unwrap();
/// assert_eq!(run.report.epochs, 3);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn train_mpi<F, Opt, S, G>(
    comm: &impl Communicator,
    x0: &[F],
    n_examples: usize,
    optimizer: &mut Opt,
    config: &MinibatchConfig,
    schedule: &mut S,
    chunks: usize,
    mut example_grad: G,
) -> Result<Training<F>, MpiError>
where
    F: Float + Equivalence,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    G: FnMut(&[F], usize, &mut [F]) -> F,
{
    let comm = comm.duplicate();
    agree(
        &comm,
        &Settings {
            dim: x0.len(),
            others: &[
                ("number of examples", n_examples as u64),
                ("number of pieces", chunks as u64),
                ("number of epochs", config.epochs as u64),
                ("batch size", config.batch_size as u64),
                ("shuffle", u64::from(config.shuffle)),
                ("seed", config.seed),
                ("drop_last", u64::from(config.drop_last)),
                ("reduction", (config.reduction == Reduction::Sum) as u64),
                ("max_steps", config.max_steps.map_or(u64::MAX, |m| m as u64)),
            ],
            bad_chunk: None,
        },
    )?;
    config.validate()?;
    ensure(chunks >= 1, "Minibatch", "chunks must be >= 1")?;
    let (rank, size) = rank_size(&comm);
    let dim = x0.len();
    let len = 1 + dim;
    let mut params = x0.to_vec();
    broadcast_parameters(&comm, &mut params);
    let mut grad = vec![F::zero(); dim];
    let mut order = vec![0usize; n_examples];
    let mut epoch_losses = vec![F::zero(); config.epochs];
    let mut rows: Vec<F> = Vec::new();
    let mut acc = vec![F::zero(); len];
    let report = run(
        &mut params,
        &mut grad,
        &mut order,
        &mut epoch_losses,
        optimizer,
        config,
        schedule,
        &mut MinibatchState::new(config.seed),
        |params: &[F], batch: &[usize], grad: &mut [F]| {
            if batch.is_empty() {
                return F::zero();
            }
            let per = batch.len().div_ceil(chunks);
            let mine = block(batch.len().div_ceil(per), rank, size);
            rows.clear();
            rows.resize(mine.len() * len, F::zero());
            for (piece, row) in mine.zip(rows.chunks_exact_mut(len)) {
                let end = ((piece + 1) * per).min(batch.len());
                let mut loss = F::zero();
                for &i in &batch[piece * per..end] {
                    loss += example_grad(params, i, &mut row[1..]);
                }
                row[0] = loss;
            }
            ordered_sum(&comm, &rows, &mut acc);
            for (g, &a) in grad.iter_mut().zip(&acc[1..]) {
                *g += a;
            }
            acc[0]
        },
    )?;
    let kept = match report.status {
        TrainStatus::Completed | TrainStatus::Paused => report.epochs,
        TrainStatus::Diverged { .. } => report.epochs + 1,
    };
    epoch_losses.truncate(kept);
    Ok(Training {
        params,
        epoch_losses,
        report,
    })
}
