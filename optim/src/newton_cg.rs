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

use core::marker::PhantomData;

use autodiff_runtime::{Float, Objective, ObjectiveError};

use crate::line_search::{all_finite, dot, norm1, sqrt, wolfe12, Ray, SolverReport};
use crate::state::{NewtonCarry, SolverProgress};
use crate::{
    check_solver, ensure, GradNorm, NoObserver, Observer, OptimError, Rule, Status, Storage,
};

/// How the inner conjugate gradient ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cg {
    /// A direction was found (residual small enough, or a curvature exit).
    Converged,
    /// The iteration limit was reached.
    NotConverged,
    /// A Hessian-vector product was NaN or infinite.
    NonFinite,
}

/// Hyperparameters of [`NewtonCg`], with scipy's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
        xtol: f64;
        /// Sets the sufficient-decrease constant.
        c1: f64;
        /// Sets the curvature constant.
        c2: f64;
        /// Sets the iteration limit.
        max_iterations: Option<usize>;
        /// Sets the CG iteration limit.
        max_cg_iterations: Option<usize>;
        /// Sets the gradient-norm rule.
        grad_norm: Option<(GradNorm, f64)>;
    }

    /// Checks the hyperparameters (scipy's: `0 < c1 < c2 < 1`).
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `NewtonCg`.
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(self.xtol >= 0.0, "NewtonCg", "xtol must be >= 0")?;
        ensure(
            0.0 < self.c1 && self.c1 < self.c2 && self.c2 < 1.0,
            "NewtonCg",
            "the line search constants must satisfy 0 < c1 < c2 < 1",
        )
    }

    /// Builds the solver for `dim` parameters.
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension.
    pub fn build<F: Float, S: Storage<F>>(self, dim: usize) -> Result<NewtonCg<F, S>, OptimError> {
        self.validate()?;
        let z = || S::filled("NewtonCg", dim, F::zero());
        Ok(NewtonCg {
            config: self,
            dim,
            g: z()?,
            p: z()?,
            r: z()?,
            d: z()?,
            hd: z()?,
            scratch: z()?,
            trial: z()?,
            tgrad: z()?,
            progress: SolverProgress::default(),
            carry: NewtonCarry::default(),
            _f: PhantomData,
        })
    }
}

/// scipy's Newton-CG (see the [module docs](self)); its eight work vectors are `S` buffers.
#[derive(Clone, Debug)]
pub struct NewtonCg<F, S> {
    pub(crate) config: NewtonCgConfig,
    pub(crate) dim: usize,
    pub(crate) g: S,
    p: S,
    r: S,
    d: S,
    hd: S,
    scratch: S,
    trial: S,
    tgrad: S,
    /// Where [`NewtonCg::minimize`] stands (for [`NewtonCg::resume_observed`]).
    pub(crate) progress: SolverProgress<F>,
    /// The line search's memory between iterations.
    pub(crate) carry: NewtonCarry,
    _f: PhantomData<F>,
}

impl<F: Float, S: Storage<F>> NewtonCg<F, S> {
    /// The hyperparameters.
    pub fn config(&self) -> &NewtonCgConfig {
        &self.config
    }

    /// Minimizes `objective` from `x` (updated in place).
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] if the objective has no Hessian-vector product.
    ///
    /// # Panics
    /// If `x` or the objective does not have the solver's dimension.
    pub fn minimize<O: Objective<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
    ) -> Result<SolverReport<F>, ObjectiveError> {
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
    pub fn minimize_observed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        observer: &mut Obs,
    ) -> Result<SolverReport<F>, ObjectiveError> {
        let n = self.dim;
        check_solver("NewtonCg", n, x.len(), objective.dim());
        let value = objective.value_grad(x, self.g.as_mut());
        self.progress = SolverProgress::started(value);
        self.carry = NewtonCarry {
            old_fval: value.to_f64(),
            old_old_fval: None,
            grad_current: true,
        };
        observer.observe(0, x, value, self.g.as_ref());
        self.resume_observed(objective, x, observer)
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
    pub fn resume_observed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        observer: &mut Obs,
    ) -> Result<SolverReport<F>, ObjectiveError> {
        let n = self.dim;
        check_solver("NewtonCg", n, x.len(), objective.dim());
        let cfg = self.config;
        let max_iterations = cfg.max_iterations.unwrap_or(200 * n);
        let max_cg = cfg.max_cg_iterations.unwrap_or(20 * n);
        let xtol = cfg.xtol * n as f64;
        let g = self.g.as_mut();
        let p = self.p.as_mut();
        let r = self.r.as_mut();
        let d = self.d.as_mut();
        let hd = self.hd.as_mut();
        let scratch = self.scratch.as_mut();
        let trial = self.trial.as_mut();
        let tgrad = self.tgrad.as_mut();

        let mut report = self.progress.report(Status::MaxIterations);
        let NewtonCarry {
            mut old_fval,
            mut old_old_fval,
            mut grad_current,
        } = self.carry;
        let mut k = report.iterations;
        loop {
            if !grad_current {
                report.value = objective.value_grad(x, g);
                report.value_evals += 1;
                report.grad_evals += 1;
                old_fval = report.value.to_f64();
                grad_current = true;
            }
            if !old_fval.is_finite() || !all_finite(g) {
                report.status = Status::Diverged;
                break;
            }
            if let Some((norm, tol)) = cfg.grad_norm {
                if norm.of(g) <= tol {
                    report.status = Status::Converged(Rule::GradNorm);
                    break;
                }
            }
            // A zero gradient (always, for a zero-dimensional problem) is a stationary point.
            let maggrad = norm1(g);
            if maggrad == 0.0 {
                report.status = Status::Converged(Rule::GradNorm);
                break;
            }
            if k >= max_iterations {
                report.status = Status::MaxIterations;
                break;
            }
            // CG on H p = -g from p = 0 (scipy: b = -g, ri = -b = g, psupi = -ri).
            let eta = f64::min(0.5, sqrt(maggrad));
            let termcond = eta * maggrad;
            p.fill(F::zero());
            r.copy_from_slice(g);
            for (di, &ri) in d.iter_mut().zip(r.iter()) {
                *di = -ri;
            }
            let mut dri0 = dot(r, r);
            let mut cg = Cg::NotConverged;
            for i in 0..max_cg {
                if norm1(r) <= termcond {
                    cg = Cg::Converged;
                    break;
                }
                objective.hvp(x, d, scratch, hd)?;
                report.hvp_evals += 1;
                let curv = dot(d, hd);
                if !curv.is_finite() {
                    cg = Cg::NonFinite;
                    break;
                } else if (0.0..=3.0 * f64::EPSILON).contains(&curv) {
                    if i == 0 {
                        // Zero curvature along -g (a linear region): scipy would search along
                        // p = 0 and report a converged zero step; take steepest descent instead.
                        for (pi, &gi) in p.iter_mut().zip(g.iter()) {
                            *pi = -gi;
                        }
                    }
                    cg = Cg::Converged;
                    break;
                } else if curv < 0.0 {
                    if i == 0 {
                        // Steepest descent: xsupi = dri0 / (-curv) * b.
                        let s = F::from_f64(dri0 / -curv);
                        for (pi, &gi) in p.iter_mut().zip(g.iter()) {
                            *pi = s * -gi;
                        }
                    }
                    cg = Cg::Converged;
                    break;
                }
                let alpha = F::from_f64(dri0 / curv);
                for j in 0..n {
                    p[j] += alpha * d[j];
                    r[j] += alpha * hd[j];
                }
                let dri1 = dot(r, r);
                let beta = F::from_f64(dri1 / dri0);
                for j in 0..n {
                    d[j] = -r[j] + beta * d[j];
                }
                dri0 = dri1;
            }
            match cg {
                Cg::Converged => {}
                Cg::NonFinite => {
                    report.status = Status::Diverged;
                    break;
                }
                Cg::NotConverged => {
                    report.status = Status::NoProgress;
                    break;
                }
            }
            // Line search along p.
            let dphi0 = dot(g, p);
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
            for j in 0..n {
                let u = a * p[j];
                update_l1 += u.to_f64().abs();
                x[j] += u;
            }
            old_old_fval = Some(old_fval);
            old_fval = step.value;
            report.value = F::from_f64(step.value);
            grad_current = grad_at == Some(step.alpha);
            if grad_current {
                g.copy_from_slice(tgrad);
            }
            k += 1;
            report.iterations = k;
            observer.observe(k, x, report.value, g);
            let moved = update_l1 > xtol;
            if !moved {
                report.status = if update_l1.is_nan() || old_fval.is_nan() {
                    Status::Diverged
                } else if cfg
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
        self.progress = SolverProgress::of(&report, None);
        self.carry = NewtonCarry {
            old_fval,
            old_old_fval,
            grad_current,
        };
        Ok(report)
    }
}
