//! IR -> tangent code (forward mode). The generated function has the original structure: every
//! active variable `v` gets a tangent `v_d` next to it, and every step of an active expression
//! computes its tangent right after its value as `sum(partial_i * tangent_i)`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::calls::{callee, spanned_call, writes_outputs};
use super::lin::{Bind, Factor, Lin, Operand, Step, Target};
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
        tangents: true,
    };
    let mut out = fw.block(&cx.func.body);
    if cx.func.unit {
        // The results are in the output buffers and their tangents.
        return quote! {
            #(#out)*
            ((), ())
        };
    }
    let (code, val, tan) = fw.expr(&cx.func.result);
    out.extend(code);
    quote! {
        #(#out)*
        (#val, #tan)
    }
}

/// The body of the generic primal `__val_m*` (the function on `__S`, no tangents): what a caller's
/// forward sweep runs for a call whose reverse is the callee's `__vjp_m*`.
pub fn primal(cx: &Cx) -> TokenStream {
    let mut fw = Forward {
        cx,
        names: Names::default(),
        tangents: false,
    };
    let mut out = fw.block(&cx.func.body);
    if cx.func.unit {
        return quote!(#(#out)*);
    }
    let (code, val, _) = fw.expr(&cx.func.result);
    out.extend(code);
    quote! {
        #(#out)*
        #val
    }
}

/// The tangent of a value a step reads.
pub fn tangent_of(cx: &Cx, t: &Target) -> TokenStream {
    match t {
        Target::Temp(id) => tangent_ident(id).into_token_stream_(),
        Target::Var(v) => tangent_ident(&cx.var(*v).ident).into_token_stream_(),
        Target::Elem(v, i) => {
            let d = tangent_ident(&cx.var(*v).ident);
            quote!(#d[#i])
        }
    }
}

struct Forward<'c, 'f> {
    cx: &'c Cx<'f>,
    names: Names,
    /// `false`: the primal only (no tangent code).
    tangents: bool,
}

impl Forward<'_, '_> {
    fn tangent(&self, t: &Target) -> TokenStream {
        tangent_of(self.cx, t)
    }

    /// `let out_d = sum(factor * tangent);` for one step.
    fn step_tangent(&self, step: &Step) -> TokenStream {
        let cx = self.cx;
        let s = &cx.s;
        let d = tangent_ident(&step.out);
        if let Some(t) = &step.tangent {
            return quote!(let #d: #s = #t;);
        }
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
        let sum = if terms.is_empty() {
            cx.zero()
        } else {
            let (first, rest) = (&terms[0], &terms[1..]);
            quote!(#first #(+ #rest)*)
        };
        quote!(let #d: #s = #sum;)
    }

    /// Code, value and tangent of an expression (value and tangent in `__S`).
    fn expr(&mut self, e: &Expr) -> (Vec<TokenStream>, TokenStream, TokenStream) {
        let cx = self.cx;
        let mut lin = Lin::new(cx, &mut self.names);
        lin.forward = self.tangents;
        let root = lin.expr(e);
        let steps = std::mem::take(&mut lin.steps);
        let binds = std::mem::take(&mut lin.code);
        let code = self.lin_code(&binds, &steps);
        let (val, tan) = match root {
            Operand::Active(v, t) => (quote!(#v), self.tangent(&t)),
            Operand::Const(c) => (c, cx.zero()),
            Operand::Passive(p, user) => (cx.cst_passive(p, user), cx.zero()),
        };
        (code, val, tan)
    }

    /// The bindings with each step's tangent after them (before a binding that reads it).
    fn lin_code(&self, binds: &[Bind], steps: &[Step]) -> Vec<TokenStream> {
        let mut code = Vec::new();
        let mut done = 0;
        for b in binds {
            // A call's jvp reads the tangents of its arguments: those steps come first.
            if let (Some(k), true) = (b.flush, self.tangents) {
                for step in &steps[done..k.max(done)] {
                    code.push(self.step_tangent(step));
                }
                done = done.max(k);
            }
            code.push(b.code.clone());
        }
        if self.tangents {
            for step in &steps[done..] {
                code.push(self.step_tangent(step));
            }
        }
        code
    }

    /// A call that writes output buffers, as a statement: the callee's `__jvp_m` (or `__val_m`
    /// for the primal).
    fn call_stmt(&mut self, f: &syn::Expr, args: &[Expr]) -> Vec<TokenStream> {
        let mut lin = Lin::new(self.cx, &mut self.names);
        lin.forward = self.tangents;
        let p = lin.call_pieces(args);
        let steps = std::mem::take(&mut lin.steps);
        let binds = std::mem::take(&mut lin.code);
        let mut code = self.lin_code(&binds, &steps);
        let (vals, dts, tans) = (&p.vals, &p.dts, &p.tans);
        code.push(if self.tangents {
            let path = callee(f, "jvp", p.mask);
            let call = spanned_call(f, &path, quote!(#(#vals,)* [#(#dts),*], #(#tans),*));
            quote!(#call;)
        } else {
            let path = callee(f, "val", p.mask);
            let call = spanned_call(f, &path, quote!(#(#vals),*));
            quote!(#call;)
        });
        code
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
                    let dt = self.tangents.then(|| quote!(let mut #d: #aty = [#z; #n];));
                    return vec![quote! {
                        let mut #ident: #aty = [#e; #n];
                        #dt
                    }];
                }
                if let ExprKind::VecNew(elem, n) = &init.kind {
                    let (k, z) = (cx.krate, cx.zero());
                    let (v, t) = match elem {
                        Some(elem) => {
                            let e = super::scalar_value(elem, cx);
                            (
                                quote!(#k::__private::vec_of(#n, #e)),
                                quote!(#k::__private::vec_of(#n, #z)),
                            )
                        }
                        None => {
                            let c = quote!(#k::__private::vec_with_capacity(#n));
                            (c.clone(), c)
                        }
                    };
                    let dt = self.tangents.then(|| quote!(let mut #d: #aty = #t;));
                    return vec![quote! {
                        let mut #ident: #aty = #v;
                        #dt
                    }];
                }
                let (mut code, val, tan) = self.expr(init);
                let dt = self.tangents.then(|| quote!(let mut #d: #aty = #tan;));
                code.push(quote! {
                    let mut #ident: #aty = #val;
                    #dt
                });
                code
            }
            Stmt::Declare { var } => {
                let v = cx.var(*var);
                let ident = &v.ident;
                if v.active {
                    let d = tangent_ident(ident);
                    let z = cx.zero();
                    let dt = self.tangents.then(|| quote!(let mut #d: #s = #z;));
                    vec![quote! {
                        let mut #ident: #s = #z;
                        #dt
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
                let dt = self.tangents.then(|| quote!(#d = #tan;));
                code.push(quote! {
                    #ident = #val;
                    #dt
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
                    // The index first: `v[v.len() - 1] = e` on a `Vec` whose element type is
                    // still inferred does not borrow-check.
                    let ix = self.names.fresh("i");
                    return vec![quote!(let #ix: usize = #i; #ident[#ix] = #e;)];
                }
                let d = tangent_ident(ident);
                let i = self.names.fresh("i");
                let iv = value(index, cx);
                let mut code = vec![quote!(let #i: usize = #iv;)];
                let (c, val, tan) = self.expr(e);
                code.extend(c);
                let dt = self.tangents.then(|| quote!(#d[#i] = #tan;));
                code.push(quote! {
                    #ident[#i] = #val;
                    #dt
                });
                code
            }
            Stmt::Expr(e) => {
                if let (ExprKind::UserCall(f, args), false) =
                    (&e.kind, pure_passive(e, &cx.func.vars))
                {
                    if writes_outputs(e) {
                        return self.call_stmt(f, args);
                    }
                }
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
            Stmt::Push { var } => {
                let ident = &cx.var(*var).ident;
                if !cx.var(*var).active {
                    return vec![quote!(#ident.push(::core::default::Default::default());)];
                }
                let (d, z) = (tangent_ident(ident), cx.zero());
                let dt = self.tangents.then(|| quote!(#d.push(#z);));
                vec![quote!(#ident.push(#z); #dt)]
            }
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
