//! The flat struct parameters of the entry points, and their flat results turned into
//! structs.

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use crate::structs::StructParam;

/// The flattened struct parameters of the entry points.
pub(super) struct FlatParams<'a> {
    pub(super) params: &'a [StructParam],
    /// Their flat types (`[f; DIM]`, or `[f]` for a struct with `Vec` fields).
    pub(super) tys: &'a [syn::Type],
    /// The active parameters flattened into slices, in order: a struct with `Vec` fields (its
    /// index in `params`) or a slice of the user's (`None`). Their gradients are the `Vec`s
    /// of the entry points' results, in this order (see [`convert`]).
    pub(super) slices: Vec<Option<usize>>,
    /// The function has one active parameter.
    pub(super) alone: bool,
}

/// The active parameters of `item` whose entry points take and return them as slices and
/// `Vec`s: slices and `Vec`s of the user's, and structs with `Vec` fields.
pub(super) fn slice_params(
    item: &syn::ItemFn,
    active: &[Ident],
    params: &[StructParam],
) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for a in &item.sig.inputs {
        let syn::FnArg::Typed(t) = a else { continue };
        let syn::Pat::Ident(pi) = &*t.pat else {
            continue;
        };
        if !active.contains(&pi.ident) {
            continue;
        }
        if let Some(i) = params
            .iter()
            .position(|p| p.name == pi.ident && p.dynamic())
        {
            out.push(Some(i));
            continue;
        }
        let syn::Type::Reference(r) = &*t.ty else {
            continue;
        };
        let vec = matches!(&*r.elem, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Vec"));
        if vec || matches!(&*r.elem, syn::Type::Slice(_)) {
            out.push(None);
        }
    }
    out
}

/// Whether a parameter's type is (a reference to) one of the flat struct arrays.
pub(super) fn takes_flat(sig: &syn::Signature, flats: &FlatParams) -> bool {
    sig.inputs.iter().any(|a| match a {
        syn::FnArg::Typed(t) => match &*t.pat {
            syn::Pat::Ident(pi) => flat_index(&pi.ident, &t.ty, flats).is_some(),
            _ => false,
        },
        _ => false,
    })
}

/// `Some((k, mutable))` if the entry point's parameter `name: ty` is the flat struct `k`:
/// `&[f; DIM_k]` / `&mut [f; DIM_k]`, or for a struct with `Vec` fields `m` a slice named after
/// it (`m`, its tangent `dm`, its direction `vm`, its adjoint `m_bar`).
pub(super) fn flat_index(
    name: &Ident,
    ty: &syn::Type,
    flats: &FlatParams,
) -> Option<(usize, bool)> {
    let syn::Type::Reference(r) = ty else {
        return None;
    };
    let s = r.elem.to_token_stream().to_string();
    let n = name.to_string();
    flats
        .tys
        .iter()
        .zip(flats.params)
        .position(|(f, p)| {
            let m = p.name.to_string();
            f.to_token_stream().to_string() == s
                && (!p.dynamic()
                    || [
                        m.clone(),
                        format!("d{m}"),
                        format!("v{m}"),
                        format!("{m}_bar"),
                    ]
                    .contains(&n))
        })
        .map(|k| (k, r.mutability.is_some()))
}

/// How [`Convert::convert`] turns flat results into structs.
pub(super) struct Convert<'a> {
    pub(super) flat_tys: &'a [syn::Type],
    pub(super) params: &'a [StructParam],
    /// The struct argument of each parameter's type, whose passive fields results take.
    pub(super) templates: &'a [Option<Ident>],
    /// The function's own struct result type's flat tokens, and its template.
    pub(super) own: Option<(&'a str, &'a Ident)>,
    /// The active slices (see [`FlatParams::slices`]): the `Vec`s of the result cycle through
    /// them.
    pub(super) slices: &'a [Option<usize>],
    pub(super) k: &'a syn::Path,
}

impl Convert<'_> {
    /// Rewrites the flat struct types in `ty` to the structs and returns the expression that
    /// converts `value` (of the old type) to the new one; `vecs` counts the `Vec`s passed.
    pub(super) fn convert(
        &self,
        ty: &mut syn::Type,
        value: TokenStream,
        vecs: &mut usize,
    ) -> TokenStream {
        let k = self.k;
        let s = ty.to_token_stream().to_string();
        // The function's own result type: from the user's function's value.
        if let Some((flat, tpl)) = self.own {
            if s == flat {
                let sty = &self
                    .params
                    .last()
                    .expect("the result's pseudo-parameter")
                    .ty;
                let span = sty.span();
                *ty = sty.clone();
                return quote_spanned!(span=> #k::Differentiable::with_flat(&#tpl, &#value));
            }
        }
        // `Vec<f>`, not a Hessian's `Vec<Vec<f>>`.
        fn vec_of(t: &syn::Type) -> Option<&syn::PathArguments> {
            match t {
                syn::Type::Path(p) if p.qself.is_none() => p
                    .path
                    .segments
                    .last()
                    .filter(|s| s.ident == "Vec")
                    .map(|s| &s.arguments),
                _ => None,
            }
        }
        let is_vec = match vec_of(ty) {
            Some(syn::PathArguments::AngleBracketed(a)) => !a
                .args
                .iter()
                .any(|g| matches!(g, syn::GenericArgument::Type(e) if vec_of(e).is_some())),
            _ => false,
        };
        if is_vec && !self.slices.is_empty() {
            // A slice's gradient (or Hessian-vector product): a struct's, if it is one.
            let j = self.slices[*vecs % self.slices.len()];
            *vecs += 1;
            if let Some(t) = j.and_then(|i| self.templates[i].as_ref().map(|t| (i, t))) {
                let sty = &self.params[t.0].ty;
                let (span, tpl) = (sty.span(), t.1);
                *ty = sty.clone();
                return quote_spanned!(span=> #k::Differentiable::with_flat(#tpl, &#value));
            }
            return value;
        }
        if let Some(i) = self
            .flat_tys
            .iter()
            .zip(self.params)
            .position(|(f, p)| !p.dynamic() && f.to_token_stream().to_string() == s)
        {
            if let Some(t) = &self.templates[i] {
                let sty = &self.params[i].ty;
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
                    self.convert(e, quote!(#value.#idx), vecs)
                })
                .collect();
            return quote!((#(#parts,)*));
        }
        value
    }
}
