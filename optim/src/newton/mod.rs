//! Newton methods driven only by Hessian-vector products ([`Objective::hvp`]; the Hessian is
//! never formed): line-search Newton-CG ([`NewtonCg`]) and trust-region Newton-CG
//! ([`TrustRegion`]).
//!
//! Both run the same skeleton, kept here once: the work vectors, the start (one
//! value-and-gradient evaluation, the observer's iteration 0), the stopping verdict at each
//! iterate ([`StopRules`], with the method's own gradient test) and the conjugate-gradient
//! recurrence on `H p = -g` (module `cg`). The files of the two methods hold only what differs:
//! how CG ends and what is done with its direction.
//!
//! ```
//! use optim::{minimize, NewtonCgConfig, TrustRegionConfig};
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
//! let (mut a, mut b) = ([0.0, 0.0], [0.0, 0.0]);
//! let with_line_search = minimize(&obj, &mut a).with(NewtonCgConfig::default()).run().unwrap();
//! let with_trust_region = minimize(&obj, &mut b).with(TrustRegionConfig::default()).run().unwrap();
//! assert!(with_line_search.value < 1e-10 && with_trust_region.value < 1e-10);
//! ```

mod cg;
pub mod newton_cg;
pub mod trust_region;

pub use newton_cg::{NewtonCg, NewtonCgConfig};
pub use trust_region::{TrustRegion, TrustRegionConfig};

use autodiff_runtime::{Float, Objective};

use crate::state::SolverProgress;
use crate::{check_solver, Observer, OptimError, Report, StopRules, Storage};

/// The work vectors both methods keep in `S` buffers: the gradient `g`, the CG iterate `z`
/// (the step), residual `r`, direction `d` and its product `hd`, the HVP scratch, and a trial
/// point with its gradient.
#[derive(Clone, Debug)]
pub(crate) struct Work<S> {
    /// The gradient at the iterate (what the solvers' saved states hold).
    pub(crate) g: S,
    z: S,
    r: S,
    d: S,
    hd: S,
    scratch: S,
    trial: S,
    tgrad: S,
}

/// The work vectors borrowed for one run: the CG state and the rest.
pub(crate) struct Parts<'w, F> {
    /// The gradient at the iterate.
    g: &'w mut [F],
    /// The CG recurrence's vectors.
    cg: cg::Cg<'w, F>,
    /// A trial point.
    trial: &'w mut [F],
    /// The gradient at the trial point.
    tgrad: &'w mut [F],
}

impl<S> Work<S> {
    /// Zeroed work vectors for `dim` parameters, for `component`.
    pub(crate) fn new<F: Float>(component: &'static str, dim: usize) -> Result<Self, OptimError>
    where
        S: Storage<F>,
    {
        let z = || S::filled(component, dim, F::zero());
        Ok(Work {
            g: z()?,
            z: z()?,
            r: z()?,
            d: z()?,
            hd: z()?,
            scratch: z()?,
            trial: z()?,
            tgrad: z()?,
        })
    }

    /// Borrows the vectors for a run; `hz` (trust region only) carries `H z` along CG.
    pub(crate) fn parts<'w, F: Float>(&'w mut self, hz: Option<&'w mut [F]>) -> Parts<'w, F>
    where
        S: Storage<F>,
    {
        Parts {
            g: self.g.as_mut(),
            cg: cg::Cg::new(
                self.z.as_mut(),
                hz,
                self.r.as_mut(),
                self.d.as_mut(),
                self.hd.as_mut(),
                self.scratch.as_mut(),
            ),
            trial: self.trial.as_mut(),
            tgrad: self.tgrad.as_mut(),
        }
    }
}

/// The start of a run of `component` (dimension `dim`, checked against `x` and the objective):
/// the value and gradient at `x` (into `g`), shown to the observer as iteration 0; the progress
/// counts that evaluation.
///
/// # Panics
/// If `x` or the objective does not have the dimension `dim`.
fn start<F, O, Obs>(
    component: &str,
    dim: usize,
    objective: &O,
    x: &[F],
    g: &mut [F],
    observer: &mut Obs,
) -> SolverProgress<F>
where
    F: Float,
    O: Objective<F> + ?Sized,
    Obs: Observer<F> + ?Sized,
{
    check_solver(component, dim, x.len(), objective.dim());
    let value = objective.value_grad(x, g);
    observer.observe(0, x, value, g);
    SolverProgress::started(value)
}

/// Whether `rules` stop the run at the current iterate of `report` (gradient `g`, `converged`
/// the method's own gradient test); if so, the status is written into the report.
fn verdict<F: Float>(
    rules: &StopRules,
    report: &mut Report<F>,
    g: &[F],
    previous: Option<F>,
    converged: bool,
) -> bool {
    let verdict = rules.verdict(
        report.iterations,
        report.value,
        g,
        previous,
        report.value_evals,
        converged,
    );
    if let Some(status) = verdict {
        report.status = status;
    }
    verdict.is_some()
}

/// The rules of a direct call of a solver: only its iteration limit (`200 n` unless set, as
/// scipy) and, for Newton-CG, its optional gradient rule.
fn solver_rules(
    max_iterations: Option<usize>,
    dim: usize,
    grad_norm: Option<(crate::GradNorm, f64)>,
) -> StopRules {
    StopRules {
        max_iterations: max_iterations.unwrap_or(200 * dim),
        grad_norm,
        loss_change: None,
        max_evaluations: None,
    }
}

/// The rules of a run through [`crate::minimize`]: the caller's `rules`, with the solver's own
/// iteration limit when set (the smaller applies) and its gradient rule when the caller has
/// none.
pub(crate) fn merged_rules(
    rules: &StopRules,
    max_iterations: Option<usize>,
    grad_norm: Option<(crate::GradNorm, f64)>,
) -> StopRules {
    StopRules {
        max_iterations: max_iterations
            .map_or(rules.max_iterations, |m| m.min(rules.max_iterations)),
        grad_norm: rules.grad_norm.or(grad_norm),
        ..*rules
    }
}
