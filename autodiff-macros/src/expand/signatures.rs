//! [`Signatures`]: the names of the public derivative functions' parameters, and the namespace
//! (`struct f {}` and its `impl`) built from them.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::{generated_allows, seed_generic};
use crate::emit::forward::tangent_ident;
use crate::emit::reverse::adjoint_ident;
use crate::emit::Cx;
use crate::ir::{Func, Shape};

/// The names of the public functions' parameters.
pub struct Signatures {
    /// User-facing parameter names, in order.
    pub names: Vec<Ident>,
    /// Tangent parameter names, one per active parameter.
    pub tangents: Vec<Ident>,
    /// Direction parameter names of `hvp`, one per active parameter.
    pub dirs: Vec<Ident>,
    /// Adjoint buffer names, one per active array or slice parameter.
    pub bars: Vec<Ident>,
    pub seed: Ident,
}

impl Signatures {
    pub fn new(func: &Func, cx: &Cx) -> Self {
        // Raw identifiers (`r#type`) stay raw; derived names (`dtype`, `type_bar`) use the plain
        // spelling.
        let plain: Vec<String> = func
            .params
            .iter()
            .map(|p| {
                let n = func.vars[p.var].name.to_string();
                n.trim_start_matches("r#").to_string()
            })
            .collect();
        let names: Vec<Ident> = func
            .params
            .iter()
            .zip(&plain)
            .map(|(p, n)| {
                if func.vars[p.var].name.to_string().starts_with("r#") {
                    Ident::new_raw(n, Span::call_site())
                } else {
                    Ident::new(n, Span::call_site())
                }
            })
            .collect();
        let mut taken: Vec<String> = plain.clone();
        let mut fresh = |base: String| {
            let mut name = base;
            // Not taken, and not a keyword (`d` + `o` is `do`).
            while taken.contains(&name) || syn::parse_str::<Ident>(&name).is_err() {
                name.push('_');
            }
            taken.push(name.clone());
            Ident::new(&name, Span::call_site())
        };
        let dirs: Vec<Ident> = cx
            .active
            .iter()
            .map(|&i| fresh(format!("v{}", plain[i])))
            .collect();
        let tangents = cx
            .active
            .iter()
            .map(|&i| fresh(format!("d{}", plain[i])))
            .collect();
        let seed = fresh("seed".into());
        let bars = cx
            .active_arrays()
            .iter()
            .map(|&v| {
                let i = func
                    .params
                    .iter()
                    .position(|p| p.var == v)
                    .expect("a parameter");
                fresh(format!("{}_bar", plain[i]))
            })
            .collect();
        Signatures {
            names,
            tangents,
            dirs,
            bars,
            seed,
        }
    }

    /// `struct f {}` and `impl f { jvp, vjp, grad, and their generic versions }`. With `bodies`
    /// `None`, the functions are stubs (used when the macro reports errors).
    pub fn namespace(
        &self,
        item: &syn::ItemFn,
        cx: &Cx,
        bodies: Option<(TokenStream, TokenStream)>,
    ) -> TokenStream {
        self.namespace_with(item, cx, bodies, false, None)
    }

    /// `heap`: the reverse mode stores on the heap (loops with run-time trip counts), so every
    /// item that uses it exists only with the `alloc` feature of the facade. `variant`: the
    /// derivatives of one `cfg` combination (see [`cfg`]): the `impl`s behind `#[cfg(cond)]`,
    /// without the function (the caller emits it) and with the struct if the flag says so.
    pub fn namespace_with(
        &self,
        item: &syn::ItemFn,
        cx: &Cx,
        bodies: Option<(TokenStream, TokenStream)>,
        heap: bool,
        variant: Option<(&TokenStream, bool)>,
    ) -> TokenStream {
        let func = cx.func;
        let vis = &item.vis;
        let name = &item.sig.ident;
        let (k, s, ft) = (cx.krate, &cx.s, &cx.ft);
        let generics = &item.sig.generics;
        let where_clause = &generics.where_clause;
        let (lifetimes, others): (Vec<_>, Vec<_>) = generics
            .params
            .iter()
            .partition(|p| matches!(p, syn::GenericParam::Lifetime(_)));
        let generic_decl =
            quote!(<#(#lifetimes,)* #s: #k::__private::Scalar<Base = #ft>, #(#others),*>);
        let wrapper_generics = {
            let params = &generics.params;
            quote!(<#params>)
        };
        let active_vars: Vec<usize> = cx.active.iter().map(|&i| func.params[i].var).collect();
        let arrays = cx.active_arrays();
        let scalars = cx.active_scalars();
        let matrix = |v: usize| {
            func.params
                .iter()
                .find(|p| p.var == v)
                .and_then(|p| p.matrix.clone())
        };

        // Types of an active parameter's tangent / adjoint buffer, generic (`__S`) or concrete.
        let output = |v: usize| {
            func.params
                .iter()
                .any(|p| p.var == v && matches!(p.kind, crate::ir::ParamKind::Output))
        };
        // An output buffer's tangent is written like the buffer (`&mut`).
        let tangent_ty = |v: usize, t: &TokenStream| match (&func.vars[v].shape, output(v)) {
            (Shape::ArrayRef(n), false) => quote!(&[#t; #n]),
            (Shape::ArrayRef(n), true) => quote!(&mut [#t; #n]),
            (Shape::SliceRef, false) => quote!(&[#t]),
            (Shape::SliceRef, true) => quote!(&mut [#t]),
            _ => quote!(#t),
        };
        let bar_ty = |v: usize, t: &TokenStream| match &func.vars[v].shape {
            Shape::ArrayRef(n) => quote!(&mut [#t; #n]),
            _ => quote!(&mut [#t]),
        };
        let s_ts = quote!(#s);
        let ft_ts = quote!(#ft);

        // Generic signatures.
        let gparams = cx.generic_params();
        let gtangents: Vec<TokenStream> = active_vars
            .iter()
            .map(|&v| {
                let t = tangent_ident(&func.vars[v].ident);
                let m = func.vars[v].mutable.then(|| quote!(mut));
                let ty = tangent_ty(v, &s_ts);
                quote!(#m #t: #ty)
            })
            .collect();
        let gbars: Vec<TokenStream> = arrays
            .iter()
            .map(|&v| {
                let b = adjoint_ident(&func.vars[v].ident);
                let ty = bar_ty(v, &s_ts);
                quote!(#b: #ty)
            })
            .collect();
        // A slice's adjoint buffer cut to the slice's length at entry: the loops that index both
        // then need one bounds check (LLVM sees the lengths equal), and a short buffer panics
        // here rather than midway.
        let bar_lens: Vec<TokenStream> = arrays
            .iter()
            .filter(|&&v| matches!(func.vars[v].shape, Shape::SliceRef))
            .map(|&v| {
                let (x, b) = (&func.vars[v].ident, adjoint_ident(&func.vars[v].ident));
                quote!(let #b: &mut [#s] = &mut #b[..#x.len()];)
            })
            .collect();
        // The value's type: a float, or `[float; M]` for functions returning arrays.
        let ret_len = func.ret_len.clone();
        let unit = func.unit;
        let out_ty = |t: &TokenStream| match &ret_len {
            _ if unit => quote!(()),
            Some(m) => quote!([#t; #m]),
            None => quote!(#t),
        };
        let ret_shape = |t: &TokenStream| {
            let v = out_ty(t);
            match (scalars.len(), unit) {
                (0, _) => v,
                (1, true) => quote!(#t),
                (1, false) => quote!((#v, #t)),
                (n, unit) => {
                    let ts = (0..n).map(|_| t.clone());
                    if unit {
                        quote!((#(#ts),*))
                    } else {
                        quote!((#v, (#(#ts),*)))
                    }
                }
            }
        };
        let (out_s, out_f) = (out_ty(&s_ts), out_ty(&ft_ts));
        let seed_ty = match &ret_len {
            Some(m) => quote!(&[#ft; #m]),
            None => quote!(#ft),
        };
        let array_out = ret_len.is_some();
        let gvjp_ret = ret_shape(&s_ts);
        let vjp_ret = ret_shape(&ft_ts);

        // Public signatures.
        let pparams: Vec<TokenStream> = func
            .params
            .iter()
            .zip(&self.names)
            .map(|(p, n)| {
                let ty = &p.ty;
                quote!(#n: #ty)
            })
            .collect();
        // A matrix's tangent and adjoint buffer have its shape.
        let mat_ty = |m: &crate::ir::Matrix, r: TokenStream| {
            let c = &m.cols;
            match &m.rows {
                Some(rows) => quote!(#r [[#ft; #c]; #rows]),
                None => quote!(#r [[#ft; #c]]),
            }
        };
        let ptangents: Vec<TokenStream> = active_vars
            .iter()
            .zip(&self.tangents)
            .map(|(&v, t)| {
                let ty = match matrix(v) {
                    Some(m) => mat_ty(&m, quote!(&)),
                    None => tangent_ty(v, &ft_ts),
                };
                quote!(#t: #ty)
            })
            .collect();
        let pbars: Vec<TokenStream> = arrays
            .iter()
            .zip(&self.bars)
            .map(|(&v, b)| {
                let ty = match matrix(v) {
                    Some(m) => mat_ty(&m, quote!(&mut)),
                    None => bar_ty(v, &ft_ts),
                };
                quote!(#b: #ty)
            })
            .collect();
        // Matrices are flattened for the generic code (see `Param::matrix`).
        let flat_args: Vec<TokenStream> = func
            .params
            .iter()
            .zip(&self.names)
            .map(|(p, n)| match &p.matrix {
                Some(_) => quote!(#n.as_flattened()),
                None => quote!(#n),
            })
            .collect();
        let args = &flat_args;
        let tangents: Vec<TokenStream> = active_vars
            .iter()
            .zip(&self.tangents)
            .map(|(&v, t)| match matrix(v) {
                Some(_) => quote!(#t.as_flattened()),
                None => quote!(#t),
            })
            .collect();
        let bars: Vec<TokenStream> = arrays
            .iter()
            .zip(&self.bars)
            .map(|(&v, b)| match matrix(v) {
                Some(_) => quote!(#b.as_flattened_mut()),
                None => quote!(#b),
            })
            .collect();
        let tangents = &tangents;
        let bars = &bars;
        let seed = &self.seed;
        let one = quote!(<#ft as #k::__private::Scalar>::one());
        let zero = quote!(<#ft as #k::__private::Scalar>::zero());

        // `grad`: buffers for arrays, then the gradient shaped like the active parameters.
        let mut grad_setup = Vec::new();
        let mut grad_bufs = Vec::new();
        let mut grad_tys = Vec::new();
        let mut grad_vals = Vec::new();
        let mut scalar_k = 0usize;
        for &v in &active_vars {
            let pi = func
                .params
                .iter()
                .position(|p| p.var == v)
                .expect("a parameter");
            let pname = &self.names[pi];
            if let Some(m) = &func.params[pi].matrix {
                // The gradient of a matrix is a matrix (rows of a slice of rows: a `Vec`).
                let g = format_ident!("__g{}", pi, span = Span::mixed_site());
                let c = &m.cols;
                match &m.rows {
                    Some(r) => {
                        grad_setup.push(quote!(let mut #g: [[#ft; #c]; #r] = [[#zero; #c]; #r];));
                        grad_tys.push(quote!([[#ft; #c]; #r]));
                    }
                    None => {
                        grad_setup.push(quote!(let mut #g = #k::__private::zeros_vec(#pname.len(), [#zero; #c]);));
                        grad_tys.push(quote!(#k::__private::Vec<[#ft; #c]>));
                    }
                }
                grad_bufs.push(quote!(#g.as_flattened_mut()));
                grad_vals.push(quote!(#g));
                continue;
            }
            match &func.vars[v].shape {
                Shape::ArrayRef(n) => {
                    let g = format_ident!("__g{}", pi, span = Span::mixed_site());
                    grad_setup.push(quote!(let mut #g: [#ft; #n] = [#zero; #n];));
                    grad_bufs.push(quote!(&mut #g));
                    grad_tys.push(quote!([#ft; #n]));
                    grad_vals.push(quote!(#g));
                }
                Shape::SliceRef => {
                    let g = format_ident!("__g{}", pi, span = Span::mixed_site());
                    grad_setup.push(
                        quote!(let mut #g = #k::__private::zeros_vec::<#ft>(#pname.len(), #zero);),
                    );
                    grad_bufs.push(quote!(#g.as_mut_slice()));
                    grad_tys.push(quote!(#k::__private::Vec<#ft>));
                    grad_vals.push(quote!(#g));
                }
                _ => {
                    let sk = format_ident!("__s{}", scalar_k, span = Span::mixed_site());
                    scalar_k += 1;
                    grad_tys.push(quote!(#ft));
                    grad_vals.push(quote!(#sk));
                }
            }
        }
        let sks: Vec<Ident> = (0..scalars.len())
            .map(|i| format_ident!("__s{}", i, span = Span::mixed_site()))
            .collect();
        let v_ident = format_ident!("__value", span = Span::mixed_site());
        let grad_pat = match sks.len() {
            0 => quote!(#v_ident),
            1 => {
                let a = &sks[0];
                quote!((#v_ident, #a))
            }
            _ => quote!((#v_ident, (#(#sks),*))),
        };
        let (grad_ty, grad_val) = if grad_tys.len() == 1 {
            (grad_tys[0].clone(), grad_vals[0].clone())
        } else {
            (quote!((#(#grad_tys),*)), quote!((#(#grad_vals),*)))
        };

        let (fwd_body, rev_body) = match bodies {
            Some((f, r)) => (f, r),
            None => {
                let p = quote!(::core::panic!(
                    "`#[differentiable]` reported an error for this function"
                ));
                (p.clone(), p)
            }
        };
        // The public functions forward to the generic ones; stubs just panic (never run: the
        // crate does not compile), so that only the real errors are reported.
        let stub = bodies_missing(&fwd_body);
        let call_fwd = if stub {
            fwd_body.clone()
        } else {
            let tf = cx.turbofish(Some(quote!(#ft)));
            quote!(Self::__jvp #tf (#(#args,)* #(#tangents),*))
        };
        let call_vjp = if stub {
            fwd_body.clone()
        } else {
            let seed_arg = if unit {
                quote!()
            } else if array_out {
                quote!(*#seed,)
            } else {
                quote!(#seed,)
            };
            let tf = cx.turbofish(Some(quote!(#ft)));
            quote!(Self::__vjp #tf (#(#args,)* #seed_arg #(#bars),*))
        };
        let call_grad = if stub {
            fwd_body.clone()
        } else {
            let tf = cx.turbofish(Some(quote!(#ft)));
            quote! {
                #(#grad_setup)*
                let #grad_pat = Self::__vjp #tf (#(#args,)* #one, #(#grad_bufs),*);
                (#v_ident, #grad_val)
            }
        };

        let active_names: Vec<String> = cx
            .active
            .iter()
            .map(|&i| format!("`{}`", self.names[i]))
            .collect();
        let active_list = active_names.join(", ");
        let doc_ns = format!(
            "Derivatives of [`{name}`](fn@{name}), generated by `#[differentiable]` with respect to {active_list}.\n\n\
             - `{name}::jvp(args.., tangents..)`: value and directional derivative (forward mode)\n\
             - `{name}::vjp(args.., seed, array adjoint buffers..)`: value and `seed` times the gradient (reverse mode)\n\
             - `{name}::grad(args..)`: value and gradient\n             - and, where the function's shape allows them, `grad_into`, `hvp`, `hvp_into`, `hessian`, `jacobian`, `derivatives`, `objective`, `sparse_hessian`, `sparse_jacobian`: see the items below"
        );
        let doc_jvp = format!("Value of `{name}` and its directional derivative along the tangents (one per active parameter: {active_list}).");
        let doc_vjp = format!(
            "Value of `{name}` and `seed` times its gradient with respect to {active_list} (reverse mode). \
             Adjoints of array and slice parameters are added into the `_bar` buffers; scalar adjoints are returned."
        );
        let doc_grad = format!("Value of `{name}` and its gradient with respect to {active_list}.");

        // Mark the original function used: callers often call only `f::grad`.
        let keep_alive = {
            let has_impl_trait = func
                .params
                .iter()
                .any(|p| matches!(p.ty, syn::Type::ImplTrait(_)));
            let gargs: Vec<TokenStream> = others
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
            if has_impl_trait || stub {
                quote!()
            } else if gargs.is_empty() {
                quote!(let _ = #name;)
            } else {
                quote!(let _ = #name::<#(#gargs),*>;)
            }
        };
        let seed_g = seed_generic();
        // Functions with output buffers take their seeds in the buffers' adjoints.
        let (gseed, pseed) = if unit {
            (quote!(), quote!())
        } else {
            (quote!(#seed_g: #out_s,), quote!(#seed: #seed_ty,))
        };
        let slices = func
            .params
            .iter()
            .any(|p| func.vars[p.var].active && matches!(func.vars[p.var].shape, Shape::SliceRef));
        let if_alloc = |t: TokenStream, needed: bool| {
            if needed && !t.is_empty() {
                quote!(#k::__private::if_alloc! { #t })
            } else {
                t
            }
        };
        let derived = if stub {
            quote!()
        } else if unit {
            crate::outputs::jacobian(self, item, cx)
        } else if array_out {
            let sparse = crate::sparse::jacobian(self, item, cx);
            let dense = crate::derived::jacobian(self, item, cx);
            quote!(#dense #sparse)
        } else {
            if_alloc(crate::derived::methods(self, item, cx), heap || slices)
        };
        let objective_impl = if stub || array_out || unit {
            quote!()
        } else {
            if_alloc(
                crate::derived::objective_impl(self, item, cx),
                heap || slices,
            )
        };
        // `__call`: how other `#[differentiable]` functions call this one (scalar parameters).
        let call_fn = if arrays.is_empty() && !stub && !array_out && !unit {
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
                } else if matches!(p.kind, crate::ir::ParamKind::Float) {
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
            let gs: Vec<Ident> = (0..scalars.len())
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
            let tf = cx.turbofish(Some(quote!(#s)));
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
        } else if array_out && !stub {
            // Called as if it returned a scalar: a message saying how to bind the array.
            let ps: Vec<Ident> = (0..func.params.len())
                .map(|i| format_ident!("__A{}", i, span = Span::mixed_site()))
                .collect();
            let m = &ret_len;
            quote! {
                #[doc(hidden)]
                #vis fn __call<#s: #k::__private::Scalar<Base = #ft> + #k::__private::BindArrayResult, #(#ps),*>(#(_: #ps),*) -> (#s, [#s; #m]) {
                    ::core::unreachable!()
                }
            }
        } else {
            quote!()
        };
        let vjp_items = if_alloc(
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
            heap,
        );
        let vjp_wrapper = if_alloc(
            quote! {
                #[doc = #doc_vjp]
                #[inline]
                #vis fn vjp #wrapper_generics (#(#pparams,)* #pseed #(#pbars),*) -> #vjp_ret #where_clause {
                    #call_vjp
                }
            },
            heap,
        );
        let grad_fn = if array_out || unit {
            quote!()
        } else {
            if_alloc(
                quote! {
                    #[doc = #doc_grad]
                    #[inline]
                    #vis fn grad #wrapper_generics (#(#pparams),*) -> (#ft, #grad_ty) #where_clause {
                        #call_grad
                    }
                },
                heap || slices,
            )
        };
        // `grad_into`: the gradient of the arrays written into the caller's buffers (no
        // allocation), the scalars' returned like `vjp`'s.
        let grad_into_fn = if array_out || unit || arrays.is_empty() || stub {
            quote!()
        } else {
            let names: Vec<&Ident> = self.bars.iter().collect();
            let zero_all = arrays.iter().zip(&names).map(|(&v, b)| match matrix(v) {
                Some(_) => {
                    quote!(#b.as_flattened_mut().fill(<#ft as #k::__private::Scalar>::zero());)
                }
                None => quote!(#b.fill(<#ft as #k::__private::Scalar>::zero());),
            });
            let pn = &self.names;
            let one = quote!(<#ft as #k::__private::Scalar>::one());
            let doc = format!(
                "Value of `{}` and its gradient, the arrays' parts written into the buffers (overwritten: no allocation), the scalars' returned as by `vjp`.",
                item.sig.ident
            );
            let tf = cx.turbofish(None);
            if_alloc(
                quote! {
                    #[doc = #doc]
                    #[inline]
                    #vis fn grad_into #wrapper_generics (#(#pparams,)* #(#pbars),*) -> #vjp_ret #where_clause {
                        #(#zero_all)*
                        Self::vjp #tf (#(#pn,)* #one, #(#names),*)
                    }
                },
                heap,
            )
        };
        // A `cfg` variant: no function (the caller emits the original once), the struct only in
        // the first variant (`#[cfg(any())]` removes it from the others), the impls gated.
        let (head, gate) = match variant {
            None => (quote!(#item), quote!()),
            Some((cond, first)) => (
                if first {
                    quote!()
                } else {
                    quote!(#[cfg(any())])
                },
                quote!(#[cfg(#cond)]),
            ),
        };
        let allows = generated_allows();
        let objective_impl = if objective_impl.is_empty() {
            objective_impl
        } else {
            quote!(#gate #objective_impl)
        };
        quote! {
            #head

            #[doc = #doc_ns]
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name {}

            #gate
            #allows
            impl #name {
                /// Generic forward mode, used by the runtime (dual numbers, jets).
                #[doc(hidden)]
                #[inline]
                #vis fn __jvp #generic_decl (#(#gparams,)* #(#gtangents),*) -> (#out_s, #out_s) #where_clause {
                    #keep_alive
                    #fwd_body
                }

                #vjp_items

                #derived

                #[doc = #doc_jvp]
                #[inline]
                #vis fn jvp #wrapper_generics (#(#pparams,)* #(#ptangents),*) -> (#out_f, #out_f) #where_clause {
                    #call_fwd
                }

                #vjp_wrapper

                #grad_fn

                #grad_into_fn
            }

            #objective_impl
        }
    }
}

/// Whether the bodies are the fallback's stubs.
fn bodies_missing(body: &TokenStream) -> bool {
    body.to_string()
        .contains("reported an error for this function")
}
