//! A port of ADBench's bundle-adjustment objective (`ba.h`) as a C++ programmer writes it in
//! Rust: helpers taking slices of the camera array (`rodrigues_rotate_point`, `radial_distort`
//! with an in-out buffer, `project`, `compute_reproj_error`), a branch on an active value, a
//! named sub-slice (`let c = &cam[3..6];`), output buffers everywhere, and the 2 x 15 Jacobian
//! of one reprojection error. Checked against the same computation on dual numbers and finite
//! differences.

use crate::*;
use autodiff::{differentiable, Scalar};

const BA_NCAMPARAMS: usize = 11;

#[differentiable]
fn sqsum(x: &[f64]) -> f64 {
    let mut res = 0.0;
    for i in 0..x.len() {
        res += x[i] * x[i];
    }
    res
}

#[differentiable]
fn cross(a: &[f64], b: &[f64], out: &mut [f64]) {
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

#[differentiable]
fn rodrigues_rotate_point(rot: &[f64], pt: &[f64], rotated_pt: &mut [f64]) {
    let sqtheta = sqsum(&rot[..3]);
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let costheta = theta.cos();
        let sintheta = theta.sin();
        let theta_inverse = 1.0 / theta;
        let mut w = [0.0; 3];
        for i in 0..3 {
            w[i] = rot[i] * theta_inverse;
        }
        let mut w_cross_pt = [0.0; 3];
        cross(&w, pt, &mut w_cross_pt);
        let tmp = (w[0] * pt[0] + w[1] * pt[1] + w[2] * pt[2]) * (1.0 - costheta);
        for i in 0..3 {
            rotated_pt[i] = pt[i] * costheta + w_cross_pt[i] * sintheta + w[i] * tmp;
        }
    } else {
        let mut rot_cross_pt = [0.0; 3];
        cross(rot, pt, &mut rot_cross_pt);
        for i in 0..3 {
            rotated_pt[i] = pt[i] + rot_cross_pt[i];
        }
    }
}

#[differentiable]
fn radial_distort(rad_params: &[f64], proj: &mut [f64]) {
    let rsq = sqsum(&proj[..2]);
    let l = 1.0 + rad_params[0] * rsq + rad_params[1] * rsq * rsq;
    proj[0] = proj[0] * l;
    proj[1] = proj[1] * l;
}

#[differentiable]
fn project(cam: &[f64], x: &[f64], proj: &mut [f64]) {
    let c = &cam[3..6];
    let mut xo = [0.0; 3];
    let mut xcam = [0.0; 3];
    xo[0] = x[0] - c[0];
    xo[1] = x[1] - c[1];
    xo[2] = x[2] - c[2];
    rodrigues_rotate_point(&cam[0..3], &xo, &mut xcam);
    proj[0] = xcam[0] / xcam[2];
    proj[1] = xcam[1] / xcam[2];
    radial_distort(&cam[9..11], proj);
    proj[0] = proj[0] * cam[6] + cam[7];
    proj[1] = proj[1] * cam[6] + cam[8];
}

#[differentiable(wrt(cam, x, w))]
fn compute_reproj_error(cam: &[f64], x: &[f64], w: f64, feat: &[f64], err: &mut [f64]) {
    let mut proj = [0.0; 2];
    project(cam, x, &mut proj);
    err[0] = w * (proj[0] - feat[0]);
    err[1] = w * (proj[1] - feat[1]);
}

/// The 15 parameters of one observation stacked, for its Jacobian.
#[differentiable(wrt(params))]
fn reproj15(params: &[f64; 15], feat: &[f64], err: &mut [f64; 2]) {
    compute_reproj_error(&params[..11], &params[11..14], params[14], feat, err);
}

#[differentiable(wrt(cams, x, w))]
fn ba_objective(
    p: usize,
    cams: &[f64],
    x: &[f64],
    w: &[f64],
    obs: &[usize],
    feats: &[f64],
    reproj_err: &mut [f64],
    w_err: &mut [f64],
) {
    for i in 0..p {
        let cam_idx = obs[i * 2];
        let pt_idx = obs[i * 2 + 1];
        compute_reproj_error(
            &cams[cam_idx * BA_NCAMPARAMS..(cam_idx + 1) * BA_NCAMPARAMS],
            &x[pt_idx * 3..pt_idx * 3 + 3],
            w[i],
            &feats[i * 2..i * 2 + 2],
            &mut reproj_err[2 * i..2 * i + 2],
        );
    }
    for i in 0..p {
        w_err[i] = 1.0 - w[i] * w[i];
    }
}

/// The reprojection error over any scalar (rotation by Rodrigues' formula written directly).
fn reproj_generic<S: Scalar<Base = f64>>(p: &[S], feat: &[f64]) -> [S; 2] {
    let (cam, x, w) = (&p[..11], &p[11..14], p[14]);
    let xo = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let theta = (cam[0] * cam[0] + cam[1] * cam[1] + cam[2] * cam[2]).sqrt();
    let k = [cam[0] / theta, cam[1] / theta, cam[2] / theta];
    let kx = [
        k[1] * xo[2] - k[2] * xo[1],
        k[2] * xo[0] - k[0] * xo[2],
        k[0] * xo[1] - k[1] * xo[0],
    ];
    let kd = (k[0] * xo[0] + k[1] * xo[1] + k[2] * xo[2]) * (S::one() - theta.cos());
    let xc: Vec<S> = (0..3)
        .map(|i| xo[i] * theta.cos() + kx[i] * theta.sin() + k[i] * kd)
        .collect();
    let (u, v) = (xc[0] / xc[2], xc[1] / xc[2]);
    let rsq = u * u + v * v;
    let l = S::one() + cam[9] * rsq + cam[10] * rsq * rsq;
    let (u, v) = (u * l * cam[6] + cam[7], v * l * cam[6] + cam[8]);
    [w * (u - S::cst(feat[0])), w * (v - S::cst(feat[1]))]
}

fn camera(rng: &mut Rng) -> Vec<f64> {
    let mut c: Vec<f64> = (0..11).map(|_| rng.range(-0.3, 0.3)).collect();
    c[5] = -5.0 + c[5]; // the camera behind the points
    c[6] = 1.0 + c[6]; // focal length
    c
}

#[test]
fn reprojection_error_and_its_2x15_jacobian() {
    let mut rng = Rng::named("ba");
    let mut params = [0.0; 15];
    params[..11].copy_from_slice(&camera(&mut rng));
    params[11..14].copy_from_slice(&[0.2, -0.1, 1.0]);
    params[14] = 0.9;
    let feat = [0.05, -0.02];
    let mut err = [0.0; 2];
    let jac = reproj15::jacobian(&params, &feat, &mut err);
    let want = reproj_generic(&params, &feat);
    assert_close(err[0], want[0], 1e-14, 1.0, "err0");
    assert_close(err[1], want[1], 1e-14, 1.0, "err1");
    for r in 0..2 {
        let (_, d) = dual_grad(&|p| reproj_generic(p, &feat)[r], &params);
        assert_grad_eq(&format!("BA Jacobian row {r}"), &jac[r], &d, 1e-12);
        let f = |p: &[f64]| reproj_generic(p, &feat)[r];
        for c in 0..15 {
            let mut e = vec![0.0; 15];
            e[c] = 1.0;
            assert_fd("BA Jacobian vs FD", &f, &params, &e, jac[r][c], FD);
        }
    }
    // The zero-rotation branch of rodrigues_rotate_point.
    let mut p0 = params;
    p0[..3].copy_from_slice(&[0.0, 0.0, 0.0]);
    let j0 = reproj15::jacobian(&p0, &feat, &mut err);
    for r in 0..2 {
        for c in 3..15 {
            let mut e = vec![0.0; 15];
            e[c] = 1.0;
            let f = |p: &[f64]| {
                let mut out = [0.0; 2];
                reproj15(<&[f64; 15]>::try_from(p).unwrap(), &feat, &mut out);
                out[r]
            };
            assert_fd("BA zero rotation", &f, &p0, &e, j0[r][c], FD);
        }
    }
}

#[test]
fn bundle_adjustment_objective() {
    let mut rng = Rng::named("ba objective");
    let (nc, np, p) = (2, 3, 4);
    let cams: Vec<f64> = (0..nc).flat_map(|_| camera(&mut rng)).collect();
    let x: Vec<f64> = (0..3 * np)
        .map(|i| rng.range(-0.5, 0.5) + (i % 3 == 2) as u8 as f64)
        .collect();
    let w: Vec<f64> = (0..p).map(|_| rng.range(0.5, 1.5)).collect();
    let obs = [0, 0, 1, 1, 0, 2, 1, 0];
    let feats: Vec<f64> = (0..2 * p).map(|_| rng.range(-0.1, 0.1)).collect();
    let n_in = cams.len() + x.len() + w.len();
    let split = |q: &[f64]| {
        let (a, rest) = q.split_at(cams.len());
        let (b, c) = rest.split_at(x.len());
        (a.to_vec(), b.to_vec(), c.to_vec())
    };
    let q: Vec<f64> = [cams.clone(), x.clone(), w.clone()].concat();
    // Each output entry as a scalar function, against jvp and vjp (dot-product identity).
    let outputs = |q: &[f64]| {
        let (a, b, c) = split(q);
        let (mut re, mut we) = (vec![0.0; 2 * p], vec![0.0; p]);
        ba_objective(p, &a, &b, &c, &obs, &feats, &mut re, &mut we);
        [re, we].concat()
    };
    let v: Vec<f64> = (0..n_in).map(|_| rng.tangent()).collect();
    let (a, b, c) = split(&q);
    let (da, db, dc) = split(&v);
    let (mut re, mut we) = (vec![0.0; 2 * p], vec![0.0; p]);
    let (mut dre, mut dwe) = (vec![0.0; 2 * p], vec![0.0; p]);
    ba_objective::jvp(
        p, &a, &b, &c, &obs, &feats, &mut re, &mut we, &da, &db, &dc, &mut dre, &mut dwe,
    );
    let jv = [dre, dwe].concat();
    for k in 0..3 * p {
        let f = |z: &[f64]| outputs(z)[k];
        assert_fd(&format!("BA output {k}"), &f, &q, &v, jv[k], FD);
    }
    let seed: Vec<f64> = (0..3 * p).map(|_| rng.tangent()).collect();
    let (mut sr, mut sw) = (seed[..2 * p].to_vec(), seed[2 * p..].to_vec());
    let (mut ba, mut bb, mut bc) = (vec![0.0; cams.len()], vec![0.0; x.len()], vec![0.0; p]);
    ba_objective::vjp(
        p, &a, &b, &c, &obs, &feats, &mut re, &mut we, &mut ba, &mut bb, &mut bc, &mut sr, &mut sw,
    );
    let bar = [ba, bb, bc].concat();
    let lhs: f64 = jv.iter().zip(&seed).map(|(a, b)| a * b).sum();
    assert_dot("BA objective", 1.0, lhs, &bar, &v, DOT);
}
