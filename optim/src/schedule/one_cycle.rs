//! [`OneCycleLr`]: torch's 1cycle policy (closed form per step, as torch's `get_lr`).

use core::f64::consts::PI;

use autodiff_runtime::{Float, Scalar};

use crate::{ensure, OptimError, Optimizer};

use super::Scheduler;

/// How [`OneCycleLr`] goes from one lr to the next within a phase (torch's `anneal_strategy`).
///
/// ```
/// use optim::{Anneal, OneCycleLr};
/// let cos = OneCycleLr::with(0.1, 100, 0.3, Anneal::Cos, 25.0, 1e4, false);
/// let linear = OneCycleLr::with(0.1, 100, 0.3, Anneal::Linear, 25.0, 1e4, false);
/// assert!(cos.is_ok() && linear.is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anneal {
    /// `end + (start - end) / 2 (cos(pi pct) + 1)` (torch's default `"cos"`).
    Cos,
    /// `(end - start) pct + start` (`"linear"`).
    Linear,
}

impl Anneal {
    fn apply(self, start: f64, end: f64, pct: f64) -> f64 {
        match self {
            Anneal::Cos => end + (start - end) / 2.0 * (Scalar::cos(PI * pct) + 1.0),
            Anneal::Linear => (end - start) * pct + start,
        }
    }
}

/// `torch.optim.lr_scheduler.OneCycleLR`: from `max_lr / div_factor` up to `max_lr` over the
/// first `pct_start` of `total_steps`, then down to `max_lr / div_factor / final_div_factor`
/// (with `three_phase`, back to the initial lr first, then down). It sets the lr itself: the
/// optimizer's lr at [`Scheduler::start`] is ignored, as in torch.
///
/// torch's defaults: `pct_start = 0.3`, [`Anneal::Cos`], `div_factor = 25`,
/// `final_div_factor = 1e4`, two phases. Differences: momentum is not cycled (the
/// [`Optimizer`] trait exposes only the lr; this is torch's `cycle_momentum=False`), and updates
/// past `total_steps` leave the lr unchanged where torch raises `ValueError`.
///
/// ```
/// use optim::{OneCycleLr, Optimizer, Scheduler, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = OneCycleLr::new(0.5, 10).unwrap();
/// schedule.start(&mut sgd);
/// assert!((sgd.lr() - 0.5 / 25.0).abs() < 1e-15); // max_lr / div_factor
/// for _ in 0..9 {
///     schedule.step(&mut sgd);
/// }
/// assert!((sgd.lr() - 0.5 / 25.0 / 1e4).abs() < 1e-15); // the floor at the last step
/// ```
#[derive(Clone, Copy, Debug)]
pub struct OneCycleLr {
    pub(crate) total_steps: u64,
    /// `(end_step, start_lr, end_lr)` per phase; `phases` of them are used.
    pub(crate) phase: [(f64, f64, f64); 3],
    pub(crate) phases: usize,
    pub(crate) anneal: Anneal,
    pub(crate) last_epoch: u64,
    pub(crate) started: bool,
}

impl OneCycleLr {
    /// A two-phase 1cycle schedule with torch's defaults: `pct_start = 0.3`, cosine annealing,
    /// `div_factor = 25`, `final_div_factor = 1e4`.
    ///
    /// # Errors
    /// As [`OneCycleLr::with`].
    ///
    /// ```
    /// use optim::OneCycleLr;
    /// assert!(OneCycleLr::new(0.1, 100).is_ok());
    /// assert!(OneCycleLr::new(0.1, 0).is_err());
    /// assert!(OneCycleLr::new(-0.1, 100).is_err());
    /// ```
    pub fn new(max_lr: f64, total_steps: u64) -> Result<Self, OptimError> {
        Self::with(max_lr, total_steps, 0.3, Anneal::Cos, 25.0, 1e4, false)
    }

    /// A 1cycle schedule with every setting.
    ///
    /// # Errors
    /// `total_steps == 0`, `pct_start` outside `[0, 1]`, `max_lr` negative or non-finite,
    /// division factors not finite and `> 0`, or a phase of zero length (where torch divides by
    /// zero).
    ///
    /// ```
    /// use optim::{Anneal, OneCycleLr, Optimizer, Scheduler, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// // Linear annealing, from 1/10 up to max_lr at step 4, down to 1/100 at step 9.
    /// let mut schedule = OneCycleLr::with(1.0, 10, 0.5, Anneal::Linear, 10.0, 10.0, false).unwrap();
    /// schedule.start(&mut sgd);
    /// assert!((sgd.lr() - 0.1).abs() < 1e-15);
    /// for _ in 0..4 {
    ///     schedule.step(&mut sgd);
    /// }
    /// assert!((sgd.lr() - 1.0).abs() < 1e-15);
    /// for _ in 0..5 {
    ///     schedule.step(&mut sgd);
    /// }
    /// assert!((sgd.lr() - 0.01).abs() < 1e-15);
    /// assert!(OneCycleLr::with(1.0, 11, 1.5, Anneal::Cos, 25.0, 1e4, false).is_err());
    /// ```
    pub fn with(
        max_lr: f64,
        total_steps: u64,
        pct_start: f64,
        anneal: Anneal,
        div_factor: f64,
        final_div_factor: f64,
        three_phase: bool,
    ) -> Result<Self, OptimError> {
        const C: &str = "OneCycleLr";
        ensure(total_steps > 0, C, "total_steps must be > 0")?;
        ensure(
            (0.0..=1.0).contains(&pct_start),
            C,
            "pct_start must be in [0, 1]",
        )?;
        ensure(
            max_lr >= 0.0 && max_lr.is_finite(),
            C,
            "max_lr must be finite and >= 0",
        )?;
        let positive = |v: f64| v > 0.0 && v.is_finite();
        ensure(
            positive(div_factor) && positive(final_div_factor),
            C,
            "div_factor and final_div_factor must be finite and > 0",
        )?;
        let initial = max_lr / div_factor;
        let min = initial / final_div_factor;
        let t = total_steps as f64;
        let (phase, phases) = if three_phase {
            let p = [
                (pct_start * t - 1.0, initial, max_lr),
                (2.0 * pct_start * t - 2.0, max_lr, initial),
                (t - 1.0, initial, min),
            ];
            (p, 3)
        } else {
            let p = [
                (pct_start * t - 1.0, initial, max_lr),
                (t - 1.0, max_lr, min),
            ];
            ([p[0], p[1], p[1]], 2)
        };
        let mut start = 0.0;
        for &(end, _, _) in &phase[..phases] {
            ensure(
                end != start,
                C,
                "a phase has zero length; change pct_start or total_steps",
            )?;
            start = end;
        }
        Ok(OneCycleLr {
            total_steps,
            phase,
            phases,
            anneal,
            last_epoch: 0,
            started: false,
        })
    }

    /// The lr at step `step_num` (torch's `get_lr`).
    fn lr_at(&self, step_num: u64) -> f64 {
        let s = step_num as f64;
        let mut start_step = 0.0;
        for (i, &(end_step, start_lr, end_lr)) in self.phase[..self.phases].iter().enumerate() {
            if s <= end_step || i == self.phases - 1 {
                let pct = (s - start_step) / (end_step - start_step);
                return self.anneal.apply(start_lr, end_lr, pct);
            }
            start_step = end_step;
        }
        // Unreachable: the last phase always returns.
        self.phase[self.phases - 1].2
    }

    /// One schedule step (after an optimizer step).
    ///
    /// ```
    /// use optim::{OneCycleLr, Optimizer, SgdConfig};
    /// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
    /// let mut schedule = OneCycleLr::new(1.0, 10).unwrap();
    /// schedule.step(&mut sgd); // starts the schedule (lr 1/25), then steps up
    /// assert!(sgd.lr() > 1.0 / 25.0 && sgd.lr() < 1.0);
    /// ```
    pub fn step<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        self.update(optimizer, 0.0);
    }
}

impl Scheduler for OneCycleLr {
    fn start<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O) {
        if !self.started {
            self.started = true;
            self.last_epoch = 0;
            optimizer.set_lr(self.lr_at(0));
        }
    }

    fn update<F: Float, O: Optimizer<F> + ?Sized>(&mut self, optimizer: &mut O, _metric: f64) {
        self.start(optimizer);
        if self.last_epoch >= self.total_steps {
            return;
        }
        self.last_epoch += 1;
        optimizer.set_lr(self.lr_at(self.last_epoch));
    }
}
