//! Iterators over arrays, slices and ranges, lowered to the indexed loops the adjoint handles:
//! `for v in x.iter()` / `for v in &x` / `for v in x` / `for (i, v) in x.iter().enumerate()` /
//! `for (a, b) in x.iter().zip(y)`, and the chains `src.map(|..| e).sum()`, `.product()`,
//! `.fold(init, |acc, v| e)` over `x.iter()`, ranges `(a..b)`, `x.windows(k)`, `enumerate` and
//! `zip`. A chain becomes `let mut acc = init; for k in 0..len { acc = acc + e(k); }`.
//!
//! Here the sources of a chain ([`Source`]); [`elements`] gives an element of a source at an
//! index, [`reduce`] lowers the chains' ends (`sum`, `product`, `fold`, `max_by`, ..) and `for`
//! loops over elements.

mod collect;
mod elements;
mod reduce;

pub(super) use reduce::index_loop;
use reduce::strip_ref;

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
}
