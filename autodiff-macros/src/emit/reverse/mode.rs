//! The adjoint mode of `__vjp_w` (`AdjointMode`: `Accumulate` for `vjp`, `Overwrite` for
//! `grad`, `grad_into`, `hvp`, `hvp_into` and `sparse_hessian`): what a body reads of it, decided
//! from the emitted tokens once the body is written.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::adjoint_ident;
use crate::emit::Cx;
use crate::ir::ParamKind;

/// What the body reads of its adjoint mode `mode` (see `AdjointMode`), and whether it takes one:
/// when some buffer can be overwritten or some product has a constant adjoint (and the
/// function's buffers are all gradients).
///
/// - The flag of each buffer carried by a fused loop, true under `Overwrite` when that loop's
///   code is the only code naming the buffer (see [`crate::emit::carry`]).
/// - The flag of products with constant adjoints (see [`super::acc::Acc`]).
/// - Under `Overwrite`, the zeroing of the other buffers.
pub(super) fn prelude(
    cx: &Cx,
    carried: &[(Ident, usize)],
    code: &TokenStream,
    mode: Option<&Ident>,
) -> (TokenStream, bool) {
    let func = cx.func;
    let gradient_buffers = !func.unit
        && func.ret_len.is_none()
        && !func
            .params
            .iter()
            .any(|p| matches!(p.kind, ParamKind::Output));
    let mode = mode.filter(|_| gradient_buffers);
    let ok: Vec<&Ident> = carried
        .iter()
        .filter(|(b, n)| mode.is_some() && crate::emit::carry::mentions(code, b) == *n)
        .map(|(b, _)| b)
        .collect();
    let based = super::acc::based_flag();
    let uses_based = crate::emit::carry::mentions(code, &based) > 0;
    let mode = mode.filter(|_| !ok.is_empty() || uses_based);
    let k = cx.krate;
    let flag = |on: bool| match mode.filter(|_| on) {
        Some(m) => quote!(<#m as #k::__private::AdjointMode>::OVERWRITE),
        None => quote!(false),
    };
    let mut prelude = TokenStream::new();
    for (b, _) in carried {
        let (ow, on) = (crate::emit::carry::overwrite_flag(b), flag(ok.contains(&b)));
        prelude.extend(quote!(let #ow: bool = #on;));
    }
    if uses_based {
        let on = flag(true);
        prelude.extend(quote!(let #based: bool = #on;));
    }
    if let Some(m) = mode {
        let zero = cx.zero();
        for v in cx.active_arrays() {
            let b = adjoint_ident(&cx.var(v).ident);
            if !ok.contains(&&b) {
                prelude.extend(quote! {
                    if <#m as #k::__private::AdjointMode>::OVERWRITE {
                        #b.fill(#zero);
                    }
                });
            }
        }
    }
    (prelude, mode.is_some())
}
