//! `let` (names, patterns, arrays, closures, tuples, helper results) and assignments.

use super::*;

impl Lowerer<'_> {
    pub(super) fn local(&mut self, local: &syn::Local) -> Option<Stmt> {
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        if let Some(init) = &local.init {
            if let Some((else_token, _)) = &init.diverge {
                self.cx.error(else_token.span(), "`#[differentiable]` does not support `let ... else`; compute the value without pattern matching");
                return None;
            }
        }
        // `let (p, s): ([f64; 2], f64) = helper(..);`: arrays in the result, by the written type.
        if let (syn::Pat::Tuple(_), Some(ty), Some(init)) = (pat, &ty, &local.init) {
            if let Some(shape) = tuple_shape(ty) {
                if shape.iter().any(Option::is_some) && self.is_fn_call(&init.expr) {
                    return self.let_tuple_result(pat, &shape, &init.expr);
                }
            }
        }
        if let (syn::Pat::Tuple(pt), Some(init)) = (pat, &local.init) {
            // `let (a, b) = helper(..);`: a helper returning a tuple of floats writes it into a
            // local array, like an array result.
            if self.is_fn_call(&init.expr) {
                let indexed = pt.elems.iter().find(|p| {
                    matches!(p, syn::Pat::Ident(pi) if self.indexed.contains(&pi.ident.to_string()))
                });
                if let Some(p) = indexed {
                    self.cx.error_at(
                        p,
                        "this call's result holds an array, whose length `#[differentiable]` cannot see; write the type, `let (p, s): ([f64; M], f64) = ..`",
                    );
                    return None;
                }
                let n = proc_macro2::Literal::usize_unsuffixed(pt.elems.len());
                let span = init.expr.span();
                let tmp = self.local_array(None, quote!(#n), span);
                let call = self.returned_array(tmp, &init.expr)?;
                self.pending.push(call);
                let parts: Vec<Tup> = (0..pt.elems.len())
                    .map(|k| {
                        let lit = proc_macro2::Literal::usize_unsuffixed(k);
                        let index = self.built(syn::parse_quote!(#lit), Vec::new(), span);
                        let e = Expr::new(ExprKind::Index(tmp, Box::new(index)), span);
                        Tup::One(self.temp(e))
                    })
                    .collect();
                self.bind_pattern(pat, Tup::Many(parts));
                return None;
            }
            return match self.tuple_value(&init.expr) {
                Some(parts) => {
                    self.bind_pattern(pat, Tup::Many(parts));
                    None
                }
                None => {
                    self.cx.error_at(
                        &init.expr,
                        "`#[differentiable]` destructures tuples written as `(a, b)`, `x.sin_cos()` or a tuple variable; compute each value with its own `let`",
                    );
                    None
                }
            };
        }
        if let (syn::Pat::Slice(ps), Some(init)) = (pat, &local.init) {
            // `let [a, b] = helper(..);`: the returned array into a local first.
            let n = proc_macro2::Literal::usize_unsuffixed(ps.elems.len());
            let span = init.expr.span();
            let mark = self.pending.len();
            let tmp = self.local_array(None, quote!(#n), span);
            if let Some(call) = self.returned_array(tmp, &init.expr) {
                self.pending.push(call);
                return self.array_pattern_of(ps, tmp, span);
            }
            self.pending.truncate(mark);
            return self.array_pattern(ps, &init.expr);
        }
        // `let p = helper(..);` with `p[i]` (or `p.iter()`, `for v in &p`, ..) later: the helper
        // returns an array, of the length its signature says (see `results`).
        if let (syn::Pat::Ident(pi), None, Some(init)) = (pat, &ty, &local.init) {
            if self.indexed.contains(&pi.ident.to_string()) && self.is_fn_call(&init.expr) {
                let n = self.result_len(&init.expr);
                let args = self.returned_args(&init.expr)?;
                let v = self.local_array(Some(&pi.ident), n, init.expr.span());
                return self.returned_call(v, &init.expr, args);
            }
        }
        // `let p: [f64; M] = helper(..);`
        if let (syn::Pat::Ident(pi), Some(syn::Type::Array(a)), Some(init)) =
            (pat, &ty, &local.init)
        {
            if float_ty(&a.elem).is_some() && self.is_fn_call(&init.expr) {
                let n = len_tokens(&a.len);
                // The arguments first: they read the names this binding may shadow.
                let args = self.returned_args(&init.expr)?;
                let v = self.local_array(Some(&pi.ident), n, init.expr.span());
                return self.returned_call(v, &init.expr, args);
            }
        }
        if let (syn::Pat::Ident(pi), Some(init)) = (pat, &local.init) {
            if pi.by_ref.is_none() && pi.subpat.is_none() && self.alias_let(&pi.ident, &init.expr) {
                return None;
            }
            // `let f = |a, b| ..;`: inlined where it is called.
            if let syn::Expr::Closure(c) = strip_parens(&init.expr) {
                let v = self.declare(&pi.ident, false, Shape::Scalar);
                let visible: Vec<(String, VarId)> = self.scopes.iter().flatten().cloned().collect();
                self.closures.push((v, c.clone(), visible));
                return None;
            }
            if pi.by_ref.is_none() && pi.subpat.is_none() {
                if self.filled_matrix(&pi.ident, &init.expr).is_some() {
                    return None;
                }
                if let Some(parts) = self.tuple_value(&init.expr) {
                    self.bind_pattern(pat, Tup::Many(parts));
                    return None;
                }
            }
        }
        let init = local.init.as_ref().map(|init| self.expr(&init.expr));
        match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                // `let x: f64;` / `let a: [f64; N];`, assigned later.
                match (&init, &ty) {
                    (None, Some(syn::Type::Array(a))) if float_ty(&a.elem).is_some() => {
                        self.local_array(Some(&pi.ident), len_tokens(&a.len), local.span());
                        return None;
                    }
                    (None, Some(t)) if float_ty(t).is_some() => {
                        let var = self.declare(&pi.ident, true, Shape::Scalar);
                        self.vars[var].float = true;
                        return Some(Stmt::Declare { var });
                    }
                    _ => {}
                }
                let Some(init) = init else {
                    self.declare(&pi.ident, pi.mutability.is_some(), Shape::Scalar);
                    self.cx.error_at(
                        local,
                        "`#[differentiable]` needs every `let` to have a value; write `let x = ...;` where it is first known",
                    );
                    return None;
                };
                self.let_ident(&pi.ident, pi.mutability.is_some(), ty, init)
            }
            syn::Pat::Wild(_) => init.map(Stmt::Expr),
            other => {
                self.cx.error_at(
                    other,
                    "`#[differentiable]` does not support this pattern in `let`; bind a name (`let x = ..`) or destructure a tuple (`let (a, b) = ..`)",
                );
                None
            }
        }
    }

    /// `let name = init;` (or `let mut`).
    pub(super) fn let_ident(
        &mut self,
        name: &syn::Ident,
        mutable: bool,
        ty: Option<syn::Type>,
        init: Expr,
    ) -> Option<Stmt> {
        if let ExprKind::Var(src) = &init.kind {
            if let Some(s) = self.let_array(name, mutable, *src) {
                return s;
            }
        }
        // `[[e; N]; M]`: a matrix, stored flattened row by row.
        let mut init = init;
        let mut matrix = None;
        if let ExprKind::ArrayRepeat(inner, rows) = &init.kind {
            if let ExprKind::ArrayRepeat(e, cols) = &inner.kind {
                let (r, c) = (len_tokens(rows), len_tokens(cols));
                let flat: syn::Expr = syn::parse_quote!(#r * #c);
                let e = clone_index_deep(e);
                matrix = Some((r, c));
                init = Expr::new(ExprKind::ArrayRepeat(Box::new(e), flat), init.span);
            }
        }
        let shape = match &init.kind {
            ExprKind::ArrayRepeat(_, len) => Shape::Array(len_tokens(len)),
            ExprKind::VecNew(..) => Shape::Vec,
            _ => Shape::Scalar,
        };
        if let ExprKind::VecNew(None, _) = &init.kind {
            if self.depth > 1 {
                self.cx.error(
                    init.span,
                    "`#[differentiable]` supports a `Vec` built with `push` only at the top of the function body; declare it before the loop or branch, or use `vec![0.0; n]` and write its elements",
                );
            }
        }
        let var = self.declare(name, mutable, shape);
        if let Some((r, c)) = matrix {
            self.matrices.push((var, Some(r), c));
        }
        self.vars[var].float = self.floatish(&init)
            || matches!(init.kind, ExprKind::VecNew(None, _))
            || ty.as_ref().is_some_and(|t| float_ty(t).is_some());
        if matches!(
            init.kind,
            ExprKind::Opaque {
                what: Unsupported::Reported,
                ..
            }
        ) {
            self.poisoned.push(var);
        }
        Some(Stmt::Let { var, ty, init })
    }

    /// `x = e;`, `x op= e;`, `a[i] = e;` and `a[i] op= e;`.
    pub(super) fn assign(&mut self, expr: &syn::Expr) -> Option<Stmt> {
        let (left, right, op) = match expr {
            syn::Expr::Assign(a) => (&*a.left, &*a.right, None),
            syn::Expr::Binary(b) => {
                let op = match b.op {
                    syn::BinOp::AddAssign(_) => Op::Add,
                    syn::BinOp::SubAssign(_) => Op::Sub,
                    syn::BinOp::MulAssign(_) => Op::Mul,
                    syn::BinOp::DivAssign(_) => Op::Div,
                    _ => return None,
                };
                (&*b.left, &*b.right, Some(op))
            }
            _ => return None,
        };
        let local = |lw: &Self, e: &syn::Expr| match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                p.path.get_ident().and_then(|i| lw.resolve(i))
            }
            _ => None,
        };
        let combine = |lw: &mut Self, current: Expr, right: &syn::Expr| {
            let value = lw.expr(right);
            match op {
                None => value,
                Some(op) => Expr::new(
                    ExprKind::Call(intrinsics::op(op), vec![current, value]),
                    expr.span(),
                ),
            }
        };
        if let Some(var) = local(self, left) {
            // `p = helper(..);` with an array `p`: the helper writes it.
            if op.is_none()
                && matches!(self.vars[var].shape, Shape::Array(_))
                && self.is_fn_call(right)
            {
                if let Some(s) = self.returned_array(var, right) {
                    return Some(s);
                }
            }
            let current = self.var_expr(var, left.span());
            let value = combine(self, current, right);
            // `b = a;` on arrays: element by element.
            if let (Shape::Array(n), ExprKind::Var(src)) = (&self.vars[var].shape, &value.kind) {
                if matches!(self.vars[*src].shape, Shape::Array(_) | Shape::ArrayRef(_)) {
                    let n = n.clone();
                    return Some(self.copy_loop(var, *src, &n, expr.span()));
                }
            }
            return Some(Stmt::Assign { var, value });
        }
        if let syn::Expr::Index(ix) = strip_parens(left) {
            if let Some((var, mut index)) = self.element(left) {
                if op.is_some() && !matches!(index.kind, ExprKind::Var(_)) {
                    // Evaluate the index once for the read and the write.
                    let t = self.fresh("index", false, Shape::Scalar);
                    self.pending.push(Stmt::Let {
                        var: t,
                        ty: None,
                        init: index,
                    });
                    index = self.var_expr(t, ix.index.span());
                }
                let current = Expr::new(
                    ExprKind::Index(var, Box::new(clone_index(&index))),
                    left.span(),
                );
                let value = combine(self, current, right);
                return Some(Stmt::IndexAssign { var, index, value });
            }
        }
        // Assignments to fields, statics, ...: passive code kept as written; `check` rejects
        // them if an active value is involved.
        let what = Unsupported::Message(
            "`#[differentiable]` does not support assigning the active value `{}` to a field or other place; assign it to a local variable",
        );
        let left_ren = self.opaque(left, Unsupported::Passive);
        let right_ren = self.opaque(right, Unsupported::Passive);
        let (
            ExprKind::Opaque {
                expr: l,
                vars: mut lv,
                ..
            },
            ExprKind::Opaque {
                expr: r, vars: rv, ..
            },
        ) = (left_ren.kind, right_ren.kind)
        else {
            unreachable!("opaque returns opaque");
        };
        lv.extend(rv);
        let rebuilt: syn::Expr = match expr {
            syn::Expr::Assign(a) => {
                let eq = a.eq_token;
                syn::parse_quote!(#l #eq #r)
            }
            syn::Expr::Binary(b) => {
                let o = b.op;
                syn::parse_quote!(#l #o #r)
            }
            _ => unreachable!("matched above"),
        };
        Some(Stmt::Expr(Expr::new(
            ExprKind::Opaque {
                expr: rebuilt,
                vars: lv,
                what,
            },
            expr.span(),
        )))
    }
}
