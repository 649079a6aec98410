//! The `no_std` crate's generated derivatives against hand-derived formulas. (This test crate
//! itself links `std`; the library under test does not.)

use nostd_check::{
    descend_himmelblau, himmelblau_derivatives, scaled_sin_sq_derivatives, wave_derivatives,
    wave_f32_derivatives, Derivatives,
};

const POINTS: [(f64, f64); 6] = [
    (0.0, 0.0),
    (3.0, 2.0),
    (-1.5, 0.75),
    (0.3, -2.2),
    (2.5, 1.0e-3),
    (-3.7, -3.1),
];

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

#[track_caller]
fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        close(got, want, rel),
        "{what}: got {got:e}, want {want:e} (rel tol {rel:e})"
    );
}

/// Checks every field of `d` against a value and gradient computed by hand.
#[track_caller]
fn check(
    name: &str,
    d: Derivatives<f64>,
    (value, (gx, gy)): (f64, (f64, f64)),
    (dx, dy, seed): (f64, f64, f64),
    rel: f64,
) {
    assert_close(&format!("{name} value"), d.value, value, rel);
    assert_close(&format!("{name} grad value"), d.grad.0, value, rel);
    assert_close(&format!("{name} ∂/∂x"), d.grad.1 .0, gx, rel);
    assert_close(&format!("{name} ∂/∂y"), d.grad.1 .1, gy, rel);
    assert_close(&format!("{name} jvp value"), d.jvp.0, value, rel);
    assert_close(&format!("{name} jvp"), d.jvp.1, gx * dx + gy * dy, rel);
    assert_close(&format!("{name} vjp value"), d.vjp.0, value, rel);
    assert_close(&format!("{name} vjp x"), d.vjp.1 .0, seed * gx, rel);
    assert_close(&format!("{name} vjp y"), d.vjp.1 .1, seed * gy, rel);
}

fn himmelblau_by_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    let a = x * x + y - 11.0;
    let b = x + y * y - 7.0;
    (
        a * a + b * b,
        (4.0 * a * x + 2.0 * b, 2.0 * a + 4.0 * b * y),
    )
}

fn wave_by_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    let e = (x.sin() * y).exp();
    let r = (x * x + y * y + 1.0).sqrt();
    (e + r, (e * y * x.cos() + x / r, e * x.sin() + y / r))
}

#[test]
fn himmelblau_matches_hand_derived_gradient() {
    for (x, y) in POINTS {
        let dir = (0.6, -0.8, 2.5);
        let d = himmelblau_derivatives(x, y, dir.0, dir.1, dir.2);
        check(
            &format!("himmelblau({x}, {y})"),
            d,
            himmelblau_by_hand(x, y),
            dir,
            1e-13,
        );
    }
    // The minimum (3, 2): value and gradient exactly zero.
    let d = himmelblau_derivatives(3.0, 2.0, 1.0, 1.0, 1.0);
    assert_eq!(d.grad, (0.0, (0.0, 0.0)));
}

#[test]
fn wave_matches_hand_derived_gradient() {
    for (x, y) in POINTS {
        let dir = (-0.3, 1.7, -0.5);
        let d = wave_derivatives(x, y, dir.0, dir.1, dir.2);
        check(
            &format!("wave({x}, {y})"),
            d,
            wave_by_hand(x, y),
            dir,
            1e-12,
        );
    }
}

#[test]
fn wave_f32_matches_f64_formula_to_f32_precision() {
    for (x, y) in POINTS {
        let (x32, y32) = (x as f32, y as f32);
        let d = wave_f32_derivatives(x32, y32, -0.3, 1.7, -0.5);
        let widened = Derivatives {
            value: f64::from(d.value),
            grad: (
                f64::from(d.grad.0),
                (f64::from(d.grad.1 .0), f64::from(d.grad.1 .1)),
            ),
            jvp: (f64::from(d.jvp.0), f64::from(d.jvp.1)),
            vjp: (
                f64::from(d.vjp.0),
                (f64::from(d.vjp.1 .0), f64::from(d.vjp.1 .1)),
            ),
        };
        // Evaluate the formula at the f32-rounded inputs, so only f32 arithmetic error remains.
        let by_hand = wave_by_hand(f64::from(x32), f64::from(y32));
        check(
            &format!("wave_f32({x}, {y})"),
            widened,
            by_hand,
            (-0.3, 1.7, -0.5),
            1e-5,
        );
    }
}

#[test]
fn scaled_sin_sq_differentiates_x_only() {
    for (x, k) in POINTS {
        let ((v, g), (vj, j), (vv, b)) = scaled_sin_sq_derivatives(x, k, 0.7, -1.5);
        let value = k * x.sin().powi(2);
        let dfdx = 2.0 * k * x.sin() * x.cos();
        for (what, got, want) in [
            ("grad value", v, value),
            ("jvp value", vj, value),
            ("vjp value", vv, value),
            ("grad", g, dfdx),
            ("jvp", j, 0.7 * dfdx),
            ("vjp", b, -1.5 * dfdx),
        ] {
            assert_close(&format!("scaled_sin_sq({x}, {k}) {what}"), got, want, 1e-13);
        }
    }
}

#[test]
fn gradient_descent_on_the_stack_finds_a_himmelblau_minimum() {
    let (x, y) = descend_himmelblau(0.0, 0.0, 0.01, 1000);
    assert!(
        (x - 3.0).abs() < 1e-9 && (y - 2.0).abs() < 1e-9,
        "ended at ({x}, {y})"
    );
}

/// The fixed-size loop with a branch, and its Hessian-vector product, against hand-derived
/// formulas (the branch taken at x[0] < 0 adds x[0]^2).
#[test]
fn rosen_penalized_gradient_and_hvp() {
    for x in [[-1.2, 1.0, 0.5, 0.3], [0.4, -0.7, 1.1, 2.0]] {
        let v = [0.3, -1.0, 0.5, 2.0];
        let (value, grad, hv) = nostd_check::rosen_penalized_second_order(&x, &v);
        let pen = if x[0] < 0.0 { 1.0 } else { 0.0 };
        let mut want_v = pen * x[0] * x[0];
        let mut g = [0.0; 4];
        let mut h = [[0.0; 4]; 4];
        g[0] += pen * 2.0 * x[0];
        h[0][0] += pen * 2.0;
        for i in 0..3 {
            let a = x[i + 1] - x[i] * x[i];
            let b = 1.0 - x[i];
            want_v += 100.0 * a * a + b * b;
            g[i] += -400.0 * a * x[i] - 2.0 * b;
            g[i + 1] += 200.0 * a;
            h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            h[i][i + 1] -= 400.0 * x[i];
            h[i + 1][i] -= 400.0 * x[i];
            h[i + 1][i + 1] += 200.0;
        }
        let rel = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0);
        assert!(rel(value, want_v), "{value} vs {want_v}");
        for i in 0..4 {
            let want_hv: f64 = (0..4).map(|j| h[i][j] * v[j]).sum();
            assert!(rel(grad[i], g[i]), "grad[{i}]: {} vs {}", grad[i], g[i]);
            assert!(rel(hv[i], want_hv), "hv[{i}]: {} vs {want_hv}", hv[i]);
        }
    }
}

/// Adam as the textbook (and torch's docs) write it, with torch's defaults
/// (`betas = (0.9, 0.999)`, `eps = 1e-8`), on any gradient function.
fn adam_by_hand<const N: usize>(
    x0: [f64; N],
    lr: f64,
    steps: usize,
    grad: impl Fn(&[f64; N]) -> [f64; N],
) -> [f64; N] {
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
    let (mut m, mut v) = ([0.0; N], [0.0; N]);
    let mut x = x0;
    for t in 1..=steps {
        let g = grad(&x);
        let bc1 = 1.0 - b1.powi(t as i32);
        let bc2 = 1.0 - b2.powi(t as i32);
        for i in 0..N {
            m[i] = b1 * m[i] + (1.0 - b1) * g[i];
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            let denom = v[i].sqrt() / bc2.sqrt() + eps;
            x[i] -= lr / bc1 * m[i] / denom;
        }
    }
    x
}

#[track_caller]
fn assert_all_close<const N: usize>(what: &str, got: [f64; N], want: [f64; N], tol: f64) {
    for i in 0..N {
        assert!(
            (got[i] - want[i]).abs() <= tol * want[i].abs().max(1.0),
            "{what}[{i}]: {} vs hand-written {} ({got:?} vs {want:?})",
            got[i],
            want[i]
        );
    }
}

#[test]
fn adam_through_autodiff_optim_matches_a_hand_written_loop() {
    // Himmelblau, gradients by hand: the no_std Adam (torch's fused multiply-adds) and the
    // textbook loop differ only by rounding.
    let x0 = [0.5, -1.5];
    let got = nostd_check::adam_himmelblau(x0, 0.05, 25);
    let want = adam_by_hand(x0, 0.05, 25, |x| {
        let (_, (gx, gy)) = himmelblau_by_hand(x[0], x[1]);
        [gx, gy]
    });
    assert_all_close("adam himmelblau", got, want, 1e-12);
    assert!(got != x0);
    // Many steps reach one of the four minima (value 0).
    let far = nostd_check::adam_himmelblau([0.0, 0.0], 0.1, 2000);
    assert!(nostd_check::himmelblau(far[0], far[1]) < 1e-10, "{far:?}");

    // The fixed-size Rosenbrock (with its penalty at x[0] < 0), gradients by hand.
    let rosen_grad = |x: &[f64; 4]| {
        let mut g = [0.0; 4];
        if x[0] < 0.0 {
            g[0] += 2.0 * x[0];
        }
        for i in 0..3 {
            let a = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * a;
        }
        g
    };
    let x0 = [-1.2, 1.0, -0.5, 0.8];
    let got = nostd_check::adam_rosen_penalized(x0, 1e-2, 30);
    let want = adam_by_hand(x0, 1e-2, 30, rosen_grad);
    assert_all_close("adam rosen_penalized", got, want, 1e-12);

    // The driver (`minimize_in` on `rosen_penalized::objective()`) takes the same steps.
    let (x, report) = nostd_check::minimize_rosen_penalized(x0, 1e-2, 30);
    assert_eq!(x, got);
    assert_eq!(report.iterations, 30);
    assert_eq!(report.status, autodiff::optim::Status::MaxIterations);
    // And the single entry point on the array (this crate builds without `alloc`).
    let (x, entry) = nostd_check::minimize_entry_rosen_penalized(x0, 1e-2, 30);
    assert_eq!((x, entry), (got, report));
}

#[test]
fn parameter_struct_without_alloc() {
    use nostd_check::{fit_line, fit_line_minimize, line_loss, Line};
    let line = Line {
        slope: 0.0,
        offset: 0.0,
        tag: 7,
    };
    let (xs, ys) = ([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0]);
    let (v, g) = line_loss::grad(&line, &xs, &ys);
    assert_eq!(v, 1.0 + 9.0 + 25.0 + 49.0);
    assert_eq!(
        (g.slope, g.offset, g.tag),
        (-2.0 * (3.0 + 10.0 + 21.0), -2.0 * 16.0, 7)
    );
    let by_minimize = fit_line_minimize(line, &xs, &ys, 0.1, 3000);
    let fit = fit_line(line, &xs, &ys, 0.1, 3000);
    // The same Adam steps, by hand or through `minimize` on a `FlatArray`.
    assert_eq!(
        (by_minimize.slope, by_minimize.offset, by_minimize.tag),
        (fit.slope, fit.offset, fit.tag)
    );
    assert!(
        (fit.slope - 2.0).abs() < 1e-6 && (fit.offset - 1.0).abs() < 1e-6,
        "{fit:?}"
    );
    assert_eq!(fit.tag, 7);
    // A passive field read: the loss over the first `tag` points.
    let first = Line { tag: 2, ..line };
    let (v, g) = nostd_check::line_loss_first::grad(&first, &xs, &ys);
    assert_eq!(v, 1.0 + 9.0);
    assert_eq!((g.slope, g.offset, g.tag), (-2.0 * 3.0, -2.0 * 4.0, 2));
}

#[test]
fn tanh_unit_gradient_is_one_minus_tanh_squared() {
    for (w, b, x) in [(0.5, -0.2, 1.5), (2.0, 1.0, 3.0), (-1.0, 0.3, 0.1)] {
        let z: f64 = w * x + b;
        let (v, (gw, gb)) = nostd_check::tanh_unit::grad(w, b, x);
        let d = 1.0 / (z.cosh() * z.cosh());
        assert_close("tanh_unit value", v, z.tanh(), 1e-15);
        assert_close("tanh_unit d/dw", gw, d * x, 1e-14);
        assert_close("tanh_unit d/db", gb, d, 1e-14);
    }
}
