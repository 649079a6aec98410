//! Factor schedules, often used as warm-up: [`LinearLr`] and [`PolynomialLr`] (recursive, as
//! torch's `get_lr`) and [`LambdaLr`] (a closure of the epoch, closed form as torch).

use autodiff_runtime::Float;

use crate::{ensure, OptimError, Optimizer};

use super::{Epochs, Restart, Scheduler};

/// `torch.optim.lr_scheduler.LinearLR`: the lr times a factor going linearly from
/// `start_factor` (at [`Scheduler::start`]) to `end_factor` over `total_iters` steps, then
/// constant. torch's defaults: `1/3`, `1`, `5`.
///
/// ```
/// use optim::{LinearLr, Optimizer, Scheduler, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = LinearLr::new(0.5, 1.0, 2).unwrap();
/// schedule.start(&mut sgd);
/// assert_eq!(sgd.lr(), 0.5);
/// schedule.step(&mut sgd);
/// assert_eq!(sgd.lr(), 0.75);
/// schedule.step(&mut sgd);
/// schedule.step(&mut sgd);
/// assert_eq!(sgd.lr(), 1.0); // constant after total_iters
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LinearLr {
    pub(crate) start_factor: f64,
    pub(crate) end_factor: f64,
    pub(crate) total_iters: u64,
    pub(crate) epochs: Epochs,
}

impl LinearLr {
    /// A linear schedule.
    ///
    /// # Errors
    /// `start_factor` outside `(0, 1]` or `end_factor` outside `[0, 1]` (torch's checks).
    ///
    /// ```
    /// use optim::LinearLr;
    /// assert!(LinearLr::new(1.0 / 3.0, 1.0, 5).is_ok());
    /// assert!(LinearLr::new(0.0, 1.0, 5).is_err());
    /// assert!(LinearLr::new(0.5, 1.5, 5).is_err());
    /// ```
    pub fn new(start_factor: f64, end_factor: f64, total_iters: u64) -> Result<Self, OptimError> {
        ensure(
            start_factor > 0.0 && start_factor <= 1.0,
            "LinearLr",
            "start_factor must be in (0, 1]",
        )?;
        ensure(
            (0.0..=1.0).contains(&end_factor),
            "LinearLr",
            "end_factor must be in [0, 1]",
        )?;
        Ok(LinearLr {
            start_factor,
            end_factor,
            total_iters,
            epochs: Epochs::default(),
        })
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{LinearLr, Optimizer, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // Without `start`, the first step starts the schedule, then advances it.
    /// let mut schedule = LinearLr::new(0.5, 1.0, 1).unwrap();
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 1.0);
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for LinearLr {
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        if self.epochs.start(optimizer.lr()) {
            optimizer.set_lr(optimizer.lr() * self.start_factor);
        }
    }

    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        self.start(optimizer);
        let (_, e) = self.epochs.advance(optimizer.lr());
        if e > self.total_iters {
            return;
        }
        let (s, d) = (self.start_factor, self.end_factor - self.start_factor);
        let factor = 1.0 + d / (self.total_iters as f64 * s + (e - 1) as f64 * d);
        optimizer.set_lr(optimizer.lr() * factor);
    }
}

impl Restart for LinearLr {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        // torch's closed form at epoch 0: base * (start + (end - start) * 0 / total_iters).
        self.epochs.base = Some(base_lr);
        self.epochs.last_epoch = 0;
        let zero = if self.total_iters == 0 {
            0.0
        } else {
            (self.end_factor - self.start_factor) * 0.0 / self.total_iters as f64
        };
        optimizer.set_lr(base_lr * (self.start_factor + zero));
    }
}

/// `torch.optim.lr_scheduler.PolynomialLR`: the lr decays as `(1 - t / total_iters)^power` to 0
/// over `total_iters` steps (recursively, as torch), then stays. torch's defaults: `5`, `1`.
///
/// ```
/// use optim::{Optimizer, PolynomialLr, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// // Linear decay (power 1) to 0 over 4 steps.
/// let mut schedule = PolynomialLr::new(4, 1.0).unwrap();
/// let mut lrs = Vec::new();
/// for _ in 0..5 {
///     schedule.step(&mut sgd);
///     lrs.push(sgd.lr());
/// }
/// assert_eq!(lrs, [0.75, 0.5, 0.25, 0.0, 0.0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct PolynomialLr {
    pub(crate) total_iters: u64,
    pub(crate) power: f64,
    pub(crate) last_epoch: u64,
}

impl PolynomialLr {
    /// A polynomial decay.
    ///
    /// # Errors
    /// `total_iters == 0` (torch divides by it) or a negative or non-finite `power`.
    ///
    /// ```
    /// use optim::PolynomialLr;
    /// assert!(PolynomialLr::new(5, 1.0).is_ok());
    /// assert!(PolynomialLr::new(0, 1.0).is_err());
    /// assert!(PolynomialLr::new(5, -2.0).is_err());
    /// ```
    pub fn new(total_iters: u64, power: f64) -> Result<Self, OptimError> {
        ensure(total_iters > 0, "PolynomialLr", "total_iters must be > 0")?;
        ensure(
            power >= 0.0 && power.is_finite(),
            "PolynomialLr",
            "power must be finite and >= 0",
        )?;
        Ok(PolynomialLr {
            total_iters,
            power,
            last_epoch: 0,
        })
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{Optimizer, PolynomialLr, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = PolynomialLr::new(2, 2.0).unwrap();
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.25); // (1 - 1/2)^2
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for PolynomialLr {
    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        self.last_epoch += 1;
        let e = self.last_epoch;
        if e > self.total_iters {
            return;
        }
        let t = self.total_iters as f64;
        let ratio = (1.0 - e as f64 / t) / (1.0 - (e - 1) as f64 / t);
        optimizer.set_lr(optimizer.lr() * crate::powf(ratio, self.power));
    }
}

impl Restart for PolynomialLr {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        // torch's closed form at epoch 0: base * (1 - 0 / total_iters) ** power.
        self.last_epoch = 0;
        optimizer.set_lr(base_lr * crate::powf(1.0 - 0.0 / self.total_iters as f64, self.power));
    }
}

/// `torch.optim.lr_scheduler.LambdaLR`: `lr = base * lambda(epoch)` with a closure of the epoch
/// (epoch 0 at [`Scheduler::start`], then 1, 2, ... at each update).
///
/// ```
/// use optim::{LambdaLr, Optimizer, Scheduler, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// // Warm-up over 4 steps: lr = base * (epoch + 1) / 4, then base.
/// let mut schedule = LambdaLr::new(|epoch: u64| ((epoch + 1) as f64 / 4.0).min(1.0));
/// schedule.start(&mut sgd);
/// assert_eq!(sgd.lr(), 0.25);
/// schedule.step(&mut sgd);
/// assert_eq!(sgd.lr(), 0.5);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LambdaLr<L> {
    pub(crate) lambda: L,
    pub(crate) epochs: Epochs,
}

impl<L: FnMut(u64) -> f64> LambdaLr<L> {
    /// A schedule from a closure of the epoch.
    ///
    /// ```
    /// use optim::{LambdaLr, Optimizer, Scheduler, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut halve = LambdaLr::new(|epoch: u64| 0.5f64.powi(epoch as i32));
    /// halve.start(&mut sgd);
    /// halve.step(&mut sgd);
    /// halve.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.25);
    /// ```
    pub fn new(lambda: L) -> Self {
        LambdaLr {
            lambda,
            epochs: Epochs::default(),
        }
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{LambdaLr, Optimizer, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // The closed form from the base lr: not compounded.
    /// let mut schedule = LambdaLr::new(|epoch: u64| if epoch == 0 { 1.0 } else { 0.1 });
    /// schedule.step(&mut sgd);
    /// schedule.step(&mut sgd);
    /// assert_eq!(sgd.lr(), 0.1);
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl<L: FnMut(u64) -> f64> Scheduler for LambdaLr<L> {
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        let lr = optimizer.lr();
        if self.epochs.start(lr) {
            optimizer.set_lr(lr * (self.lambda)(0));
        }
    }

    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        self.start(optimizer);
        let (base, e) = self.epochs.advance(optimizer.lr());
        optimizer.set_lr(base * (self.lambda)(e));
    }
}

impl<L: FnMut(u64) -> f64> Restart for LambdaLr<L> {
    fn restart<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, base_lr: f64) {
        self.epochs.base = Some(base_lr);
        self.epochs.last_epoch = 0;
        optimizer.set_lr(base_lr * (self.lambda)(0));
    }
}
