//! [`Sgd`]: stochastic gradient descent with momentum, dampening, Nesterov, weight decay, as
//! `torch.optim.SGD`.

use core::marker::PhantomData;

use autodiff_runtime::Float;

use crate::kernels::{Kernels, SgdStep};
use crate::{c, check_step, ensure, setters, OptimError, Optimizer, Storage};

/// Hyperparameters of [`Sgd`], with torch's defaults (`lr = 1e-3`, everything else off).
///
/// ```
/// use optim::SgdConfig;
/// // torch's defaults.
/// let c = SgdConfig::default();
/// assert_eq!((c.lr, c.momentum, c.dampening, c.nesterov), (1e-3, 0.0, 0.0, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SgdConfig {
    /// Learning rate (`>= 0`).
    pub lr: f64,
    /// Momentum factor (`>= 0`).
    pub momentum: f64,
    /// Dampening of the momentum buffer's gradient term (not applied to the first step).
    pub dampening: f64,
    /// L2 penalty added to the gradient (`>= 0`).
    pub weight_decay: f64,
    /// Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
    pub nesterov: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig {
            lr: 1e-3,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            maximize: false,
        }
    }
}

impl SgdConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::SgdConfig;
        /// let config = SgdConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets the momentum factor.
        ///
        /// ```
        /// use optim::SgdConfig;
        /// let config = SgdConfig::default().momentum(0.9);
        /// assert_eq!(config.momentum, 0.9);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        momentum: f64;
        /// Sets the dampening.
        ///
        /// ```
        /// use optim::SgdConfig;
        /// let config = SgdConfig::default().dampening(0.1);
        /// assert_eq!(config.dampening, 0.1);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        dampening: f64;
        /// Sets the weight decay.
        ///
        /// ```
        /// use optim::SgdConfig;
        /// let config = SgdConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Turns Nesterov momentum on or off.
        ///
        /// ```
        /// use optim::SgdConfig;
        /// let config = SgdConfig::default().momentum(0.9).nesterov(true);
        /// assert_eq!(config.nesterov, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        nesterov: bool;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::SgdConfig;
        /// let config = SgdConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    /// Checks the hyperparameters (torch's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Sgd` and the offending value.
    ///
    /// ```
    /// use optim::{SgdConfig, OptimError};
    /// assert_eq!(SgdConfig::default().validate(), Ok(()));
    /// let e = SgdConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "Sgd", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.lr >= 0.0, "Sgd", "lr must be >= 0")?;
        ensure(self.momentum >= 0.0, "Sgd", "momentum must be >= 0")?;
        ensure(
            self.dampening.is_finite(),
            "Sgd",
            "dampening must be finite",
        )?;
        ensure(self.weight_decay >= 0.0, "Sgd", "weight_decay must be >= 0")?;
        ensure(
            !self.nesterov || (self.momentum > 0.0 && self.dampening == 0.0),
            "Sgd",
            "nesterov momentum requires momentum > 0 and zero dampening",
        )
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{SgdConfig, Optimizer};
    /// let mut opt = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(SgdConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<Sgd<F, S>, OptimError> {
        self.validate()?;
        Ok(Sgd {
            config: self,
            dim,
            buf: S::filled("Sgd", dim, F::zero())?,
            has_buf: false,
            _f: PhantomData,
        })
    }
}

/// `torch.optim.SGD`:
///
/// ```text
/// g = ±grad + weight_decay*p
/// buf = g (first step) | momentum*buf + (1-dampening)*g
/// g = g + momentum*buf (nesterov) | buf
/// p = p - lr*g
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<F, S> {
    pub(crate) config: SgdConfig,
    pub(crate) dim: usize,
    pub(crate) buf: S,
    pub(crate) has_buf: bool,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> Sgd<F, S> {
    /// The hyperparameters.
    ///
    /// ```
    /// use optim::{SgdConfig, Optimizer};
    /// let mut opt = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// assert_eq!(opt.config().momentum, 0.0);
    /// ```
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }
    /// The momentum buffer (zeros before the first step or without momentum).
    ///
    /// ```
    /// use optim::{SgdConfig, Optimizer};
    /// let mut opt = SgdConfig::default().lr(0.1).momentum(0.9).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// // The first step stores the gradient itself.
    /// assert_eq!(opt.momentum_buffer(), [2.0, -4.0]);
    /// ```
    pub fn momentum_buffer(&self) -> &[F] {
        self.buf.as_ref()
    }
}

impl<F: Float, S: Storage<F>> Optimizer<F> for Sgd<F, S> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn step(&mut self, params: &mut [F], grad: &[F]) {
        check_step("Sgd", self.dim, params.len(), grad.len());
        let cfg = &self.config;
        let k = SgdStep {
            neg_lr: c(-cfg.lr),
            momentum: (cfg.momentum != 0.0).then(|| c(cfg.momentum)),
            one_minus_damp: c(1.0 - cfg.dampening),
            has_buf: self.has_buf,
            nesterov: cfg.nesterov,
            maximize: cfg.maximize,
            weight_decay: cfg.weight_decay,
        };
        Kernels::get().sgd(params, grad, self.buf.as_mut(), k);
        if cfg.momentum != 0.0 {
            self.has_buf = true;
        }
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
    fn reset(&mut self) {
        self.buf.as_mut().fill(F::zero());
        self.has_buf = false;
    }
}
