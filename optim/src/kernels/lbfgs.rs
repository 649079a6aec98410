//! The fused loops of torch's L-BFGS: the two-loop recursion and the moves `x + t d`.

use autodiff_runtime::Float;

use super::kernels;
use crate::line_search::dot;

kernels! {
    /// torch's two-loop recursion, `d = -H g`, over the pairs at physical indices
    /// `(head + i) % m`, `i < len` (oldest first): `al[p] = (s_p . d) rho_p`,
    /// `d = fma(-al[p], y_p, d)` newest first, then `d *= h_diag`, then
    /// `d = fma(al[p] - (y_p . d) rho_p, s_p, d)` oldest first. Dot products in `f64`,
    /// sequential.
    #[allow(clippy::too_many_arguments)]
    fn two_loop<F: Float, S: AsRef<[F]>>(
        d: &mut [F],
        g: &[F],
        s_hist: &[S],
        y_hist: &[S],
        rho: &[F],
        al: &mut [F],
        head: usize,
        len: usize,
        h_diag: F,
    ) {
        let m = s_hist.len();
        for (di, &gi) in d.iter_mut().zip(g) {
            *di = -gi;
        }
        for i in (0..len).rev() {
            let p = (head + i) % m;
            let a = F::from_f64(dot(s_hist[p].as_ref(), d)) * rho[p];
            al[p] = a;
            for (di, &yi) in d.iter_mut().zip(y_hist[p].as_ref()) {
                *di = (-a).mul_add(yi, *di);
            }
        }
        for di in d.iter_mut() {
            *di *= h_diag;
        }
        for i in 0..len {
            let p = (head + i) % m;
            let be = F::from_f64(dot(y_hist[p].as_ref(), d)) * rho[p];
            let c = al[p] - be;
            for (di, &si) in d.iter_mut().zip(s_hist[p].as_ref()) {
                *di = c.mul_add(si, *di);
            }
        }
    }

    /// torch's `p.add_(d, alpha=t)`: `p = fma(t, d, p)`.
    fn add_step<F: Float>(params: &mut [F], t: F, d: &[F]) {
        for (p, &di) in params.iter_mut().zip(d) {
            *p = t.mul_add(di, *p);
        }
    }

    /// torch's `x.add(d, alpha=t)` into `out`: `out = fma(t, d, x)`.
    fn add_step_into<F: Float>(out: &mut [F], x: &[F], t: F, d: &[F]) {
        for ((o, &xi), &di) in out.iter_mut().zip(x).zip(d) {
            *o = t.mul_add(di, xi);
        }
    }
}
