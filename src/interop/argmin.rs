//! [argmin](https://argmin-rs.org) solvers on our objectives (feature `argmin`).
//!
//! [`Problem`] wraps any [`Objective<f64>`](crate::Objective) (a generated `f::objective(..)`,
//! or closures through [`from_fns`](crate::from_fns)) and implements argmin's
//! [`CostFunction`], [`Gradient`] and [`Hessian`] over argmin's `vec` backend: parameters and
//! gradients are `Vec<f64>`, the Hessian is `Vec<Vec<f64>>` (rows). So argmin's L-BFGS, Newton-CG,
//! trust-region methods, ... minimize a `#[differentiable]` function with exact derivatives.
//!
//! ```
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//! use autodiff::argmin::Problem;
//! use autodiff::differentiable;
//!
//! #[differentiable]
//! fn rosenbrock(x: &[f64; 2]) -> f64 {
//!     100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
//! }
//!
//! let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
//! let result = Executor::new(Problem::new(rosenbrock::objective()), solver)
//!     .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(100))
//!     .run()
//!     .unwrap();
//! let x = result.state().get_best_param().unwrap();
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6);
//! ```
//!
//! With the `nalgebra` feature too, `Problem::dvector` makes a problem over nalgebra's
//! `DVector<f64>` parameters and `DMatrix<f64>` Hessians (argmin's `nalgebra` backend), for the
//! solvers that need a matrix inverse, such as argmin's `Newton`.
//!
//! The name `Problem` is also argmin's (`argmin::core::Problem`, the wrapper its executor puts
//! around any problem); import ours as `autodiff::argmin::Problem` or rename one of them.

use core::marker::PhantomData;
use std::format;
use std::vec;
use std::vec::Vec;

use ::argmin::core::{ArgminError, CostFunction, Error, Gradient, Hessian};

use crate::{hessian_into, Objective};

/// An [`Objective<f64>`](crate::Objective) as an argmin problem: [`CostFunction`] (the value),
/// [`Gradient`] and [`Hessian`] (dense and symmetric, from one Hessian-vector product per
/// column).
///
/// Parameters of the wrong length are an `InvalidParameter` error (argmin stops with it), and
/// [`Hessian`] of an objective without Hessian-vector products (a [`from_fns`](crate::from_fns)
/// objective without [`with_hvp`](crate::FnObjective::with_hvp)) is a `NotImplemented` error.
///
/// ```
/// use argmin::core::{CostFunction, Gradient, Hessian};
/// use autodiff::argmin::Problem;
/// use autodiff::differentiable;
///
/// #[differentiable]
/// fn f(x: f64, y: f64) -> f64 {
///     x * x * y + y.exp()
/// }
///
/// let problem = Problem::new(f::objective());
/// let p = vec![1.0, 0.0];
/// assert_eq!(problem.cost(&p).unwrap(), 1.0);
/// assert_eq!(problem.gradient(&p).unwrap(), vec![0.0, 2.0]); // (2xy, x^2 + e^y)
/// assert_eq!(problem.hessian(&p).unwrap(), vec![vec![0.0, 2.0], vec![2.0, 1.0]]);
/// assert!(problem.cost(&vec![1.0]).is_err()); // wrong length
/// ```
///
/// `P` is the parameter type: `Vec<f64>` (argmin's `vec` backend, made by [`Problem::new`]), or
/// with the `nalgebra` feature `DVector<f64>` (made by `Problem::dvector`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problem<O, P = Vec<f64>> {
    objective: O,
    params: PhantomData<fn() -> P>,
}

impl<O> Problem<O> {
    /// Wraps `objective`, with `Vec<f64>` parameters and `Vec<Vec<f64>>` Hessians.
    ///
    /// ```
    /// use autodiff::argmin::Problem;
    /// use autodiff::{from_fns, Objective};
    ///
    /// let problem = Problem::new(from_fns(1, |x: &[f64]| x[0] * x[0], |x: &[f64], g: &mut [f64]| {
    ///     g[0] = 2.0 * x[0];
    ///     x[0] * x[0]
    /// }));
    /// assert_eq!(problem.objective().dim(), 1);
    /// ```
    pub fn new(objective: O) -> Self {
        Problem {
            objective,
            params: PhantomData,
        }
    }
}

impl<O, P> Problem<O, P> {
    /// The wrapped objective.
    ///
    /// ```
    /// # use autodiff::{argmin::Problem, from_fns, Objective};
    /// # let problem = Problem::new(from_fns(1, |x: &[f64]| x[0], |x: &[f64], g: &mut [f64]| { g[0] = 1.0; x[0] }));
    /// assert_eq!(problem.objective().value(&[3.0]), 3.0);
    /// ```
    pub fn objective(&self) -> &O {
        &self.objective
    }

    /// The wrapped objective, by value.
    ///
    /// ```
    /// # use autodiff::{argmin::Problem, from_fns, Objective};
    /// # let problem = Problem::new(from_fns(1, |x: &[f64]| x[0], |x: &[f64], g: &mut [f64]| { g[0] = 1.0; x[0] }));
    /// let objective = problem.into_inner();
    /// assert_eq!(objective.dim(), 1);
    /// ```
    pub fn into_inner(self) -> O {
        self.objective
    }
}

impl<O: Objective<f64>, P> Problem<O, P> {
    /// `Ok(n)` if `param` has the objective's dimension `n`, else argmin's `InvalidParameter`.
    fn dim_of(&self, param: &[f64]) -> Result<usize, Error> {
        let n = self.objective.dim();
        if param.len() == n {
            Ok(n)
        } else {
            Err(ArgminError::InvalidParameter {
                text: format!(
                    "`autodiff::argmin::Problem`: the parameter vector has length {}, expected the objective's dimension {n}",
                    param.len()
                ),
            }
            .into())
        }
    }

    /// The value at `param`.
    fn value_at(&self, param: &[f64]) -> Result<f64, Error> {
        self.dim_of(param)?;
        Ok(self.objective.value(param))
    }

    /// The gradient at `param`, into a new `Vec`.
    fn gradient_at(&self, param: &[f64]) -> Result<Vec<f64>, Error> {
        let mut grad = vec![0.0; self.dim_of(param)?];
        self.objective.value_grad(param, &mut grad);
        Ok(grad)
    }

    /// The dimension `n` and the symmetric Hessian at `param`, row-major (`n * n`), from `n`
    /// Hessian-vector products (column `j` is `H e_j`). Where a column differs from the row by
    /// rounding, both entries get the mean.
    fn hessian_at(&self, param: &[f64]) -> Result<(usize, Vec<f64>), Error> {
        let n = self.dim_of(param)?;
        let mut flat = vec![0.0; n * n];
        let mut work = vec![0.0; 3 * n];
        hessian_into(&self.objective, param, &mut flat, &mut work).map_err(|e| {
            Error::from(ArgminError::NotImplemented {
                text: format!("`autodiff::argmin::Problem`: {e}"),
            })
        })?;
        for i in 0..n {
            for j in 0..i {
                let (a, b) = (flat[i * n + j], flat[j * n + i]);
                if a != b {
                    let mean = 0.5 * a + 0.5 * b;
                    flat[i * n + j] = mean;
                    flat[j * n + i] = mean;
                }
            }
        }
        Ok((n, flat))
    }
}

impl<O: Objective<f64>> CostFunction for Problem<O> {
    type Param = Vec<f64>;
    type Output = f64;

    /// The objective's value.
    fn cost(&self, param: &Vec<f64>) -> Result<f64, Error> {
        self.value_at(param)
    }
}

impl<O: Objective<f64>> Gradient for Problem<O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    /// The objective's gradient (one reverse pass).
    fn gradient(&self, param: &Vec<f64>) -> Result<Vec<f64>, Error> {
        self.gradient_at(param)
    }
}

impl<O: Objective<f64>> Hessian for Problem<O> {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;

    /// The dense Hessian, rows `H[i][j] = d^2 f / dx_i dx_j`, from `n` Hessian-vector products
    /// (column `j` is `H e_j`). Made exactly symmetric: where columns differ from rows by
    /// rounding, both get the mean.
    fn hessian(&self, param: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        let (n, flat) = self.hessian_at(param)?;
        Ok(flat.chunks_exact(n.max(1)).map(<[f64]>::to_vec).collect())
    }
}

#[cfg(feature = "nalgebra")]
mod dvector {
    use super::{CostFunction, Error, Gradient, Hessian, Objective, PhantomData, Problem};
    use ::nalgebra::{DMatrix, DVector};

    impl<O> Problem<O, DVector<f64>> {
        /// Wraps `objective`, with nalgebra's `DVector<f64>` parameters and `DMatrix<f64>`
        /// Hessians (argmin's `nalgebra` backend; features `argmin` and `nalgebra`).
        ///
        /// ```
        /// use argmin::core::{Executor, State};
        /// use argmin::solver::newton::Newton;
        /// use autodiff::argmin::Problem;
        /// use autodiff::differentiable;
        /// use nalgebra::DVector;
        ///
        /// #[differentiable]
        /// fn himmelblau(x: f64, y: f64) -> f64 {
        ///     (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
        /// }
        ///
        /// let result = Executor::new(Problem::dvector(himmelblau::objective()), Newton::<f64>::new())
        ///     .configure(|state| state.param(DVector::from_vec(vec![3.5, 2.5])).max_iters(10))
        ///     .run()
        ///     .unwrap();
        /// let x = result.state().get_param().unwrap();
        /// assert!((x[0] - 3.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
        /// ```
        pub fn dvector(objective: O) -> Self {
            Problem {
                objective,
                params: PhantomData,
            }
        }
    }

    impl<O: Objective<f64>> CostFunction for Problem<O, DVector<f64>> {
        type Param = DVector<f64>;
        type Output = f64;

        /// The objective's value.
        fn cost(&self, param: &DVector<f64>) -> Result<f64, Error> {
            self.value_at(param.as_slice())
        }
    }

    impl<O: Objective<f64>> Gradient for Problem<O, DVector<f64>> {
        type Param = DVector<f64>;
        type Gradient = DVector<f64>;

        /// The objective's gradient (one reverse pass).
        fn gradient(&self, param: &DVector<f64>) -> Result<DVector<f64>, Error> {
            Ok(DVector::from_vec(self.gradient_at(param.as_slice())?))
        }
    }

    impl<O: Objective<f64>> Hessian for Problem<O, DVector<f64>> {
        type Param = DVector<f64>;
        type Hessian = DMatrix<f64>;

        /// The dense Hessian, `H[(i, j)] = d^2 f / dx_i dx_j`, from `n` Hessian-vector products;
        /// exactly symmetric (as for `Vec` parameters).
        fn hessian(&self, param: &DVector<f64>) -> Result<DMatrix<f64>, Error> {
            let (n, flat) = self.hessian_at(param.as_slice())?;
            Ok(DMatrix::from_row_slice(n, n, &flat))
        }
    }
}
