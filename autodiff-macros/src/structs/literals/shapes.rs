//! The arrays and matrices a function names, by their types or initializers: how a struct
//! literal's field value given by name is copied.

use std::collections::HashMap;

use syn::visit::Visit;

use crate::lower::strip_parens;

/// Arrays and matrices the function names: parameters and locals by their type or initializer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Array,
    Matrix,
}

fn type_shape(ty: &syn::Type) -> Option<Shape> {
    let elem = match ty {
        syn::Type::Reference(r) => return type_shape(&r.elem),
        syn::Type::Paren(p) => return type_shape(&p.elem),
        syn::Type::Array(a) => &*a.elem,
        syn::Type::Slice(s) => &*s.elem,
        syn::Type::Path(p) => {
            let last = p.path.segments.last()?;
            if last.ident != "Vec" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return Some(Shape::Array);
            };
            match args.args.first() {
                Some(syn::GenericArgument::Type(t)) => t,
                _ => return Some(Shape::Array),
            }
        }
        _ => return None,
    };
    Some(match elem {
        syn::Type::Array(_) | syn::Type::Slice(_) => Shape::Matrix,
        _ => Shape::Array,
    })
}

/// The shapes of the names the function binds (the last binding of a name wins).
pub(super) fn shapes(item: &syn::ItemFn) -> HashMap<String, Shape> {
    struct S(HashMap<String, Shape>);
    impl S {
        fn expr(&self, e: &syn::Expr) -> Option<Shape> {
            let inner = |x: &syn::Expr| match strip_parens(x) {
                syn::Expr::Array(_) | syn::Expr::Repeat(_) => true,
                syn::Expr::Path(p) => p
                    .path
                    .get_ident()
                    .is_some_and(|i| self.0.get(&i.to_string()) == Some(&Shape::Array)),
                _ => false,
            };
            match strip_parens(e) {
                syn::Expr::Array(a) => Some(match a.elems.first() {
                    Some(x) if inner(x) => Shape::Matrix,
                    _ => Shape::Array,
                }),
                syn::Expr::Repeat(r) => Some(if inner(&r.expr) {
                    Shape::Matrix
                } else {
                    Shape::Array
                }),
                syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => Some(Shape::Array),
                syn::Expr::Path(p) => self.0.get(&p.path.get_ident()?.to_string()).copied(),
                _ => None,
            }
        }
    }
    impl<'ast> Visit<'ast> for S {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            syn::visit::visit_local(self, l);
            let (name, ty) = match &l.pat {
                syn::Pat::Ident(pi) => (&pi.ident, None),
                syn::Pat::Type(pt) => match &*pt.pat {
                    syn::Pat::Ident(pi) => (&pi.ident, Some(&*pt.ty)),
                    _ => return,
                },
                _ => return,
            };
            let shape = ty
                .and_then(type_shape)
                .or_else(|| l.init.as_ref().and_then(|i| self.expr(&i.expr)));
            match shape {
                Some(s) => self.0.insert(name.to_string(), s),
                None => self.0.remove(&name.to_string()),
            };
        }
    }
    let mut s = S(HashMap::new());
    for a in &item.sig.inputs {
        if let syn::FnArg::Typed(t) = a {
            if let (syn::Pat::Ident(pi), Some(sh)) = (&*t.pat, type_shape(&t.ty)) {
                s.0.insert(pi.ident.to_string(), sh);
            }
        }
    }
    s.visit_block(&item.block);
    s.0
}
