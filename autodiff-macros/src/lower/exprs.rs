//! Expressions: operators and intrinsics, indexing, literals, array and block values, `if`
//! and `match` values (hoisted into statements), calls; everything else kept opaque (renamed)
//! or reported.

use super::*;

impl Lowerer<'_> {
    pub(super) fn expr(&mut self, expr: &syn::Expr) -> Expr {
        let span = expr.span();
        let kind = match expr {
            syn::Expr::Lit(l) => match &l.lit {
                syn::Lit::Float(f) => ExprKind::Lit(f.clone()),
                _ => return self.opaque(expr, Unsupported::Passive),
            },
            syn::Expr::Path(p) if p.qself.is_none() => {
                match p.path.get_ident().and_then(|i| self.resolve(i)) {
                    Some(id) if self.closures.iter().any(|(c, ..)| *c == id) => {
                        self.cx.error_at(
                            expr,
                            "`#[differentiable]` inlines closures bound with `let` where they are called (`f(x)`); it does not support passing or returning them",
                        );
                        return self.placeholder(expr);
                    }
                    Some(id) if self.alias_of(id).is_some() => {
                        self.cx.error_at(
                            expr,
                            "`#[differentiable]` uses a name of a sub-slice through its elements (`s[i]`), `s.len()`, or by passing it to a `#[differentiable]` helper",
                        );
                        return self.placeholder(expr);
                    }
                    Some(id) if self.tuples.iter().any(|(t, _)| *t == id) => {
                        self.cx.error_at(
                            expr,
                            "`#[differentiable]` uses tuple variables through their fields (`t.0`) or by destructuring (`let (a, b) = t;`); pass the components instead",
                        );
                        return self.placeholder(expr);
                    }
                    Some(id) => ExprKind::Var(id),
                    None => return self.opaque(expr, Unsupported::Passive),
                }
            }
            syn::Expr::Field(_) if self.tuple_field(expr).is_some() => {
                match self.tuple_field(expr) {
                    Some(Tup::One(e)) => return e,
                    _ => {
                        self.cx.error_at(
                            expr,
                            "`#[differentiable]` uses nested tuples through their fields down to a value (`t.1.0`); destructure it with `let`",
                        );
                        return self.placeholder(expr);
                    }
                }
            }
            syn::Expr::Paren(p) => return self.expr(&p.expr),
            syn::Expr::Group(g) => return self.expr(&g.expr),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => {
                    ExprKind::Call(intrinsics::op(Op::Neg), vec![self.expr(&u.expr)])
                }
                syn::UnOp::Not(_) => ExprKind::Logic(LogicOp::Not, vec![self.expr(&u.expr)]),
                // `*v`, `**v` of an element bound by an iterator (a copied float): `v`.
                syn::UnOp::Deref(_)
                    if self.path_var(strip_derefs(&u.expr)).is_some_and(|v| {
                        matches!(self.vars[v].shape, Shape::Scalar) && self.vars[v].float
                    }) =>
                {
                    ExprKind::Var(self.path_var(strip_derefs(&u.expr)).expect("checked"))
                }
                // `*x` of an array parameter `x: &[f; N]`: the array itself.
                syn::UnOp::Deref(_)
                    if self.path_var(&u.expr).is_some_and(|v| {
                        matches!(self.vars[v].shape, Shape::ArrayRef(_))
                            && self.alias_of(v).is_none()
                    }) =>
                {
                    ExprKind::Var(self.path_var(&u.expr).expect("checked"))
                }
                _ => {
                    let op = u.op.to_token_stream().to_string();
                    let e = self.opaque(expr, Unsupported::Operator(op));
                    return Expr::new(e.kind, u.op.span());
                }
            },
            syn::Expr::Binary(b) => {
                let op = match b.op {
                    syn::BinOp::Add(_) => Some(Op::Add),
                    syn::BinOp::Sub(_) => Some(Op::Sub),
                    syn::BinOp::Mul(_) => Some(Op::Mul),
                    syn::BinOp::Div(_) => Some(Op::Div),
                    _ => None,
                };
                match (op, b.op) {
                    (Some(op), _) => ExprKind::Call(
                        intrinsics::op(op),
                        vec![self.expr(&b.left), self.expr(&b.right)],
                    ),
                    (
                        None,
                        syn::BinOp::Lt(_)
                        | syn::BinOp::Le(_)
                        | syn::BinOp::Gt(_)
                        | syn::BinOp::Ge(_)
                        | syn::BinOp::Eq(_)
                        | syn::BinOp::Ne(_),
                    ) => ExprKind::Compare(
                        b.op,
                        Box::new(self.expr(&b.left)),
                        Box::new(self.expr(&b.right)),
                    ),
                    (None, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                        let op = match b.op {
                            syn::BinOp::And(_) => LogicOp::And,
                            _ => LogicOp::Or,
                        };
                        let left = self.expr(&b.left);
                        // The right side runs only if the left does not decide: when it needs
                        // statements of its own (an `if`, a block), `c = left; if c { ..; c =
                        // right }` (`if !c` for `||`).
                        let before = self.pending.len();
                        let right = self.expr(&b.right);
                        if self.pending.len() > before {
                            let stmts = self.pending.split_off(before);
                            let c = self.fresh("cond", true, Shape::Scalar);
                            self.pending.push(Stmt::Let {
                                var: c,
                                ty: Some(syn::parse_quote!(bool)),
                                init: left,
                            });
                            let cv = self.vars[c].ident.clone();
                            let test: syn::Expr = match op {
                                LogicOp::And => syn::parse_quote!(#cv),
                                _ => syn::parse_quote!(!#cv),
                            };
                            let mut then = stmts;
                            then.push(Stmt::Assign {
                                var: c,
                                value: right,
                            });
                            self.pending.push(Stmt::If {
                                cond: self.built(test, vec![c], span),
                                then: Block { stmts: then },
                                els: Block::default(),
                            });
                            return self.var_expr(c, span);
                        }
                        ExprKind::Logic(op, vec![left, right])
                    }
                    (None, syn::BinOp::Rem(op)) => {
                        let e = self.opaque(
                            expr,
                            Unsupported::Other(
                                "the `%` operator",
                                "write `x - m * (x / m).trunc()`",
                            ),
                        );
                        return Expr::new(e.kind, op.span());
                    }
                    (
                        None,
                        syn::BinOp::AddAssign(_)
                        | syn::BinOp::SubAssign(_)
                        | syn::BinOp::MulAssign(_)
                        | syn::BinOp::DivAssign(_)
                        | syn::BinOp::RemAssign(_),
                    ) => {
                        let op = b.op.to_token_stream();
                        self.cx.error(
                            b.op.span(),
                            format!("`#[differentiable]` supports compound assignment only as a statement; write `x {op} e;` on its own line"),
                        );
                        return self.placeholder(expr);
                    }
                    // Bit operators and shifts: passive code; spanned on the operator.
                    _ => {
                        let op = b.op.to_token_stream().to_string();
                        let e = self.opaque(expr, Unsupported::Operator(op));
                        return Expr::new(e.kind, b.op.span());
                    }
                }
            }
            syn::Expr::MethodCall(m) => {
                if let Some(e) = self.iter_reduce(expr) {
                    return e;
                }
                if let Some(e) = self.iter_collect(expr) {
                    return e;
                }
                let name = m.method.to_string();
                match intrinsics::callable(&name) {
                    Some(row) if m.turbofish.is_none() && row.args.len() == m.args.len() + 1 => {
                        let mut args = vec![self.expr(&m.receiver)];
                        args.extend(m.args.iter().map(|a| self.expr(a)));
                        ExprKind::Call(row, args)
                    }
                    _ => return self.opaque(expr, Unsupported::Method(m.method.clone())),
                }
            }
            syn::Expr::Call(c) => {
                if let Some(e) = self.vec_new(c) {
                    return e;
                }
                let float_path = match &*c.func {
                    syn::Expr::Path(p) => float_method_path(p),
                    _ => None,
                };
                match float_path {
                    Some(name) => match intrinsics::callable(&name.to_string())
                        .filter(|row| row.args.len() == c.args.len())
                    {
                        Some(row) => {
                            let mut args: Vec<Expr> = c.args.iter().map(|a| self.expr(a)).collect();
                            // `f64::abs(a[1])` names the receiver's type; keep it (a method
                            // call on a `{float}` local would be ambiguous): `(a[1] as f64)`.
                            if let (Some(first), syn::Expr::Path(p)) = (args.first_mut(), &*c.func)
                            {
                                if let Some(ty) = float_path_type(p) {
                                    let e = std::mem::replace(
                                        first,
                                        Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span),
                                    );
                                    *first = Expr::new(ExprKind::Cast(Box::new(e), ty), span);
                                }
                            }
                            ExprKind::Call(row, args)
                        }
                        None => {
                            let e = self.opaque(expr, Unsupported::Method(name));
                            return Expr::new(e.kind, c.func.span());
                        }
                    },
                    None => match &*c.func {
                        // A closure bound with `let`: its body, with the arguments bound.
                        syn::Expr::Path(p)
                            if p.path
                                .get_ident()
                                .and_then(|i| self.resolve(i))
                                .is_some_and(|v| self.closures.iter().any(|(cv, ..)| *cv == v)) =>
                        {
                            let v = self
                                .resolve(p.path.get_ident().expect("checked"))
                                .expect("checked");
                            let (closure, visible) = self
                                .closures
                                .iter()
                                .find(|(cv, ..)| *cv == v)
                                .map(|(_, c, vis)| (c.clone(), vis.clone()))
                                .expect("checked");
                            return self.inline_closure(&closure, &c.args, Some(visible), span);
                        }
                        syn::Expr::Path(p)
                            if (p.qself.is_none() || is_field_method(p))
                                && p.path.get_ident().and_then(|i| self.resolve(i)).is_none() =>
                        {
                            ExprKind::UserCall(
                                (*c.func).clone(),
                                c.args.iter().map(|a| self.call_arg(a)).collect(),
                            )
                        }
                        // A closure or function passed in (`g: &dyn Fn(f64) -> f64`, `g: F`).
                        syn::Expr::Path(p)
                            if p.path.get_ident().and_then(|i| self.resolve(i)).is_some() =>
                        {
                            return self.opaque(
                                expr,
                                Unsupported::Message("`#[differentiable]` cannot differentiate through a function or closure passed in as a value (a trait object or generic parameter): its body is not visible to the macro; call a `#[differentiable]` function by name, write the computation here, or give this function its own derivative with `custom = rule` (here for the active value `{}`)"),
                            );
                        }
                        _ => {
                            let name = c.func.to_token_stream().to_string().replace(' ', "");
                            return self.opaque(expr, Unsupported::Call(name));
                        }
                    },
                }
            }
            syn::Expr::Cast(c) => {
                if float_ty(&c.ty).is_some() {
                    ExprKind::Cast(Box::new(self.expr(&c.expr)), (*c.ty).clone())
                } else {
                    let e = self.opaque(expr, Unsupported::CastToInt);
                    return Expr::new(
                        e.kind,
                        c.as_token.span.join(c.ty.span()).unwrap_or(c.as_token.span),
                    );
                }
            }
            syn::Expr::Index(ix) => match self.element(expr) {
                Some((var, index)) => ExprKind::Index(var, Box::new(index)),
                None if matches!(strip_parens(&ix.index), syn::Expr::Range(_)) => {
                    return self.opaque(
                        expr,
                        Unsupported::Other(
                            "slicing outside a call",
                            "pass `&x[a..b]` to a `#[differentiable]` helper, bind it with `let s = &x[a..b];`, or index single elements",
                        ),
                    );
                }
                None if self.matrix_of(&ix.expr).is_some() => {
                    return self.opaque(
                        expr,
                        Unsupported::Other(
                            "a matrix row as a value",
                            "index an element `m[i][j]`, pass `&m[i]` to a helper, or bind `let row = &m[i];`",
                        ),
                    );
                }
                None => return self.opaque(expr, Unsupported::Passive),
            },
            syn::Expr::Reference(r) if matches!(strip_parens(&r.expr), syn::Expr::Index(ix) if matches!(strip_parens(&ix.index), syn::Expr::Range(_))) =>
            {
                return self.opaque(
                    expr,
                    Unsupported::Message("`#[differentiable]` does not support slicing the active array `{}`; index single elements `{}[i]` in a loop"),
                );
            }
            syn::Expr::Array(a) if !a.elems.is_empty() => {
                // `[[a, b], [c, d]]`: a matrix, stored flattened row by row (rows of one length).
                let rows: Option<Vec<&syn::ExprArray>> = a
                    .elems
                    .iter()
                    .map(|e| match strip_parens(e) {
                        syn::Expr::Array(r) if !r.elems.is_empty() => Some(r),
                        _ => None,
                    })
                    .collect();
                let matrix = rows.filter(|r| r.iter().all(|x| x.elems.len() == r[0].elems.len()));
                // `[e0, e1, ..]` with float elements: a local array filled element by element.
                let elems: Vec<Expr> = match &matrix {
                    Some(rows) => rows
                        .iter()
                        .flat_map(|r| r.elems.iter())
                        .map(|e| self.expr(e))
                        .collect(),
                    None => a.elems.iter().map(|e| self.expr(e)).collect(),
                };
                if !elems.iter().any(|e| self.floatish(e)) {
                    return self.opaque(expr, Unsupported::Passive);
                }
                let n = elems.len();
                let len: syn::Expr = {
                    let lit = proc_macro2::Literal::usize_unsuffixed(n);
                    syn::parse_quote!(#lit)
                };
                let v = self.fresh("array", true, Shape::Array(quote!(#len)));
                self.vars[v].float = true;
                self.literals.push(v);
                if let Some(rows) = &matrix {
                    let (r, c) = (rows.len(), rows[0].elems.len());
                    let (r, c) = (
                        proc_macro2::Literal::usize_unsuffixed(r),
                        proc_macro2::Literal::usize_unsuffixed(c),
                    );
                    self.matrices.push((v, Some(quote!(#r)), quote!(#c)));
                }
                let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
                self.pending.push(Stmt::Let {
                    var: v,
                    ty: None,
                    init: Expr::new(ExprKind::ArrayRepeat(Box::new(zero), len), span),
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
                ExprKind::Var(v)
            }
            syn::Expr::Repeat(r) => {
                let e = self.expr(&r.expr);
                if self.fill_needed(&e) && !matches!(e.kind, ExprKind::ArrayRepeat(..)) {
                    return self.filled(e, (*r.len).clone(), false, span);
                }
                ExprKind::ArrayRepeat(Box::new(e), (*r.len).clone())
            }
            syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => return self.vec_macro(m),
            syn::Expr::Block(b) if b.label.is_none() => {
                // A block value: its statements run first, the value follows.
                self.scopes.push(Vec::new());
                self.depth += 1;
                let saved = std::mem::take(&mut self.pending);
                let (mut block, tail) = self.block_with_tail(&b.block, true);
                self.depth -= 1;
                self.scopes.pop();
                self.pending = saved;
                self.pending.append(&mut block.stmts);
                return match tail {
                    Some(t) => t,
                    None => self.built(syn::parse_quote!(()), Vec::new(), span),
                };
            }
            syn::Expr::If(e) => {
                let v = self.fresh("if_value", true, Shape::Scalar);
                self.pending.push(Stmt::Declare { var: v });
                let s = self.if_stmt(e, Some(v));
                self.pending.push(s);
                ExprKind::Var(v)
            }
            syn::Expr::Match(m) => {
                let v = self.fresh("match_value", true, Shape::Scalar);
                self.pending.push(Stmt::Declare { var: v });
                let s = self.match_stmt(m, Some(v));
                self.pending.push(s);
                ExprKind::Var(v)
            }
            other => {
                if self.unsupported(other) {
                    return self.placeholder(expr);
                }
                return self.opaque(expr, Unsupported::Passive);
            }
        };
        Expr::new(kind, span)
    }

    /// `f(a, b)` for `let f = |x, y| body;`: the arguments into variables, bound to the
    /// parameters in a scope of their own, and the body's value.
    pub(super) fn inline_closure(
        &mut self,
        c: &syn::ExprClosure,
        args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
        visible: Option<Vec<(String, VarId)>>,
        span: Span,
    ) -> Expr {
        if c.inputs.len() != args.len() {
            self.cx.error(
                span,
                format!("this closure takes {} arguments", c.inputs.len()),
            );
            return Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
        }
        let values: Vec<Tup> = args
            .iter()
            .map(|a| {
                let v = self.expr(a);
                Tup::One(self.temp(v))
            })
            .collect();
        // The names the closure saw where it was defined, then its parameters.
        let outer = visible.is_some();
        if let Some(vis) = visible {
            self.scopes.push(vis);
        }
        self.scopes.push(Vec::new());
        self.depth += 1;
        for (p, v) in c.inputs.iter().zip(values) {
            match (p, v) {
                // `|t: f64|`: the parameter keeps its type (`c(1.5)` is an `f64`).
                (syn::Pat::Type(pt), Tup::One(e)) if matches!(&*pt.pat, syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none()) =>
                {
                    let syn::Pat::Ident(pi) = &*pt.pat else {
                        unreachable!("checked")
                    };
                    let ty = Some((*pt.ty).clone());
                    if let Some(st) = self.let_ident(&pi.ident, pi.mutability.is_some(), ty, e) {
                        self.pending.push(st);
                    }
                }
                (p, v) => self.bind_pattern(p, v),
            }
        }
        let value = self.expr(&c.body);
        self.depth -= 1;
        self.scopes.pop();
        if outer {
            self.scopes.pop();
        }
        value
    }

    /// Stands in for an expression already reported as an error.
    pub(super) fn placeholder(&self, expr: &syn::Expr) -> Expr {
        Expr::new(
            ExprKind::Opaque {
                expr: expr.clone(),
                vars: Vec::new(),
                what: Unsupported::Reported,
            },
            expr.span(),
        )
    }

    /// Keeps `expr` as written (variables renamed), reporting constructs that cannot appear
    /// even in passive code.
    pub(super) fn opaque(&mut self, expr: &syn::Expr, what: Unsupported) -> Expr {
        let errors = self.cx.count();
        let mut renamer = Renamer {
            lw: self,
            vars: Vec::new(),
            lens: Vec::new(),
        };
        let mut e = expr.clone();
        renamer.visit_expr_mut(&mut e);
        let (vars, lens) = (renamer.vars, renamer.lens);
        // Already reported inside, or built on a variable whose value was rejected: no
        // follow-on errors.
        let what = if self.cx.count() > errors || vars.iter().any(|v| self.poisoned.contains(v)) {
            Unsupported::Reported
        } else {
            what
        };
        Expr {
            span: expr.span(),
            kind: ExprKind::Opaque {
                expr: e,
                vars,
                what,
            },
            orig: Some(expr.to_token_stream()),
            lens,
        }
    }

    /// Reports a construct that `#[differentiable]` does not support in expression position.
    /// Returns true if `expr` was such a construct.
    pub(super) fn unsupported(&mut self, expr: &syn::Expr) -> bool {
        let (span, msg): (Span, &str) = match expr {
            syn::Expr::If(e) => (e.if_token.span, "`#[differentiable]` does not support `if` inside this expression; compute the value with `let v = if ..` first"),
            syn::Expr::Match(e) => (e.match_token.span, "`#[differentiable]` does not support `match` inside this expression; compute the value with `let v = match ..` first"),
            syn::Expr::ForLoop(e) => (e.for_token.span, "`#[differentiable]` does not support a `for` loop as a value; use it as a statement"),
            syn::Expr::While(e) => (e.while_token.span, "`#[differentiable]` does not support a `while` loop as a value; use it as a statement"),
            syn::Expr::Loop(e) => (e.loop_token.span, "`#[differentiable]` does not support `loop` as a value; assign the result to a variable and `break`"),
            syn::Expr::Closure(e) => (e.or1_token.span, "`#[differentiable]` supports closures only in `map`, `filter` and `fold` of an iterator chain (`x.iter().map(|v| ..).sum()`, over `iter`, `enumerate`, `zip`, `windows(k)`, `chunks(k)`, `rev`, `skip(n)`, `take(n)`, `step_by(s)` and ranges), and bound with `let` and called; write a `for` loop"),
            syn::Expr::Unsafe(e) => (e.unsafe_token.span, "`#[differentiable]` does not support `unsafe` blocks; write safe code"),
            syn::Expr::Macro(e) => {
                self.macro_error(&e.mac);
                return true;
            }
            syn::Expr::Return(e) => (e.return_token.span, "`#[differentiable]` does not support `return` inside an expression; use `return` as a statement"),
            syn::Expr::Break(e) => (e.break_token.span, "`#[differentiable]` does not support `break` inside an expression; use `break;` as a statement"),
            syn::Expr::Continue(e) => (e.continue_token.span, "`#[differentiable]` does not support `continue` inside an expression; use `continue;` as a statement"),
            syn::Expr::Try(e) => (e.question_token.span, "`#[differentiable]` does not support the `?` operator; unwrap the `Option`/`Result` in the caller and pass the value in"),
            syn::Expr::Async(e) => (e.async_token.span, "`#[differentiable]` does not support `async` blocks; write synchronous code"),
            syn::Expr::Await(e) => (e.await_token.span, "`#[differentiable]` does not support `.await`; write synchronous code"),
            syn::Expr::Let(e) => (e.let_token.span, "`#[differentiable]` does not support `let` in expressions; test values with comparisons"),
            syn::Expr::Assign(e) => (e.eq_token.span, "`#[differentiable]` supports assignment only as a statement; write `x = e;` on its own line"),
            syn::Expr::Block(e) => match &e.label {
                Some(l) => (l.name.span(), "`#[differentiable]` does not support labeled blocks; use a plain block"),
                None => return false,
            },
            syn::Expr::TryBlock(e) => (e.try_token.span, "`#[differentiable]` does not support `try` blocks; write plain code"),
            syn::Expr::Yield(e) => (e.yield_token.span, "`#[differentiable]` does not support `yield`; write plain code"),
            syn::Expr::Const(e) => (e.const_token.span, "`#[differentiable]` does not support `const` blocks; use a `const` item"),
            _ => return false,
        };
        self.cx.error(span, msg);
        true
    }
}

/// `e` without leading `*`s.
fn strip_derefs(e: &syn::Expr) -> &syn::Expr {
    match strip_parens(e) {
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => strip_derefs(&u.expr),
        other => other,
    }
}

/// `<T>::g`, `<<T as Field<h>>::Ty>::g`: a struct's method, as `structs` rewrites `m.g(..)`
/// and `m.inner.g(..)` (a qualified type without `as Trait`; float types' functions are
/// intrinsics, handled before).
pub(super) fn is_field_method(p: &syn::ExprPath) -> bool {
    p.qself.as_ref().is_some_and(|q| q.position == 0)
}
