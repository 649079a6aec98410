//! `__call`: how other `#[differentiable]` functions call this one. For scalar parameters, the
//! value and the partial derivative with respect to every parameter; for functions returning
//! arrays, a stub whose bound explains how to bind the array.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::parts::Parts;
use crate::ir::ParamKind;

/// `__call`, where the function's shape has one.
pub(super) fn call_fn(p: &Parts) -> TokenStream {
    if p.cx.active_arrays().is_empty() && !p.stub && !p.array_out && !p.unit {
        scalar_call(p)
    } else if p.array_out && !p.stub {
        array_result_call(p)
    } else {
        quote!()
    }
}

/// Every parameter scalar (or passive): the value and the partials, through `__vjp`.
fn scalar_call(p: &Parts) -> TokenStream {
    let (func, k, s) = (p.cx.func, p.cx.krate, &p.cx.s);
    let (vis, generic_decl) = (&p.item.vis, &p.generic_decl);
    let where_clause = &p.item.sig.generics.where_clause;
    let mut cparams = Vec::new();
    let mut unwrap = Vec::new();
    for (pi, p) in func.params.iter().enumerate() {
        let var = &func.vars[p.var];
        let a = format_ident!("__a{}", pi, span = Span::mixed_site());
        let id = &var.ident;
        let ty = &p.ty;
        if var.active {
            cparams.push(quote!(#a: impl #k::__private::ToActive<#s>));
            unwrap.push(quote!(let #id: #s = #k::__private::ToActive::get(#a);));
        } else if matches!(p.kind, ParamKind::Float) {
            cparams.push(quote!(#a: impl #k::__private::ToPassive<#ty>));
            unwrap.push(quote!(let #id: #ty = #k::__private::ToPassive::get(#a);));
        } else {
            cparams.push(quote!(#a: #ty));
            unwrap.push(quote!(let #id: #ty = #a;));
        }
    }
    // Matrices are flattened for the generic code (see `Param::matrix`).
    let ids: Vec<TokenStream> = func
        .params
        .iter()
        .map(|p| {
            let id = &func.vars[p.var].ident;
            match &p.matrix {
                Some(_) => quote!(#id.as_flattened()),
                None => quote!(#id),
            }
        })
        .collect();
    let gs: Vec<Ident> = (0..p.cx.active_scalars().len())
        .map(|i| format_ident!("__g{}", i, span = Span::mixed_site()))
        .collect();
    let v_ident = format_ident!("__value", span = Span::mixed_site());
    let pat = match gs.len() {
        1 => {
            let g = &gs[0];
            quote!((#v_ident, #g))
        }
        _ => quote!((#v_ident, (#(#gs),*))),
    };
    let mut next = 0;
    let parts: Vec<TokenStream> = func
        .params
        .iter()
        .map(|p| {
            if func.vars[p.var].active {
                let g = &gs[next];
                next += 1;
                quote!(#g)
            } else {
                quote!(<#s as #k::__private::Scalar>::zero())
            }
        })
        .collect();
    let np = proc_macro2::Literal::usize_unsuffixed(func.params.len());
    let one_s = quote!(<#s as #k::__private::Scalar>::one());
    let tf = p.cx.turbofish(Some(quote!(#s)));
    quote! {
        /// Used by other `#[differentiable]` functions that call this one: the value and
        /// the partial derivative with respect to every parameter (zero for passive ones).
        #[doc(hidden)]
        #[inline]
        #vis fn __call #generic_decl (#(#cparams),*) -> (#s, [#s; #np]) #where_clause {
            #(#unwrap)*
            let #pat = Self::__vjp #tf (#(#ids,)* #one_s);
            (#v_ident, [#(#parts),*])
        }
    }
}

/// Called as if it returned a scalar: a message saying how to bind the array.
fn array_result_call(p: &Parts) -> TokenStream {
    let (k, s, ft, vis) = (p.cx.krate, &p.cx.s, &p.cx.ft, &p.item.vis);
    let ps: Vec<Ident> = (0..p.cx.func.params.len())
        .map(|i| format_ident!("__A{}", i, span = Span::mixed_site()))
        .collect();
    // (A generic function's length may name its parameters, which this stub does not have: it
    // is never called, only its bound's message matters.)
    let generic = !p.item.sig.generics.params.is_empty();
    let m = match generic {
        false => p.cx.func.ret_len.clone().unwrap_or_else(|| quote!(0)),
        true => quote!(0),
    };
    // The bound at the helper's name, where rustc's note about it points.
    let span = p.item.sig.ident.span();
    let bound = crate::layout::respan(quote!(#k::__private::BindArrayResult), span);
    quote! {
        #[doc(hidden)]
        #vis fn __call<#s: #k::__private::Scalar<Base = #ft> + #bound, #(#ps),*>(#(_: #ps),*) -> (#s, [#s; #m]) {
            ::core::unreachable!()
        }
    }
}
