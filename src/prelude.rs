//! The names most programs use, in one import.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiable]
//! fn f(x: &[f64; 2]) -> f64 {
//!     (x[0] - 1.0).powi(2) + 10.0 * (x[1] - x[0] * x[0]).powi(2)
//! }
//!
//! let (value, g) = f::grad(&[1.0, 1.0]);
//! assert_eq!((value, g), (0.0, [0.0, 0.0]));
//! let objective = f::objective(); // an `Objective`: what optimizers consume
//! assert_eq!(objective.dim(), 2);
//! ```

pub use crate::{
    check_gradient, differentiable, Differentiable, Dual, FastMath, Jet, Objective, Scalar,
};
#[cfg(feature = "optim")]
pub use optim::Optimizer;
