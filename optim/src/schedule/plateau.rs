//! [`ReduceLrOnPlateau`]: lower the lr when the metric stops improving.

use autodiff_runtime::Float;

use crate::{ensure, OptimError, Optimizer};

use super::Scheduler;

/// Whether [`ReduceLrOnPlateau`] minimizes or maximizes its metric.
///
/// ```
/// use optim::{PlateauMode, ReduceLrOnPlateau};
/// let schedule = ReduceLrOnPlateau::new().mode(PlateauMode::Max);
/// assert!(schedule.validate().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlateauMode {
    /// Lower is better (torch's default).
    Min,
    /// Higher is better.
    Max,
}

/// How [`ReduceLrOnPlateau`] measures a significant improvement.
///
/// ```
/// use optim::{ReduceLrOnPlateau, ThresholdMode};
/// let schedule = ReduceLrOnPlateau::new().threshold(0.01, ThresholdMode::Abs);
/// assert!(schedule.validate().is_ok());
/// ```
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
///
/// ```
/// use optim::{Optimizer, ReduceLrOnPlateau, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = ReduceLrOnPlateau::new().patience(1).factor(0.5).validate().unwrap();
/// for loss in [3.0, 2.0, 2.0, 2.0] {
///     schedule.step(&mut sgd, loss);
/// }
/// // Two steps without improvement (more than `patience`): the lr is halved.
/// assert_eq!(sgd.lr(), 0.5);
/// ```
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
    ///
    /// ```
    /// use optim::{Optimizer, ReduceLrOnPlateau, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // torch's defaults: patience 10, factor 0.1.
    /// let mut schedule = ReduceLrOnPlateau::new();
    /// for _ in 0..12 {
    ///     schedule.step(&mut sgd, 1.0);
    /// }
    /// assert_eq!(sgd.lr(), 0.1);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the mode (and resets the best value).
    ///
    /// ```
    /// use optim::{Optimizer, PlateauMode, ReduceLrOnPlateau, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // Maximizing an accuracy: a falling metric is no improvement.
    /// let mut schedule = ReduceLrOnPlateau::new().mode(PlateauMode::Max).patience(0).factor(0.5);
    /// schedule.step(&mut sgd, 0.9);
    /// schedule.step(&mut sgd, 0.8);
    /// assert_eq!(sgd.lr(), 0.5);
    /// ```
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
    ///
    /// ```
    /// use optim::ReduceLrOnPlateau;
    /// assert!(ReduceLrOnPlateau::new().factor(0.5).validate().is_ok());
    /// assert!(ReduceLrOnPlateau::new().factor(1.0).validate().is_err());
    /// ```
    #[must_use]
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }
    /// Sets the patience.
    ///
    /// ```
    /// use optim::{Optimizer, ReduceLrOnPlateau, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = ReduceLrOnPlateau::new().patience(2).factor(0.5);
    /// for _ in 0..3 {
    ///     schedule.step(&mut sgd, 1.0); // the first sets the best, two bad ones are tolerated
    /// }
    /// assert_eq!(sgd.lr(), 1.0);
    /// schedule.step(&mut sgd, 1.0);
    /// assert_eq!(sgd.lr(), 0.5);
    /// ```
    #[must_use]
    pub fn patience(mut self, patience: u64) -> Self {
        self.patience = patience;
        self
    }
    /// Sets the threshold and its mode.
    ///
    /// ```
    /// use optim::{Optimizer, ReduceLrOnPlateau, SgdConfig, ThresholdMode};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // An improvement must beat the best by 0.5 (absolute).
    /// let mut schedule = ReduceLrOnPlateau::new().patience(0).factor(0.5).threshold(0.5, ThresholdMode::Abs);
    /// schedule.step(&mut sgd, 2.0);
    /// schedule.step(&mut sgd, 1.9);
    /// assert_eq!(sgd.lr(), 0.5);
    /// ```
    #[must_use]
    pub fn threshold(mut self, threshold: f64, mode: ThresholdMode) -> Self {
        self.threshold = threshold;
        self.threshold_mode = mode;
        self
    }
    /// Sets the cooldown.
    ///
    /// ```
    /// use optim::{Optimizer, ReduceLrOnPlateau, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = ReduceLrOnPlateau::new().patience(0).factor(0.5).cooldown(2);
    /// for _ in 0..4 {
    ///     schedule.step(&mut sgd, 1.0);
    /// }
    /// // Reduced at the second step, then two steps of cooldown.
    /// assert_eq!(sgd.lr(), 0.5);
    /// ```
    #[must_use]
    pub fn cooldown(mut self, cooldown: u64) -> Self {
        self.cooldown = cooldown;
        self
    }
    /// Sets the minimum lr.
    ///
    /// ```
    /// use optim::{Optimizer, ReduceLrOnPlateau, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = ReduceLrOnPlateau::new().patience(0).factor(0.1).min_lr(0.05);
    /// for _ in 0..5 {
    ///     schedule.step(&mut sgd, 1.0);
    /// }
    /// assert_eq!(sgd.lr(), 0.05);
    /// ```
    #[must_use]
    pub fn min_lr(mut self, min_lr: f64) -> Self {
        self.min_lr = min_lr;
        self
    }

    /// Checks the settings (torch's checks).
    ///
    /// # Errors
    /// `factor` outside `[0, 1)`, negative threshold or min_lr.
    ///
    /// ```
    /// use optim::{ReduceLrOnPlateau, ThresholdMode};
    /// assert!(ReduceLrOnPlateau::new().validate().is_ok());
    /// assert!(ReduceLrOnPlateau::new().threshold(-1.0, ThresholdMode::Rel).validate().is_err());
    /// assert!(ReduceLrOnPlateau::new().min_lr(-1.0).validate().is_err());
    /// ```
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
    ///
    /// ```
    /// use optim::{Optimizer, ReduceLrOnPlateau, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = ReduceLrOnPlateau::new().patience(0);
    /// schedule.step(&mut sgd, 1.0);
    /// schedule.step(&mut sgd, 0.5); // an improvement: the lr stays
    /// assert_eq!(sgd.lr(), 1.0);
    /// ```
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
