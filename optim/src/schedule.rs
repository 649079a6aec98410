//! Learning-rate schedules, recursive as `torch.optim.lr_scheduler`: call
//! [`Scheduler::update`] (or the schedule's own `step`) after every optimizer step.
//!
//! Each schedule reads the optimizer's learning rate and writes the new one, so the lr evolves
//! multiplicatively exactly as in torch (e.g. [`ExponentialLr`] multiplies by `gamma` each step;
//! it does not compute `lr0 * gamma^k`, which differs in the last bits).

use core::f64::consts::PI;

use autodiff_runtime::{Float, Scalar};

use crate::{ensure, OptimError, Optimizer};

/// A learning-rate schedule, called once after each optimizer step.
pub trait Scheduler {
    /// Updates the optimizer's learning rate after a step. `metric` is the loss of that step,
    /// used by [`ReduceLrOnPlateau`] and ignored by the other schedules.
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, metric: f64);
}

/// No schedule: the learning rate stays.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSchedule;

impl Scheduler for NoSchedule {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, _optimizer: &mut O, _metric: f64) {}
}

/// `torch.optim.lr_scheduler.StepLR`: multiplies the lr by `gamma` every `step_size` steps.
#[derive(Clone, Copy, Debug)]
pub struct StepLr {
    step_size: u64,
    gamma: f64,
    last_epoch: u64,
}

impl StepLr {
    /// A step schedule.
    ///
    /// # Errors
    /// `step_size == 0` or a negative/non-finite `gamma`.
    pub fn new(step_size: u64, gamma: f64) -> Result<Self, OptimError> {
        ensure(step_size > 0, "StepLr", "step_size must be > 0")?;
        ensure(
            gamma >= 0.0 && gamma.is_finite(),
            "StepLr",
            "gamma must be finite and >= 0",
        )?;
        Ok(StepLr {
            step_size,
            gamma,
            last_epoch: 0,
        })
    }

    /// One schedule step (after an optimizer step).
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for StepLr {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        self.last_epoch += 1;
        if self.last_epoch.is_multiple_of(self.step_size) {
            optimizer.set_lr(optimizer.lr() * self.gamma);
        }
    }
}

/// `torch.optim.lr_scheduler.ExponentialLR`: multiplies the lr by `gamma` every step.
#[derive(Clone, Copy, Debug)]
pub struct ExponentialLr {
    gamma: f64,
}

impl ExponentialLr {
    /// An exponential schedule.
    ///
    /// # Errors
    /// A negative or non-finite `gamma`.
    pub fn new(gamma: f64) -> Result<Self, OptimError> {
        ensure(
            gamma >= 0.0 && gamma.is_finite(),
            "ExponentialLr",
            "gamma must be finite and >= 0",
        )?;
        Ok(ExponentialLr { gamma })
    }

    /// One schedule step (after an optimizer step).
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for ExponentialLr {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        optimizer.set_lr(optimizer.lr() * self.gamma);
    }
}

/// `torch.optim.lr_scheduler.CosineAnnealingLR` (torch's recursive form): from the base lr
/// down to `eta_min` over `t_max` steps, then back up, periodically.
///
/// The base lr is the optimizer's lr at the first [`Scheduler::update`].
#[derive(Clone, Copy, Debug)]
pub struct CosineAnnealingLr {
    t_max: u64,
    eta_min: f64,
    base_lr: Option<f64>,
    last_epoch: u64,
}

impl CosineAnnealingLr {
    /// A cosine schedule with half-period `t_max` and floor `eta_min`.
    ///
    /// # Errors
    /// `t_max == 0` or a negative/non-finite `eta_min`.
    pub fn new(t_max: u64, eta_min: f64) -> Result<Self, OptimError> {
        ensure(t_max > 0, "CosineAnnealingLr", "t_max must be > 0")?;
        ensure(
            eta_min >= 0.0 && eta_min.is_finite(),
            "CosineAnnealingLr",
            "eta_min must be finite and >= 0",
        )?;
        Ok(CosineAnnealingLr {
            t_max,
            eta_min,
            base_lr: None,
            last_epoch: 0,
        })
    }

    /// One schedule step (after an optimizer step).
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for CosineAnnealingLr {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        let lr = optimizer.lr();
        let base = *self.base_lr.get_or_insert(lr);
        self.last_epoch += 1;
        let e = self.last_epoch as i64;
        let t = self.t_max as i64;
        let (tf, ef) = (t as f64, e as f64);
        let new = if (e - 1 - t).rem_euclid(2 * t) == 0 {
            lr + (base - self.eta_min) * (1.0 - Scalar::cos(PI / tf)) / 2.0
        } else {
            (1.0 + Scalar::cos(PI * ef / tf)) / (1.0 + Scalar::cos(PI * (ef - 1.0) / tf))
                * (lr - self.eta_min)
                + self.eta_min
        };
        optimizer.set_lr(new);
    }
}

/// Whether [`ReduceLrOnPlateau`] minimizes or maximizes its metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlateauMode {
    /// Lower is better (torch's default).
    Min,
    /// Higher is better.
    Max,
}

/// How [`ReduceLrOnPlateau`] measures a significant improvement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdMode {
    /// Relative to the best (`best * (1 ∓ threshold)`, torch's default).
    Rel,
    /// Absolute (`best ∓ threshold`).
    Abs,
}

/// `torch.optim.lr_scheduler.ReduceLROnPlateau`: multiplies the lr by `factor` when the metric
/// has not improved for more than `patience` steps. Defaults are torch's: mode min, factor 0.1,
/// patience 10, threshold 1e-4 relative, cooldown 0, min_lr 0, eps 1e-8.
#[derive(Clone, Copy, Debug)]
pub struct ReduceLrOnPlateau {
    mode: PlateauMode,
    factor: f64,
    patience: u64,
    threshold: f64,
    threshold_mode: ThresholdMode,
    cooldown: u64,
    min_lr: f64,
    eps: f64,
    best: f64,
    num_bad: u64,
    cooldown_counter: u64,
}

impl Default for ReduceLrOnPlateau {
    fn default() -> Self {
        ReduceLrOnPlateau {
            mode: PlateauMode::Min,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: 0.0,
            eps: 1e-8,
            best: f64::INFINITY,
            num_bad: 0,
            cooldown_counter: 0,
        }
    }
}

impl ReduceLrOnPlateau {
    /// A plateau schedule with torch's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the mode (and resets the best value).
    #[must_use]
    pub fn mode(mut self, mode: PlateauMode) -> Self {
        self.mode = mode;
        self.best = match mode {
            PlateauMode::Min => f64::INFINITY,
            PlateauMode::Max => f64::NEG_INFINITY,
        };
        self
    }

    /// Sets the factor (checked in `[0, 1)` by [`ReduceLrOnPlateau::validate`]).
    #[must_use]
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }
    /// Sets the patience.
    #[must_use]
    pub fn patience(mut self, patience: u64) -> Self {
        self.patience = patience;
        self
    }
    /// Sets the threshold and its mode.
    #[must_use]
    pub fn threshold(mut self, threshold: f64, mode: ThresholdMode) -> Self {
        self.threshold = threshold;
        self.threshold_mode = mode;
        self
    }
    /// Sets the cooldown.
    #[must_use]
    pub fn cooldown(mut self, cooldown: u64) -> Self {
        self.cooldown = cooldown;
        self
    }
    /// Sets the minimum lr.
    #[must_use]
    pub fn min_lr(mut self, min_lr: f64) -> Self {
        self.min_lr = min_lr;
        self
    }

    /// Checks the settings (torch's checks).
    ///
    /// # Errors
    /// `factor` outside `[0, 1)`, negative threshold or min_lr.
    pub fn validate(self) -> Result<Self, OptimError> {
        ensure(
            (0.0..1.0).contains(&self.factor),
            "ReduceLrOnPlateau",
            "factor must be in [0, 1)",
        )?;
        ensure(
            self.threshold >= 0.0,
            "ReduceLrOnPlateau",
            "threshold must be >= 0",
        )?;
        ensure(
            self.min_lr >= 0.0,
            "ReduceLrOnPlateau",
            "min_lr must be >= 0",
        )?;
        Ok(self)
    }

    fn is_better(&self, a: f64) -> bool {
        let best = self.best;
        match (self.mode, self.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => a < best * (1.0 - self.threshold),
            (PlateauMode::Min, ThresholdMode::Abs) => a < best - self.threshold,
            (PlateauMode::Max, ThresholdMode::Rel) => a > best * (self.threshold + 1.0),
            (PlateauMode::Max, ThresholdMode::Abs) => a > best + self.threshold,
        }
    }

    /// One schedule step with the metric of this step.
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, metric: f64) {
        self.update(optimizer, metric);
    }
}

impl Scheduler for ReduceLrOnPlateau {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, metric: f64) {
        if self.is_better(metric) {
            self.best = metric;
            self.num_bad = 0;
        } else {
            self.num_bad += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad = 0;
        }
        if self.num_bad > self.patience {
            let old = optimizer.lr();
            let new = (old * self.factor).max(self.min_lr);
            if old - new > self.eps {
                optimizer.set_lr(new);
            }
            self.cooldown_counter = self.cooldown;
            self.num_bad = 0;
        }
    }
}
