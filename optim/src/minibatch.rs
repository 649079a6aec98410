//! Minibatch training (stochastic gradient descent) over a dataset whose loss is a sum of
//! per-example losses, with any [`Optimizer`].
//!
//! The user supplies one closure, `example_grad(params, i, grad) -> loss_i`, that **adds** the
//! gradient of example `i`'s loss into `grad` and returns that loss. Each epoch the example
//! indices are put in order `0..n`, shuffled with a seeded [`Rng`](crate::Rng) (so the same
//! seed gives bit-for-bit the same run; [`train_resume_in`] takes any generator), and cut into
//! batches of [`MinibatchConfig::batch_size`]. For each
//! batch the gradient accumulator is zeroed, every example of the batch is accumulated in
//! order, the sum is averaged ([`Reduction::Mean`], the default, as torch's
//! `reduction="mean"`) or kept ([`Reduction::Sum`]), and the optimizer takes one step.
//!
//! * [`train_in`]: no allocation; the caller provides the gradient buffer, the index buffer and
//!   the per-epoch loss buffer.
//! * [`train`] (feature `alloc`): allocates them and returns a [`Training`].
//!
//! ```
//! use optim::minibatch::{train, MinibatchConfig};
//! use optim::{NoSchedule, SgdConfig};
//! // Fit the mean of some numbers: loss_i = (p - y_i)^2.
//! let ys = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
//! let mut sgd = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap();
//! let config = MinibatchConfig::default().epochs(50).batch_size(4).seed(7);
//! let fit = train(&[0.0], ys.len(), &mut sgd, &config, &mut NoSchedule, |p, i, g| {
//!     let r = p[0] - ys[i];
//!     g[0] += 2.0 * r;
//!     r * r
//! })
//! .unwrap();
//! assert!((fit.params[0] - 4.5).abs() < 0.5);
//! assert_eq!(fit.epoch_losses.len(), 50);
//! assert_eq!(fit.report.steps, 100);
//! ```

use autodiff_runtime::Float;

use crate::rng::{shuffle, Source};
use crate::schedule::Scheduler;
pub use crate::state::train_resume_in;
use crate::state::MinibatchState;
use crate::{ensure, OptimError, Optimizer};

/// How the per-example gradients of a batch are combined before the step.
///
/// ```
/// use optim::{train, MinibatchConfig, NoSchedule, Reduction, SgdConfig};
/// let data = [1.0, 2.0, 3.0, 4.0];
/// // loss_i = (p - data_i)^2 / 2: the minimizer is the mean, 2.5.
/// let example = |p: &[f64], i: usize, g: &mut [f64]| {
///     let r = p[0] - data[i];
///     g[0] += r;
///     0.5 * r * r
/// };
/// // One full-batch step from 0 with lr 1: the mean gradient is -2.5, the sum -10.
/// for (reduction, expected) in [(Reduction::Mean, 2.5), (Reduction::Sum, 10.0)] {
///     let mut sgd = SgdConfig::default().lr(1.0).build::<f64, Vec<f64>>(1).unwrap();
///     let config = MinibatchConfig::default().batch_size(4).reduction(reduction);
///     let run = train(&[0.0], 4, &mut sgd, &config, &mut NoSchedule, example).unwrap();
///     assert_eq!(run.params, [expected]);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Reduction {
    /// The batch mean (sum divided by the batch's length; the last batch may be shorter).
    #[default]
    Mean,
    /// The plain sum.
    Sum,
}

/// Settings of a minibatch run. Defaults: 1 epoch, batch size 32, shuffled with seed 0, the
/// last short batch kept, [`Reduction::Mean`].
///
/// ```
/// use optim::{MinibatchConfig, Reduction};
/// let c = MinibatchConfig::default();
/// assert_eq!((c.epochs, c.batch_size, c.shuffle, c.seed), (1, 32, true, 0));
/// assert_eq!((c.drop_last, c.reduction, c.max_steps), (false, Reduction::Mean, None));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MinibatchConfig {
    /// Passes over the dataset.
    pub epochs: usize,
    /// Examples per batch (`>= 1`).
    pub batch_size: usize,
    /// Shuffle the examples each epoch (otherwise in index order).
    pub shuffle: bool,
    /// Seed of the shuffling [`Rng`](crate::Rng) (one generator for the whole run).
    pub seed: u64,
    /// Skip the last batch of an epoch when it has fewer than `batch_size` examples (as torch's
    /// `drop_last`).
    pub drop_last: bool,
    /// How a batch's gradients are combined.
    pub reduction: Reduction,
    /// Pause ([`TrainStatus::Paused`]) once this many optimizer steps have been taken in the
    /// whole run, before the next batch (default `None`: run all epochs). A paused run
    /// continues with [`train_resume_in`] from its [`MinibatchState`].
    pub max_steps: Option<usize>,
}

impl Default for MinibatchConfig {
    fn default() -> Self {
        MinibatchConfig {
            epochs: 1,
            batch_size: 32,
            shuffle: true,
            seed: 0,
            drop_last: false,
            reduction: Reduction::Mean,
            max_steps: None,
        }
    }
}

impl MinibatchConfig {
    setters! {
        /// Sets the number of epochs.
        ///
        /// ```
        /// use optim::MinibatchConfig;
        /// let config = MinibatchConfig::default().epochs(3);
        /// assert_eq!(config.epochs, 3);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        epochs: usize;
        /// Sets the batch size.
        ///
        /// ```
        /// use optim::MinibatchConfig;
        /// let config = MinibatchConfig::default().batch_size(8);
        /// assert_eq!(config.batch_size, 8);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        batch_size: usize;
        /// Turns shuffling on or off.
        ///
        /// ```
        /// use optim::MinibatchConfig;
        /// let config = MinibatchConfig::default().shuffle(false);
        /// assert_eq!(config.shuffle, false);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        shuffle: bool;
        /// Sets the shuffling seed.
        ///
        /// ```
        /// use optim::MinibatchConfig;
        /// let config = MinibatchConfig::default().seed(42);
        /// assert_eq!(config.seed, 42);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        seed: u64;
        /// Drops (or keeps) the last short batch.
        ///
        /// ```
        /// use optim::MinibatchConfig;
        /// let config = MinibatchConfig::default().drop_last(true);
        /// assert_eq!(config.drop_last, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        drop_last: bool;
        /// Sets the reduction.
        ///
        /// ```
        /// use optim::{MinibatchConfig, Reduction};
        /// let config = MinibatchConfig::default().reduction(Reduction::Sum);
        /// assert_eq!(config.reduction, Reduction::Sum);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        reduction: Reduction;
        /// Sets the step count at which the run pauses.
        ///
        /// ```
        /// use optim::MinibatchConfig;
        /// let config = MinibatchConfig::default().max_steps(Some(10));
        /// assert_eq!(config.max_steps, Some(10));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        max_steps: Option<usize>;
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Minibatch` if `batch_size == 0`.
    ///
    /// ```
    /// use optim::{MinibatchConfig, OptimError};
    /// assert_eq!(MinibatchConfig::default().validate(), Ok(()));
    /// let e = MinibatchConfig::default().batch_size(0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "Minibatch", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.batch_size >= 1, "Minibatch", "batch_size must be >= 1")
    }

    /// Optimizer steps per epoch for `n_examples` examples.
    ///
    /// ```
    /// use optim::MinibatchConfig;
    /// let config = MinibatchConfig::default().batch_size(4);
    /// assert_eq!(config.batches_per_epoch(10), 3); // 4 + 4 + 2
    /// assert_eq!(config.drop_last(true).batches_per_epoch(10), 2);
    /// ```
    pub fn batches_per_epoch(&self, n_examples: usize) -> usize {
        let b = self.batch_size.max(1);
        if self.drop_last {
            n_examples / b
        } else {
            n_examples.div_ceil(b)
        }
    }

    /// Examples seen per epoch (all of them, unless `drop_last` drops a short tail).
    ///
    /// ```
    /// use optim::MinibatchConfig;
    /// let config = MinibatchConfig::default().batch_size(4);
    /// assert_eq!(config.examples_per_epoch(10), 10);
    /// assert_eq!(config.drop_last(true).examples_per_epoch(10), 8);
    /// ```
    pub fn examples_per_epoch(&self, n_examples: usize) -> usize {
        if self.drop_last {
            self.batches_per_epoch(n_examples) * self.batch_size.max(1)
        } else {
            n_examples
        }
    }
}

/// How a run ended.
///
/// ```
/// use optim::{train, MinibatchConfig, NoSchedule, SgdConfig, TrainStatus};
/// let mut sgd = SgdConfig::default().build::<f64, Vec<f64>>(1).unwrap();
/// let config = MinibatchConfig::default().epochs(3).batch_size(2).shuffle(false);
/// // Example 3 has a NaN loss: the run stops at its batch (epoch 0, batch 1).
/// let run = train(&[0.0], 4, &mut sgd, &config, &mut NoSchedule, |_: &[f64], i, g: &mut [f64]| {
///     g[0] += 1.0;
///     if i == 3 { f64::NAN } else { 1.0 }
/// })
/// .unwrap();
/// assert_eq!(run.report.status, TrainStatus::Diverged { epoch: 0, batch: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrainStatus {
    /// All epochs ran.
    Completed,
    /// The run paused at [`MinibatchConfig::max_steps`], before a batch; continue it with
    /// [`train_resume_in`].
    Paused,
    /// A batch loss or gradient was non-finite (NaN or infinite); the run stopped before
    /// stepping with it, so the parameters are the last finite iterate.
    Diverged {
        /// The epoch (from 0) of the offending batch.
        epoch: usize,
        /// The batch (from 0) within that epoch.
        batch: usize,
    },
}

/// What [`train_in`] did.
///
/// ```
/// use optim::{train, MinibatchConfig, NoSchedule, SgdConfig, TrainStatus};
/// let data = [1.0, 2.0, 3.0, 4.0];
/// // loss_i = (p - data_i)^2 / 2: the minimizer is the mean, 2.5.
/// let example = |p: &[f64], i: usize, g: &mut [f64]| {
///     let r = p[0] - data[i];
///     g[0] += r;
///     0.5 * r * r
/// };
/// let mut sgd = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap();
/// let config = MinibatchConfig::default().epochs(2).batch_size(3);
/// let run = train(&[0.0], 4, &mut sgd, &config, &mut NoSchedule, example).unwrap();
/// let r = run.report;
/// assert_eq!((r.status, r.epochs, r.steps, r.examples_per_epoch), (TrainStatus::Completed, 2, 4, 4));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrainReport {
    /// How it ended.
    pub status: TrainStatus,
    /// Epochs completed (in the whole run, when resumed).
    pub epochs: usize,
    /// Optimizer steps taken (in the whole run, when resumed).
    pub steps: usize,
    /// Examples per (complete) epoch: the divisor for a mean epoch loss.
    pub examples_per_epoch: usize,
}

/// Trains `params` (updated in place) on `n_examples` examples with `optimizer`, without
/// allocating.
///
/// * `grad`: the gradient accumulator, length `dim`;
/// * `order`: the index buffer, length `n_examples` (holds the last epoch's order on return);
/// * `epoch_losses`: length `>= config.epochs`; entry `e` receives the sum of the example
///   losses seen in epoch `e` (each evaluated at the parameters of its batch, before that
///   batch's step: the running training loss, as a training loop reports it). Entries of
///   epochs that did not complete are left as they were, except that a diverged epoch's entry
///   holds its partial sum;
/// * `schedule` is started before the first epoch ([`Scheduler::start`], torch's constructor)
///   and updated once per completed epoch with the epoch's mean loss (torch's per-epoch
///   `scheduler.step()`);
/// * `example_grad(params, i, grad) -> loss_i` adds example `i`'s gradient into `grad` and
///   returns its loss.
///
/// # Errors
/// Invalid settings ([`MinibatchConfig::validate`]).
///
/// # Panics
/// If `params`, `grad` and the optimizer differ in length, `order.len() != n_examples` or
/// `epoch_losses` is shorter than `config.epochs`.
///
/// ```
/// use optim::{train_in, MinibatchConfig, NoSchedule, SgdConfig};
/// let data = [1.0, 2.0, 3.0, 4.0];
/// // loss_i = (p - data_i)^2 / 2: the minimizer is the mean, 2.5.
/// let example = |p: &[f64], i: usize, g: &mut [f64]| {
///     let r = p[0] - data[i];
///     g[0] += r;
///     0.5 * r * r
/// };
/// let mut sgd = SgdConfig::default().lr(0.5).build::<f64, [f64; 1]>(1).unwrap();
/// let config = MinibatchConfig::default().epochs(60).batch_size(4);
/// // Every buffer is the caller's: nothing is allocated.
/// let (mut p, mut g, mut order, mut losses) = ([0.0], [0.0], [0usize; 4], [0.0; 60]);
/// let report = train_in(&mut p, &mut g, &mut order, &mut losses, &mut sgd, &config, &mut NoSchedule, example).unwrap();
/// assert_eq!(report.steps, 60);
/// assert!((p[0] - 2.5).abs() < 1e-12);
/// assert_eq!(losses[0], 15.0); // (1 + 4 + 9 + 16) / 2 at p = 0
/// ```
#[allow(clippy::too_many_arguments)]
pub fn train_in<F, Opt, S, G>(
    params: &mut [F],
    grad: &mut [F],
    order: &mut [usize],
    epoch_losses: &mut [F],
    optimizer: &mut Opt,
    config: &MinibatchConfig,
    schedule: &mut S,
    example_grad: G,
) -> Result<TrainReport, OptimError>
where
    F: Float,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    G: FnMut(&[F], usize, &mut [F]) -> F,
{
    run(
        params,
        grad,
        order,
        epoch_losses,
        optimizer,
        config,
        schedule,
        &mut MinibatchState::new(config.seed),
        per_example(example_grad),
    )
}

/// The batch gradient of [`train_in`]: the batch's examples accumulated in order.
pub(crate) fn per_example<F: Float, G: FnMut(&[F], usize, &mut [F]) -> F>(
    mut example_grad: G,
) -> impl FnMut(&[F], &[usize], &mut [F]) -> F {
    move |params, batch, grad| {
        let mut batch_loss = F::zero();
        for &i in batch {
            batch_loss += example_grad(params, i, grad);
        }
        batch_loss
    }
}

/// The loop of [`train_in`] (and of the parallel variant), from `state`, given how a batch's
/// gradient is accumulated: `batch_grad(params, batch, grad) -> batch loss` adds the batch's
/// summed gradient into `grad` (zeroed before the call).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run<F, Opt, S, R, B>(
    params: &mut [F],
    grad: &mut [F],
    order: &mut [usize],
    epoch_losses: &mut [F],
    optimizer: &mut Opt,
    config: &MinibatchConfig,
    schedule: &mut S,
    state: &mut MinibatchState<F, R>,
    mut batch_grad: B,
) -> Result<TrainReport, OptimError>
where
    F: Float,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    R: Source + Clone,
    B: FnMut(&[F], &[usize], &mut [F]) -> F,
{
    config.validate()?;
    let n = order.len();
    assert!(
        params.len() == grad.len() && params.len() == optimizer.dim(),
        "`minibatch`: params ({}), grad ({}) and optimizer ({}) must have the same dimension",
        params.len(),
        grad.len(),
        optimizer.dim()
    );
    assert!(
        epoch_losses.len() >= config.epochs,
        "`minibatch`: epoch_losses has length {}, expected at least the {} epochs",
        epoch_losses.len(),
        config.epochs
    );
    let batch_size = config.batch_size;
    let per_epoch = config.examples_per_epoch(n);
    let mut report = TrainReport {
        status: TrainStatus::Completed,
        epochs: state.epoch,
        steps: state.steps,
        examples_per_epoch: per_epoch,
    };
    schedule.start(optimizer);
    while state.epoch < config.epochs {
        let epoch = state.epoch;
        for (k, o) in order.iter_mut().enumerate() {
            *o = k;
        }
        // The epoch's order, from the generator as it was at the epoch's start.
        let mut rng = state.rng.clone();
        if config.shuffle {
            shuffle(&mut rng, order);
        }
        for (b, batch) in order.chunks(batch_size).enumerate().skip(state.batch) {
            if config.drop_last && batch.len() < batch_size {
                break;
            }
            if config.max_steps.is_some_and(|m| state.steps >= m) {
                report.status = TrainStatus::Paused;
                report.steps = state.steps;
                return Ok(report);
            }
            grad.fill(F::zero());
            let batch_loss = batch_grad(params, batch, grad);
            state.epoch_loss += batch_loss;
            if config.reduction == Reduction::Mean {
                let scale = F::one() / F::from_f64(batch.len() as f64);
                for g in grad.iter_mut() {
                    *g *= scale;
                }
            }
            let finite =
                batch_loss.to_f64().is_finite() && grad.iter().all(|g| g.to_f64().is_finite());
            if !finite {
                epoch_losses[epoch] = state.epoch_loss;
                report.status = TrainStatus::Diverged { epoch, batch: b };
                report.steps = state.steps;
                return Ok(report);
            }
            optimizer.step(params, grad);
            state.steps += 1;
            state.batch = b + 1;
        }
        let total = state.epoch_loss;
        epoch_losses[epoch] = total;
        state.rng = rng;
        state.epoch += 1;
        state.batch = 0;
        state.epoch_loss = F::zero();
        report.epochs = state.epoch;
        let mean = if per_epoch == 0 {
            0.0
        } else {
            total.to_f64() / per_epoch as f64
        };
        schedule.update(optimizer, mean);
    }
    report.steps = state.steps;
    Ok(report)
}

/// The result of [`train`].
///
/// ```
/// use optim::{train, MinibatchConfig, NoSchedule, SgdConfig};
/// let data = [1.0, 2.0, 3.0, 4.0];
/// // loss_i = (p - data_i)^2 / 2: the minimizer is the mean, 2.5.
/// let example = |p: &[f64], i: usize, g: &mut [f64]| {
///     let r = p[0] - data[i];
///     g[0] += r;
///     0.5 * r * r
/// };
/// let mut sgd = SgdConfig::default().lr(0.5).build::<f64, Vec<f64>>(1).unwrap();
/// let config = MinibatchConfig::default().epochs(3).batch_size(4);
/// let run = train(&[0.0], 4, &mut sgd, &config, &mut NoSchedule, example).unwrap();
/// assert_eq!((run.params.len(), run.epoch_losses.len()), (1, 3));
/// assert!(run.epoch_losses[2] < run.epoch_losses[0]);
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq)]
pub struct Training<F> {
    /// The final parameters.
    pub params: alloc::vec::Vec<F>,
    /// The sum of the example losses of each completed epoch (see [`train_in`]); one entry per
    /// completed epoch (plus the partial sum of a diverged epoch).
    pub epoch_losses: alloc::vec::Vec<F>,
    /// How the run went.
    pub report: TrainReport,
}

#[cfg(feature = "alloc")]
impl<F: Float> Training<F> {
    /// The mean example loss of each epoch in [`Training::epoch_losses`].
    ///
    /// ```
    /// use optim::{train, MinibatchConfig, NoSchedule, SgdConfig};
    /// let data = [1.0, 2.0, 3.0, 4.0];
    /// // loss_i = (p - data_i)^2 / 2: the minimizer is the mean, 2.5.
    /// let example = |p: &[f64], i: usize, g: &mut [f64]| {
    ///     let r = p[0] - data[i];
    ///     g[0] += r;
    ///     0.5 * r * r
    /// };
    /// let mut sgd = SgdConfig::default().lr(0.0).build::<f64, Vec<f64>>(1).unwrap();
    /// let run = train(&[0.0], 4, &mut sgd, &MinibatchConfig::default(), &mut NoSchedule, example).unwrap();
    /// assert_eq!(run.mean_epoch_losses().collect::<Vec<_>>(), [15.0 / 4.0]);
    /// ```
    pub fn mean_epoch_losses(&self) -> impl Iterator<Item = f64> + '_ {
        let per = self.report.examples_per_epoch.max(1) as f64;
        self.epoch_losses.iter().map(move |l| l.to_f64() / per)
    }
}

/// [`train_in`] from the start point `x0`, allocating the buffers; returns the final parameters
/// and the per-epoch losses.
///
/// # Errors
/// Invalid settings ([`MinibatchConfig::validate`]).
///
/// # Panics
/// If `x0` and the optimizer differ in length.
///
/// ```
/// use optim::{train, MinibatchConfig, NoSchedule, SgdConfig, TrainStatus};
/// let data = [1.0, 2.0, 3.0, 4.0];
/// // loss_i = (p - data_i)^2 / 2: the minimizer is the mean, 2.5.
/// let example = |p: &[f64], i: usize, g: &mut [f64]| {
///     let r = p[0] - data[i];
///     g[0] += r;
///     0.5 * r * r
/// };
/// let mut sgd = SgdConfig::default().lr(0.5).build::<f64, Vec<f64>>(1).unwrap();
/// let config = MinibatchConfig::default().epochs(50).batch_size(4);
/// let run = train(&[0.0], data.len(), &mut sgd, &config, &mut NoSchedule, example).unwrap();
/// assert_eq!(run.report.status, TrainStatus::Completed);
/// assert!((run.params[0] - 2.5).abs() < 1e-12);
/// ```
#[cfg(feature = "alloc")]
pub fn train<F, Opt, S, G>(
    x0: &[F],
    n_examples: usize,
    optimizer: &mut Opt,
    config: &MinibatchConfig,
    schedule: &mut S,
    example_grad: G,
) -> Result<Training<F>, OptimError>
where
    F: Float,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    G: FnMut(&[F], usize, &mut [F]) -> F,
{
    use alloc::vec;
    config.validate()?;
    let mut params = x0.to_vec();
    let mut grad = vec![F::zero(); x0.len()];
    let mut order = vec![0usize; n_examples];
    let mut epoch_losses = vec![F::zero(); config.epochs];
    let report = train_in(
        &mut params,
        &mut grad,
        &mut order,
        &mut epoch_losses,
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
