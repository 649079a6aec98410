//! [`AdamW`]: `torch.optim.AdamW`, Adam with decoupled weight decay.

use autodiff_runtime::Float;

use crate::{setters, Adam, AdamConfig, OptimError, Optimizer, Storage};

/// Hyperparameters of [`AdamW`], with torch's defaults (`lr = 1e-3`, `betas = (0.9, 0.999)`,
/// `eps = 1e-8`, `weight_decay = 1e-2`).
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
        lr: f64;
        /// Sets `(beta1, beta2)`.
        betas: (f64, f64);
        /// Sets eps.
        eps: f64;
        /// Sets the decoupled weight decay.
        weight_decay: f64;
        /// Turns AMSGrad on or off.
        amsgrad: bool;
        /// Maximize instead of minimize.
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
    pub fn validate(&self) -> Result<(), OptimError> {
        self.adam().validate_as("AdamW")
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<AdamW<F, S>, OptimError> {
        Ok(AdamW(self.adam().build_as("AdamW", true, dim)?))
    }
}

/// `torch.optim.AdamW`: [`Adam`] whose weight decay shrinks the parameters directly
/// (`p *= 1 - lr*weight_decay`) instead of entering the moments.
#[derive(Clone, Debug)]
pub struct AdamW<F, S>(pub(crate) Adam<F, S>);

impl<F: Float, S: Storage<F>> AdamW<F, S> {
    /// The underlying Adam state (moments, step count).
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
