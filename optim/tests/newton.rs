//! Newton-CG, trust-region Newton-CG and L-BFGS against scipy (`tests/data/newton_cg.json`,
//! copied verbatim from `shared/oracle/data`) and torch's LBFGS (`optimizer_trajectories.json`):
//! Rosenbrock n = 2, 10, 100 and notebook 004's least squares (240 unknowns), with derivatives
//! and exact Hessian-vector products written by hand; plus the failure exits.

use std::sync::OnceLock;

use autodiff_runtime::{from_fns, Objective};
use optim::line_search::{LineFunction, LineSearchError, MoreThuente, Zoom};
use optim::{
    GradNorm, Lbfgs, LbfgsConfig, NewtonCg, NewtonCgConfig, Report, Rule, Status, StopRules,
    TrustRegion, TrustRegionConfig,
};
use serde_json::Value;

fn oracle() -> &'static Value {
    static DATA: OnceLock<Value> = OnceLock::new();
    DATA.get_or_init(|| serde_json::from_str(include_str!("data/newton_cg.json")).unwrap())
}

fn trajectories() -> &'static Value {
    static DATA: OnceLock<Value> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("data/optimizer_trajectories.json")).unwrap()
    })
}

fn vecf(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn problem(id: &str) -> &'static Value {
    oracle()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
}

/// scipy's run with this label and derivative source.
fn scipy_run(id: &str, label: &str, source: &str) -> &'static Value {
    problem(id)["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label && r["derivative_source"] == source)
        .unwrap()
}

// ---------------------------------------------------------------- Rosenbrock (scipy's formulas)

fn rosen(x: &[f64]) -> f64 {
    (0..x.len() - 1)
        .map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2))
        .sum()
}

/// scipy's `rosen_der`.
fn rosen_der(x: &[f64], g: &mut [f64]) -> f64 {
    let n = x.len();
    for i in 1..n - 1 {
        g[i] = 200.0 * (x[i] - x[i - 1] * x[i - 1])
            - 400.0 * (x[i + 1] - x[i] * x[i]) * x[i]
            - 2.0 * (1.0 - x[i]);
    }
    g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
    g[n - 1] = 200.0 * (x[n - 1] - x[n - 2] * x[n - 2]);
    rosen(x)
}

/// scipy's `rosen_hess_prod`.
fn rosen_hvp(x: &[f64], p: &[f64], g: &mut [f64], hp: &mut [f64]) -> f64 {
    let n = x.len();
    hp[0] = (1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0) * p[0] - 400.0 * x[0] * p[1];
    for i in 1..n - 1 {
        hp[i] = -400.0 * x[i - 1] * p[i - 1]
            + (202.0 + 1200.0 * x[i] * x[i] - 400.0 * x[i + 1]) * p[i]
            - 400.0 * x[i] * p[i + 1];
    }
    hp[n - 1] = -400.0 * x[n - 2] * p[n - 2] + 200.0 * p[n - 1];
    rosen_der(x, g)
}

fn rosenbrock(n: usize) -> impl Objective<f64> {
    from_fns(n, rosen, rosen_der).with_hvp(rosen_hvp)
}

fn rosen_x0(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}

// ---------------------------------------------------------------- lsq15 (notebook 004)

const D: usize = 15;

struct Lsq {
    x: Vec<[f64; D]>,
    y: Vec<[f64; D]>,
}

fn rows(v: &Value) -> Vec<[f64; D]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| vecf(r).try_into().unwrap())
        .collect()
}

fn lsq() -> &'static Lsq {
    static DATA: OnceLock<Lsq> = OnceLock::new();
    DATA.get_or_init(|| {
        let data = &problem("lsq15")["data"];
        Lsq {
            x: rows(&data["x"]),
            y: rows(&data["y"]),
        }
    })
}

impl Lsq {
    /// `x @ A + b` for `theta = [A row-major, b]` (or its directional change for a direction).
    fn affine(&self, theta: &[f64], i: usize, j: usize, with_b: bool) -> f64 {
        let mut s = if with_b { theta[D * D + j] } else { 0.0 };
        for k in 0..D {
            s += self.x[i][k] * theta[k * D + j];
        }
        s
    }
    fn value(&self, theta: &[f64]) -> f64 {
        let mut f = 0.0;
        for i in 0..self.x.len() {
            for j in 0..D {
                let r = self.affine(theta, i, j, true) - self.y[i][j];
                f += r * r;
            }
        }
        f
    }
    /// Adds `2 X^T R` and `2 sum_i R` (R given per row) into `out`.
    fn back(&self, res: &[[f64; D]], out: &mut [f64]) {
        out.fill(0.0);
        for (i, r) in res.iter().enumerate() {
            for j in 0..D {
                for k in 0..D {
                    out[k * D + j] += 2.0 * self.x[i][k] * r[j];
                }
                out[D * D + j] += 2.0 * r[j];
            }
        }
    }
    fn value_grad(&self, theta: &[f64], g: &mut [f64]) -> f64 {
        let res: Vec<[f64; D]> = (0..self.x.len())
            .map(|i| core::array::from_fn(|j| self.affine(theta, i, j, true) - self.y[i][j]))
            .collect();
        self.back(&res, g);
        res.iter().flatten().map(|r| r * r).sum()
    }
    fn hvp(&self, theta: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]) -> f64 {
        let dres: Vec<[f64; D]> = (0..self.x.len())
            .map(|i| core::array::from_fn(|j| self.affine(v, i, j, true)))
            .collect();
        self.back(&dres, hv);
        self.value_grad(theta, g)
    }
}

fn lsq_objective() -> impl Objective<f64> {
    let l = lsq();
    from_fns(
        D * D + D,
        |t: &[f64]| l.value(t),
        |t: &[f64], g: &mut [f64]| l.value_grad(t, g),
    )
    .with_hvp(|t: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| l.hvp(t, v, g, hv))
}

const LSQ_MIN: f64 = 12.12743248434258;

#[test]
fn lsq_derivatives_match_finite_differences_and_oracle() {
    let p = problem("lsq15");
    let theta0 = vecf(&p["data"]["theta0"]);
    let obj = lsq_objective();
    let f0 = obj.value(&theta0);
    assert!((f0 - p["f_theta0"].as_f64().unwrap()).abs() <= 1e-9 * f0);
    assert!((p["closed_form_minimum"]["fun"].as_f64().unwrap() - LSQ_MIN).abs() < 1e-12);
    let n = theta0.len();
    let mut g = vec![0.0; n];
    obj.value_grad(&theta0, &mut g);
    let v: Vec<f64> = (0..n).map(|i| ((i * 7 % 13) as f64 - 6.0) / 6.0).collect();
    let h = 1e-6;
    let plus: Vec<f64> = theta0.iter().zip(&v).map(|(a, b)| a + h * b).collect();
    let minus: Vec<f64> = theta0.iter().zip(&v).map(|(a, b)| a - h * b).collect();
    let fd = (obj.value(&plus) - obj.value(&minus)) / (2.0 * h);
    let gv: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!((fd - gv).abs() <= 1e-6 * gv.abs().max(1.0), "{fd} vs {gv}");
    // The HVP is exact for a quadratic: H v = g(theta + v) - g(theta).
    let (mut gp, mut hv, mut scratch) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let shifted: Vec<f64> = theta0.iter().zip(&v).map(|(a, b)| a + b).collect();
    obj.value_grad(&shifted, &mut gp);
    obj.hvp(&theta0, &v, &mut scratch, &mut hv).unwrap();
    for i in 0..n {
        assert!((hv[i] - (gp[i] - g[i])).abs() <= 1e-8 * hv[i].abs().max(1.0));
    }
}

// ---------------------------------------------------------------- Newton-CG vs scipy

fn newton(obj: &impl Objective<f64>, x: &mut [f64]) -> Report<f64> {
    let mut solver: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default().build(x.len()).unwrap();
    solver.minimize(obj, x).unwrap()
}

fn max_dev(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn check_against_scipy(n: usize) {
    let run = scipy_run(&format!("rosenbrock_n{n}"), "Newton-CG+hessp", "scipy");
    let res = &run["result"];
    let mut x = rosen_x0(n);
    let r = newton(&rosenbrock(n), &mut x);
    let (nit, nhev) = (
        res["nit"].as_u64().unwrap() as usize,
        res["nhev"].as_u64().unwrap() as usize,
    );
    println!(
        "Newton-CG rosenbrock n={n}: nit {} (scipy {nit}), nfev {} (scipy {}), nhev {} (scipy {nhev}), fun {:e} (scipy {:e})",
        r.iterations,
        r.value_evals,
        res["nfev"],
        r.hvp_evals,
        r.value,
        res["fun"].as_f64().unwrap()
    );
    assert_eq!(r.status, Status::Converged(Rule::StepSize));
    assert!(r.iterations <= nit, "nit {} > scipy {nit}", r.iterations);
    assert!(r.hvp_evals <= nhev, "nhev {} > scipy {nhev}", r.hvp_evals);
    let xs = vecf(&res["x"]);
    assert!(max_dev(&x, &xs) <= 1e-6, "x {x:?} vs scipy {xs:?}");
    assert!((r.value - res["fun"].as_f64().unwrap()).abs() <= 1e-9);
}

#[test]
fn newton_cg_rosenbrock_2_matches_scipy() {
    check_against_scipy(2);
}

#[test]
fn newton_cg_rosenbrock_10_matches_scipy() {
    check_against_scipy(10);
}

#[test]
fn newton_cg_rosenbrock_100_converges_like_scipy() {
    let mut x = rosen_x0(100);
    let r = newton(&rosenbrock(100), &mut x);
    let res = &scipy_run("rosenbrock_n100", "Newton-CG+hessp", "scipy")["result"];
    println!(
        "Newton-CG rosenbrock n=100: nit {} (scipy 220/216), nfev {} (scipy {}), nhev {} (scipy {}), fun {:e}",
        r.iterations, r.value_evals, res["nfev"], r.hvp_evals, res["nhev"], r.value
    );
    assert_eq!(r.status, Status::Converged(Rule::StepSize));
    assert!(r.iterations <= 220);
    assert!(x.iter().all(|v| (v - 1.0).abs() < 0.06), "{x:?}");
    assert!(r.value < 1e-3);
}

#[test]
fn newton_cg_lsq15_reaches_the_closed_form_minimum() {
    let p = problem("lsq15");
    let mut theta = vecf(&p["data"]["theta0"]);
    let r = newton(&lsq_objective(), &mut theta);
    let res = &scipy_run("lsq15", "Newton-CG+hessp", "autograd")["result"];
    println!(
        "Newton-CG lsq15: nit {} (scipy {}), nfev {} (scipy {}), nhev {} (scipy {}), fun {}",
        r.iterations, res["nit"], r.value_evals, res["nfev"], r.hvp_evals, res["nhev"], r.value
    );
    assert_eq!(r.status, Status::Converged(Rule::StepSize));
    assert!(r.iterations <= 15);
    assert!(r.hvp_evals <= res["nhev"].as_u64().unwrap() as usize);
    assert!((r.value - LSQ_MIN).abs() <= 1e-8 * LSQ_MIN, "{}", r.value);
    let closed = vecf(&p["closed_form_minimum"]["theta"]);
    assert!(max_dev(&theta, &closed) < 1e-5);
}

#[test]
fn newton_cg_fixed_storage_without_allocation() {
    let mut solver: NewtonCg<f64, [f64; 2]> = NewtonCgConfig::default().build(2).unwrap();
    let mut x = [-1.2, 1.0];
    let r = solver.minimize(&rosenbrock(2), &mut x).unwrap();
    assert_eq!(r.status, Status::Converged(Rule::StepSize));
    assert!(max_dev(&x, &[1.0, 1.0]) < 1e-4);
    assert!(NewtonCgConfig::default().build::<f64, [f64; 3]>(2).is_err());
}

// ---------------------------------------------------------------- trust-region Newton-CG

fn trust(obj: &impl Objective<f64>, x: &mut [f64], gtol: f64) -> Report<f64> {
    let mut solver: TrustRegion<f64, Vec<f64>> = TrustRegionConfig::default()
        .gtol(gtol)
        .build(x.len())
        .unwrap();
    solver.minimize(obj, x).unwrap()
}

#[test]
fn trust_region_converges_on_rosenbrock() {
    for n in [2, 10, 100] {
        let mut x = rosen_x0(n);
        let r = trust(&rosenbrock(n), &mut x, 1e-8);
        println!(
            "trust-ncg rosenbrock n={n}: nit {}, nfev {}, nhev {}, fun {:e}",
            r.iterations, r.value_evals, r.hvp_evals, r.value
        );
        assert_eq!(r.status, Status::Converged(Rule::GradNorm), "n = {n}");
        assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-6), "n = {n}: {x:?}");
    }
}

#[test]
fn trust_region_converges_on_lsq15() {
    let mut theta = vecf(&problem("lsq15")["data"]["theta0"]);
    let r = trust(&lsq_objective(), &mut theta, 1e-6);
    println!(
        "trust-ncg lsq15: nit {}, nfev {}, nhev {}, fun {}",
        r.iterations, r.value_evals, r.hvp_evals, r.value
    );
    assert_eq!(r.status, Status::Converged(Rule::GradNorm));
    assert!((r.value - LSQ_MIN).abs() <= 1e-8 * LSQ_MIN, "{}", r.value);
}

// ---------------------------------------------------------------- L-BFGS (full minimizer)

fn lbfgs_rules(tol: f64) -> StopRules {
    StopRules::max_iterations(5000).grad_norm(GradNorm::L2, tol)
}

#[test]
fn lbfgs_converges_on_rosenbrock_and_lsq15() {
    for n in [2, 10, 100] {
        let mut x = rosen_x0(n);
        let mut opt: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> =
            LbfgsConfig::default().history_size(10).build(n).unwrap();
        let r = opt.minimize(&rosenbrock(n), &mut x, &lbfgs_rules(1e-8));
        let res = &scipy_run(&format!("rosenbrock_n{n}"), "L-BFGS-B", "scipy")["result"];
        println!(
            "L-BFGS rosenbrock n={n}: nit {} (scipy L-BFGS-B {}), nfev {} (scipy {}), fun {:e}",
            r.iterations, res["nit"], r.value_evals, res["nfev"], r.value
        );
        assert_eq!(r.status, Status::Converged(Rule::GradNorm), "n = {n}");
        assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-6), "n = {n}");
    }
    let mut theta = vecf(&problem("lsq15")["data"]["theta0"]);
    let mut opt: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = LbfgsConfig::default()
        .history_size(10)
        .build(theta.len())
        .unwrap();
    let r = opt.minimize(&lsq_objective(), &mut theta, &lbfgs_rules(1e-4));
    println!(
        "L-BFGS lsq15: nit {} (scipy L-BFGS-B 465), nfev {}, fun {}",
        r.iterations, r.value_evals, r.value
    );
    assert_eq!(r.status, Status::Converged(Rule::GradNorm));
    assert!((r.value - LSQ_MIN).abs() <= 1e-8 * LSQ_MIN, "{}", r.value);
}

#[test]
fn lbfgs_fixed_size_history() {
    let mut opt: Lbfgs<f64, [f64; 2], [[f64; 2]; 5]> =
        LbfgsConfig::default().history_size(5).build(2).unwrap();
    let mut x = [-1.2, 1.0];
    let r = opt.minimize(&rosenbrock(2), &mut x, &lbfgs_rules(1e-10));
    assert_eq!(r.status, Status::Converged(Rule::GradNorm));
    assert!(max_dev(&x, &[1.0, 1.0]) < 1e-8);
    assert_eq!(opt.history_len(), 5);
    // The history size must be the array's.
    assert!(LbfgsConfig::default()
        .build::<f64, [f64; 2], [[f64; 2]; 5]>(2)
        .is_err());
    assert!(LbfgsConfig::default()
        .history_size(0)
        .build::<f64, Vec<f64>, Vec<Vec<f64>>>(2)
        .is_err());
}

// ---------------------------------------------------------------- L-BFGS (torch's step)

fn h(x: &[f64]) -> f64 {
    x[0] * x[0] / 20.0 + x[0].sin().tanh()
}

fn h_grad(x: &[f64], g: &mut [f64]) -> f64 {
    let t = x[0].sin().tanh();
    // torch's backward: pow, div by 20; tanh' = 1 - t^2; sin' = cos.
    g[0] = (2.0 * x[0]) / 20.0 + (1.0 - t * t) * x[0].cos();
    h(x)
}

fn torch_case(id: &str) -> &'static Value {
    trajectories()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

/// On the FMA build of the L-BFGS kernels (when this CPU has FMA) and on the portable build.
fn check_torch_lbfgs(id: &str, config: LbfgsConfig) {
    for portable in [false, true] {
        optim::force_portable(portable);
        check_torch_lbfgs_on(id, config);
    }
    optim::force_portable(false);
}

fn check_torch_lbfgs_on(id: &str, config: LbfgsConfig) {
    let case = torch_case(id);
    let after = vecf(&case["derived"]["x_after_each_step"]);
    let evals = case["per_step_closure_evaluations"].as_array().unwrap();
    let obj = from_fns(1, h, h_grad);
    let mut opt: Lbfgs<f64, [f64; 1], [[f64; 1]; 100]> = config.build(1).unwrap();
    let mut x = [8.0];
    for (k, want) in after.iter().enumerate() {
        opt.step(&obj, &mut x);
        let tol = 1e-12 * want.abs().max(1.0);
        assert!(
            (x[0] - want).abs() <= tol,
            "{id} step {k}: {} vs {want}",
            x[0]
        );
        assert_eq!(
            opt.func_evals() as u64,
            evals[k]["state_func_evals"].as_u64().unwrap(),
            "{id} step {k}"
        );
        assert_eq!(
            opt.n_iter() as u64,
            evals[k]["state_n_iter"].as_u64().unwrap(),
            "{id} step {k}"
        );
    }
}

#[test]
fn lbfgs_step_follows_torch_fixed_step() {
    check_torch_lbfgs("h_lbfgs_lr2_proper_closure", LbfgsConfig::default().lr(2.0));
}

#[test]
fn lbfgs_step_follows_torch_strong_wolfe() {
    check_torch_lbfgs(
        "h_lbfgs_strong_wolfe_lr1_proper_closure",
        LbfgsConfig::default().strong_wolfe(true),
    );
}

// ---------------------------------------------------------------- failure exits

/// f = |x|^2 but the "gradient" is -2x: every direction the solvers take goes uphill.
fn wrong_gradient() -> impl Objective<f64> {
    from_fns(
        2,
        |x: &[f64]| x[0] * x[0] + x[1] * x[1],
        |x: &[f64], g: &mut [f64]| {
            g[0] = -2.0 * x[0];
            g[1] = -2.0 * x[1];
            x[0] * x[0] + x[1] * x[1]
        },
    )
    .with_hvp(|x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        g[0] = -2.0 * x[0];
        g[1] = -2.0 * x[1];
        hv[0] = 2.0 * v[0];
        hv[1] = 2.0 * v[1];
        x[0] * x[0] + x[1] * x[1]
    })
}

#[test]
fn line_search_failure_is_reported() {
    let obj = wrong_gradient();
    let mut x = vec![1.0, -2.0];
    let r = newton(&obj, &mut x);
    assert_eq!(r.status, Status::LineSearchFailed);
    assert_eq!(x, [1.0, -2.0], "no step is taken");

    let mut x = vec![1.0, -2.0];
    let mut opt: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = LbfgsConfig::default().build(2).unwrap();
    let r = opt.minimize(&obj, &mut x, &lbfgs_rules(1e-8));
    assert_eq!(r.status, Status::LineSearchFailed);
    assert!(r.value_evals < 200, "bounded: {}", r.value_evals);

    // The trust region sees the model's decrease fail and shrinks until it gives up.
    let mut x = vec![1.0, -2.0];
    let r = trust(&obj, &mut x, 1e-8);
    assert_eq!(r.status, Status::NoProgress);
    assert_eq!(x, [1.0, -2.0]);
}

/// phi(a) = (a - 1)^2.
struct Parabola {
    evals: usize,
}

impl LineFunction for Parabola {
    fn phi(&mut self, a: f64) -> f64 {
        self.evals += 1;
        (a - 1.0) * (a - 1.0)
    }
    fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
        self.evals += 1;
        ((a - 1.0) * (a - 1.0), 2.0 * (a - 1.0))
    }
}

/// phi(a) = 1 + a, with derivative reported as -1.
struct Uphill {
    evals: usize,
}

impl LineFunction for Uphill {
    fn phi(&mut self, a: f64) -> f64 {
        self.evals += 1;
        1.0 + a
    }
    fn phi_dphi(&mut self, a: f64) -> (f64, f64) {
        self.evals += 1;
        (1.0 + a, -1.0)
    }
}

#[test]
fn scalar_line_searches() {
    let mt = MoreThuente::default();
    let mut p = Parabola { evals: 0 };
    let step = mt.search(&mut p, 1.0, -2.0, 0.25).unwrap();
    assert!(step.value <= 1.0 - 1e-4 * step.alpha * 2.0);
    assert!(step.deriv.unwrap().abs() <= 0.9 * 2.0);
    assert_eq!(
        mt.search(&mut p, 1.0, 2.0, 1.0),
        Err(LineSearchError::NotDescent)
    );
    let step = Zoom::default().search(&mut p, 1.0, None, -2.0).unwrap();
    assert_eq!(step.alpha, 1.0);
    // Inconsistent derivative (the function rises, the derivative says it falls): a typed
    // failure within the evaluation budget, for both searches.
    let mut bad = Uphill { evals: 0 };
    assert!(matches!(
        mt.search(&mut bad, 1.0, -1.0, 1.0),
        Err(LineSearchError::StepAtMin | LineSearchError::RoundingErrors)
    ));
    assert!(bad.evals <= 100, "{}", bad.evals);
    let mut bad = Uphill { evals: 0 };
    assert!(Zoom::default().search(&mut bad, 1.0, None, -1.0).is_err());
    assert!(bad.evals <= 40, "{}", bad.evals);
}

/// A quadratic with minimum at (2, 2) that is NaN once x[0] > 1.5.
fn nan_beyond() -> impl Objective<f64> {
    let f = |x: &[f64]| {
        if x[0] > 1.5 {
            f64::NAN
        } else {
            (x[0] - 2.0).powi(2) + (x[1] - 2.0).powi(2)
        }
    };
    from_fns(2, f, move |x: &[f64], g: &mut [f64]| {
        g[0] = 2.0 * (x[0] - 2.0);
        g[1] = 2.0 * (x[1] - 2.0);
        f(x)
    })
    .with_hvp(move |x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        g[0] = 2.0 * (x[0] - 2.0);
        g[1] = 2.0 * (x[1] - 2.0);
        hv[0] = 2.0 * v[0];
        hv[1] = 2.0 * v[1];
        f(x)
    })
}

#[test]
fn nan_objective_ends_diverged() {
    let obj = nan_beyond();
    // The Newton step jumps straight into the NaN region.
    let mut x = vec![0.0, 0.0];
    assert_eq!(newton(&obj, &mut x).status, Status::Diverged);
    let mut x = vec![0.0, 0.0];
    let mut opt: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = LbfgsConfig::default().build(2).unwrap();
    let r = opt.minimize(&obj, &mut x, &lbfgs_rules(1e-8));
    assert_eq!(r.status, Status::Diverged);
    // Starting at a NaN: all three stop at once.
    let mut x = vec![3.0, 0.0];
    let r = newton(&obj, &mut x);
    assert_eq!((r.status, r.iterations), (Status::Diverged, 0));
    let mut x = vec![3.0, 0.0];
    let r = trust(&obj, &mut x, 1e-8);
    assert_eq!((r.status, r.iterations), (Status::Diverged, 0));
    let mut x = vec![3.0, 0.0];
    let r = opt.minimize(&obj, &mut x, &lbfgs_rules(1e-8));
    assert_eq!((r.status, r.iterations), (Status::Diverged, 0));
}

#[test]
fn iteration_limits() {
    let obj = rosenbrock(10);
    let mut x = rosen_x0(10);
    let mut solver: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default()
        .max_iterations(Some(3))
        .build(10)
        .unwrap();
    let r = solver.minimize(&obj, &mut x).unwrap();
    assert_eq!((r.status, r.iterations), (Status::MaxIterations, 3));

    let mut x = rosen_x0(10);
    let mut solver: TrustRegion<f64, Vec<f64>> = TrustRegionConfig::default()
        .max_iterations(Some(3))
        .build(10)
        .unwrap();
    let r = solver.minimize(&obj, &mut x).unwrap();
    assert_eq!((r.status, r.iterations), (Status::MaxIterations, 3));

    let mut x = rosen_x0(10);
    let mut opt: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = LbfgsConfig::default().build(10).unwrap();
    let r = opt.minimize(&obj, &mut x, &StopRules::max_iterations(3));
    assert_eq!((r.status, r.iterations), (Status::MaxIterations, 3));
}

#[test]
fn missing_hvp_and_bad_hyperparameters_are_errors() {
    let obj = from_fns(
        1,
        |x: &[f64]| x[0] * x[0],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            x[0] * x[0]
        },
    );
    let mut x = vec![1.0];
    let mut solver: NewtonCg<f64, Vec<f64>> = NewtonCgConfig::default().build(1).unwrap();
    assert!(solver.minimize(&obj, &mut x).is_err());
    assert!(NewtonCgConfig::default()
        .c1(0.95)
        .build::<f64, Vec<f64>>(1)
        .is_err());
    assert!(TrustRegionConfig::default()
        .eta(0.3)
        .build::<f64, Vec<f64>>(1)
        .is_err());
    let e = LbfgsConfig::default()
        .history_size(0)
        .build::<f64, Vec<f64>, Vec<Vec<f64>>>(1)
        .unwrap_err();
    assert_eq!(e.to_string(), "`Lbfgs`: history size must be > 0");
}
