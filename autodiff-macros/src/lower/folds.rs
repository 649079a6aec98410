//! `fold` with a tuple accumulator, as one computes several sums in one pass:
//!
//! ```text
//! let (s, q) = x.iter().fold((0.0, 0.0), |(s, q), v| (s + v, q + v * v));
//! ```
//!
//! becomes the loop it stands for, over the same chain (which `for` loops take as `fold` does):
//!
//! ```text
//! let mut __ad_fold0_0 = 0.0;
//! let mut __ad_fold0_1 = 0.0;
//! for v in x.iter() {
//!     let (s, q) = (__ad_fold0_0, __ad_fold0_1);
//!     let (__ad_next0_0, __ad_next0_1) = (s + v, q + v * v);
//!     __ad_fold0_0 = __ad_next0_0;
//!     __ad_fold0_1 = __ad_next0_1;
//! }
//! let (s, q) = (__ad_fold0_0, __ad_fold0_1);
//! ```
//!
//! Only the written shape is rewritten: a `let` of a tuple pattern, an initial tuple, a closure
//! taking a tuple of names and returning a tuple, all of one length. Anything else is left to
//! the lowering (and its messages).

use proc_macro2::Span;
use syn::visit_mut::VisitMut;

/// `item` with its tuple-accumulator folds rewritten, or `None` if it has none.
pub(super) fn rewrite(item: &syn::ItemFn) -> Option<syn::ItemFn> {
    let mut out = item.clone();
    let mut r = Folds { count: 0 };
    r.visit_block_mut(&mut out.block);
    (r.count > 0).then_some(out)
}

struct Folds {
    count: usize,
}

impl VisitMut for Folds {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, b);
        let mut stmts = Vec::with_capacity(b.stmts.len());
        for s in std::mem::take(&mut b.stmts) {
            match self.expand(&s) {
                Some(new) => stmts.extend(new),
                None => stmts.push(s),
            }
        }
        b.stmts = stmts;
    }
}

impl Folds {
    /// The statements `s` stands for, if it is a tuple-accumulator fold.
    fn expand(&mut self, s: &syn::Stmt) -> Option<Vec<syn::Stmt>> {
        let syn::Stmt::Local(l) = s else { return None };
        // (Also `let (s, q): (f64, f64) = ..`.)
        let tuple_pat = match &l.pat {
            syn::Pat::Type(pt) => &*pt.pat,
            p => p,
        };
        let syn::Pat::Tuple(pat) = tuple_pat else {
            return None;
        };
        let init = l.init.as_ref().filter(|i| i.diverge.is_none())?;
        let syn::Expr::MethodCall(m) = crate::lower::strip_parens(&init.expr) else {
            return None;
        };
        if m.method != "fold" || m.args.len() != 2 {
            return None;
        }
        let syn::Expr::Tuple(start) = crate::lower::strip_parens(&m.args[0]) else {
            return None;
        };
        let syn::Expr::Closure(c) = crate::lower::strip_parens(&m.args[1]) else {
            return None;
        };
        let (Some(syn::Pat::Tuple(acc)), Some(elem), 2) =
            (c.inputs.first(), c.inputs.get(1), c.inputs.len())
        else {
            return None;
        };
        // (`|acc, v| { (a, b) }` as rustfmt writes a long one.)
        let body = match crate::lower::strip_parens(&c.body) {
            syn::Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
                syn::Stmt::Expr(e, None) => e,
                _ => return None,
            },
            other => other,
        };
        let syn::Expr::Tuple(next) = crate::lower::strip_parens(body) else {
            return None;
        };
        let n = pat.elems.len();
        let names_only = acc.elems.iter().all(|p| matches!(p, syn::Pat::Ident(_)));
        if n < 2 || start.elems.len() != n || acc.elems.len() != n || next.elems.len() != n {
            return None;
        }
        if !names_only {
            return None;
        }
        let k = self.count;
        self.count += 1;
        let name = |what: &str, i: usize| {
            syn::Ident::new(&format!("__ad_{what}{k}_{i}"), Span::mixed_site())
        };
        let accs: Vec<syn::Ident> = (0..n).map(|i| name("fold", i)).collect();
        let nexts: Vec<syn::Ident> = (0..n).map(|i| name("next", i)).collect();
        let source = &m.receiver;
        let (starts, results) = (start.elems.iter(), next.elems.iter());
        let acc_pat = &c.inputs[0];
        let mut out: Vec<syn::Stmt> = accs
            .iter()
            .zip(starts)
            .map(|(a, e)| syn::parse_quote!(let mut #a = #e;))
            .collect();
        out.push(syn::parse_quote! {
            for #elem in #source {
                let #acc_pat = (#(#accs),*);
                let (#(#nexts),*) = (#(#results),*);
                #(#accs = #nexts;)*
            }
        });
        let (attrs, whole) = (&l.attrs, &l.pat);
        out.push(syn::parse_quote!(#(#attrs)* let #whole = (#(#accs),*);));
        Some(out)
    }
}
