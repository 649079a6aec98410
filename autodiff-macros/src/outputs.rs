//! `jacobian` of a function that writes its results into an output buffer (`&mut [f; M]` or
//! `&mut [f]`, the residual style): one output buffer, and either scalar inputs or one array or
//! slice input. Forward passes (one `jvp` per input) when there are no more inputs than outputs,
//! else reverse passes (one `vjp` per output).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::{ParamKind, Shape};

/// `jacobian(args..)`: writes the values into the output buffer and returns the Jacobian
/// (`[output][input]`): `[[f; N]; M]` for fixed sizes, rows `Vec<Vec<f>>` otherwise.
pub fn jacobian(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let func = cx.func;
    let outputs: Vec<usize> = (0..func.params.len())
        .filter(|&i| matches!(func.params[i].kind, ParamKind::Output))
        .collect();
    let inputs: Vec<usize> = cx
        .active
        .iter()
        .copied()
        .filter(|i| !outputs.contains(i))
        .collect();
    let [out] = outputs[..] else {
        return quote!();
    };
    let arrays: Vec<usize> = inputs
        .iter()
        .copied()
        .filter(|&i| !matches!(func.vars[func.params[i].var].shape, Shape::Scalar))
        .collect();
    let matrices = func.params.iter().any(|p| p.matrix.is_some());
    if matrices || !(arrays.is_empty() || (arrays.len() == 1 && inputs.len() == 1)) {
        // Any other mix: flattened, in `Vec`s.
        return crate::flat::jacobian(sigs, item, cx);
    }
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let (params, wc) = (&generics.params, &generics.where_clause);
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
    let utf = cx.turbofish(None);
    // The arguments of each pass: the output buffer reborrowed (the passes run in a loop).
    let args: Vec<TokenStream> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if i == out {
                quote!(&mut *#n)
            } else {
                quote!(#n)
            }
        })
        .collect();
    let mixed = |s: &str| format_ident!("{}", s, span = Span::mixed_site());
    let (jac, e, dr, rb, xb, c) = (
        mixed("__jac"),
        mixed("__e"),
        mixed("__dr"),
        mixed("__rb"),
        mixed("__xb"),
        mixed("__c"),
    );
    let r = &names[out];
    let out_len = match &func.vars[func.params[out].var].shape {
        Shape::ArrayRef(m) => Some(m.clone()),
        _ => None,
    };
    // The buffer's contents on entry, which the function may read: every pass starts from them.
    let r0 = mixed("__r0");
    let (save, restore) = match &out_len {
        Some(_) => (quote!(let #r0 = *#r;), quote!(*#r = #r0;)),
        None => (
            quote!(let #r0 = #k::__private::Vec::from(&#r[..]);),
            quote!(#r.copy_from_slice(&#r0);),
        ),
    };
    let in_len = match arrays.first() {
        Some(&a) => match &func.vars[func.params[a].var].shape {
            Shape::ArrayRef(n) => Some(Some(n.clone())),
            _ => Some(None),
        },
        None => None,
    };
    let name = &item.sig.ident;
    let doc = format!("Writes the values of `{name}` into its output buffer and returns the Jacobian (`[output][input]`), by forward passes when there are no more inputs than outputs, else by reverse passes.");
    // The tangent / adjoint arguments, in parameter order.
    let jvp_args = |dir: &dyn Fn(usize) -> TokenStream| -> Vec<TokenStream> {
        cx.active
            .iter()
            .map(|&i| if i == out { quote!(&mut #dr) } else { dir(i) })
            .collect()
    };
    match (in_len, out_len) {
        // Scalars in: forward passes, one per input.
        (None, out_len) => {
            let n = inputs.len();
            let nl = proc_macro2::Literal::usize_unsuffixed(n);
            let tans = jvp_args(&|i| {
                let pos = inputs.iter().position(|&j| j == i).expect("an input");
                let pl = proc_macro2::Literal::usize_unsuffixed(pos);
                quote!(if #c == #pl { #one } else { #zero })
            });
            let (ty, new_j, new_dr, set) = match &out_len {
                Some(m) => (
                    quote!([[#ft; #nl]; #m]),
                    quote!([[#zero; #nl]; #m]),
                    quote!([#zero; #m]),
                    quote!(for __i in 0..#m { #jac[__i][#c] = #dr[__i]; }),
                ),
                None => (
                    quote!(#k::__private::Vec<#k::__private::Vec<#ft>>),
                    quote!((0..#r.len()).map(|_| #k::__private::zeros_vec(#nl, #zero)).collect::<#k::__private::Vec<_>>()),
                    quote!(#k::__private::zeros_vec(#r.len(), #zero)),
                    quote!(for __i in 0..#r.len() { #jac[__i][#c] = #dr[__i]; }),
                ),
            };
            let body = quote! {
                let mut #jac = #new_j;
                #save
                for #c in 0..#nl {
                    #restore
                    let mut #dr = #new_dr;
                    Self::jvp #utf (#(#args,)* #(#tans),*);
                    #set
                }
                #jac
            };
            wrap(
                &doc,
                vis,
                params,
                &pparams,
                ty,
                wc,
                body,
                out_len.is_none(),
                k,
            )
        }
        // One array in: forward or reverse passes, whichever is fewer.
        (Some(n), m) => {
            let x = &names[inputs[0]];
            let tans = jvp_args(&|_| quote!(&#e));
            let bars: Vec<TokenStream> = cx
                .active
                .iter()
                .map(|&i| {
                    if i == out {
                        quote!(&mut #rb)
                    } else {
                        quote!(&mut #xb)
                    }
                })
                .collect();
            let fixed = n.is_some() && m.is_some();
            let nn = n.clone().unwrap_or_else(|| quote!(#x.len()));
            let mm = m.clone().unwrap_or_else(|| quote!(#r.len()));
            // Each buffer as its parameter: an array for a fixed size, else a `Vec`.
            let buf = |len: &TokenStream, fixed: bool| {
                if fixed {
                    quote!([#zero; #len])
                } else {
                    quote!(#k::__private::zeros_vec(#len, #zero))
                }
            };
            let (bn, bm) = (buf(&nn, n.is_some()), buf(&mm, m.is_some()));
            let (ty, new_j) = if fixed {
                (quote!([[#ft; #nn]; #mm]), quote!([[#zero; #nn]; #mm]))
            } else {
                (
                    quote!(#k::__private::Vec<#k::__private::Vec<#ft>>),
                    quote!((0..#mm).map(|_| #k::__private::zeros_vec(#nn, #zero)).collect::<#k::__private::Vec<_>>()),
                )
            };
            let body = quote! {
                let mut #jac = #new_j;
                #save
                if #nn <= #mm {
                    let mut #e = #bn;
                    for #c in 0..#nn {
                        #restore
                        #e[#c] = #one;
                        let mut #dr = #bm;
                        Self::jvp #utf (#(#args,)* #(#tans),*);
                        #e[#c] = #zero;
                        for __i in 0..#mm {
                            #jac[__i][#c] = #dr[__i];
                        }
                    }
                } else {
                    for __i in 0..#mm {
                        #restore
                        let mut #rb = #bm;
                        #rb[__i] = #one;
                        let mut #xb = #bn;
                        Self::vjp #utf (#(#args,)* #(#bars),*);
                        for #c in 0..#nn {
                            #jac[__i][#c] = #xb[#c];
                        }
                    }
                }
                #jac
            };
            wrap(&doc, vis, params, &pparams, ty, wc, body, !fixed, k)
        }
    }
}

/// The `jacobian` item (behind `alloc` when it returns vectors).
#[allow(clippy::too_many_arguments)]
fn wrap(
    doc: &str,
    vis: &syn::Visibility,
    params: &syn::punctuated::Punctuated<syn::GenericParam, syn::Token![,]>,
    pparams: &[TokenStream],
    ty: TokenStream,
    wc: &Option<syn::WhereClause>,
    body: TokenStream,
    heap: bool,
    k: &syn::Path,
) -> TokenStream {
    let f = quote! {
        #[doc = #doc]
        #[inline]
        #vis fn jacobian <#params> (#(#pparams),*) -> #ty #wc {
            #body
        }
    };
    if heap {
        quote!(#k::__private::if_alloc! { #f })
    } else {
        f
    }
}
