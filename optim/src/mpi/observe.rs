//! [`RootOnly`]: an observer that runs on process 0 only (Horovod's `if hvd.rank() == 0`).

use ::mpi::traits::Communicator;
use autodiff_runtime::Float;

use crate::Observer;

/// Shows the iterates to `inner` on process 0 only, so that progress is printed (or recorded)
/// once rather than by every process. The processes' iterates are identical, so nothing is
/// lost.
///
/// ```no_run
/// use optim::mpi::{rsmpi, RootOnly};
/// use optim::Progress;
/// let universe = rsmpi::initialize().unwrap();
/// let mut observer = RootOnly::new(&universe.world(), Progress::every(10));
/// # let _ = &mut observer;
/// ```
#[derive(Clone, Debug)]
pub struct RootOnly<O> {
    root: bool,
    inner: O,
}

impl<O> RootOnly<O> {
    /// `inner`, shown the iterates on the process of rank 0 of `comm` only.
    ///
    /// ```no_run
    /// use optim::mpi::RootOnly;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::History;
    /// use optim::mpi::rsmpi;
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let observer = RootOnly::new(&world, History::<f64>::new());
    /// assert_eq!(observer.is_root(), world.rank() == 0);
    /// ```
    pub fn new(comm: &impl Communicator, inner: O) -> Self {
        RootOnly {
            root: comm.rank() == 0,
            inner,
        }
    }

    /// Whether this process is the one that observes.
    ///
    /// ```no_run
    /// use optim::mpi::RootOnly;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::History;
    /// use optim::mpi::rsmpi;
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let observer = RootOnly::new(&world, History::<f64>::new());
    /// if observer.is_root() {
    ///     println!("process 0 reports progress");
    /// }
    /// ```
    pub fn is_root(&self) -> bool {
        self.root
    }

    /// The wrapped observer (on other processes it has seen nothing).
    ///
    /// ```no_run
    /// use optim::mpi::RootOnly;
    /// use optim::mpi::rsmpi::traits::Communicator;
    /// use optim::History;
    /// use optim::mpi::rsmpi;
    /// let universe = rsmpi::initialize().unwrap();
    /// let world = universe.world();
    /// let observer = RootOnly::new(&world, History::<f64>::new());
    /// let history: History<f64> = observer.into_inner();
    /// assert!(history.values.is_empty());
    /// ```
    pub fn into_inner(self) -> O {
        self.inner
    }
}

impl<F: Float, O: Observer<F>> Observer<F> for RootOnly<O> {
    fn observe(&mut self, iteration: usize, x: &[F], value: F, grad: &[F]) {
        if self.root {
            self.inner.observe(iteration, x, value, grad);
        }
    }
}
