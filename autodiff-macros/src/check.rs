//! Checks on the IR: which parameters are active, the float type, activity of every variable,
//! and every use of an active value in code without a derivative rule.

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
    (func.float, func.unit) = float_type(func, sig, &active, cx);
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        if let syn::Type::Array(a) = &**ty {
            func.ret_len = Some(crate::lower::len_tokens(&a.len));
        }
    }
    // `-> (f, f)`: like `-> [f; 2]` for the derivative code.
    if let Some(shape) = crate::lower::tuple_of_floats(&sig.output) {
        func.ret_len = Some(crate::lower::tuple_len(&shape));
    }
    // Activity: a variable is active if any value assigned to it is. Iterate to a fixpoint so
    // the result does not depend on statement order (loops carry values backwards).
    loop {
        let mut changed = false;
        mark_block(&func.body, &mut func.vars, &mut changed);
        if !changed {
            break;
        }
    }
    // A returned local array that no active value reaches (`out[0] += 1.0;`) is a result
    // like any other, its derivatives zero: it is taken as active.
    if func.ret_len.is_some() {
        if let ExprKind::Var(r) = &func.result.kind {
            let r = *r;
            if matches!(func.vars[r].shape, Shape::Array(_)) && !func.vars[r].active {
                func.vars[r].active = true;
            }
        }
    }
    let mut v = Validator { func, cx };
    v.block(&func.body);
    v.expr(&func.result);
    if func.ret_len.is_some() {
        let ok = matches!(&func.result.kind, ExprKind::Var(r) if func.vars[*r].active && matches!(func.vars[*r].shape, Shape::Array(_)));
        if !ok {
            cx.error(
                func.result.span,
                "`#[differentiable]` needs a function returning an array to end with an array literal `[a, b, ..]` or a local array that depends on the active parameters; build the result in `let mut out = [0.0; M];`",
            );
        }
    }
}

/// The float type of a parameter: `f64`, `&[f64; N]`, `&[f64]`, ...
fn param_float(ty: &syn::Type) -> Option<FloatTy> {
    match ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Array(a) => float_ty(&a.elem),
            syn::Type::Slice(s) => float_ty(&s.elem),
            _ => None,
        },
        other => float_ty(other),
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
                        format!("`wrt` names `{name}`, which is not a parameter of this function; list parameters only"),
                    ),
                    Some(i) => match func.params[i].kind {
                        ParamKind::Float | ParamKind::FloatArray => {
                            if active.contains(&i) {
                                cx.error(name.span(), format!("`{name}` is listed twice in `wrt`; remove the duplicate"));
                            } else {
                                active.push(i);
                            }
                        }
                        // Output buffers are active whenever an input is.
                        ParamKind::Output => {}
                        ParamKind::Other => cx.error(
                            name.span(),
                            format!("`wrt` can only name `f32`/`f64` parameters or float arrays and slices, and `{name}` is not one; remove `{name}` from `wrt(..)`"),
                        ),
                    },
                }
            }
            // Keep parameter order, whatever the order in `wrt(..)`.
            active.sort_unstable();
            active.dedup();
        }
        None => {
            for (i, p) in func.params.iter().enumerate() {
                if matches!(p.kind, ParamKind::Float | ParamKind::FloatArray) {
                    active.push(i);
                }
            }
        }
    }
    if !active.is_empty() {
        for (i, p) in func.params.iter().enumerate() {
            if matches!(p.kind, ParamKind::Output) && !active.contains(&i) {
                active.push(i);
            }
        }
        active.sort_unstable();
    }
    if active.is_empty() && has_outputs(func) && args.wrt.is_some() {
        // Only in-out buffers active (a caller's variant where no input array is active).
        for (i, p) in func.params.iter().enumerate() {
            if matches!(p.kind, ParamKind::Output) {
                active.push(i);
            }
        }
    }
    if active.is_empty() && !cx.has_errors() {
        match func.params.iter().find_map(|p| alias_like(&p.ty)) {
            Some(ty) if is_type_param(sig, &ty) => cx.error_at(&ty, generic_float_message(&ty)),
            Some(ty) => cx.error_at(
                &ty,
                format!(
                    "`#[differentiable]` needs at least one active `f32` or `f64` parameter, and it recognises floats by their written type; if `{}` is an alias of a float type, write `f64` or `f32` here (the macro cannot see aliases)",
                    quote::ToTokens::to_token_stream(&ty)
                ),
            ),
            None => cx.error(
                sig.ident.span(),
                "`#[differentiable]` needs at least one active `f32` or `f64` parameter; add a float parameter or list one in `wrt(..)`",
            ),
        }
    }
    active
}

/// A parameter type that may be an alias of a float: a single name that is not a primitive or
/// a well-known type (also inside `&`, `[..; N]` and `[..]`).
fn alias_like(ty: &syn::Type) -> Option<syn::Type> {
    match ty {
        syn::Type::Reference(r) => alias_like(&r.elem),
        syn::Type::Array(a) => alias_like(&a.elem),
        syn::Type::Slice(s) => alias_like(&s.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let id = p.path.get_ident()?.to_string();
            const KNOWN: &[&str] = &[
                "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64",
                "i128", "bool", "char", "str", "String", "f32", "f64",
            ];
            (!KNOWN.contains(&id.as_str())).then(|| ty.clone())
        }
        _ => None,
    }
}

fn has_outputs(func: &Func) -> bool {
    func.params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::Output))
}

/// The float type, and whether the function returns `()` (results in output buffers).
fn float_type(
    func: &Func,
    sig: &syn::Signature,
    active: &[usize],
    cx: &mut Ctxt,
) -> (FloatTy, bool) {
    let mut func_unit = false;
    let ret = match &sig.output {
        syn::ReturnType::Type(_, ty) => match (float_ty(ty), &**ty) {
            (Some(f), _) => Some(f),
            (None, syn::Type::Tuple(t)) if crate::lower::tuple_of_floats(&sig.output).is_some() => {
                match &t.elems[0] {
                    syn::Type::Array(a) => float_ty(&a.elem),
                    e => float_ty(e),
                }
            }
            (None, syn::Type::Array(a)) if float_ty(&a.elem).is_some() => float_ty(&a.elem),
            (None, _) if is_type_param(sig, ty) => {
                // Said once, at the parameter, when there is one.
                if !cx.has_errors() {
                    cx.error_at(ty, generic_float_message(ty));
                }
                None
            }
            (None, _) if alias_like(ty).is_some() => {
                cx.error_at(
                    ty,
                    format!("`#[differentiable]` functions must return `f64`, `f32` or `[f64; M]`, written as such; if `{}` is an alias of a float type, write `f64` or `f32` here", quote::ToTokens::to_token_stream(&**ty)),
                );
                None
            }
            (None, _) => {
                cx.error_at(
                    ty,
                    "`#[differentiable]` functions must return `f64`, `f32` or an array `[f64; M]`; return the values as an array",
                );
                None
            }
        },
        syn::ReturnType::Default if has_outputs(func) => {
            func_unit = true;
            None
        }
        syn::ReturnType::Default => {
            cx.error(
                sig.paren_token.span.join(),
                "`#[differentiable]` functions must return `f64` or `f32` (or write their results into `&mut [f64]` output buffers); add `-> f64`",
            );
            None
        }
    };
    if has_outputs(func) && !func_unit {
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            cx.error_at(
                ty,
                "`#[differentiable]` functions that write results into `&mut` buffers return `()`; write this value into a buffer too, or split the function",
            );
        }
    }
    let mut float = ret;
    for &i in active {
        let p = &func.params[i];
        let t = param_float(&p.ty);
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
    (float.unwrap_or(FloatTy::F64), func_unit)
}

// ---- activity ----------------------------------------------------------------------------------

fn mark(var: VarId, vars: &mut [Var], changed: &mut bool) {
    if !vars[var].active {
        vars[var].active = true;
        *changed = true;
    }
}

fn mark_block(block: &Block, vars: &mut [Var], changed: &mut bool) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { var, init: e, .. }
            | Stmt::Assign { var, value: e }
            | Stmt::IndexAssign { var, value: e, .. } => {
                if is_active(e, vars) {
                    mark(*var, vars, changed);
                }
            }
            Stmt::If { then, els, .. } => {
                mark_block(then, vars, changed);
                mark_block(els, vars, changed);
            }
            Stmt::Loop(l) => mark_block(&l.body, vars, changed),
            // A call writing output buffers: they hold active values if any argument does.
            Stmt::Expr(Expr {
                kind: ExprKind::UserCall(_, args),
                ..
            }) => {
                if args.iter().any(|a| is_active(a, vars)) {
                    for a in args {
                        if let ExprKind::View {
                            var, mutable: true, ..
                        } = &a.kind
                        {
                            mark(*var, vars, changed);
                        }
                    }
                }
            }
            Stmt::Declare { .. } | Stmt::Expr(_) | Stmt::Item(_) | Stmt::Push { .. } => {}
        }
    }
}

/// Whether the value of `e` depends on an active input.
pub fn is_active(e: &Expr, vars: &[Var]) -> bool {
    match &e.kind {
        ExprKind::Var(v) | ExprKind::Index(v, _) | ExprKind::View { var: v, .. } => vars[*v].active,
        ExprKind::Lit(_) | ExprKind::Compare(..) | ExprKind::Logic(..) => false,
        ExprKind::Call(_, args) | ExprKind::UserCall(_, args) => {
            args.iter().any(|a| is_active(a, vars))
        }
        ExprKind::Cast(a, _) | ExprKind::ArrayRepeat(a, _) => is_active(a, vars),
        ExprKind::VecNew(a, _) => a.as_ref().is_some_and(|a| is_active(a, vars)),
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
                Stmt::IndexAssign { index, value, .. } => {
                    self.expr(index);
                    self.expr(value);
                }
                Stmt::If { cond, then, els } => {
                    self.expr(cond);
                    self.block(then);
                    self.block(els);
                }
                Stmt::Loop(l) => {
                    match &l.head {
                        LoopHead::For { iter, .. } => self.expr(iter),
                        LoopHead::While { cond } => self.expr(cond),
                        LoopHead::Loop => {}
                    }
                    self.block(&l.body);
                }
                Stmt::Declare { .. } | Stmt::Item(_) | Stmt::Push { .. } => {}
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        let vars = &self.func.vars;
        match &e.kind {
            ExprKind::Var(_) | ExprKind::Lit(_) => {}
            ExprKind::Index(_, i) => self.expr(i),
            ExprKind::Compare(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Logic(_, args) => args.iter().for_each(|a| self.expr(a)),
            ExprKind::VecNew(a, _) => {
                if let Some(a) = a {
                    if is_active(a, vars) {
                        self.cx.error(
                            a.span,
                            "`#[differentiable]` does not support repeating an active value in `vec![v; n]`; start from `vec![0.0; n]` and fill it in a `for` loop",
                        );
                    }
                    self.expr(a);
                }
            }
            ExprKind::ArrayRepeat(a, _) => {
                if is_active(a, vars) {
                    self.cx.error(
                        a.span,
                        "`#[differentiable]` does not support repeating an active value in `[v; N]`; start from `[0.0; N]` and fill it in a `for` loop",
                    );
                }
                self.expr(a);
            }
            ExprKind::UserCall(_, args) => {
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::View { range, .. } => {
                if let Some((lo, hi)) = range {
                    lo.iter().chain(hi.iter()).for_each(|b| self.expr(b));
                }
            }
            ExprKind::Call(row, args) => {
                for (arg, kind) in args.iter().zip(row.args) {
                    if *kind == Arg::Int && is_active(arg, vars) {
                        self.cx.error(
                            arg.span,
                            format!("the argument of `{}` in this position must be a passive integer, not an active float; use `powf` for a float exponent", row.name),
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
                vars: used,
                what,
                expr,
            } => {
                let Some(&v) = used.iter().find(|&&v| vars[v].active) else {
                    return;
                };
                let name = &vars[v].name;
                let msg = match what {
                    Unsupported::Method(m) => {
                        // `r.residual(q)` on a local that is not known as a struct: say how to
                        // make it one.
                        const FLOAT_METHODS: [&str; 12] = [
                            "fract", "rem_euclid", "div_euclid", "copysign", "total_cmp",
                            "to_bits", "is_nan", "is_finite", "is_sign_negative", "round_ties_even",
                            "midpoint", "partial_cmp",
                        ];
                        let on_local = !FLOAT_METHODS.contains(&m.to_string().as_str())
                            && matches!(expr, syn::Expr::MethodCall(mc)
                                if matches!(&*mc.receiver, syn::Expr::Path(p) if p.path.get_ident().is_some()));
                        let hint = if on_local {
                            format!("; if `{name}` holds a struct (`#[derive(Differentiable)]`), bind it with its type (`let {name}: MyStruct = ..;`) so that its methods and fields can be differentiated")
                        } else {
                            String::new()
                        };
                        self.cx.error(
                            m.span(),
                            format!(
                                "`#[differentiable]` has no derivative rule for `{m}`; the supported float methods are: {}{hint}",
                                intrinsics::supported_list()
                            ),
                        );
                        return;
                    }
                    Unsupported::Call(f) => format!(
                        "`#[differentiable]` cannot differentiate through the call to `{f}`; mark `{f}` `#[differentiable]`, inline its computation here, or pass it only passive values"
                    ),
                    Unsupported::Operator(op) => format!(
                        "`#[differentiable]` does not support the `{op}` operator on the active value `{name}` (it has no derivative); apply it to passive values only"
                    ),
                    Unsupported::CastToInt => format!(
                        "`#[differentiable]` does not support casting the active value `{name}` to a non-float type (its derivative would be lost); cast a passive value instead, or keep the float and use `floor`/`round`"
                    ),
                    Unsupported::Other(what, remedy) => format!(
                        "`#[differentiable]` does not support {what} with the active value `{name}`; {remedy}"
                    ),
                    Unsupported::Message(m) => m.replace("{}", &name.to_string()),
                    Unsupported::Reported | Unsupported::Length => return,
                    Unsupported::Passive => format!(
                        "`#[differentiable]` cannot differentiate this use of the active value `{name}`; active values support `+ - * /`, unary `-`, comparisons, indexing, `as` to the same float type, and the float methods with a derivative rule"
                    ),
                };
                let _ = expr;
                match &e.orig {
                    Some(tokens) => self.cx.error_at(tokens, msg),
                    None => self.cx.error(e.span, msg),
                }
            }
        }
    }
}

/// Whether `ty` is one of the function's type parameters (`T` of `fn f<T: Float>(x: T)`).
fn is_type_param(sig: &syn::Signature, ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let Some(id) = p.path.get_ident() else {
        return false;
    };
    sig.generics.type_params().any(|t| t.ident == *id)
}

fn generic_float_message(ty: &syn::Type) -> String {
    format!(
        "`#[differentiable]` functions are written for `f64` or `f32`, not generic over the float type `{}`; write the function for `f64` (the generated derivative code is generic internally: `hvp` and `derivatives` run it on dual numbers and jets)",
        quote::ToTokens::to_token_stream(ty)
    )
}
