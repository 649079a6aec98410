//! The state of [`Lbfgs`]: torch's `LBFGS` state (`d`, `t`, `old_dirs`, `old_stps`, `ro`,
//! `H_diag`, `prev_flat_grad`, `prev_loss`, `n_iter`, `func_evals`) and the progress of
//! [`Lbfgs::minimize`].

use autodiff_runtime::Float;

use super::{check, check_len, SolverProgress, StateError, Stateful};
use crate::lbfgs::LbfgsHistory;
use crate::{Lbfgs, LbfgsConfig, Storage};

/// The state of [`Lbfgs`]. The history is stored oldest pair first; entries from
/// `history_len` on are unused.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "F: serde::Serialize, S: AsRef<[F]>, H: AsRef<[S]>",
        deserialize = "F: Float + serde::Deserialize<'de>, S: Storage<F>, H: LbfgsHistory<F, S>"
    ))
)]
/// ```
/// use optim::state::Stateful;
/// use optim::{Lbfgs, LbfgsConfig};
/// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
/// let lbfgs: L = LbfgsConfig::default().history_size(7).build(2).unwrap();
/// let state = lbfgs.state();
/// assert_eq!(state.n_iter, 0);
/// assert!(L::from_state(state).is_ok());
/// ```
pub struct LbfgsState<F: Float, S: Storage<F>, H: LbfgsHistory<F, S>> {
    /// The hyperparameters.
    pub param_group: LbfgsConfig,
    /// Steps `s = x_new - x` of the pairs (torch's `old_stps`), oldest first.
    #[cfg_attr(feature = "serde", serde(with = "history"))]
    pub s_history: H,
    /// Gradient changes `y = g_new - g` of the pairs (torch's `old_dirs`), oldest first.
    #[cfg_attr(feature = "serde", serde(with = "history"))]
    pub y_history: H,
    /// `1 / y.s` of each pair (torch's `ro`), oldest first.
    #[cfg_attr(feature = "serde", serde(with = "crate::state::buffer"))]
    pub rho: H::Scalars,
    /// The number of pairs held.
    pub history_len: usize,
    /// The last search direction (torch's `d`).
    #[cfg_attr(feature = "serde", serde(with = "crate::state::buffer"))]
    pub direction: S,
    /// The gradient before the last step (torch's `prev_flat_grad`).
    #[cfg_attr(feature = "serde", serde(with = "crate::state::buffer"))]
    pub prev_flat_grad: S,
    /// The gradient at the iterate of [`Lbfgs::minimize`].
    #[cfg_attr(feature = "serde", serde(with = "crate::state::buffer"))]
    pub flat_grad: S,
    /// The last step length (torch's `t`).
    pub t: f64,
    /// The initial Hessian scaling `y.s / y.y` (torch's `H_diag`).
    pub h_diag: f64,
    /// Inner iterations of [`Lbfgs::step`] (torch's `n_iter`).
    pub n_iter: usize,
    /// Evaluations of [`Lbfgs::step`] (torch's `func_evals`).
    pub func_evals: usize,
    /// The loss before the last step (torch's `prev_loss`).
    pub prev_loss: Option<f64>,
    /// How far [`Lbfgs::minimize`] has come.
    pub progress: SolverProgress<F>,
}

/// `buffers` copied and rotated so the physical slot `head` comes first.
fn rotated<T: Clone, C: Clone + AsMut<[T]>>(buffers: &C, head: usize) -> C {
    let mut out = buffers.clone();
    let slice = out.as_mut();
    if !slice.is_empty() {
        slice.rotate_left(head % slice.len());
    }
    out
}

impl<F: Float, S: Storage<F> + Clone, H: LbfgsHistory<F, S> + Clone> Stateful for Lbfgs<F, S, H> {
    type State = LbfgsState<F, S, H>;

    fn state(&self) -> Self::State {
        LbfgsState {
            param_group: self.config,
            s_history: rotated(&self.s_hist, self.head),
            y_history: rotated(&self.y_hist, self.head),
            rho: rotated(&self.rho, self.head),
            history_len: self.len,
            direction: self.d.clone(),
            prev_flat_grad: self.prev_g.clone(),
            flat_grad: self.g.clone(),
            t: self.t,
            h_diag: self.h_diag,
            n_iter: self.n_iter,
            func_evals: self.func_evals,
            prev_loss: self.prev_loss,
            progress: self.progress,
        }
    }

    fn load_state(&mut self, state: Self::State) -> Result<(), StateError> {
        const NAME: &str = "Lbfgs";
        let config = state.param_group;
        config.validate()?;
        let m = config.history_size;
        for (name, history) in [
            ("s_history", &state.s_history),
            ("y_history", &state.y_history),
        ] {
            check_len(NAME, name, m, history.as_ref().len())?;
            for buffer in history.as_ref() {
                check_len(NAME, name, self.dim, buffer.as_ref().len())?;
            }
        }
        check_len(NAME, "rho", m, state.rho.as_ref().len())?;
        check(
            state.history_len <= m,
            NAME,
            "history_len must be <= history_size",
        )?;
        for (name, buffer) in [
            ("direction", &state.direction),
            ("prev_flat_grad", &state.prev_flat_grad),
            ("flat_grad", &state.flat_grad),
        ] {
            check_len(NAME, name, self.dim, buffer.as_ref().len())?;
        }
        // The scratch buffer of the two-loop recursion follows the history size.
        let al = H::Scalars::filled(NAME, m, F::zero())?;
        self.config = config;
        self.s_hist = state.s_history;
        self.y_hist = state.y_history;
        self.rho = state.rho;
        self.al = al;
        self.head = 0;
        self.len = state.history_len;
        self.d = state.direction;
        self.prev_g = state.prev_flat_grad;
        self.g = state.flat_grad;
        self.t = state.t;
        self.h_diag = state.h_diag;
        self.n_iter = state.n_iter;
        self.func_evals = state.func_evals;
        self.prev_loss = state.prev_loss;
        self.progress = state.progress;
        Ok(())
    }
}

impl<F: Float, S: Storage<F> + Clone, H: LbfgsHistory<F, S> + Clone> Lbfgs<F, S, H> {
    /// A fresh optimizer holding a saved state; the dimension is the gradient's length.
    ///
    /// # Errors
    /// Invalid hyperparameters, buffers of other lengths, or fixed-size storage of another
    /// dimension or history size.
    ///
    /// ```
    /// use optim::state::Stateful;
    /// use optim::{Lbfgs, LbfgsConfig};
    /// use autodiff_runtime::from_fns;
    /// // f(x) = (x0 - 1)^2 + 10 (x1 + 2)^2
    /// let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
    /// let obj = from_fns(2, f, |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * (x[0] - 1.0);
    ///     g[1] = 20.0 * (x[1] + 2.0);
    ///     f(x)
    /// });
    /// type L = Lbfgs<f64, Vec<f64>, Vec<Vec<f64>>>;
    /// let mut lbfgs: L = LbfgsConfig::default().max_iter(3).build(2).unwrap();
    /// let mut x = [0.0, 0.0];
    /// lbfgs.step(&obj, &mut x);
    /// let copy = L::from_state(lbfgs.state()).unwrap();
    /// assert_eq!((copy.n_iter(), copy.history_len()), (lbfgs.n_iter(), lbfgs.history_len()));
    /// ```
    pub fn from_state(state: LbfgsState<F, S, H>) -> Result<Self, StateError> {
        let mut optimizer: Self = state.param_group.build(state.flat_grad.as_ref().len())?;
        optimizer.load_state(state)?;
        Ok(optimizer)
    }
}

/// Serde for a history `H`: a sequence of buffers, read back through
/// [`LbfgsHistory::from_buffers`].
#[cfg(feature = "serde")]
mod history {
    use core::fmt;
    use core::marker::PhantomData;

    use autodiff_runtime::Float;
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::lbfgs::LbfgsHistory;
    use crate::Storage;

    /// One buffer, through [`crate::state::buffer`].
    struct Buffer<'a, F, S>(&'a S, PhantomData<F>);

    impl<F: Serialize, S: AsRef<[F]>> Serialize for Buffer<'_, F, S> {
        fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
            crate::state::buffer::serialize(self.0, serializer)
        }
    }

    /// One buffer read back.
    struct Owned<F, S>(S, PhantomData<F>);

    impl<'de, F: Deserialize<'de>, S: Storage<F>> Deserialize<'de> for Owned<F, S> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            crate::state::buffer::deserialize(deserializer).map(|s| Owned(s, PhantomData))
        }
    }

    pub(super) fn serialize<F, S, H, Ser>(
        history: &H,
        serializer: Ser,
    ) -> Result<Ser::Ok, Ser::Error>
    where
        F: Serialize,
        S: AsRef<[F]>,
        H: AsRef<[S]>,
        Ser: Serializer,
    {
        let buffers = history.as_ref();
        let mut seq = serializer.serialize_seq(Some(buffers.len()))?;
        for b in buffers {
            seq.serialize_element(&Buffer(b, PhantomData))?;
        }
        seq.end()
    }

    pub(super) fn deserialize<'de, F, S, H, D>(deserializer: D) -> Result<H, D::Error>
    where
        F: Float + Deserialize<'de>,
        S: Storage<F>,
        H: LbfgsHistory<F, S>,
        D: Deserializer<'de>,
    {
        struct Seq<F, S, H>(PhantomData<(F, S, H)>);
        impl<'de, F, S, H> Visitor<'de> for Seq<F, S, H>
        where
            F: Float + Deserialize<'de>,
            S: Storage<F>,
            H: LbfgsHistory<F, S>,
        {
            type Value = H;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence of buffers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<H, A::Error> {
                let mut failed = None;
                let buffers = core::iter::from_fn(|| match seq.next_element::<Owned<F, S>>() {
                    Ok(b) => b.map(|b| b.0),
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                });
                let out = H::from_buffers("Lbfgs", buffers);
                if let Some(e) = failed {
                    return Err(e);
                }
                out.map_err(A::Error::custom)
            }
        }
        deserializer.deserialize_seq(Seq(PhantomData))
    }
}
