//! Orchestration: args -> lower -> check -> emit, or the fallback on error. A pure function on
//! `proc_macro2::TokenStream`, so unit tests can call it.
//!
//! The derivative namespace (`struct f {}` and `impl f { .. }`): `signatures` names the public
//! parameters ([`Signatures`]), `parts` and `lists` work out once what every item is built from,
//! `namespace` assembles the items in their order; one builder per kind: `generic` (`__jvp`,
//! `__vjp`), `call` (`__call`), `first_order` (`jvp`, `vjp`, `grad`, `grad_into`). The items
//! derived from those (`hvp`, `hessian`, `jacobian`, `derivatives`, `objective`, the sparse
//! ones) are `crate::derived`, `crate::sparse` and `crate::outputs`. `custom`: the generic
//! bodies of `#[differentiable(custom = rule)]`.

mod call;
mod custom;
mod first_order;
mod generic;
mod lists;
mod namespace;
mod parts;
mod signatures;

pub use signatures::Signatures;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, ToTokens};

use crate::ctxt::Ctxt;
use crate::emit::{self, Cx};
use crate::ir::Shape;
use crate::{args, cfg, check, fallback, lower, variants};
use custom::custom_bodies;

pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    if let Ok(block) = syn::parse2::<syn::ItemImpl>(item.clone()) {
        return crate::impls::expand(attr, block);
    }
    let item: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new(
                Span::call_site(),
                "`#[differentiable]` goes on a function (`fn name(x: f64, ..) -> f64 { .. }`) or on an `impl` block of such functions",
            )
            .to_compile_error();
            return quote!(#item #err);
        }
    };
    if let Some(recv) = item.sig.receiver() {
        let err = syn::Error::new_spanned(
            recv,
            "`#[differentiable]` does not support methods with `self` yet; write an associated function taking the data as a parameter (`fn loss(m: &Model, ..)`) and put `#[differentiable]` on the `impl` block",
        )
        .to_compile_error();
        return quote!(#item #err);
    }
    if let Some(span) = find_self(item.to_token_stream()) {
        let err = syn::Error::new(
            span,
            "`Self` in a function with its own `#[differentiable]`: in an `impl` block, put `#[differentiable]` on the block (`#[differentiable] impl Type { .. }`); the derivatives are then `Type::f_grad`, `Type::f_jvp`, ..",
        )
        .to_compile_error();
        return quote!(#item #err);
    }
    expand_fn(attr, item, None)
}

/// The span of the first `Self` in `tokens`.
fn find_self(tokens: TokenStream) -> Option<Span> {
    tokens.into_iter().find_map(|t| match t {
        proc_macro2::TokenTree::Ident(i) if i == "Self" => Some(i.span()),
        proc_macro2::TokenTree::Group(g) => find_self(g.stream()),
        _ => None,
    })
}

/// The derivatives of one function. `block_krate`: the facade's path given to an enclosing
/// `impl` block's attribute, used unless the function's own arguments say `crate = ..`.
pub fn expand_fn(
    attr: TokenStream,
    item: syn::ItemFn,
    block_krate: Option<&syn::Path>,
) -> TokenStream {
    if let Some(tokens) = crate::structs::expand(&attr, &item, block_krate) {
        return tokens;
    }
    let mut cx = Ctxt::default();
    let own_krate = attr
        .clone()
        .into_iter()
        .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "crate"));
    let mut args = args::parse(attr, &mut cx);
    if let (Some(k), false) = (block_krate, own_krate) {
        args.krate = k.clone();
    }
    let (preds, cfg_attrs) = cfg::predicates(&item.block);
    if preds.is_empty() {
        return expand_variant(&args, cx, &item, None);
    }
    if preds.len() > cfg::MAX_PREDICATES {
        cx.error_at(
            &cfg_attrs[cfg::MAX_PREDICATES],
            format!(
                "`#[differentiable]` supports at most {} distinct `cfg` conditions in one function body (it generates the derivatives once per combination); move the configuration-dependent code into helper functions",
                cfg::MAX_PREDICATES
            ),
        );
        return fallback::fallback(&item, None, &args.krate, &cx);
    }
    // One set of derivatives per combination of the conditions, each behind its `cfg`.
    let mut out = quote!(#item);
    for mask in 0..1usize << preds.len() {
        let variant = cfg::select(&item, &preds, mask);
        let cond = cfg::condition(&preds, mask);
        let tokens = expand_variant(&args, Ctxt::default(), &variant, Some((&cond, mask == 0)));
        out.extend(tokens);
    }
    out
}

/// The derivatives of one function body; `variant`: its `cfg` condition and whether it emits
/// the namespace struct (see [`cfg`]).
fn expand_variant(
    args: &args::Args,
    mut cx: Ctxt,
    item: &syn::ItemFn,
    variant: Option<(&TokenStream, bool)>,
) -> TokenStream {
    let lowered = match &args.custom {
        Some(_) => lower::lower_signature(item, &mut cx),
        None => lower::lower(item, &mut cx, &args.krate),
    };
    let Some(mut func) = lowered else {
        return fallback::fallback(item, None, &args.krate, &cx);
    };
    check::check(&mut func, &item.sig, args, &mut cx);
    if args.custom.is_some() {
        for p in &func.params {
            if func.vars[p.var].active && !matches!(func.vars[p.var].shape, Shape::Scalar) {
                cx.error_at(
                    &p.ty,
                    "`#[differentiable(custom = ..)]` supports scalar active parameters only; make the array passive with `wrt(..)`",
                );
            }
        }
    }
    if cx.has_errors() {
        // With `cfg` variants, the errors once (all variants see the same code but the removed
        // statements), and no second copy of the function.
        return match variant {
            Some((_, true)) | None => fallback::fallback(item, Some(&func), &args.krate, &cx),
            Some((_, false)) => quote!(),
        };
    }
    let ecx = Cx::new(&func, &args.krate);
    let sigs = Signatures::new(&func, &ecx);
    let (fwd, rev, heap) = match &args.custom {
        Some(rule) => {
            let (f, r) = custom_bodies(&ecx, rule);
            (f, r, false)
        }
        None => {
            let mode = emit::adjoint_mode();
            let (r, heap, _) = emit::reverse::body(&ecx, &seed_generic(), Some(&mode));
            (emit::forward::body(&ecx), r, heap)
        }
    };
    let ns = sigs.namespace_with(item, &ecx, Some((fwd, rev)), heap, variant);
    let variants = variants::items(item, args, &func);
    if variants.is_empty() {
        return ns;
    }
    let name = &item.sig.ident;
    let gate = variant.map(|(cond, _)| quote!(#[cfg(#cond)]));
    let allows = generated_allows();
    quote! {
        #ns

        #gate
        #allows
        impl #name {
            #variants
        }
    }
}

/// The lints allowed on the generated `impl` blocks: generated code is readable, not idiomatic
/// (unused bindings of unused derivative parts, `(x)` parentheses, `deprecated` callees).
fn generated_allows() -> TokenStream {
    quote! {
        #[allow(
            dead_code,
            unused_mut,
            unused_variables,
            unused_parens,
            unused_braces,
            unused_assignments,
            unreachable_code,
            non_snake_case,
            deprecated,
            clippy::all,
            clippy::pedantic,
            clippy::nursery,
        )]
    }
}

fn seed_generic() -> Ident {
    Ident::new("__seed", Span::mixed_site())
}
