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

mod arrays;
mod control;
mod exprs;
mod iters;
mod signature;
mod tuples;
mod vectors;

/// Lowers the function; `None` if its signature cannot be lowered (errors are in `cx`).
pub fn lower(item: &syn::ItemFn, cx: &mut Ctxt) -> Option<Func> {
    let mut lw = Lowerer::new(cx);
    lw.indexed = indexed_names(&item.block);
    lw.tuple_ret = tuple_of_floats(&item.sig.output);
    lw.ret_array = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => match &**ty {
            syn::Type::Array(a) => Some(len_tokens(&a.len)),
            _ => lw.tuple_ret.as_deref().map(tuple_len),
        },
        syn::ReturnType::Default => None,
    };
    let params = lw.params(&item.sig);
    // A function returning `()` (results in output buffers) ends with a statement.
    let want_value = !matches!(item.sig.output, syn::ReturnType::Default);
    lw.unit = !want_value;
    let (mut body, tail) = lw.block_with_tail(&item.block, want_value);
    let span = item.block.brace_token.span.join();
    let result = match lw.ret {
        Some((flag, rv)) if lw.unit => {
            // `return;` in a function writing output buffers: only the flag matters.
            let _ = rv;
            let mut stmts = vec![lw.flag_decl(flag)];
            stmts.append(&mut body.stmts);
            body.stmts = stmts;
            Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span)
        }
        Some((flag, rv)) => {
            // `if !returned { rv = tail; }` and the result is `rv`.
            if let Some(tail) = tail {
                let set = lw.result_assign(rv, tail, span);
                let guarded = Block { stmts: vec![set] };
                body.stmts.push(lw.guard(vec![flag], guarded, span));
            }
            let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
            let init = match &lw.ret_array {
                Some(n) => {
                    let len: syn::Expr = syn::parse_quote!(#n);
                    Expr::new(ExprKind::ArrayRepeat(Box::new(zero), len), span)
                }
                None => zero,
            };
            let mut stmts = vec![
                lw.flag_decl(flag),
                Stmt::Let {
                    var: rv,
                    ty: None,
                    init,
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
    /// Closures bound with `let`, inlined at their calls.
    /// Closures bound with `let`, inlined where called, with the names visible where they were
    /// defined (what they capture, even if shadowed before the call).
    closures: Vec<(VarId, syn::ExprClosure, Scope)>,
    /// Conditions of the `filter`s of the iterator being lowered, with the number of pending
    /// statements they need.
    iter_conds: Vec<(Expr, usize)>,
    /// `-> (f, f, ..)`: the number of floats returned.
    tuple_ret: Option<Vec<Option<TokenStream>>>,
    /// The function returns `()` (its results are in output buffers): `return;` is allowed.
    unit: bool,
    /// The length of an array result (`-> [f; M]`, or a tuple's length).
    ret_array: Option<TokenStream>,
    /// Names indexed somewhere in the body (`p[..]`): a `let p = helper(..)` of one of them
    /// holds an array.
    indexed: Vec<String>,
    /// Output buffer parameters (`&mut [f]`).
    output_params: Vec<VarId>,
    /// Matrices (parameters and locals), stored flattened row by row: rows (if known), columns.
    matrices: Vec<(VarId, Option<TokenStream>, TokenStream)>,
    /// Names bound to a sub-slice (`let c = &x[a..b];`, `let r = &m[i];`): base, offset
    /// variable, length variable, whether writable.
    aliases: Vec<(VarId, Alias)>,
}

/// Names in scope and their variables.
type Scope = Vec<(String, VarId)>;

/// A name for a sub-slice of an array: `a[i]` is `base[offset + i]`.
#[derive(Clone)]
struct Alias {
    base: VarId,
    offset: VarId,
    len: VarId,
    mutable: bool,
    /// The length when it is a compile-time constant (a matrix row, `&x[2..5]`): passed to
    /// calls as `&[T; N]`.
    fixed: Option<TokenStream>,
}

/// A tuple component: a value (a variable of ours), or a nested tuple. Transient (a few per
/// `let`), so the size difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Tup {
    One(Expr),
    Many(Vec<Tup>),
    /// A part of an array (a window, a matrix row): `base[offset..offset + len]`, bound to a
    /// name as a sub-slice alias.
    View {
        base: VarId,
        offset: Expr,
        len: Expr,
        fixed: Option<TokenStream>,
    },
}

impl Tup {
    /// A copy (components are variables, so copying the references is exact).
    fn copy(&self) -> Tup {
        match self {
            Tup::One(e) => Tup::One(clone_index(e)),
            Tup::Many(parts) => Tup::Many(parts.iter().map(Tup::copy).collect()),
            Tup::View {
                base,
                offset,
                len,
                fixed,
            } => Tup::View {
                base: *base,
                offset: clone_index(offset),
                len: clone_index(len),
                fixed: fixed.clone(),
            },
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
            closures: Vec::new(),
            iter_conds: Vec::new(),
            tuple_ret: None,
            unit: false,
            ret_array: None,
            indexed: Vec::new(),
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
    fn result_assign(&mut self, rv: VarId, value: Expr, span: Span) -> Stmt {
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
        // `let p = helper(..);` with `p[i]` later: the helper returns an array, whose length
        // the macro cannot see.
        if let (syn::Pat::Ident(pi), None, Some(init)) = (pat, &ty, &local.init) {
            if self.indexed.contains(&pi.ident.to_string()) && self.is_fn_call(&init.expr) {
                self.cx.error_at(
                    &local.pat,
                    format!("`{}` is indexed, so this call returns an array whose length `#[differentiable]` cannot see; write its type, `let {}: [f64; M] = ..`, or destructure it, `let [a, b] = ..`", pi.ident, pi.ident),
                );
            }
        }
        // `let p: [f64; M] = helper(..);`
        if let (syn::Pat::Ident(pi), Some(syn::Type::Array(a)), Some(init)) =
            (pat, &ty, &local.init)
        {
            if float_ty(&a.elem).is_some() && self.is_fn_call(&init.expr) {
                let n = len_tokens(&a.len);
                let v = self.local_array(Some(&pi.ident), n, init.expr.span());
                return self.returned_array(v, &init.expr);
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

    /// Whether an expression certainly has a float type.
    fn floatish(&self, e: &Expr) -> bool {
        crate::emit::floatish(e, &self.vars)
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

/// The float type a float path names (`f64` of `f64::sin`, `<f32>::sin`,
/// `core::primitive::f64::sin`).
fn float_path_type(p: &syn::ExprPath) -> Option<syn::Type> {
    float_method_path(p)?;
    if let Some(q) = &p.qself {
        return Some((*q.ty).clone());
    }
    let n = p.path.segments.len();
    let t = &p.path.segments[n.checked_sub(2)?].ident;
    Some(syn::parse_quote!(#t))
}

/// The components of a return type `(f, [f; N], ..)` of floats and float arrays: `None` for a
/// float, the length for an array.
pub fn tuple_of_floats(ret: &syn::ReturnType) -> Option<Vec<Option<TokenStream>>> {
    match ret {
        syn::ReturnType::Type(_, ty) => tuple_shape(ty),
        syn::ReturnType::Default => None,
    }
}

/// [`tuple_of_floats`] of a type.
pub fn tuple_shape(ty: &syn::Type) -> Option<Vec<Option<TokenStream>>> {
    let syn::Type::Tuple(t) = ty else {
        return None;
    };
    if t.elems.is_empty() {
        return None;
    }
    t.elems
        .iter()
        .map(|e| match e {
            e if float_ty(e).is_some() => Some(None),
            syn::Type::Array(a) if float_ty(&a.elem).is_some() => Some(Some(len_tokens(&a.len))),
            _ => None,
        })
        .collect()
}

/// The number of floats in a tuple of floats and float arrays (a literal when every length is).
pub fn tuple_len(parts: &[Option<TokenStream>]) -> TokenStream {
    let lits: Option<usize> = parts
        .iter()
        .map(|p| match p {
            None => Some(1),
            Some(t) => t.to_string().parse::<usize>().ok(),
        })
        .sum();
    match lits {
        Some(n) => {
            let n = proc_macro2::Literal::usize_unsuffixed(n);
            quote!(#n)
        }
        None => {
            let terms = parts.iter().map(|p| match p {
                None => quote!(1usize),
                Some(t) => quote!((#t)),
            });
            quote!((0usize #(+ #terms)*))
        }
    }
}

/// The names used as the base of an index expression (`p[i]`) anywhere in `block`.
fn indexed_names(block: &syn::Block) -> Vec<String> {
    struct Find(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Find {
        fn visit_expr_index(&mut self, ix: &'ast syn::ExprIndex) {
            if let syn::Expr::Path(p) = strip_parens(&ix.expr) {
                if let Some(i) = p.path.get_ident() {
                    self.0.push(i.to_string());
                }
            }
            syn::visit::visit_expr_index(self, ix);
        }
    }
    let mut f = Find(Vec::new());
    syn::visit::Visit::visit_block(&mut f, block);
    f.0
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
    /// Variables only whose lengths are read (see [`Expr::lens`]).
    lens: Vec<VarId>,
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
        // A local array's length is its (constant) size: usable where the array is not in
        // scope (the reverse sweep of a loop declared around it).
        if let (Shape::Array(n), true) = (&self.lw.vars[v].shape, self.lw.matrix_of(recv).is_none())
        {
            return Some(syn::parse_quote!(#n));
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
                        self.lens.push(id);
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
                    if self.lw.closures.iter().any(|(c, ..)| *c == id) {
                        self.lw.cx.error_at(
                            &*p,
                            "`#[differentiable]` inlines closures bound with `let` where they are called (`f(x)`); it does not support passing or returning them",
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
