//! Loops: `for` over ranges (`a..b`, `a..=b`, `.rev()`, `.step_by(2)`, lengths, a passive
//! bound, a matrix's `m.len()` / `m[i].len()`), over elements (`for v in a.iter()`, `for v in
//! &a`, `for (i, v) in a.iter().enumerate()`, `for w in a.windows(k)`), `while` and `loop` with
//! a counter; each updates an accumulator declared just before it.

use crate::construct::Construct;
use crate::gen::{both, AVar, Code, FVar, Gen, IVar};
use crate::iters::Bind;

/// What the body of a `for` loop binds: integers, floats, arrays, and the array it iterates
/// over (not written inside: it is borrowed).
#[derive(Default)]
pub struct LoopVars {
    pub ints: Vec<IVar>,
    pub floats: Vec<FVar>,
    pub arrays: Vec<AVar>,
    pub borrowed: Option<String>,
}

impl Gen<'_> {
    /// The head of a `for` loop over elements (`ForElements`, `ForEnumerate`, `ForWindows`)
    /// and what it binds.
    pub fn elem_loop(&mut self, c: Construct) -> (String, LoopVars) {
        let min = if c == Construct::ForWindows { 2 } else { 1 };
        let s = self.source(min).expect("applicable");
        let mut vars = LoopVars {
            borrowed: Some(s.name.clone()),
            ..LoopVars::default()
        };
        let b = match self.binding() {
            Bind::Copied => Bind::Pattern,
            b => b,
        };
        let head = match c {
            Construct::ForWindows => {
                let k = self.rng.range(2, s.len.min(3) + 1);
                let w = self.window(&s, k);
                let head = format!("for {} in {}.windows({k})", w.name, s.text);
                vars.arrays.push(w);
                head
            }
            Construct::ForEnumerate => {
                let (v, pat) = self.elem(&b, &s);
                let i = self.fresh("i");
                vars.ints.push(IVar {
                    name: i.clone(),
                    hi: s.len,
                });
                vars.floats.push(v);
                format!("for ({i}, {pat}) in {}.iter().enumerate()", s.text)
            }
            _ => {
                let (v, pat) = self.elem(&b, &s);
                vars.floats.push(v);
                let over = match self.rng.range(0, 3) {
                    0 if s.reference => s.text.clone(),
                    1 if s.by_ref_ok => format!("&{}", s.text),
                    _ => format!("{}.iter()", s.text),
                };
                format!("for {pat} in {over}")
            }
        };
        (head, vars)
    }
}

impl Gen<'_> {
    /// A loop, preceded by the accumulator it updates (`let mut s = e;`).
    pub fn loop_stmt(&mut self, c: Construct, sd: u32, d: u32) -> Code {
        use Construct::*;
        let ind = self.indent();
        let acc = self.fresh("s");
        let mut out = self.bind(&acc, true, d);
        out.push(&Code::same(format!("\n{ind}")));
        let i = self.fresh(if matches!(c, While | WhileActive | Loop) {
            "k"
        } else {
            "i"
        });
        let lens: Vec<usize> = self.scope.arrays.iter().map(|a| a.len).collect();
        let hi = if !lens.is_empty() && self.rng.chance(0.6) {
            *self.rng.pick(&lens)
        } else {
            self.rng.range(2, 5)
        };
        let lo = if self.rng.chance(0.2) { 1 } else { 0 };
        let (head, ivar_hi) = match c {
            ForRange => (format!("for {i} in {lo}..{hi}"), hi),
            ForInclusive => (format!("for {i} in {lo}..={}", hi - 1), hi),
            ForRev => (format!("for {i} in ({lo}..{hi}).rev()"), hi),
            ForStepBy => (format!("for {i} in ({lo}..{hi}).step_by(2)"), hi),
            ForLen | LenOfNestedLocalArray => {
                let arrays: Vec<AVar> = (self.scope.arrays.iter())
                    .filter(|a| a.nested_local == (c == LenOfNestedLocalArray) && self.len_ok(a))
                    .cloned()
                    .collect();
                let a = self.rng.pick(&arrays).clone();
                (format!("for {i} in 0..{}.len()", a.name), a.len)
            }
            ForPassiveBound => {
                let (n, v) = self.passive_int.clone().expect("checked applicable");
                (format!("for {i} in 0..{n}"), v)
            }
            MatrixLen => {
                let (bound, hi) = self.matrix_len_bound();
                (format!("for {i} in 0..{bound}"), hi)
            }
            ForElements | ForEnumerate | ForWindows => (String::new(), 0),
            // The counter runs 1..=hi (`while`, `loop`) or 1..=4 (`WhileActive`).
            WhileActive => (String::new(), 5),
            _ => (String::new(), hi + 1),
        };
        let mut pre = String::new();
        let mut head = head;
        let mut guard = String::new();
        if matches!(c, While | WhileActive | Loop) {
            pre = format!("let mut {i}: usize = 0;\n{ind}");
            let step = format!("{i} += 1;");
            head = match c {
                While => format!("while {i} < {hi}"),
                WhileActive => {
                    let bound = self.rng.lit(1.0, 4.0);
                    guard = format!(" if {i} > 4 {{ break; }}");
                    format!("while {acc} < {bound:?}")
                }
                _ => {
                    guard = format!(" if {i} > {hi} {{ break; }}");
                    "loop".to_string()
                }
            };
            guard = format!("{step}{guard}");
        }
        let vars = if matches!(c, ForElements | ForEnumerate | ForWindows) {
            let (h, vars) = self.elem_loop(c);
            head = h;
            vars
        } else {
            LoopVars {
                ints: vec![IVar {
                    name: i.clone(),
                    hi: ivar_hi,
                }],
                ..LoopVars::default()
            }
        };
        let body = self.nested(|g| {
            g.scope.ints.extend(vars.ints);
            g.scope.floats.extend(vars.floats);
            g.scope.arrays.extend(vars.arrays);
            // The iterated array is borrowed by the loop: not written (nor passed as an
            // output buffer) inside.
            for a in g.scope.arrays.iter_mut() {
                if vars.borrowed.as_deref() == Some(a.name.as_str()) {
                    a.mutable = false;
                }
            }
            for m in g.scope.mats.iter_mut() {
                if vars.borrowed.as_deref() == Some(m.name.as_str()) {
                    m.mutable = false;
                }
            }
            g.loops += 1;
            g.level += 1;
            let ind2 = g.indent();
            let update = g.update(&acc, Construct::AddAssign, d);
            let n = g.rng.range(0, 3);
            let rest = g.stmts(n, sd - 1);
            g.level -= 1;
            g.loops -= 1;
            let guard = if guard.is_empty() {
                String::new()
            } else {
                format!("{ind2}{guard}\n")
            };
            both!(
                "{{\n{guard}{}{}\n{}{}}}",
                Code::same(&ind2),
                update,
                rest,
                Code::same(&ind)
            )
        });
        if c == WhileActive {
            // The condition compares the accumulator with a literal: in the twin, on `.base()`.
            let bound = head.rsplit(' ').next().unwrap_or("2.0").to_string();
            out.push(
                &Code::same(format!("{pre}{head} "))
                    .twin(format!("{pre}while {acc}.base() < {bound} ")),
            );
        } else {
            out.push(&Code::same(format!("{pre}{head} ")));
        }
        out.push(&body);
        out
    }
}
