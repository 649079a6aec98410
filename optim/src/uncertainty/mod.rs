//! Parameter uncertainties at a minimum, as Minuit's HESSE: covariance, standard errors and
//! correlations from the Hessian of the cost function.
//!
//! # Convention (Minuit's `errordef`, "UP")
//!
//! Minuit defines a parameter's error as the change that raises the cost `FCN` by `errordef`
//! (`1` for a chi-square, `0.5` for a negative log-likelihood). Near the minimum
//! `FCN(x + d) ≈ FCN_min + ½ dᵀ H d`, so the error ellipsoid `½ dᵀ H d = errordef` gives
//!
//! ```text
//! covariance V = 2 · errordef · H⁻¹,   error_i = sqrt(V_ii),   rho_ij = V_ij / (error_i error_j)
//! ```
//!
//! (Minuit2's `MnHesse`: the error matrix is `2 · up` times the inverse of the second-derivative
//! matrix.) For a chi-square `sum((y - f(x; p)) / sigma)^2` of a linear model `f = X p`,
//! `H = 2 XᵀWX` with `W = diag(1 / sigma²)`, so with `errordef = 1` this is the
//! weighted-least-squares covariance `(XᵀWX)⁻¹`; for a negative log-likelihood with
//! `errordef = 0.5` it is the inverse Fisher information `H⁻¹`.
//!
//! # How
//!
//! The (symmetrized) Hessian is factored by Cholesky, `H = L Lᵀ`, which also tests that it is
//! positive definite (a minimum): otherwise [`UncertaintyError::NotPositiveDefinite`]. Then
//! `H⁻¹ = L⁻ᵀ L⁻¹` from the triangular inverse. All of it works in caller buffers
//! ([`hesse_in`], [`hesse_objective_in`], [`cholesky_in_place`], [`spd_inverse_in`]); with
//! feature `alloc`, [`hesse`] and [`hesse_objective`] return an [`Uncertainties`].
//!
//! Minuit's HESSE differentiates numerically; given an exact Hessian (written by hand, or
//! [`autodiff_runtime::hessian_into`] of a `#[differentiable]` objective) these are the exact
//! values that HESSE approximates.

#[cfg(feature = "alloc")]
mod table;
#[cfg(feature = "alloc")]
pub use table::Table;

use core::fmt;

use autodiff_runtime::{Float, Objective, ObjectiveError};

/// Why uncertainties could not be computed.
///
/// ```
/// use optim::{hesse, UncertaintyError};
/// // A saddle: the Hessian has a negative eigenvalue.
/// let e = hesse(&[1.0, 0.0, 0.0, -1.0], 2, 1.0).unwrap_err();
/// assert_eq!(e, UncertaintyError::NotPositiveDefinite { index: 1 });
/// assert_eq!(hesse(&[1.0], 1, 0.0).unwrap_err(), UncertaintyError::InvalidErrordef);
/// let _: &dyn core::error::Error = &e;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UncertaintyError {
    /// The Hessian is not positive definite: the Cholesky pivot of row `index` (from 0) was
    /// `<= 0` or not finite. The point is not a strict minimum (a saddle, a maximum, a flat
    /// direction) or the Hessian holds NaN/infinite entries.
    NotPositiveDefinite {
        /// The first row whose pivot failed.
        index: usize,
    },
    /// `errordef` must be finite and `> 0`.
    InvalidErrordef,
    /// The objective could not provide its Hessian (no Hessian-vector product).
    Objective(ObjectiveError),
}

impl fmt::Display for UncertaintyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UncertaintyError::NotPositiveDefinite { index } => write!(
                f,
                "`hesse`: the Hessian is not positive definite (Cholesky pivot {index} is not > 0): not a strict minimum"
            ),
            UncertaintyError::InvalidErrordef => {
                f.write_str("`hesse`: errordef must be finite and > 0")
            }
            UncertaintyError::Objective(e) => write!(f, "`hesse`: {e}"),
        }
    }
}

impl core::error::Error for UncertaintyError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            UncertaintyError::Objective(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ObjectiveError> for UncertaintyError {
    fn from(e: ObjectiveError) -> Self {
        UncertaintyError::Objective(e)
    }
}

#[inline]
fn check_len(what: &str, got: usize, want: usize) {
    assert!(
        got == want,
        "`hesse`: `{what}` has length {got}, expected {want}"
    );
}

/// Cholesky factorization in place: on success the lower triangle of the row-major `n x n`
/// matrix `a` holds `L` with `A = L Lᵀ` (positive diagonal), and the strict upper triangle is
/// zeroed. Only the lower triangle (`i >= j`) of `a` is read.
///
/// # Errors
/// [`UncertaintyError::NotPositiveDefinite`] at the first pivot that is not `> 0` (NaN
/// included); `a` is then partly overwritten.
///
/// # Panics
/// If `a.len() != n * n`.
///
/// ```
/// use optim::uncertainty::cholesky_in_place;
/// let mut a = [4.0, 2.0, 2.0, 2.0];
/// cholesky_in_place(&mut a, 2).unwrap();
/// assert_eq!(a, [2.0, 0.0, 1.0, 1.0]); // L = [[2, 0], [1, 1]]
/// assert!(cholesky_in_place(&mut [0.0], 1).is_err());
/// ```
pub fn cholesky_in_place<F: Float>(a: &mut [F], n: usize) -> Result<(), UncertaintyError> {
    check_len("a", a.len(), n * n);
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            let l = a[j * n + k];
            d -= l * l;
        }
        // Not positive, or not finite (NaN entries included).
        let d64 = d.to_f64();
        if !d64.is_finite() || d64 <= 0.0 {
            return Err(UncertaintyError::NotPositiveDefinite { index: j });
        }
        let djj = d.sqrt();
        a[j * n + j] = djj;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / djj;
        }
        for k in j + 1..n {
            a[j * n + k] = F::zero();
        }
    }
    Ok(())
}

/// The inverse `A⁻¹ = L⁻ᵀ L⁻¹` from a Cholesky factor `L` (lower triangle of `l`, as left by
/// [`cholesky_in_place`]), written to `out` (full, symmetric). `l` is overwritten with `L⁻¹`.
///
/// # Panics
/// If `l` or `out` is not `n * n` long.
///
/// ```
/// use optim::uncertainty::{cholesky_in_place, cholesky_inverse_in};
/// let mut l = [4.0, 2.0, 2.0, 2.0];
/// cholesky_in_place(&mut l, 2).unwrap();
/// let mut inv = [0.0; 4];
/// cholesky_inverse_in(&mut l, 2, &mut inv);
/// assert_eq!(inv, [0.5, -0.5, -0.5, 1.0]);
/// ```
pub fn cholesky_inverse_in<F: Float>(l: &mut [F], n: usize, out: &mut [F]) {
    check_len("l", l.len(), n * n);
    check_len("out", out.len(), n * n);
    // L⁻¹ in place, column by column, top to bottom: entries still needed are either original
    // (row i, columns > j, and the diagonal below j) or already inverted (column j above i).
    for j in 0..n {
        let inv_jj = F::one() / l[j * n + j];
        l[j * n + j] = inv_jj;
        for i in j + 1..n {
            let mut s = F::zero();
            for k in j..i {
                s += l[i * n + k] * l[k * n + j];
            }
            l[i * n + j] = -s / l[i * n + i];
        }
    }
    // (L⁻ᵀ L⁻¹)_ij = sum_{k >= max(i, j)} L⁻¹_ki L⁻¹_kj.
    for i in 0..n {
        for j in 0..=i {
            let mut s = F::zero();
            for k in i..n {
                s += l[k * n + i] * l[k * n + j];
            }
            out[i * n + j] = s;
            out[j * n + i] = s;
        }
    }
}

/// The inverse of the symmetric positive-definite row-major `n x n` matrix `a` (its symmetric
/// part `(A + Aᵀ)/2` is used) into `out`, with `work` (`n * n`) as scratch. No allocation.
///
/// ```
/// use optim::uncertainty::spd_inverse_in;
/// // A = L Lᵀ with L = [2, 0; 1, 1] (exact in binary, so the inverse is too).
/// let a = [4.0, 2.0, 2.0, 2.0];
/// let (mut inv, mut work) = ([0.0; 4], [0.0; 4]);
/// spd_inverse_in(&a, 2, &mut inv, &mut work).unwrap();
/// // det = 4: the inverse is [2, -2; -2, 4] / 4.
/// assert_eq!(inv, [0.5, -0.5, -0.5, 1.0]);
/// ```
///
/// # Errors
/// [`UncertaintyError::NotPositiveDefinite`].
///
/// # Panics
/// If a buffer is not `n * n` long.
pub fn spd_inverse_in<F: Float>(
    a: &[F],
    n: usize,
    out: &mut [F],
    work: &mut [F],
) -> Result<(), UncertaintyError> {
    check_len("a", a.len(), n * n);
    check_len("work", work.len(), n * n);
    let half = F::from_f64(0.5);
    for i in 0..n {
        for j in 0..=i {
            work[i * n + j] = (a[i * n + j] + a[j * n + i]) * half;
        }
    }
    cholesky_in_place(work, n)?;
    cholesky_inverse_in(work, n, out);
    Ok(())
}

/// Standard errors `sqrt(V_ii)` and correlations `V_ij / (e_i e_j)` of a covariance matrix.
///
/// # Panics
/// If the buffers do not have lengths `n * n`, `n`, `n * n`.
///
/// ```
/// use optim::uncertainty::errors_and_correlation_in;
/// let cov = [4.0, -2.0, -2.0, 9.0];
/// let (mut err, mut corr) = ([0.0; 2], [0.0; 4]);
/// errors_and_correlation_in(&cov, 2, &mut err, &mut corr);
/// assert_eq!(err, [2.0, 3.0]);
/// assert_eq!(corr, [1.0, -1.0 / 3.0, -1.0 / 3.0, 1.0]);
/// ```
pub fn errors_and_correlation_in<F: Float>(
    covariance: &[F],
    n: usize,
    errors: &mut [F],
    correlation: &mut [F],
) {
    check_len("covariance", covariance.len(), n * n);
    check_len("errors", errors.len(), n);
    check_len("correlation", correlation.len(), n * n);
    for (i, e) in errors.iter_mut().enumerate() {
        *e = covariance[i * n + i].sqrt();
    }
    for i in 0..n {
        for j in 0..n {
            correlation[i * n + j] = covariance[i * n + j] / (errors[i] * errors[j]);
        }
    }
}

fn check_errordef(errordef: f64) -> Result<(), UncertaintyError> {
    if errordef.is_finite() && errordef > 0.0 {
        Ok(())
    } else {
        Err(UncertaintyError::InvalidErrordef)
    }
}

/// HESSE from a dense Hessian (row-major `n x n`, at a minimum), without allocating:
/// `covariance = 2 · errordef · H⁻¹`, `errors = sqrt(diag)`, `correlation`. The
/// `correlation` buffer doubles as the factorization's workspace.
///
/// ```
/// use optim::uncertainty::hesse_in;
/// // chi2(a) = sum_i ((y_i - a) / sigma)^2 over 4 points with sigma = 2: H = 2 * 4 / 4 = 2,
/// // so the error of the mean is sigma / sqrt(4) = 1.
/// let (mut cov, mut err, mut corr) = ([0.0f64], [0.0f64], [0.0f64]);
/// hesse_in(&[2.0], 1, 1.0, &mut cov, &mut err, &mut corr).unwrap();
/// assert!((cov[0] - 1.0).abs() < 1e-15 && (err[0] - 1.0).abs() < 1e-15);
/// assert!((corr[0] - 1.0).abs() < 1e-15);
/// ```
///
/// # Errors
/// [`UncertaintyError::InvalidErrordef`], [`UncertaintyError::NotPositiveDefinite`].
///
/// # Panics
/// If the buffers do not have lengths `n * n`, `n * n`, `n`, `n * n`.
pub fn hesse_in<F: Float>(
    hessian: &[F],
    n: usize,
    errordef: f64,
    covariance: &mut [F],
    errors: &mut [F],
    correlation: &mut [F],
) -> Result<(), UncertaintyError> {
    check_errordef(errordef)?;
    check_len("hessian", hessian.len(), n * n);
    check_len("covariance", covariance.len(), n * n);
    check_len("errors", errors.len(), n);
    check_len("correlation", correlation.len(), n * n);
    spd_inverse_in(hessian, n, covariance, correlation)?;
    let scale = F::from_f64(2.0 * errordef);
    for v in covariance.iter_mut() {
        *v *= scale;
    }
    errors_and_correlation_in(covariance, n, errors, correlation);
    Ok(())
}

/// [`hesse_in`] with the Hessian of `objective` at `x` built by
/// [`autodiff_runtime::hessian_into`] (`dim` Hessian-vector products) into `hessian`
/// (`n * n`, left holding it), with `work` (`3 * n`) as scratch. Returns the objective's value
/// at `x`.
///
/// # Errors
/// [`UncertaintyError::Objective`] if the objective has no Hessian-vector product, and those
/// of [`hesse_in`].
///
/// # Panics
/// If a buffer has the wrong length (`n = objective.dim()`).
///
/// ```
/// use optim::hesse_objective_in;
/// use autodiff_runtime::from_fns;
/// // f(x) = 2 x0^2 + 2 x0 x1 + x1^2: the Hessian is [[4, 2], [2, 2]].
/// let f = |x: &[f64]| 2.0 * x[0] * x[0] + 2.0 * x[0] * x[1] + x[1] * x[1];
/// let grad = |x: &[f64], g: &mut [f64]| {
///     g[0] = 4.0 * x[0] + 2.0 * x[1];
///     g[1] = 2.0 * x[0] + 2.0 * x[1];
///     f(x)
/// };
/// let obj = from_fns(2, f, grad).with_hvp(move |x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
///     hv[0] = 4.0 * v[0] + 2.0 * v[1];
///     hv[1] = 2.0 * v[0] + 2.0 * v[1];
///     grad(x, g)
/// });
/// let (mut hessian, mut work) = ([0.0; 4], [0.0; 6]);
/// let (mut cov, mut err, mut corr) = ([0.0; 4], [0.0; 2], [0.0; 4]);
/// let value = hesse_objective_in(&obj, &[0.0, 0.0], 1.0, &mut hessian, &mut work, &mut cov, &mut err, &mut corr).unwrap();
/// assert_eq!((value, hessian), (0.0, [4.0, 2.0, 2.0, 2.0]));
/// assert_eq!(cov, [1.0, -1.0, -1.0, 2.0]); // 2 H^-1
/// ```
#[allow(clippy::too_many_arguments)]
pub fn hesse_objective_in<F: Float, O: Objective<F> + ?Sized>(
    objective: &O,
    x: &[F],
    errordef: f64,
    hessian: &mut [F],
    work: &mut [F],
    covariance: &mut [F],
    errors: &mut [F],
    correlation: &mut [F],
) -> Result<F, UncertaintyError> {
    check_errordef(errordef)?;
    let n = objective.dim();
    check_len("x", x.len(), n);
    let value = autodiff_runtime::hessian_into(objective, x, hessian, work)?;
    hesse_in(hessian, n, errordef, covariance, errors, correlation)?;
    Ok(value)
}

/// HESSE results (feature `alloc`): row-major `dim x dim` covariance and correlation, and the
/// standard errors.
///
/// ```
/// use optim::hesse;
/// let h = [4.0, 2.0, 2.0, 2.0]; // the Hessian [[4, 2], [2, 2]], row-major
/// let u = hesse(&h, 2, 1.0).unwrap();
/// assert_eq!((u.dim, u.covariance.as_slice()), (2, &[1.0, -1.0, -1.0, 2.0][..]));
/// assert!((u.correlation[1] + 0.5f64.sqrt()).abs() < 1e-15);
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertainties<F> {
    /// The number of parameters.
    pub dim: usize,
    /// `2 · errordef · H⁻¹`, row-major.
    pub covariance: alloc::vec::Vec<F>,
    /// `sqrt` of the covariance's diagonal.
    pub errors: alloc::vec::Vec<F>,
    /// `V_ij / (e_i e_j)`, row-major.
    pub correlation: alloc::vec::Vec<F>,
}

#[cfg(feature = "alloc")]
impl<F: Float> Uncertainties<F> {
    /// Covariance entry `(i, j)`.
    ///
    /// ```
    /// use optim::hesse;
    /// let h = [4.0, 2.0, 2.0, 2.0]; // the Hessian [[4, 2], [2, 2]], row-major
    /// assert_eq!(hesse(&h, 2, 1.0).unwrap().cov(1, 1), 2.0);
    /// ```
    pub fn cov(&self, i: usize, j: usize) -> F {
        self.covariance[i * self.dim + j]
    }
    /// Correlation entry `(i, j)`.
    ///
    /// ```
    /// use optim::hesse;
    /// let h = [4.0, 2.0, 2.0, 2.0]; // the Hessian [[4, 2], [2, 2]], row-major
    /// let u = hesse(&h, 2, 1.0).unwrap();
    /// assert_eq!(u.corr(0, 0), 1.0);
    /// assert_eq!(u.corr(0, 1), u.corr(1, 0));
    /// ```
    pub fn corr(&self, i: usize, j: usize) -> F {
        self.correlation[i * self.dim + j]
    }
}

#[cfg(feature = "alloc")]
impl<F: Float> Uncertainties<F> {
    fn zeros(n: usize) -> Self {
        Uncertainties {
            dim: n,
            covariance: alloc::vec![F::zero(); n * n],
            errors: alloc::vec![F::zero(); n],
            correlation: alloc::vec![F::zero(); n * n],
        }
    }
}

/// [`hesse_in`], allocating the results.
///
/// # Errors
/// As [`hesse_in`].
///
/// # Panics
/// If `hessian.len() != n * n`.
///
/// ```
/// use optim::hesse;
/// let h = [4.0, 2.0, 2.0, 2.0]; // the Hessian [[4, 2], [2, 2]], row-major
/// let u = hesse(&h, 2, 1.0).unwrap();
/// assert_eq!(u.errors[0], 1.0);
/// assert!((u.errors[1] - 2f64.sqrt()).abs() < 1e-15);
/// ```
#[cfg(feature = "alloc")]
pub fn hesse<F: Float>(
    hessian: &[F],
    n: usize,
    errordef: f64,
) -> Result<Uncertainties<F>, UncertaintyError> {
    let mut u = Uncertainties::zeros(n);
    hesse_in(
        hessian,
        n,
        errordef,
        &mut u.covariance,
        &mut u.errors,
        &mut u.correlation,
    )?;
    Ok(u)
}

/// [`hesse_objective_in`], allocating the buffers and the results.
///
/// # Errors
/// As [`hesse_objective_in`].
///
/// # Panics
/// If `x.len() != objective.dim()`.
///
/// ```
/// use optim::hesse_objective;
/// use autodiff_runtime::from_fns;
/// // f(x) = 2 x0^2 + 2 x0 x1 + x1^2: the Hessian is [[4, 2], [2, 2]].
/// let f = |x: &[f64]| 2.0 * x[0] * x[0] + 2.0 * x[0] * x[1] + x[1] * x[1];
/// let grad = |x: &[f64], g: &mut [f64]| {
///     g[0] = 4.0 * x[0] + 2.0 * x[1];
///     g[1] = 2.0 * x[0] + 2.0 * x[1];
///     f(x)
/// };
/// let obj = from_fns(2, f, grad).with_hvp(move |x: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
///     hv[0] = 4.0 * v[0] + 2.0 * v[1];
///     hv[1] = 2.0 * v[0] + 2.0 * v[1];
///     grad(x, g)
/// });
/// let u = hesse_objective(&obj, &[0.0, 0.0], 0.5).unwrap(); // a likelihood's errordef
/// assert_eq!(u.covariance, [0.5, -0.5, -0.5, 1.0]); // H^-1
/// ```
#[cfg(feature = "alloc")]
pub fn hesse_objective<F: Float, O: Objective<F> + ?Sized>(
    objective: &O,
    x: &[F],
    errordef: f64,
) -> Result<Uncertainties<F>, UncertaintyError> {
    let n = objective.dim();
    let mut u = Uncertainties::zeros(n);
    let mut hessian = alloc::vec![F::zero(); n * n];
    let mut work = alloc::vec![F::zero(); 3 * n];
    hesse_objective_in(
        objective,
        x,
        errordef,
        &mut hessian,
        &mut work,
        &mut u.covariance,
        &mut u.errors,
        &mut u.correlation,
    )?;
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_3x3() {
        // A = M Mᵀ + I for an arbitrary M: SPD; check A A⁻¹ = I.
        let a = [6.0, 2.0, 1.0, 2.0, 5.0, 2.0, 1.0, 2.0, 4.0];
        let (mut inv, mut work) = ([0.0; 9], [0.0; 9]);
        spd_inverse_in(&a, 3, &mut inv, &mut work).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((p - want).abs() < 1e-14, "{i} {j} {p}");
            }
        }
    }

    #[test]
    fn indefinite_and_nan_are_rejected() {
        let (mut inv, mut work) = ([0.0; 4], [0.0; 4]);
        let saddle = [1.0, 0.0, 0.0, -1.0];
        assert_eq!(
            spd_inverse_in(&saddle, 2, &mut inv, &mut work),
            Err(UncertaintyError::NotPositiveDefinite { index: 1 })
        );
        let nan = [f64::NAN, 0.0, 0.0, 1.0];
        assert_eq!(
            spd_inverse_in(&nan, 2, &mut inv, &mut work),
            Err(UncertaintyError::NotPositiveDefinite { index: 0 })
        );
        let (mut e, mut c) = ([0.0; 2], [0.0; 4]);
        assert_eq!(
            hesse_in(&[1.0, 0.0, 0.0, 1.0], 2, 0.0, &mut inv, &mut e, &mut c),
            Err(UncertaintyError::InvalidErrordef)
        );
    }

    #[test]
    fn empty_problem() {
        let (mut cov, mut e, mut c) = ([0.0f64; 0], [0.0f64; 0], [0.0f64; 0]);
        hesse_in(&[], 0, 1.0, &mut cov, &mut e, &mut c).unwrap();
    }
}
