//! [`RmsProp`]: `torch.optim.RMSprop` (centered, momentum, weight decay).

use core::marker::PhantomData;

use autodiff_runtime::Float;

use crate::kernels::{Kernels, RmsPropStep};
use crate::{c, check_step, ensure, setters, OptimError, Optimizer, Storage};

/// Hyperparameters of [`RmsProp`], with torch's defaults (`lr = 1e-2`, `alpha = 0.99`,
/// `eps = 1e-8`).
///
/// ```
/// use optim::RmsPropConfig;
/// // torch's defaults.
/// let c = RmsPropConfig::default();
/// assert_eq!((c.lr, c.alpha, c.eps, c.momentum, c.centered), (1e-2, 0.99, 1e-8, 0.0, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RmsPropConfig {
    /// Learning rate (`>= 0`).
    pub lr: f64,
    /// Smoothing constant of the squared-gradient average (`>= 0`).
    pub alpha: f64,
    /// Added to the denominator (`>= 0`).
    pub eps: f64,
    /// L2 penalty added to the gradient (`>= 0`).
    pub weight_decay: f64,
    /// Momentum factor (`>= 0`).
    pub momentum: f64,
    /// Normalize by the estimated variance instead of the second moment.
    pub centered: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        RmsPropConfig {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            maximize: false,
        }
    }
}

impl RmsPropConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::RmsPropConfig;
        /// let config = RmsPropConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets alpha.
        ///
        /// ```
        /// use optim::RmsPropConfig;
        /// let config = RmsPropConfig::default().alpha(0.9);
        /// assert_eq!(config.alpha, 0.9);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        alpha: f64;
        /// Sets eps.
        ///
        /// ```
        /// use optim::RmsPropConfig;
        /// let config = RmsPropConfig::default().eps(1e-6);
        /// assert_eq!(config.eps, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eps: f64;
        /// Sets the weight decay.
        ///
        /// ```
        /// use optim::RmsPropConfig;
        /// let config = RmsPropConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Sets the momentum.
        ///
        /// ```
        /// use optim::RmsPropConfig;
        /// let config = RmsPropConfig::default().momentum(0.9);
        /// assert_eq!(config.momentum, 0.9);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        momentum: f64;
        /// Turns centering on or off.
        ///
        /// ```
        /// use optim::RmsPropConfig;
        /// let config = RmsPropConfig::default().centered(true);
        /// assert_eq!(config.centered, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        centered: bool;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::RmsPropConfig;
        /// let config = RmsPropConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    /// Checks the hyperparameters (torch's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `RmsProp`.
    ///
    /// ```
    /// use optim::{RmsPropConfig, OptimError};
    /// assert_eq!(RmsPropConfig::default().validate(), Ok(()));
    /// let e = RmsPropConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "RmsProp", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.lr >= 0.0, "RmsProp", "lr must be >= 0")?;
        ensure(self.eps >= 0.0, "RmsProp", "eps must be >= 0")?;
        ensure(self.momentum >= 0.0, "RmsProp", "momentum must be >= 0")?;
        ensure(
            self.weight_decay >= 0.0,
            "RmsProp",
            "weight_decay must be >= 0",
        )?;
        ensure(self.alpha >= 0.0, "RmsProp", "alpha must be >= 0")
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{RmsPropConfig, Optimizer};
    /// let mut opt = RmsPropConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(RmsPropConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<RmsProp<F, S>, OptimError> {
        self.validate()?;
        Ok(RmsProp {
            config: self,
            dim,
            square_avg: S::filled("RmsProp", dim, F::zero())?,
            grad_avg: S::filled("RmsProp", dim, F::zero())?,
            momentum_buffer: S::filled("RmsProp", dim, F::zero())?,
            _f: PhantomData,
        })
    }
}

/// `torch.optim.RMSprop`:
///
/// ```text
/// s = alpha*s + (1-alpha)*g*g;  avg = sqrt(s [- ga*ga, ga = lerp(ga, g, 1-alpha)]) + eps
/// momentum: buf = momentum*buf + g/avg; p -= lr*buf    else p -= lr*g/avg
/// ```
#[derive(Clone, Debug)]
pub struct RmsProp<F, S> {
    pub(crate) config: RmsPropConfig,
    pub(crate) dim: usize,
    pub(crate) square_avg: S,
    pub(crate) grad_avg: S,
    pub(crate) momentum_buffer: S,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> RmsProp<F, S> {
    /// The hyperparameters.
    ///
    /// ```
    /// use optim::{RmsPropConfig, Optimizer};
    /// let mut opt = RmsPropConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// assert_eq!(opt.config().alpha, 0.99);
    /// ```
    pub fn config(&self) -> &RmsPropConfig {
        &self.config
    }
    /// The squared-gradient average.
    ///
    /// ```
    /// use optim::{RmsPropConfig, Optimizer};
    /// let mut opt = RmsPropConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// // (1 - alpha) g^2 after one step.
    /// assert!((opt.square_avg()[0] - 0.04).abs() < 1e-12);
    /// ```
    pub fn square_avg(&self) -> &[F] {
        self.square_avg.as_ref()
    }
}

impl<F: Float, S: Storage<F>> Optimizer<F> for RmsProp<F, S> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn step(&mut self, params: &mut [F], grad: &[F]) {
        check_step("RmsProp", self.dim, params.len(), grad.len());
        let cfg = self.config;
        let k = RmsPropStep {
            alpha: c(cfg.alpha),
            w: c(1.0 - cfg.alpha),
            eps: c(cfg.eps),
            neg_lr: c(-cfg.lr),
            momentum: (cfg.momentum > 0.0).then(|| c(cfg.momentum)),
            centered: cfg.centered,
            maximize: cfg.maximize,
            weight_decay: cfg.weight_decay,
        };
        Kernels::get().rmsprop(
            params,
            grad,
            self.square_avg.as_mut(),
            self.grad_avg.as_mut(),
            self.momentum_buffer.as_mut(),
            k,
        );
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
    fn reset(&mut self) {
        self.square_avg.as_mut().fill(F::zero());
        self.grad_avg.as_mut().fill(F::zero());
        self.momentum_buffer.as_mut().fill(F::zero());
    }
}
