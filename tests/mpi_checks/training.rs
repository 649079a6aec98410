//! Minibatch training and restarts across processes equal their single-process runs.

use autodiff::optim::minibatch::{train, MinibatchConfig, Training};
use autodiff::optim::mpi::rsmpi::topology::SimpleCommunicator;
use autodiff::optim::mpi::{distinct_minima, restarts_mpi, train_mpi, RunEnd};
use autodiff::optim::{
    minimize_in, random_restarts, AdamConfig, ExponentialLr, GradNorm, NoObserver, NoSchedule,
    Optimizer, Rng, SgdConfig, StopRules,
};

use super::problems::{least_squares as lsq, line_data, nightmare};
use super::{bits, Checks};

/// Adam with a schedule on least squares, batches of 100 over 10,000 points, 3 epochs: with one
/// piece per batch the run is `train`'s bit for bit; with 5 pieces it is the same on any number
/// of processes (compared with the run of this process alone, on `MPI_COMM_SELF`).
pub fn minibatch(c: &mut Checks) {
    let (x, y) = line_data(10_000);
    let example = |p: &[f64], i: usize, g: &mut [f64]| {
        let (v, (dm, dc)) = lsq::grad(p[0], p[1], &x[i..=i], &y[i..=i]);
        g[0] += dm;
        g[1] += dc;
        v
    };
    let config = MinibatchConfig::default()
        .epochs(3)
        .batch_size(100)
        .seed(11);
    let adam = || {
        AdamConfig::default()
            .lr(0.05)
            .build::<f64, Vec<f64>>(2)
            .unwrap()
    };
    let sched = || ExponentialLr::new(0.9).unwrap();
    let on = |comm: &SimpleCommunicator, pieces: usize, x0: f64| -> Training<f64> {
        train_mpi(
            comm,
            &[x0, x0],
            x.len(),
            &mut adam(),
            &config,
            &mut sched(),
            pieces,
            example,
        )
        .unwrap()
    };
    let serial = train(
        &[0.0, 0.0],
        x.len(),
        &mut adam(),
        &config,
        &mut sched(),
        example,
    )
    .unwrap();
    // Each process passes its rank as start point: process 0's (zero) is used everywhere.
    let one_piece = on(&c.world, 1, c.rank as f64);
    c.check(
        "minibatch: one piece per batch is `train`'s run bit for bit (from process 0's start point)",
        same_training(&one_piece, &serial),
        || format!("{one_piece:?} vs {serial:?}"),
    );
    let spread = on(&c.world, 5, 0.0);
    let alone = on(&SimpleCommunicator::self_comm(), 5, 0.0);
    c.check(
        "minibatch: five pieces per batch give the bits of a one-process run",
        same_training(&spread, &alone),
        || format!("{spread:?} vs {alone:?}"),
    );
    let dev =
        (spread.params[0] - serial.params[0]).abs() + (spread.params[1] - serial.params[1]).abs();
    c.check(
        "minibatch: five pieces agree with the sequential run to rounding",
        dev < 1e-12,
        || format!("deviation {dev:e}"),
    );
}

fn same_training(a: &Training<f64>, b: &Training<f64>) -> bool {
    bits(&a.params) == bits(&b.params)
        && bits(&a.epoch_losses) == bits(&b.epoch_losses)
        && a.report == b.report
}

/// Momentum SGD from 20 seeded starts on the nightmare function (as `optim/tests/dataset.rs`):
/// the runs spread over the processes are the serial runs bit for bit, and both find the same
/// distinct minima.
pub fn restarts(c: &mut Checks) {
    let obj = nightmare::objective();
    let sgd = || {
        SgdConfig::default()
            .lr(0.2)
            .momentum(0.9)
            .build::<f64, Vec<f64>>(2)
            .unwrap()
    };
    let rules = StopRules::max_iterations(5000).grad_norm(GradNorm::L2, 1e-9);
    let sampler = |rng: &mut Rng, x: &mut [f64]| rng.fill_normal(x, 0.0, 2.0);
    let descend = |_: usize, x: &mut [f64]| {
        let mut opt = sgd();
        let mut g = [0.0; 2];
        let r = minimize_in(
            &obj,
            x,
            &mut g,
            &mut opt,
            &rules,
            &mut NoSchedule,
            &mut NoObserver,
        );
        debug_assert_eq!(opt.dim(), 2);
        r
    };
    let serial = random_restarts(2, 20, 2024, sampler, descend);
    let spread = restarts_mpi(&c.world, 2, 20, 2024, 1e-6, sampler, descend).unwrap();
    let runs: Vec<RunEnd<f64>> = serial.runs.iter().map(RunEnd::from).collect();
    c.check(
        "restarts: every run's start, end point and value bitwise equal to the serial run's",
        runs == spread.runs && spread.best_index == serial.best_index,
        || format!("best {:?} vs {:?}", spread.best_index, serial.best_index),
    );
    let minima = distinct_minima(&runs, 1e-6);
    c.check(
        &format!(
            "restarts: the same {} distinct minima as serial restarts, lowest {:.12}",
            spread.minima.len(),
            spread.minima.first().map_or(f64::NAN, |m| m.value)
        ),
        minima == spread.minima
            && minima.len() > 1
            && spread.best().map(|b| b.value) == Some(minima[0].value),
        || format!("{:?} vs {:?}", spread.minima, minima),
    );
    let mut flat = Vec::new();
    for m in &spread.minima {
        flat.extend(&m.params);
        flat.push(m.value);
    }
    let same = c.same_everywhere(&bits(&flat));
    c.check(
        "restarts: the same minima on every process",
        same,
        String::new,
    );
}
