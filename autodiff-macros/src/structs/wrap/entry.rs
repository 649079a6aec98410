//! The struct-typed wrapper of one flat entry point.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use super::flat::{flat_index, Convert, FlatParams};

/// How a wrapper makes results of the function's own struct result type: the flat type's
/// tokens, and the call of the user's function whose value is the template.
pub(super) struct OutputTpl {
    pub(super) flat: String,
    pub(super) call: TokenStream,
}

/// Whether the entry point's result mentions the flat result type `out`.
pub(super) fn returns(sig: &syn::Signature, out: Option<&syn::Type>) -> bool {
    let (Some(out), syn::ReturnType::Type(_, t)) = (out, &sig.output) else {
        return false;
    };
    let out = out.to_token_stream().to_string();
    t.to_token_stream().to_string().contains(&out)
}

/// `X(args..)` over structs around `__flat_X`: struct arguments flattened into arrays on the
/// stack, `&mut` ones written back (an adjoint added into), flat results turned into structs.
pub(super) fn wrapper(
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
