//! Fixtures of the resume tests (`tests/resume*.rs`): the checkpoint round trip, the trace
//! observer and the objective.
// Shared by several test crates, each of which uses only part of it.
#![allow(dead_code)]

use optim::{Observer, Report, Status};

use crate::fault_support::{Base, Fault, Faulty};

/// What a state must be to go through [`through_disk`].
#[cfg(feature = "serde")]
pub trait Saved: serde::Serialize + serde::de::DeserializeOwned {}
#[cfg(feature = "serde")]
impl<T: serde::Serialize + serde::de::DeserializeOwned> Saved for T {}
#[cfg(not(feature = "serde"))]
pub trait Saved: Clone {}
#[cfg(not(feature = "serde"))]
impl<T: Clone> Saved for T {}

/// The state as a new process would read it back: serialized to bytes and deserialized (with
/// `serde`), or copied.
#[cfg(feature = "serde")]
pub fn through_disk<T: Saved>(state: &T) -> T {
    let bytes = postcard::to_allocvec(state).expect("serialize");
    postcard::from_bytes(&bytes).expect("deserialize")
}
#[cfg(not(feature = "serde"))]
pub fn through_disk<T: Saved>(state: &T) -> T {
    state.clone()
}

/// Every iterate shown: iteration, parameter bits, value bits.
#[derive(Default, Debug, PartialEq)]
pub struct Trace(Vec<(usize, Vec<u64>, u64)>);

impl Observer<f64> for Trace {
    fn observe(&mut self, k: usize, x: &[f64], value: f64, _grad: &[f64]) {
        self.0
            .push((k, x.iter().map(|v| v.to_bits()).collect(), value.to_bits()));
    }
}

impl Trace {
    /// This trace followed by `rest`, whose first entry (the iterate the resume started from,
    /// shown again) must be this trace's last.
    pub fn then(mut self, rest: Trace) -> Trace {
        let mut rest = rest.0.into_iter();
        assert_eq!(self.0.last(), rest.next().as_ref(), "the resumed iterate");
        self.0.extend(rest);
        self
    }

    /// This trace followed by `rest` (a resume that does not show its start again).
    pub fn followed_by(mut self, rest: Trace) -> Trace {
        self.0.extend(rest.0);
        self
    }
}

/// Rosenbrock's function in 2 dimensions, with Hessian-vector products.
pub fn rosenbrock() -> Faulty {
    Faulty::new(Base::Rosenbrock, Fault::None, 0)
}

/// The classic start point.
pub const X0: [f64; 2] = [-1.2, 1.0];

/// What a run did, bit for bit: its report (floats as bits), end point and trajectory.
#[derive(Debug, PartialEq)]
pub struct Run(
    (Status, usize, u64, usize, usize, usize, u64),
    Vec<u64>,
    Trace,
);

/// The run that ended with report `r` at `x` after showing `trace`.
pub fn run_of(r: &Report<f64>, x: &[f64], trace: Trace) -> Run {
    let (i, v, norm) = (r.iterations, r.value.to_bits(), r.grad_norm.to_bits());
    let report = (
        r.status,
        i,
        v,
        r.value_evals,
        r.grad_evals,
        r.hvp_evals,
        norm,
    );
    Run(report, x.iter().map(|v| v.to_bits()).collect(), trace)
}
