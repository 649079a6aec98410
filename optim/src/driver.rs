//! The first-order driver [`minimize_in`] owns the loop (evaluate, observe, check the stopping
//! rules, step, schedule) and reports why it stopped; the stopping rules ([`StopRules`]) and the
//! one report ([`Report`]) of every method.

use autodiff_runtime::{Float, Objective};

use crate::state::DriverState;
use crate::{schedule::Scheduler, Observer, Optimizer};

/// Which norm the gradient rule measures.
///
/// ```
/// use optim::GradNorm;
/// let g = [3.0, -4.0];
/// assert_eq!((GradNorm::L1.of(&g), GradNorm::L2.of(&g), GradNorm::Inf.of(&g)), (7.0, 5.0, 4.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum GradNorm {
    /// `sum |g_i|`.
    L1,
    /// `sqrt(sum g_i^2)`, the Euclidean norm.
    L2,
    /// `max |g_i|`.
    Inf,
}

impl GradNorm {
    /// The norm of `g`, in `f64`.
    ///
    /// ```
    /// use optim::GradNorm;
    /// assert_eq!(GradNorm::L2.of(&[1.0f32, 2.0, 2.0]), 3.0);
    /// assert_eq!(GradNorm::Inf.of::<f64>(&[]), 0.0);
    /// ```
    pub fn of<F: Float>(self, g: &[F]) -> f64 {
        let it = g.iter().map(|v| v.to_f64().abs());
        match self {
            GradNorm::L1 => it.sum(),
            GradNorm::L2 => Float::to_f64(autodiff_runtime::Scalar::sqrt(
                it.map(|a| a * a).sum::<f64>(),
            )),
            GradNorm::Inf => it.fold(0.0, f64::max),
        }
    }
}

/// When the driver stops. Rules are checked at each evaluated iterate, before stepping, in the
/// order: non-finite value or gradient (→ [`Status::Diverged`]), gradient norm, loss change,
/// iteration limit, evaluation budget. A zero-dimensional problem is converged
/// ([`Rule::GradNorm`]) at its first evaluation, whatever the rules.
///
/// ```
/// use optim::{minimize, GradNorm, SgdConfig, Status, StopRules};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let rules = StopRules::max_iterations(500).grad_norm(GradNorm::L2, 1e-8).max_evaluations(3);
/// let mut x = [1.0];
/// let sgd = SgdConfig::default().lr(0.1);
/// let report = minimize(&obj, &mut x).with(sgd).stop(rules).run().unwrap();
/// // The evaluation budget fires first.
/// assert_eq!((report.status, report.value_evals), (Status::MaxEvaluations, 3));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StopRules {
    /// Stop after this many optimizer steps (default 1000).
    pub max_iterations: usize,
    /// Converged when the gradient's norm is `<= tol` (default `max |g_i| <= 1e-5`; off in
    /// [`StopRules::max_iterations`]).
    pub grad_norm: Option<(GradNorm, f64)>,
    /// Converged when `|f_k - f_{k-1}| <= tol` (off unless set).
    pub loss_change: Option<f64>,
    /// Stop ([`Status::MaxEvaluations`]) once this many objective evaluations (calls of
    /// [`Objective::value`] or [`Objective::value_grad`], the reports' `value_evals`) have been
    /// made (off unless set). Checked at each evaluated iterate, before stepping: the driver
    /// spends one evaluation per step, so a budget of `m` gives at most `m` evaluations and
    /// `m - 1` steps. The other methods (L-BFGS, Newton-CG, trust region) check it between
    /// iterations, so one iteration (a line search, a trust-region trial) may overrun the
    /// budget by its own evaluations.
    pub max_evaluations: Option<usize>,
}

/// The default of [`crate::minimize`]: at most 1000 iterations, converged when the largest
/// gradient component is at most `1e-5` (scipy's BFGS default, `gtol = 1e-5` in the `inf`
/// norm).
///
/// ```
/// use optim::{GradNorm, StopRules};
/// let rules = StopRules::default();
/// assert_eq!((rules.max_iterations, rules.grad_norm), (1000, Some((GradNorm::Inf, 1e-5))));
/// assert_eq!((rules.loss_change, rules.max_evaluations), (None, None));
/// ```
impl Default for StopRules {
    fn default() -> Self {
        StopRules {
            max_iterations: 1000,
            grad_norm: Some((GradNorm::Inf, 1e-5)),
            loss_change: None,
            max_evaluations: None,
        }
    }
}

impl StopRules {
    /// Only the iteration limit.
    ///
    /// ```
    /// use optim::StopRules;
    /// let rules = StopRules::max_iterations(10);
    /// assert_eq!((rules.max_iterations, rules.grad_norm, rules.loss_change), (10, None, None));
    /// ```
    pub fn max_iterations(max_iterations: usize) -> Self {
        StopRules {
            max_iterations,
            grad_norm: None,
            loss_change: None,
            max_evaluations: None,
        }
    }
    /// Adds the gradient-norm rule.
    ///
    /// ```
    /// use optim::{GradNorm, StopRules};
    /// let rules = StopRules::max_iterations(10).grad_norm(GradNorm::L1, 1e-6);
    /// assert_eq!(rules.grad_norm, Some((GradNorm::L1, 1e-6)));
    /// ```
    #[must_use]
    pub fn grad_norm(mut self, norm: GradNorm, tol: f64) -> Self {
        self.grad_norm = Some((norm, tol));
        self
    }
    /// Adds the loss-change rule.
    ///
    /// ```
    /// use optim::{minimize, Rule, SgdConfig, Status, StopRules};
    /// use autodiff_runtime::from_fns;
    /// let flat = from_fns(1, |_: &[f64]| 1.0, |_: &[f64], g: &mut [f64]| {
    ///     g[0] = 1.0;
    ///     1.0
    /// });
    /// let mut x = [0.0];
    /// // Gradient descent on a constant: the loss does not change.
    /// let rules = StopRules::max_iterations(10).loss_change(0.0);
    /// let sgd = SgdConfig::default().lr(0.1);
    /// let report = minimize(&flat, &mut x).with(sgd).stop(rules).run().unwrap();
    /// assert_eq!(report.status, Status::Converged(Rule::LossChange));
    /// ```
    #[must_use]
    pub fn loss_change(mut self, tol: f64) -> Self {
        self.loss_change = Some(tol);
        self
    }
    /// Adds the evaluation budget.
    ///
    /// ```
    /// use optim::StopRules;
    /// let rules = StopRules::default().max_evaluations(100);
    /// assert_eq!(rules.max_evaluations, Some(100));
    /// ```
    #[must_use]
    pub fn max_evaluations(mut self, max_evaluations: usize) -> Self {
        self.max_evaluations = Some(max_evaluations);
        self
    }
    /// Whether `evals` objective evaluations exhaust the budget.
    ///
    /// ```
    /// use optim::StopRules;
    /// let rules = StopRules::default().max_evaluations(3);
    /// assert!(!rules.evaluations_exhausted(2) && rules.evaluations_exhausted(3));
    /// assert!(!StopRules::default().evaluations_exhausted(usize::MAX));
    /// ```
    pub fn evaluations_exhausted(&self, evals: usize) -> bool {
        self.max_evaluations.is_some_and(|m| evals >= m)
    }
}

/// The convergence rule that fired.
///
/// ```
/// use optim::{minimize, Rule, Status};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut x = [0.0];
/// // Started at the minimum: the default gradient rule fires at once.
/// let report = minimize(&obj, &mut x).run().unwrap();
/// assert_eq!(report.status, Status::Converged(Rule::GradNorm));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The gradient norm fell to the tolerance.
    GradNorm,
    /// The loss changed by at most the tolerance in one step.
    LossChange,
    /// The step was below the tolerance (scipy Newton-CG's `xtol`, torch L-BFGS's
    /// `tolerance_change` on the step).
    StepSize,
}

/// Why the driver stopped.
///
/// ```
/// use optim::{minimize, Status};
/// use autodiff_runtime::from_fns;
/// let nan = from_fns(1, |_: &[f64]| f64::NAN, |_: &[f64], g: &mut [f64]| {
///     g[0] = f64::NAN;
///     f64::NAN
/// });
/// let mut x = [1.0];
/// let report = minimize(&nan, &mut x).run().unwrap();
/// assert_eq!(report.status, Status::Diverged);
/// assert_eq!(x, [1.0]); // left at the last iterate
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// A convergence rule fired.
    Converged(Rule),
    /// The iteration limit was reached.
    MaxIterations,
    /// The evaluation budget ([`StopRules::max_evaluations`]) was used up.
    MaxEvaluations,
    /// The value, the gradient or (second-order methods) a Hessian-vector product became
    /// non-finite (NaN or infinite); the parameters are left at that iterate.
    Diverged,
    /// The line search found no step satisfying its conditions (not a descent direction,
    /// rounding errors, evaluation budget); the parameters are left at the last accepted iterate.
    LineSearchFailed,
    /// A second-order method could not make progress: the trust-region model predicted no
    /// decrease, the inner conjugate gradient did not converge (Hessian not positive
    /// definite), or Newton-CG's step fell below `xtol` while the gradient was still above
    /// its configured tolerance; the parameters are left at the last accepted iterate.
    NoProgress,
}

/// What a minimizer did: the one report of every method (the first-order driver, L-BFGS,
/// Newton-CG, trust region, and [`crate::minimize`] over any of them).
///
/// ```
/// use optim::{minimize, Status, StopRules};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut x = [3.0];
/// let report = minimize(&obj, &mut x).stop(StopRules::max_iterations(0)).run().unwrap();
/// // No step: one evaluation at the start, whose gradient norm is |2 x| = 6.
/// assert_eq!((report.status, report.iterations, report.value), (Status::MaxIterations, 0, 9.0));
/// assert_eq!((report.value_evals, report.grad_evals, report.hvp_evals), (1, 1, 0));
/// assert_eq!(report.grad_norm, 6.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Report<F> {
    /// Why it stopped.
    pub status: Status,
    /// Iterations (steps taken, accepted or attempted, as the method counts them: scipy's
    /// `nit` for the second-order methods).
    pub iterations: usize,
    /// The loss at the final parameters.
    pub value: F,
    /// Objective value evaluations (a value-and-gradient evaluation counts here and in
    /// `grad_evals`; scipy's `nfev`).
    pub value_evals: usize,
    /// Gradient evaluations (scipy's `njev`).
    pub grad_evals: usize,
    /// Hessian-vector products (scipy's `nhev`; 0 for first-order methods and L-BFGS).
    pub hvp_evals: usize,
    /// The Euclidean norm of the last gradient evaluated at the final parameters (NaN or
    /// infinite when [`Status::Diverged`] stopped on it).
    pub grad_norm: f64,
}

impl<F: Float> Report<F> {
    /// A report of `value_evals` value-and-gradient evaluations (no HVP) ending with `status`
    /// after `iterations` at `value`, with gradient `grad`.
    pub(crate) fn new(
        status: Status,
        iterations: usize,
        value: F,
        grad: &[F],
        evals: usize,
    ) -> Self {
        Report {
            status,
            iterations,
            value,
            value_evals: evals,
            grad_evals: evals,
            hvp_evals: 0,
            grad_norm: GradNorm::L2.of(grad),
        }
    }
}

impl StopRules {
    /// The verdict of the rules at an evaluated iterate, in the documented order: non-finite
    /// value or gradient, then `converged` (a method's own gradient test, e.g. an exactly zero
    /// gradient) or the gradient rule, the loss change against `previous` (the value before the
    /// last step, `None` when there is nothing to compare), the iteration limit at `k` steps
    /// and the evaluation budget at `evals` evaluations. `None`: go on.
    pub(crate) fn verdict<F: Float>(
        &self,
        k: usize,
        value: F,
        grad: &[F],
        previous: Option<F>,
        evals: usize,
        converged: bool,
    ) -> Option<Status> {
        if !value.to_f64().is_finite() || !all_finite(grad) {
            Some(Status::Diverged)
        } else if converged
            || self
                .grad_norm
                .is_some_and(|(norm, tol)| norm.of(grad) <= tol)
        {
            Some(Status::Converged(Rule::GradNorm))
        } else if previous.is_some_and(|prev| {
            self.loss_change
                .is_some_and(|tol| (value - prev).to_f64().abs() <= tol)
        }) {
            Some(Status::Converged(Rule::LossChange))
        } else if k >= self.max_iterations {
            Some(Status::MaxIterations)
        } else if self.evaluations_exhausted(evals) {
            Some(Status::MaxEvaluations)
        } else {
            None
        }
    }
}

fn all_finite<F: Float>(v: &[F]) -> bool {
    v.iter().all(|x| x.to_f64().is_finite())
}

/// Minimizes `objective` from `params` (updated in place) with `optimizer`, using `grad` (length
/// `dim`) as the gradient buffer, so nothing is allocated. `schedule` is started
/// ([`Scheduler::start`]) before the first evaluation and updated with each step's loss after
/// that optimizer step. The lower layer of [`crate::minimize`] for first-order methods.
///
/// ```
/// use optim::{minimize_in, GradNorm, NoObserver, NoSchedule, Rule, Sgd, SgdConfig, Status, StopRules};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut sgd: Sgd<f64, [f64; 1]> = SgdConfig::default().lr(0.25).build(1).unwrap();
/// let (mut x, mut g) = ([-10.0], [0.0]);
/// let rules = StopRules::max_iterations(100).grad_norm(GradNorm::L1, 1e-4);
/// let report = minimize_in(&obj, &mut x, &mut g, &mut sgd, &rules, &mut NoSchedule, &mut NoObserver);
/// assert_eq!((report.status, report.iterations), (Status::Converged(Rule::GradNorm), 18));
/// ```
///
/// # Panics
/// If `params`, `grad` or the optimizer do not have the objective's dimension.
pub fn minimize_in<F, O, Opt, S, Obs>(
    objective: &O,
    params: &mut [F],
    grad: &mut [F],
    optimizer: &mut Opt,
    rules: &StopRules,
    schedule: &mut S,
    observer: &mut Obs,
) -> Report<F>
where
    F: Float,
    O: Objective<F> + ?Sized,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    Obs: Observer<F> + ?Sized,
{
    resume_in(
        objective,
        params,
        grad,
        optimizer,
        rules,
        schedule,
        observer,
        &mut DriverState::new(),
    )
}

/// [`minimize_in`] continuing from `state` (the iterations and evaluations made so far, and the
/// previous loss), which it updates: a run stopped by its rules (e.g. its iteration limit) and
/// resumed here with the same optimizer and schedule, or with ones loaded from their saved
/// states ([`crate::state`]), takes bit for bit the steps of a run that was never stopped, and
/// returns the same [`Report`]. `rules` count from the start of the whole run.
///
/// The objective is evaluated again at `params` on entry (the interrupted run evaluated it last,
/// before stopping), and the observer sees that iterate again; [`DriverState`] counts it once.
///
/// # Panics
/// As [`minimize_in`].
///
/// ```
/// use optim::{minimize_in, resume_in, NoObserver, NoSchedule, SgdConfig, Status, StopRules};
/// use optim::state::DriverState;
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let rules = StopRules::max_iterations(6);
/// // One run of 6 steps ...
/// let mut sgd = SgdConfig::default().lr(0.1).build::<f64, [f64; 1]>(1).unwrap();
/// let (mut x, mut g) = ([1.0], [0.0]);
/// let whole = minimize_in(&obj, &mut x, &mut g, &mut sgd, &rules, &mut NoSchedule, &mut NoObserver);
/// // ... equals 3 steps, then 3 more from the driver's state.
/// let mut sgd = SgdConfig::default().lr(0.1).build::<f64, [f64; 1]>(1).unwrap();
/// let (mut y, mut state) = ([1.0], DriverState::new());
/// let first = StopRules::max_iterations(3);
/// resume_in(&obj, &mut y, &mut g, &mut sgd, &first, &mut NoSchedule, &mut NoObserver, &mut state);
/// let rest = resume_in(&obj, &mut y, &mut g, &mut sgd, &rules, &mut NoSchedule, &mut NoObserver, &mut state);
/// assert_eq!((rest.status, rest.iterations), (Status::MaxIterations, 6));
/// assert_eq!((y, rest.value), (x, whole.value));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn resume_in<F, O, Opt, S, Obs>(
    objective: &O,
    params: &mut [F],
    grad: &mut [F],
    optimizer: &mut Opt,
    rules: &StopRules,
    schedule: &mut S,
    observer: &mut Obs,
    state: &mut DriverState<F>,
) -> Report<F>
where
    F: Float,
    O: Objective<F> + ?Sized,
    Opt: Optimizer<F> + ?Sized,
    S: Scheduler + ?Sized,
    Obs: Observer<F> + ?Sized,
{
    let n = objective.dim();
    assert!(
        params.len() == n && grad.len() == n && optimizer.dim() == n,
        "`minimize_in`: params ({}), grad ({}) and optimizer ({}) must have the objective's dimension {n}",
        params.len(),
        grad.len(),
        optimizer.dim()
    );
    schedule.start(optimizer);
    let mut evals = state.evaluations;
    let mut k = state.iterations;
    loop {
        let value = objective.value_grad(params, grad);
        evals += 1;
        observer.observe(k, params, value, grad);
        // Saved at every stop: the evaluation just made is repeated by a resume.
        state.iterations = k;
        state.evaluations = evals - 1;
        // Nothing to move in a zero-dimensional problem: its empty gradient has norm 0.
        if let Some(status) = rules.verdict(k, value, grad, state.previous, evals, n == 0) {
            return Report::new(status, k, value, grad, evals);
        }
        optimizer.step(params, grad);
        schedule.update(optimizer, value.to_f64());
        state.previous = Some(value);
        k += 1;
    }
}
