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
