//! Checkpoints: process 0 alone runs the first steps and saves the states; every process loads
//! them through process 0 and resumes, and ends with the bits of the uninterrupted run. A failed
//! write or read fails on every process.

use autodiff::optim::mpi::{load_on_root, save_on_root, CheckpointError};
use autodiff::optim::state::{AdamState, DriverState, EpochState, Stateful};
use autodiff::optim::{minimize_in, resume_in, Adam, AdamConfig, NoObserver, StepLr, StopRules};

use super::problems::{least_squares as lsq, line_data};
use super::{bits, Checks};

type Saved = (
    AdamState<f64, Vec<f64>>,
    EpochState,
    DriverState<f64>,
    Vec<f64>,
);

pub fn checkpoints(c: &mut Checks) {
    let (x, y) = line_data(200);
    let objective = lsq::objective(&x, &y);
    let adam = || {
        AdamConfig::default()
            .lr(0.05)
            .build::<f64, Vec<f64>>(2)
            .unwrap()
    };
    let schedule = || StepLr::new(10, 0.5).unwrap();
    let rules = StopRules::max_iterations(60);
    let mut g = vec![0.0; 2];
    let mut full = vec![0.0; 2];
    let (opt, sch, obs) = (&mut adam(), &mut schedule(), &mut NoObserver);
    let report = minimize_in(&objective, &mut full, &mut g, opt, &rules, sch, obs);

    // Process 0 runs 25 steps and writes the checkpoint (here into memory).
    let mut file: Vec<u8> = Vec::new();
    let saved = save_on_root(&c.world, || {
        let (mut opt, mut sch, mut driver) = (adam(), schedule(), DriverState::new());
        let mut p = vec![0.0; 2];
        let first = StopRules::max_iterations(25);
        let obs = &mut NoObserver;
        resume_in(
            &objective,
            &mut p,
            &mut g,
            &mut opt,
            &first,
            &mut sch,
            obs,
            &mut driver,
        );
        let state: Saved = (opt.state(), sch.state(), driver, p);
        file = serde_json::to_vec(&state)?;
        Ok::<(), serde_json::Error>(())
    });
    c.check("checkpoint: process 0 writes it", saved.is_ok(), || {
        format!("{saved:?}")
    });

    // Every process reads it through process 0 and finishes the run.
    let bytes = load_on_root(&c.world, || Ok::<_, ()>(std::mem::take(&mut file)));
    let resumed = bytes
        .ok()
        .and_then(|b| serde_json::from_slice::<Saved>(&b).ok())
        .map(|(opt_state, sch_state, mut driver, mut p)| {
            let mut opt = Adam::from_state(opt_state).unwrap();
            let mut sch = schedule();
            sch.load_state(sch_state).unwrap();
            let obs = &mut NoObserver;
            let r = resume_in(
                &objective,
                &mut p,
                &mut g,
                &mut opt,
                &rules,
                &mut sch,
                obs,
                &mut driver,
            );
            (r, p)
        });
    let ok = resumed
        .as_ref()
        .is_some_and(|(r, p)| *r == report && bits(p) == bits(&full));
    c.check(
        "checkpoint: every process resumes from process 0's checkpoint to the uninterrupted run's bits",
        ok && c.same_everywhere(&bits(&full)),
        || format!("{resumed:?} vs {report:?}, {full:?}"),
    );

    // A failed write or read fails on every process.
    let write = save_on_root(&c.world, || Err("disk full"));
    let read = load_on_root(&c.world, || Err::<Vec<u8>, _>("no such file"));
    let expected = |e: &'static str| {
        if c.rank == 0 {
            CheckpointError::Root(e)
        } else {
            CheckpointError::RootFailed
        }
    };
    c.check(
        "checkpoint: a failed write or read is an error on every process",
        write == Err(expected("disk full")) && read == Err(expected("no such file")),
        || format!("{write:?}, {read:?}"),
    );
}
