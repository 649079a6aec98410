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
//! The parts: [`stmts`] (assignments, branches, calls), [`loops`] (fused and re-iterated loops),
//! [`acc`] (adjoint contributions summed per place), and [`super::carry`] for fused loops.
//!
//! [`FixedTape`]: https://docs.rs/autodiff-gen-runtime

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::calls::{callee, spanned_call, writes_outputs};
use super::forward::{exit_check, loop_head};
use super::lin::{Factor, Kind, Lin, Operand, Target};
use super::{passive, pure_passive, suffixed, value, Cx, Names};
use crate::ir::*;

mod acc;
mod loops;
mod mode;
mod stmts;

use acc::Acc;
pub(super) use acc::{add_into, emit_pending, signed_sum, Add, Pending};
use loops::{accumulates_only, is_add_or_sub};

/// The adjoint local of a variable or step result.
pub fn adjoint_ident(ident: &Ident) -> Ident {
    suffixed(ident, "b")
}

/// The body of the generic `__vjp`, and whether it stores on the heap and whether it takes an
/// adjoint mode.
///
/// Returns `(value, scalar adjoints)` and adds the adjoints of array parameters into their
/// `&mut` buffers (named by [`adjoint_ident`] of the parameter). `mode`: the name of a type
/// parameter `AdjointMode` that the body may read, when the caller offers one; the body takes it
/// (the third result) when some buffer can be overwritten (see [`super::carry`]).
pub fn body(cx: &Cx, seed: &Ident, mode: Option<&Ident>) -> (TokenStream, bool, bool) {
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
        carried: Vec::new(),
        constant_vars: Vec::new(),
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
            let mut acc = Acc::with_constant(&[seed]);
            acc.contribute(cx, t, quote!(#seed), &mut result_rev);
            acc.steps(cx, &steps, &mut result_rev);
            rv.constant_vars = acc.constant_vars();
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
    let (prelude, takes_mode) = mode::prelude(cx, &rv.carried, &code, mode);
    (quote!(#prelude #code), needs_alloc, takes_mode)
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
    /// The buffers a fused loop carries, with the number of times its code names each (see
    /// [`super::carry`]).
    carried: Vec<(Ident, usize)>,
    /// Variables whose adjoints the result gave only constants (the seed, or multiples): still
    /// constant in a final fused loop, which only accumulates into them (see [`acc::Acc`]).
    constant_vars: Vec<VarId>,
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
