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
    pub fn best(&self) -> Option<&RunEnd<F>> {
        self.best_index.map(|i| &self.runs[i])
    }
}

/// The distinct end points of `runs`: walking the runs in order, a run joins the first minimum
/// found so far whose point is within `tol` of its end point in every coordinate, else starts a
/// new one; runs with a NaN value are left out. Sorted by value, lowest first (ties by index).
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
