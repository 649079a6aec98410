//! Methods (`&self`, `self`) in a `#[differentiable]` `impl` block.
//!
//! A method is differentiated as the associated function it is: `fn loss(&self, x: f64)`
//! (or `self` by value, which the body only reads)
//! becomes `fn loss(__self: &Type, x: f64)` with `self` renamed in the body and `Self` spelled
//! as the type, so `self` is an ordinary struct parameter ([`crate::structs`]): active by
//! default (the type derives `Differentiable`), or as `wrt(..)` says (`wrt(self, x)`,
//! `wrt(x)` for a passive `self`). The generated entry points that take `__self: &Type` first
//! take the receiver as written again (`&self`, or `self`), so both `m.loss_grad(x)` and
//! `Type::loss_grad(&m, x)` (`Type::loss_grad(m, x)`) work.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};

/// The name `self` gets in the generated function.
fn this() -> Ident {
    Ident::new("__self", Span::call_site())
}

/// Rewrites the method `f` into an associated function and returns the attribute arguments
/// with `self` renamed (and `wrt(__self)` when there is no `wrt`).
pub fn to_function(
    f: &mut syn::ItemFn,
    self_ty: &syn::Type,
    methods: &[Ident],
    args: TokenStream,
) -> syn::Result<TokenStream> {
    // `self.g(..)` for a method `g` of the block: `Self::g(self, ..)`.
    let mut calls = SelfCalls { methods };
    syn::visit_mut::VisitMut::visit_block_mut(&mut calls, &mut f.block);
    let Some(recv) = f.sig.receiver() else {
        return Ok(args);
    };
    if recv.mutability.is_some() || recv.colon_token.is_some() {
        return Err(syn::Error::new_spanned(
            recv,
            "`#[differentiable]` supports methods taking `&self` or `self`; for `&mut self`, `mut self` or `self: Type` write an associated function (a differentiable method only reads `self`)",
        ));
    }
    let this = this();
    let first = f.sig.inputs.first_mut().expect("a receiver");
    *first = syn::parse_quote!(#this: &#self_ty);
    let self_tokens = self_ty_tokens(self_ty);
    let body = replace(f.block.to_token_stream_inner(), &self_tokens);
    *f.block = syn::parse2(quote!({ #body })).map_err(|e| {
        syn::Error::new(
            e.span(),
            "`#[differentiable]` could not rewrite `self` in this method",
        )
    })?;
    // `&self` passed on (`helper(&self)` in a method taking `self`, or `&&Self` coerced in one
    // taking `&self`): `__self` is a reference already, and the generic code it goes to does not
    // coerce `&&T`.
    struct Unref;
    impl syn::visit_mut::VisitMut for Unref {
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            if let syn::Expr::Reference(r) = e {
                if r.mutability.is_none()
                    && matches!(&*r.expr, syn::Expr::Path(p) if p.path.is_ident("__self"))
                {
                    *e = (*r.expr).clone();
                    return;
                }
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
    syn::visit_mut::VisitMut::visit_block_mut(&mut Unref, &mut f.block);
    let sig_tokens = replace(quote::ToTokens::to_token_stream(&f.sig), &self_tokens);
    f.sig = syn::parse2(sig_tokens)?;
    let has_wrt = args
        .clone()
        .into_iter()
        .any(|t| matches!(&t, TokenTree::Ident(i) if i == "wrt"));
    let args = replace(args, &self_tokens);
    Ok(if has_wrt {
        args
    } else if args.is_empty() {
        quote!(wrt(#this), __any_activity)
    } else {
        quote!(wrt(#this), __any_activity, #args)
    })
}

struct SelfCalls<'m> {
    methods: &'m [Ident],
}

impl syn::visit_mut::VisitMut for SelfCalls<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let syn::Expr::MethodCall(mc) = e else { return };
        let on_self = matches!(crate::lower::strip_parens(&mc.receiver), syn::Expr::Path(p) if p.path.is_ident("self"));
        if on_self && self.methods.contains(&mc.method) && mc.turbofish.is_none() {
            let (m, args) = (&mc.method, &mc.args);
            let sep = (!args.is_empty()).then(|| quote!(,));
            *e = syn::parse_quote_spanned!(mc.method.span()=> Self::#m(self #sep #args));
        }
    }
}

trait BlockTokens {
    fn to_token_stream_inner(&self) -> TokenStream;
}

impl BlockTokens for syn::Block {
    /// The statements, without the braces.
    fn to_token_stream_inner(&self) -> TokenStream {
        let stmts = &self.stmts;
        quote!(#(#stmts)*)
    }
}

fn self_ty_tokens(ty: &syn::Type) -> TokenStream {
    ty.to_token_stream()
}

/// `self` -> `__self` and `Self` -> the type, in every token of `tokens`: `<Type>::f` before
/// `::` and `Type::<G> { .. }` before a struct literal's braces, as a generic type
/// (`Mlp<H>`) is written in expressions.
fn replace(tokens: TokenStream, self_ty: &TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        match t {
            TokenTree::Ident(i) if i == "self" => {
                out.push(TokenTree::Ident(Ident::new("__self", i.span())));
            }
            TokenTree::Ident(i) if i == "Self" => {
                // (Only a generic type needs another spelling.)
                let generic = self_ty.to_string().contains('<');
                let next = tokens.get(k + 1);
                let path =
                    generic && matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == ':');
                let literal = generic
                    && matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Brace);
                if path {
                    out.extend(quote!(<#self_ty>));
                } else if literal {
                    out.extend(expr_path(self_ty));
                } else {
                    out.extend(self_ty.clone());
                }
            }
            TokenTree::Group(g) => {
                let mut ng = proc_macro2::Group::new(g.delimiter(), replace(g.stream(), self_ty));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// A type as an expression path writes it (`Mlp::<H>` for `Mlp<H>`), or as it is.
fn expr_path(ty: &TokenStream) -> TokenStream {
    match syn::parse2::<syn::Type>(ty.clone()) {
        Ok(t @ syn::Type::Path(_)) => crate::impls::expr_path(&t).to_token_stream(),
        _ => ty.clone(),
    }
}

/// A generated entry point whose first parameter is `__self: &Type` takes `&self` again, or
/// `self` when the user's method takes `self` by value (`by_value`).
pub fn to_method(m: &mut syn::ImplItemFn, self_ty: &syn::Type, by_value: bool) {
    let Some(syn::FnArg::Typed(first)) = m.sig.inputs.first() else {
        return;
    };
    let syn::Pat::Ident(pi) = &*first.pat else {
        return;
    };
    let ty = self_ty_tokens(self_ty).to_string();
    let is_self = matches!(&*first.ty, syn::Type::Reference(r)
        if r.mutability.is_none() && r.elem.to_token_stream().to_string() == ty);
    if pi.ident != "__self" || !is_self {
        return;
    }
    let lifetime = match &*first.ty {
        syn::Type::Reference(r) => r.lifetime.clone(),
        _ => None,
    };
    let first = m.sig.inputs.first_mut().expect("checked");
    let this = this();
    if by_value {
        *first = syn::parse_quote!(self);
        m.block
            .stmts
            .insert(0, syn::parse_quote!(let #this = &self;));
    } else {
        *first = syn::parse_quote!(&#lifetime self);
        m.block
            .stmts
            .insert(0, syn::parse_quote!(let #this = self;));
    }
}
