//! Parsing of the attribute's arguments: `#[differentiable(wrt(x, y), crate = path)]`.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Ident, Path, Token};

use crate::ctxt::Ctxt;

/// What the attribute's arguments say.
pub struct Args {
    /// The active parameters, if `wrt(..)` was given.
    pub wrt: Option<Vec<Ident>>,
    /// Path of the `autodiff` facade in generated code (`::autodiff` unless `crate = ..`).
    pub krate: Path,
    /// `custom = rule`: the user's own derivative rule; the body is not differentiated.
    pub custom: Option<Path>,
    /// Hidden `__any_activity`, given by [`crate::methods`] to a method without its own
    /// `wrt(..)`: the entry points follow `wrt(self)`, but callers may pass active values to
    /// any float parameter (its activity-specialized variants cover every parameter).
    pub any_activity: bool,
}

/// The facade's path as the calling crate names it. The facade is published as the package
/// `autodiff-gen` with the library name `autodiff`, so:
///
/// - `autodiff-gen = ".."` (what `cargo add autodiff-gen` writes): `::autodiff`, the library
///   name, which is what an unrenamed dependency is called in code;
/// - `ad = { package = "autodiff-gen", .. }`: `::ad`, the name the manifest gives it;
/// - inside the facade's own package (its tests, examples and doctests link it as `autodiff`)
///   and when the manifest cannot be read: `::autodiff`.
///
/// (`autodiff_gen = { package = "autodiff-gen" }`, a rename to the package's own name, cannot be
/// told apart from the first case by `proc-macro-crate` and needs `crate = ::autodiff_gen`.)
pub fn facade_path() -> Path {
    use proc_macro_crate::{crate_name, FoundCrate};
    match crate_name("autodiff-gen") {
        Ok(FoundCrate::Name(name)) if name != "autodiff_gen" => {
            let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
            syn::parse_quote!(::#ident)
        }
        _ => syn::parse_quote!(::autodiff),
    }
}

pub fn parse(attr: TokenStream, cx: &mut Ctxt) -> Args {
    let mut args = Args {
        wrt: None,
        krate: facade_path(),
        custom: None,
        any_activity: false,
    };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("wrt") {
            if args.wrt.is_some() {
                return Err(
                    meta.error("`wrt` given twice; list every active parameter in one `wrt(..)`")
                );
            }
            let content;
            syn::parenthesized!(content in meta.input);
            // `self` is a keyword: accepted here for methods (see `impls`).
            let names = Punctuated::<Ident, Token![,]>::parse_terminated_with(
                &content,
                syn::ext::IdentExt::parse_any,
            )?;
            args.wrt = Some(names.into_iter().collect());
            Ok(())
        } else if meta.path.is_ident("__any_activity") {
            args.any_activity = true;
            Ok(())
        } else if meta.path.is_ident("custom") {
            args.custom = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("crate") {
            let value = meta.value()?;
            if value.peek(syn::LitStr) {
                let s: syn::LitStr = value.parse()?;
                args.krate = s.parse()?;
            } else {
                args.krate = value.parse()?;
            }
            Ok(())
        } else {
            Err(meta.error(
                "unknown `#[differentiable]` argument; expected `wrt(x, ..)`, `custom = rule` or `crate = path`",
            ))
        }
    });
    if let Err(e) = parser.parse2(attr) {
        cx.push(e);
    }
    args
}
