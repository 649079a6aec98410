//! The element of an iterator source at an index: views of arrays, rows, windows and chunks,
//! pairs of `zip` and `enumerate`, mapped and filtered elements, closure parameters bound to them.

use super::*;

impl Lowerer<'_> {
    /// The element of `src` at the loop index `k`, as a tuple component (statements binding
    /// intermediate values go to `pending`).
    pub(in crate::lower) fn element_at(&mut self, src: &Source, k: VarId, span: Span) -> Tup {
        let kid = self.vars[k].ident.clone();
        match src {
            Source::Elems { var, offset } => {
                let index = match offset.as_ref().map(|o| &o.kind) {
                    Some(ExprKind::Opaque { expr, vars, .. }) => {
                        let mut vars = vars.clone();
                        vars.push(k);
                        self.built(syn::parse_quote!((#expr) + #kid), vars, span)
                    }
                    _ => self.var_expr(k, span),
                };
                let e = Expr::new(ExprKind::Index(*var, Box::new(index)), span);
                Tup::One(self.temp(e))
            }
            Source::Range { lo, vars } => {
                let mut vars = vars.clone();
                vars.push(k);
                Tup::One(self.built(syn::parse_quote!((#lo) + #kid), vars, span))
            }
            Source::Windows {
                var,
                offset,
                width,
                step,
                total,
            } => {
                let kid = self.vars[k].ident.clone();
                // The last chunk of `chunks(k)` may be shorter.
                let len = match total {
                    Some((t, tv)) => {
                        let mut vars = tv.clone();
                        vars.push(k);
                        Expr::new(
                            ExprKind::Opaque {
                                expr: syn::parse_quote!(::core::cmp::min(#width, (#t) - #kid * (#width))),
                                vars,
                                what: Unsupported::Length,
                            },
                            span,
                        )
                    }
                    None => self.built(width.clone(), Vec::new(), span),
                };
                let at: syn::Expr = match step {
                    Some(s) => syn::parse_quote!(#kid * (#s)),
                    None => syn::parse_quote!(#kid),
                };
                let off = match offset.as_ref().map(|o| &o.kind) {
                    Some(ExprKind::Opaque { expr, vars, .. }) => {
                        let mut vars = vars.clone();
                        vars.push(k);
                        self.built(syn::parse_quote!((#expr) + #at), vars, span)
                    }
                    _ => self.built(at, vec![k], span),
                };
                let fixed = (total.is_none() && arrays::is_constant(width)).then(|| quote!(#width));
                Tup::View {
                    base: *var,
                    offset: off,
                    len,
                    fixed,
                }
            }
            Source::Enumerate(s) => {
                let e = self.element_at(s, k, span);
                Tup::Many(vec![Tup::One(self.var_expr(k, span)), e])
            }
            Source::Zip(a, b) => {
                let (ea, eb) = (self.element_at(a, k, span), self.element_at(b, k, span));
                Tup::Many(vec![ea, eb])
            }
            Source::Map(s, c) => {
                self.bind_closure_params(c, s, k, span);
                // `.map(|(a, b)| (a * b, *b))`: a tuple of elements, destructured downstream.
                let body = match strip_parens(&c.body) {
                    syn::Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
                        syn::Stmt::Expr(e, None) => e,
                        _ => &*c.body,
                    },
                    _ => &*c.body,
                };
                if let syn::Expr::Tuple(t) = strip_parens(body) {
                    let parts = t.elems.iter().map(|e| {
                        let v = self.expr(e);
                        Tup::One(self.temp(v))
                    });
                    return Tup::Many(parts.collect());
                }
                let v = self.expr(&c.body);
                Tup::One(self.temp(v))
            }
            Source::Reindexed(s, re, vars) => {
                let at: syn::Expr = match re {
                    Reindex::Rev(len) => syn::parse_quote!((#len) - 1 - #kid),
                    Reindex::Skip(n) => syn::parse_quote!(#kid + (#n)),
                    Reindex::Step(st) => syn::parse_quote!(#kid * (#st)),
                    Reindex::Same => return self.element_at(s, k, span),
                };
                let mut vars = vars.clone();
                vars.push(k);
                let k2 = self.fresh("k", false, Shape::Scalar);
                let init = Expr::new(
                    ExprKind::Opaque {
                        expr: at,
                        vars,
                        what: Unsupported::Length,
                    },
                    span,
                );
                self.pending.push(Stmt::Let {
                    var: k2,
                    ty: Some(syn::parse_quote!(usize)),
                    init,
                });
                self.element_at(s, k2, span)
            }
            Source::Filter(s, c) => {
                let e = self.element_at(s, k, span);
                if let Some(p) = c.inputs.first() {
                    self.bind_pattern(strip_ref(p), e.copy());
                }
                let cond = self.expr(&c.body);
                // What the condition reads is computed before the `if` that it guards.
                let cond = self.temp(cond);
                self.iter_conds.push((cond, self.pending.len()));
                e
            }
        }
    }

    /// The statements of one iteration, under the conditions of the `filter`s met on the way
    /// (`if c1 && c2 { .. }`).
    pub(in crate::lower) fn filtered(
        &mut self,
        conds: Vec<(Expr, usize)>,
        mut body: Vec<Stmt>,
        span: Span,
    ) -> Vec<Stmt> {
        // The statements up to the last condition run first; the rest under the conditions.
        let split = conds
            .iter()
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0)
            .min(body.len());
        let mut conds = conds.into_iter().map(|(c, _)| c);
        let Some(first) = conds.next() else {
            return body;
        };
        let cond = conds.fold(first, |a, b| {
            Expr::new(ExprKind::Logic(LogicOp::And, vec![a, b]), span)
        });
        let rest = body.split_off(split);
        body.push(Stmt::If {
            cond,
            then: Block { stmts: rest },
            els: Block::default(),
        });
        body
    }

    /// Binds a closure's one parameter to the element of `src` at `k` (in the current scope).
    pub(in crate::lower) fn bind_closure_params(
        &mut self,
        c: &syn::ExprClosure,
        src: &Source,
        k: VarId,
        span: Span,
    ) {
        let Some(p) = c.inputs.first() else {
            return;
        };
        let e = self.element_at(src, k, span);
        self.bind_pattern(strip_ref(p), e);
    }

    /// Declares `name` as the sub-slice `base[offset..offset + len]`.
    pub(in crate::lower) fn view_alias(
        &mut self,
        name: &syn::Ident,
        base: VarId,
        offset: Expr,
        len: Expr,
        fixed: Option<TokenStream>,
    ) {
        let offset_v = self.fresh("offset", false, Shape::Scalar);
        self.pending.push(Stmt::Let {
            var: offset_v,
            ty: Some(syn::parse_quote!(usize)),
            init: offset,
        });
        let len_v = self.fresh("len", false, Shape::Scalar);
        self.pending.push(Stmt::Let {
            var: len_v,
            ty: Some(syn::parse_quote!(usize)),
            init: len,
        });
        let v = self.declare(name, false, Shape::Scalar);
        self.aliases.push((
            v,
            Alias {
                base,
                offset: offset_v,
                len: len_v,
                mutable: false,
                fixed,
            },
        ));
    }
}
