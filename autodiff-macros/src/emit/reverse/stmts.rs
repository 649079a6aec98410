//! Statements in reverse mode: assignments (their steps' adjoints), `if`, `match`, loops by
//! kind, calls that write output buffers.

use proc_macro2::TokenStream;
use quote::quote;

use super::*;

impl Reverse<'_, '_> {
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
                    Operand::Passive(..) => crate::emit::expr_vars(e).iter().all(|&v| avail(v)),
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
            // In a final fused loop, an accumulator's adjoint is what the result gave it.
            let constant =
                accumulation && self.share.is_some() && self.constant_vars.contains(&var);
            let mut acc = if constant {
                Acc::with_constant(&[&root_b])
            } else {
                Acc::default()
            };
            acc.contribute(cx, t, quote!(#root_b), &mut rev);
            acc.steps(cx, &steps, &mut rev);
            acc.flush(&mut rev, self.share.as_mut().map(|s| &mut s.pending));
        }
        (code, rev)
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt) -> (Vec<TokenStream>, Vec<TokenStream>) {
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
                    } else if immutable
                        && crate::emit::expr_vars(init)
                            .iter()
                            .all(|&u| self.available[u])
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
                    let e = crate::emit::scalar_value(elem, cx);
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
                            let e = crate::emit::scalar_value(elem, cx);
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
                    // The index first (see the forward emitter).
                    let ix = self.names.fresh("i");
                    return (
                        vec![quote!(let #ix: usize = #i; #ident[#ix] = #e;)],
                        Vec::new(),
                    );
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
                        && crate::emit::expr_vars(iter)
                            .iter()
                            .all(|&v| self.available[v])
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
        let call = spanned_call(f, &val, quote!(#(#vals),*));
        code.push(quote!(#call;));
        let (push, pop) = self.keep(&saved);
        code.push(push);
        let parts = self.names.fresh("parts");
        let (args_rev, bars, pre, post) = (&p.vals_rev, &p.bars, &p.pre, &p.post);
        let vjp_call = spanned_call(f, &vjp, quote!(#(#args_rev,)* #(#bars),*));
        let mut rev = vec![
            pop,
            quote! {
                #(#pre)*
                let (_, #parts) = #vjp_call;
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
}
