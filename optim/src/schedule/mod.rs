//! Learning-rate schedules with `torch.optim.lr_scheduler`'s semantics: call
//! [`Scheduler::start`] once before the first optimizer step (torch's constructor, which already
//! sets the lr of some schedules) and [`Scheduler::update`] (or the schedule's own `step`) after
//! every optimizer step. The driver ([`crate::minimize_in`]) and minibatch training do both.
//!
//! Each schedule computes the new lr with the formula torch's `scheduler.step()` uses (torch 2.x,
//! without the deprecated `epoch` argument): the *recursive* (chainable) form where torch's
//! `get_lr` has one, reading the optimizer's current lr and writing the new one (e.g.
//! [`ExponentialLr`] multiplies by `gamma` each step; it does not compute `lr0 * gamma^k`, which
//! differs in the last bits), and the closed form where torch uses it ([`LambdaLr`],
//! [`CosineAnnealingWarmRestarts`], [`OneCycleLr`]).
//!
//! | torch                          | here                             | file             |
//! |--------------------------------|----------------------------------|------------------|
//! | `StepLR`, `MultiStepLR`, `ExponentialLR` | [`StepLr`], [`MultiStepLr`], [`ExponentialLr`] | `decay.rs` |
//! | `CosineAnnealingLR`, `CosineAnnealingWarmRestarts` | [`CosineAnnealingLr`], [`CosineAnnealingWarmRestarts`] | `cosine.rs` |
//! | `LinearLR`, `PolynomialLR`, `LambdaLR` | [`LinearLr`], [`PolynomialLr`], [`LambdaLr`] | `warmup.rs` |
//! | `OneCycleLR`                   | [`OneCycleLr`]                   | `one_cycle.rs`   |
//! | `SequentialLR` (two schedules) | [`SequentialLr`]                 | `sequential.rs`  |
//! | `ReduceLROnPlateau`            | [`ReduceLrOnPlateau`]            | `plateau.rs`     |
//!
//! Every schedule is a small fixed-size value (no allocation, `no_std`).
//!
//! ```
//! use optim::{minimize, SgdConfig, StepLr, StopRules};
//! use autodiff_runtime::from_fns;
//! let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
//!     g[0] = 2.0 * x[0];
//!     x[0] * x[0]
//! });
//! let mut x = [1.0];
//! let mut schedule = StepLr::new(1, 0.5).unwrap();
//! // The driver starts the schedule and updates it after every step.
//! minimize(&obj, &mut x)
//!     .with(SgdConfig::default().lr(0.25))
//!     .schedule(&mut schedule)
//!     .stop(StopRules::max_iterations(2))
//!     .run()
//!     .unwrap();
//! // x = 1 - 0.25 * 2 = 0.5, then 0.5 - 0.125 * 1 = 0.375.
//! assert_eq!(x, [0.375]);
//! ```

use autodiff_runtime::Float;

use crate::Optimizer;

mod cosine;
mod decay;
mod one_cycle;
mod plateau;
mod sequential;
mod warmup;

pub use cosine::{CosineAnnealingLr, CosineAnnealingWarmRestarts};
pub use decay::{ExponentialLr, MultiStepLr, StepLr};
pub use one_cycle::{Anneal, OneCycleLr};
pub use plateau::{PlateauMode, ReduceLrOnPlateau, ThresholdMode};
pub use sequential::{Restart, SequentialLr};
pub use warmup::{LambdaLr, LinearLr, PolynomialLr};

/// A learning-rate schedule, called once after each optimizer step.
///
/// ```
/// use optim::{Optimizer, Scheduler, SgdConfig, StepLr};
/// /// Runs `steps` optimizer steps under any schedule and returns the final lr.
/// fn final_lr<S: Scheduler>(mut schedule: S, steps: usize) -> f64 {
///     let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
///     schedule.start(&mut sgd);
///     for _ in 0..steps {
///         sgd.step(&mut [0.0], &[0.0]);
///         schedule.update(&mut sgd, 0.0);
///     }
///     sgd.lr()
/// }
/// assert_eq!(final_lr(StepLr::new(2, 0.5).unwrap(), 4), 0.25);
/// ```
pub trait Scheduler {
    /// What torch's constructor does: records the base lr (the optimizer's current lr) and, for
    /// the schedules whose epoch 0 changes it ([`LinearLr`], [`LambdaLr`],
    /// [`CosineAnnealingWarmRestarts`], [`OneCycleLr`], [`SequentialLr`]), sets the lr of the
    /// first optimizer step. Call it once before the first step; later calls do nothing. A
    /// schedule whose `update` comes first starts itself there (so its epoch-0 lr is never
    /// used by a step, as in torch when `scheduler.step()` comes before `optimizer.step()`).
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        let _ = optimizer;
    }
    /// Updates the optimizer's learning rate after a step. `metric` is the loss of that step,
    /// used by [`ReduceLrOnPlateau`] and ignored by the other schedules.
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, metric: f64);
}

/// No schedule: the learning rate stays.
///
/// ```
/// use optim::{NoSchedule, Optimizer, Scheduler, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = NoSchedule;
/// schedule.update(&mut sgd, 0.0);
/// assert_eq!(sgd.lr(), 1.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSchedule;

impl Scheduler for NoSchedule {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, _optimizer: &mut O, _metric: f64) {}
}

/// A schedule lent to a run (so that it can be inspected afterwards).
impl<S: Scheduler + ?Sized> Scheduler for &mut S {
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        (**self).start(optimizer);
    }
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, metric: f64) {
        (**self).update(optimizer, metric);
    }
}

/// The base lr and the epoch count every stateful schedule keeps (torch's `base_lrs[0]` and
/// `last_epoch`); `base` is `None` until [`Scheduler::start`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Epochs {
    pub(crate) base: Option<f64>,
    pub(crate) last_epoch: u64,
}

impl Epochs {
    /// Records the base lr; `true` the first time (the caller then applies its epoch 0).
    pub(crate) fn start(&mut self, lr: f64) -> bool {
        if self.base.is_some() {
            return false;
        }
        self.base = Some(lr);
        self.last_epoch = 0;
        true
    }

    /// The base lr (starting at `lr` if not started) and the next epoch.
    pub(crate) fn advance(&mut self, lr: f64) -> (f64, u64) {
        let base = *self.base.get_or_insert(lr);
        self.last_epoch += 1;
        (base, self.last_epoch)
    }
}
