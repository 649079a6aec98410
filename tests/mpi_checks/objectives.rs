//! [`Sharded`] objectives equal the single-process [`Chunked`] objective bit for bit: value,
//! gradient, Hessian-vector product, and whole Adam, L-BFGS, Newton-CG and trust-region runs.

use std::ops::Range;

use autodiff::optim::chunked::{Chunked, Chunks};
use autodiff::optim::mpi::{Reduction, RootOnly, Sharded};
use autodiff::optim::{
    minimize, AdamConfig, History, LbfgsConfig, NewtonCgConfig, StopRules, TrustRegionConfig,
};
use autodiff::Objective;

use super::problems::{least_squares as lsq, line_data, mlp, mlp_data, NW};
use super::{bits, Checks};

/// Least squares over 100,000 points in chunks of 4096, each process holding only its shard.
pub fn least_squares(c: &mut Checks) {
    let (x, y) = line_data(100_000);
    let chunks = Chunks::new(x.len(), 4096).unwrap();
    let serial = Chunked::new(2, chunks, |r: Range<usize>| {
        lsq::objective(&x[r.clone()], &y[r])
    })
    .unwrap();
    let shard = chunks.shard(c.rank, c.size);
    let (xs, ys) = (x[shard.clone()].to_vec(), y[shard.clone()].to_vec());
    let local = |r: Range<usize>| {
        let r = r.start - shard.start..r.end - shard.start;
        lsq::objective(&xs[r.clone()], &ys[r])
    };
    let ordered = Sharded::new(&c.world, 2, chunks, Reduction::Ordered, local).unwrap();
    let fast = Sharded::new(&c.world, 2, chunks, Reduction::Allreduce, local).unwrap();
    let plan = Plan {
        adam_steps: 300,
        adam_lr: 0.05,
        lbfgs_iterations: 50,
        newton_iterations: 20,
        cg_iterations: None,
    };
    evaluations(
        c,
        "least squares",
        &serial,
        &ordered,
        &fast,
        &[0.5, -0.2],
        &[1.0, 0.3],
    );
    trajectories(c, "least squares", &serial, &ordered, &[0.0, 0.0], &plan);
    // The fast path: Newton-CG ends where the single-process run does, to rounding, and at the
    // same point on every process.
    let newton = |o: &dyn Objective<f64>| {
        let mut x = vec![0.0, 0.0];
        let r = NewtonCgConfig::default()
            .build::<f64, Vec<f64>>(2)
            .unwrap()
            .minimize(o, &mut x)
            .unwrap();
        (x, r)
    };
    // Progress observed on process 0 only.
    let mut adam = AdamConfig::default().build::<f64, Vec<f64>>(2).unwrap();
    let mut observer = RootOnly::new(&c.world, History::new());
    let mut x = [0.0, 0.0];
    let rules = StopRules::max_iterations(10);
    minimize(&ordered, &mut x)
        .with(&mut adam)
        .stop(rules)
        .observer(&mut observer)
        .run()
        .unwrap();
    let seen = observer.into_inner().values.len();
    c.check(
        "RootOnly: process 0 observes the 11 iterates, the others none",
        seen == if c.rank == 0 { 11 } else { 0 },
        || format!("{seen} observed"),
    );
    let ((xs, rs), (xf, rf)) = (newton(&serial), newton(&fast));
    let same = c.same_everywhere(&bits(&xf));
    let dev = (xs[0] - xf[0]).abs().max((xs[1] - xf[1]).abs());
    c.check(
        "least squares: Newton-CG on the MPI_Allreduce path agrees to 1e-9 and on every process",
        same && dev < 1e-9 && rf.status == rs.status,
        || format!("{xf:?} ({rf:?}) vs {xs:?} ({rs:?})"),
    );
}

/// The 8-32-1 network over 2048 samples in chunks of 256.
pub fn network(c: &mut Checks) {
    let m = 2048;
    let (xs, ys, w0) = mlp_data(m);
    let inv_m = 1.0 / m as f64;
    let chunks = Chunks::new(m, 256).unwrap();
    let chunk = |r: Range<usize>| mlp::objective(NW, &xs[r.start * 8..r.end * 8], &ys[r], inv_m);
    let serial = Chunked::new(NW, chunks, chunk).unwrap();
    let ordered = Sharded::new(&c.world, NW, chunks, Reduction::Ordered, chunk).unwrap();
    let fast = Sharded::new(&c.world, NW, chunks, Reduction::Allreduce, chunk).unwrap();
    let v: Vec<f64> = (0..NW)
        .map(|k| ((k * 7) % 11) as f64 / 11.0 - 0.5)
        .collect();
    let plan = Plan {
        adam_steps: 40,
        adam_lr: 0.01,
        lbfgs_iterations: 15,
        newton_iterations: 3,
        cg_iterations: Some(15),
    };
    evaluations(c, "network", &serial, &ordered, &fast, &w0, &v);
    trajectories(c, "network", &serial, &ordered, &w0, &plan);
}

/// Value, gradient and HVP: `ordered` equals `serial` bit for bit and is the same on every
/// process; `fast` equals it to rounding.
fn evaluations(
    c: &mut Checks,
    name: &str,
    serial: &dyn Objective<f64>,
    ordered: &dyn Objective<f64>,
    fast: &dyn Objective<f64>,
    x: &[f64],
    v: &[f64],
) {
    let all = |o: &dyn Objective<f64>| {
        let n = x.len();
        let (mut g, mut g2, mut hv) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let mut out = vec![o.value(x), o.value_grad(x, &mut g)];
        out.extend(&g);
        out.push(o.hvp(x, v, &mut g2, &mut hv).expect("generated HVP"));
        out.extend(&g2);
        out.extend(&hv);
        out
    };
    let want = all(serial);
    let got = all(ordered);
    let quick = all(fast);
    c.check(
        &format!("{name}: value, gradient and HVP bitwise equal to the single-process sum"),
        bits(&got) == bits(&want),
        || format!("first difference at {:?}", first_difference(&got, &want)),
    );
    let same = c.same_everywhere(&bits(&got));
    c.check(
        &format!("{name}: the same bits on every process"),
        same,
        String::new,
    );
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let dev = quick
        .iter()
        .zip(&want)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    let same = c.same_everywhere(&bits(&quick));
    c.check(
        &format!("{name}: MPI_Allreduce path within 1e-12 of the ordered sum, the same bits on every process"),
        dev <= 1e-12 * scale && same,
        || format!("max deviation {dev:e}, scale {scale:e}, same everywhere: {same}"),
    );
}

fn first_difference(a: &[f64], b: &[f64]) -> Option<(usize, f64, f64)> {
    a.iter()
        .zip(b)
        .enumerate()
        .find(|(_, (x, y))| x.to_bits() != y.to_bits())
        .map(|(i, (x, y))| (i, *x, *y))
}

/// How long each optimizer runs.
struct Plan {
    adam_steps: usize,
    adam_lr: f64,
    lbfgs_iterations: usize,
    newton_iterations: usize,
    cg_iterations: Option<usize>,
}

/// Adam (the driver), L-BFGS, Newton-CG and trust region from `x0`: every iterate, value and
/// report of the sharded run equals the single-process run's, bit for bit.
fn trajectories(
    c: &mut Checks,
    name: &str,
    serial: &dyn Objective<f64>,
    sharded: &dyn Objective<f64>,
    x0: &[f64],
    plan: &Plan,
) {
    let n = x0.len();
    type Run = (Vec<f64>, String, History<f64>);
    type Solver<'a> = &'a dyn Fn(&dyn Objective<f64>) -> Run;
    let adam = |o: &dyn Objective<f64>| -> Run {
        let mut opt = AdamConfig::default()
            .lr(plan.adam_lr)
            .build::<f64, Vec<f64>>(n)
            .unwrap();
        let (mut x, mut h) = (x0.to_vec(), History::new());
        let rules = StopRules::max_iterations(plan.adam_steps);
        let r = minimize(o, &mut x)
            .with(&mut opt)
            .stop(rules)
            .observer(&mut h)
            .run()
            .unwrap();
        (x, format!("{r:?}"), h)
    };
    let lbfgs = |o: &dyn Objective<f64>| -> Run {
        let mut opt = LbfgsConfig::default()
            .build::<f64, Vec<f64>, Vec<Vec<f64>>>(n)
            .unwrap();
        let (mut x, mut h) = (x0.to_vec(), History::new());
        let rules = StopRules::max_iterations(plan.lbfgs_iterations);
        let r = opt.minimize_observed(o, &mut x, &rules, &mut h);
        (x, format!("{r:?}"), h)
    };
    let newton = |o: &dyn Objective<f64>| -> Run {
        let mut opt = NewtonCgConfig::default()
            .max_iterations(Some(plan.newton_iterations))
            .max_cg_iterations(plan.cg_iterations)
            .build::<f64, Vec<f64>>(n)
            .unwrap();
        let (mut x, mut h) = (x0.to_vec(), History::new());
        let r = opt.minimize_observed(o, &mut x, &mut h);
        (x, format!("{r:?}"), h)
    };
    let trust = |o: &dyn Objective<f64>| -> Run {
        let mut opt = TrustRegionConfig::default()
            .max_iterations(Some(plan.newton_iterations))
            .build::<f64, Vec<f64>>(n)
            .unwrap();
        let (mut x, mut h) = (x0.to_vec(), History::new());
        let r = opt.minimize_observed(o, &mut x, &mut h);
        (x, format!("{r:?}"), h)
    };
    let solvers: [(&str, Solver); 4] = [
        ("Adam", &adam),
        ("L-BFGS", &lbfgs),
        ("Newton-CG", &newton),
        ("trust region", &trust),
    ];
    for (solver, run) in solvers {
        let (xa, ra, ha) = run(serial);
        let (xb, rb, hb) = run(sharded);
        let flat = |h: &History<f64>| bits(&h.iterates.concat());
        let equal = bits(&xa) == bits(&xb)
            && ra == rb
            && bits(&ha.values) == bits(&hb.values)
            && flat(&ha) == flat(&hb);
        c.check(
            &format!(
                "{name}: {solver} trajectory bitwise equal ({} iterates; {rb})",
                hb.values.len()
            ),
            equal,
            || format!("serial {ra} at {xa:?}, sharded {rb} at {xb:?}"),
        );
        let same = c.same_everywhere(&bits(&xb));
        c.check(
            &format!("{name}: {solver} ends at the same point on every process"),
            same,
            String::new,
        );
    }
}
