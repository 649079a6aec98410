//! Iterator chains, `for` loops over elements, and closures bound with `let`, written the way
//! the corpus (`tests/corpus/iterators.rs`) writes them. The twin runs the same chains with the
//! standard library's iterators on its own scalars; only what `Scalar` lacks differs (`sum` and
//! `product` as folds, comparisons on `.base()`).

use crate::construct::Construct;
use crate::gen::{both, lit_code, AVar, Code, FVar, Gen, IVar};

/// What a chain or loop iterates over: an array in scope or a matrix row.
#[derive(Clone)]
pub struct Src {
    /// `a` or `m[i]`.
    pub text: String,
    /// The array's name (for the borrow rules of `for` loops), empty for a row.
    pub name: String,
    pub len: usize,
    pub active: bool,
    pub typed: bool,
    /// A reference parameter (`for v in x`, `zip(x)` move nothing).
    pub reference: bool,
    /// An array or `Vec` owned here (`&a` iterates it; not a reference parameter, nor the
    /// function's own `&mut` output buffer, which `for v in r` would move).
    pub by_ref_ok: bool,
}

/// How a closure or `for` pattern binds an element.
pub enum Bind {
    /// `|&v|` / `for &v in ..`: a float named `v`.
    Pattern,
    /// `|v|` / `for v in ..` and `*v` where it is used.
    Deref,
    /// `.copied()` first, then `|v|`.
    Copied,
}

impl Gen<'_> {
    /// Whether some array can be iterated (a chain over elements).
    pub fn has_sources(&self) -> bool {
        !self.scope.arrays.is_empty() || !self.scope.mats.is_empty()
    }

    /// An array in scope, or a row of a matrix (one time in four where there is one).
    pub fn source(&mut self, min_len: usize) -> Option<Src> {
        let rows: Vec<_> = (self.scope.mats.iter())
            .filter(|m| m.cols >= min_len)
            .cloned()
            .collect();
        let arrays: Vec<AVar> = (self.scope.arrays.iter())
            .filter(|a| a.len >= min_len)
            .cloned()
            .collect();
        if !rows.is_empty() && (arrays.is_empty() || self.rng.chance(0.25)) {
            let m = self.rng.pick(&rows).clone();
            let i = self.index_for(m.rows);
            return Some(Src {
                text: format!("{}[{i}]", m.name),
                name: m.name.clone(),
                len: m.cols,
                active: m.active,
                typed: m.typed,
                reference: false,
                by_ref_ok: true,
            });
        }
        let a = self.rng.pick(&arrays).clone();
        Some(Src {
            text: a.name.clone(),
            name: a.name.clone(),
            len: a.len,
            active: a.active,
            typed: a.typed,
            reference: a.param,
            by_ref_ok: !a.out && !a.param,
        })
    }

    pub fn binding(&mut self) -> Bind {
        match self.rng.range(0, 4) {
            0 | 1 => Bind::Pattern,
            2 => Bind::Deref,
            _ => Bind::Copied,
        }
    }

    /// A float bound to an element: its use (`v` or `*v`), and the closure pattern.
    pub fn elem(&mut self, b: &Bind, s: &Src) -> (FVar, String) {
        let v = self.fresh("v");
        let (use_as, pat) = match b {
            Bind::Pattern => (v.clone(), format!("&{v}")),
            Bind::Deref => (format!("*{v}"), v),
            Bind::Copied => (v.clone(), v),
        };
        let fv = FVar {
            name: use_as,
            mutable: false,
            active: s.active,
            typed: s.typed,
        };
        (fv, pat)
    }

    /// `src.iter()` (with `.copied()` for [`Bind::Copied`]).
    pub fn iter_of(&self, s: &Src, b: &Bind) -> String {
        let copied = if matches!(b, Bind::Copied) {
            ".copied()"
        } else {
            ""
        };
        format!("{}.iter(){copied}", s.text)
    }

    /// An optional `.filter(..)` on elements bound as `b` (items `&&f` or `&f`), on a
    /// literal threshold (a passive predicate).
    fn filter(&mut self, b: &Bind) -> Code {
        if !(self.sw.is_on(Construct::IterFilter) && self.rng.chance(0.3)) {
            return Code::same("");
        }
        self.used(Construct::IterFilter);
        let t = self.rng.lit(-0.8, 0.8);
        let lit = if t < 0.0 {
            both!("(-{})", lit_code(-t))
        } else {
            lit_code(t)
        };
        let op = *self.rng.pick(&["<", ">"]);
        let stars = if matches!(b, Bind::Copied) { "*" } else { "**" };
        Code::same(format!(".filter(|e| {stars}e {op} {})", lit.f)).twin(format!(
            ".filter(|e| ({stars}e).base() {op} {}.base())",
            lit.g
        ))
    }

    /// An optional `.filter(|pat| j % 2 == k)` on an index bound as `j` by `pat`, drawn with
    /// probability `p`.
    fn index_filter(&mut self, pat: &str, p: f64) -> String {
        if !(self.sw.is_on(Construct::IterFilter) && self.rng.chance(p)) {
            return String::new();
        }
        self.used(Construct::IterFilter);
        format!(".filter(|{pat}| j % 2 == {})", self.rng.range(0, 2))
    }

    /// The body of a closure with `vars` (and `ints`) in scope.
    pub fn closure_body(
        &mut self,
        vars: Vec<FVar>,
        ints: Vec<IVar>,
        arrays: Vec<AVar>,
        d: u32,
    ) -> Code {
        self.nested(|g| {
            g.scope.floats.extend(vars);
            g.scope.ints.extend(ints);
            g.scope.arrays.extend(arrays);
            g.expr(d)
        })
    }

    /// `.sum::<f>()` or `.product::<f>()` (folds in the twin).
    fn reduce(&self, product: bool) -> Code {
        let ft = self.ft;
        if product {
            Code::same(format!(".product::<{ft}>()"))
                .twin(".fold(c::<S>(1.0), |p, t| p * t)".into())
        } else {
            // Rust's float `sum` starts at `-0.0` (an empty sum is `-0.0`).
            Code::same(format!(".sum::<{ft}>()")).twin(".fold(c::<S>(-0.0), |p, t| p + t)".into())
        }
    }

    /// An iterator chain ending in a float (construct `c`, one of the `Iter*`).
    pub fn iter_chain(&mut self, c: Construct, d: u32) -> Code {
        use Construct::*;
        let e = match c {
            IterSum | IterProduct => self.map_reduce(c == IterProduct, d),
            IterFold => self.fold_chain(d),
            IterZip => self.zip_chain(d),
            IterEnumerate => self.enumerate_chain(d),
            IterWindows => self.windows_chain(d),
            IterRange => self.range_chain(d),
            _ => self.extreme(d),
        };
        // `sum::<f>()` and friends name the type; a fold's is its accumulator's. A chain that
        // may be constant is left untyped (see `PassiveChainMethod`).
        let typed = e.typed || c != IterFold;
        let typed = typed && (e.active || self.sw.is_on(Construct::PassiveChainMethod));
        if typed && !e.active {
            self.used(Construct::PassiveChainMethod);
        }
        let active = e.active;
        e.with(active, typed)
    }

    /// `a.iter()[.filter(..)].map(|&v| e).sum::<f>()` (or `product`).
    fn map_reduce(&mut self, product: bool, d: u32) -> Code {
        let s = self.source(1).expect("applicable");
        let b = self.binding();
        let (v, pat) = self.elem(&b, &s);
        let it = Code::same(self.iter_of(&s, &b));
        let filter = self.filter(&b);
        // Half the time (`IterMapTuple`), through a tuple: `.map(|v| (e1, e2)).map(|(p, q)| e)`.
        let tuple = self.sw.is_on(Construct::IterMapTuple) && self.rng.chance(0.3);
        let (v, pre) = if tuple {
            self.used(Construct::IterMapTuple);
            let e1 = self.closure_body(vec![v.clone()], vec![], vec![], d);
            let e2 = self.closure_body(vec![v], vec![], vec![], d);
            let (p, q) = (self.fresh("p"), self.fresh("p"));
            let var = |name: &str, e: &Code| FVar {
                name: name.to_string(),
                mutable: false,
                active: e.active,
                typed: e.typed,
            };
            let (pv, qv) = (var(&p, &e1), var(&q, &e2));
            let pre = both!(".map(|{pat}| ({}, {}))", e1, e2);
            // The second closure reads both parts (one may be the other's constant).
            (vec![pv, qv], (pre, format!("({p}, {q})")))
        } else {
            (vec![v], (Code::same(""), pat))
        };
        let (pre, pat) = pre;
        let body = if product {
            let e = self.closure_body(v, vec![], vec![], d);
            both!("({} + {})", lit_code(1.0), self.method("sin", vec![e]))
        } else {
            self.closure_body(v, vec![], vec![], d)
        };
        let red = self.reduce(product);
        both!("{}{}{}.map(|{pat}| {}){}", it, filter, pre, body, red)
    }

    /// `a.iter().fold(init, |acc, &v| e)`.
    fn fold_chain(&mut self, d: u32) -> Code {
        let s = self.source(1).expect("applicable");
        let b = self.binding();
        let (v, pat) = self.elem(&b, &s);
        let it = Code::same(self.iter_of(&s, &b));
        let init = self.expr(1);
        let acc = self.fresh("acc");
        let accv = FVar {
            name: acc.clone(),
            mutable: false,
            active: init.active,
            typed: init.typed,
        };
        let body = if self.rng.chance(0.5) {
            let k = self.lit(0.2, 0.9);
            let e = self.closure_body(vec![v], vec![], vec![], d);
            both!("{acc} * {} + {}", k, e)
        } else {
            let e = self.closure_body(vec![v, accv], vec![], vec![], d);
            self.bounded_of(e, 2.0)
        };
        both!("{}.fold({}, |{acc}, {pat}| {})", it, init, body)
    }

    /// `let (t1, t2) = a.iter().fold((i1, i2), |(p, q), &v| (e1, e2));` (see `TupleFold`):
    /// both results go in scope.
    pub fn tuple_fold(&mut self, d: u32) -> Code {
        let s = self.source(1).expect("applicable");
        let b = self.binding();
        let (v, pat) = self.elem(&b, &s);
        let it = Code::same(self.iter_of(&s, &b));
        let (i1, i2) = (self.expr(1), self.expr(1));
        let (p, q) = (self.fresh("acc"), self.fresh("acc"));
        // Inside the closure the accumulators may hold anything the bodies make: active.
        let acc = |name: &str, init: &Code| FVar {
            name: name.to_string(),
            mutable: false,
            active: true,
            typed: init.typed,
        };
        let (pv, qv) = (acc(&p, &i1), acc(&q, &i2));
        let e1 = self.closure_body(vec![v.clone(), pv.clone(), qv.clone()], vec![], vec![], d);
        let e1 = self.bounded_of(e1, 2.0);
        let e2 = self.closure_body(vec![v, pv, qv], vec![], vec![], d);
        let e2 = self.bounded_of(e2, 2.0);
        let (t1, t2) = (self.fresh("t"), self.fresh("t"));
        let active = i1.active || i2.active || e1.active || e2.active;
        for (name, init) in [(&t1, &i1), (&t2, &i2)] {
            self.scope.floats.push(FVar {
                name: name.clone(),
                mutable: false,
                active,
                typed: init.typed,
            });
        }
        both!(
            "let ({t1}, {t2}) = {}.fold(({}, {}), |({p}, {q}), {pat}| ({}, {}));",
            it,
            i1,
            i2,
            e1,
            e2
        )
    }

    /// `a.iter().zip(b..).map(|(&p, &q)| e).sum::<f>()`.
    fn zip_chain(&mut self, d: u32) -> Code {
        let (a, bsrc) = (
            self.source(1).expect("applicable"),
            self.source(1).expect("applicable"),
        );
        let b = self.binding();
        let b = if matches!(b, Bind::Copied) {
            Bind::Pattern
        } else {
            b
        };
        let (p, pp) = self.elem(&b, &a);
        let (q, qp) = self.elem(&b, &bsrc);
        let other = match self.rng.range(0, 3) {
            0 if bsrc.reference => bsrc.text.clone(),
            1 if bsrc.by_ref_ok => format!("&{}", bsrc.text),
            _ => format!("{}.iter()", bsrc.text),
        };
        let head = Code::same(format!("{}.iter().zip({other})", a.text));
        let body = self.closure_body(vec![p, q], vec![], vec![], d);
        let red = self.reduce(false);
        both!("{}.map(|({pp}, {qp})| {}){}", head, body, red)
    }

    /// `a.iter().enumerate()[.filter(|(i, _)| i % 2 == 0)].map(|(i, &v)| e).sum::<f>()`.
    fn enumerate_chain(&mut self, d: u32) -> Code {
        let s = self.source(1).expect("applicable");
        let b = self.binding();
        let b = if matches!(b, Bind::Copied) {
            Bind::Pattern
        } else {
            b
        };
        let (v, pat) = self.elem(&b, &s);
        let i = self.fresh("i");
        let filter = self.index_filter("(j, _)", 0.3);
        let head = Code::same(format!("{}.iter().enumerate(){filter}", s.text));
        let iv = IVar {
            name: i.clone(),
            hi: s.len,
        };
        let body = self.closure_body(vec![v], vec![iv], vec![], d);
        let red = self.reduce(false);
        both!("{}.map(|({i}, {pat})| {}){}", head, body, red)
    }

    /// `a.windows(k).map(|w| e).sum::<f>()`.
    fn windows_chain(&mut self, d: u32) -> Code {
        let s = self.source(2).expect("applicable");
        let k = self.rng.range(2, s.len.min(3) + 1);
        let w = self.window(&s, k);
        let name = w.name.clone();
        let body = self.closure_body(vec![], vec![], vec![w], d);
        let red = self.reduce(false);
        both!(
            "{}.windows({k}).map(|{name}| {}){}",
            Code::same(&s.text),
            body,
            red
        )
    }

    /// A window of `k` elements of `s`, as an array in scope.
    pub fn window(&mut self, s: &Src, k: usize) -> AVar {
        AVar {
            name: self.fresh("w"),
            len: k,
            mutable: false,
            active: s.active,
            typed: s.typed,
            nested_local: false,
            plain: false,
            vec: false,
            out: false,
            param: true,
        }
    }

    /// `(lo..hi)[.filter(..)].map(|i| e).sum::<f>()`.
    fn range_chain(&mut self, d: u32) -> Code {
        let lens: Vec<usize> = self.scope.arrays.iter().map(|a| a.len).collect();
        let hi = if !lens.is_empty() && self.rng.chance(0.7) {
            *self.rng.pick(&lens)
        } else {
            self.rng.range(2, 5)
        };
        let i = self.fresh("i");
        let filter = self.index_filter("j", 0.2);
        let iv = IVar {
            name: i.clone(),
            hi,
        };
        let body = self.closure_body(vec![], vec![iv], vec![], d);
        let red = self.reduce(false);
        both!("(0..{hi}){filter}.map(|{i}| {}){}", body, red)
    }

    /// The largest or smallest element (or mapped element): `max_by`/`min_by` with
    /// `total_cmp` or `partial_cmp`, or `fold(f64::NEG_INFINITY, f64::max)`.
    fn extreme(&mut self, d: u32) -> Code {
        let s = self.source(1).expect("applicable");
        let ft = self.ft;
        let mapped = if self.rng.chance(0.5) {
            let b = Bind::Pattern;
            let (v, pat) = self.elem(&b, &s);
            let body = self.closure_body(vec![v], vec![], vec![], d);
            let typed = body.typed;
            both!("{}.iter().map(|{pat}| {})", Code::same(&s.text), body).with(body.active, typed)
        } else {
            Code::same(format!("{}.iter().copied()", s.text)).with(s.active, s.typed)
        };
        let max = self.rng.chance(0.5);
        let (by, fold, inf) = if max {
            ("max_by", "max", "NEG_INFINITY")
        } else {
            ("min_by", "min", "INFINITY")
        };
        // `max_by` needs the items' type (`[[0.0; 2]; 2]` is `{float}` until inference).
        let typed = mapped.typed;
        let tail = match if typed { self.rng.range(0, 3) } else { 2 } {
            0 => Code::same(format!(".{by}(|p, q| p.total_cmp(q)).unwrap()")).twin(format!(
                ".{by}(|p, q| p.base().partial_cmp(&q.base()).unwrap()).unwrap()"
            )),
            1 => Code::same(format!(".{by}(|p, q| p.partial_cmp(q).unwrap()).unwrap()")).twin(
                format!(".{by}(|p, q| p.base().partial_cmp(&q.base()).unwrap()).unwrap()"),
            ),
            _ => Code::same(format!(".fold({ft}::{inf}, {ft}::{fold})"))
                .twin(format!(".fold(c::<S>(f64::{inf}), rp::{fold})")),
        };
        both!("{}{}", mapped, tail)
    }

    /// `|e| <= b` of an expression already drawn (see [`Gen::bounded`]).
    fn bounded_of(&mut self, e: Code, b: f64) -> Code {
        let k = (b / 1.58 * 100.0).floor() / 100.0;
        both!("({} * {})", lit_code(k), self.method("atan", vec![e]))
    }
}
