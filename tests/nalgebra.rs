//! Feature `nalgebra`: objectives over nalgebra vectors, and generated Jacobians and Hessians as
//! nalgebra matrices in the right orientation, `J[(i, k)] = d r_i / d x_k` (the pitfall:
//! nalgebra's `SMatrix::from([[..]; M])` reads the rows as columns).
#![cfg(feature = "nalgebra")]

use autodiff::nalgebra::{
    as_array, dmatrix_from_rows, hessian, hvp, matrix_from_rows, value, value_grad, RaggedRows,
};
use autodiff::{differentiable, from_fns, ObjectiveError};
use nalgebra::{DMatrix, DVector, Matrix3, Matrix3x2, SMatrix, SVector, Vector2, Vector3};

/// Three outputs of two inputs: a point on a cone.
#[differentiable]
fn cone(r: f64, t: f64) -> [f64; 3] {
    [r * t.cos(), r * t.sin(), r * r]
}

/// Residuals of an exponential model, written into a buffer (`Vec` rows of the Jacobian).
#[differentiable(wrt(x))]
fn residuals(x: &[f64], t: &[f64], y: &[f64], r: &mut [f64]) {
    for i in 0..r.len() {
        r[i] = x[0] * (x[1] * t[i]).exp() - y[i];
    }
}

/// Residuals into a fixed-size buffer (`[[f; 2]; 3]` Jacobian).
#[differentiable]
fn fixed_residuals(x: &[f64; 2], r: &mut [f64; 3]) {
    r[0] = x[0] * x[1];
    r[1] = x[0] - 2.0 * x[1];
    r[2] = x[1] * x[1] * x[1];
}

/// A scalar function of three variables with a full, asymmetric-looking Hessian.
#[differentiable]
fn energy(x: &[f64; 3]) -> f64 {
    x[0] * x[0] * x[1] + (x[1] * x[2]).sin() + x[2].exp() * x[0]
}

/// The same function over a slice (objective of runtime dimension, `Vec` Hessian).
#[differentiable]
fn energy_dyn(x: &[f64]) -> f64 {
    x[0] * x[0] * x[1] + (x[1] * x[2]).sin() + x[2].exp() * x[0]
}

#[differentiable]
fn energy32(x: &[f32; 3]) -> f32 {
    x[0] * x[0] * x[1] + (x[1] * x[2]).sin() + x[2].exp() * x[0]
}

/// The exact Hessian of `energy`.
fn energy_hessian(x: [f64; 3]) -> Matrix3<f64> {
    let (s, c) = (x[1] * x[2]).sin_cos();
    let e = x[2].exp();
    Matrix3::new(
        2.0 * x[1],
        2.0 * x[0],
        e,
        2.0 * x[0],
        -x[2] * x[2] * s,
        c - x[1] * x[2] * s,
        e,
        c - x[1] * x[2] * s,
        -x[1] * x[1] * s + x[0] * e,
    )
}

#[test]
fn jacobian_of_array_function_reads_row_by_row() {
    let (r, t) = (2.0, 0.7);
    let (v, j) = cone::jacobian(r, t);
    assert_eq!(v, cone(r, t));
    let jm: Matrix3x2<f64> = matrix_from_rows(&j);
    let exact = Matrix3x2::new(t.cos(), -r * t.sin(), t.sin(), r * t.cos(), 2.0 * r, 0.0);
    assert!((jm - exact).abs().max() <= 1e-15, "{jm} vs {exact}");
    for i in 0..3 {
        for k in 0..2 {
            assert_eq!(jm[(i, k)], j[i][k], "J[({i}, {k})]");
        }
    }
    // J v is the forward-mode directional derivative, J^T w the reverse-mode one.
    let dir = Vector2::new(0.3, -1.1);
    let (_, jv) = cone::jvp(r, t, dir[0], dir[1]);
    assert!((jm * dir - Vector3::from(jv)).abs().max() <= 1e-15);
    let w = Vector3::new(1.0, -2.0, 0.5);
    let (_, (br, bt)) = cone::vjp(r, t, &[w[0], w[1], w[2]]);
    assert!((jm.transpose() * w - Vector2::new(br, bt)).abs().max() <= 1e-15);

    // The pitfall: nalgebra's `From<[[T; R]; C]>` takes the inner arrays as columns, so the
    // generated `[[f; 2]; 3]` becomes a 2 x 3 matrix, the transpose.
    let wrong: SMatrix<f64, 2, 3> = SMatrix::from(j);
    assert_eq!(wrong, jm.transpose());
    assert_eq!(wrong[(0, 1)], j[1][0]);
}

#[test]
fn jacobian_of_output_buffers_fixed_and_vec() {
    // Fixed-size buffer: [[f64; 2]; 3].
    let x = [1.5, -0.5];
    let mut r = [0.0; 3];
    let j = fixed_residuals::jacobian(&x, &mut r);
    let jm = matrix_from_rows(&j);
    let exact = Matrix3x2::new(x[1], x[0], 1.0, -2.0, 0.0, 3.0 * x[1] * x[1]);
    assert_eq!(jm, exact);
    assert_eq!(r, [x[0] * x[1], x[0] - 2.0 * x[1], x[1] * x[1] * x[1]]);

    // Slice buffer: Vec<Vec<f64>> rows, 4 residuals of 2 parameters.
    let (t, y) = ([0.0, 0.5, 1.0, 2.0], [2.0, 1.4, 1.0, 0.5]);
    let p = [1.5, -0.4];
    let mut res = vec![0.0; 4];
    let j = residuals::jacobian(&p, &t, &y, &mut res);
    let jm = dmatrix_from_rows(&j).unwrap();
    assert_eq!(jm.shape(), (4, 2));
    for i in 0..4 {
        let e = (p[1] * t[i]).exp();
        assert!((jm[(i, 0)] - e).abs() <= 1e-15, "dr_{i}/dx_0");
        assert!((jm[(i, 1)] - p[0] * t[i] * e).abs() <= 1e-15, "dr_{i}/dx_1");
        assert_eq!(jm.row(i).iter().copied().collect::<Vec<_>>(), j[i]);
    }
    // Gauss-Newton normal matrix J^T J is 2 x 2, as a nalgebra user writes it.
    let jtj = jm.transpose() * &jm;
    assert_eq!(jtj.shape(), (2, 2));
    // `DMatrix::from_vec` (column-major) would read the flattened rows transposed.
    let flat: Vec<f64> = j.iter().flatten().copied().collect();
    assert_ne!(DMatrix::from_vec(4, 2, flat.clone()), jm);
    assert_eq!(DMatrix::from_row_slice(4, 2, &flat), jm);
}

#[test]
fn hessians_as_matrices_fixed_and_dynamic() {
    let x = [0.4, -1.3, 0.9];
    let want = energy_hessian(x);
    // The generated fixed-size Hessian.
    let (_, _, h) = energy::hessian(&x);
    let hm = matrix_from_rows(&h);
    assert!((hm - want).abs().max() <= 1e-14, "{hm} vs {want}");
    // From the objective over an SVector: the same HVP columns, bitwise.
    let xs = SVector::from(x);
    let (v, g, hs) = hessian(&energy::objective(), &xs).unwrap();
    assert_eq!(hs, hm);
    let (v0, g0) = energy::grad(&x);
    assert_eq!((v, g), (v0, SVector::from(g0)));
    // Over a DVector, from the slice version.
    let xd = DVector::from_column_slice(&x);
    let (vd, gd, hd) = hessian(&energy_dyn::objective(3), &xd).unwrap();
    assert_eq!(hd.shape(), (3, 3));
    assert_eq!((vd, gd.as_slice()), (v, g.as_slice()));
    assert!(
        (&hd - DMatrix::from_iterator(3, 3, want.iter().copied()))
            .abs()
            .max()
            <= 1e-14
    );
    // The generated `Vec<Vec<f64>>` Hessian of the slice version, through dmatrix_from_rows.
    let (_, _, hv) = energy_dyn::hessian(&x);
    assert_eq!(dmatrix_from_rows(&hv).unwrap(), hd);
    // H v through `hvp`, against the matrix product.
    let dir = Vector3::new(1.0, 2.0, -0.5);
    let (_, _, hdir) = hvp(&energy::objective(), &xs, &dir).unwrap();
    assert!((hdir - hs * dir).abs().max() <= 1e-14);
}

#[test]
fn objectives_over_svector_dvector_and_column_views() {
    let x = [0.4, -1.3, 0.9];
    let (v0, g0) = energy::grad(&x);
    let obj = energy::objective();
    // SVector.
    let xs = Vector3::from(x);
    assert_eq!(value(&obj, &xs), v0);
    let (v, g) = value_grad(&obj, &xs);
    assert_eq!((v, g), (v0, Vector3::from(g0)));
    // DVector, with the runtime-sized objective.
    let xd = DVector::from_vec(x.to_vec());
    let (v, g) = value_grad(&energy_dyn::objective(3), &xd);
    assert_eq!((v, g.as_slice()), (v0, &g0[..]));
    // A column of a matrix (a contiguous view): no copy.
    let m = Matrix3x2::from_columns(&[Vector3::new(9.0, 9.0, 9.0), xs]);
    assert_eq!(value_grad(&obj, &m.column(1)), (v0, Vector3::from(g0)));
    // The generated functions themselves, on an SVector borrowed as an array.
    assert_eq!(energy::grad(as_array(&xs)), (v0, g0));
    let (_, g) = energy::grad(as_array(&xs));
    assert_eq!(SVector::from(g), Vector3::from(g0));
    // f32.
    let x32 = Vector3::new(0.4f32, -1.3, 0.9);
    let (v32, g32) = value_grad(&energy32::objective(), &x32);
    assert_eq!((v32, g32), {
        let (v, g) = energy32::grad(as_array(&x32));
        (v, Vector3::from(g))
    });
}

#[test]
fn zero_dimensional_and_no_hvp_objectives() {
    let constant = from_fns(0, |_: &[f64]| 7.0, |_: &[f64], _: &mut [f64]| 7.0)
        .with_hvp(|_: &[f64], _: &[f64], _: &mut [f64], _: &mut [f64]| 7.0);
    let (v, g, h) = hessian(&constant, &DVector::<f64>::zeros(0)).unwrap();
    assert_eq!((v, g.len(), h.shape()), (7.0, 0, (0, 0)));
    let sq = from_fns(
        1,
        |x: &[f64]| x[0] * x[0],
        |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            x[0] * x[0]
        },
    );
    let x = SVector::<f64, 1>::new(3.0);
    assert_eq!(value_grad(&sq, &x), (9.0, SVector::<f64, 1>::new(6.0)));
    assert_eq!(hessian(&sq, &x).unwrap_err(), ObjectiveError::NoHvp);
    assert_eq!(hvp(&sq, &x, &x).unwrap_err(), ObjectiveError::NoHvp);
}

#[test]
fn dmatrix_from_rows_shapes_and_ragged_rows() {
    let empty: [Vec<f64>; 0] = [];
    assert_eq!(dmatrix_from_rows(&empty).unwrap().shape(), (0, 0));
    assert_eq!(
        dmatrix_from_rows(&vec![Vec::<f64>::new(); 3])
            .unwrap()
            .shape(),
        (3, 0)
    );
    let rows = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let m = dmatrix_from_rows(&rows).unwrap();
    assert_eq!(
        m,
        DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    );
    assert_eq!(
        m,
        DMatrix::from_iterator(2, 3, matrix_from_rows(&rows).iter().copied())
    );
    let err = dmatrix_from_rows(&[vec![1.0], vec![2.0], vec![3.0, 4.0]]).unwrap_err();
    assert_eq!(
        err,
        RaggedRows {
            row: 2,
            len: 2,
            expected: 1
        }
    );
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.to_string().contains("row 2 has length 2, expected 1"));
}

#[test]
#[should_panic(expected = "`Objective`: `x` has length 2, expected the dimension 3")]
fn wrong_dimension_panics_with_the_objective_message() {
    let _ = value_grad(&energy::objective(), &Vector2::new(1.0, 2.0));
}
