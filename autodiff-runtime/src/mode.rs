//! How the generic reverse mode treats the caller's adjoint buffers (used by generated code).
//!
//! `vjp` adds into the buffers ([`Accumulate`]). `grad`, `grad_into` and the objective adapters
//! want the gradient itself; they used to zero the buffers and then add into them, which costs a
//! pass over memory and a read of every element before its write. With [`Overwrite`] the
//! generated code writes the elements that a fused loop finalizes one by one (each exactly
//! once, in order), zeroes only the rest, and zeroes every other buffer at entry. Its callers'
//! seeds are constants (`1`, or the dual number `1 + 0 ε` of a Hessian-vector product), which
//! saves the products with the seed's zero derivative part. The mode is a type, so each
//! instantiation has the branches folded away.

/// The treatment of adjoint buffers: [`Accumulate`] or [`Overwrite`].
pub trait AdjointMode: Copy {
    /// Whether the buffers' contents are ignored and overwritten.
    const OVERWRITE: bool;
}

/// Add into the buffers (`vjp`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Accumulate;

/// Overwrite the buffers (`grad`, `grad_into`, `hvp`, `hvp_into`): their contents are never
/// read. Callers also promise a constant seed (a float, or a dual number without derivative
/// part): products with adjoints that are constant multiples of the seed are then computed as
/// scalings by their base values.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overwrite;

impl AdjointMode for Accumulate {
    const OVERWRITE: bool = false;
}

impl AdjointMode for Overwrite {
    const OVERWRITE: bool = true;
}
