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
mod folds;
mod iters;
mod lets;
mod renamer;
mod results;
mod signature;
mod stmts;
mod tuples;
mod vectors;
mod views;

use renamer::Renamer;

/// Lowers the function; `None` if its signature cannot be lowered (errors are in `cx`).
pub fn lower(item: &syn::ItemFn, cx: &mut Ctxt, krate: &syn::Path) -> Option<Func> {
    let hoisted = views::hoist(item);
    let item = hoisted.as_ref().unwrap_or(item);
    let unfolded = folds::rewrite(item);
    let item = unfolded.as_ref().unwrap_or(item);
    let mut lw = Lowerer::new(cx);
    lw.krate = Some(krate.clone());
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
    /// The facade's path (for the runtime items generated code names).
    krate: Option<syn::Path>,
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
    /// Names used as arrays somewhere in the body (`p[..]`, `p.iter()`, `for v in &p`, ..): a
    /// `let p = helper(..)` of one of them holds an array.
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
            krate: None,
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

/// The names used as arrays anywhere in `block`: indexed (`p[i]`), iterated or measured
/// (`p.iter()`, `p.len()`, `p.windows(k)`, ..), or looped over (`for v in p`, `for v in &p`).
fn indexed_names(block: &syn::Block) -> Vec<String> {
    struct Find(Vec<String>);
    impl Find {
        fn name(&mut self, e: &syn::Expr) {
            let e = match strip_parens(e) {
                syn::Expr::Reference(r) => strip_parens(&r.expr),
                e => e,
            };
            if let syn::Expr::Path(p) = e {
                if let Some(i) = p.path.get_ident() {
                    self.0.push(i.to_string());
                }
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Find {
        fn visit_expr_index(&mut self, ix: &'ast syn::ExprIndex) {
            if let syn::Expr::Path(_) = strip_parens(&ix.expr) {
                self.name(&ix.expr);
            }
            syn::visit::visit_expr_index(self, ix);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            const ARRAY_METHODS: [&str; 9] = [
                "iter",
                "iter_mut",
                "into_iter",
                "len",
                "windows",
                "chunks",
                "chunks_exact",
                "first",
                "last",
            ];
            if ARRAY_METHODS.contains(&m.method.to_string().as_str()) {
                self.name(&m.receiver);
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            self.name(&f.expr);
            syn::visit::visit_expr_for_loop(self, f);
        }
    }
    // `let q = p;` with `q` used as an array: `p` is one too (its `let` gets the message).
    struct Copies(Vec<(String, String)>);
    impl<'ast> syn::visit::Visit<'ast> for Copies {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let (syn::Pat::Ident(q), Some(init)) = (&l.pat, &l.init) {
                if let syn::Expr::Path(p) = strip_parens(&init.expr) {
                    if let Some(p) = p.path.get_ident() {
                        self.0.push((q.ident.to_string(), p.to_string()));
                    }
                }
            }
            syn::visit::visit_local(self, l);
        }
    }
    let mut f = Find(Vec::new());
    syn::visit::Visit::visit_block(&mut f, block);
    let mut copies = Copies(Vec::new());
    syn::visit::Visit::visit_block(&mut copies, block);
    let mut names = f.0;
    loop {
        let more: Vec<String> = (copies.0.iter())
            .filter(|(q, p)| names.contains(q) && !names.contains(p))
            .map(|(_, p)| p.clone())
            .collect();
        if more.is_empty() {
            return names;
        }
        names.extend(more);
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

pub fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        other => other,
    }
}
