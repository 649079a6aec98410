//! [`AdamW`]: `torch.optim.AdamW`, Adam with decoupled weight decay.

use autodiff_runtime::Float;

use crate::{setters, Adam, AdamConfig, OptimError, Optimizer, Storage};

/// Hyperparameters of [`AdamW`], with torch's defaults (`lr = 1e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`, `weight_decay = 1e-2`).
///
/// ```
/// use optim::AdamWConfig;
/// // torch's defaults.
/// let c = AdamWConfig::default();
/// assert_eq!((c.lr, c.betas, c.eps, c.weight_decay), (1e-3, (0.9, 0.999), 1e-8, 1e-2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AdamWConfig {
    /// Learning rate (`>= 0`).
    pub lr: f64,
    /// `(beta1, beta2)`, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator (`>= 0`).
    pub eps: f64,
    /// Decoupled weight decay: `p *= 1 - lr*weight_decay` before the Adam update (`>= 0`).
    pub weight_decay: f64,
    /// Use the maximum of past second moments (AMSGrad).
    pub amsgrad: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        AdamWConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 1e-2,
            amsgrad: false,
            maximize: false,
        }
    }
}

impl AdamWConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::AdamWConfig;
        /// let config = AdamWConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets `(beta1, beta2)`.
        ///
        /// ```
        /// use optim::AdamWConfig;
        /// let config = AdamWConfig::default().betas((0.8, 0.99));
        /// assert_eq!(config.betas, (0.8, 0.99));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        betas: (f64, f64);
        /// Sets eps.
        ///
        /// ```
        /// use optim::AdamWConfig;
        /// let config = AdamWConfig::default().eps(1e-6);
        /// assert_eq!(config.eps, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eps: f64;
        /// Sets the decoupled weight decay.
        ///
        /// ```
        /// use optim::AdamWConfig;
        /// let config = AdamWConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Turns AMSGrad on or off.
        ///
        /// ```
        /// use optim::AdamWConfig;
        /// let config = AdamWConfig::default().amsgrad(true);
        /// assert_eq!(config.amsgrad, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        amsgrad: bool;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::AdamWConfig;
        /// let config = AdamWConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    fn adam(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            betas: self.betas,
            eps: self.eps,
            weight_decay: self.weight_decay,
            amsgrad: self.amsgrad,
            maximize: self.maximize,
        }
    }

    /// Checks the hyperparameters.
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `AdamW`.
    ///
    /// ```
    /// use optim::{AdamWConfig, OptimError};
    /// assert_eq!(AdamWConfig::default().validate(), Ok(()));
    /// let e = AdamWConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "AdamW", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        self.adam().validate_as("AdamW")
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{AdamWConfig, Optimizer};
    /// let mut opt = AdamWConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(AdamWConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<AdamW<F, S>, OptimError> {
        Ok(AdamW(self.adam().build_as("AdamW", true, dim)?))
    }
}

/// `torch.optim.AdamW`: [`Adam`] whose weight decay shrinks the parameters directly
/// (`p *= 1 - lr*weight_decay`) instead of entering the moments.
///
/// ```
/// use optim::{AdamWConfig, Optimizer};
/// let mut opt = AdamWConfig::default().lr(0.1).weight_decay(0.5).build::<f64, [f64; 1]>(1).unwrap();
/// let mut x = [2.0];
/// // With a zero gradient only the decoupled decay acts: x *= 1 - lr * weight_decay.
/// opt.step(&mut x, &[0.0]);
/// assert!((x[0] - 1.9).abs() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct AdamW<F, S>(pub(crate) Adam<F, S>);

impl<F: Float, S: Storage<F>> AdamW<F, S> {
    /// The underlying Adam state (moments, step count).
    ///
    /// ```
    /// use optim::{AdamWConfig, Optimizer};
    /// let mut opt = AdamWConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// assert_eq!(opt.inner().steps(), 1);
    /// ```
    pub fn inner(&self) -> &Adam<F, S> {
        &self.0
    }
}

impl<F: Float, S: Storage<F>> Optimizer<F> for AdamW<F, S> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn step(&mut self, params: &mut [F], grad: &[F]) {
        self.0.step(params, grad);
    }
    fn lr(&self) -> f64 {
        self.0.lr()
    }
    fn set_lr(&mut self, lr: f64) {
        self.0.set_lr(lr);
    }
    fn reset(&mut self) {
        self.0.reset();
    }
}
