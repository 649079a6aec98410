//! Renaming inside code kept as written (passive expressions, lengths).

use super::*;

/// Renames variable references inside opaque code and records which variables it touches.
pub(super) struct Renamer<'l, 'a> {
    pub(super) lw: &'l mut Lowerer<'a>,
    pub(super) vars: Vec<VarId>,
    /// Variables only whose lengths are read (see [`Expr::lens`]).
    pub(super) lens: Vec<VarId>,
}

impl Renamer<'_, '_> {
    /// `m.len()` (rows), `m[i].len()` (columns) of a matrix, `s.len()` of a sub-slice name.
    fn layout_len(&mut self, recv: &syn::Expr) -> Option<syn::Expr> {
        if let syn::Expr::Index(ix) = strip_parens(recv) {
            if !matches!(strip_parens(&ix.index), syn::Expr::Range(_)) {
                let (_, cols) = self.lw.matrix_of(&ix.expr)?;
                return Some(syn::parse_quote!(#cols));
            }
            return None;
        }
        let v = self.lw.path_var(recv)?;
        if let Some(a) = self.lw.alias_of(v) {
            let len = self.lw.vars[a.len].ident.clone();
            self.vars.push(a.len);
            return Some(syn::parse_quote!(#len));
        }
        // A local array's length is its (constant) size: usable where the array is not in
        // scope (the reverse sweep of a loop declared around it).
        if let (Shape::Array(n), true) = (&self.lw.vars[v].shape, self.lw.matrix_of(recv).is_none())
        {
            return Some(syn::parse_quote!(#n));
        }
        let (rows, cols) = self.lw.matrix_of(recv)?;
        let ident = self.lw.vars[v].ident.clone();
        Some(match rows {
            Some(r) => syn::parse_quote!(#r),
            None => syn::parse_quote!((#ident.len() / #cols)),
        })
    }
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Block(b) = e {
            if b.label.is_none() {
                self.lw.cx.error(
                    b.block.brace_token.span.join(),
                    "`#[differentiable]` does not support blocks inside this expression; bind the block's value with `let` first",
                );
                return;
            }
        }
        if self.lw.unsupported(e) {
            return;
        }
        // `x.len()` is passive even when `x` is an active array; matrices are flattened and
        // sub-slice names have no storage of their own, so their lengths are spelled out.
        if let syn::Expr::MethodCall(m) = e {
            if m.method == "len" && m.args.is_empty() {
                if let Some(len) = self.layout_len(&m.receiver) {
                    *e = len;
                    return;
                }
                if let syn::Expr::Path(p) = strip_parens(&m.receiver) {
                    if let Some(id) = p.path.get_ident().and_then(|i| self.lw.resolve(i)) {
                        let ident = self.lw.vars[id].ident.clone();
                        *m.receiver = syn::parse_quote!(#ident);
                        self.lens.push(id);
                        return;
                    }
                }
            }
        }
        if let syn::Expr::Path(p) = e {
            if p.qself.is_none() {
                if let Some(id) = p.path.get_ident().and_then(|i| self.lw.resolve(i)) {
                    // Names without storage of their own: sub-slice names and tuples.
                    if self.lw.alias_of(id).is_some() {
                        self.lw.cx.error_at(
                            &*p,
                            "`#[differentiable]` uses a name of a sub-slice through its elements (`s[i]`), `s.len()`, or by passing it to a `#[differentiable]` helper; write the loop over `s[i]`",
                        );
                        return;
                    }
                    if self.lw.closures.iter().any(|(c, ..)| *c == id) {
                        self.lw.cx.error_at(
                            &*p,
                            "`#[differentiable]` inlines closures bound with `let` where they are called (`f(x)`); it does not support passing or returning them",
                        );
                        return;
                    }
                    if self.lw.tuples.iter().any(|(t, _)| *t == id) {
                        self.lw.cx.error_at(
                            &*p,
                            "`#[differentiable]` uses tuple variables through their fields (`t.0`) or by destructuring (`let (a, b) = t;`)",
                        );
                        return;
                    }
                    self.vars.push(id);
                    let ident = self.lw.vars[id].ident.clone();
                    p.path = ident.into();
                    return;
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
        // `S { x }` must become `S { x: x_3 }` once `x` is renamed.
        if fv.colon_token.is_none() {
            fv.colon_token = Some(Default::default());
        }
        syn::visit_mut::visit_field_value_mut(self, fv);
    }
}
