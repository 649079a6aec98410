//! Feature `parallel`: minibatch gradients accumulated across threads give the sequential
//! result (bit for bit with one piece per batch, to rounding with more), and the same bits on
//! any number of threads.
#![cfg(feature = "parallel")]

use optim::minibatch::{train, MinibatchConfig, Reduction, TrainStatus, Training};
use optim::parallel::{train_par, train_par_in};
use optim::{AdamConfig, ExponentialLr, NoSchedule, SgdConfig};

const DIM: usize = 6;

/// A linear model with a tanh feature, `y ~ w . phi(x)`, on deterministic data; squared error.
struct Data {
    x: Vec<[f64; DIM]>,
    y: Vec<f64>,
}

fn data(n: usize) -> Data {
    let mut s = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    let w_true = [0.5, -1.25, 2.0, 0.75, -0.3, 1.1];
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let xi: [f64; DIM] = core::array::from_fn(|_| next());
        let yi = (0..DIM).map(|j| w_true[j] * xi[j].tanh()).sum::<f64>() + 0.05 * next();
        x.push(xi);
        y.push(yi);
    }
    Data { x, y }
}

impl Data {
    fn example_grad(&self, w: &[f64], i: usize, g: &mut [f64]) -> f64 {
        let phi: [f64; DIM] = core::array::from_fn(|j| self.x[i][j].tanh());
        let r = (0..DIM).map(|j| w[j] * phi[j]).sum::<f64>() - self.y[i];
        for j in 0..DIM {
            g[j] += 2.0 * r * phi[j];
        }
        r * r
    }
}

fn config() -> MinibatchConfig {
    MinibatchConfig::default()
        .epochs(6)
        .batch_size(100)
        .seed(42)
}

fn sequential(d: &Data, config: &MinibatchConfig) -> Training<f64> {
    let mut adam = AdamConfig::default()
        .lr(0.05)
        .build::<f64, Vec<f64>>(DIM)
        .unwrap();
    let mut sched = ExponentialLr::new(0.9).unwrap();
    train(
        &[0.0; DIM],
        d.y.len(),
        &mut adam,
        config,
        &mut sched,
        |w, i, g| d.example_grad(w, i, g),
    )
    .unwrap()
}

fn parallel(d: &Data, config: &MinibatchConfig, chunks: usize, threads: usize) -> Training<f64> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut adam = AdamConfig::default()
            .lr(0.05)
            .build::<f64, Vec<f64>>(DIM)
            .unwrap();
        let mut sched = ExponentialLr::new(0.9).unwrap();
        train_par(
            &[0.0; DIM],
            d.y.len(),
            &mut adam,
            config,
            &mut sched,
            chunks,
            |w, i, g| d.example_grad(w, i, g),
        )
        .unwrap()
    })
}

fn max_rel_dev(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / x.abs().max(y.abs()).max(1.0))
        .fold(0.0, f64::max)
}

#[test]
fn one_piece_is_the_sequential_run_bit_for_bit() {
    let d = data(1003);
    let config = config();
    let seq = sequential(&d, &config);
    assert_eq!(seq.report.status, TrainStatus::Completed);
    for threads in [1, 4] {
        let par = parallel(&d, &config, 1, threads);
        assert_eq!(par, seq, "chunks = 1, {threads} thread(s)");
    }
}

#[test]
fn pieces_give_the_same_bits_on_any_thread_count_and_the_sequential_result_to_rounding() {
    let d = data(1003);
    for config in [config(), config().reduction(Reduction::Sum).batch_size(37)] {
        let seq = sequential(&d, &config);
        for chunks in [2, 7, 64, 500] {
            let one = parallel(&d, &config, chunks, 1);
            for threads in [2, 3, 4] {
                let par = parallel(&d, &config, chunks, threads);
                assert_eq!(par, one, "chunks = {chunks}: 1 vs {threads} threads");
            }
            // And run after run.
            assert_eq!(parallel(&d, &config, chunks, 4), one);
            assert_eq!(one.report, seq.report);
            let dp = max_rel_dev(&one.params, &seq.params);
            let dl = max_rel_dev(&one.epoch_losses, &seq.epoch_losses);
            println!(
                "{:?} chunks = {chunks}: max relative deviation from sequential: params {dp:e}, epoch losses {dl:e}",
                config.reduction
            );
            assert!(
                dp < 1e-12 && dl < 1e-12,
                "chunks = {chunks}: params {dp:e}, losses {dl:e}"
            );
        }
        // The model is fitted (the noise is 0.05 uniform: mean square about 8e-4).
        let mean = seq.mean_epoch_losses().last().unwrap();
        assert!(mean < 0.05, "{mean}");
    }
}

#[test]
fn caller_buffers_and_divergence() {
    let d = data(200);
    let config = config().epochs(2).batch_size(32);
    let mut sgd = SgdConfig::default()
        .lr(0.1)
        .build::<f64, [f64; DIM]>(DIM)
        .unwrap();
    let (mut w, mut g, mut order, mut losses, mut work) = (
        [0.0; DIM],
        [0.0; DIM],
        vec![0; 200],
        [0.0; 2],
        [0.0; 3 * DIM],
    );
    let report = train_par_in(
        &mut w,
        &mut g,
        &mut order,
        &mut losses,
        &mut work,
        &mut sgd,
        &config,
        &mut NoSchedule,
        |w, i, g| d.example_grad(w, i, g),
    )
    .unwrap();
    assert_eq!((report.status, report.steps), (TrainStatus::Completed, 14));

    // A NaN in one example stops the run before stepping with it, as the sequential loop does.
    let mut sgd = SgdConfig::default()
        .lr(0.1)
        .build::<f64, Vec<f64>>(DIM)
        .unwrap();
    let fit = train_par(
        &[0.0; DIM],
        200,
        &mut sgd,
        &config,
        &mut NoSchedule,
        4,
        |w, i, g| {
            if i == 17 {
                g[0] = f64::NAN;
            }
            d.example_grad(w, i, g)
        },
    )
    .unwrap();
    assert!(matches!(
        fit.report.status,
        TrainStatus::Diverged { epoch: 0, .. }
    ));
}
