//! The ends of iterator chains (`sum`, `product`, `fold`, `max_by`/`min_by`) and `for` loops over
//! elements, lowered to indexed loops.

use super::*;

impl Lowerer<'_> {
    /// `chain.sum()`, `.product()`, `.fold(init, |acc, v| e)` of a supported iterator: the
    /// accumulator's value (the loop goes to `pending`). `None` if `e` is not such a chain.
    pub(in crate::lower) fn iter_reduce(&mut self, e: &syn::Expr) -> Option<Expr> {
        let syn::Expr::MethodCall(m) = strip_parens(e) else {
            return None;
        };
        let span = e.span();
        let method = m.method.to_string();
        if let Some(v) = self.iter_extreme(e) {
            return Some(v);
        }
        let (init, fold) = match (method.as_str(), m.args.len()) {
            // Rust's float `Sum` starts from -0.0 (an empty sum is -0.0).
            ("sum", 0) => {
                let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
                let neg = crate::intrinsics::op(crate::intrinsics::Op::Neg);
                (Expr::new(ExprKind::Call(neg, vec![zero]), span), None)
            }
            ("product", 0) => (Expr::new(ExprKind::Lit(syn::parse_quote!(1.0)), span), None),
            ("fold", 2) => {
                let c: syn::ExprClosure = match strip_parens(&m.args[1]) {
                    syn::Expr::Closure(c) => c.clone(),
                    // `fold(init, f64::max)`: the method as a closure.
                    syn::Expr::Path(p) => {
                        let name = float_method_path(p)?;
                        if name != "max" && name != "min" {
                            return None;
                        }
                        syn::parse_quote!(|__a, __b| __a.#name(__b))
                    }
                    _ => return None,
                };
                (self.expr(&m.args[0]), Some(c))
            }
            _ => return None,
        };
        let (src, len) = self.iter_source(&m.receiver)?;
        let acc = self.fresh("acc", true, Shape::Scalar);
        self.vars[acc].float = true;
        // `sum::<f64>()`: the accumulator has that type (a chain of constants would not say).
        let ty = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(ty)) if float_ty(ty).is_some() => Some(ty.clone()),
            _ => None,
        });
        self.pending.push(Stmt::Let { var: acc, ty, init });
        let outer = std::mem::take(&mut self.pending);
        let outer_conds = std::mem::take(&mut self.iter_conds);
        self.scopes.push(Vec::new());
        let k = self.fresh("k", false, Shape::Scalar);
        let value = match &fold {
            None => match self.element_at(&src, k, span) {
                Tup::One(v) => v,
                Tup::Many(_) | Tup::View { .. } => {
                    self.cx.error_at(&m.method, "`#[differentiable]` sums and multiplies floats: `map` the items to a float first");
                    self.placeholder(e)
                }
            },
            Some(c) => {
                // `|acc, v| e`: `acc` is the accumulator's current value.
                let mut inputs = c.inputs.iter();
                if let Some(syn::Pat::Ident(pa)) = inputs.next().map(strip_ref) {
                    self.scopes
                        .last_mut()
                        .expect("pushed")
                        .push((pa.ident.to_string(), acc));
                }
                if let Some(p) = inputs.next() {
                    let el = self.element_at(&src, k, span);
                    self.bind_pattern(strip_ref(p), el);
                }
                self.expr(&c.body)
            }
        };
        let op = match (method.as_str(), &fold) {
            ("product", _) => Some(crate::intrinsics::Op::Mul),
            (_, None) => Some(crate::intrinsics::Op::Add),
            _ => None,
        };
        let new = match op {
            Some(op) => Expr::new(
                ExprKind::Call(
                    crate::intrinsics::op(op),
                    vec![self.var_expr(acc, span), value],
                ),
                span,
            ),
            None => value,
        };
        let mut body = std::mem::take(&mut self.pending);
        body.push(Stmt::Assign {
            var: acc,
            value: new,
        });
        self.close_chain_loop(k, len, body, (outer, outer_conds), span)?;
        Some(self.var_expr(acc, span))
    }

    /// Ends the loop of a chain over `k < len` whose `body` was lowered in a scope of its own:
    /// the chain's `filter` conditions around it, the outer statements and conditions back
    /// (`outer`), the loop to `pending`. `None` if the length is not a passive expression.
    pub(in crate::lower) fn close_chain_loop(
        &mut self,
        k: VarId,
        len: Expr,
        body: Vec<Stmt>,
        (outer, outer_conds): (Vec<Stmt>, Vec<(Expr, usize)>),
        span: Span,
    ) -> Option<()> {
        let conds = std::mem::replace(&mut self.iter_conds, outer_conds);
        let body = self.filtered(conds, body, span);
        self.scopes.pop();
        self.pending = outer;
        let lp = index_loop(k, 0, len, body, Vec::new(), span)?;
        self.pending.push(lp);
        Some(())
    }
}

impl Lowerer<'_> {
    /// `src.max_by(|a, b| a.total_cmp(b)).unwrap()` (also `partial_cmp(..).unwrap()`,
    /// `min_by`, `.copied()` before `unwrap`): the first element, then a loop keeping the
    /// larger (the last of equal maxima, the first of equal minima, as the standard library).
    fn iter_extreme(&mut self, e: &syn::Expr) -> Option<Expr> {
        let syn::Expr::MethodCall(unwrap) = strip_parens(e) else {
            return None;
        };
        if unwrap.method != "unwrap" || !unwrap.args.is_empty() {
            return None;
        }
        let mut recv = strip_parens(&unwrap.receiver);
        if let syn::Expr::MethodCall(c) = recv {
            if (c.method == "copied" || c.method == "cloned") && c.args.is_empty() {
                recv = strip_parens(&c.receiver);
            }
        }
        let syn::Expr::MethodCall(m) = recv else {
            return None;
        };
        let want_max = match m.method.to_string().as_str() {
            "max_by" => true,
            "min_by" => false,
            _ => return None,
        };
        let syn::Expr::Closure(cmp) = strip_parens(m.args.first()?) else {
            return None;
        };
        // `|a, b| a.total_cmp(b)` orders as written; `b.total_cmp(a)` reverses.
        let names: Vec<String> = cmp
            .inputs
            .iter()
            .filter_map(|p| match strip_ref(p) {
                syn::Pat::Ident(pi) => Some(pi.ident.to_string()),
                _ => None,
            })
            .collect();
        let body = cmp.body.to_token_stream().to_string();
        let first = names.first()?;
        let reversed = !body
            .trim_start_matches(['*', ' '])
            .starts_with(first.as_str());
        let larger = want_max != reversed;
        let (src, len) = self.iter_source(&m.receiver)?;
        let span = e.span();
        let k0 = self.fresh("k", false, Shape::Scalar);
        let zero = self.built(syn::parse_quote!(0usize), Vec::new(), span);
        self.pending.push(Stmt::Let {
            var: k0,
            ty: Some(syn::parse_quote!(usize)),
            init: zero,
        });
        let Tup::One(first_el) = self.element_at(&src, k0, span) else {
            return None;
        };
        let best = self.fresh("best", true, Shape::Scalar);
        self.vars[best].float = true;
        self.pending.push(Stmt::Let {
            var: best,
            ty: None,
            init: first_el,
        });
        let outer = std::mem::take(&mut self.pending);
        self.scopes.push(Vec::new());
        let k = self.fresh("k", false, Shape::Scalar);
        let Tup::One(v) = self.element_at(&src, k, span) else {
            return None;
        };
        let op: syn::BinOp = match (larger, want_max) {
            (true, true) => syn::parse_quote!(>=),
            (true, false) => syn::parse_quote!(>),
            (false, true) => syn::parse_quote!(<=),
            (false, false) => syn::parse_quote!(<),
        };
        let cond = Expr::new(
            ExprKind::Compare(
                op,
                Box::new(clone_index(&v)),
                Box::new(self.var_expr(best, span)),
            ),
            span,
        );
        let mut body = std::mem::take(&mut self.pending);
        body.push(Stmt::If {
            cond,
            then: Block {
                stmts: vec![Stmt::Assign {
                    var: best,
                    value: v,
                }],
            },
            els: Block::default(),
        });
        self.scopes.pop();
        self.pending = outer;
        let lp = index_loop(k, 1, len, body, Vec::new(), span)?;
        self.pending.push(lp);
        Some(self.var_expr(best, span))
    }
}

/// `for k in start..len { body }` over the indices of an iterator (`len` a passive length
/// expression), with the loop's exit flags.
pub(in crate::lower) fn index_loop(
    k: VarId,
    start: usize,
    len: Expr,
    body: Vec<Stmt>,
    exits: Vec<VarId>,
    span: Span,
) -> Option<Stmt> {
    let ExprKind::Opaque {
        expr: len_e, vars, ..
    } = len.kind
    else {
        return None;
    };
    let start = proc_macro2::Literal::usize_unsuffixed(start);
    Some(Stmt::Loop(Box::new(Loop {
        head: LoopHead::For {
            var: k,
            iter: Expr::new(
                ExprKind::Opaque {
                    expr: syn::parse_quote!(#start..#len_e),
                    vars,
                    what: Unsupported::Length,
                },
                span,
            ),
        },
        body: Block { stmts: body },
        exits,
        bound: None,
    })))
}

/// `&p` and `p` bind alike here (elements are copied floats).
pub(super) fn strip_ref(p: &syn::Pat) -> &syn::Pat {
    match p {
        syn::Pat::Reference(r) => strip_ref(&r.pat),
        syn::Pat::Type(t) => strip_ref(&t.pat),
        other => other,
    }
}
