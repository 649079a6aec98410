//! # autodiff
//!
//! Compile-time automatic differentiation for Rust. Put `#[differentiable]` on a plain numeric
//! function and the macro writes its forward-mode and reverse-mode derivatives as Rust source
//! while your crate compiles: no tape, no graph, no allocation.
//!
//! ```
//! use autodiff::differentiable;
//!
//! /// Notebook 000's f(x, y) = (x - 1)^2 + 4 (y + 1)^2 + x y / 2.
//! #[differentiable]
//! fn f(x: f64, y: f64) -> f64 {
//!     (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
//! }
//!
//! let (value, (dx, dy)) = f::grad(3.0, 3.0);
//! assert_eq!(value, f(3.0, 3.0));
//! assert_eq!((dx, dy), (5.5, 33.5));
//!
//! // Directional derivative (forward mode) and vector-Jacobian product (reverse mode).
//! let (_, d) = f::jvp(3.0, 3.0, 1.0, 0.0);
//! assert_eq!(d, 5.5);
//! let (_, (bx, by)) = f::vjp(3.0, 3.0, 2.0);
//! assert_eq!((bx, by), (11.0, 67.0));
//! ```
//!
//! For `#[differentiable] fn f(..)`, the function `f` is kept exactly as written and a
//! derivative namespace `f` is added next to it with `f::jvp`, `f::vjp` and `f::grad`; see
//! [`differentiable`] for the exact signatures and the supported Rust.
//!
//! ## Features
//! - `std` (default): math through `std`. Without it the crate is `#![no_std]` and uses `libm`.
//! - `alloc`: enables heap storage where a derivative needs it (implied by `std`).
//! - `optim` (default): re-exports the [`optim`] crate.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

pub use autodiff_macros::differentiable;
pub use autodiff_runtime::{rules, Float, Scalar};

#[cfg(feature = "optim")]
pub use optim;

/// Items the generated code names. Not public API: they may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use autodiff_runtime::call::{Active, Const, ToActive, ToPassive};
    pub use autodiff_runtime::{rules, zeros_vec, FixedTape, Float, Scalar, Vec, VecTape};
}
