//! IR -> tangent code (forward mode): every active value `v` gets a tangent `v_d`, computed right
//! after it as `sum(partial_i * tangent_i)` from the intrinsic table.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{active, op_tokens, passive, passive_stmt, pure_passive, suffixed, Cx, Names};
use crate::intrinsics::{Arg, Intrinsic, Partial, Value};
use crate::ir::*;

/// A value in tangent code.
#[derive(Clone)]
pub enum Operand {
    /// An active value and its tangent.
    Active(Ident, Ident),
    /// A scalar constant (tangent zero), already of type `__S`.
    Const(TokenStream),
    /// A passive value of any type, as written.
    Passive(TokenStream),
}

pub struct Forward<'c, 'f> {
    cx: &'c Cx<'f>,
    names: Names,
    out: Vec<TokenStream>,
    cur: HashMap<VarId, (Ident, Ident)>,
}

/// The body of the generic `__jvp`: returns `(value, tangent)`.
pub fn body(cx: &Cx) -> TokenStream {
    let mut fw = Forward {
        cx,
        names: Names::default(),
        out: Vec::new(),
        cur: HashMap::new(),
    };
    for &i in &cx.active {
        let var = cx.var(cx.func.params[i].var);
        fw.cur.insert(
            cx.func.params[i].var,
            (var.ident.clone(), suffixed(&var.ident, "d")),
        );
    }
    let result = match &cx.func.body.tail {
        Some(t) => {
            fw.stmts(&cx.func.body.stmts);
            fw.expr(t)
        }
        None => Operand::Const(cx.zero()),
    };
    let (val, tan) = match result {
        Operand::Active(v, t) => (quote!(#v), quote!(#t)),
        Operand::Const(c) => (c, cx.zero()),
        Operand::Passive(p) => (cx.cst(p), cx.zero()),
    };
    let out = fw.out;
    quote! {
        #(#out)*
        (#val, #tan)
    }
}

/// The tangent parameter of an active parameter.
pub fn tangent_ident(var: &Var) -> Ident {
    suffixed(&var.ident, "d")
}

impl Forward<'_, '_> {
    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        let cx = self.cx;
        match s {
            Stmt::Let { var, init, .. }
            | Stmt::Assign {
                var, value: init, ..
            } if cx.var(*var).active => {
                let v = cx.var(*var);
                let dest = if matches!(s, Stmt::Let { .. }) {
                    v.ident.clone()
                } else {
                    self.names.version(v)
                };
                self.expr_into(init, &dest);
                self.cur.insert(*var, (dest.clone(), suffixed(&dest, "d")));
            }
            s if stmt_passive(s, cx) => self.out.push(passive_stmt(s, cx)),
            Stmt::Let { .. } | Stmt::Assign { .. } => {
                // A passive variable whose value is computed with active intermediate steps
                // (e.g. a block that also updates an active variable).
                let (var, init) = match s {
                    Stmt::Let { var, init, .. }
                    | Stmt::Assign {
                        var, value: init, ..
                    } => (*var, init),
                    _ => unreachable!(),
                };
                let op = self.expr(init);
                let ident = &cx.var(var).ident;
                let value = match op {
                    Operand::Passive(p) => p,
                    Operand::Const(c) => cx.base(c),
                    Operand::Active(v, _) => cx.base(quote!(#v)),
                };
                let m = cx.var(var).mutable.then(|| quote!(mut));
                self.out.push(match s {
                    Stmt::Let { .. } => quote!(let #m #ident = #value;),
                    _ => quote!(#ident = #value;),
                });
            }
            Stmt::Expr(e) => {
                self.expr(e);
            }
            Stmt::Item(_) => self.out.push(passive_stmt(s, cx)),
        }
    }

    /// Computes `e` into the active local `dest` (and `dest_d`).
    fn expr_into(&mut self, e: &Expr, dest: &Ident) {
        let dest_d = suffixed(dest, "d");
        if let ExprKind::Call(row, args) = &e.kind {
            if active(e, self.cx) {
                let ops: Vec<Operand> = args.iter().map(|a| self.expr(a)).collect();
                self.call(row, &ops, dest);
                return;
            }
        }
        let (val, tan) = match self.expr(e) {
            Operand::Active(v, t) => (quote!(#v), quote!(#t)),
            Operand::Const(c) => (c, self.cx.zero()),
            Operand::Passive(p) => (self.cx.cst(p), self.cx.zero()),
        };
        let s = &self.cx.s;
        self.out.push(quote! {
            let #dest: #s = #val;
            let #dest_d: #s = #tan;
        });
    }

    fn expr(&mut self, e: &Expr) -> Operand {
        let cx = self.cx;
        if pure_passive(e, &cx.func.vars) {
            return match &e.kind {
                ExprKind::Lit(l) => Operand::Const(cx.cst(quote!(#l))),
                _ => Operand::Passive(passive(e, cx)),
            };
        }
        match &e.kind {
            ExprKind::Var(v) => {
                let (val, tan) = self.cur[v].clone();
                Operand::Active(val, tan)
            }
            ExprKind::Call(row, args) => {
                let ops: Vec<Operand> = args.iter().map(|a| self.expr(a)).collect();
                if ops.iter().any(|o| matches!(o, Operand::Active(..))) {
                    let dest = self.names.temp();
                    self.call(row, &ops, &dest);
                    Operand::Active(dest.clone(), suffixed(&dest, "d"))
                } else {
                    Operand::Passive(self.passive_call(row, &ops))
                }
            }
            ExprKind::Cast(a, _) => self.expr(a),
            ExprKind::Compare(op, a, b) => {
                let a = self.base_of(a);
                let b = self.base_of(b);
                Operand::Passive(quote!((#a #op #b)))
            }
            ExprKind::Block(b) => {
                self.stmts(&b.stmts);
                match &b.tail {
                    Some(t) => self.expr(t),
                    None => Operand::Passive(quote!(())),
                }
            }
            ExprKind::Lit(_) | ExprKind::Opaque { .. } => Operand::Passive(passive(e, cx)),
        }
    }

    /// The primitive value of an operand, for comparisons.
    fn base_of(&mut self, e: &Expr) -> TokenStream {
        match self.expr(e) {
            Operand::Active(v, _) => self.cx.base(quote!(#v)),
            Operand::Const(c) => self.cx.base(c),
            Operand::Passive(p) => p,
        }
    }

    /// A row applied to operands none of which is active (they contained active statements).
    fn passive_call(&self, row: &Intrinsic, ops: &[Operand]) -> TokenStream {
        let args: Vec<TokenStream> = ops
            .iter()
            .map(|o| match o {
                Operand::Passive(p) => p.clone(),
                Operand::Const(c) => self.cx.base(c.clone()),
                Operand::Active(..) => unreachable!("no active operand"),
            })
            .collect();
        match row.value {
            Value::Op(op) => op_tokens(op, &args),
            Value::Rule => {
                let name = proc_macro2::Ident::new(row.name, proc_macro2::Span::call_site());
                let (recv, rest) = (&args[0], &args[1..]);
                quote!(#recv.#name(#(#rest),*))
            }
        }
    }

    /// Emits `dest` = row(ops) and its tangent `dest_d`.
    fn call(&mut self, row: &Intrinsic, ops: &[Operand], dest: &Ident) {
        let cx = self.cx;
        let s = &cx.s;
        // Scalar-typed argument values (passive floats become constants).
        let vals: Vec<TokenStream> = ops
            .iter()
            .zip(row.args)
            .map(|(o, kind)| match (o, kind) {
                (Operand::Active(v, _), _) => quote!(#v),
                (Operand::Const(c), _) => c.clone(),
                (Operand::Passive(p), Arg::Float) => cx.cst(p.clone()),
                (Operand::Passive(p), Arg::Int) => p.clone(),
            })
            .collect();
        let partial_names = super::reverse::rule_partials(
            row,
            ops.iter().map(|o| matches!(o, Operand::Active(..))),
            dest,
        );
        match row.value {
            Value::Op(op) => {
                let v = op_tokens(op, &vals);
                self.out.push(quote!(let #dest: #s = #v;));
            }
            Value::Rule => {
                let f = cx.rule(row.name);
                let pats = partial_names.iter().map(|p| match p {
                    Some(id) => quote!(#id),
                    None => quote!(_),
                });
                self.out
                    .push(quote!(let (#dest, #(#pats),*) = #f(#(#vals),*);));
            }
        }
        // Tangent: sum over active arguments of partial * tangent.
        let mut terms: Vec<TokenStream> = Vec::new();
        for (i, o) in ops.iter().enumerate() {
            let Operand::Active(_, t) = o else { continue };
            let term = match row.partials[i] {
                Partial::Zero => continue,
                Partial::One => quote!(#t),
                Partial::MinusOne => quote!(-#t),
                Partial::Arg(j) => {
                    let v = &vals[j];
                    quote!(#v * #t)
                }
                Partial::Rule(k) => {
                    let p = partial_names[k]
                        .as_ref()
                        .expect("partial bound for an active argument");
                    quote!(#p * #t)
                }
            };
            terms.push(term);
        }
        let dest_d = suffixed(dest, "d");
        let tan = if terms.is_empty() {
            cx.zero()
        } else {
            let first = &terms[0];
            let rest = &terms[1..];
            quote!(#first #(+ #rest)*)
        };
        self.out.push(quote!(let #dest_d: #s = #tan;));
    }
}

/// Whether a statement involves nothing active and can be emitted as written.
pub fn stmt_passive(s: &Stmt, cx: &Cx) -> bool {
    let vars = &cx.func.vars;
    match s {
        Stmt::Let { var, init, .. }
        | Stmt::Assign {
            var, value: init, ..
        } => !vars[*var].active && pure_passive(init, vars),
        Stmt::Expr(e) => pure_passive(e, vars),
        Stmt::Item(_) => true,
    }
}
