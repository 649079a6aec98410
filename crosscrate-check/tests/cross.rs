//! The gradient through another crate's functions equals the sum of their own gradients.
#[test]
fn gradient_through_another_crate() {
    for &(x, y) in &[(3.0, 2.0), (-0.7, 1.2), (0.1, -2.5)] {
        let (v, (gx, gy)) = crosscrate_check::combined::grad(x, y);
        let (hv, (hx, hy)) = nostd_check::himmelblau::grad(x, y);
        let (wv, (wy, wx)) = nostd_check::wave::grad(y, x);
        assert_eq!(v, crosscrate_check::combined(x, y));
        assert!((v - (hv + 0.5 * wv)).abs() <= 1e-13 * v.abs().max(1.0));
        assert!((gx - (hx + 0.5 * wx)).abs() <= 1e-13 * gx.abs().max(1.0));
        assert!((gy - (hy + 0.5 * wy)).abs() <= 1e-13 * gy.abs().max(1.0));
        let (_, d) = crosscrate_check::combined::jvp(x, y, 1.0, 0.0);
        assert!((d - gx).abs() <= 1e-13 * gx.abs().max(1.0));
    }
}

/// Another crate's struct, its passive field read here: by path and imported.
#[autodiff::differentiable(wrt(s))]
fn energy(s: &crosscrate_check::Spring, x: f64) -> f64 {
    0.5 * s.k * (x - s.x0 - s.rest).powi(2)
}

mod imported {
    use crosscrate_check::Spring;

    #[autodiff::differentiable(wrt(s))]
    pub fn energy(s: &Spring, x: f64) -> f64 {
        0.5 * s.k * (x - s.x0 - s.rest).powi(2)
    }
}

#[test]
fn passive_field_of_another_crates_struct() {
    let s = crosscrate_check::Spring {
        k: 3.0,
        x0: 0.25,
        rest: 1.0,
    };
    let (v, g) = energy::grad(&s, 2.0);
    assert_eq!(v, 0.5 * 3.0 * 0.75f64.powi(2));
    assert_eq!(
        (g.k, g.x0, g.rest),
        (0.5 * 0.75f64.powi(2), -3.0 * 0.75, 1.0)
    );
    let (v2, g2) = imported::energy::grad(&s, 2.0);
    assert_eq!((v2, g2.k, g2.x0), (v, g.k, g.x0));
}
