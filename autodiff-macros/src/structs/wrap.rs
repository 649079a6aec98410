//! The expansion of the flattened function, rewrapped: the user's function back, entry points
//! taking flat structs renamed `__flat_X` and wrapped by struct-typed ones (see the parent
//! module).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

use super::flat_calls::FlatCalls;
use super::{flat_ty, StructParam};

/// The free function's expansion with the user's function put back and every entry point with a
/// flat struct parameter renamed `__flat_X` and wrapped by a struct-typed `X`.
pub(super) fn rewrap(
    mut file: syn::File,
    item: &syn::ItemFn,
    flat: &syn::ItemFn,
    flats: &[StructParam],
    output: Option<&syn::Type>,
    ft: &Ident,
    k: &syn::Path,
) -> TokenStream {
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
        });
    }
    let params = &params[..];
    let name = &item.sig.ident;
    let flat_tys: Vec<syn::Type> = params.iter().map(|p| flat_ty(&p.ty, ft, k)).collect();
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
                            && (takes_flat(&f.sig, &flat_tys) || returns(&f.sig, out_ty.as_ref()))
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
                            wrappers.push(wrapper(f, params, &flat_tys, result.as_ref(), k));
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

/// Whether a parameter's type is (a reference to) one of the flat struct arrays.
fn takes_flat(sig: &syn::Signature, flat_tys: &[syn::Type]) -> bool {
    sig.inputs.iter().any(|a| match a {
        syn::FnArg::Typed(t) => flat_index(&t.ty, flat_tys).is_some(),
        _ => false,
    })
}

/// `Some((k, mutable))` if `ty` is `&[f; DIM_k]` / `&mut [f; DIM_k]`.
fn flat_index(ty: &syn::Type, flat_tys: &[syn::Type]) -> Option<(usize, bool)> {
    let syn::Type::Reference(r) = ty else {
        return None;
    };
    let s = r.elem.to_token_stream().to_string();
    flat_tys
        .iter()
        .position(|f| f.to_token_stream().to_string() == s)
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
            && l.init.as_ref().is_some_and(
                |i| matches!(&*i.expr, syn::Expr::Path(p) if p.path.is_ident(&self.name)),
            );
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
    params: &[StructParam],
    flat_tys: &[syn::Type],
    result: Option<&OutputTpl>,
    k: &syn::Path,
) -> TokenStream {
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
        let Some((i, mutable)) = flat_index(&t.ty, flat_tys) else {
            args.push(quote!(#n));
            continue;
        };
        let ty = &params[i].ty;
        let span = ty.span();
        let flat = format_ident!("__{}_flat", n, span = Span::mixed_site());
        let fty = &flat_tys[i];
        setup.push(quote_spanned! {span=>
            let mut #flat: #fty = [::core::default::Default::default(); <#ty as #k::Differentiable>::DIM];
            #k::Differentiable::flatten_into(#n, &mut #flat);
        });
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
    let conv = match &mut sig.output {
        syn::ReturnType::Type(_, t) => {
            let own = out.map(|o| (o.flat.as_str(), &tpl));
            convert(t, quote!(#result), flat_tys, params, &templates, own, k)
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

/// Rewrites the flat struct types in `ty` to the structs and returns the expression that
/// converts `value` (of the old type) to the new one.
fn convert(
    ty: &mut syn::Type,
    value: TokenStream,
    flat_tys: &[syn::Type],
    params: &[StructParam],
    templates: &[Option<Ident>],
    own: Option<(&str, &Ident)>,
    k: &syn::Path,
) -> TokenStream {
    let s = ty.to_token_stream().to_string();
    // The function's own result type: from the user's function's value.
    if let Some((flat, tpl)) = own {
        if s == flat {
            let sty = &params.last().expect("the result's pseudo-parameter").ty;
            let span = sty.span();
            *ty = sty.clone();
            return quote_spanned!(span=> #k::Differentiable::with_flat(&#tpl, &#value));
        }
    }
    if let Some(i) = flat_tys
        .iter()
        .position(|f| f.to_token_stream().to_string() == s)
    {
        if let Some(t) = &templates[i] {
            let sty = &params[i].ty;
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
                convert(e, quote!(#value.#idx), flat_tys, params, templates, own, k)
            })
            .collect();
        return quote!((#(#parts,)*));
    }
    value
}
