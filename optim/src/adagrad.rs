//! [`Adagrad`]: `torch.optim.Adagrad` (lr decay, initial accumulator, weight decay).

use core::marker::PhantomData;

use autodiff_runtime::Float;

use crate::kernels::{AdagradStep, Kernels};
use crate::{c, check_step, ensure, setters, OptimError, Optimizer, Storage};

/// Hyperparameters of [`Adagrad`], with torch's defaults (`lr = 1e-2`, `eps = 1e-10`).
///
/// ```
/// use optim::AdagradConfig;
/// // torch's defaults.
/// let c = AdagradConfig::default();
/// assert_eq!((c.lr, c.lr_decay, c.initial_accumulator_value, c.eps), (1e-2, 0.0, 0.0, 1e-10));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AdagradConfig {
    /// Learning rate (`>= 0`).
    pub lr: f64,
    /// The step `t` uses `lr / (1 + (t-1)*lr_decay)` (`>= 0`).
    pub lr_decay: f64,
    /// L2 penalty added to the gradient (`>= 0`).
    pub weight_decay: f64,
    /// Starting value of the sum of squared gradients (`>= 0`).
    pub initial_accumulator_value: f64,
    /// Added to the denominator (`>= 0`).
    pub eps: f64,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for AdagradConfig {
    fn default() -> Self {
        AdagradConfig {
            lr: 1e-2,
            lr_decay: 0.0,
            weight_decay: 0.0,
            initial_accumulator_value: 0.0,
            eps: 1e-10,
            maximize: false,
        }
    }
}

impl AdagradConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::AdagradConfig;
        /// let config = AdagradConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets the lr decay.
        ///
        /// ```
        /// use optim::AdagradConfig;
        /// let config = AdagradConfig::default().lr_decay(0.01);
        /// assert_eq!(config.lr_decay, 0.01);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr_decay: f64;
        /// Sets the weight decay.
        ///
        /// ```
        /// use optim::AdagradConfig;
        /// let config = AdagradConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Sets the initial accumulator value.
        ///
        /// ```
        /// use optim::AdagradConfig;
        /// let config = AdagradConfig::default().initial_accumulator_value(0.1);
        /// assert_eq!(config.initial_accumulator_value, 0.1);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        initial_accumulator_value: f64;
        /// Sets eps.
        ///
        /// ```
        /// use optim::AdagradConfig;
        /// let config = AdagradConfig::default().eps(1e-6);
        /// assert_eq!(config.eps, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eps: f64;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::AdagradConfig;
        /// let config = AdagradConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    /// Checks the hyperparameters (torch's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Adagrad`.
    ///
    /// ```
    /// use optim::{AdagradConfig, OptimError};
    /// assert_eq!(AdagradConfig::default().validate(), Ok(()));
    /// let e = AdagradConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "Adagrad", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.lr >= 0.0, "Adagrad", "lr must be >= 0")?;
        ensure(self.lr_decay >= 0.0, "Adagrad", "lr_decay must be >= 0")?;
        ensure(
            self.weight_decay >= 0.0,
            "Adagrad",
            "weight_decay must be >= 0",
        )?;
        ensure(
            self.initial_accumulator_value >= 0.0,
            "Adagrad",
            "initial_accumulator_value must be >= 0",
        )?;
        ensure(self.eps >= 0.0, "Adagrad", "eps must be >= 0")
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{AdagradConfig, Optimizer};
    /// let mut opt = AdagradConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(AdagradConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<Adagrad<F, S>, OptimError> {
        self.validate()?;
        Ok(Adagrad {
            config: self,
            dim,
            step: 0,
            sum: S::filled("Adagrad", dim, c(self.initial_accumulator_value))?,
            _f: PhantomData,
        })
    }
}

/// `torch.optim.Adagrad`:
///
/// ```text
/// t += 1;  clr = lr / (1 + (t-1)*lr_decay);  sum += g*g;  p -= clr * g / (sqrt(sum) + eps)
/// ```
#[derive(Clone, Debug)]
pub struct Adagrad<F, S> {
    pub(crate) config: AdagradConfig,
    pub(crate) dim: usize,
    pub(crate) step: u64,
    pub(crate) sum: S,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> Adagrad<F, S> {
    /// The sum of squared gradients.
    ///
    /// ```
    /// use optim::{AdagradConfig, Optimizer};
    /// let mut opt = AdagradConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// assert_eq!(opt.sum(), [4.0, 16.0]);
    /// ```
    pub fn sum(&self) -> &[F] {
        self.sum.as_ref()
    }
}

impl<F: Float, S: Storage<F>> Optimizer<F> for Adagrad<F, S> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn step(&mut self, params: &mut [F], grad: &[F]) {
        check_step("Adagrad", self.dim, params.len(), grad.len());
        let cfg = self.config;
        self.step += 1;
        let clr = cfg.lr / (1.0 + (self.step as f64 - 1.0) * cfg.lr_decay);
        let k = AdagradStep {
            neg_clr: c(-clr),
            eps: c(cfg.eps),
            maximize: cfg.maximize,
            weight_decay: cfg.weight_decay,
        };
        Kernels::get().adagrad(params, grad, self.sum.as_mut(), k);
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
    fn reset(&mut self) {
        self.step = 0;
        self.sum
            .as_mut()
            .fill(c(self.config.initial_accumulator_value));
    }
}
