//! syn -> IR: one function per syn node kind. Names are resolved here (every `let` becomes its
//! own variable); syntax that `#[differentiable]` does not support is reported here, spanned on
//! the offending node, with the remedy.

use proc_macro2::Span;
use quote::{format_ident, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

use crate::ctxt::Ctxt;
use crate::intrinsics::{self, Op};
use crate::ir::*;

/// Lowers the function; `None` if its signature cannot be lowered (errors are in `cx`).
pub fn lower(item: &syn::ItemFn, cx: &mut Ctxt) -> Option<Func> {
    let mut lw = Lowerer {
        cx,
        vars: Vec::new(),
        scopes: vec![Vec::new()],
        depth: 0,
    };
    let params = lw.params(&item.sig);
    let body = lw.body(&item.block);
    Some(Func {
        params: params?,
        vars: lw.vars,
        body,
        float: FloatTy::F64,
    })
}

struct Lowerer<'a> {
    cx: &'a mut Ctxt,
    vars: Vec<Var>,
    scopes: Vec<Vec<(String, VarId)>>,
    /// Block nesting depth (0 = the function body).
    depth: usize,
}

/// The float type named by `ty`, if it is exactly `f32` or `f64`.
pub fn float_ty(ty: &syn::Type) -> Option<FloatTy> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            if p.path.is_ident("f64") {
                Some(FloatTy::F64)
            } else if p.path.is_ident("f32") {
                Some(FloatTy::F32)
            } else {
                None
            }
        }
        syn::Type::Paren(p) => float_ty(&p.elem),
        syn::Type::Group(g) => float_ty(&g.elem),
        _ => None,
    }
}

/// Whether `ty` is `&[f; N]` or `&[f]` for a float `f`.
fn float_array(ty: &syn::Type) -> bool {
    if let syn::Type::Reference(r) = ty {
        match &*r.elem {
            syn::Type::Array(a) => float_ty(&a.elem).is_some(),
            syn::Type::Slice(s) => float_ty(&s.elem).is_some(),
            _ => false,
        }
    } else {
        false
    }
}

impl Lowerer<'_> {
    fn declare(&mut self, name: &syn::Ident, mutable: bool) -> VarId {
        let id = self.vars.len();
        let ident = format_ident!(
            "{}_{}",
            name.to_string().trim_start_matches("r#"),
            id,
            span = Span::mixed_site()
        );
        self.vars.push(Var {
            name: name.clone(),
            ident,
            mutable,
            active: false,
        });
        self.scopes
            .last_mut()
            .expect("there is always a scope")
            .push((name.to_string(), id));
        id
    }

    fn resolve(&self, name: &syn::Ident) -> Option<VarId> {
        let s = name.to_string();
        self.scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(n, _)| *n == s)
            .map(|(_, id)| *id)
    }

    // ---- signature ---------------------------------------------------------------------------

    fn params(&mut self, sig: &syn::Signature) -> Option<Vec<Param>> {
        let mut ok = true;
        if let Some(t) = &sig.constness {
            self.cx.error(
                t.span(),
                "`#[differentiable]` does not support `const fn`; remove `const`",
            );
            ok = false;
        }
        if let Some(t) = &sig.asyncness {
            self.cx.error(
                t.span(),
                "`#[differentiable]` does not support `async fn`; write a plain `fn`",
            );
            ok = false;
        }
        if let Some(t) = &sig.unsafety {
            self.cx.error(
                t.span(),
                "`#[differentiable]` does not support `unsafe fn`; write a safe `fn`",
            );
            ok = false;
        }
        if let Some(abi) = &sig.abi {
            self.cx.error_at(
                abi,
                "`#[differentiable]` does not support `extern` functions; write a plain Rust `fn`",
            );
            ok = false;
        }
        if let Some(v) = &sig.variadic {
            self.cx
                .error_at(v, "`#[differentiable]` does not support variadic functions");
            ok = false;
        }
        let mut params = Vec::new();
        for input in &sig.inputs {
            let pt = match input {
                syn::FnArg::Receiver(r) => {
                    self.cx.error_at(
                        r,
                        "`#[differentiable]` does not support methods; write a free function taking the value as a parameter",
                    );
                    ok = false;
                    continue;
                }
                syn::FnArg::Typed(pt) => pt,
            };
            let (name, mutable) = match &*pt.pat {
                syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    (pi.ident.clone(), pi.mutability.is_some())
                }
                other => {
                    self.cx.error_at(
                        other,
                        "`#[differentiable]` does not support patterns in parameters; bind the parameter to a name and destructure it in the body",
                    );
                    ok = false;
                    continue;
                }
            };
            if let syn::Type::Reference(r) = &*pt.ty {
                if let Some(m) = &r.mutability {
                    self.cx.error(
                        m.span(),
                        "`#[differentiable]` does not support `&mut` parameters; return the result instead of writing through a reference",
                    );
                    ok = false;
                    continue;
                }
            }
            let kind = if float_ty(&pt.ty).is_some() {
                ParamKind::Float
            } else if float_array(&pt.ty) {
                ParamKind::FloatArray
            } else {
                ParamKind::Other
            };
            let var = self.declare(&name, mutable);
            params.push(Param {
                var,
                ty: (*pt.ty).clone(),
                kind,
            });
        }
        ok.then_some(params)
    }

    // ---- blocks and statements ---------------------------------------------------------------

    fn body(&mut self, block: &syn::Block) -> Block {
        self.block(block)
    }

    fn block(&mut self, block: &syn::Block) -> Block {
        self.scopes.push(Vec::new());
        self.depth += 1;
        let mut stmts = Vec::new();
        let mut tail = None;
        let n = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                syn::Stmt::Local(local) => {
                    if let Some(s) = self.local(local) {
                        stmts.push(s);
                    }
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
                        stmts.push(Stmt::Item(item.clone()));
                    }
                }
                syn::Stmt::Macro(m) => self.macro_error(&m.mac),
                syn::Stmt::Expr(expr, semi) => {
                    if let syn::Expr::Return(ret) = expr {
                        if last && self.depth == 1 {
                            match &ret.expr {
                                Some(e) => tail = Some(Box::new(self.expr(e))),
                                None => self.cx.error_at(ret, "`return` needs a value here; return the function's float result"),
                            }
                        } else {
                            self.cx.error(
                                ret.return_token.span,
                                "`#[differentiable]` does not support early `return` yet; make the returned value the last expression of the function",
                            );
                        }
                        continue;
                    }
                    if semi.is_none() && last {
                        tail = Some(Box::new(self.expr(expr)));
                        continue;
                    }
                    if let Some(s) = self.assign(expr) {
                        stmts.push(s);
                        continue;
                    }
                    let e = self.expr(expr);
                    stmts.push(Stmt::Expr(e));
                }
            }
        }
        self.depth -= 1;
        self.scopes.pop();
        Block { stmts, tail }
    }

    fn macro_error(&mut self, mac: &syn::Macro) {
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

    fn local(&mut self, local: &syn::Local) -> Option<Stmt> {
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        let init = match &local.init {
            Some(init) => {
                if let Some((else_token, _)) = &init.diverge {
                    self.cx.error(else_token.span(), "`#[differentiable]` does not support `let ... else`; compute the value without pattern matching");
                    return None;
                }
                Some(self.expr(&init.expr))
            }
            None => None,
        };
        match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                let Some(init) = init else {
                    self.cx.error_at(
                        local,
                        "`#[differentiable]` needs every `let` to have a value; write `let x = ...;` where it is first known",
                    );
                    return None;
                };
                let var = self.declare(&pi.ident, pi.mutability.is_some());
                Some(Stmt::Let { var, ty, init })
            }
            syn::Pat::Wild(_) => init.map(Stmt::Expr),
            other => {
                self.cx.error_at(
                    other,
                    "`#[differentiable]` does not support destructuring patterns in `let`; bind each value with its own `let`",
                );
                None
            }
        }
    }

    /// `x = e;` and `x op= e;` on a local variable.
    fn assign(&mut self, expr: &syn::Expr) -> Option<Stmt> {
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
        let target = match strip_parens(left) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                p.path.get_ident().and_then(|i| self.resolve(i))
            }
            _ => None,
        };
        let Some(var) = target else {
            // Assignments to fields, elements or statics: passive code if nothing active is
            // involved (checked later), kept as written.
            return Some(Stmt::Expr(self.opaque(
                expr,
                Unsupported::Other("assignment to a place other than a local variable"),
            )));
        };
        let value = self.expr(right);
        let value = match op {
            None => value,
            Some(op) => {
                let current = Expr {
                    kind: ExprKind::Var(var),
                    span: left.span(),
                };
                Expr {
                    span: expr.span(),
                    kind: ExprKind::Call(intrinsics::op(op), vec![current, value]),
                }
            }
        };
        Some(Stmt::Assign { var, value })
    }

    // ---- expressions -------------------------------------------------------------------------

    fn expr(&mut self, expr: &syn::Expr) -> Expr {
        let span = expr.span();
        let kind = match expr {
            syn::Expr::Lit(l) => match &l.lit {
                syn::Lit::Float(f) => ExprKind::Lit(f.clone()),
                _ => return self.opaque(expr, Unsupported::Passive),
            },
            syn::Expr::Path(p) if p.qself.is_none() => {
                match p.path.get_ident().and_then(|i| self.resolve(i)) {
                    Some(id) => ExprKind::Var(id),
                    None => return self.opaque(expr, Unsupported::Passive),
                }
            }
            syn::Expr::Paren(p) => return self.expr(&p.expr),
            syn::Expr::Group(g) => return self.expr(&g.expr),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => {
                    ExprKind::Call(intrinsics::op(Op::Neg), vec![self.expr(&u.expr)])
                }
                _ => return self.opaque(expr, Unsupported::Other("this unary operator")),
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
                    (None, syn::BinOp::Rem(_)) => {
                        return self.opaque(expr, Unsupported::Other("the `%` operator"))
                    }
                    (
                        None,
                        syn::BinOp::AddAssign(_)
                        | syn::BinOp::SubAssign(_)
                        | syn::BinOp::MulAssign(_)
                        | syn::BinOp::DivAssign(_)
                        | syn::BinOp::RemAssign(_),
                    ) => {
                        self.cx.error(
                            b.op.span(),
                            "`#[differentiable]` supports compound assignment only as a statement; write `x += e;` on its own line",
                        );
                        return self.opaque(expr, Unsupported::Passive);
                    }
                    _ => return self.opaque(expr, Unsupported::Other("this operator")),
                }
            }
            syn::Expr::MethodCall(m) => {
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
                let intrinsic = match &*c.func {
                    syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 2 => {
                        let ty = &p.path.segments[0].ident;
                        let name = p.path.segments[1].ident.to_string();
                        if (ty == "f64" || ty == "f32") && p.path.leading_colon.is_none() {
                            intrinsics::callable(&name).filter(|row| row.args.len() == c.args.len())
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                match intrinsic {
                    Some(row) => ExprKind::Call(row, c.args.iter().map(|a| self.expr(a)).collect()),
                    None => {
                        let name = c.func.to_token_stream().to_string().replace(' ', "");
                        return self.opaque(expr, Unsupported::Call(name));
                    }
                }
            }
            syn::Expr::Cast(c) => {
                if crate::lower::float_ty(&c.ty).is_some() {
                    ExprKind::Cast(Box::new(self.expr(&c.expr)), (*c.ty).clone())
                } else {
                    return self.opaque(expr, Unsupported::CastToInt);
                }
            }
            syn::Expr::Block(b) if b.label.is_none() => ExprKind::Block(self.block(&b.block)),
            other => {
                if self.unsupported(other) {
                    // Already reported; a placeholder keeps lowering going.
                    return Expr {
                        span,
                        kind: ExprKind::Opaque {
                            expr: other.clone(),
                            vars: Vec::new(),
                            what: Unsupported::Passive,
                        },
                    };
                }
                return self.opaque(expr, Unsupported::Passive);
            }
        };
        Expr { kind, span }
    }

    /// Keeps `expr` as written (variables renamed), reporting constructs that cannot appear
    /// even in passive code.
    fn opaque(&mut self, expr: &syn::Expr, what: Unsupported) -> Expr {
        let mut renamer = Renamer {
            lw: self,
            vars: Vec::new(),
        };
        let mut e = expr.clone();
        renamer.visit_expr_mut(&mut e);
        let vars = renamer.vars;
        Expr {
            span: expr.span(),
            kind: ExprKind::Opaque {
                expr: e,
                vars,
                what,
            },
        }
    }

    /// Reports a construct that `#[differentiable]` does not support anywhere in its body.
    /// Returns true if `expr` was such a construct.
    fn unsupported(&mut self, expr: &syn::Expr) -> bool {
        let (span, msg): (Span, String) = match expr {
            syn::Expr::If(e) => (e.if_token.span, "`#[differentiable]` does not support `if` yet; use `max`, `min`, `clamp` or `abs` for the common branches, or move the branch to the caller".into()),
            syn::Expr::Match(e) => (e.match_token.span, "`#[differentiable]` does not support `match` yet; move the branch to the caller".into()),
            syn::Expr::ForLoop(e) => (e.for_token.span, "`#[differentiable]` does not support `for` loops yet; write the terms out, or loop in the caller".into()),
            syn::Expr::While(e) => (e.while_token.span, "`#[differentiable]` does not support `while` loops yet; loop in the caller".into()),
            syn::Expr::Loop(e) => (e.loop_token.span, "`#[differentiable]` does not support `loop` yet; loop in the caller".into()),
            syn::Expr::Closure(e) => (e.or1_token.span, "`#[differentiable]` does not support closures; write the computation inline".into()),
            syn::Expr::Unsafe(e) => (e.unsafe_token.span, "`#[differentiable]` does not support `unsafe` blocks; write safe code".into()),
            syn::Expr::Macro(e) => {
                self.macro_error(&e.mac);
                return true;
            }
            syn::Expr::Return(e) => (e.return_token.span, "`#[differentiable]` does not support early `return` yet; make the returned value the last expression of the function".into()),
            syn::Expr::Break(e) => (e.break_token.span, "`#[differentiable]` does not support `break` here".into()),
            syn::Expr::Continue(e) => (e.continue_token.span, "`#[differentiable]` does not support `continue` here".into()),
            syn::Expr::Try(e) => (e.question_token.span, "`#[differentiable]` does not support the `?` operator; the function must return a float".into()),
            syn::Expr::Async(e) => (e.async_token.span, "`#[differentiable]` does not support `async` blocks".into()),
            syn::Expr::Await(e) => (e.await_token.span, "`#[differentiable]` does not support `.await`".into()),
            syn::Expr::Let(e) => (e.let_token.span, "`#[differentiable]` does not support `let` in expressions".into()),
            syn::Expr::Assign(e) => (e.eq_token.span, "`#[differentiable]` supports assignment only as a statement; write `x = e;` on its own line".into()),
            syn::Expr::Block(e) => match &e.label {
                Some(l) => (l.name.span(), "`#[differentiable]` does not support labeled blocks; use a plain block".into()),
                None => return false,
            },
            syn::Expr::TryBlock(e) => (e.try_token.span, "`#[differentiable]` does not support `try` blocks".into()),
            syn::Expr::Yield(e) => (e.yield_token.span, "`#[differentiable]` does not support `yield`".into()),
            syn::Expr::Const(e) => (e.const_token.span, "`#[differentiable]` does not support `const` blocks; use a `const` item".into()),
            _ => return false,
        };
        self.cx.error(span, msg);
        true
    }
}

/// Renames variable references inside opaque code and records which variables it touches.
struct Renamer<'l, 'a> {
    lw: &'l mut Lowerer<'a>,
    vars: Vec<VarId>,
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Block(b) = e {
            // A block inside passive code could bind names we cannot track.
            if b.label.is_none() {
                self.lw.cx.error(
                    b.block.brace_token.span.join(),
                    "`#[differentiable]` does not support blocks inside this expression; bind the block's value with `let` first",
                );
                return;
            }
        }
        if self.lw.unsupported(e) {
            return;
        }
        if let syn::Expr::Path(p) = e {
            if p.qself.is_none() {
                if let Some(id) = p.path.get_ident().and_then(|i| self.lw.resolve(i)) {
                    self.vars.push(id);
                    let ident = self.lw.vars[id].ident.clone();
                    p.path = ident.into();
                    return;
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
        // `S { x }` must become `S { x: x_3 }` once `x` is renamed.
        if fv.colon_token.is_none() {
            fv.colon_token = Some(Default::default());
        }
        syn::visit_mut::visit_field_value_mut(self, fv);
    }
}

fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        other => other,
    }
}
