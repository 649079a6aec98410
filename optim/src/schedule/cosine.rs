//! Cosine annealing: [`CosineAnnealingLr`] (recursive, as torch) and
//! [`CosineAnnealingWarmRestarts`] (closed form, as torch).

use core::f64::consts::PI;

use autodiff_runtime::{Float, Scalar};

use crate::{ensure, OptimError, Optimizer};

use super::{Epochs, Restart, Scheduler};

/// `torch.optim.lr_scheduler.CosineAnnealingLR` (torch's recursive form): from the base lr
/// down to `eta_min` over `t_max` steps, then back up, periodically.
///
/// The base lr is the optimizer's lr at the first [`Scheduler::update`].
///
/// ```
/// use optim::{CosineAnnealingLr, Optimizer, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = CosineAnnealingLr::new(2, 0.0).unwrap();
/// schedule.step(&mut sgd);
/// assert!((sgd.lr() - 0.5).abs() < 1e-15); // halfway down
/// schedule.step(&mut sgd);
/// assert!(sgd.lr().abs() < 1e-15); // at eta_min after t_max steps
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CosineAnnealingLr {
    pub(crate) t_max: u64,
    pub(crate) eta_min: f64,
    pub(crate) base_lr: Option<f64>,
    pub(crate) last_epoch: u64,
}

impl CosineAnnealingLr {
    /// A cosine schedule with half-period `t_max` and floor `eta_min`.
    ///
    /// # Errors
    /// `t_max == 0` or a negative/non-finite `eta_min`.
    ///
    /// ```
    /// use optim::CosineAnnealingLr;
    /// assert!(CosineAnnealingLr::new(100, 1e-5).is_ok());
    /// assert!(CosineAnnealingLr::new(0, 1e-5).is_err());
    /// assert!(CosineAnnealingLr::new(100, -1.0).is_err());
    /// ```
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
    ///
    /// ```
    /// use optim::{CosineAnnealingLr, Optimizer, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = CosineAnnealingLr::new(1, 0.25).unwrap();
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.25);
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for CosineAnnealingLr {
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        // torch's constructor: the base lr, and the lr unchanged at epoch 0.
        self.base_lr.get_or_insert(optimizer.lr());
    }
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

impl Restart for CosineAnnealingLr {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        // torch's closed form at epoch 0.
        self.base_lr = Some(base_lr);
        self.last_epoch = 0;
        let e = self.eta_min;
        optimizer.set_lr(e + (base_lr - e) * (1.0 + Scalar::cos(0.0)) / 2.0);
    }
}

/// `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts` (SGDR): within a period of `T_i`
/// steps, `lr = eta_min + (base - eta_min) (1 + cos(pi T_cur / T_i)) / 2` (torch's closed form),
/// restarting at the base lr after `T_i` steps, with `T_i` multiplied by `t_mult` at each
/// restart (`T_0 = t_0`).
///
/// ```
/// use optim::{CosineAnnealingWarmRestarts, Optimizer, Scheduler, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = CosineAnnealingWarmRestarts::new(2, 1, 0.0).unwrap();
/// schedule.start(&mut sgd);
/// let mut lrs = Vec::new();
/// for _ in 0..4 {
///     schedule.step(&mut sgd);
///     lrs.push(sgd.lr());
/// }
/// // Periods of 2 steps: halfway down, then back to the base lr.
/// assert!((lrs[0] - 0.5).abs() < 1e-15 && (lrs[2] - 0.5).abs() < 1e-15);
/// assert_eq!((lrs[1], lrs[3]), (1.0, 1.0));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CosineAnnealingWarmRestarts {
    pub(crate) t_0: u64,
    pub(crate) t_mult: u64,
    pub(crate) eta_min: f64,
    pub(crate) t_i: u64,
    pub(crate) t_cur: u64,
    pub(crate) epochs: Epochs,
}

impl CosineAnnealingWarmRestarts {
    /// A warm-restart schedule (torch's defaults: `t_mult = 1`, `eta_min = 0`).
    ///
    /// # Errors
    /// `t_0 == 0`, `t_mult == 0` or a non-finite `eta_min`.
    ///
    /// ```
    /// use optim::CosineAnnealingWarmRestarts;
    /// assert!(CosineAnnealingWarmRestarts::new(10, 2, 0.0).is_ok());
    /// assert!(CosineAnnealingWarmRestarts::new(0, 2, 0.0).is_err());
    /// assert!(CosineAnnealingWarmRestarts::new(10, 0, 0.0).is_err());
    /// ```
    pub fn new(t_0: u64, t_mult: u64, eta_min: f64) -> Result<Self, OptimError> {
        ensure(t_0 > 0, "CosineAnnealingWarmRestarts", "t_0 must be > 0")?;
        ensure(
            t_mult >= 1,
            "CosineAnnealingWarmRestarts",
            "t_mult must be >= 1",
        )?;
        ensure(
            eta_min.is_finite(),
            "CosineAnnealingWarmRestarts",
            "eta_min must be finite",
        )?;
        Ok(CosineAnnealingWarmRestarts {
            t_0,
            t_mult,
            eta_min,
            t_i: t_0,
            t_cur: 0,
            epochs: Epochs::default(),
        })
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{CosineAnnealingWarmRestarts, Optimizer, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // A period of one step restarts at the base lr every step.
    /// let mut schedule = CosineAnnealingWarmRestarts::new(1, 1, 0.0).unwrap();
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 1.0);
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }

    fn lr(&self, base: f64) -> f64 {
        let e = self.eta_min;
        let angle = PI * self.t_cur as f64 / self.t_i as f64;
        e + (base - e) * (1.0 + Scalar::cos(angle)) / 2.0
    }
}

impl Scheduler for CosineAnnealingWarmRestarts {
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        if self.epochs.start(optimizer.lr()) {
            self.restart(optimizer, optimizer.lr());
        }
    }

    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        self.start(optimizer);
        let (base, _) = self.epochs.advance(optimizer.lr());
        self.t_cur += 1;
        if self.t_cur >= self.t_i {
            self.t_cur %= self.t_i;
            self.t_i = self.t_i.saturating_mul(self.t_mult);
        }
        optimizer.set_lr(self.lr(base));
    }
}

impl Restart for CosineAnnealingWarmRestarts {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        // torch's epoch 0 (its constructor, or `_update_lr(0)` in `SequentialLR`).
        self.epochs.base = Some(base_lr);
        self.epochs.last_epoch = 0;
        self.t_cur = 0;
        self.t_i = self.t_0;
        optimizer.set_lr(self.lr(base_lr));
    }
}
