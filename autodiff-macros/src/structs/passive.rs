//! Passive fields read in a function that differentiates their struct. They are not in the
//! flattened struct, so every such function takes the whole struct too, after the flat one
//! ([`whole_name`], a `Whole<'_, T>`): field reads go to it ([`super::fields`]), the wrappers pass
//! the struct ([`super::wrap`]), `objective` takes it, and calls pass theirs on ([`Fields::
//! whole_args`]): a parameter's own, a nested struct field's part of it. A struct built inside
//! has none (`Whole::NONE`): a callee reading passive fields, directly or through its own
//! callees (`f::__AD_READS_PASSIVE`), cannot be given one, which the build checks at the call.
//! Which fields are passive, and which are structs, comes from the derive ([`crate::layout`]).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use super::fields::Fields;
use super::StructParam;
use crate::layout::Layout;

/// What the derive says of each struct parameter's type, or `None` while the derive has not
/// been asked (the expansion is then discarded for the chain, see [`crate::layout`]).
pub(super) fn of_params(params: &[StructParam]) -> Option<Vec<(Ident, Layout)>> {
    // (Every type is asked for, not only up to the first unknown one: the chain through the
    // derive's macros asks for those noted here.)
    let all: Vec<Option<(Ident, Layout)>> = params
        .iter()
        .map(|p| crate::layout::layout(&p.ty).map(|l| (p.name.clone(), l)))
        .collect();
    all.into_iter().collect()
}

/// What the derive says of the types of the structs built inside that are named by a path
/// (`Net { .. }`, not `Self { .. }` or a callee's result type), for their struct fields passed
/// on (`helper(&net.l)`); `None` while the derive has not been asked.
pub(super) fn of_locals(locals: &[StructParam]) -> Option<Vec<(Ident, Layout)>> {
    let named = |t: &syn::Type| {
        matches!(t, syn::Type::Path(p) if p.qself.is_none() && !p.path.is_ident("Self")
            && !p.path.segments.iter().any(|s| s.ident == "StructResult" || s.ident == "MethodResult"))
    };
    let mut out = Vec::new();
    let mut missing = false;
    for l in locals.iter().filter(|l| named(&l.ty)) {
        match crate::layout::layout(&l.ty) {
            Some(layout) => out.push((l.name.clone(), layout)),
            None => missing = true,
        }
    }
    (!missing).then_some(out)
}

/// The whole struct after each struct parameter: a passive parameter, not a float.
pub(super) fn insert_wholes(flat: &mut syn::ItemFn, params: &[StructParam], k: &syn::Path) {
    for p in params.iter().filter(|p| !p.local) {
        let m = &p.name;
        let at = flat.sig.inputs.iter().position(|a| {
            matches!(a, syn::FnArg::Typed(t) if matches!(&*t.pat, syn::Pat::Ident(pi) if pi.ident == *m))
        });
        if let Some(at) = at {
            let (whole, ty) = (whole_name(m), &p.ty);
            flat.sig.inputs.insert(
                at + 1,
                syn::parse_quote!(#whole: #k::__private::Whole<'_, #ty>),
            );
        }
    }
}

/// The whole-struct arguments of a call: `(position, argument)` in the call's arguments once
/// rewritten (a method's receiver first), and whether one is a struct built inside.
#[derive(Default)]
pub(super) struct Wholes {
    args: Vec<(usize, syn::Expr)>,
    none: bool,
}

/// A call that passes a struct on, with what it passes as the struct's whole.
pub(super) struct StructCall {
    /// The callee (`g`, `<T>::g`).
    pub(super) func: syn::Expr,
    /// It passes a struct built inside (`Whole::NONE`).
    pub(super) none: bool,
    /// A method of `self` (`self.g(..)`, `T::g(__self, ..)`).
    pub(super) on_self: bool,
}

/// Whether the function reads passive fields, directly or through a callee it passes a struct
/// on to, as a constant of its namespace (`f::__AD_READS_PASSIVE`); and for each call passing a
/// struct built inside, a check that the callee does not.
pub(super) fn reads_passive_checks(name: &Ident, reads: bool, calls: &[StructCall]) -> TokenStream {
    let konst = Ident::new("__AD_READS_PASSIVE", Span::call_site());
    // (Not through the function itself: a recursive call adds nothing.)
    let own = |c: &StructCall| match &c.func {
        syn::Expr::Path(p) => {
            let segs = &p.path.segments;
            segs.last().is_some_and(|s| s.ident == *name)
                && ((segs.len() == 1 && p.qself.is_none())
                    || (segs.len() == 2 && segs[0].ident == "Self")
                    || c.on_self)
        }
        _ => false,
    };
    let through = calls
        .iter()
        .filter(|c| !c.none && !own(c))
        .map(|c| crate::emit::callee_item(&c.func, &konst));
    let checks = calls.iter().filter(|c| c.none).map(|c| {
        let span = c.func.span();
        let path = crate::emit::callee_item(&c.func, &konst);
        let msg = format!(
            "`{}` reads passive fields of a struct it takes (or passes it to a function that does), but this struct is built inside the function, where only its active fields exist: pass the values it reads as arguments, or pass a struct parameter",
            c.func.to_token_stream().to_string().replace(' ', "")
        );
        quote_spanned!(span=> const _: () = ::core::assert!(!#path, #msg);)
    });
    quote! {
        #[allow(non_upper_case_globals)]
        impl #name {
            #[doc(hidden)]
            pub const #konst: bool = #reads #(|| #through)*;
        }
        #(#checks)*
    }
}

/// The parameter holding the whole struct `m`.
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
        let key = member_key(&f.member);
        let is_param = self.params.iter().any(|p| p.name == *id && !p.local);
        let passive = self
            .layouts
            .iter()
            .any(|(m, l)| m == id && l.passive.contains(&key));
        (is_param && passive).then_some(id)
    }

    /// The whole-struct arguments a call needs (computed before its arguments are rewritten). A
    /// struct parameter `m` passes `__ad_whole_m`, a nested struct field `&m.inner` its part of
    /// it, a struct built inside (`&p`) none.
    pub(super) fn whole_args(&self, e: &syn::Expr) -> Wholes {
        use crate::lower::strip_parens;
        let (receiver, args) = match e {
            syn::Expr::Call(c) if matches!(&*c.func, syn::Expr::Path(_)) => (None, &c.args),
            // A method of a struct parameter or local (`m.g(..)`), or of a nested struct field.
            syn::Expr::MethodCall(mc)
                if mc.turbofish.is_none()
                    && (self.nested_method(mc)
                        || matches!(strip_parens(&mc.receiver), syn::Expr::Path(p)
                            if p.path.get_ident().is_some_and(|i| self.params.iter().any(|s| s.name == *i)))) =>
            {
                (Some(&*mc.receiver), &mc.args)
            }
            _ => return Wholes::default(),
        };
        let mut out = Wholes::default();
        let receiver = receiver.and_then(|r| self.whole_of_receiver(r));
        let shift = usize::from(receiver.is_some());
        let wholes = receiver.into_iter().map(|w| (0, w)).chain(
            args.iter()
                .enumerate()
                .filter_map(|(i, a)| Some((i + shift, self.whole_of_arg(a)?))),
        );
        for (i, (w, none)) in wholes {
            out.args.push((i + 1, w));
            out.none |= none;
        }
        out
    }

    /// Inserts the whole-struct arguments into the call `e` (rewritten: a method is a call of
    /// `<T>::g` now), and notes the call.
    pub(super) fn add_wholes(&mut self, e: &mut syn::Expr, wholes: Wholes) {
        if wholes.args.is_empty() {
            return;
        }
        let syn::Expr::Call(c) = e else { return };
        for (at, w) in wholes.args.into_iter().rev() {
            c.args.insert(at.min(c.args.len()), w);
        }
        self.struct_calls.push(StructCall {
            func: (*c.func).clone(),
            none: wholes.none,
            // (A method of the same block is called as `T::g(__self, ..)`.)
            on_self: matches!(c.args.first().map(crate::lower::strip_parens),
                Some(syn::Expr::Path(p)) if p.path.is_ident("__self")),
        });
    }

    /// The whole of a call argument that is a struct: `m`, `&p` (a local: none), `&m.inner`.
    /// (Not `p` for a local: it is passed by reference.)
    fn whole_of_arg(&self, a: &syn::Expr) -> Option<(syn::Expr, bool)> {
        use crate::lower::strip_parens;
        match strip_parens(a) {
            syn::Expr::Path(p) => {
                let id = p.path.get_ident()?;
                let s = self.params.iter().find(|s| s.name == *id && !s.local)?;
                let w = whole_name(&s.name);
                Some((syn::parse_quote!(#w), false))
            }
            syn::Expr::Reference(r) => match strip_parens(&r.expr) {
                // `&p` for a local, `&m` for a parameter (`&&T`, coerced).
                syn::Expr::Path(_) => self.whole_of_receiver(&r.expr),
                // `&m.inner` for a struct field of a parameter (the derive lists them).
                syn::Expr::Field(f) => {
                    let syn::Expr::Path(base) = strip_parens(&f.base) else {
                        return None;
                    };
                    let id = base.path.get_ident()?;
                    let (_, layout) = self.layouts.iter().find(|(m, _)| m == id)?;
                    if !layout.nested.contains(&member_key(&f.member)) {
                        return None;
                    }
                    self.whole_of_receiver(&r.expr)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The whole of a method's receiver: a struct parameter's, none for a local, or a nested
    /// struct field's part (`m.a.b`: `<<T as Field<a>>::Ty>::__ad_part_b(<T>::__ad_part_a(..))`).
    fn whole_of_receiver(&self, r: &syn::Expr) -> Option<(syn::Expr, bool)> {
        use crate::lower::strip_parens;
        match strip_parens(r) {
            syn::Expr::Path(p) => {
                let id = p.path.get_ident()?;
                let s = self.params.iter().find(|s| s.name == *id)?;
                if s.local {
                    let k = &self.krate;
                    return Some((syn::parse_quote!(#k::__private::Whole::NONE), true));
                }
                let w = whole_name(&s.name);
                Some((syn::parse_quote!(#w), false))
            }
            syn::Expr::Field(f) => {
                let (_, owner, key, _, _) = self.field(r)?;
                let (base, none) = self.whole_of_receiver(&f.base)?;
                let part = format_ident!("__ad_part_{}", key, span = f.member.span());
                Some((syn::parse_quote!(<#owner>::#part(#base)), none))
            }
            _ => None,
        }
    }
}

/// A field's name as the derive keys it (tuple structs: its index).
fn member_key(m: &syn::Member) -> String {
    match m {
        syn::Member::Named(n) => n.to_string(),
        syn::Member::Unnamed(i) => i.index.to_string(),
    }
}
