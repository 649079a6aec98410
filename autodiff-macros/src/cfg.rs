//! `#[cfg(..)]` and `#[cfg_attr(..)]` inside the body, honoured exactly as rustc does for the
//! function itself.
//!
//! A proc macro cannot evaluate a `cfg` predicate, so the derivatives are generated once per
//! combination of the predicates' values, each variant's items behind
//! `#[cfg(all(p1, not(p2), ..))]`: rustc keeps the one variant that matches the function it
//! compiles. Each variant is the body with the statements (and `match` arms) whose `cfg` is false
//! removed and every `cfg_attr` expanded or dropped, which is what rustc does before type
//! checking.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// At most this many distinct predicates (2^4 = 16 variants).
pub const MAX_PREDICATES: usize = 4;

/// The distinct predicates of the `cfg`/`cfg_attr` attributes in `block`, in order of
/// appearance, and the attributes themselves (for errors).
pub fn predicates(block: &syn::Block) -> (Vec<TokenStream>, Vec<syn::Attribute>) {
    let mut c = Collect::default();
    c.visit_block(block);
    (c.preds, c.attrs)
}

/// `all(p1, not(p2), ..)` for the variant `mask` (bit k set: predicate k is true).
pub fn condition(preds: &[TokenStream], mask: usize) -> TokenStream {
    let terms = preds.iter().enumerate().map(|(k, p)| {
        if mask >> k & 1 == 1 {
            quote!(#p)
        } else {
            quote!(not(#p))
        }
    });
    quote!(all(#(#terms),*))
}

/// The function as rustc sees it when predicate k has the value of bit k of `mask`.
pub fn select(item: &syn::ItemFn, preds: &[TokenStream], mask: usize) -> syn::ItemFn {
    let mut item = item.clone();
    let mut s = Select { preds, mask };
    s.visit_block_mut(&mut item.block);
    item
}

#[derive(Default)]
struct Collect {
    preds: Vec<TokenStream>,
    attrs: Vec<syn::Attribute>,
}

impl Collect {
    fn add(&mut self, p: TokenStream) {
        if !self.preds.iter().any(|q| q.to_string() == p.to_string()) {
            self.preds.push(p);
        }
    }

    fn attr(&mut self, a: &syn::Attribute) {
        if a.path().is_ident("cfg") {
            if let Ok(p) = a.parse_args::<TokenStream>() {
                self.add(p);
                self.attrs.push(a.clone());
            }
        } else if a.path().is_ident("cfg_attr") {
            if let Ok((p, inner)) = cfg_attr_parts(a) {
                self.add(p);
                self.attrs.push(a.clone());
                for m in inner {
                    if m.path().is_ident("cfg") {
                        if let Ok(list) = m.require_list() {
                            self.add(list.tokens.clone());
                        }
                    }
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collect {
    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        self.attr(a);
    }
}

/// `cfg_attr(pred, a, b)` as `pred` and `[a, b]`.
fn cfg_attr_parts(a: &syn::Attribute) -> syn::Result<(TokenStream, Vec<syn::Meta>)> {
    a.parse_args_with(|input: syn::parse::ParseStream| {
        let pred: syn::Meta = input.parse()?;
        let _: syn::Token![,] = input.parse()?;
        let rest =
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated(input)?;
        Ok((pred.to_token_stream(), rest.into_iter().collect()))
    })
}

struct Select<'p> {
    preds: &'p [TokenStream],
    mask: usize,
}

impl Select<'_> {
    fn value(&self, p: &TokenStream) -> bool {
        let k = self
            .preds
            .iter()
            .position(|q| q.to_string() == p.to_string())
            .expect("collected before");
        self.mask >> k & 1 == 1
    }

    /// Expands `cfg_attr`s and evaluates `cfg`s; returns whether the node stays.
    fn filter(&self, attrs: &mut Vec<syn::Attribute>) -> bool {
        let mut keep = true;
        let mut out = Vec::new();
        for a in attrs.drain(..) {
            if a.path().is_ident("cfg") {
                if let Ok(p) = a.parse_args::<TokenStream>() {
                    keep &= self.value(&p);
                    continue;
                }
            } else if a.path().is_ident("cfg_attr") {
                if let Ok((p, inner)) = cfg_attr_parts(&a) {
                    if self.value(&p) {
                        for m in inner {
                            if m.path().is_ident("cfg") {
                                if let Ok(list) = m.require_list() {
                                    keep &= self.value(&list.tokens);
                                }
                            } else {
                                out.push(syn::parse_quote!(#[#m]));
                            }
                        }
                    }
                    continue;
                }
            }
            out.push(a);
        }
        *attrs = out;
        keep
    }
}

fn stmt_attrs(s: &mut syn::Stmt) -> Option<&mut Vec<syn::Attribute>> {
    match s {
        syn::Stmt::Local(l) => Some(&mut l.attrs),
        syn::Stmt::Macro(m) => Some(&mut m.attrs),
        syn::Stmt::Item(_) => None,
        syn::Stmt::Expr(e, _) => expr_attrs(e),
    }
}

fn expr_attrs(e: &mut syn::Expr) -> Option<&mut Vec<syn::Attribute>> {
    use syn::Expr::*;
    Some(match e {
        Assign(x) => &mut x.attrs,
        Binary(x) => &mut x.attrs,
        Block(x) => &mut x.attrs,
        Call(x) => &mut x.attrs,
        ForLoop(x) => &mut x.attrs,
        If(x) => &mut x.attrs,
        Loop(x) => &mut x.attrs,
        Match(x) => &mut x.attrs,
        MethodCall(x) => &mut x.attrs,
        Return(x) => &mut x.attrs,
        Break(x) => &mut x.attrs,
        Continue(x) => &mut x.attrs,
        While(x) => &mut x.attrs,
        Path(x) => &mut x.attrs,
        _ => return None,
    })
}

impl VisitMut for Select<'_> {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        b.stmts.retain_mut(|s| {
            let keep = match s {
                syn::Stmt::Item(i) => {
                    let mut attrs = item_attrs(i);
                    let keep = self.filter(&mut attrs);
                    set_item_attrs(i, attrs);
                    keep
                }
                _ => stmt_attrs(s).is_none_or(|a| self.filter(a)),
            };
            keep
        });
        for s in &mut b.stmts {
            syn::visit_mut::visit_stmt_mut(self, s);
        }
    }

    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        m.arms.retain_mut(|arm| self.filter(&mut arm.attrs));
        syn::visit_mut::visit_expr_match_mut(self, m);
    }
}

fn item_attrs(i: &syn::Item) -> Vec<syn::Attribute> {
    match i {
        syn::Item::Const(x) => x.attrs.clone(),
        syn::Item::Use(x) => x.attrs.clone(),
        syn::Item::Static(x) => x.attrs.clone(),
        syn::Item::Fn(x) => x.attrs.clone(),
        _ => Vec::new(),
    }
}

fn set_item_attrs(i: &mut syn::Item, attrs: Vec<syn::Attribute>) {
    match i {
        syn::Item::Const(x) => x.attrs = attrs,
        syn::Item::Use(x) => x.attrs = attrs,
        syn::Item::Static(x) => x.attrs = attrs,
        syn::Item::Fn(x) => x.attrs = attrs,
        _ => {}
    }
}
