//! Items behind the runtime's `if_alloc! { .. }` (generated only with the `alloc` feature), opened
//! for rewriting and closed again.
//!
//! The rewrites of the expansion (`impls`, `structs`) work on syntax trees, which see a macro's
//! body as opaque tokens. [`open`] replaces each `if_alloc! { items }` (at item level and inside
//! `impl` blocks) by its items, each marked with the attribute `#[__if_alloc(path)]`; [`close`]
//! puts every marked item back into `path! { item }`.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::parse::Parser;

const MARK: &str = "__if_alloc";

fn is_gate(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "if_alloc")
}

fn mark(path: &syn::Path) -> syn::Attribute {
    let m = syn::Ident::new(MARK, proc_macro2::Span::call_site());
    syn::parse_quote!(#[#m(#path)])
}

/// Opens every `if_alloc!` of the file (see the module docs).
pub fn open(file: &mut syn::File) {
    let mut items = Vec::new();
    for item in std::mem::take(&mut file.items) {
        match item {
            syn::Item::Macro(m) if is_gate(&m.mac.path) => match m.mac.parse_body::<syn::File>() {
                Ok(inner) => {
                    let at = mark(&m.mac.path);
                    for mut it in inner.items {
                        open_impl(&mut it);
                        if let Some(attrs) = item_attrs(&mut it) {
                            attrs.push(at.clone());
                        }
                        items.push(it);
                    }
                }
                Err(_) => items.push(syn::Item::Macro(m)),
            },
            mut other => {
                open_impl(&mut other);
                items.push(other);
            }
        }
    }
    file.items = items;
}

/// Opens the `if_alloc!`s inside an `impl` block.
fn open_impl(item: &mut syn::Item) {
    let syn::Item::Impl(i) = item else { return };
    let items = std::mem::take(&mut i.items);
    i.items = open_impl_items(items, None);
}

/// Impl items with the gates opened, nested gates too (`gate`: the enclosing one's mark).
fn open_impl_items(items: Vec<syn::ImplItem>, gate: Option<&syn::Attribute>) -> Vec<syn::ImplItem> {
    let mut out = Vec::new();
    for it in items {
        match it {
            syn::ImplItem::Macro(m) if is_gate(&m.mac.path) => {
                let parser = |input: syn::parse::ParseStream| {
                    let mut v = Vec::new();
                    while !input.is_empty() {
                        v.push(input.parse::<syn::ImplItem>()?);
                    }
                    Ok(v)
                };
                match parser.parse2(m.mac.tokens.clone()) {
                    Ok(inner) => {
                        let at = mark(&m.mac.path);
                        out.extend(open_impl_items(inner, Some(&at)));
                    }
                    Err(_) => out.push(syn::ImplItem::Macro(m)),
                }
            }
            mut other => {
                if let (syn::ImplItem::Fn(f), Some(at)) = (&mut other, gate) {
                    if marked(&f.attrs).is_none() {
                        f.attrs.push(at.clone());
                    }
                }
                out.push(other);
            }
        }
    }
    out
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        syn::Item::Fn(f) => Some(&mut f.attrs),
        syn::Item::Impl(i) => Some(&mut i.attrs),
        syn::Item::Struct(s) => Some(&mut s.attrs),
        syn::Item::Const(c) => Some(&mut c.attrs),
        _ => None,
    }
}

/// Takes the mark off `attrs`: the gate's path, if it was marked.
pub fn take_mark(attrs: &mut Vec<syn::Attribute>) -> Option<syn::Path> {
    let k = attrs.iter().position(|a| a.path().is_ident(MARK))?;
    let a = attrs.remove(k);
    a.parse_args::<syn::Path>().ok()
}

/// Whether `attrs` carry the mark (without taking it).
pub fn marked(attrs: &[syn::Attribute]) -> Option<syn::Attribute> {
    attrs.iter().find(|a| a.path().is_ident(MARK)).cloned()
}

/// An associated function, back behind its gate if it was marked.
pub fn close_fn(mut f: syn::ImplItemFn) -> TokenStream {
    match take_mark(&mut f.attrs) {
        Some(p) => quote!(#p! { #f }),
        None => f.into_token_stream(),
    }
}

/// An item, back behind its gate if it was marked (and its marked associated functions too).
pub fn close(mut item: syn::Item) -> TokenStream {
    if let syn::Item::Impl(i) = &mut item {
        for it in &mut i.items {
            if let syn::ImplItem::Fn(f) = it {
                if marked(&f.attrs).is_some() {
                    *it = syn::ImplItem::Verbatim(close_fn(f.clone()));
                }
            }
        }
    }
    let gate = item_attrs(&mut item).and_then(take_mark);
    match gate {
        Some(p) => quote!(#p! { #item }),
        None => item.into_token_stream(),
    }
}
