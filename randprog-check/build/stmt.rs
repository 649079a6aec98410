//! Statements: bindings, assignments, branches, loops, local arrays, early exits.
//!
//! Inside loops every right-hand side that feeds a loop-carried variable is squashed (`+=` and
//! `*=` of bounded expressions, `/=` by expressions `>= 0.5`), so no program overflows however
//! its loops nest. Every loop terminates: `for` over literal or known bounds, `while`/`loop`
//! with a counter incremented first thing in the body (so `continue` cannot skip it).

use crate::construct::Construct;
use crate::gen::{both, lit_code, AVar, Code, FVar, Gen};

/// The statement constructs and their relative weights.
const STMT_WEIGHTS: &[(Construct, u32)] = {
    use Construct::*;
    &[
        (Let, 8),
        (LetMut, 6),
        (Assign, 3),
        (AddAssign, 5),
        (SubAssign, 2),
        (MulAssign, 2),
        (DivAssign, 1),
        (Shadow, 2),
        (IfStmt, 3),
        (IfNoElse, 2),
        (BlockStmt, 1),
        (MatchStmt, 2),
        (ForRange, 3),
        (ForInclusive, 1),
        (ForRev, 1),
        (ForStepBy, 1),
        (ForLen, 2),
        (LenOfNestedLocalArray, 3),
        (ForPassiveBound, 4),
        (While, 1),
        (WhileActive, 1),
        (Loop, 1),
        (Break, 2),
        (Continue, 2),
        (EarlyReturn, 1),
        (MatchReturnArm, 1),
        (EarlyReturnArray, 3),
        (LocalArrayZeros, 3),
        (LocalVec, 2),
        (LocalArrayPassiveLiteral, 1),
        (LocalArrayActiveLiteral, 1),
        (MutLocalArrayLiteral, 1),
        (ArrayWrite, 4),
        (ArrayAddAssign, 5),
        (LocalMatrix, 2),
        (MatrixWrite, 3),
        (MatrixAddAssign, 3),
        (MatrixLen, 2),
        (OutputCall, 4),
        (UntypedArrayResultCall, 3),
        (ForElements, 2),
        (ForEnumerate, 1),
        (ForWindows, 1),
        (ClosureLet, 2),
        (FieldRowLoop, 2),
    ]
};

impl Gen<'_> {
    /// `n` statements at statement depth `sd` (nested blocks get `sd - 1`).
    pub fn stmts(&mut self, n: usize, sd: u32) -> Code {
        let mut out = Code::same("");
        for _ in 0..n {
            let s = self.stmt(sd);
            out.push(&s);
        }
        out
    }

    /// Whether statement `c` can be drawn here (at statement depth `sd`).
    fn stmt_applicable(&self, c: Construct, sd: u32) -> bool {
        use Construct::*;
        let nested_ok = sd > 0;
        let loop_ok = nested_ok && self.loops < 2;
        let arrays = &self.scope.arrays;
        match c {
            Assign | AddAssign | SubAssign | MulAssign | DivAssign => {
                self.scope.visible_floats().iter().any(|v| v.mutable)
            }
            Shadow => self.shadowable().next().is_some(),
            IfStmt | IfNoElse | BlockStmt => nested_ok,
            MatchStmt => nested_ok && !self.scope.ints.is_empty(),
            ForRange | ForInclusive | ForRev | ForStepBy | While | WhileActive | Loop => loop_ok,
            ForLen => loop_ok && arrays.iter().any(|a| !a.nested_local),
            LenOfNestedLocalArray => {
                loop_ok && arrays.iter().any(|a| a.nested_local && self.len_ok(a))
            }
            ForPassiveBound => loop_ok && self.passive_int.is_some(),
            FieldRowLoop => loop_ok && self.has_row_mats(),
            Break | Continue => self.loops > 0,
            EarlyReturn => self.out_len.is_none() && self.unit_return_ok(),
            EarlyReturnArray => self.out_len.is_some(),
            MatchReturnArm => !self.scope.ints.is_empty() && self.unit_return_ok(),
            ArrayWrite | ArrayAddAssign => arrays.iter().any(|a| a.mutable),
            MatrixWrite | MatrixAddAssign => self.scope.mats.iter().any(|m| m.mutable),
            MatrixLen => loop_ok && !self.scope.mats.is_empty(),
            OutputCall => self.callees.iter().any(|k| self.can_call_writer(k)),
            UntypedArrayResultCall => self.callees.iter().any(|k| self.can_call_array(k)),
            ForElements | ForEnumerate => loop_ok && self.has_sources(),
            ForWindows => {
                loop_ok
                    && (arrays.iter().any(|a| a.len >= 2)
                        || self.scope.mats.iter().any(|m| m.cols >= 2))
            }
            _ => true,
        }
    }

    /// One statement (which may be a `let` followed by a loop that uses it).
    pub fn stmt(&mut self, sd: u32) -> Code {
        use Construct::*;
        // A name a closure captured is rarely shadowed by chance: often, while there is one
        // (so that `ClosureCaptureShadowed` is drawn in every run).
        let captured = self.sw.is_on(ClosureCaptureShadowed)
            && self
                .shadowable()
                .any(|v| (self.scope.closures.iter()).any(|c| c.captures.contains(&v.name)));
        // Likewise a `return;` in a function writing an output buffer (`EarlyReturnOutput`).
        let out_return = self.out_buf.is_some()
            && self.sw.is_on(EarlyReturnOutput)
            && self.sw.is_on(EarlyReturn)
            && self.stmt_applicable(EarlyReturn, sd);
        let c = if captured && self.rng.chance(0.2) {
            Some(Shadow)
        } else if out_return && self.rng.chance(0.03) {
            self.used(EarlyReturn);
            Some(EarlyReturn)
        } else {
            self.choose(STMT_WEIGHTS, |g, c| g.stmt_applicable(c, sd))
        };
        let d = 2;
        let ind = self.indent();
        let body = match c {
            Some(Let) | Some(LetMut) | None => {
                let name = self.fresh("v");
                if self.sw.is_on(Construct::TupleLet) && self.rng.chance(0.15) {
                    self.used(Construct::TupleLet);
                    self.tuple_let(d)
                } else if self.sw.is_on(Construct::TupleFold)
                    && self.has_sources()
                    && self.rng.chance(0.1)
                {
                    self.used(Construct::TupleFold);
                    self.tuple_fold(d)
                } else {
                    self.bind(&name, c == Some(LetMut), d)
                }
            }
            Some(Shadow) => {
                // `let x = x * e;`: the new binding reads the old one (and stays as active).
                let vars: Vec<FVar> = self.shadowable().collect();
                // Mostly a name a closure captured when there is one (`ClosureCaptureShadowed`,
                // rare otherwise).
                let captured: Vec<FVar> = vars
                    .iter()
                    .filter(|v| {
                        self.scope
                            .closures
                            .iter()
                            .any(|c| c.captures.contains(&v.name))
                    })
                    .cloned()
                    .collect();
                let old = if !captured.is_empty()
                    && self.sw.is_on(Construct::ClosureCaptureShadowed)
                    && self.rng.chance(0.8)
                {
                    self.rng.pick(&captured).clone()
                } else {
                    self.rng.pick(&vars).clone()
                };
                let e = self.expr(d);
                let op = *self.rng.pick(&["+", "-", "*"]);
                let m = if self.rng.chance(0.3) { "mut " } else { "" };
                let name = old.name.clone();
                self.shadowed(&name);
                self.scope.floats.push(FVar {
                    mutable: !m.is_empty(),
                    active: old.active || e.active,
                    typed: old.typed || e.typed,
                    ..old
                });
                both!("let {m}{name} = {name} {op} {};", Code::paren(&e))
            }
            Some(c @ (Assign | AddAssign | SubAssign | MulAssign | DivAssign)) => {
                let vars: Vec<String> = (self.scope.visible_floats().iter())
                    .filter(|v| v.mutable)
                    .map(|v| v.name.clone())
                    .collect();
                let name = self.rng.pick(&vars).clone();
                self.update(&name, c, d)
            }
            Some(IfStmt) | Some(IfNoElse) => self.if_stmt(c == Some(IfStmt), sd, d),
            Some(BlockStmt) => {
                let inner = self.block(sd - 1, 1, 3);
                both!("{}", inner)
            }
            Some(MatchStmt) => self.match_stmt(sd, d),
            Some(Break) => both!("if {} {{ break; }}", self.cond(1)),
            Some(Continue) => both!("if {} {{ continue; }}", self.cond(1)),
            Some(EarlyReturn | EarlyReturnArray) => {
                let (cond, value) = (self.cond(1), self.result(d));
                self.returned = true;
                both!("if {} {{ {}; }}", cond, returning(&value))
            }
            Some(MatchReturnArm) => {
                let i = self.rng.pick(&self.scope.ints).clone();
                let (value, e) = (self.result(d), self.expr(d));
                self.returned = true;
                let name = self.fresh("v");
                self.scope.floats.push(FVar {
                    name: name.clone(),
                    mutable: false,
                    active: e.active,
                    typed: e.typed,
                });
                let head = Code::same(format!("let {name} = match {} {{ 0 => ", i.name));
                let mut out = head;
                out.push(&returning(&value));
                out.push(&Code::same(", _ => "));
                out.push(&e);
                out.push(&Code::same(" };"));
                out
            }
            Some(LocalArrayZeros) => self.local_array(0),
            Some(LocalVec) => self.local_array(4),
            Some(LocalArrayPassiveLiteral) => self.local_array(1),
            Some(LocalArrayActiveLiteral) => self.local_array(2),
            Some(MutLocalArrayLiteral) => self.local_array(3),
            Some(c @ (ArrayWrite | ArrayAddAssign)) => self.array_write(c == ArrayWrite, d),
            Some(LocalMatrix) => self.local_matrix(),
            Some(c @ (MatrixWrite | MatrixAddAssign)) => self.matrix_write(c == MatrixWrite, d),
            Some(OutputCall) => self.output_call(),
            Some(UntypedArrayResultCall) => self.untyped_array_call(),
            Some(ClosureLet) => self.closure_let(d),
            Some(FieldRowLoop) => self.row_loop(d),
            Some(c) => self.loop_stmt(c, sd, d),
        };
        let mut out = Code::same(ind);
        out.push(&body);
        out.push(&Code::same("\n"));
        out
    }

    /// Indentation of the current statement depth.
    pub fn indent(&self) -> String {
        "    ".repeat(self.level)
    }

    /// `{ stmts }` with `lo..hi` statements, in a nested scope.
    pub fn block(&mut self, sd: u32, lo: usize, hi: usize) -> Code {
        let n = self.rng.range(lo, hi);
        self.level += 1;
        let inner = self.nested(|g| g.stmts(n, sd));
        self.level -= 1;
        both!("{{\n{}{}}}", inner, Code::same(self.indent()))
    }

    /// `let [mut] name = e;`
    /// `let (a, b) = (e1, e2);` or `let (s, c) = e.sin_cos();` (the twin spells `sin_cos` out).
    fn tuple_let(&mut self, d: u32) -> Code {
        let (a, b) = (self.fresh("t"), self.fresh("t"));
        let (e1, e2) = (self.expr(d), self.expr(d));
        // `sin_cos` needs a receiver of known float type (as any method in plain Rust).
        let sincos = e1.typed && self.rng.chance(0.5);
        let code = if sincos {
            Code::same(format!("let ({a}, {b}) = ({}).sin_cos();", e1.f)).twin(format!(
                "let ({a}, {b}) = (({}).sin(), ({}).cos());",
                e1.g, e1.g
            ))
        } else {
            Code::same(format!("let ({a}, {b}) = ({}, {});", e1.f, e2.f))
                .twin(format!("let ({a}, {b}) = ({}, {});", e1.g, e2.g))
        };
        let (act_b, typed_b) = if sincos {
            (e1.active, true)
        } else {
            (e2.active, e2.typed)
        };
        self.scope.floats.push(FVar {
            name: a,
            mutable: false,
            active: e1.active,
            typed: sincos || e1.typed,
        });
        self.scope.floats.push(FVar {
            name: b,
            mutable: false,
            active: act_b,
            typed: typed_b,
        });
        code
    }

    pub fn bind(&mut self, name: &str, mutable: bool, d: u32) -> Code {
        let e = self.expr(d);
        self.scope.floats.push(FVar {
            name: name.to_string(),
            mutable,
            active: e.active,
            typed: e.typed,
        });
        let m = if mutable { "mut " } else { "" };
        both!("let {m}{name} = {};", e)
    }

    /// A right-hand side that may feed a loop-carried value: bounded inside loops.
    fn rhs(&mut self, d: u32) -> Code {
        if self.loops > 0 {
            self.bounded(d, 1.5)
        } else {
            self.expr(d)
        }
    }

    /// `name = e;`, `name += e;`, ...
    pub fn update(&mut self, name: &str, c: Construct, d: u32) -> Code {
        let (op, e) = match c {
            Construct::Assign => ("=", self.rhs(d)),
            Construct::AddAssign => ("+=", self.rhs(d)),
            Construct::SubAssign => ("-=", self.rhs(d)),
            Construct::MulAssign => ("*=", self.bounded(d, 1.5)),
            _ => ("/=", self.positive(d)),
        };
        // Under-approximation: inside a nested scope the mark is dropped on exit.
        if let Some(v) = self.scope.floats.iter_mut().rev().find(|v| v.name == name) {
            v.active |= e.active;
            v.typed |= e.typed;
        }
        both!("{name} {op} {};", e)
    }

    /// `if c { .. } else { .. }` or without `else`.
    fn if_stmt(&mut self, with_else: bool, sd: u32, d: u32) -> Code {
        let cond = self.cond(d);
        let a = self.block(sd - 1, 1, 3);
        if with_else {
            let b = self.block(sd - 1, 1, 3);
            both!("if {} {} else {}", cond, a, b)
        } else {
            both!("if {} {}", cond, a)
        }
    }

    /// `match i { 0 => { .. } 1..=k => { .. } _ => { .. } }`.
    fn match_stmt(&mut self, sd: u32, _d: u32) -> Code {
        let i = self.rng.pick(&self.scope.ints).clone();
        let mut out = Code::same(format!("match {} {{\n", i.name));
        for pat in self.match_patterns(i.hi) {
            self.level += 1;
            let arm = self.block(sd - 1, 0, 2);
            let ind = self.indent();
            self.level -= 1;
            out.push(&both!("{ind}{pat} => {}\n", arm));
        }
        out.push(&Code::same(format!("{}}}", self.indent())));
        out
    }

    /// The value of a `return`: a scalar, or `[e1, .., em]` for array results.
    pub fn result(&mut self, d: u32) -> Code {
        match self.out_len {
            None if self.out_buf.is_some() => {
                self.used(Construct::EarlyReturnOutput);
                Code::same("")
            }
            None => self.expr(d),
            Some(m) => {
                let saved = self.no_branch_expr;
                if self.has_arrays && !self.sw.is_on(Construct::BranchInArrayResult) {
                    self.no_branch_expr = true;
                } else if self.has_arrays {
                    self.used(Construct::BranchInArrayResult);
                }
                let mut items: Vec<Code> = (0..m).map(|_| self.expr(d)).collect();
                self.no_branch_expr = saved;
                if items.iter().all(|e| atomic(&e.f)) {
                    if self.sw.is_on(Construct::AtomicElementsArrayResult) {
                        self.used(Construct::AtomicElementsArrayResult);
                    } else {
                        items[0] = both!("({} * {})", items[0], self.lit(0.5, 2.0));
                    }
                }
                if !items.iter().any(|e| e.active) {
                    // The macro rejects an array result that does not depend on the inputs.
                    items[0] = both!("({} + {})", items[0], self.active_leaf());
                }
                list(&items)
            }
        }
    }

    /// `name` is shadowed: closures capturing it are not called any more unless
    /// `ClosureCaptureShadowed` is on.
    fn shadowed(&mut self, name: &str) {
        let hit = |c: &crate::gen::CVar| c.captures.iter().any(|n| n == name);
        if !self.scope.closures.iter().any(hit) {
            return;
        }
        if self.sw.is_on(Construct::ClosureCaptureShadowed) {
            self.used(Construct::ClosureCaptureShadowed);
        } else {
            self.scope.closures.retain(|c| !hit(c));
        }
    }

    /// Whether a `return` may be drawn (see `EarlyReturnOutput`).
    fn unit_return_ok(&self) -> bool {
        self.out_buf.is_none() || self.sw.is_on(Construct::EarlyReturnOutput)
    }

    /// The floats a `let x = x * e;` may shadow (not a `*v` of an element bound by reference).
    fn shadowable(&self) -> impl Iterator<Item = FVar> + '_ {
        (self.scope.visible_floats().into_iter())
            .filter(|v| !v.name.starts_with('*') && !v.name.contains('.'))
            .cloned()
    }

    /// `let mut a = [0.0; n];` (kind 0), `let a = [..]` of constants (1) or of active values
    /// (2), `let mut a = [..]` of constants (3).
    fn local_array(&mut self, kind: u8) -> Code {
        let name = self.fresh("a");
        let n = self.rng.range(2, 5);
        let mutable = kind == 0 || kind == 3 || kind == 4 || (kind == 2 && self.rng.chance(0.5));
        let init = match kind {
            0 => both!("[{}; {n}]", lit_code(0.0)),
            4 => both!("vec![{}; {n}]", lit_code(0.0)),
            _ => {
                let items: Vec<Code> = (0..n)
                    .map(|_| {
                        if kind == 2 {
                            self.expr(1)
                        } else {
                            self.lit(0.1, 2.0)
                        }
                    })
                    .collect();
                list(&items)
            }
        };
        self.scope.arrays.push(AVar {
            name: name.clone(),
            len: n,
            mutable,
            active: init.active,
            typed: init.typed,
            nested_local: self.level > 1 || self.returned,
            plain: false,
            vec: kind == 4,
            out: false,
            param: false,
        });
        let m = if mutable { "mut " } else { "" };
        both!("let {m}{name} = {};", init)
    }

    /// `a[i] = e;` or `a[i] += e;` on a mutable local array.
    fn array_write(&mut self, assign: bool, d: u32) -> Code {
        let arrays: Vec<AVar> = (self.scope.arrays.iter())
            .filter(|a| a.mutable)
            .cloned()
            .collect();
        let a = self.rng.pick(&arrays).clone();
        let idx = self.index_for(a.len);
        let e = self.rhs(d);
        if let Some(v) = self
            .scope
            .arrays
            .iter_mut()
            .rev()
            .find(|v| v.name == a.name)
        {
            v.active |= e.active;
        }
        let op = if assign { "=" } else { "+=" };
        // The twin evaluates the right side first: `v[i] += v[j]` on a `Vec<S>` would borrow
        // `v` twice (`AddAssign` on a generic `S` is a method call).
        let f = format!("{}[{idx}] {op} {};", a.name, e.f);
        let g = format!("{{ let __rhs = {}; {}[{idx}] {op} __rhs; }}", e.g, a.name);
        let mut code = Code::same(f).twin(g);
        code.active = e.active;
        code
    }
}

/// `return e` (`return` for a function writing output buffers, whose value is empty).
fn returning(value: &Code) -> Code {
    if value.f.is_empty() {
        Code::same("return")
    } else {
        both!("return {}", value)
    }
}

/// `[a, b, ..]` in both dialects.
pub fn list(items: &[Code]) -> Code {
    let f: Vec<&str> = items.iter().map(|c| c.f.as_str()).collect();
    let g: Vec<&str> = items.iter().map(|c| c.g.as_str()).collect();
    Code::same(format!("[{}]", f.join(", ")))
        .twin(format!("[{}]", g.join(", ")))
        .with(
            items.iter().any(|c| c.active),
            items.iter().any(|c| c.typed),
        )
}

/// A bare element read `a[i]`, a call `h(..)` or a name (see `AtomicElementsArrayResult`).
fn atomic(s: &str) -> bool {
    let rest = s.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
    rest.is_empty()
        || (rest.starts_with('[') && rest.ends_with(']') && !rest[1..].contains('['))
        || (rest.starts_with('(') && crate::expr::paren(rest) == rest)
}
