//! Interop with other crates of the field, each behind its feature.

#[cfg(feature = "argmin")]
pub mod argmin;
#[cfg(feature = "nalgebra")]
pub mod nalgebra;
