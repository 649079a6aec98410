//! IR -> tangent code (forward mode). The generated function has the original structure: every
//! active variable `v` gets a tangent `v_d` next to it, and every step of an active expression
//! computes its tangent right after its value as `sum(partial_i * tangent_i)`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::lin::{Factor, Lin, Operand, Target};
use super::{passive, pure_passive, suffixed, value, Cx, Names};
use crate::ir::*;

/// The tangent local of a variable or step result.
pub fn tangent_ident(ident: &Ident) -> Ident {
    suffixed(ident, "d")
}

/// The body of the generic `__jvp`: returns `(value, tangent)`.
pub fn body(cx: &Cx) -> TokenStream {
    let mut fw = Forward {
        cx,
        names: Names::default(),
    };
    let mut out = fw.block(&cx.func.body);
    let (code, val, tan) = fw.expr(&cx.func.result);
    out.extend(code);
    quote! {
        #(#out)*
        (#val, #tan)
    }
}

struct Forward<'c, 'f> {
    cx: &'c Cx<'f>,
    names: Names,
}

impl Forward<'_, '_> {
    /// The tangent of a value a step reads.
    fn tangent(&self, t: &Target) -> TokenStream {
        match t {
            Target::Temp(id) => tangent_ident(id).into_token_stream_(),
            Target::Var(v) => tangent_ident(&self.cx.var(*v).ident).into_token_stream_(),
            Target::Elem(v, i) => {
                let d = tangent_ident(&self.cx.var(*v).ident);
                quote!(#d[#i])
            }
        }
    }

    /// Code, value and tangent of an expression (value and tangent in `__S`).
    fn expr(&mut self, e: &Expr) -> (Vec<TokenStream>, TokenStream, TokenStream) {
        let cx = self.cx;
        let s = &cx.s;
        let mut lin = Lin::new(cx, &mut self.names);
        let root = lin.expr(e);
        let steps = std::mem::take(&mut lin.steps);
        let mut code = Lin::tokens(&std::mem::take(&mut lin.code));
        for step in &steps {
            let terms: Vec<TokenStream> = step
                .terms
                .iter()
                .map(|(t, f)| {
                    let t = self.tangent(t);
                    match f {
                        Factor::One => quote!(#t),
                        Factor::MinusOne => quote!(-#t),
                        Factor::Id(p) => quote!(#p * #t),
                        Factor::Base(k) => {
                            let (kr, s) = (cx.krate, &cx.s);
                            quote!(<#s as #kr::__private::Scalar>::scale(#t, #k))
                        }
                    }
                })
                .collect();
            let d = tangent_ident(&step.out);
            let sum = if terms.is_empty() {
                cx.zero()
            } else {
                let (first, rest) = (&terms[0], &terms[1..]);
                quote!(#first #(+ #rest)*)
            };
            code.push(quote!(let #d: #s = #sum;));
        }
        let (val, tan) = match root {
            Operand::Active(v, t) => (quote!(#v), self.tangent(&t)),
            Operand::Const(c) => (c, cx.zero()),
            Operand::Passive(p, user) => (cx.cst_passive(p, user), cx.zero()),
        };
        (code, val, tan)
    }

    fn block(&mut self, b: &Block) -> Vec<TokenStream> {
        b.stmts.iter().flat_map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, stmt: &Stmt) -> Vec<TokenStream> {
        let cx = self.cx;
        let s = &cx.s;
        match stmt {
            Stmt::Let { var, ty, init } => {
                let v = cx.var(*var);
                let ident = &v.ident;
                let d = tangent_ident(ident);
                if !v.active {
                    let m = v.mutable.then(|| quote!(mut));
                    let ty = ty.as_ref().map(|t| quote!(: #t));
                    let init = value(init, cx);
                    return vec![quote!(let #m #ident #ty = #init;)];
                }
                let aty = cx.active_ty(*var);
                if let ExprKind::ArrayRepeat(elem, n) = &init.kind {
                    let e = super::scalar_value(elem, cx);
                    let z = cx.zero();
                    return vec![quote! {
                        let mut #ident: #aty = [#e; #n];
                        let mut #d: #aty = [#z; #n];
                    }];
                }
                let (mut code, val, tan) = self.expr(init);
                code.push(quote! {
                    let mut #ident: #aty = #val;
                    let mut #d: #aty = #tan;
                });
                code
            }
            Stmt::Declare { var } => {
                let v = cx.var(*var);
                let ident = &v.ident;
                if v.active {
                    let d = tangent_ident(ident);
                    let z = cx.zero();
                    vec![quote! {
                        let mut #ident: #s = #z;
                        let mut #d: #s = #z;
                    }]
                } else {
                    vec![quote!(let mut #ident = ::core::default::Default::default();)]
                }
            }
            Stmt::Assign { var, value: e } => {
                let v = cx.var(*var);
                let ident = &v.ident;
                if !v.active {
                    let e = value(e, cx);
                    return vec![quote!(#ident = #e;)];
                }
                let d = tangent_ident(ident);
                let (mut code, val, tan) = self.expr(e);
                code.push(quote! {
                    #ident = #val;
                    #d = #tan;
                });
                code
            }
            Stmt::IndexAssign {
                var,
                index,
                value: e,
            } => {
                let v = cx.var(*var);
                let ident = &v.ident;
                if !v.active {
                    let i = value(index, cx);
                    let e = value(e, cx);
                    return vec![quote!(#ident[#i] = #e;)];
                }
                let d = tangent_ident(ident);
                let i = self.names.fresh("i");
                let iv = value(index, cx);
                let mut code = vec![quote!(let #i: usize = #iv;)];
                let (c, val, tan) = self.expr(e);
                code.extend(c);
                code.push(quote! {
                    #ident[#i] = #val;
                    #d[#i] = #tan;
                });
                code
            }
            Stmt::Expr(e) => {
                if pure_passive(e, &cx.func.vars) {
                    let e = passive(e, cx);
                    vec![quote!(#e;)]
                } else {
                    // An active value computed for nothing: no derivative to propagate.
                    let v = value(e, cx);
                    vec![quote!(let _ = #v;)]
                }
            }
            Stmt::Item(item) => vec![quote!(#item)],
            Stmt::If { cond, then, els } => {
                let c = value(cond, cx);
                let then = self.block(then);
                let els = self.block(els);
                vec![quote!(if #c { #(#then)* } else { #(#els)* })]
            }
            Stmt::Loop(l) => {
                let body = self.block(&l.body);
                let exit = exit_check(cx, &l.exits);
                vec![loop_head(cx, &l.head, quote!(#exit #(#body)*))]
            }
        }
    }
}

/// `if f1 || f2 { break; }` for a loop's exit flags.
pub fn exit_check(cx: &Cx, exits: &[VarId]) -> TokenStream {
    if exits.is_empty() {
        return quote!();
    }
    let flags = exits.iter().map(|&f| &cx.var(f).ident);
    quote!(if #(#flags)||* { break; })
}

/// The loop around `body`, as written (`for v in iter`, `while cond`, `loop`).
pub fn loop_head(cx: &Cx, head: &LoopHead, body: TokenStream) -> TokenStream {
    match head {
        LoopHead::For { var, iter } => {
            let v = &cx.var(*var).ident;
            let m = cx.var(*var).mutable.then(|| quote!(mut));
            let it = passive(iter, cx);
            quote!(for #m #v in #it { #body })
        }
        LoopHead::While { cond } => {
            let c = value(cond, cx);
            quote!(while #c { #body })
        }
        LoopHead::Loop => quote!(loop { #body }),
    }
}

/// `Ident` to tokens (a helper to keep match arms uniform).
trait IntoTs {
    fn into_token_stream_(self) -> TokenStream;
}

impl IntoTs for Ident {
    fn into_token_stream_(self) -> TokenStream {
        quote!(#self)
    }
}
