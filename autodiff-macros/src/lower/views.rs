//! Fields of passive parameters iterated over (`d.xs.iter().map(..).sum()`,
//! `for (x, y) in d.xs.iter().zip(&d.ys)`, `for x in &d.xs`): bound first, at the top of the
//! body (`let __ad_view_0 = &d.xs;`), so the chains see a named view, as if written so.
//!
//! A parameter's field is the same for the whole call (the parameter is a shared reference, or
//! a flattened struct's `Whole`),
//! so the binding reads what the chain would. Only fields of parameters that no `let` or closure
//! in the body binds again are bound.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// `item` with the iterated fields of its parameters bound at the top, or `None` if there are
/// none.
pub(super) fn hoist(item: &syn::ItemFn) -> Option<syn::ItemFn> {
    let params: Vec<syn::Ident> = item
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(t) => match (&*t.pat, &*t.ty) {
                (syn::Pat::Ident(pi), syn::Type::Reference(r)) if r.mutability.is_none() => {
                    Some(pi.ident.clone())
                }
                // A flattened struct's whole (see `structs`): a shared reference too.
                (syn::Pat::Ident(pi), ty) if crate::structs::whole_target(ty).is_some() => {
                    Some(pi.ident.clone())
                }
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    if params.is_empty() {
        return None;
    }
    let mut bound = Bound::default();
    bound.visit_block(&item.block);
    let roots: Vec<syn::Ident> = params
        .into_iter()
        .filter(|p| !bound.0.contains(p))
        .collect();
    // `let xs = &d.xs;` bound once: `xs` is the field's view too.
    let mut lets = Aliases {
        roots: &roots,
        found: Vec::new(),
    };
    lets.visit_block(&item.block);
    let aliases: Vec<syn::Ident> = lets
        .found
        .into_iter()
        .filter(|a| bound.0.iter().filter(|b| *b == a).count() == 1)
        .collect();
    let mut views = Views {
        roots: &roots,
        aliases: &aliases,
        found: 0,
    };
    let mut out = item.clone();
    views.visit_block_mut(&mut out.block);
    (views.found > 0).then_some(out)
}

/// Names the body binds (`let`, closure and `for` patterns).
#[derive(Default)]
struct Bound(Vec<syn::Ident>);

impl<'a> Visit<'a> for Bound {
    fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
        self.0.push(p.ident.clone());
        syn::visit::visit_pat_ident(self, p);
    }
}

/// Locals bound to a field of a root, `let xs = &d.xs;`.
struct Aliases<'r> {
    roots: &'r [syn::Ident],
    found: Vec<syn::Ident>,
}

impl<'a> Visit<'a> for Aliases<'_> {
    fn visit_local(&mut self, l: &'a syn::Local) {
        syn::visit::visit_local(self, l);
        let (syn::Pat::Ident(pi), Some(init)) = (&l.pat, &l.init) else {
            return;
        };
        let field = Views {
            roots: self.roots,
            aliases: &[],
            found: 0,
        };
        if matches!(crate::lower::strip_parens(&init.expr),
            syn::Expr::Reference(r) if r.mutability.is_none() && field.is_field_path(&r.expr))
        {
            self.found.push(pi.ident.clone());
        }
    }
}

/// Replaces iterated fields of `roots` (and locals naming them) by views.
struct Views<'r> {
    roots: &'r [syn::Ident],
    aliases: &'r [syn::Ident],
    /// How many were replaced.
    found: usize,
}

impl Views<'_> {
    /// Whether `e` is `p.f`, `p.f.g`, .. for a root `p`, or a local naming one.
    fn is_field_path(&self, e: &syn::Expr) -> bool {
        match crate::lower::strip_parens(e) {
            syn::Expr::Path(p) => p.path.get_ident().is_some_and(|i| self.aliases.contains(i)),
            syn::Expr::Field(f) => match crate::lower::strip_parens(&f.base) {
                syn::Expr::Path(p) => p.path.get_ident().is_some_and(|i| self.roots.contains(i)),
                inner @ syn::Expr::Field(_) => self.is_field_path(inner),
                _ => false,
            },
            _ => false,
        }
    }

    /// The elements of the field path `e` as a chain over its indices,
    /// `(0..e.len()).map(|k| e[k])`.
    fn view(&mut self, e: &syn::Expr) -> syn::Expr {
        self.found += 1;
        let e = crate::lower::strip_parens(e);
        let k = syn::Ident::new("__ad_k", Span::mixed_site());
        syn::parse_quote_spanned!(e.span()=> (0..#e.len()).map(|#k| #e[#k]))
    }

    /// `&p.f` in an iterator's place: the view.
    /// (`xs` for a local `let xs = &d.xs;`: a reference already.)
    fn replace_source(&mut self, e: &mut syn::Expr) {
        let inner = match crate::lower::strip_parens(e) {
            syn::Expr::Reference(r) if r.mutability.is_none() => (*r.expr).clone(),
            syn::Expr::Path(p) if p.path.get_ident().is_some_and(|i| self.aliases.contains(i)) => {
                e.clone()
            }
            _ => return,
        };
        if self.is_field_path(&inner) {
            *e = self.view(&inner);
        }
    }
}

/// Methods whose receiver is iterated.
const SOURCES: [&str; 2] = ["iter", "into_iter"];

impl VisitMut for Views<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            // `p.f.iter()`.
            syn::Expr::MethodCall(m)
                if m.args.is_empty()
                    && SOURCES.iter().any(|s| m.method == s)
                    && self.is_field_path(&m.receiver) =>
            {
                let r = (*m.receiver).clone();
                *e = self.view(&r);
            }
            // `.zip(&p.f)`.
            syn::Expr::MethodCall(m) if m.method == "zip" && m.args.len() == 1 => {
                self.replace_source(&mut m.args[0]);
            }
            // `for v in &p.f`.
            syn::Expr::ForLoop(f) => self.replace_source(&mut f.expr),
            _ => {}
        }
    }
}
