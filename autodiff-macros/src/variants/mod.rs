//! Activity-specialized entry points for calls with array arguments.
//!
//! A caller that passes arrays or slices to this function calls the variant for exactly the
//! activity of its array arguments, as Enzyme specializes a callee per activity pattern: for
//! the bit set `m` of the positions of the active arrays, `__val_m` (the primal on `__S`),
//! `__jvp_m` (value and directional derivative) and `__vjp_m` (adds the array adjoints into the
//! buffers, returns the value and the scalar adjoints as `[__S; P]`, one per parameter
//! position). Passive arrays stay `f64` data, so nothing is converted or allocated.
//!
//! Float scalar parameters are active in every variant and take `impl ToActive<__S>` like
//! `__call` (the caller passes `Active(v)` or `Const(c)`); their tangents come in one
//! `[__S; P]`. So a caller needs to know only which of its arguments are arrays. Variants exist
//! only for functions with array or slice parameters (scalar-only functions are called through
//! `__call`), for every non-empty subset of the arrays that may be active (all, or those named
//! in `wrt`), up to [`MAX_ACTIVE`] of them.

mod stubs;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::emit::forward::tangent_ident;
use crate::emit::reverse::adjoint_ident;
use crate::emit::{self, Cx};
use crate::ir::*;
use crate::{check, lower};

/// At most this many array parameters that may be active (2^5 - 1 = 31 variants).
pub const MAX_ACTIVE: usize = 5;

/// The variants of `item`, as `impl` items (empty for functions without array parameters).
pub fn items(item: &syn::ItemFn, args: &Args, main: &Func) -> TokenStream {
    let allowed = |p: &crate::ir::Param| {
        args.any_activity
            || args
                .wrt
                .as_ref()
                .is_none_or(|w| w.iter().any(|n| *n == main.vars[p.var].name))
    };
    // The positions of the parameters of one kind that may be active (or may not).
    let positions = |kind: fn(&ParamKind) -> bool, may: bool| -> Vec<usize> {
        (main.params.iter().enumerate())
            .filter(|(_, p)| kind(&p.kind) && allowed(p) == may)
            .map(|(i, _)| i)
            .collect()
    };
    let is_array = |k: &ParamKind| matches!(k, ParamKind::FloatArray);
    let arrays = positions(is_array, true);
    let scalars = positions(|k| matches!(k, ParamKind::Float), true);
    // Array parameters `wrt(..)` leaves out: a caller passing an active array there gets a
    // message (see `stubs`).
    let excluded = positions(is_array, false);
    let stubs = if args.custom.is_none() {
        stubs::items(item, args, main, &arrays, &excluded, &scalars)
    } else {
        TokenStream::new()
    };
    let returns_array = main.ret_len.is_some();
    // With scalar or output parameters, "no active array" is a variant too.
    let outputs = main
        .params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::Output));
    // (A function whose arrays are all left out of `wrt(..)` is called with passive arrays
    // through `__val_m0`, `__jvp_m0`, `__vjp_m0` too.)
    if (arrays.is_empty() && excluded.is_empty() && !returns_array && !outputs)
        || arrays.len() > MAX_ACTIVE
        || args.custom.is_some()
    {
        return stubs;
    }
    let first = u64::from(scalars.is_empty() && !outputs);
    let mut out = stubs;
    for subset in first..1u64 << arrays.len() {
        let mut chosen: Vec<usize> = arrays
            .iter()
            .enumerate()
            .filter(|(b, _)| subset >> b & 1 == 1)
            .map(|(_, &i)| i)
            .collect();
        let mask: u64 = chosen.iter().map(|&i| 1u64 << i).sum();
        chosen.extend(&scalars);
        chosen.sort_unstable();
        out.extend(variant(item, args, main, &chosen, mask));
    }
    out
}

/// The three functions for the parameters `chosen` active; `mask`: the active arrays.
fn variant(
    item: &syn::ItemFn,
    args: &Args,
    main: &Func,
    chosen: &[usize],
    mask: u64,
) -> TokenStream {
    let Some(func) = lowered(item, args, main, chosen) else {
        return quote!();
    };
    let ecx = Cx::new(&func, &args.krate);
    let seed = Ident::new("__seed", Span::mixed_site());
    let fwd = emit::forward::body(&ecx);
    let primal = emit::forward::primal(&ecx);
    let (rev, heap, _) = emit::reverse::body(&ecx, &seed, None);
    let sig = Sig::new(item, &ecx);
    let (decl, wc, vis) = (&sig.decl, &sig.where_clause, &item.vis);
    let (params, unwrap, tangents, bars) = (&sig.params, &sig.unwrap, &sig.tangents, &sig.bars);
    let unwrap_d = &sig.unwrap_d;
    let (out_s, dt, s) = (&sig.out, &sig.dt, &ecx.s);
    let np = proc_macro2::Literal::usize_unsuffixed(func.params.len());
    let (val, jvp, vjp) = (
        format_ident!("__val_m{}", mask),
        format_ident!("__jvp_m{}", mask),
        format_ident!("__vjp_m{}", mask),
    );
    let (pat, ret) = (&sig.vjp_pat, &sig.vjp_parts);
    // Output buffers take their seeds in their adjoints.
    let seed_param = if func.unit {
        quote!()
    } else {
        quote!(#seed: #out_s,)
    };
    let vjp_fn = quote! {
        #[doc(hidden)]
        #[inline]
        #vis fn #vjp #decl (#(#params,)* #seed_param #(#bars),*) -> (#out_s, [#s; #np]) #wc {
            #(#unwrap)*
            let #pat = { #rev };
            #ret
        }
    };
    let vjp_fn = if heap {
        let k = &args.krate;
        quote!(#k::__private::if_alloc! { #vjp_fn })
    } else {
        vjp_fn
    };
    quote! {
        #[doc(hidden)]
        #[inline]
        #vis fn #val #decl (#(#params),*) -> #out_s #wc {
            #(#unwrap)*
            #primal
        }

        #[doc(hidden)]
        #[inline]
        #vis fn #jvp #decl (#(#params,)* #dt: [#s; #np], #(#tangents),*) -> (#out_s, #out_s) #wc {
            #(#unwrap)*
            #(#unwrap_d)*
            #fwd
        }

        #vjp_fn
    }
}

/// The function lowered and checked with the parameters `chosen` active (and an array result
/// turned into an output buffer), or `None` where that fails (the main expansion reports it).
fn lowered(item: &syn::ItemFn, args: &Args, main: &Func, chosen: &[usize]) -> Option<Func> {
    let mut cx = Ctxt::default();
    let mut func = lower::lower(item, &mut cx, &args.krate)?;
    let vargs = Args {
        wrt: Some(
            (chosen.iter())
                .map(|&i| main.vars[main.params[i].var].name.clone())
                .collect(),
        ),
        krate: args.krate.clone(),
        custom: None,
        any_activity: false,
    };
    check::check(&mut func, &item.sig, &vargs, &mut cx);
    if cx.has_errors() {
        return None;
    }
    result_to_output(&mut func);
    Some(func)
}

/// A function returning `[f; M]` is called with an output buffer instead (the caller binds
/// `let p: [f64; M] = helper(..)` to a local array it passes as `&mut p`): the returned local
/// array is copied into an extra last parameter `&mut [__S; M]`.
fn result_to_output(func: &mut Func) {
    let (Some(m), ExprKind::Var(r)) = (func.ret_len.clone(), &func.result.kind) else {
        return;
    };
    let (r, span) = (*r, func.result.span);
    let new_var = |func: &mut Func, name: &str, shape: Shape| {
        let id = func.vars.len();
        func.vars.push(Var {
            name: format_ident!("{}", name),
            ident: format_ident!("__{}_{}", name, id, span = Span::mixed_site()),
            mutable: false,
            shape,
            active: true,
            float: true,
        });
        id
    };
    let out = new_var(func, "out", Shape::ArrayRef(m.clone()));
    let k = new_var(func, "k", Shape::Scalar);
    func.vars[k].active = false;
    func.params.push(Param {
        var: out,
        ty: syn::parse_quote!(&mut [f64; #m]),
        kind: ParamKind::Output,
        matrix: None,
    });
    let var = |v| Expr::new(ExprKind::Var(v), span);
    let iter: syn::Expr = syn::parse_quote!(0..#m);
    func.body.stmts.push(Stmt::Loop(Box::new(Loop {
        head: LoopHead::For {
            var: k,
            iter: Expr::new(
                ExprKind::Opaque {
                    expr: iter,
                    vars: Vec::new(),
                    what: Unsupported::Passive,
                },
                span,
            ),
        },
        body: Block {
            stmts: vec![Stmt::IndexAssign {
                var: out,
                index: var(k),
                value: Expr::new(ExprKind::Index(r, Box::new(var(k))), span),
            }],
        },
        exits: Vec::new(),
        bound: Some(m),
    })));
    func.result = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
    func.ret_len = None;
    func.unit = true;
}

/// The pieces of a variant's signature.
struct Sig {
    decl: TokenStream,
    where_clause: Option<syn::WhereClause>,
    params: Vec<TokenStream>,
    /// `let x: __S = ToActive::get(a0);` for scalar parameters.
    unwrap: Vec<TokenStream>,
    /// `let x_d: __S = dt[k];`: their tangents, in `__jvp_m*`.
    unwrap_d: Vec<TokenStream>,
    /// The scalar tangents' parameter: `[__S; P]`, one per parameter position.
    dt: Ident,
    tangents: Vec<TokenStream>,
    bars: Vec<TokenStream>,
    out: TokenStream,
    /// The pattern binding the reverse body's result, and the `(value, [__S; P])` built from it.
    vjp_pat: TokenStream,
    vjp_parts: TokenStream,
}

impl Sig {
    fn new(item: &syn::ItemFn, cx: &Cx) -> Self {
        let func = cx.func;
        let (k, s, ft) = (cx.krate, &cx.s, &cx.ft);
        let generics = &item.sig.generics;
        let (lifetimes, others): (Vec<_>, Vec<_>) = generics
            .params
            .iter()
            .partition(|p| matches!(p, syn::GenericParam::Lifetime(_)));
        let decl = quote!(<#(#lifetimes,)* #s: #k::__private::Scalar<Base = #ft>, #(#others),*>);
        let dt = Ident::new("__dt", Span::mixed_site());
        let (mut params, mut unwrap, mut tangents, mut bars) = (vec![], vec![], vec![], vec![]);
        let mut unwrap_d = Vec::new();
        let mut adj = Vec::new();
        let mut parts = Vec::new();
        for (pi, p) in func.params.iter().enumerate() {
            let var = &func.vars[p.var];
            let (id, ty) = (&var.ident, &p.ty);
            let m = var.mutable.then(|| quote!(mut));
            let a = format_ident!("__a{}", pi, span = Span::mixed_site());
            let lit = proc_macro2::Literal::usize_unsuffixed(pi);
            let arr = |t: &TokenStream, mutable: bool| {
                let r = if mutable { quote!(&mut) } else { quote!(&) };
                match &var.shape {
                    Shape::ArrayRef(n) => quote!(#r [#t; #n]),
                    _ => quote!(#r [#t]),
                }
            };
            match (&p.kind, var.active) {
                (ParamKind::Float, true) => {
                    params.push(quote!(#a: impl #k::__private::ToActive<#s>));
                    let d = tangent_ident(id);
                    let dm = var.mutable.then(|| quote!(mut));
                    unwrap.push(quote!(let #m #id: #s = #k::__private::ToActive::get(#a);));
                    unwrap_d.push(quote!(let #dm #d: #s = #dt[#lit];));
                    let g = format_ident!("__g{}", pi, span = Span::mixed_site());
                    adj.push(g.clone());
                    parts.push(quote!(#g));
                    continue;
                }
                (ParamKind::Float, false) => {
                    params.push(quote!(#a: impl #k::__private::ToPassive<#ty>));
                    unwrap.push(quote!(let #m #id: #ty = #k::__private::ToPassive::get(#a);));
                }
                (ParamKind::FloatArray, true) => {
                    let st = quote!(#s);
                    let (r, w) = (arr(&st, false), arr(&st, true));
                    params.push(quote!(#id: #r));
                    let (d, b) = (tangent_ident(id), adjoint_ident(id));
                    tangents.push(quote!(#d: #r));
                    bars.push(quote!(#b: #w));
                }
                // An output buffer: written, and its tangent and adjoint are in-out too.
                (ParamKind::Output, true) => {
                    let w = arr(&quote!(#s), true);
                    params.push(quote!(#id: #w));
                    let (d, b) = (tangent_ident(id), adjoint_ident(id));
                    tangents.push(quote!(#d: #w));
                    bars.push(quote!(#b: #w));
                }
                _ => {
                    let ty = emit::flat_param_ty(p);
                    params.push(quote!(#m #id: #ty))
                }
            }
            parts.push(quote!(<#s as #k::__private::Scalar>::zero()));
        }
        let out = match &func.ret_len {
            _ if func.unit => quote!(()),
            Some(n) => quote!([#s; #n]),
            None => quote!(#s),
        };
        let v = Ident::new("__value", Span::mixed_site());
        let vjp_pat = match (adj.len(), func.unit) {
            (0, _) => quote!(#v),
            (1, true) => quote!(#(#adj)*),
            (_, true) => quote!((#(#adj),*)),
            (1, false) => {
                let g = &adj[0];
                quote!((#v, #g))
            }
            (_, false) => quote!((#v, (#(#adj),*))),
        };
        let value = if func.unit && !adj.is_empty() {
            quote!(())
        } else {
            quote!(#v)
        };
        let vjp_parts = quote!((#value, [#(#parts),*]));
        Sig {
            decl,
            where_clause: generics.where_clause.clone(),
            params,
            unwrap,
            unwrap_d,
            dt,
            tangents,
            bars,
            out,
            vjp_pat,
            vjp_parts,
        }
    }
}
