//! [`OptimError`]: typed errors of the builders and the driver.

use core::fmt;

use autodiff_runtime::ObjectiveError;

/// Why an optimizer, schedule or driver could not be built.
///
/// ```
/// use optim::{AdamConfig, OptimError};
/// let e = AdamConfig::default().betas((1.0, 0.999)).validate().unwrap_err();
/// assert_eq!(e, OptimError::InvalidHyperparameter { component: "Adam", message: "beta1 must be in [0, 1)" });
/// assert_eq!(e.to_string(), "`Adam`: beta1 must be in [0, 1)");
/// let _: &dyn core::error::Error = &e;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptimError {
    /// A hyperparameter is out of its range; `message` says which and what is allowed.
    InvalidHyperparameter {
        /// The component (`"Adam"`, `"StepLr"`, ...).
        component: &'static str,
        /// What is wrong (`"beta1 must be in [0, 1)"`).
        message: &'static str,
    },
    /// Fixed-size state storage (`[F; N]`) does not match the problem's dimension.
    Dimension {
        /// The component.
        component: &'static str,
        /// The dimension the storage holds.
        storage: usize,
        /// The dimension asked for.
        dim: usize,
    },
    /// Something handed to [`crate::minimize`] (the parameters, an optimizer built
    /// beforehand) does not have the objective's dimension.
    ///
    /// ```
    /// let e = optim::OptimError::Length { component: "minimize", what: "the parameter vector", len: 3, dim: 2 };
    /// assert_eq!(e.to_string(), "`minimize`: the parameter vector has length 3 but the objective has dimension 2");
    /// ```
    Length {
        /// The component.
        component: &'static str,
        /// What has the wrong length (`"the parameter vector"`, `"the optimizer"`).
        what: &'static str,
        /// Its length.
        len: usize,
        /// The objective's dimension.
        dim: usize,
    },
    /// The objective cannot compute what the method needs (a Hessian-vector product).
    ///
    /// ```
    /// use autodiff_runtime::ObjectiveError;
    /// let e = optim::OptimError::from(ObjectiveError::NoHvp);
    /// assert_eq!(e, optim::OptimError::Objective(ObjectiveError::NoHvp));
    /// assert_eq!(e.to_string(), ObjectiveError::NoHvp.to_string());
    /// ```
    Objective(ObjectiveError),
}

impl From<ObjectiveError> for OptimError {
    fn from(e: ObjectiveError) -> Self {
        OptimError::Objective(e)
    }
}

impl fmt::Display for OptimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimError::InvalidHyperparameter { component, message } => {
                write!(f, "`{component}`: {message}")
            }
            OptimError::Dimension {
                component,
                storage,
                dim,
            } => write!(
                f,
                "`{component}`: fixed-size state storage holds {storage} values but the problem has dimension {dim}"
            ),
            OptimError::Length {
                component,
                what,
                len,
                dim,
            } => write!(
                f,
                "`{component}`: {what} has length {len} but the objective has dimension {dim}"
            ),
            OptimError::Objective(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for OptimError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            OptimError::Objective(e) => Some(e),
            _ => None,
        }
    }
}
