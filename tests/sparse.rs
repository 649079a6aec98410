//! Sparse Hessians and Jacobians: patterns detected by the tracer are exact on functions with a
//! known structure (Rosenbrock: tridiagonal; an arrowhead; a banded least squares; a branch),
//! the colourings take the expected number of colours, and the recovered matrices equal the
//! dense `f::hessian` / `f::jacobian` (relative 1e-12) with every entry outside the pattern
//! exactly zero in the dense one.
use autodiff::differentiable;
use autodiff::sparse::{
    column_coloring, hessian_pattern, jacobian_pattern, star_coloring, CscMatrix, SparseHessian,
    SparseJacobian, SparsityPattern, Tracer,
};
use autodiff::Scalar;

#[differentiable]
fn rosen(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
fn rosen_arr<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// Arrowhead: x0 couples with every x_i, plus a diagonal.
#[differentiable]
fn arrow(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 1..x.len() {
        s += (x[0] * x[i]).sin() + x[i].powi(4) / 4.0;
    }
    s + x[0].exp()
}

/// Banded least squares: residual i mixes x[i-2..=i+2] with weights `w` (passive data).
#[differentiable(wrt(x))]
fn banded(x: &[f64], w: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 2..n - 2 {
        let r = w[i] * x[i - 2] * x[i + 2] + x[i - 1] - x[i + 1].tanh() + x[i] * x[i] - 1.0;
        s += r * r;
    }
    s
}

/// A branch on the point: coupling of neighbours only where x[i] > 0.
#[differentiable]
fn branchy(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        if x[i] > 0.0 {
            s += x[i] * x[i + 1];
        } else {
            s += x[i].abs() + x[i + 1] * x[i + 1];
        }
    }
    s
}

/// Every intrinsic class: quotients, two-argument functions, zero-derivative functions.
#[differentiable]
fn mixed(x: &[f64]) -> f64 {
    let a = x[0] / x[1];
    let b = x[2].atan2(x[3]) + x[4].hypot(2.0);
    let c = x[5].floor() * x[6] + x[7].abs() * 3.0;
    let d = x[8].powf(x[9]) + (x[10] + x[11]).sqrt() + x[12].mul_add(x[13], x[14]);
    a + b + c + d + x[15].powi(1) * 2.0 + x[16].powi(0)
}

fn tridiagonal(n: usize) -> SparsityPattern {
    SparsityPattern::from_entries(
        n,
        n,
        (0..n).flat_map(|i: usize| [(i, i), (i, i.saturating_sub(1)), (i.saturating_sub(1), i)]),
    )
}

/// A seeded point in (-1, 1) away from 0.
fn point(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let v = 0.2 + 0.8 * u;
            if s & 1 == 0 {
                v
            } else {
                -v
            }
        })
        .collect()
}

/// `sparse` equals `dense` on its pattern (relative 1e-12) and `dense` is exactly zero off it.
fn assert_matches(sparse: &CscMatrix, dense: &[Vec<f64>]) {
    let p = sparse.pattern();
    for (i, row) in dense.iter().enumerate() {
        for (j, &d) in row.iter().enumerate() {
            match p.position(i, j) {
                Some(k) => {
                    let s = sparse.values()[k];
                    assert!(
                        (s - d).abs() <= 1e-12 * d.abs().max(1.0),
                        "entry ({i}, {j}): sparse {s} vs dense {d}"
                    );
                }
                None => assert_eq!(d, 0.0, "entry ({i}, {j}) outside the pattern"),
            }
        }
    }
}

#[test]
fn rosenbrock_pattern_is_tridiagonal_with_three_colours() {
    for n in [2, 3, 10, 100] {
        let x = point(n, 1);
        let p = rosen::sparse_hessian_pattern(&x);
        assert_eq!(p, tridiagonal(n));
        let c = star_coloring(&p).unwrap();
        // n = 3: the path 0 - 1 - 2 is a star, two colours.
        assert_eq!(c.count(), if n < 4 { 2 } else { 3 }, "n = {n}");
        let mut work = SparseHessian::new(p).unwrap();
        let (v, g, h) = rosen::sparse_hessian(&x, &mut work);
        let (vd, gd, hd) = rosen::hessian(&x);
        assert_eq!(v, vd);
        assert_eq!(g, &gd[..]);
        assert_matches(h, &hd);
    }
}

#[test]
fn array_parameters() {
    let x: [f64; 7] = point(7, 2).try_into().unwrap();
    let p = rosen_arr::sparse_hessian_pattern(&x);
    assert_eq!(p, tridiagonal(7));
    let mut work = SparseHessian::new(p).unwrap();
    let (v, g, h) = rosen_arr::sparse_hessian(&x, &mut work);
    let (vd, gd, hd) = rosen_arr::hessian(&x);
    assert_eq!((v, g), (vd, &gd[..]));
    let hd: Vec<Vec<f64>> = hd.iter().map(|r| r.to_vec()).collect();
    assert_matches(h, &hd);
}

#[test]
fn arrowhead_two_colours() {
    let n = 50;
    let x = point(n, 3);
    let p = arrow::sparse_hessian_pattern(&x);
    let expected =
        SparsityPattern::from_entries(n, n, (0..n).flat_map(|i| [(i, i), (0, i), (i, 0)]));
    assert_eq!(p, expected);
    let mut work = SparseHessian::new(p).unwrap();
    assert_eq!(work.coloring().count(), 2);
    let (_, _, h) = arrow::sparse_hessian(&x, &mut work);
    assert_matches(h, &arrow::hessian(&x).2);
}

#[test]
fn banded_least_squares() {
    let n = 40;
    let (x, w) = (point(n, 4), point(n, 5));
    let p = banded::sparse_hessian_pattern(&x, &w);
    // Residual i touches i-2..=i+2: the Hessian has bandwidth 4.
    let expected = SparsityPattern::from_entries(
        n,
        n,
        (2..n - 2)
            .flat_map(|i| (i - 2..=i + 2).flat_map(move |a| (i - 2..=i + 2).map(move |b| (a, b)))),
    );
    assert_eq!(p, expected);
    let mut work = SparseHessian::new(p).unwrap();
    let colours = work.coloring().count();
    assert!(colours <= 9, "{colours} colours for a band of width 9");
    let (v, _, h) = banded::sparse_hessian(&x, &w, &mut work);
    let (vd, _, hd) = banded::hessian(&x, &w);
    assert_eq!(v, vd);
    assert_matches(h, &hd);
}

#[test]
fn branches_follow_the_point_and_patterns_unite() {
    let n = 6;
    let pos = vec![1.0; n];
    let neg = vec![-1.0; n];
    let p_pos = branchy::sparse_hessian_pattern(&pos);
    let p_neg = branchy::sparse_hessian_pattern(&neg);
    // x_i > 0: x_i x_{i+1}, off-diagonal only. x_i <= 0: |x_i| + x_{i+1}^2, diagonal only.
    assert!(p_pos.entries().all(|(i, j)| i.abs_diff(j) == 1));
    assert!(p_neg.entries().all(|(i, j)| i == j));
    let both = p_pos.union(&p_neg);
    for x in [&pos, &neg] {
        let mut work = SparseHessian::new(both.clone()).unwrap();
        assert_matches(
            branchy::sparse_hessian(x, &mut work).2,
            &branchy::hessian(x).2,
        );
    }
}

#[test]
fn intrinsic_classes() {
    let mut x = point(17, 6);
    for v in x.iter_mut() {
        *v = v.abs() + 0.5; // powf and sqrt need positive arguments
    }
    let p = mixed::sparse_hessian_pattern(&x);
    let mut expected = vec![(0, 1), (1, 0), (1, 1)]; // a / b: linear in a
    for (a, b) in [(2, 3), (8, 9), (10, 11)] {
        expected.extend([(a, a), (a, b), (b, a), (b, b)]);
    }
    expected.push((4, 4)); // hypot with a constant
    expected.extend([(12, 13), (13, 12)]); // mul_add: x12 x13 + x14
                                           // floor is constant, abs linear, powi(1) linear, powi(0) constant.
    assert_eq!(p, SparsityPattern::from_entries(17, 17, expected));
    let mut work = SparseHessian::new(p).unwrap();
    assert_matches(
        mixed::sparse_hessian(&x, &mut work).2,
        &mixed::hessian(&x).2,
    );
}

/// The star colouring recovers random symmetric matrices exactly (entries read directly).
#[test]
fn random_symmetric_matrices() {
    for seed in 0..40u64 {
        let n = 5 + (seed as usize * 7) % 40;
        let r = point(4 * n * n, seed + 100);
        let density = 0.02 + 0.3 * (seed as f64 / 40.0);
        let mut entries = Vec::new();
        for i in 0..n {
            entries.push((i, i));
            for j in 0..i {
                if r[i * n + j].abs() < 0.2 + 0.8 * density {
                    entries.push((i, j));
                    entries.push((j, i));
                }
            }
        }
        let p = SparsityPattern::from_entries(n, n, entries);
        let dense: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        let (a, b) = (i.max(j), i.min(j));
                        if p.contains(i, j) {
                            r[2 * n * n + a * n + b]
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        let mut work = SparseHessian::new(p).unwrap();
        let h = work.compute_with_hvp(&vec![0.0; n], |_, v, hv| {
            for i in 0..n {
                hv[i] = (0..n).map(|j| dense[i][j] * v[j]).sum();
            }
        });
        assert_eq!(&h.to_dense(), &dense, "seed {seed}");
        // Jacobian recovery of the same matrix, seen as unsymmetric.
        let mut jw = SparseJacobian::new(h.pattern().clone());
        let j = jw.compute_with_jvp(&vec![0.0; n], |_, v, jv| {
            for i in 0..n {
                jv[i] = (0..n).map(|k| dense[i][k] * v[k]).sum();
            }
        });
        assert_eq!(&j.to_dense(), &dense, "seed {seed}");
        assert!(work.coloring().count() <= jw.coloring().count());
        assert_eq!(jw.coloring(), &column_coloring(work.pattern()));
    }
}

#[differentiable]
fn residuals<const N: usize>(x: &[f64; N]) -> [f64; 4] {
    let mut r = [0.0; 4];
    for i in 0..4 {
        r[i] = x[i] * x[i + 1] - x[i + 2].sin();
    }
    r
}

/// Residuals of a slice: r_i = x_{2i} x_{2i+1} + c x_{i+5}^2 (row 4: x8 and x9 only).
#[differentiable(wrt(x))]
fn slice_residuals(x: &[f64], c: f64) -> [f64; 5] {
    let mut r = [0.0; 5];
    for i in 0..5 {
        r[i] = x[2 * i] * x[2 * i + 1] + c * x[i + 5] * x[i + 5];
    }
    r
}

#[test]
fn generated_sparse_jacobians() {
    let x: [f64; 6] = point(6, 9).try_into().unwrap();
    let p = residuals::sparse_jacobian_pattern(&x);
    assert_eq!(
        p,
        SparsityPattern::from_entries(4, 6, (0..4).flat_map(|i| [(i, i), (i, i + 1), (i, i + 2)]))
    );
    let mut work = SparseJacobian::new(p);
    let (v, j) = residuals::sparse_jacobian(&x, &mut work);
    let (vd, jd) = residuals::jacobian(&x);
    assert_eq!(v, vd);
    assert_matches(j, &jd.iter().map(|r| r.to_vec()).collect::<Vec<_>>());

    let x = point(10, 10);
    let p = slice_residuals::sparse_jacobian_pattern(&x, 0.5);
    assert_eq!(p.nnz(), 14);
    let mut work = SparseJacobian::new(p);
    assert_eq!(work.coloring().colors(), [0, 1, 0, 1, 0, 2, 2, 1, 0, 1]);
    let (v, j) = slice_residuals::sparse_jacobian(&x, 0.5, &mut work);
    let (vd, jd) = slice_residuals::jacobian(&x, 0.5);
    assert_eq!(&v[..], &vd[..]);
    assert_matches(j, &jd);
}

#[test]
fn jacobian_of_residuals() {
    let x: [f64; 6] = point(6, 7).try_into().unwrap();
    // The runtime API, as for code without `#[differentiable]`: the pattern from a closure on
    // tracers, the products from any JVP (here the generated one).
    let p = jacobian_pattern(&x, 4, |t: &[Tracer], r: &mut [Tracer]| {
        for i in 0..4 {
            r[i] = t[i] * t[i + 1] - t[i + 2].sin();
        }
    });
    assert_eq!(
        p,
        SparsityPattern::from_entries(4, 6, (0..4).flat_map(|i| [(i, i), (i, i + 1), (i, i + 2)]))
    );
    let mut work = SparseJacobian::new(p);
    assert_eq!(work.coloring().count(), 3);
    let j = work.compute_with_jvp(&x, |x, v, jv| {
        let (x, v): (&[f64; 6], &[f64; 6]) = (x.try_into().unwrap(), v.try_into().unwrap());
        jv.copy_from_slice(&residuals::jvp(x, v).1);
    });
    let (_, jd) = residuals::jacobian(&x);
    let jd: Vec<Vec<f64>> = jd.iter().map(|r| r.to_vec()).collect();
    assert_matches(j, &jd);
}

#[test]
fn large_rosenbrock_in_three_products() {
    let n = 10_000;
    let x = point(n, 8);
    let mut work = SparseHessian::new(rosen::sparse_hessian_pattern(&x)).unwrap();
    assert_eq!(work.coloring().count(), 3);
    let mut calls = 0;
    let h = work.compute_with_hvp(&x, |x, v, hv| {
        calls += 1;
        hv.copy_from_slice(&rosen::hvp(x, v).2);
    });
    assert_eq!(calls, 3);
    // Spot-check against closed forms.
    for i in [0, 1, 5000, n - 2] {
        let d = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0 + if i > 0 { 200.0 } else { 0.0 };
        assert!((h.get(i, i) - d).abs() < 1e-9 * d.abs());
        assert!((h.get(i + 1, i) + 400.0 * x[i]).abs() < 1e-9);
    }
}

#[test]
fn tracer_direct_use() {
    // Nonlinear in both: all pairs of the union.
    let p = hessian_pattern(&[1.0, 2.0, 3.0], |t: &[Tracer]| t[0].atan2(t[1]) + t[2]);
    assert_eq!(
        p,
        SparsityPattern::from_entries(3, 3, [(0, 0), (0, 1), (1, 0), (1, 1)])
    );
    // A running sum feeding a nonlinear function: dense.
    let p = hessian_pattern(&[1.0; 30], |t: &[Tracer]| {
        let mut s = Tracer::default();
        for (i, &v) in t.iter().enumerate() {
            s += if i % 2 == 0 { v } else { -v.scale(2.0) };
        }
        s.exp() + t[3]
    });
    assert_eq!(p, SparsityPattern::dense(30, 30));
    // Jacobian rows: a running sum over every input, and a product.
    let p = jacobian_pattern(&[1.0; 30], 2, |t: &[Tracer], r: &mut [Tracer]| {
        for (i, &v) in t.iter().enumerate().rev() {
            r[0] += v * Tracer::from(i as f64);
        }
        r[1] = t[4] * t[7];
    });
    let expected = (0..30).map(|j| (0, j)).chain([(1, 4), (1, 7)]);
    assert_eq!(p, SparsityPattern::from_entries(2, 30, expected));
    // A constant result: an empty pattern, one product (for the value and gradient).
    let p = hessian_pattern(&[1.0, 2.0], |t: &[Tracer]| t[0].floor() + Tracer::cst(1.0));
    assert_eq!(p.nnz(), 0);
    let mut work = SparseHessian::new(p).unwrap();
    assert_eq!(work.coloring().count(), 1);
    let (v, g, _) = rosen::sparse_hessian(&[1.0, 2.0], &mut work);
    let (vg, gg) = rosen::grad(&[1.0, 2.0]);
    assert_eq!((v, g), (vg, &gg[..]));
}
