//! Carrying a fused loop's addition into the next element of an adjoint buffer in a local.
//!
//! A fused iteration of Rosenbrock's loop adds into `x_b[i]` and `x_b[i + 1]`. Written as two
//! read-modify-writes, once the bounds checks are gone LLVM's SLP vectorizer merges them into
//! one 16-byte update that the next iteration reads back half of: a store-forwarding stall that
//! makes the loop about four times slower. The hand-written gradient carries the `x_b[i + 1]`
//! part in a register instead, so that every element is written once:
//!
//! ```text
//! x_b[i] += c0 + carry;   // this iteration's part, and the previous one's
//! carry = c1;             // x_b[i + 1]'s part, added by the next iteration
//! carry_at = i + 1;       // (or after the loop, if this was the last)
//! ```
//!
//! Done for a forward loop over a range (`a..b`, `a..=b`), per adjoint buffer whose additions
//! in the iteration are all at `i` and `i + 1`. The adjoint buffers of parameters are never read
//! by the reverse sweep, so delaying an addition by one iteration changes only the order in
//! which the contributions to an element are summed.
//!
//! Such a loop finalizes the elements `first..=carry_at` one by one, in order, each written
//! once. When it is the only code touching the buffer, `grad` and `grad_into` (the
//! [`Overwrite`] mode of `__vjp_w`) write them instead of adding, zero only the elements before
//! and after, and so neither zero the buffer first nor read an element back: the flag
//! `__ow_<buffer>` (declared by `reverse::body`) chooses. The loop counts its iterations, so
//! `first = carry_at - count`.
//!
//! [`Overwrite`]: https://docs.rs/autodiff-gen-runtime

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::reverse::{add_into, emit_pending, signed_sum, Add, Pending};
use super::Cx;

/// Code around a fused loop: before it, and after it.
#[derive(Default)]
pub(super) struct Around {
    pub before: Vec<TokenStream>,
    pub after: Vec<TokenStream>,
    /// The carried buffers, each with the number of times the code above and in the loop names
    /// it (the buffer is overwritable when nothing else does).
    pub carried: Vec<(Ident, usize)>,
}

/// The flag choosing whether the carried buffer `b` is overwritten (see the module docs).
pub(super) fn overwrite_flag(b: &Ident) -> Ident {
    format_ident!("__ow_{}", b, span = Span::mixed_site())
}

/// How many times `tokens` name `ident`.
pub(crate) fn mentions(tokens: &TokenStream, ident: &Ident) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|t| match t {
            proc_macro2::TokenTree::Ident(i) => usize::from(i == *ident),
            proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), ident),
            _ => 0,
        })
        .sum()
}

/// Emits the end-of-iteration additions `pending` of a fused loop into `out`, with the carries
/// of the module docs where they apply. `vars`: the loop variable and its aliases in the body
/// (`let offset = k;`); `forward`: the loop runs over an ascending range with step 1.
/// `indices`: every index local of the body and its expression's tokens.
pub(super) fn flush(
    cx: &Cx,
    vars: &[Ident],
    forward: bool,
    indices: &[(String, Ident)],
    pending: Pending,
    out: &mut Vec<TokenStream>,
) -> Around {
    let mut around = Around::default();
    if !forward || vars.is_empty() {
        emit_pending(pending, out);
        return around;
    }
    // `v`, `v + 1` (also `v + 0`) for `v` the loop variable or one of its aliases.
    let offset = |i: &Ident| {
        let key = indices.iter().find(|(_, id)| id == i)?.0.as_str();
        let key: String = key.chars().filter(|c| !"() \n".contains(*c)).collect();
        vars.iter().find_map(|v| {
            let v = v.to_string();
            if key == v || key == format!("{v}+0") {
                Some(0)
            } else if key == format!("{v}+1") {
                Some(1)
            } else {
                None
            }
        })
    };
    // Buffers whose every addition is at offset 0 or 1, with both present.
    let mut buffers: Vec<Ident> = Vec::new();
    for a in &pending {
        if let Some((b, _)) = &a.elem {
            if !buffers.contains(b) {
                buffers.push(b.clone());
            }
        }
    }
    let carried: Vec<Ident> = buffers
        .into_iter()
        .filter(|b| {
            let offs: Vec<Option<u8>> = pending
                .iter()
                .filter(|a| a.elem.as_ref().is_some_and(|(x, _)| x == b))
                .map(|a| offset(&a.elem.as_ref().expect("filtered").1))
                .collect();
            offs.iter().all(|o| o.is_some()) && offs.contains(&Some(0)) && offs.contains(&Some(1))
        })
        .collect();
    let (mut rest, mut mine): (Pending, Pending) = (Vec::new(), Vec::new());
    for a in pending {
        match &a.elem {
            Some((b, _)) if carried.contains(b) => mine.push(a),
            _ => rest.push(a),
        }
    }
    emit_pending(rest, out);
    let s = &cx.s;
    let zero = cx.zero();
    for b in &carried {
        let (c, at, n) = (
            format_ident!("__carry_{}", b, span = Span::mixed_site()),
            format_ident!("__carry_at_{}", b, span = Span::mixed_site()),
            format_ident!("__carry_n_{}", b, span = Span::mixed_site()),
        );
        let ow = overwrite_flag(b);
        let (mut here, mut next, mut i0, mut i1) = (Vec::new(), Vec::new(), None, None);
        for Add { elem, cs, .. } in mine
            .iter()
            .filter(|a| a.elem.as_ref().is_some_and(|(x, _)| x == b))
        {
            let i = &elem.as_ref().expect("an element").1;
            if offset(i) == Some(0) {
                i0.get_or_insert_with(|| i.clone());
                here.extend(cs.iter().cloned());
            } else {
                i1.get_or_insert_with(|| i.clone());
                next.extend(cs.iter().cloned());
            }
        }
        let (i0, i1) = (i0.expect("offset 0"), i1.expect("offset 1"));
        // The carry holds the negation of its value when the next element's sum is negated.
        let (cneg, next) = signed_sum(&next);
        let init = if cneg { quote!(#zero) } else { quote!(-#zero) };
        around.before.push(quote! {
            let mut #c: #s = #init;
            let mut #at: usize = usize::MAX;
            let mut #n: usize = 0;
        });
        here.push((cneg, quote!(#c)));
        let (place, last) = (quote!(#b[#i0]), quote!(#b[#at]));
        let write = match signed_sum(&here) {
            (false, sum) => quote!(#place = #sum;),
            (true, sum) => quote!(#place = -(#sum);),
        };
        let add = add_into(&place, &here);
        let (write_last, add_last) = if cneg {
            (quote!(#last = -#c;), quote!(#last -= #c;))
        } else {
            (quote!(#last = #c;), quote!(#last += #c;))
        };
        let step = quote! {
            if #ow {
                #write
            } else {
                #add
            }
            #c = #next;
            #at = #i1;
            #n += 1;
        };
        let after = quote! {
            if #at != usize::MAX {
                if #ow {
                    #write_last
                } else {
                    #add_last
                }
            }
            if #ow {
                if #at == usize::MAX {
                    #b.fill(#zero);
                } else {
                    #b[..#at - #n].fill(#zero);
                    #b[#at + 1..].fill(#zero);
                }
            }
        };
        around
            .carried
            .push((b.clone(), mentions(&step, b) + mentions(&after, b)));
        out.push(step);
        around.after.push(after);
    }
    around
}
