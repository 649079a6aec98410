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
            if self.fill_needed(&e) {
                return self.filled(e, n, true, span);
            }
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

    /// Whether `[e; n]` / `vec![e; n]` repeats a value that may be active (a float that is not
    /// a literal): then it is built as zeros and filled in a loop, which the adjoint handles
    /// like any element writes.
    pub(super) fn fill_needed(&self, e: &Expr) -> bool {
        let scalar = match e.kind {
            ExprKind::Var(v) => matches!(self.vars[v].shape, Shape::Scalar),
            _ => true,
        };
        scalar && !matches!(e.kind, ExprKind::Lit(_)) && self.floatish(e) && !self.pure_opaque(e)
    }

    fn pure_opaque(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Opaque { vars, .. } if vars.is_empty())
    }

    /// `[e; n]` (`vec`: `vec![e; n]`) as a local filled in a loop: `let t = e; let mut a =
    /// [0.0; n]; for k in 0..n { a[k] = t; }`, its value the local.
    pub(super) fn filled(&mut self, e: Expr, n: syn::Expr, vec: bool, span: Span) -> Expr {
        let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
        let a = if vec {
            let a = self.fresh("vec", true, Shape::Vec);
            self.vars[a].float = true;
            let t = self.temp(e);
            self.pending.push(Stmt::Let {
                var: a,
                ty: None,
                init: Expr::new(ExprKind::VecNew(Some(Box::new(zero)), n), span),
            });
            self.fill_loop(a, t, None, span);
            a
        } else {
            let t = self.temp(e);
            let a = self.local_array(None, len_tokens(&n), span);
            self.fill_loop(a, t, Some(len_tokens(&n)), span);
            a
        };
        self.literals.push(a);
        self.var_expr(a, span)
    }

    /// `let m = [[e; c]; r];` with `e` possibly active: the matrix `m` (flattened), filled in a
    /// loop. `None` if `init` is not such a repeat.
    pub(super) fn filled_matrix(&mut self, name: &syn::Ident, init: &syn::Expr) -> Option<()> {
        let syn::Expr::Repeat(outer) = strip_parens(init) else {
            return None;
        };
        if let Some(row) = self.path_var(&outer.expr) {
            return self.repeated_rows(name, row, &outer.len, init.span());
        }
        let syn::Expr::Repeat(inner) = strip_parens(&outer.expr) else {
            return None;
        };
        if matches!(strip_parens(&inner.expr), syn::Expr::Lit(_)) {
            return None;
        }
        let span = init.span();
        let e = self.expr(&inner.expr);
        let (r, c) = (len_tokens(&outer.len), len_tokens(&inner.len));
        if !self.fill_needed(&e) {
            // Passive data (integers, flags): kept as written.
            return None;
        }
        let t = self.temp(e);
        let v = self.local_array(Some(name), quote!(#r * #c), span);
        self.matrices.push((v, Some(r.clone()), c.clone()));
        self.fill_loop(v, t, Some(quote!(#r * #c)), span);
        Some(())
    }

    /// `let m = [row; r];` for a local float array `row` (possibly active): the matrix `m`,
    /// filled with `m[k] = row[k % c]`.
    fn repeated_rows(
        &mut self,
        name: &syn::Ident,
        row: VarId,
        rows: &syn::Expr,
        span: Span,
    ) -> Option<()> {
        let Shape::Array(c) = self.vars[row].shape.clone() else {
            return None;
        };
        if !self.vars[row].float || self.matrix_of_var(row) {
            return None;
        }
        let r = len_tokens(rows);
        let v = self.local_array(Some(name), quote!(#r * #c), span);
        self.matrices.push((v, Some(r.clone()), c.clone()));
        let k = self.fresh("k", false, Shape::Scalar);
        let kid = self.vars[k].ident.clone();
        let col = self.built(syn::parse_quote!(#kid % #c), vec![k], span);
        let value = Expr::new(ExprKind::Index(row, Box::new(col)), span);
        self.pending.push(Stmt::Loop(Box::new(Loop {
            head: LoopHead::For {
                var: k,
                iter: Expr::new(
                    ExprKind::Opaque {
                        expr: syn::parse_quote!(0..#r * #c),
                        vars: Vec::new(),
                        what: Unsupported::Passive,
                    },
                    span,
                ),
            },
            body: Block {
                stmts: vec![Stmt::IndexAssign {
                    var: v,
                    index: Expr::new(ExprKind::Var(k), span),
                    value,
                }],
            },
            exits: Vec::new(),
            bound: Some(quote!(#r * #c)),
        })));
        Some(())
    }

    fn matrix_of_var(&self, v: VarId) -> bool {
        self.matrices.iter().any(|(m, _, _)| *m == v)
    }

    /// `for k in 0..a.len() { a[k] = t; }` (`bound`: the compile-time length).
    fn fill_loop(&mut self, a: VarId, t: Expr, bound: Option<TokenStream>, span: Span) {
        let iter = match &bound {
            Some(len) => ExprKind::Opaque {
                expr: syn::parse_quote!(0..#len),
                vars: Vec::new(),
                what: Unsupported::Passive,
            },
            None => {
                let ident = self.vars[a].ident.clone();
                ExprKind::Opaque {
                    expr: syn::parse_quote!(0..#ident.len()),
                    vars: vec![a],
                    what: Unsupported::Length,
                }
            }
        };
        let k = self.fresh("k", false, Shape::Scalar);
        let var = |v| Expr::new(ExprKind::Var(v), span);
        self.pending.push(Stmt::Loop(Box::new(Loop {
            head: LoopHead::For {
                var: k,
                iter: Expr::new(iter, span),
            },
            body: Block {
                stmts: vec![Stmt::IndexAssign {
                    var: a,
                    index: var(k),
                    value: t,
                }],
            },
            exits: Vec::new(),
            bound,
        })));
    }
}
