//! Iterators over arrays, slices and ranges, lowered to the indexed loops the adjoint handles:
//! `for v in x.iter()` / `for v in &x` / `for v in x` / `for (i, v) in x.iter().enumerate()` /
//! `for (a, b) in x.iter().zip(y)`, and the chains `src.map(|..| e).sum()`, `.product()`,
//! `.fold(init, |acc, v| e)` over `x.iter()`, ranges `(a..b)`, `x.windows(k)`, `enumerate` and
//! `zip`. A chain becomes `let mut acc = init; for k in 0..len { acc = acc + e(k); }`.

use super::*;

/// Where the elements of an iterator come from. Transient (one per chain), so the size
/// difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum Source {
    /// Elements of an array-like variable, from `offset` (an index expression).
    Elems {
        var: VarId,
        offset: Option<Expr>,
    },
    /// `lo + k` of a range `lo..hi`.
    Range {
        lo: syn::Expr,
        vars: Vec<VarId>,
    },
    /// `x.windows(k)`: sub-slices of length `k` starting at every element; with `step`, at
    /// every `step`-th (the rows of a matrix: `step` and `width` its number of columns).
    Windows {
        var: VarId,
        offset: Option<Expr>,
        width: syn::Expr,
        step: Option<syn::Expr>,
        /// `x.chunks(k)`: the length of `x` (and what it reads); the last chunk may be shorter.
        total: Option<(syn::Expr, Vec<VarId>)>,
    },
    Enumerate(Box<Source>),
    Zip(Box<Source>, Box<Source>),
    /// `.map(|p| e)` on another source.
    Map(Box<Source>, syn::ExprClosure),
    /// `.filter(|p| cond)`: elements for which the (passive) condition holds.
    Filter(Box<Source>, syn::ExprClosure),
    /// `.rev()`, `.skip(n)`, `.take(n)`, `.step_by(s)`: the inner source's element at another
    /// position (`take` only shortens), with what that position reads.
    Reindexed(Box<Source>, Reindex, Vec<VarId>),
}

/// The position of the `k`-th element in the inner source.
#[derive(Clone)]
pub(super) enum Reindex {
    /// `len - 1 - k` (the inner length).
    Rev(syn::Expr),
    /// `k + n`.
    Skip(syn::Expr),
    /// `k * s`.
    Step(syn::Expr),
    /// `k` (`take` changes the length only).
    Same,
}

impl Lowerer<'_> {
    /// The source and its length (a passive `usize` expression) of an iterator expression.
    pub(super) fn iter_source(&mut self, e: &syn::Expr) -> Option<(Source, Expr)> {
        let span = e.span();
        match strip_parens(e) {
            syn::Expr::MethodCall(m) if m.args.is_empty() => match m.method.to_string().as_str() {
                "iter" | "copied" | "cloned" | "into_iter" => self.iter_source(&m.receiver),
                "enumerate" => {
                    let (s, len) = self.iter_source(&m.receiver)?;
                    Some((Source::Enumerate(Box::new(s)), len))
                }
                "rev" => {
                    let (s, len) = self.iter_source(&m.receiver)?;
                    let ExprKind::Opaque { expr, vars, .. } = &len.kind else {
                        return None;
                    };
                    let re = Reindex::Rev(expr.clone());
                    let vars = vars.clone();
                    Some((Source::Reindexed(Box::new(s), re, vars), len))
                }
                _ => None,
            },
            syn::Expr::MethodCall(m) if m.args.len() == 1 => match m.method.to_string().as_str() {
                "zip" => {
                    let (a, la) = self.iter_source(&m.receiver)?;
                    let (b, lb) = self.iter_source(&m.args[0])?;
                    let len = self.min_len(la, lb, span);
                    Some((Source::Zip(Box::new(a), Box::new(b)), len))
                }
                "map" | "filter" => {
                    let syn::Expr::Closure(c) = strip_parens(&m.args[0]) else {
                        return None;
                    };
                    let (s, len) = self.iter_source(&m.receiver)?;
                    Some(match m.method.to_string().as_str() {
                        "map" => (Source::Map(Box::new(s), c.clone()), len),
                        _ => (Source::Filter(Box::new(s), c.clone()), len),
                    })
                }
                "windows" => {
                    let (var, range, width, fl, vars, _) = self.parts(m, span)?;
                    // `len + 1 - k` windows, written so that it cannot overflow: LLVM then
                    // proves `i + k - 1 < len` and drops the bounds checks of the window's reads.
                    let len = self.built(
                        syn::parse_quote!(usize::saturating_sub(#fl, (#width) - 1)),
                        vars,
                        span,
                    );
                    let offset = range.and_then(|(lo, _)| lo.map(|b| *b));
                    Some((
                        Source::Windows {
                            var,
                            offset,
                            width,
                            step: None,
                            total: None,
                        },
                        len,
                    ))
                }
                "skip" | "take" | "step_by" => {
                    let (s, len) = self.iter_source(&m.receiver)?;
                    let (n, nv) = self.index_code(&m.args[0]);
                    let ExprKind::Opaque {
                        expr: l, mut vars, ..
                    } = len.kind
                    else {
                        return None;
                    };
                    vars.extend(nv.iter().copied());
                    let (re, new_len): (Reindex, syn::Expr) = match m.method.to_string().as_str() {
                        "skip" => (
                            Reindex::Skip(n.clone()),
                            syn::parse_quote!(usize::saturating_sub(#l, #n)),
                        ),
                        "take" => (Reindex::Same, syn::parse_quote!(::core::cmp::min(#l, #n))),
                        _ => (
                            Reindex::Step(n.clone()),
                            syn::parse_quote!((#l).div_ceil(#n)),
                        ),
                    };
                    let len = Expr::new(
                        ExprKind::Opaque {
                            expr: new_len,
                            vars: vars.clone(),
                            what: Unsupported::Length,
                        },
                        span,
                    );
                    Some((Source::Reindexed(Box::new(s), re, nv), len))
                }
                "chunks_exact" | "chunks" => {
                    let exact = m.method == "chunks_exact";
                    let (var, range, width, fl, vars, len_vars) = self.parts(m, span)?;
                    let total = (!exact).then(|| (fl.clone(), len_vars));
                    let count: syn::Expr = if exact {
                        syn::parse_quote!((#fl) / (#width))
                    } else {
                        syn::parse_quote!((#fl).div_ceil(#width))
                    };
                    let len = self.built(count, vars, span);
                    let offset = range.and_then(|(lo, _)| lo.map(|b| *b));
                    let step = Some(width.clone());
                    Some((
                        Source::Windows {
                            var,
                            offset,
                            width,
                            step,
                            total,
                        },
                        len,
                    ))
                }
                _ => None,
            },
            syn::Expr::Range(r) if r.start.is_some() && r.end.is_some() => {
                let (lo, mut vars) = self.index_code(r.start.as_ref().expect("checked"));
                let (hi, hv) = self.index_code(r.end.as_ref().expect("checked"));
                vars.extend(hv.iter().copied());
                let hi: syn::Expr = match r.limits {
                    syn::RangeLimits::Closed(_) => syn::parse_quote!((#hi) + 1),
                    _ => hi,
                };
                let len = self.built(
                    syn::parse_quote!(usize::saturating_sub((#hi) as usize, (#lo) as usize)),
                    vars.clone(),
                    span,
                );
                Some((Source::Range { lo, vars }, len))
            }
            other => {
                let inner = match other {
                    syn::Expr::Reference(r) => &*r.expr,
                    e => e,
                };
                // The rows of a matrix.
                if let Some((_, cols)) = self.matrix_of(inner) {
                    let (var, _) = self.view_of(inner)?;
                    let whole = self.view_len(var, &None, span);
                    let ExprKind::Opaque { expr, vars, .. } = whole.kind else {
                        return None;
                    };
                    let len = self.built(syn::parse_quote!((#expr) / (#cols)), vars, span);
                    let width: syn::Expr = syn::parse_quote!(#cols);
                    let source = Source::Windows {
                        var,
                        offset: None,
                        width: width.clone(),
                        step: Some(width),
                        total: None,
                    };
                    return Some((source, len));
                }
                let (var, range) = self.view_of(inner)?;
                let len = self.view_len(var, &range, span);
                let offset = range.and_then(|(lo, _)| lo.map(|b| *b));
                Some((Source::Elems { var, offset }, len))
            }
        }
    }

    /// For `x.windows(k)` / `x.chunks(k)`: the array and part viewed, the width `k`, the
    /// viewed length, what the length and width read, and what the length alone reads.
    #[allow(clippy::type_complexity)]
    fn parts(
        &mut self,
        m: &syn::ExprMethodCall,
        span: Span,
    ) -> Option<(
        VarId,
        Option<Range>,
        syn::Expr,
        syn::Expr,
        Vec<VarId>,
        Vec<VarId>,
    )> {
        let (var, range) = self.view_of(&m.receiver)?;
        let (width, wv) = self.index_code(&m.args[0]);
        let full = self.view_len(var, &range, span);
        let ExprKind::Opaque { expr, vars, .. } = full.kind else {
            return None;
        };
        let mut all = vars.clone();
        all.extend(wv);
        Some((var, range, width, expr, all, vars))
    }

    /// The length of `var` (or of its part `range`) as a passive expression.
    fn view_len(&mut self, var: VarId, range: &Option<Range>, span: Span) -> Expr {
        let ident = self.vars[var].ident.clone();
        let whole: syn::Expr = match &self.vars[var].shape {
            Shape::Array(n) | Shape::ArrayRef(n) => syn::parse_quote!(#n),
            _ => syn::parse_quote!(#ident.len()),
        };
        let code = |e: &Option<Box<Expr>>| match e.as_deref().map(|e| &e.kind) {
            Some(ExprKind::Opaque { expr, vars, .. }) => Some((expr.clone(), vars.clone())),
            _ => None,
        };
        let (lo, hi) = match range {
            Some((lo, hi)) => (code(lo), code(hi)),
            None => (None, None),
        };
        let mut vars = vec![var];
        let hi_e = match hi {
            Some((h, hv)) => {
                vars.extend(hv);
                h
            }
            None => whole,
        };
        let e: syn::Expr = match lo {
            Some((l, lv)) => {
                vars.extend(lv);
                syn::parse_quote!((#hi_e) - (#l))
            }
            None => hi_e,
        };
        Expr::new(
            ExprKind::Opaque {
                expr: e,
                vars,
                what: Unsupported::Length,
            },
            span,
        )
    }

    fn min_len(&self, a: Expr, b: Expr, span: Span) -> Expr {
        match (a.kind, b.kind) {
            (
                ExprKind::Opaque {
                    expr: ea,
                    vars: mut va,
                    ..
                },
                ExprKind::Opaque {
                    expr: eb, vars: vb, ..
                },
            ) => {
                va.extend(vb);
                Expr::new(
                    ExprKind::Opaque {
                        expr: syn::parse_quote!(::core::cmp::min(#ea, #eb)),
                        vars: va,
                        what: Unsupported::Length,
                    },
                    span,
                )
            }
            _ => self.built(syn::parse_quote!(0usize), Vec::new(), span),
        }
    }

    /// The element of `src` at the loop index `k`, as a tuple component (statements binding
    /// intermediate values go to `pending`).
    pub(super) fn element_at(&mut self, src: &Source, k: VarId, span: Span) -> Tup {
        let kid = self.vars[k].ident.clone();
        match src {
            Source::Elems { var, offset } => {
                let index = match offset.as_ref().map(|o| &o.kind) {
                    Some(ExprKind::Opaque { expr, vars, .. }) => {
                        let mut vars = vars.clone();
                        vars.push(k);
                        self.built(syn::parse_quote!((#expr) + #kid), vars, span)
                    }
                    _ => self.var_expr(k, span),
                };
                let e = Expr::new(ExprKind::Index(*var, Box::new(index)), span);
                Tup::One(self.temp(e))
            }
            Source::Range { lo, vars } => {
                let mut vars = vars.clone();
                vars.push(k);
                Tup::One(self.built(syn::parse_quote!((#lo) + #kid), vars, span))
            }
            Source::Windows {
                var,
                offset,
                width,
                step,
                total,
            } => {
                let kid = self.vars[k].ident.clone();
                // The last chunk of `chunks(k)` may be shorter.
                let len = match total {
                    Some((t, tv)) => {
                        let mut vars = tv.clone();
                        vars.push(k);
                        Expr::new(
                            ExprKind::Opaque {
                                expr: syn::parse_quote!(::core::cmp::min(#width, (#t) - #kid * (#width))),
                                vars,
                                what: Unsupported::Length,
                            },
                            span,
                        )
                    }
                    None => self.built(width.clone(), Vec::new(), span),
                };
                let at: syn::Expr = match step {
                    Some(s) => syn::parse_quote!(#kid * (#s)),
                    None => syn::parse_quote!(#kid),
                };
                let off = match offset.as_ref().map(|o| &o.kind) {
                    Some(ExprKind::Opaque { expr, vars, .. }) => {
                        let mut vars = vars.clone();
                        vars.push(k);
                        self.built(syn::parse_quote!((#expr) + #at), vars, span)
                    }
                    _ => self.built(at, vec![k], span),
                };
                let fixed = (total.is_none() && arrays::is_constant(width)).then(|| quote!(#width));
                Tup::View {
                    base: *var,
                    offset: off,
                    len,
                    fixed,
                }
            }
            Source::Enumerate(s) => {
                let e = self.element_at(s, k, span);
                Tup::Many(vec![Tup::One(self.var_expr(k, span)), e])
            }
            Source::Zip(a, b) => {
                let (ea, eb) = (self.element_at(a, k, span), self.element_at(b, k, span));
                Tup::Many(vec![ea, eb])
            }
            Source::Map(s, c) => {
                self.bind_closure_params(c, s, k, span);
                let v = self.expr(&c.body);
                Tup::One(self.temp(v))
            }
            Source::Reindexed(s, re, vars) => {
                let at: syn::Expr = match re {
                    Reindex::Rev(len) => syn::parse_quote!((#len) - 1 - #kid),
                    Reindex::Skip(n) => syn::parse_quote!(#kid + (#n)),
                    Reindex::Step(st) => syn::parse_quote!(#kid * (#st)),
                    Reindex::Same => return self.element_at(s, k, span),
                };
                let mut vars = vars.clone();
                vars.push(k);
                let k2 = self.fresh("k", false, Shape::Scalar);
                let init = Expr::new(
                    ExprKind::Opaque {
                        expr: at,
                        vars,
                        what: Unsupported::Length,
                    },
                    span,
                );
                self.pending.push(Stmt::Let {
                    var: k2,
                    ty: Some(syn::parse_quote!(usize)),
                    init,
                });
                self.element_at(s, k2, span)
            }
            Source::Filter(s, c) => {
                let e = self.element_at(s, k, span);
                if let Some(p) = c.inputs.first() {
                    self.bind_pattern(strip_ref(p), e.copy());
                }
                let cond = self.expr(&c.body);
                // What the condition reads is computed before the `if` that it guards.
                let cond = self.temp(cond);
                self.iter_conds.push((cond, self.pending.len()));
                e
            }
        }
    }

    /// The statements of one iteration, under the conditions of the `filter`s met on the way
    /// (`if c1 && c2 { .. }`).
    pub(super) fn filtered(
        &mut self,
        conds: Vec<(Expr, usize)>,
        mut body: Vec<Stmt>,
        span: Span,
    ) -> Vec<Stmt> {
        // The statements up to the last condition run first; the rest under the conditions.
        let split = conds
            .iter()
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0)
            .min(body.len());
        let mut conds = conds.into_iter().map(|(c, _)| c);
        let Some(first) = conds.next() else {
            return body;
        };
        let cond = conds.fold(first, |a, b| {
            Expr::new(ExprKind::Logic(LogicOp::And, vec![a, b]), span)
        });
        let rest = body.split_off(split);
        body.push(Stmt::If {
            cond,
            then: Block { stmts: rest },
            els: Block::default(),
        });
        body
    }

    /// Binds a closure's one parameter to the element of `src` at `k` (in the current scope).
    pub(super) fn bind_closure_params(
        &mut self,
        c: &syn::ExprClosure,
        src: &Source,
        k: VarId,
        span: Span,
    ) {
        let Some(p) = c.inputs.first() else {
            return;
        };
        let e = self.element_at(src, k, span);
        self.bind_pattern(strip_ref(p), e);
    }

    /// Declares `name` as the sub-slice `base[offset..offset + len]`.
    pub(super) fn view_alias(
        &mut self,
        name: &syn::Ident,
        base: VarId,
        offset: Expr,
        len: Expr,
        fixed: Option<TokenStream>,
    ) {
        let offset_v = self.fresh("offset", false, Shape::Scalar);
        self.pending.push(Stmt::Let {
            var: offset_v,
            ty: Some(syn::parse_quote!(usize)),
            init: offset,
        });
        let len_v = self.fresh("len", false, Shape::Scalar);
        self.pending.push(Stmt::Let {
            var: len_v,
            ty: Some(syn::parse_quote!(usize)),
            init: len,
        });
        let v = self.declare(name, false, Shape::Scalar);
        self.aliases.push((
            v,
            Alias {
                base,
                offset: offset_v,
                len: len_v,
                mutable: false,
                fixed,
            },
        ));
    }

    /// `chain.sum()`, `.product()`, `.fold(init, |acc, v| e)` of a supported iterator: the
    /// accumulator's value (the loop goes to `pending`). `None` if `e` is not such a chain.
    pub(super) fn iter_reduce(&mut self, e: &syn::Expr) -> Option<Expr> {
        let syn::Expr::MethodCall(m) = strip_parens(e) else {
            return None;
        };
        let span = e.span();
        let method = m.method.to_string();
        if let Some(v) = self.iter_extreme(e) {
            return Some(v);
        }
        let (init, fold) = match (method.as_str(), m.args.len()) {
            // Rust's float `Sum` starts from -0.0 (an empty sum is -0.0).
            ("sum", 0) => {
                let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
                let neg = crate::intrinsics::op(crate::intrinsics::Op::Neg);
                (Expr::new(ExprKind::Call(neg, vec![zero]), span), None)
            }
            ("product", 0) => (Expr::new(ExprKind::Lit(syn::parse_quote!(1.0)), span), None),
            ("fold", 2) => {
                let c: syn::ExprClosure = match strip_parens(&m.args[1]) {
                    syn::Expr::Closure(c) => c.clone(),
                    // `fold(init, f64::max)`: the method as a closure.
                    syn::Expr::Path(p) => {
                        let name = float_method_path(p)?;
                        if name != "max" && name != "min" {
                            return None;
                        }
                        syn::parse_quote!(|__a, __b| __a.#name(__b))
                    }
                    _ => return None,
                };
                (self.expr(&m.args[0]), Some(c))
            }
            _ => return None,
        };
        let (src, len) = self.iter_source(&m.receiver)?;
        let acc = self.fresh("acc", true, Shape::Scalar);
        self.vars[acc].float = true;
        // `sum::<f64>()`: the accumulator has that type (a chain of constants would not say).
        let ty = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(ty)) if float_ty(ty).is_some() => Some(ty.clone()),
            _ => None,
        });
        self.pending.push(Stmt::Let { var: acc, ty, init });
        let outer = std::mem::take(&mut self.pending);
        let outer_conds = std::mem::take(&mut self.iter_conds);
        self.scopes.push(Vec::new());
        let k = self.fresh("k", false, Shape::Scalar);
        let value = match &fold {
            None => match self.element_at(&src, k, span) {
                Tup::One(v) => v,
                Tup::Many(_) | Tup::View { .. } => {
                    self.cx.error_at(&m.method, "`#[differentiable]` sums and multiplies floats: `map` the items to a float first");
                    self.placeholder(e)
                }
            },
            Some(c) => {
                // `|acc, v| e`: `acc` is the accumulator's current value.
                let mut inputs = c.inputs.iter();
                if let Some(syn::Pat::Ident(pa)) = inputs.next().map(strip_ref) {
                    self.scopes
                        .last_mut()
                        .expect("pushed")
                        .push((pa.ident.to_string(), acc));
                }
                if let Some(p) = inputs.next() {
                    let el = self.element_at(&src, k, span);
                    self.bind_pattern(strip_ref(p), el);
                }
                self.expr(&c.body)
            }
        };
        let op = match (method.as_str(), &fold) {
            ("product", _) => Some(crate::intrinsics::Op::Mul),
            (_, None) => Some(crate::intrinsics::Op::Add),
            _ => None,
        };
        let new = match op {
            Some(op) => Expr::new(
                ExprKind::Call(
                    crate::intrinsics::op(op),
                    vec![self.var_expr(acc, span), value],
                ),
                span,
            ),
            None => value,
        };
        let mut body = std::mem::take(&mut self.pending);
        body.push(Stmt::Assign {
            var: acc,
            value: new,
        });
        let conds = std::mem::replace(&mut self.iter_conds, outer_conds);
        let body = self.filtered(conds, body, span);
        self.scopes.pop();
        self.pending = outer;
        let lp = index_loop(k, 0, len, body, Vec::new(), span)?;
        self.pending.push(lp);
        Some(self.var_expr(acc, span))
    }
}

impl Lowerer<'_> {
    /// `src.max_by(|a, b| a.total_cmp(b)).unwrap()` (also `partial_cmp(..).unwrap()`,
    /// `min_by`, `.copied()` before `unwrap`): the first element, then a loop keeping the
    /// larger (the last of equal maxima, the first of equal minima, as the standard library).
    fn iter_extreme(&mut self, e: &syn::Expr) -> Option<Expr> {
        let syn::Expr::MethodCall(unwrap) = strip_parens(e) else {
            return None;
        };
        if unwrap.method != "unwrap" || !unwrap.args.is_empty() {
            return None;
        }
        let mut recv = strip_parens(&unwrap.receiver);
        if let syn::Expr::MethodCall(c) = recv {
            if (c.method == "copied" || c.method == "cloned") && c.args.is_empty() {
                recv = strip_parens(&c.receiver);
            }
        }
        let syn::Expr::MethodCall(m) = recv else {
            return None;
        };
        let want_max = match m.method.to_string().as_str() {
            "max_by" => true,
            "min_by" => false,
            _ => return None,
        };
        let syn::Expr::Closure(cmp) = strip_parens(m.args.first()?) else {
            return None;
        };
        // `|a, b| a.total_cmp(b)` orders as written; `b.total_cmp(a)` reverses.
        let names: Vec<String> = cmp
            .inputs
            .iter()
            .filter_map(|p| match strip_ref(p) {
                syn::Pat::Ident(pi) => Some(pi.ident.to_string()),
                _ => None,
            })
            .collect();
        let body = cmp.body.to_token_stream().to_string();
        let first = names.first()?;
        let reversed = !body
            .trim_start_matches(['*', ' '])
            .starts_with(first.as_str());
        let larger = want_max != reversed;
        let (src, len) = self.iter_source(&m.receiver)?;
        let span = e.span();
        let k0 = self.fresh("k", false, Shape::Scalar);
        let zero = self.built(syn::parse_quote!(0usize), Vec::new(), span);
        self.pending.push(Stmt::Let {
            var: k0,
            ty: Some(syn::parse_quote!(usize)),
            init: zero,
        });
        let Tup::One(first_el) = self.element_at(&src, k0, span) else {
            return None;
        };
        let best = self.fresh("best", true, Shape::Scalar);
        self.vars[best].float = true;
        self.pending.push(Stmt::Let {
            var: best,
            ty: None,
            init: first_el,
        });
        let outer = std::mem::take(&mut self.pending);
        self.scopes.push(Vec::new());
        let k = self.fresh("k", false, Shape::Scalar);
        let Tup::One(v) = self.element_at(&src, k, span) else {
            return None;
        };
        let op: syn::BinOp = match (larger, want_max) {
            (true, true) => syn::parse_quote!(>=),
            (true, false) => syn::parse_quote!(>),
            (false, true) => syn::parse_quote!(<=),
            (false, false) => syn::parse_quote!(<),
        };
        let cond = Expr::new(
            ExprKind::Compare(
                op,
                Box::new(clone_index(&v)),
                Box::new(self.var_expr(best, span)),
            ),
            span,
        );
        let mut body = std::mem::take(&mut self.pending);
        body.push(Stmt::If {
            cond,
            then: Block {
                stmts: vec![Stmt::Assign {
                    var: best,
                    value: v,
                }],
            },
            els: Block::default(),
        });
        self.scopes.pop();
        self.pending = outer;
        let lp = index_loop(k, 1, len, body, Vec::new(), span)?;
        self.pending.push(lp);
        Some(self.var_expr(best, span))
    }
}

/// `for k in start..len { body }` over the indices of an iterator (`len` a passive length
/// expression), with the loop's exit flags.
pub(super) fn index_loop(
    k: VarId,
    start: usize,
    len: Expr,
    body: Vec<Stmt>,
    exits: Vec<VarId>,
    span: Span,
) -> Option<Stmt> {
    let ExprKind::Opaque {
        expr: len_e, vars, ..
    } = len.kind
    else {
        return None;
    };
    let start = proc_macro2::Literal::usize_unsuffixed(start);
    Some(Stmt::Loop(Box::new(Loop {
        head: LoopHead::For {
            var: k,
            iter: Expr::new(
                ExprKind::Opaque {
                    expr: syn::parse_quote!(#start..#len_e),
                    vars,
                    what: Unsupported::Length,
                },
                span,
            ),
        },
        body: Block { stmts: body },
        exits,
        bound: None,
    })))
}

/// `&p` and `p` bind alike here (elements are copied floats).
fn strip_ref(p: &syn::Pat) -> &syn::Pat {
    match p {
        syn::Pat::Reference(r) => strip_ref(&r.pat),
        syn::Pat::Type(t) => strip_ref(&t.pat),
        other => other,
    }
}
