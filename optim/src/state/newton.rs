//! The states of the second-order solvers ([`NewtonCg`], [`TrustRegion`]) and the progress of
//! a solver's run that [`SolverProgress`] records for all three (also [`crate::Lbfgs`]).

use core::marker::PhantomData;

use autodiff_runtime::Float;

use super::{check, check_len, StateError, Stateful};
use crate::{NewtonCg, NewtonCgConfig, Report, Status, Storage, TrustRegion, TrustRegionConfig};

/// How far a solver's run has come: its report so far, without the stop reason.
///
/// ```
/// use optim::state::Stateful;
/// use optim::{NewtonCg, NewtonCgConfig};
/// let solver: NewtonCg<f64, [f64; 1]> = NewtonCgConfig::default().build(1).unwrap();
/// // A solver that has not run has made no evaluations.
/// assert_eq!(solver.state().progress.value_evals, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SolverProgress<F> {
    /// Iterations done.
    pub iterations: usize,
    /// The value at the current iterate.
    pub value: F,
    /// Objective value evaluations.
    pub value_evals: usize,
    /// Gradient evaluations.
    pub grad_evals: usize,
    /// Hessian-vector products.
    pub hvp_evals: usize,
    /// The value before the last step, that the loss-change rule compares against (L-BFGS,
    /// and the trust region's last accepted step; `None` for Newton-CG, which keeps it in its
    /// line search's memory).
    pub previous: Option<F>,
}

impl<F: Float> Default for SolverProgress<F> {
    fn default() -> Self {
        SolverProgress {
            iterations: 0,
            value: F::zero(),
            value_evals: 0,
            grad_evals: 0,
            hvp_evals: 0,
            previous: None,
        }
    }
}

impl<F: Float> SolverProgress<F> {
    /// A run that has evaluated its start point (value and gradient) once.
    pub(crate) fn started(value: F) -> Self {
        SolverProgress {
            value,
            value_evals: 1,
            grad_evals: 1,
            ..Self::default()
        }
    }

    /// The report so far, with `status` and `grad` the gradient at the iterate.
    pub(crate) fn report(&self, status: Status, grad: &[F]) -> Report<F> {
        let mut report = Report::new(status, self.iterations, self.value, grad, self.value_evals);
        report.grad_evals = self.grad_evals;
        report.hvp_evals = self.hvp_evals;
        report
    }

    /// The progress recorded in `report`.
    pub(crate) fn of(report: &Report<F>, previous: Option<F>) -> Self {
        SolverProgress {
            iterations: report.iterations,
            value: report.value,
            value_evals: report.value_evals,
            grad_evals: report.grad_evals,
            hvp_evals: report.hvp_evals,
            previous,
        }
    }
}

/// What Newton-CG's line search remembers between iterations (scipy's `old_fval`,
/// `old_old_fval`) and whether the gradient buffer holds the gradient at the iterate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NewtonCarry {
    pub(crate) old_fval: f64,
    pub(crate) old_old_fval: Option<f64>,
    pub(crate) grad_current: bool,
}

impl Default for NewtonCarry {
    fn default() -> Self {
        NewtonCarry {
            old_fval: 0.0,
            old_old_fval: None,
            grad_current: true,
        }
    }
}

/// The state of [`NewtonCg`]: hyperparameters, progress, the gradient at the iterate and the
/// line search's memory (scipy's `old_fval`, `old_old_fval`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "F: serde::Serialize, S: AsRef<[F]>",
        deserialize = "F: serde::Deserialize<'de>, S: Storage<F>"
    ))
)]
/// ```
/// use optim::state::Stateful;
/// use optim::{NewtonCgConfig, NewtonCg};
/// type S = NewtonCg<f64, [f64; 2]>;
/// let solver: S = NewtonCgConfig::default().build(2).unwrap();
/// let state = solver.state();
/// assert_eq!(state.param_group, NewtonCgConfig::default());
/// assert!(S::from_state(state).is_ok());
/// ```
pub struct NewtonCgState<F, S> {
    /// The hyperparameters.
    pub param_group: NewtonCgConfig,
    /// The run so far.
    pub progress: SolverProgress<F>,
    /// The gradient at the iterate (see `grad_current`).
    #[cfg_attr(feature = "serde", serde(with = "crate::state::buffer"))]
    pub grad: S,
    /// The value at the iterate, as the line search keeps it (`f64`).
    pub old_fval: f64,
    /// The value at the iterate before (`None` after the first).
    pub old_old_fval: Option<f64>,
    /// Whether `grad` is the gradient at the iterate (scipy's zoom search may accept a step
    /// without its gradient; the next iteration then evaluates it).
    pub grad_current: bool,
    #[cfg_attr(feature = "serde", serde(skip))]
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F> + Clone> Stateful for NewtonCg<F, S> {
    type State = NewtonCgState<F, S>;

    fn state(&self) -> Self::State {
        NewtonCgState {
            param_group: self.config,
            progress: self.progress,
            grad: self.work.g.clone(),
            old_fval: self.carry.old_fval,
            old_old_fval: self.carry.old_old_fval,
            grad_current: self.carry.grad_current,
            _f: PhantomData,
        }
    }

    fn load_state(&mut self, state: Self::State) -> Result<(), StateError> {
        state.param_group.validate()?;
        check_len("NewtonCg", "grad", self.dim, state.grad.as_ref().len())?;
        self.config = state.param_group;
        self.progress = state.progress;
        self.work.g = state.grad;
        self.carry = NewtonCarry {
            old_fval: state.old_fval,
            old_old_fval: state.old_old_fval,
            grad_current: state.grad_current,
        };
        Ok(())
    }
}

impl<F: Float, S: Storage<F> + Clone> NewtonCg<F, S> {
    /// A fresh solver holding a saved state; the dimension is the gradient's length.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::state::Stateful;
    /// use optim::{NewtonCgConfig, NewtonCg};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2, with its Hessian-vector product.
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let grad = |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// };
    /// let obj = from_fns(2, f, grad).with_hvp(move |x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
    ///     hv[0] = 2.0 * v[0];
    ///     hv[1] = 20.0 * v[1];
    ///     grad(x, g)
    /// });
    /// type S = NewtonCg<f64, [f64; 2]>;
    /// let mut solver: S = NewtonCgConfig::default().build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// solver.minimize(&obj, &mut x).unwrap();
    /// let copy = S::from_state(solver.state()).unwrap();
    /// assert_eq!(copy.config(), solver.config());
    /// ```
    pub fn from_state(state: NewtonCgState<F, S>) -> Result<Self, StateError> {
        let mut solver: Self = state.param_group.build(state.grad.as_ref().len())?;
        solver.load_state(state)?;
        Ok(solver)
    }
}

/// The state of [`TrustRegion`]: hyperparameters, progress, the gradient at the iterate and the
/// trust radius.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "F: serde::Serialize, S: AsRef<[F]>",
        deserialize = "F: serde::Deserialize<'de>, S: Storage<F>"
    ))
)]
/// ```
/// use optim::state::Stateful;
/// use optim::{TrustRegionConfig, TrustRegion};
/// type S = TrustRegion<f64, [f64; 2]>;
/// let solver: S = TrustRegionConfig::default().build(2).unwrap();
/// let state = solver.state();
/// assert_eq!(state.param_group, TrustRegionConfig::default());
/// assert!(S::from_state(state).is_ok());
/// ```
pub struct TrustRegionState<F, S> {
    /// The hyperparameters.
    pub param_group: TrustRegionConfig,
    /// The run so far.
    pub progress: SolverProgress<F>,
    /// The gradient at the iterate.
    #[cfg_attr(feature = "serde", serde(with = "crate::state::buffer"))]
    pub grad: S,
    /// The current trust radius.
    pub radius: f64,
    #[cfg_attr(feature = "serde", serde(skip))]
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F> + Clone> Stateful for TrustRegion<F, S> {
    type State = TrustRegionState<F, S>;

    fn state(&self) -> Self::State {
        TrustRegionState {
            param_group: self.config,
            progress: self.progress,
            grad: self.work.g.clone(),
            radius: self.radius,
            _f: PhantomData,
        }
    }

    fn load_state(&mut self, state: Self::State) -> Result<(), StateError> {
        state.param_group.validate()?;
        check_len("TrustRegion", "grad", self.dim, state.grad.as_ref().len())?;
        check(
            state.radius >= 0.0 && state.radius <= state.param_group.max_trust_radius,
            "TrustRegion",
            "radius must be in [0, max_trust_radius]",
        )?;
        self.config = state.param_group;
        self.progress = state.progress;
        self.work.g = state.grad;
        self.radius = state.radius;
        Ok(())
    }
}

impl<F: Float, S: Storage<F> + Clone> TrustRegion<F, S> {
    /// A fresh solver holding a saved state; the dimension is the gradient's length.
    ///
    /// # Errors
    /// Invalid hyperparameters or radius, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::state::Stateful;
    /// use optim::{TrustRegionConfig, TrustRegion};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2, with its Hessian-vector product.
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let grad = |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// };
    /// let obj = from_fns(2, f, grad).with_hvp(move |x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
    ///     hv[0] = 2.0 * v[0];
    ///     hv[1] = 20.0 * v[1];
    ///     grad(x, g)
    /// });
    /// type S = TrustRegion<f64, [f64; 2]>;
    /// let mut solver: S = TrustRegionConfig::default().build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// solver.minimize(&obj, &mut x).unwrap();
    /// let copy = S::from_state(solver.state()).unwrap();
    /// assert_eq!(copy.config(), solver.config());
    /// ```
    pub fn from_state(state: TrustRegionState<F, S>) -> Result<Self, StateError> {
        let mut solver: Self = state.param_group.build(state.grad.as_ref().len())?;
        solver.load_state(state)?;
        Ok(solver)
    }
}
