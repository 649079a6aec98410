//! `jacobian(args..)` of functions returning `[f; M]`: forward or reverse passes by shape.

use proc_macro2::TokenStream;
use quote::quote;

use super::mixed;
use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::Shape;

/// `jacobian(args..) -> ([f; M], [[f; N]; M])` for functions returning `[f; M]` whose active
/// parameters are scalars (N of them) or one array `&[f; N]`: N forward passes when `N <= M`,
/// else M reverse passes.
pub fn jacobian(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let func = cx.func;
    let Some(m) = &func.ret_len else {
        return quote!();
    };
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let params = &generics.params;
    let where_clause = &generics.where_clause;
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let one = quote!(<#ft as #k::__private::Scalar>::one());
    let names = &sigs.names;
    let pparams: Vec<TokenStream> = func
        .params
        .iter()
        .zip(names)
        .map(|(p, n)| {
            let ty = &p.ty;
            quote!(#n: #ty)
        })
        .collect();
    let arrays = cx.active_arrays();
    let scalars = cx.active_scalars();
    let (j, v) = (mixed("__j"), mixed("__value"));
    // A pass's value and tangent (not `value`/`d`: see `hessian`).
    let (value, d) = (mixed("__pass_value"), mixed("__d"));
    let name = &item.sig.ident;
    let doc = format!("Value of `{name}` and its Jacobian (`[output][input]`), by forward passes when there are fewer inputs than outputs, else by reverse passes.");
    let utf = cx.turbofish(None);
    if arrays.is_empty() {
        let n = scalars.len();
        let nl = proc_macro2::Literal::usize_unsuffixed(n);
        let mut cols = Vec::new();
        for c in 0..n {
            let units: Vec<TokenStream> = (0..n)
                .map(|i| if i == c { one.clone() } else { zero.clone() })
                .collect();
            let cl = proc_macro2::Literal::usize_unsuffixed(c);
            cols.push(quote! {
                let (#value, #d) = Self::jvp #utf (#(#names,)* #(#units),*);
                #v = #value;
                for r in 0..#m {
                    #j[r][#cl] = #d[r];
                }
            });
        }
        // Scalars: forward passes (one per input) always fit the fixed-size API.
        quote! {
            #[doc = #doc]
            #[inline]
            #vis fn jacobian <#params> (#(#pparams),*) -> ([#ft; #m], [[#ft; #nl]; #m]) #where_clause {
                let mut #j = [[#zero; #nl]; #m];
                let mut #v = [#zero; #m];
                #(#cols)*
                (#v, #j)
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
        let Shape::ArrayRef(n) = &func.vars[arrays[0]].shape else {
            return quote!();
        };
        let (e, seed, bar) = (mixed("__e"), mixed("__seed"), mixed("__bar"));
        quote! {
            #[doc = #doc]
            #[inline]
            #vis fn jacobian <#params> (#(#pparams),*) -> ([#ft; #m], [[#ft; #n]; #m]) #where_clause {
                let mut #j = [[#zero; #n]; #m];
                let mut #v = [#zero; #m];
                if #n <= #m {
                    let mut #e = [#zero; #n];
                    for c in 0..#n {
                        #e[c] = #one;
                        let (#value, #d) = Self::jvp #utf (#(#names,)* &#e);
                        #e[c] = #zero;
                        #v = #value;
                        for r in 0..#m {
                            #j[r][c] = #d[r];
                        }
                    }
                } else {
                    let mut #seed = [#zero; #m];
                    for r in 0..#m {
                        #seed[r] = #one;
                        let mut #bar = [#zero; #n];
                        let #value = Self::vjp #utf (#(#names,)* &#seed, &mut #bar);
                        #seed[r] = #zero;
                        #v = #value;
                        #j[r] = #bar;
                    }
                }
                (#v, #j)
            }
        }
    } else {
        crate::flat::jacobian(sigs, item, cx)
    }
}
