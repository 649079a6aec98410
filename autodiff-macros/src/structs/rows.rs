//! Matrix fields iterated by rows: `for (k, row) in m.w.iter().enumerate()`, `for row in &m.w`,
//! `m.w.iter().map(|row| ..)`.
//!
//! The attribute cannot see whether a field is a matrix (its items rows) or a vector (its items
//! floats). The user's function type-checks, so the use decides: an item that is indexed,
//! iterated, measured (`len`) or zipped with is a row. Such a chain's root, `m.w.iter()` or
//! `&m.w`, is rewritten to the field's rows in the flattened parameter,
//! `m[off..off + len].chunks_exact(cols)`, which the iterator lowering takes as row views. An
//! item that is never read (`for _ in &m.w`) needs only the count, `0..ROWS` (the rows of a
//! matrix, the elements of a vector).

use syn::visit::Visit;

use super::fields::Fields;

/// Where the field's item sits in the pattern of the chain's items: the positions in nested
/// tuples, outermost first. `[]` for `for row in m.w.iter()`, `[1]` for `(k, row)` of
/// `enumerate`, `[0]` for `(row, x)` of `zip`, `[0, 0]` for `((row, b), v)` of two `zip`s.
type Place = Vec<usize>;

impl Fields<'_> {
    /// Rewrites the root of `fl`'s iterable when the loop's item is used as a row, or not read.
    pub(super) fn rows_of_loop(&self, fl: &mut syn::ExprForLoop) {
        let Some(place) = self.chain_place(&fl.expr) else {
            return;
        };
        let item = item_use(&fl.pat, place, |v| v.visit_block(&fl.body));
        self.rewrite_root(&mut fl.expr, item);
    }

    /// Rewrites the root of `R.map(|row| ..)` / `R.fold(init, |acc, row| ..)` (and after
    /// `enumerate`, `zip`) when the closure's item is used as a row, or not read.
    pub(super) fn rows_of_closure(&self, mc: &mut syn::ExprMethodCall) {
        let closure = match mc.method.to_string().as_str() {
            "map" | "filter" => mc.args.first(),
            "fold" => mc.args.iter().nth(1),
            _ => None,
        };
        let Some(syn::Expr::Closure(c)) = closure else {
            return;
        };
        let Some(place) = self.chain_place(&mc.receiver) else {
            return;
        };
        let pat = match mc.method.to_string().as_str() {
            "fold" => c.inputs.iter().nth(1),
            _ => c.inputs.first(),
        };
        let Some(pat) = pat else { return };
        let item = match item_use(pat, place, |v| v.visit_expr(&c.body)) {
            // A filter that does not read the item passes it on to what follows, which may.
            Use::Unread if mc.method == "filter" => Use::Other,
            item => item,
        };
        self.rewrite_root(&mut mc.receiver, item);
    }

    /// How a chain starting at a field (`m.w.iter()`, `&m.w`) places the field's items.
    fn chain_place(&self, e: &syn::Expr) -> Option<Place> {
        let wrap = |k: usize, inner: Place| [vec![k], inner].concat();
        match crate::lower::strip_parens(e) {
            syn::Expr::Reference(r) if r.mutability.is_none() => {
                self.field_ref(&r.expr).then(Vec::new)
            }
            syn::Expr::MethodCall(mc) => match mc.method.to_string().as_str() {
                "iter" | "into_iter" if mc.args.is_empty() => {
                    self.field_ref(&mc.receiver).then(Vec::new)
                }
                "enumerate" => Some(wrap(1, self.chain_place(&mc.receiver)?)),
                "zip" => Some(wrap(0, self.chain_place(&mc.receiver)?)),
                "rev" | "skip" | "take" | "step_by" => self.chain_place(&mc.receiver),
                _ => None,
            },
            _ => None,
        }
    }

    /// Replaces the chain's root by the field's rows (`Use::Row`) or by its item count
    /// (`Use::Unread`: a matrix's rows and a vector's elements are both `ROWS` of them).
    fn rewrite_root(&self, e: &mut syn::Expr, item: Use) {
        let replace = |field: &syn::Expr| match item {
            Use::Row => self.rows(field),
            Use::Unread => self.count(field),
            Use::Other => None,
        };
        match e {
            syn::Expr::Paren(p) => self.rewrite_root(&mut p.expr, item),
            syn::Expr::Reference(r) => {
                if let Some(new) = replace(&r.expr) {
                    *e = new;
                }
            }
            syn::Expr::MethodCall(mc)
                if matches!(mc.method.to_string().as_str(), "iter" | "into_iter")
                    && self.field_ref(&mc.receiver) =>
            {
                if let Some(new) = replace(&mc.receiver) {
                    *e = new;
                }
            }
            syn::Expr::MethodCall(mc) => self.rewrite_root(&mut mc.receiver, item),
            _ => {}
        }
    }
}

/// How a loop or closure uses the field's item.
#[derive(Clone, Copy)]
enum Use {
    /// As a slice: indexed, iterated, measured or zipped with (so the field is a matrix).
    Row,
    /// Not at all (`_`, or a name never read): only the count of items matters.
    Unread,
    /// Otherwise (as a float: the field is a vector, iterated as written).
    Other,
}

/// How the item the pattern binds at `place` is used by the body `walk` visits.
fn item_use(pat: &syn::Pat, place: Place, walk: impl Fn(&mut RowUse)) -> Use {
    let mut at = Some(pat);
    for k in place {
        at = match at {
            Some(syn::Pat::Tuple(t)) if t.elems.len() == 2 => Some(&t.elems[k]),
            _ => None,
        };
    }
    match at {
        Some(syn::Pat::Wild(_)) => Use::Unread,
        Some(syn::Pat::Ident(p)) => {
            let mut v = RowUse {
                name: &p.ident,
                found: false,
                read: false,
            };
            walk(&mut v);
            match (v.found, v.read) {
                (true, _) => Use::Row,
                (false, false) => Use::Unread,
                (false, true) => Use::Other,
            }
        }
        _ => Use::Other,
    }
}

struct RowUse<'n> {
    name: &'n syn::Ident,
    /// Used as a slice.
    found: bool,
    /// Read at all.
    read: bool,
}

impl RowUse<'_> {
    fn is_name(&self, e: &syn::Expr) -> bool {
        matches!(crate::lower::strip_parens(e), syn::Expr::Path(p) if p.path.is_ident(self.name))
    }
}

impl<'a> Visit<'a> for RowUse<'_> {
    fn visit_expr(&mut self, e: &'a syn::Expr) {
        if self.is_name(e) {
            self.read = true;
        }
        match e {
            syn::Expr::Index(ix) if self.is_name(&ix.expr) => self.found = true,
            syn::Expr::MethodCall(mc)
                if self.is_name(&mc.receiver)
                    && super::SLICE_METHODS
                        .iter()
                        .chain(&["len", "first", "last"])
                        .any(|m| mc.method == m) =>
            {
                self.found = true
            }
            syn::Expr::MethodCall(mc)
                if mc.method == "zip" && mc.args.first().is_some_and(|a| self.is_name(a)) =>
            {
                self.found = true
            }
            syn::Expr::ForLoop(fl) if self.is_name(&fl.expr) => self.found = true,
            _ => syn::visit::visit_expr(self, e),
        }
    }
}
