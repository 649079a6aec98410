//! Blocks and statements: tails, jumps guarded by flags, `return`/`break`/`continue`, and
//! statement expressions.

use super::*;

impl Lowerer<'_> {
    // ---- blocks and statements ---------------------------------------------------------------

    /// A block and (if `want_value`) its value.
    pub(super) fn block_with_tail(
        &mut self,
        block: &syn::Block,
        want_value: bool,
    ) -> (Block, Option<Expr>) {
        self.scopes.push(Vec::new());
        self.depth += 1;
        let (stmts, tail) = self.stmts(&block.stmts, want_value);
        self.depth -= 1;
        self.scopes.pop();
        (stmts, tail)
    }

    /// A block used as a statement (its value, if any, is dropped).
    pub(super) fn block_stmt(&mut self, block: &syn::Block) -> Block {
        self.block_with_tail(block, false).0
    }

    /// Lowers statements in order; after one that may jump (`break`, `continue`, `return`),
    /// the rest is wrapped in a guard so that it only runs if no jump happened.
    pub(super) fn stmts(&mut self, stmts: &[syn::Stmt], want_value: bool) -> (Block, Option<Expr>) {
        let mut out = Block::default();
        let n = stmts.len();
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == n;
            let before = self.jump_state();
            if let syn::Stmt::Expr(e, None) = stmt {
                if want_value && last && !matches!(e, syn::Expr::Return(_)) && !is_statement_like(e)
                {
                    let tail = match self.tuple_ret.clone() {
                        // `-> (f64, f64)`: the tuple as an array (see `tuple_result`).
                        Some(shape) if self.depth == 1 => self.tuple_result(e, &shape),
                        _ => self.expr(e),
                    };
                    out.stmts.append(&mut self.pending);
                    return (out, Some(tail));
                }
            }
            self.stmt(stmt, &mut out.stmts);
            if self.jump_state() != before && !last {
                let flags = self.guard_flags();
                let (mut rest, tail) = self.stmts(&stmts[i + 1..], want_value);
                if let Some(t) = tail {
                    match self.ret {
                        // The function's result after an early return: assigned under the guard.
                        Some((_, rv)) if self.depth == 1 => {
                            let set = self.result_assign(rv, t, stmt.span());
                            rest.stmts.push(set)
                        }
                        _ => self.cx.error(
                            t.span,
                            "`#[differentiable]` does not support a block value after `break`/`continue` in the same block; assign the value to a variable",
                        ),
                    }
                }
                let span = stmt.span();
                out.stmts.push(self.guard(flags, rest, span));
                return (out, None);
            }
        }
        (out, None)
    }

    pub(super) fn jump_state(&self) -> (usize, usize) {
        (self.loops.last().map_or(0, |l| l.jumps), self.ret_jumps)
    }

    /// The flags that end the current iteration or the function.
    pub(super) fn guard_flags(&self) -> Vec<VarId> {
        let mut flags = Vec::new();
        if let Some(l) = self.loops.last() {
            flags.extend(l.brk);
            flags.extend(l.cont);
        }
        if let Some((f, _)) = self.ret {
            flags.push(f);
        }
        flags
    }

    pub(super) fn stmt(&mut self, stmt: &syn::Stmt, out: &mut Vec<Stmt>) {
        match stmt {
            syn::Stmt::Local(local) => {
                let s = self.local(local);
                out.append(&mut self.pending);
                out.extend(s);
            }
            syn::Stmt::Item(item) => {
                if self.depth > 1 {
                    self.cx.error_at(
                        item,
                        "`#[differentiable]` does not support items inside nested blocks; move the item to the top of the function body or to the module",
                    );
                } else if let syn::Item::Macro(m) = item {
                    self.macro_error(&m.mac);
                } else {
                    out.push(Stmt::Item(item.clone()));
                }
            }
            syn::Stmt::Macro(m) => self.macro_error(&m.mac),
            syn::Stmt::Expr(expr, _) => {
                let s = self.expr_stmt(expr);
                out.append(&mut self.pending);
                out.extend(s);
            }
        }
    }

    /// An expression in statement position.
    pub(super) fn expr_stmt(&mut self, expr: &syn::Expr) -> Vec<Stmt> {
        match expr {
            syn::Expr::Return(ret) if ret.expr.is_none() && self.unit => {
                // `return;` with results in output buffers: the rest is skipped.
                let flag = match self.ret {
                    Some((f, _)) => f,
                    None => {
                        let flag = self.fresh("returned", true, Shape::Scalar);
                        let rv = self.fresh("result", true, Shape::Scalar);
                        self.ret = Some((flag, rv));
                        flag
                    }
                };
                self.ret_jumps += 1;
                for l in &mut self.loops {
                    l.returns = true;
                }
                vec![self.set_flag(flag, ret.span())]
            }
            syn::Expr::Return(ret) => {
                let Some(e) = &ret.expr else {
                    self.cx.error_at(
                        ret,
                        "`return` needs a value here; return the function's float result",
                    );
                    return Vec::new();
                };
                let value = match self.tuple_ret.clone() {
                    Some(shape) => self.tuple_result(e, &shape),
                    None => self.expr(e),
                };
                let (flag, rv) = match self.ret {
                    Some(r) => r,
                    None => {
                        let flag = self.fresh("returned", true, Shape::Scalar);
                        // An array result (`-> [f; M]`, or a tuple as an array) is an array.
                        let shape = match &self.ret_array {
                            Some(n) => Shape::Array(n.clone()),
                            None => Shape::Scalar,
                        };
                        let rv = self.fresh("result", true, shape);
                        self.vars[rv].float = true;
                        self.ret = Some((flag, rv));
                        (flag, rv)
                    }
                };
                self.ret_jumps += 1;
                for l in &mut self.loops {
                    l.returns = true;
                }
                let set = self.result_assign(rv, value, ret.span());
                vec![set, self.set_flag(flag, ret.span())]
            }
            syn::Expr::Break(b) => {
                if let Some(l) = &b.label {
                    self.cx.error_at(l, "`#[differentiable]` does not support labeled `break`; use a flag variable and plain `break`");
                    return Vec::new();
                }
                if let Some(e) = &b.expr {
                    self.cx.error_at(e, "`#[differentiable]` does not support `break` with a value; assign the value to a variable before `break`");
                }
                let fresh_id = self.vars.len();
                let Some(l) = self.loops.last_mut() else {
                    self.cx
                        .error(b.break_token.span, "`break` outside of a loop");
                    return Vec::new();
                };
                l.jumps += 1;
                let flag = match l.brk {
                    Some(f) => f,
                    None => {
                        l.brk = Some(fresh_id);
                        let f = self.fresh("broke", true, Shape::Scalar);
                        debug_assert_eq!(f, fresh_id);
                        f
                    }
                };
                vec![self.set_flag(flag, b.span())]
            }
            syn::Expr::Continue(c) => {
                if let Some(l) = &c.label {
                    self.cx.error_at(l, "`#[differentiable]` does not support labeled `continue`; use a flag variable and plain `continue`");
                    return Vec::new();
                }
                let fresh_id = self.vars.len();
                let Some(l) = self.loops.last_mut() else {
                    self.cx
                        .error(c.continue_token.span, "`continue` outside of a loop");
                    return Vec::new();
                };
                l.jumps += 1;
                let flag = match l.cont {
                    Some(f) => f,
                    None => {
                        l.cont = Some(fresh_id);
                        self.fresh("continued", true, Shape::Scalar)
                    }
                };
                vec![self.set_flag(flag, c.span())]
            }
            syn::Expr::If(e) => vec![self.if_stmt(e, None)],
            syn::Expr::Match(m) => vec![self.match_stmt(m, None)],
            syn::Expr::ForLoop(f) => self.for_loop(f),
            syn::Expr::While(w) => self.while_loop(w),
            syn::Expr::Loop(l) => self.plain_loop(l),
            syn::Expr::Block(b) if b.label.is_none() => {
                self.scopes.push(Vec::new());
                self.depth += 1;
                let block = self.block_stmt(&b.block);
                self.depth -= 1;
                self.scopes.pop();
                block.stmts
            }
            syn::Expr::MethodCall(m) if m.method == "push" && m.args.len() == 1 => {
                match self.vec_var(&m.receiver) {
                    Some(var) => self.push(var, &m.args[0], m.method.span()),
                    None => vec![Stmt::Expr(self.expr(expr))],
                }
            }
            syn::Expr::Assign(a) if matches!(strip_parens(&a.left), syn::Expr::Tuple(_)) => {
                self.tuple_assign(&a.left, &a.right);
                Vec::new()
            }
            _ => {
                if let Some(s) = self.assign(expr) {
                    return vec![s];
                }
                vec![Stmt::Expr(self.expr(expr))]
            }
        }
    }

    /// `rv = value` for the function's result: element by element for an array result.
    pub(super) fn result_assign(&mut self, rv: VarId, value: Expr, span: Span) -> Stmt {
        match (&self.ret_array, &value.kind) {
            (Some(n), ExprKind::Var(src)) => {
                let (n, src) = (n.clone(), *src);
                self.copy_loop(rv, src, &n, span)
            }
            (Some(_), _) => {
                self.cx.error(
                    value.span,
                    "`#[differentiable]` needs an array result to be an array literal `[a, b, ..]` or a local array",
                );
                Stmt::Assign { var: rv, value }
            }
            (None, _) => Stmt::Assign { var: rv, value },
        }
    }

    pub(super) fn macro_error(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        self.cx.error_at(
            &mac.path,
            format!("`#[differentiable]` does not support macros such as `{name}!` in its body; write the computation without the macro, or move it to the caller"),
        );
    }
}
