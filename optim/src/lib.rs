//! Optimizers for objectives built from `#[differentiable]` functions (or any
//! [`autodiff_runtime::Objective`]).
//!
//! # What is here
//!
//! * First-order update rules with exactly PyTorch's (`torch.optim`, 2.x single-tensor path)
//!   semantics and defaults: [`Sgd`], [`Adam`], [`AdamW`], [`RmsProp`], [`Adagrad`],
//!   [`Adadelta`], [`NAdam`], [`RAdam`]. Each is one file; the elementwise pieces they share
//!   (torch's `add_(alpha)`, `addcmul_`, `lerp_`, ...) live in [`transforms`], written with
//!   `mul_add` exactly where torch's CPU kernels use a fused multiply-add, so a step given the
//!   same gradient reproduces torch bit for bit.
//! * Learning-rate schedules ([`schedule`]) with torch's formulas: [`StepLr`], [`MultiStepLr`],
//!   [`ExponentialLr`], [`CosineAnnealingLr`], [`CosineAnnealingWarmRestarts`], [`LinearLr`],
//!   [`PolynomialLr`], [`LambdaLr`], [`OneCycleLr`], [`SequentialLr`] (warm-up, then another),
//!   [`ReduceLrOnPlateau`]; gradient clipping as torch's `clip_grad_norm_` / `clip_grad_value_`
//!   ([`clip_grad_norm`], [`clip_grad_value`]).
//! * One entry point for every method, [`minimize`]: `minimize(&objective, &mut x)
//!   .with(method).stop(rules).observe(|it| ..).run()`, with defaults for each (L-BFGS,
//!   [`StopRules::default`]), the state storage inferred from `x`, and one [`Report`] saying why
//!   it stopped ([`Status`]). Underneath, the first-order driver [`minimize_in`] (no allocation,
//!   caller's buffers) and each solver's own `minimize`.
//! * Quasi-Newton and Newton methods ([`Lbfgs`], [`NewtonCg`], [`TrustRegion`]), minibatch
//!   training ([`minibatch`]), restarts and uncertainties; objectives summed over fixed-size
//!   chunks of a dataset in a fixed order (`chunked`, feature `alloc`).
//!
//! # Features
//!
//! * `std` (default): math through std, the `Progress` observer; implies `alloc`. On x86-64,
//!   the element loops that use fused multiply-adds run a build compiled for FMA when the CPU
//!   has it (detected once at run time; the same bits as the portable build). Without `std`,
//!   or compiled with `-C target-feature=+fma` / `-C target-cpu=native`, there is one build.
//! * `log` (off by default): [`Progress`] lines as `log` records (`Progress::every(k)`);
//!   without it they go to a writer (`Progress::every(k).to(std::io::stdout())`). The library
//!   never prints.
//! * `alloc`: `Vec`-backed state, [`minimize`] on `Vec`s and slices and its default method
//!   (L-BFGS, whose history is a `Vec`), `History`, the allocating conveniences. Without it,
//!   [`minimize`] runs on arrays with an explicit method (`.with(..)`), allocating nothing.
//! * `parallel` (off by default; implies `std`): minibatch gradients accumulated
//!   across threads with rayon, deterministically (module `parallel`).
//! * `mpi` (off by default; implies `std`; needs an MPI library and clang to build):
//!   objectives, minibatch training and restarts across MPI processes with rsmpi, bit for bit
//!   the single-process results (module `mpi`).
//! * `serde` (off by default): `Serialize`/`Deserialize` for every state ([`state`]) and the
//!   config structs (no `std` needed).
//! * `rand_core` (off by default): random draws (minibatch shuffles, restart start points) from
//!   any `rand_core` generator ([`rng::Source`]); [`Rng`] implements `rand_core::Rng`.
//!
//! Without `alloc` the crate is `#![no_std]` and allocation-free: every algorithm runs on
//! fixed-size `[F; N]` state and caller buffers (`optim/tests/no_alloc.rs` checks this with a
//! counting allocator).
//!
//! # State storage (the `no_std` design)
//!
//! Every optimizer is generic over its state storage `S: `[`Storage<F>`]: one `S` per state
//! buffer (moments, momentum buffer, ...), sized at construction from `dim`.
//!
//! * `[F; N]` (const-generic arrays): fixed-size problems, no allocation at all; constructing
//!   with `dim != N` is an [`OptimError::Dimension`] error.
//! * `Vec<F>` (feature `alloc`): sized at run time.
//!
//! ```
//! use optim::{Adam, AdamConfig, Optimizer};
//! // No allocation: state in two `[f64; 2]` arrays inside the optimizer.
//! let mut adam: Adam<f64, [f64; 2]> = AdamConfig::default().lr(0.1).build(2).unwrap();
//! let mut x = [0.0, 0.0];
//! adam.step(&mut x, &[1.0, -2.0]);
//! // Adam's first step moves each coordinate by about `lr` against the gradient's sign.
//! assert!((x[0] + 0.1).abs() < 1e-7 && (x[1] - 0.1).abs() < 1e-7);
//! ```
//!
//! Hyperparameters are `f64`, as torch keeps them in Python floats; they are rounded to `F` where
//! torch's kernels would cast them (so `f32` runs follow torch's float32 runs).
//!
//! # Saving and resuming
//!
//! Every optimizer, schedule, the driver, minibatch runs and the random generator give out their
//! state as plain data and take it back ([`state`], trait [`Stateful`]), as torch's
//! `state_dict()` / `load_state_dict()`: an optimizer's state holds its hyperparameters
//! (`param_group`, with the current lr) and its per-parameter buffers under torch's names. A
//! loaded state is checked (lengths, hyperparameters): a mismatch is a [`StateError`], not a
//! panic. With the `serde` feature all states serialize; a run stopped, saved, loaded in a new
//! process and resumed ([`resume_in`], or [`Minimize::resume`] through [`minimize`], for the
//! first-order methods; `resume_observed` of the solvers, and [`NewtonCg::resume_under`],
//! [`TrustRegion::resume_under`] for their runs through [`minimize`];
//! [`minibatch::train_resume_in`]) takes bit for bit the steps of the run that never stopped.
//!
//! ```
//! use autodiff_runtime::from_fns;
//! use optim::state::{AdamState, DriverState, EpochState, Stateful};
//! use optim::{minimize, Adam, AdamConfig, StepLr, StopRules};
//!
//! let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * x[1] * x[1];
//! let objective = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
//!     g[0] = 2.0 * (x[0] - 1.0);
//!     g[1] = 20.0 * x[1];
//!     f(x)
//! });
//!
//! // 30 steps, then a checkpoint.
//! let mut adam: Adam<f64, Vec<f64>> = AdamConfig::default().lr(0.05).build(2)?;
//! let mut schedule = StepLr::new(10, 0.5)?;
//! let (mut x, mut driver) = (vec![-1.0, 1.0], DriverState::new());
//! minimize(&objective, &mut x)
//!     .with(&mut adam)
//!     .schedule(&mut schedule)
//!     .stop(StopRules::max_iterations(30))
//!     .resume(&mut driver)?;
//! let checkpoint = (adam.state(), schedule.state(), driver, x);
//! #[cfg(feature = "serde")] // to any serde format and back; JSON here
//! let checkpoint: (AdamState<f64, Vec<f64>>, EpochState, DriverState<f64>, Vec<f64>) =
//!     serde_json::from_str(&serde_json::to_string(&checkpoint)?)?;
//!
//! // Later, in another process: rebuild from the checkpoint and run to 100 steps.
//! let (adam_state, schedule_state, mut driver, mut x) = checkpoint;
//! let mut schedule = StepLr::new(10, 0.5)?;
//! schedule.load_state(schedule_state)?;
//! let report = minimize(&objective, &mut x)
//!     .with(Adam::from_state(adam_state)?)
//!     .schedule(schedule)
//!     .stop(StopRules::max_iterations(100))
//!     .resume(&mut driver)?;
//! assert_eq!(report.iterations, 100);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![warn(missing_docs)]
// The one exception is `kernels` (calling the FMA builds of the element loops).
#![deny(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod adadelta;
mod adagrad;
mod adam;
mod adamw;
mod clip;
mod driver;
mod error;
mod kernels;
mod method;
mod minimize;
mod nadam;
mod observer;
mod params;
mod radam;
mod rmsprop;
pub mod schedule;
mod sgd;
pub mod state;
mod storage;
pub mod transforms;

pub use adadelta::{Adadelta, AdadeltaConfig};
pub use adagrad::{Adagrad, AdagradConfig};
pub use adam::{Adam, AdamConfig};
pub use adamw::{AdamW, AdamWConfig};
pub use clip::{clip_grad_norm, clip_grad_norm_with, clip_grad_value, ClipNorm};
pub use driver::{minimize_in, resume_in, GradNorm, Report, Rule, Status, StopRules};
pub use error::OptimError;
#[doc(hidden)]
pub use kernels::force_portable;
pub use method::Method;
pub use minimize::{minimize, DefaultMethod, Minimize};
pub use nadam::{NAdam, NAdamConfig};
#[cfg(feature = "alloc")]
pub use observer::History;
pub use observer::{Iterate, NoObserver, ObserveFn, Observer};
#[cfg(feature = "std")]
pub use observer::{Log, Progress, ProgressSink};
pub use params::Params;
pub use radam::{RAdam, RAdamConfig};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use schedule::{
    Anneal, CosineAnnealingLr, CosineAnnealingWarmRestarts, ExponentialLr, LambdaLr, LinearLr,
    MultiStepLr, NoSchedule, OneCycleLr, PlateauMode, PolynomialLr, ReduceLrOnPlateau, Restart,
    Scheduler, SequentialLr, StepLr, ThresholdMode,
};
pub use sgd::{Sgd, SgdConfig};
pub use state::{StateError, Stateful};
pub use storage::Storage;

/// A primitive float, `f32` or `f64`: what the optimizers compute in.
///
/// ```
/// use optim::{Float, Optimizer, SgdConfig};
/// fn one_step<F: Float>(x: F, g: F) -> F {
///     let mut sgd = SgdConfig::default().lr(0.5).build::<F, [F; 1]>(1).unwrap();
///     let mut p = [x];
///     sgd.step(&mut p, &[g]);
///     p[0]
/// }
/// assert_eq!(one_step(1.0f32, 1.0), 0.5);
/// assert_eq!(one_step(1.0f64, -1.0), 1.5);
/// ```
pub use autodiff_runtime::Float;
/// What the minimizers minimize: a value, its gradient and optionally Hessian-vector products.
/// Generated by `#[differentiable]` (`f::objective(..)`) or built from closures.
///
/// ```
/// use optim::{minimize, Objective, Status, Rule};
/// /// A hand-written objective: f(x) = sum (x_i - i)^2.
/// struct Shifted(usize);
/// impl Objective<f64> for Shifted {
///     fn dim(&self) -> usize {
///         self.0
///     }
///     fn value(&self, x: &[f64]) -> f64 {
///         x.iter().enumerate().map(|(i, v)| (v - i as f64).powi(2)).sum()
///     }
///     fn value_grad(&self, x: &[f64], g: &mut [f64]) -> f64 {
///         for (i, (gi, v)) in g.iter_mut().zip(x).enumerate() {
///             *gi = 2.0 * (v - i as f64);
///         }
///         self.value(x)
///     }
/// }
/// let mut x = [0.0; 3];
/// let report = minimize(&Shifted(3), &mut x).run().unwrap();
/// assert_eq!(report.status, Status::Converged(Rule::GradNorm));
/// assert!((x[2] - 2.0).abs() < 1e-5);
/// ```
pub use autodiff_runtime::Objective;

/// A first-order optimizer: one update of the parameters from a gradient, with its state kept
/// inside.
///
/// A boxed optimizer (`Box<dyn Optimizer<F>>` included) and `&mut` one are optimizers too:
///
/// ```
/// use optim::{minimize, AdamConfig, Optimizer, SgdConfig};
/// let pick = |adam: bool| -> Box<dyn Optimizer<f64>> {
///     if adam {
///         Box::new(AdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap())
///     } else {
///         Box::new(SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap())
///     }
/// };
/// let mut opt = pick(true);
/// let mut x = [1.0];
/// opt.step(&mut x, &[1.0]);
/// assert!((x[0] - 0.9).abs() < 1e-6);
/// ```
pub trait Optimizer<F: Float> {
    /// The number of parameters the state was sized for.
    fn dim(&self) -> usize;
    /// One update of `params` given the gradient `grad` of the loss at `params`.
    ///
    /// # Panics
    /// If `params` or `grad` does not have length [`Optimizer::dim`].
    fn step(&mut self, params: &mut [F], grad: &[F]);
    /// The current learning rate (what schedules change).
    fn lr(&self) -> f64;
    /// Sets the learning rate (used by the schedules).
    fn set_lr(&mut self, lr: f64);
    /// Forgets the state (moments, step count), as a freshly built optimizer.
    fn reset(&mut self);
}

/// `impl Optimizer` for a pointer type `$ptr` to an optimizer `O`, forwarding every method.
macro_rules! forward_optimizer {
    ($ptr:ty) => {
        impl<F: Float, O: Optimizer<F> + ?Sized> Optimizer<F> for $ptr {
            fn dim(&self) -> usize {
                (**self).dim()
            }
            fn step(&mut self, params: &mut [F], grad: &[F]) {
                (**self).step(params, grad);
            }
            fn lr(&self) -> f64 {
                (**self).lr()
            }
            fn set_lr(&mut self, lr: f64) {
                (**self).set_lr(lr);
            }
            fn reset(&mut self) {
                (**self).reset();
            }
        }
    };
}

forward_optimizer!(&mut O);

#[cfg(feature = "alloc")]
forward_optimizer!(alloc::boxed::Box<O>);

/// Checks the slice lengths of a step.
#[inline]
pub(crate) fn check_step(component: &str, dim: usize, params: usize, grad: usize) {
    assert!(
        params == dim && grad == dim,
        "`{component}`: params has length {params} and grad {grad}, expected the dimension {dim}"
    );
}

/// Checks that a solver's iterate and objective have its dimension.
#[inline]
pub(crate) fn check_solver(component: &str, dim: usize, x: usize, objective: usize) {
    assert!(
        x == dim && objective == dim,
        "`{component}`: x ({x}) and the objective ({objective}) must have the solver's dimension {dim}"
    );
}

/// `F` from a hyperparameter (`f64`, as torch's Python floats).
#[inline]
pub(crate) fn c<F: Float>(v: f64) -> F {
    F::from_f64(v)
}

/// Chained setters for a config struct's fields.
macro_rules! setters {
    ($($(#[$m:meta])* $name:ident: $t:ty;)*) => {
        $(
            $(#[$m])*
            #[must_use]
            pub fn $name(mut self, $name: $t) -> Self {
                self.$name = $name;
                self
            }
        )*
    };
}
pub(crate) use setters;

/// Validation helper: `Err` naming the component unless `ok`.
#[inline]
pub(crate) fn ensure(
    ok: bool,
    component: &'static str,
    message: &'static str,
) -> Result<(), OptimError> {
    if ok {
        Ok(())
    } else {
        Err(OptimError::InvalidHyperparameter { component, message })
    }
}

/// `f64` power through the crate's math backend (std or libm), as Python's `**` on floats.
#[inline]
pub(crate) fn powf(x: f64, y: f64) -> f64 {
    autodiff_runtime::Scalar::powf(x, y)
}

// --- quasi-Newton and Newton-CG ---
pub mod lbfgs;
pub mod line_search;
pub mod newton;
pub use lbfgs::{Lbfgs, LbfgsConfig};
pub use line_search::LineSearchError;
#[allow(deprecated)]
pub use line_search::SolverReport;
pub use newton::{newton_cg, trust_region};
pub use newton::{NewtonCg, NewtonCgConfig, TrustRegion, TrustRegionConfig};

// --- datasets, restarts, uncertainties ---
#[cfg(feature = "alloc")]
pub mod chunked;
pub mod minibatch;
#[cfg(feature = "mpi")]
pub mod mpi;
#[cfg(feature = "parallel")]
pub mod parallel;
pub mod restarts;
pub mod rng;
pub mod uncertainty;
#[cfg(feature = "alloc")]
pub use minibatch::{train, Training};
pub use minibatch::{train_in, MinibatchConfig, Reduction, TrainReport, TrainStatus};
#[cfg(feature = "parallel")]
pub use parallel::{train_par, train_par_in};
#[cfg(feature = "alloc")]
pub use restarts::{
    minimize_restarts, random_restarts, random_restarts_with, RestartRun, Restarts,
};
pub use restarts::{restarts_in, restarts_with_in, Best, Scored};
pub use rng::Rng;
#[cfg(feature = "alloc")]
pub use uncertainty::{hesse, hesse_objective, Uncertainties};
pub use uncertainty::{hesse_in, hesse_objective_in, UncertaintyError};
