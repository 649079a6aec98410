//! Feature `argmin`: argmin's L-BFGS and Newton-CG (both with the More-Thuente line search) and
//! its trust-region method (Steihaug) minimize generated objectives through
//! `autodiff::argmin::Problem`, and every gradient and Hessian argmin receives is the generated
//! `f::grad` at the same point, bitwise, and the symmetric part of `f::hessian`.
#![cfg(feature = "argmin")]

use std::cell::RefCell;
use std::rc::Rc;

use argmin::core::{
    CostFunction, Executor, Gradient, Hessian, State, TerminationReason, TerminationStatus,
};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::newton::NewtonCG;
use argmin::solver::quasinewton::LBFGS;
use argmin::solver::trustregion::{Steihaug, TrustRegion};
use autodiff::argmin::Problem;
use autodiff::{differentiable, from_fns};

#[differentiable]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

/// Himmelblau's four minima (value 0): (3, 2) exactly, the others to 6 decimals.
const HIMMELBLAU_MINIMA: [[f64; 2]; 4] = [
    [3.0, 2.0],
    [-2.805118, 3.131312],
    [-3.779310, -3.283186],
    [3.584428, -1.848126],
];

/// Everything argmin asked the problem for, in order.
#[derive(Default)]
struct Calls {
    gradients: Vec<(Vec<f64>, Vec<f64>)>,
    hessians: Vec<(Vec<f64>, Vec<Vec<f64>>)>,
}

/// Passes argmin's calls through to `Problem` and records the gradients and Hessians it returns.
struct Recorder<O> {
    inner: Problem<O>,
    calls: Rc<RefCell<Calls>>,
}

impl<O: autodiff::Objective<f64>> CostFunction for Recorder<O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        self.inner.cost(p)
    }
}

impl<O: autodiff::Objective<f64>> Gradient for Recorder<O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        let g = self.inner.gradient(p)?;
        self.calls
            .borrow_mut()
            .gradients
            .push((p.clone(), g.clone()));
        Ok(g)
    }
}

impl<O: autodiff::Objective<f64>> Hessian for Recorder<O> {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, p: &Vec<f64>) -> Result<Vec<Vec<f64>>, argmin::core::Error> {
        let h = self.inner.hessian(p)?;
        self.calls
            .borrow_mut()
            .hessians
            .push((p.clone(), h.clone()));
        Ok(h)
    }
}

fn recorder<O>(objective: O) -> (Recorder<O>, Rc<RefCell<Calls>>) {
    let calls = Rc::new(RefCell::new(Calls::default()));
    let rec = Recorder {
        inner: Problem::new(objective),
        calls: Rc::clone(&calls),
    };
    (rec, calls)
}

/// Which solver to run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Method {
    /// L-BFGS, history 7, More-Thuente line search, gradient tolerance 1e-10.
    Lbfgs,
    /// Newton-CG with the More-Thuente line search, cost-change tolerance 1e-14.
    NewtonCg,
    /// Trust region with Steihaug's CG, run to a cost of 1e-20 (argmin's trust region has no
    /// stopping rule of its own).
    TrustRegion,
}

/// Where a run stopped.
struct Run {
    x: Vec<f64>,
    cost: f64,
    iters: u64,
    calls: Calls,
}

/// Runs `$solver` on `$problem` from `$x0` for at most `$iters` iterations (stopping at a cost
/// of `$target`); evaluates to the best point, cost, iterations and termination status.
macro_rules! execute {
    ($problem:expr, $solver:expr, $x0:expr, $iters:expr, $target:expr) => {{
        let r = Executor::new($problem, $solver)
            .configure(|s| s.param($x0).max_iters($iters).target_cost($target))
            .run()
            .unwrap();
        let s = r.state();
        let x = s.get_best_param().unwrap().clone();
        (
            x,
            s.get_best_cost(),
            s.get_iter(),
            s.get_termination_status().clone(),
        )
    }};
}

/// Runs `method` from `x0` to convergence (panics if it stops for another reason).
fn run<O: autodiff::Objective<f64>>(
    method: Method,
    objective: O,
    x0: Vec<f64>,
    max_iters: u64,
) -> Run {
    let (problem, calls) = recorder(objective);
    let (x, cost, iters, status) = match method {
        Method::Lbfgs => {
            let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
                .with_tolerance_grad(1e-10)
                .unwrap();
            execute!(problem, solver, x0, max_iters, f64::NEG_INFINITY)
        }
        Method::NewtonCg => {
            let solver = NewtonCG::new(MoreThuenteLineSearch::new())
                .with_tolerance(1e-14)
                .unwrap();
            execute!(problem, solver, x0, max_iters, f64::NEG_INFINITY)
        }
        Method::TrustRegion => {
            let solver = TrustRegion::new(Steihaug::new().with_max_iters(20));
            execute!(problem, solver, x0, max_iters, 1e-20)
        }
    };
    let want = if method == Method::TrustRegion {
        TerminationReason::TargetCostReached
    } else {
        TerminationReason::SolverConverged
    };
    assert_eq!(
        status,
        TerminationStatus::Terminated(want),
        "{method:?}: did not converge (iterations {iters})"
    );
    let calls = Rc::try_unwrap(calls).ok().unwrap().into_inner();
    Run {
        x,
        cost,
        iters,
        calls,
    }
}

#[track_caller]
fn assert_near(x: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(x.len(), want.len(), "{what}: length");
    for (i, (a, b)) in x.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= tol,
            "{what}: x[{i}] = {a}, want {b} (tol {tol:e})"
        );
    }
}

/// `h` is exactly symmetric and is the symmetric part of the generated Hessian `want`: entries
/// where `want` is symmetric bitwise, the mean of `want[i][j]` and `want[j][i]` where the two
/// HVP columns differ by rounding (then by at most 4 eps * max |H|).
#[track_caller]
fn assert_symmetric_part(h: &[Vec<f64>], want: &[Vec<f64>], what: &str) {
    let n = want.len();
    let scale = want.iter().flatten().fold(0.0f64, |m, a| m.max(a.abs()));
    assert_eq!(h.len(), n, "{what}: rows");
    for i in 0..n {
        assert_eq!(h[i].len(), n, "{what}: row {i}");
        assert_eq!(h[i][i], want[i][i], "{what}: ({i}, {i})");
        for j in 0..i {
            let (a, b) = (want[i][j], want[j][i]);
            let mean = if a == b { a } else { 0.5 * a + 0.5 * b };
            assert_eq!(h[i][j], mean, "{what}: ({i}, {j})");
            assert_eq!(h[j][i], mean, "{what}: ({j}, {i})");
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * scale,
                "{what}: asymmetry ({i}, {j})"
            );
        }
    }
}

/// Every gradient argmin got is bitwise `rosenbrock::grad`, every Hessian the symmetric part of
/// `rosenbrock::hessian`.
fn check_rosenbrock_calls(calls: &Calls, method: Method) {
    assert!(!calls.gradients.is_empty(), "{method:?}: no gradients");
    for (p, g) in &calls.gradients {
        let (_, want) = rosenbrock::grad(p);
        assert_eq!(g, &want, "{method:?}: gradient at {p:?}");
    }
    for (p, h) in &calls.hessians {
        let (_, _, want) = rosenbrock::hessian(p);
        assert_symmetric_part(h, &want, &format!("{method:?}: Hessian at {p:?}"));
    }
}

/// The classical start (-1.2, 1) for n = 2; zeros for n = 10 (from (-1.2, 1, ...) the
/// 10-dimensional Rosenbrock also has a local minimum near (-1, 1, ..., 1)).
fn rosenbrock_start(n: usize) -> Vec<f64> {
    if n == 2 {
        vec![-1.2, 1.0]
    } else {
        vec![0.0; n]
    }
}

fn check_rosenbrock_run(r: &Run, method: Method, n: usize, tol: f64) {
    let what = format!("{method:?} n = {n}");
    assert_near(&r.x, &vec![1.0; n], tol, &what);
    let (_, g) = rosenbrock::grad(&r.x);
    assert!(g.iter().all(|d| d.abs() <= 1e3 * tol), "{what}: grad {g:?}");
    check_rosenbrock_calls(&r.calls, method);
    assert_eq!(
        r.calls.hessians.is_empty(),
        method == Method::Lbfgs,
        "{what}: Hessians"
    );
    println!(
        "{what}: {} iterations, {} gradients, {} Hessians, cost {:e}",
        r.iters,
        r.calls.gradients.len(),
        r.calls.hessians.len(),
        r.cost
    );
}

#[test]
fn lbfgs_and_trust_region_minimize_rosenbrock_2_and_10() {
    for method in [Method::Lbfgs, Method::TrustRegion] {
        for n in [2, 10] {
            let r = run(method, rosenbrock::objective(n), rosenbrock_start(n), 500);
            assert!(r.cost <= 1e-16, "{method:?} n = {n}: cost {:e}", r.cost);
            check_rosenbrock_run(&r, method, n, 1e-7);
        }
    }
}

/// argmin's Newton-CG converges on Rosenbrock, but slowly (9195 iterations for n = 2, 19333 for
/// n = 10): its inner CG stops after one step (it compares the *squared* residual norm with
/// the forcing tolerance), so each step goes along the negative gradient (checked: the first
/// step is parallel to -g). The Hessians it is given are exact (`rosenbrock::hessian`);
/// the trust-region test above shows the same Hessians giving fast convergence.
#[test]
fn newton_cg_minimizes_rosenbrock_2_and_10() {
    for n in [2, 10] {
        let r = run(
            Method::NewtonCg,
            rosenbrock::objective(n),
            rosenbrock_start(n),
            30_000,
        );
        assert!(r.cost <= 1e-10, "n = {n}: cost {:e}", r.cost);
        check_rosenbrock_run(&r, Method::NewtonCg, n, 1e-4);
        if n == 2 {
            let (x0, x1) = (&r.calls.gradients[0].0, &r.calls.gradients[1].0);
            let g0 = &r.calls.gradients[0].1;
            let cross = (x1[0] - x0[0]) * g0[1] - (x1[1] - x0[1]) * g0[0];
            assert!(
                cross.abs() <= 1e-12 * 300.0,
                "first step not along -g: {cross:e}"
            );
        }
    }
}

#[test]
fn lbfgs_newton_cg_and_trust_region_find_himmelblau_minima() {
    let starts = [
        [0.0, 0.0],
        [-1.0, 1.0],
        [-3.0, -3.0],
        [4.0, -2.0],
        [2.0, 2.5],
    ];
    for method in [Method::Lbfgs, Method::NewtonCg, Method::TrustRegion] {
        for x0 in starts {
            let r = run(method, himmelblau::objective(), x0.to_vec(), 500);
            let x = &r.x;
            let near = HIMMELBLAU_MINIMA
                .iter()
                .find(|m| (x[0] - m[0]).abs() <= 1e-5 && (x[1] - m[1]).abs() <= 1e-5);
            assert!(near.is_some(), "{method:?} from {x0:?}: stopped at {x:?}");
            assert!(r.cost <= 1e-14, "{method:?} from {x0:?}: cost {:e}", r.cost);
            let (_, (gx, gy)) = himmelblau::grad(x[0], x[1]);
            assert!(
                gx.abs().max(gy.abs()) <= 1e-5,
                "{method:?}: grad ({gx}, {gy})"
            );
            for (p, g) in &r.calls.gradients {
                let (_, (gx, gy)) = himmelblau::grad(p[0], p[1]);
                assert_eq!(g, &vec![gx, gy], "{method:?}: gradient at {p:?}");
            }
            assert_eq!(r.calls.hessians.is_empty(), method == Method::Lbfgs);
            for (p, h) in &r.calls.hessians {
                let (_, _, want) = himmelblau::hessian(p[0], p[1]);
                let want = want.map(|r| r.to_vec()).to_vec();
                assert_symmetric_part(h, &want, &format!("{method:?}: Hessian at {p:?}"));
            }
            println!(
                "{method:?} Himmelblau from {x0:?}: {x:?} in {} iterations",
                r.iters
            );
        }
        // From (3.5, 2.5) each reaches the exact minimum (3, 2).
        let r = run(method, himmelblau::objective(), vec![3.5, 2.5], 500);
        assert_near(
            &r.x,
            &[3.0, 2.0],
            1e-8,
            &format!("{method:?} from (3.5, 2.5)"),
        );
    }
}

#[test]
fn hessian_is_symmetrized_from_hvp_columns() {
    // A closure objective whose HVP is not symmetric (H = [[1, 2], [4, 3]]): argmin gets
    // the symmetric part.
    let obj = from_fns(
        2,
        |_: &[f64]| 0.0,
        |_: &[f64], g: &mut [f64]| {
            g.fill(0.0);
            0.0
        },
    )
    .with_hvp(|_: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        g.fill(0.0);
        hv[0] = v[0] + 2.0 * v[1];
        hv[1] = 4.0 * v[0] + 3.0 * v[1];
        0.0
    });
    let h = Problem::new(obj).hessian(&vec![0.0, 0.0]).unwrap();
    assert_eq!(h, vec![vec![1.0, 3.0], vec![3.0, 3.0]]);
    // Dimension 0: an empty Hessian.
    let empty = from_fns(0, |_: &[f64]| 1.0, |_: &[f64], _: &mut [f64]| 1.0)
        .with_hvp(|_: &[f64], _: &[f64], _: &mut [f64], _: &mut [f64]| 1.0);
    assert_eq!(
        Problem::new(empty).hessian(&vec![]).unwrap(),
        Vec::<Vec<f64>>::new()
    );
}

#[test]
fn bad_input_is_an_argmin_error_not_a_panic() {
    let problem = Problem::new(rosenbrock::objective(3));
    let short = vec![1.0, 2.0];
    for err in [
        problem.cost(&short).unwrap_err(),
        problem.gradient(&short).unwrap_err(),
        problem.hessian(&short).unwrap_err(),
    ] {
        assert_eq!(
            err.to_string(),
            "Invalid parameter: \"`autodiff::argmin::Problem`: the parameter vector has length 2, expected the objective's dimension 3\""
        );
    }
    // Through an executor: the run stops with the error.
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 5);
    let err = Executor::new(Problem::new(rosenbrock::objective(3)), solver)
        .configure(|s| s.param(short.clone()).max_iters(10))
        .run()
        .err()
        .expect("the run fails");
    assert!(err.to_string().contains("has length 2, expected"), "{err}");

    // No Hessian-vector product: Newton-CG stops with NotImplemented.
    let no_hvp = from_fns(
        1,
        |x: &[f64]| x[0] * x[0],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            x[0] * x[0]
        },
    );
    let err = Problem::new(&no_hvp).hessian(&vec![1.0]).unwrap_err();
    assert!(err.to_string().starts_with("Not implemented: "), "{err}");
    assert!(
        err.to_string().contains("no Hessian-vector product"),
        "{err}"
    );
    let err = Executor::new(
        Problem::new(&no_hvp),
        NewtonCG::new(MoreThuenteLineSearch::new()),
    )
    .configure(|s| s.param(vec![1.0]).max_iters(10))
    .run()
    .err()
    .expect("the run fails");
    assert!(
        err.to_string().contains("no Hessian-vector product"),
        "{err}"
    );
}

#[test]
fn problem_wraps_and_returns_the_objective() {
    let p = Problem::new(himmelblau::objective());
    assert_eq!(autodiff::Objective::<f64>::dim(p.objective()), 2);
    assert_eq!(p.cost(&vec![3.0, 2.0]).unwrap(), 0.0);
    let obj = p.into_inner();
    assert_eq!(autodiff::Objective::<f64>::value(&obj, &[0.0, 0.0]), 170.0);
}

/// With `nalgebra` too: `Problem::dvector` over `DVector`/`DMatrix`, so argmin's `Newton` (which
/// inverts the Hessian) runs; pure Newton steps converge quadratically.
#[cfg(feature = "nalgebra")]
mod dvector {
    use super::*;
    use argmin::solver::newton::Newton;
    use nalgebra::{DMatrix, DVector};

    /// `iters` Newton steps from `x0`; the final point.
    fn newton<O: autodiff::Objective<f64>>(objective: O, x0: &[f64], iters: u64) -> DVector<f64> {
        let r = Executor::new(Problem::dvector(objective), Newton::<f64>::new())
            .configure(|s| s.param(DVector::from_column_slice(x0)).max_iters(iters))
            .run()
            .unwrap();
        let s = r.state();
        assert_eq!(
            s.get_termination_status(),
            &TerminationStatus::Terminated(TerminationReason::MaxItersReached)
        );
        s.get_param().unwrap().clone()
    }

    #[test]
    fn newton_minimizes_rosenbrock_and_himmelblau() {
        for n in [2, 10] {
            let x = newton(rosenbrock::objective(n), &rosenbrock_start(n), 30);
            assert_near(
                x.as_slice(),
                &vec![1.0; n],
                1e-12,
                &format!("Newton n = {n}"),
            );
        }
        for (x0, want) in [
            ([3.5, 2.5], [3.0, 2.0]),
            ([-3.0, -3.0], HIMMELBLAU_MINIMA[2]),
        ] {
            let x = newton(himmelblau::objective(), &x0, 30);
            assert_near(x.as_slice(), &want, 1e-6, &format!("Newton from {x0:?}"));
            let (_, (gx, gy)) = himmelblau::grad(x[0], x[1]);
            assert!(gx.abs().max(gy.abs()) <= 1e-12, "grad ({gx}, {gy})");
        }
    }

    #[test]
    fn dvector_problem_matches_the_vec_problem() {
        let p = [0.3, -0.7, 1.1, 0.2];
        let (vp, dp) = (
            Problem::new(rosenbrock::objective(4)),
            Problem::dvector(rosenbrock::objective(4)),
        );
        let x = DVector::from_column_slice(&p);
        assert_eq!(dp.cost(&x).unwrap(), vp.cost(&p.to_vec()).unwrap());
        assert_eq!(
            dp.gradient(&x).unwrap().as_slice(),
            vp.gradient(&p.to_vec()).unwrap()
        );
        let h = vp.hessian(&p.to_vec()).unwrap();
        let hm = dp.hessian(&x).unwrap();
        assert_eq!(hm, DMatrix::from_fn(4, 4, |i, j| h[i][j]));
        assert!(dp.cost(&DVector::zeros(3)).is_err());
        assert!(dp.gradient(&DVector::zeros(5)).is_err());
        assert!(dp.hessian(&DVector::zeros(0)).is_err());
        // L-BFGS over DVector parameters, too.
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
            .with_tolerance_grad(1e-10)
            .unwrap();
        let (x, ..) = execute!(
            dp,
            solver,
            DVector::from_element(4, 0.0),
            500,
            f64::NEG_INFINITY
        );
        assert_near(x.as_slice(), &[1.0; 4], 1e-7, "L-BFGS over DVector");
    }
}
