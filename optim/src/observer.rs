//! [`Observer`]s of the [`crate::minimize_in`] loop: a history of iterates and losses
//! ([`History`], `alloc`) and a progress printer ([`Progress`], `std`).

use autodiff_runtime::Float;

/// Sees every evaluated iterate of the driver's loop, before the stopping rules are checked.
pub trait Observer<F: Float> {
    /// Iterate `iteration` (0 = the start point) with its loss and gradient.
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]);
}

/// Observes nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl<F: Float> Observer<F> for NoObserver {
    fn observe(&mut self, _iteration: usize, _x: &[F], _value: F, _grad: &[F]) {}
}

impl<F: Float, O: Observer<F> + ?Sized> Observer<F> for &mut O {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        (**self).observe(iteration, x, value, grad);
    }
}

/// Both observers, in order.
impl<F: Float, A: Observer<F>, B: Observer<F>> Observer<F> for (A, B) {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        self.0.observe(iteration, x, value, grad);
        self.1.observe(iteration, x, value, grad);
    }
}

/// Records every iterate and its loss.
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, Default)]
pub struct History<F> {
    /// The iterates, `iterates[k]` after `k` steps.
    pub iterates: alloc::vec::Vec<alloc::vec::Vec<F>>,
    /// The losses at the iterates.
    pub values: alloc::vec::Vec<F>,
}

#[cfg(feature = "alloc")]
impl<F> History<F> {
    /// An empty history.
    pub fn new() -> Self {
        History {
            iterates: alloc::vec::Vec::new(),
            values: alloc::vec::Vec::new(),
        }
    }
}

#[cfg(feature = "alloc")]
impl<F: Float> Observer<F> for History<F> {
    fn observe(&mut self, _iteration: usize, x: &[F], value: F, _grad: &[F]) {
        self.iterates.push(x.to_vec());
        self.values.push(value);
    }
}

/// Prints the iteration, loss, gradient norm and iterate every `every` iterations (to stdout).
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    every: usize,
}

#[cfg(feature = "std")]
impl Progress {
    /// Prints every `every` iterations (`every = 0` is treated as 1).
    pub fn every(every: usize) -> Self {
        Progress {
            every: every.max(1),
        }
    }

    /// The line printed for an iterate (without the newline).
    pub fn line<F: Float>(iteration: usize, x: &[F], value: F, grad: &[F]) -> std::string::String {
        let norm = grad
            .iter()
            .map(|g| g.to_f64() * g.to_f64())
            .sum::<f64>()
            .sqrt();
        std::format!("iter {iteration:>6}  loss {value:?}  |grad| {norm:e}  x {x:?}")
    }
}

#[cfg(feature = "std")]
impl<F: Float> Observer<F> for Progress {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        if iteration.is_multiple_of(self.every) {
            std::println!("{}", Self::line(iteration, x, value, grad));
        }
    }
}
