//! Scratch vectors: `vec![e; n]`, `vec![a, b]`, `Vec::new()`/`Vec::with_capacity(n)` and `push`.

use super::*;
impl Lowerer<'_> {
    /// The local `Vec` named by `e`, if it is one.
    pub(super) fn vec_var(&self, e: &syn::Expr) -> Option<VarId> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let v = self.resolve(p.path.get_ident()?)?;
                matches!(self.vars[v].shape, Shape::Vec).then_some(v)
            }
            _ => None,
        }
    }

    /// `v.push(e);`: `e` first (it may read `v`), then one more element, then the write
    /// `v[v.len() - 1] = e`, whose reverse the adjoint handles like any element write.
    pub(super) fn push(&mut self, var: VarId, value: &syn::Expr, span: Span) -> Vec<Stmt> {
        let e = self.expr(value);
        let e = self.temp(e);
        let mut out = std::mem::take(&mut self.pending);
        out.push(Stmt::Push { var });
        let ident = self.vars[var].ident.clone();
        let index = Expr::new(
            ExprKind::Opaque {
                expr: syn::parse_quote!(#ident.len() - 1),
                vars: vec![var],
                what: Unsupported::Length,
            },
            span,
        );
        out.push(Stmt::IndexAssign {
            var,
            index,
            value: e,
        });
        out
    }

    /// `vec![e; n]`, or `vec![a, b, ..]` (a `Vec` filled element by element).
    pub(super) fn vec_macro(&mut self, m: &syn::ExprMacro) -> Expr {
        let span = m.mac.path.span();
        let repeat = m.mac.parse_body_with(|input: syn::parse::ParseStream| {
            let e: syn::Expr = input.parse()?;
            let _: syn::Token![;] = input.parse()?;
            let n: syn::Expr = input.parse()?;
            Ok((e, n))
        });
        if let Ok((e, n)) = repeat {
            let e = self.expr(&e);
            // The length is a run-time value: variables renamed.
            let n = match self.opaque(&n, Unsupported::Passive).kind {
                ExprKind::Opaque { expr, .. } => expr,
                _ => n,
            };
            return Expr::new(ExprKind::VecNew(Some(Box::new(e)), n), span);
        }
        let list = m.mac.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        );
        let Ok(list) = list else {
            self.cx
                .error_at(&m.mac, "`vec!` takes `[e; n]` or a list `[a, b, ..]`");
            return self.placeholder(&syn::Expr::Macro(m.clone()));
        };
        let elems: Vec<Expr> = list.iter().map(|e| self.expr(e)).collect();
        let n = elems.len();
        let lit = proc_macro2::Literal::usize_unsuffixed(n);
        let v = self.fresh("vec", true, Shape::Vec);
        self.vars[v].float = true;
        let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
        self.pending.push(Stmt::Let {
            var: v,
            ty: None,
            init: Expr::new(
                ExprKind::VecNew(Some(Box::new(zero)), syn::parse_quote!(#lit)),
                span,
            ),
        });
        for (k, e) in elems.into_iter().enumerate() {
            let lit = proc_macro2::Literal::usize_unsuffixed(k);
            let index = self.built(syn::parse_quote!(#lit), Vec::new(), span);
            self.pending.push(Stmt::IndexAssign {
                var: v,
                index,
                value: e,
            });
        }
        self.literals.push(v);
        self.var_expr(v, span)
    }

    /// `Vec::new()` / `Vec::with_capacity(n)`.
    pub(super) fn vec_new(&mut self, c: &syn::ExprCall) -> Option<Expr> {
        let syn::Expr::Path(p) = &*c.func else {
            return None;
        };
        let segs: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let (ty, f) = match segs.as_slice() {
            [.., ty, f] => (ty, f),
            _ => return None,
        };
        if ty != "Vec" {
            return None;
        }
        let span = c.func.span();
        match (f.as_str(), c.args.len()) {
            ("new", 0) => Some(Expr::new(
                ExprKind::VecNew(None, syn::parse_quote!(0)),
                span,
            )),
            ("with_capacity", 1) => {
                let n = self.opaque(&c.args[0], Unsupported::Passive);
                let ExprKind::Opaque { expr, .. } = n.kind else {
                    return None;
                };
                Some(Expr::new(ExprKind::VecNew(None, expr), span))
            }
            _ => None,
        }
    }
}
