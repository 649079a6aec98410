use autodiff::differentiable;
use std::hint::black_box;
use std::time::Instant;

#[differentiable]
fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn rosen_hand(x: &[f64], g: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for v in g.iter_mut() {
        *v = 0.0;
    }
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    s
}

fn main() {
    let n = 10000;
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let mut g = vec![0.0; n];
    let reps = 2000;
    let t = Instant::now();
    for _ in 0..reps {
        for v in g.iter_mut() {
            *v = 0.0;
        }
        black_box(rosen::vjp(black_box(&x), 1.0, &mut g));
    }
    let gen = t.elapsed().as_secs_f64() / reps as f64;
    let t = Instant::now();
    for _ in 0..reps {
        black_box(rosen_hand(black_box(&x), &mut g));
    }
    let hand = t.elapsed().as_secs_f64() / reps as f64;
    let t = Instant::now();
    for _ in 0..reps {
        black_box(rosen(black_box(&x)));
    }
    let prim = t.elapsed().as_secs_f64() / reps as f64;
    println!(
        "gen {:.2}us hand {:.2}us primal {:.2}us ratio {:.2} grad/primal {:.2}",
        gen * 1e6,
        hand * 1e6,
        prim * 1e6,
        gen / hand,
        gen / prim
    );
}
