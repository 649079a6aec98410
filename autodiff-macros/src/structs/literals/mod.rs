//! Structs built inside a differentiable function: `let p = Pose { angle: x[0], t: [x[1], x[2]] };`.
//!
//! A local bound to a struct literal whose fields depend on an active value becomes the flat
//! array of the struct's active fields, `let mut p: [f; <Pose as Differentiable>::DIM]`, written
//! field by field at the derive's offsets, so that everything a struct parameter supports works
//! on it: field reads (`p.t[1]`), methods (`p.apply(&q)`), helpers (`helper(&p)`), and writes to
//! its fields (`p.angle += d`). The attribute cannot see the struct, so a field's value is
//! written by its shape as written: an array literal element by element, a nested struct literal
//! field by field, a field of a struct (`m.t`, `m.w[i]`) or a named array or struct local
//! element by element, anything else as one float (the derive's `__AD_SCALAR_<field>` offset,
//! which stops the build with a message at the field if the field is not one float). The user's
//! own function type-checks every value against its field, so a shape taken wrongly is a build
//! error, never a wrong number.
//!
//! [`find`] picks the locals (by a name-level taint from the active parameters), [`shapes`]
//! knows the named arrays and matrices, [`build`] writes the fields.

mod build;
mod results;
mod shapes;

pub(super) use build::build;

use std::collections::HashSet;

use proc_macro2::Ident;
use syn::visit::Visit;

use super::StructParam;
use crate::lower::strip_parens;

/// The locals of `block` bound to struct literals that depend on one of `active` (the active
/// parameters), in the order they are bound.
pub(super) fn find(
    block: &syn::Block,
    active: &[Ident],
    params: &[StructParam],
    k: &syn::Path,
) -> Vec<StructParam> {
    let mut t = Taint {
        names: active.iter().map(Ident::to_string).collect(),
        found: Vec::new(),
        changed: true,
    };
    // To a fixed point: a value assigned in a loop taints reads earlier in its body.
    for _ in 0..4 {
        if !t.changed {
            break;
        }
        t.changed = false;
        t.visit_block(block);
    }
    // Struct results bound without their type (after the others: their methods' owners).
    let known: Vec<StructParam> = params.iter().chain(&t.found).cloned().collect();
    let mut found = t.found;
    let same = |a: &StructParam, b: &StructParam| {
        a.name == b.name
            && quote::ToTokens::to_token_stream(&a.ty).to_string()
                == quote::ToTokens::to_token_stream(&b.ty).to_string()
    };
    for r in results::find(block, &known, k) {
        if !found.iter().any(|f| same(f, &r)) {
            found.push(r);
        }
    }
    found
}

/// Which names hold values computed from an active value (an over-approximation by names).
struct Taint {
    names: HashSet<String>,
    found: Vec<StructParam>,
    changed: bool,
}

impl Taint {
    fn mentions(&self, e: &syn::Expr) -> bool {
        struct M<'a>(&'a HashSet<String>, bool);
        impl<'ast> Visit<'ast> for M<'_> {
            fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
                if p.path
                    .get_ident()
                    .is_some_and(|i| self.0.contains(&i.to_string()))
                {
                    self.1 = true;
                }
            }
            fn visit_macro(&mut self, m: &'ast syn::Macro) {
                for tt in m.tokens.clone() {
                    if matches!(&tt, proc_macro2::TokenTree::Ident(i) if self.0.contains(&i.to_string()))
                    {
                        self.1 = true;
                    }
                }
            }
        }
        let mut m = M(&self.names, false);
        m.visit_expr(e);
        m.1
    }

    fn taint_pat(&mut self, p: &syn::Pat) {
        struct P<'a>(&'a mut Taint);
        impl<'ast> Visit<'ast> for P<'_> {
            fn visit_pat_ident(&mut self, i: &'ast syn::PatIdent) {
                if self.0.names.insert(i.ident.to_string()) {
                    self.0.changed = true;
                }
            }
        }
        P(self).visit_pat(p);
    }

    /// Whether `name` is found with the type `ty` already (another type under the same name is
    /// recorded too, and reported).
    fn recorded(&self, name: &Ident, ty: &syn::Type) -> bool {
        let t = quote::ToTokens::to_token_stream(ty).to_string();
        self.found
            .iter()
            .any(|f| f.name == *name && quote::ToTokens::to_token_stream(&f.ty).to_string() == t)
    }

    /// `x`, `x.f`, `x[i]`: the name written to.
    fn root(e: &syn::Expr) -> Option<&Ident> {
        match strip_parens(e) {
            syn::Expr::Path(p) => p.path.get_ident(),
            syn::Expr::Field(f) => Self::root(&f.base),
            syn::Expr::Index(i) => Self::root(&i.expr),
            _ => None,
        }
    }
}

impl<'ast> Visit<'ast> for Taint {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        syn::visit::visit_local(self, l);
        let Some(init) = &l.init else { return };
        // `let p: Pose = helper(..);`: a struct a differentiable function returns, flattened
        // (the callee returns it flattened too), active or not.
        if let syn::Pat::Type(pt) = &l.pat {
            if let (syn::Pat::Ident(pi), syn::Type::Path(tp)) = (&*pt.pat, &*pt.ty) {
                let call = matches!(
                    strip_parens(&init.expr),
                    syn::Expr::Call(_) | syn::Expr::MethodCall(_)
                );
                if call
                    && tp.qself.is_none()
                    && is_struct_path(&tp.path)
                    && super::is_struct(&pt.ty)
                    && !self.recorded(&pi.ident, &pt.ty)
                {
                    self.found.push(StructParam {
                        name: pi.ident.clone(),
                        ty: (*pt.ty).clone(),
                        local: true,
                        nested: Vec::new(),
                        vecs: Vec::new(),
                        generic: false,
                    });
                    self.taint_pat(&l.pat);
                    return;
                }
            }
        }
        // The struct a function returns is flattened whatever it depends on.
        let returned = let_name(&l.pat).is_some_and(|n| n.to_string().starts_with(RETURNED));
        if !returned && !self.mentions(&init.expr) {
            return;
        }
        self.taint_pat(&l.pat);
        let (syn::Expr::Struct(s), Some(name)) = (strip_parens(&init.expr), let_name(&l.pat))
        else {
            return;
        };
        let ty = syn::Type::Path(syn::TypePath {
            qself: None,
            path: s.path.clone(),
        });
        if is_struct_path(&s.path) && !self.recorded(name, &ty) {
            self.found.push(StructParam {
                name: name.clone(),
                ty,
                local: true,
                nested: Vec::new(),
                vecs: Vec::new(),
                generic: false,
            });
        }
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        syn::visit::visit_expr_assign(self, a);
        if self.mentions(&a.right) {
            if let Some(r) = Self::root(&a.left) {
                if self.names.insert(r.to_string()) {
                    self.changed = true;
                }
            }
        }
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        syn::visit::visit_expr_binary(self, b);
        let compound = matches!(
            b.op,
            syn::BinOp::AddAssign(_)
                | syn::BinOp::SubAssign(_)
                | syn::BinOp::MulAssign(_)
                | syn::BinOp::DivAssign(_)
        );
        if compound && self.mentions(&b.right) {
            if let Some(r) = Self::root(&b.left) {
                if self.names.insert(r.to_string()) {
                    self.changed = true;
                }
            }
        }
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        if self.mentions(&f.expr) {
            self.taint_pat(&f.pat);
        }
        syn::visit::visit_expr_for_loop(self, f);
    }
}

/// Whether `e` mentions the name `n` (as a path or in a macro's tokens).
pub(super) fn mentions_name(e: &syn::Expr, n: &Ident) -> bool {
    let names: HashSet<String> = std::iter::once(n.to_string()).collect();
    Taint {
        names,
        found: Vec::new(),
        changed: false,
    }
    .mentions(e)
}

/// `p` in `let p = ..` and `let p: T = ..`.
fn let_name(p: &syn::Pat) -> Option<&Ident> {
    match p {
        syn::Pat::Ident(pi) => Some(&pi.ident),
        syn::Pat::Type(pt) => let_name(&pt.pat),
        _ => None,
    }
}

/// The prefix of the locals that hold a returned struct literal (see [`returned`]).
const RETURNED: &str = "__ad_ret";

/// `T { .. }` as the body's value or in `return T { .. };`, bound to a local first (`let
/// __ad_retN = T { .. }; __ad_retN`), so that it is flattened like any struct built here and
/// returned as the flat array.
pub(super) fn returned(block: &mut syn::Block) {
    struct R(usize);
    impl R {
        fn bind(&mut self, lit: syn::Expr) -> (syn::Stmt, Ident) {
            self.0 += 1;
            let name = quote::format_ident!("{}{}", RETURNED, self.0);
            (syn::parse_quote!(let #name = #lit;), name)
        }
    }
    impl syn::visit_mut::VisitMut for R {
        fn visit_block_mut(&mut self, b: &mut syn::Block) {
            syn::visit_mut::visit_block_mut(self, b);
            let mut out = Vec::with_capacity(b.stmts.len() + 1);
            for s in std::mem::take(&mut b.stmts) {
                match s {
                    syn::Stmt::Expr(syn::Expr::Struct(lit), None) => {
                        let (bind, name) = self.bind(syn::Expr::Struct(lit));
                        out.push(bind);
                        out.push(syn::Stmt::Expr(syn::parse_quote!(#name), None));
                    }
                    syn::Stmt::Expr(syn::Expr::Return(r), semi)
                        if matches!(
                            r.expr.as_deref().map(strip_parens),
                            Some(syn::Expr::Struct(_))
                        ) =>
                    {
                        let lit = *r.expr.clone().expect("matched");
                        let (bind, name) = self.bind(lit);
                        out.push(bind);
                        out.push(syn::Stmt::Expr(syn::parse_quote!(return #name), semi));
                    }
                    s => out.push(s),
                }
            }
            b.stmts = out;
        }
    }
    syn::visit_mut::VisitMut::visit_block_mut(&mut R(0), block);
}

/// A call of a function other than a float method (`helper(x)`, `m.energy()`; not `x.sin()`,
/// `f64::max(a, b)`).
pub(super) fn user_call(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::MethodCall(mc) => crate::intrinsics::callable(&mc.method.to_string()).is_none(),
        syn::Expr::Call(c) => !matches!(strip_parens(&c.func), syn::Expr::Path(p)
            if p.path.segments.len() == 2
                && (p.path.segments[0].ident == "f64" || p.path.segments[0].ident == "f32")),
        _ => false,
    }
}

/// A struct's path rather than an enum variant's (`Pose`, `geo::Pose`, not `Shape::Circle`).
fn is_struct_path(p: &syn::Path) -> bool {
    let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
    let upper = |s: &str| s.starts_with(|c: char| c.is_ascii_uppercase());
    match segs.as_slice() {
        [] => false,
        [last] => upper(last) && last != "Self",
        [.., prev, last] => upper(last) && !upper(prev),
    }
}
