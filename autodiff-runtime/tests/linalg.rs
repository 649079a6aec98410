//! Symmetric eigenvalues (cyclic Jacobi) and critical-point classification, against matrices
//! with known spectra.

use autodiff_runtime::linalg::{
    classify, classify_eigenvalues, sym_eigenvalues, sym_eigenvalues_in_place, CriticalPoint,
};

#[track_caller]
fn assert_eigs(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "eigenvalues {got:?}, want {want:?}"
        );
    }
}

#[test]
fn diagonal_is_sorted() {
    let a = [[3.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 2.0]];
    assert_eq!(sym_eigenvalues(&a), [-1.0, 2.0, 3.0]);
    assert_eq!(sym_eigenvalues(&[[0.0; 2]; 2]), [0.0, 0.0]);
    assert_eq!(sym_eigenvalues(&[[5.0f64]]), [5.0]);
    let empty: [[f64; 0]; 0] = [];
    assert_eq!(sym_eigenvalues(&empty), []);
}

#[test]
fn two_by_two_closed_form() {
    for (a, b, d) in [
        (2.0, 1.0, 3.0),
        (1.0, -4.0, -2.0),
        (1e-3, 1e3, 1e-3),
        (7.0, 1e-9, 7.0),
    ] {
        let m = [[a, b], [b, d]];
        let mean = (a + d) / 2.0;
        let r = ((a - d) / 2.0f64).hypot(b);
        assert_eigs(&sym_eigenvalues(&m), &[mean - r, mean + r], 1e-14);
    }
}

/// `Q diag(l) Q^T` with `Q = H / 2` for the 4x4 Hadamard matrix `H` (orthogonal, exact in binary).
fn hadamard_conjugate(l: [f64; 4]) -> [[f64; 4]; 4] {
    let h = [
        [1.0, 1.0, 1.0, 1.0],
        [1.0, -1.0, 1.0, -1.0],
        [1.0, 1.0, -1.0, -1.0],
        [1.0, -1.0, -1.0, 1.0],
    ];
    let mut a = [[0.0; 4]; 4];
    for (i, row) in a.iter_mut().enumerate() {
        for (j, aij) in row.iter_mut().enumerate() {
            *aij = (0..4).map(|k| h[i][k] * l[k] * h[j][k]).sum::<f64>() / 4.0;
        }
    }
    a
}

#[test]
fn four_by_four_known_spectra() {
    let a = hadamard_conjugate([7.0, -3.0, 2.0, 1.0]);
    assert_eigs(&sym_eigenvalues(&a), &[-3.0, 1.0, 2.0, 7.0], 1e-14);
    // Repeated eigenvalues.
    let a = hadamard_conjugate([2.0, 2.0, -1.0, 2.0]);
    assert_eigs(&sym_eigenvalues(&a), &[-1.0, 2.0, 2.0, 2.0], 1e-14);
    // The second-difference matrix tridiag(-1, 2, -1): eigenvalues 2 - 2 cos(k pi / 5).
    let t = [
        [2.0, -1.0, 0.0, 0.0],
        [-1.0, 2.0, -1.0, 0.0],
        [0.0, -1.0, 2.0, -1.0],
        [0.0, 0.0, -1.0, 2.0],
    ];
    let want: Vec<f64> = (1..=4)
        .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / 5.0).cos())
        .collect();
    assert_eigs(&sym_eigenvalues(&t), &want, 1e-14);
}

#[test]
fn slice_version_matches() {
    // The 6x6 Hilbert matrix: ill-conditioned, eigenvalues from 1.08e-7 to 1.62.
    const N: usize = 6;
    let mut arr = [[0.0; N]; N];
    let mut flat = [0.0; N * N];
    for i in 0..N {
        for j in 0..N {
            arr[i][j] = 1.0 / (i + j + 1) as f64;
            flat[i * N + j] = arr[i][j];
        }
    }
    let mut out = [0.0; N + 2];
    sym_eigenvalues_in_place(&mut flat, N, &mut out);
    let fixed = sym_eigenvalues(&arr);
    assert_eq!(&out[..N], &fixed);
    // Trace and the known extreme eigenvalues.
    let trace: f64 = (0..N).map(|i| arr[i][i]).sum();
    assert!((out[..N].iter().sum::<f64>() - trace).abs() < 1e-14);
    assert!((out[0] - 1.0827994845655498e-7).abs() < 1e-15, "{}", out[0]);
    assert!(
        (out[N - 1] - 1.618899858924339).abs() < 1e-14,
        "{}",
        out[N - 1]
    );
    assert_eq!(&out[N..], &[0.0, 0.0], "entries past n are untouched");
    // f32 works too.
    let mut a32 = [4.0f32, 1.0, 1.0, 4.0];
    let mut out32 = [0.0f32; 2];
    sym_eigenvalues_in_place(&mut a32, 2, &mut out32);
    assert!((out32[0] - 3.0).abs() < 1e-6 && (out32[1] - 5.0).abs() < 1e-6);
}

#[test]
#[should_panic(expected = "n * n")]
fn slice_version_checks_lengths() {
    sym_eigenvalues_in_place(&mut [0.0; 3], 2, &mut [0.0; 2]);
}

#[test]
fn only_symmetric_part_used_and_nan() {
    let a = [[1.0, 3.0], [1.0, 1.0]]; // symmetric part [[1, 2], [2, 1]]: -1 and 3
    assert_eigs(&sym_eigenvalues(&a), &[-1.0, 3.0], 1e-15);
    let e = sym_eigenvalues(&[[1.0, f64::NAN], [f64::NAN, 1.0]]);
    assert!(e.iter().all(|v| v.is_nan()));
    let e = sym_eigenvalues(&[[1.0, f64::INFINITY], [f64::INFINITY, 1.0]]);
    assert!(e.iter().all(|v| v.is_nan()));
    assert_eq!(
        classify(&[[f64::NAN, 0.0], [0.0, 1.0]], 1e-9),
        CriticalPoint::Degenerate
    );
}

/// Himmelblau's `(x^2 + y - 11)^2 + (x + y^2 - 7)^2`, Hessian by hand.
fn himmelblau_hessian(x: f64, y: f64) -> [[f64; 2]; 2] {
    let fxy = 4.0 * (x + y);
    [
        [12.0 * x * x + 4.0 * y - 42.0, fxy],
        [fxy, 12.0 * y * y + 4.0 * x - 26.0],
    ]
}

#[test]
fn himmelblau_critical_points() {
    let h = himmelblau_hessian(3.0, 2.0);
    assert_eq!(h, [[74.0, 20.0], [20.0, 34.0]]);
    let e = sym_eigenvalues(&h);
    assert!(e[0] > 0.0, "positive definite at the minimum: {e:?}");
    assert_eigs(&e, &[54.0 - 800f64.sqrt(), 54.0 + 800f64.sqrt()], 1e-14);
    assert_eq!(classify(&h, 1e-9), CriticalPoint::Minimum);
    assert_eq!(
        classify(&himmelblau_hessian(-0.270845, -0.923039), 1e-9),
        CriticalPoint::Maximum
    );
    // The other three minima, and a saddle between two of them.
    for (x, y) in [
        (-2.805118, 3.131312),
        (-3.779310, -3.283186),
        (3.584428, -1.848126),
    ] {
        assert_eq!(
            classify(&himmelblau_hessian(x, y), 1e-9),
            CriticalPoint::Minimum
        );
    }
    assert_eq!(
        classify(&himmelblau_hessian(3.385154, 0.073852), 1e-9),
        CriticalPoint::Saddle
    );
}

#[test]
fn classification_rules() {
    assert_eq!(
        classify(&[[1.0, 0.0], [0.0, 2.0]], 0.0),
        CriticalPoint::Minimum
    );
    assert_eq!(
        classify(&[[-1.0, 0.0], [0.0, -2.0]], 0.0),
        CriticalPoint::Maximum
    );
    assert_eq!(
        classify(&[[1.0, 0.0], [0.0, -2.0]], 0.0),
        CriticalPoint::Saddle
    );
    assert_eq!(
        classify(&[[1.0, 0.0], [0.0, 0.0]], 1e-12),
        CriticalPoint::Degenerate
    );
    // Within tol of zero is not definite, however the other eigenvalues look.
    assert_eq!(
        classify(&[[1.0, 0.0], [0.0, 1e-10]], 1e-9),
        CriticalPoint::Degenerate
    );
    assert_eq!(
        classify(&[[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 0.0]], 1e-9),
        CriticalPoint::Saddle
    );
    assert_eq!(
        classify_eigenvalues::<f64>(&[], 0.0),
        CriticalPoint::Degenerate
    );
    assert_eq!(
        classify(&[[2.0f32, 1.0], [1.0, 2.0]], 1e-6),
        CriticalPoint::Minimum
    );
}
