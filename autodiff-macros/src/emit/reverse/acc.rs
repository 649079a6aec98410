//! Adjoint accumulation: the contributions of a statement's reverse steps, summed per place
//! before they touch memory, and the additions a fused loop's iteration shares.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::adjoint_ident;
use crate::emit::lin::{Factor, Target};
use crate::emit::Cx;
use crate::ir::*;

/// Adjoint accumulation within one statement's reverse: step results get fresh locals; the
/// contributions to variables and array elements are summed and added once at the end
/// ([`Acc::flush`]), which keeps the chain of dependent additions into memory short.
///
/// Negations are not emitted: a step result's adjoint local may hold the adjoint's negation
/// (`a - b` hands `b` the negated adjoint of its result), and contributions carry a sign that
/// the sums turn into subtractions ([`signed_sum`]). That saves LLVM a sign flip per `-` that it
/// does not fold itself (and two per `-` on dual numbers).
///
/// It also tracks which adjoints are *constant*: the seed, and what copies, negations, sums and
/// constant multiples make of it. Under [`Overwrite`](https://docs.rs/autodiff-gen-runtime)
/// (`grad`, `hvp`) the seed has no derivative part, so a product with such an adjoint is a
/// scaling by its base value (`Scalar::scale`): on dual numbers two multiplications instead of
/// three and an addition, and none for a seed of 1 (`__based`, declared by `reverse::body`,
/// chooses).
#[derive(Default)]
pub(super) struct Acc {
    /// Each step result's adjoint local, and whether it holds the adjoint's negation.
    adj: HashMap<String, (Ident, bool)>,
    pending: Pending,
    /// The adjoint locals (and tokens) holding constants, see above.
    constant: Vec<String>,
    /// Variables whose pending contributions are all constant so far (`Some(true)`).
    var_constant: HashMap<VarId, bool>,
}

/// The flag choosing products with constant adjoints as scalings (see [`Acc`]).
pub(in crate::emit) fn based_flag() -> Ident {
    Ident::new("__based", proc_macro2::Span::mixed_site())
}

/// A contribution: whether its tokens are the negation of its value, and the tokens.
pub(in crate::emit) type Term = (bool, TokenStream);

/// The sum of `terms` from left to right, as tokens and whether they are the sum's negation:
/// `(-a) + (-b)` as `a + b` negated, `(-a) + b` as `b - a`, `a + (-b)` as `a - b`. Each partial
/// sum is the original one or its negation, rounded the same (only an exact zero may get the
/// other sign).
pub(in crate::emit) fn signed_sum(terms: &[Term]) -> Term {
    let mut it = terms.iter();
    let (mut neg, mut acc) = it.next().expect("at least one term").clone();
    for (n, t) in it {
        acc = match (neg, *n) {
            (false, false) | (true, true) => quote!(#acc + #t),
            (false, true) => quote!(#acc - #t),
            (true, false) => {
                neg = false;
                quote!(#t - (#acc))
            }
        };
    }
    (neg, acc)
}

/// `place += sum` or `place -= sum`.
pub(in crate::emit) fn add_into(place: &TokenStream, terms: &[Term]) -> TokenStream {
    match signed_sum(terms) {
        (false, sum) => quote!(#place += #sum;),
        (true, sum) => quote!(#place -= #sum;),
    }
}

/// An addition into an adjoint, delayed so that the contributions to one place are summed first.
pub(in crate::emit) struct Add {
    /// The place's tokens, as a string (the key contributions are summed under).
    pub key: String,
    pub place: TokenStream,
    /// `Some((buffer, index))` for an element of a parameter's adjoint buffer, which the reverse
    /// sweep never reads (so its additions may wait until the end of a fused iteration).
    pub elem: Option<(Ident, Ident)>,
    pub cs: Vec<Term>,
}

/// Pending additions; in a fused loop, those into parameter adjoint buffers are shared by the
/// statements of the body and flushed at the end of each iteration.
pub(in crate::emit) type Pending = Vec<Add>;

/// Adds `add` to `pending`, summed with the contributions to the same place.
fn add_pending(pending: &mut Pending, mut add: Add) {
    match pending.iter_mut().find(|a| a.key == add.key) {
        Some(old) => old.cs.append(&mut add.cs),
        None => pending.push(add),
    }
}

/// `place += c1 + c2 + ..;` for every pending place.
pub(in crate::emit) fn emit_pending(pending: Pending, out: &mut Vec<TokenStream>) {
    for Add { place, cs, .. } in pending {
        out.push(add_into(&place, &cs));
    }
}

impl Acc {
    /// An accumulator in which the locals `constant` hold constant adjoints (the seed).
    pub(super) fn with_constant(constant: &[&Ident]) -> Self {
        Acc {
            constant: constant.iter().map(|i| i.to_string()).collect(),
            ..Acc::default()
        }
    }

    /// The variables all of whose contributions were constant (their adjoints stay constant if
    /// nothing else adds into them).
    pub(super) fn constant_vars(&self) -> Vec<VarId> {
        (self.var_constant.iter())
            .filter(|(_, &c)| c)
            .map(|(&v, _)| v)
            .collect()
    }

    fn is_constant(&self, t: &TokenStream) -> bool {
        self.constant.contains(&t.to_string())
    }

    /// Adds `c` to the adjoint of `target`.
    pub(super) fn contribute(
        &mut self,
        cx: &Cx,
        target: &Target,
        c: TokenStream,
        out: &mut Vec<TokenStream>,
    ) {
        self.contribute_signed(cx, target, (false, c), out);
    }

    /// Adds the term `c` (see [`Term`]) to the adjoint of `target`.
    fn contribute_signed(
        &mut self,
        cx: &Cx,
        target: &Target,
        (neg, c): Term,
        out: &mut Vec<TokenStream>,
    ) {
        let s = &cx.s;
        let constant = self.is_constant(&c);
        if let Target::Var(v) = target {
            let all = self.var_constant.entry(*v).or_insert(true);
            *all &= constant;
        }
        let elem = match target {
            Target::Elem(v, i)
                if matches!(cx.var(*v).shape, Shape::ArrayRef(_) | Shape::SliceRef) =>
            {
                Some((adjoint_ident(&cx.var(*v).ident), i.clone()))
            }
            _ => None,
        };
        let place = match target {
            Target::Temp(t) => {
                match self.adj.get(&t.to_string()) {
                    Some((b, bneg)) => {
                        out.push(if *bneg == neg {
                            quote!(#b += #c;)
                        } else {
                            quote!(#b -= #c;)
                        });
                        if !constant {
                            let b = b.to_string();
                            self.constant.retain(|k| *k != b);
                        }
                    }
                    None => {
                        let b = adjoint_ident(t);
                        out.push(quote!(let mut #b: #s = #c;));
                        if constant {
                            self.constant.push(b.to_string());
                        }
                        self.adj.insert(t.to_string(), (b, neg));
                    }
                }
                return;
            }
            Target::Var(v) => {
                let b = adjoint_ident(&cx.var(*v).ident);
                quote!(#b)
            }
            Target::Elem(v, i) => {
                let b = adjoint_ident(&cx.var(*v).ident);
                quote!(#b[#i])
            }
        };
        let key = place.to_string();
        add_pending(
            &mut self.pending,
            Add {
                key,
                place,
                elem,
                cs: vec![(neg, c)],
            },
        );
    }

    /// The reverse of a statement's steps, last step first.
    pub(super) fn steps(
        &mut self,
        cx: &Cx,
        steps: &[crate::emit::lin::Step],
        out: &mut Vec<TokenStream>,
    ) {
        for step in steps.iter().rev() {
            let Some((ob, oneg)) = self.adj.get(&step.out.to_string()).cloned() else {
                continue; // nothing depends on this value
            };
            if let Some(call) = &step.call {
                if oneg {
                    // The callee takes the adjoint itself as its seed.
                    out.push(quote!(let #ob = -#ob;));
                }
                self.call(cx, call, &ob, out);
                continue;
            }
            let (kr, s) = (cx.krate, &cx.s);
            let constant = self.is_constant(&quote!(#ob));
            for (target, factor) in &step.terms {
                let c = match factor {
                    Factor::One => (oneg, quote!(#ob)),
                    Factor::MinusOne => (!oneg, quote!(#ob)),
                    Factor::Id(p) if constant => {
                        let based = based_flag();
                        let sc = quote!(<#s as #kr::__private::Scalar>);
                        (
                            oneg,
                            quote!((if #based { #sc::scale(#p, #sc::base(#ob)) } else { #p * #ob })),
                        )
                    }
                    Factor::Id(p) => (oneg, quote!(#p * #ob)),
                    Factor::Base(k) => {
                        let c = quote!(<#s as #kr::__private::Scalar>::scale(#ob, #k));
                        if constant {
                            self.constant.push(c.to_string());
                        }
                        (oneg, c)
                    }
                };
                self.contribute_signed(cx, target, c, out);
            }
        }
    }

    /// The reverse of a call with array arguments: the callee's `__vjp_m*` with the result's
    /// adjoint as seed adds into the array arguments' adjoints and returns the scalar ones.
    pub(super) fn call(
        &mut self,
        cx: &Cx,
        call: &crate::emit::lin::CallRev,
        ob: &Ident,
        out: &mut Vec<TokenStream>,
    ) {
        let (f, args, bars) = (&call.func, &call.args, &call.bars);
        let parts = quote::format_ident!("{}_parts", ob);
        let (pre, post) = (&call.pre, &call.post);
        let span = call.span;
        let invoke = quote::quote_spanned!(span=> #f(#(#args,)* #ob, #(#bars),*));
        out.push(quote! {
            #(#pre)*
            let (_, #parts) = #invoke;
            #(#post)*
        });
        for (k, t) in &call.scalars {
            let lit = proc_macro2::Literal::usize_unsuffixed(*k);
            self.contribute(cx, t, quote!(#parts[#lit]), out);
        }
    }

    /// `place += c1 + c2 + ..;` for every variable and element that received contributions;
    /// additions into parameter adjoint buffers go to `shared` instead when given.
    pub(super) fn flush(self, out: &mut Vec<TokenStream>, shared: Option<&mut Pending>) {
        match shared {
            None => emit_pending(self.pending, out),
            Some(shared) => {
                let mut now = Vec::new();
                for add in self.pending {
                    if add.elem.is_some() {
                        add_pending(shared, add);
                    } else {
                        now.push(add);
                    }
                }
                emit_pending(now, out);
            }
        }
    }
}
