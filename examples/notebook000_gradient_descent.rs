//! Notebook 000, "Optimization and Gradient Descent", in Rust.
//!
//! The notebook minimizes f(x, y) = (x - 1)^2 + 4 (y + 1)^2 + x y / 2 with PyTorch: it asks
//! autograd for the gradient at (3, 3), then runs plain gradient descent (`torch.optim.SGD`,
//! lr 0.1) from there until the gradient norm drops below 1e-4. It does the same for a function
//! with two local minima, g(x, y) = ((x + 1)^2 + (y + 1)^2) ((x - 3)^2 + (y - 3)^2 + 1).
//!
//! Here `#[differentiable]` writes the gradients at compile time (`f::grad`, `g::grad`); the
//! descent loop is ordinary Rust in `main`.
//!
//! Run with `cargo run --release --example notebook000_gradient_descent`.

use autodiff::differentiable;

/// The notebook's loss: `(x - 1)**2 + 4*(y + 1)**2 + x*y/2`.
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

/// The notebook's function with two local minima:
/// `((x + 1)**2 + (y + 1)**2) * ((x - 3)**2 + (y - 3)**2 + 1)`.
#[differentiable]
fn g(x: f64, y: f64) -> f64 {
    ((x + 1.0).powi(2) + (y + 1.0).powi(2)) * ((x - 3.0).powi(2) + (y - 3.0).powi(2) + 1.0)
}

/// Stop when the gradient norm is below this (the notebook's `torch.hypot(x.grad, y.grad) < 1e-4`).
const GRAD_NORM_TOL: f64 = 1e-4;
/// The notebook's `n_steps`.
const N_STEPS: usize = 50;

/// Where PyTorch stops (float64 `torch.optim.SGD` in the notebook's loop), from the oracle file
/// `optimizer_trajectories.json`: the step at which |grad| < 1e-4, and the point and value there.
struct TorchStop {
    step: usize,
    x: f64,
    y: f64,
    z: f64,
}

const TORCH_F_STOP: TorchStop = TorchStop {
    step: 47,
    x: 1.2698904040352674,
    y: -1.0793691458352987,
    z: -0.5873015849211749,
};
const TORCH_G_STOP: TorchStop = TorchStop {
    step: 41,
    x: 2.8660264309958565,
    y: 2.8660265022543583,
    z: 30.965390309234063,
};

/// The result of one descent run.
struct Run {
    /// Index of the step at which the gradient norm fell below the tolerance (`None`: it never did).
    stopped_at: Option<usize>,
    x: f64,
    y: f64,
    z: f64,
}

/// Gradient descent exactly as the notebook's loop does it: evaluate value and gradient, stop if
/// the gradient is small, otherwise step. `report(step, x, y, z, gx, gy)` sees every step taken.
///
/// The update is `torch.optim.SGD`'s `p.add_(grad, alpha=-lr)`, which PyTorch computes with a
/// fused multiply-add; `mul_add` does the same. Given the same gradients the iterates are then
/// PyTorch's to the bit, which the printed differences to the oracle's end points show.
fn descend(
    grad: fn(f64, f64) -> (f64, (f64, f64)),
    (mut x, mut y): (f64, f64),
    lr: f64,
    mut report: impl FnMut(usize, f64, f64, f64, f64, f64),
) -> Run {
    let mut z = f64::NAN;
    for step in 0..N_STEPS {
        let (value, (gx, gy)) = grad(x, y);
        z = value;
        if gx.hypot(gy) < GRAD_NORM_TOL {
            return Run {
                stopped_at: Some(step),
                x,
                y,
                z,
            };
        }
        report(step, x, y, z, gx, gy);
        x = (-lr).mul_add(gx, x);
        y = (-lr).mul_add(gy, y);
    }
    Run {
        stopped_at: None,
        x,
        y,
        z,
    }
}

fn print_comparison(run: &Run, torch: &TorchStop) {
    let step = torch.step;
    match run.stopped_at {
        Some(k) => println!("  stopped at step {k} (PyTorch: step {step})"),
        None => println!("  no |grad| < {GRAD_NORM_TOL} in {N_STEPS} steps (PyTorch: step {step})"),
    }
    println!(
        "  differences to PyTorch: x {:.1e}, y {:.1e}, z {:.1e}",
        (run.x - torch.x).abs(),
        (run.y - torch.y).abs(),
        (run.z - torch.z).abs()
    );
}

fn main() {
    // --- The gradient at (3, 3) -----------------------------------------------------------
    println!("f(x, y) = (x - 1)^2 + 4 (y + 1)^2 + x y / 2");
    println!("f(3, 3) = {}", f(3.0, 3.0));
    let (z, (gx, gy)) = f::grad(3.0, 3.0);
    println!("f::grad(3, 3): value {z}, gradient ({gx}, {gy})");
    println!("  notebook (PyTorch autograd): ∂f/∂x = 5.5, ∂f/∂y = 33.5");
    println!("  by hand: ∂f/∂x = 2(x - 1) + y/2 = 5.5, ∂f/∂y = 8(y + 1) + x/2 = 33.5");

    // Forward and reverse mode give the same numbers one direction / one seed at a time.
    let (_, dfdx) = f::jvp(3.0, 3.0, 1.0, 0.0);
    let (_, dfdy) = f::jvp(3.0, 3.0, 0.0, 1.0);
    let (_, (bx, by)) = f::vjp(3.0, 3.0, 1.0);
    println!("  f::jvp along (1, 0) and (0, 1): {dfdx}, {dfdy}; f::vjp with seed 1: ({bx}, {by})");

    // --- Gradient descent on f, printing every step like the notebook ---------------------
    let lr = 0.1;
    println!();
    println!("Gradient descent on f from (3, 3), lr = {lr}:");
    let run = descend(f::grad, (3.0, 3.0), lr, |step, x, y, z, gx, gy| {
        println!("Step number {step}");
        println!("  x = {x};  ∂f/∂x = {gx}");
        println!("  y = {y};  ∂f/∂y = {gy}");
        println!("  z = {z}");
    });
    println!("Final result:");
    println!("  f({}, {}) = {}", run.x, run.y, run.z);
    print_comparison(&run, &TORCH_F_STOP);

    // --- Gradient descent on g, a shorter printout -----------------------------------------
    let lr = 0.005;
    println!();
    println!("g(x, y) = ((x + 1)^2 + (y + 1)^2) ((x - 3)^2 + (y - 3)^2 + 1)");
    println!("Gradient descent on g from (3.5, 4), lr = {lr} (every 5th step):");
    let run = descend(g::grad, (3.5, 4.0), lr, |step, x, y, z, gx, gy| {
        if step % 5 == 0 {
            println!(
                "  step {step:2}: g({x:.6}, {y:.6}) = {z:.6}, |grad| = {:.2e}",
                gx.hypot(gy)
            );
        }
    });
    println!("Final result:");
    println!("  g({}, {}) = {}", run.x, run.y, run.z);
    print_comparison(&run, &TORCH_G_STOP);
    println!(
        "  This is the local minimum near (2.87, 2.87); g's global minimum g = 0 is at (-1, -1)."
    );
}
