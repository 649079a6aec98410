//! Arrays beyond single elements: array patterns, whole-array copies, arrays and sub-slices as
//! call arguments, names of sub-slices (`let c = &x[a..b];`) and matrices (flattened row by
//! row: `m[i][j]` is `m[i * cols + j]`).

use super::*;
impl Lowerer<'_> {
    /// `let [a, b, c] = arr;` on an array of known length: each name gets its element.
    pub(super) fn array_pattern(&mut self, ps: &syn::PatSlice, init: &syn::Expr) -> Option<Stmt> {
        // `let [a, b] = *x;` with `x: &[f; 2]`: the same elements.
        let inner = match strip_parens(init) {
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => &*u.expr,
            e => e,
        };
        let value = self.expr(inner);
        let src = match &value.kind {
            ExprKind::Var(v) => Some(*v),
            _ => None,
        };
        let len = src.and_then(|v| match &self.vars[v].shape {
            Shape::Array(n) | Shape::ArrayRef(n) => syn::parse2::<syn::LitInt>(n.clone())
                .ok()
                .and_then(|l| l.base10_parse::<usize>().ok()),
            _ => None,
        });
        let (Some(src), Some(len)) = (src, len) else {
            self.cx.error_at(
                init,
                "`#[differentiable]` destructures arrays of literal length (`let [a, b] = arr;`); index the elements instead",
            );
            return None;
        };
        if ps.elems.len() != len {
            self.cx.error_at(
                ps,
                format!("this pattern has {} elements and the array {len}; name every element (`..` is not supported)", ps.elems.len()),
            );
            return None;
        }
        self.array_pattern_of(ps, src, init.span())
    }

    /// Binds the names of `let [a, b, ..]` to the elements of the array `src`.
    pub(super) fn array_pattern_of(
        &mut self,
        ps: &syn::PatSlice,
        src: VarId,
        span: Span,
    ) -> Option<Stmt> {
        let len = ps.elems.len();
        let parts: Vec<Tup> = (0..len)
            .map(|k| {
                let lit = proc_macro2::Literal::usize_unsuffixed(k);
                let index = self.built(syn::parse_quote!(#lit), Vec::new(), span);
                let e = Expr::new(ExprKind::Index(src, Box::new(index)), span);
                Tup::One(self.temp(e))
            })
            .collect();
        for (p, v) in ps.elems.iter().zip(parts) {
            self.bind_pattern(p, v);
        }
        None
    }

    /// `let a = b;` where `b` holds an array: an array literal's storage takes the name (no
    /// copy), a parameter `&[f; N]`/`&[f]` is aliased, a local array is copied element by
    /// element (arrays are `Copy`). `None` if `b` is not an array. Returns the statement to emit.
    pub(super) fn let_array(
        &mut self,
        name: &syn::Ident,
        mutable: bool,
        src: VarId,
    ) -> Option<Option<Stmt>> {
        match self.vars[src].shape.clone() {
            Shape::Array(_) | Shape::Vec if self.literals.contains(&src) => {
                self.literals.retain(|&l| l != src);
                self.vars[src].name = name.clone();
                self.scopes
                    .last_mut()
                    .expect("there is always a scope")
                    .push((name.to_string(), src));
                Some(None)
            }
            Shape::ArrayRef(_) | Shape::SliceRef if !mutable => {
                self.scopes
                    .last_mut()
                    .expect("there is always a scope")
                    .push((name.to_string(), src));
                Some(None)
            }
            Shape::Array(n) | Shape::ArrayRef(n) => {
                let span = name.span();
                let var = self.declare(name, true, Shape::Array(n.clone()));
                self.vars[var].float = true;
                let len: syn::Expr = syn::parse_quote!(#n);
                let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
                self.pending.push(Stmt::Let {
                    var,
                    ty: None,
                    init: Expr::new(ExprKind::ArrayRepeat(Box::new(zero), len), span),
                });
                Some(Some(self.copy_loop(var, src, &n, span)))
            }
            _ => None,
        }
    }

    /// `for k in 0..n { dst[k] = src[k]; }`: a whole-array copy.
    pub(super) fn copy_loop(
        &mut self,
        dst: VarId,
        src: VarId,
        n: &TokenStream,
        span: Span,
    ) -> Stmt {
        let k = self.fresh("k", false, Shape::Scalar);
        let read = Expr::new(ExprKind::Index(src, Box::new(self.var_expr(k, span))), span);
        Stmt::Loop(Box::new(Loop {
            head: LoopHead::For {
                var: k,
                iter: self.built(syn::parse_quote!(0..#n), Vec::new(), span),
            },
            body: Block {
                stmts: vec![Stmt::IndexAssign {
                    var: dst,
                    index: self.var_expr(k, span),
                    value: read,
                }],
            },
            exits: Vec::new(),
            bound: Some(n.clone()),
        }))
    }

    /// `let p: [f; M] = helper(..);`, `let [a, b] = helper(..);` and `p = helper(..);` with a
    /// `#[differentiable]` helper returning an array: the result goes into the local array `p`,
    /// passed to the helper as an extra output buffer. `None` if `init` is not a call of a
    /// function (a path that is not a local, a float method or `Vec`).
    pub(super) fn returned_array(&mut self, dest: VarId, init: &syn::Expr) -> Option<Stmt> {
        let args = self.returned_args(init)?;
        self.returned_call(dest, init, args)
    }

    /// The lowered arguments of the call `init` (before its result is bound: `let a: [f64; 2]
    /// = f(&a);` reads the `a` it shadows).
    pub(super) fn returned_args(&mut self, init: &syn::Expr) -> Option<Vec<Expr>> {
        if !self.is_fn_call(init) {
            return None;
        }
        let syn::Expr::Call(c) = strip_parens(init) else {
            return None;
        };
        Some(c.args.iter().map(|a| self.call_arg(a)).collect())
    }

    /// The call `init` with its lowered `args`, its result written into `dest`.
    pub(super) fn returned_call(
        &mut self,
        dest: VarId,
        init: &syn::Expr,
        mut args: Vec<Expr>,
    ) -> Option<Stmt> {
        let syn::Expr::Call(c) = strip_parens(init) else {
            return None;
        };
        let span = init.span();
        args.push(Expr::new(
            ExprKind::View {
                var: dest,
                range: None,
                mutable: true,
                len: None,
                returned: true,
            },
            span,
        ));
        Some(Stmt::Expr(Expr::new(
            ExprKind::UserCall((*c.func).clone(), args),
            span,
        )))
    }

    /// Whether `e` is a call of a function by path (not a local, float method or `Vec`).
    pub(super) fn is_fn_call(&self, e: &syn::Expr) -> bool {
        match strip_parens(e) {
            syn::Expr::Call(c) => match &*c.func {
                // (`<T>::g(&p, ..)`: a struct's method, see `structs`.)
                syn::Expr::Path(p) => {
                    (p.qself.is_none() || super::exprs::is_field_method(p))
                        && p.path.get_ident().and_then(|i| self.resolve(i)).is_none()
                        && float_method_path(p).is_none()
                        && !p.path.segments.iter().any(|s| s.ident == "Vec")
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// A fresh local array `[0.0; n]` (statements to `pending`).
    pub(super) fn local_array(
        &mut self,
        name: Option<&syn::Ident>,
        n: TokenStream,
        span: Span,
    ) -> VarId {
        let v = match name {
            Some(name) => self.declare(name, true, Shape::Array(n.clone())),
            None => self.fresh("array", true, Shape::Array(n.clone())),
        };
        self.vars[v].float = true;
        let len: syn::Expr = syn::parse_quote!(#n);
        let zero = Expr::new(ExprKind::Lit(syn::parse_quote!(0.0)), span);
        self.pending.push(Stmt::Let {
            var: v,
            ty: None,
            init: Expr::new(ExprKind::ArrayRepeat(Box::new(zero), len), span),
        });
        v
    }

    /// The compile-time length of a viewed part, if known: a matrix row, or a range with
    /// literal bounds.
    pub(super) fn static_len(&self, e: &syn::Expr) -> Option<TokenStream> {
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        let lit = |e: &Option<Box<syn::Expr>>| -> Option<u64> {
            match e.as_deref().map(strip_parens) {
                None => Some(0),
                Some(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(i),
                    ..
                })) => i.base10_parse().ok(),
                _ => None,
            }
        };
        match strip_parens(&ix.index) {
            // `a..a + N` with a constant `N` (a literal, or a constant's path: capitalized).
            syn::Expr::Range(r)
                if matches!(r.limits, syn::RangeLimits::HalfOpen(_)) && lit(&r.start).is_none() =>
            {
                let (Some(lo), Some(hi)) = (r.start.as_deref(), r.end.as_deref()) else {
                    return None;
                };
                let syn::Expr::Binary(b) = strip_parens(hi) else {
                    return None;
                };
                let same_start = matches!(b.op, syn::BinOp::Add(_))
                    && b.left.to_token_stream().to_string() == lo.to_token_stream().to_string();
                let constant = is_constant(&b.right);
                let n = &b.right;
                (same_start && constant).then(|| quote!(#n))
            }
            syn::Expr::Range(r) if r.end.is_some() => {
                let (lo, hi) = (lit(&r.start)?, lit(&r.end)?);
                let hi = hi + u64::from(matches!(r.limits, syn::RangeLimits::Closed(_)));
                let n = proc_macro2::Literal::u64_unsuffixed(hi.checked_sub(lo)?);
                Some(quote!(#n))
            }
            syn::Expr::Range(_) => None,
            _ => self.matrix_of(&ix.expr).map(|(_, cols)| cols),
        }
    }

    /// An argument of a call to another function: arrays and sub-slices become views
    /// (`x`, `&a`, `&x[lo..hi]`), anything else an expression.
    pub(super) fn call_arg(&mut self, a: &syn::Expr) -> Expr {
        let span = a.span();
        let array_var = |lw: &Self, e: &syn::Expr| match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let v = lw.resolve(p.path.get_ident()?)?;
                (!matches!(lw.vars[v].shape, Shape::Scalar)).then_some(v)
            }
            _ => None,
        };
        match strip_parens(a) {
            syn::Expr::Reference(r) => {
                let mutable = r.mutability.is_some();
                let len = self.static_len(&r.expr);
                let view = |var, range| {
                    Expr::new(
                        ExprKind::View {
                            var,
                            range,
                            mutable,
                            len: len.clone(),
                            returned: false,
                        },
                        span,
                    )
                };
                if let Some(v) = array_var(self, &r.expr) {
                    return view(v, None);
                }
                // `&[a, b]`, `&[0.0; 3]`: a local array made for the call.
                if matches!(
                    strip_parens(&r.expr),
                    syn::Expr::Array(_) | syn::Expr::Repeat(_)
                ) {
                    let e = self.expr(&r.expr);
                    let e = match e.kind {
                        ExprKind::ArrayRepeat(_, ref len) => {
                            let n = len_tokens(len);
                            let v = self.fresh("array", true, Shape::Array(n));
                            self.vars[v].float = self.floatish(&e);
                            self.pending.push(Stmt::Let {
                                var: v,
                                ty: None,
                                init: e,
                            });
                            return view(v, None);
                        }
                        _ => e,
                    };
                    if let ExprKind::Var(v) = e.kind {
                        if matches!(self.vars[v].shape, Shape::Array(_)) {
                            return view(v, None);
                        }
                    }
                    return e;
                }
                if let Some((v, range)) = self.view_of(&r.expr) {
                    return view(v, range);
                }
                self.expr(a)
            }
            e => match array_var(self, e) {
                _ if self.path_var(e).and_then(|v| self.alias_of(v)).is_some() => {
                    // A name of a sub-slice, passed on.
                    let a = self
                        .alias_of(self.path_var(e).expect("checked"))
                        .expect("checked");
                    let (var, range) = self.view_of(e).expect("an alias is a view");
                    Expr::new(
                        ExprKind::View {
                            var,
                            range,
                            mutable: a.mutable,
                            len: a.fixed.clone(),
                            returned: false,
                        },
                        span,
                    )
                }
                // A parameter `x: &[f]` passed on (`&mut [f]` outputs are reborrowed).
                Some(v) if !matches!(self.vars[v].shape, Shape::Array(_)) => {
                    let mutable = self.output_params.contains(&v);
                    Expr::new(
                        ExprKind::View {
                            var: v,
                            range: None,
                            mutable,
                            len: None,
                            returned: false,
                        },
                        span,
                    )
                }
                _ => self.expr(a),
            },
        }
    }

    /// The local variable a path names.
    pub(super) fn path_var(&self, e: &syn::Expr) -> Option<VarId> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => self.resolve(p.path.get_ident()?),
            _ => None,
        }
    }

    /// `(rows, cols)` if `e` names a matrix.
    pub(super) fn matrix_of(&self, e: &syn::Expr) -> Option<(Option<TokenStream>, TokenStream)> {
        let v = self.path_var(e)?;
        let (_, r, c) = self.matrices.iter().find(|(m, ..)| *m == v)?;
        Some((r.clone(), c.clone()))
    }

    pub(super) fn alias_of(&self, v: VarId) -> Option<Alias> {
        self.aliases
            .iter()
            .find(|(a, _)| *a == v)
            .map(|(_, a)| a.clone())
    }

    /// An index expression as renamed Rust, with the variables it reads.
    pub(super) fn index_code(&mut self, e: &syn::Expr) -> (syn::Expr, Vec<VarId>) {
        match self.opaque(e, Unsupported::Passive).kind {
            ExprKind::Opaque { expr, vars, .. } => (expr, vars),
            _ => unreachable!("opaque returns opaque"),
        }
    }

    /// The storage element that `x[i]`, `a[i]` (a sub-slice name) or `m[i][j]` (a matrix)
    /// denotes: the variable and the index into it.
    pub(super) fn element(&mut self, e: &syn::Expr) -> Option<(VarId, Expr)> {
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        if matches!(strip_parens(&ix.index), syn::Expr::Range(_)) {
            return None;
        }
        let span = e.span();
        if let syn::Expr::Index(inner) = strip_parens(&ix.expr) {
            let m = self.path_var(&inner.expr)?;
            let (_, cols) = self.matrix_of(&inner.expr)?;
            let (i, mut vars) = self.index_code(&inner.index);
            let (j, jv) = self.index_code(&ix.index);
            vars.extend(jv);
            let flat = self.built(syn::parse_quote!((#i) * (#cols) + (#j)), vars, span);
            return Some((m, flat));
        }
        let v = self.path_var(&ix.expr)?;
        if let Some(a) = self.alias_of(v) {
            let (j, mut vars) = self.index_code(&ix.index);
            let off = self.vars[a.offset].ident.clone();
            vars.push(a.offset);
            let at = self.built(syn::parse_quote!(#off + (#j)), vars, span);
            return Some((a.base, at));
        }
        if self.matrix_of(&ix.expr).is_some() || self.tuples.iter().any(|(t, _)| *t == v) {
            return None;
        }
        Some((v, self.expr(&ix.index)))
    }

    /// An array argument or sub-slice: the storage variable and the range (`None`: all of it),
    /// for `x`, `x[a..b]`, `m[i]` (a matrix row) and names of sub-slices.
    pub(super) fn view_of(&mut self, e: &syn::Expr) -> Option<(VarId, Option<Range>)> {
        let span = e.span();
        match strip_parens(e) {
            syn::Expr::Index(ix) => {
                let (base, range) = self.view_of(&ix.expr)?;
                if let Some((_, cols)) = self.matrix_of(&ix.expr) {
                    // A row of a matrix.
                    let (i, vars) = self.index_code(&ix.index);
                    let lo = self.built(syn::parse_quote!((#i) * (#cols)), vars.clone(), span);
                    let hi = self.built(syn::parse_quote!(((#i) + 1) * (#cols)), vars, span);
                    return Some((base, Some((Some(Box::new(lo)), Some(Box::new(hi))))));
                }
                let syn::Expr::Range(r) = strip_parens(&ix.index) else {
                    return None;
                };
                let bound = |lw: &mut Self, b: &Option<Box<syn::Expr>>, end: bool| {
                    b.as_ref().map(|b| {
                        let (code, vars) = lw.index_code(b);
                        let code: syn::Expr =
                            if end && matches!(r.limits, syn::RangeLimits::Closed(_)) {
                                syn::parse_quote!((#code) + 1)
                            } else {
                                code
                            };
                        (code, vars)
                    })
                };
                let (lo, hi) = (bound(self, &r.start, false), bound(self, &r.end, true));
                // Offsets of a sub-slice of a sub-slice add up.
                let base_off = match &range {
                    Some((Some(o), _)) => Some(clone_index(o)),
                    _ => None,
                };
                let shift = |lw: &Self, b: Option<(syn::Expr, Vec<VarId>)>| -> Option<Box<Expr>> {
                    b.map(|(code, mut vars)| {
                        let code: syn::Expr = match base_off.as_ref().map(|o| &o.kind) {
                            Some(ExprKind::Opaque {
                                expr: oe, vars: ov, ..
                            }) => {
                                vars.extend(ov.iter().copied());
                                syn::parse_quote!((#oe) + (#code))
                            }
                            _ => code,
                        };
                        Box::new(lw.built(code, vars, span))
                    })
                };
                let lo_e =
                    shift(self, lo).or_else(|| base_off.as_ref().map(|o| Box::new(clone_index(o))));
                let hi_e = match hi {
                    Some(h) => shift(self, Some(h)),
                    None => range.and_then(|(_, h)| h),
                };
                Some((base, Some((lo_e, hi_e))))
            }
            _ => {
                let v = self.path_var(e)?;
                if let Some(a) = self.alias_of(v) {
                    let (off, len) = (&self.vars[a.offset].ident, &self.vars[a.len].ident);
                    let lo = self.built(syn::parse_quote!(#off), vec![a.offset], span);
                    let hi =
                        self.built(syn::parse_quote!(#off + #len), vec![a.offset, a.len], span);
                    return Some((a.base, Some((Some(Box::new(lo)), Some(Box::new(hi))))));
                }
                (!matches!(self.vars[v].shape, Shape::Scalar)).then_some((v, None))
            }
        }
    }

    /// `let s = &x[a..b];`, `let r = &m[i];` (also `&mut`): `s` names that part of `x`.
    pub(super) fn alias_let(&mut self, name: &syn::Ident, init: &syn::Expr) -> bool {
        let syn::Expr::Reference(r) = strip_parens(init) else {
            return false;
        };
        if !matches!(strip_parens(&r.expr), syn::Expr::Index(_)) {
            return false;
        }
        let Some((base, Some((lo, hi)))) = self.view_of(&r.expr) else {
            return false;
        };
        let span = init.span();
        let b = self.vars[base].ident.clone();
        let lo = lo
            .map(|e| *e)
            .unwrap_or_else(|| self.built(syn::parse_quote!(0usize), Vec::new(), span));
        let offset = self.fresh("offset", false, Shape::Scalar);
        self.pending.push(Stmt::Let {
            var: offset,
            ty: Some(syn::parse_quote!(usize)),
            init: lo,
        });
        let off = self.vars[offset].ident.clone();
        let hi = hi.map(|e| *e).unwrap_or_else(|| {
            Expr::new(
                ExprKind::Opaque {
                    expr: syn::parse_quote!(#b.len()),
                    vars: vec![base],
                    what: Unsupported::Length,
                },
                span,
            )
        });
        let len = self.fresh("len", false, Shape::Scalar);
        let hi_len = match hi.kind {
            ExprKind::Opaque {
                expr,
                mut vars,
                what,
            } => {
                vars.push(offset);
                Expr::new(
                    ExprKind::Opaque {
                        expr: syn::parse_quote!((#expr) - #off),
                        vars,
                        what,
                    },
                    span,
                )
            }
            _ => return false,
        };
        self.pending.push(Stmt::Let {
            var: len,
            ty: Some(syn::parse_quote!(usize)),
            init: hi_len,
        });
        let fixed = self.static_len(&r.expr);
        let v = self.declare(name, false, Shape::Scalar);
        self.aliases.push((
            v,
            Alias {
                base,
                offset,
                len,
                mutable: r.mutability.is_some(),
                fixed,
            },
        ));
        true
    }
}

/// Whether `e` is a compile-time constant length: an integer literal, or a constant's path
/// (`N`, `Type::LEN`: capitalized; the field lengths of struct parameters).
pub(super) fn is_constant(e: &syn::Expr) -> bool {
    match strip_parens(e) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(_),
            ..
        }) => true,
        syn::Expr::Path(p) => p.path.segments.last().is_some_and(|s| {
            let name = s.ident.to_string();
            name.starts_with("__AD_")
                || name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }),
        _ => false,
    }
}
