//! [`Lists`]: the parameter lists of the derivative functions (generic on `__S`, public on
//! floats) and the argument lists the public functions pass to the generic ones, with the types
//! of tangents and adjoint buffers in them.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::signatures::Signatures;
use crate::emit::forward::tangent_ident;
use crate::emit::reverse::adjoint_ident;
use crate::emit::Cx;
use crate::ir::{Func, Matrix, ParamKind, Shape, VarId};

/// One parameter (or argument) list of the derivative functions, in its three parts.
pub(super) struct Lists {
    /// One per parameter of the function.
    pub params: Vec<TokenStream>,
    /// One per active parameter.
    pub tangents: Vec<TokenStream>,
    /// One per active array or slice parameter: its adjoint buffer.
    pub bars: Vec<TokenStream>,
}

/// The variables of the active parameters, in order.
pub(super) fn active_vars(cx: &Cx) -> Vec<VarId> {
    cx.active.iter().map(|&i| cx.func.params[i].var).collect()
}

/// The matrix shape of the parameter of variable `v`, if it is a matrix.
pub(super) fn matrix(func: &Func, v: VarId) -> Option<Matrix> {
    func.params
        .iter()
        .find(|p| p.var == v)
        .and_then(|p| p.matrix.clone())
}

fn output(func: &Func, v: VarId) -> bool {
    func.params
        .iter()
        .any(|p| p.var == v && matches!(p.kind, ParamKind::Output))
}

/// The type of an active parameter's tangent, of `t` (`__S` or the float). An output buffer's
/// tangent is written like the buffer (`&mut`).
fn tangent_ty(func: &Func, v: VarId, t: &TokenStream) -> TokenStream {
    match (&func.vars[v].shape, output(func, v)) {
        (Shape::ArrayRef(n), false) => quote!(&[#t; #n]),
        (Shape::ArrayRef(n), true) => quote!(&mut [#t; #n]),
        (Shape::SliceRef, false) => quote!(&[#t]),
        (Shape::SliceRef, true) => quote!(&mut [#t]),
        _ => quote!(#t),
    }
}

/// The type of an active array's adjoint buffer, of `t`.
fn bar_ty(func: &Func, v: VarId, t: &TokenStream) -> TokenStream {
    match &func.vars[v].shape {
        Shape::ArrayRef(n) => quote!(&mut [#t; #n]),
        _ => quote!(&mut [#t]),
    }
}

/// The type of a matrix's tangent or adjoint buffer (`r`: `&` or `&mut`).
fn mat_ty(m: &Matrix, r: TokenStream, ft: &TokenStream) -> TokenStream {
    let c = &m.cols;
    match &m.rows {
        Some(rows) => quote!(#r [[#ft; #c]; #rows]),
        None => quote!(#r [[#ft; #c]]),
    }
}

/// The generic functions' lists: tangents and adjoint buffers of `__S`.
pub(super) fn generic(cx: &Cx) -> Lists {
    let (func, s) = (cx.func, &cx.s);
    let s_ts = quote!(#s);
    let tangents = active_vars(cx)
        .iter()
        .map(|&v| {
            let t = tangent_ident(&func.vars[v].ident);
            let m = func.vars[v].mutable.then(|| quote!(mut));
            let ty = tangent_ty(func, v, &s_ts);
            quote!(#m #t: #ty)
        })
        .collect();
    let bars = cx
        .active_arrays()
        .iter()
        .map(|&v| {
            let b = adjoint_ident(&func.vars[v].ident);
            let ty = bar_ty(func, v, &s_ts);
            quote!(#b: #ty)
        })
        .collect();
    Lists {
        params: cx.generic_params(),
        tangents,
        bars,
    }
}

/// A slice's adjoint buffer cut to the slice's length at entry: the loops that index both then
/// need one bounds check (LLVM sees the lengths equal), and a short buffer panics here rather
/// than midway.
pub(super) fn bar_lens(cx: &Cx) -> Vec<TokenStream> {
    let (func, s) = (cx.func, &cx.s);
    cx.active_arrays()
        .iter()
        .filter(|&&v| matches!(func.vars[v].shape, Shape::SliceRef))
        .map(|&v| {
            let (x, b) = (&func.vars[v].ident, adjoint_ident(&func.vars[v].ident));
            quote!(let #b: &mut [#s] = &mut #b[..#x.len()];)
        })
        .collect()
}

/// The public functions' lists, of floats, with the names of [`Signatures`]; a matrix's tangent
/// and adjoint buffer have its shape.
pub(super) fn public(sigs: &Signatures, cx: &Cx) -> Lists {
    let (func, ft) = (cx.func, &cx.ft);
    let ft_ts = quote!(#ft);
    let params = func
        .params
        .iter()
        .zip(&sigs.names)
        .map(|(p, n)| {
            let ty = &p.ty;
            quote!(#n: #ty)
        })
        .collect();
    let tangents = active_vars(cx)
        .iter()
        .zip(&sigs.tangents)
        .map(|(&v, t)| {
            let ty = match matrix(func, v) {
                Some(m) => mat_ty(&m, quote!(&), &ft_ts),
                None => tangent_ty(func, v, &ft_ts),
            };
            quote!(#t: #ty)
        })
        .collect();
    let bars = cx
        .active_arrays()
        .iter()
        .zip(&sigs.bars)
        .map(|(&v, b)| {
            let ty = match matrix(func, v) {
                Some(m) => mat_ty(&m, quote!(&mut), &ft_ts),
                None => bar_ty(func, v, &ft_ts),
            };
            quote!(#b: #ty)
        })
        .collect();
    Lists {
        params,
        tangents,
        bars,
    }
}

/// Matrices are flattened for the generic code (see `Param::matrix`).
pub(super) fn forwarded(sigs: &Signatures, cx: &Cx) -> Lists {
    let func = cx.func;
    let vars: Vec<VarId> = func.params.iter().map(|p| p.var).collect();
    let flat = format_ident!("as_flattened");
    Lists {
        params: flattened(func, &vars, &sigs.names, &flat),
        tangents: flattened(func, &active_vars(cx), &sigs.tangents, &flat),
        bars: flattened(
            func,
            &cx.active_arrays(),
            &sigs.bars,
            &format_ident!("as_flattened_mut"),
        ),
    }
}

/// Each name as is, or a matrix's flattened by `method`.
fn flattened(func: &Func, vars: &[VarId], names: &[Ident], method: &Ident) -> Vec<TokenStream> {
    vars.iter()
        .zip(names)
        .map(|(&v, n)| match matrix(func, v) {
            Some(_) => quote!(#n.#method()),
            None => quote!(#n),
        })
        .collect()
}
