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
    if p.overwrite {
        let [vjp_w, vjp] = vjp_with_mode(p);
        return p.if_alloc(quote!(#vjp_w #vjp #call_fn), p.heap);
    }
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

/// For a body that reads an adjoint mode (see `emit::carry`): `__vjp_w`, generic over it, and
/// `__vjp`, which calls it to add into the buffers.
fn vjp_with_mode(p: &Parts) -> [TokenStream; 2] {
    let (cx, k, s) = (p.cx, p.cx.krate, &p.cx.s);
    let (vis, gvjp_ret, rev_body) = (&p.item.vis, &p.gvjp_ret, &p.rev_body);
    let where_clause = &p.item.sig.generics.where_clause;
    let (gparams, gbars, bar_lens) = (&p.generic.params, &p.generic.bars, &p.bar_lens);
    let mode = crate::emit::adjoint_mode();
    let decl_w = super::parts::generic_decl_with(
        p.item,
        cx,
        Some(quote!(#mode: #k::__private::AdjointMode)),
    );
    let seed_g = seed_generic();
    let out_s = &p.out_s;
    let keep_alive = keep_alive(p);
    let zero = cx.zero();
    // The part of a longer slice buffer past the slice, which `grad_into` always zeroed.
    let tails = cx.active_arrays().into_iter().filter_map(|v| {
        let var = cx.var(v);
        matches!(var.shape, crate::ir::Shape::SliceRef).then(|| {
            let (x, b) = (&var.ident, crate::emit::reverse::adjoint_ident(&var.ident));
            quote! {
                if <#mode as #k::__private::AdjointMode>::OVERWRITE {
                    if let ::core::option::Option::Some(__tail) = #b.get_mut(#x.len()..) {
                        __tail.fill(#zero);
                    }
                }
            }
        })
    });
    let args = cx.func.params.iter().map(|q| &cx.var(q.var).ident);
    let bars = cx
        .active_arrays()
        .into_iter()
        .map(|v| crate::emit::reverse::adjoint_ident(&cx.var(v).ident));
    let tf = cx.turbofish_with(Some(quote!(#s)), Some(quote!(_)));
    let generic_decl = &p.generic_decl;
    [
        quote! {
            /// Generic reverse mode, adding into the adjoint buffers or overwriting them.
            #[doc(hidden)]
            #[inline]
            #vis fn __vjp_w #decl_w (#(#gparams,)* #seed_g: #out_s, #(#gbars,)* _: #mode) -> #gvjp_ret #where_clause {
                #keep_alive
                #(#tails)*
                #(#bar_lens)*
                #rev_body
            }
        },
        quote! {
            /// Generic reverse mode, used by the runtime (dual numbers, jets).
            #[doc(hidden)]
            #[inline]
            #vis fn __vjp #generic_decl (#(#gparams,)* #seed_g: #out_s, #(#gbars),*) -> #gvjp_ret #where_clause {
                Self::__vjp_w #tf (#(#args,)* #seed_g, #(#bars,)* #k::__private::Accumulate)
            }
        },
    ]
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
