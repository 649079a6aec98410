//! [`DriverState`]: where the driver's loop stands.

use super::{StateError, Stateful};

/// The driver's counters ([`crate::resume_in`]): iterations done, objective evaluations made
/// before the current iterate, and the loss at the previous iterate (what the loss-change rule
/// compares against).
///
/// ```
/// use optim::state::DriverState;
/// let start = DriverState::<f64>::new();
/// assert_eq!((start.iterations, start.evaluations, start.previous), (0, 0, None));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DriverState<F> {
    /// Optimizer steps taken.
    pub iterations: usize,
    /// Evaluations made before the current iterate's (which a resume makes again).
    pub evaluations: usize,
    /// The loss at the previous iterate (`None` at the start).
    pub previous: Option<F>,
}

impl<F> DriverState<F> {
    /// The state of a run that has not started.
    ///
    /// ```
    /// use optim::state::DriverState;
    /// assert_eq!(DriverState::<f32>::new(), DriverState::default());
    /// ```
    pub fn new() -> Self {
        DriverState {
            iterations: 0,
            evaluations: 0,
            previous: None,
        }
    }
}

impl<F: Copy> Stateful for DriverState<F> {
    type State = DriverState<F>;
    fn state(&self) -> Self {
        *self
    }
    fn load_state(&mut self, state: Self) -> Result<(), StateError> {
        *self = state;
        Ok(())
    }
}
