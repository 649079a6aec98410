//! The `#[differentiable]` attribute of `autodiff-gen` (imported as `autodiff`).
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
//! # What the adjoint stores, and when it allocates
//!
//! Forward mode (`jvp`) never stores anything: it is the original function with a tangent next to
//! every active value. Reverse mode (`vjp`, `grad`) runs a forward sweep and then a reverse sweep
//! that mirrors it. The reverse sweep needs, for every statement, the *factors* of its steps (local
//! partial derivatives such as `cos x`, operand values such as `b` in `a * b`), the indices of the
//! array elements it read or wrote, and, for control flow, which branch was taken and how often a
//! loop ran. Where those come from:
//!
//! - **Activity analysis.** Only values that depend on an active input get derivative code.
//!   Integer, boolean and data-only computations (indices, counters, passive data) stay exactly as
//!   written and are never stored.
//! - **Straight-line code** at the top of the function: every factor is an immutable local that is
//!   still in scope when the reverse sweep runs. Nothing is stored.
//! - **Loops the reverse sweep can run again** (`for i in a..b` with bounds that are inputs or
//!   immutable locals, and no `break`/`return` inside): the reverse sweep iterates the range
//!   backwards and, at the top of each iteration, *recomputes* every factor that depends only on
//!   values it can read again: inputs (parameters are never written), the loop variable, immutable
//!   locals of the function and locals of the body computed from those. Only factors that depend on
//!   values overwritten by the loop (a recurrence such as `acc = acc * x + c[i]`, an integrator's
//!   state) are stored, one tuple per statement and iteration.
//! - **Accumulation loops** (the last statement of the function, whose only effect on outer active
//!   variables is `s += e`, `s -= e`, followed by a result whose adjoint needs nothing from the
//!   loop, such as `s` or `s / n`) are *fused* with their reverse sweep: each iteration runs its
//!   reverse right after its forward code, with everything still in registers, exactly as a
//!   hand-written gradient does. Rosenbrock, least squares, mean absolute error and a network's
//!   mean-squared-error loss over samples are of this kind.
//! - **Everything else inside branches and loops** (`while`, `loop`, loops with `break`, values
//!   inside `if` branches) is stored on a tape per statement: a `FixedTape` on the stack, sized by
//!   the loop bounds, when every enclosing loop has a compile-time trip bound (`0..N` with `N` a
//!   literal, a `const`, a const generic, `N - k`, or `x.len()` of an array parameter `&[f; N]`),
//!   otherwise a `VecTape` on the heap. Branch decisions (`bool`) and trip counts (`usize`) are
//!   stored the same way.
//!
//! So a function whose loops all have compile-time bounds (or are recomputed or fused) allocates
//! nothing; a function with a `while` loop or a runtime-sized recurrence allocates in reverse mode
//! and needs the `alloc` feature of `autodiff`. Without `alloc` such a function fails to compile
//! with a message saying so, rather than computing something wrong. `grad` of a function with slice
//! parameters returns a `Vec` (so needs `alloc`); `vjp` with your own buffer never allocates.
//!
//! Calls to other `#[differentiable]` functions with scalar arguments go through the callee's
//! generated `__call`, which returns its value and its partial derivatives (one reverse pass of
//! the callee); the caller treats them like an intrinsic's partials. Calls with arrays, slices,
//! sub-slices or output buffers go through activity-specialized variants of the callee
//! (`variants`, `emit::calls`): forward mode calls its `__jvp_m`, reverse mode its `__val_m` in
//! the forward sweep and its `__vjp_m` in the reverse sweep, with the arguments' values kept
//! like any factor (local arrays and output buffers are copied, since they may change).
//! `#[differentiable(custom = rule)]` replaces the callee's derivative by the user's `rule`.
//!
//! Matrices are flattened row by row, names of sub-slices (`let c = &x[a..b];`) are rewritten to
//! offsets into their base, tuples to one variable per component, `#[cfg]` in the body to one
//! set of derivatives per combination of the conditions (`cfg`): the emitters see arrays,
//! slices and scalars only.
//!
//! Around that core, rewrites of the input and of the expansion: `impls` (an `impl` block: each
//! function expanded as a free function, its namespace items moved into the block as
//! `f_item`), `inline` (calls between the block's methods replaced by the callee's body),
//! `methods` (`&self` as a parameter `__self: &Type`), `structs` (a struct parameter
//! flattened to an array of `<T as Differentiable>::DIM`, field reads rewritten to the offsets
//! `derive` provides, matrix fields by rows, struct-typed entry points wrapped around the flat
//! ones), `sparse` (sparse Hessians and Jacobians, `hvp_into`), and `gated`
//! (items behind `if_alloc!` opened for those rewrites and closed again).

mod args;
mod cfg;
mod check;
mod ctxt;
mod derive;
mod derived;
mod emit;
mod expand;
mod fallback;
mod flat;
mod gated;
mod impls;
mod inline;
mod intrinsics;
mod ir;
mod layout;
mod lower;
mod methods;
mod outputs;
#[cfg(test)]
mod snapshots;
mod sparse;
mod structs;
mod variants;

use proc_macro::TokenStream;

/// See the `autodiff` crate's documentation of `differentiable`.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr: proc_macro2::TokenStream = attr.into();
    let krate = args::parse(attr.clone(), &mut ctxt::Ctxt::default()).krate;
    layout::entry(attr, item.into(), &krate, expand::expand).into()
}

/// The chain through the derive's macros (see `layout`). Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __layout(input: TokenStream) -> TokenStream {
    layout::callback(input.into(), expand::expand).into()
}

/// See the `autodiff` crate's documentation of `Differentiable`.
#[proc_macro_derive(Differentiable, attributes(passive))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    derive::derive(item.into(), &args::facade_path()).into()
}
