//! [`Parts`]: what every item of a derivative namespace is built from, worked out once per
//! function: the generics, the parameter lists of the generic (`__S`) and of the public (float)
//! functions, the arguments the public functions pass on, the value's and the adjoints' types,
//! and the two generic bodies.

use proc_macro2::TokenStream;
use quote::quote;

use super::lists::{self, Lists};
use super::signatures::Signatures;
use crate::emit::Cx;
use crate::ir::{Func, Shape, VarId};

/// The shared state of the namespace's builders.
pub(super) struct Parts<'a> {
    pub sigs: &'a Signatures,
    pub item: &'a syn::ItemFn,
    pub cx: &'a Cx<'a>,
    /// `<'a, __S: Scalar<Base = f64>, T, ..>`: the generics of `__jvp`, `__vjp`, `__call`.
    pub generic_decl: TokenStream,
    /// `<'a, T, ..>`: the user's generics, those of the public functions.
    pub wrapper_generics: TokenStream,
    /// The generic functions' parameters (tangents and adjoint buffers of `__S`).
    pub generic: Lists,
    /// Slices' adjoint buffers cut to the slices' lengths at the entry of `__vjp`.
    pub bar_lens: Vec<TokenStream>,
    /// The public functions' parameters (matrices keep their shape).
    pub public: Lists,
    /// What the public functions pass to the generic ones (matrices flattened).
    pub forwarded: Lists,
    /// The value's type in the generic and in the public functions.
    pub out_s: TokenStream,
    pub out_f: TokenStream,
    /// What `__vjp` and `vjp` return: the value, then the scalars' adjoints.
    pub gvjp_ret: TokenStream,
    pub vjp_ret: TokenStream,
    /// The type of `vjp`'s seed: a float, or `&[float; M]` for functions returning arrays.
    pub seed_ty: TokenStream,
    /// The function returns `[float; M]`.
    pub array_out: bool,
    /// The function returns nothing (it writes into output buffers).
    pub unit: bool,
    /// The bodies of `__jvp` and `__vjp`.
    pub fwd_body: TokenStream,
    pub rev_body: TokenStream,
    /// The bodies are the fallback's stubs (the macro reported errors).
    pub stub: bool,
    /// The reverse mode stores on the heap (see `Signatures::namespace_with`).
    pub heap: bool,
    /// Some active parameter is a slice.
    pub slices: bool,
    /// The reverse body reads an adjoint mode (`emit::adjoint_mode`): `__vjp_w` takes it, and
    /// `grad`/`grad_into` overwrite their buffers through it.
    pub overwrite: bool,
}

impl<'a> Parts<'a> {
    pub fn new(
        sigs: &'a Signatures,
        item: &'a syn::ItemFn,
        cx: &'a Cx<'a>,
        bodies: Option<(TokenStream, TokenStream)>,
        heap: bool,
    ) -> Self {
        let func = cx.func;
        let (s, ft) = (&cx.s, &cx.ft);
        let (s_ts, ft_ts) = (quote!(#s), quote!(#ft));
        let (fwd_body, rev_body) = match bodies {
            Some((f, r)) => (f, r),
            None => {
                let p = quote!(::core::panic!(
                    "`#[differentiable]` reported an error for this function"
                ));
                (p.clone(), p)
            }
        };
        // The public functions forward to the generic ones; stubs just panic (never run: the
        // crate does not compile), so that only the real errors are reported.
        let stub = bodies_missing(&fwd_body);
        let overwrite = crate::emit::mentions(&rev_body, &crate::emit::adjoint_mode()) > 0;
        let seed_ty = match &func.ret_len {
            Some(m) => quote!(&[#ft; #m]),
            None => quote!(#ft),
        };
        let slices = func
            .params
            .iter()
            .any(|p| func.vars[p.var].active && matches!(func.vars[p.var].shape, Shape::SliceRef));
        Parts {
            sigs,
            item,
            cx,
            generic_decl: generic_decl(item, cx),
            wrapper_generics: {
                let params = &item.sig.generics.params;
                quote!(<#params>)
            },
            generic: lists::generic(cx),
            bar_lens: lists::bar_lens(cx),
            public: lists::public(sigs, cx),
            forwarded: lists::forwarded(sigs, cx),
            out_s: out_ty(func, &s_ts),
            out_f: out_ty(func, &ft_ts),
            gvjp_ret: ret_shape(cx, &s_ts),
            vjp_ret: ret_shape(cx, &ft_ts),
            seed_ty,
            array_out: func.ret_len.is_some(),
            unit: func.unit,
            fwd_body,
            rev_body,
            stub,
            heap,
            slices,
            overwrite,
        }
    }

    /// `t` behind the facade's `alloc` feature when `needed`.
    pub fn if_alloc(&self, t: TokenStream, needed: bool) -> TokenStream {
        let k = self.cx.krate;
        if needed && !t.is_empty() {
            quote!(#k::__private::if_alloc! { #t })
        } else {
            t
        }
    }

    /// The active parameters for the docs: "`x`, `y`".
    pub fn active_list(&self) -> String {
        let active_names: Vec<String> = self
            .cx
            .active
            .iter()
            .map(|&i| format!("`{}`", self.sigs.names[i]))
            .collect();
        active_names.join(", ")
    }

    /// The variables of the active parameters, in order.
    pub fn active_vars(&self) -> Vec<VarId> {
        lists::active_vars(self.cx)
    }
}

/// Whether the bodies are the fallback's stubs.
fn bodies_missing(body: &TokenStream) -> bool {
    body.to_string()
        .contains("reported an error for this function")
}

/// The user's generics with the scalar parameter `__S` after the lifetimes.
fn generic_decl(item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    generic_decl_with(item, cx, None)
}

/// [`generic_decl`] with `extra` last (the adjoint mode of `__vjp_w`).
pub(super) fn generic_decl_with(
    item: &syn::ItemFn,
    cx: &Cx,
    extra: Option<TokenStream>,
) -> TokenStream {
    let (k, s, ft) = (cx.krate, &cx.s, &cx.ft);
    let (lifetimes, others): (Vec<_>, Vec<_>) = item
        .sig
        .generics
        .params
        .iter()
        .partition(|p| matches!(p, syn::GenericParam::Lifetime(_)));
    let extra = extra.into_iter();
    quote!(<#(#lifetimes,)* #s: #k::__private::Scalar<Base = #ft>, #(#others,)* #(#extra)*>)
}

/// The value's type, of `t`: a float, or `[float; M]` for functions returning arrays.
fn out_ty(func: &Func, t: &TokenStream) -> TokenStream {
    match &func.ret_len {
        _ if func.unit => quote!(()),
        Some(m) => quote!([#t; #m]),
        None => quote!(#t),
    }
}

/// The value, then the scalars' adjoints (a tuple of them when there are several).
fn ret_shape(cx: &Cx, t: &TokenStream) -> TokenStream {
    let v = out_ty(cx.func, t);
    match (cx.active_scalars().len(), cx.func.unit) {
        (0, _) => v,
        (1, true) => quote!(#t),
        (1, false) => quote!((#v, #t)),
        (n, unit) => {
            let ts = (0..n).map(|_| t.clone());
            if unit {
                quote!((#(#ts),*))
            } else {
                quote!((#v, (#(#ts),*)))
            }
        }
    }
}
