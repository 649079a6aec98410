//! Notebook 002, "How minimizers work", in Rust.
//!
//! Adam on Himmelblau's function from (0, 0) and (-2, 0) (different minima), Adam on Beale's
//! function with betas (0.9, 0.999) and (0.99, 0.999), the derivative of sin over a grid,
//! ReLU'(0) for `x > 0` vs `x >= 0`, and parameter uncertainties from the Hessian at a minimum
//! (Minuit's HESSE, `optim::hesse_objective` / `optim::hesse`) on the oracle's chi-square line
//! fit (minimized with `optim::NewtonCg`) and at Himmelblau's minimum.
//!
//! ```sh
//! cargo run --release --example notebook002_minimizers [FIGURES_DIR]
//! ```
//! Figures: `AUTODIFF_FIGURES`, else the first argument, else `target/figures`.
//! `AUTODIFF_FAST=1`: coarser heat maps (the runs keep their 1000 steps).

#[path = "common/plot.rs"]
mod plot;

use autodiff::differentiable;
use autodiff::optim::{
    hesse, hesse_objective, minimize, AdamConfig, History, NewtonCgConfig, Progress, StopRules,
};
use plot::{Chart, Map, Path2, Series};
use plotters::prelude::SeriesLabelPosition;

#[differentiable]
fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

#[differentiable]
fn beale(x: f64, y: f64) -> f64 {
    (1.5 - x + x * y).powi(2) + (2.25 - x + x * y * y).powi(2) + (2.625 - x + x * y * y * y).powi(2)
}

/// `Y = sum(sin(x))`; its gradient is cos(x) elementwise (the notebook's `Y.backward()`).
#[allow(clippy::needless_range_loop)] // `#[differentiable]` bodies use index loops
#[differentiable]
fn sum_sin(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].sin();
    }
    s
}

/// `torch.where(x > 0, x, 0)`.
#[differentiable]
fn relu_gt(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// `torch.where(x >= 0, x, 0)`.
#[differentiable]
fn relu_ge(x: f64) -> f64 {
    if x >= 0.0 {
        x
    } else {
        0.0
    }
}

/// `max(x, 0)`: ties split 0.5/0.5, as `torch.maximum` and numpy's `maximum` under autograd.
#[differentiable]
fn relu_max(x: f64) -> f64 {
    x.max(0.0)
}

/// The oracle's line fit (`minuit.json`, `line_fit`): `RandomState(20240601)`,
/// x = linspace(0, 10, 50), y = 1.7 x - 0.5 + N(0, 0.8), yerr = 0.8.
const LINE_Y: [f64; 50] = [
    -1.3347403214855404,
    -1.9686381781044493,
    0.6209338210094884,
    -0.3244771490087307,
    0.5521884590934821,
    1.5064789742884135,
    2.067618764697032,
    1.034157215177069,
    3.2123708473670045,
    2.2782533070361337,
    3.817190694334623,
    4.307762206802788,
    3.2807160084310096,
    4.711420457463421,
    6.2508183682337535,
    3.7715541041967997,
    4.518568713422995,
    6.436985548891471,
    6.604135767465642,
    5.92708141830446,
    7.913245246093427,
    6.800739710877537,
    7.470857164467287,
    6.38033342373182,
    6.497598163812924,
    10.062436813880797,
    8.77954756881961,
    8.249044725273706,
    10.25847381900571,
    10.272102934871299,
    9.072115441268329,
    9.234485611724015,
    9.596404074293623,
    10.425031244630459,
    12.107521038360725,
    12.577324874415863,
    11.244715900470165,
    12.728901471662734,
    12.596789167966786,
    12.645953533408624,
    13.695679621670804,
    12.21131094237265,
    13.170759423282522,
    14.29331884054377,
    13.798300400767822,
    13.40118278311055,
    15.885403337552535,
    15.680833236150455,
    16.332284775886958,
    18.925757466247013,
];

/// chi^2(m, c) = sum(((y - (m x + c)) / yerr)^2), Minuit's `errordef = 1` cost.
#[differentiable(wrt(m, c))]
fn chi2(m: f64, c: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = (y[i] - (m * x[i] + c)) / 0.8;
        s += r * r;
    }
    s
}

/// End point, final loss, path and losses of a run.
type Run = ([f64; 2], f64, Vec<(f64, f64)>, Vec<f64>);

/// Adam from `x0` for 1000 steps on a 2-D objective, with progress every 250 steps.
fn adam_run(obj: &impl autodiff::Objective<f64>, x0: [f64; 2], lr: f64, betas: (f64, f64)) -> Run {
    let mut hist = History::new();
    let mut x = x0;
    let r = minimize(obj, &mut x)
        .with(AdamConfig::default().lr(lr).betas(betas))
        .stop(StopRules::max_iterations(1000))
        .observer(&mut hist)
        .observer(Progress::every(250).to(std::io::stdout()))
        .run()
        .expect("Adam runs on a 2-D objective");
    let path = hist.iterates.iter().map(|p| (p[0], p[1])).collect();
    (x, r.value, path, hist.values)
}

fn main() {
    let fast = plot::fast_mode();
    let dir = plot::figures_dir();
    let cells = if fast { 30 } else { 60 };
    let mut figs = Vec::new();

    // --- Himmelblau ----------------------------------------------------------------------------
    println!("Himmelblau, Adam lr 0.1, 1000 steps (the notebook plots the paths; values from the oracle)");
    let obj = himmelblau::objective();
    let mut paths = Vec::new();
    for (x0, torch, minuit) in [
        ([0.0, 0.0], "(3.000000, 2.000000)", "(2.99996, 2.00007)"),
        ([-2.0, 0.0], "(-2.805118, 3.131312)", "(-2.80486, 3.13141)"),
    ] {
        let (x, v, path, _) = adam_run(&obj, x0, 0.1, (0.9, 0.999));
        println!(
            "  from ({}, {}): ({:.6}, {:.6}), loss {v:.1e}  | PyTorch Adam {torch}, Minuit MIGRAD {minuit}",
            x0[0], x0[1], x[0], x[1]
        );
        paths.push(Path2::new(
            format!("Adam from ({}, {})", x0[0], x0[1]),
            path,
        ));
    }
    figs.push(plot::save(&dir, "nb002_himmelblau_adam.svg", |p| {
        let mut m = Map::new(
            "Adam (lr 0.1) on Himmelblau's function",
            (-6.0, 6.0),
            (-6.0, 6.0),
        );
        m.cells = cells;
        plot::heat_map(p, &m, &|x, y| himmelblau(x, y), &paths)
    }));

    // --- Beale ---------------------------------------------------------------------------------
    println!();
    println!("Beale from (-1, 2), Adam lr 0.3, 1000 steps");
    let obj = beale::objective();
    let mut paths = Vec::new();
    let mut curves = Vec::new();
    for (betas, torch) in [
        (
            (0.9, 0.999),
            "(-5.831684, 1.148760), loss 0.6963 (chaotic after ~step 300)",
        ),
        ((0.99, 0.999), "(3.019044, 0.503575), loss 8.594e-5"),
    ] {
        let (x, v, path, values) = adam_run(&obj, [-1.0, 2.0], 0.3, betas);
        println!(
            "  betas {betas:?}: ({:.6}, {:.6}), loss {v:.4e}  | PyTorch {torch}",
            x[0], x[1]
        );
        let label = format!("Adam betas {betas:?}");
        curves.push(Series::new(
            label.as_str(),
            values
                .iter()
                .enumerate()
                .map(|(k, v)| (k as f64, *v))
                .collect(),
        ));
        paths.push(Path2::new(label, path));
    }
    println!("  more momentum (beta1 0.99) jumps over the valley and reaches the minimum (3, 0.5)");
    figs.push(plot::save(&dir, "nb002_beale_adam.svg", |p| {
        let mut m = Map::new(
            "Adam (lr 0.3) on Beale's function",
            (-6.0, 6.0),
            (-2.0, 4.0),
        );
        m.cells = cells;
        plot::heat_map(p, &m, &|x, y| beale(x, y), &paths)
    }));
    figs.push(plot::save(&dir, "nb002_beale_losses.svg", |p| {
        plot::line_chart(
            p,
            &Chart::new("Adam on Beale: loss per iteration", "iteration", "loss").log_y(),
            &curves,
        )
    }));

    // --- derivative of sin over a grid ---------------------------------------------------------
    println!();
    let n = 1000;
    let x: Vec<f64> = (0..n)
        .map(|i| -std::f64::consts::PI + 2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64)
        .collect();
    let (_, g) = sum_sin::grad(&x);
    let worst = x
        .iter()
        .zip(&g)
        .map(|(x, g)| (g - x.cos()).abs())
        .fold(0.0, f64::max);
    println!(
        "d/dx sin over linspace(-pi, pi, 1000) (sum_sin::grad): max |grad - cos x| = {worst:e}"
    );
    figs.push(plot::save(&dir, "nb002_sin.svg", |p| {
        plot::line_chart(
            p,
            &Chart::new("y = sin(x) and its gradient from sum_sin::grad", "x", "y")
                .legend(SeriesLabelPosition::UpperLeft),
            &[
                Series::new("y = sin(x)", x.iter().map(|&x| (x, x.sin())).collect()),
                Series::new(
                    "dy/dx (autodiff)",
                    x.iter().copied().zip(g.iter().copied()).collect(),
                ),
            ],
        )
    }));

    // --- ReLU at 0 -----------------------------------------------------------------------------
    println!();
    println!("ReLU'(0): the derivative follows the branch taken");
    println!(
        "  where(x > 0, x, 0):  {}   (notebook/PyTorch: 0)",
        relu_gt::grad(0.0).1
    );
    println!(
        "  where(x >= 0, x, 0): {}   (notebook/PyTorch: 1)",
        relu_ge::grad(0.0).1
    );
    println!(
        "  max(x, 0):           {} (torch.maximum, autograd np.maximum: 0.5)",
        relu_max::grad(0.0).1
    );
    // The notebook's float32 grid arange(1000) * 0.004 - 2: x[500] is exactly 0.
    let grid: Vec<f32> = (0..1000u16).map(|i| f32::from(i) * 0.004 - 2.0).collect();
    let x500 = grid[500];
    println!(
        "  grid x = arange(1000)*0.004 - 2 (float32): x[500] = {x500}, grad[500] = {} (notebook: 0., 0.)",
        relu_gt::grad(f64::from(x500)).1
    );

    // --- uncertainties from the Hessian ---------------------------------------------------------
    println!();
    println!(
        "Parameter uncertainties from the Hessian at the minimum (Minuit HESSE, errordef = 1)"
    );
    let xs: Vec<f64> = (0..50).map(|i| 10.0 * i as f64 / 49.0).collect();
    // MIGRAD's part: minimize chi^2 over (m, c) with Newton-CG (the generated chi2::hvp).
    let obj = chi2::objective(&xs, &LINE_Y);
    let mut mc = [0.0, 0.0];
    // Only scipy's own rule (the step tolerance xtol) and an iteration limit, as scipy.
    let fit = minimize(&obj, &mut mc)
        .with(NewtonCgConfig::default())
        .stop(StopRules::max_iterations(1000))
        .run()
        .expect("chi2 has Hessian-vector products");
    // HESSE's part: covariance = 2 errordef H^-1 from the exact Hessian (errordef 1 for a chi^2:
    // chi^2 rises by 1 at one standard deviation).
    let u = hesse_objective(&obj, &mc, 1.0).expect("the minimum of chi^2 is strict");
    let [m, c] = mc;
    let (em, ec) = (u.errors[0], u.errors[1]);
    println!("  line fit: m = {m:.10} +- {em:.9}, c = {c:.10} +- {ec:.9}");
    println!("    Minuit: m = 1.6931957076 +- 0.038415686, c = -0.4744019024 +- 0.222921785 (MIGRAD + HESSE)");
    println!(
        "    correlation {:.6}; chi^2 = {:.6} after {} Newton-CG iterations",
        u.corr(0, 1),
        fit.value,
        fit.iterations
    );
    let (_, _, hh) = himmelblau::hessian(3.0, 2.0);
    let u = hesse(&[hh[0][0], hh[0][1], hh[1][0], hh[1][1]], 2, 1.0)
        .expect("(3, 2) is a strict minimum");
    println!(
        "  Himmelblau at (3, 2): Hessian [[{}, {}], [{}, {}]], errors (errordef 1) +- {:.6}, +- {:.6}",
        hh[0][0], hh[0][1], hh[1][0], hh[1][1], u.errors[0], u.errors[1]
    );
    println!(
        "  (optim::hesse_objective on chi2's generated Hessian-vector products; optim::hesse on"
    );
    println!("   the 2x2 matrix from himmelblau::hessian)");

    let ok = figs.iter().filter(|p| plot::looks_like_svg(p)).count();
    println!(
        "{ok} of {} figures written as SVG to {}",
        figs.len(),
        dir.display()
    );
}
