//! How the generic reverse mode treats the caller's adjoint buffers (used by generated code).
//!
//! `vjp` adds into the buffers ([`Accumulate`]). `grad`, `grad_into` and the objective adapters
//! want the gradient itself; they used to zero the buffers and then add into them, which costs a
//! pass over memory and a read of every element before its write. With [`Overwrite`] the
//! generated code writes the elements that a fused loop finalizes one by one (each exactly
//! once, in order), zeroes only the rest, and zeroes every other buffer at entry. The mode is a
//! type, so each instantiation has the branch folded away.

/// The treatment of adjoint buffers: [`Accumulate`] or [`Overwrite`].
pub trait AdjointMode: Copy {
    /// Whether the buffers' contents are ignored and overwritten.
    const OVERWRITE: bool;
}

/// Add into the buffers (`vjp`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Accumulate;

/// Overwrite the buffers (`grad`, `grad_into`): their contents are never read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overwrite;

impl AdjointMode for Accumulate {
    const OVERWRITE: bool = false;
}

impl AdjointMode for Overwrite {
    const OVERWRITE: bool = true;
}
