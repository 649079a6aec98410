//! Orchestration: args -> lower -> check -> emit, or the fallback on error. A pure function on
//! `proc_macro2::TokenStream`, so unit tests can call it.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ctxt::Ctxt;
use crate::emit::{self, Cx};
use crate::ir::Func;
use crate::{args, check, fallback, lower};

pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = args::parse(attr, &mut cx);
    let item: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new(
                Span::call_site(),
                "`#[differentiable]` goes on a free function (`fn name(x: f64, ..) -> f64 { .. }`)",
            )
            .to_compile_error();
            return quote!(#item #err);
        }
    };
    let Some(mut func) = lower::lower(&item, &mut cx) else {
        return fallback::fallback(&item, None, &args.krate, &cx);
    };
    check::check(&mut func, &item.sig, &args, &mut cx);
    if cx.has_errors() {
        return fallback::fallback(&item, Some(&func), &args.krate, &cx);
    }
    let ecx = Cx::new(&func, &args.krate);
    let fwd = emit::forward::body(&ecx);
    let sigs = Signatures::new(&item, &func, &ecx);
    let seed_generic = Ident::new("__seed", Span::mixed_site());
    let rev = emit::reverse::body(&ecx, &seed_generic);
    sigs.namespace(&item, &ecx, Some((fwd, rev)))
}

/// The names and types of the generated functions' parameters.
pub struct Signatures {
    /// User-facing parameter names, in order.
    names: Vec<Ident>,
    /// Tangent parameter names, one per active parameter.
    tangents: Vec<Ident>,
    seed: Ident,
}

impl Signatures {
    pub fn new(item: &syn::ItemFn, func: &Func, cx: &Cx) -> Self {
        let names: Vec<Ident> = func
            .params
            .iter()
            .map(|p| {
                let n = func.vars[p.var].name.to_string();
                Ident::new(n.trim_start_matches("r#"), Span::call_site())
            })
            .collect();
        let mut taken: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut fresh = |base: String| {
            let mut name = base;
            while taken.contains(&name) {
                name.push('_');
            }
            taken.push(name.clone());
            Ident::new(&name, Span::call_site())
        };
        let tangents = cx
            .active
            .iter()
            .map(|&i| fresh(format!("d{}", names[i])))
            .collect();
        let seed = fresh("seed".into());
        let _ = item;
        Signatures {
            names,
            tangents,
            seed,
        }
    }

    /// `struct f {}` and `impl f { jvp, vjp, grad, and their generic versions }`. With `bodies`
    /// `None`, the functions are stubs (used when the macro reports errors).
    pub fn namespace(
        &self,
        item: &syn::ItemFn,
        cx: &Cx,
        bodies: Option<(TokenStream, TokenStream)>,
    ) -> TokenStream {
        let func = cx.func;
        let vis = &item.vis;
        let name = &item.sig.ident;
        let (k, s, ft) = (cx.krate, &cx.s, &cx.ft);
        let generics = &item.sig.generics;
        let where_clause = &generics.where_clause;
        let (lifetimes, others): (Vec<_>, Vec<_>) = generics
            .params
            .iter()
            .partition(|p| matches!(p, syn::GenericParam::Lifetime(_)));
        let generic_decl =
            quote!(<#(#lifetimes,)* #s: #k::__private::Scalar<Base = #ft>, #(#others),*>);

        let gparams = cx.generic_params();
        let gtangents: Vec<TokenStream> = cx
            .active
            .iter()
            .map(|&i| {
                let t = emit::forward::tangent_ident(cx.var(func.params[i].var));
                quote!(#t: #s)
            })
            .collect();
        let seed_generic = Ident::new("__seed", Span::mixed_site());

        // Public signatures.
        let pparams: Vec<TokenStream> = func
            .params
            .iter()
            .zip(&self.names)
            .map(|(p, n)| {
                let ty = &p.ty;
                quote!(#n: #ty)
            })
            .collect();
        let ptangents: Vec<TokenStream> = self.tangents.iter().map(|t| quote!(#t: #ft)).collect();
        let args = &self.names;
        let tangents = &self.tangents;
        let seed = &self.seed;
        let grad_ty = if cx.active.len() == 1 {
            quote!(#ft)
        } else {
            let tys = cx.active.iter().map(|_| quote!(#ft));
            quote!((#(#tys),*))
        };
        let grad_ty_s = if cx.active.len() == 1 {
            quote!(#s)
        } else {
            let tys = cx.active.iter().map(|_| quote!(#s));
            quote!((#(#tys),*))
        };
        let one = quote!(<#ft as #k::__private::Scalar>::one());

        let (fwd_body, rev_body) = match bodies {
            Some((f, r)) => (f, r),
            None => {
                let p = quote!(::core::panic!(
                    "`#[differentiable]` reported an error for this function"
                ));
                (p.clone(), p)
            }
        };
        let active_names: Vec<String> = cx
            .active
            .iter()
            .map(|&i| format!("`{}`", self.names[i]))
            .collect();
        let active_list = active_names.join(", ");
        let doc_ns = format!(
            "Derivatives of [`{name}`](fn@{name}), generated by `#[differentiable]` with respect to {active_list}.\n\n\
             - `{name}::jvp(args.., tangents..)`: value and directional derivative (forward mode)\n\
             - `{name}::vjp(args.., seed)`: value and `seed` times the gradient (reverse mode)\n\
             - `{name}::grad(args..)`: value and gradient"
        );
        let doc_jvp = format!("Value of `{name}` and its directional derivative along the tangents (one per active parameter: {active_list}).");
        let doc_vjp = format!("Value of `{name}` and `seed` times its gradient with respect to {active_list} (reverse mode).");
        let doc_grad = format!("Value of `{name}` and its gradient with respect to {active_list}.");
        let gen_fwd = format_ident!("__jvp");
        let gen_rev = format_ident!("__vjp");
        // Mark the original function used: callers often call only `f::grad`.
        let keep_alive = {
            let has_impl_trait = func
                .params
                .iter()
                .any(|p| matches!(p.ty, syn::Type::ImplTrait(_)));
            let args: Vec<TokenStream> = others
                .iter()
                .map(|p| match p {
                    syn::GenericParam::Type(t) => {
                        let i = &t.ident;
                        quote!(#i)
                    }
                    syn::GenericParam::Const(c) => {
                        let i = &c.ident;
                        quote!(#i)
                    }
                    syn::GenericParam::Lifetime(_) => quote!(),
                })
                .collect();
            if has_impl_trait {
                quote!()
            } else if args.is_empty() {
                quote!(let _ = #name;)
            } else {
                quote!(let _ = #name::<#(#args),*>;)
            }
        };
        let wrapper_generics = {
            let params = &generics.params;
            quote!(<#params>)
        };
        quote! {
            #item

            #[doc = #doc_ns]
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name {}

            #[allow(
                unused_mut,
                unused_variables,
                unused_parens,
                unused_braces,
                non_snake_case,
                clippy::all,
                clippy::pedantic,
                clippy::nursery,
            )]
            impl #name {
                /// Generic forward mode, used by the runtime (dual numbers, jets).
                #[doc(hidden)]
                #[inline]
                #vis fn #gen_fwd #generic_decl (#(#gparams,)* #(#gtangents),*) -> (#s, #s) #where_clause {
                    #keep_alive
                    #fwd_body
                }

                /// Generic reverse mode, used by the runtime (dual numbers, jets).
                #[doc(hidden)]
                #[inline]
                #vis fn #gen_rev #generic_decl (#(#gparams,)* #seed_generic: #s) -> (#s, #grad_ty_s) #where_clause {
                    #keep_alive
                    #rev_body
                }

                #[doc = #doc_jvp]
                #[inline]
                #vis fn jvp #wrapper_generics (#(#pparams,)* #(#ptangents),*) -> (#ft, #ft) #where_clause {
                    Self::#gen_fwd(#(#args,)* #(#tangents),*)
                }

                #[doc = #doc_vjp]
                #[inline]
                #vis fn vjp #wrapper_generics (#(#pparams,)* #seed: #ft) -> (#ft, #grad_ty) #where_clause {
                    Self::#gen_rev(#(#args,)* #seed)
                }

                #[doc = #doc_grad]
                #[inline]
                #vis fn grad #wrapper_generics (#(#pparams),*) -> (#ft, #grad_ty) #where_clause {
                    Self::#gen_rev(#(#args,)* #one)
                }
            }
        }
    }
}
