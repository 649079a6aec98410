//! The expansion of the flattened function, rewrapped: the user's function back, entry points
//! taking flat structs renamed `__flat_X` and wrapped by struct-typed ones (see the parent
//! module). [`entry`] writes the wrappers, [`flat`] finds the flat parameters in the entry
//! points' signatures and turns flat results into structs.

mod entry;
mod flat;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::visit_mut::VisitMut;

use super::flat_calls::FlatCalls;
use super::{flat_ty, StructParam};
use entry::{returns, wrapper, OutputTpl};
use flat::{slice_params, takes_flat, FlatParams};

/// The function whose expansion [`rewrap`] rewraps.
pub(super) struct Source<'a> {
    /// The user's function.
    pub item: &'a syn::ItemFn,
    /// It with its struct parameters flattened (what was expanded).
    pub flat: &'a syn::ItemFn,
    /// Its active parameters.
    pub active: &'a [Ident],
}

/// The free function's expansion with the user's function put back and every entry point with a
/// flat struct parameter renamed `__flat_X` and wrapped by a struct-typed `X`.
pub(super) fn rewrap(
    mut file: syn::File,
    src: &Source,
    flats: &[StructParam],
    output: Option<&syn::Type>,
    ft: &Ident,
    k: &syn::Path,
) -> TokenStream {
    let (item, flat, active) = (src.item, src.flat, src.active);
    crate::gated::open(&mut file);
    // The parameters (entry points take them), and the result's type as a last pseudo-parameter
    // (`vjp` takes a seed of it); locals are flattened inside only.
    let mut params: Vec<StructParam> = flats.iter().filter(|p| !p.local).cloned().collect();
    if let Some(t) = output {
        params.push(StructParam {
            name: Ident::new("__output", Span::mixed_site()),
            ty: t.clone(),
            local: false,
            nested: Vec::new(),
            vecs: Vec::new(),
            generic: false,
        });
    }
    let params = &params[..];
    let name = &item.sig.ident;
    let flat_tys: Vec<syn::Type> = params.iter().map(|p| p.flat_ty(ft, k)).collect();
    let fp = FlatParams {
        params,
        tys: &flat_tys,
        slices: slice_params(item, active, params),
        alone: active.len() == 1,
    };
    // Results of the result's type are made from the user's function's value (its passive
    // fields), called with the entry point's leading arguments.
    let out_ty = output.map(|t| flat_ty(t, ft, k));
    let user_args = super::param_names(&item.sig);
    let result = out_ty.as_ref().map(|t| OutputTpl {
        flat: t.to_token_stream().to_string(),
        call: quote!(#name(#(#user_args),*)),
    });
    // Entry points to rename: public items of the namespace taking a flat struct.
    let mut renamed: Vec<Ident> = Vec::new();
    for it in &file.items {
        if let syn::Item::Impl(i) = it {
            if i.trait_.is_none() && is_named(&i.self_ty, name) {
                for f in &i.items {
                    if let syn::ImplItem::Fn(f) = f {
                        let n = f.sig.ident.to_string();
                        if !n.starts_with("__")
                            && (takes_flat(&f.sig, &fp) || returns(&f.sig, out_ty.as_ref()))
                        {
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
    // The value on the flat parameters, for `objective`: calls passing a struct parameter go
    // to the callee's flat value too.
    let mut flat_primal = flat.clone();
    FlatCalls {
        params: flats,
        krate: k,
        ft,
    }
    .visit_block_mut(&mut flat_primal.block);
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
                            wrappers.push(wrapper(f, &fp, result.as_ref(), k));
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
                    i.items
                        .push(syn::ImplItem::Verbatim(flat_primal.to_token_stream()));
                }
                out.push(crate::gated::close(syn::Item::Impl(i)));
            }
            mut other => {
                rw.visit_item_mut(&mut other);
                out.push(crate::gated::close(other));
            }
        }
    }
    quote!(#(#out)*)
}

fn is_named(ty: &syn::Type, name: &Ident) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(name))
}

/// `f(..)` becomes `f::__flat(..)` and `f::X`/`Self::X` become `__flat_X` for renamed `X`.
struct Rename {
    name: Ident,
    renamed: Vec<Ident>,
}

impl VisitMut for Rename {
    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        // `let _ = f;` keeps the user's function used: left as written.
        let keep_alive = matches!(&l.pat, syn::Pat::Wild(_))
            && l.init.as_ref().is_some_and(|i| {
                matches!(&*i.expr, syn::Expr::Path(p)
                    if p.path.segments.len() == 1 && p.path.segments[0].ident == self.name)
            });
        if !keep_alive {
            syn::visit_mut::visit_local_mut(self, l);
        }
    }

    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        let segs = &mut e.path.segments;
        if e.qself.is_none() && segs.len() == 1 && segs[0].ident == self.name {
            let n = &self.name;
            *e = syn::parse_quote!(#n::__flat);
            return;
        }
        if e.qself.is_none() && segs.len() == 2 {
            let first = segs[0].ident.to_string();
            if (first == "Self" || segs[0].ident == self.name)
                && self.renamed.contains(&segs[1].ident)
            {
                segs[1].ident = format_ident!("__flat_{}", segs[1].ident);
                return;
            }
        }
        syn::visit_mut::visit_expr_path_mut(self, e);
    }
}
