//! [`restarts_mpi`]: random restarts spread over processes, every run and the distinct minima
//! gathered on every process.

use std::vec;
use std::vec::Vec;

use ::mpi::datatype::{Equivalence, PartitionMut};
use ::mpi::traits::{Communicator, CommunicatorCollectives};
use autodiff_runtime::Float;

use super::agree::{agree, rank_size, Settings};
use super::MpiError;
use crate::chunked::block;
use crate::restarts::{better, RestartRun, Scored};
use crate::rng::Rng;
use crate::{ensure, OptimError};

/// Where one restart began and ended.
///
/// ```
/// use optim::mpi::RunEnd;
/// let run = |x: f64, value: f64| RunEnd { start: vec![0.0], params: vec![x], value };
/// let runs = [run(-1.0, -0.1), run(1.0, 0.1), run(-1.0 + 1e-9, -0.1 + 1e-9), run(0.0, f64::NAN)];
/// assert_eq!(runs[0].params, [-1.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RunEnd<F> {
    /// The sampled start point.
    pub start: Vec<F>,
    /// The end point.
    pub params: Vec<F>,
    /// The score of the run (lower is better).
    pub value: F,
}

impl<F: Clone, R> From<&RestartRun<F, R>> for RunEnd<F> {
    /// The start, end and score of a single-process run ([`crate::random_restarts`]), to
    /// compare with [`restarts_mpi`] or to pass to [`distinct_minima`].
    fn from(run: &RestartRun<F, R>) -> Self {
        RunEnd {
            start: run.start.clone(),
            params: run.params.clone(),
            value: run.value.clone(),
        }
    }
}

/// A minimum found by one or more restarts.
///
/// ```
/// use optim::mpi::distinct_minima;
/// use optim::mpi::RunEnd;
/// let run = |x: f64, value: f64| RunEnd { start: vec![0.0], params: vec![x], value };
/// let runs = [run(-1.0, -0.1), run(1.0, 0.1), run(-1.0 + 1e-9, -0.1 + 1e-9), run(0.0, f64::NAN)];
/// let minima = distinct_minima(&runs, 1e-6);
/// assert_eq!((minima[0].params.as_slice(), minima[0].count, minima[0].index), (&[-1.0][..], 2, 0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum<F> {
    /// The end point of its best run (lowest value; the earliest on ties).
    pub params: Vec<F>,
    /// That run's value.
    pub value: F,
    /// That run's index.
    pub index: usize,
    /// How many runs ended there.
    pub count: usize,
}

/// Every run of [`restarts_mpi`], in restart order, the best one and the distinct minima; the
/// same on every process.
///
/// ```
/// use optim::mpi::{distinct_minima, MpiRestarts};
/// use optim::mpi::RunEnd;
/// let run = |x: f64, value: f64| RunEnd { start: vec![0.0], params: vec![x], value };
/// let runs = [run(-1.0, -0.1), run(1.0, 0.1), run(-1.0 + 1e-9, -0.1 + 1e-9), run(0.0, f64::NAN)];
/// let all = MpiRestarts { minima: distinct_minima(&runs, 1e-6), runs: runs.to_vec(), best_index: Some(0) };
/// assert_eq!(all.minima.len(), 2); // the NaN run is left out
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MpiRestarts<F> {
    /// The runs, `runs[k]` for restart `k`.
    pub runs: Vec<RunEnd<F>>,
    /// The index of the best run (lowest value, the earliest on ties, NaN never), or `None` if
    /// there were no runs or all values were NaN.
    pub best_index: Option<usize>,
    /// The distinct minima ([`distinct_minima`] of the runs), lowest first.
    pub minima: Vec<Minimum<F>>,
}

impl<F> MpiRestarts<F> {
    /// The best run.
    ///
    /// ```
    /// use optim::mpi::MpiRestarts;
    /// use optim::mpi::RunEnd;
    /// let run = |x: f64, value: f64| RunEnd { start: vec![0.0], params: vec![x], value };
    /// let runs = [run(-1.0, -0.1), run(1.0, 0.1), run(-1.0 + 1e-9, -0.1 + 1e-9), run(0.0, f64::NAN)];
    /// let all = MpiRestarts { runs: runs.to_vec(), best_index: Some(0), minima: Vec::new() };
    /// assert_eq!(all.best().unwrap().value, -0.1);
    /// ```
    pub fn best(&self) -> Option<&RunEnd<F>> {
        self.best_index.map(|i| &self.runs[i])
    }
}

/// The distinct end points of `runs`: walking the runs in order, a run joins the first minimum
/// found so far whose point is within `tol` of its end point in every coordinate, else starts a
/// new one; runs with a NaN value are left out. Sorted by value, lowest first (ties by index).
///
/// ```
/// use optim::mpi::distinct_minima;
/// use optim::mpi::RunEnd;
/// let run = |x: f64, value: f64| RunEnd { start: vec![0.0], params: vec![x], value };
/// let runs = [run(-1.0, -0.1), run(1.0, 0.1), run(-1.0 + 1e-9, -0.1 + 1e-9), run(0.0, f64::NAN)];
/// let minima = distinct_minima(&runs, 1e-6);
/// // Two minima, lowest first; the two runs near -1 count once.
/// assert_eq!(minima.iter().map(|m| (m.value, m.count)).collect::<Vec<_>>(), [(-0.1, 2), (0.1, 1)]);
/// ```
pub fn distinct_minima<F: Float>(runs: &[RunEnd<F>], tol: f64) -> Vec<Minimum<F>> {
    let mut minima: Vec<Minimum<F>> = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        if run.value.is_nan() {
            continue;
        }
        let near = |m: &&mut Minimum<F>| {
            m.params
                .iter()
                .zip(&run.params)
                .all(|(a, b)| (a.to_f64() - b.to_f64()).abs() <= tol)
        };
        match minima.iter_mut().find(|m| near(m)) {
            Some(m) => {
                m.count += 1;
                if run.value < m.value {
                    m.params.clone_from(&run.params);
                    m.value = run.value;
                    m.index = k;
                }
            }
            None => minima.push(Minimum {
                params: run.params.clone(),
                value: run.value,
                index: k,
                count: 1,
            }),
        }
    }
    minima.sort_by(|a, b| {
        a.value
            .partial_cmp(&b.value)
            .unwrap_or(core::cmp::Ordering::Equal)
            .then(a.index.cmp(&b.index))
    });
    minima
}

/// Runs `restarts` minimizations of `dim` parameters spread over the processes of `comm`, and
/// gathers every run on every process. Collective.
///
/// Every process draws every start point in restart order from one [`Rng`] seeded with `seed`
/// (`sampler` writes a start point), exactly as [`crate::random_restarts`] does, so restart `k`
/// starts at the same point on any number of processes. Process `r` of `p` runs the restarts of
/// its contiguous block (`r * restarts / p .. (r + 1) * restarts / p`): `minimize(k, x)` moves
/// `x` from the start point to an end point and returns a result whose
/// [`Scored::score`] ranks the run. The starts, end points and scores are then gathered on
/// every process in restart order, so with a deterministic `minimize` the runs are bit for bit
/// those of [`crate::random_restarts`] with the same seed, and the best run and the distinct
/// minima (within `tol`, [`distinct_minima`]) are the same on every process and on any number
/// of processes. The results `R` themselves stay on the process that produced them.
///
/// # Errors
/// The same error on every process: [`MpiError::Dimension`] or [`MpiError::Mismatch`] if the
/// processes disagree on `dim`, `restarts`, `seed` or `tol`; [`MpiError::Optim`] if `tol` is
/// negative or not finite.
///
/// ```no_run
/// use optim::mpi::restarts_mpi;
/// use optim::mpi::rsmpi;
/// let universe = rsmpi::initialize().unwrap();
/// let world = universe.world();
/// // 16 restarts of "move to the nearest well" of (x^2 - 1)^2 + 0.1 x, split over the processes.
/// let f = |x: f64| (x * x - 1.0).powi(2) + 0.1 * x;
/// let all = restarts_mpi(&world, 1, 16, 7, 1e-6, |rng, x| x[0] = rng.uniform(-2.0, 2.0), |_, x: &mut [f64]| {
///     x[0] = x[0].signum();
///     f(x[0])
/// })
/// .unwrap();
/// assert_eq!(all.best().unwrap().params, [-1.0]);
/// assert_eq!(all.minima.len(), 2);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn restarts_mpi<F, Smp, M, R>(
    comm: &impl Communicator,
    dim: usize,
    restarts: usize,
    seed: u64,
    tol: f64,
    mut sampler: Smp,
    mut minimize: M,
) -> Result<MpiRestarts<F>, MpiError>
where
    F: Float + Equivalence,
    Smp: FnMut(&mut Rng, &mut [F]),
    M: FnMut(usize, &mut [F]) -> R,
    R: Scored<F>,
{
    let comm = comm.duplicate();
    agree(
        &comm,
        &Settings {
            dim,
            others: &[
                ("number of restarts", restarts as u64),
                ("seed", seed),
                ("tolerance", tol.to_bits()),
            ],
            bad_chunk: None,
        },
    )?;
    ensure(
        tol >= 0.0 && tol.is_finite(),
        "restarts_mpi",
        "tol must be finite and >= 0",
    )
    .map_err(MpiError::from)?;
    let (rank, size) = rank_size(&comm);
    let width = 2 * dim + 1;
    let mine = block(restarts, rank, size);
    let mut rng = Rng::new(seed);
    let mut rows: Vec<F> = Vec::with_capacity(mine.len() * width);
    let mut start = vec![F::zero(); dim];
    for k in 0..restarts {
        sampler(&mut rng, &mut start);
        if mine.contains(&k) {
            let mut x = start.clone();
            let value = minimize(k, &mut x).score();
            rows.extend_from_slice(&start);
            rows.extend_from_slice(&x);
            rows.push(value);
        }
    }
    let all = gather_rows(&comm, &rows, restarts, width, size)?;
    let runs: Vec<RunEnd<F>> = all
        .chunks_exact(width)
        .map(|row| RunEnd {
            start: row[..dim].to_vec(),
            params: row[dim..2 * dim].to_vec(),
            value: row[2 * dim],
        })
        .collect();
    let mut best_index = None;
    for (k, run) in runs.iter().enumerate() {
        if better(run.value, best_index.map(|b: usize| runs[b].value)) {
            best_index = Some(k);
        }
    }
    let minima = distinct_minima(&runs, tol);
    Ok(MpiRestarts {
        runs,
        best_index,
        minima,
    })
}

/// Every process's rows (`width` numbers per restart, process `r` holding block `r` of the
/// restarts), concatenated in rank order on every process.
fn gather_rows<F: Float + Equivalence>(
    comm: &impl Communicator,
    rows: &[F],
    restarts: usize,
    width: usize,
    size: usize,
) -> Result<Vec<F>, MpiError> {
    let too_big = || {
        MpiError::Optim(OptimError::InvalidHyperparameter {
            component: "restarts_mpi",
            message: "too many restarts or parameters for one MPI message",
        })
    };
    let mut counts = Vec::with_capacity(size);
    let mut displs = Vec::with_capacity(size);
    for r in 0..size {
        let b = block(restarts, r, size);
        counts.push(i32::try_from(b.len() * width).map_err(|_| too_big())?);
        displs.push(i32::try_from(b.start * width).map_err(|_| too_big())?);
    }
    let mut all = vec![F::zero(); restarts * width];
    let mut partition = PartitionMut::new(&mut all[..], counts, &displs[..]);
    comm.all_gather_varcount_into(rows, &mut partition);
    Ok(all)
}
