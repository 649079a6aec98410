//! [`Method`]: what [`crate::minimize`] can run. Every first-order optimizer (its config, built
//! with the inferred storage, or an optimizer built beforehand, boxed or borrowed), L-BFGS,
//! Newton-CG and the trust region (each as its config, or a solver built beforehand, owned or
//! borrowed).
//!
//! A first-order method runs the driver ([`crate::minimize_in`]); L-BFGS its
//! [`Lbfgs::minimize_observed`]; Newton-CG and the trust region their loops under the caller's
//! [`StopRules`] merged with the config's own (the smaller iteration limit applies when the
//! config sets one; the config's gradient rule applies when the caller sets none; Newton-CG's
//! `xtol` and the trust region's `gtol` stay). Only first-order methods take a learning-rate
//! schedule.

use autodiff_runtime::{Float, Objective};

use crate::state::DriverState;
use crate::{
    resume_in, AdadeltaConfig, AdagradConfig, AdamConfig, AdamWConfig, Lbfgs, NAdamConfig,
    NewtonCg, NewtonCgConfig, NoSchedule, Observer, OptimError, Optimizer, RAdamConfig, Report,
    RmsPropConfig, Scheduler, SgdConfig, StopRules, Storage, TrustRegion, TrustRegionConfig,
};

use crate::lbfgs::LbfgsHistory;
#[cfg(feature = "alloc")]
use crate::LbfgsConfig;

/// A minimization method [`crate::minimize`] can run with state storage `S` (inferred from the
/// parameters) and learning-rate schedule `Sch` (first-order methods only). The configs and
/// solvers of this crate are methods on `f32` and `f64` parameters; any [`Optimizer`] (yours
/// too) on any [`Float`].
///
/// ```
/// use optim::{minimize, Optimizer, SgdConfig, Status, StopRules};
/// use autodiff_runtime::from_fns;
/// let obj = from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * x[0];
///     x[0] * x[0]
/// });
/// let rules = StopRules::max_iterations(50);
/// // A config, built with the parameters' storage...
/// let mut x = vec![1.0];
/// let report = minimize(&obj, &mut x).with(SgdConfig::default().lr(0.1)).stop(rules).run();
/// // ...or an optimizer built beforehand, here boxed: the same run.
/// let sgd = SgdConfig::default().lr(0.1).build::<f64, Vec<f64>>(1).unwrap();
/// let boxed: Box<dyn Optimizer<f64>> = Box::new(sgd);
/// let mut y = vec![1.0];
/// let again = minimize(&obj, &mut y).with(boxed).stop(rules).run();
/// assert_eq!((report.unwrap(), x), (again.unwrap(), y));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a method `minimize` can run on `{F}` parameters with schedule `{Sch}`",
    label = "not a `Method<{F}, {S}, {Sch}>`",
    note = "methods: first-order configs and optimizers (the only ones that take a schedule), `LbfgsConfig` (feature `alloc`), `Lbfgs`, `NewtonCgConfig`, `NewtonCg`, `TrustRegionConfig`, `TrustRegion`"
)]
pub trait Method<F: Float, S: Storage<F>, Sch = NoSchedule> {
    /// Minimizes `objective` from `x` (its length already checked to be the objective's
    /// dimension) under `rules`, showing `observer` every evaluated iterate.
    ///
    /// # Errors
    /// Invalid hyperparameters, an optimizer or fixed-size storage of another dimension, an
    /// objective without the Hessian-vector product a Newton method needs.
    fn run<O, Obs>(
        self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        schedule: &mut Sch,
        observer: &mut Obs,
    ) -> Result<Report<F>, OptimError>
    where
        O: Objective<F> + ?Sized,
        Obs: Observer<F> + ?Sized;
}

/// `Ok` if `len` is the objective's dimension `dim`.
fn check_len(what: &'static str, len: usize, dim: usize) -> Result<(), OptimError> {
    if len == dim {
        Ok(())
    } else {
        Err(OptimError::Length {
            component: "minimize",
            what,
            len,
            dim,
        })
    }
}

/// Any first-order optimizer (also `Box<dyn Optimizer<F>>` and `&mut O`): the driver's loop.
impl<F, S, Sch, Opt> Method<F, S, Sch> for Opt
where
    F: Float,
    S: Storage<F>,
    Sch: Scheduler,
    Opt: Optimizer<F>,
{
    fn run<O, Obs>(
        self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        schedule: &mut Sch,
        observer: &mut Obs,
    ) -> Result<Report<F>, OptimError>
    where
        O: Objective<F> + ?Sized,
        Obs: Observer<F> + ?Sized,
    {
        let driver = &mut DriverState::new();
        first_order::<F, S, Sch, _, _, _>(self, objective, x, rules, schedule, observer, driver)
    }
}

/// The driver's loop with `optimizer` and a gradient buffer in `S`, from where `driver` stands
/// ([`DriverState::new`]: from the start), which it updates.
pub(crate) fn first_order<F, S, Sch, Opt, O, Obs>(
    mut optimizer: Opt,
    objective: &O,
    x: &mut [F],
    rules: &StopRules,
    schedule: &mut Sch,
    observer: &mut Obs,
    driver: &mut DriverState<F>,
) -> Result<Report<F>, OptimError>
where
    F: Float,
    S: Storage<F>,
    Sch: Scheduler,
    Opt: Optimizer<F>,
    O: Objective<F> + ?Sized,
    Obs: Observer<F> + ?Sized,
{
    let n = x.len();
    check_len("the optimizer", optimizer.dim(), n)?;
    let mut grad = S::filled("minimize", n, F::zero())?;
    let (grad, opt) = (grad.as_mut(), &mut optimizer);
    Ok(resume_in(
        objective, x, grad, opt, rules, schedule, observer, driver,
    ))
}

/// A second-order or quasi-Newton solver built beforehand: its dimension, and its run under the
/// caller's rules.
trait Solver<F: Float> {
    fn dim(&self) -> usize;
    fn solve<O, Obs>(
        &mut self,
        objective: &O,
        x: &mut [F],
        rules: &StopRules,
        observer: &mut Obs,
    ) -> Result<Report<F>, OptimError>
    where
        O: Objective<F> + ?Sized,
        Obs: Observer<F> + ?Sized;
}

/// [`Lbfgs::minimize_observed`].
impl<F: Float, S: Storage<F>, H: LbfgsHistory<F, S>> Solver<F> for Lbfgs<F, S, H> {
    fn dim(&self) -> usize {
        Lbfgs::dim(self)
    }
    fn solve<O, Obs>(
        &mut self,
        o: &O,
        x: &mut [F],
        r: &StopRules,
        obs: &mut Obs,
    ) -> Result<Report<F>, OptimError>
    where
        O: Objective<F> + ?Sized,
        Obs: Observer<F> + ?Sized,
    {
        Ok(self.minimize_observed(o, x, r, obs))
    }
}

/// Newton-CG under the rules merged with its config's.
impl<F: Float, S: Storage<F>> Solver<F> for NewtonCg<F, S> {
    fn dim(&self) -> usize {
        NewtonCg::dim(self)
    }
    fn solve<O, Obs>(
        &mut self,
        o: &O,
        x: &mut [F],
        r: &StopRules,
        obs: &mut Obs,
    ) -> Result<Report<F>, OptimError>
    where
        O: Objective<F> + ?Sized,
        Obs: Observer<F> + ?Sized,
    {
        let rules = self.config().merged(r);
        Ok(self.run(o, x, &rules, obs)?)
    }
}

/// The trust region under the rules merged with its config's.
impl<F: Float, S: Storage<F>> Solver<F> for TrustRegion<F, S> {
    fn dim(&self) -> usize {
        TrustRegion::dim(self)
    }
    fn solve<O, Obs>(
        &mut self,
        o: &O,
        x: &mut [F],
        r: &StopRules,
        obs: &mut Obs,
    ) -> Result<Report<F>, OptimError>
    where
        O: Objective<F> + ?Sized,
        Obs: Observer<F> + ?Sized,
    {
        let rules = self.config().merged(r);
        Ok(self.run(o, x, &rules, obs)?)
    }
}

/// `solver` on `objective` from `x`, once its dimension is checked.
fn solve<F, Sv, O, Obs>(
    solver: &mut Sv,
    objective: &O,
    x: &mut [F],
    rules: &StopRules,
    observer: &mut Obs,
) -> Result<Report<F>, OptimError>
where
    F: Float,
    Sv: Solver<F>,
    O: Objective<F> + ?Sized,
    Obs: Observer<F> + ?Sized,
{
    check_len("the optimizer", solver.dim(), x.len())?;
    solver.solve(objective, x, rules, observer)
}

/// `impl<$g> Method<$f, S, $sch> for $ty`, whose `run` is `$body` with `$s` (`&mut self`),
/// `$o`, `$x`, `$r`, `$sc` and `$obs` the arguments.
macro_rules! method {
    ($f:ty, [$($g:tt)*], $ty:ty, $sch:ty,
     |$s:ident, $o:ident, $x:ident, $r:ident, $sc:ident, $obs:ident| $body:expr) => {
        impl<$($g)*> Method<$f, S, $sch> for $ty {
            #[allow(unused_mut, unused_variables)]
            fn run<O, Obs>(
                mut self,
                $o: &O,
                $x: &mut [$f],
                $r: &StopRules,
                $sc: &mut $sch,
                $obs: &mut Obs,
            ) -> Result<Report<$f>, OptimError>
            where
                O: Objective<$f> + ?Sized,
                Obs: Observer<$f> + ?Sized,
            {
                let $s = &mut self;
                $body
            }
        }
    };
}

/// A first-order config: built with the parameters' storage `S`, then the driver's loop.
macro_rules! config {
    ($f:ty, $($config:ty),*) => {$(
        method!($f, [S: Storage<$f>, Sch: Scheduler], $config, Sch, |c, o, x, r, sc, obs| {
            let (opt, driver) = (c.build::<$f, S>(x.len())?, &mut DriverState::new());
            first_order::<$f, S, Sch, _, _, _>(opt, o, x, r, sc, obs, driver)
        });
    )*};
}

/// The impls per float type. Concrete `f32`/`f64` (not generic `F`) so that they provably do not
/// overlap the blanket impl for optimizers: no other crate can implement `Optimizer<f64>` for
/// these types, while `Optimizer<TheirFloat>` would be allowed.
macro_rules! methods_for {
    ($($f:ty),*) => {$(
        config!($f, SgdConfig, AdamConfig, AdamWConfig, RmsPropConfig, AdagradConfig,
            AdadeltaConfig, NAdamConfig, RAdamConfig);
        // L-BFGS: the history in a `Vec` of `S` (its size is a run-time setting).
        #[cfg(feature = "alloc")]
        method!($f, [S: Storage<$f> + Clone], LbfgsConfig, NoSchedule, |c, o, x, r, sc, obs| {
            let mut solver: Lbfgs<$f, S, alloc::vec::Vec<S>> = c.build(x.len())?;
            solve(&mut solver, o, x, r, obs)
        });
        method!($f, [S: Storage<$f>, S2: Storage<$f>, H: LbfgsHistory<$f, S2>], Lbfgs<$f, S2, H>,
            NoSchedule, |s, o, x, r, sc, obs| solve(s, o, x, r, obs));
        method!($f, ['a, S: Storage<$f>, S2: Storage<$f>, H: LbfgsHistory<$f, S2>],
            &'a mut Lbfgs<$f, S2, H>, NoSchedule, |s, o, x, r, sc, obs| solve(&mut **s, o, x, r, obs));
        // Newton-CG and the trust region.
        method!($f, [S: Storage<$f>], NewtonCgConfig, NoSchedule, |c, o, x, r, sc, obs| {
            solve(&mut c.build::<$f, S>(x.len())?, o, x, r, obs)
        });
        method!($f, [S: Storage<$f>, S2: Storage<$f>], NewtonCg<$f, S2>, NoSchedule,
            |s, o, x, r, sc, obs| solve(s, o, x, r, obs));
        method!($f, ['a, S: Storage<$f>, S2: Storage<$f>], &'a mut NewtonCg<$f, S2>, NoSchedule,
            |s, o, x, r, sc, obs| solve(&mut **s, o, x, r, obs));
        method!($f, [S: Storage<$f>], TrustRegionConfig, NoSchedule, |c, o, x, r, sc, obs| {
            solve(&mut c.build::<$f, S>(x.len())?, o, x, r, obs)
        });
        method!($f, [S: Storage<$f>, S2: Storage<$f>], TrustRegion<$f, S2>, NoSchedule,
            |s, o, x, r, sc, obs| solve(s, o, x, r, obs));
        method!($f, ['a, S: Storage<$f>, S2: Storage<$f>], &'a mut TrustRegion<$f, S2>,
            NoSchedule, |s, o, x, r, sc, obs| solve(&mut **s, o, x, r, obs));
    )*};
}

methods_for!(f32, f64);
