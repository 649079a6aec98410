//! The generic bodies of a function with a user-supplied rule (`#[differentiable(custom = rule)]`):
//! `__jvp` and `__vjp` call the rule for the value and the partial derivatives instead of
//! differentiating the body.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::seed_generic;
use crate::emit::forward::tangent_ident;
use crate::emit::Cx;

/// `__jvp` and `__vjp` from the user's rule `rule(args..) -> (value, [partial; n_active])`.
pub(super) fn custom_bodies(cx: &Cx, rule: &syn::Path) -> (TokenStream, TokenStream) {
    let func = cx.func;
    let args: Vec<&Ident> = func
        .params
        .iter()
        .map(|p| &func.vars[p.var].ident)
        .collect();
    let v = format_ident!("__value", span = Span::mixed_site());
    let parts = format_ident!("__parts", span = Span::mixed_site());
    let call = quote!(let (#v, #parts) = #rule(#(#args),*););
    let actives: Vec<usize> = cx.active.iter().map(|&i| func.params[i].var).collect();
    let terms = actives.iter().enumerate().map(|(k, &var)| {
        let d = tangent_ident(&func.vars[var].ident);
        let lit = proc_macro2::Literal::usize_unsuffixed(k);
        quote!(#parts[#lit] * #d)
    });
    let fwd = quote! {
        #call
        (#v, #(#terms)+*)
    };
    let seed = seed_generic();
    let grads: Vec<TokenStream> = (0..actives.len())
        .map(|k| {
            let lit = proc_macro2::Literal::usize_unsuffixed(k);
            quote!(#parts[#lit] * #seed)
        })
        .collect();
    let ret = if grads.len() == 1 {
        let g = &grads[0];
        quote!((#v, #g))
    } else {
        quote!((#v, (#(#grads),*)))
    };
    let rev = quote! {
        #call
        #ret
    };
    (fwd, rev)
}
