//! Calls with array arguments: the caller's side of [`crate::variants`].
//!
//! For the bit set `m` of the positions of its active array arguments, a call goes to the
//! callee's `__jvp_m` in forward mode, and to `__val_m` in the forward sweep plus `__vjp_m` in
//! the reverse sweep of reverse mode. What the reverse sweep reads is kept like any factor:
//! scalar arguments, slice bounds, and a copy of each local array passed (it may change before
//! the reverse sweep runs). An output buffer (`&mut a`, `&mut a[lo..hi]`) is copied before the
//! call: the callee's reverse runs its forward sweep again on that copy. Its adjoint is in-out:
//! the seed of the call's results on entry, the adjoint of the buffer's earlier contents after.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::lin::{Bind, CallRev, Deps, Kind, Lin, Operand, Step, Target};
use super::{forward::tangent_ident, reverse::adjoint_ident, view};
use crate::ir::*;

/// Everything a call needs, in both modes.
pub struct CallPieces {
    pub mask: u64,
    /// Arguments of `__val_m`/`__jvp_m` (the forward call).
    pub vals: Vec<TokenStream>,
    /// Arguments of `__vjp_m` (readable in the reverse sweep).
    pub vals_rev: Vec<TokenStream>,
    /// `[__S; P]` scalar tangents, one per position.
    pub dts: Vec<TokenStream>,
    /// Tangents (forward) and adjoint buffers (reverse) of the active arrays and outputs.
    pub tans: Vec<TokenStream>,
    pub bars: Vec<TokenStream>,
    pub scalars: Vec<(usize, Target)>,
    /// Reverse sweep: declarations before the callee's `__vjp_m` and additions after it.
    pub pre: Vec<TokenStream>,
    pub post: Vec<TokenStream>,
    pub deps: Deps,
}

/// `f::__{kind}_m{mask}`, spanned at the callee so that a missing function names it.
/// `path(args)` spanned at the callee `f`: rustc reports a bound of the callee's item (an
/// argument it cannot take) at the call, so at the user's code.
pub fn spanned_call(f: &syn::Expr, path: &TokenStream, args: TokenStream) -> TokenStream {
    let span = syn::spanned::Spanned::span(f);
    quote::quote_spanned!(span=> #path(#args))
}

pub fn callee(f: &syn::Expr, kind: &str, mask: u64) -> TokenStream {
    super::callee_item(f, &format_ident!("__{}_m{}", kind, mask))
}

/// `view` as `&[T; N]` when its length `N` is known.
pub fn fixed(
    cx: &super::Cx,
    view: TokenStream,
    len: Option<&TokenStream>,
    mutable: bool,
) -> TokenStream {
    let k = cx.krate;
    match (len, mutable) {
        (Some(n), false) => quote!(#k::__private::fixed::<_, { #n }>(#view)),
        (Some(n), true) => quote!(#k::__private::fixed_mut::<_, { #n }>(#view)),
        (None, _) => view,
    }
}

/// The value of a call with array arguments where no derivative is needed (a condition):
/// `__val_m` on the arrays as they are now.
pub fn value_call(f: &syn::Expr, args: &[Expr], cx: &super::Cx) -> TokenStream {
    let mut mask = 0;
    let args = args.iter().enumerate().map(|(k, a)| match &a.kind {
        ExprKind::View {
            var, range, len, ..
        } => {
            mask |= u64::from(cx.var(*var).active) << k;
            let bound = |b: &Option<Box<Expr>>| b.as_ref().map(|b| super::value(b, cx));
            let known = range.as_ref().and(len.as_ref());
            let range = range.as_ref().map(|(lo, hi)| (bound(lo), bound(hi)));
            let x = &cx.var(*var).ident;
            let v = fixed(cx, view(cx, *var, &quote!(#x), &range, false), known, false);
            at_arg(a, cx.var(*var).active, v)
        }
        _ => {
            let v = (!super::pure_passive(a, &cx.func.vars)).then(|| super::scalar_value(a, cx));
            super::call_arg(a, cx, v)
        }
    });
    let args: Vec<TokenStream> = args.collect();
    let path = callee(f, "val", mask);
    spanned_call(f, &path, quote!(#(#args),*))
}

/// An active array argument in a block spanned at the user's argument: rustc reports a bound
/// of the callee that fails for it (an active array for a parameter not in the callee's
/// `wrt(..)`) at that argument.
fn at_arg(a: &Expr, active: bool, v: TokenStream) -> TokenStream {
    if active {
        let span = a.span;
        quote::quote_spanned!(span=> { #v })
    } else {
        v
    }
}

/// Whether `e` is a call that writes into an output buffer (`&mut a` argument).
pub fn writes_outputs(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::UserCall(_, args) => args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::View { mutable: true, .. })),
        _ => false,
    }
}

impl Lin<'_, '_, '_> {
    /// The arguments of a call with arrays, binding what the reverse sweep needs.
    pub fn call_pieces(&mut self, args: &[Expr]) -> CallPieces {
        let cx = self.cx;
        let mut p = CallPieces {
            mask: 0,
            vals: vec![],
            vals_rev: vec![],
            dts: vec![],
            tans: vec![],
            bars: vec![],
            scalars: vec![],
            pre: vec![],
            post: vec![],
            deps: Deps::default(),
        };
        // Arrays whose adjoint buffer is passed already (a repeat gets a scratch buffer).
        let mut barred = Vec::new();
        for (k, a) in args.iter().enumerate() {
            match &a.kind {
                ExprKind::View {
                    var,
                    range,
                    mutable,
                    len,
                    ..
                } => {
                    p.dts.push(cx.zero());
                    let active = cx.var(*var).active;
                    if !*mutable {
                        p.mask |= u64::from(active) << k;
                    }
                    let range = range.as_ref().map(|(lo, hi)| {
                        let mut bound = |b: &Option<Box<Expr>>| {
                            b.as_ref().map(|b| {
                                let i = self.index(b);
                                p.deps.idents.push(i.clone());
                                quote!(#i)
                            })
                        };
                        (bound(lo), bound(hi))
                    });
                    p.deps.vars.push(*var);
                    let x = cx.var(*var).ident.clone();
                    // A part of known length goes as `&[T; N]` (see `fixed`).
                    let known = range.as_ref().and(len.as_ref());
                    let (val, val_rev) = if *mutable {
                        let (v, r) = self.output_arg(*var, &range, &mut p.pre);
                        (fixed(cx, v, known, true), fixed(cx, r, known, true))
                    } else {
                        let src = self.kept_array(*var, active);
                        let v = fixed(cx, view(cx, *var, &src, &range, false), known, false);
                        let v = at_arg(a, active, v);
                        (v.clone(), v)
                    };
                    p.vals.push(val);
                    p.vals_rev.push(val_rev);
                    if active {
                        let d = tangent_ident(&x);
                        let t = view(cx, *var, &quote!(#d), &range, *mutable);
                        p.tans.push(fixed(cx, t, known, *mutable));
                        let b = adjoint_ident(&x);
                        let place =
                            fixed(cx, view(cx, *var, &quote!(#b), &range, true), known, true);
                        if barred.contains(var) {
                            let (bar, pre, post) = self.scratch(*var, &range, len, &place);
                            p.bars.push(bar);
                            p.pre.push(pre);
                            p.post.push(post);
                        } else {
                            barred.push(*var);
                            p.bars.push(place);
                        }
                    }
                }
                _ => self.scalar_arg(k, a, &mut p),
            }
        }
        p
    }

    /// A scalar argument: active ones as `Active(v)` with their tangent, passive ones as the
    /// callee's `ToPassive`/plain parameters take them. Both bound to locals the reverse keeps.
    fn scalar_arg(&mut self, k: usize, a: &Expr, p: &mut CallPieces) {
        let cx = self.cx;
        let s = &cx.s;
        let (op, deps) = self.expr_deps(a);
        p.deps.add(&deps);
        let v = self.names.fresh("arg");
        let arg = match op {
            Operand::Active(val, t) => {
                self.bind(vec![v.clone()], quote!(let #v: #s = #val;), deps);
                self.saved.push((v.clone(), Kind::Scalar));
                p.dts.push(super::forward::tangent_of(cx, &t));
                p.scalars.push((k, t));
                super::active_arg(&quote!(#v), a.span, cx)
            }
            _ => {
                let e = super::passive(a, cx);
                self.bind(vec![v.clone()], quote!(let #v = #e;), deps);
                let z = quote!(::core::default::Default::default());
                self.saved.push((v.clone(), Kind::Other(z)));
                p.dts.push(cx.zero());
                super::call_arg_tokens(a, cx, quote!(#v))
            }
        };
        p.vals.push(arg.clone());
        p.vals_rev.push(arg);
    }

    /// An input array as the call reads it: in reverse mode, a local array is copied (and the
    /// copy kept), since it may change before the reverse sweep.
    fn kept_array(&mut self, var: VarId, active: bool) -> TokenStream {
        let cx = self.cx;
        let x = cx.var(var).ident.clone();
        let output = cx
            .func
            .params
            .iter()
            .any(|p| p.var == var && matches!(p.kind, ParamKind::Output));
        if output && !self.forward {
            // An output buffer read by the call may be written later: kept as it is now.
            let k = cx.krate;
            let snap = self.names.fresh("snap");
            let deps = Deps {
                idents: Vec::new(),
                vars: vec![var],
            };
            let (copy, kind) = match &cx.var(var).shape {
                Shape::ArrayRef(n) => {
                    let z = cx.zero();
                    (quote!(*#x), Kind::Other(quote!([#z; #n])))
                }
                _ => (quote!(#k::__private::Vec::from(&#x[..])), Kind::Owned),
            };
            self.bind(vec![snap.clone()], quote!(let #snap = #copy;), deps);
            self.saved.push((snap.clone(), kind));
            // Viewed like a local array from now on.
            return match &cx.var(var).shape {
                Shape::ArrayRef(_) => quote!((&#snap)),
                _ => quote!((&#snap[..])),
            };
        }
        match &cx.var(var).shape {
            Shape::Array(n) if !self.forward => {
                let snap = self.names.fresh("snap");
                let deps = Deps {
                    idents: Vec::new(),
                    vars: vec![var],
                };
                self.bind(vec![snap.clone()], quote!(let #snap = #x;), deps);
                let z = if active {
                    cx.zero()
                } else {
                    quote!(::core::default::Default::default())
                };
                self.saved
                    .push((snap.clone(), Kind::Other(quote!([#z; #n]))));
                quote!(#snap)
            }
            Shape::Vec if !self.forward => {
                let snap = self.names.fresh("snap");
                let deps = Deps {
                    idents: Vec::new(),
                    vars: vec![var],
                };
                self.bind(vec![snap.clone()], quote!(let #snap = #x.clone();), deps);
                self.saved.push((snap.clone(), Kind::Owned));
                quote!(#snap)
            }
            _ => quote!(#x),
        }
    }

    /// An output buffer: the forward call writes it; in reverse mode its contents before the
    /// call are copied and kept, and the reverse call runs on a fresh copy of them (declared in
    /// `pre`).
    fn output_arg(
        &mut self,
        var: VarId,
        range: &Option<(Option<TokenStream>, Option<TokenStream>)>,
        pre: &mut Vec<TokenStream>,
    ) -> (TokenStream, TokenStream) {
        let cx = self.cx;
        let x = cx.var(var).ident.clone();
        let val = view(cx, var, &quote!(#x), range, true);
        if self.forward {
            return (val.clone(), val);
        }
        let (k, z) = (cx.krate, cx.zero());
        let snap = self.names.fresh("snap");
        let (copy, zero, fresh) = match &cx.var(var).shape {
            Shape::Array(n) => (quote!(#x), quote!([#z; #n]), quote!(#snap)),
            Shape::ArrayRef(n) => (quote!(*#x), quote!([#z; #n]), quote!(#snap)),
            _ => (
                quote!(#k::__private::Vec::from(&#x[..])),
                quote!(()),
                quote!(#snap.clone()),
            ),
        };
        let deps = Deps {
            idents: Vec::new(),
            vars: vec![var],
        };
        self.bind(vec![snap.clone()], quote!(let #snap = #copy;), deps);
        let kind = match &cx.var(var).shape {
            Shape::Array(_) | Shape::ArrayRef(_) => Kind::Other(zero),
            _ => Kind::Owned,
        };
        self.saved.push((snap.clone(), kind));
        let work = self.names.fresh("work");
        pre.push(quote!(let mut #work = #fresh;));
        // `work` is a local (array or `Vec`): view it like a local array.
        let rev = match (range, &cx.var(var).shape) {
            (Some((lo, hi)), _) => quote!(&mut #work[#lo..#hi]),
            (None, Shape::Array(_) | Shape::ArrayRef(_)) => quote!(&mut #work),
            (None, _) => quote!(&mut #work[..]),
        };
        (val, rev)
    }

    /// A call with array arguments used as a value (see the module docs).
    pub fn array_call(&mut self, f: &syn::Expr, args: &[Expr]) -> (Operand, Deps) {
        let cx = self.cx;
        let s = &cx.s;
        let p = self.call_pieces(args);
        let out = self.names.fresh("t");
        let (vals, dts, tans) = (&p.vals, &p.dts, &p.tans);
        if self.forward {
            let jvp = format_ident!("{}_call_d", out);
            let path = callee(f, "jvp", p.mask);
            let call = spanned_call(f, &path, quote!(#(#vals,)* [#(#dts),*], #(#tans),*));
            let code = quote!(let (#out, #jvp): (#s, #s) = #call;);
            self.code.push(Bind {
                defs: vec![out.clone(), jvp.clone()],
                code,
                flush: Some(self.steps.len()),
                idents: p.deps.idents,
                vars: p.deps.vars,
            });
            let mut step = Step::new(out.clone(), Vec::new());
            step.tangent = Some(quote!(#jvp));
            self.steps.push(step);
        } else {
            let path = callee(f, "val", p.mask);
            let call = spanned_call(f, &path, quote!(#(#vals),*));
            let code = quote!(let #out: #s = #call;);
            self.bind(vec![out.clone()], code, p.deps);
            let mut step = Step::new(out.clone(), Vec::new());
            step.call = Some(CallRev {
                func: callee(f, "vjp", p.mask),
                span: syn::spanned::Spanned::span(f),
                args: p.vals_rev,
                bars: p.bars,
                scalars: p.scalars,
                pre: p.pre,
                post: p.post,
            });
            self.steps.push(step);
        }
        (
            Operand::Active(out.clone(), Target::Temp(out.clone())),
            Deps {
                idents: vec![out],
                vars: Vec::new(),
            },
        )
    }

    /// A scratch adjoint buffer for a second view of `var` in one call: its `&mut` argument,
    /// its declaration, and the addition into `place` (the view of the real adjoint).
    fn scratch(
        &mut self,
        var: VarId,
        range: &Option<(Option<TokenStream>, Option<TokenStream>)>,
        len: &Option<TokenStream>,
        place: &TokenStream,
    ) -> (TokenStream, TokenStream, TokenStream) {
        let cx = self.cx;
        let (k, z) = (cx.krate, cx.zero());
        let sc: Ident = self.names.fresh("scratch");
        let add = quote!(for (__b, __s) in (#place).iter_mut().zip(#sc.iter()) { *__b += *__s; });
        match (&cx.var(var).shape, range) {
            (Shape::Array(n) | Shape::ArrayRef(n), None) => {
                (quote!(&mut #sc), quote!(let mut #sc = [#z; #n];), add)
            }
            // A part of known length (a matrix row): on the stack too.
            (_, Some(_)) if len.is_some() => {
                let n = len.as_ref().expect("checked");
                (quote!(&mut #sc), quote!(let mut #sc = [#z; #n];), add)
            }
            _ => (
                quote!(#sc.as_mut_slice()),
                quote!(let mut #sc = #k::__private::zeros_vec((#place).len(), #z);),
                add,
            ),
        }
    }
}
