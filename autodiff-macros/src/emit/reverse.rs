//! IR -> adjoint code (reverse mode): a forward sweep that computes every value once and binds
//! the local partials the reverse sweep needs, then the reverse sweep, which walks the recorded
//! steps backwards accumulating `arg_b += partial * out_b`.
//!
//! Active variables are in static single assignment form: every assignment makes a new local, so
//! the values a partial refers to are never overwritten and nothing has to be stored.

use std::collections::HashMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::forward::{stmt_passive, Operand};
use super::{active, op_tokens, passive, passive_stmt, pure_passive, Cx, Names};
use crate::intrinsics::{Arg, Intrinsic, Partial, Value};
use crate::ir::*;

/// The names bound for the rule's partials (`None`: not needed, bound to `_`). The rule returns
/// one partial per float argument.
pub fn rule_partials(
    row: &Intrinsic,
    active: impl Iterator<Item = bool>,
    dest: &Ident,
) -> Vec<Option<Ident>> {
    let n = row.args.iter().filter(|a| **a == Arg::Float).count();
    let mut names = vec![None; n];
    for (i, is_active) in active.enumerate() {
        if let (true, Partial::Rule(k)) = (is_active, row.partials[i]) {
            names[k] = Some(format_ident!("{}_p{}", dest, k, span = dest.span()));
        }
    }
    names
}

/// How a recorded step's output adjoint flows into one argument.
enum Factor {
    One,
    MinusOne,
    Times(TokenStream),
}

/// One recorded step of the forward sweep: `out` depends on each `(arg, factor)`.
struct Step {
    out: Ident,
    terms: Vec<(Ident, Factor)>,
}

pub struct Reverse<'c, 'f> {
    cx: &'c Cx<'f>,
    names: Names,
    fwd: Vec<TokenStream>,
    steps: Vec<Step>,
    cur: HashMap<VarId, Ident>,
}

/// The body of the generic `__vjp`: returns `(value, adjoints of the active parameters)`.
pub fn body(cx: &Cx, seed: &Ident) -> TokenStream {
    let mut rv = Reverse {
        cx,
        names: Names::default(),
        fwd: Vec::new(),
        steps: Vec::new(),
        cur: HashMap::new(),
    };
    for &i in &cx.active {
        let var = cx.func.params[i].var;
        rv.cur.insert(var, cx.var(var).ident.clone());
    }
    let result = match &cx.func.body.tail {
        Some(t) => {
            rv.stmts(&cx.func.body.stmts);
            rv.expr(t)
        }
        None => Operand::Const(cx.zero()),
    };
    let s = &cx.s;
    // Reverse sweep.
    let mut adj: HashMap<String, Ident> = HashMap::new();
    let mut rev: Vec<TokenStream> = Vec::new();
    let value = match &result {
        Operand::Active(v, _) => {
            let vb = adj_ident(v);
            rev.push(quote!(let mut #vb: #s = #seed;));
            adj.insert(v.to_string(), vb);
            quote!(#v)
        }
        Operand::Const(c) => c.clone(),
        Operand::Passive(p) => cx.cst(p.clone()),
    };
    for step in rv.steps.iter().rev() {
        let Some(ob) = adj.get(&step.out.to_string()).cloned() else {
            continue; // nothing depends on this value
        };
        for (arg, factor) in &step.terms {
            let contrib = match factor {
                Factor::One => quote!(#ob),
                Factor::MinusOne => quote!(-#ob),
                Factor::Times(p) => quote!(#p * #ob),
            };
            match adj.get(&arg.to_string()) {
                Some(ab) => rev.push(quote!(#ab += #contrib;)),
                None => {
                    let ab = adj_ident(arg);
                    rev.push(quote!(let mut #ab: #s = #contrib;));
                    adj.insert(arg.to_string(), ab);
                }
            }
        }
    }
    let grads: Vec<TokenStream> = cx
        .active
        .iter()
        .map(|&i| {
            let ident = &cx.var(cx.func.params[i].var).ident;
            match adj.get(&ident.to_string()) {
                Some(b) => quote!(#b),
                None => cx.zero(),
            }
        })
        .collect();
    let grads = if grads.len() == 1 {
        grads[0].clone()
    } else {
        quote!((#(#grads),*))
    };
    let fwd = rv.fwd;
    quote! {
        #(#fwd)*
        #(#rev)*
        (#value, #grads)
    }
}

fn adj_ident(v: &Ident) -> Ident {
    format_ident!("{}_b", v, span = Span::mixed_site())
}

impl Reverse<'_, '_> {
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
                self.cur.insert(*var, dest);
            }
            s if stmt_passive(s, cx) => self.fwd.push(passive_stmt(s, cx)),
            Stmt::Let { var, init, .. }
            | Stmt::Assign {
                var, value: init, ..
            } => {
                let op = self.expr(init);
                let ident = &cx.var(*var).ident;
                let value = match op {
                    Operand::Passive(p) => p,
                    Operand::Const(c) => cx.base(c),
                    Operand::Active(v, _) => cx.base(quote!(#v)),
                };
                let m = cx.var(*var).mutable.then(|| quote!(mut));
                self.fwd.push(match s {
                    Stmt::Let { .. } => quote!(let #m #ident = #value;),
                    _ => quote!(#ident = #value;),
                });
            }
            Stmt::Expr(e) => {
                self.expr(e);
            }
            Stmt::Item(_) => self.fwd.push(passive_stmt(s, cx)),
        }
    }

    fn expr_into(&mut self, e: &Expr, dest: &Ident) {
        if let ExprKind::Call(row, args) = &e.kind {
            if active(e, self.cx) {
                let ops: Vec<Operand> = args.iter().map(|a| self.expr(a)).collect();
                self.call(row, &ops, dest);
                return;
            }
        }
        let s = &self.cx.s;
        match self.expr(e) {
            Operand::Active(v, _) => {
                self.fwd.push(quote!(let #dest: #s = #v;));
                self.steps.push(Step {
                    out: dest.clone(),
                    terms: vec![(v, Factor::One)],
                });
            }
            Operand::Const(c) => self.fwd.push(quote!(let #dest: #s = #c;)),
            Operand::Passive(p) => {
                let c = self.cx.cst(p);
                self.fwd.push(quote!(let #dest: #s = #c;));
            }
        }
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
                let val = self.cur[v].clone();
                Operand::Active(val.clone(), val)
            }
            ExprKind::Call(row, args) => {
                let ops: Vec<Operand> = args.iter().map(|a| self.expr(a)).collect();
                if ops.iter().any(|o| matches!(o, Operand::Active(..))) {
                    let dest = self.names.temp();
                    self.call(row, &ops, &dest);
                    Operand::Active(dest.clone(), dest)
                } else {
                    let args: Vec<TokenStream> = ops
                        .iter()
                        .map(|o| match o {
                            Operand::Passive(p) => p.clone(),
                            Operand::Const(c) => cx.base(c.clone()),
                            Operand::Active(..) => unreachable!("no active operand"),
                        })
                        .collect();
                    Operand::Passive(match row.value {
                        Value::Op(op) => op_tokens(op, &args),
                        Value::Rule => {
                            let name = Ident::new(row.name, Span::call_site());
                            let (recv, rest) = (&args[0], &args[1..]);
                            quote!(#recv.#name(#(#rest),*))
                        }
                    })
                }
            }
            ExprKind::Cast(a, _) => self.expr(a),
            ExprKind::Compare(op, a, b) => {
                let a = self.base_of(a);
                let b = self.base_of(b);
                // Bind the decision now: later assignments must not change it.
                let t = self.names.temp();
                self.fwd.push(quote!(let #t: bool = #a #op #b;));
                Operand::Passive(quote!(#t))
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

    fn base_of(&mut self, e: &Expr) -> TokenStream {
        match self.expr(e) {
            Operand::Active(v, _) => self.cx.base(quote!(#v)),
            Operand::Const(c) => self.cx.base(c),
            Operand::Passive(p) => p,
        }
    }

    /// Forward sweep of `dest = row(ops)`: the value and the partials the reverse sweep needs.
    fn call(&mut self, row: &Intrinsic, ops: &[Operand], dest: &Ident) {
        let cx = self.cx;
        let s = &cx.s;
        // Passive operands are evaluated once, here, so that the reverse sweep sees the values
        // the forward sweep used even if a passive variable changes later.
        let mut vals: Vec<TokenStream> = Vec::new();
        for (o, kind) in ops.iter().zip(row.args) {
            vals.push(match (o, kind) {
                (Operand::Active(v, _), _) => quote!(#v),
                (Operand::Const(c), _) => c.clone(),
                (Operand::Passive(p), Arg::Float) => {
                    let t = self.names.temp();
                    let c = cx.cst(p.clone());
                    self.fwd.push(quote!(let #t: #s = #c;));
                    quote!(#t)
                }
                (Operand::Passive(p), Arg::Int) => {
                    let t = self.names.temp();
                    self.fwd.push(quote!(let #t = #p;));
                    quote!(#t)
                }
            });
        }
        let is_active: Vec<bool> = ops
            .iter()
            .map(|o| matches!(o, Operand::Active(..)))
            .collect();
        let partial_names = rule_partials(row, is_active.iter().copied(), dest);
        match row.value {
            Value::Op(op) => {
                let v = op_tokens(op, &vals);
                self.fwd.push(quote!(let #dest: #s = #v;));
            }
            Value::Rule => {
                let f = cx.rule(row.name);
                let pats = partial_names.iter().map(|p| match p {
                    Some(id) => quote!(#id),
                    None => quote!(_),
                });
                self.fwd
                    .push(quote!(let (#dest, #(#pats),*) = #f(#(#vals),*);));
            }
        }
        let mut terms = Vec::new();
        for (i, o) in ops.iter().enumerate() {
            let Operand::Active(arg, _) = o else { continue };
            let factor = match row.partials[i] {
                Partial::Zero => continue,
                Partial::One => Factor::One,
                Partial::MinusOne => Factor::MinusOne,
                Partial::Arg(j) => Factor::Times(vals[j].clone()),
                Partial::Rule(k) => {
                    let p = partial_names[k]
                        .as_ref()
                        .expect("partial bound for an active argument");
                    Factor::Times(quote!(#p))
                }
            };
            terms.push((arg.clone(), factor));
        }
        self.steps.push(Step {
            out: dest.clone(),
            terms,
        });
    }
}
