//! `hessian` and `jacobian` for any mix of active scalars, arrays and slices, with the active
//! parameters flattened in parameter order (a scalar is one entry, an array or slice its
//! elements): dense results as rows of `Vec`s, so they need the `alloc` feature. The shapes with
//! a fixed-size result (`derived`, `outputs`) are generated instead where they apply.
//!
//! Built from the public entry points: one Hessian-vector product per input for `hessian`, one
//! forward pass per input for `jacobian`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::{ParamKind, Shape};

/// One active input, flattened: its name, its length (`None` for a scalar), and for a matrix
/// its rows (`None`: a slice of rows) and columns.
struct Input {
    param: usize,
    name: Ident,
    len: Option<TokenStream>,
    matrix: Option<(Option<TokenStream>, TokenStream)>,
}

fn mixed(s: &str) -> Ident {
    format_ident!("{}", s, span = Span::mixed_site())
}

/// The active inputs (not output buffers), matrices flattened row by row.
fn inputs(sigs: &Signatures, cx: &Cx) -> Option<Vec<Input>> {
    let func = cx.func;
    let mut out = Vec::new();
    for &i in &cx.active {
        let p = &func.params[i];
        if matches!(p.kind, ParamKind::Output) {
            continue;
        }
        let n = &sigs.names[i];
        if let Some(m) = &p.matrix {
            let c = &m.cols;
            let len = match &m.rows {
                Some(r) => quote!((#r * #c)),
                None => quote!((#n.len() * #c)),
            };
            out.push(Input {
                param: i,
                name: n.clone(),
                len: Some(len),
                matrix: Some((m.rows.clone(), c.clone())),
            });
            continue;
        }
        let len = match &func.vars[p.var].shape {
            Shape::Scalar => None,
            _ => Some(quote!(#n.len())),
        };
        out.push(Input {
            param: i,
            name: n.clone(),
            len,
            matrix: None,
        });
    }
    Some(out)
}

/// For flattened index `k`: one direction argument per input (a unit vector's parts), and the
/// statements that build the array/slice parts.
fn directions(cx: &Cx, ins: &[Input], k: &Ident) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let (kr, ft) = (cx.krate, &cx.ft);
    let zero = quote!(<#ft as #kr::__private::Scalar>::zero());
    let one = quote!(<#ft as #kr::__private::Scalar>::one());
    let mut setup = vec![quote!(let mut __off = 0usize;)];
    let mut dirs = Vec::new();
    for (j, input) in ins.iter().enumerate() {
        let d = format_ident!("__dir{}", j, span = Span::mixed_site());
        match &input.len {
            None => {
                setup.push(quote! {
                    let #d = if #k == __off { #one } else { #zero };
                    __off += 1;
                });
                dirs.push(quote!(#d));
            }
            Some(len) if input.matrix.is_some() => {
                let (rows, c) = input.matrix.as_ref().expect("a matrix");
                let n = &input.name;
                let buf = match rows {
                    Some(r) => quote!([[#zero; #c]; #r]),
                    None => quote!(#kr::__private::zeros_vec(#n.len(), [#zero; #c])),
                };
                setup.push(quote! {
                    let mut #d = #buf;
                    if #k >= __off && #k < __off + #len {
                        #d.as_flattened_mut()[#k - __off] = #one;
                    }
                    __off += #len;
                });
                dirs.push(quote!(&#d));
            }
            Some(len) => {
                let fixed = match &cx.func.vars[cx.func.params[input.param].var].shape {
                    Shape::ArrayRef(n) => Some(n.clone()),
                    _ => None,
                };
                let buf = match &fixed {
                    Some(n) => quote!([#zero; #n]),
                    None => quote!(#kr::__private::zeros_vec(#len, #zero)),
                };
                setup.push(quote! {
                    let mut #d = #buf;
                    if #k >= __off && #k < __off + #len {
                        #d[#k - __off] = #one;
                    }
                    __off += #len;
                });
                dirs.push(quote!(&#d));
            }
        }
    }
    (setup, dirs)
}

/// Pushes the flattened parts of a value shaped like the active inputs (`parts` as returned:
/// a lone value, or a tuple) onto `dest`.
fn flatten(ins: &[Input], parts: &Ident, dest: &Ident) -> TokenStream {
    let push = |input: &Input, part: TokenStream| match (&input.len, &input.matrix) {
        (None, _) => quote!(#dest.push(#part);),
        (Some(_), Some(_)) => quote!(#dest.extend_from_slice(#part.as_flattened());),
        (Some(_), None) => quote!(#dest.extend_from_slice(&#part[..]);),
    };
    if ins.len() == 1 {
        return push(&ins[0], quote!(#parts));
    }
    let pushes = ins.iter().enumerate().map(|(j, input)| {
        let idx = proc_macro2::Literal::usize_unsuffixed(j);
        push(input, quote!(#parts.#idx))
    });
    quote!(#(#pushes)*)
}

fn total(ins: &[Input]) -> TokenStream {
    let parts = ins.iter().map(|i| match &i.len {
        None => quote!(1usize),
        Some(l) => l.clone(),
    });
    quote!(0usize #(+ #parts)*)
}

fn pparams(sigs: &Signatures, cx: &Cx) -> Vec<TokenStream> {
    cx.func
        .params
        .iter()
        .zip(&sigs.names)
        .map(|(p, n)| {
            let ty = &p.ty;
            quote!(#n: #ty)
        })
        .collect()
}

/// `hessian(args..) -> (value, gradient, H)`, gradient and Hessian rows flattened.
pub fn hessian(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let Some(ins) = inputs(sigs, cx) else {
        return quote!();
    };
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let (params, wc) = (&generics.params, &generics.where_clause);
    let names = &sigs.names;
    let pp = pparams(sigs, cx);
    let utf = cx.turbofish(None);
    let (kk, n, h, g, v, col, gp, hp) = (
        mixed("__k"),
        mixed("__n"),
        mixed("__h"),
        mixed("__g"),
        mixed("__v"),
        mixed("__col"),
        mixed("__gp"),
        mixed("__hp"),
    );
    let (setup, dirs) = directions(cx, &ins, &kk);
    let size = total(&ins);
    let push_g = flatten(&ins, &gp, &g);
    let push_h = flatten(&ins, &hp, &col);
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let name = &item.sig.ident;
    let doc = format!("Value of `{name}`, its gradient and its dense Hessian with respect to the active parameters flattened in order (rows of `Vec`s), from one Hessian-vector product per entry.");
    quote! {
        #k::__private::if_alloc! {
            #[doc = #doc]
            #[inline]
            #vis fn hessian <#params> (#(#pp),*) -> (#ft, #k::__private::Vec<#ft>, #k::__private::Vec<#k::__private::Vec<#ft>>) #wc {
                let #n = #size;
                let mut #h = (0..#n).map(|_| #k::__private::zeros_vec(#n, #zero)).collect::<#k::__private::Vec<_>>();
                let mut #g = #k::__private::Vec::new();
                let mut #v = #zero;
                for #kk in 0..#n {
                    #(#setup)*
                    let (value, #gp, #hp) = Self::hvp #utf (#(#names,)* #(#dirs),*);
                    #v = value;
                    if #kk == 0 {
                        #push_g
                    }
                    let mut #col = #k::__private::Vec::with_capacity(#n);
                    #push_h
                    for __i in 0..#n {
                        #h[__i][#kk] = #col[__i];
                    }
                }
                (#v, #g, #h)
            }
        }
    }
}

/// `jacobian(args..)` by forward passes over the flattened inputs: for `-> [f; M]`,
/// `(value, rows)`; for an output buffer (written), the rows.
pub fn jacobian(sigs: &Signatures, item: &syn::ItemFn, cx: &Cx) -> TokenStream {
    let Some(ins) = inputs(sigs, cx) else {
        return quote!();
    };
    let func = cx.func;
    let outputs: Vec<usize> = (0..func.params.len())
        .filter(|&i| matches!(func.params[i].kind, ParamKind::Output))
        .collect();
    let (k, ft, vis) = (cx.krate, &cx.ft, &item.vis);
    let generics = &item.sig.generics;
    let (params, wc) = (&generics.params, &generics.where_clause);
    let names = &sigs.names;
    let pp = pparams(sigs, cx);
    let utf = cx.turbofish(None);
    let (kk, n, jac, dr, val) = (
        mixed("__k"),
        mixed("__n"),
        mixed("__jac"),
        mixed("__dr"),
        mixed("__val"),
    );
    let (setup, dirs) = directions(cx, &ins, &kk);
    let size = total(&ins);
    let zero = quote!(<#ft as #k::__private::Scalar>::zero());
    let name = &item.sig.ident;
    let doc = format!("Value of `{name}` and its Jacobian (`[output][input]`, the active inputs flattened in order), by one forward pass per input entry.");
    let vec = quote!(#k::__private::Vec);
    let (ret_ty, out_len, call, col, ret) = match (&func.ret_len, outputs.as_slice()) {
        (Some(m), []) => (
            quote!(([#ft; #m], #vec<#vec<#ft>>)),
            quote!(#m),
            quote!(let (value, #dr) = Self::jvp #utf (#(#names,)* #(#dirs),*); #val = value;),
            quote!(#dr),
            quote!((#val, #jac)),
        ),
        (None, [out]) if func.unit => {
            let r = &names[*out];
            let mut tangents = Vec::new();
            let mut d = dirs.iter();
            for &i in &cx.active {
                if i == *out {
                    tangents.push(quote!(&mut #dr));
                } else {
                    tangents.push(d.next().expect("one per input").clone());
                }
            }
            let args: Vec<TokenStream> = names
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    if i == *out {
                        quote!(&mut *#a)
                    } else {
                        quote!(#a)
                    }
                })
                .collect();
            (
                quote!(#vec<#vec<#ft>>),
                quote!(#r.len()),
                // Every pass starts from the buffer's contents on entry (it may read them).
                {
                    // The tangent buffer as the output parameter: an array for a fixed size.
                    let new_dr = match &func.vars[func.params[*out].var].shape {
                        crate::ir::Shape::ArrayRef(m) => quote!([#zero; #m]),
                        _ => quote!(#k::__private::zeros_vec(#r.len(), #zero)),
                    };
                    quote! {
                        #r.copy_from_slice(&__r0);
                        let mut #dr = #new_dr;
                        Self::jvp #utf (#(#args,)* #(#tangents),*);
                    }
                },
                quote!(#dr),
                quote!(#jac),
            )
        }
        _ => return quote!(),
    };
    let init_val = match (&func.ret_len, outputs.as_slice()) {
        (Some(m), _) => quote!(let mut #val = [#zero; #m];),
        (None, [out]) => {
            let r = &names[*out];
            quote!(let __r0 = #k::__private::Vec::from(&#r[..]);)
        }
        _ => quote!(),
    };
    quote! {
        #k::__private::if_alloc! {
            #[doc = #doc]
            #[inline]
            #vis fn jacobian <#params> (#(#pp),*) -> #ret_ty #wc {
                let #n = #size;
                let __m = #out_len;
                let mut #jac = (0..__m).map(|_| #k::__private::zeros_vec(#n, #zero)).collect::<#vec<_>>();
                #init_val
                for #kk in 0..#n {
                    #(#setup)*
                    #call
                    for __i in 0..__m {
                        #jac[__i][#kk] = #col[__i];
                    }
                }
                #ret
            }
        }
    }
}
