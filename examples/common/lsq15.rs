//! Notebook 004's 15-dimensional least-squares problem (240 unknowns), shared by the `tour` and
//! `notebook004_*` examples. Included with `#[path = "common/lsq15.rs"] mod lsq15;`.
//!
//! The data is the oracle's (`tests/data/newton_cg.json`, problem `lsq15`): numpy's
//! `np.random.seed(42)` construction of the notebook, stored so that Rust needs no numpy RNG.
#![allow(dead_code)]

use autodiff::differentiable;

/// Inputs per sample (and outputs per sample).
pub const D: usize = 15;
/// Unknowns: the 15 x 15 matrix A (row-major), then the 15 offsets b.
pub const N: usize = D * D + D;

/// `sum(((x @ A + b) - y)**2)` with `theta = [A row-major, b]`; `x` and `y` are `m x 15`,
/// row-major. Only `theta` is active.
#[differentiable(wrt(theta))]
pub fn lsq15(theta: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let m = x.len() / D;
    let mut s = 0.0;
    for i in 0..m {
        for j in 0..D {
            let mut p = theta[D * D + j];
            for k in 0..D {
                p += x[i * D + k] * theta[k * D + j];
            }
            let r = p - y[i * D + j];
            s += r * r;
        }
    }
    s
}

/// The problem's data and the oracle's reference results.
pub struct Problem {
    /// `20 x 15` inputs, row-major.
    pub x: Vec<f64>,
    /// `20 x 15` targets, row-major.
    pub y: Vec<f64>,
    /// The start point (drawn after the data, as the notebook's `guess()`).
    pub theta0: Vec<f64>,
    /// The least-squares minimum (`lstsq`): 12.12743248434258.
    pub min_fun: f64,
    /// scipy Newton-CG with `hess` (the notebook's call): iterations and final value.
    pub scipy_ncg: (u64, f64),
    /// scipy Newton-CG with `hessp`: iterations and final value.
    pub scipy_ncg_hessp: (u64, f64),
    /// scipy BFGS: iterations and final value.
    pub scipy_bfgs: (u64, f64),
    /// scipy L-BFGS-B (10 pairs): iterations and final value.
    pub scipy_lbfgsb: (u64, f64),
    /// The oracle's fixed-step gradient descent (step 1e-3): loss every 10 iterations.
    pub gd_trace: Vec<f64>,
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Array(a) => a.iter().flat_map(floats).collect(),
        v => vec![v.as_f64().expect("a number")],
    }
}

/// Reads the problem from `tests/data/newton_cg.json`.
///
/// # Panics
/// If the file is missing or not as expected.
pub fn load() -> Problem {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/newton_cg.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let p = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .find(|p| p["id"] == "lsq15")
        .expect("problem lsq15");
    let data = &p["data"];
    let result = |r: &serde_json::Value| {
        (
            r["result"]["nit"].as_u64().expect("nit"),
            r["result"]["fun"].as_f64().expect("fun"),
        )
    };
    let runs = p["runs"].as_array().expect("runs");
    let run = |second: &str| {
        result(
            runs.iter()
                .find(|r| {
                    r["method"] == "Newton-CG"
                        && r["derivatives_given"]
                            .as_array()
                            .is_some_and(|d| d.iter().any(|v| v == second))
                })
                .expect("a Newton-CG run"),
        )
    };
    let method = |name: &str| {
        result(
            runs.iter()
                .find(|r| r["method"] == name)
                .unwrap_or_else(|| panic!("a {name} run")),
        )
    };
    Problem {
        x: floats(&data["x"]),
        y: floats(&data["y"]),
        theta0: floats(&data["theta0"]),
        min_fun: p["closed_form_minimum"]["fun"].as_f64().expect("fun"),
        scipy_ncg: run("hess"),
        scipy_ncg_hessp: run("hessp"),
        scipy_bfgs: method("BFGS"),
        scipy_lbfgsb: method("L-BFGS-B"),
        gd_trace: floats(&p["gradient_descent_fixed_step"]["loss_trace"]),
    }
}
