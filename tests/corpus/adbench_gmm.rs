//! A port of ADBench's Gaussian-mixture objective (`gmm.h`) written the way a C++ programmer
//! writes it in Rust: helpers over slices (`arr_max`, `logsumexp`, `sqnorm`, `subtract`,
//! `qtimesx`), output buffers (`preprocess_qs` writes two), `Vec` scratch buffers, sub-slices of
//! the parameter arrays, a passive `Wishart` struct and a passive helper (`log_gamma_distrib`).
//! Checked against the same objective written over any `Scalar` (dual numbers), finite
//! differences and Hessian-vector products.

use crate::*;
use autodiff::{differentiable, Scalar};

/// Wishart prior parameters (passive data).
#[derive(Clone, Copy)]
pub struct Wishart {
    pub gamma: f64,
    pub m: i32,
}

#[differentiable]
fn arr_max(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        if m < x[i] {
            m = x[i];
        }
    }
    m
}

#[differentiable]
fn logsumexp(x: &[f64]) -> f64 {
    let mx = arr_max(x);
    let mut semx = 0.0;
    for i in 0..x.len() {
        semx += (x[i] - mx).exp();
    }
    semx.ln() + mx
}

#[differentiable]
fn sqnorm(x: &[f64]) -> f64 {
    let mut res = 0.0;
    for i in 0..x.len() {
        res += x[i] * x[i];
    }
    res
}

#[differentiable]
fn subtract(x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = x[i] - y[i];
    }
}

/// `out = Q x` with `Q` lower triangular: diagonal `qdiag`, strictly lower part `ltri`
/// column by column.
#[differentiable]
fn qtimesx(d: usize, qdiag: &[f64], ltri: &[f64], x: &[f64], out: &mut [f64]) {
    for id in 0..d {
        out[id] = qdiag[id] * x[id];
    }
    let mut lparamsidx = 0;
    for i in 0..d {
        for j in i + 1..d {
            out[j] += ltri[lparamsidx] * x[i];
            lparamsidx += 1;
        }
    }
}

#[differentiable]
fn preprocess_qs(d: usize, k: usize, icf: &[f64], sum_qs: &mut [f64], qdiags: &mut [f64]) {
    let icf_sz = d * (d + 1) / 2;
    for ik in 0..k {
        sum_qs[ik] = 0.0;
        for id in 0..d {
            let q = icf[ik * icf_sz + id];
            sum_qs[ik] += q;
            qdiags[ik * d + id] = q.exp();
        }
    }
}

/// `ln Γ_p(a)`, the multivariate log-gamma function (constant data, not differentiated).
pub fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let mut out = 0.25 * (p * (p - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=p {
        out += ln_gamma(a + 0.5 * (1.0 - j as f64));
    }
    out
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, n = 9): accurate to ~1e-15 relative.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[differentiable(wrt(sum_qs, qdiags, icf))]
fn log_wishart_prior(
    p: usize,
    k: usize,
    wishart: Wishart,
    sum_qs: &[f64],
    qdiags: &[f64],
    icf: &[f64],
) -> f64 {
    let n = p + wishart.m as usize + 1;
    let icf_sz = p * (p + 1) / 2;
    let c = (n * p) as f64 * (wishart.gamma.ln() - 0.5 * 2f64.ln())
        - log_gamma_distrib(0.5 * n as f64, p);
    let mut out = 0.0;
    for ik in 0..k {
        let frobenius = sqnorm(&qdiags[ik * p..(ik + 1) * p])
            + sqnorm(&icf[ik * icf_sz + p..(ik + 1) * icf_sz]);
        out = out + 0.5 * wishart.gamma * wishart.gamma * frobenius - wishart.m as f64 * sum_qs[ik];
    }
    out - k as f64 * c
}

#[differentiable(wrt(alphas, means, icf))]
pub fn gmm_objective(
    d: usize,
    k: usize,
    n: usize,
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    wishart: Wishart,
) -> f64 {
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
    let icf_sz = d * (d + 1) / 2;
    let mut qdiags = vec![0.0; d * k];
    let mut sum_qs = vec![0.0; k];
    let mut xcentered = vec![0.0; d];
    let mut qxcentered = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    preprocess_qs(d, k, icf, &mut sum_qs, &mut qdiags);
    let mut slse = 0.0;
    for ix in 0..n {
        for ik in 0..k {
            subtract(
                &x[ix * d..(ix + 1) * d],
                &means[ik * d..(ik + 1) * d],
                &mut xcentered,
            );
            qtimesx(
                d,
                &qdiags[ik * d..(ik + 1) * d],
                &icf[ik * icf_sz + d..(ik + 1) * icf_sz],
                &xcentered,
                &mut qxcentered,
            );
            main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sqnorm(&qxcentered);
        }
        slse += logsumexp(&main_term);
    }
    let lse_alphas = logsumexp(alphas);
    let err = constant + slse - n as f64 * lse_alphas;
    err + log_wishart_prior(d, k, wishart, &sum_qs, &qdiags, icf)
}

/// The same objective over any scalar (an evaluation independent of the macro).
#[allow(clippy::too_many_arguments)]
fn gmm_generic<S: Scalar<Base = f64>>(
    d: usize,
    k: usize,
    n: usize,
    alphas: &[S],
    means: &[S],
    icf: &[S],
    x: &[f64],
    w: Wishart,
) -> S {
    let lse = |v: &[S]| {
        let mut mx = v[0];
        for &a in &v[1..] {
            if mx.base() < a.base() {
                mx = a;
            }
        }
        v.iter().fold(S::zero(), |s, &a| s + (a - mx).exp()).ln() + mx
    };
    let icf_sz = d * (d + 1) / 2;
    let mut slse = S::zero();
    for ix in 0..n {
        let mut main_term = vec![S::zero(); k];
        for ik in 0..k {
            let ic = &icf[ik * icf_sz..(ik + 1) * icf_sz];
            let xc: Vec<S> = (0..d)
                .map(|i| S::cst(x[ix * d + i]) - means[ik * d + i])
                .collect();
            let mut qx: Vec<S> = (0..d).map(|i| ic[i].exp() * xc[i]).collect();
            let mut l = d;
            for i in 0..d {
                for j in i + 1..d {
                    qx[j] += ic[l] * xc[i];
                    l += 1;
                }
            }
            let sum_q = ic[..d].iter().fold(S::zero(), |s, &q| s + q);
            main_term[ik] =
                alphas[ik] + sum_q - S::cst(0.5) * qx.iter().fold(S::zero(), |s, &a| s + a * a);
        }
        slse += lse(&main_term);
    }
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
    let mut prior = S::zero();
    let nn = d + w.m as usize + 1;
    let c =
        (nn * d) as f64 * (w.gamma.ln() - 0.5 * 2f64.ln()) - log_gamma_distrib(0.5 * nn as f64, d);
    for ik in 0..k {
        let ic = &icf[ik * icf_sz..(ik + 1) * icf_sz];
        let fro = ic[..d]
            .iter()
            .fold(S::zero(), |s, &q| s + q.exp() * q.exp())
            + ic[d..].iter().fold(S::zero(), |s, &q| s + q * q);
        let sum_q = ic[..d].iter().fold(S::zero(), |s, &q| s + q);
        prior = prior + S::cst(0.5 * w.gamma * w.gamma) * fro - S::cst(w.m as f64) * sum_q;
    }
    S::cst(constant) + slse - S::cst(n as f64) * lse(alphas) + prior - S::cst(k as f64 * c)
}

#[test]
fn gmm_objective_as_ported() {
    let (d, k, n) = (3, 4, 10);
    let icf_sz = d * (d + 1) / 2;
    let mut rng = Rng::named("gmm");
    let alphas: Vec<f64> = (0..k).map(|_| rng.range(-1.0, 1.0)).collect();
    let means: Vec<f64> = (0..d * k).map(|_| rng.range(-1.0, 1.0)).collect();
    let icf: Vec<f64> = (0..icf_sz * k).map(|_| rng.range(-0.5, 0.5)).collect();
    let x: Vec<f64> = (0..d * n).map(|_| rng.range(-1.5, 1.5)).collect();
    let w = Wishart { gamma: 1.5, m: 2 };
    let (na, nm) = (k, d * k);
    let split = |p: &[f64]| {
        (
            p[..na].to_vec(),
            p[na..na + nm].to_vec(),
            p[na + nm..].to_vec(),
        )
    };
    let f = |p: &[f64]| {
        let (a, m, i) = split(p);
        gmm_objective(d, k, n, &a, &m, &i, &x, w)
    };
    let jvp = |p: &[f64], v: &[f64]| {
        let ((a, m, i), (da, dm, di)) = (split(p), split(v));
        gmm_objective::jvp(d, k, n, &a, &m, &i, &x, w, &da, &dm, &di)
    };
    let vjp = |p: &[f64], c: f64, b: &mut [f64]| {
        let (a, m, i) = split(p);
        let (ba, rest) = b.split_at_mut(na);
        let (bm, bi) = rest.split_at_mut(nm);
        gmm_objective::vjp(d, k, n, &a, &m, &i, &x, w, c, ba, bm, bi)
    };
    let grad = |p: &[f64]| {
        let (a, m, i) = split(p);
        let (v, (ga, gm, gi)) = gmm_objective::grad(d, k, n, &a, &m, &i, &x, w);
        (v, [ga, gm, gi].concat())
    };
    let p: Vec<f64> = [alphas.clone(), means.clone(), icf.clone()].concat();
    let o = Fns {
        f: &f,
        jvp: &jvp,
        vjp: &vjp,
        grad: &grad,
    };
    let g = check("gmm", &o, &p);
    let (v, want) = dual_grad(
        &|dp| gmm_generic(d, k, n, &dp[..na], &dp[na..na + nm], &dp[na + nm..], &x, w),
        &p,
    );
    assert_close(v, f(&p), 1e-13, 1.0, "gmm value vs generic");
    assert_grad_eq("gmm", &g, &want, 1e-12);
    let dir: Vec<f64> = (0..p.len()).map(|_| rng.tangent()).collect();
    let (a, m, i) = split(&p);
    let (da, dm, di) = split(&dir);
    let (_, _, (ha, hm, hi)) = gmm_objective::hvp(d, k, n, &a, &m, &i, &x, w, &da, &dm, &di);
    check_hvp("gmm", &|q| grad(q).1, &p, &dir, &[ha, hm, hi].concat());
}
