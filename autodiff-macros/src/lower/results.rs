//! The length of an array a call returns, for a result bound without its type
//! (`let r = residuals(x); r[0]`): `ret_len(&helper)`, a constant the runtime reads from the
//! helper's signature (`Fn(..) -> [T; N]`); a generic helper's from the arguments' types where
//! they show it (`&[_; 3]`).

use super::*;

impl Lowerer<'_> {
    /// The length of the array the call `init` returns, as a constant expression.
    pub(super) fn result_len(&self, init: &syn::Expr) -> proc_macro2::TokenStream {
        let syn::Expr::Call(c) = strip_parens(init) else {
            unreachable!("a call")
        };
        let (f, k) = (&c.func, self.krate.as_ref().expect("set by `lower`"));
        // The arguments' types where they fix a generic helper's length; not the wholes of
        // structs passed on (see `structs::passive`), which the helper as written does not take.
        let hints = c
            .args
            .iter()
            .filter(|a| !is_whole(a))
            .map(|a| self.arg_type_hint(a));
        quote::quote_spanned!(f.span()=>
            { #k::__private::ret_len::<_, (#(#hints,)*)>(&#f) })
    }

    /// The type of the call argument `a` as far as it fixes array lengths: `&[_; 3]` for an
    /// array of literal length (a parameter `x`, `&a` for a local, `&[p, q, r]`), else `_`.
    fn arg_type_hint(&self, a: &syn::Expr) -> proc_macro2::TokenStream {
        let (e, borrowed) = match strip_parens(a) {
            syn::Expr::Reference(r) if r.mutability.is_none() => (strip_parens(&r.expr), true),
            e => (e, false),
        };
        let p = match e {
            syn::Expr::Array(l) if borrowed => {
                let n = l.elems.len();
                return quote::quote!(&[_; #n]);
            }
            syn::Expr::Path(p) => p,
            _ => return quote::quote!(_),
        };
        let Some(v) = p.path.get_ident().and_then(|i| self.resolve(i)) else {
            return quote::quote!(_);
        };
        let literal = |n: &proc_macro2::TokenStream| n.to_string().parse::<usize>().is_ok();
        match &self.vars[v].shape {
            Shape::ArrayRef(n) if !borrowed && literal(n) => quote::quote!(&[_; #n]),
            Shape::Array(n) if borrowed && literal(n) => quote::quote!(&[_; #n]),
            _ => quote::quote!(_),
        }
    }
}

/// Whether `a` is a struct's whole passed on (`__ad_whole_m`, `Whole::NONE`, `T::__ad_part_f(..)`).
fn is_whole(a: &syn::Expr) -> bool {
    let last = |p: &syn::Path| p.segments.last().map(|s| s.ident.to_string());
    let name = match strip_parens(a) {
        syn::Expr::Path(p) => last(&p.path),
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => last(&p.path),
            _ => None,
        },
        _ => None,
    };
    name.is_some_and(|n| n.starts_with("__ad_whole_") || n.starts_with("__ad_part_") || n == "NONE")
}
