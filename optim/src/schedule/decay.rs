//! Multiplicative decays: [`StepLr`], [`MultiStepLr`], [`ExponentialLr`].

use autodiff_runtime::Float;

use crate::{ensure, OptimError, Optimizer};

use super::{Restart, Scheduler};

/// `torch.optim.lr_scheduler.StepLR`: multiplies the lr by `gamma` every `step_size` steps.
///
/// ```
/// use optim::{Optimizer, SgdConfig, StepLr};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = StepLr::new(2, 0.5).unwrap();
/// let mut lrs = Vec::new();
/// for _ in 0..5 {
///     schedule.step(&mut sgd);
///     lrs.push(sgd.lr());
/// }
/// assert_eq!(lrs, [1.0, 0.5, 0.5, 0.25, 0.25]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StepLr {
    pub(crate) step_size: u64,
    pub(crate) gamma: f64,
    pub(crate) last_epoch: u64,
}

impl StepLr {
    /// A step schedule.
    ///
    /// # Errors
    /// `step_size == 0` or a negative/non-finite `gamma`.
    ///
    /// ```
    /// use optim::StepLr;
    /// assert!(StepLr::new(10, 0.1).is_ok());
    /// assert!(StepLr::new(0, 0.1).is_err());
    /// assert!(StepLr::new(10, f64::NAN).is_err());
    /// ```
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
    ///
    /// ```
    /// use optim::{Optimizer, SgdConfig, StepLr};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = StepLr::new(1, 0.5).unwrap();
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.5);
    /// ```
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
///
/// ```
/// use optim::{ExponentialLr, Optimizer, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = ExponentialLr::new(0.5).unwrap();
/// for _ in 0..3 {
///     schedule.step(&mut sgd);
/// }
/// assert_eq!(sgd.lr(), 0.125);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ExponentialLr {
    pub(crate) gamma: f64,
}

impl ExponentialLr {
    /// An exponential schedule.
    ///
    /// # Errors
    /// A negative or non-finite `gamma`.
    ///
    /// ```
    /// use optim::ExponentialLr;
    /// assert!(ExponentialLr::new(0.9).is_ok());
    /// assert!(ExponentialLr::new(-0.9).is_err());
    /// ```
    pub fn new(gamma: f64) -> Result<Self, OptimError> {
        ensure(
            gamma >= 0.0 && gamma.is_finite(),
            "ExponentialLr",
            "gamma must be finite and >= 0",
        )?;
        Ok(ExponentialLr { gamma })
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{ExponentialLr, Optimizer, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = ExponentialLr::new(0.25).unwrap();
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.25);
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for ExponentialLr {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        optimizer.set_lr(optimizer.lr() * self.gamma);
    }
}

/// `torch.optim.lr_scheduler.MultiStepLR`: multiplies the lr by `gamma` at each milestone
/// epoch (by `gamma^k` at an epoch listed `k` times, as torch's `Counter`). The milestones are a
/// fixed-size array, in any order.
///
/// ```
/// use optim::{MultiStepLr, Optimizer, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = MultiStepLr::new([1, 3], 0.5).unwrap();
/// let mut lrs = Vec::new();
/// for _ in 0..4 {
///     schedule.step(&mut sgd);
///     lrs.push(sgd.lr());
/// }
/// assert_eq!(lrs, [0.5, 0.5, 0.25, 0.25]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MultiStepLr<const N: usize> {
    pub(crate) milestones: [u64; N],
    pub(crate) gamma: f64,
    pub(crate) last_epoch: u64,
}

impl<const N: usize> MultiStepLr<N> {
    /// A multi-step schedule (torch's default `gamma` is 0.1).
    ///
    /// # Errors
    /// A negative or non-finite `gamma`.
    ///
    /// ```
    /// use optim::MultiStepLr;
    /// assert!(MultiStepLr::new([30, 80], 0.1).is_ok());
    /// assert!(MultiStepLr::new([30, 80], f64::INFINITY).is_err());
    /// ```
    pub fn new(milestones: [u64; N], gamma: f64) -> Result<Self, OptimError> {
        ensure(
            gamma >= 0.0 && gamma.is_finite(),
            "MultiStepLr",
            "gamma must be finite and >= 0",
        )?;
        Ok(MultiStepLr {
            milestones,
            gamma,
            last_epoch: 0,
        })
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{MultiStepLr, Optimizer, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // Two milestones at the same epoch multiply twice, as in torch.
    /// let mut schedule = MultiStepLr::new([1, 1], 0.5).unwrap();
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.25);
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }

    /// How many milestones equal `epoch`.
    fn count(&self, epoch: u64) -> usize {
        self.milestones.iter().filter(|&&m| m == epoch).count()
    }
}

impl<const N: usize> Scheduler for MultiStepLr<N> {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        self.last_epoch += 1;
        let k = self.count(self.last_epoch);
        if k > 0 {
            // torch: group["lr"] * gamma ** milestones[last_epoch] (a Python float power).
            optimizer.set_lr(optimizer.lr() * crate::powf(self.gamma, k as f64));
        }
    }
}

impl<const N: usize> Restart for MultiStepLr<N> {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        // torch's closed form at epoch 0: base * gamma ** bisect_right(milestones, 0).
        self.last_epoch = 0;
        optimizer.set_lr(base_lr * crate::powf(self.gamma, self.count(0) as f64));
    }
}

impl Restart for StepLr {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        // torch's closed form at epoch 0: base * gamma ** 0.
        self.last_epoch = 0;
        optimizer.set_lr(base_lr * crate::powf(self.gamma, 0.0));
    }
}

impl Restart for ExponentialLr {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        optimizer.set_lr(base_lr * crate::powf(self.gamma, 0.0));
    }
}
