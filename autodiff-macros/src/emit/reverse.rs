//! IR -> adjoint code (reverse mode).
//!
//! The generated function runs a forward sweep with the original structure, then the reverse
//! sweep, which mirrors it backwards: statements in reverse order, `if` on the branch the forward
//! sweep took, loops for the same number of trips. Every active variable `v` has an adjoint
//! `v_b`; a statement `v = e` hands `v_b` to the steps of `e` (see [`super::lin`]) and resets it.
//!
//! What the reverse sweep needs from the forward sweep is only the locals that the steps'
//! factors (local partials, operand values) and indices are bound to, plus branch decisions and
//! trip counts. In straight-line code at the top of the function those locals are simply still
//! in scope: nothing is stored. Inside branches and loops, each statement pushes its locals as
//! one tuple onto its own tape and the reverse sweep pops them: a [`FixedTape`] on the stack when
//! every enclosing loop has a compile-time trip bound, else a `VecTape` (feature `alloc`).
//!
//! [`FixedTape`]: https://docs.rs/autodiff-gen-runtime

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::calls::{callee, writes_outputs};
use super::forward::{exit_check, loop_head};
use super::lin::{Factor, Kind, Lin, Operand, Target};
use super::{passive, pure_passive, suffixed, value, Cx, Names};
use crate::ir::*;

/// The adjoint local of a variable or step result.
pub fn adjoint_ident(ident: &Ident) -> Ident {
    suffixed(ident, "b")
}

/// The body of the generic `__vjp`.
///
/// Returns `(value, scalar adjoints)` and adds the adjoints of array parameters into their
/// `&mut` buffers (named by [`adjoint_ident`] of the parameter).
pub fn body(cx: &Cx, seed: &Ident) -> (TokenStream, bool) {
    let mut assigned = vec![false; cx.func.vars.len()];
    assigned_in(&cx.func.body, &mut assigned);
    // Parameters that are never assigned can be read again in the reverse sweep.
    let mut available = vec![false; cx.func.vars.len()];
    for p in &cx.func.params {
        available[p.var] = !assigned[p.var];
    }
    let mut rv = Reverse {
        cx,
        names: Names::default(),
        tapes: Vec::new(),
        loops: Vec::new(),
        depth: 0,
        assigned,
        available,
        prefix: None,
        share: None,
    };
    let stmts = &cx.func.body.stmts;
    // A final loop that only accumulates into its outer active variables is fused with its
    // reverse sweep when the result's adjoint can be known before it (see `fused_loop`).
    let fusable = match stmts.last() {
        Some(Stmt::Loop(l)) => accumulates_only(cx, l),
        None | Some(_) => false,
    };
    let n = stmts.len() - usize::from(fusable);
    let (fwd, mut rev) = rv.stmts(&stmts[..n]);
    let mut fwd = fwd;
    // The result: seeded with `seed`, reversed first.
    let mut lin = Lin::new(cx, &mut rv.names);
    let root = lin.expr(&cx.func.result);
    let (binds, steps, saved) = (
        std::mem::take(&mut lin.code),
        std::mem::take(&mut lin.steps),
        std::mem::take(&mut lin.saved),
    );
    let mut result_rev = Vec::new();
    let value = match &root {
        // `-> [f; M]`: the seed is an array, the adjoint of the returned local array.
        Operand::Active(v, Target::Var(r)) if cx.func.ret_len.is_some() => {
            let b = adjoint_ident(&cx.var(*r).ident);
            result_rev.push(quote!(#b = #seed;));
            quote!(#v)
        }
        Operand::Active(v, t) => {
            let mut acc = Acc::default();
            acc.contribute(cx, t, quote!(#seed), &mut result_rev);
            acc.steps(cx, &steps, &mut result_rev);
            acc.flush(&mut result_rev, None);
            quote!(#v)
        }
        Operand::Const(_) if cx.func.unit => quote!(()),
        Operand::Const(c) => c.clone(),
        Operand::Passive(p, user) => cx.cst_passive(p.clone(), *user),
    };
    let code = Lin::tokens(&binds);
    let available = rv.available.clone();
    let wanted: Vec<Ident> = saved.iter().map(|(i, _)| i.clone()).collect();
    let early = if fusable {
        Lin::recompute(&binds, &wanted, &|v| available[v])
    } else {
        None
    };
    if let (Some(Stmt::Loop(l)), Some(early)) = (stmts.last().filter(|_| fusable), early) {
        // Result adjoints first (they only need values known before the loop), then the loop
        // with each iteration's reverse right after its forward, then the result's value.
        fwd.extend(early);
        fwd.append(&mut result_rev);
        fwd.push(rv.fused_loop(l));
    } else if fusable {
        if let Some(last) = stmts.last() {
            let (f, r) = rv.stmt(last);
            fwd.extend(f);
            let mut r = r;
            r.append(&mut rev);
            rev = r;
        }
        result_rev.append(&mut rev);
        rev = result_rev;
    } else {
        result_rev.append(&mut rev);
        rev = result_rev;
    }

    // Adjoints of every active variable (array parameters have `&mut` buffers instead).
    let decls: Vec<TokenStream> = cx
        .func
        .vars
        .iter()
        .enumerate()
        .filter(|(_, v)| v.active && !matches!(v.shape, Shape::ArrayRef(_) | Shape::SliceRef))
        .map(|(id, v)| {
            let b = adjoint_ident(&v.ident);
            let ty = cx.active_ty(id);
            let z = adj_zero(cx, id);
            quote!(let mut #b: #ty = #z;)
        })
        .collect();
    let scalars: Vec<TokenStream> = cx
        .active_scalars()
        .iter()
        .map(|&v| {
            // Adjoints start at -0 (see `adj_zero`); `+ 0` turns an untouched one into +0.
            let b = adjoint_ident(&cx.var(v).ident);
            let z = cx.zero();
            quote!((#b + #z))
        })
        .collect();
    // With output buffers there is no value: the scalar adjoints alone.
    let ret = match (scalars.len(), cx.func.unit) {
        (0, _) => value,
        (1, true) => scalars[0].clone(),
        (_, true) => quote!((#(#scalars),*)),
        (1, false) => {
            let g = &scalars[0];
            quote!((#value, #g))
        }
        (_, false) => quote!((#value, (#(#scalars),*))),
    };
    let tapes = rv.tapes;
    let needs_alloc = tapes.iter().any(|t| t.to_string().contains("VecTape"));
    let code = quote! {
        #(#decls)*
        #(#tapes)*
        #(#fwd)*
        #(#code)*
        #(#rev)*
        #ret
    };
    (code, needs_alloc)
}

struct Reverse<'c, 'f> {
    cx: &'c Cx<'f>,
    names: Names,
    /// Tape declarations, emitted at the top of the function.
    tapes: Vec<TokenStream>,
    /// Trip-count bounds of the enclosing loops, outermost first.
    loops: Vec<Option<TokenStream>>,
    /// Number of enclosing branches and loops.
    depth: usize,
    /// Variables ever assigned after their `let`.
    assigned: Vec<bool>,
    /// Variables whose value the reverse sweep can read at the current point (never-assigned
    /// parameters, immutable top-level locals, loop variables of re-iterated loops and the
    /// locals recomputed at the top of their reverse iterations).
    available: Vec<bool>,
    /// In the body of a loop that the reverse sweep iterates again: the recomputation code for
    /// the top of each reverse iteration. `None` elsewhere (and inside nested branches).
    prefix: Option<Vec<TokenStream>>,
    /// In the body of a fused loop: index bindings shared by its statements, and the additions
    /// into parameter adjoint buffers, summed per element and flushed once per iteration.
    share: Option<Share>,
}

#[derive(Default)]
struct Share {
    /// The fused loop's variable (constant within an iteration).
    var: Option<VarId>,
    indices: Vec<(String, Ident, Vec<VarId>)>,
    /// Every index local bound in the body, with its expression's tokens (for [`super::carry`]).
    all_indices: Vec<(String, Ident)>,
    pending: Pending,
}

/// Marks every variable assigned after its declaration.
fn assigned_in(b: &Block, out: &mut [bool]) {
    for s in &b.stmts {
        match s {
            Stmt::Assign { var, .. } | Stmt::IndexAssign { var, .. } | Stmt::Push { var } => {
                out[*var] = true
            }
            Stmt::If { then, els, .. } => {
                assigned_in(then, out);
                assigned_in(els, out);
            }
            Stmt::Loop(l) => {
                if let LoopHead::For { var, .. } = &l.head {
                    out[*var] = true;
                }
                assigned_in(&l.body, out);
            }
            // A call writing output buffers assigns them.
            Stmt::Expr(e) => {
                if let ExprKind::UserCall(_, args) = &e.kind {
                    for a in args {
                        if let ExprKind::View {
                            var, mutable: true, ..
                        } = &a.kind
                        {
                            out[*var] = true;
                        }
                    }
                }
            }
            Stmt::Let { .. } | Stmt::Declare { .. } | Stmt::Item(_) => {}
        }
    }
}

/// Adjoint accumulation within one statement's reverse: step results get fresh locals; the
/// contributions to variables and array elements are summed and added once at the end
/// ([`Acc::flush`]), which keeps the chain of dependent additions into memory short.
#[derive(Default)]
struct Acc {
    adj: HashMap<String, Ident>,
    pending: Pending,
}

/// An addition into an adjoint, delayed so that the contributions to one place are summed first.
pub(super) struct Add {
    /// The place's tokens, as a string (the key contributions are summed under).
    pub key: String,
    pub place: TokenStream,
    /// `Some((buffer, index))` for an element of a parameter's adjoint buffer, which the reverse
    /// sweep never reads (so its additions may wait until the end of a fused iteration).
    pub elem: Option<(Ident, Ident)>,
    pub cs: Vec<TokenStream>,
}

/// Pending additions; in a fused loop, those into parameter adjoint buffers are shared by the
/// statements of the body and flushed at the end of each iteration.
pub(super) type Pending = Vec<Add>;

/// Adds `add` to `pending`, summed with the contributions to the same place.
fn add_pending(pending: &mut Pending, mut add: Add) {
    match pending.iter_mut().find(|a| a.key == add.key) {
        Some(old) => old.cs.append(&mut add.cs),
        None => pending.push(add),
    }
}

/// `place += c1 + c2 + ..;` for every pending place.
pub(super) fn emit_pending(pending: Pending, out: &mut Vec<TokenStream>) {
    for Add { place, cs, .. } in pending {
        out.push(quote!(#place += #(#cs)+*;));
    }
}

impl Acc {
    /// Adds `c` to the adjoint of `target`.
    fn contribute(&mut self, cx: &Cx, target: &Target, c: TokenStream, out: &mut Vec<TokenStream>) {
        let s = &cx.s;
        let elem = match target {
            Target::Elem(v, i)
                if matches!(cx.var(*v).shape, Shape::ArrayRef(_) | Shape::SliceRef) =>
            {
                Some((adjoint_ident(&cx.var(*v).ident), i.clone()))
            }
            _ => None,
        };
        let place = match target {
            Target::Temp(t) => {
                match self.adj.get(&t.to_string()) {
                    Some(b) => out.push(quote!(#b += #c;)),
                    None => {
                        let b = adjoint_ident(t);
                        out.push(quote!(let mut #b: #s = #c;));
                        self.adj.insert(t.to_string(), b);
                    }
                }
                return;
            }
            Target::Var(v) => {
                let b = adjoint_ident(&cx.var(*v).ident);
                quote!(#b)
            }
            Target::Elem(v, i) => {
                let b = adjoint_ident(&cx.var(*v).ident);
                quote!(#b[#i])
            }
        };
        let key = place.to_string();
        add_pending(
            &mut self.pending,
            Add {
                key,
                place,
                elem,
                cs: vec![c],
            },
        );
    }

    /// The reverse of a statement's steps, last step first.
    fn steps(&mut self, cx: &Cx, steps: &[super::lin::Step], out: &mut Vec<TokenStream>) {
        for step in steps.iter().rev() {
            let Some(ob) = self.adj.get(&step.out.to_string()).cloned() else {
                continue; // nothing depends on this value
            };
            if let Some(call) = &step.call {
                self.call(cx, call, &ob, out);
                continue;
            }
            for (target, factor) in &step.terms {
                let c = match factor {
                    Factor::One => quote!(#ob),
                    Factor::MinusOne => quote!(-#ob),
                    Factor::Id(p) => quote!(#p * #ob),
                    Factor::Base(k) => {
                        let (kr, s) = (cx.krate, &cx.s);
                        quote!(<#s as #kr::__private::Scalar>::scale(#ob, #k))
                    }
                };
                self.contribute(cx, target, c, out);
            }
        }
    }

    /// The reverse of a call with array arguments: the callee's `__vjp_m*` with the result's
    /// adjoint as seed adds into the array arguments' adjoints and returns the scalar ones.
    fn call(
        &mut self,
        cx: &Cx,
        call: &super::lin::CallRev,
        ob: &Ident,
        out: &mut Vec<TokenStream>,
    ) {
        let (f, args, bars) = (&call.func, &call.args, &call.bars);
        let parts = quote::format_ident!("{}_parts", ob);
        let (pre, post) = (&call.pre, &call.post);
        out.push(quote! {
            #(#pre)*
            let (_, #parts) = #f(#(#args,)* #ob, #(#bars),*);
            #(#post)*
        });
        for (k, t) in &call.scalars {
            let lit = proc_macro2::Literal::usize_unsuffixed(*k);
            self.contribute(cx, t, quote!(#parts[#lit]), out);
        }
    }

    /// `place += c1 + c2 + ..;` for every variable and element that received contributions;
    /// additions into parameter adjoint buffers go to `shared` instead when given.
    fn flush(self, out: &mut Vec<TokenStream>, shared: Option<&mut Pending>) {
        match shared {
            None => emit_pending(self.pending, out),
            Some(shared) => {
                let mut now = Vec::new();
                for add in self.pending {
                    if add.elem.is_some() {
                        add_pending(shared, add);
                    } else {
                        now.push(add);
                    }
                }
                emit_pending(now, out);
            }
        }
    }
}

impl Reverse<'_, '_> {
    /// Keeps `saved` for the reverse sweep: nothing at the top level, a tape inside branches and
    /// loops. Returns the forward push and the reverse pop.
    fn keep(&mut self, saved: &[(Ident, Kind)]) -> (TokenStream, TokenStream) {
        if self.depth == 0 || saved.is_empty() {
            return (quote!(), quote!());
        }
        let cx = self.cx;
        let idents: Vec<&Ident> = saved.iter().map(|(i, _)| i).collect();
        let zeros: Vec<TokenStream> = saved
            .iter()
            .map(|(_, kind)| match kind {
                Kind::Scalar => cx.zero(),
                Kind::Index => quote!(0usize),
                Kind::Other(z) => z.clone(),
                Kind::Owned => quote!(()),
            })
            .collect();
        if saved.iter().any(|(_, k)| matches!(k, Kind::Owned)) {
            // Owned values (`Vec` copies) are not `Copy`: a heap tape, which moves them.
            let k = cx.krate;
            let tape = self.names.fresh("tape");
            self.tapes
                .push(quote!(let mut #tape = #k::__private::VecTape::new();));
            let value = quote!((#(#idents,)*));
            return (
                quote!(#tape.push(#value);),
                quote!(let #value = #tape.pop();),
            );
        }
        self.tape(quote!((#(#idents,)*)), quote!((#(#zeros,)*)))
    }

    /// A single saved `bool` or `usize` (branch decision, trip count).
    fn keep_one(&mut self, ident: &Ident, zero: TokenStream) -> (TokenStream, TokenStream) {
        if self.depth == 0 {
            return (quote!(), quote!());
        }
        self.tape(quote!(#ident), zero)
    }

    /// Declares a tape for `value` (a local or a tuple of locals, `zero` of the same shape) and
    /// returns its push and pop: a `FixedTape` sized by the enclosing loops' bounds when they are
    /// all known at compile time, else a `VecTape`.
    fn tape(&mut self, value: TokenStream, zero: TokenStream) -> (TokenStream, TokenStream) {
        let k = self.cx.krate;
        let tape = self.names.fresh("tape");
        let bounds: Option<Vec<&TokenStream>> = self.loops.iter().map(|b| b.as_ref()).collect();
        let decl = match bounds {
            Some(bounds) => {
                let mut storage = zero;
                if bounds.is_empty() {
                    storage = quote!([#storage; 1]);
                }
                for b in bounds.iter().rev() {
                    storage = quote!([#storage; #b]);
                }
                quote!(let mut #tape = #k::__private::FixedTape::new(#storage);)
            }
            None => quote!(let mut #tape = #k::__private::VecTape::new();),
        };
        self.tapes.push(decl);
        (
            quote!(#tape.push(#value);),
            quote!(let #value = #tape.pop();),
        )
    }

    fn block(&mut self, b: &Block) -> (Vec<TokenStream>, Vec<TokenStream>) {
        self.stmts(&b.stmts)
    }

    fn stmts(&mut self, stmts: &[Stmt]) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let mut fwd = Vec::new();
        let mut rev = Vec::new();
        for s in stmts {
            let (f, r) = self.stmt(s);
            fwd.extend(f);
            rev.push(r);
        }
        let rev: Vec<TokenStream> = rev.into_iter().rev().flatten().collect();
        (fwd, rev)
    }

    /// Forward code and reverse code of an assignment of `e` into `dest` (a variable or an
    /// array element given by an index local).
    fn assignment(
        &mut self,
        var: VarId,
        index: Option<&Expr>,
        e: &Expr,
        is_let: bool,
    ) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let cx = self.cx;
        let ident = &cx.var(var).ident;
        let b = adjoint_ident(ident);
        let mut lin = Lin::new(cx, &mut self.names);
        if let Some(share) = &self.share {
            lin.indices = share.indices.clone();
        }
        let idx = index.map(|i| lin.index(i));
        let root = lin.expr(e);
        let (binds, steps, saved) = (
            std::mem::take(&mut lin.code),
            std::mem::take(&mut lin.steps),
            std::mem::take(&mut lin.saved),
        );
        let indices = std::mem::take(&mut lin.indices);
        if let Some(share) = &mut self.share {
            for (k, i, _) in &indices {
                if !share.all_indices.iter().any(|(_, j)| j == i) {
                    share.all_indices.push((k.clone(), i.clone()));
                }
            }
            // Indices that read only the loop variable and never-assigned values can be reused
            // by the following statements of the iteration.
            let assigned = &self.assigned;
            share.indices = indices
                .into_iter()
                .filter(|(_, _, vars)| vars.iter().all(|&v| Some(v) == share.var || !assigned[v]))
                .collect();
        }
        let val = match &root {
            Operand::Active(v, _) => quote!(#v),
            Operand::Const(c) => c.clone(),
            Operand::Passive(p, user) => cx.cst_passive(p.clone(), *user),
        };
        // Re-iterated loop body: recompute what the reverse needs instead of storing it.
        let recomputed = match &self.prefix {
            Some(_) => {
                let available = &self.available;
                let avail = |v: VarId| available[v];
                let mut wanted: Vec<Ident> = saved.iter().map(|(i, _)| i.clone()).collect();
                // An immutable local is recomputed too, so that later statements can use it.
                let rebind = is_let && !self.assigned[var] && !cx.var(var).mutable;
                let root_ok = match &root {
                    Operand::Active(v, Target::Temp(_)) => {
                        if rebind {
                            wanted.push(v.clone());
                        }
                        true
                    }
                    Operand::Active(_, Target::Var(u)) => avail(*u),
                    Operand::Active(_, Target::Elem(..)) => false,
                    Operand::Const(_) => true,
                    Operand::Passive(..) => super::expr_vars(e).iter().all(|&v| avail(v)),
                };
                match Lin::recompute(&binds, &wanted, &avail) {
                    Some(mut re) if rebind && root_ok => {
                        let ty = cx.active_ty(var);
                        re.push(quote!(let #ident: #ty = #val;));
                        self.available[var] = true;
                        Some(re)
                    }
                    // Only the factors are needed (the variable is not re-bound).
                    Some(re) if !rebind => Some(re),
                    _ => None,
                }
            }
            None => None,
        };
        let mut code = Lin::tokens(&binds);
        let pop = match recomputed {
            Some(re) => {
                self.prefix
                    .as_mut()
                    .expect("in a re-iterated loop")
                    .extend(re);
                quote!()
            }
            None => {
                let (push, pop) = self.keep(&saved);
                code.push(push);
                pop
            }
        };
        let ty = cx.active_ty(var);
        let z = neg_zero(cx);
        code.push(match (&idx, is_let) {
            (Some(i), _) => quote!(#ident[#i] = #val;),
            (None, true) => quote!(let mut #ident: #ty = #val;),
            (None, false) => quote!(#ident = #val;),
        });
        // Reverse: take the adjoint of the assigned place, reset it, hand it to the steps.
        let mut rev = vec![pop];
        let root_b = self.names.fresh("out_b");
        let s = &cx.s;
        // `v = v + e` / `v = v - e`: the adjoint of `v` passes through unchanged, so it is
        // neither reset nor added back (no loop-carried `0 + v_b` in accumulation loops).
        let mut steps = steps;
        let accumulation = idx.is_none()
            && match (&root, steps.last_mut()) {
                (Operand::Active(r, Target::Temp(_)), Some(last)) if &last.out == r => {
                    let before = last.terms.len();
                    let first_is_v = matches!(last.terms.first(), Some((Target::Var(v), Factor::One)) if *v == var);
                    if first_is_v && is_add_or_sub(e) {
                        last.terms.remove(0);
                    }
                    last.terms.len() < before
                }
                _ => false,
            };
        rev.push(match (&idx, accumulation) {
            (Some(i), _) => quote!(let #root_b: #s = #b[#i]; #b[#i] = #z;),
            (None, true) => quote!(let #root_b: #s = #b;),
            (None, false) => quote!(let #root_b: #s = #b; #b = #z;),
        });
        if let Operand::Active(_, t) = &root {
            let mut acc = Acc::default();
            acc.contribute(cx, t, quote!(#root_b), &mut rev);
            acc.steps(cx, &steps, &mut rev);
            acc.flush(&mut rev, self.share.as_mut().map(|s| &mut s.pending));
        }
        (code, rev)
    }

    fn stmt(&mut self, stmt: &Stmt) -> (Vec<TokenStream>, Vec<TokenStream>) {
        if matches!(stmt, Stmt::Loop(_)) {
            // Values bound inside a nested loop are not in scope at the end of this iteration.
            let share = self.share.take();
            let out = self.stmt_inner(stmt);
            self.share = share;
            return out;
        }
        self.stmt_inner(stmt)
    }

    fn stmt_inner(&mut self, stmt: &Stmt) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let cx = self.cx;
        let s = &cx.s;
        match stmt {
            Stmt::Let { var, ty, init } => {
                let v = cx.var(*var);
                let ident = &v.ident;
                if !v.active {
                    let m = v.mutable.then(|| quote!(mut));
                    let ty = ty.as_ref().map(|t| quote!(: #t));
                    let init_v = value(init, cx);
                    let immutable = !self.assigned[*var] && !v.mutable;
                    if immutable && self.depth == 0 {
                        self.available[*var] = true;
                    } else if immutable && super::expr_vars(init).iter().all(|&u| self.available[u])
                    {
                        if let Some(prefix) = &mut self.prefix {
                            // A passive local of a re-iterated loop body: recomputed as well.
                            prefix.push(quote!(let #ident #ty = #init_v;));
                            self.available[*var] = true;
                        }
                    }
                    return (vec![quote!(let #m #ident #ty = #init_v;)], Vec::new());
                }
                if let ExprKind::ArrayRepeat(elem, n) = &init.kind {
                    let e = super::scalar_value(elem, cx);
                    let aty = cx.active_ty(*var);
                    let b = adjoint_ident(ident);
                    let z = adj_zero(cx, *var);
                    return (
                        vec![quote!(let mut #ident: #aty = [#e; #n];)],
                        vec![quote!(#b = #z;)],
                    );
                }
                if let ExprKind::VecNew(elem, n) = &init.kind {
                    // The adjoint is sized with the vector; the reverse of the `let` clears it.
                    let (aty, b, k, z) = (
                        cx.active_ty(*var),
                        adjoint_ident(ident),
                        cx.krate,
                        neg_zero(cx),
                    );
                    let fwd = match elem {
                        Some(elem) => {
                            let e = super::scalar_value(elem, cx);
                            quote! {
                                let mut #ident: #aty = #k::__private::vec_of(#n, #e);
                                #b = #k::__private::vec_of(#ident.len(), #z);
                            }
                        }
                        None => quote! {
                            let mut #ident: #aty = #k::__private::vec_with_capacity(#n);
                            #b = #k::__private::vec_with_capacity(#n);
                        },
                    };
                    let rev = quote!(for __b in #b.iter_mut() { *__b = #z; });
                    return (vec![fwd], vec![rev]);
                }
                let out = self.assignment(*var, None, init, true);
                if self.depth == 0 && !self.assigned[*var] && !v.mutable {
                    self.available[*var] = true;
                }
                out
            }
            Stmt::Declare { var } => {
                let v = cx.var(*var);
                let ident = &v.ident;
                if v.active {
                    let z = cx.zero();
                    (vec![quote!(let mut #ident: #s = #z;)], Vec::new())
                } else {
                    (
                        vec![quote!(let mut #ident = ::core::default::Default::default();)],
                        Vec::new(),
                    )
                }
            }
            Stmt::Assign { var, value: e } => {
                let v = cx.var(*var);
                if !v.active {
                    let ident = &v.ident;
                    let e = value(e, cx);
                    return (vec![quote!(#ident = #e;)], Vec::new());
                }
                self.assignment(*var, None, e, false)
            }
            Stmt::IndexAssign {
                var,
                index,
                value: e,
            } => {
                let v = cx.var(*var);
                if !v.active {
                    let ident = &v.ident;
                    let i = value(index, cx);
                    let e = value(e, cx);
                    return (vec![quote!(#ident[#i] = #e;)], Vec::new());
                }
                self.assignment(*var, Some(index), e, false)
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
                    (vec![quote!(#e;)], Vec::new())
                } else {
                    let v = value(e, cx);
                    (vec![quote!(let _ = #v;)], Vec::new())
                }
            }
            Stmt::Item(item) => (vec![quote!(#item)], Vec::new()),
            Stmt::Push { var } => {
                let ident = &cx.var(*var).ident;
                if !cx.var(*var).active {
                    let d = quote!(::core::default::Default::default());
                    return (vec![quote!(#ident.push(#d);)], Vec::new());
                }
                let (b, z, nz) = (adjoint_ident(ident), cx.zero(), neg_zero(cx));
                (
                    vec![quote!(#ident.push(#z); #b.push(#nz);)],
                    vec![quote!(#b.pop();)],
                )
            }
            Stmt::If { cond, then, els } => {
                let flag = self.names.fresh("took");
                let c = value(cond, cx);
                self.depth += 1;
                let prefix = self.prefix.take();
                let share = self.share.take();
                let (tf, tr) = self.block(then);
                let (ef, er) = self.block(els);
                self.prefix = prefix;
                self.share = share;
                self.depth -= 1;
                let (push, pop) = self.keep_one(&flag, quote!(false));
                let fwd = quote! {
                    let #flag: bool = #c;
                    if #flag { #(#tf)* } else { #(#ef)* }
                    #push
                };
                let rev = quote! {
                    #pop
                    if #flag { #(#tr)* } else { #(#er)* }
                };
                (vec![fwd], vec![rev])
            }
            Stmt::Loop(l) => {
                if let LoopHead::For { var, iter } = &l.head {
                    if l.exits.is_empty()
                        && super::expr_vars(iter).iter().all(|&v| self.available[v])
                    {
                        return self.reiterated_loop(*var, iter, &l.body, l.bound.clone());
                    }
                }
                let prefix = self.prefix.take();
                let trips = self.names.fresh("trips");
                self.depth += 1;
                self.loops.push(l.bound.clone());
                let (bf, br) = self.block(&l.body);
                self.loops.pop();
                self.depth -= 1;
                let (push, pop) = self.keep_one(&trips, quote!(0usize));
                let exit = exit_check(cx, &l.exits);
                let head = loop_head(cx, &l.head, quote!(#exit #trips += 1; #(#bf)*));
                let fwd = quote! {
                    let mut #trips: usize = 0;
                    #head
                    #push
                };
                let rev = quote! {
                    #pop
                    for _ in 0..#trips { #(#br)* }
                };
                self.prefix = prefix;
                (vec![fwd], vec![rev])
            }
        }
    }

    /// A call that writes output buffers, as a statement (see [`super::calls`]): the callee's
    /// `__val_m` now, keeping what its `__vjp_m` reads in the reverse sweep.
    fn call_stmt(&mut self, f: &syn::Expr, args: &[Expr]) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let cx = self.cx;
        let mut lin = Lin::new(cx, &mut self.names);
        let p = lin.call_pieces(args);
        let (binds, steps, saved) = (
            std::mem::take(&mut lin.code),
            std::mem::take(&mut lin.steps),
            std::mem::take(&mut lin.saved),
        );
        let mut code = Lin::tokens(&binds);
        let (val, vjp) = (callee(f, "val", p.mask), callee(f, "vjp", p.mask));
        let vals = &p.vals;
        code.push(quote!(#val(#(#vals),*);));
        let (push, pop) = self.keep(&saved);
        code.push(push);
        let parts = self.names.fresh("parts");
        let (args_rev, bars, pre, post) = (&p.vals_rev, &p.bars, &p.pre, &p.post);
        let mut rev = vec![
            pop,
            quote! {
                #(#pre)*
                let (_, #parts) = #vjp(#(#args_rev,)* #(#bars),*);
                #(#post)*
            },
        ];
        let mut acc = Acc::default();
        for (k, t) in &p.scalars {
            let lit = proc_macro2::Literal::usize_unsuffixed(*k);
            acc.contribute(cx, t, quote!(#parts[#lit]), &mut rev);
        }
        acc.steps(cx, &steps, &mut rev);
        acc.flush(&mut rev, self.share.as_mut().map(|s| &mut s.pending));
        (code, rev)
    }

    /// A loop fused with its reverse sweep: every iteration runs its forward code and then,
    /// right away, its reverse, with every value still in scope (nothing stored, nothing
    /// recomputed). Valid when the loop only accumulates (`s += e`) into the active variables
    /// it shares with the rest of the function, so that their adjoints are the same in every
    /// iteration and known before the loop ([`accumulates_only`]).
    fn fused_loop(&mut self, l: &Loop) -> TokenStream {
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
        let mut around = super::carry::Around::default();
        if let Some(share) = self.share.take() {
            let (names, forward) = match &l.head {
                LoopHead::For { var, iter } => {
                    (self.loop_var_names(*var, &l.body), ascending(iter, cx))
                }
                _ => (Vec::new(), false),
            };
            around = super::carry::flush(
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
        let head = loop_head(cx, &l.head, quote!(#exit #(#bf)* #(#br)*));
        let (before, after) = (around.before, around.after);
        if before.is_empty() {
            head
        } else {
            quote!(#(#before)* #head #(#after)*)
        }
    }

    /// The loop variable's name and those of the body's never-assigned top-level aliases of it
    /// (`let offset = k;`, as the iterator lowering binds a window's start).
    fn loop_var_names(&self, var: VarId, body: &Block) -> Vec<Ident> {
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
    fn reiterated_loop(
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
fn accumulates_only(cx: &Cx, l: &Loop) -> bool {
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
    let reads_carried = |e: &Expr| super::expr_vars(e).iter().any(|v| carried.contains(v));
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
fn is_add_or_sub(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call(row, _) => matches!(row.name, "add" | "sub"),
        ExprKind::Cast(a, _) => is_add_or_sub(a),
        _ => false,
    }
}

/// `-0`: the starting value of accumulated adjoints. `-0 + x == x` for every `x` (including
/// `-0` and NaN), so the compiler folds the first accumulation away; `+0` would cost an add.
fn neg_zero(cx: &Cx) -> TokenStream {
    let z = cx.zero();
    quote!((-#z))
}

/// [`neg_zero`] shaped like a variable (scalar or local array; a `Vec`'s adjoint starts empty
/// and is sized where the `Vec` is made).
fn adj_zero(cx: &Cx, v: VarId) -> TokenStream {
    let z = neg_zero(cx);
    match &cx.var(v).shape {
        Shape::Array(n) => quote!([#z; #n]),
        Shape::Vec => {
            let k = cx.krate;
            quote!(#k::__private::Vec::new())
        }
        _ => z,
    }
}
