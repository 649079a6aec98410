//! Fault tests: every method against every fault, as one table. Each run is bounded (iteration
//! limits of [`LIMIT`], and the objective panics past [`MAX_CALLS`] calls so a hang fails fast
//! instead of blocking), must not panic, and must stop for the reason the table states.
//!
//! The "right reason" for each fault, whatever the method:
//!
//! | fault                                    | reason                                         |
//! |------------------------------------------|------------------------------------------------|
//! | NaN/inf value, gradient or HVP after k   | `Diverged`                                     |
//! | NaN start                                | `Diverged` at iteration 0, parameters unchanged|
//! | flat function (zero gradient)            | `Converged(GradNorm)` at iteration 0           |
//! | zero-dimensional problem                 | `Converged(GradNorm)` at iteration 0           |
//! | `max_iterations = 0`                     | `MaxIterations`, no step, one evaluation       |
//! | unbounded below (linear)                 | `Diverged` once the value overflows, else      |
//! |                                          | `MaxIterations` (steps too small to overflow   |
//! |                                          | within the limit); L-BFGS: `LineSearchFailed`  |
//! |                                          | (its search reaches the largest step, 1e20,    |
//! |                                          | still decreasing), parameters at the start     |
//! | non-smooth `|x|`                         | first order, trust region: `MaxIterations`     |
//! |                                          | (oscillating near 0); Newton-CG:               |
//! |                                          | `Converged(StepSize)` within 1e-5 of the kink; |
//! |                                          | L-BFGS: `LineSearchFailed`                     |
//! | lr negative or NaN                       | `OptimError` at construction, no run           |
//! | lr 0                                     | first order: valid in torch, no move:          |
//! |                                          | `MaxIterations`; L-BFGS: `OptimError`          |
//! | lr 1e10 / inf                            | a run that ends `Diverged` or `MaxIterations`  |
//!
//! Newton-CG has no step-length parameter (its line search starts at 1); the trust region's
//! counterpart of the lr is its initial radius, tested in the same table.

mod fault_support;

use fault_support::{run, start, Base, Fault, Faulty, Setup, LIMIT, METHODS, NORMAL};
use optim::{Rule, Status};

/// What a run must give.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// A run that stops for this reason.
    Run(Status),
    /// An `OptimError` at construction: no run, no evaluation.
    Error,
    /// Not applicable (no such parameter): the method runs and stops for this reason.
    Na(Status),
}

use Expect::{Error as E, Na, Run};
use Status::{Diverged as D, LineSearchFailed as Lsf, MaxIterations as Mi};
const GN: Status = Status::Converged(Rule::GradNorm);
const STEP: Status = Status::Converged(Rule::StepSize);

/// One fault: the problem, the fault, the setup, and the reason per method (in the order of
/// [`METHODS`]: Sgd, Adam, AdamW, RmsProp, Adagrad, Adadelta, NAdam, RAdam, Lbfgs, NewtonCg,
/// TrustRegion).
struct Case {
    name: &'static str,
    base: Base,
    fault: Fault,
    /// The fault starts after this many objective calls.
    after: usize,
    /// The start point, if not [`start`]'s.
    x0: Option<[f64; 2]>,
    setup: Setup,
    /// No step may be taken: zero iterations and the parameters unchanged.
    no_step: bool,
    expect: [Expect; 11],
}

const fn case(
    name: &'static str,
    base: Base,
    fault: Fault,
    after: usize,
    expect: [Expect; 11],
) -> Case {
    Case {
        name,
        base,
        fault,
        after,
        x0: None,
        setup: NORMAL,
        no_step: false,
        expect,
    }
}

const fn lr(lr: f64) -> Setup {
    Setup {
        lr: Some(lr),
        max_iterations: LIMIT,
    }
}

const ALL_D: [Expect; 11] = [Run(D); 11];

/// The table. The trust region treats a non-finite trial value as a failed step and shrinks,
/// so a fault that persists ends `Diverged` once the step no longer moves the iterate (27
/// shrinks from radius 1 here), still bounded.
fn cases() -> Vec<Case> {
    let fo = |s: Status| [Run(s); 8];
    let row = |first: [Expect; 8], lbfgs, ncg, tr| {
        let mut r = [Run(D); 11];
        r[..8].copy_from_slice(&first);
        r[8] = lbfgs;
        r[9] = ncg;
        r[10] = tr;
        r
    };
    vec![
        case(
            "NaN value after 3 calls",
            Base::Rosenbrock,
            Fault::NanValue,
            3,
            ALL_D,
        ),
        case(
            "inf value after 3 calls",
            Base::Rosenbrock,
            Fault::InfValue,
            3,
            ALL_D,
        ),
        case(
            "NaN gradient after 3 calls",
            Base::Rosenbrock,
            Fault::NanGrad,
            3,
            ALL_D,
        ),
        case(
            "inf gradient after 3 calls",
            Base::Rosenbrock,
            Fault::InfGrad,
            3,
            ALL_D,
        ),
        // First order and L-BFGS never ask for an HVP: their runs are unaffected.
        case(
            "NaN HVP after 1 call",
            Base::Rosenbrock,
            Fault::NanHvp,
            1,
            row(fo(Mi), Run(GN), Run(D), Run(D)),
        ),
        Case {
            x0: Some([f64::NAN, 1.0]),
            no_step: true,
            ..case("NaN start", Base::Rosenbrock, Fault::None, 0, ALL_D)
        },
        Case {
            no_step: true,
            ..case("flat", Base::Flat, Fault::None, 0, [Run(GN); 11])
        },
        Case {
            no_step: true,
            ..case(
                "zero-dimensional",
                Base::Empty,
                Fault::None,
                0,
                [Run(GN); 11],
            )
        },
        Case {
            setup: Setup {
                lr: None,
                max_iterations: 0,
            },
            no_step: true,
            ..case(
                "max_iterations 0",
                Base::Rosenbrock,
                Fault::None,
                0,
                [Run(Mi); 11],
            )
        },
        // L-BFGS: the strong-Wolfe search reaches its largest step (1e20) still decreasing.
        case(
            "unbounded below",
            Base::Linear,
            Fault::None,
            0,
            row(fo(Mi), Run(Lsf), Run(Mi), Run(Mi)),
        ),
        // |x|: Newton-CG's steepest-descent steps shrink to xtol at the kink; L-BFGS's line
        // search cannot satisfy the curvature condition across it.
        case(
            "non-smooth |x|",
            Base::Abs,
            Fault::None,
            0,
            row(fo(Mi), Run(Lsf), Run(STEP), Run(Mi)),
        ),
        // Started in the linear region: first order crawls at lr; the others reach 0.
        case(
            "Huber from its linear region",
            Base::Huber,
            Fault::None,
            0,
            row(fo(Mi), Run(GN), Run(GN), Run(GN)),
        ),
        // lr 0 is valid in torch (the first-order rules then do not move); L-BFGS needs a
        // positive step, the trust region a positive initial radius.
        Case {
            setup: lr(0.0),
            ..case(
                "lr 0",
                Base::Rosenbrock,
                Fault::None,
                0,
                row(fo(Mi), E, Na(Mi), E),
            )
        },
        Case {
            setup: lr(-1.0),
            ..case(
                "lr -1",
                Base::Rosenbrock,
                Fault::None,
                0,
                row([E; 8], E, Na(Mi), E),
            )
        },
        Case {
            setup: lr(f64::NAN),
            ..case(
                "lr NaN",
                Base::Rosenbrock,
                Fault::None,
                0,
                row([E; 8], E, Na(Mi), E),
            )
        },
        // The trust region's initial radius must stay below its largest radius (1000).
        Case {
            setup: lr(1e10),
            ..case(
                "lr 1e10",
                Base::Rosenbrock,
                Fault::None,
                0,
                [
                    Run(D),
                    Run(Mi),
                    Run(D),
                    Run(Mi),
                    Run(Mi),
                    Run(Mi),
                    Run(Mi),
                    Run(D),
                    Run(GN),
                    Na(Mi),
                    E,
                ],
            )
        },
        Case {
            setup: lr(f64::INFINITY),
            ..case(
                "lr inf",
                Base::Rosenbrock,
                Fault::None,
                0,
                row(fo(D), E, Na(Mi), E),
            )
        },
    ]
}

#[test]
fn every_method_against_every_fault() {
    let mut failures = Vec::new();
    for c in cases() {
        let obj = Faulty::new(c.base, c.fault, c.after);
        for (m, want) in METHODS.into_iter().zip(c.expect) {
            obj.calls.set(0);
            let x0 = c.x0.map_or_else(|| start(c.base), |x| x.to_vec());
            let mut x = x0.clone();
            let got = run(m, &obj, &mut x, c.setup);
            let ok = match (want, got) {
                (Run(s) | Na(s), Ok(o)) => {
                    o.status == s
                        && (!c.no_step
                            || (o.iterations == 0 && obj.calls.get() == 1 && same(&x, &x0)))
                }
                (E, Err(_)) => obj.calls.get() == 0,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{} / {m:?}: expected {want:?}, got {got:?}",
                    c.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Bitwise equality (NaN equals NaN).
fn same(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}
