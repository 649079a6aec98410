//! Strong-Wolfe line searches along a ray `phi(alpha) = f(x + alpha * d)`.
//!
//! * [`MoreThuente`]: MINPACK-2's `dcsrch` (Moré & Thuente 1994), as scipy's
//!   `line_search_wolfe1` runs it (scipy >= 1.11 Python port, same defaults: `xtol = 1e-14`,
//!   `stpmin = 1e-8`, `stpmax = 50`, at most 100 evaluations).
//! * [`Zoom`]: the bracketing and zoom algorithm of Nocedal & Wright (Algorithms 3.5 and 3.6),
//!   with scipy's cubic/quadratic interpolation safeguards, as scipy's `line_search_wolfe2`
//!   (at most 10 bracketing and 10 zoom steps).
//! * [`wolfe12`]: scipy's `_line_search_wolfe12`: Moré-Thuente, and the zoom algorithm if that
//!   fails. This is what scipy's Newton-CG (and BFGS/CG) use.
//!
//! Both searches use the sufficient-decrease constant `c1 = 1e-4` and the curvature constant
//! `c2 = 0.9` by default, evaluate a bounded number of points, and return a typed
//! [`LineSearchError`] instead of looping. The searches work on scalars (`f64`) through
//! [`LineFunction`]; [`Ray`] is the vector glue for an [`Objective`].
//!
//! ```
//! use optim::line_search::{LineFunction, MoreThuente, Zoom};
//! /// phi(a) = (a - 1)^2: the best step is 1.
//! struct Parabola;
//! impl LineFunction for Parabola {
//!     fn phi(&mut self, a: f64) -> f64 {
//!         (a - 1.0) * (a - 1.0)
//!     }
//!     fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
//!         (self.phi(a), 2.0 * (a - 1.0))
//!     }
//! }
//! let a = MoreThuente::default().search(&mut Parabola, 1.0, -2.0, 1.0).unwrap();
//! let b = Zoom::default().search(&mut Parabola, 1.0, None, -2.0).unwrap();
//! assert_eq!((a.alpha, b.alpha), (1.0, 1.0));
//! ```

use core::fmt;

use autodiff_runtime::{Float, Objective};

use crate::Status;

/// Why a line search found no acceptable step.
///
/// ```
/// use optim::line_search::{LineFunction, LineSearchError, MoreThuente};
/// /// phi(a) = (a - 1)^2: the best step is 1.
/// struct Parabola;
/// impl LineFunction for Parabola {
///     fn phi(&mut self, a: f64) -> f64 {
///         (a - 1.0) * (a - 1.0)
///     }
///     fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
///         (self.phi(a), 2.0 * (a - 1.0))
///     }
/// }
/// // phi'(0) = -2 claimed as +2: not a descent direction.
/// let e = MoreThuente::default().search(&mut Parabola, 1.0, 2.0, 1.0).unwrap_err();
/// assert_eq!(e, LineSearchError::NotDescent);
/// let _: &dyn core::error::Error = &e;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineSearchError {
    /// `phi'(0) >= 0`: the direction is not a descent direction.
    NotDescent,
    /// The initial step is outside `[stpmin, stpmax]` (or zero).
    InvalidStep,
    /// The evaluation budget was used up without satisfying the conditions.
    MaxEvaluations,
    /// The bracket shrank below the tolerance, or rounding errors prevent progress (what a
    /// search reports when the reported derivative does not match the function).
    RoundingErrors,
    /// The step reached the largest allowed step and the function still decreases.
    StepAtMax,
    /// The step reached the smallest allowed step without sufficient decrease.
    StepAtMin,
    /// The function or its derivative was NaN or infinite at a trial step.
    NonFinite,
}

impl fmt::Display for LineSearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = match self {
            LineSearchError::NotDescent => "the search direction is not a descent direction",
            LineSearchError::InvalidStep => "the initial step is outside [stpmin, stpmax]",
            LineSearchError::MaxEvaluations => {
                "no step satisfying the Wolfe conditions within the evaluation budget"
            }
            LineSearchError::RoundingErrors => "rounding errors prevent progress",
            LineSearchError::StepAtMax => "the step is at its upper bound",
            LineSearchError::StepAtMin => "the step is at its lower bound",
            LineSearchError::NonFinite => "non-finite function value or derivative",
        };
        write!(f, "`line search`: {m}")
    }
}

impl core::error::Error for LineSearchError {}

impl LineSearchError {
    /// The status a minimizer ends with after this failure: [`Status::Diverged`] for
    /// [`LineSearchError::NonFinite`], [`Status::LineSearchFailed`] otherwise.
    ///
    /// ```
    /// use optim::line_search::LineSearchError;
    /// use optim::Status;
    /// assert_eq!(LineSearchError::NonFinite.status(), Status::Diverged);
    /// assert_eq!(LineSearchError::MaxEvaluations.status(), Status::LineSearchFailed);
    /// ```
    pub fn status(self) -> Status {
        match self {
            LineSearchError::NonFinite => Status::Diverged,
            _ => Status::LineSearchFailed,
        }
    }
}

/// A function of the step length, `phi(alpha) = f(x + alpha d)`, with its derivative
/// `phi'(alpha) = grad f(x + alpha d) . d`.
///
/// ```
/// use optim::line_search::{wolfe12, LineFunction};
/// /// phi(a) = (a - 1)^2: the best step is 1.
/// struct Parabola;
/// impl LineFunction for Parabola {
///     fn phi(&mut self, a: f64) -> f64 {
///         (a - 1.0) * (a - 1.0)
///     }
///     fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
///         (self.phi(a), 2.0 * (a - 1.0))
///     }
/// }
/// let step = wolfe12(&mut Parabola, 1.0, None, -2.0, 1e-4, 0.9).unwrap();
/// assert_eq!(step.alpha, 1.0);
/// ```
pub trait LineFunction {
    /// `phi(alpha)` alone.
    fn phi(&mut self, alpha: f64) -> f64;
    /// `(phi(alpha), phi'(alpha))`.
    fn phi_dphi(&mut self, alpha: f64) -> (f64, f64);
}

/// An accepted step.
///
/// ```
/// use optim::line_search::{LineFunction, LineStep, MoreThuente};
/// /// phi(a) = (a - 1)^2: the best step is 1.
/// struct Parabola;
/// impl LineFunction for Parabola {
///     fn phi(&mut self, a: f64) -> f64 {
///         (a - 1.0) * (a - 1.0)
///     }
///     fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
///         (self.phi(a), 2.0 * (a - 1.0))
///     }
/// }
/// let step = MoreThuente::default().search(&mut Parabola, 1.0, -2.0, 1.0).unwrap();
/// assert_eq!(step, LineStep { alpha: 1.0, value: 0.0, deriv: Some(0.0) });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineStep {
    /// The step length.
    pub alpha: f64,
    /// `phi(alpha)`.
    pub value: f64,
    /// `phi'(alpha)`, if it was evaluated at `alpha` (scipy's zoom search can return its last
    /// bracketing step without evaluating it).
    pub deriv: Option<f64>,
}

/// scipy's initial step: `min(1, 1.01 * 2 (phi0 - old_phi0) / phi'(0))` from the previous
/// decrease, or 1 without a previous value (or if that is negative).
///
/// ```
/// use optim::line_search::scipy_initial_step;
/// assert_eq!(scipy_initial_step(1.0, None, -2.0), 1.0);
/// // The last decrease was 0.01: the step that would repeat it along slope -2, times 1.01.
/// assert!((scipy_initial_step(1.0, Some(1.01), -2.0) - 0.0101).abs() < 1e-15);
/// ```
pub fn scipy_initial_step(phi0: f64, old_phi0: Option<f64>, dphi0: f64) -> f64 {
    match old_phi0 {
        Some(old) if dphi0 != 0.0 => {
            let a = f64::min(1.0, 1.01 * 2.0 * (phi0 - old) / dphi0);
            if a < 0.0 {
                1.0
            } else {
                a
            }
        }
        _ => 1.0,
    }
}

/// The Moré-Thuente line search (MINPACK-2 `dcsrch`), with scipy's `line_search_wolfe1`
/// defaults.
///
/// ```
/// use optim::line_search::MoreThuente;
/// let mt = MoreThuente::default();
/// assert_eq!((mt.c1, mt.c2, mt.stpmin, mt.stpmax, mt.max_evals), (1e-4, 0.9, 1e-8, 50.0, 100));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MoreThuente {
    /// Sufficient decrease (`ftol`), default `1e-4`.
    pub c1: f64,
    /// Curvature (`gtol`), default `0.9`.
    pub c2: f64,
    /// Relative width of the bracket below which the search gives up, default `1e-14`.
    pub xtol: f64,
    /// Smallest step, default `1e-8`.
    pub stpmin: f64,
    /// Largest step, default `50`.
    pub stpmax: f64,
    /// Evaluation budget, default 100.
    pub max_evals: usize,
}

impl Default for MoreThuente {
    fn default() -> Self {
        MoreThuente {
            c1: 1e-4,
            c2: 0.9,
            xtol: 1e-14,
            stpmin: 1e-8,
            stpmax: 50.0,
            max_evals: 100,
        }
    }
}

/// `np.sign`: 0 at 0.
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        v
    }
}

fn clip(v: f64, lo: f64, hi: f64) -> f64 {
    f64::min(f64::max(v, lo), hi)
}

/// The interval end points of `dcstep`: step, value, derivative.
#[derive(Clone, Copy)]
struct End {
    st: f64,
    f: f64,
    g: f64,
}

/// MINPACK-2 `dcstep`: the safeguarded cubic/quadratic step and the bracket update. Returns the
/// new trial step.
fn dcstep(x: &mut End, y: &mut End, p: End, brackt: &mut bool, stpmin: f64, stpmax: f64) -> f64 {
    let (stx, fx, dx) = (x.st, x.f, x.g);
    let (sty, fy, dy) = (y.st, y.f, y.g);
    let (stp, fp, dp) = (p.st, p.f, p.g);
    let sgnd = sign(dp) * sign(dx);
    let stpf;
    if fp > fx {
        // Higher function value: the minimum is bracketed.
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
        if stp < stx {
            gamma = -gamma;
        }
        let pp = (gamma - dx) + theta;
        let q = ((gamma - dx) + gamma) + dp;
        let r = pp / q;
        let stpc = stx + r * (stp - stx);
        let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        stpf = if (stpc - stx).abs() <= (stpq - stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        *brackt = true;
    } else if sgnd < 0.0 {
        // Lower value, derivatives of opposite sign: bracketed.
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
        if stp > stx {
            gamma = -gamma;
        }
        let pp = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dx;
        let r = pp / q;
        let stpc = stp + r * (stx - stp);
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
            stpc
        } else {
            stpq
        };
        *brackt = true;
    } else if dp.abs() < dx.abs() {
        // Lower value, same sign, derivative magnitude decreases.
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * sqrt(f64::max(
            0.0,
            (theta / s) * (theta / s) - (dx / s) * (dp / s),
        ));
        if stp > stx {
            gamma = -gamma;
        }
        let pp = (gamma - dp) + theta;
        let q = (gamma + (dx - dp)) + gamma;
        let r = pp / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (stx - stp)
        } else if stp > stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if *brackt {
            let mut f = if (stpc - stp).abs() < (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            f = if stp > stx {
                f64::min(stp + 0.66 * (sty - stp), f)
            } else {
                f64::max(stp + 0.66 * (sty - stp), f)
            };
            stpf = f;
        } else {
            let f = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = clip(f, stpmin, stpmax);
        }
    } else if *brackt {
        // Lower value, same sign, derivative magnitude does not decrease: cubic step.
        let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
        let s = theta.abs().max(dy.abs()).max(dp.abs());
        let mut gamma = s * sqrt((theta / s) * (theta / s) - (dy / s) * (dp / s));
        if stp > sty {
            gamma = -gamma;
        }
        let pp = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dy;
        let r = pp / q;
        stpf = stp + r * (sty - stp);
    } else if stp > stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    // Update the interval which contains a minimizer.
    if fp > fx {
        *y = p;
    } else {
        if sgnd < 0.0 {
            *y = *x;
        }
        *x = p;
    }
    stpf
}

impl MoreThuente {
    /// Searches from `alpha1` given `phi(0) = phi0` and `phi'(0) = dphi0`. On success the last
    /// evaluation of `fun` was at the returned step.
    ///
    /// # Errors
    /// [`LineSearchError`] when no step satisfies the strong Wolfe conditions
    /// `phi(a) <= phi0 + c1 a phi'(0)` and `|phi'(a)| <= c2 |phi'(0)|`.
    ///
    /// ```
    /// use optim::line_search::{LineFunction, MoreThuente};
    /// /// phi(a) = (a - 1)^2: the best step is 1.
    /// struct Parabola;
    /// impl LineFunction for Parabola {
    ///     fn phi(&mut self, a: f64) -> f64 {
    ///         (a - 1.0) * (a - 1.0)
    ///     }
    ///     fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
    ///         (self.phi(a), 2.0 * (a - 1.0))
    ///     }
    /// }
    /// // From a too long first step, 3: the search comes back to the minimum's neighbourhood.
    /// let step = MoreThuente::default().search(&mut Parabola, 1.0, -2.0, 3.0).unwrap();
    /// assert!(step.value <= 1.0 - 1e-4 * step.alpha * 2.0); // sufficient decrease
    /// assert!(step.deriv.unwrap().abs() <= 0.9 * 2.0); // curvature
    /// ```
    pub fn search<L: LineFunction + ?Sized>(
        &self,
        fun: &mut L,
        phi0: f64,
        dphi0: f64,
        alpha1: f64,
    ) -> Result<LineStep, LineSearchError> {
        const XTRAPL: f64 = 1.1;
        const XTRAPU: f64 = 4.0;
        let (stpmin, stpmax) = (self.stpmin, self.stpmax);
        if !phi0.is_finite() || !dphi0.is_finite() {
            return Err(LineSearchError::NonFinite);
        }
        if dphi0 >= 0.0 {
            return Err(LineSearchError::NotDescent);
        }
        if !(alpha1 >= stpmin && alpha1 <= stpmax) {
            return Err(LineSearchError::InvalidStep);
        }
        let mut stp = alpha1;
        let mut brackt = false;
        let mut stage2 = false;
        let (finit, ginit) = (phi0, dphi0);
        let gtest = self.c1 * ginit;
        let mut width = stpmax - stpmin;
        let mut width1 = width / 0.5;
        let mut x = End {
            st: 0.0,
            f: finit,
            g: ginit,
        };
        let mut y = x;
        let mut stmin = 0.0;
        let mut stmax = stp + XTRAPU * stp;
        for _ in 0..self.max_evals {
            let (f, g) = fun.phi_dphi(stp);
            if !f.is_finite() || !g.is_finite() {
                return Err(LineSearchError::NonFinite);
            }
            let ftest = finit + stp * gtest;
            if !stage2 && f <= ftest && g >= 0.0 {
                stage2 = true;
            }
            let mut warning = None;
            if brackt && (stp <= stmin || stp >= stmax) {
                warning = Some(LineSearchError::RoundingErrors);
            }
            if brackt && stmax - stmin <= self.xtol * stmax {
                warning = Some(LineSearchError::RoundingErrors);
            }
            if stp == stpmax && f <= ftest && g <= gtest {
                warning = Some(LineSearchError::StepAtMax);
            }
            if stp == stpmin && (f > ftest || g >= gtest) {
                warning = Some(LineSearchError::StepAtMin);
            }
            if f <= ftest && g.abs() <= self.c2 * -ginit {
                return Ok(LineStep {
                    alpha: stp,
                    value: f,
                    deriv: Some(g),
                });
            }
            if let Some(w) = warning {
                return Err(w);
            }
            let p = End { st: stp, f, g };
            if !stage2 && f <= x.f && f > ftest {
                // The modified function psi(a) = phi(a) - phi0 - a gtest.
                let m = |e: End| End {
                    st: e.st,
                    f: e.f - e.st * gtest,
                    g: e.g - gtest,
                };
                let (mut xm, mut ym) = (m(x), m(y));
                stp = dcstep(&mut xm, &mut ym, m(p), &mut brackt, stmin, stmax);
                let u = |e: End| End {
                    st: e.st,
                    f: e.f + e.st * gtest,
                    g: e.g + gtest,
                };
                x = u(xm);
                y = u(ym);
            } else {
                stp = dcstep(&mut x, &mut y, p, &mut brackt, stmin, stmax);
            }
            if brackt {
                if (y.st - x.st).abs() >= 0.66 * width1 {
                    stp = x.st + 0.5 * (y.st - x.st);
                }
                width1 = width;
                width = (y.st - x.st).abs();
                stmin = f64::min(x.st, y.st);
                stmax = f64::max(x.st, y.st);
            } else {
                stmin = stp + XTRAPL * (stp - x.st);
                stmax = stp + XTRAPU * (stp - x.st);
            }
            stp = clip(stp, stpmin, stpmax);
            if brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= self.xtol * stmax) {
                stp = x.st;
            }
            if !stp.is_finite() {
                return Err(LineSearchError::NonFinite);
            }
        }
        Err(LineSearchError::MaxEvaluations)
    }
}

/// The bracketing/zoom line search of Nocedal & Wright (Algorithms 3.5, 3.6), as scipy's
/// `scalar_search_wolfe2`.
///
/// ```
/// use optim::line_search::Zoom;
/// let z = Zoom::default();
/// assert_eq!((z.c1, z.c2, z.amax, z.max_iter), (1e-4, 0.9, None, 10));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zoom {
    /// Sufficient decrease, default `1e-4`.
    pub c1: f64,
    /// Curvature, default `0.9`.
    pub c2: f64,
    /// Largest step (none by default, as scipy).
    pub amax: Option<f64>,
    /// Bracketing steps (doubling the step), default 10, and as many zoom steps.
    pub max_iter: usize,
}

impl Default for Zoom {
    fn default() -> Self {
        Zoom {
            c1: 1e-4,
            c2: 0.9,
            amax: None,
            max_iter: 10,
        }
    }
}

/// scipy's `_cubicmin`: the minimizer of the cubic through `(a, fa)` with slope `fpa`, `(b, fb)`
/// and `(c, fc)`; `None` where numpy would raise (division by zero, overflow, negative radical).
fn cubicmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64, c: f64, fc: f64) -> Option<f64> {
    let cc = fpa;
    let db = b - a;
    let dc = c - a;
    let denom = (db * dc) * (db * dc) * (db - dc);
    if denom == 0.0 || !denom.is_finite() {
        return None;
    }
    let v0 = fb - fa - cc * db;
    let v1 = fc - fa - cc * dc;
    let aa = (dc * dc * v0 + -(db * db) * v1) / denom;
    let bb = (-(dc * dc * dc) * v0 + db * db * db * v1) / denom;
    let radical = bb * bb - 3.0 * aa * cc;
    if aa == 0.0 || radical < 0.0 || !radical.is_finite() || !aa.is_finite() {
        return None;
    }
    let xmin = a + (-bb + sqrt(radical)) / (3.0 * aa);
    xmin.is_finite().then_some(xmin)
}

/// scipy's `_quadmin`: the minimizer of the quadratic through `(a, fa)` with slope `fpa` and
/// `(b, fb)`.
fn quadmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64) -> Option<f64> {
    let db = b - a;
    if db == 0.0 {
        return None;
    }
    let bb = (fb - fa - fpa * db) / (db * db);
    if bb == 0.0 || !bb.is_finite() {
        return None;
    }
    let xmin = a - fpa / (2.0 * bb);
    xmin.is_finite().then_some(xmin)
}

impl Zoom {
    /// Searches from scipy's initial step (see [`scipy_initial_step`]).
    ///
    /// # Errors
    /// [`LineSearchError`] when no step satisfies the strong Wolfe conditions. As scipy, when
    /// the bracketing phase uses up its steps without bracketing, its last step is returned
    /// (with [`LineStep::deriv`] `None`).
    ///
    /// ```
    /// use optim::line_search::{LineFunction, Zoom};
    /// /// phi(a) = (a - 1)^2: the best step is 1.
    /// struct Parabola;
    /// impl LineFunction for Parabola {
    ///     fn phi(&mut self, a: f64) -> f64 {
    ///         (a - 1.0) * (a - 1.0)
    ///     }
    ///     fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
    ///         (self.phi(a), 2.0 * (a - 1.0))
    ///     }
    /// }
    /// let step = Zoom::default().search(&mut Parabola, 1.0, None, -2.0).unwrap();
    /// assert_eq!(step.alpha, 1.0);
    /// ```
    pub fn search<L: LineFunction + ?Sized>(
        &self,
        fun: &mut L,
        phi0: f64,
        old_phi0: Option<f64>,
        dphi0: f64,
    ) -> Result<LineStep, LineSearchError> {
        if !phi0.is_finite() || !dphi0.is_finite() {
            return Err(LineSearchError::NonFinite);
        }
        let (c1, c2) = (self.c1, self.c2);
        let mut alpha0 = 0.0;
        let mut alpha1 = scipy_initial_step(phi0, old_phi0, dphi0);
        if let Some(amax) = self.amax {
            alpha1 = f64::min(alpha1, amax);
        }
        let finite = |v: f64| {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(LineSearchError::NonFinite)
            }
        };
        let mut phi_a1 = finite(fun.phi(alpha1))?;
        let mut phi_a0 = phi0;
        let mut dphi_a0 = dphi0;
        for i in 0..self.max_iter {
            if alpha1 == 0.0 {
                return Err(LineSearchError::RoundingErrors);
            }
            if matches!(self.amax, Some(amax) if alpha0 > amax) {
                return Err(LineSearchError::StepAtMax);
            }
            if phi_a1 > phi0 + c1 * alpha1 * dphi0 || (phi_a1 >= phi_a0 && i > 0) {
                return self.zoom(fun, alpha0, alpha1, phi_a0, phi_a1, dphi_a0, phi0, dphi0);
            }
            let (_, dphi_a1) = fun.phi_dphi(alpha1);
            let dphi_a1 = finite(dphi_a1)?;
            if dphi_a1.abs() <= -c2 * dphi0 {
                return Ok(LineStep {
                    alpha: alpha1,
                    value: phi_a1,
                    deriv: Some(dphi_a1),
                });
            }
            if dphi_a1 >= 0.0 {
                return self.zoom(fun, alpha1, alpha0, phi_a1, phi_a0, dphi_a1, phi0, dphi0);
            }
            let mut alpha2 = 2.0 * alpha1;
            if let Some(amax) = self.amax {
                alpha2 = f64::min(alpha2, amax);
            }
            alpha0 = alpha1;
            alpha1 = alpha2;
            phi_a0 = phi_a1;
            phi_a1 = finite(fun.phi(alpha1))?;
            dphi_a0 = dphi_a1;
        }
        Ok(LineStep {
            alpha: alpha1,
            value: phi_a1,
            deriv: None,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn zoom<L: LineFunction + ?Sized>(
        &self,
        fun: &mut L,
        mut a_lo: f64,
        mut a_hi: f64,
        mut phi_lo: f64,
        mut phi_hi: f64,
        mut dphi_lo: f64,
        phi0: f64,
        dphi0: f64,
    ) -> Result<LineStep, LineSearchError> {
        const DELTA1: f64 = 0.2;
        const DELTA2: f64 = 0.1;
        let mut phi_rec = phi0;
        let mut a_rec = 0.0;
        let mut i = 0;
        loop {
            let dalpha = a_hi - a_lo;
            let (a, b) = if dalpha < 0.0 {
                (a_hi, a_lo)
            } else {
                (a_lo, a_hi)
            };
            let mut a_j = None;
            if i > 0 {
                let cchk = DELTA1 * dalpha;
                a_j = cubicmin(a_lo, phi_lo, dphi_lo, a_hi, phi_hi, a_rec, phi_rec)
                    .filter(|&aj| !(aj > b - cchk || aj < a + cchk));
            }
            let a_j = match a_j {
                Some(v) => v,
                None => {
                    let qchk = DELTA2 * dalpha;
                    match quadmin(a_lo, phi_lo, dphi_lo, a_hi, phi_hi) {
                        Some(v) if !(v > b - qchk || v < a + qchk) => v,
                        _ => a_lo + 0.5 * dalpha,
                    }
                }
            };
            let phi_aj = fun.phi(a_j);
            if !phi_aj.is_finite() {
                return Err(LineSearchError::NonFinite);
            }
            if phi_aj > phi0 + self.c1 * a_j * dphi0 || phi_aj >= phi_lo {
                phi_rec = phi_hi;
                a_rec = a_hi;
                a_hi = a_j;
                phi_hi = phi_aj;
            } else {
                let (_, dphi_aj) = fun.phi_dphi(a_j);
                if !dphi_aj.is_finite() {
                    return Err(LineSearchError::NonFinite);
                }
                if dphi_aj.abs() <= -self.c2 * dphi0 {
                    return Ok(LineStep {
                        alpha: a_j,
                        value: phi_aj,
                        deriv: Some(dphi_aj),
                    });
                }
                if dphi_aj * (a_hi - a_lo) >= 0.0 {
                    phi_rec = phi_hi;
                    a_rec = a_hi;
                    a_hi = a_lo;
                    phi_hi = phi_lo;
                } else {
                    phi_rec = phi_lo;
                    a_rec = a_lo;
                }
                a_lo = a_j;
                phi_lo = phi_aj;
                dphi_lo = dphi_aj;
            }
            i += 1;
            if i > self.max_iter {
                return Err(LineSearchError::MaxEvaluations);
            }
        }
    }
}

/// scipy's `_line_search_wolfe12`: [`MoreThuente`] (defaults, with `c1`, `c2`) from
/// [`scipy_initial_step`], and if it fails, [`Zoom`] (defaults, with `c1`, `c2`).
///
/// # Errors
/// The zoom search's error when both fail ([`LineSearchError::NonFinite`] at once if the first
/// search met a non-finite value).
///
/// ```
/// use optim::line_search::{wolfe12, LineFunction};
/// /// phi(a) = (a - 1)^2: the best step is 1.
/// struct Parabola;
/// impl LineFunction for Parabola {
///     fn phi(&mut self, a: f64) -> f64 {
///         (a - 1.0) * (a - 1.0)
///     }
///     fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
///         (self.phi(a), 2.0 * (a - 1.0))
///     }
/// }
/// // With a previous value, the first trial is scipy's estimate; the Wolfe conditions hold.
/// let step = wolfe12(&mut Parabola, 1.0, Some(1.5), -2.0, 1e-4, 0.9).unwrap();
/// assert!(step.value < 1.0 && step.deriv.unwrap().abs() <= 1.8);
/// ```
pub fn wolfe12<L: LineFunction + ?Sized>(
    fun: &mut L,
    phi0: f64,
    old_phi0: Option<f64>,
    dphi0: f64,
    c1: f64,
    c2: f64,
) -> Result<LineStep, LineSearchError> {
    let mt = MoreThuente {
        c1,
        c2,
        ..MoreThuente::default()
    };
    match mt.search(fun, phi0, dphi0, scipy_initial_step(phi0, old_phi0, dphi0)) {
        Ok(step) => Ok(step),
        Err(LineSearchError::NonFinite) => Err(LineSearchError::NonFinite),
        Err(_) => Zoom {
            c1,
            c2,
            ..Zoom::default()
        }
        .search(fun, phi0, old_phi0, dphi0),
    }
}

/// `phi(alpha) = f(x + alpha d)` for an [`Objective`]: trial points are written into `trial`,
/// the gradient of the last [`LineFunction::phi_dphi`] into `grad`. Counts evaluations.
///
/// ```
/// use optim::line_search::{LineFunction, Ray};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(2, |x: &[f64]| x[0] * x[0] + x[1] * x[1], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     g[1] = 2.0 * x[1];
///     x[0] * x[0] + x[1] * x[1]
/// });
/// let (x, d) = ([1.0, 1.0], [-1.0, 0.0]);
/// let (mut trial, mut grad) = ([0.0; 2], [0.0; 2]);
/// let mut ray = Ray::new(&obj, &x, &d, &mut trial, &mut grad);
/// // phi(a) = (1 - a)^2 + 1, phi'(a) = -2 (1 - a).
/// assert_eq!(ray.phi_dphi(0.5), (1.25, -1.0));
/// assert_eq!((ray.value_evals, ray.grad_evals, ray.grad_at), (1, 1, Some(0.5)));
/// assert_eq!(ray.trial, [0.5, 1.0]);
/// ```
pub struct Ray<'a, F, O: ?Sized> {
    /// The objective.
    pub objective: &'a O,
    /// The start point.
    pub x: &'a [F],
    /// The direction.
    pub d: &'a [F],
    /// The last trial point.
    pub trial: &'a mut [F],
    /// The gradient at [`Ray::grad_at`].
    pub grad: &'a mut [F],
    /// The step at which `grad` was evaluated, if any.
    pub grad_at: Option<f64>,
    /// Value evaluations (each [`Objective::value`] or [`Objective::value_grad`]).
    pub value_evals: usize,
    /// Gradient evaluations.
    pub grad_evals: usize,
}

impl<'a, F: Float, O: Objective<F> + ?Sized> Ray<'a, F, O> {
    /// A ray from `x` along `d` with scratch buffers `trial` and `grad` (all of one length).
    ///
    /// ```
    /// use optim::line_search::{LineFunction, Ray};
    /// use autodiff_runtime::from_fns;
    /// let obj = from_fns(2, |x: &[f64]| x[0] * x[0] + x[1] * x[1], |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * x[0];
    ///     g[1] = 2.0 * x[1];
    ///     x[0] * x[0] + x[1] * x[1]
    /// });
    /// let (x, d) = ([1.0, 1.0], [-1.0, 0.0]);
    /// let (mut trial, mut grad) = ([0.0; 2], [0.0; 2]);
    /// let mut ray = Ray::new(&obj, &x, &d, &mut trial, &mut grad);
    /// assert_eq!(ray.phi(1.0), 1.0);
    /// ```
    pub fn new(
        objective: &'a O,
        x: &'a [F],
        d: &'a [F],
        trial: &'a mut [F],
        grad: &'a mut [F],
    ) -> Self {
        Ray {
            objective,
            x,
            d,
            trial,
            grad,
            grad_at: None,
            value_evals: 0,
            grad_evals: 0,
        }
    }

    fn set_trial(&mut self, alpha: f64) {
        let a = F::from_f64(alpha);
        for ((t, &x), &d) in self.trial.iter_mut().zip(self.x).zip(self.d) {
            // numpy's `xk + alpha * pk` (no fused multiply-add).
            *t = x + a * d;
        }
    }
}

impl<F: Float, O: Objective<F> + ?Sized> LineFunction for Ray<'_, F, O> {
    fn phi(&mut self, alpha: f64) -> f64 {
        self.set_trial(alpha);
        self.value_evals += 1;
        self.objective.value(self.trial).to_f64()
    }
    fn phi_dphi(&mut self, alpha: f64) -> (f64, f64) {
        self.set_trial(alpha);
        self.value_evals += 1;
        self.grad_evals += 1;
        let v = self.objective.value_grad(self.trial, self.grad);
        self.grad_at = Some(alpha);
        (v.to_f64(), dot(self.grad, self.d))
    }
}

/// The former name of [`crate::Report`], which every minimizer now returns.
#[deprecated(note = "use `optim::Report`, the one report of every method")]
pub type SolverReport<F> = crate::Report<F>;

// ---- small vector helpers shared by the solvers (accumulated in `f64`) ----

pub(crate) fn sqrt(v: f64) -> f64 {
    autodiff_runtime::Scalar::sqrt(v)
}

pub(crate) fn dot<F: Float>(a: &[F], b: &[F]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x.to_f64() * y.to_f64()).sum()
}

pub(crate) fn norm1<F: Float>(a: &[F]) -> f64 {
    a.iter().map(|x| x.to_f64().abs()).sum()
}

/// `(norm1(a), dot(a, a))` in one pass, bit for bit (both accumulated in order from `-0.0`, as
/// `Iterator::sum`): two independent chains of additions in one loop instead of two loops.
pub(crate) fn norm1_dot<F: Float>(a: &[F]) -> (f64, f64) {
    let (mut l1, mut sq) = (-0.0, -0.0);
    for &x in a {
        let x = x.to_f64();
        l1 += x.abs();
        sq += x * x;
    }
    (l1, sq)
}

pub(crate) fn norm2<F: Float>(a: &[F]) -> f64 {
    sqrt(dot(a, a))
}
