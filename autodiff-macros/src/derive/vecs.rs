//! `Vec<f>` fields: flattened after the fixed-size fields, in declaration order, so the fixed
//! fields keep their constant offsets; a `Vec` field's offset is the fixed part's size plus the
//! lengths of the `Vec` fields before it, read from the value (`__ad_off_<field>(&self)`, which
//! `#[differentiable]` calls on the whole struct, see `crate::structs::fields`).
//!
//! Such a struct's size is known at run time only: `dim(&self)` gives it, and `DIM` is a
//! compile-time error that says where a fixed size was needed.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::Field;

/// What the derive adds for a struct with `Vec` fields.
pub(super) struct Dynamic {
    /// The hidden `__ad_off_<field>(&self)` methods.
    pub methods: TokenStream,
    pub flatten: Vec<TokenStream>,
    pub with_flat: Vec<TokenStream>,
    pub add_flat: Vec<TokenStream>,
    /// The `DIM` constant's value: a compile-time error.
    pub dim_const: TokenStream,
    /// `dim(&self)` and `write_name_of(&self, ..)`.
    pub dim_fns: TokenStream,
}

/// The float of `Vec<f>` (`f64`/`f32`, also written `alloc::vec::Vec<f64>`), if `p` is one.
pub(super) fn element(p: &syn::TypePath) -> Option<&Ident> {
    let last = p.path.segments.last()?;
    if last.ident != "Vec" || p.qself.is_some() {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    match a.args.first() {
        Some(syn::GenericArgument::Type(t @ syn::Type::Path(e)))
            if a.args.len() == 1 && super::is_float(t) =>
        {
            e.path.get_ident()
        }
        _ => None,
    }
}

/// The parts for the `Vec` fields `fields` after a fixed part of `fixed` scalars, or `None`
/// without any.
pub(super) fn expand(
    fields: &[&Field],
    fixed: &TokenStream,
    name: &Ident,
    k: &syn::Path,
) -> Option<Dynamic> {
    if fields.is_empty() {
        return None;
    }
    let mut methods = Vec::new();
    let (mut flatten, mut with_flat, mut add_flat, mut names) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The offset of each `Vec` field: the fixed part, then the lengths before it.
    let mut before: Vec<TokenStream> = vec![quote!((#fixed))];
    for f in fields {
        let (m, key) = (&f.member, &f.key);
        let off = format_ident!("__ad_off_{}", key);
        let vis = &f.vis;
        methods.push(quote! {
            #[doc(hidden)]
            #[inline(always)]
            #vis fn #off(&self) -> usize {
                #(#before)+*
            }
        });
        let part = quote!(self.#off()..self.#off() + self.#m.len());
        flatten.push(quote!(out[#part].copy_from_slice(&self.#m);));
        with_flat.push(quote!(#m: flat[#part].to_vec()));
        add_flat.push(quote! {
            let __off = self.#off();
            for (a, b) in self.#m.iter_mut().zip(&flat[__off..]) { *a += *b; }
        });
        names.push(quote! {
            if (#part).contains(&k) {
                return ::core::write!(out, "{}[{}]", #key, k - self.#off());
            }
        });
        before.push(quote!(self.#m.len()));
    }
    let msg = format!(
        "`{name}` has `Vec` fields, so its number of active scalars is known at run time only (`Differentiable::dim(&value)`): it cannot be a field of another `Differentiable` struct, be built or returned inside a `#[differentiable]` function, or be flattened into an array (`FlatArray`); use `Flat` or a fixed-size array field `[f64; N]`"
    );
    let span = fields[0].span;
    Some(Dynamic {
        methods: quote!(#(#methods)*),
        flatten,
        with_flat,
        add_flat,
        dim_const: quote_spanned!(span=> ::core::panic!(#msg)),
        dim_fns: quote! {
            fn dim(&self) -> usize {
                #(#before)+*
            }
            fn write_name_of(&self, k: usize, out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                #(#names)*
                if k < #fixed {
                    return <Self as #k::Differentiable>::write_name(k, out);
                }
                ::core::write!(out, "#{}", k)
            }
        },
    })
}
