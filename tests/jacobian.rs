//! Functions returning `[f64; M]`: `jvp`/`vjp` with array tangents and seeds, and `jacobian`,
//! which uses forward passes when there are fewer inputs than outputs and reverse passes
//! otherwise. Both paths are checked against central finite differences and against each other.
#![allow(clippy::needless_range_loop)]
use autodiff::differentiable;

#[differentiable]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

#[differentiable]
fn features<const N: usize>(x: &[f64; N]) -> [f64; 3] {
    let mut out = [0.0; 3];
    for i in 0..N {
        out[0] += x[i].sin();
        out[1] += x[i] * x[i];
    }
    out[2] = x[0] * x[N - 1] + if x[0] > 0.0 { x[0].exp() } else { 0.0 };
    out
}

/// Central differences of a vector function, column by column.
fn fd<const N: usize, const M: usize>(
    f: impl Fn(&[f64; N]) -> [f64; M],
    x: [f64; N],
) -> [[f64; N]; M] {
    let mut j = [[0.0; N]; M];
    for c in 0..N {
        let h = 1e-6 * x[c].abs().max(1.0);
        let (mut xp, mut xm) = (x, x);
        xp[c] += h;
        xm[c] -= h;
        let (fp, fm) = (f(&xp), f(&xm));
        for r in 0..M {
            j[r][c] = (fp[r] - fm[r]) / (2.0 * h);
        }
    }
    j
}

/// Finite differences at h ~ 1e-6 in double precision are good to ~1e-8 relative for these
/// smooth functions of size ~1-10.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-7 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn polar_jacobian_matches_closed_form_and_differences() {
    for &(r, t) in &[(2.0, 0.5), (0.3, -2.0), (5.0, 3.0)] {
        let (v, j) = polar::jacobian(r, t);
        assert_eq!(v, polar(r, t));
        let exact = [[t.cos(), -r * t.sin()], [t.sin(), r * t.cos()]];
        let num = fd(|x: &[f64; 2]| polar(x[0], x[1]), [r, t]);
        for a in 0..2 {
            for b in 0..2 {
                assert!(
                    (j[a][b] - exact[a][b]).abs() <= 1e-15 * exact[a][b].abs().max(1.0),
                    "{a}{b}"
                );
                assert!(
                    close(j[a][b], num[a][b]),
                    "{a}{b}: {} vs {}",
                    j[a][b],
                    num[a][b]
                );
            }
        }
        // Reverse mode: seed e_a gives row a.
        let (_, (dr, dt)) = polar::vjp(r, t, &[1.0, 0.0]);
        assert_eq!((dr, dt), (j[0][0], j[0][1]));
    }
}

fn check_features<const N: usize>(x: [f64; N]) {
    let (v, j) = features::jacobian(&x);
    assert_eq!(v, features(&x));
    let num = fd(|y: &[f64; N]| features(y), x);
    for r in 0..3 {
        for c in 0..N {
            assert!(
                close(j[r][c], num[r][c]),
                "N={N} [{r}][{c}]: {} vs {}",
                j[r][c],
                num[r][c]
            );
        }
    }
    // The other mode gives the same matrix: rows by vjp, columns by jvp.
    for r in 0..3 {
        let mut seed = [0.0; 3];
        seed[r] = 1.0;
        let mut bar = [0.0; N];
        features::vjp(&x, &seed, &mut bar);
        for c in 0..N {
            let mut e = [0.0; N];
            e[c] = 1.0;
            let (_, d) = features::jvp(&x, &e);
            assert!(
                (bar[c] - d[r]).abs() <= 1e-13 * d[r].abs().max(1.0),
                "[{r}][{c}]"
            );
            assert!(
                (bar[c] - j[r][c]).abs() <= 1e-13 * j[r][c].abs().max(1.0),
                "[{r}][{c}]"
            );
        }
    }
}

#[test]
fn features_jacobian_in_forward_and_reverse_mode() {
    check_features([0.7, -1.1]); // N = 2 < M = 3: forward passes
    check_features([0.7, -1.1, 2.0, 0.4, -0.3]); // N = 5 > M = 3: reverse passes
    check_features([-0.5, 1.5, 0.25, 3.0]); // the branch not taken
}
