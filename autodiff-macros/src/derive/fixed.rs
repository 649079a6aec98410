//! The fixed-size fields (floats, arrays, matrices, nested structs) and the passive ones: their
//! hidden constants (offsets, lengths, the messages of unsupported reads), their parts of
//! flatten / `with_flat` / `add_flat`, and their names.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use super::{field_hash, Field, Kind};

/// What the derive writes for the fixed-size and passive fields.
pub(super) struct Fixed {
    pub consts: Vec<TokenStream>,
    pub flatten: Vec<TokenStream>,
    pub with_flat: Vec<TokenStream>,
    pub add_flat: Vec<TokenStream>,
    pub names: Vec<TokenStream>,
    pub field_impls: Vec<TokenStream>,
    /// Their number of active scalars (a constant expression).
    pub total: TokenStream,
}

/// The parts for `fields` of `item` (its `Vec` fields are skipped: see [`super::vecs`]).
pub(super) fn expand(item: &syn::DeriveInput, fields: &[Field], k: &syn::Path) -> Fixed {
    let name = &item.ident;
    let (ig, tg, wc) = item.generics.split_for_impl();
    let mut consts = Vec::new();
    let mut dim = vec![quote!(0usize)];
    let mut flatten = Vec::new();
    let mut with_flat = Vec::new();
    let mut add_flat = Vec::new();
    let mut names = Vec::new();
    let mut field_impls = Vec::new();
    let off_of = |dim: &[TokenStream]| quote!(#(#dim)+*);
    for f in fields {
        let m = &f.member;
        let off = off_of(&dim);
        // Scalars in the field, `.len()` of the field, `.len()` of one of its rows.
        let (len, rows, cols) = match &f.kind {
            Kind::Passive => {
                with_flat.push(quote!(#m: ::core::clone::Clone::clone(&self.#m)));
                consts.push(passive_consts(f, name));
                continue;
            }
            Kind::Vec => continue,
            Kind::Scalar => (quote!(1usize), quote!(1usize), quote!(1usize)),
            Kind::Array(n) => (quote!(#n), quote!(#n), quote!(1usize)),
            Kind::Matrix(c, r) => (quote!((#r * #c)), quote!(#r), quote!(#c)),
            Kind::Nested(t) => {
                // (Spanned at the field's type: a struct with `Vec` fields stops the build
                // there, see `vecs`.)
                let d = quote_spanned!(syn::spanned::Spanned::span(&**t)=> <#t as #k::Differentiable>::DIM);
                (d.clone(), d, quote!(1usize))
            }
        };
        let (co, cl, cr, cc, cs) = (
            format_ident!("__AD_OFF_{}", f.key),
            format_ident!("__AD_LEN_{}", f.key),
            format_ident!("__AD_ROWS_{}", f.key),
            format_ident!("__AD_COLS_{}", f.key),
            format_ident!("__AD_SCALAR_{}", f.key, span = f.span),
        );
        // The offset of a scalar field, for a struct literal's field value that
        // `#[differentiable]` writes as one float (see `crate::structs::literals`); any other
        // field stops the build with a message at the field.
        let scalar = scalar_const(f, &co, name);
        let (h, fty) = (field_hash(&f.key), &f.ty);
        if let Kind::Nested(t) = &f.kind {
            // The nested struct's whole, for a call passing it on (`helper(&m.inner)`, see
            // `crate::structs::passive`); as visible as the field.
            let (part, vis) = (format_ident!("__ad_part_{}", f.key), &f.vis);
            consts.push(quote! {
                #[doc(hidden)]
                #[inline(always)]
                #vis fn #part(w: #k::__private::Whole<'_, Self>) -> #k::__private::Whole<'_, #t> {
                    w.part(|s| &s.#m)
                }
            });
        }
        field_impls.push(quote! {
            impl #ig #k::__private::Field<#h> for #name #tg #wc {
                type Ty = #fty;
            }
        });
        consts.push(quote! {
            #[doc(hidden)]
            pub const #co: usize = #off;
            #[doc(hidden)]
            pub const #cl: usize = #len;
            #[doc(hidden)]
            pub const #cr: usize = #rows;
            #[doc(hidden)]
            pub const #cc: usize = #cols;
            #[doc(hidden)]
            pub const #cs: usize = #scalar;
        });
        let at = quote!((Self::#co..Self::#co + Self::#cl).contains(&k));
        names.push(name_of(f, k, &at));
        let (fl, wf, af) = parts(f, k);
        flatten.push(fl);
        with_flat.push(wf);
        add_flat.push(af);
        dim.push(len);
    }
    let total = off_of(&dim);
    Fixed {
        consts,
        flatten,
        with_flat,
        add_flat,
        names,
        field_impls,
        total,
    }
}

/// The hidden constants of a passive field: a `#[differentiable]` function reads passive fields
/// from its struct parameters' wholes (see `crate::structs::passive`); one read elsewhere
/// (through a nested struct field, or of a struct built inside) stops the build with this
/// message, and so does setting one in a struct built inside.
fn passive_consts(f: &Field, name: &syn::Ident) -> TokenStream {
    let co = format_ident!("__AD_OFF_{}", f.key, span = f.span);
    let msg = format!(
        "`#[differentiable]` reads the passive field `{f}` of `{name}` only directly from a struct parameter (`m.{f}`, `self.{f}`), not through a field of another struct (`m.inner.{f}`) or from a struct built inside the function: read it in a method of `{name}` or a `#[differentiable]` function taking `&{name}` (`m.inner.method()`, `helper(&m.inner)`), or pass the value as an argument",
        f = f.key,
    );
    let cs = format_ident!("__AD_SCALAR_{}", f.key, span = f.span);
    let set = format!(
        "`#[differentiable]` cannot set the passive field `{}` of `{name}` in a struct built inside a function it differentiates: only the active fields are kept; build the struct outside, or make the field active",
        f.key,
    );
    quote_spanned! {f.span=>
        #[doc(hidden)]
        pub const #co: usize = ::core::panic!(#msg);
        #[doc(hidden)]
        pub const #cs: usize = ::core::panic!(#set);
    }
}

/// The offset of a scalar field (`co`), for a struct literal's field value that
/// `#[differentiable]` writes as one float (see `crate::structs::literals`); any other field
/// stops the build with a message at the field.
fn scalar_const(f: &Field, co: &syn::Ident, name: &syn::Ident) -> TokenStream {
    if let Kind::Scalar = f.kind {
        return quote!(Self::#co);
    }
    let msg = format!(
        "`#[differentiable]` builds the field `{}` of `{name}` from a value it takes for one float, but the field holds {}: write the value as an array literal (`[a, b]`), a named array local (`let v: [f64; N] = ..`) or a field of the same kind",
        f.key,
        if matches!(f.kind, Kind::Nested(_)) { "a struct" } else { "an array" },
    );
    quote_spanned!(f.span=> ::core::panic!(#msg))
}

/// `write_name`'s branch for the field: its name when `k` is within it (`at`).
fn name_of(f: &Field, k: &syn::Path, at: &TokenStream) -> TokenStream {
    let key = &f.key;
    let (co, cc) = (
        format_ident!("__AD_OFF_{}", f.key),
        format_ident!("__AD_COLS_{}", f.key),
    );
    match &f.kind {
        Kind::Scalar => quote!(if #at { return out.write_str(#key); }),
        Kind::Array(_) => {
            quote!(if #at { return ::core::write!(out, "{}[{}]", #key, k - Self::#co); })
        }
        Kind::Matrix(..) => quote!(if #at {
            let i = k - Self::#co;
            return ::core::write!(out, "{}[{}][{}]", #key, i / Self::#cc, i % Self::#cc);
        }),
        Kind::Nested(t) => quote!(if #at {
            ::core::write!(out, "{}.", #key)?;
            return <#t as #k::Differentiable>::write_name(k - Self::#co, out);
        }),
        Kind::Passive | Kind::Vec => quote!(),
    }
}

/// The field's parts of `flatten_into`, `with_flat` and `add_flat`.
fn parts(f: &Field, k: &syn::Path) -> (TokenStream, TokenStream, TokenStream) {
    let m = &f.member;
    let (co, cl, cc) = (
        format_ident!("__AD_OFF_{}", f.key),
        format_ident!("__AD_LEN_{}", f.key),
        format_ident!("__AD_COLS_{}", f.key),
    );
    let part = quote!(flat[Self::#co..Self::#co + Self::#cl]);
    let part_mut = quote!(out[Self::#co..Self::#co + Self::#cl]);
    match &f.kind {
        Kind::Scalar => (
            quote!(out[Self::#co] = self.#m;),
            quote!(#m: flat[Self::#co]),
            quote!(self.#m += flat[Self::#co];),
        ),
        Kind::Array(_) => (
            quote!(#part_mut.copy_from_slice(&self.#m);),
            quote!(#m: ::core::array::from_fn(|i| flat[Self::#co + i])),
            quote!(for (a, b) in self.#m.iter_mut().zip(&#part) { *a += *b; }),
        ),
        Kind::Matrix(..) => (
            quote!(#part_mut.copy_from_slice(self.#m.as_flattened());),
            quote!(#m: ::core::array::from_fn(|i| ::core::array::from_fn(|j| flat[Self::#co + i * Self::#cc + j]))),
            quote!(for (a, b) in self.#m.as_flattened_mut().iter_mut().zip(&#part) { *a += *b; }),
        ),
        Kind::Nested(t) => (
            quote!(<#t as #k::Differentiable>::flatten_into(&self.#m, &mut #part_mut);),
            quote!(#m: <#t as #k::Differentiable>::with_flat(&self.#m, &#part)),
            quote!(<#t as #k::Differentiable>::add_flat(&mut self.#m, &#part);),
        ),
        Kind::Passive | Kind::Vec => unreachable!("skipped by the caller"),
    }
}
