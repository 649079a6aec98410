//! Saving and resuming minibatch training (mid-epoch, with the same shuffle), the random
//! generator, user generators through `rand_core`, and loads that do not fit (errors, never
//! panics).

mod fault_support;
mod resume_support;

use optim::minibatch::{train_in, train_resume_in, MinibatchConfig, TrainReport, TrainStatus};
use optim::rng::{shuffle, Rng, RngState, Source};
use optim::state::{MinibatchState, StateError, Stateful};
use optim::{
    Adam, AdamConfig, CosineAnnealingWarmRestarts, Lbfgs, LbfgsConfig, OptimError, Sgd, SgdConfig,
    StepLr,
};
use resume_support::through_disk;

/// `n` points of a noisy line, `y = 2 x - 1 + noise`.
fn data(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(11);
    let xs: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let ys = xs
        .iter()
        .map(|x| 2.0 * x - 1.0 + rng.normal_with(0.0, 0.1))
        .collect();
    (xs, ys)
}

/// Everything a training run leaves behind: parameters, epoch losses, report, lr.
type Outcome = (Vec<u64>, Vec<u64>, TrainReport, u64);

/// Adam with a per-epoch StepLr on a line fit, from `state`, paused at `pause` (if any), all
/// states saved and loaded into fresh values, then run to the end.
fn train_line<R: Source + Clone>(
    pause: Option<usize>,
    mut state: MinibatchState<f64, R>,
    save: impl Fn(&MinibatchState<f64, R>) -> MinibatchState<f64, R>,
) -> Outcome {
    let (xs, ys) = data(23);
    let config = MinibatchConfig::default().epochs(4).batch_size(5);
    let adam = AdamConfig::default().lr(0.05);
    let example = |p: &[f64], i: usize, g: &mut [f64]| {
        let r = p[0] * xs[i] + p[1] - ys[i];
        g[0] += 2.0 * r * xs[i];
        g[1] += 2.0 * r;
        r * r
    };
    let (mut p, mut grad, mut order, mut losses) = ([0.0; 2], [0.0; 2], [0; 23], [0.0; 4]);
    let mut opt: Adam<f64, [f64; 2]> = adam.build(2).unwrap();
    let mut sch = StepLr::new(2, 0.5).unwrap();
    if let Some(steps) = pause {
        let paused = config.max_steps(Some(steps));
        let (o, g, l) = (&mut order, &mut grad, &mut losses);
        let r = train_resume_in(
            &mut p, g, o, l, &mut opt, &paused, &mut sch, &mut state, example,
        )
        .unwrap();
        assert_eq!((r.status, r.steps), (TrainStatus::Paused, steps));
        // A new process: the optimizer, schedule, run state and parameters from disk.
        opt = Adam::from_state(through_disk(&opt.state())).unwrap();
        let saved = through_disk(&sch.state());
        sch = StepLr::new(2, 0.5).unwrap();
        sch.load_state(saved).unwrap();
        state = save(&state);
        p = through_disk(&p);
        order = [0; 23];
    }
    let (o, g, l) = (&mut order, &mut grad, &mut losses);
    let r = train_resume_in(
        &mut p, g, o, l, &mut opt, &config, &mut sch, &mut state, example,
    )
    .unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    (bits(&p), bits(&losses), r, opt.config().lr.to_bits())
}

#[test]
fn minibatch_resumes_mid_epoch_with_the_same_shuffle() {
    let fresh = || MinibatchState::new(0);
    let full = train_line(None, fresh(), |s| s.clone());
    assert_eq!(full.2.status, TrainStatus::Completed);
    assert_eq!((full.2.epochs, full.2.steps), (4, 20));
    // Paused at the start, mid-epoch (epochs of 5 batches) and on an epoch boundary.
    for pause in [0, 1, 7, 10, 13, 19] {
        let resumed = train_line(Some(pause), fresh(), through_disk);
        assert_eq!(resumed, full, "paused after {pause} steps");
    }
}

#[test]
fn seeded_resumable_run_is_train_in() {
    // train_resume_in from MinibatchState::new(seed) is train_in, bit for bit.
    let (xs, ys) = data(23);
    let config = MinibatchConfig::default().epochs(3).batch_size(4).seed(9);
    let example = |p: &[f64], i: usize, g: &mut [f64]| {
        let r = p[0] * xs[i] - ys[i];
        g[0] += 2.0 * r * xs[i];
        r * r
    };
    let sgd = SgdConfig::default().lr(0.1).momentum(0.9);
    let run = |resumable: bool| {
        let (mut p, mut g, mut order, mut losses) = ([0.5], [0.0], [0; 23], [0.0; 3]);
        let mut opt: Sgd<f64, [f64; 1]> = sgd.build(1).unwrap();
        let (o, gr, l, ns) = (&mut order, &mut g, &mut losses, &mut optim::NoSchedule);
        let report = if resumable {
            let mut state = MinibatchState::new(config.seed);
            train_resume_in(&mut p, gr, o, l, &mut opt, &config, ns, &mut state, example).unwrap()
        } else {
            train_in(&mut p, gr, o, l, &mut opt, &config, ns, example).unwrap()
        };
        (p[0].to_bits(), losses.map(f64::to_bits), report, order)
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn rng_state_round_trip() {
    let mut a = Rng::new(5);
    a.next_u64();
    let mut b = Rng::new(0);
    b.load_state(through_disk(&a.state())).unwrap();
    assert_eq!((0..10).map(|_| a.next_u64()).collect::<Vec<_>>(), {
        (0..10).map(|_| b.next_u64()).collect::<Vec<_>>()
    });
    let zero = RngState { s: [0; 4] };
    assert!(matches!(
        b.load_state(zero),
        Err(StateError::Inconsistent { .. })
    ));
}

#[test]
fn shuffle_from_any_source_is_rngs_shuffle() {
    /// A counter-based source (splitmix64), written here: any `Source` works.
    struct SplitMix(u64);
    impl Source for SplitMix {
        fn next_u64(&mut self) -> u64 {
            optim::rng::splitmix64(&mut self.0)
        }
    }
    let mut v: Vec<u32> = (0..50).collect();
    let mut w = v.clone();
    let (mut rng, mut mine) = (Rng::new(3), SplitMix(1));
    shuffle(&mut mine, &mut v);
    let mut sorted = v.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, w, "a permutation");
    w.reverse();
    // Rng::shuffle is the generic shuffle over Rng.
    let mut u = w.clone();
    rng.clone().shuffle(&mut u);
    shuffle(&mut rng, &mut w);
    assert_eq!(u, w);
}

// ---- loads that do not fit ----

#[test]
fn length_mismatch_is_an_error() {
    let big: Adam<f64, Vec<f64>> = AdamConfig::default().build(3).unwrap();
    let mut small: Adam<f64, Vec<f64>> = AdamConfig::default().build(2).unwrap();
    let err = small.load_state(big.state()).unwrap_err();
    assert_eq!(
        err,
        StateError::Length {
            component: "Adam",
            buffer: "exp_avg",
            expected: 2,
            found: 3
        }
    );
    assert!(
        err.to_string().contains("expected the dimension 2"),
        "{err}"
    );
    // The failed load changed nothing.
    assert_eq!(small.exp_avg().len(), 2);

    // Buffers of different lengths in one state.
    let mut state = big.state();
    state.exp_avg_sq.pop();
    assert!(matches!(
        Adam::from_state(state),
        Err(StateError::Length {
            buffer: "exp_avg_sq",
            ..
        })
    ));

    // An L-BFGS history of another size.
    let lbfgs = LbfgsConfig::default().history_size(4);
    let four: Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>> = lbfgs.build(2).unwrap();
    let mut state = four.state();
    state.s_history.pop();
    assert!(matches!(
        Lbfgs::from_state(state),
        Err(StateError::Length {
            buffer: "s_history",
            ..
        })
    ));
}

#[test]
fn invalid_saved_values_are_errors() {
    let mut state = AdamConfig::default()
        .build::<f64, Vec<f64>>(2)
        .unwrap()
        .state();
    state.param_group.betas.0 = 1.5;
    assert!(matches!(
        Adam::from_state(state),
        Err(StateError::Invalid(OptimError::InvalidHyperparameter {
            component: "Adam",
            ..
        }))
    ));
    let mut warm = CosineAnnealingWarmRestarts::new(3, 2, 0.0).unwrap();
    let mut bad = warm.state();
    bad.t_cur = bad.t_i;
    assert!(matches!(
        warm.load_state(bad),
        Err(StateError::Inconsistent { .. })
    ));
    let config = MinibatchConfig::default().epochs(2).batch_size(4);
    let mut past = MinibatchState::<f64>::new(0);
    past.batch = 4;
    assert!(matches!(
        past.validate(&config, 12),
        Err(StateError::Inconsistent { .. })
    ));
}

#[cfg(feature = "serde")]
#[test]
fn deserializing_into_the_wrong_size_is_an_error() {
    // A dimension-3 state read back as a fixed dimension-2 one: a deserialization error.
    let adam: Adam<f64, Vec<f64>> = AdamConfig::default().build(3).unwrap();
    let bytes = postcard::to_allocvec(&adam.state()).unwrap();
    let back = postcard::from_bytes::<optim::state::AdamState<f64, [f64; 2]>>(&bytes);
    assert!(back.is_err());
    let ok = postcard::from_bytes::<optim::state::AdamState<f64, [f64; 3]>>(&bytes).unwrap();
    assert_eq!(ok.exp_avg, [0.0; 3]);
}

#[cfg(feature = "serde")]
#[test]
fn json_round_trip_of_a_finite_state() {
    // JSON keeps every finite double (serde_json's float_roundtrip); infinities do not fit it.
    let mut opt: Adam<f64, Vec<f64>> = AdamConfig::default().lr(0.1).build(2).unwrap();
    optim::Optimizer::step(&mut opt, &mut [0.3, -0.7], &[0.1 / 3.0, 1e-300]);
    let json = serde_json::to_string(&opt.state()).unwrap();
    let back: optim::state::AdamState<f64, Vec<f64>> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, opt.state());
    assert!(json.contains("\"exp_avg\""), "{json}");
}

#[cfg(feature = "rand_core")]
mod user_generators {
    use super::*;
    use optim::restarts::{restarts_in, restarts_with_in};
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn minibatch_with_a_rand_core_generator_resumes() {
        let fresh = || MinibatchState::with_rng(ChaCha8Rng::seed_from_u64(42));
        let full = train_line(None, fresh(), |s| s.clone());
        for pause in [3, 11] {
            assert_eq!(train_line(Some(pause), fresh(), |s| s.clone()), full);
        }
        // Another generator shuffles differently.
        assert_ne!(
            train_line(None, MinibatchState::new(0), |s| s.clone()),
            full
        );
    }

    #[test]
    fn rng_is_a_rand_core_generator() {
        // Our Rng through rand_core's trait: the same stream, so with_rng(Rng::new(seed)) is
        // the seeded path.
        let mut a = Rng::new(8);
        let mut b = Rng::new(8);
        assert_eq!(rand_core::Rng::next_u64(&mut a), b.next_u64());
        let seeded = train_line(None, MinibatchState::new(8), |s| s.clone());
        let wrapped = train_line(None, MinibatchState::with_rng(Rng::new(8)), |s| s.clone());
        assert_eq!(seeded, wrapped);
    }

    #[test]
    fn restarts_from_a_rand_core_generator() {
        let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
        let to_unit =
            |r: &mut ChaCha8Rng| (rand_core::Rng::next_u64(r) >> 11) as f64 / (1u64 << 53) as f64;
        let (mut work, mut best) = ([0.0], [0.0]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let found = restarts_with_in(
            8,
            &mut rng,
            &mut work,
            &mut best,
            |r, x| x[0] = 4.0 * to_unit(r) - 2.0,
            |_, x: &mut [f64]| {
                x[0] = x[0].signum();
                f(x[0])
            },
        )
        .unwrap();
        assert_eq!((best, found.value), ([-1.0], f(-1.0)));
        // The seeded entry point is the generic one with Rng::new(seed).
        let mut starts = Vec::new();
        restarts_in(
            3,
            5,
            &mut work,
            &mut best,
            |r, x| x[0] = r.next_f64(),
            |_, x: &mut [f64]| {
                starts.push(x[0]);
                x[0]
            },
        );
        let mut rng = Rng::new(5);
        assert_eq!(starts, (0..3).map(|_| rng.next_f64()).collect::<Vec<_>>());
    }
}
