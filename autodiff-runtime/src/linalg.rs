//! Small dense symmetric eigenvalue problems, for classifying critical points by their Hessian.
//!
//! [`sym_eigenvalues`] works on a fixed-size `[[F; N]; N]`, [`sym_eigenvalues_in_place`] on a
//! caller-provided row-major `n * n` buffer; neither allocates. Both use the cyclic Jacobi method:
//! unconditionally convergent for symmetric matrices, accurate for small eigenvalues, and simple
//! enough to trust (the matrices here are Hessians of a handful of variables).

use crate::Float;

/// At most this many Jacobi sweeps (convergence is quadratic; a few sweeps are typical).
const MAX_SWEEPS: usize = 100;

/// What a critical point (zero gradient) is, judged by the eigenvalues of its Hessian.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CriticalPoint {
    /// Every eigenvalue `> tol`: positive definite, a strict local minimum.
    Minimum,
    /// Every eigenvalue `< -tol`: negative definite, a strict local maximum.
    Maximum,
    /// Some eigenvalue `> tol` and some `< -tol`: indefinite, a saddle point.
    Saddle,
    /// None of the above (an eigenvalue within `tol` of zero, or NaN): the second-order test
    /// decides nothing.
    Degenerate,
}

/// The eigenvalues of the symmetric matrix `a`, sorted ascending.
///
/// Only the symmetric part `(a + a^T) / 2` is used. Cyclic Jacobi rotations, at most 100 sweeps,
/// stopping once the off-diagonal Frobenius norm is below machine epsilon times the matrix norm.
/// NaN or infinite entries give NaN eigenvalues.
pub fn sym_eigenvalues<F: Float, const N: usize>(a: &[[F; N]; N]) -> [F; N] {
    let mut m = *a;
    let mut out = [F::zero(); N];
    sym_eigenvalues_in_place(m.as_flattened_mut(), N, &mut out);
    out
}

/// The eigenvalues of the symmetric `n x n` matrix stored row-major in `a[..n * n]`, written
/// sorted ascending to `out[..n]`.
///
/// `a` is used as the workspace: on return it holds the (nearly) diagonalized matrix. Only the
/// symmetric part is used, as in [`sym_eigenvalues`].
///
/// # Panics
/// If `a.len() < n * n` or `out.len() < n`.
pub fn sym_eigenvalues_in_place<F: Float>(a: &mut [F], n: usize, out: &mut [F]) {
    assert!(
        a.len() >= n * n,
        "sym_eigenvalues_in_place: `a` needs n * n entries"
    );
    assert!(
        out.len() >= n,
        "sym_eigenvalues_in_place: `out` needs n entries"
    );
    let a = &mut a[..n * n];
    let zero = F::zero();
    let half = F::from_f64(0.5);

    // Symmetrize, and find the largest entry to scale the norms (no overflow in the squares).
    let mut scale = zero;
    for i in 0..n {
        for j in i + 1..n {
            let s = (a[i * n + j] + a[j * n + i]) * half;
            a[i * n + j] = s;
            a[j * n + i] = s;
        }
    }
    let mut has_nan = false;
    for &x in a.iter() {
        has_nan |= x.is_nan();
        let ax = x.abs();
        if ax > scale {
            scale = ax;
        }
    }

    if has_nan || scale.to_f64().is_infinite() {
        out[..n].fill(F::from_f64(f64::NAN));
        return;
    }
    if scale > zero {
        let inv = F::one() / scale;
        let sq_sum = |a: &[F], off_only: bool| {
            let mut s = zero;
            for i in 0..n {
                for j in 0..n {
                    if !off_only || i != j {
                        let x = a[i * n + j] * inv;
                        s += x * x;
                    }
                }
            }
            s
        };
        // Frobenius norm (invariant under the rotations), relative to `scale`.
        let norm = sq_sum(a, false).sqrt();
        let tol = epsilon::<F>() * norm;
        for _ in 0..MAX_SWEEPS {
            if sq_sum(a, true).sqrt() < tol {
                break;
            }
            for p in 0..n {
                for q in p + 1..n {
                    rotate(a, n, p, q);
                }
            }
        }
    }

    for (i, o) in out[..n].iter_mut().enumerate() {
        *o = a[i * n + i];
    }
    sort_ascending(&mut out[..n]);
}

/// One Jacobi rotation in the `(p, q)` plane zeroing `a[p][q]` (Numerical Recipes' stable form:
/// `t = tan(phi)` is the smaller root, so the rotation angle is at most pi/4).
fn rotate<F: Float>(a: &mut [F], n: usize, p: usize, q: usize) {
    let zero = F::zero();
    let one = F::one();
    let apq = a[p * n + q];
    if apq == zero {
        return;
    }
    let (app, aqq) = (a[p * n + p], a[q * n + q]);
    let theta = (aqq - app) / (apq + apq);
    // hypot(theta, 1) rather than sqrt(theta^2 + 1): no overflow for tiny apq.
    let t = one / (theta.abs() + theta.hypot(one));
    let t = if theta < zero { -t } else { t };
    let c = one / t.hypot(one);
    let s = t * c;
    a[p * n + p] = app - t * apq;
    a[q * n + q] = aqq + t * apq;
    a[p * n + q] = zero;
    a[q * n + p] = zero;
    for r in 0..n {
        if r == p || r == q {
            continue;
        }
        let (arp, arq) = (a[r * n + p], a[r * n + q]);
        let new_rp = c * arp - s * arq;
        let new_rq = s * arp + c * arq;
        a[r * n + p] = new_rp;
        a[p * n + r] = new_rp;
        a[r * n + q] = new_rq;
        a[q * n + r] = new_rq;
    }
}

/// Machine epsilon of `F` (`f64::EPSILON` or `f32::EPSILON`), found without a trait method.
fn epsilon<F: Float>() -> F {
    if F::from_f64(1.0 + f64::EPSILON) == F::one() {
        F::from_f64(f32::EPSILON as f64)
    } else {
        F::from_f64(f64::EPSILON)
    }
}

/// Insertion sort (n is small, and there is no allocation); NaNs stay where they are.
fn sort_ascending<F: Float>(v: &mut [F]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Classifies a critical point by the eigenvalues of its (symmetric) Hessian: all `> tol`:
/// [`CriticalPoint::Minimum`]; all `< -tol`: [`CriticalPoint::Maximum`]; some `> tol` and some
/// `< -tol`: [`CriticalPoint::Saddle`]; otherwise (or `N == 0`) [`CriticalPoint::Degenerate`].
pub fn classify<F: Float, const N: usize>(hessian: &[[F; N]; N], tol: F) -> CriticalPoint {
    classify_eigenvalues(&sym_eigenvalues(hessian), tol)
}

/// [`classify`] from already computed eigenvalues (for example from
/// [`sym_eigenvalues_in_place`]). NaN eigenvalues count as neither positive nor negative.
pub fn classify_eigenvalues<F: Float>(eigenvalues: &[F], tol: F) -> CriticalPoint {
    let n = eigenvalues.len();
    let pos = eigenvalues.iter().filter(|&&l| l > tol).count();
    let neg = eigenvalues.iter().filter(|&&l| l < -tol).count();
    if n == 0 {
        CriticalPoint::Degenerate
    } else if pos == n {
        CriticalPoint::Minimum
    } else if neg == n {
        CriticalPoint::Maximum
    } else if pos > 0 && neg > 0 {
        CriticalPoint::Saddle
    } else {
        CriticalPoint::Degenerate
    }
}
