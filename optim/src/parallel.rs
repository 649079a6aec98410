//! Minibatch training with each batch's gradient accumulated across threads (feature
//! `parallel`, with [`rayon`]): [`train_par_in`] and [`train_par`], the parallel counterparts of
//! [`train_in`](crate::minibatch::train_in) and [`train`](crate::minibatch::train).
//!
//! # Determinism
//!
//! Each batch is cut into at most `chunks` contiguous pieces of `ceil(len / chunks)` examples.
//! The cut depends only on the batch's length and `chunks`, never on the number of threads or on
//! scheduling. Each piece sums its examples' gradients in batch order, starting from zero, into
//! its own buffer, and its losses likewise. The threads compute the pieces; then the pieces'
//! gradients and losses are added up in piece order on the calling thread. So for a given
//! `chunks` the result is the same bit for bit on any machine and any thread pool, run after
//! run.
//!
//! With `chunks = 1` this is exactly the sequential sum, so the run equals
//! [`train_in`](crate::minibatch::train_in)'s bit for bit (on one thread). With more pieces
//! the sum is associated differently (`(g1 + g2) + (g3 + g4)` instead of
//! `((g1 + g2) + g3) + g4`), so it differs from the sequential run by rounding only.
//!
//! Everything else (shuffling, batches, reduction, divergence check, schedule updates, the
//! report) is [`train_in`](crate::minibatch::train_in)'s loop, shared.
//!
//! ```
//! use optim::parallel::train_par;
//! use optim::minibatch::{train, MinibatchConfig};
//! use optim::{NoSchedule, SgdConfig};
//! // Fit the mean of some numbers: loss_i = (p - y_i)^2.
//! let ys: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin()).collect();
//! let config = MinibatchConfig::default().epochs(5).batch_size(16).seed(7);
//! let example = |p: &[f64], i: usize, g: &mut [f64]| {
//!     let r = p[0] - ys[i];
//!     g[0] += 2.0 * r;
//!     r * r
//! };
//! let mut sgd = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap();
//! let par = train_par(&[0.0], ys.len(), &mut sgd, &config, &mut NoSchedule, 4, example).unwrap();
//! let mut sgd = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap();
//! let seq = train(&[0.0], ys.len(), &mut sgd, &config, &mut NoSchedule, example).unwrap();
//! assert!((par.params[0] - seq.params[0]).abs() < 1e-14);
//! ```

use alloc::vec;
use rayon::prelude::*;

use autodiff_runtime::Float;

use crate::minibatch::{run, MinibatchConfig, TrainReport, TrainStatus, Training};
use crate::schedule::Scheduler;
use crate::state::MinibatchState;
use crate::{OptimError, Optimizer};

/// Trains `params` (updated in place) on `n_examples` examples with `optimizer`, each batch's
/// gradient accumulated across rayon's threads (the current pool: the global one, or the one
/// a caller [`install`](rayon::ThreadPool::install)s).
///
/// As [`train_in`](crate::minibatch::train_in), plus `work`: the per-piece gradient buffers,
/// `chunks * dim` long, which sets the number of pieces `chunks` a batch is cut into (see the
/// [module docs](self) on determinism; a small multiple of the number of cores balances the
/// load). `example_grad` is shared by the threads, so it is `Fn + Sync`.
///
/// # Errors
/// Invalid settings ([`MinibatchConfig::validate`]).
///
/// # Panics
/// As [`train_in`](crate::minibatch::train_in), and if `work` is empty or not a multiple of the
/// dimension.
///
/// ```
/// use optim::minibatch::{train_in, MinibatchConfig};
/// use optim::parallel::train_par_in;
/// use optim::{NoSchedule, SgdConfig};
/// let ys: Vec<f64> = (0..64).map(|i| (i as f64 * 0.37).sin()).collect();
/// let example = |p: &[f64], i: usize, g: &mut [f64]| {
///     let r = p[0] - ys[i];
///     g[0] += 2.0 * r;
///     r * r
/// };
/// let config = MinibatchConfig::default().epochs(3).batch_size(16).seed(7);
/// let sgd = || SgdConfig::default().lr(0.1).build::<f64, [f64; 1]>(1).unwrap();
/// let (mut p, mut g, mut order, mut losses) = ([0.0], [0.0], vec![0; 64], [0.0; 3]);
/// // One piece per batch: the sequential sum, bit for bit.
/// let mut work = [0.0; 1];
/// train_par_in(&mut p, &mut g, &mut order, &mut losses, &mut work, &mut sgd(), &config, &mut NoSchedule, example).unwrap();
/// let (mut q, mut losses_seq) = ([0.0], [0.0; 3]);
/// train_in(&mut q, &mut g, &mut order, &mut losses_seq, &mut sgd(), &config, &mut NoSchedule, example).unwrap();
/// assert_eq!((p, losses), (q, losses_seq));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn train_par_in<F, Opt, S, G>(
    params: &mut [F],
    grad: &mut [F],
    order: &mut [usize],
    epoch_losses: &mut [F],
    work: &mut [F],
    optimizer: &mut Opt,
    config: &MinibatchConfig,
    schedule: &mut S,
    example_grad: G,
) -> Result<TrainReport, OptimError>
where
    F: Float + Send + Sync,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    G: Fn(&[F], usize, &mut [F]) -> F + Sync,
{
    let dim = params.len();
    assert!(
        dim > 0 && !work.is_empty() && work.len().is_multiple_of(dim),
        "`minibatch`: work has length {}, expected a positive multiple of the dimension {dim}",
        work.len()
    );
    let chunks = work.len() / dim;
    let mut losses = vec![F::zero(); chunks];
    run(
        params,
        grad,
        order,
        epoch_losses,
        optimizer,
        config,
        schedule,
        &mut MinibatchState::new(config.seed),
        |params: &[F], batch: &[usize], grad: &mut [F]| {
            batch_grad_par(params, batch, grad, work, &mut losses, &example_grad)
        },
    )
}

/// One batch: pieces in parallel into `work` / `losses`, then summed in piece order into
/// `grad` (zeroed by the caller). Returns the batch loss.
fn batch_grad_par<F, G>(
    params: &[F],
    batch: &[usize],
    grad: &mut [F],
    work: &mut [F],
    losses: &mut [F],
    example_grad: &G,
) -> F
where
    F: Float + Send + Sync,
    G: Fn(&[F], usize, &mut [F]) -> F + Sync,
{
    let dim = grad.len();
    if batch.is_empty() {
        return F::zero();
    }
    let chunks = losses.len();
    let per = batch.len().div_ceil(chunks);
    let used = batch.len().div_ceil(per);
    work[..used * dim]
        .par_chunks_mut(dim)
        .zip(losses[..used].par_iter_mut())
        .zip(batch.par_chunks(per))
        .for_each(|((buf, loss), piece)| {
            buf.fill(F::zero());
            let mut l = F::zero();
            for &i in piece {
                l += example_grad(params, i, buf);
            }
            *loss = l;
        });
    let mut batch_loss = F::zero();
    for (buf, &loss) in work[..used * dim].chunks(dim).zip(&losses[..used]) {
        for (g, &b) in grad.iter_mut().zip(buf) {
            *g += b;
        }
        batch_loss += loss;
    }
    batch_loss
}

/// [`train_par_in`] from the start point `x0` with `chunks` pieces per batch, allocating the
/// buffers; returns the final parameters and the per-epoch losses, as
/// [`train`](crate::minibatch::train).
///
/// # Errors
/// Invalid settings ([`MinibatchConfig::validate`]).
///
/// # Panics
/// If `x0` and the optimizer differ in length, `x0` is empty or `chunks == 0`.
///
/// ```
/// use optim::minibatch::MinibatchConfig;
/// use optim::parallel::train_par;
/// use optim::{NoSchedule, SgdConfig};
/// let ys: Vec<f64> = (0..64).map(|i| (i as f64 * 0.37).sin()).collect();
/// let example = |p: &[f64], i: usize, g: &mut [f64]| {
///     let r = p[0] - ys[i];
///     g[0] += 2.0 * r;
///     r * r
/// };
/// let config = MinibatchConfig::default().epochs(3).batch_size(16).seed(7);
/// let run = |chunks| {
///     let mut sgd = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap();
///     train_par(&[0.0], ys.len(), &mut sgd, &config, &mut NoSchedule, chunks, example).unwrap()
/// };
/// // The same number of pieces gives the same bits, whatever the threads.
/// assert_eq!(run(4), run(4));
/// ```
pub fn train_par<F, Opt, S, G>(
    x0: &[F],
    n_examples: usize,
    optimizer: &mut Opt,
    config: &MinibatchConfig,
    schedule: &mut S,
    chunks: usize,
    example_grad: G,
) -> Result<Training<F>, OptimError>
where
    F: Float + Send + Sync,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    G: Fn(&[F], usize, &mut [F]) -> F + Sync,
{
    config.validate()?;
    assert!(chunks > 0, "`minibatch`: chunks must be > 0");
    let mut params = x0.to_vec();
    let mut grad = vec![F::zero(); x0.len()];
    let mut order = vec![0usize; n_examples];
    let mut epoch_losses = vec![F::zero(); config.epochs];
    let mut work = vec![F::zero(); chunks * x0.len()];
    let report = train_par_in(
        &mut params,
        &mut grad,
        &mut order,
        &mut epoch_losses,
        &mut work,
        optimizer,
        config,
        schedule,
        example_grad,
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
