//! [`SequentialLr`]: one schedule until a milestone, then another (torch's `SequentialLR` with
//! two schedules, e.g. a [`super::LinearLr`] warm-up followed by a decay).

use autodiff_runtime::Float;

use crate::Optimizer;

use super::{Epochs, Scheduler};

/// A schedule that can take over in [`SequentialLr`]: torch's `_update_lr(0)` at the milestone,
/// which sets the schedule's epoch to 0 and the lr to its closed form at epoch 0 from the base lr
/// (the optimizer's lr when the sequence started, torch's `initial_lr`).
///
/// ```
/// use optim::{ExponentialLr, Optimizer, Restart, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = ExponentialLr::new(0.5).unwrap();
/// schedule.restart(&mut sgd, 0.3);
/// assert_eq!(sgd.lr(), 0.3); // epoch 0 of an exponential decay is the base lr
/// ```
pub trait Restart: Scheduler {
    /// Restarts at epoch 0 from `base_lr`, setting the optimizer's lr.
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64);
}

/// `torch.optim.lr_scheduler.SequentialLR` with two schedules: `first` from the start (its
/// epoch 0 at [`Scheduler::start`]), and `second` from epoch `milestone` on, restarted there
/// from the base lr ([`Restart`]) and stepped recursively after.
///
/// ```
/// use optim::{CosineAnnealingLr, LinearLr, Optimizer, Scheduler, SequentialLr, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(0.1).build::<f64, [f64; 1]>(1).unwrap();
/// // 5 steps of linear warm-up from 0.01, then cosine annealing over 20 steps.
/// let warmup = LinearLr::new(0.1, 1.0, 5).unwrap();
/// let cosine = CosineAnnealingLr::new(20, 0.0).unwrap();
/// let mut schedule = SequentialLr::new(warmup, cosine, 5);
/// schedule.start(&mut sgd);
/// assert!((sgd.lr() - 0.01).abs() < 1e-15);
/// for _ in 0..5 {
///     schedule.update(&mut sgd, 0.0);
/// }
/// assert!((sgd.lr() - 0.1).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SequentialLr<A, B> {
    pub(crate) first: A,
    pub(crate) second: B,
    pub(crate) milestone: u64,
    pub(crate) epochs: Epochs,
}

impl<A: Scheduler, B: Restart> SequentialLr<A, B> {
    /// `first` before epoch `milestone`, `second` from it on.
    ///
    /// ```
    /// use optim::{ExponentialLr, Optimizer, SequentialLr, SgdConfig, StepLr};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // Constant for 2 steps (a StepLr that never fires), then halving each step from the base lr.
    /// let mut schedule = SequentialLr::new(
    ///     StepLr::new(1000, 0.1).unwrap(),
    ///     ExponentialLr::new(0.5).unwrap(),
    ///     2,
    /// );
    /// let mut lrs = Vec::new();
    /// for _ in 0..4 {
    ///     schedule.step(&mut sgd);
    ///     lrs.push(sgd.lr());
    /// }
    /// assert_eq!(lrs, [1.0, 1.0, 0.5, 0.25]);
    /// ```
    pub fn new(first: A, second: B, milestone: u64) -> Self {
        SequentialLr {
            first,
            second,
            milestone,
            epochs: Epochs::default(),
        }
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{ExponentialLr, Optimizer, SequentialLr, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = SequentialLr::new(ExponentialLr::new(0.5).unwrap(), ExponentialLr::new(0.1).unwrap(), 5);
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.5); // the first schedule
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl<A: Scheduler, B: Restart> Scheduler for SequentialLr<A, B> {
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        if self.epochs.start(optimizer.lr()) {
            self.first.start(optimizer);
        }
    }

    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, metric: f64) {
        self.start(optimizer);
        let (base, e) = self.epochs.advance(optimizer.lr());
        if e < self.milestone {
            self.first.update(optimizer, metric);
        } else if e == self.milestone {
            self.second.restart(optimizer, base);
        } else {
            self.second.update(optimizer, metric);
        }
    }
}
