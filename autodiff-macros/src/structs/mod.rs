//! Active struct parameters: `#[differentiable(wrt(m))] fn loss(m: &Mlp, ..)` where `Mlp`
//! derives `Differentiable`.
//!
//! The attribute cannot see the struct's definition, so the struct is flattened: the function is
//! differentiated as if `m` were `&[f; <Mlp as Differentiable>::DIM]`, with field reads rewritten
//! to offsets the derive provides as constants (`m.w1[i][j]` becomes
//! `m[Mlp::__AD_OFF_w1 + i * Mlp::__AD_COLS_w1 + j]`, `&m.b1` the sub-slice of `b1`, `m.w1.len()`
//! `Mlp::__AD_ROWS_w1`). Every generated entry point that takes the flat array is renamed
//! `__flat_X` and wrapped by `X` taking and returning the struct (`grad` returns the gradient
//! as an `Mlp`, `vjp` adds into a `&mut Mlp`, `jvp`/`hvp` take an `&Mlp` direction); the
//! flattened forms stay for `objective` and the Hessian's rows and columns.
//!
//! [`fields`] rewrites the field reads, [`wrap`] puts the struct-typed entry points around the
//! flat ones, [`passive`] passes the whole struct to functions reading its passive fields,
//! [`sig`] reads the signature.

mod fields;
mod flat_calls;
mod literals;
mod passive;
mod rows;
mod sig;
mod wrap;

use fields::Fields;
use sig::{flat_ty, float_type, is_struct, param_names, takes_struct, wrt_names};
pub use sig::{is_flat_len, is_flat_struct, whole_target};
use wrap::rewrap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

/// Methods of slices that iterator chains start from.
const SLICE_METHODS: [&str; 5] = ["iter", "into_iter", "windows", "chunks", "chunks_exact"];

/// A struct parameter named in `wrt(..)`, or a local built with a struct literal
/// ([`literals`]): flattened into an array of its active fields.
#[derive(Clone)]
struct StructParam {
    name: Ident,
    ty: syn::Type,
    /// A local (an array value) rather than a parameter (a reference to one).
    local: bool,
    /// Its type's fields that are structs (from the derive, once asked; see [`crate::layout`]).
    nested: Vec<String>,
    /// Its type's `Vec` fields (likewise): the parameter is then flattened into a slice.
    vecs: Vec<String>,
    /// A parameter of a generic function: flattened into a slice too.
    generic: bool,
}

impl StructParam {
    /// Whether its size is known at run time only (its type has `Vec` fields).
    fn dynamic(&self) -> bool {
        !self.vecs.is_empty() || self.generic
    }

    /// Its flattened type: `[f; <T as Differentiable>::DIM]`, or `[f]` (see [`Self::dynamic`]).
    fn flat_ty(&self, ft: &Ident, k: &syn::Path) -> syn::Type {
        if self.dynamic() {
            let span = self.ty.span();
            return syn::parse_quote_spanned!(span=> [#ft]);
        }
        flat_ty(&self.ty, ft, k)
    }
}

/// The expansion of `item` if it has active struct parameters, else `None`.
pub fn expand(
    attr: &TokenStream,
    item: &syn::ItemFn,
    block_krate: Option<&syn::Path>,
) -> Option<TokenStream> {
    let original = item;
    let wrt = wrt_names(attr);
    // The active parameters: as `wrt(..)` says, or all of them.
    let active: Vec<Ident> = match &wrt {
        Some(w) => w.clone(),
        None => param_names(&item.sig),
    };
    // `-> T` for a struct `T`: returned flattened (see `literals::returned`).
    // (Not a generic parameter `T`, and only with a float in the signature: `-> Real` may be an
    // alias of `f64`, which the function's own checks explain.)
    let generic = |t: &syn::Type| {
        item.sig
            .generics
            .type_params()
            .any(|g| matches!(t, syn::Type::Path(p) if p.path.is_ident(&g.ident)))
    };
    let output = match &item.sig.output {
        syn::ReturnType::Type(_, t)
            if is_struct(t)
                && !generic(t)
                && (float_type(item).is_some() || takes_struct(item)) =>
        {
            Some((**t).clone())
        }
        _ => None,
    };
    let mut work = item.clone();
    if output.is_some() {
        literals::returned(&mut work.block);
    }
    let item = &work;
    let wrt = wrt.unwrap_or_default();
    let params = struct_params(&item.sig, &wrt);
    // The passive and struct fields of the parameters' types: from the derive, which the
    // attribute asks first (see `crate::layout`; this expansion is then discarded).
    let passive = passive::of_params(&params)?;
    let krate = match block_krate {
        Some(k) => k.clone(),
        None => crate::args::facade_path(),
    };
    let locals = literals::find(&item.block, &active, &params, &krate);
    let layouts: Vec<_> = passive
        .into_iter()
        .chain(passive::of_locals(&locals)?)
        .collect();
    let (mut params, mut locals) = (params, locals);
    for p in params.iter_mut().chain(locals.iter_mut()) {
        if let Some((_, l)) = layouts.iter().find(|(m, _)| *m == p.name) {
            p.nested = l.nested.clone();
            p.vecs = l.vecs.clone();
        }
    }
    // In a generic function the struct's size may depend on the generic parameters, which
    // array lengths cannot name: it is flattened into a slice.
    let generic = !item.sig.generics.params.is_empty();
    for p in params.iter_mut() {
        p.generic = generic;
    }
    let (params, locals) = (params, locals);
    // A struct with `Vec` fields is only taken, never built: its size is the caller's.
    // (Nor in a generic function yet, where its array would need a length naming the
    // parameters.)
    let built = locals.iter().map(|l| l.name.span());
    let returned = output.as_ref().map(|_| original.sig.fn_token.span);
    if let Some(at) = built.chain(returned).find(|_| generic) {
        let err = syn::Error::new(
            at,
            "`#[differentiable]` does not build or return a struct inside a generic function or `impl` block yet (its flattened array's length would name the generic parameters): compute the fields as local values and arrays, or write this function for the concrete type",
        )
        .to_compile_error();
        return Some(quote!(#original #err));
    }
    if let Some(l) = locals.iter().find(|l| l.dynamic()) {
        let err = syn::Error::new_spanned(
            &l.ty,
            format!(
                "`#[differentiable]` does not build a struct with `Vec` fields (`{}`) inside a function it differentiates (its size is known at run time only): take it as a parameter, or compute the fields as local values and arrays",
                l.ty.to_token_stream()
            ),
        )
        .to_compile_error();
        return Some(quote!(#original #err));
    }
    let same_type = match check_locals(&params, &locals) {
        Ok(t) => t,
        Err(e) => {
            let err = e.to_compile_error();
            return Some(quote!(#original #err));
        }
    };
    if params.is_empty() && locals.is_empty() && output.is_none() {
        return None;
    }
    // Const generic parameters only (`fn loss<const H: usize>(m: &Mlp<H>, ..)`): a type
    // parameter would make the struct's float type generic too.
    let not_const =
        (item.sig.generics.params.iter()).find(|g| matches!(g, syn::GenericParam::Type(_)));
    if let Some(g) = not_const {
        let err = syn::Error::new_spanned(
            g,
            "`#[differentiable]` supports struct parameters in functions with const generic parameters (`<const H: usize>`), not type parameters; write the function for the concrete struct type",
        )
        .to_compile_error();
        return Some(quote!(#original #err));
    }
    let (ft, checked) = float_of(item, &params, output.as_ref(), &krate);
    let (flat, reads, calls) = match flattened(
        item,
        &params,
        &locals,
        &layouts,
        output.as_ref(),
        &ft,
        &krate,
    ) {
        Ok(f) => f,
        Err(errors) => {
            let errors = errors.iter().map(syn::Error::to_compile_error);
            return Some(quote!(#original #(#errors)*));
        }
    };
    let tokens = crate::expand::expand_fn(attr.clone(), flat.clone(), block_krate);
    let file: syn::File = match syn::parse2(tokens.clone()) {
        Ok(f) => f,
        Err(_) => return Some(tokens),
    };
    let all: Vec<StructParam> = params.iter().chain(&locals).cloned().collect();
    // The user's function as written (not with its returned literal bound to a local).
    let src = wrap::Source {
        item: original,
        flat: &flat,
        active: &active,
    };
    let mut out = rewrap(file, &src, &all, output.as_ref(), &ft, &krate);
    out.extend(checked);
    out.extend(same_type);
    out.extend(passive::reads_passive_checks(
        &item.sig.ident,
        reads,
        &calls,
    ));
    if let Some(t) = &output {
        out.extend(result_impl(original, t, block_krate.is_some(), &krate));
    }
    Some(out)
}

/// The struct parameters named in `wrt`: `m: &T` for a struct `T`.
fn struct_params(sig: &syn::Signature, wrt: &[Ident]) -> Vec<StructParam> {
    sig.inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(t) => {
                let syn::Pat::Ident(pi) = &*t.pat else {
                    return None;
                };
                let syn::Type::Reference(r) = &*t.ty else {
                    return None;
                };
                (wrt.contains(&pi.ident) && r.mutability.is_none() && is_struct(&r.elem)).then(
                    || StructParam {
                        name: pi.ident.clone(),
                        ty: (*r.elem).clone(),
                        local: false,
                        nested: Vec::new(),
                        vecs: Vec::new(),
                        generic: false,
                    },
                )
            }
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

/// Checks the struct locals: one built under a struct parameter's name, or two of different
/// types under one name, is an error (the field reads could not tell them apart). Gives the
/// compile-time checks for types found through callees.
fn check_locals(params: &[StructParam], locals: &[StructParam]) -> syn::Result<TokenStream> {
    // (A type found through a callee, `<f as StructResult>::Ty`, may be the same type written
    // otherwise: that is checked at compile time instead.)
    let ty_of = |p: &StructParam| p.ty.to_token_stream().to_string();
    let found = |p: &StructParam| ty_of(p).contains("Result");
    let mut same_type = TokenStream::new();
    for (i, l) in locals.iter().enumerate() {
        for e in locals[..i]
            .iter()
            .filter(|e| e.name == l.name && ty_of(e) != ty_of(l))
        {
            if found(e) || found(l) {
                let (a, b, span) = (&e.ty, &l.ty, l.name.span());
                same_type.extend(quote_spanned!(span=> const _: fn(#a) -> #b = |v| v;));
            }
        }
    }
    let clash = locals.iter().enumerate().find(|(i, l)| {
        params.iter().any(|p| p.name == l.name)
            || locals[..*i]
                .iter()
                .any(|e| e.name == l.name && ty_of(e) != ty_of(l) && !found(e) && !found(l))
    });
    if let Some((_, l)) = clash {
        return Err(syn::Error::new_spanned(
            &l.name,
            format!(
                "`#[differentiable]` does not support a struct bound here under the name `{}` of a struct parameter or of a struct of another type; give it another name",
                l.name
            ),
        ));
    }
    Ok(same_type)
}

/// The function's float type, and the checks that go with it: without a float in the signature
/// (`fn scaled(p: &Pose) -> Pose`), a struct parameter's (from the derive, see
/// [`crate::layout`]), checked against the other structs' own, or else `f64`, checked likewise.
fn float_of(
    item: &syn::ItemFn,
    params: &[StructParam],
    output: Option<&syn::Type>,
    krate: &syn::Path,
) -> (Ident, TokenStream) {
    let of_struct = params
        .iter()
        .find_map(|p| crate::layout::layout(&p.ty).and_then(|l| l.float));
    match float_type(item) {
        Some(ft) => (ft, TokenStream::new()),
        None if of_struct.is_some() => {
            let ft = Ident::new(&of_struct.unwrap_or_default(), Span::call_site());
            let tys = params.iter().map(|p| &p.ty).chain(output);
            let checks = tys.map(|t| {
                let span = t.span();
                quote_spanned! {span=>
                    const _: fn(<#t as #krate::Differentiable>::Float) -> #ft = |v| v;
                }
            });
            let checks = quote!(#(#checks)*);
            (ft, checks)
        }
        None => {
            let ft = Ident::new("f64", Span::call_site());
            let tys = params.iter().map(|p| &p.ty).chain(output);
            let checks = tys.map(|t| {
                let span = t.span();
                quote_spanned! {span=>
                    const _: () = #krate::__private::signature_float::<<#t as #krate::Differentiable>::Float>();
                }
            });
            (ft, quote!(#(#checks)*))
        }
    }
}

/// How callers that bind the result without its type find it (see `literals::results`):
/// `StructResult` for a free function's item, `MethodResult<h>` on the type of a method's
/// `self` (associated functions without `self`: none, their callers write the type).
fn result_impl(item: &syn::ItemFn, t: &syn::Type, in_impl: bool, k: &syn::Path) -> TokenStream {
    let name = &item.sig.ident;
    if !in_impl {
        return quote! {
            impl #k::__private::StructResult for #name {
                type Ty = #t;
            }
        };
    }
    let this = item.sig.inputs.first().and_then(|a| match a {
        syn::FnArg::Typed(pt) => match (&*pt.pat, &*pt.ty) {
            (syn::Pat::Ident(pi), syn::Type::Reference(r)) if pi.ident == "__self" => {
                Some((*r.elem).clone())
            }
            (syn::Pat::Ident(pi), ty) if pi.ident == "__self" => Some(ty.clone()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    });
    let Some(this) = this else {
        return TokenStream::new();
    };
    let h = crate::derive::field_hash(&name.to_string());
    quote! {
        impl #k::__private::MethodResult<#h> for #this {
            type Ty = #t;
        }
    }
}

/// The function with its struct parameters flattened and their field reads rewritten.
fn flattened(
    item: &syn::ItemFn,
    params: &[StructParam],
    locals: &[StructParam],
    layouts: &[(Ident, crate::layout::Layout)],
    output: Option<&syn::Type>,
    ft: &Ident,
    k: &syn::Path,
) -> Result<(syn::ItemFn, bool, Vec<passive::StructCall>), Vec<syn::Error>> {
    let mut flat = item.clone();
    if let (Some(t), syn::ReturnType::Type(_, ret)) = (output, &mut flat.sig.output) {
        **ret = flat_ty(t, ft, k);
    }
    for a in &mut flat.sig.inputs {
        let syn::FnArg::Typed(t) = a else { continue };
        let syn::Pat::Ident(pi) = &*t.pat else {
            continue;
        };
        if let Some(p) = params.iter().find(|p| p.name == pi.ident) {
            let fty = p.flat_ty(ft, k);
            *t.ty = syn::parse_quote!(&#fty);
        }
    }
    let all: Vec<StructParam> = params.iter().chain(locals).cloned().collect();
    let errors = literals::build(&mut flat, locals, &all, ft, k);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut fields = Fields {
        params: &all,
        errors: Vec::new(),
        krate: k.clone(),
        layouts,
        reads_passive: false,
        struct_calls: Vec::new(),
    };
    fields.visit_block_mut(&mut flat.block);
    if !fields.errors.is_empty() {
        return Err(fields.errors);
    }
    passive::insert_wholes(&mut flat, params, k);
    Ok((flat, fields.reads_passive, fields.struct_calls))
}
