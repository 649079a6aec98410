//! [`Lbfgs`]: limited-memory BFGS, two ways.
//!
//! * [`Lbfgs::step`]: one call of `torch.optim.LBFGS.step(closure)` (torch 2.x), with its
//!   defaults `lr = 1`, `max_iter = 20`, `max_eval = max_iter * 5 / 4`,
//!   `tolerance_grad = 1e-7`, `tolerance_change = 1e-9`, `history_size = 100`,
//!   `line_search_fn = None` (or `"strong_wolfe"`, [`LbfgsConfig::strong_wolfe`]). Matched:
//!   the inner loop of up to `max_iter` iterations and its five exits (in torch's order), the
//!   state kept across calls (direction, step, history, `H_diag`, previous gradient and loss,
//!   the global iteration count that makes only the very first iteration a scaled gradient step
//!   `min(1, 1/|g|_1) lr`), the curvature rule `y.s > 1e-10` for history updates, the oldest
//!   pair dropped when full, the two-loop recursion with torch's fused multiply-adds
//!   (`add_(alpha)` is `fma`), moves as `p.add_(d, alpha=t)`, no re-evaluation after the last
//!   fixed-step iteration, and torch's `_strong_wolfe` (cubic interpolation, `c1 = 1e-4`,
//!   `c2 = 0.9`, at most 25 evaluations, bracket tolerance `1e-9`) including which gradient it
//!   returns. The objective is evaluated with gradient exactly where torch calls the closure.
//!   In `f64` this follows torch's trajectories (see `optim/tests/newton.rs`); dot products are
//!   summed sequentially (torch's vectorized sums can differ in the last bits for long
//!   vectors), and in `f32` the scalars are computed in `f64` and rounded.
//! * [`Lbfgs::minimize`]: a full minimizer under the driver's [`StopRules`] (gradient norm,
//!   loss change, iteration limit, evaluation budget checked between iterations; a non-finite value or gradient ends [`Status::Diverged`]),
//!   with the [`MoreThuente`] strong-Wolfe line search (`c1 = 1e-4`, `c2 = 0.9`, first trial
//!   step `lr min(1, 1/|g|_1)`, then `lr`, with [`LbfgsConfig::lr`] default 1). A failed line
//!   search ends [`Status::LineSearchFailed`]; an exactly zero gradient (always, in a
//!   zero-dimensional problem) ends [`Rule::GradNorm`] before the iteration limit.
//!
//! The history lives in `H:`[`LbfgsHistory`]: `[[F; N]; M]` (with `S = [F; N]`, no allocation,
//! `history_size` must be `M`) or `Vec<Vec<F>>` (feature `alloc`).
//!
//! ```
//! use optim::{Lbfgs, LbfgsConfig, StopRules};
//! use autodiff_runtime::from_fns;
//! // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
//! let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
//! let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
//!     g[0] = 2.0 * (x[0] - 1.0);
//!     g[1] = 20.0 * (x[1] + 2.0);
//!     f(x)
//! });
//! type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
//! // torch's `LBFGS.step(closure)` ...
//! let mut torch_like: L = LbfgsConfig::default().build(2).unwrap();
//! let mut x = [0.0, 0.0];
//! torch_like.step(&obj, &mut x);
//! // ... and a minimizer under stopping rules.
//! let mut lbfgs: L = LbfgsConfig::default().build(2).unwrap();
//! let mut y = [0.0, 0.0];
//! let report = lbfgs.minimize(&obj, &mut y, &StopRules::default());
//! assert!(report.grad_norm < 1e-4);
//! ```

use autodiff_runtime::{Float, Objective};

use crate::kernels::Kernels;
use crate::line_search::{dot, norm1, LineSearchError, MoreThuente, Ray};
use crate::state::SolverProgress;
use crate::{
    check_solver, ensure, NoObserver, Observer, OptimError, Report, Rule, Status, StopRules,
    Storage,
};

/// Where [`Lbfgs`] keeps its `(s, y)` pairs: `history_size` buffers of `S`, plus two scalars per
/// pair in [`LbfgsHistory::Scalars`].
///
/// ```
/// use optim::{Lbfgs, LbfgsConfig};
/// // A fixed-size history must hold exactly `history_size` pairs.
/// let ok: Result<Lbfgs<f64, [f64; 2], [[f64; 2]; 4]>, _> = LbfgsConfig::default().history_size(4).build(2);
/// assert!(ok.is_ok());
/// let bad: Result<Lbfgs<f64, [f64; 2], [[f64; 2]; 4]>, _> = LbfgsConfig::default().history_size(5).build(2);
/// assert!(bad.is_err());
/// ```
pub trait LbfgsHistory<F: Float, S: Storage<F>>: AsRef<[S]> + AsMut<[S]> + Sized {
    /// One scalar per pair (`[F; M]` or `Vec<F>`).
    type Scalars: Storage<F> + Clone;
    /// `m` buffers of dimension `dim`, and `m` scalars.
    ///
    /// # Errors
    /// [`OptimError::Dimension`] if a fixed size does not match `m` or `dim`.
    fn build(
        component: &'static str,
        m: usize,
        dim: usize,
    ) -> Result<(Self, Self::Scalars), OptimError>;

    /// The history holding `buffers` in order (how a saved history is loaded back).
    ///
    /// # Errors
    /// [`OptimError::Dimension`] if a fixed size does not match the number of buffers.
    fn from_buffers<I: IntoIterator<Item = S>>(
        component: &'static str,
        buffers: I,
    ) -> Result<Self, OptimError>;
}

impl<F: Float, S: Storage<F> + Clone, const M: usize> LbfgsHistory<F, S> for [S; M] {
    type Scalars = [F; M];
    fn build(
        component: &'static str,
        m: usize,
        dim: usize,
    ) -> Result<(Self, Self::Scalars), OptimError> {
        if m != M {
            return Err(OptimError::Dimension {
                component,
                storage: M,
                dim: m,
            });
        }
        let one = S::filled(component, dim, F::zero())?;
        Ok((core::array::from_fn(|_| one.clone()), [F::zero(); M]))
    }

    fn from_buffers<I: IntoIterator<Item = S>>(
        component: &'static str,
        buffers: I,
    ) -> Result<Self, OptimError> {
        let mut it = buffers.into_iter();
        let slots: [Option<S>; M] = core::array::from_fn(|_| it.next());
        let count = slots.iter().filter(|b| b.is_some()).count() + it.count();
        if count != M {
            return Err(OptimError::Dimension {
                component,
                storage: M,
                dim: count,
            });
        }
        // All `M` slots are filled (counted above).
        Ok(slots.map(|b| b.expect("`Lbfgs`: every slot of the history was filled")))
    }
}

#[cfg(feature = "alloc")]
impl<F: Float, S: Storage<F> + Clone> LbfgsHistory<F, S> for alloc::vec::Vec<S> {
    type Scalars = alloc::vec::Vec<F>;
    fn build(
        component: &'static str,
        m: usize,
        dim: usize,
    ) -> Result<(Self, Self::Scalars), OptimError> {
        let one = S::filled(component, dim, F::zero())?;
        Ok((alloc::vec![one; m], alloc::vec![F::zero(); m]))
    }

    fn from_buffers<I: IntoIterator<Item = S>>(
        _component: &'static str,
        buffers: I,
    ) -> Result<Self, OptimError> {
        Ok(buffers.into_iter().collect())
    }
}

/// Hyperparameters of [`Lbfgs`], with `torch.optim.LBFGS`'s defaults.
///
/// ```
/// use optim::LbfgsConfig;
/// // torch's defaults.
/// let c = LbfgsConfig::default();
/// assert_eq!((c.lr, c.max_iter, c.max_eval, c.history_size), (1.0, 20, None, 100));
/// assert_eq!((c.tolerance_grad, c.tolerance_change, c.strong_wolfe), (1e-7, 1e-9, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LbfgsConfig {
    /// Step length (finite, `> 0`, default 1): the fixed step, or the line search's first
    /// trial, in [`Lbfgs::step`] as in torch; in [`Lbfgs::minimize`] it scales the
    /// Moré-Thuente search's first trial step (`lr min(1, 1/|g|_1)` on the first iteration,
    /// `lr` after).
    pub lr: f64,
    /// Inner iterations per [`Lbfgs::step`] (default 20).
    pub max_iter: usize,
    /// Objective evaluations per [`Lbfgs::step`] (default `None`: `max_iter * 5 / 4`).
    pub max_eval: Option<usize>,
    /// [`Lbfgs::step`] stops when `max |g| <= tolerance_grad` (default `1e-7`).
    pub tolerance_grad: f64,
    /// [`Lbfgs::step`] stops on a directional derivative, step or loss change below this
    /// (default `1e-9`).
    pub tolerance_change: f64,
    /// Number of `(s, y)` pairs kept (default 100).
    pub history_size: usize,
    /// torch's `line_search_fn="strong_wolfe"` in [`Lbfgs::step`] (default off: fixed steps).
    pub strong_wolfe: bool,
}

impl Default for LbfgsConfig {
    fn default() -> Self {
        LbfgsConfig {
            lr: 1.0,
            max_iter: 20,
            max_eval: None,
            tolerance_grad: 1e-7,
            tolerance_change: 1e-9,
            history_size: 100,
            strong_wolfe: false,
        }
    }
}

impl LbfgsConfig {
    setters! {
        /// Sets the step length.
        ///
        /// ```
        /// use optim::LbfgsConfig;
        /// let config = LbfgsConfig::default().lr(0.05);
        /// assert_eq!(config.lr, 0.05);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        lr: f64;
        /// Sets the inner iterations per step.
        ///
        /// ```
        /// use optim::LbfgsConfig;
        /// let config = LbfgsConfig::default().max_iter(50);
        /// assert_eq!(config.max_iter, 50);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        max_iter: usize;
        /// Sets the evaluations per step.
        ///
        /// ```
        /// use optim::LbfgsConfig;
        /// let config = LbfgsConfig::default().max_eval(Some(60));
        /// assert_eq!(config.max_eval, Some(60));
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        max_eval: Option<usize>;
        /// Sets the gradient tolerance.
        ///
        /// ```
        /// use optim::LbfgsConfig;
        /// let config = LbfgsConfig::default().tolerance_grad(1e-9);
        /// assert_eq!(config.tolerance_grad, 1e-9);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        tolerance_grad: f64;
        /// Sets the change tolerance.
        ///
        /// ```
        /// use optim::LbfgsConfig;
        /// let config = LbfgsConfig::default().tolerance_change(1e-12);
        /// assert_eq!(config.tolerance_change, 1e-12);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        tolerance_change: f64;
        /// Sets the history size.
        ///
        /// ```
        /// use optim::LbfgsConfig;
        /// let config = LbfgsConfig::default().history_size(5);
        /// assert_eq!(config.history_size, 5);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        history_size: usize;
        /// Turns torch's strong-Wolfe line search on or off.
        ///
        /// ```
        /// use optim::LbfgsConfig;
        /// let config = LbfgsConfig::default().strong_wolfe(true);
        /// assert_eq!(config.strong_wolfe, true);
        /// assert_eq!(config.validate(), Ok(()));
        /// ```
        strong_wolfe: bool;
    }

    /// Checks the hyperparameters.
    ///
    /// # Errors
    /// [`OptimError::InvalidHyperparameter`] naming `Lbfgs`.
    ///
    /// ```
    /// use optim::{LbfgsConfig, OptimError};
    /// assert_eq!(LbfgsConfig::default().validate(), Ok(()));
    /// let e = LbfgsConfig::default().history_size(0).validate().unwrap_err();
    /// assert!(matches!(e, OptimError::InvalidHyperparameter { component: "Lbfgs", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), OptimError> {
        ensure(
            self.lr > 0.0 && self.lr.is_finite(),
            "Lbfgs",
            "lr must be finite and > 0",
        )?;
        ensure(self.max_iter > 0, "Lbfgs", "max_iter must be > 0")?;
        ensure(self.history_size > 0, "Lbfgs", "history size must be > 0")?;
        ensure(
            self.tolerance_grad >= 0.0 && self.tolerance_change >= 0.0,
            "Lbfgs",
            "tolerances must be >= 0",
        )
    }

    /// Builds the optimizer for `dim` parameters.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// // No allocation: 2 parameters, 5 pairs of history.
    /// let lbfgs: Lbfgs<f64, [f64; 2], [[f64; 2]; 5]> =
    ///     LbfgsConfig::default().history_size(5).build(2).unwrap();
    /// # let _ = lbfgs;
    /// ```
    ///
    /// # Errors
    /// Invalid hyperparameters, or fixed-size storage of another dimension or history size.
    pub fn build<F: Float, S: Storage<F> + Clone, H: LbfgsHistory<F, S>>(
        self,
        dim: usize,
    ) -> Result<Lbfgs<F, S, H>, OptimError> {
        self.validate()?;
        let z = || S::filled("Lbfgs", dim, F::zero());
        let (s_hist, rho) = H::build("Lbfgs", self.history_size, dim)?;
        let (y_hist, al) = H::build("Lbfgs", self.history_size, dim)?;
        Ok(Lbfgs {
            config: self,
            dim,
            s_hist,
            y_hist,
            rho,
            al,
            head: 0,
            len: 0,
            g: z()?,
            prev_g: z()?,
            d: z()?,
            x0: z()?,
            trial: z()?,
            slots: [z()?, z()?, z()?],
            t: 0.0,
            h_diag: 1.0,
            n_iter: 0,
            func_evals: 0,
            prev_loss: None,
            progress: SolverProgress::default(),
        })
    }
}

/// Limited-memory BFGS (see the [module docs](self)).
///
/// ```
/// use optim::{Lbfgs, LbfgsConfig, Rule, Status, StopRules};
/// use autodiff_runtime::from_fns;
/// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
/// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
/// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * (x[0] - 1.0);
///     g[1] = 20.0 * (x[1] + 2.0);
///     f(x)
/// });
/// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
/// let mut lbfgs: L = LbfgsConfig::default().history_size(10).build(2).unwrap();
/// let mut x = [0.0, 0.0];
/// let report = lbfgs.minimize(&obj, &mut x, &StopRules::default());
/// assert_eq!(report.status, Status::Converged(Rule::GradNorm));
/// assert!((x[0] - 1.0).abs() < 1e-5 && (x[1] + 2.0).abs() < 1e-5);
/// ```
#[derive(Clone, Debug)]
pub struct Lbfgs<F: Float, S, H: LbfgsHistory<F, S>>
where
    S: Storage<F>,
{
    pub(crate) config: LbfgsConfig,
    pub(crate) dim: usize,
    pub(crate) s_hist: H,
    pub(crate) y_hist: H,
    pub(crate) rho: H::Scalars,
    pub(crate) al: H::Scalars,
    pub(crate) head: usize,
    pub(crate) len: usize,
    pub(crate) g: S,
    pub(crate) prev_g: S,
    pub(crate) d: S,
    pub(crate) x0: S,
    pub(crate) trial: S,
    pub(crate) slots: [S; 3],
    pub(crate) t: f64,
    pub(crate) h_diag: f64,
    pub(crate) n_iter: usize,
    pub(crate) func_evals: usize,
    pub(crate) prev_loss: Option<f64>,
    /// Where [`Lbfgs::minimize`] stands (for [`Lbfgs::resume_observed`]).
    pub(crate) progress: SolverProgress<F>,
}

/// Python's `max(a, b)` / `min(a, b)` (the first argument unless the second compares
/// greater/smaller; NaN propagates from the first).
fn pymax(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}
fn pymin(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// torch's `_cubic_interpolate` (two points, values and derivatives).
fn cubic_interpolate(
    x1: f64,
    f1: f64,
    g1: f64,
    x2: f64,
    f2: f64,
    g2: f64,
    bounds: Option<(f64, f64)>,
) -> f64 {
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= 0.0 {
        let d2 = crate::line_search::sqrt(d2_square);
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        pymin(pymax(min_pos, lo), hi)
    } else {
        (lo + hi) / 2.0
    }
}

/// The slot holding the gradient passed to the search (not one of the three scratch slots).
const ORIG: usize = 3;

/// One point of torch's line search: step, value, directional derivative, gradient slot.
#[derive(Clone, Copy)]
struct Pt {
    t: f64,
    f: f64,
    gtd: f64,
    slot: usize,
}

/// torch's `_strong_wolfe`, evaluating `x + t d` (as `x.add_(d, alpha=t)`) into `trial` and
/// gradients into `slots`. Returns the accepted point and the number of evaluations.
#[allow(clippy::too_many_arguments)]
fn torch_strong_wolfe<F: Float, O: Objective<F> + ?Sized>(
    objective: &O,
    x: &[F],
    d: &[F],
    trial: &mut [F],
    slots: &mut [&mut [F]; 3],
    f: f64,
    gtd: f64,
    mut t: f64,
) -> (Pt, usize) {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    const TOLERANCE_CHANGE: f64 = 1e-9;
    const MAX_LS: usize = 25;
    let d_norm = d.iter().fold(0.0f64, |m, v| pymax(m, v.to_f64().abs()));
    let mut eval = |t: f64, slot: usize| -> Pt {
        Kernels::get().add_step_into(trial, x, F::from_f64(t), d);
        let g = &mut *slots[slot];
        let f = objective.value_grad(trial, g).to_f64();
        Pt {
            t,
            f,
            gtd: dot(g, d),
            slot,
        }
    };
    let free = |used: &[usize]| (0..3).find(|s| !used.contains(s)).unwrap_or(0);
    let mut new = eval(t, 0);
    let mut evals = 1;
    let mut prev = Pt {
        t: 0.0,
        f,
        gtd,
        slot: ORIG,
    };
    let mut done = false;
    let mut ls_iter = 0;
    let mut bracket: [Pt; 2] = [new, new];
    let mut single = false;
    while ls_iter < MAX_LS {
        if new.f > f + C1 * t * gtd || (ls_iter > 1 && new.f >= prev.f) {
            bracket = [prev, new];
            break;
        }
        if new.gtd.abs() <= -C2 * gtd {
            bracket = [new, new];
            single = true;
            done = true;
            break;
        }
        if new.gtd >= 0.0 {
            bracket = [prev, new];
            break;
        }
        let min_step = t + 0.01 * (t - prev.t);
        let max_step = t * 10.0;
        t = cubic_interpolate(
            prev.t,
            prev.f,
            prev.gtd,
            t,
            new.f,
            new.gtd,
            Some((min_step, max_step)),
        );
        prev = new;
        new = eval(t, free(&[prev.slot]));
        evals += 1;
        ls_iter += 1;
    }
    if ls_iter == MAX_LS {
        bracket = [
            Pt {
                t: 0.0,
                f,
                gtd,
                slot: ORIG,
            },
            new,
        ];
        single = false;
    }
    let mut insuf_progress = false;
    let (mut low, mut high) = if single || bracket[0].f <= bracket[1].f {
        (0, 1)
    } else {
        (1, 0)
    };
    while !done && ls_iter < MAX_LS {
        let (b0, b1) = (bracket[0].t, bracket[1].t);
        if (b1 - b0).abs() * d_norm < TOLERANCE_CHANGE {
            break;
        }
        t = cubic_interpolate(
            b0,
            bracket[0].f,
            bracket[0].gtd,
            b1,
            bracket[1].f,
            bracket[1].gtd,
            None,
        );
        let (bmax, bmin) = (pymax(b0, b1), pymin(b0, b1));
        let eps = 0.1 * (bmax - bmin);
        if pymin(bmax - t, t - bmin) < eps {
            if insuf_progress || t >= bmax || t <= bmin {
                t = if (t - bmax).abs() < (t - bmin).abs() {
                    bmax - eps
                } else {
                    bmin + eps
                };
                insuf_progress = false;
            } else {
                insuf_progress = true;
            }
        } else {
            insuf_progress = false;
        }
        let p = eval(t, free(&[bracket[0].slot, bracket[1].slot]));
        evals += 1;
        ls_iter += 1;
        if p.f > f + C1 * t * gtd || p.f >= bracket[low].f {
            bracket[high] = p;
            (low, high) = if bracket[0].f <= bracket[1].f {
                (0, 1)
            } else {
                (1, 0)
            };
        } else {
            if p.gtd.abs() <= -C2 * gtd {
                done = true;
            } else if p.gtd * (bracket[high].t - bracket[low].t) >= 0.0 {
                bracket[high] = bracket[low];
            }
            bracket[low] = p;
        }
    }
    (bracket[low], evals)
}

impl<F: Float, S: Storage<F>, H: LbfgsHistory<F, S>> Lbfgs<F, S, H> {
    /// The hyperparameters.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let lbfgs: L = LbfgsConfig::default().lr(0.5).build(2).unwrap();
    /// assert_eq!(lbfgs.config().lr, 0.5);
    /// ```
    pub fn config(&self) -> &LbfgsConfig {
        &self.config
    }
    /// The number of parameters.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let lbfgs: L = LbfgsConfig::default().build(3).unwrap();
    /// assert_eq!(lbfgs.dim(), 3);
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Inner iterations over all [`Lbfgs::step`] calls (torch's `state["n_iter"]`).
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// lbfgs.step(&obj, &mut x);
    /// assert!(lbfgs.n_iter() >= 1 && lbfgs.n_iter() <= 20);
    /// ```
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }
    /// Objective evaluations over all [`Lbfgs::step`] calls (torch's `state["func_evals"]`).
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// lbfgs.step(&obj, &mut x);
    /// assert!(lbfgs.func_evals() >= lbfgs.n_iter());
    /// ```
    pub fn func_evals(&self) -> usize {
        self.func_evals
    }
    /// The number of `(s, y)` pairs held.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// lbfgs.step(&obj, &mut x);
    /// assert!(lbfgs.history_len() >= 1 && lbfgs.history_len() <= 100);
    /// ```
    pub fn history_len(&self) -> usize {
        self.len
    }

    /// Forgets the history and all state, as a freshly built optimizer.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().build(2).unwrap();
    /// lbfgs.step(&obj, &mut [0.0, 0.0]);
    /// lbfgs.reset();
    /// assert_eq!((lbfgs.n_iter(), lbfgs.func_evals(), lbfgs.history_len()), (0, 0, 0));
    /// ```
    pub fn reset(&mut self) {
        self.head = 0;
        self.len = 0;
        self.t = 0.0;
        self.h_diag = 1.0;
        self.n_iter = 0;
        self.func_evals = 0;
        self.prev_loss = None;
        self.progress = SolverProgress::default();
        self.d.as_mut().fill(F::zero());
        self.prev_g.as_mut().fill(F::zero());
    }

    /// The physical index of the next pair, dropping the oldest when full.
    fn next_slot(&mut self) -> usize {
        let m = self.config.history_size;
        if self.len < m {
            self.len += 1;
            (self.head + self.len - 1) % m
        } else {
            let p = self.head;
            self.head = (self.head + 1) % m;
            p
        }
    }

    /// `d = -H g` by the two-loop recursion (torch's operation order), from `self.g`.
    fn direction(&mut self) {
        let m = self.config.history_size;
        Kernels::get().two_loop(
            self.d.as_mut(),
            self.g.as_ref(),
            &self.s_hist.as_ref()[..m],
            &self.y_hist.as_ref()[..m],
            self.rho.as_ref(),
            self.al.as_mut(),
            self.head,
            self.len,
            F::from_f64(self.h_diag),
        );
    }

    /// One call of torch's `LBFGS.step(closure)`, the closure being
    /// `objective.value_grad(params, ..)`: up to `max_iter` L-BFGS iterations. Returns the loss
    /// at `params` on entry (torch's `orig_loss`).
    ///
    /// # Panics
    /// If `params` or the objective does not have the optimizer's dimension.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().strong_wolfe(true).build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// let loss = lbfgs.step(&obj, &mut x); // up to max_iter = 20 iterations
    /// assert_eq!(loss, 41.0); // the loss on entry, as torch's closure returns
    /// assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
    /// ```
    pub fn step<O: Objective<F> + ?Sized>(&mut self, objective: &O, params: &mut [F]) -> F {
        let n = self.dim;
        assert!(
            params.len() == n && objective.dim() == n,
            "`Lbfgs`: params ({}) and the objective ({}) must have the optimizer's dimension {n}",
            params.len(),
            objective.dim()
        );
        let cfg = self.config;
        let max_eval = cfg.max_eval.unwrap_or(cfg.max_iter * 5 / 4);
        let max_abs = |v: &[F]| v.iter().fold(0.0f64, |m, x| pymax(m, x.to_f64().abs()));

        let orig_loss = objective.value_grad(params, self.g.as_mut());
        let mut loss = orig_loss.to_f64();
        let mut current_evals = 1;
        self.func_evals += 1;
        let mut opt_cond = max_abs(self.g.as_ref()) <= cfg.tolerance_grad;
        if opt_cond {
            return orig_loss;
        }
        let mut n_iter = 0;
        while n_iter < cfg.max_iter {
            n_iter += 1;
            self.n_iter += 1;
            if self.n_iter == 1 {
                self.head = 0;
                self.len = 0;
                self.h_diag = 1.0;
                let g = self.g.as_ref();
                for (di, &gi) in self.d.as_mut().iter_mut().zip(g) {
                    *di = -gi;
                }
            } else {
                // y = g - prev_g, s = d t.
                let t = F::from_f64(self.t);
                let (mut ys, mut yy) = (0.0, 0.0);
                let (g, pg, d) = (self.g.as_ref(), self.prev_g.as_ref(), self.d.as_ref());
                for j in 0..n {
                    let y = (g[j] - pg[j]).to_f64();
                    ys += y * (d[j] * t).to_f64();
                    yy += y * y;
                }
                if ys > 1e-10 {
                    self.push_pair(t, 1.0 / ys);
                    self.h_diag = ys / yy;
                }
                self.direction();
            }
            self.prev_g.as_mut().copy_from_slice(self.g.as_ref());
            let prev_loss = loss;
            self.prev_loss = Some(loss);
            self.t = if self.n_iter == 1 {
                f64::min(1.0, 1.0 / norm1(self.g.as_ref())) * cfg.lr
            } else {
                cfg.lr
            };
            let gtd = dot(self.g.as_ref(), self.d.as_ref());
            if gtd > -cfg.tolerance_change {
                break;
            }
            let mut ls_func_evals = 0;
            if cfg.strong_wolfe {
                self.x0.as_mut().copy_from_slice(params);
                let [a, b, c] = &mut self.slots;
                let mut slots = [a.as_mut(), b.as_mut(), c.as_mut()];
                let (pt, evals) = torch_strong_wolfe(
                    objective,
                    self.x0.as_ref(),
                    self.d.as_ref(),
                    self.trial.as_mut(),
                    &mut slots,
                    loss,
                    gtd,
                    self.t,
                );
                loss = pt.f;
                self.t = pt.t;
                ls_func_evals = evals;
                if pt.slot != ORIG {
                    self.g.as_mut().copy_from_slice(slots[pt.slot]);
                }
                add_step(params, self.t, self.d.as_ref());
                opt_cond = max_abs(self.g.as_ref()) <= cfg.tolerance_grad;
            } else {
                add_step(params, self.t, self.d.as_ref());
                if n_iter != cfg.max_iter {
                    loss = objective.value_grad(params, self.g.as_mut()).to_f64();
                    opt_cond = max_abs(self.g.as_ref()) <= cfg.tolerance_grad;
                    ls_func_evals = 1;
                }
            }
            current_evals += ls_func_evals;
            self.func_evals += ls_func_evals;
            if n_iter == cfg.max_iter || current_evals >= max_eval || opt_cond {
                break;
            }
            let tf = F::from_f64(self.t);
            if max_abs_scaled(self.d.as_ref(), tf) <= cfg.tolerance_change {
                break;
            }
            if (loss - prev_loss).abs() < cfg.tolerance_change {
                break;
            }
        }
        orig_loss
    }

    /// Stores `s = d t`, `y = g - prev_g` as the newest pair.
    fn push_pair(&mut self, t: F, rho: f64) {
        let phys = self.next_slot();
        let (g, pg, d) = (self.g.as_ref(), self.prev_g.as_ref(), self.d.as_ref());
        for (sj, &dj) in self.s_hist.as_mut()[phys].as_mut().iter_mut().zip(d) {
            *sj = dj * t;
        }
        for ((yj, &gj), &pj) in self.y_hist.as_mut()[phys]
            .as_mut()
            .iter_mut()
            .zip(g)
            .zip(pg)
        {
            *yj = gj - pj;
        }
        self.rho.as_mut()[phys] = F::from_f64(rho);
    }

    /// Minimizes `objective` from `x` (updated in place) under `rules` with the Moré-Thuente
    /// line search. Forgets any state first (see [`Lbfgs::reset`]).
    ///
    /// # Panics
    /// If `x` or the objective does not have the optimizer's dimension.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig, Status, StopRules};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// let report = lbfgs.minimize(&obj, &mut x, &StopRules::max_iterations(2));
    /// assert_eq!((report.status, report.iterations), (Status::MaxIterations, 2));
    /// assert!(report.value < 41.0);
    /// ```
    pub fn minimize<O: Objective<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
    ) -> Report<F> {
        self.minimize_observed(objective, x, rules, &mut NoObserver)
    }

    /// [`Lbfgs::minimize`], showing `observer` every evaluated iterate (0 = the start).
    ///
    /// # Panics
    /// If `x` or the objective does not have the optimizer's dimension.
    ///
    /// ```
    /// use optim::{History, Lbfgs, LbfgsConfig, StopRules};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().build(2).unwrap();
    /// let (mut x, mut history) = ([0.0, 0.0], History::new());
    /// let report = lbfgs.minimize_observed(&obj, &mut x, &StopRules::default(), &mut history);
    /// assert_eq!(history.values.len(), report.iterations + 1);
    /// assert_eq!(history.values[0], 41.0);
    /// ```
    pub fn minimize_observed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Report<F> {
        let n = self.dim;
        check_solver("Lbfgs", n, x.len(), objective.dim());
        self.reset();
        let value = objective.value_grad(x, self.g.as_mut());
        self.progress = SolverProgress::started(value);
        self.resume_observed(objective, x, rules, observer)
    }

    /// [`Lbfgs::minimize_observed`] continuing where the last run stopped (by its rules, e.g.
    /// the iteration limit), from the state this optimizer holds or loaded
    /// ([`crate::state::LbfgsState`]): with the same objective and `x`, the steps are bit for
    /// bit those of a run that never stopped, and the report is the same. `rules` count from
    /// the start of the whole run. The observer sees the current iterate again.
    ///
    /// # Panics
    /// If `x` or the objective does not have the optimizer's dimension.
    ///
    /// ```
    /// use optim::{Lbfgs, LbfgsConfig, NoObserver, StopRules};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let rules = StopRules::max_iterations(4);
    /// let mut whole: L = LbfgsConfig::default().build(2).unwrap();
    /// let mut x = [3.0, 3.0];
    /// let full = whole.minimize(&obj, &mut x, &rules);
    /// // Two iterations, then the rest: the same run.
    /// let mut split: L = LbfgsConfig::default().build(2).unwrap();
    /// let mut y = [3.0, 3.0];
    /// split.minimize(&obj, &mut y, &StopRules::max_iterations(2));
    /// let rest = split.resume_observed(&obj, &mut y, &rules, &mut NoObserver);
    /// assert_eq!((rest, y), (full, x));
    /// ```
    pub fn resume_observed<O: Objective<F> + ?Sized, Obs: Observer<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Report<F> {
        let n = self.dim;
        check_solver("Lbfgs", n, x.len(), objective.dim());
        let mut report = self.progress.report(Status::MaxIterations, self.g.as_ref());
        let mut previous: Option<F> = self.progress.previous;
        let mut k = report.iterations;
        loop {
            let value = report.value;
            observer.observe(k, x, value, self.g.as_ref());
            // An exactly zero gradient is a stationary point (always, in a zero-dimensional
            // problem).
            let zero = norm1(self.g.as_ref()) == 0.0;
            let g = self.g.as_ref();
            if let Some(status) = rules.verdict(k, value, g, previous, report.value_evals, zero) {
                report.status = status;
                break;
            }
            self.direction();
            let mut dphi0 = dot(self.g.as_ref(), self.d.as_ref());
            let descent = dphi0 < 0.0;
            if !descent && self.len > 0 {
                // Not a descent direction (rounding): restart from steepest descent.
                self.head = 0;
                self.len = 0;
                self.h_diag = 1.0;
                self.direction();
                dphi0 = dot(self.g.as_ref(), self.d.as_ref());
            }
            if dphi0 == 0.0 {
                // Zero gradient.
                report.status = Status::Converged(Rule::GradNorm);
                break;
            }
            let alpha0 = if self.len == 0 {
                f64::min(1.0, 1.0 / norm1(self.g.as_ref())) * self.config.lr
            } else {
                self.config.lr
            };
            let search = MoreThuente {
                stpmin: 1e-20,
                stpmax: 1e20,
                ..MoreThuente::default()
            };
            let [tgrad, _, _] = &mut self.slots;
            let mut ray = Ray::new(
                objective,
                x,
                self.d.as_ref(),
                self.trial.as_mut(),
                tgrad.as_mut(),
            );
            let result = search.search(&mut ray, value.to_f64(), dphi0, alpha0);
            report.value_evals += ray.value_evals;
            report.grad_evals += ray.grad_evals;
            let step = match result {
                Ok(step) => step,
                Err(e) => {
                    report.status = LineSearchError::status(e);
                    break;
                }
            };
            // The pair s = alpha d = x_new - x, y = g_new - g.
            let (mut ys, mut yy) = (0.0, 0.0);
            {
                let (g, tg, xn) = (self.g.as_ref(), self.slots[0].as_ref(), self.trial.as_ref());
                for j in 0..n {
                    let y = (tg[j] - g[j]).to_f64();
                    ys += y * (xn[j] - x[j]).to_f64();
                    yy += y * y;
                }
            }
            if ys > f64::EPSILON * yy {
                let phys = self.next_slot();
                let (g, tg, xn) = (self.g.as_ref(), self.slots[0].as_ref(), self.trial.as_ref());
                for (j, sj) in self.s_hist.as_mut()[phys].as_mut().iter_mut().enumerate() {
                    *sj = xn[j] - x[j];
                }
                for (j, yj) in self.y_hist.as_mut()[phys].as_mut().iter_mut().enumerate() {
                    *yj = tg[j] - g[j];
                }
                self.rho.as_mut()[phys] = F::from_f64(1.0 / ys);
                self.h_diag = ys / yy;
            }
            x.copy_from_slice(self.trial.as_ref());
            self.g.as_mut().copy_from_slice(self.slots[0].as_ref());
            previous = Some(value);
            report.value = F::from_f64(step.value);
            k += 1;
            report.iterations = k;
        }
        report.grad_norm = crate::GradNorm::L2.of(self.g.as_ref());
        self.progress = SolverProgress::of(&report, previous);
        report
    }
}

/// torch's `p.add_(d, alpha=t)`: `fma(t, d, p)`.
fn add_step<F: Float>(params: &mut [F], t: f64, d: &[F]) {
    Kernels::get().add_step(params, F::from_f64(t), d);
}

/// `max |d t|`.
fn max_abs_scaled<F: Float>(d: &[F], t: F) -> f64 {
    d.iter()
        .fold(0.0f64, |m, &v| pymax(m, (v * t).to_f64().abs()))
}
