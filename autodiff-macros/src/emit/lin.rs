//! Linearization: an active expression becomes one step per operation. Each step binds its
//! value and the local partials it needs (from the intrinsic table) to fresh locals, and records
//! which values flow into it with which factor. Both emitters start from this: forward mode adds
//! `out_d = sum(factor * tangent)`, reverse mode walks the steps backwards.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{call_syntax, passive, pure_passive, value, Cx, Names};
use crate::intrinsics::{Arg, Intrinsic, Op, Partial, Value};
use crate::ir::*;

/// Where a value read by a step lives.
#[derive(Clone)]
pub enum Target {
    /// A step's result.
    Temp(Ident),
    /// An active variable (its current value).
    Var(VarId),
    /// An element of an active array, at the index bound to the ident.
    Elem(VarId, Ident),
}

#[derive(Clone)]
pub enum Factor {
    One,
    MinusOne,
    /// A local bound in the forward code.
    Id(Ident),
    /// A primitive constant (a literal): applied with `Scalar::scale`, so that dual numbers
    /// and jets do not multiply their derivative parts by zero.
    Base(TokenStream),
}

pub struct Step {
    pub out: Ident,
    pub terms: Vec<(Target, Factor)>,
    /// Forward mode: the tangent, already computed (a call's jvp), instead of `terms`.
    pub tangent: Option<TokenStream>,
    /// Reverse mode: a call whose adjoints come from the callee's `__vjp_m*`, instead of
    /// `terms`.
    pub call: Option<CallRev>,
}

impl Step {
    pub(super) fn new(out: Ident, terms: Vec<(Target, Factor)>) -> Self {
        Step {
            out,
            terms,
            tangent: None,
            call: None,
        }
    }
}

/// The reverse of a call with array arguments: `func(args.., out_bar, bars..)` adds the array
/// adjoints into `bars` and returns the value and the adjoints of the active scalar arguments,
/// which go to `scalars`.
pub struct CallRev {
    pub func: TokenStream,
    /// The callee's span, where the call is spanned (see `calls::spanned_call`).
    pub span: proc_macro2::Span,
    /// The arguments before the seed, readable in the reverse sweep.
    pub args: Vec<TokenStream>,
    /// The active array arguments' adjoint buffers.
    pub bars: Vec<TokenStream>,
    /// The active scalar arguments' positions, and where their adjoints go.
    pub scalars: Vec<(usize, Target)>,
    /// Scratch adjoint buffers for an array passed twice (declared before the call, added into
    /// the array's adjoint after it).
    pub pre: Vec<TokenStream>,
    pub post: Vec<TokenStream>,
}

#[derive(Clone)]
pub enum Operand {
    /// An active value: the local holding it, and where it lives.
    Active(Ident, Target),
    /// A scalar constant, already of type `__S`.
    Const(TokenStream),
    /// A passive value, as written; `true` when it is the user's value (a variable, element or
    /// opaque expression, which may be a reference to a float), see [`Cx::cst_of`].
    Passive(TokenStream, bool),
}

/// What kind of value a saved local holds.
#[derive(Clone)]
pub enum Kind {
    Scalar,
    Index,
    /// Any other `Copy` value (a passive argument, an array snapshot): the tape's placeholder.
    Other(TokenStream),
    /// A value that is not `Copy` (the copy of a `Vec`): kept on a heap tape.
    Owned,
}

/// One binding of the forward code, with what it reads (so that reverse mode can recompute
/// just the bindings it needs, when what they read is still available).
pub struct Bind {
    pub defs: Vec<Ident>,
    pub code: TokenStream,
    /// Forward mode: the tangents of the first `k` steps must be computed before this binding
    /// (a call's jvp reads its arguments' tangents).
    pub flush: Option<usize>,
    /// Locals of the same statement it reads.
    pub idents: Vec<Ident>,
    /// Variables it reads.
    pub vars: Vec<VarId>,
}

/// What an operand's value is computed from.
#[derive(Clone, Default)]
pub struct Deps {
    pub idents: Vec<Ident>,
    pub vars: Vec<VarId>,
}

impl Deps {
    pub(super) fn add(&mut self, other: &Deps) {
        self.idents.extend(other.idents.iter().cloned());
        self.vars.extend(other.vars.iter().copied());
    }
}

pub struct Lin<'c, 'f, 'n> {
    pub cx: &'c Cx<'f>,
    pub names: &'n mut Names,
    /// Forward code computing the values and partials.
    pub code: Vec<Bind>,
    pub steps: Vec<Step>,
    /// Locals the steps' factors and indices refer to (what reverse mode must keep).
    pub saved: Vec<(Ident, Kind)>,
    /// Index expressions already bound (in this statement, or earlier in a fused loop body),
    /// with the variables they read.
    pub indices: Vec<(String, Ident, Vec<VarId>)>,
    /// Forward mode (tangents are computed next to the values): calls with array arguments
    /// use the callee's jvp; otherwise its primal, with the reverse in [`Step::call`].
    pub forward: bool,
    /// Elements of input array parameters read in this statement (array, index, value local):
    /// `x[i] * x[i]` reads once, and is a square.
    reads: Vec<(VarId, Ident, Ident)>,
    /// Results of `k * a` for a literal `k`, with what they scale: `(k * a) * a` is a square.
    scaled: Vec<(Ident, Target)>,
}

impl<'c, 'f, 'n> Lin<'c, 'f, 'n> {
    pub fn new(cx: &'c Cx<'f>, names: &'n mut Names) -> Self {
        Lin {
            cx,
            names,
            code: Vec::new(),
            steps: Vec::new(),
            saved: Vec::new(),
            indices: Vec::new(),
            forward: false,
            reads: Vec::new(),
            scaled: Vec::new(),
        }
    }

    pub(super) fn bind(&mut self, defs: Vec<Ident>, code: TokenStream, deps: Deps) {
        self.code.push(Bind {
            defs,
            code,
            flush: None,
            idents: deps.idents,
            vars: deps.vars,
        });
    }

    /// Binds a passive index to a `usize` local that reverse mode keeps.
    pub fn index(&mut self, e: &Expr) -> Ident {
        let v = value(e, self.cx);
        // The same index expression within one statement has the same value: bind it once, so
        // that contributions to the same element can be summed before touching memory.
        let key = v.to_string();
        if let Some((_, i, _)) = self.indices.iter().find(|(k, _, _)| *k == key) {
            return i.clone();
        }
        let i = self.names.fresh("i");
        self.indices.push((key, i.clone(), super::expr_vars(e)));
        let deps = Deps {
            idents: Vec::new(),
            vars: super::expr_vars(e),
        };
        self.bind(vec![i.clone()], quote!(let #i: usize = #v;), deps);
        self.saved.push((i.clone(), Kind::Index));
        i
    }

    pub fn expr(&mut self, e: &Expr) -> Operand {
        self.expr_deps(e).0
    }

    /// The operand and what its value is computed from.
    pub(super) fn expr_deps(&mut self, e: &Expr) -> (Operand, Deps) {
        let cx = self.cx;
        if pure_passive(e, &cx.func.vars) {
            let deps = Deps {
                idents: Vec::new(),
                vars: super::expr_vars(e),
            };
            return match &e.kind {
                ExprKind::Lit(l) => (Operand::Const(cx.cst(quote!(#l))), deps),
                _ => (Operand::Passive(passive(e, cx), super::user_value(e)), deps),
            };
        }
        match &e.kind {
            ExprKind::Var(v) => (
                Operand::Active(cx.var(*v).ident.clone(), Target::Var(*v)),
                Deps {
                    idents: Vec::new(),
                    vars: vec![*v],
                },
            ),
            ExprKind::Index(v, idx) => {
                let i = self.index(idx);
                let read = |(x, j, _): &&(VarId, Ident, Ident)| *x == *v && *j == i;
                if let Some((_, _, t)) = self.reads.iter().find(read) {
                    let deps = Deps {
                        idents: vec![t.clone()],
                        vars: Vec::new(),
                    };
                    return (Operand::Active(t.clone(), Target::Temp(t.clone())), deps);
                }
                let t = self.names.fresh("t");
                let input = cx
                    .func
                    .params
                    .iter()
                    .any(|p| p.var == *v && !matches!(p.kind, ParamKind::Output));
                if input {
                    self.reads.push((*v, i.clone(), t.clone()));
                }
                let a = &cx.var(*v).ident;
                let s = &cx.s;
                let deps = Deps {
                    idents: vec![i.clone()],
                    vars: vec![*v],
                };
                self.bind(vec![t.clone()], quote!(let #t: #s = #a[#i];), deps);
                self.steps.push(Step::new(
                    t.clone(),
                    vec![(Target::Elem(*v, i), Factor::One)],
                ));
                (
                    Operand::Active(t.clone(), Target::Temp(t.clone())),
                    Deps {
                        idents: vec![t],
                        vars: Vec::new(),
                    },
                )
            }
            ExprKind::Cast(a, _) => self.expr_deps(a),
            ExprKind::UserCall(f, args)
                if args.iter().any(|a| matches!(a.kind, ExprKind::View { .. })) =>
            {
                self.array_call(f, args)
            }
            ExprKind::UserCall(f, args) => {
                let (ops, deps): (Vec<Operand>, Vec<Deps>) =
                    args.iter().map(|a| self.expr_deps(a)).unzip();
                self.user_call(f, args, ops, deps)
            }
            ExprKind::Call(row, args) => {
                let (ops, deps): (Vec<Operand>, Vec<Deps>) =
                    args.iter().map(|a| self.expr_deps(a)).unzip();
                if ops.iter().any(|o| matches!(o, Operand::Active(..))) {
                    match self.with_literal(row, args, &ops) {
                        Some(r) => r,
                        None => self.call(row, ops, deps),
                    }
                } else {
                    let args: Vec<TokenStream> = ops
                        .into_iter()
                        .map(|o| match o {
                            Operand::Passive(p, _) => p,
                            Operand::Const(c) => cx.base(c),
                            Operand::Active(..) => unreachable!("no active operand"),
                        })
                        .collect();
                    let mut all = Deps::default();
                    deps.iter().for_each(|d| all.add(d));
                    (Operand::Passive(call_syntax(row, &args), false), all)
                }
            }
            // Comparisons are passive; conditions use `value`. Other kinds are never active.
            _ => (
                Operand::Passive(value(e, cx), false),
                Deps {
                    idents: Vec::new(),
                    vars: super::expr_vars(e),
                },
            ),
        }
    }

    /// What `t` scales, if it is the result of `k * a` for a literal `k` ([`Self::with_literal`]).
    fn scaled_of(&self, t: &Target) -> Option<Target> {
        let Target::Temp(t) = t else { return None };
        self.scaled
            .iter()
            .find(|(s, _)| s == t)
            .map(|(_, x)| x.clone())
    }

    /// `a * k`, `k * a`, `a + k`, `k + a`, `a - k`, `k - a` and `a / k` with `a` active and
    /// `k` a float literal: the value through `Scalar::scale`/`add_base`/`sub_from_base`/
    /// `div_base` and the partial as a primitive constant ([`Factor::Base`]). The same numbers for
    /// `f64`, fewer operations for duals and jets.
    fn with_literal(
        &mut self,
        row: &Intrinsic,
        args: &[Expr],
        ops: &[Operand],
    ) -> Option<(Operand, Deps)> {
        let op = row.syntax?;
        let lit = |e: &Expr| match &e.kind {
            ExprKind::Lit(l) => Some(quote!(#l)),
            _ => None,
        };
        let (active_at, k) = match (ops.first(), ops.get(1)) {
            (Some(Operand::Active(..)), Some(_)) => (0, lit(&args[1])?),
            (Some(_), Some(Operand::Active(..))) => (1, lit(&args[0])?),
            _ => return None,
        };
        let Operand::Active(a, target) = &ops[active_at] else {
            return None;
        };
        let cx = self.cx;
        let (k_, s) = (cx.krate, &cx.s);
        let sc = quote!(<#s as #k_::__private::Scalar>);
        let (value, factor) = match (op, active_at) {
            (Op::Mul, _) => (quote!(#sc::scale(#a, #k)), Factor::Base(k.clone())),
            (Op::Add, _) => (quote!(#sc::add_base(#a, #k)), Factor::One),
            (Op::Sub, 0) => (quote!(#sc::add_base(#a, -#k)), Factor::One),
            (Op::Sub, _) => (quote!(#sc::sub_from_base(#a, #k)), Factor::MinusOne),
            (Op::Div, 0) => (
                quote!(#sc::div_base(#a, #k)),
                Factor::Base(quote!((1.0 / #k))),
            ),
            _ => return None,
        };
        let out = self.names.fresh("t");
        let deps = Deps {
            idents: match target {
                Target::Temp(t) => vec![t.clone()],
                _ => Vec::new(),
            },
            vars: match target {
                Target::Var(v) => vec![*v],
                _ => Vec::new(),
            },
        };
        self.bind(vec![out.clone()], quote!(let #out: #s = #value;), deps);
        if op == Op::Mul {
            self.scaled.push((out.clone(), target.clone()));
        }
        self.steps
            .push(Step::new(out.clone(), vec![(target.clone(), factor)]));
        Some((
            Operand::Active(out.clone(), Target::Temp(out.clone())),
            Deps {
                idents: vec![out],
                vars: Vec::new(),
            },
        ))
    }

    /// The step for `row(ops)` with at least one active operand.
    fn call(&mut self, row: &Intrinsic, ops: Vec<Operand>, deps: Vec<Deps>) -> (Operand, Deps) {
        let cx = self.cx;
        let s = &cx.s;
        let out = self.names.fresh("t");
        // Operand values as locals (constants and passive floats become `__S` locals).
        let mut vals: Vec<TokenStream> = Vec::new();
        for (o, kind) in ops.iter().zip(row.args) {
            vals.push(match (o, kind) {
                (Operand::Active(v, _), _) => quote!(#v),
                (Operand::Const(c), _) => c.clone(),
                (Operand::Passive(p, user), Arg::Float) => cx.cst_passive(p.clone(), *user),
                (Operand::Passive(p, _), Arg::Int) => p.clone(),
            });
        }
        let is_active: Vec<bool> = ops
            .iter()
            .map(|o| matches!(o, Operand::Active(..)))
            .collect();
        let partial_names = rule_partials(row, &is_active, &out);
        let one = {
            let k = cx.krate;
            quote!(<#s as #k::__private::Scalar>::one())
        };
        let mut all = Deps::default();
        deps.iter().for_each(|d| all.add(d));
        match row.value {
            Value::Op(op) => {
                let v = super::op_tokens(op, &vals);
                self.bind(vec![out.clone()], quote!(let #out: #s = #v;), all);
            }
            Value::Rule => {
                let f = cx.rule(row.name);
                let pats = partial_names.iter().map(|p| match p {
                    Some(id) => quote!(#id),
                    None => quote!(_),
                });
                let mut defs = vec![out.clone()];
                defs.extend(partial_names.iter().flatten().cloned());
                self.bind(defs, quote!(let (#out, #(#pats),*) = #f(#(#vals),*);), all);
            }
        }
        // `a * a` (also `x[i] * x[i]`, one read): one term with the partial `a + a`, bound with
        // the value, instead of `a * ob + a * ob` after it. The same number (doubling is exact)
        // and one operation fewer on the adjoint's dependency chain. Likewise `(k * a) * a`
        // (`100.0 * a * a`): the partial `t + t` of `t = k * a`, which `k * a * ob + k * (a * ob)`
        // equals (doubling commutes with rounding), one product fewer.
        if let (Value::Op(Op::Mul), [Operand::Active(a, ta), Operand::Active(b, tb)]) =
            (row.value, &ops[..])
        {
            let scaled = match (self.scaled_of(ta), self.scaled_of(tb)) {
                (Some(x), _) if same_target(&x, tb) => Some((a, tb, &deps[0])),
                (_, Some(x)) if same_target(&x, ta) => Some((b, ta, &deps[1])),
                _ => None,
            };
            let square = (a == b).then_some((a, ta, &deps[0])).or(scaled);
            if let Some((t, target, dep)) = square {
                let f = format_ident!("{}_a0", out, span = out.span());
                self.bind(vec![f.clone()], quote!(let #f: #s = #t + #t;), dep.clone());
                self.saved.push((f.clone(), Kind::Scalar));
                self.steps.push(Step::new(
                    out.clone(),
                    vec![((*target).clone(), Factor::Id(f))],
                ));
                let deps = Deps {
                    idents: vec![out.clone()],
                    vars: Vec::new(),
                };
                return (Operand::Active(out.clone(), Target::Temp(out)), deps);
            }
        }
        let mut terms = Vec::new();
        for (i, o) in ops.iter().enumerate() {
            let Operand::Active(_, target) = o else {
                continue;
            };
            let factor = match row.partials[i] {
                Partial::Zero => continue,
                Partial::One => Factor::One,
                Partial::MinusOne => Factor::MinusOne,
                Partial::Arg(j) => {
                    // The other operand's value, as it is now.
                    let f = format_ident!("{}_a{}", out, j, span = out.span());
                    let v = &vals[j];
                    self.bind(vec![f.clone()], quote!(let #f: #s = #v;), deps[j].clone());
                    self.saved.push((f.clone(), Kind::Scalar));
                    Factor::Id(f)
                }
                Partial::Recip(j) => {
                    let f = format_ident!("{}_r{}", out, j, span = out.span());
                    let v = &vals[j];
                    self.bind(
                        vec![f.clone()],
                        quote!(let #f: #s = #one / #v;),
                        deps[j].clone(),
                    );
                    self.saved.push((f.clone(), Kind::Scalar));
                    Factor::Id(f)
                }
                Partial::NegOutOver(j) => {
                    let f = format_ident!("{}_q{}", out, j, span = out.span());
                    let v = &vals[j];
                    let mut d = deps[j].clone();
                    d.idents.push(out.clone());
                    self.bind(vec![f.clone()], quote!(let #f: #s = -#out / #v;), d);
                    self.saved.push((f.clone(), Kind::Scalar));
                    Factor::Id(f)
                }
                Partial::Rule(k) => {
                    let p = partial_names[k]
                        .clone()
                        .expect("bound for each active argument");
                    self.saved.push((p.clone(), Kind::Scalar));
                    Factor::Id(p)
                }
            };
            terms.push((target.clone(), factor));
        }
        self.steps.push(Step::new(out.clone(), terms));
        (
            Operand::Active(out.clone(), Target::Temp(out.clone())),
            Deps {
                idents: vec![out],
                vars: Vec::new(),
            },
        )
    }

    /// A call of another `#[differentiable]` function with at least one active argument: its
    /// generated `__call` returns the value and the partial derivative for every parameter.
    fn user_call(
        &mut self,
        f: &syn::Expr,
        args: &[Expr],
        ops: Vec<Operand>,
        deps: Vec<Deps>,
    ) -> (Operand, Deps) {
        let cx = self.cx;
        let s = &cx.s;
        let out = self.names.fresh("t");
        let parts = format_ident!("{}_parts", out, span = out.span());
        let call_args: Vec<TokenStream> = args
            .iter()
            .zip(&ops)
            .map(|(a, o)| match o {
                Operand::Active(v, _) => super::call_arg(a, cx, Some(quote!(#v))),
                _ => super::call_arg(a, cx, None),
            })
            .collect();
        let path = super::call_path(f);
        // The call spanned at the callee, so that rustc's errors about it (a callee returning
        // an array used as a number) point at the user's call.
        let span = syn::spanned::Spanned::span(f);
        let call = quote::quote_spanned!(span=> #path(#(#call_args),*));
        let mut all = Deps::default();
        deps.iter().for_each(|d| all.add(d));
        self.bind(
            vec![out.clone(), parts.clone()],
            quote!(let (#out, #parts): (#s, _) = #call;),
            all,
        );
        let mut terms = Vec::new();
        for (i, o) in ops.iter().enumerate() {
            let Operand::Active(_, target) = o else {
                continue;
            };
            let p = format_ident!("{}_p{}", out, i, span = out.span());
            let lit = proc_macro2::Literal::usize_unsuffixed(i);
            self.bind(
                vec![p.clone()],
                quote!(let #p: #s = #parts[#lit];),
                Deps {
                    idents: vec![parts.clone()],
                    vars: Vec::new(),
                },
            );
            self.saved.push((p.clone(), Kind::Scalar));
            terms.push((target.clone(), Factor::Id(p)));
        }
        self.steps.push(Step::new(out.clone(), terms));
        (
            Operand::Active(out.clone(), Target::Temp(out.clone())),
            Deps {
                idents: vec![out],
                vars: Vec::new(),
            },
        )
    }

    /// The forward code as tokens.
    pub fn tokens(code: &[Bind]) -> Vec<TokenStream> {
        code.iter().map(|b| b.code.clone()).collect()
    }

    /// The bindings needed to recompute `wanted`, if they read only variables in `available`.
    pub fn recompute(
        code: &[Bind],
        wanted: &[Ident],
        available: &dyn Fn(VarId) -> bool,
    ) -> Option<Vec<TokenStream>> {
        let mut need: Vec<String> = wanted.iter().map(|i| i.to_string()).collect();
        let mut keep = vec![false; code.len()];
        for (k, b) in code.iter().enumerate().rev() {
            if b.defs.iter().any(|d| need.contains(&d.to_string())) {
                if !b.vars.iter().all(|&v| available(v)) {
                    return None;
                }
                keep[k] = true;
                need.extend(b.idents.iter().map(|i| i.to_string()));
            }
        }
        Some(
            code.iter()
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|(b, _)| b.code.clone())
                .collect(),
        )
    }
}

/// The names bound for the rule's partials (`None`: not needed, bound to `_`). The rule returns
/// one partial per float argument.
pub fn rule_partials(row: &Intrinsic, active: &[bool], dest: &Ident) -> Vec<Option<Ident>> {
    let n = row.args.iter().filter(|a| **a == Arg::Float).count();
    let mut names = vec![None; n];
    for (i, is_active) in active.iter().enumerate() {
        if let (true, Partial::Rule(k)) = (is_active, row.partials[i]) {
            names[k] = Some(format_ident!("{}_p{}", dest, k, span = dest.span()));
        }
    }
    names
}

/// Whether two targets are the same value (a step's result, a variable, an element at one
/// bound index).
fn same_target(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Temp(x), Target::Temp(y)) => x == y,
        (Target::Var(x), Target::Var(y)) => x == y,
        (Target::Elem(v, i), Target::Elem(w, j)) => v == w && i == j,
        _ => false,
    }
}
