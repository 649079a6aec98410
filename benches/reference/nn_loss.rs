//! Reference numbers for `benches/jax_mlp.py`: the data, weights, loss and generated gradient of
//! `benches/programs.rs`'s `nn_loss_256x8x32` group (and of its fast-tanh variant,
//! `nn_loss_fast`: `loss_tanh_fast`, `grad_tanh_fast`), printed as JSON (`{:?}` prints the shortest
//! decimal that parses back to the same f64, so Python reads every number bit for bit).
//!
//! Not a bench target (it lives in a subdirectory): `benches/jax_mlp.sh` copies it into a
//! temporary crate that depends on the workspace facade and runs it. The data generation and
//! `nn_loss`/`nn_loss_fast` below are copied verbatim from `benches/programs.rs`; keep them in
//! sync.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

use autodiff::{differentiable, FastMath};

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
}

const NI: usize = 8;
const NH: usize = 32;
const NW: usize = NH * NI + NH + NH + 1;

#[differentiable(wrt(w))]
fn nn_loss(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
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

#[differentiable(wrt(w))]
fn nn_loss_fast(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let m = ys.len();
    let mut loss = 0.0;
    for s in 0..m {
        let mut out = w[NH * NI + 2 * NH];
        for j in 0..NH {
            let mut z = w[NH * NI + j];
            for i in 0..NI {
                z += w[j * NI + i] * xs[s * NI + i];
            }
            out += w[NH * NI + NH + j] * z.tanh_fast();
        }
        let r = out - ys[s];
        loss += r * r;
    }
    loss / m as f64
}

fn list(name: &str, v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("\"{name}\": [{}]", items.join(", "))
}

fn main() {
    let mut rng = Rng(0x1234);
    let m = 256;
    let xs: Vec<f64> = (0..m * NI).map(|_| rng.range(-1.0, 1.0)).collect();
    let ys: Vec<f64> = (0..m)
        .map(|s| {
            let x = &xs[s * NI..(s + 1) * NI];
            (x[0] + 0.5 * x[1] * x[2]).sin() - 0.3 * x[7] + rng.range(-0.1, 0.1)
        })
        .collect();
    let w: Vec<f64> = (0..NW)
        .map(|k| {
            let fan_in = if k < NH * NI + NH { NI } else { NH };
            rng.range(-1.0, 1.0) / (fan_in as f64).sqrt()
        })
        .collect();
    let mut g = vec![0.0; NW];
    let value = nn_loss::vjp(&w, &xs, &ys, 1.0, &mut g);
    assert_eq!(value, nn_loss(&w, &xs, &ys));
    println!("{{");
    println!("{},", list("xs", &xs));
    println!("{},", list("ys", &ys));
    println!("{},", list("w", &w));
    let mut gf = vec![0.0; NW];
    let value_fast = nn_loss_fast::vjp(&w, &xs, &ys, 1.0, &mut gf);
    println!("\"loss\": {value:?},");
    println!("{},", list("grad", &g));
    println!("\"loss_tanh_fast\": {value_fast:?},");
    println!("{}", list("grad_tanh_fast", &gf));
    println!("}}");
}
