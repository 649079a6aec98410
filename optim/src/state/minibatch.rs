//! [`MinibatchState`]: where a minibatch run stands (epoch, batch, shuffling generator).

use autodiff_runtime::Float;

use super::{check, StateError};
use crate::minibatch::{per_example, run, MinibatchConfig, TrainReport};
use crate::rng::{Rng, Source};
use crate::schedule::Scheduler;
use crate::Optimizer;

/// Where a minibatch run ([`crate::minibatch::train_resume_in`]) stands: the epoch and the next
/// batch in it, the steps taken, the loss summed so far in the epoch, and the shuffling
/// generator as it was at the start of the epoch (the epoch's order is drawn from it again on
/// resume, so a run paused mid-epoch continues with the same order; torch users will know this
/// as saving the sampler's generator state at the start of the epoch).
///
/// `R` is [`Rng`] (seeded from [`MinibatchConfig::seed`] by [`MinibatchState::new`]) or, with
/// the `rand_core` feature, any `rand_core` generator ([`MinibatchState::with_rng`]).
///
/// ```
/// use optim::state::MinibatchState;
/// let state = MinibatchState::<f64>::new(7);
/// assert_eq!((state.epoch, state.batch, state.steps, state.epoch_loss), (0, 0, 0, 0.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MinibatchState<F, R = Rng> {
    /// The shuffling generator at the start of the current epoch.
    pub rng: R,
    /// The current epoch (from 0; `epochs` once all have run).
    pub epoch: usize,
    /// The next batch of the current epoch (from 0).
    pub batch: usize,
    /// Optimizer steps taken.
    pub steps: usize,
    /// The example losses summed so far in the current epoch.
    pub epoch_loss: F,
}

impl<F: Float> MinibatchState<F> {
    /// A run that has not started, shuffling with [`Rng::new`]`(seed)` (what
    /// [`crate::minibatch::train_in`] does with [`MinibatchConfig::seed`]).
    ///
    /// ```
    /// use optim::state::MinibatchState;
    /// use optim::rng::Rng;
    /// assert_eq!(MinibatchState::<f64>::new(3).rng, Rng::new(3));
    /// ```
    pub fn new(seed: u64) -> Self {
        Self::with_rng(Rng::new(seed))
    }
}

impl<F: Float, R: Source + Clone> MinibatchState<F, R> {
    /// A run that has not started, shuffling with `rng` (any [`Source`]; with the `rand_core`
    /// feature, any `rand_core` generator). [`MinibatchConfig::seed`] is then not used.
    ///
    /// ```
    /// use optim::state::MinibatchState;
    /// use optim::rng::Rng;
    /// let state: MinibatchState<f32, Rng> = MinibatchState::with_rng(Rng::new(1).split());
    /// assert_eq!(state.steps, 0);
    /// ```
    pub fn with_rng(rng: R) -> Self {
        MinibatchState {
            rng,
            epoch: 0,
            batch: 0,
            steps: 0,
            epoch_loss: F::zero(),
        }
    }

    /// Checks the position against `config` and the dataset size.
    ///
    /// # Errors
    /// [`StateError::Inconsistent`] if the epoch or batch is past the run's end.
    ///
    /// ```
    /// use optim::state::{MinibatchState, StateError};
    /// use optim::MinibatchConfig;
    /// let config = MinibatchConfig::default().epochs(2).batch_size(10);
    /// let mut state = MinibatchState::<f64>::new(0);
    /// assert_eq!(state.validate(&config, 100), Ok(()));
    /// state.batch = 11; // 100 examples make 10 batches
    /// assert!(matches!(state.validate(&config, 100), Err(StateError::Inconsistent { .. })));
    /// ```
    pub fn validate(&self, config: &MinibatchConfig, n_examples: usize) -> Result<(), StateError> {
        check(
            self.epoch <= config.epochs,
            "Minibatch",
            "epoch must be <= the number of epochs",
        )?;
        check(
            self.batch <= config.batches_per_epoch(n_examples),
            "Minibatch",
            "batch must be <= the number of batches per epoch",
        )
    }
}

/// [`train_in`](crate::minibatch::train_in) continuing from `state` (which it updates): a run
/// paused at [`MinibatchConfig::max_steps`] and resumed here, with its optimizer and schedule
/// (or ones loaded from their saved states, [`crate::state`]), takes bit for bit the steps of a
/// run that never paused, mid-epoch included (the epoch's order is drawn again from the
/// generator saved at the epoch's start). `config` is the whole run's (raise or clear
/// `max_steps` to go on); `epoch_losses` receives the losses of the epochs completed here. Start
/// from [`MinibatchState::new`] (`config.seed`) or [`MinibatchState::with_rng`] (your own
/// generator, e.g. any `rand_core` generator with that feature).
///
/// ```
/// use optim::minibatch::{train_in, train_resume_in, MinibatchConfig, TrainStatus};
/// use optim::state::{MinibatchState, Stateful};
/// use optim::{NoSchedule, Sgd, SgdConfig};
/// let ys = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
/// let loss = |p: &[f64], i: usize, g: &mut [f64]| {
///     g[0] += 2.0 * (p[0] - ys[i]);
///     (p[0] - ys[i]).powi(2)
/// };
/// let config = MinibatchConfig::default().epochs(3).batch_size(2).seed(5);
/// let sgd = SgdConfig::default().lr(0.1).momentum(0.9);
/// let (mut grad, mut order, mut losses) = ([0.0], [0; 7], [0.0; 3]);
///
/// let mut full = [0.0];
/// let mut opt: Sgd<f64, [f64; 1]> = sgd.build(1).unwrap();
/// let (g, o, l, sch) = (&mut grad, &mut order, &mut losses, &mut NoSchedule);
/// train_in(&mut full, g, o, l, &mut opt, &config, sch, loss).unwrap();
///
/// // Pause after 5 steps (mid-epoch 1), save, resume in a fresh optimizer.
/// let (mut p, mut opt): (_, Sgd<f64, [f64; 1]>) = ([0.0], sgd.build(1).unwrap());
/// let mut state = MinibatchState::new(config.seed);
/// let paused = config.max_steps(Some(5));
/// let report = train_resume_in(
///     &mut p, &mut grad, &mut order, &mut losses, &mut opt, &paused, &mut NoSchedule,
///     &mut state, loss,
/// )
/// .unwrap();
/// assert_eq!((report.status, state.epoch, state.batch), (TrainStatus::Paused, 1, 1));
/// let mut opt = Sgd::<f64, [f64; 1]>::from_state(opt.state()).unwrap();
/// train_resume_in(
///     &mut p, &mut grad, &mut order, &mut losses, &mut opt, &config, &mut NoSchedule,
///     &mut state, loss,
/// )
/// .unwrap();
/// assert_eq!(p[0].to_bits(), full[0].to_bits());
/// ```
///
/// # Errors
/// Invalid settings ([`MinibatchConfig::validate`], as [`StateError::Invalid`]), or a `state`
/// past the run's end ([`MinibatchState::validate`]).
///
/// # Panics
/// As [`train_in`](crate::minibatch::train_in).
#[allow(clippy::too_many_arguments)]
pub fn train_resume_in<F, Opt, S, R, G>(
    params: &mut [F],
    grad: &mut [F],
    order: &mut [usize],
    epoch_losses: &mut [F],
    optimizer: &mut Opt,
    config: &MinibatchConfig,
    schedule: &mut S,
    state: &mut MinibatchState<F, R>,
    example_grad: G,
) -> Result<TrainReport, StateError>
where
    F: Float,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    R: Source + Clone,
    G: FnMut(&[F], usize, &mut [F]) -> F,
{
    config.validate()?;
    state.validate(config, order.len())?;
    let report = run(
        params,
        grad,
        order,
        epoch_losses,
        optimizer,
        config,
        schedule,
        state,
        per_example(example_grad),
    )?;
    Ok(report)
}
