//! What the struct expansion reads from the signature: parameter names, `wrt(..)`, which
//! types are structs, the float type, the flattened types.

use proc_macro2::{Ident, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;

/// The names of the parameters bound to an identifier, in order.
pub(super) fn param_names(sig: &syn::Signature) -> Vec<Ident> {
    sig.inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(pi) => Some(pi.ident.clone()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

/// Whether a parameter is a reference to a struct (`m: &Pose`).
pub(super) fn takes_struct(item: &syn::ItemFn) -> bool {
    item.sig.inputs.iter().any(|a| {
        matches!(a, syn::FnArg::Typed(t) if matches!(&*t.ty, syn::Type::Reference(r) if is_struct(&r.elem)))
    })
}

/// The names in `wrt(..)`, if the attribute has them.
pub(super) fn wrt_names(attr: &TokenStream) -> Option<Vec<Ident>> {
    let mut cx = crate::ctxt::Ctxt::default();
    crate::args::parse(attr.clone(), &mut cx).wrt
}

/// A named type that is not a float, integer, `Vec`, array or slice: a struct.
pub(super) fn is_struct(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    if p.qself.is_some() {
        return false;
    }
    let last = p.path.segments.last().map(|s| s.ident.to_string());
    !matches!(
        last.as_deref(),
        Some(
            "f64"
                | "f32"
                | "Vec"
                | "usize"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "bool"
                | "str"
                | "String"
                | "Option"
                | "Box"
                | "Rc"
                | "Arc"
                | "Cow"
                | "VecDeque"
                | "HashMap"
                | "BTreeMap"
                | "Self"
        ) | None
    )
}

/// The function's float type: its return type, or a float parameter's.
pub(super) fn float_type(item: &syn::ItemFn) -> Option<Ident> {
    fn first(tokens: TokenStream) -> Option<Ident> {
        tokens.into_iter().find_map(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) if i == "f64" || i == "f32" => Some(i),
            // Inside `[f64; 3]`, `(f64, usize)`.
            proc_macro2::TokenTree::Group(g) => first(g.stream()),
            _ => None,
        })
    }
    let mut found = None;
    let mut look = |ty: &syn::Type| {
        if found.is_none() {
            found = first(ty.to_token_stream());
        }
    };
    if let syn::ReturnType::Type(_, t) = &item.sig.output {
        look(t);
    }
    for a in &item.sig.inputs {
        if let syn::FnArg::Typed(t) = a {
            look(&t.ty);
        }
    }
    found
}

/// Whether `ty` is a flattened struct parameter's type as [`flat_ty`] writes it,
/// `&[f; <T as Differentiable>::DIM]` (how the emitters recognise one in the flat function).
pub fn is_flat_struct(ty: &syn::Type) -> bool {
    ty.to_token_stream()
        .to_string()
        .contains("Differentiable > :: DIM")
}

/// Whether an array length is a flattened struct's, `<T as Differentiable>::DIM` (a struct
/// built in the function, see [`literals`]).
pub fn is_flat_len(len: &TokenStream) -> bool {
    len.to_string().contains("Differentiable > :: DIM")
}

/// `[f; <T as Differentiable>::DIM]`, spanned at `T` (where a missing derive is reported).
pub(super) fn flat_ty(ty: &syn::Type, ft: &Ident, k: &syn::Path) -> syn::Type {
    let span = ty.span();
    syn::parse_quote_spanned!(span=> [#ft; <#ty as #k::Differentiable>::DIM])
}

/// `T` if `ty` is `Whole<'_, T>`: the whole struct a flattened struct parameter comes with (see
/// [`super::passive`]), a shared reference to it for `objective` and the lowering.
pub fn whole_target(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Whole" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}
