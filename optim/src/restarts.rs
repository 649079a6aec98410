//! Random restarts: run a local minimizer from several seeded random start points and keep the
//! best end point.
//!
//! The user gives a sampler `FnMut(&mut Rng, &mut [F])` that writes a start point, and a
//! minimization closure `FnMut(restart, &mut [F]) -> R` that improves the point in place and
//! returns a result `R` whose [`Scored::score`] (lower is better) ranks the runs: the driver's
//! [`Report`] (its final value), a bare `f64`/`f32` value, or a `(value, anything)` pair.
//! One [`Rng`] seeded with `seed` serves all the samples in order, so a seed fixes every start;
//! the `_with` variants take your own generator instead (any [`Source`]; with the `rand_core`
//! feature, any `rand_core` generator).
//!
//! * [`restarts_in`]: no allocation; keeps only the best end point.
//! * [`random_restarts`] (feature `alloc`): records every run ([`Restarts`]).
//! * [`restarts_with_in`], [`random_restarts_with`]: the same from a generator of yours.
//! * [`minimize_restarts`] (feature `alloc`): restarts of the [`crate::minimize_in`] driver
//!   with one optimizer, reset before each run.
//!
//! Ties keep the earliest run; runs whose score is NaN are never the best.
//!
//! ```
//! use optim::restarts::restarts_in;
//! // The better of two wells of f(x) = (x^2 - 1)^2 + 0.1 x, by "minimizing" to the nearest one.
//! let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
//! let (mut work, mut best) = ([0.0], [0.0]);
//! restarts_in(10, 1, &mut work, &mut best, |rng, x| x[0] = rng.uniform(-2.0, 2.0), |_, x: &mut [f64]| {
//!     x[0] = x[0].signum();
//!     f(x[0])
//! });
//! assert_eq!(best, [-1.0]);
//! ```

use autodiff_runtime::Float;

use crate::rng::{Rng, Source};
use crate::Report;

/// A result that can be ranked: lower [`Scored::score`] is better.
///
/// ```
/// use optim::restarts::Scored;
/// assert_eq!(Scored::<f64>::score(&1.5f64), 1.5);
/// assert_eq!((2.0f64, "label").score(), 2.0); // a value with anything attached
/// ```
pub trait Scored<F> {
    /// The value to minimize (the objective at the end point).
    fn score(&self) -> F;
}

impl<F: Float> Scored<F> for Report<F> {
    fn score(&self) -> F {
        self.value
    }
}

impl Scored<f64> for f64 {
    fn score(&self) -> f64 {
        *self
    }
}

impl Scored<f32> for f32 {
    fn score(&self) -> f32 {
        *self
    }
}

impl<F: Float, T> Scored<F> for (F, T) {
    fn score(&self) -> F {
        self.0
    }
}

/// Whether `candidate` beats `incumbent` (NaN never does; ties keep the incumbent).
#[inline]
pub(crate) fn better<F: Float>(candidate: F, incumbent: Option<F>) -> bool {
    !candidate.is_nan() && incumbent.is_none_or(|b| candidate < b)
}

/// The best run of [`restarts_in`].
///
/// ```
/// use optim::restarts::restarts_in;
/// use optim::rng::Rng;
/// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
/// // moves to the nearest well.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let sampler = |rng: &mut Rng, x: &mut [f64]| x[0] = rng.uniform(-2.0, 2.0);
/// let well = |_: usize, x: &mut [f64]| {
///     x[0] = x[0].signum();
///     f(x[0])
/// };
/// let (mut work, mut best) = ([0.0], [0.0]);
/// let found = restarts_in(8, 3, &mut work, &mut best, sampler, well).unwrap();
/// assert_eq!((found.value, found.result), (f(-1.0), f(-1.0)));
/// assert!(found.index < 8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Best<F, R> {
    /// Which restart (from 0).
    pub index: usize,
    /// Its score.
    pub value: F,
    /// Its result.
    pub result: R,
}

/// Runs `restarts` minimizations, without allocating. For each restart `k`, `sampler` writes a
/// start point into `work`, `minimize(k, work)` moves it to an end point, and the end point of
/// the best run so far is copied into `best`. Returns the best run, or `None` if there were no
/// runs or every score was NaN (then `best` is untouched).
///
/// ```
/// use optim::restarts::restarts_in;
/// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
/// // rounds to the nearest well.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let (mut work, mut best) = ([0.0], [0.0]);
/// let found = restarts_in(
///     8,
///     3,
///     &mut work,
///     &mut best,
///     |rng, x| x[0] = rng.uniform(-2.0, 2.0),
///     |_, x: &mut [f64]| {
///         x[0] = x[0].signum();
///         f(x[0])
///     },
/// )
/// .unwrap();
/// assert_eq!(best, [-1.0]);
/// assert_eq!(found.value, f(-1.0));
/// ```
///
/// # Panics
/// If `work` and `best` differ in length.
pub fn restarts_in<F, Smp, M, R>(
    restarts: usize,
    seed: u64,
    work: &mut [F],
    best: &mut [F],
    sampler: Smp,
    minimize: M,
) -> Option<Best<F, R>>
where
    F: Float,
    Smp: FnMut(&mut Rng, &mut [F]),
    M: FnMut(usize, &mut [F]) -> R,
    R: Scored<F>,
{
    restarts_with_in(restarts, &mut Rng::new(seed), work, best, sampler, minimize)
}

/// [`restarts_in`] drawing the start points from `rng`, any [`Source`] of random numbers (with
/// the `rand_core` feature, any `rand_core` generator): the sampler receives it.
///
/// # Panics
/// If `work` and `best` differ in length.
///
/// ```
/// use optim::restarts::{restarts_in, restarts_with_in};
/// use optim::rng::Rng;
/// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
/// // moves to the nearest well.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let sampler = |rng: &mut Rng, x: &mut [f64]| x[0] = rng.uniform(-2.0, 2.0);
/// let well = |_: usize, x: &mut [f64]| {
///     x[0] = x[0].signum();
///     f(x[0])
/// };
/// let (mut work, mut best) = ([0.0], [0.0]);
/// let mine = restarts_with_in(8, &mut Rng::new(3), &mut work, &mut best, sampler, well).unwrap();
/// // The same as seeding restarts_in with 3.
/// let seeded = restarts_in(8, 3, &mut work, &mut best, sampler, well).unwrap();
/// assert_eq!(mine, seeded);
/// ```
pub fn restarts_with_in<F, G, Smp, M, R>(
    restarts: usize,
    rng: &mut G,
    work: &mut [F],
    best: &mut [F],
    mut sampler: Smp,
    mut minimize: M,
) -> Option<Best<F, R>>
where
    F: Float,
    G: Source + ?Sized,
    Smp: FnMut(&mut G, &mut [F]),
    M: FnMut(usize, &mut [F]) -> R,
    R: Scored<F>,
{
    assert!(
        work.len() == best.len(),
        "`restarts`: work ({}) and best ({}) must have the same length",
        work.len(),
        best.len()
    );
    let mut found: Option<Best<F, R>> = None;
    for k in 0..restarts {
        sampler(rng, work);
        let result = minimize(k, work);
        let value = result.score();
        if better(value, found.as_ref().map(|b| b.value)) {
            best.copy_from_slice(work);
            found = Some(Best {
                index: k,
                value,
                result,
            });
        }
    }
    found
}

/// One run of [`random_restarts`].
///
/// ```
/// use optim::random_restarts;
/// use optim::rng::Rng;
/// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
/// // moves to the nearest well.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let sampler = |rng: &mut Rng, x: &mut [f64]| x[0] = rng.uniform(-2.0, 2.0);
/// let well = |_: usize, x: &mut [f64]| {
///     x[0] = x[0].signum();
///     f(x[0])
/// };
/// let all = random_restarts(1, 4, 3, sampler, well);
/// let run = &all.runs[0];
/// assert_eq!((run.params[0].abs(), run.value), (1.0, f(run.params[0])));
/// assert!(run.start[0] >= -2.0 && run.start[0] < 2.0);
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq)]
pub struct RestartRun<F, R> {
    /// The sampled start point.
    pub start: alloc::vec::Vec<F>,
    /// The end point.
    pub params: alloc::vec::Vec<F>,
    /// The score of the result.
    pub value: F,
    /// What the minimization closure returned.
    pub result: R,
}

/// Every run of [`random_restarts`], in order, and which was best.
///
/// ```
/// use optim::random_restarts;
/// use optim::rng::Rng;
/// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
/// // moves to the nearest well.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let sampler = |rng: &mut Rng, x: &mut [f64]| x[0] = rng.uniform(-2.0, 2.0);
/// let well = |_: usize, x: &mut [f64]| {
///     x[0] = x[0].signum();
///     f(x[0])
/// };
/// let all = random_restarts(1, 8, 3, sampler, well);
/// assert_eq!(all.runs.len(), 8);
/// assert_eq!(all.best().unwrap().params, [-1.0]);
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq)]
pub struct Restarts<F, R> {
    /// The runs, `runs[k]` for restart `k`.
    pub runs: alloc::vec::Vec<RestartRun<F, R>>,
    /// The index of the best run (lowest score; the earliest on ties; NaN never best), or
    /// `None` if there were no runs or all scores were NaN.
    pub best_index: Option<usize>,
}

#[cfg(feature = "alloc")]
impl<F, R> Restarts<F, R> {
    /// The best run.
    ///
    /// ```
    /// use optim::random_restarts;
    /// use optim::rng::Rng;
    /// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
    /// // moves to the nearest well.
    /// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
    /// let sampler = |rng: &mut Rng, x: &mut [f64]| x[0] = rng.uniform(-2.0, 2.0);
    /// let well = |_: usize, x: &mut [f64]| {
    ///     x[0] = x[0].signum();
    ///     f(x[0])
    /// };
    /// assert!(random_restarts(1, 0, 3, sampler, well).best().is_none()); // no runs
    /// let nan = random_restarts(1, 2, 3, sampler, |_, _: &mut [f64]| f64::NAN);
    /// assert!(nan.best().is_none()); // NaN is never best
    /// ```
    pub fn best(&self) -> Option<&RestartRun<F, R>> {
        self.best_index.map(|i| &self.runs[i])
    }
}

/// [`restarts_in`] recording every run: start point, end point, score and result.
///
/// # Panics
/// If the sampler or the minimizer panics; nothing else.
///
/// ```
/// use optim::random_restarts;
/// use optim::rng::Rng;
/// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
/// // moves to the nearest well.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let sampler = |rng: &mut Rng, x: &mut [f64]| x[0] = rng.uniform(-2.0, 2.0);
/// let well = |_: usize, x: &mut [f64]| {
///     x[0] = x[0].signum();
///     f(x[0])
/// };
/// let all = random_restarts(1, 8, 3, sampler, well);
/// assert_eq!(all.best().unwrap().params, [-1.0]);
/// // The same seed, the same starts.
/// assert_eq!(all, random_restarts(1, 8, 3, sampler, well));
/// ```
#[cfg(feature = "alloc")]
pub fn random_restarts<F, Smp, M, R>(
    dim: usize,
    restarts: usize,
    seed: u64,
    sampler: Smp,
    minimize: M,
) -> Restarts<F, R>
where
    F: Float,
    Smp: FnMut(&mut Rng, &mut [F]),
    M: FnMut(usize, &mut [F]) -> R,
    R: Scored<F>,
{
    random_restarts_with(dim, restarts, &mut Rng::new(seed), sampler, minimize)
}

/// [`random_restarts`] drawing the start points from `rng`, any [`Source`] of random numbers
/// (with the `rand_core` feature, any `rand_core` generator): the sampler receives it.
///
/// # Panics
/// If the sampler or the minimizer panics; nothing else.
///
/// ```
/// use optim::{random_restarts, random_restarts_with};
/// use optim::rng::Rng;
/// // f(x) = (x^2 - 1)^2 + 0.1 x: two wells, the left one lower. The "minimizer" here just
/// // moves to the nearest well.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let sampler = |rng: &mut Rng, x: &mut [f64]| x[0] = rng.uniform(-2.0, 2.0);
/// let well = |_: usize, x: &mut [f64]| {
///     x[0] = x[0].signum();
///     f(x[0])
/// };
/// let mine = random_restarts_with(1, 8, &mut Rng::new(3), sampler, well);
/// assert_eq!(mine, random_restarts(1, 8, 3, sampler, well));
/// ```
#[cfg(feature = "alloc")]
pub fn random_restarts_with<F, G, Smp, M, R>(
    dim: usize,
    restarts: usize,
    rng: &mut G,
    mut sampler: Smp,
    mut minimize: M,
) -> Restarts<F, R>
where
    F: Float,
    G: Source + ?Sized,
    Smp: FnMut(&mut G, &mut [F]),
    M: FnMut(usize, &mut [F]) -> R,
    R: Scored<F>,
{
    let mut runs = alloc::vec::Vec::with_capacity(restarts);
    let mut best_index: Option<usize> = None;
    let mut best_value: Option<F> = None;
    for k in 0..restarts {
        let mut x = alloc::vec![F::zero(); dim];
        sampler(rng, &mut x);
        let start = x.clone();
        let result = minimize(k, &mut x);
        let value = result.score();
        if better(value, best_value) {
            best_index = Some(k);
            best_value = Some(value);
        }
        runs.push(RestartRun {
            start,
            params: x,
            value,
            result,
        });
    }
    Restarts { runs, best_index }
}

/// Random restarts of the driver: each run resets `optimizer` (and restores its learning rate)
/// and calls [`crate::minimize_in`] with `rules`, no schedule and no observer, from a start
/// point drawn by `sampler`.
///
/// ```
/// use optim::restarts::minimize_restarts;
/// use optim::{SgdConfig, StopRules};
/// use autodiff_runtime::from_fns;
/// // Two wells at x = -1 (lower, thanks to the tilt) and x = 1.
/// let f = |x: &[f64]| (x[0] * x[0] - 1.0).powi(2) + 0.1 * x[0];
/// let obj = from_fns(1, f, |x: &[f64], g: &mut [f64]| {
///     g[0] = 4.0 * x[0] * (x[0] * x[0] - 1.0) + 0.1;
///     f(x)
/// });
/// let mut sgd = SgdConfig::default().lr(0.05).build::<f64, Vec<f64>>(1).unwrap();
/// let runs = minimize_restarts(&obj, &mut sgd, &StopRules::max_iterations(500), 10, 1, |rng, x| {
///     rng.fill_uniform(x, -2.0, 2.0)
/// });
/// assert!(runs.best().unwrap().params[0] < -0.9);
/// ```
///
/// # Panics
/// If the optimizer does not have the objective's dimension.
#[cfg(feature = "alloc")]
pub fn minimize_restarts<F, O, Opt, Smp>(
    objective: &O,
    optimizer: &mut Opt,
    rules: &crate::StopRules,
    restarts: usize,
    seed: u64,
    sampler: Smp,
) -> Restarts<F, Report<F>>
where
    F: Float,
    O: autodiff_runtime::Objective<F> + ?Sized,
    Opt: crate::Optimizer<F> + ?Sized,
    Smp: FnMut(&mut Rng, &mut [F]),
{
    let n = objective.dim();
    let mut grad = alloc::vec![F::zero(); n];
    let lr = optimizer.lr();
    random_restarts(n, restarts, seed, sampler, |_, x| {
        optimizer.reset();
        optimizer.set_lr(lr);
        crate::minimize_in(
            objective,
            x,
            &mut grad,
            optimizer,
            rules,
            &mut crate::NoSchedule,
            &mut crate::NoObserver,
        )
    })
}
