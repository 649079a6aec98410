//! [`HvpWork`]: reusable buffers for Hessian-vector products of slice functions.

use alloc::vec::Vec;

use crate::{Dual, Float};

/// The dual numbers a Hessian-vector product of a function of one slice runs on, kept between
/// calls: `f::hvp_into(.., &mut work)` reuses them, so after the first call of a given length it
/// allocates nothing (`f::hvp` allocates them, and its results, every time).
///
/// ```
/// use autodiff_runtime::{Dual, HvpWork, Scalar};
/// // f(x) = sum x_i^3 / 3: gradient x_i^2, Hessian diag(2 x_i).
/// let adjoint = |x: &[Dual<f64>], bar: &mut [Dual<f64>]| {
///     let mut s = Dual::cst(0.0);
///     for (xi, b) in x.iter().zip(bar.iter_mut()) {
///         s += *xi * *xi * *xi / Dual::cst(3.0);
///         *b += *xi * *xi;
///     }
///     s
/// };
/// let mut work = HvpWork::new();
/// let (mut g, mut hv) = (vec![0.0; 3], vec![0.0; 3]);
/// work.compute(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], &mut g, &mut hv, adjoint);
/// assert_eq!((g, hv), (vec![1.0, 4.0, 9.0], vec![2.0, 4.0, 6.0]));
/// ```
#[derive(Clone, Debug, Default)]
pub struct HvpWork<F> {
    duals: Vec<Dual<F>>,
    bars: Vec<Dual<F>>,
}

impl<F: Float> HvpWork<F> {
    /// Empty buffers (they grow to the length of the first product).
    ///
    /// ```
    /// let work = autodiff_runtime::HvpWork::<f64>::new();
    /// assert_eq!(work.capacity(), 0);
    /// ```
    pub fn new() -> Self {
        HvpWork {
            duals: Vec::new(),
            bars: Vec::new(),
        }
    }

    /// The longest input the buffers hold without growing.
    ///
    /// ```
    /// let work = autodiff_runtime::HvpWork::<f64>::with_len(10);
    /// assert!(work.capacity() >= 10);
    /// ```
    pub fn capacity(&self) -> usize {
        self.duals.capacity().min(self.bars.capacity())
    }

    /// Buffers for inputs of length `n`.
    ///
    /// ```
    /// let work = autodiff_runtime::HvpWork::<f64>::with_len(1000);
    /// assert!(work.capacity() >= 1000);
    /// ```
    pub fn with_len(n: usize) -> Self {
        HvpWork {
            duals: Vec::with_capacity(n),
            bars: Vec::with_capacity(n),
        }
    }

    /// Runs `adjoint` (the generic reverse mode of a function of `x`) on the duals `x + v ε`
    /// with zeroed dual adjoints, writes the gradient into `g` and `H v` into `hv`, and returns
    /// the value.
    ///
    /// # Panics
    /// If `v`, `g` or `hv` is not as long as `x`.
    ///
    /// ```
    /// use autodiff_runtime::{Dual, HvpWork, Scalar};
    /// // f(x) = x0^2 x1: gradient (2 x0 x1, x0^2), H v for v = (1, 0): (2 x1, 2 x0).
    /// let mut work = HvpWork::new();
    /// let (mut g, mut hv) = ([0.0; 2], [0.0; 2]);
    /// let value = work.compute(&[3.0, 2.0], &[1.0, 0.0], &mut g, &mut hv, |x, bar| {
    ///     bar[0] += x[0] * x[1] * Dual::cst(2.0);
    ///     bar[1] += x[0] * x[0];
    ///     x[0] * x[0] * x[1]
    /// });
    /// assert_eq!((value, g, hv), (18.0, [12.0, 9.0], [4.0, 6.0]));
    /// ```
    pub fn compute(
        &mut self,
        x: &[F],
        v: &[F],
        g: &mut [F],
        hv: &mut [F],
        adjoint: impl FnOnce(&[Dual<F>], &mut [Dual<F>]) -> Dual<F>,
    ) -> F {
        self.start(x, v, g, hv);
        self.bars.clear();
        self.bars.resize(x.len(), Dual::constant(F::zero()));
        self.finish(adjoint, g, hv)
    }

    /// [`HvpWork::compute`] for an `adjoint` that writes every element of its buffer without
    /// reading it (`#[differentiable]`'s overwriting reverse mode): the buffer is not zeroed
    /// first, only sized.
    ///
    /// # Panics
    /// If `v`, `g` or `hv` is not as long as `x`.
    ///
    /// ```
    /// use autodiff_runtime::{Dual, HvpWork, Scalar};
    /// let mut work = HvpWork::new();
    /// let (mut g, mut hv) = ([0.0; 2], [0.0; 2]);
    /// let value = work.compute_overwriting(&[3.0, 2.0], &[1.0, 0.0], &mut g, &mut hv, |x, bar| {
    ///     bar[0] = x[0] * x[1] * Dual::cst(2.0);
    ///     bar[1] = x[0] * x[0];
    ///     x[0] * x[0] * x[1]
    /// });
    /// assert_eq!((value, g, hv), (18.0, [12.0, 9.0], [4.0, 6.0]));
    /// ```
    pub fn compute_overwriting(
        &mut self,
        x: &[F],
        v: &[F],
        g: &mut [F],
        hv: &mut [F],
        adjoint: impl FnOnce(&[Dual<F>], &mut [Dual<F>]) -> Dual<F>,
    ) -> F {
        self.start(x, v, g, hv);
        if self.bars.len() != x.len() {
            self.bars.clear();
            self.bars.resize(x.len(), Dual::constant(F::zero()));
        }
        self.finish(adjoint, g, hv)
    }

    /// Checks the lengths and fills the duals `x + v ε`.
    fn start(&mut self, x: &[F], v: &[F], g: &[F], hv: &[F]) {
        let n = x.len();
        assert!(
            v.len() == n && g.len() == n && hv.len() == n,
            "`hvp_into`: the direction, gradient and product buffers have lengths {}, {}, {}; expected {n}",
            v.len(),
            g.len(),
            hv.len()
        );
        self.duals.clear();
        self.duals
            .extend(x.iter().zip(v).map(|(&a, &b)| Dual::new(a, b)));
    }

    /// Runs `adjoint` on the duals and the buffer; the gradient and `H v` from the buffer.
    fn finish(
        &mut self,
        adjoint: impl FnOnce(&[Dual<F>], &mut [Dual<F>]) -> Dual<F>,
        g: &mut [F],
        hv: &mut [F],
    ) -> F {
        let value = adjoint(&self.duals, &mut self.bars);
        for ((b, g), hv) in self.bars.iter().zip(g.iter_mut()).zip(hv.iter_mut()) {
            *g = b.re;
            *hv = b.eps;
        }
        value.re
    }
}

/// Runs `f` with this thread's [`HvpWork`] for `F` (with `std`; without it, or when `f` itself
/// asks again, a fresh one): the
/// `Objective` adapter of a function of one slice computes its Hessian-vector products in it,
/// so that an optimizer's repeated products allocate nothing after the first.
#[doc(hidden)]
pub fn with_hvp_work<F: Float, R>(f: impl FnOnce(&mut HvpWork<F>) -> R) -> R {
    #[cfg(feature = "std")]
    {
        use core::any::Any;
        use std::cell::RefCell;
        std::thread_local! {
            static WORK: RefCell<Vec<alloc::boxed::Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
        }
        WORK.with(|w| match w.try_borrow_mut() {
            Ok(mut w) => {
                let at = match w.iter().position(|b| b.is::<HvpWork<F>>()) {
                    Some(at) => at,
                    None => {
                        w.push(alloc::boxed::Box::new(HvpWork::<F>::new()));
                        w.len() - 1
                    }
                };
                f(w[at].downcast_mut::<HvpWork<F>>().expect("checked"))
            }
            // Called again from inside `f` (an objective within an objective): a fresh one.
            Err(_) => f(&mut HvpWork::new()),
        })
    }
    #[cfg(not(feature = "std"))]
    {
        f(&mut HvpWork::new())
    }
}
