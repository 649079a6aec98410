//! The statements that write a struct literal's fields into the flat array (see the parent
//! module).

use std::collections::HashMap;

use proc_macro2::{Ident, Span};
use quote::{format_ident, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

use super::shapes::{shapes, Shape};
use super::user_call;
use crate::lower::strip_parens;
use crate::structs::StructParam;

/// Replaces each `let p = T { .. };` of `locals` in `item` by the flat array written field by
/// field. `flats`: every flattened struct (parameters and locals), whose fields are copied
/// element by element.
pub(in crate::structs) fn build(
    item: &mut syn::ItemFn,
    locals: &[StructParam],
    flats: &[StructParam],
    ft: &Ident,
    k: &syn::Path,
) -> Vec<syn::Error> {
    // Parameters whose types hold no float: integers, `bool`, strings.
    let passive_params = item
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(t) => match (&*t.pat, &*t.ty) {
                (syn::Pat::Ident(pi), ty) if no_float(ty) => Some(pi.ident.to_string()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let mut b = Build {
        locals,
        flats,
        passive_params,
        shapes: shapes(item),
        ft,
        krate: k,
        next: 0,
        errors: Vec::new(),
    };
    b.visit_block_mut(&mut item.block);
    b.errors
}

struct Build<'a> {
    locals: &'a [StructParam],
    flats: &'a [StructParam],
    passive_params: Vec<String>,
    shapes: HashMap<String, Shape>,
    ft: &'a Ident,
    krate: &'a syn::Path,
    /// For temporaries' names.
    next: usize,
    errors: Vec<syn::Error>,
}

impl Build<'_> {
    fn temp(&mut self) -> Ident {
        self.next += 1;
        Ident::new(&format!("__lit{}", self.next), Span::call_site())
    }

    /// A literal other than a float, or a parameter of a type other than a float.
    fn not_float(&self, e: &syn::Expr) -> bool {
        match strip_parens(e) {
            syn::Expr::Lit(l) => !matches!(&l.lit, syn::Lit::Float(_)),
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| self.passive_params.contains(&i.to_string())),
            _ => false,
        }
    }

    fn is_flat(&self, e: &syn::Expr) -> bool {
        matches!(strip_parens(e), syn::Expr::Path(p)
            if p.path.get_ident().is_some_and(|i| self.flats.iter().any(|f| f.name == *i)))
    }

    /// `m.f`, `m.a.f`, `m.f[i]` for a flattened `m`: a part of it, copied element by element.
    fn flat_part(&self, e: &syn::Expr) -> bool {
        match strip_parens(e) {
            syn::Expr::Field(f) => self.is_flat(&f.base) || self.flat_part(&f.base),
            syn::Expr::Index(i) => {
                matches!(strip_parens(&i.expr), syn::Expr::Field(_)) && self.flat_part(&i.expr)
            }
            _ => false,
        }
    }

    /// The statements of `let name = lit;`.
    fn local(&mut self, name: &Ident, ty: &syn::Type, lit: &syn::ExprStruct) -> Vec<syn::Stmt> {
        let (ft, k) = (self.ft, self.krate);
        let span = lit.path.span();
        let dim = quote_spanned!(span=> <#ty as #k::Differentiable>::DIM);
        // `let p = Pose { angle: p.angle * 2.0, ..p };` reads the `p` it shadows: built under
        // another name, then bound.
        let shadows = super::mentions_name(&syn::Expr::Struct(lit.clone()), name);
        let target = if shadows { self.temp() } else { name.clone() };
        let mut out: Vec<syn::Stmt> = vec![syn::parse_quote_spanned! {span=>
            let mut #target: [#ft; #dim] = [0.0; #dim];
        }];
        if let Some(rest) = &lit.rest {
            let zero: syn::Expr = syn::parse_quote!(0);
            let dim: syn::Expr = syn::parse_quote!(#dim);
            self.rest(&target, &zero, &dim, rest, &mut out);
        }
        self.fields(&target, ty, None, lit, &mut out);
        if shadows {
            out.push(syn::parse_quote_spanned!(span=> let mut #name = #target;));
        }
        out
    }

    /// `..base`: the elements of `base` (a flattened struct or a part of one) copied to
    /// `target[off..off + len]` before the fields written out are set.
    fn rest(
        &mut self,
        target: &Ident,
        off: &syn::Expr,
        len: &syn::Expr,
        base: &syn::Expr,
        out: &mut Vec<syn::Stmt>,
    ) {
        // `..*m`, `..p.clone()`, `..m.inner`: the value read.
        let mut src = strip_parens(base);
        loop {
            match src {
                syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                    src = strip_parens(&u.expr)
                }
                syn::Expr::MethodCall(mc) if mc.method == "clone" && mc.args.is_empty() => {
                    src = strip_parens(&mc.receiver)
                }
                _ => break,
            }
        }
        let span = base.span();
        let (v, i) = (self.temp(), self.temp());
        if self.is_flat(src) {
            out.push(syn::parse_quote_spanned! {span=>
                for #i in 0..#len { #target[#off + #i] = #src[#i]; }
            });
        } else if self.flat_part(src) {
            out.push(syn::parse_quote_spanned!(span=> let #v = &#src;));
            out.push(syn::parse_quote_spanned! {span=>
                for #i in 0..#len { #target[#off + #i] = #v[#i]; }
            });
        } else {
            self.errors.push(syn::Error::new_spanned(
                base,
                "`#[differentiable]` builds a struct with `..base` from an active struct parameter, a struct built in this function, or a field of one; write every field",
            ));
        }
    }

    /// Item `i` of an array literal that is a field's value, at `[offset, cols]` of `target`:
    /// an element of an array field (`cols` is 1) or a row of a matrix field. A row literal
    /// element by element; a part of a flattened struct (`m.w[0]` a row, `m.b[0]` an element:
    /// the attribute cannot tell, so `cols` elements of its view, which is one element for an
    /// element) or a named array: `cols` elements; anything else one float.
    fn item(
        &mut self,
        target: &Ident,
        i: usize,
        x: &syn::Expr,
        [off, cols]: [&syn::Expr; 2],
        span: Span,
        out: &mut Vec<syn::Stmt>,
    ) {
        let (v, j) = (self.temp(), self.temp());
        let named = |n: &syn::Expr| {
            matches!(strip_parens(n), syn::Expr::Path(p)
            if p.path.get_ident().is_some_and(|n| self.shapes.get(&n.to_string()) == Some(&Shape::Array)))
        };
        match strip_parens(x) {
            syn::Expr::Array(row) => {
                for (j, y) in row.elems.iter().enumerate() {
                    out.push(syn::parse_quote_spanned! {span=>
                        #target[#off + #i * #cols + #j] = #y;
                    });
                }
            }
            x if self.flat_part(x) => {
                out.push(syn::parse_quote_spanned!(span=> let #v = &#x;));
                out.push(syn::parse_quote_spanned! {span=>
                    for #j in 0..#cols { #target[#off + #i * #cols + #j] = #v[#j]; }
                });
            }
            x if named(x) => out.push(syn::parse_quote_spanned! {span=>
                for #j in 0..#cols { #target[#off + #i * #cols + #j] = #x[#j]; }
            }),
            x => out.push(syn::parse_quote_spanned! {span=> #target[#off + #i * #cols] = #x; }),
        }
    }

    /// `[e; N]`, `[[e; N]; M]` (one value everywhere), `[row; M]` (a named row repeated), at
    /// `part` = `[offset, len, rows, cols]` of `target`.
    fn repeat(
        &mut self,
        target: &Ident,
        r: &syn::ExprRepeat,
        [off, len, rows, cols]: [&syn::Expr; 4],
        span: Span,
        out: &mut Vec<syn::Stmt>,
    ) {
        let (v, i, j) = (self.temp(), self.temp(), self.temp());
        let row = match strip_parens(&r.expr) {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .filter(|n| self.shapes.get(&n.to_string()) == Some(&Shape::Array))
                .cloned(),
            _ => None,
        };
        if let Some(row) = row {
            out.push(syn::parse_quote_spanned! {span=>
                for #i in 0..#rows { for #j in 0..#cols {
                    #target[#off + #i * #cols + #j] = #row[#j];
                } }
            });
            return;
        }
        // `[m.w[0]; M]` (a row) or `[m.b[0]; N]` (an element): the view's `cols` elements.
        if self.flat_part(&r.expr) {
            let x = &r.expr;
            out.push(syn::parse_quote_spanned!(span=> let #v = &#x;));
            out.push(syn::parse_quote_spanned! {span=>
                for #i in 0..#rows { for #j in 0..#cols {
                    #target[#off + #i * #cols + #j] = #v[#j];
                } }
            });
            return;
        }
        let x = match strip_parens(&r.expr) {
            syn::Expr::Repeat(inner) => &*inner.expr,
            x => x,
        };
        out.push(syn::parse_quote_spanned!(span=> let #v = #x;));
        out.push(syn::parse_quote_spanned! {span=>
            for #i in 0..#len { #target[#off + #i] = #v; }
        });
    }

    /// Writes of the fields of `lit` (of type `ty`, at offset `base` in `target`).
    fn fields(
        &mut self,
        target: &Ident,
        ty: &syn::Type,
        base: Option<&syn::Expr>,
        lit: &syn::ExprStruct,
        out: &mut Vec<syn::Stmt>,
    ) {
        let k = self.krate;
        for fv in &lit.fields {
            let key = match &fv.member {
                syn::Member::Named(n) => n.to_string(),
                syn::Member::Unnamed(i) => i.index.to_string(),
            };
            let span = fv.member.span();
            let konst = |what: &str| -> syn::Expr {
                let c = format_ident!("__AD_{}_{}", what, key, span = span);
                syn::parse_quote_spanned!(span=> <#ty>::#c)
            };
            let own = konst("OFF");
            let off: syn::Expr = match base {
                Some(b) => syn::parse_quote_spanned!(span=> (#b + #own)),
                None => own,
            };
            let (len, rows, cols) = (konst("LEN"), konst("ROWS"), konst("COLS"));
            let e = &fv.expr;
            // A value no float field can take (`id: 0`, `name: "a"`, a `usize` parameter) is a
            // passive field's: the flat array has no place for it (a struct returned takes its
            // passive fields from the user's function's value).
            if self.not_float(e) {
                continue;
            }
            match uncloned(e) {
                syn::Expr::Struct(inner) => {
                    if let Some(rest) = &inner.rest {
                        self.rest(target, &off, &len, rest, out);
                    }
                    let h = crate::derive::field_hash(&key);
                    let nested: syn::Type =
                        syn::parse_quote_spanned!(span=> <#ty as #k::__private::Field<#h>>::Ty);
                    self.fields(target, &nested, Some(&off), inner, out);
                }
                syn::Expr::Array(a) => {
                    for (i, x) in a.elems.iter().enumerate() {
                        self.item(target, i, x, [&off, &cols], span, out);
                    }
                }
                syn::Expr::Repeat(r) => {
                    let part = [&off, &len, &rows, &cols];
                    self.repeat(target, r, part, span, out);
                }
                // A whole flattened struct (a nested struct field's value).
                x if self.is_flat(x) => {
                    let i = self.temp();
                    out.push(syn::parse_quote_spanned! {span=>
                        for #i in 0..#len { #target[#off + #i] = #x[#i]; }
                    });
                }
                // A part of a flattened struct, of the field's kind (the user's function
                // type-checks it against the field): its elements, through a named view.
                x if self.flat_part(x) => {
                    let (v, i) = (self.temp(), self.temp());
                    out.push(syn::parse_quote_spanned!(span=> let #v = &#x;));
                    out.push(syn::parse_quote_spanned! {span=>
                        for #i in 0..#len { #target[#off + #i] = #v[#i]; }
                    });
                }
                syn::Expr::Path(p)
                    if p.path
                        .get_ident()
                        .is_some_and(|n| self.shapes.contains_key(&n.to_string())) =>
                {
                    let n = p.path.get_ident().expect("checked");
                    let (i, j) = (self.temp(), self.temp());
                    match self.shapes[&n.to_string()] {
                        Shape::Array => out.push(syn::parse_quote_spanned! {span=>
                            for #i in 0..#len { #target[#off + #i] = #n[#i]; }
                        }),
                        Shape::Matrix => out.push(syn::parse_quote_spanned! {span=>
                            for #i in 0..#rows { for #j in 0..#cols {
                                #target[#off + #i * #cols + #j] = #n[#i][#j];
                            } }
                        }),
                    }
                }
                // One float (the derive's scalar offset checks that the field is one).
                x => {
                    let sc = konst("SCALAR");
                    let at: syn::Expr = match base {
                        Some(b) => syn::parse_quote_spanned!(span=> (#b + #sc)),
                        None => sc,
                    };
                    // A helper's result may be an array, which the attribute cannot see.
                    if user_call(x) {
                        self.errors.push(syn::Error::new_spanned(
                            x,
                            "`#[differentiable]` cannot see what this call returns; bind it with its type first (`let t: [f64; 2] = helper(..);`, `let a: f64 = helper(..);`) and use the local in the struct literal",
                        ));
                        continue;
                    }
                    out.push(syn::parse_quote_spanned!(span=> #target[#at] = #e;));
                }
            }
        }
    }
}

/// An integer, `bool`, `char` or string type (or a reference to one).
fn no_float(ty: &syn::Type) -> bool {
    const NAMES: [&str; 17] = [
        "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
        "bool", "char", "str", "String", "&str",
    ];
    match ty {
        syn::Type::Reference(r) => no_float(&r.elem),
        syn::Type::Path(p) => p
            .path
            .get_ident()
            .is_some_and(|i| NAMES.contains(&i.to_string().as_str())),
        _ => false,
    }
}

/// `e` without parentheses and a `.clone()` (of a struct, a field, an array: the same values).
fn uncloned(e: &syn::Expr) -> &syn::Expr {
    match strip_parens(e) {
        syn::Expr::MethodCall(mc) if mc.method == "clone" && mc.args.is_empty() => {
            uncloned(&mc.receiver)
        }
        e => e,
    }
}

impl VisitMut for Build<'_> {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let mut stmts = Vec::with_capacity(b.stmts.len());
        for mut s in std::mem::take(&mut b.stmts) {
            let lit = match &s {
                syn::Stmt::Local(l) => {
                    match (
                        super::let_name(&l.pat),
                        l.init.as_ref().map(|i| strip_parens(&i.expr)),
                    ) {
                        (Some(n), Some(syn::Expr::Struct(lit)))
                            if l.init.as_ref().is_some_and(|i| i.diverge.is_none()) =>
                        {
                            self.locals
                                .iter()
                                .find(|p| p.name == *n)
                                .map(|p| (p.name.clone(), p.ty.clone(), lit.clone()))
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            // `let p = helper(..);` read as a struct: typed as below.
            if let (None, syn::Stmt::Local(l)) = (&lit, &mut s) {
                if let syn::Pat::Ident(pi) = &l.pat {
                    if self.locals.iter().any(|p| p.name == pi.ident) {
                        let pat = l.pat.clone();
                        l.pat = syn::Pat::Type(syn::PatType {
                            attrs: Vec::new(),
                            pat: Box::new(pat),
                            colon_token: Default::default(),
                            ty: Box::new(syn::parse_quote!(_)),
                        });
                    }
                }
            }
            // `let p: Pose = helper(..);`: the flat array the callee returns.
            if let (None, syn::Stmt::Local(l)) = (&lit, &mut s) {
                if let syn::Pat::Type(pt) = &mut l.pat {
                    if let syn::Pat::Ident(pi) = &*pt.pat {
                        if let Some(p) = self.locals.iter().find(|p| p.name == pi.ident) {
                            let (ft, k, ty) = (self.ft, self.krate, &p.ty);
                            let span = ty.span();
                            *pt.ty = syn::parse_quote_spanned!(span=> [#ft; <#ty as #k::Differentiable>::DIM]);
                            // `let p = p.turned(..)`: the call reads the `p` it shadows, so the
                            // result is bound under another name first.
                            let name = pi.ident.clone();
                            let shadows = l
                                .init
                                .as_ref()
                                .is_some_and(|i| super::mentions_name(&i.expr, &name));
                            let tmp = self.temp();
                            if shadows {
                                *pt.pat = syn::parse_quote!(#tmp);
                            }
                            syn::visit_mut::visit_stmt_mut(self, &mut s);
                            stmts.push(s);
                            if shadows {
                                stmts.push(syn::parse_quote_spanned!(span=> let mut #name = #tmp;));
                            }
                            continue;
                        }
                    }
                }
            }
            match lit {
                Some((name, ty, mut lit)) => {
                    // Blocks inside the field values (closures, `if`s) may build structs too.
                    for f in &mut lit.fields {
                        self.visit_expr_mut(&mut f.expr);
                    }
                    stmts.extend(self.local(&name, &ty, &lit));
                }
                None => {
                    syn::visit_mut::visit_stmt_mut(self, &mut s);
                    stmts.push(s);
                }
            }
        }
        b.stmts = stmts;
    }
}
