//! [`Adadelta`]: `torch.optim.Adadelta`.

use core::marker::PhantomData;

use autodiff_runtime::Float;

use crate::kernels::{AdadeltaStep, Kernels};
use crate::{c, check_step, ensure, setters, OptimError, Optimizer, Storage};

/// Hyperparameters of [`Adadelta`], with torch's defaults (`lr = 1.0`, `rho = 0.9`,
/// `eps = 1e-6`).
///
/// ```
/// use optim::AdadeltaConfig;
/// // torch's defaults.
/// let c = AdadeltaConfig::default();
/// assert_eq!((c.lr, c.rho, c.eps, c.weight_decay), (1.0, 0.9, 1e-6, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AdadeltaConfig {
    /// Scale of the delta before it is applied (`>= 0`).
    pub lr: f64,
    /// Running-average coefficient, in `[0, 1]`.
    pub rho: f64,
    /// Added inside the square roots (`>= 0`).
    pub eps: f64,
    /// L2 penalty added to the gradient (`>= 0`).
    pub weight_decay: f64,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for AdadeltaConfig {
    fn default() -> Self {
        AdadeltaConfig {
            lr: 1.0,
            rho: 0.9,
            eps: 1e-6,
            weight_decay: 0.0,
            maximize: false,
        }
    }
}

impl AdadeltaConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::AdadeltaConfig;
        /// let config = AdadeltaConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets rho.
        ///
        /// ```
        /// use optim::AdadeltaConfig;
        /// let config = AdadeltaConfig::default().rho(0.8);
        /// assert_eq!(config.rho, 0.8);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        rho: f64;
        /// Sets eps.
        ///
        /// ```
        /// use optim::AdadeltaConfig;
        /// let config = AdadeltaConfig::default().eps(1e-6);
        /// assert_eq!(config.eps, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eps: f64;
        /// Sets the weight decay.
        ///
        /// ```
        /// use optim::AdadeltaConfig;
        /// let config = AdadeltaConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::AdadeltaConfig;
        /// let config = AdadeltaConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    /// Checks the hyperparameters (torch's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Adadelta`.
    ///
    /// ```
    /// use optim::{AdadeltaConfig, OptimError};
    /// assert_eq!(AdadeltaConfig::default().validate(), Ok(()));
    /// let e = AdadeltaConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "Adadelta", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.lr >= 0.0, "Adadelta", "lr must be >= 0")?;
        ensure(
            (0.0..=1.0).contains(&self.rho),
            "Adadelta",
            "rho must be in [0, 1]",
        )?;
        ensure(self.eps >= 0.0, "Adadelta", "eps must be >= 0")?;
        ensure(
            self.weight_decay >= 0.0,
            "Adadelta",
            "weight_decay must be >= 0",
        )
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{AdadeltaConfig, Optimizer};
    /// let mut opt = AdadeltaConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(AdadeltaConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<Adadelta<F, S>, OptimError> {
        self.validate()?;
        Ok(Adadelta {
            config: self,
            dim,
            square_avg: S::filled("Adadelta", dim, F::zero())?,
            acc_delta: S::filled("Adadelta", dim, F::zero())?,
            _f: PhantomData,
        })
    }
}

/// `torch.optim.Adadelta`:
///
/// ```text
/// s = rho*s + (1-rho)*g*g;  delta = sqrt(acc + eps) / sqrt(s + eps) * g
/// acc = rho*acc + (1-rho)*delta*delta;  p -= lr*delta
/// ```
#[derive(Clone, Debug)]
pub struct Adadelta<F, S> {
    pub(crate) config: AdadeltaConfig,
    pub(crate) dim: usize,
    pub(crate) square_avg: S,
    pub(crate) acc_delta: S,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> Optimizer<F> for Adadelta<F, S> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn step(&mut self, params: &mut [F], grad: &[F]) {
        check_step("Adadelta", self.dim, params.len(), grad.len());
        let cfg = self.config;
        let k = AdadeltaStep {
            rho: c(cfg.rho),
            w: c(1.0 - cfg.rho),
            eps: c(cfg.eps),
            neg_lr: c(-cfg.lr),
            maximize: cfg.maximize,
            weight_decay: cfg.weight_decay,
        };
        let (sq, acc) = (self.square_avg.as_mut(), self.acc_delta.as_mut());
        Kernels::get().adadelta(params, grad, sq, acc, k);
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
    fn reset(&mut self) {
        self.square_avg.as_mut().fill(F::zero());
        self.acc_delta.as_mut().fill(F::zero());
    }
}
