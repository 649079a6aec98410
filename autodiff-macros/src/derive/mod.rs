//! `#[derive(Differentiable)]`: parameter structs (see the runtime's `Differentiable`).
//!
//! Besides the trait, the derive emits hidden associated constants that `#[differentiable]`
//! functions use to read fields of a flattened struct parameter (`m.w1[i][j]` becomes
//! `m[T::__AD_OFF_w1 + i * T::__AD_COLS_w1 + j]`, see [`crate::structs`]): for each active field
//! its offset, its number of scalars, its `.len()` and the `.len()` of its rows.

mod fixed;
mod vecs;

use proc_macro2::{Ident, TokenStream};
use quote::{quote, ToTokens};

/// What a field holds.
enum Kind {
    Scalar,
    /// `[f; n]`.
    Array(TokenStream),
    /// `[[f; cols]; rows]`.
    Matrix(TokenStream, TokenStream),
    /// Another `Differentiable` struct.
    Nested(Box<syn::Type>),
    /// `Vec<f>`: flattened after the fixed-size fields, its size known at run time (see
    /// [`vecs`]).
    Vec,
    /// `#[passive]`: cloned, not differentiated.
    Passive,
}

struct Field {
    member: syn::Member,
    /// For the constants' names: the field name, or its index.
    key: String,
    kind: Kind,
    ty: syn::Type,
    /// The field's name (or type, for tuple structs), where messages about it point.
    span: proc_macro2::Span,
    vis: syn::Visibility,
}

pub fn derive(input: TokenStream, krate: &syn::Path) -> TokenStream {
    let item: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    match expand(&item, krate) {
        Ok(t) => t,
        Err(e) => e.to_compile_error(),
    }
}

fn expand(item: &syn::DeriveInput, k: &syn::Path) -> syn::Result<TokenStream> {
    let syn::Data::Struct(data) = &item.data else {
        return Err(syn::Error::new_spanned(
            &item.ident,
            "`#[derive(Differentiable)]` supports structs (with named or unnamed fields); write the parameters as a struct",
        ));
    };
    let (fields, float) = fields_of(data)?;
    // The float type: the floats' own, or a nested struct's when only structs are active.
    let nested = fields.iter().find_map(|f| match &f.kind {
        Kind::Nested(t) => Some((**t).clone()),
        _ => None,
    });
    let ft: TokenStream = match (&float, &nested) {
        (Some(f), _) => quote!(#f),
        (None, Some(t)) => quote!(<#t as #k::Differentiable>::Float),
        (None, None) => {
            return Err(syn::Error::new_spanned(
                &item.ident,
                "`#[derive(Differentiable)]` needs at least one active float field (`f64`, `[f64; N]`, `[[f64; N]; M]` or another `Differentiable` struct)",
            ))
        }
    };
    let name = &item.ident;
    let (ig, tg, wc) = item.generics.split_for_impl();
    let fixed::Fixed {
        mut consts,
        mut flatten,
        mut with_flat,
        mut add_flat,
        names,
        field_impls,
        total,
    } = fixed::expand(item, &fields, k);
    // `Vec` fields after the fixed part; their struct's size is known at run time.
    let vec_fields: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Vec))
        .collect();
    let dynamic = vecs::expand(&vec_fields, &total, &item.ident, k);
    if let Some(d) = &dynamic {
        consts.push(d.methods.clone());
        flatten.extend(d.flatten.iter().cloned());
        with_flat.extend(d.with_flat.iter().cloned());
        add_flat.extend(d.add_flat.iter().cloned());
    }
    // (Tuple structs too: `Self { 0: .., 1: .. }` is valid Rust.)
    let build = quote!(Self { #(#with_flat),* });
    let passive: Vec<String> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Passive))
        .map(|f| f.key.clone())
        .collect();
    let nested: Vec<String> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Nested(_)))
        .map(|f| f.key.clone())
        .collect();
    let vec_names: Vec<String> = vec_fields.iter().map(|f| f.key.clone()).collect();
    let layout =
        crate::layout::derive_macro(item, &passive, &nested, &vec_names, float.as_ref(), k);
    let check_len = quote! {
        assert!(
            flat.len() >= <Self as #k::Differentiable>::dim(self),
            "a flat vector of {} values for a `Differentiable` struct of {}",
            flat.len(),
            <Self as #k::Differentiable>::dim(self)
        );
    };
    // The size: a constant, or (`Vec` fields) a compile-time error and `dim` at run time.
    let (dim_const, dim_fns) = match &dynamic {
        None => (total.clone(), quote!()),
        Some(d) => (d.dim_const.clone(), d.dim_fns.clone()),
    };
    Ok(quote! {
        #layout

        #[allow(non_upper_case_globals, clippy::all, clippy::pedantic)]
        impl #ig #name #tg #wc {
            #(#consts)*
        }

        #(#field_impls)*

        #[automatically_derived]
        #[allow(clippy::all, clippy::pedantic)]
        impl #ig #k::Differentiable for #name #tg #wc {
            type Float = #ft;
            const DIM: usize = #dim_const;
            #dim_fns
            fn flatten_into(&self, out: &mut [#ft]) {
                let flat_len = out.len();
                assert!(
                    flat_len >= <Self as #k::Differentiable>::dim(self),
                    "a flat vector of {} values for a `Differentiable` struct of {}",
                    flat_len,
                    <Self as #k::Differentiable>::dim(self)
                );
                #(#flatten)*
            }
            fn with_flat(&self, flat: &[#ft]) -> Self {
                #check_len
                #build
            }
            fn add_flat(&mut self, flat: &[#ft]) {
                #check_len
                #(#add_flat)*
            }
            fn write_name(k: usize, out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                #(#names)*
                ::core::write!(out, "#{}", k)
            }
        }
    })
}

/// The struct's fields, classified, and the float type of its active float fields (if any).
fn fields_of(data: &syn::DataStruct) -> syn::Result<(Vec<Field>, Option<Ident>)> {
    let mut float: Option<Ident> = None;
    let mut fields = Vec::new();
    for (i, f) in data.fields.iter().enumerate() {
        let (member, key) = match &f.ident {
            Some(id) => (syn::Member::Named(id.clone()), id.to_string()),
            None => (syn::Member::Unnamed(i.into()), i.to_string()),
        };
        let passive = f.attrs.iter().any(|a| a.path().is_ident("passive"));
        let kind = if passive {
            Kind::Passive
        } else {
            classify(&f.ty, &mut float)?
        };
        fields.push(Field {
            member,
            key,
            kind,
            span: match &f.ident {
                Some(i) => i.span(),
                None => syn::spanned::Spanned::span(&f.ty),
            },
            ty: f.ty.clone(),
            vis: f.vis.clone(),
        });
    }
    Ok((fields, float))
}

/// The kind of an active field's type, checking that every float is the same type.
fn classify(ty: &syn::Type, float: &mut Option<Ident>) -> syn::Result<Kind> {
    let mut same = |id: &Ident| -> syn::Result<()> {
        match float {
            Some(f) if f != id => Err(syn::Error::new_spanned(
                id,
                format!("`#[derive(Differentiable)]` needs one float type for all active fields (found `{f}` and `{id}`); mark the other fields `#[passive]`"),
            )),
            _ => {
                *float = Some(id.clone());
                Ok(())
            }
        }
    };
    match ty {
        syn::Type::Path(p) if is_float(ty) => {
            same(p.path.get_ident().expect("a float"))?;
            Ok(Kind::Scalar)
        }
        syn::Type::Array(a) => match &*a.elem {
            e if is_float(e) => {
                if let syn::Type::Path(p) = e {
                    same(p.path.get_ident().expect("a float"))?;
                }
                Ok(Kind::Array(a.len.to_token_stream()))
            }
            syn::Type::Array(inner) if is_float(&inner.elem) => {
                if let syn::Type::Path(p) = &*inner.elem {
                    same(p.path.get_ident().expect("a float"))?;
                }
                Ok(Kind::Matrix(
                    inner.len.to_token_stream(),
                    a.len.to_token_stream(),
                ))
            }
            _ => Err(unsupported(ty)),
        },
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last().map(|s| s.ident.to_string());
            if let Some(f) = vecs::element(p) {
                same(f)?;
                return Ok(Kind::Vec);
            }
            if matches!(last.as_deref(), Some("Vec" | "String" | "Box" | "Option")) {
                return Err(unsupported(ty));
            }
            if is_int(ty) || last.as_deref() == Some("bool") {
                return Err(unsupported(ty));
            }
            Ok(Kind::Nested(Box::new(ty.clone())))
        }
        _ => Err(unsupported(ty)),
    }
}

fn unsupported(ty: &syn::Type) -> syn::Error {
    syn::Error::new_spanned(
        ty,
        "`#[derive(Differentiable)]` supports active fields of type `f64`/`f32`, `[f; N]`, `[[f; N]; M]`, `Vec<f>` and other `Differentiable` structs; mark other fields `#[passive]` (they are cloned, not differentiated)",
    )
}

/// The name hash that keys the derive's `Field` impls (FNV-1a, 64 bits): the same in the
/// derive and in `#[differentiable]`.
pub fn field_hash(name: &str) -> proc_macro2::Literal {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    proc_macro2::Literal::u64_suffixed(h)
}

fn is_float(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && (p.path.is_ident("f64") || p.path.is_ident("f32")))
}

fn is_int(ty: &syn::Type) -> bool {
    const INTS: [&str; 12] = [
        "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
    ];
    matches!(ty, syn::Type::Path(p) if p.path.get_ident().is_some_and(|i| INTS.contains(&i.to_string().as_str())))
}
