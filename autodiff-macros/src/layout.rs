//! What the attribute learns from the derive: the passive fields and the float type of the
//! structs a function differentiates.
//!
//! `#[differentiable]` cannot see a struct's definition, and its offsets come from constants
//! the derive writes (see [`crate::structs`]). Constants cannot say that a field is passive
//! (`#[passive] n: usize`), so reading one would otherwise have to be refused. The derive
//! therefore also writes a `macro_rules!` macro under the struct's own name (macros and types
//! live in different namespaces: wherever `Mlp` the type is in scope, `Mlp!` is too), which
//! appends the struct's passive field names to a list and calls [`callback`]:
//!
//! 1. The attribute expands as usual. [`layout`] answers `None` while no list has come,
//!    and notes the struct type asked for; [`crate::structs::expand`] then stops early.
//! 2. If a type was noted, the attribute's output is instead `Mlp! { [] [Other] (attr) item }`:
//!    `Mlp!` appends `(Mlp [n] [] [] f64)` to the first list and calls `__layout!`, which calls the
//!    next type's macro; the last step calls `__layout!` once more, spanned at the attribute (so
//!    that the names the expansion makes resolve like the user's code, not like the
//!    `macro_rules!`'s), and that one expands the item with the lists known.
//!
//! The state lives in thread-locals set and cleared within one macro invocation. The macro is
//! found by the type's path as written, so a type alias of the struct is not (documented in the
//! README's table).
//! A `pub` struct's macro is `#[macro_export]`ed under a name unique by the struct and where it
//! is written, and re-exported under the struct's name where the struct is.

use std::cell::RefCell;

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

/// What the derive tells of a struct.
#[derive(Clone, Default)]
pub struct Layout {
    pub name: String,
    /// Its passive fields' names (tuple structs: their indices).
    pub passive: Vec<String>,
    /// Its float type, `f64` or `f32` (`None` when only nested structs are active).
    pub float: Option<String>,
    /// Its fields that are structs themselves (active).
    pub nested: Vec<String>,
    /// Its `Vec<f>` fields (active; the struct's size is then known at run time only).
    pub vecs: Vec<String>,
}

/// The layouts of the structs the function differentiates.
pub type Layouts = Vec<Layout>;

thread_local! {
    /// The structs' passive fields, once the derive's macros have given them.
    static KNOWN: RefCell<Option<Layouts>> = const { RefCell::new(None) };
    /// The struct types whose fields were asked for while [`KNOWN`] was `None`.
    static NEEDED: RefCell<Vec<(syn::Path, syn::Type)>> = const { RefCell::new(Vec::new()) };
}

/// What the derive says of the struct type `ty`, or `None` if it has not been asked yet (the
/// type is then noted for the chain).
pub fn layout(ty: &syn::Type) -> Option<Layout> {
    let path = type_path(ty)?;
    let name = path.segments.last()?.ident.to_string();
    let known = KNOWN.with(|k| {
        k.borrow().as_ref().map(|list| {
            list.iter()
                .find(|l| l.name == name)
                .cloned()
                .unwrap_or_default()
        })
    });
    if known.is_none() {
        NEEDED.with(|n| {
            let mut n = n.borrow_mut();
            if !n
                .iter()
                .any(|(p, _)| p.segments.last().map(|s| s.ident.to_string()) == Some(name.clone()))
            {
                n.push((path, ty.clone()));
            }
        });
    }
    known
}

/// `f` run with these lists known (unit tests that expand structs without the derive).
#[cfg(test)]
pub fn with_known<R>(list: Layouts, f: impl FnOnce() -> R) -> R {
    KNOWN.with(|k| *k.borrow_mut() = Some(list));
    let r = f();
    KNOWN.with(|k| *k.borrow_mut() = None);
    r
}

/// Whether the lists are known (this is the last step of the chain).
pub fn known() -> bool {
    KNOWN.with(|k| k.borrow().is_some())
}

/// The path of a struct type without generic arguments (`models::Mlp<4>` -> `models::Mlp`),
/// spanned as written: the derive's macro has this name.
fn type_path(ty: &syn::Type) -> Option<syn::Path> {
    let syn::Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let mut path = p.path.clone();
    for s in &mut path.segments {
        s.arguments = syn::PathArguments::None;
    }
    Some(path)
}

/// The attribute's expansion: `expand` run once; if it asked for struct layouts, the chain
/// through the derive's macros instead (see the module's documentation).
pub fn entry(
    attr: TokenStream,
    item: TokenStream,
    krate: &syn::Path,
    expand: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    if known() {
        return expand(attr, item);
    }
    NEEDED.with(|n| n.borrow_mut().clear());
    let out = expand(attr.clone(), item.clone());
    let needed = NEEDED.with(|n| std::mem::take(&mut *n.borrow_mut()));
    if needed.is_empty() {
        return out;
    }
    // The derive's macro of a type that does not derive `Differentiable` is not found; the
    // trait bound says why (its message names the derive).
    // (Not for a generic function's types, which may name its parameters.)
    let generic = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Fn(f)) => !f.sig.generics.params.is_empty(),
        Ok(syn::Item::Impl(i)) => !i.generics.params.is_empty(),
        _ => false,
    };
    let checks = needed.iter().filter(|_| !generic).map(|(_, t)| {
        let span = t.span();
        quote_spanned!(span=> const _: ::core::marker::PhantomData<<#t as #krate::Differentiable>::Float> = ::core::marker::PhantomData;)
    });
    let paths: Vec<&syn::Path> = needed.iter().map(|(p, _)| p).collect();
    // The attribute's own site goes along: the last step is invoked there (see `callback`).
    let site = Ident::new("__ad_site", Span::call_site());
    let call = chain(&paths, TokenStream::new(), &quote!(#site #attr), &item);
    quote!(#call #(#checks)*)
}

/// `First! { [have] [rest..] (attr) item }`.
fn chain(
    paths: &[&syn::Path],
    have: TokenStream,
    attr: &TokenStream,
    item: &TokenStream,
) -> TokenStream {
    let (first, rest) = paths.split_first().expect("a type to ask");
    let rest = rest
        .iter()
        .map(|p| Group::new(Delimiter::Parenthesis, p.to_token_stream()));
    let span = first.span();
    quote_spanned!(span=> #first! { [#have] [#(#rest)*] (#attr) #item })
}

/// `__layout! { [(Name [passive..] [nested..] [vecs..] float)..] [(next path)..] (attr) item }`: calls the next type's
/// macro, or expands the item with the lists known.
pub fn callback(
    input: TokenStream,
    expand: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    let mut it = input.into_iter().peekable();
    // The last step: invoked at the attribute's site, so that the names the expansion makes
    // resolve like the user's code (`Span::call_site()` in the steps through the derive's
    // `macro_rules!` is inside that macro).
    let last = matches!(it.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '@');
    if last {
        it.next();
    }
    let (Some(TokenTree::Group(have)), Some(TokenTree::Group(rest)), Some(TokenTree::Group(attr))) =
        (it.next(), it.next(), it.next())
    else {
        return quote!(::core::compile_error!("`__layout!` is internal to `#[differentiable]`"););
    };
    let item: TokenStream = it.collect();
    let mut attr_it = attr.stream().into_iter();
    let site = match attr_it.next() {
        Some(TokenTree::Ident(i)) if i == "__ad_site" => i,
        _ => {
            return quote!(::core::compile_error!("`__layout!` is internal to `#[differentiable]`");)
        }
    };
    if !last && rest.stream().is_empty() {
        let krate = crate::args::parse(attr_it.collect(), &mut crate::ctxt::Ctxt::default()).krate;
        let call = quote!(@ #have #rest #attr #item);
        let at = respan(quote!(#krate::__private::layout!), site.span());
        return quote!(#at { #call });
    }
    let attr = Group::new(Delimiter::Parenthesis, attr.stream());
    let rest: Vec<syn::Path> = rest
        .stream()
        .into_iter()
        .filter_map(|t| match t {
            TokenTree::Group(g) => syn::parse2(g.stream()).ok(),
            _ => None,
        })
        .collect();
    if !rest.is_empty() {
        let paths: Vec<&syn::Path> = rest.iter().collect();
        return chain(&paths, have.stream(), &attr.stream(), &item);
    }
    let list = have
        .stream()
        .into_iter()
        .filter_map(|t| {
            let TokenTree::Group(g) = t else { return None };
            let mut parts = g.stream().into_iter();
            let (
                Some(TokenTree::Ident(name)),
                Some(TokenTree::Group(fields)),
                Some(TokenTree::Group(nested)),
                Some(TokenTree::Group(vecs)),
                float,
            ) = (
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
            )
            else {
                return None;
            };
            let float = match float {
                Some(TokenTree::Ident(f)) if f == "f64" || f == "f32" => Some(f.to_string()),
                _ => None,
            };
            let names = |g: Group| {
                g.stream()
                    .into_iter()
                    .filter_map(|f| match f {
                        TokenTree::Ident(i) => Some(i.to_string()),
                        TokenTree::Literal(l) => Some(l.to_string()),
                        _ => None,
                    })
                    .collect()
            };
            Some(Layout {
                name: name.to_string(),
                passive: names(fields),
                float,
                nested: names(nested),
                vecs: names(vecs),
            })
        })
        .collect();
    KNOWN.with(|k| *k.borrow_mut() = Some(list));
    let out = expand(attr_it.collect(), item);
    KNOWN.with(|k| *k.borrow_mut() = None);
    out
}

/// `tokens` with every span set to `span`.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let TokenTree::Group(g) = &t {
                let mut n = Group::new(g.delimiter(), respan(g.stream(), span));
                n.set_span(span);
                t = TokenTree::Group(n);
            }
            t.set_span(span);
            t
        })
        .collect()
}

/// The derive's part: `macro_rules!` under the struct's name that appends
/// `(Name [passive fields] [nested struct fields] [Vec fields] float)` and calls `__layout!`. A `pub` struct's macro is exported (under a
/// name unique to the struct) so that other crates reach it through the struct's path.
pub fn derive_macro(
    item: &syn::DeriveInput,
    passive: &[String],
    nested: &[String],
    vecs: &[String],
    float: Option<&Ident>,
    krate: &syn::Path,
) -> TokenStream {
    let name = &item.ident;
    // Unique among the crate's exported macros: two structs of one name and the same fields in
    // two modules differ by where they are written.
    let at = name.span().start();
    let key = format!("{} {}:{}", item.to_token_stream(), at.line, at.column);
    let hash = crate::derive::field_hash(&key).to_string();
    let hash = hash.trim_end_matches("u64");
    let mac = Ident::new(&format!("__ad_layout_{name}_{hash}"), name.span());
    let tokens = |names: &[String]| -> Vec<TokenTree> {
        names
            .iter()
            .map(|f| match f.parse::<usize>() {
                Ok(i) => TokenTree::Literal(proc_macro2::Literal::usize_unsuffixed(i)),
                Err(_) => TokenTree::Ident(Ident::new(f, name.span())),
            })
            .collect()
    };
    let (fields, nested, vecs) = (tokens(passive), tokens(nested), tokens(vecs));
    let body = quote! {
        ([$($have:tt)*] $($rest:tt)*) => {
            #krate::__private::layout! { [$($have)* (#name [#(#fields)*] [#(#nested)*] [#(#vecs)*] #float)] $($rest)* }
        };
    };
    if matches!(item.vis, syn::Visibility::Public(_)) {
        quote! {
            #[doc(hidden)]
            #[macro_export]
            // (A `pub` struct inside a function body: exported all the same, under its name.)
            #[allow(non_local_definitions)]
            macro_rules! #mac { #body }
            #[doc(hidden)]
            #[allow(unused_imports)]
            pub use #mac as #name;
        }
    } else {
        quote! {
            #[doc(hidden)]
            #[allow(unused_macros)]
            macro_rules! #mac { #body }
            #[doc(hidden)]
            #[allow(unused_imports)]
            pub(crate) use #mac as #name;
        }
    }
}
