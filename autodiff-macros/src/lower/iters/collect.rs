//! `chain.collect::<Vec<f64>>()` (also `let r: Vec<f64> = chain.collect();`): a scratch vector
//! filled by the chain's indexed loop, `let mut v = Vec::with_capacity(len); for k in 0..len {
//! v.push(item_k); }` (a `filter` keeps the items it passes), which the adjoint handles like
//! any `push`.

use super::*;

impl Lowerer<'_> {
    /// The collected vector (the loop goes to `pending`), or `None` if `e` is not a supported
    /// chain ending in `collect()`.
    pub(in crate::lower) fn iter_collect(&mut self, e: &syn::Expr) -> Option<Expr> {
        let syn::Expr::MethodCall(m) = strip_parens(e) else {
            return None;
        };
        if m.method != "collect" || !m.args.is_empty() {
            return None;
        }
        let span = e.span();
        let (src, len) = self.iter_source(&m.receiver)?;
        let ExprKind::Opaque { expr: cap, .. } = &len.kind else {
            return None;
        };
        if self.depth > 1 {
            // As for `Vec::new()` and `push` (see `lets`).
            self.cx.error_at(
                &m.method,
                "`#[differentiable]` supports `collect()` into a `Vec` only at the top of the function body; collect before the loop or branch, or use `vec![0.0; n]` and write its elements",
            );
        }
        let v = self.fresh("collected", true, Shape::Vec);
        self.vars[v].float = true;
        // `let r = chain.collect();` names this storage (no copy).
        self.literals.push(v);
        self.pending.push(Stmt::Let {
            var: v,
            ty: None,
            init: Expr::new(ExprKind::VecNew(None, cap.clone()), span),
        });
        let outer = std::mem::take(&mut self.pending);
        let outer_conds = std::mem::take(&mut self.iter_conds);
        self.scopes.push(Vec::new());
        let k = self.fresh("k", false, Shape::Scalar);
        let value = match self.element_at(&src, k, span) {
            Tup::One(x) => x,
            Tup::Many(_) | Tup::View { .. } => {
                self.cx.error_at(
                    &m.method,
                    "`#[differentiable]` collects floats into a `Vec`: `map` the items to a float first",
                );
                self.placeholder(e)
            }
        };
        let value = self.temp(value);
        let mut body = std::mem::take(&mut self.pending);
        body.push(Stmt::Push { var: v });
        let ident = self.vars[v].ident.clone();
        body.push(Stmt::IndexAssign {
            var: v,
            index: Expr::new(
                ExprKind::Opaque {
                    expr: syn::parse_quote!(#ident.len() - 1),
                    vars: vec![v],
                    what: Unsupported::Length,
                },
                span,
            ),
            value,
        });
        self.close_chain_loop(k, len, body, (outer, outer_conds), span)?;
        Some(self.var_expr(v, span))
    }
}
