//! Field reads of flattened struct parameters, rewritten to offsets (see the parent module).

use proc_macro2::{Ident, Span};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

use super::{StructParam, SLICE_METHODS};

/// Rewrites `m.f`, `m.f[i]`, `m.f[i][j]`, `&m.f`, `&m.f[i]`, `m.f.len()`, `m.f[i].len()`.
pub(super) struct Fields<'p> {
    pub(super) params: &'p [StructParam],
    pub(super) errors: Vec<syn::Error>,
}

impl Fields<'_> {
    /// `(param, type, field key)` if `e` is `m.f` for a struct parameter `m`.
    fn field<'e>(
        &self,
        e: &'e syn::Expr,
    ) -> Option<(&Ident, &syn::Type, String, &'e syn::ExprField)> {
        let syn::Expr::Field(f) = crate::lower::strip_parens(e) else {
            return None;
        };
        let syn::Expr::Path(base) = crate::lower::strip_parens(&f.base) else {
            return None;
        };
        let id = base.path.get_ident()?;
        let p = self.params.iter().find(|p| p.name == *id)?;
        let key = match &f.member {
            syn::Member::Named(n) => n.to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        };
        Some((&p.name, &p.ty, key, f))
    }

    fn konst(ty: &syn::Type, what: &str, key: &str, span: Span) -> syn::Expr {
        let c = format_ident!("__AD_{}_{}", what, key, span = span);
        syn::parse_quote_spanned!(span=> <#ty>::#c)
    }

    /// The rewritten form of `e`, if it is one of the field forms.
    fn rewrite(&self, e: &syn::Expr) -> Option<syn::Expr> {
        use crate::lower::strip_parens;
        match strip_parens(e) {
            // `m.f.len()`, `m.f[i].len()`.
            syn::Expr::MethodCall(mc) if mc.method == "len" && mc.args.is_empty() => {
                if let Some((_, ty, key, f)) = self.field(&mc.receiver) {
                    return Some(Self::konst(ty, "ROWS", &key, f.member.span()));
                }
                if let syn::Expr::Index(ix) = strip_parens(&mc.receiver) {
                    if let Some((_, ty, key, f)) = self.field(&ix.expr) {
                        return Some(Self::konst(ty, "COLS", &key, f.member.span()));
                    }
                }
                None
            }
            // `m.f.iter()`, `m.f.windows(2)`, ...: on the field's elements (the user's function
            // type-checks the same chain on the real field, so a matrix field, whose items are
            // rows, cannot get here unnoticed: its rows used as slices fail to lower).
            syn::Expr::MethodCall(mc)
                if self.field(&mc.receiver).is_some()
                    && SLICE_METHODS.iter().any(|n| mc.method == n) =>
            {
                let (m, ty, key, f) = self.field(&mc.receiver)?;
                let span = f.member.span();
                let (off, len) = (
                    Self::konst(ty, "OFF", &key, span),
                    Self::konst(ty, "LEN", &key, span),
                );
                let mut call = mc.clone();
                *call.receiver = syn::parse_quote_spanned!(span=> #m[#off..#off + #len]);
                Some(syn::Expr::MethodCall(call))
            }
            // `m.f[i].iter()`, ...: on a row of a matrix field (only rows have slice methods).
            syn::Expr::MethodCall(mc)
                if SLICE_METHODS.iter().any(|n| mc.method == n)
                    && matches!(strip_parens(&mc.receiver), syn::Expr::Index(ix) if self.field(&ix.expr).is_some()) =>
            {
                let syn::Expr::Index(ix) = strip_parens(&mc.receiver) else {
                    return None;
                };
                let (m, ty, key, f) = self.field(&ix.expr)?;
                let span = f.member.span();
                let (off, cols) = (
                    Self::konst(ty, "OFF", &key, span),
                    Self::konst(ty, "COLS", &key, span),
                );
                let i = &ix.index;
                let mut call = mc.clone();
                *call.receiver = syn::parse_quote_spanned!(span=>
                    #m[#off + (#i) * #cols..#off + (#i) * #cols + #cols]);
                Some(syn::Expr::MethodCall(call))
            }
            // `m.g(..)`: a differentiable method of the struct, `T::g(m, ..)`.
            syn::Expr::MethodCall(mc) if mc.turbofish.is_none() => {
                let syn::Expr::Path(p) = strip_parens(&mc.receiver) else {
                    return None;
                };
                let id = p.path.get_ident()?;
                let sp = self.params.iter().find(|s| s.name == *id)?;
                let (ty, m, args) = (&sp.ty, &mc.method, &mc.args);
                let sep = (!args.is_empty()).then(|| quote!(,));
                Some(syn::parse_quote_spanned!(m.span()=> <#ty>::#m(#id #sep #args)))
            }
            // `&m.f`, `&m.f[i]`: views for helpers.
            syn::Expr::Reference(r) if r.mutability.is_none() => {
                if let Some((m, ty, key, f)) = self.field(&r.expr) {
                    let span = f.member.span();
                    let (off, len) = (
                        Self::konst(ty, "OFF", &key, span),
                        Self::konst(ty, "LEN", &key, span),
                    );
                    return Some(syn::parse_quote_spanned!(span=> &#m[#off..#off + #len]));
                }
                if let syn::Expr::Index(ix) = strip_parens(&r.expr) {
                    if let Some((m, ty, key, f)) = self.field(&ix.expr) {
                        let span = f.member.span();
                        let (off, cols) = (
                            Self::konst(ty, "OFF", &key, span),
                            Self::konst(ty, "COLS", &key, span),
                        );
                        let i = &ix.index;
                        return Some(syn::parse_quote_spanned!(span=>
                            &#m[#off + (#i) * #cols..#off + (#i) * #cols + #cols]));
                    }
                }
                None
            }
            syn::Expr::Index(outer) => {
                // `m.f[i][j]`.
                if let syn::Expr::Index(inner) = strip_parens(&outer.expr) {
                    if let Some((m, ty, key, f)) = self.field(&inner.expr) {
                        let span = f.member.span();
                        let (off, cols) = (
                            Self::konst(ty, "OFF", &key, span),
                            Self::konst(ty, "COLS", &key, span),
                        );
                        let (i, j) = (&inner.index, &outer.index);
                        return Some(
                            syn::parse_quote_spanned!(span=> #m[#off + (#i) * #cols + (#j)]),
                        );
                    }
                }
                // `m.f[i]`.
                if let Some((m, ty, key, f)) = self.field(&outer.expr) {
                    let span = f.member.span();
                    let off = Self::konst(ty, "OFF", &key, span);
                    let i = &outer.index;
                    return Some(syn::parse_quote_spanned!(span=> #m[#off + (#i)]));
                }
                None
            }
            // `m.f`: a scalar field.
            syn::Expr::Field(_) => {
                let (m, ty, key, f) = self.field(e)?;
                let span = f.member.span();
                let off = Self::konst(ty, "OFF", &key, span);
                Some(syn::parse_quote_spanned!(span=> #m[#off]))
            }
            _ => None,
        }
    }
}

impl VisitMut for Fields<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let Some(mut new) = self.rewrite(e) {
            // Indices may hold field reads too (`m.w[k][m.n]` is not supported, but `m.b[i]`
            // inside an index is).
            syn::visit_mut::visit_expr_mut(self, &mut new);
            *e = new;
            return;
        }
        // A field of a field: nested structs are flattened as a whole only.
        if let syn::Expr::Field(f) = e {
            if self.field(&f.base).is_some() {
                self.errors.push(syn::Error::new_spanned(
                    &f.member,
                    "`#[differentiable]` reads the fields of a struct parameter one level deep (`m.w[i]`), not the fields of a nested struct yet; move the inner fields into the outer struct, or pass the inner struct as its own parameter",
                ));
                return;
            }
        }
        // Writes to an active struct's fields.
        if let syn::Expr::Assign(a) = e {
            if self.field(&a.left).is_some() {
                self.errors.push(syn::Error::new_spanned(
                    &a.left,
                    "`#[differentiable]` struct parameters are read-only; copy the field into a local",
                ));
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}
