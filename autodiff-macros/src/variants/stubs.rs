//! Variants for activity patterns the function does not support: an active array passed to an
//! array parameter that `wrt(..)` leaves out. They have the signature the variant would have
//! with that parameter active, so that the caller's call type-checks up to one unsatisfiable
//! bound, `__S: ActiveArrayToPassive`, whose message says what is wrong (as `ToPassive` does
//! for a float), at the caller's call, with a note at the parameter. Their bodies are never
//! compiled into anything.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::{lowered, Sig, MAX_ACTIVE};
use crate::args::Args;
use crate::emit::Cx;
use crate::ir::Func;

/// The stubs for every subset of `arrays` and `excluded` (array parameter positions) that
/// holds exactly one excluded one; `scalars`: the active float parameters.
pub(super) fn items(
    item: &syn::ItemFn,
    args: &Args,
    main: &Func,
    arrays: &[usize],
    excluded: &[usize],
    scalars: &[usize],
) -> TokenStream {
    let mut all: Vec<usize> = arrays.iter().chain(excluded).copied().collect();
    all.sort_unstable();
    if excluded.is_empty() || all.len() > MAX_ACTIVE {
        return TokenStream::new();
    }
    let mut out = TokenStream::new();
    for subset in 1..1u64 << all.len() {
        let mut chosen: Vec<usize> = (all.iter().enumerate())
            .filter(|(b, _)| subset >> b & 1 == 1)
            .map(|(_, &i)| i)
            .collect();
        // One left-out array at a time (several at once, rarer still, get rustc's "no
        // associated item"): each stub costs build time in every crate using the function.
        let mut culprits = chosen.iter().filter(|i| excluded.contains(i));
        let (Some(&culprit), None) = (culprits.next(), culprits.next()) else {
            continue;
        };
        let mask: u64 = chosen.iter().map(|&i| 1u64 << i).sum();
        chosen.extend(scalars);
        chosen.sort_unstable();
        out.extend(stub(item, args, main, &chosen, mask, culprit));
    }
    out
}

/// `__val_m`, `__jvp_m`, `__vjp_m` for `chosen` active, with bodies that are never reached and
/// the bound that fails, spanned at the parameter `culprit` (where rustc's note points).
fn stub(
    item: &syn::ItemFn,
    args: &Args,
    main: &Func,
    chosen: &[usize],
    mask: u64,
    culprit: usize,
) -> TokenStream {
    let Some(func) = lowered(item, args, main, chosen) else {
        return quote!();
    };
    let ecx = Cx::new(&func, &args.krate);
    let sig = Sig::new(item, &ecx);
    let (k, s, vis) = (&args.krate, &ecx.s, &item.vis);
    let span = main.vars[main.params[culprit].var].name.span();
    let bound = crate::layout::respan(quote!(#k::__private::ActiveArrayToPassive), span);
    let mut wc = sig
        .where_clause
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(where));
    wc.predicates.push(syn::parse_quote!(#s: #bound));
    let (decl, params, tangents, bars) = (&sig.decl, &sig.params, &sig.tangents, &sig.bars);
    let (out_s, dt) = (&sig.out, &sig.dt);
    let np = proc_macro2::Literal::usize_unsuffixed(func.params.len());
    let seed = Ident::new("__seed", Span::mixed_site());
    let seed_param = (!func.unit).then(|| quote!(#seed: #out_s,));
    let (val, jvp, vjp) = (
        format_ident!("__val_m{}", mask),
        format_ident!("__jvp_m{}", mask),
        format_ident!("__vjp_m{}", mask),
    );
    quote! {
        #[doc(hidden)]
        #[allow(unused_variables)]
        #vis fn #val #decl (#(#params),*) -> #out_s #wc {
            ::core::unreachable!()
        }

        #[doc(hidden)]
        #[allow(unused_variables)]
        #vis fn #jvp #decl (#(#params,)* #dt: [#s; #np], #(#tangents),*) -> (#out_s, #out_s) #wc {
            ::core::unreachable!()
        }

        #[doc(hidden)]
        #[allow(unused_variables)]
        #vis fn #vjp #decl (#(#params,)* #seed_param #(#bars),*) -> (#out_s, [#s; #np]) #wc {
            ::core::unreachable!()
        }
    }
}
