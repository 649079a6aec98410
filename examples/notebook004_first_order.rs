//! Notebook 004, "First-order optimisation", in Rust.
//!
//! d/dx x^cos(x) exact vs finite differences; the notebook's tanh and its derivatives up to
//! order 6; gradient descent on theta^2 with step 0.25 / 0.01 / 0.5 / 0.98 (19 / 606 / 2 / 301
//! steps); minibatch SGD in one pass over 100,000 points; gradient descent and momentum with
//! random restarts on the "nightmare" function; Newton-CG on Hessian-vector products vs gradient
//! descent on the 15-dimensional least-squares problem (240 unknowns).
//!
//! The solvers are `optim`'s: the minibatch pass is `optim::train` (seeded shuffling, batch
//! mean), the restarts are `optim::random_restarts`, and Newton-CG is `optim::NewtonCg` (scipy's
//! algorithm, on the Hessian-vector products generated for `lsq15`).
//!
//! Random numbers: the notebook draws them unseeded (`np.random`); here they come from a fixed
//! seed (`optim::Rng`, xoshiro256**), so runs are reproducible but are not the notebook's draws.
//! The least-squares data is the oracle's seed-42 numpy data.
//!
//! The nightmare function's text in the converted notebook is garbled (unbalanced parentheses in
//! its third term); it is reconstructed here as `- 0.08 sin(6 |theta + false_ctr|)` (the
//! garbled line has `ord=2, axis=1`, the arguments of `np.linalg.norm`, and the factors 6 and
//! 0.08): ripples that make "narrow valleys everywhere".
//!
//! ```sh
//! cargo run --release --example notebook004_first_order [FIGURES_DIR]
//! ```
//! Figures: `AUTODIFF_FIGURES`, else the first argument, else `target/figures`.
//! `AUTODIFF_FAST=1`: 10,000 instead of 100,000 points for the minibatch pass, 5 instead of 20
//! restarts, 1000 instead of 5000 gradient-descent steps on the least squares, coarser maps.

#[path = "common/lsq15.rs"]
mod lsq15;
#[path = "common/plot.rs"]
mod plot;

use autodiff::differentiable;
use autodiff::optim::{
    minimize, random_restarts, train, GradNorm, History, MinibatchConfig, NewtonCgConfig,
    NoSchedule, Optimizer, Progress, Rng, SgdConfig, Status, StopRules,
};
use autodiff::Objective;
use plot::{Chart, Map, Path2, Series};
use plotters::prelude::SeriesLabelPosition;

#[differentiable]
fn x_pow_cos_x(x: f64) -> f64 {
    x.powf(x.cos())
}

/// The notebook's hand-written derivative.
fn df_notebook(x: f64) -> f64 {
    x.powf(x.cos() - 1.0) * (x.cos() - x * x.ln() * x.sin())
}

/// The notebook's "tanh": `(1 - e^-x) / (1 + e^-x)` (which is tanh(x/2)).
#[differentiable]
fn tanh(x: f64) -> f64 {
    let y = (-x).exp();
    (1.0 - y) / (1.0 + y)
}

/// `np.tanh(np.sum(x**2) - k)`, differentiated with respect to `x` only.
#[allow(clippy::needless_range_loop)] // `#[differentiable]` bodies use index loops
#[differentiable(wrt(x))]
fn tanh_sum_sqr(x: &[f64; 3], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += x[i] * x[i];
    }
    (s - k).tanh()
}

/// f(x) = x^4 - 40 x^2 - 100 x (the analytic example; minimum at 5).
#[differentiable]
fn quartic(x: f64) -> f64 {
    x.powi(4) - 40.0 * x * x - 100.0 * x
}

#[differentiable]
fn theta_sq(theta: f64) -> f64 {
    theta * theta
}

/// Sum of squared residuals of the line m x + c over the data (notebook's `linear_loss`).
#[differentiable(wrt(m, c))]
fn linear_loss(m: f64, c: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        let r = m * xs[i] + c - ys[i];
        s += r * r;
    }
    s
}

/// The "nightmare" function (see the crate docs above for the reconstructed term).
#[differentiable]
fn nightmare(x: f64, y: f64) -> f64 {
    let mut loss = -(-((x + 2.0).powi(2) + (y - 3.0).powi(2)) / 20.0).exp();
    loss += (-((x - 2.0).powi(2) + (y + 3.0).powi(2)) / 20.0).exp();
    loss -= (6.0 * (x + 3.0).hypot(y + 0.5)).sin() * 0.08;
    loss -= (-((x - 3.0).powi(2) + (y - 0.5).powi(2)) / 5.0).exp() * 0.75;
    loss -= (-((x + 3.0).powi(2) + (y + 0.5).powi(2)) / 2.0).exp() * 0.75;
    loss += (-(y + 1.0).powi(2) * 2.0).exp();
    loss
}

fn heading(t: &str) {
    println!();
    println!("== {t}");
}

fn main() {
    let fast = plot::fast_mode();
    let dir = plot::figures_dir();
    let cells = if fast { 30 } else { 60 };
    let mut figs = Vec::new();

    heading("Analytic: f = x^4 - 40x^2 - 100x");
    let [_, d1, d2] = quartic::derivatives::<3>(5.0);
    println!("df(5.0), ddf(5.0) = {d1} {d2}   (notebook: 0.0 220.0)");

    heading("d/dx x^cos(x): exact vs central differences with h = 1e-4 (notebook cell 16)");
    println!("   x     autodiff (derivatives::<2>)  notebook formula        central h=1e-4         |fd - exact|");
    for x in [0.5, 1.0, 2.0, 5.0, 10.0] {
        let [_, d] = x_pow_cos_x::derivatives::<2>(x);
        let fd = (x_pow_cos_x(x + 1e-4) - x_pow_cos_x(x - 1e-4)) / 2e-4;
        println!(
            "  {x:>4}  {d:<27} {:<23} {fd:<22} {:.1e}",
            df_notebook(x),
            (fd - d).abs()
        );
    }
    println!("  (oracle exact at x = 2: -0.6282794832343902; autograd/jax/torch: ...3903)");
    figs.push(plot::save(&dir, "nb004_fd_residuals.svg", |p| {
        let xs: Vec<f64> = (1..=200).map(|i| 20.0 * i as f64 / 200.0).collect();
        let series: Vec<Series> = (0..=18)
            .step_by(3)
            .map(|d| {
                let h = 5f64.powi(-d);
                let pts = xs
                    .iter()
                    .map(|&x| {
                        let exact = x_pow_cos_x::derivatives::<2>(x)[1];
                        let fd = (x_pow_cos_x(x + h) - x_pow_cos_x(x - h)) / (2.0 * h);
                        (x, (fd - exact).abs().max(1e-17))
                    })
                    .collect();
                Series::new(format!("h = 5^-{d} = {h:.3e}"), pts)
            })
            .collect();
        plot::line_chart(
            p,
            &Chart::new(
                "Residual of central differences of x^cos(x)",
                "x",
                "|fd - exact|",
            )
            .log_y()
            .legend(SeriesLabelPosition::LowerRight),
            &series,
        )
    }));

    heading("The notebook's tanh = (1 - e^-x)/(1 + e^-x) (autograd cells 18-20)");
    let (_, g) = tanh::grad(1.0);
    println!("grad_tanh(1.0) = {g:?}   (notebook: 0.39322386648296376)");
    println!(
        "finite difference = {:?}   (notebook: 0.39322386636453377)",
        (tanh(1.0001) - tanh(0.9999)) / 0.0002
    );
    println!(
        "orders 0..6 at x = 1 (tanh::derivatives::<7>): {:.10?}",
        tanh::derivatives::<7>(1.0)
    );
    let tss = tanh_sum_sqr(&[-0.1, 0.2, 0.6], 0.5);
    let (_, gt) = tanh_sum_sqr::grad(&[-0.1, 0.2, 0.3], 0.5);
    println!("tanh_sum_sqr([-0.1, 0.2, 0.6], 0.5) = {tss:?}   (notebook: -0.08975778474716013)");
    println!("its gradient at [-0.1, 0.2, 0.3] = {gt:.8?}   (notebook: [-0.17616545, 0.35233091, 0.52849636])");
    figs.push(plot::save(&dir, "nb004_tanh_derivatives.svg", |p| {
        let mut series: Vec<Series> = (0..7)
            .map(|k| Series::new(format!("order {k}"), vec![]))
            .collect();
        for i in 0..200 {
            let x = -7.0 + 14.0 * i as f64 / 199.0;
            for (k, v) in tanh::derivatives::<7>(x).into_iter().enumerate() {
                series[k].points.push((x, v));
            }
        }
        plot::line_chart(
            p,
            &Chart::new("The notebook's tanh and its derivatives 1 to 6", "x", "y")
                .legend(SeriesLabelPosition::LowerRight),
            &series,
        )
    }));

    heading("Gradient descent on theta^2 from -10, stop when sum |grad| <= 1e-4");
    let obj = theta_sq::objective();
    let mut gd_series = Vec::new();
    for (step, nb) in [(0.25, 19), (0.01, 606), (0.5, 2), (0.98, 301)] {
        let mut x = [-10.0];
        let mut hist = History::new();
        let r = minimize(&obj, &mut x)
            .with(SgdConfig::default().lr(step))
            .stop(StopRules::max_iterations(10_000).grad_norm(GradNorm::L1, 1e-4))
            .observer(&mut hist)
            .run()
            .unwrap();
        // The notebook's History counts tracked points: the start plus one per step.
        println!(
            "  step {step:<4}: Converged in {} steps   (notebook: Converged in {nb} steps)",
            r.iterations + 1
        );
        gd_series.push(
            Series::new(
                format!("step {step}"),
                hist.iterates.iter().map(|p| (p[0], p[0] * p[0])).collect(),
            )
            .markers(),
        );
    }
    figs.push(plot::save(&dir, "nb004_theta_sq.svg", |p| {
        let mut s = vec![Series::new(
            "L = theta^2",
            (0..=200)
                .map(|i| {
                    let t = -10.0 + 0.1 * i as f64;
                    (t, t * t)
                })
                .collect(),
        )
        .light()];
        s.extend(gd_series);
        plot::line_chart(
            p,
            &Chart::new("Gradient descent on theta^2 from -10", "theta", "loss")
                .legend(SeriesLabelPosition::MiddleMiddle),
            &s,
        )
    }));

    let n_points = if fast { 10_000 } else { 100_000 };
    heading(&format!(
        "Minibatch SGD, one pass over {n_points} points (fixed seed 2024)"
    ));
    let mut rng = Rng::new(2024);
    let xs: Vec<f64> = (0..n_points)
        .map(|i| 5.0 * i as f64 / (n_points - 1) as f64)
        .collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|x| x * 1.0 + 2.0 + rng.normal_with(0.0, 0.5))
        .collect();
    let (batch, step) = (10, 0.01);
    // One epoch, shuffled with seed 2024, batches of 10 averaged (the notebook's
    // `dL(...) / (j - i)`), a short last batch dropped (its `while i + batch_size <= len(xs)`).
    let config = MinibatchConfig::default()
        .epochs(1)
        .batch_size(batch)
        .seed(2024)
        .drop_last(true);
    let mut sgd = SgdConfig::default()
        .lr(step)
        .build::<f64, [f64; 2]>(2)
        .unwrap();
    // The closure adds one example's gradient (linear_loss::grad on a one-point slice); it sees
    // the parameters of every batch, so it also records the full-data error every 100 batches.
    let mut seen = 0;
    let mut trace = Vec::new();
    let fit = train(
        &[0.0, 0.0],
        n_points,
        &mut sgd,
        &config,
        &mut NoSchedule,
        |p, i, g| {
            if seen % (100 * batch) == 0 {
                let mse = linear_loss(p[0], p[1], &xs, &ys) / n_points as f64;
                trace.push(((seen / batch) as f64, mse));
            }
            seen += 1;
            let (loss, (gm, gc)) = linear_loss::grad(p[0], p[1], &xs[i..=i], &ys[i..=i]);
            g[0] += gm;
            g[1] += gc;
            loss
        },
    )
    .unwrap();
    let (m, c) = (fit.params[0], fit.params[1]);
    trace.push((
        fit.report.steps as f64,
        linear_loss(m, c, &xs, &ys) / n_points as f64,
    ));
    println!(
        "  batch {batch}, step {step}: m = {m:.4}, c = {c:.4} after {} minibatch steps (true: m = 1, c = 2)",
        fit.report.steps
    );
    println!(
        "  mean squared error {:.4} (noise variance 0.25); running training loss over the pass {:.4}",
        linear_loss(m, c, &xs, &ys) / n_points as f64,
        fit.mean_epoch_losses().next().unwrap_or(f64::NAN)
    );
    println!(
        "  (optim::train: SGD on the batch mean of linear_loss::grad, shuffled with seed 2024)"
    );
    figs.push(plot::save(&dir, "nb004_minibatch.svg", |p| {
        plot::line_chart(
            p,
            &Chart::new(
                "Minibatch SGD, one pass: full-data mean squared error",
                "minibatch step",
                "MSE",
            )
            .log_y(),
            &[Series::new("batch 10, step 0.01", trace)],
        )
    }));

    heading(
        "The nightmare function: gradient descent (start from seed 7), then momentum with random restarts (seed 8)",
    );
    let obj = nightmare::objective();
    let mut rng = Rng::new(7);
    let x0 = [rng.normal_with(0.0, 4.0), rng.normal_with(0.0, 4.0)];
    let mut x = x0;
    let mut hist = History::new();
    let r = minimize(&obj, &mut x)
        .with(SgdConfig::default().lr(0.5))
        .stop(StopRules::max_iterations(5000).grad_norm(GradNorm::L1, 1e-4))
        .observer(&mut hist)
        .observer(Progress::every(1000).to(std::io::stdout()))
        .run()
        .unwrap();
    println!("  gradient descent (step 0.5) from ({:.3}, {:.3}): {:?} after {} steps at ({:.3}, {:.3}), loss {:.4}", x0[0], x0[1], r.status, r.iterations, x[0], x[1], r.value);
    let mut paths = vec![Path2::new(
        "gradient descent",
        hist.iterates.iter().map(|p| (p[0], p[1])).collect(),
    )];
    let restarts = if fast { 5 } else { 20 };
    // optim::random_restarts: one seeded Rng draws every start point (N(0, 2^2) per
    // coordinate); the closure runs the driver from it (here with a History for the figure) and
    // returns its Report, whose final value ranks the runs.
    let mut momentum = SgdConfig::default()
        .lr(0.2)
        .momentum(0.9)
        .build::<f64, [f64; 2]>(2)
        .unwrap();
    let rules = StopRules::max_iterations(2000).loss_change(1e-4);
    let runs = random_restarts(
        2,
        restarts,
        8,
        |rng, x| rng.fill_normal(x, 0.0, 2.0),
        |i, x| {
            momentum.reset();
            let mut hist = History::new();
            let r = minimize(&obj, x)
                .with(&mut momentum)
                .stop(rules)
                .observer(&mut hist)
                .run()
                .unwrap();
            if i < 6 {
                paths.push(Path2::new(
                    format!("momentum, restart {i}"),
                    hist.iterates.iter().map(|p| (p[0], p[1])).collect(),
                ));
            }
            r
        },
    );
    for (i, run) in runs.runs.iter().enumerate() {
        let (start, x, r) = (&run.start, &run.params, &run.result);
        let (_, _, hess) = nightmare::hessian(x[0], x[1]);
        let ev = autodiff::sym_eigenvalues(&hess);
        println!(
            "  restart {i:>2}: ({:>6.3}, {:>6.3}) -> ({:>6.3}, {:>6.3}) loss {:>8.5} after {:>4} steps{}; Hessian eigenvalues ({:.3}, {:.3})",
            start[0], start[1], x[0], x[1], r.value, r.iterations,
            if r.status == Status::Diverged { " DIVERGED" } else { "" }, ev[0], ev[1]
        );
    }
    if let Some(best) = runs.best() {
        println!(
            "  best of {restarts}: loss {:.5} at ({:.4}, {:.4})  (optim::random_restarts; torch-style momentum 0.9, lr 0.2)",
            best.value, best.params[0], best.params[1]
        );
    }
    figs.push(plot::save(&dir, "nb004_nightmare.svg", |p| {
        let mut m = Map::new(
            "The nightmare function: GD and momentum restarts",
            (-6.0, 6.0),
            (-6.0, 6.0),
        )
        .linear();
        m.cells = cells;
        plot::heat_map(p, &m, &|x, y| nightmare(x, y), &paths)
    }));

    heading("Newton-CG on Hessian-vector products vs gradient descent (15-dim least squares, 240 unknowns)");
    let p = lsq15::load();
    let obj = lsq15::lsq15::objective(lsq15::N, &p.x, &p.y);
    println!(
        "  loss at theta0: {:.6} (oracle: 35769.264657754924)",
        obj.value(&p.theta0)
    );
    // scipy's Newton-CG as optim::NewtonCg: only Hessian-vector products (lsq15::hvp, generated).
    let mut ncg_theta = p.theta0.clone();
    let mut ncg_hist = History::new();
    // Only scipy's own rule (the step tolerance xtol) and an iteration limit, as scipy.
    let ncg = minimize(&obj, &mut ncg_theta)
        .with(NewtonCgConfig::default())
        .stop(StopRules::max_iterations(200 * lsq15::N))
        .observer(&mut ncg_hist)
        .run()
        .expect("lsq15 has Hessian-vector products");
    println!(
        "  Newton-CG: loss {:.9} in {} iterations ({} Hessian-vector products)",
        ncg.value, ncg.iterations, ncg.hvp_evals
    );
    println!("    scipy Newton-CG (hess, the notebook's call): {:.9} in {} iterations; least-squares minimum {:.9}", p.scipy_ncg.1, p.scipy_ncg.0, p.min_fun);
    let gd_steps = if fast { 1000 } else { 5000 };
    let mut theta = p.theta0.clone();
    let mut hist = History::new();
    let r = minimize(&obj, &mut theta)
        .with(SgdConfig::default().lr(1e-3))
        .stop(StopRules::max_iterations(gd_steps))
        .observer(&mut hist)
        .observer(Progress::every(1000).to(std::io::stdout()))
        .run()
        .unwrap();
    println!(
        "  gradient descent, step 1e-3: {:.6} after {} steps (oracle after 5000: {:.6})",
        r.value,
        r.iterations,
        p.gd_trace.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  A dense Hessian for 1,000,000 parameters: {} bytes of memory (notebook: 8000000000000)",
        1_000_000u64 * 1_000_000 * 8
    );
    figs.push(plot::save(&dir, "nb004_lsq15.svg", |path| {
        plot::line_chart(
            path,
            &Chart::new(
                "15-dim least squares: loss per iteration",
                "iteration",
                "loss",
            )
            .log_y(),
            &[
                Series::new(
                    "gradient descent, step 1e-3",
                    hist.values
                        .iter()
                        .enumerate()
                        .map(|(k, v)| (k as f64, *v))
                        .collect(),
                ),
                Series::new(
                    "Newton-CG",
                    ncg_hist
                        .values
                        .iter()
                        .enumerate()
                        .map(|(k, v)| (k as f64, *v))
                        .collect(),
                )
                .markers(),
            ],
        )
    }));

    let ok = figs.iter().filter(|p| plot::looks_like_svg(p)).count();
    println!(
        "{ok} of {} figures written as SVG to {}",
        figs.len(),
        dir.display()
    );
}
