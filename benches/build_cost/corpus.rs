// The fixed corpus of benches/build_cost.sh: 20 typical `#[differentiable]` functions (from
// tests/corpus/*.rs, benches/programs.rs and the README). The script builds it as written and
// with every `#[differentiable...]` line removed (and the derive of `Differentiable` dropped).
// Changing this file changes the figures: keep it fixed, or say so next to new figures.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern, dead_code)]

use autodiff::{differentiable, Differentiable};

#[differentiable]
pub fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
pub fn rosen_arr<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
pub fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

#[differentiable]
pub fn beale(x: f64, y: f64) -> f64 {
    (1.5 - x + x * y).powi(2) + (2.25 - x + x * y * y).powi(2) + (2.625 - x + x * y * y * y).powi(2)
}

#[differentiable]
pub fn quadratic(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

#[differentiable(wrt(m, c))]
pub fn least_squares(m: f64, c: f64, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = m * x[i] + c - y[i];
        s += r * r;
    }
    s / x.len() as f64
}

#[differentiable(wrt(m, c))]
pub fn chi2(m: f64, c: f64, x: &[f64], y: &[f64], sigma: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = (y[i] - (m * x[i] + c)) / sigma[i];
        s += r * r;
    }
    s
}

#[differentiable(wrt(w))]
pub fn logistic_loss(w: &[f64], xs: &[f64], labels: &[f64]) -> f64 {
    let d = w.len();
    let n = labels.len();
    let mut loss = 0.0;
    for s in 0..n {
        let mut z = 0.0;
        for i in 0..d {
            z += w[i] * xs[s * d + i];
        }
        let p = 1.0 / (1.0 + (-z).exp());
        loss -= labels[s] * p.ln() + (1.0 - labels[s]) * (1.0 - p).ln();
    }
    loss / n as f64
}

#[differentiable(wrt(w))]
pub fn huber(w: &[f64], xs: &[f64], ys: &[f64], delta: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..ys.len() {
        let r = w[0] * xs[i] + w[1] - ys[i];
        if r.abs() <= delta {
            s += 0.5 * r * r;
        } else {
            s += delta * (r.abs() - 0.5 * delta);
        }
    }
    s
}

const NI: usize = 8;
const NH: usize = 32;

#[differentiable(wrt(w))]
pub fn nn_loss(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
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
        loss += r * r;
    }
    loss / m as f64
}

#[differentiable]
pub fn arr_max(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        if m < x[i] {
            m = x[i];
        }
    }
    m
}

#[differentiable]
pub fn logsumexp(x: &[f64]) -> f64 {
    let mx = arr_max(x);
    let mut semx = 0.0;
    for i in 0..x.len() {
        semx += (x[i] - mx).exp();
    }
    semx.ln() + mx
}

#[differentiable]
pub fn row_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
pub fn quad_form(w: &[[f64; 3]], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        let wx = row_dot(&w[i], x);
        s += wx * wx;
    }
    s
}

#[differentiable(wrt(u0))]
pub fn heat(u0: &[[f64; 5]; 4], target: &[[f64; 5]; 4], steps: usize) -> f64 {
    let mut u = [[0.0; 5]; 4];
    for i in 0..4 {
        for j in 0..5 {
            u[i][j] = u0[i][j];
        }
    }
    let mut next = [[0.0; 5]; 4];
    for _ in 0..steps {
        for i in 1..3 {
            for j in 1..4 {
                let lap = u[i - 1][j] + u[i + 1][j] + u[i][j - 1] + u[i][j + 1] - 4.0 * u[i][j];
                next[i][j] = u[i][j] + 0.1 * lap;
            }
        }
        for i in 1..3 {
            for j in 1..4 {
                u[i][j] = next[i][j];
            }
        }
    }
    let mut loss = 0.0;
    for i in 0..4 {
        for j in 0..5 {
            let d = u[i][j] - target[i][j];
            loss += d * d;
        }
    }
    loss
}

/// A damped oscillator integrated with semi-implicit Euler; the final squared position.
#[differentiable]
pub fn oscillator(k: f64, c: f64, x0: f64, v0: f64) -> f64 {
    let dt = 0.01;
    let mut x = x0;
    let mut v = v0;
    for _ in 0..500 {
        let a = -k * x - c * v;
        v += dt * a;
        x += dt * v;
    }
    x * x
}

#[differentiable]
pub fn sqrt_newton(a: f64) -> f64 {
    let mut y = a;
    let mut it = 0;
    while (y * y - a).abs() > 1e-13 * a && it < 100 {
        y = 0.5 * (y + a / y);
        it += 1;
    }
    y
}

#[differentiable]
pub fn branches(x: f64, y: f64) -> f64 {
    if !(x > 0.0) || (y < 0.0 && x * y < -1.0) {
        x * y
    } else if x > y || !(y < 3.0) {
        x.sin() * y
    } else {
        x + y * y
    }
}

#[differentiable]
pub fn variance(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mut mean = 0.0;
    for i in 0..x.len() {
        mean += x[i];
    }
    mean /= n;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (x[i] - mean) * (x[i] - mean);
    }
    s / n
}

#[derive(Clone, Debug, Differentiable)]
pub struct Affine {
    pub w: [f64; 2],
    pub b: f64,
}

#[differentiable]
impl Affine {
    pub fn loss(&self, xs: &[[f64; 2]], ys: &[f64]) -> f64 {
        let mut s = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let pred = self.w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + self.b;
            s += (pred - y).powi(2);
        }
        s / ys.len() as f64
    }
}
