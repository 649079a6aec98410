//! Runtime of `autodiff`: the scalar trait the generated derivative code is written against, and
//! the derivative rules (value and local partials) of every supported intrinsic.
//!
//! Generated code never names `f64` operations directly: it is generic over [`Scalar`], with
//! concrete `f64`/`f32` entry points. That lets later layers run the very same generated adjoint
//! on dual numbers (forward-over-reverse Hessian-vector products) without touching the emitters.
//!
//! `#![no_std]` and allocation-free. With the `std` feature (default) math goes through `std`;
//! without it through the pure-Rust [`libm`] crate, so the crate works on microcontrollers.
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod float;
pub mod rules;
mod scalar;
pub mod tape;

pub use float::Float;
pub use scalar::Scalar;
#[doc(hidden)]
pub use tape::{zeros_vec, Vec};
pub use tape::{FixedTape, Slots, VecTape};
