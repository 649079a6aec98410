//! A model as Rust people write it: a parameter struct, a `loss` method written with iterators,
//! trained with Adam.
//!
//! `Net` is the 8-32-1 tanh network of the benchmarks. `#[derive(Differentiable)]` makes it a
//! parameter struct; `#[differentiable]` on its `impl` block gives `net.loss_grad(..)` (the
//! gradient is a `Net`) and `Net::loss_objective(..)`, the loss over the 321 flattened weights,
//! which the optimizer minimizes. The trained weights come back as a `Net` with `with_flat`.
//!
//! ```sh
//! cargo run --release --example struct_model [FIGURES_DIR]
//! ```
//! Figures: `AUTODIFF_FIGURES`, else the first argument, else `target/figures`.
//! `AUTODIFF_FAST=1`: 300 instead of 3000 Adam steps.

#[path = "common/plot.rs"]
mod plot;

use autodiff::optim::{minimize, AdamConfig, Rng, StopRules};
use autodiff::{differentiable, Differentiable};
use plot::{Chart, Series};

const NI: usize = 8;
const NH: usize = 32;

/// Weights of a network with `NI` inputs, `NH` tanh hidden units and one linear output.
#[derive(Clone, Debug, Differentiable)]
struct Net {
    w1: [[f64; NI]; NH],
    b1: [f64; NH],
    w2: [f64; NH],
    b2: f64,
}

#[differentiable]
impl Net {
    /// Mean squared error over the samples.
    fn loss(&self, xs: &[[f64; NI]], ys: &[f64]) -> f64 {
        let mut loss = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let r = self.predict(x) - y;
            loss += r * r;
        }
        loss / ys.len() as f64
    }

    /// The network's output for one input.
    fn predict(&self, x: &[f64; NI]) -> f64 {
        let mut out = self.b2;
        for h in 0..self.w1.len() {
            let z = self.w1[h]
                .iter()
                .zip(x)
                .fold(self.b1[h], |z, (w, xi)| z + w * xi);
            out += self.w2[h] * z.tanh();
        }
        out
    }
}

fn main() {
    let fast = plot::fast_mode();
    let dir = plot::figures_dir();
    let steps = if fast { 300 } else { 3000 };

    // Data: y = sin(x0 x1) + x2 / 2 on 256 random inputs in [-1, 1]^8.
    let mut rng = Rng::new(7);
    let mut uniform = || 2.0 * rng.next_f64() - 1.0;
    let xs: Vec<[f64; NI]> = (0..256)
        .map(|_| core::array::from_fn(|_| uniform()))
        .collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|x| (x[0] * x[1]).sin() + 0.5 * x[2])
        .collect();
    let net = Net {
        w1: core::array::from_fn(|_| core::array::from_fn(|_| 0.5 * uniform())),
        b1: [0.0; NH],
        w2: core::array::from_fn(|_| 0.5 * uniform()),
        b2: 0.0,
    };

    println!("Net: {NI}-{NH}-1 tanh network, {} weights", Net::DIM);
    let (loss0, grad) = net.loss_grad(&xs, &ys);
    let norm = {
        let mut g = [0.0; Net::DIM];
        grad.flatten_into(&mut g);
        g.iter().map(|v| v * v).sum::<f64>().sqrt()
    };
    println!(
        "initial loss {loss0:.6}, |grad| {norm:.6} (the gradient is a Net: grad.b2 = {:.6})",
        grad.b2
    );

    // Adam on the flattened weights.
    let mut w = [0.0; Net::DIM];
    net.flatten_into(&mut w);
    let objective = Net::loss_objective(&net, &xs, &ys);
    let mut curve = Vec::new();
    let report = minimize(&objective, &mut w)
        .with(AdamConfig::default().lr(1e-2))
        .stop(StopRules::max_iterations(steps))
        .observe(|it| {
            curve.push((it.iteration as f64, it.value));
            if it.iteration % (steps / 10) == 0 {
                println!("  step {:5}  loss {:.6}", it.iteration, it.value);
            }
        })
        .run()
        .expect("Adam on the network");
    let trained = net.with_flat(&w);
    let loss = trained.loss(&xs, &ys);
    println!(
        "after {} Adam steps: loss {loss:.6} ({:.1}x lower)",
        report.iterations,
        loss0 / loss
    );

    let figs = [plot::save(&dir, "struct_model_loss.svg", |p| {
        plot::line_chart(
            p,
            &Chart::new("8-32-1 network (a struct), Adam lr 1e-2", "step", "loss").log_y(),
            &[Series::new("training loss", curve)],
        )
    })];
    let ok = figs.iter().filter(|p| plot::looks_like_svg(p)).count();
    println!(
        "{ok} of {} figures written as SVG to {}",
        figs.len(),
        dir.display()
    );
}
