//! A tour of `autodiff` and `optim` in one run: exact gradients against finite differences,
//! learning rates, Adam on Himmelblau and Beale, Newton-CG on Hessian-vector products (with
//! `optim`'s trust-region Newton-CG and L-BFGS on the same problem), and
//! higher derivatives on Taylor jets. Every section prints a few lines and writes a figure.
//!
//! ```sh
//! cargo run --release --example tour                 # figures in target/figures
//! cargo run --release --example tour -- docs/img     # or in a folder of your choice
//! AUTODIFF_FIGURES=/tmp/figs cargo run --release --example tour
//! AUTODIFF_FAST=1 cargo run --release --example tour # fast mode, for CI
//! ```
//!
//! Figures (SVG): `AUTODIFF_FIGURES`, else the first argument, else `target/figures`.
//!
//! Fast mode (`AUTODIFF_FAST=1`): coarser heat maps (30 instead of 60 cells per side) and 1000
//! instead of 5000 gradient-descent steps on the least-squares problem. The optimizer runs of
//! the notebooks keep their step counts (they take milliseconds), so every printed number
//! except the least-squares gradient descent's final value is the same in both modes.

#[path = "common/lsq15.rs"]
mod lsq15;
#[path = "common/plot.rs"]
mod plot;

use autodiff::differentiable;
use autodiff::optim::{
    minimize, AdagradConfig, AdamConfig, GradNorm, History, LbfgsConfig, Method, NewtonCgConfig,
    Optimizer, Progress, RmsPropConfig, SgdConfig, Status, StopRules, TrustRegionConfig,
};
use autodiff::Objective;
use plot::{Chart, Map, Path2, Series};
use plotters::prelude::SeriesLabelPosition;

/// Notebook 000's f(x, y) = (x - 1)^2 + 4 (y + 1)^2 + x y / 2.
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

/// Himmelblau's function: four minima with value 0.
#[differentiable]
fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

/// Beale's function: minimum 0 at (3, 0.5), in a long curved valley.
#[differentiable]
fn beale(x: f64, y: f64) -> f64 {
    (1.5 - x + x * y).powi(2) + (2.25 - x + x * y * y).powi(2) + (2.625 - x + x * y * y * y).powi(2)
}

/// x^cos(x) (notebook 004's finite-difference example).
#[differentiable]
fn x_pow_cos_x(x: f64) -> f64 {
    x.powf(x.cos())
}

#[differentiable]
fn tanh(x: f64) -> f64 {
    x.tanh()
}

/// f's minimum, from grad f = 0: [[2, 1/2], [1/2, 8]] (x, y) = (2, -8).
fn f_min() -> (f64, f64, f64) {
    let det = 2.0 * 8.0 - 0.25;
    let x = (2.0 * 8.0 - 0.5 * -8.0) / det;
    let y = (2.0 * -8.0 - 0.5 * 2.0) / det;
    (x, y, f(x, y))
}

fn heading(title: &str) {
    println!();
    println!("== {title}");
}

/// Points of a 2-D history.
fn xy(h: &History<f64>) -> Vec<(f64, f64)> {
    h.iterates.iter().map(|p| (p[0], p[1])).collect()
}

/// Loss curve `(k, value - shift)` of a history.
fn curve(h: &History<f64>, shift: f64) -> Vec<(f64, f64)> {
    h.values
        .iter()
        .enumerate()
        .map(|(k, v)| (k as f64, v - shift))
        .collect()
}

fn status_text(status: Status, iterations: usize) -> String {
    match status {
        Status::Converged(_) => format!("converged (|grad| <= 1e-4) after {iterations} steps"),
        Status::MaxIterations => format!("not converged after {iterations} steps"),
        Status::Diverged => format!("DIVERGED: non-finite loss at step {iterations}"),
        other => format!("stopped ({other:?}) after {iterations} steps"),
    }
}

/// Runs `method` on a 2-D objective from `x0` under `rules`, recording the path, with a
/// progress line every `progress` iterations (a closure observer).
fn run2(
    obj: &impl Objective<f64>,
    x0: [f64; 2],
    method: impl Method<f64, [f64; 2]>,
    rules: &StopRules,
    progress: Option<usize>,
) -> ([f64; 2], autodiff::optim::Report<f64>, History<f64>) {
    let mut x = x0;
    let mut hist = History::new();
    let report = minimize(obj, &mut x)
        .with(method)
        .stop(*rules)
        .observer(&mut hist)
        .observe(|it| {
            if progress.is_some_and(|every| it.iteration % every == 0) {
                println!("{}", Progress::line(it.iteration, it.x, it.value, it.grad));
            }
        })
        .run()
        .expect("a first-order method on a 2-D objective");
    (x, report, hist)
}

fn main() {
    let fast = plot::fast_mode();
    let dir = plot::figures_dir();
    let cells = if fast { 30 } else { 60 };
    println!("autodiff tour{}", if fast { " (fast mode)" } else { "" });
    println!("figures go to {}", dir.display());
    let mut figures = Vec::new();

    // ---------------------------------------------------------------------------------------
    heading("1. Exact gradient vs finite differences (notebook 000's f at (3, 3))");
    let (z, (gx, gy)) = f::grad(3.0, 3.0);
    println!(
        "f(3, 3) = {z}; f::grad: ({gx}, {gy})  (exact: 2(x-1) + y/2 = 5.5, 8(y+1) + x/2 = 33.5)"
    );
    println!(
        "  h        forward (f(y+h) - f(y))/h   error      central (f(y+h) - f(y-h))/2h   error"
    );
    let fy = |y: f64| f(3.0, y);
    for k in [1, 2, 4, 6, 8, 10, 12] {
        let h = 10f64.powi(-k);
        let fwd = (fy(3.0 + h) - fy(3.0)) / h;
        let cen = (fy(3.0 + h) - fy(3.0 - h)) / (2.0 * h);
        println!(
            "  1e-{k:<2}    {fwd:<28.15} {:<10.1e} {cen:<32.15} {:.1e}",
            (fwd - gy).abs(),
            (cen - gy).abs()
        );
    }
    println!("  The forward difference is off by h f''/2 = 4h (truncation); both also lose about");
    println!(
        "  eps |f| / h = 1.6e-14 / h to rounding, since f(y+h) - f(y) cancels the leading digits"
    );
    println!("  of 72.5. The best forward h is near sqrt(eps) ~ 1e-8, leaving ~8 digits; central");
    println!(
        "  differences are exact for a quadratic up to rounding. f::grad has no h: 33.5 exactly."
    );
    figures.push(plot::save(&dir, "fd_error.svg", |path| {
        let hs: Vec<f64> = (0..=64).map(|i| 10f64.powf(-(i as f64) / 4.0)).collect();
        let floor = |e: f64| e.max(1e-17);
        let fwd = hs
            .iter()
            .map(|&h| (h, floor(((fy(3.0 + h) - fy(3.0)) / h - gy).abs())))
            .collect();
        let cen = hs
            .iter()
            .map(|&h| {
                (
                    h,
                    floor(((fy(3.0 + h) - fy(3.0 - h)) / (2.0 * h) - gy).abs()),
                )
            })
            .collect();
        let [_, d] = x_pow_cos_x::derivatives::<2>(2.0);
        let cen2 = hs
            .iter()
            .map(|&h| {
                let c = (x_pow_cos_x(2.0 + h) - x_pow_cos_x(2.0 - h)) / (2.0 * h);
                (h, floor((c - d).abs()))
            })
            .collect();
        plot::line_chart(
            path,
            &Chart::new(
                "Finite differences vs the exact derivative (errors below 1e-17 drawn at 1e-17)",
                "step h",
                "|finite difference - exact|",
            )
            .log_log()
            .legend(SeriesLabelPosition::UpperLeft),
            &[
                Series::new("forward, df/dy of f at (3, 3)", fwd),
                Series::new("central, df/dy of f at (3, 3)", cen),
                Series::new("central, d/dx x^cos(x) at x = 2", cen2),
            ],
        )
    }));

    // ---------------------------------------------------------------------------------------
    heading("2. Learning rate: SGD on f from (3, 3), stop at |grad| < 1e-4");
    let obj = f::objective();
    let (xm, ym, fm) = f_min();
    println!("minimum: f({xm:.6}, {ym:.6}) = {fm:.10}");
    let rules = StopRules::max_iterations(2000).grad_norm(GradNorm::L2, 1e-4);
    let mut sgd_paths = Vec::new();
    let mut curves = Vec::new();
    for (lr, verdict) in [(0.01, "slow"), (0.1, "good"), (0.5, "too large")] {
        let sgd = SgdConfig::default().lr(lr);
        let (x, report, hist) = run2(&obj, [3.0, 3.0], sgd, &rules, None);
        let at = if report.status == Status::Diverged {
            let k50 = &hist.iterates[50.min(hist.iterates.len() - 1)];
            format!(
                "(after 50 steps it was at ({:.2e}, {:.2e}))",
                k50[0], k50[1]
            )
        } else {
            format!("at ({:.6}, {:.6})", x[0], x[1])
        };
        println!(
            "  lr {lr:<4} ({verdict}): {} {at}",
            status_text(report.status, report.iterations)
        );
        curves.push(Series::new(format!("SGD lr {lr}"), curve(&hist, fm)));
        sgd_paths.push(Path2::new(format!("SGD lr {lr}"), xy(&hist)));
    }
    println!(
        "  (PyTorch, notebook 000: lr 0.1 stops at step 47; lr 0.5 is at ~1e24 after 50 steps)"
    );
    let mut more = |name: &str, opt: &mut dyn Optimizer<f64>| {
        let (_, report, hist) = run2(&obj, [3.0, 3.0], opt, &StopRules::max_iterations(200), None);
        println!(
            "  {name:<28} f - min = {:.2e} after {} steps",
            report.value - fm,
            report.iterations
        );
        curves.push(Series::new(name, curve(&hist, fm)));
    };
    more(
        "SGD lr 0.02, momentum 0.9",
        &mut SgdConfig::default()
            .lr(0.02)
            .momentum(0.9)
            .build::<f64, [f64; 2]>(2)
            .unwrap(),
    );
    more(
        "Adam lr 0.1",
        &mut AdamConfig::default()
            .lr(0.1)
            .build::<f64, [f64; 2]>(2)
            .unwrap(),
    );
    more(
        "RMSprop lr 0.01",
        &mut RmsPropConfig::default()
            .lr(0.01)
            .build::<f64, [f64; 2]>(2)
            .unwrap(),
    );
    more(
        "Adagrad lr 0.1",
        &mut AdagradConfig::default()
            .lr(0.1)
            .build::<f64, [f64; 2]>(2)
            .unwrap(),
    );
    for c in &mut curves {
        c.points.truncate(201);
        c.points.retain(|p| p.1 < 1e30);
    }
    figures.push(plot::save(&dir, "f_losses.svg", |path| {
        plot::line_chart(
            path,
            &Chart::new(
                "Optimizers on notebook 000's f from (3, 3)",
                "iteration",
                "f - min f",
            )
            .log_y()
            .legend(SeriesLabelPosition::LowerLeft),
            &curves,
        )
    }));
    figures.push(plot::save(&dir, "f_sgd_paths.svg", |path| {
        let mut m = Map::new(
            "SGD on f from (3, 3): lr 0.01, 0.1, 0.5 (leaves the frame)",
            (-1.0, 4.0),
            (-3.0, 4.0),
        );
        m.cells = cells;
        plot::heat_map(path, &m, &|x, y| f(x, y), &sgd_paths)
    }));

    // ---------------------------------------------------------------------------------------
    heading("3. Adam (lr 0.1, 1000 steps) on Himmelblau: the start decides the minimum");
    let obj = himmelblau::objective();
    let mut paths = Vec::new();
    for (x0, torch) in [
        ([0.0, 0.0], "(3, 2)"),
        ([-2.0, 0.0], "(-2.805118, 3.131312)"),
    ] {
        println!("  from ({}, {}), progress every 250 steps:", x0[0], x0[1]);
        let adam = AdamConfig::default().lr(0.1);
        let (x, report, hist) = run2(&obj, x0, adam, &StopRules::max_iterations(1000), Some(250));
        println!(
            "  -> ({:.6}, {:.6}), loss {:.1e} (PyTorch: {torch})",
            x[0], x[1], report.value
        );
        paths.push(Path2::new(
            format!("Adam from ({}, {})", x0[0], x0[1]),
            xy(&hist),
        ));
    }
    figures.push(plot::save(&dir, "himmelblau_adam.svg", |path| {
        let mut m = Map::new(
            "Adam (lr 0.1) on Himmelblau's function",
            (-6.0, 6.0),
            (-6.0, 6.0),
        );
        m.cells = cells;
        plot::heat_map(path, &m, &|x, y| himmelblau(x, y), &paths)
    }));

    // ---------------------------------------------------------------------------------------
    heading("4. Momentum: Adam (lr 0.3, 1000 steps) on Beale from (-1, 2)");
    let obj = beale::objective();
    let mut paths = Vec::new();
    let mut beale_curves = Vec::new();
    for (betas, torch) in [
        ((0.9, 0.999), "(-5.831684, 1.148760), stuck"),
        ((0.99, 0.999), "(3.019044, 0.503575)"),
    ] {
        let adam = AdamConfig::default().lr(0.3).betas(betas);
        let (x, report, hist) = run2(
            &obj,
            [-1.0, 2.0],
            adam,
            &StopRules::max_iterations(1000),
            None,
        );
        println!(
            "  betas {betas:?}: ({:.6}, {:.6}), loss {:.3e} (PyTorch: {torch})",
            x[0], x[1], report.value
        );
        let label = format!("Adam betas {betas:?}");
        beale_curves.push(Series::new(label.as_str(), curve(&hist, 0.0)));
        paths.push(Path2::new(label, xy(&hist)));
    }
    println!("  beta1 = 0.99 keeps enough velocity to cross the valley to the minimum (3, 0.5).");
    println!(
        "  (beta1 = 0.9 is chaotic late in the run: PyTorch and this run agree to ~1e-15 up to"
    );
    println!("   step 200 and drift apart after; both stay stuck near x = -5.8.)");
    figures.push(plot::save(&dir, "beale_adam.svg", |path| {
        let mut m = Map::new(
            "Adam (lr 0.3) on Beale's function from (-1, 2)",
            (-6.0, 6.0),
            (-2.0, 4.0),
        );
        m.cells = cells;
        plot::heat_map(path, &m, &|x, y| beale(x, y), &paths)
    }));
    figures.push(plot::save(&dir, "beale_losses.svg", |path| {
        plot::line_chart(
            path,
            &Chart::new("Adam on Beale's function", "iteration", "loss").log_y(),
            &beale_curves,
        )
    }));

    // ---------------------------------------------------------------------------------------
    heading(
        "5. Newton-CG on Hessian-vector products vs gradient descent (notebook 004, 240 unknowns)",
    );
    let p = lsq15::load();
    let obj = lsq15::lsq15::objective(lsq15::N, &p.x, &p.y);
    println!(
        "  loss at the start: {:.6}; least-squares minimum: {:.6}",
        obj.value(&p.theta0),
        p.min_fun
    );
    // scipy's Newton-CG (optim::NewtonCg): inner conjugate gradients on H v products from the
    // generated lsq15::hvp, never the 240 x 240 Hessian. `Vec<f64>` holds its work vectors.
    let mut ncg_theta = p.theta0.clone();
    let mut ncg_hist = History::new();
    // Only scipy's own rule (the step tolerance xtol) and its iteration limit, as scipy.
    let scipy_rules = StopRules::max_iterations(200 * lsq15::N);
    let ncg = minimize(&obj, &mut ncg_theta)
        .with(NewtonCgConfig::default())
        .stop(scipy_rules)
        .observer(&mut ncg_hist)
        .run()
        .expect("lsq15 has Hessian-vector products");
    println!(
        "  Newton-CG (optim::NewtonCg, lsq15::hvp): {:.9} in {} iterations, {} HVPs, {} gradients ({:?})",
        ncg.value, ncg.iterations, ncg.hvp_evals, ncg.grad_evals, ncg.status
    );
    println!(
        "    scipy Newton-CG: {:.9} in {} iterations (hess), {:.9} in {} (hessp)",
        p.scipy_ncg.1, p.scipy_ncg.0, p.scipy_ncg_hessp.1, p.scipy_ncg_hessp.0
    );
    // The same problem with the trust-region variant (scipy's trust-ncg) and L-BFGS (gradients
    // only, More-Thuente line search), stopped at the same gradient norm.
    let mut tr_theta = p.theta0.clone();
    let tr = minimize(&obj, &mut tr_theta)
        .with(TrustRegionConfig::default())
        .stop(scipy_rules)
        .run()
        .expect("lsq15 has Hessian-vector products");
    println!(
        "  trust-region Newton-CG (optim::TrustRegion): {:.9} in {} iterations, {} HVPs",
        tr.value, tr.iterations, tr.hvp_evals
    );
    let mut lb_theta = p.theta0.clone();
    let lb = minimize(&obj, &mut lb_theta)
        .with(LbfgsConfig::default().history_size(10))
        .stop(StopRules::max_iterations(2000).grad_norm(GradNorm::L2, 1e-4))
        .run()
        .expect("L-BFGS runs on lsq15");
    println!(
        "  L-BFGS, 10 pairs (optim::Lbfgs::minimize): {:.9} in {} iterations, {} gradients",
        lb.value, lb.iterations, lb.grad_evals
    );
    println!(
        "    scipy: BFGS {:.9} in {} iterations, L-BFGS-B {:.9} in {} (stops on its relative loss change)",
        p.scipy_bfgs.1, p.scipy_bfgs.0, p.scipy_lbfgsb.1, p.scipy_lbfgsb.0
    );
    let gd_steps = if fast { 1000 } else { 5000 };
    let mut theta = p.theta0.clone();
    let mut hist = History::new();
    let report = minimize(&obj, &mut theta)
        .with(SgdConfig::default().lr(1e-3))
        .stop(StopRules::max_iterations(gd_steps))
        .observer(&mut hist)
        .run()
        .unwrap();
    println!(
        "  gradient descent, step 1e-3: {:.6} after {} steps (scipy-side reference after 5000: {:.6})",
        report.value,
        report.iterations,
        p.gd_trace.last().copied().unwrap_or(f64::NAN)
    );
    println!("  The dense Hessian would be 240 x 240; Newton-CG only needs H v products.");
    figures.push(plot::save(&dir, "lsq15_newton_cg.svg", |path| {
        let gd = curve(&hist, 0.0);
        let ncg_pts = curve(&ncg_hist, 0.0);
        plot::line_chart(
            path,
            &Chart::new(
                "Least squares, 240 unknowns (notebook 004)",
                "iteration",
                "loss",
            )
            .log_y(),
            &[
                Series::new("gradient descent, step 1e-3", gd),
                Series::new("Newton-CG (Hessian-vector products)", ncg_pts).markers(),
                Series::new(
                    "least-squares minimum",
                    vec![(0.0, p.min_fun), (gd_steps as f64, p.min_fun)],
                )
                .light(),
            ],
        )
    }));

    // ---------------------------------------------------------------------------------------
    heading("6. tanh and its derivatives up to order 6 (tanh::derivatives::<7>, Taylor jets)");
    let d = tanh::derivatives::<7>(1.0);
    println!("  at x = 1: {d:.12?}");
    let t = 1f64.tanh();
    let s = 1.0 - t * t;
    println!(
        "  check: tanh' = 1 - tanh^2 = {s:.12}, tanh'' = -2 tanh tanh' = {:.12}",
        -2.0 * t * s
    );
    let mut series: Vec<Series> = (0..7)
        .map(|k| Series::new(format!("order {k}"), Vec::new()))
        .collect();
    for i in 0..=400 {
        let x = -4.0 + 8.0 * i as f64 / 400.0;
        for (k, v) in tanh::derivatives::<7>(x).into_iter().enumerate() {
            series[k].points.push((x, v));
        }
    }
    series[0].label = "tanh".into();
    figures.push(plot::save(&dir, "tanh_derivatives.svg", |path| {
        plot::line_chart(
            path,
            &Chart::new(
                "tanh(x) and its derivatives 1 to 6",
                "x",
                "d^k/dx^k tanh(x)",
            )
            .legend(SeriesLabelPosition::LowerRight),
            &series,
        )
    }));

    // ---------------------------------------------------------------------------------------
    heading("Figures");
    let ok = figures.iter().filter(|p| plot::looks_like_svg(p)).count();
    println!(
        "{ok} of {} figures written as SVG to {}",
        figures.len(),
        dir.display()
    );
}
