//! Tuples: `let (a, b) = (e1, e2)`, `x.sin_cos()`, tuple variables and fields, destructuring
//! assignment. Every component is evaluated into a variable of its own first.

use super::*;
impl Lowerer<'_> {
    /// The components of a tuple-valued expression, each evaluated into a fresh variable first
    /// (so that `(b, a)` reads both before anything is assigned): `(e1, e2, ..)`, `e.sin_cos()`,
    /// or a variable bound to a tuple. `None` if `e` is none of these.
    pub(super) fn tuple_value(&mut self, e: &syn::Expr) -> Option<Vec<Tup>> {
        match strip_parens(e) {
            syn::Expr::Tuple(t) if !t.elems.is_empty() => Some(
                t.elems
                    .iter()
                    .map(|el| match self.tuple_value(el) {
                        Some(parts) if matches!(strip_parens(el), syn::Expr::Tuple(_)) => {
                            Tup::Many(parts)
                        }
                        _ => {
                            let v = self.expr(el);
                            Tup::One(self.temp(v))
                        }
                    })
                    .collect(),
            ),
            syn::Expr::Field(_) => match self.tuple_field(e)? {
                Tup::Many(parts) => Some(parts),
                Tup::One(_) | Tup::View { .. } => None,
            },
            syn::Expr::MethodCall(m) if m.method == "sin_cos" && m.args.is_empty() => {
                let r = self.expr(&m.receiver);
                let r = self.temp(r);
                let span = m.method.span();
                let call = |lw: &mut Self, name: &str, r: &Expr| {
                    let row = intrinsics::callable(name).expect("in the table");
                    let e = Expr::new(ExprKind::Call(row, vec![clone_index(r)]), span);
                    Tup::One(lw.temp(e))
                };
                Some(vec![call(self, "sin", &r), call(self, "cos", &r)])
            }
            syn::Expr::Path(p) if p.qself.is_none() => {
                let v = self.resolve(p.path.get_ident()?)?;
                let (_, parts) = self.tuples.iter().find(|(t, _)| *t == v)?;
                Some(parts.iter().map(Tup::copy).collect())
            }
            _ => None,
        }
    }

    /// `(a, b) = (b, a);`: every right-hand value first, then the assignments (to `pending`).
    pub(super) fn tuple_assign(&mut self, left: &syn::Expr, right: &syn::Expr) {
        let Some(parts) = self.tuple_value(right) else {
            self.cx.error_at(
                right,
                "`#[differentiable]` assigns tuples written as `(a, b)`, `x.sin_cos()` or a tuple variable; assign each value on its own",
            );
            return;
        };
        self.assign_parts(left, Tup::Many(parts));
    }

    pub(super) fn assign_parts(&mut self, left: &syn::Expr, value: Tup) {
        match (strip_parens(left), value) {
            (syn::Expr::Infer(_), _) => {}
            (syn::Expr::Tuple(t), Tup::Many(parts)) if t.elems.len() == parts.len() => {
                for (l, v) in t.elems.iter().zip(parts) {
                    self.assign_parts(l, v);
                }
            }
            (syn::Expr::Path(p), Tup::One(e)) if p.qself.is_some() || p.path.get_ident().is_some() => {
                match p.path.get_ident().and_then(|i| self.resolve(i)) {
                    Some(var) => self.pending.push(Stmt::Assign { var, value: e }),
                    None => self.cx.error_at(left, "`#[differentiable]` assigns tuple components to local variables only"),
                }
            }
            (other, _) => self.cx.error_at(
                other,
                "`#[differentiable]` assigns tuple components to local variables, `_` and nested tuples of them, with the tuple's shape",
            ),
        }
    }

    /// `t.0`, `t.1.0` on a tuple variable `t`.
    pub(super) fn tuple_field(&self, e: &syn::Expr) -> Option<Tup> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let v = self.resolve(p.path.get_ident()?)?;
                let (_, parts) = self.tuples.iter().find(|(t, _)| *t == v)?;
                Some(Tup::Many(parts.iter().map(Tup::copy).collect()))
            }
            syn::Expr::Field(f) => {
                let syn::Member::Unnamed(i) = &f.member else {
                    return None;
                };
                match self.tuple_field(&f.base)? {
                    Tup::Many(mut parts) if (i.index as usize) < parts.len() => {
                        Some(parts.swap_remove(i.index as usize))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The returned tuple of a function `-> (f, f, ..)` of `k` floats, as a local array (the
    /// derivative code treats the function like one returning `[f; k]`).
    pub(super) fn tuple_result(&mut self, e: &syn::Expr, shape: &[Option<TokenStream>]) -> Expr {
        let span = e.span();
        let k = shape.len();
        let parts = match self.tuple_value(e) {
            Some(parts) if parts.len() == k => parts,
            _ => {
                self.cx.error_at(
                    e,
                    format!("`#[differentiable]` needs a function returning a tuple to end with the tuple, `({})`", vec!["a"; k].join(", ")),
                );
                return self.placeholder(e);
            }
        };
        let arr = self.local_array(None, tuple_len(shape), span);
        // Components in order, arrays element by element, at offsets `0 + 1 + N + ..`.
        let mut offset: Vec<TokenStream> = vec![quote!(0usize)];
        for (part, len) in parts.into_iter().zip(shape) {
            let Tup::One(value) = part else {
                self.cx.error_at(
                    e,
                    "`#[differentiable]` returns tuples of floats and float arrays only",
                );
                return self.placeholder(e);
            };
            match len {
                None => {
                    let index = self.built(syn::parse_quote!(#(#offset)+*), Vec::new(), span);
                    self.pending.push(Stmt::IndexAssign {
                        var: arr,
                        index,
                        value,
                    });
                    offset.push(quote!(1usize));
                }
                Some(n) => {
                    let ExprKind::Var(src) = value.kind else {
                        self.cx.error_at(e, "`#[differentiable]` returns an array in a tuple as a local array or parameter, `(a, x)`");
                        return self.placeholder(e);
                    };
                    let kv = self.fresh("k", false, Shape::Scalar);
                    let kid = self.vars[kv].ident.clone();
                    let index = self.built(syn::parse_quote!(#(#offset)+* + #kid), vec![kv], span);
                    let elem = Expr::new(
                        ExprKind::Index(src, Box::new(self.var_expr(kv, span))),
                        span,
                    );
                    self.pending.push(Stmt::Loop(Box::new(Loop {
                        head: LoopHead::For {
                            var: kv,
                            iter: self.built(syn::parse_quote!(0..#n), Vec::new(), span),
                        },
                        body: Block {
                            stmts: vec![Stmt::IndexAssign {
                                var: arr,
                                index,
                                value: elem,
                            }],
                        },
                        exits: Vec::new(),
                        bound: Some(n.clone()),
                    })));
                    offset.push(quote!((#n)));
                }
            }
        }
        self.var_expr(arr, span)
    }

    /// `let (p, s): ([f; N], f) = helper(..);`: the result into a local array, `p` a view of
    /// its first `N` values, `s` the next.
    pub(super) fn let_tuple_result(
        &mut self,
        pat: &syn::Pat,
        shape: &[Option<TokenStream>],
        call: &syn::Expr,
    ) -> Option<Stmt> {
        let span = call.span();
        let tmp = self.local_array(None, tuple_len(shape), span);
        let stmt = self.returned_array(tmp, call)?;
        self.pending.push(stmt);
        let mut offset: Vec<TokenStream> = vec![quote!(0usize)];
        let mut parts = Vec::new();
        for len in shape {
            let at = self.built(syn::parse_quote!(#(#offset)+*), Vec::new(), span);
            match len {
                None => {
                    let e = Expr::new(ExprKind::Index(tmp, Box::new(at)), span);
                    parts.push(Tup::One(self.temp(e)));
                    offset.push(quote!(1usize));
                }
                Some(n) => {
                    let l = self.built(syn::parse_quote!(#n), Vec::new(), span);
                    parts.push(Tup::View {
                        base: tmp,
                        offset: at,
                        len: l,
                        fixed: Some(n.clone()),
                    });
                    offset.push(quote!((#n)));
                }
            }
        }
        self.bind_pattern(pat, Tup::Many(parts));
        None
    }

    /// Binds `e` to a fresh immutable variable; returns a reference to it.
    pub(super) fn temp(&mut self, e: Expr) -> Expr {
        if let ExprKind::Var(_) = e.kind {
            return e;
        }
        let span = e.span;
        let v = self.fresh("tuple", false, Shape::Scalar);
        self.vars[v].float = self.floatish(&e);
        self.pending.push(Stmt::Let {
            var: v,
            ty: None,
            init: e,
        });
        self.var_expr(v, span)
    }

    /// Binds the names of a `let` pattern to tuple components (statements go to `pending`).
    pub(super) fn bind_pattern(&mut self, pat: &syn::Pat, value: Tup) {
        match (pat, value) {
            (syn::Pat::Type(pt), v) => self.bind_pattern(&pt.pat, v),
            (syn::Pat::Paren(p), v) => self.bind_pattern(&p.pat, v),
            // `&v` over copied floats binds like `v`.
            (syn::Pat::Reference(r), v) => self.bind_pattern(&r.pat, v),
            (syn::Pat::Wild(_), _) => {}
            (syn::Pat::Tuple(pt), Tup::Many(parts)) if pt.elems.len() == parts.len() => {
                for (p, v) in pt.elems.iter().zip(parts) {
                    self.bind_pattern(p, v);
                }
            }
            (syn::Pat::Ident(pi), Tup::One(e)) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                if let Some(s) = self.let_ident(&pi.ident, pi.mutability.is_some(), None, e) {
                    self.pending.push(s);
                }
            }
            (
                syn::Pat::Ident(pi),
                Tup::View {
                    base,
                    offset,
                    len,
                    fixed,
                },
            ) if pi.by_ref.is_none() => {
                self.view_alias(&pi.ident, base, offset, len, fixed);
            }
            (syn::Pat::Ident(pi), Tup::Many(parts)) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                // A tuple variable: its fields `t.0` are the components' variables.
                let parts: Vec<Tup> = parts
                    .into_iter()
                    .map(|p| match p {
                        Tup::One(e) => Tup::One(self.temp(e)),
                        many => many,
                    })
                    .collect();
                let v = self.declare(&pi.ident, false, Shape::Scalar);
                self.tuples.push((v, parts));
            }
            (other, _) => self.cx.error_at(
                other,
                "this pattern does not match the tuple's shape; `#[differentiable]` destructures tuples into names, `_` and nested tuples",
            ),
        }
    }
}
