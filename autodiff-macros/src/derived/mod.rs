//! Entry points derived from the generated generic code: `hvp` (forward-over-reverse on dual
//! numbers), `hessian` (dense, from Hessian-vector products, for fixed-size parameters) and
//! `objective` (the function as an `Objective` over its active parameters, flattened).
//!
//! [`hessian`] (dense Hessians), [`objective`] (the `Objective` adapter) and [`jacobian`] (dense
//! Jacobians of array-valued functions) are their own modules.

mod hessian;
mod jacobian;
mod objective;

pub use jacobian::jacobian;
pub use objective::objective_impl;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::Shape;

/// `hvp` and `hessian` for the derivative namespace's `impl` block.
/// `overwrite`: the generic reverse mode has an overwriting form (`__vjp_w`), which the
/// Hessian-vector products use so that their dual adjoint buffers need no zeroing.
pub fn methods(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx, overwrite: bool) -> TokenStream {
    let hvp = hvp(sigs, item, cx, overwrite);
    let hessian = hessian::hessian(sigs, item, cx);
    let objective = objective::objective_fn(sigs, item, cx);
    let derivatives = derivatives(sigs, item, cx);
    let sparse = crate::sparse::methods(sigs, item, cx, overwrite);
    let hvp_into = crate::sparse::hvp_into(sigs, item, cx, overwrite);
    quote!(#hvp #hvp_into #hessian #objective #derivatives #sparse)
}

/// `derivatives::<K>(args..) -> [f; K]`: the value and the derivatives of orders 1..K-1 with
/// respect to the only active parameter, in one pass on truncated Taylor series.
fn derivatives(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let func = cx.func;
    if cx.active.len() != 1 || !cx.active_arrays().is_empty() {
        return quote!();
    }
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let params = generics.params.iter();
    let where_clause = &generics.where_clause;
    let kk = Ident::new("__K", Span::call_site());
    let jet = quote!(#k::__private::Jet<#ft, #kk>);
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let mut pparams = Vec::new();
    let mut args = Vec::new();
    for (pi, p) in func.params.iter().enumerate() {
        let n = &sigs.names[pi];
        let ty = &p.ty;
        pparams.push(quote!(#n: #ty));
        if func.vars[p.var].active {
            args.push(quote!(<#jet>::var(#n)));
        } else if p.matrix.is_some() {
            args.push(quote!(#n.as_flattened()));
        } else {
            args.push(quote!(#n));
        }
    }
    let name = &item.sig.ident;
    let active = &sigs.names[cx.active[0]];
    let doc = format!(
        "`[{name}, d{name}/d{active}, d²{name}/d{active}², ..]`: the value and the derivatives up to order `K - 1` with respect to `{active}`, in one pass on truncated Taylor series (`K` coefficients)."
    );
    let tf = cx.turbofish(Some(jet.clone()));
    let value = mixed("__value");
    quote! {
        #[doc = #doc]
        #[inline]
        #vis fn derivatives <const #kk: usize, #(#params),*> (#(#pparams),*) -> [#ft; #kk] #where_clause {
            let (#value, _) = Self::__jvp #tf (#(#args,)* <#jet>::constant(#zero));
            #value.derivatives()
        }
    }
}

fn mixed(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// `hvp(args.., v..) -> (value, gradient, H v)`.
fn hvp(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx, overwrite: bool) -> TokenStream {
    let func = cx.func;
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let params = &generics.params;
    let where_clause = &generics.where_clause;
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let one = quote!(<#ft as #k::__private::Scalar>::one());
    let dual = quote!(#k::__private::Dual);
    let tf = cx.turbofish(Some(quote!(#dual<#ft>)));
    let mut setup = Vec::new();
    let mut args = Vec::new();
    let mut bars = Vec::new();
    let mut pparams = Vec::new();
    let mut dparams = Vec::new();
    let mut outs_g = Vec::new();
    let mut outs_h = Vec::new();
    let mut tys = Vec::new();
    let mut split = Vec::new();
    let mut scalar_k = 0usize;
    let scalars = cx.active_scalars().len();
    let sk: Vec<Ident> = (0..scalars)
        .map(|i| format_ident!("__s{}", i, span = Span::mixed_site()))
        .collect();
    let mut active_k = 0usize;
    for (pi, p) in func.params.iter().enumerate() {
        let var = &func.vars[p.var];
        let n = &sigs.names[pi];
        let ty = &p.ty;
        pparams.push(quote!(#n: #ty));
        if !var.active {
            args.push(match &p.matrix {
                Some(_) => quote!(#n.as_flattened()),
                None => quote!(#n),
            });
            continue;
        }
        let v = &sigs.dirs[active_k];
        active_k += 1;
        let d = format_ident!("__d{}", pi, span = Span::mixed_site());
        let b = format_ident!("__b{}", pi, span = Span::mixed_site());
        if let Some(m) = &p.matrix {
            let c = &m.cols;
            let Some(r) = &m.rows else {
                // Rows of a slice `&[[f; c]]`: flattened duals on the heap, results as rows.
                dparams.push(quote!(#v: &[[#ft; #c]]));
                let (g, h) = (
                    format_ident!("__g{}", pi, span = Span::mixed_site()),
                    format_ident!("__h{}", pi, span = Span::mixed_site()),
                );
                setup.push(quote! {
                    let #d = #k::__private::dual_vec(#n.as_flattened(), #v.as_flattened());
                    let mut #b = #k::__private::zeros_vec(#d.len(), #dual::constant(#zero));
                });
                args.push(quote!(#d.as_slice()));
                bars.push(quote!(#b.as_mut_slice()));
                let rows = |x: &Ident| quote!(#x.chunks_exact(#c).map(|__r| ::core::array::from_fn(|__j| __r[__j])).collect());
                let (gr, hr) = (rows(&g), rows(&h));
                split.push(quote! {
                    let (#g, #h) = #k::__private::split_dual_vec(#b.as_slice());
                    let (#g, #h): (#k::__private::Vec<[#ft; #c]>, #k::__private::Vec<[#ft; #c]>) = (#gr, #hr);
                });
                outs_g.push(quote!(#g));
                outs_h.push(quote!(#h));
                tys.push(quote!(#k::__private::Vec<[#ft; #c]>));
                continue;
            };
            // A fixed-size matrix: duals of the same shape, seen flattened by the generic code.
            dparams.push(quote!(#v: &[[#ft; #c]; #r]));
            setup.push(quote! {
                let #d: [[#dual<#ft>; #c]; #r] = ::core::array::from_fn(|__i| ::core::array::from_fn(|__j| #dual::new(#n[__i][__j], #v[__i][__j])));
                let mut #b: [[#dual<#ft>; #c]; #r] = [[#dual::constant(#zero); #c]; #r];
            });
            args.push(quote!(#d.as_flattened()));
            bars.push(quote!(#b.as_flattened_mut()));
            outs_g.push(
                quote!(::core::array::from_fn(|__i| ::core::array::from_fn(|__j| #b[__i][__j].re))),
            );
            outs_h
                .push(quote!(::core::array::from_fn(|__i| ::core::array::from_fn(|__j| #b[__i][__j].eps))));
            tys.push(quote!([[#ft; #c]; #r]));
            continue;
        }
        match &var.shape {
            Shape::ArrayRef(len) => {
                dparams.push(quote!(#v: &[#ft; #len]));
                setup.push(quote! {
                    let #d: [#dual<#ft>; #len] = ::core::array::from_fn(|__i| #dual::new(#n[__i], #v[__i]));
                    let mut #b: [#dual<#ft>; #len] = [#dual::constant(#zero); #len];
                });
                args.push(quote!(&#d));
                bars.push(quote!(&mut #b));
                outs_g.push(quote!(::core::array::from_fn(|__i| #b[__i].re)));
                outs_h.push(quote!(::core::array::from_fn(|__i| #b[__i].eps)));
                tys.push(quote!([#ft; #len]));
            }
            Shape::SliceRef => {
                dparams.push(quote!(#v: &[#ft]));
                let (g, h) = (
                    format_ident!("__g{}", pi, span = Span::mixed_site()),
                    format_ident!("__h{}", pi, span = Span::mixed_site()),
                );
                setup.push(quote! {
                    let #d = #k::__private::dual_vec(#n, #v);
                    let mut #b = #k::__private::zeros_vec(#n.len(), #dual::constant(#zero));
                });
                args.push(quote!(#d.as_slice()));
                bars.push(quote!(#b.as_mut_slice()));
                split.push(quote!(let (#g, #h) = #k::__private::split_dual_vec(#b.as_slice());));
                outs_g.push(quote!(#g));
                outs_h.push(quote!(#h));
                tys.push(quote!(#k::__private::Vec<#ft>));
            }
            _ => {
                dparams.push(quote!(#v: #ft));
                args.push(quote!(#dual::new(#n, #v)));
                let s = &sk[scalar_k];
                scalar_k += 1;
                outs_g.push(quote!(#s.re));
                outs_h.push(quote!(#s.eps));
                tys.push(quote!(#ft));
            }
        }
    }
    let value = mixed("__value");
    let pat = match sk.len() {
        0 => quote!(#value),
        1 => {
            let s = &sk[0];
            quote!((#value, #s))
        }
        _ => quote!((#value, (#(#sk),*))),
    };
    let (gty, g, h) = if tys.len() == 1 {
        (tys[0].clone(), outs_g[0].clone(), outs_h[0].clone())
    } else {
        (
            quote!((#(#tys),*)),
            quote!((#(#outs_g),*)),
            quote!((#(#outs_h),*)),
        )
    };
    let name = &item.sig.ident;
    let doc = format!(
        "Value of `{name}`, its gradient, and the Hessian times the direction `v` (one per active parameter), in one forward-over-reverse pass: the adjoint code runs on dual numbers."
    );
    // The buffers are zeros already; writing them beats reading them back to add.
    let call = if overwrite {
        let tf = cx.turbofish_with(Some(quote!(#dual<#ft>)), Some(quote!(_)));
        quote!(Self::__vjp_w #tf (#(#args,)* #dual::new(#one, #zero), #(#bars,)* #k::__private::Overwrite))
    } else {
        quote!(Self::__vjp #tf (#(#args,)* #dual::new(#one, #zero), #(#bars),*))
    };
    let body = if crate::sparse::has_hvp_into(cx) {
        // One slice: `hvp_into` on this thread's reused duals (no dual buffers allocated and
        // zeroed per call), into the two result vectors.
        let (names, v, utf) = (&sigs.names, &sigs.dirs[0], cx.turbofish(None));
        let x = &sigs.names[cx.active[0]];
        let (gv, hv, w) = (mixed("__g"), mixed("__hv"), mixed("__w"));
        quote! {
            let mut #gv = #k::__private::zeros_vec(#x.len(), #zero);
            let mut #hv = #k::__private::zeros_vec(#x.len(), #zero);
            let #value = #k::__private::with_hvp_work(|#w| {
                Self::hvp_into #utf (#(#names,)* #v, #gv.as_mut_slice(), #hv.as_mut_slice(), #w)
            });
            (#value, #gv, #hv)
        }
    } else {
        quote! {
            #(#setup)*
            let #pat = #call;
            #(#split)*
            (#value.re, #g, #h)
        }
    };
    quote! {
        #[doc = #doc]
        #[inline]
        #vis fn hvp <#params> (#(#pparams,)* #(#dparams),*) -> (#ft, #gty, #gty) #where_clause {
            #body
        }
    }
}
