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

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

/// A struct parameter named in `wrt(..)`.
struct StructParam {
    name: Ident,
    ty: syn::Type,
}

/// The expansion of `item` if it has active struct parameters, else `None`.
pub fn expand(
    attr: &TokenStream,
    item: &syn::ItemFn,
    block_krate: Option<&syn::Path>,
) -> Option<TokenStream> {
    let wrt = wrt_names(attr)?;
    let params: Vec<StructParam> = item
        .sig
        .inputs
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
                    },
                )
            }
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    if params.is_empty() {
        return None;
    }
    let krate = match block_krate {
        Some(k) => k.clone(),
        None => crate::args::facade_path(),
    };
    if !item.sig.generics.params.is_empty() {
        let err = syn::Error::new_spanned(
            &item.sig.generics,
            "`#[differentiable]` supports struct parameters in functions without generic parameters (yet); write the function for the concrete struct type",
        )
        .to_compile_error();
        return Some(quote!(#item #err));
    }
    let Some(ft) = float_type(item) else {
        let err = syn::Error::new_spanned(
            &item.sig.output,
            "`#[differentiable]` with a struct parameter needs the float type in the signature: return `f64` or `f32`",
        )
        .to_compile_error();
        return Some(quote!(#item #err));
    };
    let flat = flattened(item, &params, &ft, &krate);
    let tokens = crate::expand::expand_fn(attr.clone(), flat.clone(), block_krate);
    let file: syn::File = match syn::parse2(tokens.clone()) {
        Ok(f) => f,
        Err(_) => return Some(tokens),
    };
    Some(rewrap(file, item, &flat, &params, &ft, &krate))
}

/// The names in `wrt(..)`, if the attribute has them.
fn wrt_names(attr: &TokenStream) -> Option<Vec<Ident>> {
    let mut cx = crate::ctxt::Ctxt::default();
    crate::args::parse(attr.clone(), &mut cx).wrt
}

/// A named type that is not a float, integer, `Vec`, array or slice: a struct.
fn is_struct(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    if p.qself.is_some() {
        return false;
    }
    let last = p.path.segments.last().map(|s| s.ident.to_string());
    !matches!(
        last.as_deref(),
        Some(
            "f64" | "f32" | "Vec" | "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "i8"
                | "i16" | "i32" | "i64" | "bool" | "str" | "String"
        ) | None
    )
}

/// The function's float type: its return type, or a float parameter's.
fn float_type(item: &syn::ItemFn) -> Option<Ident> {
    let mut found = None;
    let mut look = |ty: &syn::Type| {
        for tt in ty.to_token_stream() {
            if let proc_macro2::TokenTree::Ident(i) = tt {
                if found.is_none() && (i == "f64" || i == "f32") {
                    found = Some(i);
                }
            }
        }
    };
    if let syn::ReturnType::Type(_, t) = &item.sig.output {
        look(t);
    }
    for a in &item.sig.inputs {
        if let syn::FnArg::Typed(t) = a {
            look(&t.ty);
        }
    }
    found
}

/// `[f; <T as Differentiable>::DIM]`.
fn flat_ty(ty: &syn::Type, ft: &Ident, k: &syn::Path) -> syn::Type {
    syn::parse_quote!([#ft; <#ty as #k::Differentiable>::DIM])
}

/// The function with its struct parameters flattened and their field reads rewritten.
fn flattened(
    item: &syn::ItemFn,
    params: &[StructParam],
    ft: &Ident,
    k: &syn::Path,
) -> syn::ItemFn {
    let mut flat = item.clone();
    for a in &mut flat.sig.inputs {
        let syn::FnArg::Typed(t) = a else { continue };
        let syn::Pat::Ident(pi) = &*t.pat else { continue };
        if let Some(p) = params.iter().find(|p| p.name == pi.ident) {
            let fty = flat_ty(&p.ty, ft, k);
            *t.ty = syn::parse_quote!(&#fty);
        }
    }
    let mut fields = Fields {
        params,
        errors: Vec::new(),
    };
    fields.visit_block_mut(&mut flat.block);
    if !fields.errors.is_empty() {
        let errors = fields.errors.iter().map(syn::Error::to_compile_error);
        flat.block.stmts.insert(0, syn::parse_quote!({ #(#errors)* }));
    }
    flat
}

/// Rewrites `m.f`, `m.f[i]`, `m.f[i][j]`, `&m.f`, `&m.f[i]`, `m.f.len()`, `m.f[i].len()`.
struct Fields<'p> {
    params: &'p [StructParam],
    errors: Vec<syn::Error>,
}

impl Fields<'_> {
    /// `(param, type, field key)` if `e` is `m.f` for a struct parameter `m`.
    fn field<'e>(&self, e: &'e syn::Expr) -> Option<(&Ident, &syn::Type, String, &'e syn::ExprField)> {
        let syn::Expr::Field(f) = crate::lower::strip_parens(e) else {
            return None;
        };
        let syn::Expr::Path(base) = crate::lower::strip_parens(&f.base) else {
            return None;
        };
        let id = base.path.get_ident()?;
        let p = self.params.iter().find(|p| p.name == *id)?;
        let key = match &f.member {
            syn::Member::Named(n) => n.to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        };
        Some((&p.name, &p.ty, key, f))
    }

    fn konst(ty: &syn::Type, what: &str, key: &str, span: Span) -> syn::Expr {
        let c = format_ident!("__AD_{}_{}", what, key, span = span);
        syn::parse_quote_spanned!(span=> <#ty>::#c)
    }

    /// The rewritten form of `e`, if it is one of the field forms.
    fn rewrite(&self, e: &syn::Expr) -> Option<syn::Expr> {
        use crate::lower::strip_parens;
        match strip_parens(e) {
            // `m.f.len()`, `m.f[i].len()`.
            syn::Expr::MethodCall(mc) if mc.method == "len" && mc.args.is_empty() => {
                if let Some((_, ty, key, f)) = self.field(&mc.receiver) {
                    return Some(Self::konst(ty, "ROWS", &key, f.member.span()));
                }
                if let syn::Expr::Index(ix) = strip_parens(&mc.receiver) {
                    if let Some((_, ty, key, f)) = self.field(&ix.expr) {
                        return Some(Self::konst(ty, "COLS", &key, f.member.span()));
                    }
                }
                None
            }
            // `&m.f`, `&m.f[i]`: views for helpers.
            syn::Expr::Reference(r) if r.mutability.is_none() => {
                if let Some((m, ty, key, f)) = self.field(&r.expr) {
                    let span = f.member.span();
                    let (off, len) = (
                        Self::konst(ty, "OFF", &key, span),
                        Self::konst(ty, "LEN", &key, span),
                    );
                    return Some(syn::parse_quote_spanned!(span=> &#m[#off..#off + #len]));
                }
                if let syn::Expr::Index(ix) = strip_parens(&r.expr) {
                    if let Some((m, ty, key, f)) = self.field(&ix.expr) {
                        let span = f.member.span();
                        let (off, cols) = (
                            Self::konst(ty, "OFF", &key, span),
                            Self::konst(ty, "COLS", &key, span),
                        );
                        let i = &ix.index;
                        return Some(syn::parse_quote_spanned!(span=>
                            &#m[#off + (#i) * #cols..#off + ((#i) + 1) * #cols]));
                    }
                }
                None
            }
            syn::Expr::Index(outer) => {
                // `m.f[i][j]`.
                if let syn::Expr::Index(inner) = strip_parens(&outer.expr) {
                    if let Some((m, ty, key, f)) = self.field(&inner.expr) {
                        let span = f.member.span();
                        let (off, cols) = (
                            Self::konst(ty, "OFF", &key, span),
                            Self::konst(ty, "COLS", &key, span),
                        );
                        let (i, j) = (&inner.index, &outer.index);
                        return Some(
                            syn::parse_quote_spanned!(span=> #m[#off + (#i) * #cols + (#j)]),
                        );
                    }
                }
                // `m.f[i]`.
                if let Some((m, ty, key, f)) = self.field(&outer.expr) {
                    let span = f.member.span();
                    let off = Self::konst(ty, "OFF", &key, span);
                    let i = &outer.index;
                    return Some(syn::parse_quote_spanned!(span=> #m[#off + (#i)]));
                }
                None
            }
            // `m.f`: a scalar field.
            syn::Expr::Field(_) => {
                let (m, ty, key, f) = self.field(e)?;
                let span = f.member.span();
                let off = Self::konst(ty, "OFF", &key, span);
                Some(syn::parse_quote_spanned!(span=> #m[#off]))
            }
            _ => None,
        }
    }
}

impl VisitMut for Fields<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let Some(mut new) = self.rewrite(e) {
            // Indices may hold field reads too (`m.w[k][m.n]` is not supported, but `m.b[i]`
            // inside an index is).
            syn::visit_mut::visit_expr_mut(self, &mut new);
            *e = new;
            return;
        }
        // A field of a field: nested structs are flattened as a whole only.
        if let syn::Expr::Field(f) = e {
            if self.field(&f.base).is_some() {
                self.errors.push(syn::Error::new_spanned(
                    &f.member,
                    "`#[differentiable]` reads fields of a struct parameter one level deep (`m.w[i]`); pass the inner struct to a `#[differentiable(wrt(..))]` helper, or copy the value into a local first",
                ));
                return;
            }
        }
        // Writes to an active struct's fields.
        if let syn::Expr::Assign(a) = e {
            if self.field(&a.left).is_some() {
                self.errors.push(syn::Error::new_spanned(
                    &a.left,
                    "`#[differentiable]` struct parameters are read-only; copy the field into a local",
                ));
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// The free function's expansion with the user's function put back and every entry point with a
/// flat struct parameter renamed `__flat_X` and wrapped by a struct-typed `X`.
fn rewrap(
    file: syn::File,
    item: &syn::ItemFn,
    flat: &syn::ItemFn,
    params: &[StructParam],
    ft: &Ident,
    k: &syn::Path,
) -> TokenStream {
    let name = &item.sig.ident;
    let flat_tys: Vec<syn::Type> = params.iter().map(|p| flat_ty(&p.ty, ft, k)).collect();
    // Entry points to rename: public items of the namespace taking a flat struct.
    let mut renamed: Vec<Ident> = Vec::new();
    for it in &file.items {
        if let syn::Item::Impl(i) = it {
            if i.trait_.is_none() && is_named(&i.self_ty, name) {
                for f in &i.items {
                    if let syn::ImplItem::Fn(f) = f {
                        let n = f.sig.ident.to_string();
                        if !n.starts_with("__") && takes_flat(&f.sig, &flat_tys) {
                            renamed.push(f.sig.ident.clone());
                        }
                    }
                }
            }
        }
    }
    let mut rw = Rename {
        name: name.clone(),
        renamed: renamed.clone(),
    };
    let mut out = Vec::new();
    let mut flat_primal = flat.clone();
    flat_primal.sig.ident = format_ident!("__flat");
    flat_primal.vis = item.vis.clone();
    flat_primal.attrs = vec![syn::parse_quote!(#[doc(hidden)])];
    let mut added = false;
    for it in file.items {
        match it {
            syn::Item::Fn(f) if f.sig.ident == *name => out.push(item.to_token_stream()),
            syn::Item::Impl(mut i) if is_named(&i.self_ty, name) && i.trait_.is_none() => {
                let mut wrappers = Vec::new();
                for f in &mut i.items {
                    if let syn::ImplItem::Fn(f) = f {
                        if renamed.contains(&f.sig.ident) {
                            wrappers.push(wrapper(f, params, &flat_tys, k));
                            f.sig.ident = format_ident!("__flat_{}", f.sig.ident);
                            f.attrs.retain(|a| !a.path().is_ident("doc"));
                            f.attrs.push(syn::parse_quote!(#[doc(hidden)]));
                        }
                    }
                }
                rw.visit_item_impl_mut(&mut i);
                for w in wrappers {
                    i.items.push(syn::ImplItem::Verbatim(w));
                }
                if !added && !i.items.is_empty() {
                    added = true;
                    i.items.push(syn::ImplItem::Verbatim(flat_primal.to_token_stream()));
                }
                out.push(i.into_token_stream());
            }
            mut other => {
                rw.visit_item_mut(&mut other);
                out.push(other.into_token_stream());
            }
        }
    }
    quote!(#(#out)*)
}

fn is_named(ty: &syn::Type, name: &Ident) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(name))
}

/// Whether a parameter's type is (a reference to) one of the flat struct arrays.
fn takes_flat(sig: &syn::Signature, flat_tys: &[syn::Type]) -> bool {
    sig.inputs.iter().any(|a| match a {
        syn::FnArg::Typed(t) => flat_index(&t.ty, flat_tys).is_some(),
        _ => false,
    })
}

/// `Some((k, mutable))` if `ty` is `&[f; DIM_k]` / `&mut [f; DIM_k]`.
fn flat_index(ty: &syn::Type, flat_tys: &[syn::Type]) -> Option<(usize, bool)> {
    let syn::Type::Reference(r) = ty else {
        return None;
    };
    let s = r.elem.to_token_stream().to_string();
    flat_tys
        .iter()
        .position(|f| f.to_token_stream().to_string() == s)
        .map(|k| (k, r.mutability.is_some()))
}

/// `f(..)` becomes `f::__flat(..)` and `f::X`/`Self::X` become `__flat_X` for renamed `X`.
struct Rename {
    name: Ident,
    renamed: Vec<Ident>,
}

impl VisitMut for Rename {
    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        let segs = &mut e.path.segments;
        if e.qself.is_none() && segs.len() == 1 && segs[0].ident == self.name {
            let n = &self.name;
            *e = syn::parse_quote!(#n::__flat);
            return;
        }
        if e.qself.is_none() && segs.len() == 2 {
            let first = segs[0].ident.to_string();
            if (first == "Self" || segs[0].ident == self.name) && self.renamed.contains(&segs[1].ident) {
                segs[1].ident = format_ident!("__flat_{}", segs[1].ident);
                return;
            }
        }
        syn::visit_mut::visit_expr_path_mut(self, e);
    }
}

/// `X(args..)` over structs around `__flat_X`: struct arguments flattened into arrays on the
/// stack, `&mut` ones written back (an adjoint added into), flat results turned into structs.
fn wrapper(
    f: &syn::ImplItemFn,
    params: &[StructParam],
    flat_tys: &[syn::Type],
    k: &syn::Path,
) -> TokenStream {
    let mut sig = f.sig.clone();
    let flat_name = format_ident!("__flat_{}", f.sig.ident);
    let mut setup = Vec::new();
    let mut post = Vec::new();
    let mut args = Vec::new();
    // The first struct argument of each type: the template for results of that type.
    let mut templates: Vec<Option<Ident>> = vec![None; params.len()];
    for a in &mut sig.inputs {
        let syn::FnArg::Typed(t) = a else { continue };
        let syn::Pat::Ident(pi) = &*t.pat else { continue };
        let n = pi.ident.clone();
        let Some((i, mutable)) = flat_index(&t.ty, flat_tys) else {
            args.push(quote!(#n));
            continue;
        };
        let ty = &params[i].ty;
        let flat = format_ident!("__{}_flat", n, span = Span::mixed_site());
        let fty = &flat_tys[i];
        setup.push(quote! {
            let mut #flat: #fty = [::core::default::Default::default(); <#ty as #k::Differentiable>::DIM];
            #k::Differentiable::flatten_into(#n, &mut #flat);
        });
        if mutable {
            *t.ty = syn::parse_quote!(&mut #ty);
            args.push(quote!(&mut #flat));
            post.push(quote!(*#n = #k::Differentiable::with_flat(&*#n, &#flat);));
        } else {
            *t.ty = syn::parse_quote!(&#ty);
            args.push(quote!(&#flat));
            if templates[i].is_none() {
                templates[i] = Some(n.clone());
            }
        }
    }
    let result = Ident::new("__result", Span::mixed_site());
    let (ret, conv) = match &mut sig.output {
        syn::ReturnType::Type(_, t) => {
            let conv = convert(t, quote!(#result), flat_tys, params, &templates, k);
            (quote!(), conv)
        }
        syn::ReturnType::Default => (quote!(), quote!(#result)),
    };
    let _ = ret;
    let attrs = f.attrs.iter().filter(|a| a.path().is_ident("doc") || a.path().is_ident("inline"));
    let vis = &f.vis;
    quote! {
        #(#attrs)*
        #vis #sig {
            #(#setup)*
            let #result = Self::#flat_name(#(#args),*);
            #(#post)*
            #conv
        }
    }
}

/// Rewrites the flat struct types in `ty` to the structs and returns the expression that
/// converts `value` (of the old type) to the new one.
fn convert(
    ty: &mut syn::Type,
    value: TokenStream,
    flat_tys: &[syn::Type],
    params: &[StructParam],
    templates: &[Option<Ident>],
    k: &syn::Path,
) -> TokenStream {
    let s = ty.to_token_stream().to_string();
    if let Some(i) = flat_tys
        .iter()
        .position(|f| f.to_token_stream().to_string() == s)
    {
        if let Some(t) = &templates[i] {
            let sty = &params[i].ty;
            *ty = sty.clone();
            return quote!(#k::Differentiable::with_flat(#t, &#value));
        }
        return value;
    }
    if let syn::Type::Tuple(tt) = ty {
        let parts: Vec<TokenStream> = tt
            .elems
            .iter_mut()
            .enumerate()
            .map(|(j, e)| {
                let idx = syn::Index::from(j);
                convert(e, quote!(#value.#idx), flat_tys, params, templates, k)
            })
            .collect();
        return quote!((#(#parts,)*));
    }
    value
}
