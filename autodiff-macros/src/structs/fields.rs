//! Field reads of flattened struct parameters, rewritten to offsets (see the parent module).

use proc_macro2::{Ident, Span};
use quote::{format_ident, quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

use super::passive::{whole_name, StructCall};
use super::{StructParam, SLICE_METHODS};
use crate::layout::Layout;

/// Rewrites `m.f`, `m.f[i]`, `m.f[i][j]`, `&m.f`, `&m.f[i]`, `m.f.len()`, `m.f[i].len()`.
pub(super) struct Fields<'p> {
    pub(super) params: &'p [StructParam],
    pub(super) errors: Vec<syn::Error>,
    /// The facade's path (for the derive's `Field` impls).
    pub(super) krate: syn::Path,
    /// What the derive says of each struct parameter's type: its passive fields and its
    /// struct fields (see [`crate::layout`]).
    pub(super) layouts: &'p [(Ident, Layout)],
    /// Whether passive fields are read: from the whole struct, passed after the flat one as a
    /// parameter of its own ([`whole_name`]).
    pub(super) reads_passive: bool,
    /// The calls passing a struct on (see [`super::passive::reads_passive_checks`]).
    pub(super) struct_calls: Vec<StructCall>,
}

impl Fields<'_> {
    /// `(param, owner type, field key, the field expression, offset of the owner)` if `e` is
    /// `m.f` for a struct parameter `m`, or `m.a.b.f` through nested structs (the owner is then
    /// `<<T as Field<a>>::Ty as Field<b>>::Ty`, from the derive's field-type impls, and its
    /// offset the sum of the outer fields' offsets).
    #[allow(clippy::type_complexity)]
    pub(super) fn field<'e>(
        &self,
        e: &'e syn::Expr,
    ) -> Option<(
        &Ident,
        syn::Type,
        String,
        &'e syn::ExprField,
        Option<syn::Expr>,
    )> {
        let syn::Expr::Field(f) = crate::lower::strip_parens(e) else {
            return None;
        };
        if self.passive_field(f).is_some() {
            return None;
        }
        let key = match &f.member {
            syn::Member::Named(n) => n.to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        };
        match crate::lower::strip_parens(&f.base) {
            syn::Expr::Path(base) => {
                let id = base.path.get_ident()?;
                let p = self.params.iter().find(|p| p.name == *id)?;
                Some((&p.name, p.ty.clone(), key, f, None))
            }
            // `m.a.f`: the owner of `f` is the type of `m.a`.
            inner @ syn::Expr::Field(_) => {
                let (m, ty, k, g, base) = self.field(inner)?;
                let span = g.member.span();
                let off = self.off(m, &ty, &k, span, &base);
                let h = crate::derive::field_hash(&k);
                let kr = &self.krate;
                let owner: syn::Type =
                    syn::parse_quote_spanned!(span=> <#ty as #kr::__private::Field<#h>>::Ty);
                Some((m, owner, key, f, Some(off)))
            }
            _ => None,
        }
    }

    /// Whether `e` is a field of a struct parameter (`m.w`, `m.inner.w`).
    pub(super) fn field_ref(&self, e: &syn::Expr) -> bool {
        self.field(e).is_some()
    }

    /// The rows of the matrix field `e` in the flattened parameter:
    /// `m[off..off + len].chunks_exact(cols)`.
    pub(super) fn rows(&self, e: &syn::Expr) -> Option<syn::Expr> {
        let (m, ty, key, f, base) = self.field(e)?;
        let span = f.member.span();
        let (off, len, cols) = (
            self.off(m, &ty, &key, span, &base),
            self.konst(m, &ty, "LEN", &key, span),
            self.konst(m, &ty, "COLS", &key, span),
        );
        Some(syn::parse_quote_spanned!(span=> #m[#off..#off + #len].chunks_exact(#cols)))
    }

    /// `m.b[a..b]`, `m.b[a..]`, `m.b[..b]` (a vector field) and `m.w[i][a..b]` (a matrix row):
    /// the part of the flattened parameter, `m[off + a..off + b]`.
    fn sub_slice(&self, e: &syn::Expr) -> Option<syn::Expr> {
        use crate::lower::strip_parens;
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        let syn::Expr::Range(range) = strip_parens(&ix.index) else {
            return None;
        };
        let (start, end) = (range.start.as_deref(), range.end.as_deref());
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        // The part's base and the length its range is within.
        let (m, base, len, span) = if let Some((m, ty, key, f, outer)) = self.field(&ix.expr) {
            let span = f.member.span();
            let off = self.off(m, &ty, &key, span, &outer);
            (m, off, self.konst(m, &ty, "LEN", &key, span), span)
        } else {
            let syn::Expr::Index(row) = strip_parens(&ix.expr) else {
                return None;
            };
            let (m, ty, key, f, outer) = self.field(&row.expr)?;
            let span = f.member.span();
            let (off, cols) = (
                self.off(m, &ty, &key, span, &outer),
                self.konst(m, &ty, "COLS", &key, span),
            );
            let i = &row.index;
            let base: syn::Expr = syn::parse_quote_spanned!(span=> (#off + (#i) * #cols));
            (m, base, cols, span)
        };
        let lo: syn::Expr = match start {
            Some(a) => syn::parse_quote_spanned!(span=> #base + (#a)),
            None => base.clone(),
        };
        let hi: syn::Expr = match (end, inclusive) {
            (Some(b), false) => syn::parse_quote_spanned!(span=> #base + (#b)),
            (Some(b), true) => syn::parse_quote_spanned!(span=> #base + (#b) + 1),
            (None, _) => syn::parse_quote_spanned!(span=> #base + #len),
        };
        Some(syn::parse_quote_spanned!(span=> &#m[#lo..#hi]))
    }

    /// `(0..ROWS)` of the field `e`: the iteration count of its items (rows of a matrix,
    /// elements of a vector), for a loop that does not read them.
    pub(super) fn count(&self, e: &syn::Expr) -> Option<syn::Expr> {
        let (m, ty, key, f, _) = self.field(e)?;
        let rows = self.konst(m, &ty, "ROWS", &key, f.member.span());
        Some(syn::parse_quote_spanned!(f.member.span()=> (0..#rows)))
    }

    /// The derive's constant `what` (`OFF`, `LEN`, `ROWS`, `COLS`) of field `key` of `ty`, or
    /// for a `Vec` field of the parameter `m` its value, read from the whole struct.
    fn konst(&self, m: &Ident, ty: &syn::Type, what: &str, key: &str, span: Span) -> syn::Expr {
        let vec = self
            .params
            .iter()
            .any(|p| p.name == *m && p.vecs.iter().any(|v| v == key));
        // (Not a nested struct's field of the same name: a `Vec` struct is never nested.)
        let nested = ty.to_token_stream().to_string().contains("Field <");
        if vec && !nested {
            let whole = whole_name(m);
            let member: syn::Member = syn::parse_str(key).expect("a field name");
            return match what {
                "OFF" => {
                    let f = format_ident!("__ad_off_{}", key, span = span);
                    syn::parse_quote_spanned!(span=> #whole.#f())
                }
                "COLS" => syn::parse_quote_spanned!(span=> 1usize),
                _ => syn::parse_quote_spanned!(span=> #whole.#member.len()),
            };
        }
        let c = format_ident!("__AD_{}_{}", what, key, span = span);
        // (In a generic function a constant of a generic struct is read as a value, never as
        // an array length: a cast, which the lowering does not take for a constant.)
        if self.params.iter().any(|p| p.name == *m && p.generic) {
            return syn::parse_quote_spanned!(span=> (<#ty>::#c as usize));
        }
        syn::parse_quote_spanned!(span=> <#ty>::#c)
    }

    /// The offset of field `key` of `ty` in the flattened parameter `m` (plus the owner's).
    fn off(
        &self,
        m: &Ident,
        ty: &syn::Type,
        key: &str,
        span: Span,
        base: &Option<syn::Expr>,
    ) -> syn::Expr {
        let own = self.konst(m, ty, "OFF", key, span);
        match base {
            Some(b) => syn::parse_quote_spanned!(span=> (#b + #own)),
            None => own,
        }
    }

    /// Reports a nested struct field passed on (`helper(&m.inner)`, `m.inner.g(..)`) in a
    /// generic function, not supported yet.
    fn check_generic_nested(&mut self, e: &syn::Expr) {
        use crate::lower::strip_parens;
        let nested = |f: &Self, x: &syn::Expr| -> Option<syn::Member> {
            let syn::Expr::Field(fx) = strip_parens(x) else {
                return None;
            };
            let syn::Expr::Path(base) = strip_parens(&fx.base) else {
                return None;
            };
            let id = base.path.get_ident()?;
            let p = f.params.iter().find(|p| p.name == *id && p.generic)?;
            let key = match &fx.member {
                syn::Member::Named(n) => n.to_string(),
                syn::Member::Unnamed(i) => i.index.to_string(),
            };
            p.nested.contains(&key).then(|| fx.member.clone())
        };
        let found = match e {
            syn::Expr::Call(c) => c.args.iter().find_map(|a| match strip_parens(a) {
                syn::Expr::Reference(r) => nested(self, &r.expr),
                _ => None,
            }),
            syn::Expr::MethodCall(mc) if self.nested_method(mc) => nested(self, &mc.receiver),
            _ => None,
        };
        if let Some(m) = found {
            self.errors.push(syn::Error::new_spanned(
                &m,
                "`#[differentiable]` does not pass a nested struct field on (`helper(&m.inner)`, `m.inner.g(..)`) from a generic function or `impl` block yet: read its fields here, or write this function for the concrete type",
            ));
        }
    }

    /// Whether `mc` is `m.f.g(..)`, a method of a nested struct field.
    pub(super) fn nested_method(&self, mc: &syn::ExprMethodCall) -> bool {
        mc.turbofish.is_none()
            && mc.method != "len"
            && mc.method != "sin_cos"
            && crate::intrinsics::callable(&mc.method.to_string()).is_none()
            && !SLICE_METHODS.iter().any(|n| mc.method == n)
            && self.field(&mc.receiver).is_some()
    }

    /// The rewritten form of `e`, if it is one of the field forms.
    fn rewrite(&self, e: &syn::Expr) -> Option<syn::Expr> {
        use crate::lower::strip_parens;
        match strip_parens(e) {
            // `m.f.len()`, `m.f[i].len()`.
            syn::Expr::MethodCall(mc) if mc.method == "len" && mc.args.is_empty() => {
                if let Some((m, ty, key, f, _)) = self.field(&mc.receiver) {
                    return Some(self.konst(m, &ty, "ROWS", &key, f.member.span()));
                }
                if let syn::Expr::Index(ix) = strip_parens(&mc.receiver) {
                    if let Some((m, ty, key, f, _)) = self.field(&ix.expr) {
                        return Some(self.konst(m, &ty, "COLS", &key, f.member.span()));
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
                let (m, ty, key, f, base) = self.field(&mc.receiver)?;
                let span = f.member.span();
                let (off, len) = (
                    self.off(m, &ty, &key, span, &base),
                    self.konst(m, &ty, "LEN", &key, span),
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
                let (m, ty, key, f, base) = self.field(&ix.expr)?;
                let span = f.member.span();
                let (off, cols) = (
                    self.off(m, &ty, &key, span, &base),
                    self.konst(m, &ty, "COLS", &key, span),
                );
                let i = &ix.index;
                let mut call = mc.clone();
                *call.receiver = syn::parse_quote_spanned!(span=>
                    #m[#off + (#i) * #cols..#off + (#i) * #cols + #cols]);
                Some(syn::Expr::MethodCall(call))
            }
            // `m.f.g(..)`: a method of a nested struct field, `<F>::g(&m.f, ..)` on its part.
            syn::Expr::MethodCall(mc) if self.nested_method(mc) => {
                let (m, ty, key, f, base) = self.field(&mc.receiver)?;
                let span = f.member.span();
                let (off, len) = (
                    self.off(m, &ty, &key, span, &base),
                    self.konst(m, &ty, "LEN", &key, span),
                );
                let h = crate::derive::field_hash(&key);
                let kr = &self.krate;
                let (g, args) = (&mc.method, &mc.args);
                let sep = (!args.is_empty()).then(|| quote!(,));
                Some(syn::parse_quote_spanned!(g.span()=>
                    <<#ty as #kr::__private::Field<#h>>::Ty>::#g(&#m[#off..#off + #len] #sep #args)))
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
                let amp = sp.local.then(|| quote!(&));
                Some(syn::parse_quote_spanned!(m.span()=> <#ty>::#m(#amp #id #sep #args)))
            }
            // `&m.f`, `&m.f[i]`: views for helpers.
            syn::Expr::Reference(r) if r.mutability.is_none() => {
                if let Some((m, ty, key, f, base)) = self.field(&r.expr) {
                    let span = f.member.span();
                    let (off, len) = (
                        self.off(m, &ty, &key, span, &base),
                        self.konst(m, &ty, "LEN", &key, span),
                    );
                    return Some(syn::parse_quote_spanned!(span=> &#m[#off..#off + #len]));
                }
                if let Some(part) = self.sub_slice(&r.expr) {
                    return Some(part);
                }
                if let syn::Expr::Index(ix) = strip_parens(&r.expr) {
                    if let Some((m, ty, key, f, base)) = self.field(&ix.expr) {
                        let span = f.member.span();
                        let (off, cols) = (
                            self.off(m, &ty, &key, span, &base),
                            self.konst(m, &ty, "COLS", &key, span),
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
                    if let Some((m, ty, key, f, base)) = self.field(&inner.expr) {
                        let span = f.member.span();
                        let (off, cols) = (
                            self.off(m, &ty, &key, span, &base),
                            self.konst(m, &ty, "COLS", &key, span),
                        );
                        let (i, j) = (&inner.index, &outer.index);
                        return Some(
                            syn::parse_quote_spanned!(span=> #m[#off + (#i) * #cols + (#j)]),
                        );
                    }
                }
                // `m.f[i]`.
                if let Some((m, ty, key, f, base)) = self.field(&outer.expr) {
                    let span = f.member.span();
                    let off = self.off(m, &ty, &key, span, &base);
                    let i = &outer.index;
                    return Some(syn::parse_quote_spanned!(span=> #m[#off + (#i)]));
                }
                None
            }
            // `m.f`: a scalar field.
            syn::Expr::Field(_) => {
                let (m, ty, key, f, base) = self.field(e)?;
                let span = f.member.span();
                let off = self.off(m, &ty, &key, span, &base);
                Some(syn::parse_quote_spanned!(span=> #m[#off]))
            }
            _ => None,
        }
    }
}

impl VisitMut for Fields<'_> {
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        // `vec![e; n]`, `vec![a, b]`: their expressions read fields too (`vec![0.0; m.xs.len()]`).
        if m.path.is_ident("vec") {
            use syn::parse::Parser;
            let repeat = |input: syn::parse::ParseStream| {
                let e: syn::Expr = input.parse()?;
                let semi: syn::Token![;] = input.parse()?;
                let n: syn::Expr = input.parse()?;
                Ok((e, semi, n))
            };
            let list = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
            if let Ok((mut e, semi, mut n)) = repeat.parse2(m.tokens.clone()) {
                self.visit_expr_mut(&mut e);
                self.visit_expr_mut(&mut n);
                m.tokens = quote!(#e #semi #n);
            } else if let Ok(mut items) = list.parse2(m.tokens.clone()) {
                items.iter_mut().for_each(|e| self.visit_expr_mut(e));
                m.tokens = quote!(#items);
            }
        }
    }

    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        // `(e)`: as `e`, in place.
        if let syn::Expr::Paren(p) = e {
            self.visit_expr_mut(&mut p.expr);
            return;
        }
        // A passive field, `m.n`: read from the whole struct.
        if let syn::Expr::Field(f) = e {
            if let Some(m) = self.passive_field(f).cloned() {
                let whole = whole_name(&m);
                self.reads_passive = true;
                *f.base = syn::parse_quote_spanned!(f.base.span()=> #whole);
                return;
            }
        }
        // Matrix fields iterated by rows (see `rows`).
        match e {
            syn::Expr::ForLoop(fl) => self.rows_of_loop(fl),
            syn::Expr::MethodCall(mc) => self.rows_of_closure(mc),
            _ => {}
        }
        // A nested struct's part passed on from a generic function: its length names the
        // generic parameters, which an array length there cannot.
        self.check_generic_nested(e);
        // Calls passing a struct on pass its whole too.
        let wholes = self.whole_args(e);
        if let Some(mut new) = self.rewrite(e) {
            // Indices may hold field reads too (`m.w[k][m.n]` is not supported, but `m.b[i]`
            // inside an index is).
            syn::visit_mut::visit_expr_mut(self, &mut new);
            *e = new;
            self.add_wholes(e, wholes);
            return;
        }
        // Writes to an active struct's fields: a local's are its elements.
        if let syn::Expr::Assign(a) = e {
            let passive = matches!(crate::lower::strip_parens(&a.left),
                syn::Expr::Field(f) if self.passive_field(f).is_some());
            if passive {
                self.errors.push(syn::Error::new_spanned(
                    &a.left,
                    "`#[differentiable]` struct parameters are read-only; copy the field into a local",
                ));
                return;
            }
            if let Some((m, ..)) = self.field(&a.left) {
                if self.params.iter().any(|p| p.name == *m && p.local) {
                    syn::visit_mut::visit_expr_mut(self, e);
                    return;
                }
                self.errors.push(syn::Error::new_spanned(
                    &a.left,
                    "`#[differentiable]` struct parameters are read-only; copy the field into a local",
                ));
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
        self.add_wholes(e, wholes);
    }
}
