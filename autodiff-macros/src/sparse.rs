//! Sparse Hessians and Jacobians for functions of one active slice or array (the `objective`
//! shape): `sparse_hessian_pattern(args..)` runs the generic forward code on the runtime's
//! sparsity tracer, and `sparse_hessian(args.., work)` fills a prepared `SparseHessian` from one
//! forward-over-reverse pass per colour (the generic adjoint on dual numbers, no allocation).
//! Functions returning `[f; M]` get `sparse_jacobian_pattern` and `sparse_jacobian` (one
//! forward pass per colour).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::Shape;

/// The two entry points, or nothing when the active parameters are not one slice or array.
pub fn methods(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx, overwrite: bool) -> TokenStream {
    let func = cx.func;
    let Some((active, len)) = single_input(cx) else {
        return quote!();
    };
    if func.ret_len.is_some() {
        return quote!();
    }
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let params = generics.params.iter().collect::<Vec<_>>();
    let where_clause = &generics.where_clause;
    let name = &item.sig.ident;
    let x = &sigs.names[active];
    let mixed = |s: &str| Ident::new(s, Span::mixed_site());
    let (t, d, b, work) = (mixed("__t"), mixed("__d"), mixed("__b"), mixed("work"));
    let pparams = user_params(sigs, cx);
    let args = |active_arg: TokenStream| generic_args(sigs, cx, active, active_arg);
    let fixed = |v: &Ident, m: bool| match (&len, m) {
        (Some(l), false) => quote!(#k::__private::fixed::<_, { #l }>(#v)),
        (Some(l), true) => quote!(#k::__private::fixed_mut::<_, { #l }>(#v)),
        (None, _) => quote!(#v),
    };
    let (tracer, tangent) = tracer_and_zero_tangent(cx, &len, &t);
    let jvp_args = args(fixed(&t, false));
    let tf_t = cx.turbofish(Some(tracer.clone()));
    let dual = quote!(#k::__private::Dual<#ft>);
    let tf_d = cx.turbofish(Some(dual.clone()));
    let vjp_args = args(fixed(&d, false));
    let bar = fixed(&b, true);
    let one = quote!(<#ft as #k::__private::Scalar>::one());
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let pattern_doc = format!(
        "The sparsity pattern of the Hessian of `{name}` with respect to `{x}`, at this point (branches follow it): the generic code run once on sparsity tracers. Prepare a [`SparseHessian`]({k}::sparse::SparseHessian) from it once and pass it to `{name}::sparse_hessian`.",
        k = quote!(#k).to_string().replace(' ', "")
    );
    // The overwriting form where there is one: its seed `1 + 0 ε` is constant (see `AdjointMode`).
    let compute = if overwrite {
        quote!(compute_with_vjp_overwriting)
    } else {
        quote!(compute_with_vjp)
    };
    let vjp_call = if overwrite {
        let tf = cx.turbofish_with(Some(dual.clone()), Some(quote!(_)));
        quote!(Self::__vjp_w #tf (#(#vjp_args,)* <#dual>::new(#one, #zero), #bar, #k::__private::Overwrite))
    } else {
        quote!(Self::__vjp #tf_d (#(#vjp_args,)* <#dual>::new(#one, #zero), #bar))
    };
    let hessian_doc = format!(
        "Value of `{name}`, its gradient and its sparse Hessian with respect to `{x}` (a symmetric CSC matrix, both triangles), from one forward-over-reverse pass per colour of `work` (prepared from `{name}::sparse_hessian_pattern`); allocates nothing."
    );
    quote! {
        #k::__private::if_std! {
            #[doc = #pattern_doc]
            #vis fn sparse_hessian_pattern <#(#params),*> (#(#pparams),*) -> #k::__private::sparse::SparsityPattern #where_clause {
                #k::__private::sparse::hessian_pattern(&#x[..], |#t: &[#tracer]| {
                    Self::__jvp #tf_t (#(#jvp_args,)* #tangent).0
                })
            }
        }
        #k::__private::if_alloc! {
            #[doc = #hessian_doc]
            #vis fn sparse_hessian <'__w, #(#params),*> (#(#pparams,)* #work: &'__w mut #k::__private::sparse::SparseHessian<#ft>) -> (#ft, &'__w [#ft], &'__w #k::__private::sparse::CscMatrix<#ft>) #where_clause {
                #work.#compute(&#x[..], |#d: &[#dual], #b: &mut [#dual]| {
                    #vjp_call
                })
            }
        }
    }
}

/// The active parameter when it is the only one and is written `&[f; N]`, `&[f]` or `&Vec<f>`
/// (a derived parameter struct is an array to the generic code, but not to its caller), with
/// its length if fixed.
fn single_input(cx: &Cx) -> Option<(usize, Option<TokenStream>)> {
    let func = cx.func;
    let [active] = cx.active[..] else {
        return None;
    };
    let param = &func.params[active];
    let len = match &func.vars[param.var].shape {
        _ if param.matrix.is_some() => return None,
        Shape::ArrayRef(len) => Some(len.clone()),
        Shape::SliceRef => None,
        _ => return None,
    };
    let plain = match &param.ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Array(_) | syn::Type::Slice(_) => true,
            syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Vec"),
            _ => false,
        },
        _ => false,
    };
    plain.then_some((active, len))
}

/// `sparse_jacobian_pattern(args..)` and `sparse_jacobian(args.., work) -> ([f; M], &J)` for a
/// function returning `[f; M]` of one active slice or array.
pub fn jacobian(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let func = cx.func;
    let (Some((active, len)), Some(m)) = (single_input(cx), &func.ret_len) else {
        return quote!();
    };
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let params = generics.params.iter().collect::<Vec<_>>();
    let where_clause = &generics.where_clause;
    let name = &item.sig.ident;
    let x = &sigs.names[active];
    let mixed = |s: &str| Ident::new(s, Span::mixed_site());
    let (t, r, xx, v, jv, value, work) = (
        mixed("__t"),
        mixed("__r"),
        mixed("__x"),
        mixed("__v"),
        mixed("__jv"),
        mixed("__value"),
        mixed("work"),
    );
    let (jj, val, d) = (mixed("__j"), mixed("__val"), mixed("__d"));
    let pparams = user_params(sigs, cx);
    let args = |active_arg: TokenStream| generic_args(sigs, cx, active, active_arg);
    let fixed = |e: &Ident| match &len {
        Some(l) => quote!(#k::__private::fixed::<_, { #l }>(#e)),
        None => quote!(#e),
    };
    let (tracer, tangent) = tracer_and_zero_tangent(cx, &len, &t);
    let pattern_args = args(fixed(&t));
    let tf_t = cx.turbofish(Some(tracer.clone()));
    let tf_f = cx.turbofish(Some(quote!(#ft)));
    let jvp_args = args(fixed(&xx));
    let dir = fixed(&v);
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let pattern_doc = format!(
        "The sparsity pattern of the Jacobian of `{name}` (`[output][input]`) with respect to `{x}`, at this point (branches follow it): the generic code run once on sparsity tracers. Prepare a [`SparseJacobian`]({k}::sparse::SparseJacobian) from it once and pass it to `{name}::sparse_jacobian`.",
        k = quote!(#k).to_string().replace(' ', "")
    );
    let jacobian_doc = format!(
        "Value of `{name}` and its sparse Jacobian with respect to `{x}` (CSC, `[output][input]`), from one forward pass per colour of `work` (prepared from `{name}::sparse_jacobian_pattern`); allocates nothing."
    );
    quote! {
        #k::__private::if_std! {
            #[doc = #pattern_doc]
            #vis fn sparse_jacobian_pattern <#(#params),*> (#(#pparams),*) -> #k::__private::sparse::SparsityPattern #where_clause {
                #k::__private::sparse::jacobian_pattern(&#x[..], #m, |#t: &[#tracer], #r: &mut [#tracer]| {
                    #r.copy_from_slice(&Self::__jvp #tf_t (#(#pattern_args,)* #tangent).0);
                })
            }
        }
        #k::__private::if_alloc! {
            #[doc = #jacobian_doc]
            #vis fn sparse_jacobian <'__w, #(#params),*> (#(#pparams,)* #work: &'__w mut #k::__private::sparse::SparseJacobian<#ft>) -> ([#ft; #m], &'__w #k::__private::sparse::CscMatrix<#ft>) #where_clause {
                let mut #value = [#zero; #m];
                let #jj = #work.compute_with_jvp(&#x[..], |#xx: &[#ft], #v: &[#ft], #jv: &mut [#ft]| {
                    let (#val, #d) = Self::__jvp #tf_f (#(#jvp_args,)* #dir);
                    #value = #val;
                    #jv.copy_from_slice(&#d);
                });
                (#value, #jj)
            }
        }
    }
}

/// `hvp_into(args.., v, g, hv, work) -> value` for a function of one active slice: the
/// Hessian-vector product into the caller's buffers, on the dual numbers kept in `work`
/// (`HvpWork`), so that repeated products allocate nothing.
pub fn hvp_into(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx, overwrite: bool) -> TokenStream {
    if !has_hvp_into(cx) {
        return quote!();
    }
    let Some((active, None)) = single_input(cx) else {
        return quote!();
    };
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let params = generics.params.iter().collect::<Vec<_>>();
    let where_clause = &generics.where_clause;
    let name = &item.sig.ident;
    let x = &sigs.names[active];
    let mixed = |s: &str| Ident::new(s, Span::mixed_site());
    let (d, b, v, g, hv, work) = (
        mixed("__d"),
        mixed("__b"),
        mixed("v"),
        mixed("g"),
        mixed("hv"),
        mixed("work"),
    );
    let pparams = user_params(sigs, cx);
    let args = generic_args(sigs, cx, active, quote!(#d));
    let dual = quote!(#k::__private::Dual<#ft>);
    let tf_d = cx.turbofish(Some(dual.clone()));
    let one = quote!(<#ft as #k::__private::Scalar>::one());
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let doc = format!(
        "Value of `{name}`; its gradient with respect to `{x}` written into `g` and the Hessian times `v` into `hv` (overwritten), on the dual numbers kept in `work`: after the first call of a length, no allocation (`{name}::hvp` allocates)."
    );
    // With an overwriting reverse mode, the dual adjoints are not zeroed before each product.
    let compute = if overwrite {
        let tf = cx.turbofish_with(Some(dual.clone()), Some(quote!(_)));
        quote! {
            #work.compute_overwriting(&#x[..], #v, #g, #hv, |#d: &[#dual], #b: &mut [#dual]| {
                Self::__vjp_w #tf (#(#args,)* <#dual>::new(#one, #zero), #b, #k::__private::Overwrite)
            })
        }
    } else {
        quote! {
            #work.compute(&#x[..], #v, #g, #hv, |#d: &[#dual], #b: &mut [#dual]| {
                Self::__vjp #tf_d (#(#args,)* <#dual>::new(#one, #zero), #b)
            })
        }
    };
    quote! {
        #k::__private::if_alloc! {
            #[doc = #doc]
            #[inline]
            #vis fn hvp_into <#(#params),*> (#(#pparams,)* #v: &[#ft], #g: &mut [#ft], #hv: &mut [#ft], #work: &mut #k::__private::HvpWork<#ft>) -> #ft #where_clause {
                #compute
            }
        }
    }
}

/// The tracer type and the zero tangent `__jvp` runs with to find a pattern (an array for a
/// fixed length, else a `Vec` as long as the input `t`).
fn tracer_and_zero_tangent(
    cx: &Cx,
    len: &Option<TokenStream>,
    t: &Ident,
) -> (TokenStream, TokenStream) {
    let (k, ft) = (cx.krate, &cx.ft);
    let tracer = quote!(#k::__private::sparse::Tracer<#ft>);
    let zero = quote!(<#tracer as ::core::default::Default>::default());
    let tangent = match len {
        Some(l) => quote!(&[#zero; #l]),
        None => quote!(#k::__private::zeros_vec(#t.len(), #zero).as_slice()),
    };
    (tracer, tangent)
}

/// Whether the function gets `hvp_into`: a scalar result of one active slice.
pub fn has_hvp_into(cx: &Cx) -> bool {
    matches!(single_input(cx), Some((_, None))) && cx.func.ret_len.is_none() && !cx.func.unit
}

/// The user's parameters, as the entry points declare them.
fn user_params(sigs: &Signatures, cx: &Cx) -> Vec<TokenStream> {
    cx.func
        .params
        .iter()
        .zip(&sigs.names)
        .map(|(p, n)| {
            let ty = &p.ty;
            quote!(#n: #ty)
        })
        .collect()
}

/// The generic code's arguments: `active_arg` for the active parameter, the passive ones as
/// `hvp` passes them (matrices flattened).
fn generic_args(
    sigs: &Signatures,
    cx: &Cx,
    active: usize,
    active_arg: TokenStream,
) -> Vec<TokenStream> {
    cx.func
        .params
        .iter()
        .zip(&sigs.names)
        .enumerate()
        .map(|(pi, (p, n))| {
            if pi == active {
                active_arg.clone()
            } else if p.matrix.is_some() {
                quote!(#n.as_flattened())
            } else {
                quote!(#n)
            }
        })
        .collect()
}
