//! [`RAdam`]: `torch.optim.RAdam` (rectified Adam).

use core::marker::PhantomData;

use autodiff_runtime::Float;

use crate::kernels::{Decay, Kernels, RAdamStep};
use crate::{c, check_step, ensure, powf, setters, OptimError, Optimizer, Storage};

/// Hyperparameters of [`RAdam`], with torch's defaults (`lr = 1e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`).
///
/// ```
/// use optim::RAdamConfig;
/// // torch's defaults.
/// let c = RAdamConfig::default();
/// assert_eq!((c.lr, c.betas, c.eps, c.decoupled_weight_decay), (1e-3, (0.9, 0.999), 1e-8, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RAdamConfig {
    /// Learning rate (`>= 0`).
    pub lr: f64,
    /// `(beta1, beta2)`, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator (`>= 0`).
    pub eps: f64,
    /// Weight decay (`>= 0`): L2, or decoupled with `decoupled_weight_decay`.
    pub weight_decay: f64,
    /// Decoupled weight decay (`p *= 1 - lr*weight_decay`).
    pub decoupled_weight_decay: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for RAdamConfig {
    fn default() -> Self {
        RAdamConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled_weight_decay: false,
            maximize: false,
        }
    }
}

impl RAdamConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::RAdamConfig;
        /// let config = RAdamConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets `(beta1, beta2)`.
        ///
        /// ```
        /// use optim::RAdamConfig;
        /// let config = RAdamConfig::default().betas((0.8, 0.99));
        /// assert_eq!(config.betas, (0.8, 0.99));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        betas: (f64, f64);
        /// Sets eps.
        ///
        /// ```
        /// use optim::RAdamConfig;
        /// let config = RAdamConfig::default().eps(1e-6);
        /// assert_eq!(config.eps, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eps: f64;
        /// Sets the weight decay.
        ///
        /// ```
        /// use optim::RAdamConfig;
        /// let config = RAdamConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Decoupled weight decay on or off.
        ///
        /// ```
        /// use optim::RAdamConfig;
        /// let config = RAdamConfig::default().decoupled_weight_decay(true);
        /// assert_eq!(config.decoupled_weight_decay, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        decoupled_weight_decay: bool;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::RAdamConfig;
        /// let config = RAdamConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    /// Checks the hyperparameters (torch's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `RAdam`.
    ///
    /// ```
    /// use optim::{RAdamConfig, OptimError};
    /// assert_eq!(RAdamConfig::default().validate(), Ok(()));
    /// let e = RAdamConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "RAdam", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.lr >= 0.0, "RAdam", "lr must be >= 0")?;
        ensure(self.eps >= 0.0, "RAdam", "eps must be >= 0")?;
        ensure(
            (0.0..1.0).contains(&self.betas.0),
            "RAdam",
            "beta1 must be in [0, 1)",
        )?;
        ensure(
            (0.0..1.0).contains(&self.betas.1),
            "RAdam",
            "beta2 must be in [0, 1)",
        )?;
        ensure(
            self.weight_decay >= 0.0,
            "RAdam",
            "weight_decay must be >= 0",
        )
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{RAdamConfig, Optimizer};
    /// let mut opt = RAdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(RAdamConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<RAdam<F, S>, OptimError> {
        self.validate()?;
        Ok(RAdam {
            config: self,
            dim,
            step: 0,
            exp_avg: S::filled("RAdam", dim, F::zero())?,
            exp_avg_sq: S::filled("RAdam", dim, F::zero())?,
            _f: PhantomData,
        })
    }
}

/// `torch.optim.RAdam`:
///
/// ```text
/// m = lerp(m, g, 1-beta1);  v = beta2*v + (1-beta2)*g*g;  mhat = m/(1-beta1^t)
/// rho_inf = 2/(1-beta2) - 1;  rho_t = rho_inf - 2t*beta2^t/(1-beta2^t)
/// rho_t > 5: p -= mhat*lr * sqrt(1-beta2^t)/(sqrt(v)+eps) * r_t     else: p -= mhat*lr
/// ```
#[derive(Clone, Debug)]
pub struct RAdam<F, S> {
    pub(crate) config: RAdamConfig,
    pub(crate) dim: usize,
    pub(crate) step: u64,
    pub(crate) exp_avg: S,
    pub(crate) exp_avg_sq: S,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> Optimizer<F> for RAdam<F, S> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn step(&mut self, params: &mut [F], grad: &[F]) {
        check_step("RAdam", self.dim, params.len(), grad.len());
        let cfg = self.config;
        self.step += 1;
        let t = self.step as f64;
        let (beta1, beta2) = cfg.betas;
        let bias_correction1 = 1.0 - powf(beta1, t);
        let bias_correction2 = 1.0 - powf(beta2, t);
        let rho_inf = 2.0 / (1.0 - beta2) - 1.0;
        let rho_t = rho_inf - 2.0 * t * powf(beta2, t) / bias_correction2;
        let rect: F = c(powf(
            (rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t),
            0.5,
        ));
        let k = RAdamStep {
            w1: c(1.0 - beta1),
            b2: c(beta2),
            w2: c(1.0 - beta2),
            eps: c(cfg.eps),
            bc1: c(bias_correction1),
            bc2_sqrt: c(powf(bias_correction2, 0.5)),
            lr: c(cfg.lr),
            rect: (rho_t > 5.0).then_some(rect),
            decay: Decay::new(cfg.decoupled_weight_decay, cfg.weight_decay, cfg.lr),
            maximize: cfg.maximize,
        };
        let (m, v) = (self.exp_avg.as_mut(), self.exp_avg_sq.as_mut());
        Kernels::get().radam(params, grad, m, v, k);
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
    fn reset(&mut self) {
        self.step = 0;
        self.exp_avg.as_mut().fill(F::zero());
        self.exp_avg_sq.as_mut().fill(F::zero());
    }
}
