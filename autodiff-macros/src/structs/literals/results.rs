//! Struct results bound without their type: `let p = pose_of(x);` or `let q = p.scaled(2.0);`
//! whose value the body then reads as a struct (`p.t[1]`, `p.energy()`). The attribute cannot
//! see what the callee returns, so the local's type is the callee's, looked up through the
//! traits the callee's own expansion implements (`<pose_of as StructResult>::Ty`, `<Pose as
//! MethodResult<h>>::Ty`); a callee that does not return a struct is reported there.

use proc_macro2::Ident;
use syn::visit::Visit;

use super::StructParam;
use crate::lower::strip_parens;
use crate::structs::SLICE_METHODS;

/// The locals of `block` bound untyped to a call whose result is read as a struct, with the
/// callee's result type. `known`: the flattened structs so far (parameters and locals), whose
/// methods are looked up on their types.
pub(super) fn find(block: &syn::Block, known: &[StructParam], k: &syn::Path) -> Vec<StructParam> {
    let mut c = Candidates {
        known: known.to_vec(),
        k,
        out: Vec::new(),
    };
    c.visit_block(block);
    c.out
        .into_iter()
        .filter(|p| read_as_struct(block, &p.name))
        .collect()
}

struct Candidates<'a> {
    known: Vec<StructParam>,
    k: &'a syn::Path,
    out: Vec<StructParam>,
}

impl<'ast> Visit<'ast> for Candidates<'_> {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        syn::visit::visit_local(self, l);
        let (syn::Pat::Ident(pi), Some(init)) = (&l.pat, &l.init) else {
            return;
        };
        let k = self.k;
        let ty: Option<syn::Type> = match strip_parens(&init.expr) {
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(p) if p.qself.is_none() => {
                    let segs: Vec<&Ident> = p.path.segments.iter().map(|s| &s.ident).collect();
                    let upper = |i: &Ident| i.to_string().starts_with(|c: char| c.is_ascii_uppercase());
                    match segs.as_slice() {
                        // `Pose::scaled(&p, 2.0)`: a method of a type.
                        [.., ty, f] if upper(ty) => {
                            let mut tp = p.path.clone();
                            tp.segments.pop();
                            let tp = strip_trailing(tp);
                            // (`Vec::new()`, `Box::new(..)`: not a struct of ours.)
                            let owner: syn::Type = syn::parse_quote!(#tp);
                            if !crate::structs::is_struct(&owner) {
                                return;
                            }
                            let h = crate::derive::field_hash(&f.to_string());
                            Some(syn::parse_quote!(<#tp as #k::__private::MethodResult<#h>>::Ty))
                        }
                        [.., f] if !upper(f) => {
                            let path = &p.path;
                            Some(syn::parse_quote!(<#path as #k::__private::StructResult>::Ty))
                        }
                        _ => None,
                    }
                }
                _ => None,
            },
            // `p.scaled(2.0)` on a flattened struct `p`.
            syn::Expr::MethodCall(mc) => match strip_parens(&mc.receiver) {
                syn::Expr::Path(r) => r.path.get_ident().and_then(|r| {
                    let owner = self.known.iter().find(|s| s.name == *r)?;
                    let (ty, h) = (&owner.ty, crate::derive::field_hash(&mc.method.to_string()));
                    let span = mc.method.span();
                    let ty = respan(quote::ToTokens::to_token_stream(ty), span);
                    Some(syn::parse_quote_spanned!(span=> <#ty as #k::__private::MethodResult<#h>>::Ty))
                }),
                _ => None,
            },
            _ => None,
        };
        if let Some(ty) = ty {
            let p = StructParam {
                name: pi.ident.clone(),
                ty,
                local: true,
                nested: Vec::new(),
                vecs: Vec::new(),
                generic: false,
            };
            self.known.push(p.clone());
            self.out.push(p);
        }
    }
}

/// `tokens` with every span set to `span` (where a message about the type points).
fn respan(tokens: proc_macro2::TokenStream, span: proc_macro2::Span) -> proc_macro2::TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut ng = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                ng.set_span(span);
                tt = proc_macro2::TokenTree::Group(ng);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// `a::b::` without a trailing separator.
fn strip_trailing(mut p: syn::Path) -> syn::Path {
    if let Some(last) = p.segments.pop() {
        p.segments.push_value(last.into_value());
    }
    p
}

/// Whether `name` is read as a struct somewhere in `block`: a field (`p.t`, `p.0`), or a method
/// that is not a float's or a slice's (`p.energy()`).
fn read_as_struct(block: &syn::Block, name: &Ident) -> bool {
    struct R<'a>(&'a Ident, bool);
    impl<'ast> Visit<'ast> for R<'_> {
        fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
            // (`p.0` too: a tuple struct's field; a tuple a helper returns is bound by a
            // pattern or with its type, see the lowering.)
            if matches!(strip_parens(&f.base), syn::Expr::Path(p) if p.path.is_ident(self.0)) {
                self.1 = true;
            }
            syn::visit::visit_expr_field(self, f);
        }
        fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
            let m = mc.method.to_string();
            let plain = crate::intrinsics::callable(&m).is_some()
                || SLICE_METHODS.contains(&m.as_str())
                || matches!(
                    m.as_str(),
                    "len"
                        | "clone"
                        | "sin_cos"
                        | "copied"
                        | "to_vec"
                        | "push"
                        | "extend"
                        | "insert"
                        | "get"
                        | "first"
                        | "last"
                        | "iter_mut"
                        | "is_empty"
                );
            if !plain
                && matches!(strip_parens(&mc.receiver), syn::Expr::Path(p) if p.path.is_ident(self.0))
            {
                self.1 = true;
            }
            syn::visit::visit_expr_method_call(self, mc);
        }
    }
    let mut r = R(name, false);
    r.visit_block(block);
    r.1
}
