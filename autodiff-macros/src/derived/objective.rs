//! `objective(..)` and the `ObjectiveFns` adapter: the function as an `Objective` over its
//! active parameters, flattened.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::mixed;
use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::Shape;
use syn::visit_mut::VisitMut;

/// Whether a passive parameter type can be stored in the objective and copied out (references
/// and primitive scalars).
fn copyable(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => r.mutability.is_none(),
        _ if crate::structs::whole_target(ty).is_some() => true,
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
pub(super) fn objective_fn(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
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
            // A struct with `Vec` fields, flattened into a slice: its length from the struct.
            let whole = format_ident!("__ad_whole_{}", n);
            if variable_length(p, var) && sigs.names.contains(&whole) {
                values.push(quote!(#k::Differentiable::dim(#whole)));
            } else if variable_length(p, var) {
                let what = if p.matrix.is_some() { "rows" } else { "len" };
                let len = format_ident!("{}_{}", n, what);
                params.push(quote!(#len: usize));
                values.push(quote!(#len));
            }
            continue;
        }
        let mut ty = p.ty.clone();
        namer.visit_type_mut(&mut ty);
        if let (Some(t), syn::Type::Path(tp)) = (crate::structs::whole_target(&ty), &ty) {
            // The struct (its passive fields), taken as `&T`.
            let l = tp.path.segments.last().and_then(|s| match &s.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                    syn::GenericArgument::Lifetime(l) => Some(l.clone()),
                    _ => None,
                }),
                _ => None,
            });
            params.push(quote!(#n: &#l #t));
            values.push(quote!(#k::__private::Whole::of(#n)));
            continue;
        }
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
    // With array parameters, `grad_into` writes their parts of `g` (without reading them).
    let grad_call = if bar_args.is_empty() {
        quote! {
            #g.fill(#zero);
            let #g = &mut #g[..];
            #(#grad_split)*
            let #pat = #name::vjp #utf (#(#call_args,)* <#ft as #k::__private::Scalar>::one());
        }
    } else {
        quote! {
            let #g = &mut #g[..];
            #(#grad_split)*
            let #pat = #name::grad_into #utf (#(#call_args,)* #(#bar_args),*);
        }
    };
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
                #grad_call
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
