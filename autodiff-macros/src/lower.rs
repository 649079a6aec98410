//! syn -> IR: one function per syn node kind. Names are resolved here (every `let` becomes its
//! own variable); `match`, `if` and block expressions are hoisted into statements; `break`,
//! `continue` and early `return` become flags and guarded blocks. Syntax that `#[differentiable]`
//! does not support is reported here, spanned on the offending node, with the remedy.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

use crate::ctxt::Ctxt;
use crate::intrinsics::{self, Op};
use crate::ir::*;

/// Lowers the function; `None` if its signature cannot be lowered (errors are in `cx`).
pub fn lower(item: &syn::ItemFn, cx: &mut Ctxt) -> Option<Func> {
    let mut lw = Lowerer::new(cx);
    let params = lw.params(&item.sig);
    // A function returning `()` (results in output buffers) ends with a statement.
    let want_value = !matches!(item.sig.output, syn::ReturnType::Default);
    let (mut body, tail) = lw.block_with_tail(&item.block, want_value);
    let span = item.block.brace_token.span.join();
    let result = match lw.ret {
        Some((flag, rv)) => {
            // `if !returned { rv = tail; }` and the result is `rv`.
            if let Some(tail) = tail {
                let guarded = Block {
                    stmts: vec![Stmt::Assign {
                        var: rv,
                        value: tail,
                    }],
                };
                body.stmts.push(lw.guard(vec![flag], guarded, span));
            }
            let mut stmts = vec![
                lw.flag_decl(flag),
                Stmt::Let {
                    var: rv,
                    ty: None,
                    init: Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span),
                },
            ];
            stmts.append(&mut body.stmts);
            body.stmts = stmts;
            Expr::new(ExprKind::Var(rv), span)
        }
        None => match tail {
            Some(t) => t,
            None if matches!(item.sig.output, syn::ReturnType::Default) => {
                Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span)
            }
            None => {
                lw.cx.error(
                    item.block.brace_token.span.close(),
                    "`#[differentiable]` needs the body to end with the returned float expression; end the body with the result, without `;`",
                );
                Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span)
            }
        },
    };
    Some(Func {
        params: params?,
        vars: lw.vars,
        body,
        result,
        float: FloatTy::F64,
        ret_len: None,
        generics: item.sig.generics.clone(),
        unit: false,
    })
}

/// Only the signature (for `custom = rule` functions, whose body is not differentiated).
pub fn lower_signature(item: &syn::ItemFn, cx: &mut Ctxt) -> Option<Func> {
    let mut lw = Lowerer::new(cx);
    let params = lw.params(&item.sig)?;
    Some(Func {
        params,
        vars: lw.vars,
        body: Block::default(),
        result: Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), Span::call_site()),
        float: FloatTy::F64,
        ret_len: None,
        generics: item.sig.generics.clone(),
        unit: false,
    })
}

struct LoopCtx {
    brk: Option<VarId>,
    cont: Option<VarId>,
    /// Number of `break`/`continue` lowered for this loop so far.
    jumps: usize,
    /// Whether an early `return` happens inside.
    returns: bool,
}

struct Lowerer<'a> {
    cx: &'a mut Ctxt,
    vars: Vec<Var>,
    scopes: Vec<Vec<(String, VarId)>>,
    /// Block nesting depth (1 = the function body).
    depth: usize,
    /// Statements that must run before the statement being lowered (hoisted `if`/block values).
    pending: Vec<Stmt>,
    loops: Vec<LoopCtx>,
    /// The early-return flag and return-value variable, once a `return` was seen.
    ret: Option<(VarId, VarId)>,
    ret_jumps: usize,
    /// Variables whose initial value was rejected (no follow-on errors about them).
    poisoned: Vec<VarId>,
    /// Storage of array literals `[a, b]` not yet bound to a name.
    literals: Vec<VarId>,
    /// Variables bound to tuples, with their components.
    tuples: Vec<(VarId, Vec<Tup>)>,
    /// Output buffer parameters (`&mut [f]`).
    output_params: Vec<VarId>,
    /// Matrices (parameters and locals), stored flattened row by row: rows (if known), columns.
    matrices: Vec<(VarId, Option<TokenStream>, TokenStream)>,
    /// Names bound to a sub-slice (`let c = &x[a..b];`, `let r = &m[i];`): base, offset
    /// variable, length variable, whether writable.
    aliases: Vec<(VarId, Alias)>,
}

/// A name for a sub-slice of an array: `a[i]` is `base[offset + i]`.
#[derive(Clone)]
struct Alias {
    base: VarId,
    offset: VarId,
    len: VarId,
    mutable: bool,
}

/// A tuple component: a value (a variable of ours), or a nested tuple. Transient (a few per
/// `let`), so the size difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Tup {
    One(Expr),
    Many(Vec<Tup>),
}

impl Tup {
    /// A copy (components are variables, so copying the references is exact).
    fn copy(&self) -> Tup {
        match self {
            Tup::One(e) => Tup::One(clone_index(e)),
            Tup::Many(parts) => Tup::Many(parts.iter().map(Tup::copy).collect()),
        }
    }
}

/// The float type named by `ty`, if it is exactly `f32` or `f64`.
pub fn float_ty(ty: &syn::Type) -> Option<FloatTy> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let name = match segs.as_slice() {
                [t] if p.path.leading_colon.is_none() => t.as_str(),
                [root, prim, t] if (root == "core" || root == "std") && prim == "primitive" => {
                    t.as_str()
                }
                _ => return None,
            };
            match name {
                "f64" => Some(FloatTy::F64),
                "f32" => Some(FloatTy::F32),
                _ => None,
            }
        }
        syn::Type::Paren(p) => float_ty(&p.elem),
        syn::Type::Group(g) => float_ty(&g.elem),
        _ => None,
    }
}

/// An array length as tokens that stay one expression wherever they are spliced: a length
/// written as a block or an operation (`{ 2 + 1 }`, `N + 1`) is parenthesized, so that
/// `for i in 0..LEN { .. }` and `LEN * 2` mean what they should.
pub fn len_tokens(len: &syn::Expr) -> TokenStream {
    match strip_parens(len) {
        e @ (syn::Expr::Lit(_) | syn::Expr::Path(_)) => e.to_token_stream(),
        e => quote!((#e)),
    }
}

/// `&[[f; N]; M]` / `&[[f; N]]` (also `&mut`): a matrix of floats.
pub fn matrix_shape(ty: &syn::Type) -> Option<Matrix> {
    let syn::Type::Reference(r) = ty else {
        return None;
    };
    let (row, rows) = match &*r.elem {
        syn::Type::Array(a) => (&*a.elem, Some(len_tokens(&a.len))),
        syn::Type::Slice(s) => (&*s.elem, None),
        _ => return None,
    };
    match row {
        syn::Type::Array(a) if float_ty(&a.elem).is_some() => Some(Matrix {
            rows,
            cols: len_tokens(&a.len),
        }),
        _ => None,
    }
}

/// `T` of `Vec<T>` (also `alloc::vec::Vec<T>`, `std::vec::Vec<T>`).
pub fn vec_elem(p: &syn::TypePath) -> Option<&syn::Type> {
    let last = p.path.segments.last()?;
    if p.qself.is_some() || last.ident != "Vec" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// The shape of a parameter type: `&[f; N]` or `&[f]` for a float `f`.
fn param_shape(ty: &syn::Type) -> Option<Shape> {
    if let syn::Type::Reference(r) = ty {
        match &*r.elem {
            syn::Type::Array(a) if float_ty(&a.elem).is_some() => {
                Some(Shape::ArrayRef(len_tokens(&a.len)))
            }
            syn::Type::Slice(s) if float_ty(&s.elem).is_some() => Some(Shape::SliceRef),
            // `&[[f; N]; M]`, `&[[f; N]]`: a matrix, flattened for the derivative code.
            _ if matrix_shape(ty).is_some() => Some(Shape::SliceRef),
            // `&Vec<f64>`: a slice to the derivative code.
            syn::Type::Path(p) if vec_elem(p).is_some_and(|t| float_ty(t).is_some()) => {
                Some(Shape::SliceRef)
            }
            _ => None,
        }
    } else {
        None
    }
}

impl<'a> Lowerer<'a> {
    fn new(cx: &'a mut Ctxt) -> Self {
        Lowerer {
            cx,
            vars: Vec::new(),
            scopes: vec![Vec::new()],
            depth: 0,
            pending: Vec::new(),
            loops: Vec::new(),
            ret: None,
            ret_jumps: 0,
            poisoned: Vec::new(),
            literals: Vec::new(),
            tuples: Vec::new(),
            output_params: Vec::new(),
            matrices: Vec::new(),
            aliases: Vec::new(),
        }
    }

    fn declare(&mut self, name: &syn::Ident, mutable: bool, shape: Shape) -> VarId {
        let id = self.fresh(&name.to_string(), mutable, shape);
        self.vars[id].name = name.clone();
        self.scopes
            .last_mut()
            .expect("there is always a scope")
            .push((name.to_string(), id));
        id
    }

    /// A variable of our own (not visible to user code).
    fn fresh(&mut self, name: &str, mutable: bool, shape: Shape) -> VarId {
        let id = self.vars.len();
        let name = name.trim_start_matches("r#");
        let ident = format_ident!("{}_{}", name, id, span = Span::mixed_site());
        let plain = name.trim_start_matches('_');
        self.vars.push(Var {
            name: format_ident!("{}", if plain.is_empty() { "v" } else { plain }),
            ident,
            mutable,
            shape,
            active: false,
            float: false,
        });
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

    fn var_expr(&self, v: VarId, span: Span) -> Expr {
        Expr::new(ExprKind::Var(v), span)
    }

    /// A passive expression built by the macro from our own variables.
    fn built(&self, expr: syn::Expr, vars: Vec<VarId>, span: Span) -> Expr {
        Expr::new(
            ExprKind::Opaque {
                expr,
                vars,
                what: Unsupported::Passive,
            },
            span,
        )
    }

    fn flag_decl(&self, flag: VarId) -> Stmt {
        Stmt::Let {
            var: flag,
            ty: None,
            init: self.built(syn::parse_quote!(false), Vec::new(), Span::call_site()),
        }
    }

    fn set_flag(&self, flag: VarId, span: Span) -> Stmt {
        Stmt::Assign {
            var: flag,
            value: self.built(syn::parse_quote!(true), Vec::new(), span),
        }
    }

    /// `if !(f1 || f2 ..) { block }`.
    fn guard(&self, flags: Vec<VarId>, block: Block, span: Span) -> Stmt {
        let idents: Vec<_> = flags.iter().map(|&f| self.vars[f].ident.clone()).collect();
        let cond: syn::Expr = syn::parse_quote!(!(#(#idents)||*));
        Stmt::If {
            cond: self.built(cond, flags, span),
            then: block,
            els: Block::default(),
        }
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
            self.cx.error_at(v, "`#[differentiable]` does not support variadic functions; take a slice `&[f64]` instead");
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
            let mut kind = if float_ty(&pt.ty).is_some() {
                ParamKind::Float
            } else if param_shape(&pt.ty).is_some()
                && !matches!(&*pt.ty, syn::Type::Reference(r) if r.mutability.is_some())
            {
                ParamKind::FloatArray
            } else {
                ParamKind::Other
            };
            if let syn::Type::Reference(r) = &*pt.ty {
                if let Some(m) = &r.mutability {
                    if param_shape(&pt.ty).is_some() {
                        kind = ParamKind::Output;
                    } else {
                        self.cx.error(
                            m.span(),
                            "`#[differentiable]` supports `&mut` parameters only as output buffers of floats (`&mut [f64]`, `&mut [f64; M]`); return the result instead of writing through a reference",
                        );
                        ok = false;
                        kind = ParamKind::Other;
                    }
                }
            }
            if let syn::Type::Array(a) = &*pt.ty {
                if float_ty(&a.elem).is_some() || matches!(&*a.elem, syn::Type::Array(_)) {
                    self.cx.error_at(
                        &pt.ty,
                        "`#[differentiable]` takes float arrays by reference; write `&[f64; N]` (and pass `&x`)",
                    );
                    ok = false;
                }
            }
            let matrix = matrix_shape(&pt.ty);
            let shape = param_shape(&pt.ty).unwrap_or(Shape::Scalar);
            // Declared even when rejected, so that uses in the body resolve quietly.
            let var = self.declare(&name, mutable, shape);
            if matches!(kind, ParamKind::Output) {
                self.output_params.push(var);
            }
            self.vars[var].float = matches!(
                kind,
                ParamKind::Float | ParamKind::FloatArray | ParamKind::Output
            );
            if let Some(m) = &matrix {
                self.matrices.push((var, m.rows.clone(), m.cols.clone()));
            }
            params.push(Param {
                var,
                ty: (*pt.ty).clone(),
                kind,
                matrix,
            });
        }
        ok.then_some(params)
    }

    // ---- blocks and statements ---------------------------------------------------------------

    /// A block and (if `want_value`) its value.
    fn block_with_tail(&mut self, block: &syn::Block, want_value: bool) -> (Block, Option<Expr>) {
        self.scopes.push(Vec::new());
        self.depth += 1;
        let (stmts, tail) = self.stmts(&block.stmts, want_value);
        self.depth -= 1;
        self.scopes.pop();
        (stmts, tail)
    }

    /// A block used as a statement (its value, if any, is dropped).
    fn block_stmt(&mut self, block: &syn::Block) -> Block {
        self.block_with_tail(block, false).0
    }

    /// Lowers statements in order; after one that may jump (`break`, `continue`, `return`),
    /// the rest is wrapped in a guard so that it only runs if no jump happened.
    fn stmts(&mut self, stmts: &[syn::Stmt], want_value: bool) -> (Block, Option<Expr>) {
        let mut out = Block::default();
        let n = stmts.len();
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == n;
            let before = self.jump_state();
            if let syn::Stmt::Expr(e, None) = stmt {
                if want_value && last && !matches!(e, syn::Expr::Return(_)) && !is_statement_like(e)
                {
                    let tail = self.expr(e);
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
                        Some((_, rv)) if self.depth == 1 => rest.stmts.push(Stmt::Assign { var: rv, value: t }),
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

    fn jump_state(&self) -> (usize, usize) {
        (self.loops.last().map_or(0, |l| l.jumps), self.ret_jumps)
    }

    /// The flags that end the current iteration or the function.
    fn guard_flags(&self) -> Vec<VarId> {
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

    fn stmt(&mut self, stmt: &syn::Stmt, out: &mut Vec<Stmt>) {
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
    fn expr_stmt(&mut self, expr: &syn::Expr) -> Vec<Stmt> {
        match expr {
            syn::Expr::Return(ret) => {
                let Some(e) = &ret.expr else {
                    self.cx.error_at(
                        ret,
                        "`return` needs a value here; return the function's float result",
                    );
                    return Vec::new();
                };
                let value = self.expr(e);
                let (flag, rv) = match self.ret {
                    Some(r) => r,
                    None => {
                        let flag = self.fresh("returned", true, Shape::Scalar);
                        let rv = self.fresh("result", true, Shape::Scalar);
                        self.ret = Some((flag, rv));
                        (flag, rv)
                    }
                };
                self.ret_jumps += 1;
                for l in &mut self.loops {
                    l.returns = true;
                }
                vec![
                    Stmt::Assign { var: rv, value },
                    self.set_flag(flag, ret.span()),
                ]
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
        if let Some(init) = &local.init {
            if let Some((else_token, _)) = &init.diverge {
                self.cx.error(else_token.span(), "`#[differentiable]` does not support `let ... else`; compute the value without pattern matching");
                return None;
            }
        }
        if let (syn::Pat::Tuple(_), Some(init)) = (pat, &local.init) {
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
            return self.array_pattern(ps, &init.expr);
        }
        if let (syn::Pat::Ident(pi), Some(init)) = (pat, &local.init) {
            if pi.by_ref.is_none() && pi.subpat.is_none() && self.alias_let(&pi.ident, &init.expr) {
                return None;
            }
            if pi.by_ref.is_none() && pi.subpat.is_none() {
                if let Some(parts) = self.tuple_value(&init.expr) {
                    self.bind_pattern(pat, Tup::Many(parts));
                    return None;
                }
            }
        }
        let init = local.init.as_ref().map(|init| self.expr(&init.expr));
        match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
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

    /// `let [a, b, c] = arr;` on an array of known length: each name gets its element.
    fn array_pattern(&mut self, ps: &syn::PatSlice, init: &syn::Expr) -> Option<Stmt> {
        // `let [a, b] = *x;` with `x: &[f; 2]`: the same elements.
        let inner = match strip_parens(init) {
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => &*u.expr,
            e => e,
        };
        let value = self.expr(inner);
        let src = match &value.kind {
            ExprKind::Var(v) => Some(*v),
            _ => None,
        };
        let len = src.and_then(|v| match &self.vars[v].shape {
            Shape::Array(n) | Shape::ArrayRef(n) => syn::parse2::<syn::LitInt>(n.clone())
                .ok()
                .and_then(|l| l.base10_parse::<usize>().ok()),
            _ => None,
        });
        let (Some(src), Some(len)) = (src, len) else {
            self.cx.error_at(
                init,
                "`#[differentiable]` destructures arrays of literal length (`let [a, b] = arr;`); index the elements instead",
            );
            return None;
        };
        if ps.elems.len() != len {
            self.cx.error_at(
                ps,
                format!("this pattern has {} elements and the array {len}; name every element (`..` is not supported)", ps.elems.len()),
            );
            return None;
        }
        let span = init.span();
        let parts: Vec<Tup> = (0..len)
            .map(|k| {
                let lit = proc_macro2::Literal::usize_unsuffixed(k);
                let index = self.built(syn::parse_quote!(#lit), Vec::new(), span);
                let e = Expr::new(ExprKind::Index(src, Box::new(index)), span);
                Tup::One(self.temp(e))
            })
            .collect();
        for (p, v) in ps.elems.iter().zip(parts) {
            self.bind_pattern(p, v);
        }
        None
    }

    /// `let name = init;` (or `let mut`).
    fn let_ident(
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

    // ---- tuples ------------------------------------------------------------------------------

    /// The components of a tuple-valued expression, each evaluated into a fresh variable first
    /// (so that `(b, a)` reads both before anything is assigned): `(e1, e2, ..)`, `e.sin_cos()`,
    /// or a variable bound to a tuple. `None` if `e` is none of these.
    fn tuple_value(&mut self, e: &syn::Expr) -> Option<Vec<Tup>> {
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
                Tup::One(_) => None,
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

    /// The local `Vec` named by `e`, if it is one.
    fn vec_var(&self, e: &syn::Expr) -> Option<VarId> {
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
    fn push(&mut self, var: VarId, value: &syn::Expr, span: Span) -> Vec<Stmt> {
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

    /// `(a, b) = (b, a);`: every right-hand value first, then the assignments (to `pending`).
    fn tuple_assign(&mut self, left: &syn::Expr, right: &syn::Expr) {
        let Some(parts) = self.tuple_value(right) else {
            self.cx.error_at(
                right,
                "`#[differentiable]` assigns tuples written as `(a, b)`, `x.sin_cos()` or a tuple variable; assign each value on its own",
            );
            return;
        };
        self.assign_parts(left, Tup::Many(parts));
    }

    fn assign_parts(&mut self, left: &syn::Expr, value: Tup) {
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
    fn tuple_field(&self, e: &syn::Expr) -> Option<Tup> {
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

    /// Binds `e` to a fresh immutable variable; returns a reference to it.
    fn temp(&mut self, e: Expr) -> Expr {
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
    fn bind_pattern(&mut self, pat: &syn::Pat, value: Tup) {
        match (pat, value) {
            (syn::Pat::Type(pt), v) => self.bind_pattern(&pt.pat, v),
            (syn::Pat::Paren(p), v) => self.bind_pattern(&p.pat, v),
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

    /// `let a = b;` where `b` holds an array: an array literal's storage takes the name (no
    /// copy), a parameter `&[f; N]`/`&[f]` is aliased, a local array is copied element by
    /// element (arrays are `Copy`). `None` if `b` is not an array. Returns the statement to emit.
    fn let_array(&mut self, name: &syn::Ident, mutable: bool, src: VarId) -> Option<Option<Stmt>> {
        match self.vars[src].shape.clone() {
            Shape::Array(_) | Shape::Vec if self.literals.contains(&src) => {
                self.literals.retain(|&l| l != src);
                self.vars[src].name = name.clone();
                self.scopes
                    .last_mut()
                    .expect("there is always a scope")
                    .push((name.to_string(), src));
                Some(None)
            }
            Shape::ArrayRef(_) | Shape::SliceRef if !mutable => {
                self.scopes
                    .last_mut()
                    .expect("there is always a scope")
                    .push((name.to_string(), src));
                Some(None)
            }
            Shape::Array(n) | Shape::ArrayRef(n) => {
                let span = name.span();
                let var = self.declare(name, true, Shape::Array(n.clone()));
                self.vars[var].float = true;
                let len: syn::Expr = syn::parse_quote!(#n);
                let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
                self.pending.push(Stmt::Let {
                    var,
                    ty: None,
                    init: Expr::new(ExprKind::ArrayRepeat(Box::new(zero), len), span),
                });
                Some(Some(self.copy_loop(var, src, &n, span)))
            }
            _ => None,
        }
    }

    /// `for k in 0..n { dst[k] = src[k]; }`: a whole-array copy.
    fn copy_loop(&mut self, dst: VarId, src: VarId, n: &TokenStream, span: Span) -> Stmt {
        let k = self.fresh("k", false, Shape::Scalar);
        let read = Expr::new(ExprKind::Index(src, Box::new(self.var_expr(k, span))), span);
        Stmt::Loop(Box::new(Loop {
            head: LoopHead::For {
                var: k,
                iter: self.built(syn::parse_quote!(0..#n), Vec::new(), span),
            },
            body: Block {
                stmts: vec![Stmt::IndexAssign {
                    var: dst,
                    index: self.var_expr(k, span),
                    value: read,
                }],
            },
            exits: Vec::new(),
            bound: Some(n.clone()),
        }))
    }

    /// `x = e;`, `x op= e;`, `a[i] = e;` and `a[i] op= e;`.
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

    // ---- control flow ------------------------------------------------------------------------

    /// `if` as a statement, or (with `dest`) assigning its value to `dest`.
    fn if_stmt(&mut self, e: &syn::ExprIf, dest: Option<VarId>) -> Stmt {
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
    fn branch(&mut self, block: &syn::Block, dest: Option<VarId>) -> Block {
        let saved = std::mem::take(&mut self.pending);
        let (mut b, tail) = self.block_with_tail(block, dest.is_some());
        match (dest, tail) {
            (Some(d), Some(t)) => {
                b.stmts.append(&mut self.pending);
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
    fn match_stmt(&mut self, m: &syn::ExprMatch, dest: Option<VarId>) -> Stmt {
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

    fn loop_body(
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

    fn exits(&mut self, ctx: &LoopCtx, out: &mut Vec<Stmt>) -> Vec<VarId> {
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

    fn for_loop(&mut self, f: &syn::ExprForLoop) -> Vec<Stmt> {
        if let Some(l) = &f.label {
            self.cx.error_at(
                l,
                "`#[differentiable]` does not support loop labels; use a flag variable",
            );
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
        let iter = self.opaque(
            &f.expr,
            Unsupported::Message("`#[differentiable]` supports `for` loops over integer ranges only; write `for i in 0..{}.len()` and index with `{}[i]`"),
        );
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

    fn while_loop(&mut self, w: &syn::ExprWhile) -> Vec<Stmt> {
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

    fn plain_loop(&mut self, l: &syn::ExprLoop) -> Vec<Stmt> {
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
    fn range_bound(&self, e: &syn::Expr) -> Option<TokenStream> {
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

    fn const_bound(&self, e: &syn::Expr) -> Option<TokenStream> {
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

    /// Whether an expression certainly has a float type.
    fn floatish(&self, e: &Expr) -> bool {
        crate::emit::floatish(e, &self.vars)
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
                        // The right side runs only if the left does not decide: it may not need
                        // statements hoisted before the whole condition.
                        let before = self.pending.len();
                        let right = self.expr(&b.right);
                        if self.pending.len() > before {
                            self.pending.truncate(before);
                            self.cx.error_at(
                                &b.right,
                                "`#[differentiable]` does not support `if`, `match` or blocks on the right of `&&`/`||` (they would run before the left side is tested); nest an `if` instead",
                            );
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
                            ExprKind::Call(row, c.args.iter().map(|a| self.expr(a)).collect())
                        }
                        None => {
                            let e = self.opaque(expr, Unsupported::Method(name));
                            return Expr::new(e.kind, c.func.span());
                        }
                    },
                    None => match &*c.func {
                        syn::Expr::Path(p)
                            if p.qself.is_none()
                                && p.path.get_ident().and_then(|i| self.resolve(i)).is_none() =>
                        {
                            ExprKind::UserCall(
                                (*c.func).clone(),
                                c.args.iter().map(|a| self.call_arg(a)).collect(),
                            )
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
                // `[e0, e1, ..]` with float elements: a local array filled element by element.
                let elems: Vec<Expr> = a.elems.iter().map(|e| self.expr(e)).collect();
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
                ExprKind::ArrayRepeat(Box::new(self.expr(&r.expr)), (*r.len).clone())
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

    /// An argument of a call to another function: arrays and sub-slices become views
    /// (`x`, `&a`, `&x[lo..hi]`), anything else an expression.
    fn call_arg(&mut self, a: &syn::Expr) -> Expr {
        let span = a.span();
        let array_var = |lw: &Self, e: &syn::Expr| match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let v = lw.resolve(p.path.get_ident()?)?;
                (!matches!(lw.vars[v].shape, Shape::Scalar)).then_some(v)
            }
            _ => None,
        };
        match strip_parens(a) {
            syn::Expr::Reference(r) => {
                let mutable = r.mutability.is_some();
                let view = |var, range| {
                    Expr::new(
                        ExprKind::View {
                            var,
                            range,
                            mutable,
                        },
                        span,
                    )
                };
                if let Some(v) = array_var(self, &r.expr) {
                    return view(v, None);
                }
                // `&[a, b]`, `&[0.0; 3]`: a local array made for the call.
                if matches!(
                    strip_parens(&r.expr),
                    syn::Expr::Array(_) | syn::Expr::Repeat(_)
                ) {
                    let e = self.expr(&r.expr);
                    let e = match e.kind {
                        ExprKind::ArrayRepeat(_, ref len) => {
                            let n = len_tokens(len);
                            let v = self.fresh("array", true, Shape::Array(n));
                            self.vars[v].float = self.floatish(&e);
                            self.pending.push(Stmt::Let {
                                var: v,
                                ty: None,
                                init: e,
                            });
                            return view(v, None);
                        }
                        _ => e,
                    };
                    if let ExprKind::Var(v) = e.kind {
                        if matches!(self.vars[v].shape, Shape::Array(_)) {
                            return view(v, None);
                        }
                    }
                    return e;
                }
                if let Some((v, range)) = self.view_of(&r.expr) {
                    return view(v, range);
                }
                self.expr(a)
            }
            e => match array_var(self, e) {
                _ if self.path_var(e).and_then(|v| self.alias_of(v)).is_some() => {
                    // A name of a sub-slice, passed on.
                    let a = self
                        .alias_of(self.path_var(e).expect("checked"))
                        .expect("checked");
                    let (var, range) = self.view_of(e).expect("an alias is a view");
                    Expr::new(
                        ExprKind::View {
                            var,
                            range,
                            mutable: a.mutable,
                        },
                        span,
                    )
                }
                // A parameter `x: &[f]` passed on (`&mut [f]` outputs are reborrowed).
                Some(v) if !matches!(self.vars[v].shape, Shape::Array(_)) => {
                    let mutable = self.output_params.contains(&v);
                    Expr::new(
                        ExprKind::View {
                            var: v,
                            range: None,
                            mutable,
                        },
                        span,
                    )
                }
                _ => self.expr(a),
            },
        }
    }

    // ---- layouts: sub-slice names and matrices --------------------------------------------

    /// The local variable a path names.
    fn path_var(&self, e: &syn::Expr) -> Option<VarId> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => self.resolve(p.path.get_ident()?),
            _ => None,
        }
    }

    /// `(rows, cols)` if `e` names a matrix.
    fn matrix_of(&self, e: &syn::Expr) -> Option<(Option<TokenStream>, TokenStream)> {
        let v = self.path_var(e)?;
        let (_, r, c) = self.matrices.iter().find(|(m, ..)| *m == v)?;
        Some((r.clone(), c.clone()))
    }

    fn alias_of(&self, v: VarId) -> Option<Alias> {
        self.aliases
            .iter()
            .find(|(a, _)| *a == v)
            .map(|(_, a)| a.clone())
    }

    /// An index expression as renamed Rust, with the variables it reads.
    fn index_code(&mut self, e: &syn::Expr) -> (syn::Expr, Vec<VarId>) {
        match self.opaque(e, Unsupported::Passive).kind {
            ExprKind::Opaque { expr, vars, .. } => (expr, vars),
            _ => unreachable!("opaque returns opaque"),
        }
    }

    /// The storage element that `x[i]`, `a[i]` (a sub-slice name) or `m[i][j]` (a matrix)
    /// denotes: the variable and the index into it.
    fn element(&mut self, e: &syn::Expr) -> Option<(VarId, Expr)> {
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        if matches!(strip_parens(&ix.index), syn::Expr::Range(_)) {
            return None;
        }
        let span = e.span();
        if let syn::Expr::Index(inner) = strip_parens(&ix.expr) {
            let m = self.path_var(&inner.expr)?;
            let (_, cols) = self.matrix_of(&inner.expr)?;
            let (i, mut vars) = self.index_code(&inner.index);
            let (j, jv) = self.index_code(&ix.index);
            vars.extend(jv);
            let flat = self.built(syn::parse_quote!((#i) * (#cols) + (#j)), vars, span);
            return Some((m, flat));
        }
        let v = self.path_var(&ix.expr)?;
        if let Some(a) = self.alias_of(v) {
            let (j, mut vars) = self.index_code(&ix.index);
            let off = self.vars[a.offset].ident.clone();
            vars.push(a.offset);
            let at = self.built(syn::parse_quote!(#off + (#j)), vars, span);
            return Some((a.base, at));
        }
        if self.matrix_of(&ix.expr).is_some() || self.tuples.iter().any(|(t, _)| *t == v) {
            return None;
        }
        Some((v, self.expr(&ix.index)))
    }

    /// An array argument or sub-slice: the storage variable and the range (`None`: all of it),
    /// for `x`, `x[a..b]`, `m[i]` (a matrix row) and names of sub-slices.
    fn view_of(&mut self, e: &syn::Expr) -> Option<(VarId, Option<Range>)> {
        let span = e.span();
        match strip_parens(e) {
            syn::Expr::Index(ix) => {
                let (base, range) = self.view_of(&ix.expr)?;
                if let Some((_, cols)) = self.matrix_of(&ix.expr) {
                    // A row of a matrix.
                    let (i, vars) = self.index_code(&ix.index);
                    let lo = self.built(syn::parse_quote!((#i) * (#cols)), vars.clone(), span);
                    let hi = self.built(syn::parse_quote!(((#i) + 1) * (#cols)), vars, span);
                    return Some((base, Some((Some(Box::new(lo)), Some(Box::new(hi))))));
                }
                let syn::Expr::Range(r) = strip_parens(&ix.index) else {
                    return None;
                };
                let bound = |lw: &mut Self, b: &Option<Box<syn::Expr>>, end: bool| {
                    b.as_ref().map(|b| {
                        let (code, vars) = lw.index_code(b);
                        let code: syn::Expr =
                            if end && matches!(r.limits, syn::RangeLimits::Closed(_)) {
                                syn::parse_quote!((#code) + 1)
                            } else {
                                code
                            };
                        (code, vars)
                    })
                };
                let (lo, hi) = (bound(self, &r.start, false), bound(self, &r.end, true));
                // Offsets of a sub-slice of a sub-slice add up.
                let base_off = match &range {
                    Some((Some(o), _)) => Some(clone_index(o)),
                    _ => None,
                };
                let shift = |lw: &Self, b: Option<(syn::Expr, Vec<VarId>)>| -> Option<Box<Expr>> {
                    b.map(|(code, mut vars)| {
                        let code: syn::Expr = match base_off.as_ref().map(|o| &o.kind) {
                            Some(ExprKind::Opaque {
                                expr: oe, vars: ov, ..
                            }) => {
                                vars.extend(ov.iter().copied());
                                syn::parse_quote!((#oe) + (#code))
                            }
                            _ => code,
                        };
                        Box::new(lw.built(code, vars, span))
                    })
                };
                let lo_e =
                    shift(self, lo).or_else(|| base_off.as_ref().map(|o| Box::new(clone_index(o))));
                let hi_e = match hi {
                    Some(h) => shift(self, Some(h)),
                    None => range.and_then(|(_, h)| h),
                };
                Some((base, Some((lo_e, hi_e))))
            }
            _ => {
                let v = self.path_var(e)?;
                if let Some(a) = self.alias_of(v) {
                    let (off, len) = (&self.vars[a.offset].ident, &self.vars[a.len].ident);
                    let lo = self.built(syn::parse_quote!(#off), vec![a.offset], span);
                    let hi =
                        self.built(syn::parse_quote!(#off + #len), vec![a.offset, a.len], span);
                    return Some((a.base, Some((Some(Box::new(lo)), Some(Box::new(hi))))));
                }
                (!matches!(self.vars[v].shape, Shape::Scalar)).then_some((v, None))
            }
        }
    }

    /// `let s = &x[a..b];`, `let r = &m[i];` (also `&mut`): `s` names that part of `x`.
    fn alias_let(&mut self, name: &syn::Ident, init: &syn::Expr) -> bool {
        let syn::Expr::Reference(r) = strip_parens(init) else {
            return false;
        };
        if !matches!(strip_parens(&r.expr), syn::Expr::Index(_)) {
            return false;
        }
        let Some((base, Some((lo, hi)))) = self.view_of(&r.expr) else {
            return false;
        };
        let span = init.span();
        let b = self.vars[base].ident.clone();
        let lo = lo
            .map(|e| *e)
            .unwrap_or_else(|| self.built(syn::parse_quote!(0usize), Vec::new(), span));
        let offset = self.fresh("offset", false, Shape::Scalar);
        self.pending.push(Stmt::Let {
            var: offset,
            ty: Some(syn::parse_quote!(usize)),
            init: lo,
        });
        let off = self.vars[offset].ident.clone();
        let hi = hi.map(|e| *e).unwrap_or_else(|| {
            Expr::new(
                ExprKind::Opaque {
                    expr: syn::parse_quote!(#b.len()),
                    vars: vec![base],
                    what: Unsupported::Length,
                },
                span,
            )
        });
        let len = self.fresh("len", false, Shape::Scalar);
        let hi_len = match hi.kind {
            ExprKind::Opaque {
                expr,
                mut vars,
                what,
            } => {
                vars.push(offset);
                Expr::new(
                    ExprKind::Opaque {
                        expr: syn::parse_quote!((#expr) - #off),
                        vars,
                        what,
                    },
                    span,
                )
            }
            _ => return false,
        };
        self.pending.push(Stmt::Let {
            var: len,
            ty: Some(syn::parse_quote!(usize)),
            init: hi_len,
        });
        let v = self.declare(name, false, Shape::Scalar);
        self.aliases.push((
            v,
            Alias {
                base,
                offset,
                len,
                mutable: r.mutability.is_some(),
            },
        ));
        true
    }

    /// `vec![e; n]`, or `vec![a, b, ..]` (a `Vec` filled element by element).
    fn vec_macro(&mut self, m: &syn::ExprMacro) -> Expr {
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
    fn vec_new(&mut self, c: &syn::ExprCall) -> Option<Expr> {
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

    /// Stands in for an expression already reported as an error.
    fn placeholder(&self, expr: &syn::Expr) -> Expr {
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
    fn opaque(&mut self, expr: &syn::Expr, what: Unsupported) -> Expr {
        let errors = self.cx.count();
        let mut renamer = Renamer {
            lw: self,
            vars: Vec::new(),
        };
        let mut e = expr.clone();
        renamer.visit_expr_mut(&mut e);
        let vars = renamer.vars;
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
        }
    }

    /// Reports a construct that `#[differentiable]` does not support in expression position.
    /// Returns true if `expr` was such a construct.
    fn unsupported(&mut self, expr: &syn::Expr) -> bool {
        let (span, msg): (Span, &str) = match expr {
            syn::Expr::If(e) => (e.if_token.span, "`#[differentiable]` does not support `if` inside this expression; compute the value with `let v = if ..` first"),
            syn::Expr::Match(e) => (e.match_token.span, "`#[differentiable]` does not support `match` inside this expression; compute the value with `let v = match ..` first"),
            syn::Expr::ForLoop(e) => (e.for_token.span, "`#[differentiable]` does not support a `for` loop as a value; use it as a statement"),
            syn::Expr::While(e) => (e.while_token.span, "`#[differentiable]` does not support a `while` loop as a value; use it as a statement"),
            syn::Expr::Loop(e) => (e.loop_token.span, "`#[differentiable]` does not support `loop` as a value; assign the result to a variable and `break`"),
            syn::Expr::Closure(e) => (e.or1_token.span, "`#[differentiable]` does not support closures or iterator chains; write a `for i in 0..n` loop"),
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

/// The method named by a path to a float type's associated function: `f64::sin`, `<f64>::sin`,
/// `core::primitive::f64::sin`, `std::primitive::f64::sin`, `::core::primitive::f64::sin`.
fn float_method_path(p: &syn::ExprPath) -> Option<syn::Ident> {
    let segs: Vec<&syn::Ident> = p.path.segments.iter().map(|s| &s.ident).collect();
    if p.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    let (last, prefix) = segs.split_last()?;
    let is_float = |i: &syn::Ident| *i == "f64" || *i == "f32";
    let float_type = match &p.qself {
        // `<f64>::sin`: the path is just the method.
        Some(q) if q.position == 0 => float_ty(&q.ty).is_some() && prefix.is_empty(),
        Some(_) => false,
        None => match prefix {
            [t] => is_float(t) && p.path.leading_colon.is_none(),
            [root, prim, t] => {
                (*root == "core" || *root == "std") && *prim == "primitive" && is_float(t)
            }
            _ => false,
        },
    };
    float_type.then(|| (*last).clone())
}

/// Whether a block ends by leaving: its last statement is `return`, `break` or `continue`.
fn diverges(block: &syn::Block) -> bool {
    match block.stmts.last() {
        Some(syn::Stmt::Expr(e, _)) => diverging_expr(e),
        _ => false,
    }
}

/// `return ..`, `break`, `continue`, or a block ending in one.
fn diverging_expr(e: &syn::Expr) -> bool {
    match strip_parens(e) {
        syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_) => true,
        syn::Expr::Block(b) if b.label.is_none() => diverges(&b.block),
        _ => false,
    }
}

/// Statement-like expressions at the end of a block are statements, not its value.
fn is_statement_like(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_) => true,
        syn::Expr::Assign(_) => true,
        syn::Expr::Binary(b) => matches!(
            b.op,
            syn::BinOp::AddAssign(_)
                | syn::BinOp::SubAssign(_)
                | syn::BinOp::MulAssign(_)
                | syn::BinOp::DivAssign(_)
        ),
        syn::Expr::Break(_) | syn::Expr::Continue(_) => true,
        _ => false,
    }
}

/// The span of a binding in a pattern, if it has one.
fn binding_in(pat: &syn::Pat) -> Option<Span> {
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

/// A copy of a repeated array element (a literal, a variable or passive code).
fn clone_index_deep(e: &Expr) -> Expr {
    clone_index(e)
}

/// A copy of an index expression (a variable or a passive expression).
fn clone_index(e: &Expr) -> Expr {
    let kind = match &e.kind {
        ExprKind::Var(v) => ExprKind::Var(*v),
        ExprKind::Opaque { expr, vars, what } => ExprKind::Opaque {
            expr: expr.clone(),
            vars: vars.clone(),
            what: what.clone(),
        },
        ExprKind::Lit(l) => ExprKind::Lit(l.clone()),
        _ => ExprKind::Opaque {
            expr: syn::parse_quote!(0),
            vars: Vec::new(),
            what: Unsupported::Passive,
        },
    };
    Expr::new(kind, e.span)
}

/// Renames variable references inside opaque code and records which variables it touches.
struct Renamer<'l, 'a> {
    lw: &'l mut Lowerer<'a>,
    vars: Vec<VarId>,
}

impl Renamer<'_, '_> {
    /// `m.len()` (rows), `m[i].len()` (columns) of a matrix, `s.len()` of a sub-slice name.
    fn layout_len(&mut self, recv: &syn::Expr) -> Option<syn::Expr> {
        if let syn::Expr::Index(ix) = strip_parens(recv) {
            if !matches!(strip_parens(&ix.index), syn::Expr::Range(_)) {
                let (_, cols) = self.lw.matrix_of(&ix.expr)?;
                return Some(syn::parse_quote!(#cols));
            }
            return None;
        }
        let v = self.lw.path_var(recv)?;
        if let Some(a) = self.lw.alias_of(v) {
            let len = self.lw.vars[a.len].ident.clone();
            self.vars.push(a.len);
            return Some(syn::parse_quote!(#len));
        }
        let (rows, cols) = self.lw.matrix_of(recv)?;
        let ident = self.lw.vars[v].ident.clone();
        Some(match rows {
            Some(r) => syn::parse_quote!(#r),
            None => syn::parse_quote!((#ident.len() / #cols)),
        })
    }
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Block(b) = e {
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
        // `x.len()` is passive even when `x` is an active array; matrices are flattened and
        // sub-slice names have no storage of their own, so their lengths are spelled out.
        if let syn::Expr::MethodCall(m) = e {
            if m.method == "len" && m.args.is_empty() {
                if let Some(len) = self.layout_len(&m.receiver) {
                    *e = len;
                    return;
                }
                if let syn::Expr::Path(p) = strip_parens(&m.receiver) {
                    if let Some(id) = p.path.get_ident().and_then(|i| self.lw.resolve(i)) {
                        let ident = self.lw.vars[id].ident.clone();
                        *m.receiver = syn::parse_quote!(#ident);
                        return;
                    }
                }
            }
        }
        if let syn::Expr::Path(p) = e {
            if p.qself.is_none() {
                if let Some(id) = p.path.get_ident().and_then(|i| self.lw.resolve(i)) {
                    // Names without storage of their own: sub-slice names and tuples.
                    if self.lw.alias_of(id).is_some() {
                        self.lw.cx.error_at(
                            &*p,
                            "`#[differentiable]` uses a name of a sub-slice through its elements (`s[i]`), `s.len()`, or by passing it to a `#[differentiable]` helper; write the loop over `s[i]`",
                        );
                        return;
                    }
                    if self.lw.tuples.iter().any(|(t, _)| *t == id) {
                        self.lw.cx.error_at(
                            &*p,
                            "`#[differentiable]` uses tuple variables through their fields (`t.0`) or by destructuring (`let (a, b) = t;`)",
                        );
                        return;
                    }
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

pub fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        other => other,
    }
}
