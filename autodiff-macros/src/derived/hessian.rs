//! `hessian(args..)`: the dense Hessian from one Hessian-vector product per input.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use super::mixed;
use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::Shape;

/// `hessian(args..) -> (value, gradient, H)` when the active parameters are scalars only, or a
/// single array `&[f; N]`.
pub(super) fn hessian(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let func = cx.func;
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let params = &generics.params;
    let where_clause = &generics.where_clause;
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let one = quote!(<#ft as #k::__private::Scalar>::one());
    let name = &item.sig.ident;
    let pparams: Vec<TokenStream> = func
        .params
        .iter()
        .zip(&sigs.names)
        .map(|(p, n)| {
            let ty = &p.ty;
            quote!(#n: #ty)
        })
        .collect();
    let names = &sigs.names;
    let arrays = cx.active_arrays();
    let scalars = cx.active_scalars();
    let doc = format!("Value of `{name}`, its gradient and its dense Hessian, from one Hessian-vector product per active parameter.");
    let utf = cx.turbofish(None);
    if arrays.is_empty() {
        let n = scalars.len();
        let lit = proc_macro2::Literal::usize_unsuffixed(n);
        let (v, g, h) = (mixed("__v"), mixed("__g"), mixed("__h"));
        let mut cols = Vec::new();
        for j in 0..n {
            let units: Vec<TokenStream> = (0..n)
                .map(|i| if i == j { one.clone() } else { zero.clone() })
                .collect();
            let hj = format_ident!("__h{}", j, span = Span::mixed_site());
            let jl = proc_macro2::Literal::usize_unsuffixed(j);
            let rows: Vec<TokenStream> = (0..n)
                .map(|i| {
                    let il = proc_macro2::Literal::usize_unsuffixed(i);
                    let hi = if n == 1 { quote!(#hj) } else { quote!(#hj.#il) };
                    quote!(#h[#il][#jl] = #hi;)
                })
                .collect();
            cols.push(quote! {
                let (#v, #g, #hj) = Self::hvp #utf (#(#names,)* #(#units),*);
                #(#rows)*
            });
        }
        let gty = grad_ty(cx);
        quote! {
            #[doc = #doc]
            #[inline]
            #vis fn hessian <#params> (#(#pparams),*) -> (#ft, #gty, [[#ft; #lit]; #lit]) #where_clause {
                let mut #h = [[#zero; #lit]; #lit];
                #(#cols)*
                (#v, #g, #h)
            }
        }
    } else if arrays.len() == 1
        && scalars.is_empty()
        && matches!(func.vars[arrays[0]].shape, Shape::ArrayRef(_))
        && !func
            .params
            .iter()
            .any(|p| p.matrix.is_some() && p.var == arrays[0])
    {
        let var = &func.vars[arrays[0]];
        let Shape::ArrayRef(len) = &var.shape else {
            return quote!();
        };
        let (e, v, g, h, col) = (
            mixed("__e"),
            mixed("__v"),
            mixed("__g"),
            mixed("__h"),
            mixed("__col"),
        );
        // (Not `value`/`grad`: the function itself may have that name, and the paths of an
        // `impl` block's items are rewritten without regard to local bindings.)
        let (value, grad) = (mixed("__value"), mixed("__grad"));
        let args: Vec<TokenStream> = func
            .params
            .iter()
            .zip(names)
            .map(|(_, n)| quote!(#n))
            .collect();
        quote! {
            #[doc = #doc]
            #[inline]
            #vis fn hessian <#params> (#(#pparams),*) -> (#ft, [#ft; #len], [[#ft; #len]; #len]) #where_clause {
                let mut #h = [[#zero; #len]; #len];
                let mut #e = [#zero; #len];
                let mut #v = #zero;
                let mut #g = [#zero; #len];
                for j in 0..#len {
                    #e[j] = #one;
                    let (#value, #grad, #col) = Self::hvp #utf (#(#args,)* &#e);
                    #e[j] = #zero;
                    #v = #value;
                    #g = #grad;
                    for i in 0..#len {
                        #h[i][j] = #col[i];
                    }
                }
                (#v, #g, #h)
            }
        }
    } else {
        crate::flat::hessian(sigs, item, cx)
    }
}

/// The gradient type of an all-scalar function (`f64` or `(f64, f64, ..)`).
fn grad_ty(cx: &Cx) -> TokenStream {
    let ft = &cx.ft;
    let n = cx.active_scalars().len();
    if n == 1 {
        quote!(#ft)
    } else {
        let tys = (0..n).map(|_| quote!(#ft));
        quote!((#(#tys),*))
    }
}
