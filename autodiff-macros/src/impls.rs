//! `#[differentiable]` on an `impl` block: derivatives of associated functions.
//!
//! A free function's derivatives live in a namespace struct of the same name (`f::grad`), which
//! an `impl` block cannot contain. So for `impl Type { fn f(..) }` each generated item `X` of
//! `f`'s namespace becomes the associated function `Type::f_X` (`Type::f_grad`,
//! `Type::f_jvp`, the hidden `Type::f___call`, ...), in an inherent `impl Type` block next to
//! the user's (which may be a trait impl). Calls between differentiable associated functions
//! (`Self::g(x)`, `Type::g(x)`) reach them through [`crate::emit::callee_item`].
//!
//! The expansion is the free function's, rewritten: its items move into the `impl` block and
//! are renamed, `Self::X` inside them becomes `Self::f_X`, `f::X` becomes `Type::f_X`, the
//! primal `f(..)` becomes `Type::f(..)`, and trait impls written for the namespace struct (the
//! `Objective` adapter) go to a marker struct `__Type_f` outside the block.
//!
//! Which functions: every function with a float in its parameter types, and those marked
//! `#[differentiable]` (whose arguments, like `wrt(..)`, then apply to that function).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::visit_mut::VisitMut;

use crate::ctxt::Ctxt;

/// The associated function holding item `item` of `f`'s derivatives: `f_item`.
pub fn mangled(f: &Ident, item: &Ident) -> Ident {
    format_ident!("{}_{}", f, item, span = f.span())
}

pub fn expand(attr: TokenStream, mut block: syn::ItemImpl) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = crate::args::parse(attr.clone(), &mut cx);
    if cx.has_errors() {
        let errors = cx.to_compile_errors();
        return quote!(#block #errors);
    }
    if let Some(err) = unsupported(&block) {
        let err = err.to_compile_error();
        strip_markers(&mut block);
        return quote!(#block #err);
    }
    let self_ty = (*block.self_ty).clone();
    // Methods of the block (`self.g(..)` calls become `Self::g(self, ..)`).
    let methods: Vec<Ident> = block
        .items
        .iter()
        .filter_map(|i| match i {
            syn::ImplItem::Fn(f) if f.sig.receiver().is_some() => Some(f.sig.ident.clone()),
            _ => None,
        })
        .collect();
    let mut generated = Vec::new();
    let mut outside = Vec::new();
    for item in &block.items {
        let syn::ImplItem::Fn(f) = item else { continue };
        let fn_attr = marker(&f.attrs);
        // Methods: `self` is a parameter too, so a float result is enough.
        let float_method = f.sig.receiver().is_some() && returns_float(&f.sig);
        if fn_attr.is_none() && !has_float_param(&f.sig) && !float_method {
            continue;
        }
        // The function's own arguments, or the block's.
        let fn_args = match fn_attr {
            Some(a) => a,
            None => attr.clone(),
        };
        let mut free = syn::ItemFn {
            attrs: f.attrs.iter().filter(|a| !is_marker(a)).cloned().collect(),
            vis: f.vis.clone(),
            sig: f.sig.clone(),
            block: Box::new(f.block.clone()),
        };
        crate::inline::inline_calls(&mut free, &block);
        let fn_args = match crate::methods::to_function(&mut free, &self_ty, &methods, fn_args) {
            Ok(a) => a,
            Err(e) => {
                outside.push(e.to_compile_error());
                continue;
            }
        };
        // A generic block's parameters are the function's own while it is expanded as a free
        // function, and the block's again once its items move back in (see `split`).
        let block_generics = &block.generics;
        free.sig.generics.params = block_generics
            .params
            .iter()
            .chain(free.sig.generics.params.iter())
            .cloned()
            .collect();
        if let Some(w) = &block_generics.where_clause {
            let own = free.sig.generics.make_where_clause();
            own.predicates.extend(w.predicates.iter().cloned());
        }
        let tokens = crate::expand::expand_fn(fn_args, free, Some(&args.krate));
        let mut file: syn::File = match syn::parse2(tokens.clone()) {
            Ok(file) => file,
            // Not expected; show what there is rather than lose the errors.
            Err(_) => {
                outside.push(tokens);
                continue;
            }
        };
        crate::gated::open(&mut file);
        let mut rw = Rewrite {
            f: f.sig.ident.clone(),
            self_ty: self_ty.clone(),
            trait_: block.trait_.as_ref().map(|t| t.1.clone()),
            marker: format_ident!("__{}_{}", type_name(&self_ty), f.sig.ident),
            names: namespace_names(&file, &f.sig.ident),
            in_marker: false,
            by_value: f.sig.receiver().is_some_and(|r| r.reference.is_none()),
            block_generics: block.generics.params.iter().map(generic_name).collect(),
        };
        split(file, &mut rw, &mut generated, &mut outside);
    }
    strip_markers(&mut block);
    let (impl_generics, _, where_clause) = block.generics.split_for_impl();
    quote! {
        #block

        #[allow(non_snake_case, clippy::all, clippy::pedantic)]
        impl #impl_generics #self_ty #where_clause {
            #(#generated)*
        }

        #(#outside)*
    }
}

/// Why the block cannot be differentiated, if it cannot.
fn unsupported(block: &syn::ItemImpl) -> Option<syn::Error> {
    // Const generic parameters (`impl<const H: usize> Mlp<H>`) are the functions' own while
    // they are expanded (see `expand`); a type parameter would make the float type generic.
    if let Some(g) =
        (block.generics.params.iter()).find(|g| matches!(g, syn::GenericParam::Type(_)))
    {
        return Some(syn::Error::new_spanned(
            g,
            "`#[differentiable]` supports generic `impl` blocks with const parameters (`impl<const H: usize> Mlp<H>`), not type parameters; put the differentiable functions in an `impl` block for the concrete type, or make them free functions",
        ));
    }
    if !matches!(&*block.self_ty, syn::Type::Path(p) if p.qself.is_none()) {
        return Some(syn::Error::new_spanned(
            &block.self_ty,
            "`#[differentiable]` supports `impl` blocks of named types (`impl Model { .. }`)",
        ));
    }
    None
}

/// The arguments of a `#[differentiable(..)]` marker on an associated function.
fn marker(attrs: &[syn::Attribute]) -> Option<TokenStream> {
    attrs.iter().find(|a| is_marker(a)).map(|a| match &a.meta {
        syn::Meta::List(l) => l.tokens.clone(),
        _ => TokenStream::new(),
    })
}

fn is_marker(a: &syn::Attribute) -> bool {
    a.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "differentiable")
}

fn strip_markers(block: &mut syn::ItemImpl) {
    for item in &mut block.items {
        if let syn::ImplItem::Fn(f) = item {
            f.attrs.retain(|a| !is_marker(a));
        }
    }
}

/// Whether a float type appears among the parameters (`f64`, `&[f32]`, `[[f64; 3]; 3]`, ..).
fn has_float_param(sig: &syn::Signature) -> bool {
    sig.inputs.iter().any(|a| match a {
        syn::FnArg::Typed(t) => mentions_float(t.ty.to_token_stream()),
        syn::FnArg::Receiver(_) => false,
    })
}

/// Whether the result type mentions a float (`f64`, `[f32; 3]`, `(f64, f64)`).
fn returns_float(sig: &syn::Signature) -> bool {
    match &sig.output {
        syn::ReturnType::Type(_, t) => mentions_float(t.to_token_stream()),
        syn::ReturnType::Default => false,
    }
}

fn mentions_float(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == "f64" || i == "f32",
        proc_macro2::TokenTree::Group(g) => mentions_float(g.stream()),
        _ => false,
    })
}

/// The type's path as an expression writes it: `Mlp::<H>` for `Mlp<H>`.
pub fn expr_path(ty: &syn::Type) -> syn::Path {
    let syn::Type::Path(p) = ty else {
        return syn::parse_quote!(Self);
    };
    let mut path = p.path.clone();
    for s in &mut path.segments {
        if let syn::PathArguments::AngleBracketed(a) = &mut s.arguments {
            a.colon2_token = Some(Default::default());
        }
    }
    path
}

/// The name of a generic parameter (`H`, `T`, `'a`).
fn generic_name(g: &syn::GenericParam) -> String {
    match g {
        syn::GenericParam::Type(t) => t.ident.to_string(),
        syn::GenericParam::Const(c) => c.ident.to_string(),
        syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
    }
}

/// The last identifier of the implementing type's path (`Model` of `crate::m::Model`).
fn type_name(ty: &syn::Type) -> Ident {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().expect("a path").ident.clone(),
        _ => format_ident!("Type"),
    }
}

/// The names of the items of `f`'s namespace struct in the free function's expansion.
fn namespace_names(file: &syn::File, f: &Ident) -> Vec<Ident> {
    let mut names = Vec::new();
    for item in &file.items {
        if let syn::Item::Impl(i) = item {
            if i.trait_.is_none() && is_ident_type(&i.self_ty, f) {
                for it in &i.items {
                    if let syn::ImplItem::Fn(m) = it {
                        names.push(m.sig.ident.clone());
                    }
                }
            }
        }
    }
    names
}

fn is_ident_type(ty: &syn::Type, name: &Ident) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(name))
}

/// Sorts the free function's expansion: namespace items into the `impl` block (renamed),
/// trait impls for the namespace to the marker struct, errors and the rest outside; the
/// function itself and its namespace struct are dropped (the user's function stays where it
/// is).
fn split(
    file: syn::File,
    rw: &mut Rewrite,
    generated: &mut Vec<TokenStream>,
    outside: &mut Vec<TokenStream>,
) {
    let mut needs_marker = false;
    for item in file.items {
        match item {
            syn::Item::Fn(f) if f.sig.ident == rw.f => {}
            syn::Item::Struct(s) if s.ident == rw.f => {}
            syn::Item::Impl(mut i) if is_ident_type(&i.self_ty, &rw.f) => {
                if i.trait_.is_some() {
                    needs_marker = true;
                    let m = &rw.marker;
                    *i.self_ty = syn::parse_quote!(#m);
                    rw.in_marker = true;
                    rw.visit_item_impl_mut(&mut i);
                    outside.push(crate::gated::close(syn::Item::Impl(i)));
                    continue;
                }
                // The block's attributes (`cfg` gate, lint allowances) go on each item.
                let attrs = i.attrs;
                for it in i.items {
                    // (A constant: `__AD_READS_PASSIVE`, see `structs`.)
                    if let syn::ImplItem::Const(mut c) = it {
                        c.ident = mangled(&rw.f, &c.ident);
                        c.attrs.splice(0..0, attrs.iter().cloned());
                        generated.push(c.to_token_stream());
                        continue;
                    }
                    let syn::ImplItem::Fn(mut m) = it else {
                        continue;
                    };
                    rw.in_marker = false;
                    // The flat value (user code, see `structs`) is left as written.
                    if m.sig.ident != "__flat" {
                        rw.visit_impl_item_fn_mut(&mut m);
                    }
                    m.sig.ident = mangled(&rw.f, &m.sig.ident);
                    // The block's own generic parameters are the block's again.
                    m.sig.generics.params = std::mem::take(&mut m.sig.generics.params)
                        .into_iter()
                        .filter(|g| !rw.block_generics.contains(&generic_name(g)))
                        .collect();
                    crate::methods::to_method(&mut m, &rw.self_ty, rw.by_value);
                    m.attrs.splice(0..0, attrs.iter().cloned());
                    generated.push(crate::gated::close_fn(m));
                }
            }
            mut other => {
                rw.in_marker = true;
                rw.visit_item_mut(&mut other);
                outside.push(crate::gated::close(other));
            }
        }
    }
    if needs_marker {
        let m = &rw.marker;
        outside.push(quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            pub struct #m {}
        });
    }
}

/// Rewrites paths in the moved items (see the module docs).
struct Rewrite {
    f: Ident,
    self_ty: syn::Type,
    trait_: Option<syn::Path>,
    marker: Ident,
    names: Vec<Ident>,
    /// Inside a trait impl for the marker (where `Self` is the marker).
    in_marker: bool,
    /// The method takes `self` by value (its entry points do too).
    by_value: bool,
    /// The names of the block's generic parameters.
    block_generics: Vec<String>,
}

impl Rewrite {
    /// `Type::f`, or `<Type as Trait>::f` when the user's block implements a trait.
    fn primal(&self) -> syn::ExprPath {
        let (ty, f) = (&self.self_ty, &self.f);
        match &self.trait_ {
            Some(t) => syn::parse_quote!(<#ty as #t>::#f),
            None => {
                let ty = expr_path(ty);
                syn::parse_quote!(#ty::#f)
            }
        }
    }

    /// A call's generic arguments without the block's parameters, which the generated items
    /// take from the block (`f::__jvp::<f64, H>` -> `Type::<H>::f___jvp::<f64>`).
    fn own_args(&self, args: &syn::PathArguments) -> syn::PathArguments {
        let syn::PathArguments::AngleBracketed(a) = args else {
            return args.clone();
        };
        let block = |g: &syn::GenericArgument| {
            let name = match g {
                syn::GenericArgument::Type(syn::Type::Path(p)) => p.path.get_ident(),
                syn::GenericArgument::Const(syn::Expr::Path(p)) => p.path.get_ident(),
                _ => None,
            };
            name.is_some_and(|n| self.block_generics.contains(&n.to_string()))
        };
        let mut a = a.clone();
        a.args = a.args.into_iter().filter(|g| !block(g)).collect();
        if a.args.is_empty() {
            return syn::PathArguments::None;
        }
        syn::PathArguments::AngleBracketed(a)
    }

    /// `Type::f_X`.
    fn item_path(&self, x: &Ident) -> syn::Path {
        let ty = expr_path(&self.self_ty);
        let id = mangled(&self.f, x);
        syn::parse_quote!(#ty::#id)
    }
}

impl VisitMut for Rewrite {
    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        let segs = &e.path.segments;
        if e.qself.is_none() && e.path.leading_colon.is_none() && !segs.is_empty() {
            let first = &segs[0].ident;
            // The primal `f(..)`, `f::<N>`.
            if segs.len() == 1 && *first == self.f {
                let args = self.own_args(&segs[0].arguments);
                let mut p = self.primal();
                p.path.segments.last_mut().expect("a path").arguments = args;
                *e = p;
                return;
            }
            // `f::X` and, in the moved items, `Self::X` for X of the namespace.
            let own = *first == self.f || (!self.in_marker && first == "Self");
            if segs.len() == 2 && own && self.names.contains(&segs[1].ident) {
                let args = self.own_args(&segs[1].arguments);
                let mut p = self.item_path(&segs[1].ident);
                p.segments.last_mut().expect("a path").arguments = args;
                *e = syn::parse_quote!(#p);
                return;
            }
        }
        syn::visit_mut::visit_expr_path_mut(self, e);
    }

    fn visit_type_path_mut(&mut self, t: &mut syn::TypePath) {
        // `Bound<Self, ..>` in the namespace's `objective()` names the marker.
        if t.qself.is_none()
            && (t.path.is_ident("Self") && !self.in_marker || t.path.is_ident(&self.f))
        {
            let m = &self.marker;
            *t = syn::parse_quote!(#m);
            return;
        }
        syn::visit_mut::visit_type_path_mut(self, t);
    }
}
