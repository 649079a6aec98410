//! Code generation shared by the emitters: the emitters' context, the rendering of passive
//! code, and the linearization of expressions into one step per operation (value, local
//! partials, and which values those steps read).

mod bounds;
pub mod calls;
mod carry;
pub mod forward;
pub mod lin;
pub mod reverse;

pub(crate) use carry::mentions;

/// The type parameter of `__vjp_w`: the [`AdjointMode`] of its adjoint buffers.
///
/// [`AdjointMode`]: https://docs.rs/autodiff-gen-runtime
pub fn adjoint_mode() -> Ident {
    Ident::new("__AdjM", Span::mixed_site())
}

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

use crate::intrinsics::{Intrinsic, Op};
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

    /// A passive value of the user's (a variable, a field, an element) as a constant scalar,
    /// through `ToBase` so that references to floats work too. Not for literals: `ToBase`
    /// would leave their float type ambiguous.
    pub fn cst_of(&self, e: &Expr, tokens: TokenStream) -> TokenStream {
        self.cst_passive(tokens, user_value(e))
    }

    /// [`Cx::cst_of`] on rendered tokens; `user`: they are the user's value.
    pub fn cst_passive(&self, tokens: TokenStream, user: bool) -> TokenStream {
        if user {
            let (k, ft) = (self.krate, &self.ft);
            self.cst(quote!(<_ as #k::__private::ToBase<#ft>>::to_base(#tokens)))
        } else {
            self.cst(tokens)
        }
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

    /// The type of an active variable in generic code.
    pub fn active_ty(&self, v: VarId) -> TokenStream {
        let s = &self.s;
        match &self.var(v).shape {
            Shape::Array(n) => quote!([#s; #n]),
            Shape::Vec => {
                let k = self.krate;
                quote!(#k::__private::Vec<#s>)
            }
            _ => quote!(#s),
        }
    }

    /// The parameters of the generic functions: active ones in `__S`, the others unchanged.
    pub fn generic_params(&self) -> Vec<TokenStream> {
        let s = &self.s;
        self.func
            .params
            .iter()
            .map(|p| {
                let var = self.var(p.var);
                let ident = &var.ident;
                if var.active {
                    let m = var.mutable.then(|| quote!(mut));
                    let r = match p.kind {
                        ParamKind::Output => quote!(&mut),
                        _ => quote!(&),
                    };
                    match &var.shape {
                        Shape::ArrayRef(n) => quote!(#ident: #r [#s; #n]),
                        Shape::SliceRef => quote!(#ident: #r [#s]),
                        _ => quote!(#m #ident: #s),
                    }
                } else {
                    let ty = flat_param_ty(p);
                    let m = var.mutable.then(|| quote!(mut));
                    quote!(#m #ident: #ty)
                }
            })
            .collect()
    }

    /// `::<s, the user's generic arguments>` for calls of the generated generic functions
    /// (lifetimes are left to inference), so that a const generic used only in the body is
    /// still known; empty when a parameter is `impl Trait`, which forbids explicit arguments.
    pub fn turbofish(&self, s: Option<TokenStream>) -> TokenStream {
        self.turbofish_with(s, None)
    }

    /// [`Cx::turbofish`] with `extra` last when there is a turbofish (`_` for an inferred
    /// parameter).
    pub fn turbofish_with(
        &self,
        s: Option<TokenStream>,
        extra: Option<TokenStream>,
    ) -> TokenStream {
        let impl_trait = self
            .func
            .params
            .iter()
            .any(|p| matches!(p.ty, syn::Type::ImplTrait(_)));
        if impl_trait {
            return quote!();
        }
        let user = self
            .func
            .generics
            .params
            .iter()
            .any(|p| !matches!(p, syn::GenericParam::Lifetime(_)));
        if !user {
            // `__S` is inferred from the arguments: no turbofish, more readable code.
            return quote!();
        }
        let mut args: Vec<TokenStream> = s.into_iter().collect();
        for p in &self.func.generics.params {
            match p {
                syn::GenericParam::Type(t) => args.push(t.ident.to_token_stream()),
                syn::GenericParam::Const(c) => args.push(c.ident.to_token_stream()),
                syn::GenericParam::Lifetime(_) => {}
            }
        }
        args.extend(extra);
        if args.is_empty() {
            quote!()
        } else {
            quote!(::<#(#args),*>)
        }
    }

    /// Active parameters that are arrays or slices (their adjoints go to `&mut` buffers).
    pub fn active_arrays(&self) -> Vec<VarId> {
        self.active
            .iter()
            .map(|&i| self.func.params[i].var)
            .filter(|&v| !matches!(self.var(v).shape, Shape::Scalar))
            .collect()
    }

    /// Active scalar parameters (their adjoints are returned).
    pub fn active_scalars(&self) -> Vec<VarId> {
        self.active
            .iter()
            .map(|&i| self.func.params[i].var)
            .filter(|&v| matches!(self.var(v).shape, Shape::Scalar))
            .collect()
    }
}

/// A parameter's type in the generated generic code when it is passive: as written, except
/// that a matrix is flattened (`&[[f; N]; M]` -> `&[f]`).
pub fn flat_param_ty(p: &Param) -> TokenStream {
    if p.matrix.is_some() {
        if let syn::Type::Reference(r) = &p.ty {
            let elem = match &*r.elem {
                syn::Type::Array(a) => &*a.elem,
                syn::Type::Slice(s) => &*s.elem,
                other => other,
            };
            let elem = match elem {
                syn::Type::Array(a) => &*a.elem,
                other => other,
            };
            let m = r.mutability;
            return quote!(&#m [#elem]);
        }
    }
    p.ty.to_token_stream()
}

/// Whether `e` (and everything in it) is passive, so that it can be emitted as written.
pub fn pure_passive(e: &Expr, vars: &[Var]) -> bool {
    match &e.kind {
        ExprKind::Var(v) | ExprKind::Index(v, _) | ExprKind::View { var: v, .. }
            if vars[*v].active =>
        {
            false
        }
        ExprKind::View { range, .. } => range
            .as_ref()
            .is_none_or(|(lo, hi)| lo.iter().chain(hi.iter()).all(|b| pure_passive(b, vars))),
        ExprKind::Var(_) | ExprKind::Lit(_) | ExprKind::Opaque { .. } => true,
        ExprKind::Index(_, i) => pure_passive(i, vars),
        ExprKind::Call(_, args) | ExprKind::UserCall(_, args) => {
            args.iter().all(|a| pure_passive(a, vars))
        }
        ExprKind::Cast(a, _) | ExprKind::ArrayRepeat(a, _) => pure_passive(a, vars),
        ExprKind::VecNew(a, _) => a.as_ref().is_none_or(|a| pure_passive(a, vars)),
        ExprKind::Compare(_, a, b) => pure_passive(a, vars) && pure_passive(b, vars),
        ExprKind::Logic(_, args) => args.iter().all(|a| pure_passive(a, vars)),
    }
}

/// Renders a purely passive expression as Rust (variables renamed).
pub fn passive(e: &Expr, cx: &Cx) -> TokenStream {
    match &e.kind {
        ExprKind::Var(v) => cx.var(*v).ident.to_token_stream(),
        ExprKind::Lit(l) => l.to_token_stream(),
        ExprKind::Opaque { expr, .. } => quote!((#expr)),
        ExprKind::Index(v, i) => {
            let a = &cx.var(*v).ident;
            let i = passive(i, cx);
            quote!(#a[#i])
        }
        ExprKind::ArrayRepeat(a, n) => {
            let a = passive(a, cx);
            quote!([#a; #n])
        }
        ExprKind::VecNew(a, n) => {
            let k = cx.krate;
            match a {
                Some(a) => {
                    let a = passive(a, cx);
                    quote!(#k::__private::vec_of(#n, #a))
                }
                // (Filled by `push`: a passive one holds floats of the base type, which its
                // pushes may not say, `push(0.4)`.)
                None => {
                    let ft = &cx.ft;
                    quote!(#k::__private::vec_with_capacity::<#ft>(#n))
                }
            }
        }
        ExprKind::Cast(a, ty) => {
            let a = passive(a, cx);
            quote!((#a as #ty))
        }
        ExprKind::Compare(op, a, b) => {
            let (a, b) = (passive(a, cx), passive(b, cx));
            quote!((#a #op #b))
        }
        ExprKind::Logic(op, args) => logic(*op, args.iter().map(|a| passive(a, cx)).collect()),
        ExprKind::View {
            var,
            range,
            mutable,
            len,
            ..
        } => {
            let bound = |b: &Option<Box<Expr>>| b.as_ref().map(|b| passive(b, cx));
            let known = range.as_ref().and(len.as_ref());
            let range = range.as_ref().map(|(lo, hi)| (bound(lo), bound(hi)));
            let v = view(
                cx,
                *var,
                &cx.var(*var).ident.to_token_stream(),
                &range,
                *mutable,
            );
            calls::fixed(cx, v, known, *mutable)
        }
        ExprKind::Call(row, args) => {
            let mut rendered: Vec<_> = args.iter().map(|a| passive(a, cx)).collect();
            // `f64::abs(0.21)` is `0.21.abs()`: the literal receiver needs its type.
            if let (None, Some(ExprKind::Lit(l))) = (row.syntax, args.first().map(|a| &a.kind)) {
                let ft = &cx.ft;
                rendered[0] = quote!((#l as #ft));
            }
            call_syntax(row, &rendered)
        }
        ExprKind::UserCall(f, args) => match args.last().map(|a| &a.kind) {
            // A returned array: `p = helper(..)` as written.
            Some(ExprKind::View {
                var,
                returned: true,
                ..
            }) => {
                let p = &cx.var(*var).ident;
                let args = args[..args.len() - 1].iter().map(|a| passive(a, cx));
                // A struct the callee returns: its flat value (see `structs`).
                if matches!(&cx.var(*var).shape, Shape::Array(len) if crate::structs::is_flat_len(len))
                {
                    let path = callee_item(f, &format_ident!("__flat"));
                    return quote!(#p = #path(#(#args),*));
                }
                quote!(#p = #f(#(#args),*))
            }
            _ => {
                let rendered = args.iter().map(|a| passive(a, cx));
                match struct_parts(args, cx) {
                    // Parts of a flattened struct parameter: the callee may take a struct
                    // there, which only its variants take flattened (evaluated on floats).
                    0 => quote!(#f(#(#rendered),*)),
                    mask => {
                        let ft = &cx.ft;
                        let path = callee_item(f, &format_ident!("__val_m{}", mask));
                        quote!(#path::<#ft>(#(#rendered),*))
                    }
                }
            }
        },
    }
}

/// The positions of the call arguments that are parts of a flattened struct parameter or local
/// (see `structs`: its type is `&[f; <T as Differentiable>::DIM]`, a local's
/// `[f; <T as Differentiable>::DIM]`), as a variant mask.
fn struct_parts(args: &[Expr], cx: &Cx) -> u64 {
    // (A struct with `Vec` fields is flattened into a slice: known by the whole struct that
    // follows it, `__ad_whole_m`.)
    let whole_of = |v: VarId| {
        let w = format_ident!("__ad_whole_{}", cx.var(v).name);
        cx.func.params.iter().any(|p| cx.var(p.var).name == w)
    };
    let flat_struct = |v: VarId| {
        cx.func
            .params
            .iter()
            .any(|p| p.var == v && (crate::structs::is_flat_struct(&p.ty) || whole_of(v)))
            || matches!(&cx.var(v).shape, Shape::Array(len) if crate::structs::is_flat_len(len))
    };
    args.iter()
        .enumerate()
        .filter(|(_, a)| {
            matches!(a.kind, ExprKind::View { var, returned: false, .. } if flat_struct(var))
        })
        .map(|(k, _)| 1u64 << k)
        .sum()
}

/// An argument of a call to another `#[differentiable]` function: active values wrapped in
/// `Active`, passive floats in `Const`, anything else as it is.
pub fn call_arg(e: &Expr, cx: &Cx, active_value: Option<TokenStream>) -> TokenStream {
    let k = cx.krate;
    match active_value {
        Some(v) => active_arg(&v, e.span, cx),
        None => {
            let p = passive(e, cx);
            let ft = &cx.ft;
            if let ExprKind::Lit(_) = &e.kind {
                return quote!(#k::__private::Const::<#ft>(#p));
            }
            let array =
                matches!(&e.kind, ExprKind::Var(v) if !matches!(cx.var(*v).shape, Shape::Scalar));
            if floatish(e, &cx.func.vars) && !array {
                quote!(#k::__private::Const(#p))
            } else {
                p
            }
        }
    }
}

/// `Active(v)`, an active argument of a call, every token spanned at the argument `span`: a
/// callee whose parameter is passive (`ToPassive`) then reports its error at the argument.
pub fn active_arg(v: &TokenStream, span: proc_macro2::Span, cx: &Cx) -> TokenStream {
    let k = cx.krate;
    respan(quote!(#k::__private::Active(#v)), span)
}

/// `tokens` with every token (and group) located at `span`, each resolved as before.
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let proc_macro2::TokenTree::Group(g) = &t {
                let mut ng = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                ng.set_span(g.span().located_at(span));
                t = proc_macro2::TokenTree::Group(ng);
            } else {
                t.set_span(t.span().located_at(span));
            }
            t
        })
        .collect()
}

/// A passive argument `e`, already bound to the local `tokens`, as a call passes it: a float
/// in `Const` (the callee's scalar parameters take `impl ToActive`/`ToPassive`), anything else
/// as it is.
pub fn call_arg_tokens(e: &Expr, cx: &Cx, tokens: TokenStream) -> TokenStream {
    let k = cx.krate;
    let ft = &cx.ft;
    if let ExprKind::Lit(_) = &e.kind {
        return quote!(#k::__private::Const::<#ft>(#tokens));
    }
    let array = matches!(&e.kind, ExprKind::Var(v) if !matches!(cx.var(*v).shape, Shape::Scalar));
    if floatish(e, &cx.func.vars) && !array {
        quote!(#k::__private::Const(#tokens))
    } else {
        tokens
    }
}

/// Whether a passive expression is a value of the user's (variable, element, opaque code), whose
/// type may be a reference to a float, as opposed to a literal or an operation on values.
pub fn user_value(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Var(_) | ExprKind::Opaque { .. } | ExprKind::Index(..)
    )
}

/// Whether an expression certainly has a float type: a float literal, a float variable, a cast
/// to a float, a float method, or an operator with such an operand (`n - 1` on integers is not).
pub fn floatish(e: &Expr, vars: &[Var]) -> bool {
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Cast(..) => true,
        ExprKind::Call(_, args) => args.iter().any(|a| floatish(a, vars)),
        // A helper of float arrays returns floats too (`[h(&x), h(&y)]`).
        ExprKind::UserCall(_, args) => args.iter().any(|a| {
            floatish(a, vars)
                || matches!(a.kind, ExprKind::View { var, returned: false, .. } if vars[var].float)
        }),
        ExprKind::Var(v) | ExprKind::Index(v, _) => vars[*v].float,
        ExprKind::ArrayRepeat(e, _) => floatish(e, vars),
        ExprKind::VecNew(e, _) => e.as_ref().is_some_and(|e| floatish(e, vars)),
        _ => false,
    }
}

/// `callee::__call`, spanned at the callee so that a non-differentiable function is named.
pub fn call_path(f: &syn::Expr) -> TokenStream {
    callee_item(f, &format_ident!("__call"))
}

/// The generated item `item` of the callee `f`: `f::item` for a free function, and
/// `Type::f_item` for an associated function (`Self::f`, `Type::f`: the path's second-to-last
/// segment is `Self` or a type name, capitalized), whose derivatives live in its `impl` block
/// (see [`crate::impls`]). Spanned at the callee so that a non-differentiable one is named.
pub fn callee_item(f: &syn::Expr, item: &Ident) -> TokenStream {
    let span = syn::spanned::Spanned::span(f);
    if let syn::Expr::Path(p) = f {
        let segs = &p.path.segments;
        let n = segs.len();
        let in_type = n >= 2 && {
            let owner = segs[n - 2].ident.to_string();
            owner == "Self" || owner.starts_with(|c: char| c.is_ascii_uppercase())
        };
        // `<T as Trait>::g` (a nested struct's method, see `structs`): `<..>::g_item`.
        if in_type || p.qself.is_some() {
            let mut path = p.clone();
            let last = path.path.segments.last_mut().expect("a segment");
            last.ident = crate::impls::mangled(&last.ident, item);
            return quote::quote_spanned!(span=> #path);
        }
    }
    // (The item's name too: rustc reports a bound of the item, `__call`'s, at its last segment.)
    let item = Ident::new(&item.to_string(), span);
    quote::quote_spanned!(span=> #f::#item)
}

/// A row applied to rendered arguments, spelled as the user would (`(a / b)`, `a.sin()`).
pub fn call_syntax(row: &Intrinsic, args: &[TokenStream]) -> TokenStream {
    match row.syntax {
        Some(op) => op_tokens(op, args),
        None => {
            let name = Ident::new(row.name, Span::call_site());
            let (recv, rest) = (&args[0], &args[1..]);
            quote!(#recv.#name(#(#rest),*))
        }
    }
}

/// `(a + b)`, `(-a)`, ... on already rendered operands.
pub fn op_tokens(op: Op, args: &[TokenStream]) -> TokenStream {
    let a = &args[0];
    match op {
        Op::Neg => quote!((-#a)),
        _ => {
            let b = &args[1];
            match op {
                Op::Add => quote!((#a + #b)),
                Op::Sub => quote!((#a - #b)),
                Op::Mul => quote!((#a * #b)),
                Op::Div => quote!((#a / #b)),
                Op::Neg => unreachable!("handled above"),
            }
        }
    }
}

/// Renders an expression's value with no derivative bookkeeping (conditions, passive results
/// of active computations): active parts in `__S`, passive parts as written.
pub fn value(e: &Expr, cx: &Cx) -> TokenStream {
    if pure_passive(e, &cx.func.vars) {
        return passive(e, cx);
    }
    match &e.kind {
        ExprKind::Compare(op, a, b) => {
            let a = base_value(a, cx);
            let b = base_value(b, cx);
            quote!((#a #op #b))
        }
        ExprKind::Logic(op, args) => logic(*op, args.iter().map(|a| value(a, cx)).collect()),
        _ => scalar_value(e, cx),
    }
}

/// `(a && b)`, `(a || b)`, `(!a)` on rendered operands.
fn logic(op: LogicOp, args: Vec<TokenStream>) -> TokenStream {
    let a = &args[0];
    match op {
        LogicOp::And => {
            let b = &args[1];
            quote!((#a && #b))
        }
        LogicOp::Or => {
            let b = &args[1];
            quote!((#a || #b))
        }
        LogicOp::Not => quote!((!#a)),
    }
}

/// The primitive value of an operand of a comparison.
fn base_value(e: &Expr, cx: &Cx) -> TokenStream {
    if pure_passive(e, &cx.func.vars) {
        passive(e, cx)
    } else {
        cx.base(scalar_value(e, cx))
    }
}

/// An expression's value in `__S`.
pub fn scalar_value(e: &Expr, cx: &Cx) -> TokenStream {
    if pure_passive(e, &cx.func.vars) {
        return match &e.kind {
            ExprKind::Lit(l) => cx.cst(quote!(#l)),
            _ => cx.cst_of(e, passive(e, cx)),
        };
    }
    match &e.kind {
        ExprKind::Var(v) => cx.var(*v).ident.to_token_stream(),
        ExprKind::Index(v, i) => {
            let a = &cx.var(*v).ident;
            let i = value(i, cx);
            quote!(#a[#i])
        }
        ExprKind::Cast(a, _) => scalar_value(a, cx),
        ExprKind::Call(row, args) => {
            let args: Vec<TokenStream> = args
                .iter()
                .zip(row.args)
                .map(|(a, k)| match k {
                    crate::intrinsics::Arg::Float => scalar_value(a, cx),
                    crate::intrinsics::Arg::Int => value(a, cx),
                })
                .collect();
            match row.value {
                crate::intrinsics::Value::Op(op) => op_tokens(op, &args),
                crate::intrinsics::Value::Rule => {
                    let f = cx.rule(row.name);
                    quote!(#f(#(#args),*).0)
                }
            }
        }
        ExprKind::UserCall(f, args)
            if args.iter().any(|a| matches!(a.kind, ExprKind::View { .. })) =>
        {
            calls::value_call(f, args, cx)
        }
        ExprKind::UserCall(f, args) => {
            let args = args.iter().map(|a| {
                let v = (!pure_passive(a, &cx.func.vars)).then(|| scalar_value(a, cx));
                call_arg(a, cx, v)
            });
            let path = call_path(f);
            // Spanned at the callee (see `lin`).
            let span = syn::spanned::Spanned::span(f);
            quote::quote_spanned!(span=> #path(#(#args),*).0)
        }
        // Not active (handled by `pure_passive`).
        ExprKind::Lit(_)
        | ExprKind::Opaque { .. }
        | ExprKind::Compare(..)
        | ExprKind::Logic(..)
        | ExprKind::View { .. }
        | ExprKind::ArrayRepeat(..)
        | ExprKind::VecNew(..) => cx.cst(passive(e, cx)),
    }
}

/// Names for generated locals: unique, and mixed-site so user code can never see them.
#[derive(Default)]
pub struct Names {
    next: usize,
}

impl Names {
    pub fn fresh(&mut self, prefix: &str) -> Ident {
        self.next += 1;
        format_ident!("__{}{}", prefix, self.next, span = Span::mixed_site())
    }
}

/// `ident` with a suffix, same span.
pub fn suffixed(ident: &Ident, suffix: &str) -> Ident {
    format_ident!("{}_{}", ident, suffix, span = ident.span())
}

/// The variables an expression reads.
pub fn expr_vars(e: &Expr) -> Vec<VarId> {
    let mut out = Vec::new();
    collect_vars(e, &mut out);
    out
}

fn collect_vars(e: &Expr, out: &mut Vec<VarId>) {
    out.extend(e.lens.iter().copied());
    match &e.kind {
        ExprKind::Var(v) => out.push(*v),
        ExprKind::Index(v, i) => {
            out.push(*v);
            collect_vars(i, out);
        }
        ExprKind::Lit(_) => {}
        ExprKind::Opaque { vars, .. } => out.extend(vars.iter().copied()),
        ExprKind::Call(_, args) | ExprKind::UserCall(_, args) => {
            args.iter().for_each(|a| collect_vars(a, out))
        }
        ExprKind::Cast(a, _) | ExprKind::ArrayRepeat(a, _) => collect_vars(a, out),
        ExprKind::VecNew(a, _) => a.iter().for_each(|a| collect_vars(a, out)),
        ExprKind::Compare(_, a, b) => {
            collect_vars(a, out);
            collect_vars(b, out);
        }
        ExprKind::Logic(_, args) => args.iter().for_each(|a| collect_vars(a, out)),
        ExprKind::View { var, range, .. } => {
            out.push(*var);
            if let Some((lo, hi)) = range {
                lo.iter()
                    .chain(hi.iter())
                    .for_each(|b| collect_vars(b, out));
            }
        }
    }
}

/// An array argument as the callee receives it: `x` for a parameter (already a reference),
/// `&a` for a local array, `&x[lo..hi]` for a sub-slice; `&mut` variants for adjoint buffers
/// (`&mut *x_b` reborrows a parameter's buffer).
pub fn view(
    cx: &Cx,
    var: VarId,
    base: &TokenStream,
    range: &Option<(Option<TokenStream>, Option<TokenStream>)>,
    mutable: bool,
) -> TokenStream {
    let local = matches!(cx.var(var).shape, Shape::Array(_) | Shape::Vec);
    match (range, mutable) {
        (Some((lo, hi)), false) => quote!(&#base[#lo..#hi]),
        (Some((lo, hi)), true) => quote!(&mut #base[#lo..#hi]),
        (None, false) if local => quote!(&#base),
        (None, false) => quote!(#base),
        (None, true) if local => quote!(&mut #base),
        (None, true) => quote!(&mut *#base),
    }
}
