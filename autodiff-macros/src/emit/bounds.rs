//! One bounds check before a fused loop instead of one per iteration.
//!
//! Rosenbrock's `for i in 0..x.len() - 1` reads `x[i + 1]`. LLVM cannot drop that read's bounds
//! check: for an empty `x`, `x.len() - 1` wraps and the range is huge. The hand-written gradient
//! asserts the lengths up front; the generated one checks the last element the loop reads,
//! `x[end - 1 + c]`, once before the loop when the range is not empty. After that check LLVM
//! knows every `x[i + c]` of the loop is in bounds.
//!
//! The check panics exactly when the loop would, since the read happens in every iteration:
//! done only for a half-open range `a..b` run forwards, without `break` or `return`, and for
//! reads of never-assigned array and slice parameters at the top of the body (not in a branch,
//! nor behind `&&`/`||`). Only the panic message's index differs.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::{passive, Cx};
use crate::ir::*;

/// The loop `for v in iter { body }` (`head`), with the hoisted checks when they apply.
/// `vars`: the loop variable and its aliases in the body.
pub(super) fn hoisted(
    cx: &Cx,
    l: &Loop,
    vars: &[Ident],
    assigned: &[bool],
    body: TokenStream,
) -> Option<TokenStream> {
    let LoopHead::For { var, iter } = &l.head else {
        return None;
    };
    if !l.exits.is_empty() {
        return None;
    }
    let range: syn::Expr = syn::parse2(passive(iter, cx)).ok()?;
    let syn::Expr::Range(syn::ExprRange {
        start: Some(start),
        limits: syn::RangeLimits::HalfOpen(_),
        end: Some(end),
        ..
    }) = unparen(&range)
    else {
        return None;
    };
    let mut reads: Vec<(VarId, u64)> = Vec::new();
    for st in &l.body.stmts {
        match st {
            Stmt::Let { init: e, .. } | Stmt::Assign { value: e, .. } | Stmt::Expr(e) => {
                index_reads(cx, e, vars, assigned, &mut reads)
            }
            Stmt::IndexAssign { index, value, .. } => {
                index_reads(cx, index, vars, assigned, &mut reads);
                index_reads(cx, value, vars, assigned, &mut reads);
            }
            _ => {}
        }
    }
    if reads.is_empty() {
        return None;
    }
    let r = format_ident!("__range", span = Span::mixed_site());
    let checks = reads.iter().map(|(x, c)| {
        let x = &cx.var(*x).ident;
        let c = proc_macro2::Literal::u64_unsuffixed(*c);
        quote!(let _ = &#x[#r.end - 1 + #c];)
    });
    let v = &cx.var(*var).ident;
    let m = cx.var(*var).mutable.then(|| quote!(mut));
    Some(quote! {
        let #r: ::core::ops::Range<usize> = (#start)..(#end);
        if #r.start < #r.end {
            #(#checks)*
        }
        for #m #v in #r { #body }
    })
}

fn unparen(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => unparen(&p.expr),
        e => e,
    }
}

/// The reads `x[v + c]` of `e` evaluated whenever `e` is, with `x` a never-assigned array or
/// slice parameter: the largest `c` per `x`.
fn index_reads(cx: &Cx, e: &Expr, vars: &[Ident], assigned: &[bool], out: &mut Vec<(VarId, u64)>) {
    match &e.kind {
        ExprKind::Index(x, i) => {
            index_reads(cx, i, vars, assigned, out);
            let param = cx.func.params.iter().any(|p| p.var == *x);
            let array = matches!(cx.var(*x).shape, Shape::ArrayRef(_) | Shape::SliceRef);
            if !param || !array || assigned[*x] {
                return;
            }
            let Some(c) = offset(&passive(i, cx).to_string(), vars) else {
                return;
            };
            match out.iter_mut().find(|(y, _)| y == x) {
                Some((_, d)) => *d = (*d).max(c),
                None => out.push((*x, c)),
            }
        }
        ExprKind::Call(_, args) => {
            for a in args {
                index_reads(cx, a, vars, assigned, out);
            }
        }
        ExprKind::Cast(a, _) => index_reads(cx, a, vars, assigned, out),
        ExprKind::Compare(_, a, b) => {
            index_reads(cx, a, vars, assigned, out);
            index_reads(cx, b, vars, assigned, out);
        }
        // `a && b`: only `a` is always evaluated.
        ExprKind::Logic(_, args) => {
            if let Some(a) = args.first() {
                index_reads(cx, a, vars, assigned, out);
            }
        }
        _ => {}
    }
}

/// `c` for an index `v` or `v + c` (`c` a literal), `v` one of `vars`.
fn offset(index: &str, vars: &[Ident]) -> Option<u64> {
    let key: String = index.chars().filter(|c| !"() \n".contains(*c)).collect();
    vars.iter().find_map(|v| {
        let v = v.to_string();
        if key == v {
            return Some(0);
        }
        let c = key.strip_prefix(&v)?.strip_prefix('+')?;
        let c = c.trim_end_matches("usize");
        c.parse().ok()
    })
}
