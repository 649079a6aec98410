//! [`minimize`]: the one entry point for every method.
//!
//! ```
//! use optim::{minimize, AdamConfig, GradNorm, Iterate, NewtonCgConfig, Status, StopRules};
//! use autodiff_runtime::from_fns;
//! // f(x, y) = (x - 1)^2 + 10 (y + 2)^2, with its gradient.
//! let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
//! let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
//!     g[0] = 2.0 * (x[0] - 1.0);
//!     g[1] = 20.0 * (x[1] + 2.0);
//!     f(x)
//! });
//!
//! // Everything defaulted: L-BFGS under `StopRules::default()`.
//! let mut x = [0.0, 0.0];
//! let report = minimize(&obj, &mut x).run().unwrap();
//! assert_eq!(report.status, Status::Converged(optim::Rule::GradNorm));
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
//!
//! // Adam (state in `[f64; 2]` arrays, inferred from `x`), own rules, a closure observer.
//! let mut x = [0.0, 0.0];
//! let mut losses = Vec::new();
//! let report = minimize(&obj, &mut x)
//!     .with(AdamConfig::default().lr(0.1))
//!     .stop(StopRules::max_iterations(5000).grad_norm(GradNorm::L2, 1e-8))
//!     .observe(|it: &Iterate<f64>| losses.push(it.value))
//!     .run()
//!     .unwrap();
//! assert_eq!(report.status, Status::Converged(optim::Rule::GradNorm));
//! assert_eq!(losses.len(), report.iterations + 1);
//! ```

use core::marker::PhantomData;

use autodiff_runtime::{Float, Objective};

use crate::method::first_order;
use crate::state::DriverState;
use crate::{
    ensure, LbfgsConfig, Method, NoObserver, NoSchedule, ObserveFn, Observer, OptimError,
    Optimizer, Params, Report, Scheduler, StopRules,
};

/// The method [`minimize`] runs unless told otherwise: L-BFGS ([`LbfgsConfig::default`], 100
/// pairs of history; feature `alloc`).
///
/// ```
/// use optim::{minimize, DefaultMethod, LbfgsConfig, Status, StopRules};
/// assert_eq!(DefaultMethod::default(), LbfgsConfig::default());
/// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| (x[0] - 2.0).powi(2), |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * (x[0] - 2.0);
///     (x[0] - 2.0).powi(2)
/// });
/// let (mut a, mut b) = ([0.0], [0.0]);
/// let ra = minimize(&obj, &mut a).run().unwrap();
/// let rb = minimize(&obj, &mut b).with(DefaultMethod::default()).run().unwrap();
/// assert_eq!((ra, a), (rb, b));
/// ```
pub type DefaultMethod = LbfgsConfig;

/// Minimizes `objective` from `x` (updated in place): set the method ([`Minimize::with`]), the
/// stopping rules ([`Minimize::stop`]), a schedule ([`Minimize::schedule`]) and observers
/// ([`Minimize::observe`], [`Minimize::observer`]), then [`Minimize::run`] ([`Minimize::resume`]
/// continues a first-order run from a saved state). Each has a default:
/// L-BFGS ([`DefaultMethod`]), [`StopRules::default`], no schedule, no observer. The state
/// storage follows `x` ([`Params`]).
///
/// ```
/// use optim::{minimize, SgdConfig, StopRules};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut x = vec![-10.0];
/// let report = minimize(&obj, &mut x)
///     .with(SgdConfig::default().lr(0.25))
///     .stop(StopRules::max_iterations(100).grad_norm(optim::GradNorm::L1, 1e-4))
///     .run()
///     .unwrap();
/// assert_eq!(report.iterations, 18);
/// ```
pub fn minimize<'a, F, O, P>(
    objective: &'a O,
    x: &'a mut P,
) -> Minimize<'a, F, O, P, DefaultMethod, NoSchedule, NoObserver>
where
    F: Float,
    O: Objective<F> + ?Sized,
    P: Params<F> + ?Sized,
{
    Minimize {
        objective,
        x,
        method: LbfgsConfig::default(),
        rules: StopRules::default(),
        schedule: NoSchedule,
        observer: NoObserver,
        _f: PhantomData,
    }
}

/// A minimization being set up (see [`minimize`]): a value, so it can be prepared in one place
/// and run in another.
///
/// ```
/// use optim::{minimize, Minimize, Status, StopRules};
/// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut x = [1.0];
/// let prepared = minimize(&obj, &mut x).stop(StopRules::max_iterations(0));
/// let report = prepared.run().unwrap();
/// assert_eq!(report.status, Status::MaxIterations);
/// ```
#[must_use = "nothing is minimized until `run` is called"]
pub struct Minimize<'a, F, O: ?Sized, P: ?Sized, M, Sch, Obs> {
    objective: &'a O,
    x: &'a mut P,
    method: M,
    rules: StopRules,
    schedule: Sch,
    observer: Obs,
    _f: PhantomData<F>,
}

impl<'a, F, O, P, M, Sch, Obs> Minimize<'a, F, O, P, M, Sch, Obs>
where
    F: Float,
    O: Objective<F> + ?Sized,
    P: Params<F> + ?Sized,
{
    /// The method: a config ([`crate::AdamConfig`], [`LbfgsConfig`],
    /// [`crate::NewtonCgConfig`], ...), built with the inferred storage, or an optimizer or
    /// solver built beforehand (owned, `&mut`, or `Box<dyn Optimizer<F>>`). See [`Method`].
    ///
    /// ```
    /// use optim::{minimize, TrustRegionConfig, Status, Rule};
    /// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * x[0];
    ///     x[0] * x[0]
    /// })
    /// .with_hvp(|x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
    ///     (g[0], hv[0]) = (2.0 * x[0], 2.0 * v[0]);
    ///     x[0] * x[0]
    /// });
    /// let mut x = [3.0];
    /// let report = minimize(&obj, &mut x).with(TrustRegionConfig::default()).run().unwrap();
    /// assert_eq!((report.status, x), (Status::Converged(Rule::GradNorm), [0.0]));
    /// // Two steps to the boundary (radius 1, then 2), one product each.
    /// assert_eq!((report.iterations, report.hvp_evals), (2, 2));
    /// ```
    pub fn with<M2>(self, method: M2) -> Minimize<'a, F, O, P, M2, Sch, Obs> {
        Minimize {
            objective: self.objective,
            x: self.x,
            method,
            rules: self.rules,
            schedule: self.schedule,
            observer: self.observer,
            _f: PhantomData,
        }
    }

    /// The stopping rules (default [`StopRules::default`]), honoured by every method.
    ///
    /// ```
    /// use optim::{minimize, Status, StopRules};
    /// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * x[0];
    ///     x[0] * x[0]
    /// });
    /// let mut x = [3.0];
    /// let report = minimize(&obj, &mut x).stop(StopRules::default().max_evaluations(1)).run().unwrap();
    /// assert_eq!((report.status, report.value_evals, x), (Status::MaxEvaluations, 1, [3.0]));
    /// ```
    pub fn stop(mut self, rules: StopRules) -> Self {
        self.rules = rules;
        self
    }

    /// A learning-rate schedule (first-order methods only; `&mut` to look at it afterwards).
    ///
    /// ```
    /// use optim::{minimize, SgdConfig, StepLr, StopRules};
    /// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0], |_x: &[f64], g: &mut [f64]| {
    ///     g[0] = 1.0;
    ///     0.0
    /// });
    /// let mut x = [0.0];
    /// let mut halve = StepLr::new(1, 0.5).unwrap();
    /// minimize(&obj, &mut x)
    ///     .with(SgdConfig::default().lr(1.0))
    ///     .schedule(&mut halve)
    ///     .stop(StopRules::max_iterations(3))
    ///     .run()
    ///     .unwrap();
    /// assert_eq!(x, [-1.75]); // steps of 1, 0.5, 0.25
    /// ```
    ///
    /// A second-order method with a schedule does not compile:
    ///
    /// ```compile_fail
    /// use optim::{minimize, NewtonCgConfig, StepLr};
    /// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0], |_x: &[f64], g: &mut [f64]| {
    ///     g[0] = 1.0;
    ///     0.0
    /// });
    /// let mut x = [0.0];
    /// let halve = StepLr::new(1, 0.5).unwrap();
    /// minimize(&obj, &mut x).with(NewtonCgConfig::default()).schedule(halve).run();
    /// ```
    pub fn schedule<Sch2>(self, schedule: Sch2) -> Minimize<'a, F, O, P, M, Sch2, Obs> {
        Minimize {
            objective: self.objective,
            x: self.x,
            method: self.method,
            rules: self.rules,
            schedule,
            observer: self.observer,
            _f: PhantomData,
        }
    }

    /// Adds a closure observer, called with every evaluated [`crate::Iterate`] (0 = the start
    /// point), after the ones added before.
    ///
    /// ```
    /// use optim::{minimize, Iterate, StopRules};
    /// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * x[0];
    ///     x[0] * x[0]
    /// });
    /// let (mut x, mut seen) = ([3.0], 0);
    /// let report = minimize(&obj, &mut x).observe(|_: &Iterate<f64>| seen += 1).run().unwrap();
    /// assert_eq!(seen, report.iterations + 1);
    /// ```
    pub fn observe<C>(self, observer: C) -> Minimize<'a, F, O, P, M, Sch, (Obs, ObserveFn<C>)>
    where
        C: FnMut(&crate::Iterate<'_, F>),
    {
        self.observer(ObserveFn(observer))
    }

    /// Adds an [`Observer`] ([`crate::History`], [`crate::Progress`], `&mut` one of yours...),
    /// after the ones added before.
    ///
    /// ```
    /// use optim::{minimize, History};
    /// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * x[0];
    ///     x[0] * x[0]
    /// });
    /// let (mut x, mut history) = ([3.0], History::new());
    /// minimize(&obj, &mut x).observer(&mut history).run().unwrap();
    /// assert_eq!(history.values[0], 9.0);
    /// ```
    pub fn observer<Obs2>(self, observer: Obs2) -> Minimize<'a, F, O, P, M, Sch, (Obs, Obs2)>
    where
        Obs2: Observer<F>,
    {
        Minimize {
            objective: self.objective,
            x: self.x,
            method: self.method,
            rules: self.rules,
            schedule: self.schedule,
            observer: (self.observer, observer),
            _f: PhantomData,
        }
    }

    /// Runs the method; `x` is left at the final iterate.
    ///
    /// ```
    /// use optim::{minimize, OptimError};
    /// let obj = autodiff_runtime::from_fns(2, |x: &[f64]| x[0], |_x: &[f64], g: &mut [f64]| {
    ///     g.fill(1.0);
    ///     0.0
    /// });
    /// let mut x = vec![0.0; 3];
    /// let err = minimize(&obj, &mut x).run().unwrap_err();
    /// assert!(matches!(err, OptimError::Length { len: 3, dim: 2, .. }));
    /// ```
    ///
    /// # Errors
    /// Parameters of another length than the objective's dimension, a negative or NaN
    /// tolerance in the rules, and the method's errors ([`Method::run`]).
    pub fn run(mut self) -> Result<Report<F>, OptimError>
    where
        M: Method<F, P::Storage, Sch>,
        Obs: Observer<F>,
    {
        let x = checked(self.objective, self.x, &self.rules)?;
        let (schedule, observer) = (&mut self.schedule, &mut self.observer);
        self.method
            .run(self.objective, x, &self.rules, schedule, observer)
    }

    /// Runs a first-order optimizer (built beforehand, usually `&mut` one, so that its state can
    /// be saved afterwards) from where `driver` stands, and updates it: the driver's
    /// [`crate::resume_in`] with a gradient buffer of the inferred storage. From
    /// [`DriverState::new`] this is [`Minimize::run`]; from the driver state of a run stopped by
    /// its rules, with the optimizer and schedule loaded from their saved states
    /// ([`crate::state`]), it takes bit for bit the steps of the run that was never stopped.
    /// The rules count from the start of the whole run. (L-BFGS, Newton-CG and the trust region
    /// keep their progress in their own state: resume them with [`crate::Lbfgs::resume_observed`],
    /// [`crate::NewtonCg::resume_under`] and [`crate::TrustRegion::resume_under`], which take
    /// the rules of a run made here.)
    ///
    /// ```
    /// use optim::state::{DriverState, Stateful};
    /// use optim::{minimize, Adam, AdamConfig, StepLr, StopRules};
    /// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * x[0];
    ///     x[0] * x[0]
    /// });
    /// let config = AdamConfig::default().lr(0.1);
    /// let rules = StopRules::max_iterations(50);
    /// let mut x = [3.0];
    /// let full = minimize(&obj, &mut x).with(config).schedule(StepLr::new(10, 0.5)?).stop(rules).run()?;
    ///
    /// // 20 steps, a checkpoint, and the rest from the checkpoint.
    /// let (mut adam, mut schedule) = (config.build::<f64, [f64; 1]>(1)?, StepLr::new(10, 0.5)?);
    /// let (mut y, mut driver) = ([3.0], DriverState::new());
    /// minimize(&obj, &mut y)
    ///     .with(&mut adam)
    ///     .schedule(&mut schedule)
    ///     .stop(StopRules::max_iterations(20))
    ///     .resume(&mut driver)?;
    /// let checkpoint = (adam.state(), schedule.state(), driver, y);
    ///
    /// let (adam_state, schedule_state, mut driver, mut y) = checkpoint;
    /// let mut schedule = StepLr::new(10, 0.5)?;
    /// schedule.load_state(schedule_state)?;
    /// let rest = minimize(&obj, &mut y)
    ///     .with(Adam::from_state(adam_state)?)
    ///     .schedule(schedule)
    ///     .stop(rules)
    ///     .resume(&mut driver)?;
    /// assert_eq!((rest, y), (full, x));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Minimize::run`], and an optimizer of another dimension.
    pub fn resume(mut self, driver: &mut DriverState<F>) -> Result<Report<F>, OptimError>
    where
        M: Optimizer<F>,
        Sch: Scheduler,
        Obs: Observer<F>,
    {
        let x = checked(self.objective, self.x, &self.rules)?;
        let (schedule, observer) = (&mut self.schedule, &mut self.observer);
        first_order::<F, P::Storage, Sch, _, _, _>(
            &mut self.method,
            self.objective,
            x,
            &self.rules,
            schedule,
            observer,
            driver,
        )
    }
}

/// The parameters as a slice, once their length is checked against the objective's dimension and
/// the rules' tolerances are checked.
fn checked<'x, F, O, P>(
    objective: &O,
    x: &'x mut P,
    rules: &StopRules,
) -> Result<&'x mut [F], OptimError>
where
    F: Float,
    O: Objective<F> + ?Sized,
    P: Params<F> + ?Sized,
{
    let dim = objective.dim();
    let x = x.as_mut_slice();
    if x.len() != dim {
        return Err(OptimError::Length {
            component: "minimize",
            what: "the parameter vector",
            len: x.len(),
            dim,
        });
    }
    let tolerances = [rules.grad_norm.map(|(_, t)| t), rules.loss_change];
    ensure(
        tolerances.iter().flatten().all(|t| *t >= 0.0),
        "StopRules",
        "tolerances must be >= 0 (and not NaN)",
    )?;
    Ok(x)
}
