//! Loops in reverse mode: fused with their reverse sweep when they only accumulate, or run
//! again backwards with recomputation.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{assigned_in, Reverse, Share};
use crate::emit::forward::{exit_check, loop_head};
use crate::emit::{passive, Cx};
use crate::ir::*;

impl Reverse<'_, '_> {
    /// A loop fused with its reverse sweep: every iteration runs its forward code and then,
    /// right away, its reverse, with every value still in scope (nothing stored, nothing
    /// recomputed). Valid when the loop only accumulates (`s += e`) into the active variables
    /// it shares with the rest of the function, so that their adjoints are the same in every
    /// iteration and known before the loop ([`accumulates_only`]).
    pub(super) fn fused_loop(&mut self, l: &Loop) -> TokenStream {
        let cx = self.cx;
        let prefix = self.prefix.take();
        let var = match &l.head {
            LoopHead::For { var, .. } => Some(*var),
            _ => None,
        };
        self.share = Some(Share {
            var,
            ..Share::default()
        });
        // Each iteration's reverse runs inside the iteration: the loop variable is in scope.
        if let Some(v) = var {
            self.available[v] = true;
        }
        let (bf, mut br) = self.block(&l.body);
        let mut around = crate::emit::carry::Around::default();
        if let Some(share) = self.share.take() {
            let (names, forward) = match &l.head {
                LoopHead::For { var, iter } => {
                    (self.loop_var_names(*var, &l.body), ascending(iter, cx))
                }
                _ => (Vec::new(), false),
            };
            around = crate::emit::carry::flush(
                cx,
                &names,
                forward,
                &share.all_indices,
                share.pending,
                &mut br,
            );
        }
        self.prefix = prefix;
        let exit = exit_check(cx, &l.exits);
        let body = quote!(#exit #(#bf)* #(#br)*);
        let vars = match &l.head {
            LoopHead::For { var, .. } => self.loop_var_names(*var, &l.body),
            _ => Vec::new(),
        };
        let head = crate::emit::bounds::hoisted(cx, l, &vars, &self.assigned, body.clone())
            .unwrap_or_else(|| loop_head(cx, &l.head, body));
        self.carried.append(&mut around.carried);
        let (before, after) = (around.before, around.after);
        if before.is_empty() {
            head
        } else {
            quote!(#(#before)* #head #(#after)*)
        }
    }

    /// The loop variable's name and those of the body's never-assigned top-level aliases of it
    /// (`let offset = k;`, as the iterator lowering binds a window's start).
    pub(super) fn loop_var_names(&self, var: VarId, body: &Block) -> Vec<Ident> {
        let cx = self.cx;
        let v = cx.var(var).ident.clone();
        let plain = |t: &str| -> String { t.chars().filter(|c| !"() ".contains(*c)).collect() };
        let mut names = vec![v.clone()];
        for st in &body.stmts {
            if let Stmt::Let { var: a, init, .. } = st {
                if !self.assigned[*a] && v == plain(&passive(init, cx).to_string()) {
                    names.push(cx.var(*a).ident.clone());
                }
            }
        }
        names
    }

    /// A `for` loop over a range the reverse sweep can evaluate again: the reverse sweep runs
    /// the range backwards, recomputing at the top of each iteration what the statements'
    /// adjoints need (when it depends only on inputs, the loop variable and such recomputed
    /// locals) and popping only the rest. No trip count is stored.
    pub(super) fn reiterated_loop(
        &mut self,
        var: VarId,
        iter: &Expr,
        body: &Block,
        bound: Option<TokenStream>,
    ) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let cx = self.cx;
        let v = &cx.var(var).ident;
        let m = cx.var(var).mutable.then(|| quote!(mut));
        let it = passive(iter, cx);
        self.depth += 1;
        self.loops.push(bound);
        let outer_prefix = self.prefix.replace(Vec::new());
        self.available[var] = true;
        let (bf, br) = self.block(body);
        let prefix = std::mem::replace(&mut self.prefix, outer_prefix).unwrap_or_default();
        self.loops.pop();
        self.depth -= 1;
        let fwd = quote!(for #m #v in #it { #(#bf)* });
        let rev = quote!(for #m #v in (#it).rev() { #(#prefix)* #(#br)* });
        (vec![fwd], vec![rev])
    }
}

/// Whether a `for` loop's range ascends by one: `a..b` or `a..=b` (not `.rev()`, `.step_by(k)`).
fn ascending(iter: &Expr, cx: &Cx) -> bool {
    let t = passive(iter, cx).to_string();
    t.contains("..") && !t.contains("rev") && !t.contains("step_by")
}

/// Whether a loop's only effect on active variables declared outside it is accumulation
/// (`s = s + e`, `s = s - e`, with `e` not reading any such variable), so that their adjoints
/// do not change from one iteration to the next.
pub(super) fn accumulates_only(cx: &Cx, l: &Loop) -> bool {
    let vars = &cx.func.vars;
    let mut inside = vec![false; vars.len()];
    if let LoopHead::For { var, .. } = &l.head {
        inside[*var] = true;
    }
    declared_in(&l.body, &mut inside);
    let mut assigned = vec![false; vars.len()];
    assigned_in(&l.body, &mut assigned);
    let carried: Vec<VarId> = (0..vars.len())
        .filter(|&v| assigned[v] && !inside[v] && vars[v].active)
        .collect();
    let reads_carried = |e: &Expr| {
        crate::emit::expr_vars(e)
            .iter()
            .any(|v| carried.contains(v))
    };
    fn check(
        b: &Block,
        inside: &[bool],
        carried: &[VarId],
        vars: &[Var],
        reads: &dyn Fn(&Expr) -> bool,
    ) -> bool {
        b.stmts.iter().all(|s| match s {
            Stmt::Assign { var, value } if carried.contains(var) => match &value.kind {
                ExprKind::Call(row, args) if matches!(row.name, "add" | "sub") => {
                    matches!(args[0].kind, ExprKind::Var(v) if v == *var) && !reads(&args[1])
                }
                _ => false,
            },
            Stmt::IndexAssign { var, index, value } => {
                (inside[*var] || !vars[*var].active) && !reads(index) && !reads(value)
            }
            Stmt::Let { init: e, .. } | Stmt::Assign { value: e, .. } | Stmt::Expr(e) => !reads(e),
            Stmt::If { cond, then, els } => {
                !reads(cond)
                    && check(then, inside, carried, vars, reads)
                    && check(els, inside, carried, vars, reads)
            }
            Stmt::Loop(inner) => {
                let head_ok = match &inner.head {
                    LoopHead::For { iter, .. } => !reads(iter),
                    LoopHead::While { cond } => !reads(cond),
                    LoopHead::Loop => true,
                };
                head_ok && check(&inner.body, inside, carried, vars, reads)
            }
            Stmt::Declare { .. } | Stmt::Item(_) => true,
            Stmt::Push { var } => inside[*var] || !vars[*var].active,
        })
    }
    let head_ok = match &l.head {
        LoopHead::For { iter, .. } => !reads_carried(iter),
        LoopHead::While { cond } => !reads_carried(cond),
        LoopHead::Loop => true,
    };
    head_ok && check(&l.body, &inside, &carried, vars, &reads_carried)
}

/// Marks the variables declared in a block (and its nested blocks).
fn declared_in(b: &Block, out: &mut [bool]) {
    for s in &b.stmts {
        match s {
            Stmt::Let { var, .. } | Stmt::Declare { var } => out[*var] = true,
            Stmt::If { then, els, .. } => {
                declared_in(then, out);
                declared_in(els, out);
            }
            Stmt::Loop(l) => {
                if let LoopHead::For { var, .. } = &l.head {
                    out[*var] = true;
                }
                declared_in(&l.body, out);
            }
            Stmt::Assign { .. }
            | Stmt::IndexAssign { .. }
            | Stmt::Push { .. }
            | Stmt::Expr(_)
            | Stmt::Item(_) => {}
        }
    }
}

/// Whether `e` is `a + b` or `a - b` (the root of an accumulation `v = v ± e`).
pub(super) fn is_add_or_sub(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call(row, _) => matches!(row.name, "add" | "sub"),
        ExprKind::Cast(a, _) => is_add_or_sub(a),
        _ => false,
    }
}
