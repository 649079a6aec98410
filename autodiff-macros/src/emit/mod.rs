//! Code generation shared by the emitters: the derivative namespace (`struct f` + `impl f`), the
//! public signatures (`jvp`, `vjp`, `grad`), and the rendering of passive code and operands.

pub mod forward;
pub mod reverse;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

use crate::check::is_active;
use crate::intrinsics::{Op, Value};
use crate::ir::*;

/// Everything the emitters need to know about the function.
pub struct Cx<'f> {
    pub func: &'f Func,
    pub krate: &'f syn::Path,
    /// The generic scalar type parameter of the generated generic code.
    pub s: Ident,
    /// Float type of active values (`f64`/`f32`).
    pub ft: Ident,
    /// Indices into `func.params` of the active parameters, in order.
    pub active: Vec<usize>,
}

impl<'f> Cx<'f> {
    pub fn new(func: &'f Func, krate: &'f syn::Path) -> Self {
        let active = func
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| func.vars[p.var].active)
            .map(|(i, _)| i)
            .collect();
        Cx {
            func,
            krate,
            s: Ident::new("__S", Span::call_site()),
            ft: func.float.ident(),
            active,
        }
    }

    /// `<__S as Scalar>::cst(tokens)`: a passive float as a constant scalar.
    pub fn cst(&self, tokens: TokenStream) -> TokenStream {
        let (k, s) = (self.krate, &self.s);
        quote!(<#s as #k::__private::Scalar>::cst(#tokens))
    }

    pub fn zero(&self) -> TokenStream {
        let (k, s) = (self.krate, &self.s);
        quote!(<#s as #k::__private::Scalar>::zero())
    }

    pub fn base(&self, tokens: TokenStream) -> TokenStream {
        let (k, s) = (self.krate, &self.s);
        quote!(<#s as #k::__private::Scalar>::base(#tokens))
    }

    pub fn rule(&self, name: &str) -> TokenStream {
        let k = self.krate;
        let name = Ident::new(name, Span::call_site());
        quote!(#k::__private::rules::#name)
    }

    pub fn var(&self, v: VarId) -> &Var {
        &self.func.vars[v]
    }

    /// The parameters of the generic functions: active ones as `__S`, the others unchanged.
    pub fn generic_params(&self) -> Vec<TokenStream> {
        self.func
            .params
            .iter()
            .map(|p| {
                let var = self.var(p.var);
                let ident = &var.ident;
                if var.active {
                    let s = &self.s;
                    quote!(#ident: #s)
                } else {
                    let ty = &p.ty;
                    let m = var.mutable.then(|| quote!(mut));
                    quote!(#m #ident: #ty)
                }
            })
            .collect()
    }
}

/// Whether `e` (and everything in it) is passive, so that it can be emitted as written.
pub fn pure_passive(e: &Expr, vars: &[Var]) -> bool {
    match &e.kind {
        ExprKind::Var(v) => !vars[*v].active,
        ExprKind::Lit(_) | ExprKind::Opaque { .. } => true,
        ExprKind::Call(_, args) => args.iter().all(|a| pure_passive(a, vars)),
        ExprKind::Cast(a, _) => pure_passive(a, vars),
        ExprKind::Compare(_, a, b) => pure_passive(a, vars) && pure_passive(b, vars),
        ExprKind::Block(b) => {
            b.stmts.iter().all(|s| match s {
                Stmt::Let { var, init, .. } => !vars[*var].active && pure_passive(init, vars),
                Stmt::Assign { var, value, .. } => !vars[*var].active && pure_passive(value, vars),
                Stmt::Expr(e) => pure_passive(e, vars),
                Stmt::Item(_) => true,
            }) && b.tail.as_ref().is_none_or(|t| pure_passive(t, vars))
        }
    }
}

/// Renders a purely passive expression as Rust (variables renamed).
pub fn passive(e: &Expr, cx: &Cx) -> TokenStream {
    match &e.kind {
        ExprKind::Var(v) => cx.var(*v).ident.to_token_stream(),
        ExprKind::Lit(l) => l.to_token_stream(),
        ExprKind::Opaque { expr, .. } => quote!((#expr)),
        ExprKind::Cast(a, ty) => {
            let a = passive(a, cx);
            quote!((#a as #ty))
        }
        ExprKind::Compare(op, a, b) => {
            let (a, b) = (passive(a, cx), passive(b, cx));
            quote!((#a #op #b))
        }
        ExprKind::Call(row, args) => {
            let args: Vec<_> = args.iter().map(|a| passive(a, cx)).collect();
            match row.value {
                Value::Op(op) => op_tokens(op, &args),
                Value::Rule => {
                    let name = Ident::new(row.name, Span::call_site());
                    let recv = &args[0];
                    let rest = &args[1..];
                    quote!(#recv.#name(#(#rest),*))
                }
            }
        }
        ExprKind::Block(b) => {
            let stmts = b.stmts.iter().map(|s| passive_stmt(s, cx));
            let tail = b.tail.as_ref().map(|t| passive(t, cx));
            quote!({ #(#stmts)* #tail })
        }
    }
}

/// Renders a passive statement.
pub fn passive_stmt(s: &Stmt, cx: &Cx) -> TokenStream {
    match s {
        Stmt::Let { var, ty, init } => {
            let v = cx.var(*var);
            let ident = &v.ident;
            let m = v.mutable.then(|| quote!(mut));
            let ty = ty.as_ref().map(|t| quote!(: #t));
            let init = passive(init, cx);
            quote!(let #m #ident #ty = #init;)
        }
        Stmt::Assign { var, value, .. } => {
            let ident = &cx.var(*var).ident;
            let value = passive(value, cx);
            quote!(#ident = #value;)
        }
        Stmt::Expr(e) => {
            let e = passive(e, cx);
            quote!(#e;)
        }
        Stmt::Item(item) => item.to_token_stream(),
    }
}

/// `a + b`, `-a`, ... on already rendered operands.
pub fn op_tokens(op: Op, args: &[TokenStream]) -> TokenStream {
    match op {
        Op::Add => {
            let (a, b) = (&args[0], &args[1]);
            quote!(#a + #b)
        }
        Op::Sub => {
            let (a, b) = (&args[0], &args[1]);
            quote!(#a - #b)
        }
        Op::Mul => {
            let (a, b) = (&args[0], &args[1]);
            quote!(#a * #b)
        }
        Op::Div => {
            let (a, b) = (&args[0], &args[1]);
            quote!(#a / #b)
        }
        Op::Neg => {
            let a = &args[0];
            quote!(-#a)
        }
    }
}

/// Whether the expression's value is active (re-exported for the emitters).
pub fn active(e: &Expr, cx: &Cx) -> bool {
    is_active(e, &cx.func.vars)
}

/// Names for generated locals: unique, and mixed-site so user code can never see them.
#[derive(Default)]
pub struct Names {
    next: usize,
}

impl Names {
    pub fn temp(&mut self) -> Ident {
        self.next += 1;
        format_ident!("__t{}", self.next, span = Span::mixed_site())
    }

    /// A new version of a variable (after an assignment).
    pub fn version(&mut self, var: &Var) -> Ident {
        self.next += 1;
        format_ident!("{}_v{}", var.ident, self.next, span = Span::mixed_site())
    }
}

/// `ident` with a suffix, same span.
pub fn suffixed(ident: &Ident, suffix: &str) -> Ident {
    format_ident!("{}_{}", ident, suffix, span = ident.span())
}
