//! Features `mpi` and `parallel`: minibatch training across MPI processes cuts and adds each
//! batch's pieces as the `parallel` feature does, so `train_mpi` with `k` pieces is
//! `train_par` with `k` pieces bit for bit. Here on one process (MPI's singleton start, no
//! `mpirun` needed); `tests/mpi.rs` at the workspace root checks under `mpirun -n 1, 2, 3` that
//! `train_mpi` gives the same bits on any number of processes.
#![cfg(all(feature = "mpi", feature = "parallel"))]

use optim::minibatch::{MinibatchConfig, Reduction};
use optim::mpi::{rsmpi, train_mpi};
use optim::parallel::train_par;
use optim::{AdamConfig, ExponentialLr};

#[test]
fn train_mpi_is_train_par_bit_for_bit() {
    let universe = rsmpi::initialize().expect("MPI initializes once");
    let world = universe.world();
    let ys: Vec<f64> = (0..1003)
        .map(|i| (i as f64 * 0.37).sin() * 3.0 + 1.0)
        .collect();
    let example = |p: &[f64], i: usize, g: &mut [f64]| {
        let x = i as f64 / 1003.0;
        let r = p[0] * x + p[1] - ys[i];
        g[0] += 2.0 * r * x;
        g[1] += 2.0 * r;
        r * r
    };
    for (pieces, config) in [
        (
            1,
            MinibatchConfig::default().epochs(4).batch_size(64).seed(1),
        ),
        (
            3,
            MinibatchConfig::default().epochs(4).batch_size(100).seed(2),
        ),
        (
            7,
            MinibatchConfig::default()
                .epochs(3)
                .batch_size(37)
                .seed(3)
                .reduction(Reduction::Sum),
        ),
    ] {
        let adam = || {
            AdamConfig::default()
                .lr(0.02)
                .build::<f64, Vec<f64>>(2)
                .unwrap()
        };
        let sched = || ExponentialLr::new(0.95).unwrap();
        let par = train_par(
            &[0.0, 0.0],
            ys.len(),
            &mut adam(),
            &config,
            &mut sched(),
            pieces,
            example,
        )
        .unwrap();
        let mpi = train_mpi(
            &world,
            &[0.0, 0.0],
            ys.len(),
            &mut adam(),
            &config,
            &mut sched(),
            pieces,
            example,
        )
        .unwrap();
        assert_eq!(mpi, par, "{pieces} pieces");
    }
}
