//! [`NewtonCg`]: line-search Newton-CG (truncated Newton) with exactly scipy's
//! `minimize(method='Newton-CG')` algorithm, driven only by Hessian-vector products
//! ([`Objective::hvp`]); the Hessian is never formed.
//!
//! Each iteration (scipy 1.17 `_minimize_newtoncg`):
//!
//! 1. `maggrad = sum |g|` (the L1 norm, as scipy), `eta = min(0.5, sqrt(maggrad))`,
//!    `termcond = eta * maggrad`.
//! 2. Conjugate gradient on `H p = -g` from `p = 0`, stopping when `sum |r| <= termcond`; on
//!    curvature `0 <= d.Hd <= 3 eps` it stops; on negative curvature it stops, and on the first CG
//!    iteration takes the steepest-descent step `p = -(r.r / -d.Hd) g` (`p = -g` on zero
//!    curvature). At most `20 n` CG
//!    iterations, after which the method gives up ([`Status::NoProgress`], scipy's status 3).
//! 3. scipy's `_line_search_wolfe12` ([`crate::line_search::wolfe12`]: Moré-Thuente, zoom on
//!    failure) along `p` with `c1 = 1e-4`, `c2 = 0.9`, starting from scipy's step estimate from the
//!    previous decrease. Failure ends with [`Status::LineSearchFailed`] (scipy's status 2).
//! 4. Converged ([`Rule::StepSize`]) when the step's L1 norm `sum |alpha p| <= xtol * n`
//!    (`xtol = 1e-5`); at most `200 n` iterations ([`Status::MaxIterations`]). Optionally (not
//!    in scipy, off by default) converged ([`Rule::GradNorm`]) when the gradient's norm falls to
//!    a tolerance ([`NewtonCgConfig::grad_norm`]).
//!
//! Through [`crate::minimize`] the [`StopRules`] apply as well (see [`crate::Method`]); called
//! directly ([`NewtonCg::minimize`]) only the rules above do.
//!
//! Counted like scipy: one value-and-gradient evaluation at the start, one per line-search trial
//! (the gradient at the accepted point is reused), one Hessian-vector product per CG iteration.
//! Differences from scipy, none of which changes a run where scipy converges normally:
//!
//! * a non-finite value, gradient or Hessian-vector product ends with [`Status::Diverged`]
//!   (scipy runs on and reports status 3 at the end, after up to `20 n` NaN products);
//! * a zero gradient (always the case in a zero-dimensional problem) ends at once with
//!   [`Rule::GradNorm`], before the iteration limit (scipy would attempt a zero step);
//! * zero curvature on the first CG iteration (a region where the function is linear along
//!   `-g`, e.g. a Huber loss far from its minimum) gives the steepest-descent direction `-g`
//!   (scipy searches along `p = 0` and reports a converged zero step at a non-stationary point);
//! * with [`NewtonCgConfig::grad_norm`] set, a step below `xtol` while the gradient's norm is
//!   still above that tolerance ends with [`Status::NoProgress`], not convergence.
//!
//! ```
//! use optim::{NewtonCgConfig, NewtonCg};
//! use autodiff_runtime::from_fns;
//! // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2, with its Hessian-vector product.
//! let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
//! let grad = |x: &[f64], g: &mut [f64]| {
//!     g[0] = 2.0 * (x[0] - 1.0);
//!     g[1] = 20.0 * (x[1] + 2.0);
//!     f(x)
//! };
//! let obj = from_fns(2, f, grad).with_hvp(move |x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
//!     hv[0] = 2.0 * v[0];
//!     hv[1] = 20.0 * v[1];
//!     grad(x, g)
//! });
//! let mut solver: NewtonCg<f64, [f64; 2]> = NewtonCgConfig::default().build(2).unwrap();
//! let mut x = [0.0, 0.0];
//! solver.minimize(&obj, &mut x).unwrap();
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
//! ```

use autodiff_runtime::{Float, Objective, ObjectiveError};

use super::{merged_rules, solver_rules, start, verdict, Work};
use crate::line_search::{dot, norm1_dot, sqrt, wolfe12, Ray};
use crate::state::{NewtonCarry, SolverProgress};
use crate::{
    check_solver, ensure, GradNorm, NoObserver, Observer, OptimError, Report, Rule, Status,
    StopRules, Storage,
};

/// How the inner conjugate gradient ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CgEnd {
    /// A direction was found (residual small enough, or a curvature exit).
    Converged,
    /// The iteration limit was reached.
    NotConverged,
    /// A Hessian-vector product was NaN or infinite.
    NonFinite,
}

/// Hyperparameters of [`NewtonCg`], with scipy's defaults.
///
/// ```
/// use optim::NewtonCgConfig;
/// let c = NewtonCgConfig::default();
/// assert_eq!(c.max_iterations, None); // scipy's default limit, 200 n
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct NewtonCgConfig {
    /// Average relative step tolerance: converged when `sum |step| <= xtol * n` (default `1e-5`).
    pub xtol: f64,
    /// Sufficient-decrease constant of the line search (default `1e-4`).
    pub c1: f64,
    /// Curvature constant of the line search (default `0.9`).
    pub c2: f64,
    /// Iteration limit (default `None`: `200 n`, as scipy).
    pub max_iterations: Option<usize>,
    /// CG iteration limit per Newton iteration (default `None`: `20 n`, as scipy).
    pub max_cg_iterations: Option<usize>,
    /// An extra convergence rule, not in scipy (default `None`): converged
    /// ([`Rule::GradNorm`]) when the gradient's norm at an iterate is `<= tol`, checked before
    /// the iteration limit and the step. The step rule (`xtol`) still applies, but ends with
    /// [`Status::NoProgress`] when the gradient is still above this tolerance; set `xtol = 0`
    /// to stop on the gradient alone.
    pub grad_norm: Option<(GradNorm, f64)>,
}

impl Default for NewtonCgConfig {
    fn default() -> Self {
        NewtonCgConfig {
            xtol: 1e-5,
            c1: 1e-4,
            c2: 0.9,
            max_iterations: None,
            max_cg_iterations: None,
            grad_norm: None,
        }
    }
}

impl NewtonCgConfig {
    setters! {
        /// Sets the step tolerance.
        ///
        /// ```
        /// use optim::NewtonCgConfig;
        /// let config = NewtonCgConfig::default().xtol(1e-8);
        /// assert_eq!(config.xtol, 1e-8);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        xtol: f64;
        /// Sets the sufficient-decrease constant.
        ///
        /// ```
        /// use optim::NewtonCgConfig;
        /// let config = NewtonCgConfig::default().c1(1e-3);
        /// assert_eq!(config.c1, 1e-3);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        c1: f64;
        /// Sets the curvature constant.
        ///
        /// ```
        /// use optim::NewtonCgConfig;
        /// let config = NewtonCgConfig::default().c2(0.5);
        /// assert_eq!(config.c2, 0.5);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        c2: f64;
        /// Sets the iteration limit.
        ///
        /// ```
        /// use optim::NewtonCgConfig;
        /// let config = NewtonCgConfig::default().max_iterations(Some(50));
        /// assert_eq!(config.max_iterations, Some(50));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        max_iterations: Option<usize>;
        /// Sets the CG iteration limit.
        ///
        /// ```
        /// use optim::NewtonCgConfig;
        /// let config = NewtonCgConfig::default().max_cg_iterations(Some(10));
        /// assert_eq!(config.max_cg_iterations, Some(10));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        max_cg_iterations: Option<usize>;
        /// Sets the gradient-norm rule.
        ///
        /// ```
        /// use optim::{GradNorm, NewtonCgConfig};
        /// let config = NewtonCgConfig::default().grad_norm(Some((GradNorm::L2, 1e-8)));
        /// assert_eq!(config.grad_norm, Some((GradNorm::L2, 1e-8)));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        grad_norm: Option<(GradNorm, f64)>;
    }

    /// Checks the hyperparameters (scipy's: `0 < c1 < c2 < 1`).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `NewtonCg`.
    ///
    /// ```
    /// use optim::{NewtonCgConfig, OptimError};
    /// assert_eq!(NewtonCgConfig::default().validate(), Ok(()));
    /// let e = NewtonCgConfig::default().c1(2.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "NewtonCg", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.xtol >= 0.0, "NewtonCg", "xtol must be >= 0")?;
        ensure(
            0.0 < self.c1 && self.c1 < self.c2 && self.c2 < 1.0,
            "NewtonCg",
            "the line search constants must satisfy 0 < c1 < c2 < 1",
        )
    }

    /// The caller's `rules` merged with this config's own, as [`crate::minimize`] runs them.
    pub(crate) fn merged(&self, rules: &StopRules) -> StopRules {
        merged_rules(rules, self.max_iterations, self.grad_norm)
    }

    /// Builds the solver for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{NewtonCgConfig, NewtonCg};
    /// let solver: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default().build(4).unwrap();
    /// assert_eq!(solver.dim(), 4);
    /// assert!(NewtonCgConfig::default().build::<f64, [f64; 3]>(4).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<NewtonCg<F, S>, OptimError> {
        self.validate()?;
        Ok(NewtonCg {
            config: self,
            dim,
            work: Work::new("NewtonCg", dim)?,
            progress: SolverProgress::default(),
            carry: NewtonCarry::default(),
            _f: core::marker::PhantomData,
        })
    }
}

/// scipy's Newton-CG (see the [module docs](self)); its eight work vectors are `S` buffers.
///
/// ```
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
/// let report = solver.minimize(&obj, &mut x).unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
/// assert!(report.hvp_evals >= 1);
/// ```
#[derive(Clone, Debug)]
pub struct NewtonCg<F, S> {
    pub(crate) config: NewtonCgConfig,
    pub(crate) dim: usize,
    pub(crate) work: Work<S>,
    /// Where the last run stands (for [`NewtonCg::resume_observed`]).
    pub(crate) progress: SolverProgress<F>,
    /// The line search's memory between iterations.
    pub(crate) carry: NewtonCarry,
    _f: core::marker::PhantomData<F>,
}

impl<F: Float, S: Storage<F>> NewtonCg<F, S> {
    /// The hyperparameters.
    ///
    /// ```
    /// use optim::{NewtonCgConfig, NewtonCg};
    /// type S = NewtonCg<f64, [f64; 2]>;
    /// let solver: S = NewtonCgConfig::default().max_iterations(Some(7)).build(2).unwrap();
    /// assert_eq!(solver.config().max_iterations, Some(7));
    /// ```
    pub fn config(&self) -> &NewtonCgConfig {
        &self.config
    }

    /// The number of parameters.
    ///
    /// ```
    /// let solver: optim::NewtonCg<f64, [f64; 3]> = optim::NewtonCgConfig::default().build(3).unwrap();
    /// assert_eq!(solver.dim(), 3);
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Minimizes `objective` from `x` (updated in place).
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have the solver's dimension.
    ///
    /// ```
    /// use optim::{NewtonCgConfig, NewtonCg};
    /// use autodiff_runtime::ObjectiveError;
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
    /// let mut x = [5.0, 5.0];
    /// assert!(solver.minimize(&obj, &mut x).unwrap().value < 1e-10);
    /// // Without a Hessian-vector product: an error, not a panic.
    /// let no_hvp = from_fns(2, f, grad);
    /// let mut y = [5.0, 5.0];
    /// assert_eq!(solver.minimize(&no_hvp, &mut y), Err(ObjectiveError::NoHvp));
    /// ```
    pub fn minimize<O: Objective<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
    ) -> Result<Report<F>, ObjectiveError> {
        self.minimize_observed(objective, x, &mut NoObserver)
    }

    /// [`NewtonCg::minimize`], showing `observer` the start point (iteration 0) and every
    /// iterate (scipy's callback). The gradient shown is the one at the iterate, except in the
    /// rare case where scipy's zoom search returns an unevaluated step: then it is the previous
    /// one (the gradient is evaluated at the start of the next iteration, as scipy does).
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have the solver's dimension.
    ///
    /// ```
    /// use optim::{History, NewtonCgConfig, NewtonCg};
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
    /// let (mut x, mut history) = ([0.0, 0.0], History::new());
    /// let report = solver.minimize_observed(&obj, &mut x, &mut history).unwrap();
    /// assert_eq!(history.values[0], 41.0); // the start point is iteration 0
    /// assert_eq!(history.values.len(), report.iterations + 1);
    /// ```
    pub fn minimize_observed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let cfg = self.config;
        let rules = solver_rules(cfg.max_iterations, self.dim, cfg.grad_norm);
        self.run(objective, x, &rules, observer)
    }

    /// [`NewtonCg::minimize_observed`] continuing where the last run stopped (e.g. at its
    /// iteration limit), from the state this solver holds or loaded
    /// ([`crate::state::NewtonCgState`]): with the same objective and `x`, the steps are bit
    /// for bit those of a run that never stopped, and the report is the same. The observer is
    /// shown the iterates after the current one.
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have the solver's dimension.
    ///
    /// ```
    /// use optim::{NoObserver, NewtonCgConfig, NewtonCg};
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
    /// let mut whole: S = NewtonCgConfig::default().build(2).unwrap();
    /// let mut x = [3.0, 3.0];
    /// let full = whole.minimize(&obj, &mut x).unwrap();
    /// // Stopped after one iteration, then resumed with the whole budget: the same run.
    /// let mut split: S = NewtonCgConfig::default().max_iterations(Some(1)).build(2).unwrap();
    /// let mut y = [3.0, 3.0];
    /// split.minimize(&obj, &mut y).unwrap();
    /// let mut resumed = S::from_state({ use optim::state::Stateful; let mut s = split.state(); s.param_group = NewtonCgConfig::default(); s }).unwrap();
    /// let rest = resumed.resume_observed(&obj, &mut y, &mut NoObserver).unwrap();
    /// assert_eq!((rest, y), (full, x));
    /// ```
    pub fn resume_observed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let cfg = self.config;
        let rules = solver_rules(cfg.max_iterations, self.dim, cfg.grad_norm);
        self.proceed(objective, x, &rules, observer)
    }

    /// [`NewtonCg::resume_observed`] under the caller's `rules` as well, merged with the
    /// config's own as [`crate::minimize`] merges them (see [`crate::Method`]): continues a run
    /// made through [`crate::minimize`] (with `&mut` this solver) as that run would have gone on.
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have the solver's dimension.
    ///
    /// ```
    /// use optim::{minimize, NoObserver, StopRules, NewtonCgConfig, NewtonCg};
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
    /// let mut x = [3.0, 3.0];
    /// // One iteration through `minimize`, then the rest under the same rules.
    /// let rules = StopRules::default();
    /// minimize(&obj, &mut x).with(&mut solver).stop(StopRules::max_iterations(1)).run().unwrap();
    /// let report = solver.resume_under(&obj, &mut x, &rules, &mut NoObserver).unwrap();
    /// assert!(report.iterations >= 1 && report.value < 1e-10);
    /// ```
    pub fn resume_under<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let rules = self.config.merged(rules);
        self.proceed(objective, x, &rules, observer)
    }

    /// The method under `rules` (their gradient rule also decides whether a step below `xtol`
    /// is convergence or [`Status::NoProgress`]).
    pub(crate) fn run<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let g = self.work.g.as_mut();
        self.progress = start("NewtonCg", self.dim, objective, x, g, observer);
        self.carry = NewtonCarry {
            old_fval: self.progress.value.to_f64(),
            old_old_fval: None,
            grad_current: true,
        };
        self.proceed(objective, x, rules, observer)
    }

    /// The method under `rules` from where `progress` and `carry` (the line search's memory)
    /// stand, which it updates when it stops.
    pub(crate) fn proceed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let n = self.dim;
        check_solver("NewtonCg", n, x.len(), objective.dim());
        let cfg = self.config;
        let max_cg = cfg.max_cg_iterations.unwrap_or(20 * n);
        let xtol = cfg.xtol * n as f64;
        let super::Parts {
            g,
            mut cg,
            trial,
            tgrad,
        } = self.work.parts(None);

        let mut report = self.progress.report(Status::MaxIterations, g);
        let NewtonCarry {
            mut old_fval,
            mut old_old_fval,
            mut grad_current,
        } = self.carry;
        // `(sum |g|, g.g)` at the iterate, when the step that reached it has summed them already.
        let mut g_sums = None;
        loop {
            if !grad_current {
                report.value = objective.value_grad(x, g);
                report.value_evals += 1;
                report.grad_evals += 1;
                old_fval = report.value.to_f64();
                grad_current = true;
                g_sums = None;
            }
            // A zero gradient (always, for a zero-dimensional problem) is a stationary point.
            let (maggrad, gg) = g_sums.take().unwrap_or_else(|| norm1_dot(g));
            let previous = old_old_fval.map(F::from_f64);
            if verdict(rules, &mut report, g, previous, maggrad == 0.0) {
                break;
            }
            // CG on H p = -g from p = 0 (scipy: b = -g, ri = -b = g, psupi = -ri).
            let termcond = f64::min(0.5, sqrt(maggrad)) * maggrad;
            // The sums CG needs are taken in passes that already run (bit for bit the same as
            // separate ones): `r = g` at the start, so `sum |r| = maggrad` and `r.r = g.g`; after
            // that `sum |r|` and `g.z` (the line search's slope) come with each step.
            cg.restart_known(g, gg);
            let mut r_l1 = maggrad;
            let mut gz = None;
            let mut end = CgEnd::NotConverged;
            for i in 0..max_cg {
                if r_l1 <= termcond {
                    end = CgEnd::Converged;
                    break;
                }
                let curv = cg.curvature(objective, x, &mut report.hvp_evals)?;
                if !curv.is_finite() {
                    end = CgEnd::NonFinite;
                    break;
                } else if curv <= 3.0 * f64::EPSILON {
                    // Zero or negative curvature: stop; on the first iteration, steepest descent.
                    if i == 0 && curv < 0.0 {
                        // scipy's xsupi = dri0 / (-curv) * b.
                        let s = F::from_f64(cg.rr / -curv);
                        for (pi, &gi) in cg.z.iter_mut().zip(g.iter()) {
                            *pi = s * -gi;
                        }
                    } else if i == 0 {
                        // Zero curvature along -g (a linear region): scipy would search along
                        // p = 0 and report a converged zero step; take -g itself.
                        for (pi, &gi) in cg.z.iter_mut().zip(g.iter()) {
                            *pi = -gi;
                        }
                    }
                    end = CgEnd::Converged;
                    break;
                }
                let sums = cg.advance_sums(cg.rr / curv, g);
                r_l1 = sums.r_l1;
                gz = Some(sums.gz);
                cg.turn(sums.rr);
            }
            match end {
                CgEnd::Converged => {}
                CgEnd::NonFinite => {
                    report.status = Status::Diverged;
                    break;
                }
                CgEnd::NotConverged => {
                    report.status = Status::NoProgress;
                    break;
                }
            }
            // Line search along p.
            let p = &*cg.z;
            // `z` is the last step's unless CG ended on its first iteration (no step taken).
            let dphi0 = gz.unwrap_or_else(|| dot(g, p));
            let mut ray = Ray::new(objective, x, p, trial, tgrad);
            let result = wolfe12(&mut ray, old_fval, old_old_fval, dphi0, cfg.c1, cfg.c2);
            report.value_evals += ray.value_evals;
            report.grad_evals += ray.grad_evals;
            let grad_at = ray.grad_at;
            let step = match result {
                Ok(step) => step,
                Err(e) => {
                    report.status = e.status();
                    break;
                }
            };
            let a = F::from_f64(step.alpha);
            let mut update_l1 = 0.0;
            grad_current = grad_at == Some(step.alpha);
            if grad_current {
                // The step, the new gradient's copy and its sums for the next iteration (those
                // of `norm1_dot`) in one pass.
                let (mut l1, mut sq) = (-0.0, -0.0);
                for (((xj, &pj), gj), &tj) in x.iter_mut().zip(p).zip(g.iter_mut()).zip(&*tgrad) {
                    let u = a * pj;
                    update_l1 += u.to_f64().abs();
                    *xj += u;
                    *gj = tj;
                    let t = tj.to_f64();
                    l1 += t.abs();
                    sq += t * t;
                }
                g_sums = Some((l1, sq));
            } else {
                for (xj, &pj) in x.iter_mut().zip(p) {
                    let u = a * pj;
                    update_l1 += u.to_f64().abs();
                    *xj += u;
                }
            }
            old_old_fval = Some(old_fval);
            old_fval = step.value;
            report.value = F::from_f64(step.value);
            report.iterations += 1;
            observer.observe(report.iterations, x, report.value, g);
            if update_l1 <= xtol || update_l1.is_nan() {
                report.status = if update_l1.is_nan() || old_fval.is_nan() {
                    Status::Diverged
                } else if rules
                    .grad_norm
                    .is_some_and(|(norm, tol)| grad_current && norm.of(g) > tol)
                {
                    // A tiny step, but the gradient is still above its tolerance: stalled.
                    Status::NoProgress
                } else {
                    Status::Converged(Rule::StepSize)
                };
                break;
            }
        }
        report.grad_norm = GradNorm::L2.of(g);
        self.progress = SolverProgress::of(&report, None);
        self.carry = NewtonCarry {
            old_fval,
            old_old_fval,
            grad_current,
        };
        Ok(report)
    }
}
