//! The states of the learning-rate schedules: their counters (torch's scheduler
//! `state_dict()` without the hyperparameters given at construction and without closures).

use super::{check, StateError, Stateful};
use crate::schedule::{
    CosineAnnealingLr, CosineAnnealingWarmRestarts, Epochs, ExponentialLr, LambdaLr, LinearLr,
    MultiStepLr, NoSchedule, OneCycleLr, PolynomialLr, ReduceLrOnPlateau, SequentialLr, StepLr,
};

/// The state of [`StepLr`], [`MultiStepLr`] and [`PolynomialLr`]: torch's `last_epoch`.
///
/// ```
/// use optim::state::{EpochState, Stateful};
/// use optim::{SgdConfig, StepLr};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = StepLr::new(10, 0.5).unwrap();
/// schedule.step(&mut sgd);
/// assert_eq!(schedule.state(), EpochState { last_epoch: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EpochState {
    /// Schedule steps taken.
    pub last_epoch: u64,
}

/// The state of [`CosineAnnealingLr`], [`LinearLr`] and [`LambdaLr`]: torch's `base_lrs[0]`
/// (`None` before [`Scheduler::start`](crate::Scheduler::start)) and `last_epoch`.
///
/// ```
/// use optim::state::{BaseEpochState, Stateful};
/// use optim::{CosineAnnealingLr, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = CosineAnnealingLr::new(10, 0.0).unwrap();
/// assert_eq!(schedule.state().base_lr, None); // not started
/// schedule.step(&mut sgd);
/// assert_eq!(schedule.state(), BaseEpochState { base_lr: Some(1.0), last_epoch: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BaseEpochState {
    /// The learning rate the schedule started from.
    pub base_lr: Option<f64>,
    /// Schedule steps taken.
    pub last_epoch: u64,
}

/// The state of [`CosineAnnealingWarmRestarts`]: [`BaseEpochState`] and torch's `T_i`, `T_cur`.
///
/// ```
/// use optim::state::Stateful;
/// use optim::{CosineAnnealingWarmRestarts, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = CosineAnnealingWarmRestarts::new(3, 2, 0.0).unwrap();
/// for _ in 0..4 {
///     schedule.step(&mut sgd);
/// }
/// // One period of 3 done, one step into the next period of 6.
/// let s = schedule.state();
/// assert_eq!((s.t_i, s.t_cur), (6, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WarmRestartsState {
    /// The learning rate the schedule started from.
    pub base_lr: Option<f64>,
    /// Schedule steps taken.
    pub last_epoch: u64,
    /// The length of the current period.
    pub t_i: u64,
    /// Steps into the current period (`< t_i`).
    pub t_cur: u64,
}

/// The state of [`OneCycleLr`]: torch's `last_epoch`, and whether it has set its first lr.
///
/// ```
/// use optim::state::{OneCycleState, Stateful};
/// use optim::{OneCycleLr, Scheduler, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = OneCycleLr::new(0.1, 100).unwrap();
/// schedule.start(&mut sgd);
/// assert_eq!(schedule.state(), OneCycleState { last_epoch: 0, started: true });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OneCycleState {
    /// Schedule steps taken.
    pub last_epoch: u64,
    /// Whether [`Scheduler::start`](crate::Scheduler::start) has run.
    pub started: bool,
}

/// The state of [`ReduceLrOnPlateau`]: torch's `best`, `num_bad_epochs`, `cooldown_counter`.
///
/// ```
/// use optim::state::Stateful;
/// use optim::{ReduceLrOnPlateau, SgdConfig};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = ReduceLrOnPlateau::new();
/// schedule.step(&mut sgd, 2.0);
/// schedule.step(&mut sgd, 3.0);
/// let s = schedule.state();
/// assert_eq!((s.best, s.num_bad_epochs, s.cooldown_counter), (2.0, 1, 0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PlateauState {
    /// The best metric seen (infinite before the first).
    pub best: f64,
    /// Steps since the last significant improvement.
    pub num_bad_epochs: u64,
    /// Steps of cooldown left.
    pub cooldown_counter: u64,
}

/// The state of [`SequentialLr`]: its own epoch count and base lr, and both schedules' states.
///
/// ```
/// use optim::state::{EpochState, Stateful};
/// use optim::{ExponentialLr, SequentialLr, SgdConfig, StepLr};
/// let mut sgd = SgdConfig::default().lr(1.0).build::<f64, [f64; 1]>(1).unwrap();
/// let mut schedule = SequentialLr::new(StepLr::new(5, 0.5).unwrap(), ExponentialLr::new(0.9).unwrap(), 3);
/// schedule.step(&mut sgd);
/// let s = schedule.state();
/// assert_eq!((s.base_lr, s.last_epoch, s.first), (Some(1.0), 1, EpochState { last_epoch: 1 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SequentialState<A, B> {
    /// The learning rate the schedule started from.
    pub base_lr: Option<f64>,
    /// Schedule steps taken.
    pub last_epoch: u64,
    /// The first schedule's state.
    pub first: A,
    /// The second schedule's state.
    pub second: B,
}

fn check_base(component: &'static str, base_lr: Option<f64>) -> Result<(), StateError> {
    check(
        base_lr.is_none_or(f64::is_finite),
        component,
        "base_lr must be finite",
    )
}

fn epochs_state(e: &Epochs) -> BaseEpochState {
    BaseEpochState {
        base_lr: e.base,
        last_epoch: e.last_epoch,
    }
}

fn load_epochs(
    component: &'static str,
    e: &mut Epochs,
    state: BaseEpochState,
) -> Result<(), StateError> {
    check_base(component, state.base_lr)?;
    e.base = state.base_lr;
    e.last_epoch = state.last_epoch;
    Ok(())
}

/// Schedules without state ([`NoSchedule`], [`ExponentialLr`], which multiplies the current lr).
macro_rules! stateless {
    ($($t:ty),*) => {$(
        impl Stateful for $t {
            type State = ();
            fn state(&self) {}
            fn load_state(&mut self, _state: ()) -> Result<(), StateError> {
                Ok(())
            }
        }
    )*};
}
stateless!(NoSchedule, ExponentialLr);

/// Schedules whose state is `last_epoch` alone.
macro_rules! last_epoch_only {
    ($($t:ty $(, const $n:ident)?);*) => {$(
        impl<$(const $n: usize)?> Stateful for $t {
            type State = EpochState;
            fn state(&self) -> EpochState {
                EpochState { last_epoch: self.last_epoch }
            }
            fn load_state(&mut self, state: EpochState) -> Result<(), StateError> {
                self.last_epoch = state.last_epoch;
                Ok(())
            }
        }
    )*};
}
last_epoch_only!(StepLr; PolynomialLr; MultiStepLr<N>, const N);

impl Stateful for CosineAnnealingLr {
    type State = BaseEpochState;
    fn state(&self) -> BaseEpochState {
        BaseEpochState {
            base_lr: self.base_lr,
            last_epoch: self.last_epoch,
        }
    }
    fn load_state(&mut self, state: BaseEpochState) -> Result<(), StateError> {
        check_base("CosineAnnealingLr", state.base_lr)?;
        self.base_lr = state.base_lr;
        self.last_epoch = state.last_epoch;
        Ok(())
    }
}

impl Stateful for LinearLr {
    type State = BaseEpochState;
    fn state(&self) -> BaseEpochState {
        epochs_state(&self.epochs)
    }
    fn load_state(&mut self, state: BaseEpochState) -> Result<(), StateError> {
        load_epochs("LinearLr", &mut self.epochs, state)
    }
}

/// The closure is not saved (as torch saves no lambdas): a resumed [`LambdaLr`] is built with
/// the same closure and loads the counters.
impl<L> Stateful for LambdaLr<L> {
    type State = BaseEpochState;
    fn state(&self) -> BaseEpochState {
        epochs_state(&self.epochs)
    }
    fn load_state(&mut self, state: BaseEpochState) -> Result<(), StateError> {
        load_epochs("LambdaLr", &mut self.epochs, state)
    }
}

impl Stateful for CosineAnnealingWarmRestarts {
    type State = WarmRestartsState;
    fn state(&self) -> WarmRestartsState {
        WarmRestartsState {
            base_lr: self.epochs.base,
            last_epoch: self.epochs.last_epoch,
            t_i: self.t_i,
            t_cur: self.t_cur,
        }
    }
    fn load_state(&mut self, state: WarmRestartsState) -> Result<(), StateError> {
        let name = "CosineAnnealingWarmRestarts";
        check(state.t_i >= self.t_0, name, "t_i must be >= t_0")?;
        check(state.t_cur < state.t_i, name, "t_cur must be < t_i")?;
        let epochs = BaseEpochState {
            base_lr: state.base_lr,
            last_epoch: state.last_epoch,
        };
        load_epochs(name, &mut self.epochs, epochs)?;
        self.t_i = state.t_i;
        self.t_cur = state.t_cur;
        Ok(())
    }
}

impl Stateful for OneCycleLr {
    type State = OneCycleState;
    fn state(&self) -> OneCycleState {
        OneCycleState {
            last_epoch: self.last_epoch,
            started: self.started,
        }
    }
    fn load_state(&mut self, state: OneCycleState) -> Result<(), StateError> {
        self.last_epoch = state.last_epoch;
        self.started = state.started;
        Ok(())
    }
}

impl Stateful for ReduceLrOnPlateau {
    type State = PlateauState;
    fn state(&self) -> PlateauState {
        PlateauState {
            best: self.best,
            num_bad_epochs: self.num_bad,
            cooldown_counter: self.cooldown_counter,
        }
    }
    fn load_state(&mut self, state: PlateauState) -> Result<(), StateError> {
        check(
            state.cooldown_counter <= self.cooldown,
            "ReduceLrOnPlateau",
            "cooldown_counter must be <= cooldown",
        )?;
        self.best = state.best;
        self.num_bad = state.num_bad_epochs;
        self.cooldown_counter = state.cooldown_counter;
        Ok(())
    }
}

impl<A: Stateful, B: Stateful> Stateful for SequentialLr<A, B> {
    type State = SequentialState<A::State, B::State>;
    fn state(&self) -> Self::State {
        SequentialState {
            base_lr: self.epochs.base,
            last_epoch: self.epochs.last_epoch,
            first: self.first.state(),
            second: self.second.state(),
        }
    }
    fn load_state(&mut self, state: Self::State) -> Result<(), StateError> {
        check_base("SequentialLr", state.base_lr)?;
        let before = self.first.state();
        self.first.load_state(state.first)?;
        if let Err(e) = self.second.load_state(state.second) {
            // Put the first schedule back: a failed load changes nothing.
            self.first.load_state(before)?;
            return Err(e);
        }
        self.epochs.base = state.base_lr;
        self.epochs.last_epoch = state.last_epoch;
        Ok(())
    }
}
