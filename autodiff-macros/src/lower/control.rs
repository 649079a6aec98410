//! Control flow: `if` (statement and value), `match` as an `if` chain, loops with their exit
//! flags, and the compile-time trip bounds that size the reverse sweep's storage.

use super::*;
impl Lowerer<'_> {
    /// `if` as a statement, or (with `dest`) assigning its value to `dest`.
    pub(super) fn if_stmt(&mut self, e: &syn::ExprIf, dest: Option<VarId>) -> Stmt {
        if let syn::Expr::Let(l) = &*e.cond {
            self.cx.error(
                l.let_token.span,
                "`#[differentiable]` does not support `if let`; test the value with a comparison",
            );
        }
        let outer = std::mem::take(&mut self.pending);
        let cond = self.expr(&e.cond);
        let pre = std::mem::take(&mut self.pending);
        let then = self.branch(&e.then_branch, dest);
        let els = match &e.else_branch {
            None => {
                if dest.is_some() {
                    self.cx.error(
                        e.if_token.span,
                        "an `if` whose value is used needs an `else` branch",
                    );
                }
                Block::default()
            }
            Some((_, else_expr)) => match &**else_expr {
                syn::Expr::Block(b) => self.branch(&b.block, dest),
                syn::Expr::If(inner) => {
                    let s = self.if_stmt(inner, dest);
                    let mut b = Block {
                        stmts: std::mem::take(&mut self.pending),
                    };
                    b.stmts.push(s);
                    b
                }
                other => {
                    self.cx.error_at(other, "unexpected `else` branch");
                    Block::default()
                }
            },
        };
        // Hoisted parts of the condition run before the `if`.
        self.pending = outer;
        self.pending.extend(pre);
        Stmt::If { cond, then, els }
    }

    /// A branch block; with `dest`, its value is assigned to `dest`.
    pub(super) fn branch(&mut self, block: &syn::Block, dest: Option<VarId>) -> Block {
        let saved = std::mem::take(&mut self.pending);
        let (mut b, tail) = self.block_with_tail(block, dest.is_some());
        match (dest, tail) {
            (Some(d), Some(t)) => {
                b.stmts.append(&mut self.pending);
                // A branch value that is a float makes the `if`'s value one.
                if self.floatish(&t) {
                    self.vars[d].float = true;
                }
                b.stmts.push(Stmt::Assign { var: d, value: t });
            }
            // A branch that leaves (`return`, `break`, `continue`) has no value to assign.
            (Some(_), None) if diverges(block) => {}
            (Some(_), None) => {
                if !self.cx.has_errors() {
                    self.cx.error(
                        block.brace_token.span.close(),
                        "this branch has no value; end it with the value of the `if`/`match`",
                    );
                }
            }
            (None, Some(t)) => b.stmts.push(Stmt::Expr(t)),
            (None, None) => {}
        }
        self.pending = saved;
        b
    }

    /// `match` on a passive value, as an `if` chain over `matches!`.
    pub(super) fn match_stmt(&mut self, m: &syn::ExprMatch, dest: Option<VarId>) -> Stmt {
        let scrut = self.expr(&m.expr);
        let t = self.fresh("scrutinee", false, Shape::Scalar);
        self.pending.push(Stmt::Let {
            var: t,
            ty: None,
            init: scrut,
        });
        let t_ident = self.vars[t].ident.clone();
        // Build from the last arm backwards: else-branch of arm k is the chain of arms k+1...
        let mut chain: Option<Block> = None;
        for (k, arm) in m.arms.iter().enumerate().rev() {
            if let Some((if_token, _)) = &arm.guard {
                self.cx.error(if_token.span, "`#[differentiable]` does not support match guards; write an `if` inside the arm");
            }
            if let Some(span) = binding_in(&arm.pat) {
                self.cx.error(span, "`#[differentiable]` does not support bindings in `match` patterns; match literals, ranges, constants or `_`");
            }
            let body = match &*arm.body {
                syn::Expr::Block(b) if b.label.is_none() => self.branch(&b.block, dest),
                other => {
                    let saved = std::mem::take(&mut self.pending);
                    let mut b = Block::default();
                    self.scopes.push(Vec::new());
                    let s = match dest {
                        Some(_) if diverging_expr(other) => self.expr_stmt(other),
                        Some(d) => {
                            let v = self.expr(other);
                            if self.floatish(&v) {
                                self.vars[d].float = true;
                            }
                            vec![Stmt::Assign { var: d, value: v }]
                        }
                        None => self.expr_stmt(other),
                    };
                    self.scopes.pop();
                    b.stmts.append(&mut self.pending);
                    b.stmts.extend(s);
                    self.pending = saved;
                    b
                }
            };
            let last = k + 1 == m.arms.len();
            chain = Some(if last {
                body
            } else {
                let pat = &arm.pat;
                let cond: syn::Expr = syn::parse_quote!(::core::matches!(#t_ident, #pat));
                // The scrutinee is ours: an error about it names the construct instead.
                let what = Unsupported::Message(
                    "`#[differentiable]` does not support `match` on an active float (its arms test exact values); write `if x < a { .. } else if .. { .. }` comparisons",
                );
                let cond = Expr::new(
                    ExprKind::Opaque {
                        expr: cond,
                        vars: vec![t],
                        what,
                    },
                    m.expr.span(),
                );
                Block {
                    stmts: vec![Stmt::If {
                        cond,
                        then: body,
                        els: chain.take().unwrap_or_default(),
                    }],
                }
            });
        }
        let mut block = chain.unwrap_or_default();
        match block.stmts.len() {
            1 => block.stmts.pop().expect("one statement"),
            _ => Stmt::If {
                cond: self.built(syn::parse_quote!(true), Vec::new(), m.match_token.span),
                then: block,
                els: Block::default(),
            },
        }
    }

    pub(super) fn loop_body(
        &mut self,
        body: &syn::Block,
        var: Option<(&syn::Ident, bool)>,
    ) -> (Block, LoopCtx, Option<VarId>) {
        self.loops.push(LoopCtx {
            brk: None,
            cont: None,
            jumps: 0,
            returns: false,
        });
        self.scopes.push(Vec::new());
        let v = var.map(|(name, m)| self.declare(name, m, Shape::Scalar));
        let saved = std::mem::take(&mut self.pending);
        let mut b = self.block_stmt(body);
        self.pending = saved;
        self.scopes.pop();
        let ctx = self.loops.pop().expect("pushed above");
        if let Some(c) = ctx.cont {
            b.stmts.insert(0, self.flag_decl(c));
        }
        (b, ctx, v)
    }

    pub(super) fn exits(&mut self, ctx: &LoopCtx, out: &mut Vec<Stmt>) -> Vec<VarId> {
        let mut exits = Vec::new();
        if let Some(b) = ctx.brk {
            out.push(self.flag_decl(b));
            exits.push(b);
        }
        if ctx.returns {
            if let Some((f, _)) = self.ret {
                exits.push(f);
            }
        }
        exits
    }

    pub(super) fn for_loop(&mut self, f: &syn::ExprForLoop) -> Vec<Stmt> {
        if let Some(l) = &f.label {
            self.cx.error_at(
                l,
                "`#[differentiable]` does not support loop labels; use a flag variable",
            );
        }
        if let Some(out) = self.for_each(f) {
            return out;
        }
        let var = match &*f.pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                Some((&pi.ident, pi.mutability.is_some()))
            }
            syn::Pat::Wild(_) => None,
            other => {
                self.cx.error_at(
                    other,
                    "`#[differentiable]` supports `for` loops over integer ranges only; write `for i in 0..n` and index with `i`",
                );
                return Vec::new();
            }
        };
        let bound = self.range_bound(&f.expr);
        let mut iter = self.opaque(
            &f.expr,
            Unsupported::Message("`#[differentiable]` supports `for` loops over ranges and over `x.iter()`, `&x`, `enumerate`, `zip`, `windows(k)`, `chunks(k)`, `rev`, `skip(n)`, `take(n)`, `step_by(s)` and `map` of them; write `for i in 0..{}.len()` and index with `{}[i]`"),
        );
        // A range bounded by a local `Vec`'s length reads the `Vec` (its length can change
        // and it may be out of scope in the reverse sweep): recorded, so the reverse sweep
        // does not evaluate the range again.
        let vecs = self.vec_lens(&f.expr);
        if let ExprKind::Opaque { vars, what, .. } = &mut iter.kind {
            if !vecs.is_empty() {
                vars.extend(vecs);
                *what = Unsupported::Length;
            }
        }
        let wild = format_ident!("_");
        let (body, ctx, v) = self.loop_body(&f.body, Some(var.unwrap_or((&wild, false))));
        let mut out = Vec::new();
        let exits = self.exits(&ctx, &mut out);
        out.push(Stmt::Loop(Box::new(Loop {
            head: LoopHead::For {
                var: v.expect("declared"),
                iter,
            },
            body,
            exits,
            bound,
        })));
        out
    }

    /// `for v in x.iter()` (and `&x`, `x`, `enumerate`, `zip`, `windows`, `map`): a loop over
    /// the indices, binding the pattern to each element first.
    fn for_each(&mut self, f: &syn::ExprForLoop) -> Option<Vec<Stmt>> {
        let e = strip_parens(&f.expr);
        // `(a..b).rev().step_by(k)`: a range loop (not an iterator over elements).
        fn is_range(e: &syn::Expr) -> bool {
            match strip_parens(e) {
                syn::Expr::Range(_) => true,
                syn::Expr::MethodCall(m)
                    if matches!(m.method.to_string().as_str(), "rev" | "step_by") =>
                {
                    is_range(&m.receiver)
                }
                _ => false,
            }
        }
        if is_range(e) || f.label.is_some() {
            return None;
        }
        let span = f.expr.span();
        let mark = self.pending.len();
        let Some((src, len)) = self.iter_source(e) else {
            self.pending.truncate(mark);
            return None;
        };
        let pre = self.pending.split_off(mark);
        self.loops.push(LoopCtx {
            brk: None,
            cont: None,
            jumps: 0,
            returns: false,
        });
        self.scopes.push(Vec::new());
        let k = self.fresh("k", false, Shape::Scalar);
        let saved = std::mem::take(&mut self.pending);
        let outer_conds = std::mem::take(&mut self.iter_conds);
        // `for w in x.windows(2)`, `for row in m.iter()`: `w`, `row` name sub-slices.
        let el = self.element_at(&src, k, span);
        self.bind_pattern(&f.pat, el);
        let prelude = std::mem::take(&mut self.pending);
        let conds = std::mem::replace(&mut self.iter_conds, outer_conds);
        let mut b = self.block_stmt(&f.body);
        self.pending = saved;
        self.scopes.pop();
        let ctx = self.loops.pop().expect("pushed above");
        // `filter`s guard the bindings after them and the body.
        let mut all = prelude;
        all.append(&mut b.stmts);
        b.stmts = self.filtered(conds, all, span);
        if let Some(c) = ctx.cont {
            b.stmts.insert(0, self.flag_decl(c));
        }
        let mut out = pre;
        let exits = self.exits(&ctx, &mut out);
        out.push(super::iters::index_loop(k, 0, len, b.stmts, exits, span)?);
        Some(out)
    }

    /// The local `Vec`s whose `.len()` an expression reads.
    fn vec_lens(&self, e: &syn::Expr) -> Vec<VarId> {
        struct Find<'l, 'a>(&'l Lowerer<'a>, Vec<VarId>);
        impl<'ast> syn::visit::Visit<'ast> for Find<'_, '_> {
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                if m.method == "len" {
                    if let Some(v) = self.0.path_var(&m.receiver) {
                        if matches!(self.0.vars[v].shape, Shape::Vec) {
                            self.1.push(v);
                        }
                    }
                }
                syn::visit::visit_expr_method_call(self, m);
            }
        }
        let mut f = Find(self, Vec::new());
        syn::visit::Visit::visit_expr(&mut f, e);
        f.1
    }

    pub(super) fn while_loop(&mut self, w: &syn::ExprWhile) -> Vec<Stmt> {
        if let Some(l) = &w.label {
            self.cx.error_at(
                l,
                "`#[differentiable]` does not support loop labels; use a flag variable",
            );
        }
        if let syn::Expr::Let(l) = &*w.cond {
            self.cx.error(
                l.let_token.span,
                "`#[differentiable]` does not support `while let`; use `while` with a comparison",
            );
        }
        let cond = self.expr(&w.cond);
        if !self.pending.is_empty() {
            self.cx.error_at(&w.cond, "`#[differentiable]` does not support `if` or blocks in a `while` condition; compute the condition in the loop body");
            self.pending.clear();
        }
        let (body, ctx, _) = self.loop_body(&w.body, None);
        let mut out = Vec::new();
        let exits = self.exits(&ctx, &mut out);
        out.push(Stmt::Loop(Box::new(Loop {
            head: LoopHead::While { cond },
            body,
            exits,
            bound: None,
        })));
        out
    }

    pub(super) fn plain_loop(&mut self, l: &syn::ExprLoop) -> Vec<Stmt> {
        if let Some(lb) = &l.label {
            self.cx.error_at(
                lb,
                "`#[differentiable]` does not support loop labels; use a flag variable",
            );
        }
        let (body, ctx, _) = self.loop_body(&l.body, None);
        let mut out = Vec::new();
        let exits = self.exits(&ctx, &mut out);
        if exits.is_empty() {
            self.cx
                .error(l.loop_token.span, "this `loop` never ends; add a `break`");
        }
        out.push(Stmt::Loop(Box::new(Loop {
            head: LoopHead::Loop,
            body,
            exits,
            bound: None,
        })));
        out
    }

    /// A compile-time bound of a range's trip count: `lo..hi` with a literal `lo` and `hi` a
    /// literal, a constant (`N`), `N - k`, `N / k`, or `x.len()` of an array parameter `&[f; N]`.
    pub(super) fn range_bound(&self, e: &syn::Expr) -> Option<TokenStream> {
        let e = strip_parens(e);
        match e {
            syn::Expr::MethodCall(m)
                if (m.method == "rev" && m.args.is_empty())
                    || (m.method == "step_by" && m.args.len() == 1) =>
            {
                self.range_bound(&m.receiver)
            }
            syn::Expr::Range(r) => {
                let lo_ok = match r.start.as_deref().map(strip_parens) {
                    None => true,
                    Some(syn::Expr::Lit(l)) => matches!(l.lit, syn::Lit::Int(_)),
                    _ => false,
                };
                let hi = r.end.as_deref()?;
                let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
                if !lo_ok {
                    return None;
                }
                match strip_parens(hi) {
                    syn::Expr::Lit(l) => {
                        let syn::Lit::Int(i) = &l.lit else {
                            return None;
                        };
                        let v: u64 = i.base10_parse().ok()?;
                        let v = if inclusive { v + 1 } else { v };
                        let lit = proc_macro2::Literal::u64_unsuffixed(v.max(1));
                        Some(quote!(#lit))
                    }
                    _ if inclusive => None,
                    other => self.const_bound(other),
                }
            }
            _ => None,
        }
    }

    pub(super) fn const_bound(&self, e: &syn::Expr) -> Option<TokenStream> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let id = p.path.get_ident()?;
                // A local variable is a run-time value; anything else is a constant.
                if self.resolve(id).is_some() {
                    None
                } else {
                    Some(quote!(#id))
                }
            }
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Sub(_) | syn::BinOp::Div(_)) => {
                match strip_parens(&b.right) {
                    syn::Expr::Lit(l) if matches!(l.lit, syn::Lit::Int(_)) => {
                        self.const_bound(&b.left)
                    }
                    _ => None,
                }
            }
            syn::Expr::MethodCall(m) if m.method == "len" && m.args.is_empty() => {
                let syn::Expr::Path(p) = strip_parens(&m.receiver) else {
                    return None;
                };
                let v = self.resolve(p.path.get_ident()?)?;
                if let Some((_, rows, _)) = self.matrices.iter().find(|(m, ..)| *m == v) {
                    return rows.clone();
                }
                match &self.vars[v].shape {
                    Shape::ArrayRef(n) | Shape::Array(n) => Some(n.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// Whether a block ends by leaving: its last statement is `return`, `break` or `continue`.
pub(super) fn diverges(block: &syn::Block) -> bool {
    match block.stmts.last() {
        Some(syn::Stmt::Expr(e, _)) => diverging_expr(e),
        _ => false,
    }
}

/// `return ..`, `break`, `continue`, or a block ending in one.
pub(super) fn diverging_expr(e: &syn::Expr) -> bool {
    match strip_parens(e) {
        syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_) => true,
        syn::Expr::Block(b) if b.label.is_none() => diverges(&b.block),
        _ => false,
    }
}

/// The span of a binding in a pattern, if it has one.
pub(super) fn binding_in(pat: &syn::Pat) -> Option<Span> {
    match pat {
        // `THREE =>` names a constant (Rust's convention); `n =>` binds.
        syn::Pat::Ident(pi)
            if pi.subpat.is_none()
                && pi.by_ref.is_none()
                && pi.mutability.is_none()
                && pi
                    .ident
                    .to_string()
                    .starts_with(|c: char| c.is_ascii_uppercase()) =>
        {
            None
        }
        syn::Pat::Ident(pi) => Some(pi.ident.span()),
        syn::Pat::Or(o) => o.cases.iter().find_map(binding_in),
        syn::Pat::Paren(p) => binding_in(&p.pat),
        syn::Pat::Tuple(t) => t.elems.iter().find_map(binding_in),
        syn::Pat::TupleStruct(t) => t.elems.iter().find_map(binding_in),
        syn::Pat::Struct(s) => s.fields.iter().find_map(|f| binding_in(&f.pat)),
        syn::Pat::Slice(s) => s.elems.iter().find_map(binding_in),
        syn::Pat::Reference(r) => binding_in(&r.pat),
        _ => None,
    }
}
