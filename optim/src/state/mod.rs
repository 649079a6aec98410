//! Saving and resuming: the state of every optimizer, schedule, driver, minibatch run and
//! random generator as plain data, modelled on torch's `state_dict()` / `load_state_dict()`.
//!
//! Everything that carries state across steps implements [`Stateful`]:
//! [`state`](Stateful::state) copies it out as a plain-data value (a `...State` type of this
//! module) and [`load_state`](Stateful::load_state) puts a saved one back, after checking it
//! (buffer lengths against the dimension, hyperparameters as the builders check them): a
//! mismatch is a [`StateError`], never a panic. Optimizers also have `from_state`, which builds
//! a fresh optimizer from a saved state alone (the dimension is the buffers' length).
//!
//! As in torch, an optimizer's state holds its hyperparameters (`param_group`, torch's
//! `param_groups[0]`: the learning rate a schedule has changed is the current one) and its
//! per-parameter buffers under torch's names (`step`, `exp_avg`, `exp_avg_sq`,
//! `momentum_buffer`, ...), so a torch user finds what `optimizer.state_dict()` shows. A
//! schedule's state is its counters (torch's `last_epoch`, `base_lrs`, plateau's `best` and
//! `num_bad_epochs`, ...), the driver's is its iteration and evaluation counts and the previous
//! loss its loss-change rule compares against ([`DriverState`]), a minibatch run's is its
//! epoch, batch and shuffling generator ([`MinibatchState`]).
//!
//! States of fixed-size (`[F; N]`) optimizers are fixed-size too: saving and loading allocate
//! nothing and work without `alloc`. With the `serde` feature every state type implements
//! `Serialize` and `Deserialize`; buffers are written as sequences of numbers. Use a format
//! that keeps every `f64` bit for bit (postcard, bincode, ...) to resume bit-identical runs;
//! JSON cannot hold the infinities that some states contain (plateau's initial `best`).
//!
//! Resuming gives bit for bit the run that was never interrupted:
//!
//! ```
//! use optim::state::{DriverState, Stateful};
//! use optim::{minimize_in, resume_in, Adam, AdamConfig, NoObserver, NoSchedule, StopRules};
//! use autodiff_runtime::from_fns;
//!
//! let f = |x: &[f64]| x[0] * x[0] + 3.0 * x[1] * x[1];
//! let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
//!     g[0] = 2.0 * x[0];
//!     g[1] = 6.0 * x[1];
//!     f(x)
//! });
//! let config = AdamConfig::default().lr(0.1);
//! let (mut x, mut g) = ([1.0, -1.0], [0.0; 2]);
//!
//! // Uninterrupted: 20 steps.
//! let mut adam: Adam<f64, [f64; 2]> = config.build(2).unwrap();
//! let (mut y, rules) = (x, StopRules::max_iterations(20));
//! let (sch, obs) = (&mut NoSchedule, &mut NoObserver);
//! let full = minimize_in(&obj, &mut y, &mut g, &mut adam, &rules, sch, obs);
//!
//! // 8 steps, save, and 12 more in a fresh optimizer (as in a new process).
//! let mut adam: Adam<f64, [f64; 2]> = config.build(2).unwrap();
//! let mut driver = DriverState::new();
//! let first = StopRules::max_iterations(8);
//! let (sch, obs) = (&mut NoSchedule, &mut NoObserver);
//! resume_in(&obj, &mut x, &mut g, &mut adam, &first, sch, obs, &mut driver);
//! let (saved_adam, saved_driver) = (adam.state(), driver.clone());
//!
//! let mut adam = Adam::<f64, [f64; 2]>::from_state(saved_adam).unwrap();
//! let mut driver = saved_driver;
//! let (sch, obs) = (&mut NoSchedule, &mut NoObserver);
//! let rest = resume_in(&obj, &mut x, &mut g, &mut adam, &rules, sch, obs, &mut driver);
//! assert_eq!(rest, full);
//! assert_eq!(x.map(f64::to_bits), y.map(f64::to_bits));
//! ```

mod driver;
mod first_order;
mod lbfgs;
mod minibatch;
mod newton;
mod schedule;

use core::fmt;

use crate::OptimError;

pub use driver::DriverState;
pub use first_order::{
    AdadeltaState, AdagradState, AdamState, NAdamState, RAdamState, RmsPropState, SgdState,
};
pub use lbfgs::LbfgsState;
pub use minibatch::{train_resume_in, MinibatchState};
pub(crate) use newton::NewtonCarry;
pub use newton::{NewtonCgState, SolverProgress, TrustRegionState};
pub use schedule::{
    BaseEpochState, EpochState, OneCycleState, PlateauState, SequentialState, WarmRestartsState,
};

/// Something whose state can be saved and loaded back (torch's `state_dict()` /
/// `load_state_dict()`).
///
/// ```
/// use optim::state::Stateful;
/// use optim::{Optimizer, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(0.1).momentum(0.9).build::<f64, Vec<f64>>(1).unwrap();
/// sgd.step(&mut [1.0], &[1.0]);
/// let saved = sgd.state();
/// let mut other = SgdConfig::default().build::<f64, Vec<f64>>(1).unwrap();
/// other.load_state(saved.clone()).unwrap();
/// assert_eq!(other.state(), saved);
/// assert_eq!(other.lr(), 0.1); // the hyperparameters travel with the state
/// ```
pub trait Stateful {
    /// The plain-data state.
    type State;
    /// A copy of the current state.
    fn state(&self) -> Self::State;
    /// Replaces the state with a saved one.
    ///
    /// # Errors
    /// A [`StateError`] if `state` does not fit (buffer lengths, hyperparameters, counters); the
    /// current state is then left unchanged.
    fn load_state(&mut self, state: Self::State) -> Result<(), StateError>;
}

/// Why a saved state could not be loaded.
///
/// ```
/// use optim::state::{StateError, Stateful};
/// use optim::{Adam, AdamConfig};
/// let two = AdamConfig::default().build::<f64, Vec<f64>>(2).unwrap().state();
/// let mut three: Adam<f64, Vec<f64>> = AdamConfig::default().build(3).unwrap();
/// // A state of another dimension is an error, and the optimizer is left unchanged.
/// let e = three.load_state(two).unwrap_err();
/// assert!(matches!(e, StateError::Length { component: "Adam", expected: 3, found: 2, .. }));
/// let _: &dyn core::error::Error = &e;
/// assert_eq!(three.exp_avg().len(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// A buffer's length differs from the dimension of what loads it.
    Length {
        /// The component (`"Adam"`, ...).
        component: &'static str,
        /// The buffer (`"exp_avg"`, ...).
        buffer: &'static str,
        /// The dimension expected.
        expected: usize,
        /// The buffer's length.
        found: usize,
    },
    /// The saved hyperparameters are invalid, or fixed-size storage does not fit.
    Invalid(OptimError),
    /// The saved counters contradict each other or the hyperparameters.
    Inconsistent {
        /// The component.
        component: &'static str,
        /// What is wrong.
        message: &'static str,
    },
}

impl From<OptimError> for StateError {
    fn from(e: OptimError) -> Self {
        StateError::Invalid(e)
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Length {
                component,
                buffer,
                expected,
                found,
            } => write!(
                f,
                "`{component}`: saved `{buffer}` has length {found}, expected the dimension {expected}"
            ),
            StateError::Invalid(e) => write!(f, "saved state: {e}"),
            StateError::Inconsistent { component, message } => {
                write!(f, "`{component}`: saved state: {message}")
            }
        }
    }
}

impl core::error::Error for StateError {}

/// `Err(Length)` unless a saved buffer has the dimension.
pub(crate) fn check_len(
    component: &'static str,
    buffer: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), StateError> {
    if expected == found {
        Ok(())
    } else {
        Err(StateError::Length {
            component,
            buffer,
            expected,
            found,
        })
    }
}

/// `Err(Inconsistent)` unless `ok`.
pub(crate) fn check(
    ok: bool,
    component: &'static str,
    message: &'static str,
) -> Result<(), StateError> {
    if ok {
        Ok(())
    } else {
        Err(StateError::Inconsistent { component, message })
    }
}

/// Serde for a state buffer `S: Storage<F>`: a sequence of numbers, read back through
/// [`Storage::from_values`](crate::Storage::from_values) (no allocation for arrays, any `N`).
#[cfg(feature = "serde")]
pub(crate) mod buffer {
    use core::fmt;
    use core::marker::PhantomData;

    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::Storage;

    pub(crate) fn serialize<F: Serialize, S: AsRef<[F]>, Ser: Serializer>(
        buffer: &S,
        serializer: Ser,
    ) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_seq(buffer.as_ref())
    }

    pub(crate) fn deserialize<'de, F, S, D>(deserializer: D) -> Result<S, D::Error>
    where
        F: Deserialize<'de>,
        S: Storage<F>,
        D: Deserializer<'de>,
    {
        struct Seq<F, S>(PhantomData<(F, S)>);
        impl<'de, F: Deserialize<'de>, S: Storage<F>> Visitor<'de> for Seq<F, S> {
            type Value = S;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence of numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<S, A::Error> {
                let mut failed = None;
                let values = core::iter::from_fn(|| match seq.next_element::<F>() {
                    Ok(v) => v,
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                });
                let out = S::from_values("state", values);
                if let Some(e) = failed {
                    return Err(e);
                }
                out.map_err(A::Error::custom)
            }
        }
        deserializer.deserialize_seq(Seq(PhantomData))
    }
}
