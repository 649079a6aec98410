//! [`ReduceLrOnPlateau`]: lower the lr when the metric stops improving.

use autodiff_runtime::Float;

use crate::{ensure, OptimError, Optimizer};

use super::Scheduler;

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
    pub(crate) mode: PlateauMode,
    pub(crate) factor: f64,
    pub(crate) patience: u64,
    pub(crate) threshold: f64,
    pub(crate) threshold_mode: ThresholdMode,
    pub(crate) cooldown: u64,
    pub(crate) min_lr: f64,
    pub(crate) eps: f64,
    pub(crate) best: f64,
    pub(crate) num_bad: u64,
    pub(crate) cooldown_counter: u64,
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
