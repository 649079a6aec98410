//! Passive fields read in a function that differentiates their struct: they are not in the
//! flattened struct, so such a function takes the whole struct too, after the flat one
//! ([`whole_name`]); the field reads go to it ([`super::fields`]), the wrappers pass
//! the struct ([`super::wrap`]). Which fields are passive comes from the derive
//! ([`crate::layout`]).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use super::fields::Fields;
use super::StructParam;

/// The passive fields of each struct parameter's type, or `None` while the derive has not been
/// asked (the expansion is then discarded for the chain, see [`crate::layout`]).
pub(super) fn of_params(params: &[StructParam]) -> Option<Vec<(Ident, Vec<String>)>> {
    params
        .iter()
        .map(|p| crate::layout::passive_fields(&p.ty).map(|f| (p.name.clone(), f)))
        .collect()
}

/// The whole struct after each parameter in `wholes` (those whose passive fields are read): a
/// passive parameter, not a float.
pub(super) fn insert_wholes(flat: &mut syn::ItemFn, params: &[StructParam], wholes: &[Ident]) {
    for m in wholes {
        let Some(p) = params.iter().find(|p| p.name == *m) else {
            continue;
        };
        let at = flat.sig.inputs.iter().position(|a| {
            matches!(a, syn::FnArg::Typed(t) if matches!(&*t.pat, syn::Pat::Ident(pi) if pi.ident == *m))
        });
        if let Some(at) = at {
            let (whole, ty) = (whole_name(m), &p.ty);
            flat.sig
                .inputs
                .insert(at + 1, syn::parse_quote!(#whole: &#ty));
        }
    }
}

/// Whether the function reads passive fields, as a constant of its namespace
/// (`f::__AD_READS_PASSIVE`), and for each call passing a struct on, a check that the callee
/// does not: such a callee takes the whole struct too ([`whole_name`]), which callers do
/// not have.
pub(super) fn reads_passive_checks(
    name: &Ident,
    flat: &syn::ItemFn,
    calls: &[syn::Expr],
) -> TokenStream {
    let reads = flat.sig.inputs.iter().any(|a| {
        matches!(a, syn::FnArg::Typed(t) if t.pat.to_token_stream().to_string().starts_with("__ad_whole_"))
    });
    let konst = Ident::new("__AD_READS_PASSIVE", Span::call_site());
    let checks = calls.iter().map(|f| {
        let span = f.span();
        let path = crate::emit::callee_item(f, &konst);
        let msg = format!(
            "`{}` reads passive fields of a struct it takes, which `#[differentiable]` supports only in the function called by the user (it takes the whole struct besides the active fields); calling it from another `#[differentiable]` function is not supported yet: pass the values it reads as arguments, or make it a method of the same `impl` block called unconditionally (inlined)",
            f.to_token_stream().to_string().replace(' ', "")
        );
        quote_spanned!(span=> const _: () = ::core::assert!(!#path, #msg);)
    });
    quote! {
        #[allow(non_upper_case_globals)]
        impl #name {
            #[doc(hidden)]
            pub const #konst: bool = #reads;
        }
        #(#checks)*
    }
}

/// The parameter holding the whole struct `m` whose passive fields the function reads.
pub(super) fn whole_name(m: &Ident) -> Ident {
    format_ident!("__ad_whole_{}", m)
}

impl Fields<'_> {
    /// `m` and the field if `f` is `m.n` for a passive field `n` of a struct parameter `m`.
    pub(super) fn passive_field<'e>(&self, f: &'e syn::ExprField) -> Option<&'e Ident> {
        let syn::Expr::Path(base) = crate::lower::strip_parens(&f.base) else {
            return None;
        };
        let id = base.path.get_ident()?;
        let key = match &f.member {
            syn::Member::Named(n) => n.to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        };
        let is_param = self.params.iter().any(|p| p.name == *id && !p.local);
        let passive = self
            .passive
            .iter()
            .any(|(m, fields)| m == id && fields.contains(&key));
        (is_param && passive).then_some(id)
    }

    /// Notes `g` if `e` is `g(.., m, ..)` (or `&m`) for a struct parameter `m`. (Not for a
    /// struct local: its type may be known only to rustc.)
    pub(super) fn note_struct_call(&mut self, e: &syn::Expr) {
        let syn::Expr::Call(c) = e else { return };
        let passes = c.args.iter().any(|a| {
            let m = match crate::lower::strip_parens(a) {
                syn::Expr::Reference(r) => crate::lower::strip_parens(&r.expr),
                other => other,
            };
            matches!(m, syn::Expr::Path(p)
                if p.path.get_ident().is_some_and(|i| self.params.iter().any(|s| s.name == *i && !s.local)))
        });
        if passes && matches!(&*c.func, syn::Expr::Path(_)) {
            self.struct_calls.push((*c.func).clone());
        }
    }
}
