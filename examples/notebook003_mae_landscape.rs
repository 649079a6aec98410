//! Notebook 003, "Cost landscape and gradient descent", in Rust.
//!
//! The regression model f(x) = t1 x + t2 x^2 under the mean absolute error
//! J(t1, t2) = mean |y - f(x)|, on the notebook's 20 noisy points; its cost landscape over
//! [0, 4]^2, and 40 steps of gradient descent from (0, 0) with lr 0.2, 1.0 (too high) and 0.02
//! (too low).
//!
//! Data: `tests/data/derivatives.json`, `mae_regression.data_numpy_float64`: numpy's
//! `np.random.seed(42)` construction of the notebook (x = linspace(-2, 2, 20), y = (2x + 3x^2)
//! (1 + N(0, 0.15)) + N(0, 1.5)), stored by the oracle. The notebook itself prints nothing from
//! its descent cell (its outputs are empty), so the reference is the oracle's autograd run on the
//! same data (`gradient_descent_numpy_data`).
//!
//! ```sh
//! cargo run --release --example notebook003_mae_landscape [FIGURES_DIR]
//! ```
//! Figures: `AUTODIFF_FIGURES`, else the first argument, else `target/figures`.
//! `AUTODIFF_FAST=1`: a coarser landscape (the descents keep their 40 steps).

#[path = "common/plot.rs"]
mod plot;

use autodiff::differentiable;
use plot::{Chart, Map, Path2, Series};

/// J(t1, t2) = mean |y - (t1 x + t2 x^2)|; x and y are data.
#[differentiable(wrt(t1, t2))]
fn mae(t1: f64, t2: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (y[i] - (t1 * x[i] + t2 * x[i] * x[i])).abs();
    }
    s / x.len() as f64
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Array(a) => a.iter().flat_map(floats).collect(),
        v => vec![v.as_f64().expect("a number")],
    }
}

fn main() {
    let fast = plot::fast_mode();
    let dir = plot::figures_dir();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/derivatives.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let m = &json["mae_regression"];
    let x = floats(&m["data_numpy_float64"]["x"]);
    let y = floats(&m["data_numpy_float64"]["y"]);
    println!(
        "data: {} points, x = linspace(-2, 2, 20), y = (2x + 3x^2)(1 + noise0) + noise1 (seed 42)",
        x.len()
    );
    let (j0, (g1, g2)) = mae::grad(0.0, 0.0, &x, &y);
    println!("J(0, 0) = {j0:.6}, grad = ({g1:.8}, {g2:.8})  (autograd: 4.072173, (-0.10526316, -1.40720222))");

    let mut paths = Vec::new();
    let mut curves = Vec::new();
    for run in m["gradient_descent_numpy_data"].as_array().expect("runs") {
        let lr = run["lr"].as_f64().expect("lr");
        let ref_cost = floats(&run["cost"]);
        let ref_theta = floats(&run["theta"]);
        println!();
        println!(
            "gradient descent, lr = {lr}{}",
            match lr {
                v if v >= 1.0 => " (too high: jumps around the minimum)",
                v if v <= 0.02 => " (too low: slow)",
                _ => "",
            }
        );
        let (mut t1, mut t2) = (0.0f64, 0.0f64);
        let mut pts = vec![(t1, t2)];
        let mut costs = Vec::new();
        let mut worst: f64 = 0.0;
        for i in 1..=40 {
            let (cost, (d1, d2)) = mae::grad(t1, t2, &x, &y);
            // `params -= params.grad * lr`
            t1 -= d1 * lr;
            t2 -= d2 * lr;
            worst = worst
                .max((cost - ref_cost[i - 1]).abs())
                .max((t1 - ref_theta[2 * i]).abs())
                .max((t2 - ref_theta[2 * i + 1]).abs());
            if i <= 3 || i % 10 == 0 {
                // The notebook's print line (it prints the parameters after the step).
                println!(
                    "Iteration={i}: Cost={cost:.2}, theta1={t1:.2}, theta1_grad={d1:.2}, theta2={t2:.2}, theta2_grad={d2:.2}"
                );
            }
            costs.push((i as f64, cost));
            pts.push((t1, t2));
        }
        println!(
            "  final J = {:.6} at ({t1:.6}, {t2:.6}); max difference to autograd's 40 steps: {worst:.1e}",
            mae(t1, t2, &x, &y)
        );
        paths.push(Path2::new(format!("lr {lr}"), pts));
        curves.push(Series::new(format!("lr {lr}"), costs));
    }

    let mut figs = Vec::new();
    figs.push(plot::save(&dir, "nb003_mae_landscape.svg", |p| {
        let mut map = Map::new(
            "MAE cost J(t1, t2) and gradient descent from (0, 0)",
            (-0.5, 4.0),
            (-0.5, 4.0),
        )
        .labels("theta1", "theta2")
        .linear();
        map.cells = if fast { 30 } else { 80 };
        map.contours = 8;
        plot::heat_map(p, &map, &|a, b| mae(a, b, &x, &y), &paths)
    }));
    figs.push(plot::save(&dir, "nb003_mae_cost.svg", |p| {
        plot::line_chart(
            p,
            &Chart::new("MAE cost per iteration", "iteration", "J").log_y(),
            &curves,
        )
    }));
    let ok = figs.iter().filter(|p| plot::looks_like_svg(p)).count();
    println!(
        "{ok} of {} figures written as SVG to {}",
        figs.len(),
        dir.display()
    );
}
