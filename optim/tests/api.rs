//! Builders, storage, schedules without oracle cases, observers.

use optim::{
    AdadeltaConfig, Adam, AdamConfig, CosineAnnealingLr, OptimError, Optimizer, Progress,
    ReduceLrOnPlateau, RmsPropConfig, Scheduler, Sgd, SgdConfig, StepLr,
};

#[test]
fn builders_validate_with_component_names() {
    let e = AdamConfig::default()
        .betas((1.0, 0.999))
        .build::<f64, Vec<f64>>(2)
        .unwrap_err();
    assert_eq!(e.to_string(), "`Adam`: beta1 must be in [0, 1)");
    let e = optim::AdamWConfig::default()
        .lr(-1.0)
        .build::<f64, Vec<f64>>(2)
        .unwrap_err();
    assert_eq!(e.to_string(), "`AdamW`: lr must be >= 0");
    let e = SgdConfig::default()
        .nesterov(true)
        .build::<f64, Vec<f64>>(1)
        .unwrap_err();
    assert!(e.to_string().starts_with("`Sgd`: nesterov"));
    assert!(RmsPropConfig::default().alpha(f64::NAN).validate().is_err());
    assert_eq!(
        AdadeltaConfig::default()
            .rho(1.5)
            .validate()
            .unwrap_err()
            .to_string(),
        "`Adadelta`: rho must be in [0, 1]"
    );
    assert!(StepLr::new(0, 0.5).is_err());
    assert!(ReduceLrOnPlateau::new().factor(1.0).validate().is_err());
}

#[test]
fn fixed_size_storage_checks_dimension() {
    let e = AdamConfig::default().build::<f64, [f64; 3]>(2).unwrap_err();
    assert_eq!(
        e,
        OptimError::Dimension {
            component: "Adam",
            storage: 3,
            dim: 2
        }
    );
    let mut a: Adam<f32, [f32; 2]> = AdamConfig::default().build(2).unwrap();
    let mut v: Adam<f32, Vec<f32>> = AdamConfig::default().build(2).unwrap();
    let (mut x, mut y) = ([1.0f32, 2.0], [1.0f32, 2.0]);
    for _ in 0..5 {
        a.step(&mut x, &[0.5, -0.25]);
        v.step(&mut y, &[0.5, -0.25]);
    }
    assert_eq!(x, y);
    assert_eq!(a.steps(), 5);
    a.reset();
    assert_eq!(a.steps(), 0);
    assert_eq!(a.exp_avg(), &[0.0, 0.0]);
}

#[test]
#[should_panic(expected = "`Sgd`: params has length 3")]
fn step_checks_lengths() {
    let mut s: Sgd<f64, Vec<f64>> = SgdConfig::default().build(2).unwrap();
    s.step(&mut [0.0; 3], &[0.0; 3]);
}

#[test]
fn maximize_flips_the_step() {
    let mut s: Sgd<f64, [f64; 1]> = SgdConfig::default()
        .lr(0.5)
        .maximize(true)
        .build(1)
        .unwrap();
    let mut x = [1.0];
    s.step(&mut x, &[2.0]);
    assert_eq!(x, [2.0]);
}

/// Recursive cosine annealing agrees with torch's closed form
/// `eta_min + (base - eta_min) * (1 + cos(pi * t / T)) / 2` over two periods.
#[test]
fn cosine_annealing_matches_closed_form() {
    let mut opt: Sgd<f64, Vec<f64>> = SgdConfig::default().lr(0.1).build(1).unwrap();
    let mut s = CosineAnnealingLr::new(10, 0.001).unwrap();
    for t in 1..=40u32 {
        s.update(&mut opt, 0.0);
        let closed = 0.001
            + (0.1 - 0.001) * (1.0 + (std::f64::consts::PI * f64::from(t) / 10.0).cos()) / 2.0;
        assert!(
            (opt.lr() - closed).abs() < 1e-15,
            "t = {t}: {} vs {closed}",
            opt.lr()
        );
    }
}

/// torch semantics: the lr drops after `patience + 1` non-improving steps, then cooldown.
#[test]
fn reduce_on_plateau() {
    let mut opt: Sgd<f64, Vec<f64>> = SgdConfig::default().lr(1.0).build(1).unwrap();
    let mut s = ReduceLrOnPlateau::new()
        .patience(2)
        .factor(0.5)
        .cooldown(1)
        .validate()
        .unwrap();
    let mut lrs = Vec::new();
    for metric in [10.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 8.0] {
        s.step(&mut opt, metric);
        lrs.push(opt.lr());
    }
    // Bad steps: 3rd, 4th, 5th (> patience 2 at the 5th: reduce), cooldown eats the 6th,
    // then 7th, 8th bad, 9th improves.
    assert_eq!(lrs, [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]);
    let mut s = ReduceLrOnPlateau::new()
        .patience(0)
        .min_lr(0.3)
        .validate()
        .unwrap();
    s.step(&mut opt, 1.0);
    s.step(&mut opt, 1.0);
    assert_eq!(opt.lr(), 0.3);
}

#[test]
fn progress_line() {
    let line = Progress::line(3, &[1.0f64, 2.0], 0.5, &[3.0, 4.0]);
    assert!(line.contains("iter      3"), "{line}");
    assert!(line.contains("|grad| 5e0"), "{line}");
}
