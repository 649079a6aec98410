//! The generic entry points (`__S: Scalar`), which the public functions call with floats and the
//! runtime with dual numbers and jets: `__jvp` (forward mode) and `__vjp` (reverse mode), the
//! latter with `__call` (see [`super::call`]).

use proc_macro2::TokenStream;
use quote::quote;

use super::call::call_fn;
use super::parts::Parts;
use super::seed_generic;

/// `__jvp`: the value and the directional derivative along the tangents.
pub(super) fn jvp(p: &Parts) -> TokenStream {
    let (vis, generic_decl, out_s) = (&p.item.vis, &p.generic_decl, &p.out_s);
    let where_clause = &p.item.sig.generics.where_clause;
    let (gparams, gtangents) = (&p.generic.params, &p.generic.tangents);
    let keep_alive = keep_alive(p);
    let fwd_body = &p.fwd_body;
    quote! {
        /// Generic forward mode, used by the runtime (dual numbers, jets).
        #[doc(hidden)]
        #[inline]
        #vis fn __jvp #generic_decl (#(#gparams,)* #(#gtangents),*) -> (#out_s, #out_s) #where_clause {
            #keep_alive
            #fwd_body
        }
    }
}

/// `__vjp`: the value and `seed` times the gradient; then `__call`.
pub(super) fn vjp(p: &Parts) -> TokenStream {
    let (vis, generic_decl, gvjp_ret) = (&p.item.vis, &p.generic_decl, &p.gvjp_ret);
    let where_clause = &p.item.sig.generics.where_clause;
    let (gparams, gbars, bar_lens) = (&p.generic.params, &p.generic.bars, &p.bar_lens);
    let keep_alive = keep_alive(p);
    let rev_body = &p.rev_body;
    let seed_g = seed_generic();
    let out_s = &p.out_s;
    // Functions with output buffers take their seeds in the buffers' adjoints.
    let gseed = if p.unit {
        quote!()
    } else {
        quote!(#seed_g: #out_s,)
    };
    let call_fn = call_fn(p);
    p.if_alloc(
        quote! {
            /// Generic reverse mode, used by the runtime (dual numbers, jets).
            #[doc(hidden)]
            #[inline]
            #vis fn __vjp #generic_decl (#(#gparams,)* #gseed #(#gbars),*) -> #gvjp_ret #where_clause {
                #keep_alive
                #(#bar_lens)*
                #rev_body
            }

            #call_fn
        },
        p.heap,
    )
}

/// Marks the original function used: callers often call only `f::grad`.
fn keep_alive(p: &Parts) -> TokenStream {
    let name = &p.item.sig.ident;
    let has_impl_trait =
        p.cx.func
            .params
            .iter()
            .any(|p| matches!(p.ty, syn::Type::ImplTrait(_)));
    let gargs: Vec<TokenStream> = p
        .item
        .sig
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => {
                let i = &t.ident;
                Some(quote!(#i))
            }
            syn::GenericParam::Const(c) => {
                let i = &c.ident;
                Some(quote!(#i))
            }
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    if has_impl_trait || p.stub {
        quote!()
    } else if gargs.is_empty() {
        quote!(let _ = #name;)
    } else {
        quote!(let _ = #name::<#(#gargs),*>;)
    }
}
