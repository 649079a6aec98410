//! [`TrustRegion`]: trust-region Newton-CG with the Steihaug-Toint conjugate gradient, with
//! scipy's `minimize(method='trust-ncg')` semantics, driven only by Hessian-vector products.
//!
//! Outer loop (scipy 1.17 `_minimize_trust_region`): while `|g|_2 >= gtol` (default `1e-4`),
//! solve the subproblem `min m(p) = f + g.p + p.Hp/2` subject to `|p| <= radius` (start `1`), then
//! with `rho = (f - f(x+p)) / (f - m(p))`: `rho < 0.25` shrinks the radius by 4, `rho > 0.75` on
//! the boundary doubles it (up to `max_trust_radius = 1000`), and the step is accepted when
//! `rho > eta = 0.15`. A model predicting no decrease ends with [`Status::NoProgress`] (scipy's
//! status 2); at most `200 n` iterations.
//!
//! Subproblem (scipy's `CGSteihaug`): CG from `p = 0` with tolerance
//! `min(0.5, sqrt(|g|)) |g|` on the residual's L2 norm; on non-positive curvature it goes to
//! the boundary point (along the current direction) of lower model value; when an iterate leaves
//! the region it stops on the boundary.
//!
//! Through [`crate::minimize`] the [`StopRules`] apply as well (see [`crate::Method`]; the
//! loss-change rule compares accepted iterates); called directly ([`TrustRegion::minimize`]) only
//! the rules above do.
//!
//! Difference from scipy, in the count only: scipy evaluates the model at the two boundary
//! candidates and at the final step with extra Hessian-vector products; here `H p` is carried
//! along the CG recurrence (`H(z + a d) = Hz + a Hd`), so each CG iteration costs exactly one
//! product. The inner CG is also capped at `max(20 n, 100)` iterations (scipy has no cap). A
//! non-finite value at a trial point counts as a failed step (the radius shrinks; scipy's `rho`
//! would be NaN and the radius would stay) until the step no longer moves the iterate
//! (`|p| <= eps max(1, |x|)`), which ends with [`Status::Diverged`], as does a non-finite value
//! or gradient at the iterate and a non-finite Hessian-vector product. The iteration limit is
//! checked before each iteration, after the gradient rule (so `max_iterations = 0` takes no
//! step, and a last step reaching `gtol` reports convergence where scipy reports its limit),
//! and a zero gradient (a zero-dimensional problem) is converged even with `gtol = 0`.
//!
//! ```
//! use optim::{TrustRegionConfig, TrustRegion};
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
//! let mut solver: TrustRegion<f64, [f64; 2]> = TrustRegionConfig::default().build(2).unwrap();
//! let mut x = [0.0, 0.0];
//! solver.minimize(&obj, &mut x).unwrap();
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
//! ```

use autodiff_runtime::{Float, Objective, ObjectiveError};

use super::{merged_rules, solver_rules, start, verdict, Work};
use crate::line_search::{dot, norm2, sqrt};
use crate::state::SolverProgress;
use crate::{
    check_solver, ensure, NoObserver, Observer, OptimError, Report, Status, StopRules, Storage,
};

/// Hyperparameters of [`TrustRegion`], with scipy's `trust-ncg` defaults.
///
/// ```
/// use optim::TrustRegionConfig;
/// let c = TrustRegionConfig::default();
/// assert_eq!(c.max_iterations, None); // scipy's default limit, 200 n
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TrustRegionConfig {
    /// Initial trust radius (default `1`).
    pub initial_trust_radius: f64,
    /// Largest trust radius (default `1000`).
    pub max_trust_radius: f64,
    /// Acceptance threshold on `rho`, in `[0, 0.25)` (default `0.15`).
    pub eta: f64,
    /// Converged when the gradient's L2 norm is `< gtol` (default `1e-4`).
    pub gtol: f64,
    /// Iteration limit (default `None`: `200 n`).
    pub max_iterations: Option<usize>,
}

impl Default for TrustRegionConfig {
    fn default() -> Self {
        TrustRegionConfig {
            initial_trust_radius: 1.0,
            max_trust_radius: 1000.0,
            eta: 0.15,
            gtol: 1e-4,
            max_iterations: None,
        }
    }
}

impl TrustRegionConfig {
    setters! {
        /// Sets the initial trust radius.
        ///
        /// ```
        /// use optim::TrustRegionConfig;
        /// let config = TrustRegionConfig::default().initial_trust_radius(0.5);
        /// assert_eq!(config.initial_trust_radius, 0.5);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        initial_trust_radius: f64;
        /// Sets the largest trust radius.
        ///
        /// ```
        /// use optim::TrustRegionConfig;
        /// let config = TrustRegionConfig::default().max_trust_radius(100.0);
        /// assert_eq!(config.max_trust_radius, 100.0);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        max_trust_radius: f64;
        /// Sets the acceptance threshold.
        ///
        /// ```
        /// use optim::TrustRegionConfig;
        /// let config = TrustRegionConfig::default().eta(0.2);
        /// assert_eq!(config.eta, 0.2);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        eta: f64;
        /// Sets the gradient tolerance.
        ///
        /// ```
        /// use optim::TrustRegionConfig;
        /// let config = TrustRegionConfig::default().gtol(1e-6);
        /// assert_eq!(config.gtol, 1e-6);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        gtol: f64;
        /// Sets the iteration limit.
        ///
        /// ```
        /// use optim::TrustRegionConfig;
        /// let config = TrustRegionConfig::default().max_iterations(Some(50));
        /// assert_eq!(config.max_iterations, Some(50));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        max_iterations: Option<usize>;
    }

    /// Checks the hyperparameters (scipy's checks).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `TrustRegion`.
    ///
    /// ```
    /// use optim::{TrustRegionConfig, OptimError};
    /// assert_eq!(TrustRegionConfig::default().validate(), Ok(()));
    /// let e = TrustRegionConfig::default().eta(-1.0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "TrustRegion", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(
            (0.0..0.25).contains(&self.eta),
            "TrustRegion",
            "eta must be in [0, 0.25)",
        )?;
        ensure(
            self.initial_trust_radius > 0.0,
            "TrustRegion",
            "the initial trust radius must be > 0",
        )?;
        ensure(
            self.max_trust_radius > 0.0,
            "TrustRegion",
            "the max trust radius must be > 0",
        )?;
        ensure(
            self.initial_trust_radius < self.max_trust_radius,
            "TrustRegion",
            "the initial trust radius must be less than the max trust radius",
        )?;
        ensure(self.gtol >= 0.0, "TrustRegion", "gtol must be >= 0")
    }

    /// The caller's `rules` merged with this config's own, as [`crate::minimize`] runs them.
    pub(crate) fn merged(&self, rules: &StopRules) -> StopRules {
        merged_rules(rules, self.max_iterations, None)
    }

    /// Builds the solver for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    ///
    /// ```
    /// use optim::{TrustRegionConfig, TrustRegion};
    /// let solver: TrustRegion<f64, Vec<f64>> = TrustRegionConfig::default().build(4).unwrap();
    /// assert_eq!(solver.dim(), 4);
    /// assert!(TrustRegionConfig::default().build::<f64, [f64; 3]>(4).is_err());
    /// ```
    pub fn build<F: Float, S: Storage<F>>(
        self,
        dim: usize,
    ) -> Result<TrustRegion<F, S>, OptimError> {
        self.validate()?;
        Ok(TrustRegion {
            config: self,
            dim,
            work: Work::new("TrustRegion", dim)?,
            hz: S::filled("TrustRegion", dim, F::zero())?,
            progress: SolverProgress::default(),
            radius: self.initial_trust_radius,
            _f: core::marker::PhantomData,
        })
    }
}

/// scipy's trust-ncg (see the [module docs](self)); its nine work vectors are `S` buffers.
///
/// ```
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
/// let report = solver.minimize(&obj, &mut x).unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
/// assert!(report.hvp_evals >= 1);
/// ```
#[derive(Clone, Debug)]
pub struct TrustRegion<F, S> {
    pub(crate) config: TrustRegionConfig,
    pub(crate) dim: usize,
    pub(crate) work: Work<S>,
    hz: S,
    /// Where the last run stands (for [`TrustRegion::resume_observed`]).
    pub(crate) progress: SolverProgress<F>,
    /// The current trust radius.
    pub(crate) radius: f64,
    _f: core::marker::PhantomData<F>,
}

/// scipy's `get_boundaries_intersections`: `ta <= tb` with `|z + t d| = radius`.
fn boundary_intersections<F: Float>(z: &[F], d: &[F], radius: f64) -> (f64, f64) {
    let a = dot(d, d);
    let b = 2.0 * dot(z, d);
    let c = dot(z, z) - radius * radius;
    let sqrt_disc = sqrt(b * b - 4.0 * a * c);
    let aux = b + if b < 0.0 { -sqrt_disc } else { sqrt_disc };
    let ta = -aux / (2.0 * a);
    let tb = -2.0 * c / aux;
    if ta <= tb {
        (ta, tb)
    } else {
        (tb, ta)
    }
}

/// `g.p + p.Hp / 2` for `p = z + t d`, `Hp = hz + t hd`.
fn model_change<F: Float>(g: &[F], z: &[F], hz: &[F], d: &[F], hd: &[F], t: f64) -> f64 {
    let mut lin = 0.0;
    let mut quad = 0.0;
    for j in 0..g.len() {
        let pj = z[j].to_f64() + t * d[j].to_f64();
        let hpj = hz[j].to_f64() + t * hd[j].to_f64();
        lin += g[j].to_f64() * pj;
        quad += pj * hpj;
    }
    lin + 0.5 * quad
}

/// Whether the step `z` is too small to matter at `x`: `|z|_2 <= eps * max(1, |x|_2)`.
fn negligible<F: Float>(z: &[F], x: &[F]) -> bool {
    norm2(z) <= f64::EPSILON * f64::max(1.0, norm2(x))
}

impl<F: Float, S: Storage<F>> TrustRegion<F, S> {
    /// The hyperparameters.
    ///
    /// ```
    /// use optim::{TrustRegionConfig, TrustRegion};
    /// type S = TrustRegion<f64, [f64; 2]>;
    /// let solver: S = TrustRegionConfig::default().max_iterations(Some(7)).build(2).unwrap();
    /// assert_eq!(solver.config().max_iterations, Some(7));
    /// ```
    pub fn config(&self) -> &TrustRegionConfig {
        &self.config
    }

    /// The number of parameters.
    ///
    /// ```
    /// let solver: optim::TrustRegion<f64, [f64; 3]> = optim::TrustRegionConfig::default().build(3).unwrap();
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
    /// use optim::{TrustRegionConfig, TrustRegion};
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
    /// type S = TrustRegion<f64, [f64; 2]>;
    /// let mut solver: S = TrustRegionConfig::default().build(2).unwrap();
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

    /// [`TrustRegion::minimize`], showing `observer` the start point (iteration 0) and the
    /// iterate after every iteration (unchanged after a rejected step).
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have the solver's dimension.
    ///
    /// ```
    /// use optim::{History, TrustRegionConfig, TrustRegion};
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
        let rules = solver_rules(self.config.max_iterations, self.dim, None);
        self.run(objective, x, &rules, observer)
    }

    /// [`TrustRegion::minimize_observed`] continuing where the last run stopped (e.g. at its
    /// iteration limit), from the state this solver holds or loaded
    /// ([`crate::state::TrustRegionState`], with the trust radius): with the same objective and
    /// `x`, the steps are bit for bit those of a run that never stopped, and the report is the
    /// same. The observer is shown the iterates after the current one.
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have the solver's dimension.
    ///
    /// ```
    /// use optim::{NoObserver, TrustRegionConfig, TrustRegion};
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
    /// let mut whole: S = TrustRegionConfig::default().build(2).unwrap();
    /// let mut x = [3.0, 3.0];
    /// let full = whole.minimize(&obj, &mut x).unwrap();
    /// // Stopped after one iteration, then resumed with the whole budget: the same run.
    /// let mut split: S = TrustRegionConfig::default().max_iterations(Some(1)).build(2).unwrap();
    /// let mut y = [3.0, 3.0];
    /// split.minimize(&obj, &mut y).unwrap();
    /// let mut resumed = S::from_state({ use optim::state::Stateful; let mut s = split.state(); s.param_group = TrustRegionConfig::default(); s }).unwrap();
    /// let rest = resumed.resume_observed(&obj, &mut y, &mut NoObserver).unwrap();
    /// assert_eq!((rest, y), (full, x));
    /// ```
    pub fn resume_observed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let rules = solver_rules(self.config.max_iterations, self.dim, None);
        self.proceed(objective, x, &rules, observer)
    }

    /// [`TrustRegion::resume_observed`] under the caller's `rules` as well, merged with the
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
    /// use optim::{minimize, NoObserver, StopRules, TrustRegionConfig, TrustRegion};
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

    /// The method under `rules` (besides its own `gtol`).
    pub(crate) fn run<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let g = self.work.g.as_mut();
        self.progress = start("TrustRegion", self.dim, objective, x, g, observer);
        self.radius = self.config.initial_trust_radius;
        self.proceed(objective, x, rules, observer)
    }

    /// The method under `rules` from where `progress` and `radius` stand, which it updates
    /// when it stops.
    pub(crate) fn proceed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Result<Report<F>, ObjectiveError> {
        let n = self.dim;
        check_solver("TrustRegion", n, x.len(), objective.dim());
        let cfg = self.config;
        let max_cg = usize::max(20 * n, 100);
        let super::Parts {
            g,
            mut cg,
            trial,
            tgrad,
        } = self.work.parts(Some(self.hz.as_mut()));

        let mut report = self.progress.report(Status::MaxIterations, g);
        let mut radius = self.radius;
        // The value before the last accepted step (the loss-change rule's comparison).
        let mut previous = self.progress.previous;
        'outer: loop {
            let fval = report.value.to_f64();
            let jac_mag = norm2(g);
            // `== 0`: a zero gradient (a zero-dimensional problem) is stationary even if gtol = 0.
            let converged = jac_mag < cfg.gtol || jac_mag == 0.0;
            if verdict(rules, &mut report, g, previous, converged) {
                break;
            }
            // Steihaug CG: the step z (with Hz) from 0.
            let tolerance = f64::min(0.5, sqrt(jac_mag)) * jac_mag;
            cg.restart(g);
            let mut hits_boundary = false;
            if jac_mag >= tolerance {
                for _ in 0..max_cg {
                    let dbd = cg.curvature(objective, x, &mut report.hvp_evals)?;
                    if !dbd.is_finite() {
                        report.status = Status::Diverged;
                        break 'outer;
                    }
                    if dbd <= 0.0 {
                        let (ta, tb) = boundary_intersections(cg.z, cg.d, radius);
                        let hz = cg.hz.as_deref().unwrap_or_default();
                        let ma = model_change(g, cg.z, hz, cg.d, cg.hd, ta);
                        let mb = model_change(g, cg.z, hz, cg.d, cg.hd, tb);
                        cg.move_along(if ma < mb { ta } else { tb });
                        hits_boundary = true;
                        break;
                    }
                    let alpha = cg.rr / dbd;
                    // |z + alpha d| >= radius?
                    let mut zn = 0.0;
                    for (zj, dj) in cg.z.iter().zip(cg.d.iter()) {
                        let v = zj.to_f64() + alpha * dj.to_f64();
                        zn += v * v;
                    }
                    if sqrt(zn) >= radius {
                        let (_, tb) = boundary_intersections(cg.z, cg.d, radius);
                        cg.move_along(tb);
                        hits_boundary = true;
                        break;
                    }
                    let rr_new = cg.advance(alpha);
                    if sqrt(rr_new) < tolerance {
                        break;
                    }
                    cg.turn(rr_new);
                }
            }
            // The model's predicted decrease, and the actual one.
            let z = &*cg.z;
            let hz = cg.hz.as_deref().unwrap_or_default();
            let predicted_change = model_change(g, z, hz, cg.d, cg.hd, 0.0);
            for ((tj, &xj), &zj) in trial.iter_mut().zip(x.iter()).zip(z) {
                *tj = xj + zj;
            }
            let f_new = objective.value_grad(trial, tgrad);
            report.value_evals += 1;
            report.grad_evals += 1;
            let actual_reduction = fval - f_new.to_f64();
            let predicted_reduction = -predicted_change;
            let decrease = predicted_reduction > 0.0;
            if !decrease {
                report.status = Status::NoProgress;
                break;
            }
            // A non-finite value at the trial point counts as a failed step (shrink and retry),
            // until the step is too small to move `x`: then the objective is not finite
            // arbitrarily close to the iterate.
            if !f_new.to_f64().is_finite() && negligible(z, x) {
                report.status = Status::Diverged;
                break;
            }
            let rho = if actual_reduction.is_nan() {
                f64::NEG_INFINITY
            } else {
                actual_reduction / predicted_reduction
            };
            if rho < 0.25 {
                radius *= 0.25;
            } else if rho > 0.75 && hits_boundary {
                radius = f64::min(2.0 * radius, cfg.max_trust_radius);
            }
            previous = None;
            if rho > cfg.eta {
                x.copy_from_slice(trial);
                g.copy_from_slice(tgrad);
                previous = Some(report.value);
                report.value = f_new;
            }
            report.iterations += 1;
            observer.observe(report.iterations, x, report.value, g);
        }
        report.grad_norm = norm2(g);
        self.progress = SolverProgress::of(&report, previous);
        self.radius = radius;
        Ok(report)
    }
}
