//! [`NAdam`]: `torch.optim.NAdam` (Adam with Nesterov momentum and momentum decay).

use core::marker::PhantomData;

use autodiff_runtime::Float;

use crate::kernels::{Decay, Kernels, NAdamStep};
use crate::{c, check_step, ensure, powf, setters, OptimError, Optimizer, Storage};

/// Hyperparameters of [`NAdam`], with torch's defaults (`lr = 2e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`, `momentum_decay = 4e-3`).
///
/// ```
/// use optim::NAdamConfig;
/// // torch's defaults.
/// let c = NAdamConfig::default();
/// assert_eq!((c.lr, c.betas, c.momentum_decay, c.decoupled_weight_decay), (2e-3, (0.9, 0.999), 4e-3, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct NAdamConfig {
    /// Learning rate (`>= 0`).
    pub lr: f64,
    /// `(beta1, beta2)`, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator (`>= 0`).
    pub eps: f64,
    /// Weight decay (`>= 0`): L2, or decoupled (AdamW style) with `decoupled_weight_decay`.
    pub weight_decay: f64,
    /// `mu_t = beta1 * (1 - 0.5 * 0.96^(t*momentum_decay))` (`>= 0`).
    pub momentum_decay: f64,
    /// Decoupled weight decay (`p *= 1 - lr*weight_decay`).
    pub decoupled_weight_decay: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for NAdamConfig {
    fn default() -> Self {
        NAdamConfig {
            lr: 2e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            momentum_decay: 4e-3,
            decoupled_weight_decay: false,
            maximize: false,
        }
    }
}

impl NAdamConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::NAdamConfig;
        /// let config = NAdamConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets `(beta1, beta2)`.
        ///
        /// ```
        /// use optim::NAdamConfig;
        /// let config = NAdamConfig::default().betas((0.8, 0.99));
        /// assert_eq!(config.betas, (0.8, 0.99));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        betas: (f64, f64);
        /// Sets eps.
        ///
        /// ```
        /// use optim::NAdamConfig;
        /// let config = NAdamConfig::default().eps(1e-6);
        /// assert_eq!(config.eps, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eps: f64;
        /// Sets the weight decay.
        ///
        /// ```
        /// use optim::NAdamConfig;
        /// let config = NAdamConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Sets the momentum decay.
        ///
        /// ```
        /// use optim::NAdamConfig;
        /// let config = NAdamConfig::default().momentum_decay(5e-3);
        /// assert_eq!(config.momentum_decay, 5e-3);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        momentum_decay: f64;
        /// Decoupled weight decay on or off.
        ///
        /// ```
        /// use optim::NAdamConfig;
        /// let config = NAdamConfig::default().decoupled_weight_decay(true);
        /// assert_eq!(config.decoupled_weight_decay, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        decoupled_weight_decay: bool;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::NAdamConfig;
        /// let config = NAdamConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    /// Checks the hyperparameters (torch's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `NAdam`.
    ///
    /// ```
    /// use optim::{NAdamConfig, OptimError};
    /// assert_eq!(NAdamConfig::default().validate(), Ok(()));
    /// let e = NAdamConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "NAdam", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.lr >= 0.0, "NAdam", "lr must be >= 0")?;
        ensure(self.eps >= 0.0, "NAdam", "eps must be >= 0")?;
        ensure(
            (0.0..1.0).contains(&self.betas.0),
            "NAdam",
            "beta1 must be in [0, 1)",
        )?;
        ensure(
            (0.0..1.0).contains(&self.betas.1),
            "NAdam",
            "beta2 must be in [0, 1)",
        )?;
        ensure(
            self.weight_decay >= 0.0,
            "NAdam",
            "weight_decay must be >= 0",
        )?;
        ensure(
            self.momentum_decay >= 0.0,
            "NAdam",
            "momentum_decay must be >= 0",
        )
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{NAdamConfig, Optimizer};
    /// let mut opt = NAdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(NAdamConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<NAdam<F, S>, OptimError> {
        self.validate()?;
        Ok(NAdam {
            config: self,
            dim,
            step: 0,
            mu_product: F::one(),
            exp_avg: S::filled("NAdam", dim, F::zero())?,
            exp_avg_sq: S::filled("NAdam", dim, F::zero())?,
            _f: PhantomData,
        })
    }
}

/// `torch.optim.NAdam`:
///
/// ```text
/// mu_t = beta1*(1 - 0.5*0.96^(t*psi));  prod *= mu_t
/// m = lerp(m, g, 1-beta1);  v = beta2*v + (1-beta2)*g*g;  d = sqrt(v/(1-beta2^t)) + eps
/// p -= lr*(1-mu_t)/(1-prod) * g/d;  p -= lr*mu_{t+1}/(1-prod*mu_{t+1}) * m/d
/// ```
///
/// The running product `mu_product` is kept in `F`, as torch keeps it in a tensor of the default
/// dtype (assumed to be the parameters' dtype).
#[derive(Clone, Debug)]
pub struct NAdam<F, S> {
    pub(crate) config: NAdamConfig,
    pub(crate) dim: usize,
    pub(crate) step: u64,
    pub(crate) mu_product: F,
    pub(crate) exp_avg: S,
    pub(crate) exp_avg_sq: S,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> Optimizer<F> for NAdam<F, S> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn step(&mut self, params: &mut [F], grad: &[F]) {
        check_step("NAdam", self.dim, params.len(), grad.len());
        let cfg = self.config;
        self.step += 1;
        let t = self.step as f64;
        let (beta1, beta2) = cfg.betas;
        let bias_correction2: F = c(1.0 - powf(beta2, t));
        let mu = beta1 * (1.0 - 0.5 * powf(0.96, t * cfg.momentum_decay));
        let mu_next = beta1 * (1.0 - 0.5 * powf(0.96, (t + 1.0) * cfg.momentum_decay));
        self.mu_product *= c::<F>(mu);
        let mu_product = self.mu_product.to_f64();
        let mu_product_next = mu_product * mu_next;
        let value_g: F = c(-cfg.lr * (1.0 - mu) / (1.0 - mu_product));
        let value_m: F = c((-cfg.lr * mu_next) / (1.0 - mu_product_next));
        let k = NAdamStep {
            w1: c(1.0 - beta1),
            b2: c(beta2),
            w2: c(1.0 - beta2),
            eps: c(cfg.eps),
            bias_correction2,
            value_g,
            value_m,
            decay: Decay::new(cfg.decoupled_weight_decay, cfg.weight_decay, cfg.lr),
            maximize: cfg.maximize,
        };
        let (m, v) = (self.exp_avg.as_mut(), self.exp_avg_sq.as_mut());
        Kernels::get().nadam(params, grad, m, v, k);
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.config.lr = lr;
    }
    fn reset(&mut self) {
        self.step = 0;
        self.mu_product = F::one();
        self.exp_avg.as_mut().fill(F::zero());
        self.exp_avg_sq.as_mut().fill(F::zero());
    }
}
