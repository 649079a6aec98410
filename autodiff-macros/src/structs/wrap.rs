//! The expansion of the flattened function, rewrapped: the user's function back, entry points
//! taking flat structs renamed `__flat_X` and wrapped by struct-typed ones (see the parent
//! module).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

use super::flat_calls::FlatCalls;
use super::{flat_ty, StructParam};

/// The function whose expansion [`rewrap`] rewraps.
pub(super) struct Source<'a> {
    /// The user's function.
    pub item: &'a syn::ItemFn,
    /// It with its struct parameters flattened (what was expanded).
    pub flat: &'a syn::ItemFn,
    /// Its active parameters.
    pub active: &'a [Ident],
}

/// The free function's expansion with the user's function put back and every entry point with a
/// flat struct parameter renamed `__flat_X` and wrapped by a struct-typed `X`.
pub(super) fn rewrap(
    mut file: syn::File,
    src: &Source,
    flats: &[StructParam],
    output: Option<&syn::Type>,
    ft: &Ident,
    k: &syn::Path,
) -> TokenStream {
    let (item, flat, active) = (src.item, src.flat, src.active);
    crate::gated::open(&mut file);
    // The parameters (entry points take them), and the result's type as a last pseudo-parameter
    // (`vjp` takes a seed of it); locals are flattened inside only.
    let mut params: Vec<StructParam> = flats.iter().filter(|p| !p.local).cloned().collect();
    if let Some(t) = output {
        params.push(StructParam {
            name: Ident::new("__output", Span::mixed_site()),
            ty: t.clone(),
            local: false,
            nested: Vec::new(),
            vecs: Vec::new(),
            generic: false,
        });
    }
    let params = &params[..];
    let name = &item.sig.ident;
    let flat_tys: Vec<syn::Type> = params.iter().map(|p| p.flat_ty(ft, k)).collect();
    let fp = FlatParams {
        params,
        tys: &flat_tys,
        slices: slice_params(item, active, params),
        alone: active.len() == 1,
    };
    // Results of the result's type are made from the user's function's value (its passive
    // fields), called with the entry point's leading arguments.
    let out_ty = output.map(|t| flat_ty(t, ft, k));
    let user_args = super::param_names(&item.sig);
    let result = out_ty.as_ref().map(|t| OutputTpl {
        flat: t.to_token_stream().to_string(),
        call: quote!(#name(#(#user_args),*)),
    });
    // Entry points to rename: public items of the namespace taking a flat struct.
    let mut renamed: Vec<Ident> = Vec::new();
    for it in &file.items {
        if let syn::Item::Impl(i) = it {
            if i.trait_.is_none() && is_named(&i.self_ty, name) {
                for f in &i.items {
                    if let syn::ImplItem::Fn(f) = f {
                        let n = f.sig.ident.to_string();
                        if !n.starts_with("__")
                            && (takes_flat(&f.sig, &fp) || returns(&f.sig, out_ty.as_ref()))
                        {
                            renamed.push(f.sig.ident.clone());
                        }
                    }
                }
            }
        }
    }
    let mut rw = Rename {
        name: name.clone(),
        renamed: renamed.clone(),
    };
    let mut out = Vec::new();
    // The value on the flat parameters, for `objective`: calls passing a struct parameter go
    // to the callee's flat value too.
    let mut flat_primal = flat.clone();
    FlatCalls {
        params: flats,
        krate: k,
        ft,
    }
    .visit_block_mut(&mut flat_primal.block);
    flat_primal.sig.ident = format_ident!("__flat");
    flat_primal.vis = item.vis.clone();
    flat_primal.attrs = vec![syn::parse_quote!(#[doc(hidden)])];
    let mut added = false;
    for it in file.items {
        match it {
            syn::Item::Fn(f) if f.sig.ident == *name => out.push(item.to_token_stream()),
            syn::Item::Impl(mut i) if is_named(&i.self_ty, name) && i.trait_.is_none() => {
                let mut wrappers = Vec::new();
                for f in &mut i.items {
                    if let syn::ImplItem::Fn(f) = f {
                        if renamed.contains(&f.sig.ident) {
                            wrappers.push(wrapper(f, &fp, result.as_ref(), k));
                            f.sig.ident = format_ident!("__flat_{}", f.sig.ident);
                            f.attrs.retain(|a| !a.path().is_ident("doc"));
                            f.attrs.push(syn::parse_quote!(#[doc(hidden)]));
                        }
                    }
                }
                rw.visit_item_impl_mut(&mut i);
                for w in wrappers {
                    i.items.push(syn::ImplItem::Verbatim(w));
                }
                if !added && !i.items.is_empty() {
                    added = true;
                    i.items
                        .push(syn::ImplItem::Verbatim(flat_primal.to_token_stream()));
                }
                out.push(crate::gated::close(syn::Item::Impl(i)));
            }
            mut other => {
                rw.visit_item_mut(&mut other);
                out.push(crate::gated::close(other));
            }
        }
    }
    quote!(#(#out)*)
}

fn is_named(ty: &syn::Type, name: &Ident) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(name))
}

/// How a wrapper makes results of the function's own struct result type: the flat type's
/// tokens, and the call of the user's function whose value is the template.
struct OutputTpl {
    flat: String,
    call: TokenStream,
}

/// Whether the entry point's result mentions the flat result type `out`.
fn returns(sig: &syn::Signature, out: Option<&syn::Type>) -> bool {
    let (Some(out), syn::ReturnType::Type(_, t)) = (out, &sig.output) else {
        return false;
    };
    let out = out.to_token_stream().to_string();
    t.to_token_stream().to_string().contains(&out)
}

/// The flattened struct parameters of the entry points.
struct FlatParams<'a> {
    params: &'a [StructParam],
    /// Their flat types (`[f; DIM]`, or `[f]` for a struct with `Vec` fields).
    tys: &'a [syn::Type],
    /// The active parameters flattened into slices, in order: a struct with `Vec` fields (its
    /// index in `params`) or a slice of the user's (`None`). Their gradients are the `Vec`s
    /// of the entry points' results, in this order (see [`convert`]).
    slices: Vec<Option<usize>>,
    /// The function has one active parameter.
    alone: bool,
}

/// The active parameters of `item` whose entry points take and return them as slices and
/// `Vec`s: slices and `Vec`s of the user's, and structs with `Vec` fields.
fn slice_params(
    item: &syn::ItemFn,
    active: &[Ident],
    params: &[StructParam],
) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for a in &item.sig.inputs {
        let syn::FnArg::Typed(t) = a else { continue };
        let syn::Pat::Ident(pi) = &*t.pat else {
            continue;
        };
        if !active.contains(&pi.ident) {
            continue;
        }
        if let Some(i) = params
            .iter()
            .position(|p| p.name == pi.ident && p.dynamic())
        {
            out.push(Some(i));
            continue;
        }
        let syn::Type::Reference(r) = &*t.ty else {
            continue;
        };
        let vec = matches!(&*r.elem, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Vec"));
        if vec || matches!(&*r.elem, syn::Type::Slice(_)) {
            out.push(None);
        }
    }
    out
}

/// Whether a parameter's type is (a reference to) one of the flat struct arrays.
fn takes_flat(sig: &syn::Signature, flats: &FlatParams) -> bool {
    sig.inputs.iter().any(|a| match a {
        syn::FnArg::Typed(t) => match &*t.pat {
            syn::Pat::Ident(pi) => flat_index(&pi.ident, &t.ty, flats).is_some(),
            _ => false,
        },
        _ => false,
    })
}

/// `Some((k, mutable))` if the entry point's parameter `name: ty` is the flat struct `k`:
/// `&[f; DIM_k]` / `&mut [f; DIM_k]`, or for a struct with `Vec` fields `m` a slice named after
/// it (`m`, its tangent `dm`, its direction `vm`, its adjoint `m_bar`).
fn flat_index(name: &Ident, ty: &syn::Type, flats: &FlatParams) -> Option<(usize, bool)> {
    let syn::Type::Reference(r) = ty else {
        return None;
    };
    let s = r.elem.to_token_stream().to_string();
    let n = name.to_string();
    flats
        .tys
        .iter()
        .zip(flats.params)
        .position(|(f, p)| {
            let m = p.name.to_string();
            f.to_token_stream().to_string() == s
                && (!p.dynamic()
                    || [
                        m.clone(),
                        format!("d{m}"),
                        format!("v{m}"),
                        format!("{m}_bar"),
                    ]
                    .contains(&n))
        })
        .map(|k| (k, r.mutability.is_some()))
}

/// `f(..)` becomes `f::__flat(..)` and `f::X`/`Self::X` become `__flat_X` for renamed `X`.
struct Rename {
    name: Ident,
    renamed: Vec<Ident>,
}

impl VisitMut for Rename {
    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        // `let _ = f;` keeps the user's function used: left as written.
        let keep_alive = matches!(&l.pat, syn::Pat::Wild(_))
            && l.init.as_ref().is_some_and(|i| {
                matches!(&*i.expr, syn::Expr::Path(p)
                    if p.path.segments.len() == 1 && p.path.segments[0].ident == self.name)
            });
        if !keep_alive {
            syn::visit_mut::visit_local_mut(self, l);
        }
    }

    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        let segs = &mut e.path.segments;
        if e.qself.is_none() && segs.len() == 1 && segs[0].ident == self.name {
            let n = &self.name;
            *e = syn::parse_quote!(#n::__flat);
            return;
        }
        if e.qself.is_none() && segs.len() == 2 {
            let first = segs[0].ident.to_string();
            if (first == "Self" || segs[0].ident == self.name)
                && self.renamed.contains(&segs[1].ident)
            {
                segs[1].ident = format_ident!("__flat_{}", segs[1].ident);
                return;
            }
        }
        syn::visit_mut::visit_expr_path_mut(self, e);
    }
}

/// `X(args..)` over structs around `__flat_X`: struct arguments flattened into arrays on the
/// stack, `&mut` ones written back (an adjoint added into), flat results turned into structs.
fn wrapper(
    f: &syn::ImplItemFn,
    flats: &FlatParams,
    result: Option<&OutputTpl>,
    k: &syn::Path,
) -> TokenStream {
    let (params, flat_tys) = (flats.params, flats.tys);
    let mut sig = f.sig.clone();
    let flat_name = format_ident!("__flat_{}", f.sig.ident);
    let mut setup = Vec::new();
    let mut post = Vec::new();
    let mut args = Vec::new();
    // The first struct argument of each type: the template for results of that type.
    let mut templates: Vec<Option<Ident>> = vec![None; params.len()];
    // The whole struct (for its passive fields): the struct argument itself.
    let whole_of = |a: &syn::FnArg| match a {
        syn::FnArg::Typed(t) => match &*t.pat {
            syn::Pat::Ident(pi) => pi
                .ident
                .to_string()
                .strip_prefix("__ad_whole_")
                .map(|m| Ident::new(m, pi.ident.span())),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    };
    for a in &mut sig.inputs {
        if let Some(m) = whole_of(a) {
            args.push(quote!(#k::__private::Whole::of(#m)));
            continue;
        }
        let syn::FnArg::Typed(t) = a else { continue };
        let syn::Pat::Ident(pi) = &*t.pat else {
            continue;
        };
        let n = pi.ident.clone();
        let Some((i, mutable)) = flat_index(&n, &t.ty, flats) else {
            args.push(quote!(#n));
            continue;
        };
        let ty = &params[i].ty;
        let span = ty.span();
        let flat = format_ident!("__{}_flat", n, span = Span::mixed_site());
        let fty = &flat_tys[i];
        if params[i].dynamic() {
            // A struct with `Vec` fields: flattened into a `Vec` of its run-time size.
            setup.push(quote_spanned! {span=>
                let mut #flat = #k::__private::zeros_vec(
                    #k::Differentiable::dim(#n),
                    <<#ty as #k::Differentiable>::Float as ::core::default::Default>::default(),
                );
                #k::Differentiable::flatten_into(#n, &mut #flat);
            });
        } else {
            setup.push(quote_spanned! {span=>
                let mut #flat: #fty = [::core::default::Default::default(); <#ty as #k::Differentiable>::DIM];
                #k::Differentiable::flatten_into(#n, &mut #flat);
            });
        }
        if mutable {
            *t.ty = syn::parse_quote!(&mut #ty);
            args.push(quote!(&mut #flat));
            post.push(quote_spanned!(span=> *#n = #k::Differentiable::with_flat(&*#n, &#flat);));
        } else {
            *t.ty = syn::parse_quote!(&#ty);
            args.push(quote!(&#flat));
            if templates[i].is_none() {
                templates[i] = Some(n.clone());
            }
        }
    }
    sig.inputs = std::mem::take(&mut sig.inputs)
        .into_pairs()
        .filter(|p| whole_of(p.value()).is_none())
        .collect();
    let out = result;
    let result = Ident::new("__result", Span::mixed_site());
    let tpl = Ident::new("__template", Span::mixed_site());
    // A Hessian's gradient concatenates all active parameters: given back as a struct only
    // when that is all there is.
    let slices = match &flats.slices[..] {
        _ if f.sig.ident.to_string().contains("hessian") && !flats.alone => &[][..],
        s => s,
    };
    let conv = match &mut sig.output {
        syn::ReturnType::Type(_, t) => {
            let own = out.map(|o| (o.flat.as_str(), &tpl));
            let cv = Convert {
                flat_tys,
                params,
                templates: &templates,
                own,
                slices,
                k,
            };
            cv.convert(t, quote!(#result), &mut 0)
        }
        syn::ReturnType::Default => quote!(#result),
    };
    // The user's function's value, for its passive fields.
    if let Some(o) = out.filter(|_| conv.to_string().contains("__template")) {
        let call = &o.call;
        setup.insert(0, quote!(let #tpl = #call;));
    }
    let attrs = f
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc") || a.path().is_ident("inline"));
    let vis = &f.vis;
    let wrapper = quote! {
        #(#attrs)*
        #vis #sig {
            #(#setup)*
            let #result = Self::#flat_name(#(#args),*);
            #(#post)*
            #conv
        }
    };
    // Behind the same gate as the function it wraps.
    match crate::gated::take_mark(&mut f.attrs.clone()) {
        Some(gate) => quote!(#gate! { #wrapper }),
        None => wrapper,
    }
}

/// How [`Convert::convert`] turns flat results into structs.
struct Convert<'a> {
    flat_tys: &'a [syn::Type],
    params: &'a [StructParam],
    /// The struct argument of each parameter's type, whose passive fields results take.
    templates: &'a [Option<Ident>],
    /// The function's own struct result type's flat tokens, and its template.
    own: Option<(&'a str, &'a Ident)>,
    /// The active slices (see [`FlatParams::slices`]): the `Vec`s of the result cycle through
    /// them.
    slices: &'a [Option<usize>],
    k: &'a syn::Path,
}

impl Convert<'_> {
    /// Rewrites the flat struct types in `ty` to the structs and returns the expression that
    /// converts `value` (of the old type) to the new one; `vecs` counts the `Vec`s passed.
    fn convert(&self, ty: &mut syn::Type, value: TokenStream, vecs: &mut usize) -> TokenStream {
        let k = self.k;
        let s = ty.to_token_stream().to_string();
        // The function's own result type: from the user's function's value.
        if let Some((flat, tpl)) = self.own {
            if s == flat {
                let sty = &self
                    .params
                    .last()
                    .expect("the result's pseudo-parameter")
                    .ty;
                let span = sty.span();
                *ty = sty.clone();
                return quote_spanned!(span=> #k::Differentiable::with_flat(&#tpl, &#value));
            }
        }
        // `Vec<f>`, not a Hessian's `Vec<Vec<f>>`.
        fn vec_of(t: &syn::Type) -> Option<&syn::PathArguments> {
            match t {
                syn::Type::Path(p) if p.qself.is_none() => p
                    .path
                    .segments
                    .last()
                    .filter(|s| s.ident == "Vec")
                    .map(|s| &s.arguments),
                _ => None,
            }
        }
        let is_vec = match vec_of(ty) {
            Some(syn::PathArguments::AngleBracketed(a)) => !a
                .args
                .iter()
                .any(|g| matches!(g, syn::GenericArgument::Type(e) if vec_of(e).is_some())),
            _ => false,
        };
        if is_vec && !self.slices.is_empty() {
            // A slice's gradient (or Hessian-vector product): a struct's, if it is one.
            let j = self.slices[*vecs % self.slices.len()];
            *vecs += 1;
            if let Some(t) = j.and_then(|i| self.templates[i].as_ref().map(|t| (i, t))) {
                let sty = &self.params[t.0].ty;
                let (span, tpl) = (sty.span(), t.1);
                *ty = sty.clone();
                return quote_spanned!(span=> #k::Differentiable::with_flat(#tpl, &#value));
            }
            return value;
        }
        if let Some(i) = self
            .flat_tys
            .iter()
            .zip(self.params)
            .position(|(f, p)| !p.dynamic() && f.to_token_stream().to_string() == s)
        {
            if let Some(t) = &self.templates[i] {
                let sty = &self.params[i].ty;
                let span = sty.span();
                *ty = sty.clone();
                return quote_spanned!(span=> #k::Differentiable::with_flat(#t, &#value));
            }
            return value;
        }
        if let syn::Type::Tuple(tt) = ty {
            let parts: Vec<TokenStream> = tt
                .elems
                .iter_mut()
                .enumerate()
                .map(|(j, e)| {
                    let idx = syn::Index::from(j);
                    self.convert(e, quote!(#value.#idx), vecs)
                })
                .collect();
            return quote!((#(#parts,)*));
        }
        value
    }
}
