//! [`Observer`]s of the minimizers: closures ([`ObserveFn`]), a history of iterates and losses
//! ([`History`], `alloc`) and progress lines ([`Progress`], `std`) to a writer or the `log` crate.

use autodiff_runtime::Float;

/// Sees every evaluated iterate of the driver's loop, before the stopping rules are checked.
///
/// ```
/// use optim::{minimize, Observer, StopRules};
/// use autodiff_runtime::from_fns;
/// /// Counts the iterates whose gradient is above a threshold.
/// struct Steep(usize);
/// impl Observer<f64> for Steep {
///     fn observe(&mut self, _k: usize, _x: &[f64], _value: f64, grad: &[f64]) {
///         self.0 += usize::from(grad[0].abs() > 1.0);
///     }
/// }
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let (mut x, mut steep) = ([3.0], Steep(0));
/// minimize(&obj, &mut x).stop(StopRules::max_iterations(3)).observer(&mut steep).run().unwrap();
/// assert!(steep.0 >= 1);
/// ```
pub trait Observer<F: Float> {
    /// Iterate `iteration` (0 = the start point) with its loss and gradient.
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]);
}

/// Observes nothing.
///
/// ```
/// use optim::{NoObserver, Observer};
/// // Observing is a no-op; it is what `minimize` uses unless told otherwise.
/// NoObserver.observe(0, &[1.0f64], 1.0, &[0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl<F: Float> Observer<F> for NoObserver {
    fn observe(&mut self, _iteration: usize, _x: &[F], _value: F, _grad: &[F]) {}
}

impl<F: Float, O: Observer<F> + ?Sized> Observer<F> for &mut O {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        (**self).observe(iteration, x, value, grad);
    }
}

/// One evaluated iterate, as a closure observer ([`ObserveFn`], [`crate::Minimize::observe`])
/// sees it.
///
/// ```
/// use optim::{minimize, StopRules};
/// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut x = [1.0];
/// let mut seen = Vec::new();
/// minimize(&obj, &mut x)
///     .stop(StopRules::max_iterations(0))
///     .observe(|it| seen.push((it.iteration, it.x[0], it.value, it.grad[0])))
///     .run()
///     .unwrap();
/// assert_eq!(seen, [(0, 1.0, 1.0, 2.0)]);
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Iterate<'a, F> {
    /// The iteration (0 = the start point).
    pub iteration: usize,
    /// The parameters.
    pub x: &'a [F],
    /// The loss at `x`.
    pub value: F,
    /// The gradient at `x`.
    pub grad: &'a [F],
}

impl<F: Float> Iterate<'_, F> {
    /// The Euclidean norm of the gradient.
    ///
    /// ```
    /// use optim::{Iterate, ObserveFn, Observer};
    /// let mut norms = Vec::new();
    /// let mut obs = ObserveFn(|it: &Iterate<f64>| norms.push(it.grad_norm()));
    /// obs.observe(0, &[1.0, 1.0], 2.0, &[3.0, 4.0]);
    /// assert_eq!(norms, [5.0]);
    /// ```
    pub fn grad_norm(&self) -> f64 {
        crate::GradNorm::L2.of(self.grad)
    }
}

/// A closure as an [`Observer`]: it is called with each [`Iterate`].
///
/// ```
/// use optim::{minimize_in, Iterate, NoSchedule, ObserveFn, SgdConfig, Sgd, StopRules};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut sgd: Sgd<f64, [f64; 1]> = SgdConfig::default().lr(0.25).build(1).unwrap();
/// let (mut x, mut g) = ([4.0], [0.0]);
/// let mut values = [0.0; 3];
/// let mut obs = ObserveFn(|it: &Iterate<f64>| values[it.iteration] = it.value);
/// let rules = StopRules::max_iterations(2);
/// minimize_in(&obj, &mut x, &mut g, &mut sgd, &rules, &mut NoSchedule, &mut obs);
/// assert_eq!(values, [16.0, 4.0, 1.0]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ObserveFn<C>(pub C);

impl<F: Float, C: FnMut(&Iterate<'_, F>)> Observer<F> for ObserveFn<C> {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        (self.0)(&Iterate {
            iteration,
            x,
            value,
            grad,
        });
    }
}

/// Both observers, in order.
impl<F: Float, A: Observer<F>, B: Observer<F>> Observer<F> for (A, B) {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        self.0.observe(iteration, x, value, grad);
        self.1.observe(iteration, x, value, grad);
    }
}

/// Records every iterate and its loss.
///
/// ```
/// use optim::{minimize, History, SgdConfig, StopRules};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let (mut x, mut history) = ([1.0], History::new());
/// let sgd = SgdConfig::default().lr(0.1);
/// let rules = StopRules::max_iterations(2);
/// minimize(&obj, &mut x).with(sgd).stop(rules).observer(&mut history).run().unwrap();
/// assert_eq!(history.iterates.len(), 3); // the start and two steps
/// assert_eq!((history.iterates[0].as_slice(), history.values[0]), (&[1.0][..], 1.0));
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, Default)]
pub struct History<F> {
    /// The iterates, `iterates[k]` after `k` steps.
    pub iterates: alloc::vec::Vec<alloc::vec::Vec<F>>,
    /// The losses at the iterates.
    pub values: alloc::vec::Vec<F>,
}

#[cfg(feature = "alloc")]
impl<F> History<F> {
    /// An empty history.
    ///
    /// ```
    /// let history = optim::History::<f64>::new();
    /// assert!(history.iterates.is_empty() && history.values.is_empty());
    /// ```
    pub fn new() -> Self {
        History {
            iterates: alloc::vec::Vec::new(),
            values: alloc::vec::Vec::new(),
        }
    }
}

#[cfg(feature = "alloc")]
impl<F: Float> Observer<F> for History<F> {
    fn observe(&mut self, _iteration: usize, x: &[F], value: F, _grad: &[F]) {
        self.iterates.push(x.to_vec());
        self.values.push(value);
    }
}

/// Where [`Progress`] sends its lines: any [`std::io::Write`] (stdout, a file, a `Vec<u8>`), or
/// the `log` crate ([`Log`], feature `log`), or a sink of your own. The library itself never
/// prints.
///
/// ```
/// use optim::{Observer, Progress, ProgressSink};
/// struct Count(usize);
/// impl ProgressSink for Count {
///     fn write_line(&mut self, _line: &str) {
///         self.0 += 1;
///     }
/// }
/// let mut progress = Progress::every(10).to(Count(0));
/// for k in 0..25 {
///     progress.observe(k, &[1.0f64], 1.0, &[0.0]);
/// }
/// assert_eq!(progress.into_inner().0, 3); // iterations 0, 10 and 20
/// ```
#[cfg(feature = "std")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a place `Progress` can write to",
    note = "give `Progress` a writer with `.to(std::io::stdout())`, or turn on the feature `log` to send its lines to the `log` crate"
)]
pub trait ProgressSink {
    /// Writes one line (without its newline). Progress output is best-effort: a failed write
    /// is ignored and the run goes on.
    fn write_line(&mut self, line: &str);
}

#[cfg(feature = "std")]
impl<W: std::io::Write> ProgressSink for W {
    fn write_line(&mut self, line: &str) {
        let _ = writeln!(self, "{line}");
    }
}

/// [`Progress`] lines as `log` records: level `Info`, target `optim` (with feature `log`;
/// without it, give `Progress` a writer instead).
///
/// ```
/// use optim::{Log, Progress};
/// // The default sink of `Progress::every`; an observer when the feature `log` is on.
/// let progress: Progress<Log> = Progress::every(100);
/// # let _ = progress;
/// ```
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug, Default)]
pub struct Log;

#[cfg(all(feature = "std", feature = "log"))]
impl ProgressSink for Log {
    fn write_line(&mut self, line: &str) {
        log::info!(target: "optim", "{line}");
    }
}

/// Every `every` iterations, a line with the iteration, loss, gradient norm and iterate
/// ([`Progress::line`]), sent to `W` ([`ProgressSink`]): the `log` crate by default
/// ([`Progress::every`], feature `log`), or a writer ([`Progress::to`]).
///
/// ```
/// use optim::{minimize, Progress, StopRules};
/// let obj = autodiff_runtime::from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let mut x = [3.0];
/// let mut out = Vec::new(); // or std::io::stdout()
/// minimize(&obj, &mut x)
///     .with(optim::SgdConfig::default().lr(0.25))
///     .stop(StopRules::max_iterations(2))
///     .observer(Progress::every(2).to(&mut out))
///     .run()
///     .unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert_eq!(text.lines().count(), 2); // iterations 0 and 2
/// assert!(text.starts_with("iter      0  loss 9.0  |grad| 6e0  x [3.0]"));
/// ```
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug)]
pub struct Progress<W = Log> {
    every: usize,
    out: W,
}

#[cfg(feature = "std")]
impl Progress {
    /// A line every `every` iterations (`every = 0` is treated as 1), to the `log` crate unless
    /// [`Progress::to`] says otherwise.
    ///
    /// ```
    /// use optim::{Observer, Progress};
    /// let mut progress = Progress::every(10).to(Vec::new());
    /// for k in 0..25 {
    ///     progress.observe(k, &[0.0f64], 1.0, &[0.0]);
    /// }
    /// let text = String::from_utf8(progress.into_inner()).unwrap();
    /// assert_eq!(text.lines().count(), 3); // iterations 0, 10 and 20
    /// ```
    pub fn every(every: usize) -> Self {
        Progress {
            every: every.max(1),
            out: Log,
        }
    }

    /// The line for an iterate (without the newline).
    ///
    /// ```
    /// let line = optim::Progress::line(3, &[1.0f64, 2.0], 0.5, &[3.0, 4.0]);
    /// assert_eq!(line, "iter      3  loss 0.5  |grad| 5e0  x [1.0, 2.0]");
    /// ```
    pub fn line<F: Float>(iteration: usize, x: &[F], value: F, grad: &[F]) -> std::string::String {
        let norm = grad
            .iter()
            .map(|g| g.to_f64() * g.to_f64())
            .sum::<f64>()
            .sqrt();
        std::format!("iter {iteration:>6}  loss {value:?}  |grad| {norm:e}  x {x:?}")
    }
}

#[cfg(feature = "std")]
impl<W> Progress<W> {
    /// The same lines, written to `out` instead (`std::io::stdout()`, a file, `&mut Vec<u8>`).
    ///
    /// ```
    /// use optim::{Observer, Progress};
    /// let mut progress = Progress::every(1).to(Vec::new());
    /// progress.observe(7, &[1.0f64], 0.5, &[0.0]);
    /// let text = String::from_utf8(progress.into_inner()).unwrap();
    /// assert_eq!(text, "iter      7  loss 0.5  |grad| 0e0  x [1.0]\n");
    /// ```
    pub fn to<W2: ProgressSink>(self, out: W2) -> Progress<W2> {
        Progress {
            every: self.every,
            out,
        }
    }

    /// Where the lines go (see [`Progress::to`] for an example).
    ///
    /// ```
    /// use optim::{Observer, Progress};
    /// let mut progress = Progress::every(1).to(Vec::new());
    /// progress.observe(0, &[2.0f64], 4.0, &[4.0]);
    /// let bytes: Vec<u8> = progress.into_inner();
    /// assert!(String::from_utf8(bytes).unwrap().contains("loss 4.0"));
    /// ```
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(feature = "std")]
impl<F: Float, W: ProgressSink> Observer<F> for Progress<W> {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        if iteration.is_multiple_of(self.every) {
            self.out
                .write_line(&Progress::line(iteration, x, value, grad));
        }
    }
}
