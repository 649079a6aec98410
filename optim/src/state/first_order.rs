//! The states of the first-order optimizers: torch's per-parameter state (`step`, moment
//! buffers, under torch's names) and the param group's hyperparameters.

use core::marker::PhantomData;

use autodiff_runtime::Float;

use super::{check_len, StateError, Stateful};
use crate::{
    Adadelta, AdadeltaConfig, Adagrad, AdagradConfig, Adam, AdamConfig, AdamW, AdamWConfig, NAdam,
    NAdamConfig, OptimError, RAdam, RAdamConfig, RmsProp, RmsPropConfig, Sgd, SgdConfig, Storage,
};

/// One state type per optimizer, with [`Stateful`] and `from_state`: `plain` fields are copied,
/// `buffers` (one `S` each, length `dim`) are checked against the dimension.
macro_rules! first_order_state {
    ($(
        $(#[$doc:meta])*
        $State:ident for $Opt:ident ($Config:ty, $check:expr) {
            plain: [$( $(#[$pdoc:meta])* $plain:ident: $pty:ty = $pfield:ident, )*]
            buffers: [$( $(#[$bdoc:meta])* $buf:ident = $bfield:ident, )+]
        }
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(bound(
            serialize = "F: serde::Serialize, S: AsRef<[F]>",
            deserialize = "F: serde::Deserialize<'de>, S: Storage<F>"
        )))]
        pub struct $State<F, S> {
            /// The hyperparameters (torch's `param_groups[0]`), with the current learning rate.
            pub param_group: $Config,
            $( $(#[$pdoc])* pub $plain: $pty, )*
            $(
                $(#[$bdoc])*
                #[cfg_attr(feature = "serde", serde(with = "crate::state::buffer"))]
                pub $buf: S,
            )+
            #[cfg_attr(feature = "serde", serde(skip))]
            _f: PhantomData<F>,
        }

        impl<F: Float, S: Storage<F> + Clone> Stateful for $Opt<F, S> {
            type State = $State<F, S>;

            fn state(&self) -> Self::State {
                $State {
                    param_group: self.config,
                    $( $plain: self.$pfield, )*
                    $( $buf: self.$bfield.clone(), )+
                    _f: PhantomData,
                }
            }

            fn load_state(&mut self, state: Self::State) -> Result<(), StateError> {
                let check: fn(&$Config, &Self) -> Result<(), OptimError> = $check;
                check(&state.param_group, self)?;
                let name = stringify!($Opt);
                $( check_len(name, stringify!($buf), self.dim, state.$buf.as_ref().len())?; )+
                self.config = state.param_group;
                $( self.$pfield = state.$plain; )*
                $( self.$bfield = state.$buf; )+
                Ok(())
            }
        }

        impl<F: Float, S: Storage<F> + Clone> $Opt<F, S> {
            /// A fresh optimizer holding a saved state (torch's `load_state_dict` on a new
            /// optimizer); the dimension is the buffers' length.
            ///
            /// # Errors
            /// Invalid hyperparameters, buffers of different lengths, or fixed-size storage of
            /// another dimension.
            pub fn from_state(state: $State<F, S>) -> Result<Self, StateError> {
                let dim = first_len!($(state.$buf),+);
                let mut optimizer: Self = state.param_group.build(dim)?;
                optimizer.load_state(state)?;
                Ok(optimizer)
            }
        }
    )*};
}

/// The length of the first of the buffers.
macro_rules! first_len {
    ($first:expr $(, $rest:expr)*) => {
        $first.as_ref().len()
    };
}

first_order_state! {
    /// The state of [`Sgd`] (torch: `momentum_buffer`, `None` before the first step with
    /// momentum).
    SgdState for Sgd(SgdConfig, |c, _| c.validate()) {
        plain: [
            /// Whether the momentum buffer holds a value (torch's `momentum_buffer is not None`).
            has_momentum_buffer: bool = has_buf,
        ]
        buffers: [
            /// torch's `momentum_buffer`.
            momentum_buffer = buf,
        ]
    }

    /// The state of [`Adam`] and [`AdamW`] (torch: `step`, `exp_avg`, `exp_avg_sq`,
    /// `max_exp_avg_sq`).
    AdamState for Adam(AdamConfig, |c, a| c.validate_as(a.component)) {
        plain: [
            /// Steps taken.
            step: u64 = step,
        ]
        buffers: [
            /// First moment.
            exp_avg = exp_avg,
            /// Second moment.
            exp_avg_sq = exp_avg_sq,
            /// AMSGrad's running maximum of the second moment (zeros without AMSGrad).
            max_exp_avg_sq = max_exp_avg_sq,
        ]
    }

    /// The state of [`NAdam`] (torch: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`).
    NAdamState for NAdam(NAdamConfig, |c, _| c.validate()) {
        plain: [
            /// Steps taken.
            step: u64 = step,
            /// The running product of the momentum coefficients.
            mu_product: F = mu_product,
        ]
        buffers: [
            /// First moment.
            exp_avg = exp_avg,
            /// Second moment.
            exp_avg_sq = exp_avg_sq,
        ]
    }

    /// The state of [`RAdam`] (torch: `step`, `exp_avg`, `exp_avg_sq`).
    RAdamState for RAdam(RAdamConfig, |c, _| c.validate()) {
        plain: [
            /// Steps taken.
            step: u64 = step,
        ]
        buffers: [
            /// First moment.
            exp_avg = exp_avg,
            /// Second moment.
            exp_avg_sq = exp_avg_sq,
        ]
    }

    /// The state of [`Adagrad`] (torch: `step`, `sum`).
    AdagradState for Adagrad(AdagradConfig, |c, _| c.validate()) {
        plain: [
            /// Steps taken.
            step: u64 = step,
        ]
        buffers: [
            /// The sum of squared gradients.
            sum = sum,
        ]
    }

    /// The state of [`Adadelta`] (torch: `square_avg`, `acc_delta`).
    AdadeltaState for Adadelta(AdadeltaConfig, |c, _| c.validate()) {
        plain: [
        ]
        buffers: [
            /// Running average of squared gradients.
            square_avg = square_avg,
            /// Running average of squared updates.
            acc_delta = acc_delta,
        ]
    }

    /// The state of [`RmsProp`] (torch: `square_avg`, `grad_avg`, `momentum_buffer`).
    RmsPropState for RmsProp(RmsPropConfig, |c, _| c.validate()) {
        plain: [
        ]
        buffers: [
            /// Running average of squared gradients.
            square_avg = square_avg,
            /// Running average of gradients (centered; zeros otherwise).
            grad_avg = grad_avg,
            /// Momentum buffer (zeros without momentum).
            momentum_buffer = momentum_buffer,
        ]
    }
}

/// [`AdamW`] keeps [`Adam`]'s state (with decoupled weight decay); its `param_group` holds the
/// same fields as [`AdamWConfig`].
impl<F: Float, S: Storage<F> + Clone> Stateful for AdamW<F, S> {
    type State = AdamState<F, S>;

    fn state(&self) -> Self::State {
        self.0.state()
    }

    fn load_state(&mut self, state: Self::State) -> Result<(), StateError> {
        self.0.load_state(state)
    }
}

impl<F: Float, S: Storage<F> + Clone> AdamW<F, S> {
    /// A fresh optimizer holding a saved state; the dimension is the buffers' length.
    ///
    /// # Errors
    /// As [`Adam::from_state`].
    ///
    /// ```
    /// use optim::state::Stateful;
    /// use optim::{AdamW, AdamWConfig, Optimizer};
    /// let mut opt = AdamWConfig::default().build::<f64, Vec<f64>>(2).unwrap();
    /// opt.step(&mut [1.0, 1.0], &[1.0, 1.0]);
    /// let copy = AdamW::<f64, Vec<f64>>::from_state(opt.state()).unwrap();
    /// assert_eq!((copy.dim(), copy.inner().steps()), (2, 1));
    /// ```
    pub fn from_state(state: AdamState<F, S>) -> Result<Self, StateError> {
        let c = state.param_group;
        let config = AdamWConfig {
            lr: c.lr,
            betas: c.betas,
            eps: c.eps,
            weight_decay: c.weight_decay,
            amsgrad: c.amsgrad,
            maximize: c.maximize,
        };
        let mut optimizer: Self = config.build(state.exp_avg.as_ref().len())?;
        optimizer.load_state(state)?;
        Ok(optimizer)
    }
}
