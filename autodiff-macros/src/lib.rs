//! The `#[differentiable]` attribute of [autodiff](https://docs.rs/autodiff).
//!
//! Re-exported by the `autodiff` facade; depend on that crate, not on this one. The attribute's
//! documentation (signatures, supported Rust, errors) is on the re-export.
//!
//! # How the macro works
//!
//! ```text
//! TokenStream -> syn::ItemFn -> lower (our IR, spanned errors) -> check (types, activity)
//!             -> emit::forward (tangent code) + emit::reverse (adjoint code) -> quote!
//! ```
//!
//! On any error the original function is emitted unchanged, followed by every error as a
//! spanned `compile_error!` and stubs with the right signatures (see `fallback`).
//!
//! # What the adjoint stores
//!
//! The supported bodies are straight-line code, so the adjoint is a single function: a forward
//! sweep that computes every value once, keeping each intermediate result and the local
//! partial derivatives the reverse sweep will need as ordinary immutable locals, then the reverse
//! sweep that accumulates adjoints in exactly the opposite order. Mutable variables get a new
//! local per assignment (static single assignment), so an overwritten value is still there when
//! the reverse sweep needs it. Nothing is stored on the heap and nothing is recorded at run time:
//! the compiler sees plain arithmetic and optimizes it like hand-written code.

mod args;
mod check;
mod ctxt;
mod emit;
mod expand;
mod fallback;
mod intrinsics;
mod ir;
mod lower;
#[cfg(test)]
mod snapshots;

use proc_macro::TokenStream;

/// See the `autodiff` crate's documentation of `differentiable`.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(attr.into(), item.into()).into()
}
