//! A small Newton-CG (truncated Newton) on Hessian-vector products, following scipy's
//! `minimize(method="Newton-CG")`: the inner conjugate gradients stop at the residual
//! `min(0.5, sqrt(|g|_1)) |g|_1` or at negative curvature, then a backtracking (Armijo) line
//! search along the Newton direction; stop when the step's L1 norm is below `n * xtol`.
//!
//! Used by the examples when `optim` has no Newton-CG of its own. Included with
//! `#[path = "common/newton_cg.rs"] mod newton_cg;`.
#![allow(dead_code)]

use autodiff::Objective;

/// What [`minimize`] did.
pub struct NewtonCg {
    /// The final point.
    pub x: Vec<f64>,
    /// The value there.
    pub value: f64,
    /// Outer (Newton) iterations.
    pub iterations: usize,
    /// The value after each iteration (start first).
    pub trace: Vec<f64>,
    /// Hessian-vector products computed.
    pub hvps: usize,
    /// Value-and-gradient evaluations.
    pub grads: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Newton-CG from `x0` (scipy's defaults: `xtol = 1e-5`, at most `200 n` iterations).
///
/// # Panics
/// If the objective has no Hessian-vector product.
pub fn minimize<O: Objective<f64> + ?Sized>(obj: &O, x0: &[f64], xtol: f64) -> NewtonCg {
    let n = obj.dim();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut scratch = vec![0.0; n];
    let mut hp = vec![0.0; n];
    let mut trial = vec![0.0; n];
    let mut value = obj.value_grad(&x, &mut g);
    let (mut hvps, mut grads) = (0, 1);
    let mut trace = vec![value];
    let mut k = 0;
    let mut update_norm = 2.0 * xtol * n as f64;
    while update_norm > xtol * n as f64 && k < 200 * n {
        // Inner CG on H p = -g.
        let maggrad: f64 = g.iter().map(|v| v.abs()).sum();
        let termcond = maggrad.sqrt().min(0.5) * maggrad;
        let mut p_sol = vec![0.0; n];
        let mut r = g.clone();
        let mut d: Vec<f64> = r.iter().map(|v| -v).collect();
        let mut rr = dot(&r, &r);
        for i in 0..20 * n {
            if r.iter().map(|v| v.abs()).sum::<f64>() <= termcond {
                break;
            }
            obj.hvp(&x, &d, &mut scratch, &mut hp)
                .expect("the objective has a Hessian-vector product");
            hvps += 1;
            let curv = dot(&d, &hp);
            if (0.0..=3.0 * f64::EPSILON).contains(&curv) {
                break;
            }
            if curv < 0.0 {
                if i == 0 {
                    // Negative curvature at once: a steepest-descent step.
                    let a = rr / -curv;
                    p_sol.iter_mut().zip(&d).for_each(|(p, d)| *p = a * d);
                }
                break;
            }
            let alpha = rr / curv;
            p_sol.iter_mut().zip(&d).for_each(|(p, d)| *p += alpha * d);
            r.iter_mut().zip(&hp).for_each(|(r, h)| *r += alpha * h);
            let rr_new = dot(&r, &r);
            let beta = rr_new / rr;
            d.iter_mut().zip(&r).for_each(|(d, r)| *d = -r + beta * *d);
            rr = rr_new;
        }
        // Backtracking line search (Armijo, c1 = 1e-4) from the full Newton step.
        let slope = dot(&g, &p_sol);
        let mut step = 1.0;
        let new_value = loop {
            trial
                .iter_mut()
                .zip(&x)
                .zip(&p_sol)
                .for_each(|((t, x), p)| *t = x + step * p);
            let v = obj.value_grad(&trial, &mut scratch);
            grads += 1;
            if v <= value + 1e-4 * step * slope || step < 1e-10 {
                break v;
            }
            step *= 0.5;
        };
        update_norm = p_sol.iter().map(|p| (step * p).abs()).sum();
        x.copy_from_slice(&trial);
        g.copy_from_slice(&scratch);
        value = new_value;
        trace.push(value);
        k += 1;
    }
    NewtonCg {
        x,
        value,
        iterations: k,
        trace,
        hvps,
        grads,
    }
}
