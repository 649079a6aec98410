//! The conjugate-gradient recurrence on `H z = -g` from `z = 0` that both Newton methods run
//! (scipy's inner loops of `newton-cg` and `CGSteihaug`, which are the same arithmetic): how
//! each ends is the caller's.

use autodiff_runtime::{Float, Objective, ObjectiveError};

use crate::line_search::dot;

/// CG's vectors: iterate `z` (and `H z` when carried), residual `r = H z + g`, direction `d`,
/// its product `hd = H d`, and `rr = r.r`.
pub(crate) struct Cg<'w, F> {
    /// The iterate (the Newton step being built).
    pub(crate) z: &'w mut [F],
    /// `H z`, carried along by the trust region (`H(z + a d) = H z + a H d`).
    pub(crate) hz: Option<&'w mut [F]>,
    /// The residual.
    pub(crate) r: &'w mut [F],
    /// The search direction.
    pub(crate) d: &'w mut [F],
    /// `H d`, after [`Cg::curvature`].
    pub(crate) hd: &'w mut [F],
    scratch: &'w mut [F],
    /// `r.r` of the current residual.
    pub(crate) rr: f64,
}

impl<'w, F: Float> Cg<'w, F> {
    /// Borrows the vectors (their contents are set by [`Cg::restart`]).
    pub(crate) fn new(
        z: &'w mut [F],
        hz: Option<&'w mut [F]>,
        r: &'w mut [F],
        d: &'w mut [F],
        hd: &'w mut [F],
        scratch: &'w mut [F],
    ) -> Self {
        Cg {
            z,
            hz,
            r,
            d,
            hd,
            scratch,
            rr: 0.0,
        }
    }

    /// Starts CG at `z = 0` for the gradient `g`: `r = g`, `d = -g`.
    pub(crate) fn restart(&mut self, g: &[F]) {
        self.z.fill(F::zero());
        if let Some(hz) = self.hz.as_deref_mut() {
            hz.fill(F::zero());
        }
        self.r.copy_from_slice(g);
        for (di, &ri) in self.d.iter_mut().zip(self.r.iter()) {
            *di = -ri;
        }
        self.rr = dot(self.r, self.r);
    }

    /// [`Cg::restart`] when `g.g` is known (`gg`, bit for bit `dot(g, g)`): `r = g`, so
    /// `r.r` is `gg`.
    pub(crate) fn restart_known(&mut self, g: &[F], gg: f64) {
        self.z.fill(F::zero());
        if let Some(hz) = self.hz.as_deref_mut() {
            hz.fill(F::zero());
        }
        self.r.copy_from_slice(g);
        for (di, &ri) in self.d.iter_mut().zip(self.r.iter()) {
            *di = -ri;
        }
        self.rr = gg;
    }

    /// `hd = H d` at `x` (counted in `hvp_evals`); returns the curvature `d.Hd`.
    ///
    /// # Errors
    /// [`ObjectiveError::NoHvp`] from the objective.
    pub(crate) fn curvature<O: Objective<F> + ?Sized>(
        &mut self,
        objective: &O,
        x: &[F],
        hvp_evals: &mut usize,
    ) -> Result<f64, ObjectiveError> {
        objective.hvp(x, self.d, self.scratch, self.hd)?;
        *hvp_evals += 1;
        Ok(dot(self.d, self.hd))
    }

    /// `z += t d` (and `H z += t H d`): a move along the direction, the residual untouched
    /// (the trust region's moves to its boundary).
    pub(crate) fn move_along(&mut self, t: f64) {
        axpy(self.z, t, self.d);
        if let Some(hz) = self.hz.as_deref_mut() {
            axpy(hz, t, self.hd);
        }
    }

    /// The CG step of length `alpha`: `z += alpha d`, `r += alpha H d`. Returns the new
    /// residual's `r.r` (kept for [`Cg::turn`]).
    pub(crate) fn advance(&mut self, alpha: f64) -> f64 {
        self.move_along(alpha);
        axpy(self.r, alpha, self.hd);
        dot(self.r, self.r)
    }

    /// [`Cg::advance`] for Newton-CG (no `H z` carried): the CG step of length `alpha`, returning
    /// the new residual's `r.r` and `sum |r|` and `g.z` at the new iterate, all in one pass over
    /// the vectors. Bit for bit the sums `dot(r, r)`, `norm1(r)` and `dot(g, z)` (each in order
    /// from `-0.0`): three independent chains of additions in one loop take the time of one,
    /// where three loops run them one after the other (at `n = 100` each loop is a chain of 100
    /// dependent additions, most of the solver's own time).
    pub(crate) fn advance_sums(&mut self, alpha: f64, g: &[F]) -> Sums {
        debug_assert!(self.hz.is_none());
        let a = F::from_f64(alpha);
        let n = self.z.len();
        let (z, d, r, hd, g) = (
            &mut self.z[..n],
            &self.d[..n],
            &mut self.r[..n],
            &self.hd[..n],
            &g[..n],
        );
        let (mut rr, mut r_l1, mut gz) = (-0.0, -0.0, -0.0);
        for i in 0..n {
            let zi = z[i] + a * d[i];
            let ri = r[i] + a * hd[i];
            z[i] = zi;
            r[i] = ri;
            let ri = ri.to_f64();
            rr += ri * ri;
            r_l1 += ri.abs();
            gz += g[i].to_f64() * zi.to_f64();
        }
        Sums { rr, r_l1, gz }
    }

    /// The next conjugate direction `d = -r + beta d`, `beta = rr_new / rr`.
    pub(crate) fn turn(&mut self, rr_new: f64) {
        let beta = F::from_f64(rr_new / self.rr);
        for (di, &ri) in self.d.iter_mut().zip(self.r.iter()) {
            *di = -ri + beta * *di;
        }
        self.rr = rr_new;
    }
}

/// What [`Cg::advance_sums`] returns.
pub(crate) struct Sums {
    /// `r.r` of the new residual.
    pub(crate) rr: f64,
    /// `sum |r|` of the new residual.
    pub(crate) r_l1: f64,
    /// `g.z` at the new iterate.
    pub(crate) gz: f64,
}

/// `y += a x`, `a` rounded to `F` first.
pub(crate) fn axpy<F: Float>(y: &mut [F], a: f64, x: &[F]) {
    let a = F::from_f64(a);
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}
