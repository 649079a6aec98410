//! [`Adam`]: `torch.optim.Adam` (with AMSGrad and L2 weight decay).

use core::marker::PhantomData;

use autodiff_runtime::Float;

use crate::kernels::{AdamStep, Decay, Kernels};
use crate::{c, check_step, ensure, powf, setters, OptimError, Optimizer, Storage};

/// Hyperparameters of [`Adam`], with torch's defaults (`lr = 1e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`).
///
/// ```
/// use optim::AdamConfig;
/// // torch's defaults.
/// let c = AdamConfig::default();
/// assert_eq!((c.lr, c.betas, c.eps, c.weight_decay), (1e-3, (0.9, 0.999), 1e-8, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AdamConfig {
    /// Learning rate (`>= 0`).
    pub lr: f64,
    /// `(beta1, beta2)`, each in `[0, 1)`.
    pub betas: (f64, f64),
    /// Added to the denominator (`>= 0`).
    pub eps: f64,
    /// L2 penalty added to the gradient (`>= 0`); decoupled in [`crate::AdamW`].
    pub weight_decay: f64,
    /// Use the maximum of past second moments (AMSGrad).
    pub amsgrad: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
        }
    }
}

impl AdamConfig {
    setters! {
        /// Sets the learning rate.
        ///
        /// ```
        /// use optim::AdamConfig;
        /// let config = AdamConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets `(beta1, beta2)`.
        ///
        /// ```
        /// use optim::AdamConfig;
        /// let config = AdamConfig::default().betas((0.8, 0.99));
        /// assert_eq!(config.betas, (0.8, 0.99));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        betas: (f64, f64);
        /// Sets eps.
        ///
        /// ```
        /// use optim::AdamConfig;
        /// let config = AdamConfig::default().eps(1e-6);
        /// assert_eq!(config.eps, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eps: f64;
        /// Sets the (L2) weight decay.
        ///
        /// ```
        /// use optim::AdamConfig;
        /// let config = AdamConfig::default().weight_decay(0.02);
        /// assert_eq!(config.weight_decay, 0.02);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        weight_decay: f64;
        /// Turns AMSGrad on or off.
        ///
        /// ```
        /// use optim::AdamConfig;
        /// let config = AdamConfig::default().amsgrad(true);
        /// assert_eq!(config.amsgrad, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        amsgrad: bool;
        /// Maximize instead of minimize.
        ///
        /// ```
        /// use optim::AdamConfig;
        /// let config = AdamConfig::default().maximize(true);
        /// assert_eq!(config.maximize, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        maximize: bool;
    }

    pub(crate) fn validate_as(&self, component: &'static str) -> Result<(), OptimError> {
        ensure(self.lr >= 0.0, component, "lr must be >= 0")?;
        ensure(self.eps >= 0.0, component, "eps must be >= 0")?;
        ensure(
            (0.0..1.0).contains(&self.betas.0),
            component,
            "beta1 must be in [0, 1)",
        )?;
        ensure(
            (0.0..1.0).contains(&self.betas.1),
            component,
            "beta2 must be in [0, 1)",
        )?;
        ensure(
            self.weight_decay >= 0.0,
            component,
            "weight_decay must be >= 0",
        )
    }

    /// Checks the hyperparameters (torch's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Adam`.
    ///
    /// ```
    /// use optim::{AdamConfig, OptimError};
    /// assert_eq!(AdamConfig::default().validate(), Ok(()));
    /// let e = AdamConfig::default().lr(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "Adam", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        self.validate_as("Adam")
    }

    pub(crate) fn build_as<F: Float, S: Storage<F>>(
        self,
        component: &'static str,
        decoupled: bool,
        dim: usize,
    ) -> Result<Adam<F, S>, OptimError> {
        self.validate_as(component)?;
        Ok(Adam {
            config: self,
            decoupled,
            component,
            dim,
            step: 0,
            exp_avg: S::filled(component, dim, F::zero())?,
            exp_avg_sq: S::filled(component, dim, F::zero())?,
            max_exp_avg_sq: S::filled(component, dim, F::zero())?,
            _f: PhantomData,
        })
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{AdamConfig, Optimizer};
    /// let mut opt = AdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// let mut x = [1.0, -1.0];
    /// opt.step(&mut x, &[2.0, -2.0]);
    /// // One step moves each parameter against its gradient.
    /// assert!(x[0] < 1.0 && x[1] > -1.0);
    /// assert_eq!(opt.dim(), 2);
    /// // Fixed-size storage must hold the dimension.
    /// assert!(AdamConfig::default().build::<f64, [f64; 3]>(2).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<Adam<F, S>, OptimError> {
        self.build_as("Adam", false, dim)
    }
}

/// `torch.optim.Adam` (and, with decoupled weight decay, `AdamW`):
///
/// ```text
/// t += 1;  g = ±grad (+ weight_decay*p, or p *= 1 - lr*weight_decay if decoupled)
/// m = lerp(m, g, 1-beta1);  v = beta2*v + (1-beta2)*g*g  [vmax = max(vmax, v)]
/// p = p - (lr/(1-beta1^t)) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)
/// ```
#[derive(Clone, Debug)]
pub struct Adam<F, S> {
    pub(crate) config: AdamConfig,
    pub(crate) decoupled: bool,
    pub(crate) component: &'static str,
    pub(crate) dim: usize,
    pub(crate) step: u64,
    pub(crate) exp_avg: S,
    pub(crate) exp_avg_sq: S,
    pub(crate) max_exp_avg_sq: S,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> Adam<F, S> {
    /// The hyperparameters.
    ///
    /// ```
    /// use optim::{AdamConfig, Optimizer};
    /// let mut opt = AdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// assert_eq!(opt.config().lr, 0.1);
    /// ```
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }
    /// Steps taken.
    ///
    /// ```
    /// use optim::{AdamConfig, Optimizer};
    /// let mut opt = AdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// assert_eq!(opt.steps(), 1);
    /// ```
    pub fn steps(&self) -> u64 {
        self.step
    }
    /// First moment `exp_avg`.
    ///
    /// ```
    /// use optim::{AdamConfig, Optimizer};
    /// let mut opt = AdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// // (1 - beta1) g after one step.
    /// assert!((opt.exp_avg()[0] - 0.2).abs() < 1e-12 && (opt.exp_avg()[1] + 0.4).abs() < 1e-12);
    /// ```
    pub fn exp_avg(&self) -> &[F] {
        self.exp_avg.as_ref()
    }
    /// Second moment `exp_avg_sq`.
    ///
    /// ```
    /// use optim::{AdamConfig, Optimizer};
    /// let mut opt = AdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// // (1 - beta2) g^2 after one step.
    /// assert!((opt.exp_avg_sq()[1] - 0.016).abs() < 1e-12);
    /// ```
    pub fn exp_avg_sq(&self) -> &[F] {
        self.exp_avg_sq.as_ref()
    }
    /// AMSGrad's running maximum of `exp_avg_sq` (zeros without AMSGrad).
    ///
    /// ```
    /// use optim::{AdamConfig, Optimizer};
    /// let mut opt = AdamConfig::default().lr(0.1).amsgrad(true).build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[2.0, -4.0]);
    /// assert_eq!(opt.max_exp_avg_sq(), opt.exp_avg_sq());
    /// ```
    pub fn max_exp_avg_sq(&self) -> &[F] {
        self.max_exp_avg_sq.as_ref()
    }
}

impl<F: Float, S: Storage<F>> Optimizer<F> for Adam<F, S> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn step(&mut self, params: &mut [F], grad: &[F]) {
        check_step(self.component, self.dim, params.len(), grad.len());
        let cfg = self.config;
        self.step += 1;
        let t = self.step as f64;
        let (beta1, beta2) = cfg.betas;
        // Python floats, as torch computes them.
        let bias_correction1 = 1.0 - powf(beta1, t);
        let bias_correction2 = 1.0 - powf(beta2, t);
        let step_size = cfg.lr / bias_correction1;
        let k = AdamStep {
            w1: c(1.0 - beta1),
            b2: c(beta2),
            w2: c(1.0 - beta2),
            eps: c(cfg.eps),
            bc2_sqrt: c(powf(bias_correction2, 0.5)),
            neg_step_size: c(-step_size),
            decay: Decay::new(self.decoupled, cfg.weight_decay, cfg.lr),
            maximize: cfg.maximize,
            amsgrad: cfg.amsgrad,
        };
        Kernels::get().adam(
            params,
            grad,
            self.exp_avg.as_mut(),
            self.exp_avg_sq.as_mut(),
            self.max_exp_avg_sq.as_mut(),
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
        self.step = 0;
        self.exp_avg.as_mut().fill(F::zero());
        self.exp_avg_sq.as_mut().fill(F::zero());
        self.max_exp_avg_sq.as_mut().fill(F::zero());
    }
}
