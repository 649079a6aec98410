//! Notebook 001, "Optimization with PyTorch", in Rust.
//!
//! 1. Minimizing |x^2| by hand from x = 2.5 with lr 0.1 for 40 iterations (`x -= lr * x.grad`),
//!    printing y at every iteration next to the notebook's printout.
//! 2. The built-in optimizers on h(x) = x^2/20 + tanh(sin x): Adam lr 2 from 8 for 15 steps
//!    (the notebook prints `tensor([-0.275])`), then the other optimizers the notebook lists,
//!    and Adam with a step learning-rate schedule.
//! 3. L-BFGS on h from 8 with `torch.optim.LBFGS.step(closure)` semantics
//!    (`optim::Lbfgs::step`): with `line_search_fn="strong_wolfe"` (lr 1) it converges to the
//!    local minimum x = 3.98470629621784 in the first step, as PyTorch does; with the notebook's
//!    lr 2 and no line search every quasi-Newton step is doubled and the iterates fall into a
//!    2-cycle between 3.2537 and 5.0494. (The notebook's own closure neither zeroes nor
//!    back-propagates, which makes its run chaotic: `tensor([3.372])` in float32, 4.66 in
//!    float64; that closure is not reproduced.)
//!
//! ```sh
//! cargo run --release --example notebook001_pytorch_optimizers [FIGURES_DIR]
//! ```
//! Figures: `AUTODIFF_FIGURES`, else the first argument, else `target/figures`.
//! `AUTODIFF_FAST=1` changes nothing here (every run takes microseconds); it is accepted for
//! uniformity with the other examples.

#[path = "common/plot.rs"]
mod plot;

use autodiff::differentiable;
use autodiff::optim::{
    minimize, AdadeltaConfig, AdagradConfig, AdamConfig, History, Lbfgs, LbfgsConfig, Optimizer,
    RmsPropConfig, SgdConfig, StepLr, StopRules,
};
use plot::{Chart, Series};
use plotters::prelude::SeriesLabelPosition;

/// The notebook's loss of §1.4: `f(x).abs()` with `f(x) = x**2`.
#[differentiable]
fn abs_sq(x: f64) -> f64 {
    (x * x).abs()
}

/// The notebook's `func_2d`: `x**2 / 20 + x.sin().tanh()`.
#[differentiable]
fn h(x: f64) -> f64 {
    x * x / 20.0 + x.sin().tanh()
}

/// The notebook's printout of `y.data` (float32 torch, `precision=3`).
const NOTEBOOK_Y: [&str; 40] = [
    "6.250",
    "4.",
    "2.560",
    "1.638",
    "1.049",
    "0.671",
    "0.429",
    "0.275",
    "0.176",
    "0.113",
    "0.072",
    "0.046",
    "0.030",
    "0.019",
    "0.012",
    "0.008",
    "0.005",
    "0.003",
    "0.002",
    "0.001",
    "0.001",
    "0.001",
    "0.000",
    "0.000",
    "0.000",
    "8.920e-05",
    "5.709e-05",
    "3.654e-05",
    "2.338e-05",
    "1.497e-05",
    "9.578e-06",
    "6.130e-06",
    "3.923e-06",
    "2.511e-06",
    "1.607e-06",
    "1.028e-06",
    "6.582e-07",
    "4.212e-07",
    "2.696e-07",
    "1.725e-07",
];

/// A one-element tensor as torch prints it with `precision=3`: integers as `4.`, values below
/// 1e-4 (or above 1e8) in scientific notation `8.920e-05`, else `0.671`.
fn torch_fmt(v: f64) -> String {
    let a = v.abs();
    if v.fract() == 0.0 && a < 1e8 {
        format!("{v:.0}.")
    } else if a != 0.0 && !(1e-4..=1e8).contains(&a) {
        let s = format!("{v:.3e}");
        let (m, e) = s.split_once('e').expect("exponent");
        let e: i32 = e.parse().expect("integer exponent");
        format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        format!("{v:.3}")
    }
}

fn main() {
    let dir = plot::figures_dir();
    let _ = plot::fast_mode();

    // --- 1.4: by hand ----------------------------------------------------------------------
    println!("1.4  x <- x - lr * d|x^2|/dx from x = 2.5, lr = 0.1, 40 iterations");
    println!("     iter  y (Rust, f64)            printed   notebook  ");
    let (mut x, lr) = (2.5f64, 0.1);
    let mut matches = 0;
    let mut path = Vec::new();
    for (i, nb) in NOTEBOOK_Y.iter().enumerate() {
        let (y, g) = abs_sq::grad(x);
        // torch: `x -= lr * x.grad`, a product then a subtraction (no fused multiply-add).
        x -= lr * g;
        path.push((x, y));
        let ours = torch_fmt(y);
        matches += usize::from(ours == *nb);
        println!(
            "     {i:>4}  {y:<24e} {ours:<9} {nb:<9} {}",
            if ours == *nb { "same" } else { "DIFFERENT" }
        );
    }
    println!("     {matches} of 40 printed values agree with the notebook");

    // --- 1.5: Adam on h ----------------------------------------------------------------------
    println!();
    println!("1.5  Adam (lr 2) on h(x) = x^2/20 + tanh(sin x) from x = 8, 15 iterations");
    let obj = h::objective();
    let mut hist = History::new();
    let mut xs = [8.0];
    minimize(&obj, &mut xs)
        .with(AdamConfig::default().lr(2.0))
        .stop(StopRules::max_iterations(15))
        .observer(&mut hist)
        .run()
        .expect("Adam runs on h");
    // The notebook prints `f` of its last loop iteration: the loss before the 15th step.
    let last = hist.values[14];
    println!(
        "     h at the last iteration: {last:.5} -> prints tensor([{}]); notebook: tensor([-0.275])",
        torch_fmt(last)
    );
    println!(
        "     (PyTorch float64: -0.27488...; after the 15th step x = {:.6}, h = {:.6})",
        xs[0],
        h(xs[0])
    );
    let adam_points: Vec<(f64, f64)> = hist.iterates.iter().map(|p| (p[0], h(p[0]))).collect();

    // The optimizers the notebook lists ("try each one"), with its constructor arguments, 200 steps.
    println!();
    println!(
        "     The notebook's list of optimizers, lr 0.01 as written there, 200 steps from x = 8:"
    );
    let run = |name: &str, opt: &mut dyn Optimizer<f64>| {
        let mut xs = [8.0];
        let r = minimize(&obj, &mut xs)
            .with(opt)
            .stop(StopRules::max_iterations(200))
            .run()
            .expect("the optimizer runs on h");
        println!("     {name:<28} x = {:>9.5}, h = {:>8.5}", xs[0], r.value);
    };
    run(
        "SGD lr 0.01, momentum 0.9",
        &mut SgdConfig::default()
            .lr(0.01)
            .momentum(0.9)
            .build::<f64, [f64; 1]>(1)
            .unwrap(),
    );
    run(
        "Adam lr 0.01",
        &mut AdamConfig::default()
            .lr(0.01)
            .build::<f64, [f64; 1]>(1)
            .unwrap(),
    );
    run(
        "Adadelta lr 0.01",
        &mut AdadeltaConfig::default()
            .lr(0.01)
            .build::<f64, [f64; 1]>(1)
            .unwrap(),
    );
    run(
        "Adagrad lr 0.01",
        &mut AdagradConfig::default()
            .lr(0.01)
            .build::<f64, [f64; 1]>(1)
            .unwrap(),
    );
    run(
        "RMSprop lr 0.01",
        &mut RmsPropConfig::default()
            .lr(0.01)
            .build::<f64, [f64; 1]>(1)
            .unwrap(),
    );
    println!(
        "     (the local minimum near x = 4 traps the slow ones; Adam lr 2 above jumps past it)"
    );

    // A learning-rate schedule (notebook §1.6, note 3): Adam lr 2, halved every 5 steps.
    let mut adam = AdamConfig::default()
        .lr(2.0)
        .build::<f64, [f64; 1]>(1)
        .unwrap();
    let mut sched = StepLr::new(5, 0.5).unwrap();
    let mut xs = [8.0];
    let mut sched_points = vec![(xs[0], h(xs[0]))];
    for _ in 0..15 {
        let (_, g) = h::grad(xs[0]);
        adam.step(&mut xs, &[g]);
        sched.step(&mut adam);
        sched_points.push((xs[0], h(xs[0])));
    }
    println!(
        "     Adam lr 2 with StepLR(step_size 5, gamma 0.5), 15 steps: x = {:.5}, h = {:.5}",
        xs[0],
        h(xs[0])
    );

    // --- L-BFGS: torch's step(closure), 40 calls from 8 ----------------------------------------
    println!();
    println!("1.5  L-BFGS on h from x = 8, 40 calls of step(closure) (optim::Lbfgs::step, torch semantics)");
    // The closure is h's value and gradient (a proper closure: zero_grad, loss, backward). Each
    // call runs up to 20 inner iterations; the state (history, direction) carries over.
    // Storage: one `[f64; 1]` per vector and `[[f64; 1]; 100]` for the 100 pairs (no allocation).
    let lbfgs_run = |config: LbfgsConfig| {
        let mut lbfgs: Lbfgs<f64, [f64; 1], [[f64; 1]; 100]> = config.build(1).unwrap();
        let mut xs = [8.0];
        let mut after = Vec::new();
        let mut first = (0, 0);
        for k in 0..40 {
            lbfgs.step(&obj, &mut xs);
            after.push(xs[0]);
            if k == 0 {
                first = (lbfgs.func_evals(), lbfgs.n_iter());
            }
        }
        (after, first, (lbfgs.func_evals(), lbfgs.n_iter()))
    };
    let (wolfe, first, total) = lbfgs_run(LbfgsConfig::default().strong_wolfe(true));
    println!(
        "     strong Wolfe, lr 1: x = {:.14} after the first step, {:.14} after 40 (h = {:.6})",
        wolfe[0],
        wolfe[39],
        h(wolfe[39])
    );
    println!(
        "       evaluations / inner iterations: {} / {} in the first step, {} / {} in all 40 (PyTorch: 5 / 3, 44 / 42)",
        first.0, first.1, total.0, total.1
    );
    let (fixed, _, total) = lbfgs_run(LbfgsConfig::default().lr(2.0));
    println!(
        "     no line search, lr 2: x = {:.13} after 40 steps, {} evaluations (PyTorch: 3.2536699113698, 800);",
        fixed[39], total.0
    );
    println!(
        "       inside each step the iterates alternate 3.2537, 5.0494, ...: lr 2 doubles every"
    );
    println!("       quasi-Newton step (\"LBFGS does not work well here\", as the notebook says)");
    println!("     (the notebook's closure skips zero_grad/backward: its run is chaotic, tensor([3.372])");
    println!("      in float32 and 4.66 in float64, and is not reproduced here)");
    let lbfgs_points: Vec<(f64, f64)> = std::iter::once(8.0)
        .chain(wolfe.iter().copied().take(1))
        .map(|x| (x, h(x)))
        .collect();

    // --- figures -----------------------------------------------------------------------------
    let curve = |f: fn(f64) -> f64, a: f64, b: f64| {
        (0..=400)
            .map(|i| {
                let x = a + (b - a) * i as f64 / 400.0;
                (x, f(x))
            })
            .collect::<Vec<_>>()
    };
    let mut figs = vec![plot::save(&dir, "nb001_x2_descent.svg", |p| {
        plot::line_chart(
            p,
            &Chart::new("y = |x^2|, gradient descent from 2.5 (lr 0.1)", "x", "y")
                .legend(SeriesLabelPosition::UpperLeft),
            &[
                Series::new("y = x^2", curve(|x| x * x, -3.0, 3.0)).light(),
                Series::new("iterates (x after the step, y before)", path).markers(),
            ],
        )
    })];
    figs.push(plot::save(&dir, "nb001_adam_h.svg", |p| {
        plot::line_chart(
            p,
            &Chart::new(
                "Adam (lr 2) and L-BFGS on h(x) = x^2/20 + tanh(sin x) from 8",
                "x",
                "h(x)",
            )
            .legend(SeriesLabelPosition::MiddleMiddle),
            &[
                Series::new("h(x)", curve(h, -10.0, 10.0)).light(),
                Series::new("Adam lr 2, 15 steps", adam_points).markers(),
                Series::new("Adam lr 2 + StepLR(5, 0.5)", sched_points).markers(),
                Series::new("L-BFGS strong Wolfe, first step", lbfgs_points).markers(),
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
