//! The flat value `__flat` (the function on its flattened struct parameters, for `objective`
//! and callers): calls in it that pass a struct on go to the callee's flat value too.

use proc_macro2::Ident;
use quote::{format_ident, ToTokens};
use syn::visit_mut::VisitMut;

use super::StructParam;

/// `g(.., m, ..)` with a struct parameter `m` passed: `g::__flat(..)`.
pub(super) struct FlatCalls<'p> {
    pub(super) params: &'p [StructParam],
    pub(super) krate: &'p syn::Path,
    pub(super) ft: &'p Ident,
}

impl FlatCalls<'_> {
    /// Whether `len`, a field part's length `<T>::__AD_LEN_f`, is a struct field's (a field
    /// the derive lists as a struct, of a parameter or a local; a field of a nested struct is
    /// taken for an array, as the whole-struct arguments do, see `passive`).
    fn nested_field(&self, len: &syn::Expr) -> bool {
        let s = len.to_token_stream().to_string();
        self.params
            .iter()
            .flat_map(|p| &p.nested)
            .any(|f| s.ends_with(&format!("__AD_LEN_{f}")) && !s.contains("Field"))
    }
}

impl VisitMut for FlatCalls<'_> {
    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        syn::visit_mut::visit_local_mut(self, l);
        // `let p: [f; <T as Differentiable>::DIM] = g(..);` (a struct `g` returns): `g`'s flat
        // value.
        let syn::Pat::Type(pt) = &l.pat else { return };
        if !super::is_flat_struct(&pt.ty) {
            return;
        }
        if let Some(syn::Expr::Call(c)) = l.init.as_mut().map(|i| &mut *i.expr) {
            // (A method, `<T>::g(&p, ..)`, is renamed with the block's methods; a call passing a
            // struct is renamed already.)
            let renamed = c.func.to_token_stream().to_string().contains("__flat");
            if !renamed && matches!(&*c.func, syn::Expr::Path(p) if p.qself.is_none()) {
                let path = crate::emit::callee_item(&c.func, &format_ident!("__flat"));
                *c.func = syn::parse_quote!(#path);
            }
        }
    }

    fn visit_expr_call_mut(&mut self, c: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, c);
        // `m` for a parameter, `&p` for a local (or `&m`).
        let passes_struct = c.args.iter().any(|a| match crate::lower::strip_parens(a) {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| self.params.iter().any(|s| s.name == *i && !s.local)),
            syn::Expr::Reference(r) => {
                matches!(crate::lower::strip_parens(&r.expr), syn::Expr::Path(p)
                if p.path.get_ident().is_some_and(|i| self.params.iter().any(|s| s.name == *i)))
            }
            _ => false,
        }) || matches!(&*c.func, syn::Expr::Path(p)
            if p.qself.as_ref().is_some_and(|q| q.ty.to_token_stream().to_string().contains("Field")));
        // (`<<T as Field<h>>::Ty>::g(&m[..], ..)`: a method of a nested struct field, whose
        // receiver is a struct; not the projection of its whole, `<T>::__ad_part_f(..)`.)
        if passes_struct && matches!(&*c.func, syn::Expr::Path(_)) {
            let path = crate::emit::callee_item(&c.func, &format_ident!("__flat"));
            *c.func = syn::parse_quote!(#path);
        }
        // A field's part `&m[a..a + N]` (an array or nested struct field, a matrix row) goes as
        // `&[f; N]`, like the field itself.
        let mut views = 0u64;
        for (pos, a) in c.args.iter_mut().enumerate() {
            let syn::Expr::Reference(r) = crate::lower::strip_parens(a) else {
                continue;
            };
            let syn::Expr::Index(ix) = crate::lower::strip_parens(&r.expr) else {
                continue;
            };
            let of_struct = matches!(crate::lower::strip_parens(&ix.expr), syn::Expr::Path(p)
                if p.path.get_ident().is_some_and(|i| self.params.iter().any(|s| s.name == *i)));
            let syn::Expr::Range(range) = crate::lower::strip_parens(&ix.index) else {
                continue;
            };
            let len = match (range.start.as_deref(), range.end.as_deref()) {
                (Some(lo), Some(syn::Expr::Binary(b)))
                    if matches!(b.op, syn::BinOp::Add(_))
                        && b.left.to_token_stream().to_string()
                            == lo.to_token_stream().to_string() =>
                {
                    b.right.clone()
                }
                _ => continue,
            };
            // (A `Vec` field's length is read at run time, `w.len()`: it goes as a slice.)
            let dynamic = matches!(
                crate::lower::strip_parens(&len),
                syn::Expr::MethodCall(_) | syn::Expr::Cast(_)
            );
            if of_struct && r.mutability.is_none() && !dynamic {
                let k = &self.krate;
                let view = a.clone();
                // (Only a struct field's part may be a struct: `&m.inner`, by the derive's list.
                // An array field or a row goes to the helper as written, an array.)
                if self.nested_field(&len) {
                    views |= 1 << pos;
                }
                *a = syn::parse_quote!(#k::__private::fixed::<_, { #len }>(#view));
            }
        }
        // The callee may take a nested struct there (`helper(&m.inner)`), which only its
        // variants take flattened: the value variant for exactly these arrays, on floats. (Its
        // array parameters take the part as they would the field.)
        if views != 0 && !passes_struct && matches!(&*c.func, syn::Expr::Path(_)) {
            let ft = self.ft;
            let path = crate::emit::callee_item(&c.func, &format_ident!("__val_m{}", views));
            *c.func = syn::parse_quote!(#path::<#ft>);
        }
    }
}
