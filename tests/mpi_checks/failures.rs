//! Failures: NaN on one process stops every process at the same iteration; mismatched settings
//! are errors on every process; a missing HVP is an error on every process (no deadlock).

use std::ops::Range;

use autodiff::optim::chunked::{Chunked, Chunks};
use autodiff::optim::minibatch::{MinibatchConfig, TrainStatus};
use autodiff::optim::mpi::{train_mpi, MpiError, Reduction, Sharded};
use autodiff::optim::{
    minimize, AdamConfig, LbfgsConfig, NewtonCgConfig, NoSchedule, SgdConfig, Status, StopRules,
};
use autodiff::{from_fns, Objective, ObjectiveError};

use super::problems::{least_squares as lsq, line_data};
use super::Checks;

/// The least-squares objective of chunk `r`, NaN once the slope passes 1 if `poisoned`.
fn chunk_objective<'a>(
    x: &'a [f64],
    y: &'a [f64],
    r: Range<usize>,
    poisoned: bool,
) -> impl Objective<f64> + 'a {
    let (x, y) = (&x[r.clone()], &y[r]);
    let nan = move |p: &[f64]| poisoned && p[0] > 1.0;
    from_fns(
        2,
        move |p: &[f64]| {
            if nan(p) {
                f64::NAN
            } else {
                lsq(p[0], p[1], x, y)
            }
        },
        move |p: &[f64], g: &mut [f64]| {
            let (v, (dm, dc)) = lsq::grad(p[0], p[1], x, y);
            g[0] = dm;
            g[1] = dc;
            if nan(p) {
                f64::NAN
            } else {
                v
            }
        },
    )
}

pub fn nan_on_one_process(c: &mut Checks) {
    let (x, y) = line_data(10_000);
    let chunks = Chunks::new(x.len(), 1000).unwrap();
    // The chunks of the last process return NaN once the slope passes 1.
    let last = chunks.share(c.size - 1, c.size);
    let chunk = |r: Range<usize>| {
        let poisoned = last.contains(&(r.start / 1000));
        chunk_objective(&x, &y, r, poisoned)
    };
    let serial = Chunked::new(2, chunks, chunk).unwrap();
    let sharded = Sharded::new(&c.world, 2, chunks, Reduction::Ordered, chunk).unwrap();
    let adam = |o: &dyn Objective<f64>| {
        let mut opt = AdamConfig::default()
            .lr(0.05)
            .build::<f64, Vec<f64>>(2)
            .unwrap();
        let mut p = [0.0, 0.0];
        let rules = StopRules::max_iterations(500);
        minimize(o, &mut p)
            .with(&mut opt)
            .stop(rules)
            .run()
            .unwrap()
    };
    let (want, got) = (adam(&serial), adam(&sharded));
    let same = c.same_everywhere(&[got.iterations as u64]);
    c.check(
        &format!(
            "NaN on the last process: Adam stops with Diverged at iteration {} on every process, as the single-process run",
            got.iterations
        ),
        got.status == Status::Diverged && same && got.iterations == want.iterations,
        || format!("{got:?}, single process {want:?}"),
    );
    let lbfgs = |o: &dyn Objective<f64>| {
        let mut opt = LbfgsConfig::default()
            .build::<f64, Vec<f64>, Vec<Vec<f64>>>(2)
            .unwrap();
        let mut p = [0.0, 0.0];
        opt.minimize(o, &mut p, &StopRules::max_iterations(100))
    };
    let (want, got) = (lbfgs(&serial), lbfgs(&sharded));
    let same = c.same_everywhere(&[got.iterations as u64, got.value.to_bits()]);
    c.check(
        &format!(
            "NaN on the last process: L-BFGS ends ({:?}) at iteration {} on every process, as the single-process run",
            got.status, got.iterations
        ),
        same && format!("{got:?}") == format!("{want:?}"),
        || format!("{got:?}, single process {want:?}"),
    );
    minibatch_nan(c, &x, &y);
}

/// Minibatch training where the last process's examples turn NaN.
fn minibatch_nan(c: &mut Checks, x: &[f64], y: &[f64]) {
    let last = c.rank + 1 == c.size;
    let example = |p: &[f64], i: usize, g: &mut [f64]| {
        let (v, (dm, dc)) = lsq::grad(p[0], p[1], &x[i..=i], &y[i..=i]);
        g[0] += dm;
        g[1] += dc;
        if last && p[0] > 1.0 {
            f64::NAN
        } else {
            v
        }
    };
    let mut sgd = SgdConfig::default()
        .lr(0.01)
        .build::<f64, Vec<f64>>(2)
        .unwrap();
    let config = MinibatchConfig::default().epochs(5).batch_size(50).seed(3);
    let run = train_mpi(
        &c.world,
        &[0.0, 0.0],
        x.len(),
        &mut sgd,
        &config,
        &mut NoSchedule,
        4,
        example,
    )
    .unwrap();
    let (epoch, batch) = match run.report.status {
        TrainStatus::Diverged { epoch, batch } => (epoch as u64, batch as u64),
        _ => (u64::MAX, u64::MAX),
    };
    let same = c.same_everywhere(&[epoch, batch, run.report.steps as u64]);
    c.check(
        &format!(
            "NaN on the last process: minibatch training stops with {:?} on every process",
            run.report.status
        ),
        same && epoch != u64::MAX,
        || format!("{:?}", run.report),
    );
}

pub fn mismatches(c: &mut Checks) {
    let (x, y) = line_data(10_000);
    let last = c.rank + 1 == c.size;
    let chunk = |r: Range<usize>| lsq::objective(&x[r.clone()], &y[r]);
    let chunks = Chunks::new(x.len(), 1000).unwrap();
    if c.size > 1 {
        let dim = if last { 3 } else { 2 };
        let err = Sharded::new(&c.world, dim, chunks, Reduction::Ordered, chunk).err();
        let want = MpiError::Dimension {
            rank: c.size - 1,
            dim: 3,
            expected: 2,
        };
        c.check(
            &format!("mismatched dimensions: the same error on every process: {want}"),
            err == Some(want),
            || format!("{err:?}"),
        );
        let other = Chunks::new(x.len(), if last { 999 } else { 1000 }).unwrap();
        let err = Sharded::new(&c.world, 2, other, Reduction::Ordered, chunk).err();
        let want = MpiError::Mismatch {
            rank: c.size - 1,
            setting: "chunk size",
        };
        c.check(
            "mismatched chunk size: the same error on every process",
            err == Some(want),
            || format!("{err:?}"),
        );
        let config = MinibatchConfig::default().seed(if last { 2 } else { 1 });
        let mut sgd = SgdConfig::default().build::<f64, Vec<f64>>(2).unwrap();
        let example = |_: &[f64], _: usize, _: &mut [f64]| 0.0;
        let err = train_mpi(
            &c.world,
            &[0.0; 2],
            10,
            &mut sgd,
            &config,
            &mut NoSchedule,
            2,
            example,
        )
        .err();
        let want = MpiError::Mismatch {
            rank: c.size - 1,
            setting: "seed",
        };
        c.check(
            "mismatched minibatch seed: the same error on every process",
            err == Some(want),
            || format!("{err:?}"),
        );
    }
    let err = Sharded::new(&c.world, 3, chunks, Reduction::Ordered, chunk).err();
    let want = MpiError::ChunkDimension {
        rank: 0,
        chunk: 0,
        dim: 2,
        expected: 3,
    };
    c.check(
        &format!("a chunk objective of the wrong dimension: {want}"),
        err == Some(want),
        || format!("{err:?}"),
    );
}

/// Objectives without HVP, with fewer chunks than processes: every process gets `NoHvp`.
pub fn no_hvp_anywhere(c: &mut Checks) {
    let chunk = |_: Range<usize>| {
        from_fns(
            1,
            |p: &[f64]| p[0] * p[0],
            |p: &[f64], g: &mut [f64]| {
                g[0] = 2.0 * p[0];
                p[0] * p[0]
            },
        )
    };
    let sharded = Sharded::new(
        &c.world,
        1,
        Chunks::new(2, 1).unwrap(),
        Reduction::Ordered,
        chunk,
    )
    .unwrap();
    let r = sharded.hvp(&[1.0], &[1.0], &mut [0.0], &mut [0.0]);
    let n = NewtonCgConfig::default()
        .build::<f64, Vec<f64>>(1)
        .unwrap()
        .minimize(&sharded, &mut [1.0])
        .err();
    let v = sharded.value(&[3.0]);
    c.check(
        "no HVP (2 chunks, some processes without any): NoHvp on every process, no deadlock",
        r == Err(ObjectiveError::NoHvp) && n == Some(ObjectiveError::NoHvp) && v == 18.0,
        || format!("{r:?}, {n:?}, value {v}"),
    );
}
