//! The test problems: least squares over 100,000 points, a small neural network (8-32-1,
//! tanh), and notebook 004's nightmare function, all `#[differentiable]`.

use autodiff::differentiable;

/// Deterministic uniform numbers in `[lo, hi)` (a 64-bit LCG), the same on every process.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Notebook 004's least squares: the sum of squared residuals of the line `m x + c`.
#[differentiable(wrt(m, c))]
pub fn least_squares(m: f64, c: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = m * x[i] + c - y[i];
        s += r * r;
    }
    s
}

/// `n` points around the line `1.7 x + 0.3` with uniform noise.
pub fn line_data(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Lcg::new(42);
    let x: Vec<f64> = (0..n).map(|_| rng.uniform(-5.0, 5.0)).collect();
    let y = x
        .iter()
        .map(|&xi| 1.7 * xi + 0.3 + rng.uniform(-0.5, 0.5))
        .collect();
    (x, y)
}

pub const NI: usize = 8;
pub const NH: usize = 32;
/// Weights of the network: W1 (32 x 8), b1 (32), W2 (32), b2.
pub const NW: usize = NH * NI + NH + NH + 1;

/// Mean squared error of an 8-32-1 tanh network over the samples of `xs` / `ys`, scaled by
/// `inv_m` (one over the whole dataset's size, so chunks add up to the mean).
#[differentiable(wrt(w))]
pub fn mlp(w: &[f64], xs: &[f64], ys: &[f64], inv_m: f64) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            out += w[NH * NI + NH + j] * z.tanh();
        }
        let r = out - ys[s];
        loss += r * r * inv_m;
    }
    loss
}

/// `m` samples of a smooth teacher with noise, and initial weights like PyTorch's default.
pub fn mlp_data(m: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Lcg::new(7);
    let xs: Vec<f64> = (0..m * NI).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let ys = (0..m)
        .map(|s| {
            let x = &xs[s * NI..(s + 1) * NI];
            (x[0] + 0.5 * x[1] * x[2]).sin() - 0.3 * x[7] + rng.uniform(-0.1, 0.1)
        })
        .collect();
    let w = (0..NW)
        .map(|k| {
            let fan_in = if k < NH * NI + NH { NI } else { NH };
            rng.uniform(-1.0, 1.0) / (fan_in as f64).sqrt()
        })
        .collect();
    (xs, ys, w)
}

/// Notebook 004's "nightmare" function (as in `examples/notebook004_first_order.rs`).
#[differentiable]
pub fn nightmare(x: f64, y: f64) -> f64 {
    let mut loss = -(-((x + 2.0).powi(2) + (y - 3.0).powi(2)) / 20.0).exp();
    loss += (-((x - 2.0).powi(2) + (y + 3.0).powi(2)) / 20.0).exp();
    loss -= (6.0 * (x + 3.0).hypot(y + 0.5)).sin() * 0.08;
    loss -= (-((x - 3.0).powi(2) + (y - 0.5).powi(2)) / 5.0).exp() * 0.75;
    loss -= (-((x + 3.0).powi(2) + (y + 0.5).powi(2)) / 2.0).exp() * 0.75;
    loss += (-(y + 1.0).powi(2) * 2.0).exp();
    loss
}
