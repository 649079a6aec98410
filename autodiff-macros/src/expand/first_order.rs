//! The public first-order functions, on floats, forwarding to the generic ones: `jvp` (forward
//! mode), `vjp` (reverse mode), `grad` (the gradient shaped like the active parameters) and
//! `grad_into` (the arrays' gradient written into the caller's buffers).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::lists::matrix;
use super::parts::Parts;
use crate::ir::Shape;

/// One public function: `#[doc] #[inline] vis fn name<user's generics>(params) -> ret where .. {
/// body }`.
struct PublicFn {
    doc: String,
    name: &'static str,
    params: TokenStream,
    ret: TokenStream,
    body: TokenStream,
}

impl PublicFn {
    fn emit(self, p: &Parts) -> TokenStream {
        let PublicFn {
            doc,
            name,
            params,
            ret,
            body,
        } = self;
        let (vis, generics) = (&p.item.vis, &p.wrapper_generics);
        let where_clause = &p.item.sig.generics.where_clause;
        let name = Ident::new(name, Span::call_site());
        quote! {
            #[doc = #doc]
            #[inline]
            #vis fn #name #generics (#params) -> #ret #where_clause {
                #body
            }
        }
    }
}

/// `jvp(args.., tangents..)`: the value and the directional derivative.
pub(super) fn jvp(p: &Parts) -> TokenStream {
    let (name, ft, out_f) = (&p.item.sig.ident, &p.cx.ft, &p.out_f);
    let (pparams, ptangents) = (&p.public.params, &p.public.tangents);
    let body = if p.stub {
        p.fwd_body.clone()
    } else {
        let (args, tangents) = (&p.forwarded.params, &p.forwarded.tangents);
        let tf = p.cx.turbofish(Some(quote!(#ft)));
        quote!(Self::__jvp #tf (#(#args,)* #(#tangents),*))
    };
    PublicFn {
        doc: format!(
            "Value of `{name}` and its directional derivative along the tangents (one per active parameter: {}).",
            p.active_list()
        ),
        name: "jvp",
        params: quote!(#(#pparams,)* #(#ptangents),*),
        ret: quote!((#out_f, #out_f)),
        body,
    }
    .emit(p)
}

/// `vjp(args.., seed, array adjoint buffers..)`: the value and `seed` times the gradient.
pub(super) fn vjp(p: &Parts) -> TokenStream {
    let (name, ft) = (&p.item.sig.ident, &p.cx.ft);
    let (pparams, pbars) = (&p.public.params, &p.public.bars);
    let (seed, seed_ty) = (&p.sigs.seed, &p.seed_ty);
    let body = if p.stub {
        p.fwd_body.clone()
    } else {
        let seed_arg = if p.unit {
            quote!()
        } else if p.array_out {
            quote!(*#seed,)
        } else {
            quote!(#seed,)
        };
        let (args, bars) = (&p.forwarded.params, &p.forwarded.bars);
        let tf = p.cx.turbofish(Some(quote!(#ft)));
        quote!(Self::__vjp #tf (#(#args,)* #seed_arg #(#bars),*))
    };
    // Functions with output buffers take their seeds in the buffers' adjoints.
    let pseed = if p.unit {
        quote!()
    } else {
        quote!(#seed: #seed_ty,)
    };
    let vjp = PublicFn {
        doc: format!(
            "Value of `{name}` and `seed` times its gradient with respect to {} (reverse mode). \
             Adjoints of array and slice parameters are added into the `_bar` buffers; scalar adjoints are returned.",
            p.active_list()
        ),
        name: "vjp",
        params: quote!(#(#pparams,)* #pseed #(#pbars),*),
        ret: p.vjp_ret.clone(),
        body,
    };
    p.if_alloc(vjp.emit(p), p.heap)
}

/// `grad(args..)`: the value and the gradient, for functions returning a float.
pub(super) fn grad(p: &Parts) -> TokenStream {
    if p.array_out || p.unit {
        return quote!();
    }
    let (name, k, ft) = (&p.item.sig.ident, p.cx.krate, &p.cx.ft);
    let pparams = &p.public.params;
    let shape = GradShape::new(p);
    let body = if p.stub {
        p.fwd_body.clone()
    } else {
        let GradShape {
            setup,
            bufs,
            pat,
            val,
            ..
        } = &shape;
        let args = &p.forwarded.params;
        let one = quote!(<#ft as #k::__private::Scalar>::one());
        let v_ident = value_ident();
        // Fixed-size gradients are returned by value: added into zeros, LLVM merges the small
        // ones' stores with the value's, which a caller's wide load of the result needs (written
        // one by one, `rosen_arr::grad` on `[f64; 2]` took 3.5x as long, in store forwarding).
        let by_value = (p.active_vars().iter())
            .any(|&v| matches!(p.cx.var(v).shape, crate::ir::Shape::ArrayRef(_)));
        let call = if p.overwrite && !by_value {
            // The buffers are zeros already, but writing beats reading back and adding.
            let tf = p.cx.turbofish_with(Some(quote!(#ft)), Some(quote!(_)));
            quote!(Self::__vjp_w #tf (#(#args,)* #one, #(#bufs,)* #k::__private::Overwrite))
        } else {
            let tf = p.cx.turbofish(Some(quote!(#ft)));
            quote!(Self::__vjp #tf (#(#args,)* #one, #(#bufs),*))
        };
        quote! {
            #(#setup)*
            let #pat = #call;
            (#v_ident, #val)
        }
    };
    let grad_ty = &shape.ty;
    let grad = PublicFn {
        doc: format!(
            "Value of `{name}` and its gradient with respect to {}.",
            p.active_list()
        ),
        name: "grad",
        params: quote!(#(#pparams),*),
        ret: quote!((#ft, #grad_ty)),
        body,
    };
    p.if_alloc(grad.emit(p), p.heap || p.slices)
}

fn value_ident() -> Ident {
    format_ident!("__value", span = Span::mixed_site())
}

/// `grad`'s buffers for the arrays, then the gradient shaped like the active parameters.
struct GradShape {
    /// The buffers' declarations.
    setup: Vec<TokenStream>,
    /// The buffers as `__vjp`'s adjoint arguments.
    bufs: Vec<TokenStream>,
    /// Binds `__vjp`'s result: the value and the scalars' adjoints.
    pat: TokenStream,
    /// The gradient's type and value.
    ty: TokenStream,
    val: TokenStream,
}

impl GradShape {
    fn new(p: &Parts) -> Self {
        let (func, k, ft) = (p.cx.func, p.cx.krate, &p.cx.ft);
        let zero = quote!(<#ft as #k::__private::Scalar>::zero());
        let mut setup = Vec::new();
        let mut bufs = Vec::new();
        let mut tys = Vec::new();
        let mut vals = Vec::new();
        let mut scalar_k = 0usize;
        for &v in &p.active_vars() {
            let pi = func
                .params
                .iter()
                .position(|p| p.var == v)
                .expect("a parameter");
            let pname = &p.sigs.names[pi];
            if let Some(m) = &func.params[pi].matrix {
                // The gradient of a matrix is a matrix (rows of a slice of rows: a `Vec`).
                let g = format_ident!("__g{}", pi, span = Span::mixed_site());
                let c = &m.cols;
                match &m.rows {
                    Some(r) => {
                        setup.push(quote!(let mut #g: [[#ft; #c]; #r] = [[#zero; #c]; #r];));
                        tys.push(quote!([[#ft; #c]; #r]));
                    }
                    None => {
                        setup.push(quote!(let mut #g = #k::__private::zeros_vec(#pname.len(), [#zero; #c]);));
                        tys.push(quote!(#k::__private::Vec<[#ft; #c]>));
                    }
                }
                bufs.push(quote!(#g.as_flattened_mut()));
                vals.push(quote!(#g));
                continue;
            }
            match &func.vars[v].shape {
                Shape::ArrayRef(n) => {
                    let g = format_ident!("__g{}", pi, span = Span::mixed_site());
                    setup.push(quote!(let mut #g: [#ft; #n] = [#zero; #n];));
                    bufs.push(quote!(&mut #g));
                    tys.push(quote!([#ft; #n]));
                    vals.push(quote!(#g));
                }
                Shape::SliceRef => {
                    let g = format_ident!("__g{}", pi, span = Span::mixed_site());
                    setup.push(
                        quote!(let mut #g = #k::__private::zeros_vec::<#ft>(#pname.len(), #zero);),
                    );
                    bufs.push(quote!(#g.as_mut_slice()));
                    tys.push(quote!(#k::__private::Vec<#ft>));
                    vals.push(quote!(#g));
                }
                _ => {
                    let sk = format_ident!("__s{}", scalar_k, span = Span::mixed_site());
                    scalar_k += 1;
                    tys.push(quote!(#ft));
                    vals.push(quote!(#sk));
                }
            }
        }
        let sks: Vec<Ident> = (0..p.cx.active_scalars().len())
            .map(|i| format_ident!("__s{}", i, span = Span::mixed_site()))
            .collect();
        let v_ident = value_ident();
        let pat = match sks.len() {
            0 => quote!(#v_ident),
            1 => {
                let a = &sks[0];
                quote!((#v_ident, #a))
            }
            _ => quote!((#v_ident, (#(#sks),*))),
        };
        let (ty, val) = if tys.len() == 1 {
            (tys[0].clone(), vals[0].clone())
        } else {
            (quote!((#(#tys),*)), quote!((#(#vals),*)))
        };
        GradShape {
            setup,
            bufs,
            pat,
            ty,
            val,
        }
    }
}

/// `grad_into(args.., array buffers..)`: the gradient of the arrays written into the caller's
/// buffers (no allocation), the scalars' returned like `vjp`'s.
pub(super) fn grad_into(p: &Parts) -> TokenStream {
    if p.array_out || p.unit || p.cx.active_arrays().is_empty() || p.stub {
        return quote!();
    }
    let (k, ft) = (p.cx.krate, &p.cx.ft);
    let (pparams, pbars) = (&p.public.params, &p.public.bars);
    let names: Vec<&Ident> = p.sigs.bars.iter().collect();
    let zero_all =
        p.cx.active_arrays()
            .into_iter()
            .zip(&names)
            .map(|(v, b)| match matrix(p.cx.func, v) {
                Some(_) => {
                    quote!(#b.as_flattened_mut().fill(<#ft as #k::__private::Scalar>::zero());)
                }
                None => quote!(#b.fill(<#ft as #k::__private::Scalar>::zero());),
            });
    let pn = &p.sigs.names;
    let one = quote!(<#ft as #k::__private::Scalar>::one());
    let body = if p.overwrite {
        // `__vjp_w` writes the buffers without reading them (and zeroes what it does not write).
        let tf = p.cx.turbofish_with(Some(quote!(#ft)), Some(quote!(_)));
        let (args, bars) = (&p.forwarded.params, &p.forwarded.bars);
        quote!(Self::__vjp_w #tf (#(#args,)* #one, #(#bars,)* #k::__private::Overwrite))
    } else {
        let tf = p.cx.turbofish(None);
        quote! {
            #(#zero_all)*
            Self::vjp #tf (#(#pn,)* #one, #(#names),*)
        }
    };
    let grad_into = PublicFn {
        doc: format!(
            "Value of `{}` and its gradient, the arrays' parts written into the buffers (overwritten: no allocation), the scalars' returned as by `vjp`.",
            p.item.sig.ident
        ),
        name: "grad_into",
        params: quote!(#(#pparams,)* #(#pbars),*),
        ret: p.vjp_ret.clone(),
        body,
    };
    p.if_alloc(grad_into.emit(p), p.heap)
}
