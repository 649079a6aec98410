//! Checks on the IR: which parameters are active, the float type, activity of every variable,
//! and every use of an active value in code without a derivative rule.

use syn::spanned::Spanned;

use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::intrinsics::{self, Arg};
use crate::ir::*;
use crate::lower::float_ty;

/// Marks active parameters and variables and reports what cannot be differentiated.
pub fn check(func: &mut Func, sig: &syn::Signature, args: &Args, cx: &mut Ctxt) {
    let active = active_params(func, sig, args, cx);
    for &p in &active {
        func.vars[func.params[p].var].active = true;
    }
    func.float = float_type(func, sig, &active, cx);
    // Activity: a variable is active if any value assigned to it is. Iterate to a fixpoint so
    // the result does not depend on statement order.
    loop {
        let mut changed = false;
        mark_block(&func.body, &mut func.vars, &mut changed);
        if !changed {
            break;
        }
    }
    let mut v = Validator { func, cx };
    v.block(&v.func.body);
    if func.body.tail.is_none() {
        cx.error(
            sig.output.span(),
            "`#[differentiable]` needs the body to end with the returned float expression",
        );
    }
}

/// Indices (into `func.params`) of the active parameters.
fn active_params(func: &Func, sig: &syn::Signature, args: &Args, cx: &mut Ctxt) -> Vec<usize> {
    let mut active = Vec::new();
    match &args.wrt {
        Some(names) => {
            for name in names {
                let found = func
                    .params
                    .iter()
                    .position(|p| func.vars[p.var].name == *name);
                match found {
                    None => cx.error(
                        name.span(),
                        format!("`wrt` names `{name}`, which is not a parameter of this function"),
                    ),
                    Some(i) => match func.params[i].kind {
                        ParamKind::Float => {
                            if active.contains(&i) {
                                cx.error(name.span(), format!("`{name}` is listed twice in `wrt`"));
                            } else {
                                active.push(i);
                            }
                        }
                        ParamKind::FloatArray => cx.error(
                            name.span(),
                            format!("`#[differentiable]` does not support array or slice parameters as active yet; `{name}` can only be passive data for now"),
                        ),
                        ParamKind::Other => cx.error(
                            name.span(),
                            format!("`wrt` can only name `f32` or `f64` parameters, and `{name}` is not one"),
                        ),
                    },
                }
            }
            // Keep parameter order, whatever the order in `wrt(..)`.
            active.sort_unstable();
        }
        None => {
            for (i, p) in func.params.iter().enumerate() {
                match p.kind {
                    ParamKind::Float => active.push(i),
                    ParamKind::FloatArray => cx.error_at(
                        &p.ty,
                        format!(
                            "`#[differentiable]` does not support array or slice parameters as active yet; make `{}` passive data by listing the active parameters, e.g. `#[differentiable(wrt(x))]`",
                            func.vars[p.var].name
                        ),
                    ),
                    ParamKind::Other => {}
                }
            }
        }
    }
    if active.is_empty() && !cx.has_errors() {
        cx.error(
            sig.ident.span(),
            "`#[differentiable]` needs at least one active `f32` or `f64` parameter to differentiate with respect to",
        );
    }
    active
}

fn float_type(func: &Func, sig: &syn::Signature, active: &[usize], cx: &mut Ctxt) -> FloatTy {
    let ret = match &sig.output {
        syn::ReturnType::Type(_, ty) => match float_ty(ty) {
            Some(f) => Some(f),
            None => {
                cx.error_at(
                    ty,
                    "`#[differentiable]` functions must return `f64` or `f32`; return one float (vector outputs are not supported yet)",
                );
                None
            }
        },
        syn::ReturnType::Default => {
            cx.error(
                sig.paren_token.span.join(),
                "`#[differentiable]` functions must return `f64` or `f32`; add `-> f64`",
            );
            None
        }
    };
    let mut float = ret;
    for &i in active {
        let p = &func.params[i];
        let t = float_ty(&p.ty);
        match (float, t) {
            (None, t) => float = t,
            (Some(a), Some(b)) if a != b => {
                cx.error_at(
                    &p.ty,
                    "`#[differentiable]` needs the active parameters and the result to have one float type; mixing `f32` and `f64` is not supported, convert the passive data instead",
                );
            }
            _ => {}
        }
    }
    float.unwrap_or(FloatTy::F64)
}

// ---- activity ----------------------------------------------------------------------------------

fn mark_block(block: &Block, vars: &mut [Var], changed: &mut bool) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { var, init, .. }
            | Stmt::Assign {
                var, value: init, ..
            } => {
                mark_expr(init, vars, changed);
                if is_active(init, vars) && !vars[*var].active {
                    vars[*var].active = true;
                    *changed = true;
                }
            }
            Stmt::Expr(e) => mark_expr(e, vars, changed),
            Stmt::Item(_) => {}
        }
    }
    if let Some(t) = &block.tail {
        mark_expr(t, vars, changed);
    }
}

/// Marks variables assigned inside nested blocks.
fn mark_expr(e: &Expr, vars: &mut [Var], changed: &mut bool) {
    match &e.kind {
        ExprKind::Block(b) => mark_block(b, vars, changed),
        ExprKind::Call(_, args) => args.iter().for_each(|a| mark_expr(a, vars, changed)),
        ExprKind::Cast(a, _) => mark_expr(a, vars, changed),
        ExprKind::Compare(_, a, b) => {
            mark_expr(a, vars, changed);
            mark_expr(b, vars, changed);
        }
        ExprKind::Var(_) | ExprKind::Lit(_) | ExprKind::Opaque { .. } => {}
    }
}

/// Whether the value of `e` depends on an active input.
pub fn is_active(e: &Expr, vars: &[Var]) -> bool {
    match &e.kind {
        ExprKind::Var(v) => vars[*v].active,
        ExprKind::Lit(_) | ExprKind::Compare(..) => false,
        ExprKind::Call(_, args) => args.iter().any(|a| is_active(a, vars)),
        ExprKind::Cast(a, _) => is_active(a, vars),
        ExprKind::Block(b) => b.tail.as_ref().is_some_and(|t| is_active(t, vars)),
        // Opaque code never yields an active value: if it reads one, that is an error.
        ExprKind::Opaque { .. } => false,
    }
}

// ---- validation --------------------------------------------------------------------------------

struct Validator<'f, 'c> {
    func: &'f Func,
    cx: &'c mut Ctxt,
}

impl Validator<'_, '_> {
    fn block(&mut self, block: &Block) {
        for stmt in &block.stmts {
            match stmt {
                Stmt::Let { init: e, .. } | Stmt::Assign { value: e, .. } | Stmt::Expr(e) => {
                    self.expr(e)
                }
                Stmt::Item(_) => {}
            }
        }
        if let Some(t) = &block.tail {
            self.expr(t);
        }
    }

    fn expr(&mut self, e: &Expr) {
        let vars = &self.func.vars;
        match &e.kind {
            ExprKind::Var(_) | ExprKind::Lit(_) => {}
            ExprKind::Block(b) => self.block(b),
            ExprKind::Compare(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Call(row, args) => {
                for (arg, kind) in args.iter().zip(row.args) {
                    if *kind == Arg::Int && is_active(arg, vars) {
                        self.cx.error(
                            arg.span,
                            format!("the argument of `{}` in this position must be a passive integer, not an active float", row.name),
                        );
                    }
                    self.expr(arg);
                }
            }
            ExprKind::Cast(a, ty) => {
                if is_active(a, vars) && float_ty(ty) != Some(self.func.float) {
                    self.cx.error_at(
                        ty,
                        "`#[differentiable]` does not support casting an active value between `f32` and `f64`; keep one float type in the computation",
                    );
                }
                self.expr(a);
            }
            ExprKind::Opaque {
                vars: used, what, ..
            } => {
                if let Some(&v) = used.iter().find(|&&v| vars[v].active) {
                    let name = &vars[v].name;
                    let msg = match what {
                        Unsupported::Method(m) => {
                            self.cx.error(
                                m.span(),
                                format!(
                                    "`#[differentiable]` has no derivative rule for the method `{m}`; the supported float methods are: {}",
                                    intrinsics::supported_list()
                                ),
                            );
                            return;
                        }
                        Unsupported::Call(f) => format!(
                            "`#[differentiable]` cannot differentiate through the call to `{f}` yet; inline its computation here, or pass it only passive values"
                        ),
                        Unsupported::CastToInt => format!(
                            "`#[differentiable]` does not support casting the active value `{name}` to a non-float type (its derivative would be lost); cast a passive value instead, or keep the float and use `floor`/`round`"
                        ),
                        Unsupported::Other(what) => format!(
                            "`#[differentiable]` does not support {what} with the active value `{name}`; use arithmetic and the supported float methods on active values"
                        ),
                        Unsupported::Passive => format!(
                            "`#[differentiable]` cannot differentiate this use of the active value `{name}`; active values support `+ - * /`, unary `-`, comparisons, `as` to the same float type, and the float methods with a derivative rule"
                        ),
                    };
                    self.cx.error(e.span, msg);
                }
            }
        }
    }
}
