//! Inlining calls between methods of one `#[differentiable]` `impl` block.
//!
//! A call to another differentiable function runs the callee's forward sweep again in the
//! caller's reverse sweep (its `__vjp_m` recomputes what it needs). For a model whose `loss`
//! calls `self.predict(x)` once per sample that doubles the forward work. The attribute on a
//! block sees every method's body, so a call `self.g(args)` to a method `g` of the block is
//! replaced by `g`'s statements, spliced in before the statement that calls it:
//!
//! ```text
//! let r = self.predict(x) - y;
//! // becomes
//! let mut out__inl1 = self.b2;
//! for h__inl1 in 0..self.w1.len() { .. }
//! let __inl1: f64 = out__inl1;
//! let r = __inl1 - y;
//! ```
//!
//! Every name the callee binds (parameters, `let`s, loop and closure patterns) gets the suffix
//! of the call site, which keeps the callee's own scoping and cannot capture the caller's names;
//! a parameter whose argument is a plain variable is replaced by that variable, any other
//! argument is bound by a `let` first (evaluated once, in order, as a call would).
//!
//! Only what this keeps exact is inlined: callees taking `&self` (or `self`) and returning a float,
//! without attributes of their own (a method with its own `wrt(..)` stays a call),
//! whose body has no `return`, `?`, macro or nested item, with no calls in a position evaluated
//! conditionally (`if`/`match` arms, loop conditions, the right of `&&`/`||`, closures) or in
//! a condition; nested calls are inlined up to [`MAX_DEPTH`] deep, recursion never.

use std::collections::{HashMap, HashSet};

use proc_macro2::Ident;
use quote::format_ident;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// How deep calls inside inlined bodies are inlined in turn.
const MAX_DEPTH: usize = 3;

/// Inlines the calls `self.g(..)` of `f`'s body to the methods of `block` that qualify.
pub fn inline_calls(f: &mut syn::ItemFn, block: &syn::ItemImpl) {
    let callees: HashMap<Ident, &syn::ImplItemFn> = block
        .items
        .iter()
        .filter_map(|i| match i {
            syn::ImplItem::Fn(m) if qualifies(m) => Some((m.sig.ident.clone(), m)),
            _ => None,
        })
        .collect();
    if callees.is_empty() {
        return;
    }
    let mut inl = Inliner {
        callees,
        stack: vec![f.sig.ident.clone()],
        sites: 0,
    };
    inl.block(&mut f.block);
}

/// Whether `m` can be inlined (see the module docs).
fn qualifies(m: &syn::ImplItemFn) -> bool {
    let Some(recv) = m.sig.receiver() else {
        return false;
    };
    // `&self` or `self`: the body only reads it.
    let reads_self = recv.mutability.is_none() && recv.colon_token.is_none();
    let float = matches!(&m.sig.output, syn::ReturnType::Type(_, t)
        if matches!(&**t, syn::Type::Path(p) if p.path.is_ident("f64") || p.path.is_ident("f32")));
    let plain_params = m.sig.inputs.iter().skip(1).all(|a| {
        matches!(a, syn::FnArg::Typed(t) if matches!(&*t.pat, syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none()))
    });
    let generic = !m.sig.generics.params.is_empty();
    // Its own `#[differentiable(..)]` (say `wrt(x)`, a passive `self`), `#[cfg]`, ...: a call.
    let plain_attrs = m.attrs.iter().all(|a| {
        ["doc", "inline", "must_use"]
            .iter()
            .any(|n| a.path().is_ident(n))
    });
    let mut body = BodyCheck { ok: true };
    body.visit_block(&m.block);
    reads_self
        && float
        && plain_params
        && plain_attrs
        && !generic
        && m.sig.asyncness.is_none()
        && body.ok
}

/// Rejects bodies with `return`, `?`, macros, nested items or struct-literal shorthands.
struct BodyCheck {
    ok: bool,
}

impl<'a> Visit<'a> for BodyCheck {
    fn visit_expr(&mut self, e: &'a syn::Expr) {
        match e {
            syn::Expr::Return(_) | syn::Expr::Try(_) | syn::Expr::Macro(_) => self.ok = false,
            syn::Expr::Struct(s) if s.fields.iter().any(|f| f.colon_token.is_none()) => {
                self.ok = false
            }
            _ => syn::visit::visit_expr(self, e),
        }
    }
    fn visit_stmt(&mut self, s: &'a syn::Stmt) {
        match s {
            syn::Stmt::Item(_) | syn::Stmt::Macro(_) => self.ok = false,
            _ => syn::visit::visit_stmt(self, s),
        }
    }
}

struct Inliner<'b> {
    callees: HashMap<Ident, &'b syn::ImplItemFn>,
    /// The functions being inlined into, outermost first (no recursion).
    stack: Vec<Ident>,
    /// Call sites inlined so far (the suffix of the next one).
    sites: usize,
}

impl<'b> Inliner<'b> {
    /// Inlines the calls of every statement of `b`, and of the blocks nested in them.
    fn block(&mut self, b: &mut syn::Block) {
        let stmts = std::mem::take(&mut b.stmts);
        for mut s in stmts {
            let mut before = Vec::new();
            match &mut s {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        self.hoist(&mut init.expr, &mut before);
                        if let Some((_, e)) = &mut init.diverge {
                            self.nested(e);
                        }
                    }
                }
                syn::Stmt::Expr(e, _) => self.hoist(e, &mut before),
                _ => {}
            }
            b.stmts.extend(before);
            b.stmts.push(s);
        }
    }

    /// Replaces the unconditionally evaluated calls in `e` by variables bound in `before`,
    /// and inlines inside the blocks `e` contains.
    fn hoist(&mut self, e: &mut syn::Expr, before: &mut Vec<syn::Stmt>) {
        match e {
            syn::Expr::MethodCall(mc) if self.target(mc).is_some() => {
                for a in &mut mc.args {
                    self.hoist(a, before);
                }
                let callee = self.target(mc).expect("checked");
                let result = self.expand(callee, mc, before);
                *e = syn::parse_quote!(#result);
            }
            // Conditional or repeated evaluation: only the blocks inside are inlined into.
            syn::Expr::If(i) => {
                self.hoist(&mut i.cond, before);
                self.block(&mut i.then_branch);
                if let Some((_, els)) = &mut i.else_branch {
                    self.nested(els);
                }
            }
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                self.hoist(&mut b.left, before);
                self.nested(&mut b.right);
            }
            syn::Expr::ForLoop(f) => {
                self.hoist(&mut f.expr, before);
                self.block(&mut f.body);
            }
            syn::Expr::While(w) => {
                self.nested(&mut w.cond);
                self.block(&mut w.body);
            }
            syn::Expr::Loop(l) => self.block(&mut l.body),
            syn::Expr::Block(b) => self.block(&mut b.block),
            syn::Expr::Match(m) => {
                self.hoist(&mut m.expr, before);
                for arm in &mut m.arms {
                    self.nested(&mut arm.body);
                }
            }
            syn::Expr::Closure(_) | syn::Expr::Macro(_) => {}
            _ => {
                let mut sub = Subexprs { inl: self, before };
                syn::visit_mut::visit_expr_mut(&mut sub, e);
            }
        }
    }

    /// Inlines only inside the blocks of an expression evaluated conditionally or repeatedly;
    /// its own calls stay calls (hoisted, they would run unconditionally or once).
    fn nested(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Block(b) => self.block(&mut b.block),
            syn::Expr::If(i) => {
                self.block(&mut i.then_branch);
                if let Some((_, els)) = &mut i.else_branch {
                    self.nested(els);
                }
            }
            syn::Expr::Match(m) => {
                for arm in &mut m.arms {
                    self.nested(&mut arm.body);
                }
            }
            syn::Expr::Loop(l) => self.block(&mut l.body),
            syn::Expr::ForLoop(f) => self.block(&mut f.body),
            syn::Expr::While(w) => self.block(&mut w.body),
            _ => {}
        }
    }

    /// The method `mc` calls, when it is `self.g(..)` for an inlinable `g` not being inlined.
    fn target(&self, mc: &syn::ExprMethodCall) -> Option<&'b syn::ImplItemFn> {
        let on_self = matches!(crate::lower::strip_parens(&mc.receiver),
            syn::Expr::Path(p) if p.path.is_ident("self"));
        let m = self.callees.get(&mc.method)?;
        let n_args = m.sig.inputs.len() - 1;
        (on_self
            && mc.turbofish.is_none()
            && mc.args.len() == n_args
            && !self.stack.contains(&mc.method)
            && self.stack.len() <= MAX_DEPTH)
            .then_some(*m)
    }

    /// Pushes `callee`'s body for the call `mc` onto `before`; returns the result's variable.
    fn expand(
        &mut self,
        callee: &'b syn::ImplItemFn,
        mc: &syn::ExprMethodCall,
        before: &mut Vec<syn::Stmt>,
    ) -> Ident {
        self.sites += 1;
        let suffix = format!("__inl{}", self.sites);
        // A closure parameter named like a parameter (`.zip(x).map(|(w, x)| w * x)`) is
        // renamed inside its closure first, so that the parameter itself can still be the
        // caller's variable (a row of a matrix, which cannot be bound to a new name).
        let mut body = callee.block.clone();
        let params: Vec<Ident> = (callee.sig.inputs.iter())
            .filter_map(|a| match a {
                syn::FnArg::Typed(t) => match &*t.pat {
                    syn::Pat::Ident(p) => Some(p.ident.clone()),
                    _ => None,
                },
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        ClosureShadows {
            params: &params,
            suffix: &suffix,
        }
        .visit_block_mut(&mut body);
        let mut bound = Bound::default();
        bound.visit_block(&body);
        let mut names: HashMap<Ident, Ident> = bound
            .names
            .iter()
            .map(|n| (n.clone(), format_ident!("{}{}", n, suffix, span = n.span())))
            .collect();
        for (param, arg) in callee.sig.inputs.iter().skip(1).zip(&mc.args) {
            let syn::FnArg::Typed(t) = param else {
                continue;
            };
            let syn::Pat::Ident(p) = &*t.pat else {
                continue;
            };
            match crate::lower::strip_parens(arg) {
                // (Not a parameter the body binds again, `let t = t * 2.0;`: renamed to the
                // caller's variable, that `let` would shadow it in the caller.)
                syn::Expr::Path(a)
                    if a.qself.is_none()
                        && a.path.get_ident().is_some()
                        && p.mutability.is_none()
                        && !bound.names.contains(&p.ident) =>
                {
                    names.insert(
                        p.ident.clone(),
                        a.path.get_ident().expect("checked").clone(),
                    );
                }
                _ => {
                    let name = format_ident!("{}{}", p.ident, suffix, span = p.ident.span());
                    let (ty, mutability) = (&t.ty, &p.mutability);
                    before.push(syn::parse_quote!(let #mutability #name: #ty = #arg;));
                    names.insert(p.ident.clone(), name);
                }
            }
        }
        Rename { names: &names }.visit_block_mut(&mut body);
        // The callee's own calls, inlined in turn.
        self.stack.push(callee.sig.ident.clone());
        self.block(&mut body);
        self.stack.pop();
        let result = format_ident!("{}", suffix, span = mc.method.span());
        let ty = match &callee.sig.output {
            syn::ReturnType::Type(_, t) => (**t).clone(),
            syn::ReturnType::Default => unreachable!("qualifies() checked the result type"),
        };
        let mut stmts = body.stmts;
        let tail = match stmts.pop() {
            Some(syn::Stmt::Expr(e, None)) => e,
            Some(other) => {
                // No tail expression: a body that diverges (`loop {}`, `panic` is excluded).
                stmts.push(other);
                syn::parse_quote!(unreachable!())
            }
            None => syn::parse_quote!(()),
        };
        before.extend(stmts);
        before.push(syn::parse_quote!(let #result: #ty = #tail;));
        result
    }
}

/// The default walk of an expression that evaluates all its operands, in order.
struct Subexprs<'i, 'b, 'v> {
    inl: &'i mut Inliner<'b>,
    before: &'v mut Vec<syn::Stmt>,
}

impl VisitMut for Subexprs<'_, '_, '_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        self.inl.hoist(e, self.before);
    }
}

/// The names a body binds: `let` patterns, loop patterns, closure parameters, match arms.
#[derive(Default)]
struct Bound {
    names: HashSet<Ident>,
}

impl<'a> Visit<'a> for Bound {
    fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
        // `match k { N => .. }`: an uppercase name is a constant, not a binding.
        if !p
            .ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase())
        {
            self.names.insert(p.ident.clone());
        }
        syn::visit::visit_pat_ident(self, p);
    }
}

/// Renames, inside each closure whose parameters bind one of `params`, those names (in its
/// parameters and body) to `<name>_c<suffix>`.
struct ClosureShadows<'p> {
    params: &'p [Ident],
    suffix: &'p str,
}

impl VisitMut for ClosureShadows<'_> {
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let mut bound = Bound::default();
        c.inputs.iter().for_each(|p| bound.visit_pat(p));
        let names: HashMap<Ident, Ident> = (self.params.iter())
            .filter(|p| bound.names.contains(*p))
            .map(|p| {
                (
                    p.clone(),
                    format_ident!("{}_c{}", p, self.suffix, span = p.span()),
                )
            })
            .collect();
        if !names.is_empty() {
            let mut rename = Rename { names: &names };
            c.inputs.iter_mut().for_each(|p| rename.visit_pat_mut(p));
            rename.visit_expr_mut(&mut c.body);
        }
        syn::visit_mut::visit_expr_closure_mut(self, c);
    }
}

/// Renames bound names and parameters, in patterns and in single-identifier paths.
struct Rename<'n> {
    names: &'n HashMap<Ident, Ident>,
}

impl VisitMut for Rename<'_> {
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        if let Some(n) = self.names.get(&p.ident) {
            p.ident = n.clone();
        }
        syn::visit_mut::visit_pat_ident_mut(self, p);
    }
    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        if e.qself.is_none() {
            if let Some(id) = e.path.get_ident() {
                if let Some(n) = self.names.get(id) {
                    e.path = n.clone().into();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The expansion of a block whose `loss` calls `self.predict(x)` once per sample: the call
    /// is replaced by `predict`'s body (suffixed names), so no generated code of `loss` calls
    /// `predict`'s derivatives; a call in a condition stays a call.
    #[test]
    fn calls_between_methods_are_inlined() {
        let block: syn::ItemImpl = syn::parse_quote! {
            impl Net {
                fn loss(&self, xs: &[f64], ys: &[f64]) -> f64 {
                    let mut l = 0.0;
                    for (x, y) in xs.iter().zip(ys) {
                        let r = self.predict(*x) - y;
                        l += r * r;
                    }
                    l
                }
                fn predict(&self, x: f64) -> f64 {
                    let z = self.w * x;
                    z.tanh()
                }
                fn gated(&self, x: f64) -> f64 {
                    if x > 0.0 && self.predict(x) > 0.5 { x } else { 0.0 }
                }
            }
        };
        let out = crate::layout::with_known(Vec::new(), || {
            crate::impls::expand(quote::quote!(), block).to_string()
        });
        assert!(
            out.contains("z__inl1"),
            "predict's local renamed per call site"
        );
        let loss_items: String = out.split("fn ").filter(|f| f.starts_with("loss")).collect();
        assert!(
            !loss_items.contains("predict___"),
            "loss calls predict's derivatives"
        );
        let gated_items: String = out
            .split("fn ")
            .filter(|f| f.starts_with("gated"))
            .collect();
        assert!(
            gated_items.contains("predict___"),
            "a conditional call stays a call"
        );
    }
}
