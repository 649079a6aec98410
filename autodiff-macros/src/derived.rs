//! Entry points derived from the generated generic code: `hvp` (forward-over-reverse on dual
//! numbers), `hessian` (dense, from Hessian-vector products, for fixed-size parameters) and
//! `objective` (the function as an `Objective` over its active parameters, flattened).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::Shape;

/// `hvp` and `hessian` for the derivative namespace's `impl` block.
pub fn methods(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let hvp = hvp(sigs, item, cx);
    let hessian = hessian(sigs, item, cx);
    let objective = objective_fn(sigs, item, cx);
    let derivatives = derivatives(sigs, item, cx);
    let sparse = crate::sparse::methods(sigs, item, cx);
    let hvp_into = crate::sparse::hvp_into(sigs, item, cx);
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
    quote! {
        #[doc = #doc]
        #[inline]
        #vis fn derivatives <const #kk: usize, #(#params),*> (#(#pparams),*) -> [#ft; #kk] #where_clause {
            let (value, _) = Self::__jvp #tf (#(#args,)* <#jet>::constant(#zero));
            value.derivatives()
        }
    }
}

fn mixed(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// `hvp(args.., v..) -> (value, gradient, H v)`.
fn hvp(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
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
    quote! {
        #[doc = #doc]
        #[inline]
        #vis fn hvp <#params> (#(#pparams,)* #(#dparams),*) -> (#ft, #gty, #gty) #where_clause {
            #(#setup)*
            let #pat = Self::__vjp #tf (#(#args,)* #dual::new(#one, #zero), #(#bars),*);
            #(#split)*
            (#value.re, #g, #h)
        }
    }
}

/// `hessian(args..) -> (value, gradient, H)` when the active parameters are scalars only, or a
/// single array `&[f; N]`.
fn hessian(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
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
                    let (value, grad, #col) = Self::hvp #utf (#(#args,)* &#e);
                    #e[j] = #zero;
                    #v = value;
                    #g = grad;
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

/// Whether a passive parameter type can be stored in the objective and copied out (references
/// and primitive scalars).
fn copyable(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => r.mutability.is_none(),
        syn::Type::Path(p) if p.qself.is_none() => {
            const PRIMS: &[&str] = &[
                "f32", "f64", "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16",
                "i32", "i64", "i128", "bool",
            ];
            p.path
                .get_ident()
                .is_some_and(|i| PRIMS.contains(&i.to_string().as_str()))
        }
        _ => false,
    }
}

/// Whether an active parameter's length is given to `objective` (slices, `&Vec`s, slices of
/// rows).
fn variable_length(p: &crate::ir::Param, var: &crate::ir::Var) -> bool {
    match &p.matrix {
        Some(m) => m.rows.is_none(),
        None => matches!(var.shape, Shape::SliceRef),
    }
}

/// `&Vec<f>`.
fn is_vec_ref(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Path(tp) if crate::lower::vec_elem(tp).is_some()))
}

/// Names every elided lifetime of the passive parameter types (`&T` -> `&'__l0 T`).
struct NameLifetimes {
    named: Vec<syn::Lifetime>,
}

impl VisitMut for NameLifetimes {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            let l = syn::Lifetime::new(&format!("'__l{}", self.named.len()), Span::call_site());
            self.named.push(l.clone());
            r.lifetime = Some(l);
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }
    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        if l.ident == "_" {
            let n = syn::Lifetime::new(&format!("'__l{}", self.named.len()), Span::call_site());
            self.named.push(n.clone());
            *l = n;
        }
    }
}

/// What `objective` needs: the passive parameters' types (lifetimes named), the slice lengths.
struct ObjectiveShape {
    lifetimes: Vec<syn::Lifetime>,
    /// The bound argument tuple's element types.
    arg_tys: Vec<TokenStream>,
}

fn objective_shape(cx: &Cx, item: &syn::ItemFn) -> Option<ObjectiveShape> {
    let func = cx.func;
    let mut namer = NameLifetimes { named: Vec::new() };
    let mut arg_tys = vec![marker_ty(item)];
    for p in &func.params {
        let var = &func.vars[p.var];
        if var.active {
            // Slices get their length, slices of rows their number of rows.
            if variable_length(p, var) {
                arg_tys.push(quote!(usize));
            }
            continue;
        }
        if !copyable(&p.ty) {
            return None;
        }
        let mut ty = p.ty.clone();
        namer.visit_type_mut(&mut ty);
        arg_tys.push(quote!(#ty));
    }
    if item
        .sig
        .generics
        .params
        .iter()
        .any(|g| matches!(g, syn::GenericParam::Type(_)))
        || func
            .params
            .iter()
            .any(|p| matches!(p.ty, syn::Type::ImplTrait(_)))
    {
        // Type parameters would need `'static`-free markers and bounds; not generated.
        return None;
    }
    Some(ObjectiveShape {
        lifetimes: namer.named,
        arg_tys,
    })
}

/// `PhantomData` over the const generic parameters, so that they are determined by the bound
/// arguments' type.
fn marker_ty(item: &syn::ItemFn) -> TokenStream {
    let consts: Vec<&Ident> = item
        .sig
        .generics
        .params
        .iter()
        .filter_map(|g| match g {
            syn::GenericParam::Const(c) => Some(&c.ident),
            _ => None,
        })
        .collect();
    quote!(::core::marker::PhantomData<(#([(); #consts],)*)>)
}

/// `objective(slice lengths.., passive args..)`.
fn objective_fn(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let Some(shape) = objective_shape(cx, item) else {
        return quote!();
    };
    let func = cx.func;
    let (k, vis) = (cx.krate, &item.vis);
    let generics = &item.sig.generics;
    let user_params = generics.params.iter();
    let lifetimes = &shape.lifetimes;
    let where_clause = &generics.where_clause;
    let tys = &shape.arg_tys;
    let mut params = Vec::new();
    let mut values = vec![quote!(::core::marker::PhantomData)];
    let mut namer = NameLifetimes { named: Vec::new() };
    for (pi, p) in func.params.iter().enumerate() {
        let var = &func.vars[p.var];
        let n = &sigs.names[pi];
        if var.active {
            if variable_length(p, var) {
                let what = if p.matrix.is_some() { "rows" } else { "len" };
                let len = format_ident!("{}_{}", n, what);
                params.push(quote!(#len: usize));
                values.push(quote!(#len));
            }
            continue;
        }
        let mut ty = p.ty.clone();
        namer.visit_type_mut(&mut ty);
        params.push(quote!(#n: #ty));
        values.push(quote!(#n));
    }
    let name = &item.sig.ident;
    let doc = format!(
        "`{name}` as an [`Objective`]({}::Objective) over its active parameters, flattened in order; the passive arguments are bound here, and each active slice parameter is replaced by its length.",
        quote!(#k).to_string().replace(' ', "")
    );
    quote! {
        #[doc = #doc]
        #vis fn objective <#(#lifetimes,)* #(#user_params),*> (#(#params),*) -> #k::__private::Bound<Self, (#(#tys,)*)> #where_clause {
            #k::__private::Bound::new((#(#values,)*))
        }
    }
}

/// `impl ObjectiveFns for f`, next to the namespace.
pub fn objective_impl(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let Some(shape) = objective_shape(cx, item) else {
        return quote!();
    };
    let func = cx.func;
    let (k, ft) = (cx.krate, &cx.ft);
    let name = &item.sig.ident;
    let generics = &item.sig.generics;
    let user_params = generics.params.iter();
    let where_clause = &generics.where_clause;
    let lifetimes = &shape.lifetimes;
    let tys = &shape.arg_tys;
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let one = quote!(<#ft as #k::__private::Scalar>::one());
    let (args, x, v, g, hv, o) = (
        mixed("__args"),
        mixed("__x"),
        mixed("__v"),
        mixed("__grad"),
        mixed("__hv"),
        mixed("__o"),
    );

    // Unpacking: passive arguments from the tuple, active ones from the flat vector(s).
    let mut dim = vec![quote!(0usize)];
    let mut unpack_passive = Vec::new();
    let mut slot = 1usize;
    let mut unpack_x = Vec::new();
    let mut unpack_v = Vec::new();
    let mut call_args = Vec::new();
    let mut dir_args = Vec::new();
    let mut grad_split = Vec::new();
    let mut bar_args = Vec::new();
    let mut write_g = Vec::new();
    let mut hvp_split = Vec::new();
    let scalars = cx.active_scalars();
    let sk: Vec<Ident> = (0..scalars.len())
        .map(|i| format_ident!("__s{}", i, span = Span::mixed_site()))
        .collect();
    let mut scalar_k = 0usize;
    let n_active = cx.active.len();
    let (gv, hvv) = (mixed("__gv"), mixed("__hvv"));
    let mut active_k = 0usize;
    for (pi, p) in func.params.iter().enumerate() {
        let var = &func.vars[p.var];
        let n = &sigs.names[pi];
        if !var.active {
            let s = proc_macro2::Literal::usize_unsuffixed(slot);
            slot += 1;
            unpack_passive.push(quote!(let #n = #args.#s;));
            call_args.push(quote!(#n));
            continue;
        }
        let vn = format_ident!("__vd{}", pi, span = Span::mixed_site());
        let gn = format_ident!("__gd{}", pi, span = Span::mixed_site());
        let hn = format_ident!("__hd{}", pi, span = Span::mixed_site());
        let len = match (&var.shape, &p.matrix) {
            (_, Some(m)) => match &m.rows {
                Some(r) => {
                    let c = &m.cols;
                    quote!((#r * #c))
                }
                None => {
                    let (s, c) = (proc_macro2::Literal::usize_unsuffixed(slot), &m.cols);
                    slot += 1;
                    quote!((#args.#s * #c))
                }
            },
            (Shape::ArrayRef(len), _) => quote!(#len),
            (Shape::SliceRef, None) => {
                let s = proc_macro2::Literal::usize_unsuffixed(slot);
                slot += 1;
                quote!(#args.#s)
            }
            _ => quote!(1usize),
        };
        dim.push(len.clone());
        // The output of `hvp`'s gradient and H v for this parameter.
        let part = |whole: &Ident| {
            if n_active == 1 {
                quote!(#whole)
            } else {
                let l = proc_macro2::Literal::usize_unsuffixed(active_k);
                quote!(#whole.#l)
            }
        };
        let (pg, ph) = (part(&gv), part(&hvv));
        active_k += 1;
        if let Some(m) = &p.matrix {
            // Matrices: the flat vector viewed as rows (`as_chunks`), no copy.
            let c = &m.cols;
            let (ty, ty_mut, conv, conv_mut) = match &m.rows {
                Some(r) => (
                    quote!(&[[#ft; #c]; #r]),
                    quote!(&mut [[#ft; #c]; #r]),
                    quote!(match <&[[#ft; #c]; #r]>::try_from(__rows) { Ok(a) => a, Err(_) => ::core::unreachable!() }),
                    quote!(match <&mut [[#ft; #c]; #r]>::try_from(__rows) { Ok(a) => a, Err(_) => ::core::unreachable!() }),
                ),
                None => (
                    quote!(&[[#ft; #c]]),
                    quote!(&mut [[#ft; #c]]),
                    quote!(__rows),
                    quote!(__rows),
                ),
            };
            unpack_x.push(quote! {
                let #n: #ty = { let __rows = #x[#o..#o + #len].as_chunks::<#c>().0; #conv };
            });
            unpack_v.push(quote! {
                let #vn: #ty = { let __rows = #v[#o..#o + #len].as_chunks::<#c>().0; #conv };
            });
            grad_split.push(quote! {
                let (#gn, #g) = #g.split_at_mut(#len);
                let #gn: #ty_mut = { let __rows = #gn.as_chunks_mut::<#c>().0; #conv_mut };
            });
            bar_args.push(quote!(#gn));
            hvp_split.push(quote! {
                let (#gn, #g) = #g.split_at_mut(#len);
                let (#hn, #hv) = #hv.split_at_mut(#len);
                #gn.copy_from_slice(#pg.as_flattened());
                #hn.copy_from_slice(#ph.as_flattened());
            });
        } else {
            match &var.shape {
                Shape::ArrayRef(l) => {
                    unpack_x.push(quote! {
                    let #n: &[#ft; #l] = match <&[#ft; #l]>::try_from(&#x[#o..#o + #l]) { Ok(a) => a, Err(_) => ::core::unreachable!() };
                });
                    unpack_v.push(quote! {
                    let #vn: &[#ft; #l] = match <&[#ft; #l]>::try_from(&#v[#o..#o + #l]) { Ok(a) => a, Err(_) => ::core::unreachable!() };
                });
                    grad_split.push(quote! {
                    let (#gn, #g) = #g.split_at_mut(#l);
                    let #gn: &mut [#ft; #l] = match <&mut [#ft; #l]>::try_from(#gn) { Ok(a) => a, Err(_) => ::core::unreachable!() };
                });
                    bar_args.push(quote!(#gn));
                    hvp_split.push(quote! {
                        let (#gn, #g) = #g.split_at_mut(#l);
                        let (#hn, #hv) = #hv.split_at_mut(#l);
                        #gn.copy_from_slice(&#pg);
                        #hn.copy_from_slice(&#ph);
                    });
                }
                Shape::SliceRef if is_vec_ref(&p.ty) => {
                    // The function takes `&Vec`: a copy per evaluation (take `&[f]` to avoid it).
                    unpack_x.push(quote!(let #n = #k::__private::Vec::from(&#x[#o..#o + #len]); let #n = &#n;));
                    unpack_v.push(quote!(let #vn = #k::__private::Vec::from(&#v[#o..#o + #len]); let #vn = &#vn;));
                    grad_split.push(quote!(let (#gn, #g) = #g.split_at_mut(#len);));
                    bar_args.push(quote!(#gn));
                    hvp_split.push(quote! {
                        let (#gn, #g) = #g.split_at_mut(#len);
                        let (#hn, #hv) = #hv.split_at_mut(#len);
                        #gn.copy_from_slice(#pg.as_slice());
                        #hn.copy_from_slice(#ph.as_slice());
                    });
                }
                Shape::SliceRef => {
                    unpack_x.push(quote!(let #n: &[#ft] = &#x[#o..#o + #len];));
                    unpack_v.push(quote!(let #vn: &[#ft] = &#v[#o..#o + #len];));
                    grad_split.push(quote!(let (#gn, #g) = #g.split_at_mut(#len);));
                    bar_args.push(quote!(#gn));
                    hvp_split.push(quote! {
                        let (#gn, #g) = #g.split_at_mut(#len);
                        let (#hn, #hv) = #hv.split_at_mut(#len);
                        #gn.copy_from_slice(#pg.as_slice());
                        #hn.copy_from_slice(#ph.as_slice());
                    });
                }
                _ => {
                    unpack_x.push(quote!(let #n: #ft = #x[#o];));
                    unpack_v.push(quote!(let #vn: #ft = #v[#o];));
                    let s = &sk[scalar_k];
                    scalar_k += 1;
                    grad_split.push(quote!(let (#gn, #g) = #g.split_at_mut(1);));
                    write_g.push(quote!(#gn[0] = #s;));
                    hvp_split.push(quote! {
                        let (#gn, #g) = #g.split_at_mut(1);
                        let (#hn, #hv) = #hv.split_at_mut(1);
                        #gn[0] = #pg;
                        #hn[0] = #ph;
                    });
                }
            }
        }
        let adv = quote!(#o += #len;);
        unpack_x.push(adv.clone());
        unpack_v.push(adv);
        call_args.push(quote!(#n));
        dir_args.push(quote!(#vn));
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
    let _ = one;
    let utf = cx.turbofish(None);
    // One active slice: the product straight into the buffers, on this thread's reusable duals
    // (`hvp_into`); otherwise `hvp`, its results copied.
    let hvp_body = if crate::sparse::has_hvp_into(cx) {
        quote! {
            #k::__private::with_hvp_work(|__w| #name::hvp_into #utf (#(#call_args,)* #(#dir_args,)* #g, #hv, __w))
        }
    } else {
        quote! {
            let (#value, #gv, #hvv) = #name::hvp #utf (#(#call_args,)* #(#dir_args),*);
            let #g = &mut #g[..];
            let #hv = &mut #hv[..];
            #(#hvp_split)*
            #value
        }
    };
    // `#[inline]` methods: compiled only where an objective is used (a non-generic impl's
    // methods would otherwise be compiled with every annotated function, HVP included).
    quote! {
        #[allow(unused_variables, unused_mut, unused_assignments, unused_parens, unused_braces, deprecated, clippy::all, clippy::pedantic)]
        impl <#(#lifetimes,)* #(#user_params),*> #k::__private::ObjectiveFns<#ft, (#(#tys,)*)> for #name #where_clause {
            #[inline]
            fn dim(#args: &(#(#tys,)*)) -> usize {
                #(#dim)+*
            }
            #[inline]
            fn value(#args: &(#(#tys,)*), #x: &[#ft]) -> #ft {
                #(#unpack_passive)*
                let mut #o = 0usize;
                #(#unpack_x)*
                #name #utf (#(#call_args),*)
            }
            #[inline]
            fn value_grad(#args: &(#(#tys,)*), #x: &[#ft], #g: &mut [#ft]) -> #ft {
                #(#unpack_passive)*
                let mut #o = 0usize;
                #(#unpack_x)*
                #g.fill(#zero);
                let #g = &mut #g[..];
                #(#grad_split)*
                let #pat = #name::vjp #utf (#(#call_args,)* <#ft as #k::__private::Scalar>::one(), #(#bar_args),*);
                #(#write_g)*
                #value
            }
            #[inline]
            fn hvp(#args: &(#(#tys,)*), #x: &[#ft], #v: &[#ft], #g: &mut [#ft], #hv: &mut [#ft]) -> #ft {
                #(#unpack_passive)*
                let mut #o = 0usize;
                #(#unpack_x)*
                let mut #o = 0usize;
                #(#unpack_v)*
                #hvp_body
            }
        }
    }
}

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
            let d = mixed("__d");
            cols.push(quote! {
                let (value, #d) = Self::jvp #utf (#(#names,)* #(#units),*);
                #v = value;
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
                        let (value, d) = Self::jvp #utf (#(#names,)* &#e);
                        #e[c] = #zero;
                        #v = value;
                        for r in 0..#m {
                            #j[r][c] = d[r];
                        }
                    }
                } else {
                    let mut #seed = [#zero; #m];
                    for r in 0..#m {
                        #seed[r] = #one;
                        let mut #bar = [#zero; #n];
                        let value = Self::vjp #utf (#(#names,)* &#seed, &mut #bar);
                        #seed[r] = #zero;
                        #v = value;
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
