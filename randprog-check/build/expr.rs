//! Expressions: leaves, arithmetic, the intrinsic table, conditional and block expressions,
//! `match`, calls. Operands of functions with a restricted domain are built to stay inside it
//! (`ln` of `e * e + 0.5`, `asin` of `0.9 * e.tanh()`), so every program is defined and smooth
//! at its evaluation point away from measure-zero kinks.

use crate::construct::Construct;
use crate::gen::{both, lit_code, AVar, Code, Gen, MVar};

/// Where an operand must lie.
#[derive(Clone, Copy, Debug)]
pub enum Dom {
    /// Anything.
    Any,
    /// `>= 0.5`.
    Pos,
    /// `|x| <= b` (a squashed expression times `b / (pi / 2)` at most).
    Bounded(f64),
    /// `>= 1.5` (`acosh`).
    AboveOne,
    /// Away from zero, either sign (`recip`, `cbrt`).
    Away,
    /// A literal in the given range (`clamp` bounds, with `lo < hi` by construction).
    LitIn(f64, f64),
    /// An `i32` literal exponent in `-3..=4` (`powi`); the receiver is then made positive.
    IntExp,
}

/// One intrinsic: its name, operand domains (receiver first), and whether `Scalar` has it as
/// a method (otherwise the twin calls the helper of the same name in `randprog_check`).
pub struct Intrinsic {
    pub name: &'static str,
    pub args: &'static [Dom],
    pub in_scalar: bool,
}

const fn row(name: &'static str, args: &'static [Dom], in_scalar: bool) -> Intrinsic {
    Intrinsic {
        name,
        args,
        in_scalar,
    }
}

use Dom::*;

/// Every float method `#[differentiable]` supports (README, "Supported Rust").
pub const INTRINSICS: &[Intrinsic] = &[
    row("sin", &[Any], true),
    row("cos", &[Any], true),
    row("tan", &[Bounded(1.2)], true),
    row("asin", &[Bounded(0.9)], true),
    row("acos", &[Bounded(0.9)], true),
    row("atan", &[Any], true),
    row("atan2", &[Any, Pos], true),
    row("sinh", &[Bounded(2.5)], true),
    row("cosh", &[Bounded(2.5)], true),
    row("tanh", &[Bounded(10.0)], true), // `TanhLargeArgument` draws `Any`
    row("tanh_fast", &[Any], true),
    row("asinh", &[Any], true),
    row("acosh", &[AboveOne], true),
    row("atanh", &[Bounded(0.9)], true),
    row("exp", &[Bounded(2.5)], true),
    row("exp2", &[Bounded(2.5)], true),
    row("exp_m1", &[Bounded(2.5)], true),
    row("ln", &[Pos], true),
    row("log", &[Pos, AboveOne], true),
    row("log2", &[Pos], true),
    row("log10", &[Pos], true),
    row("ln_1p", &[Pos], true),
    row("sqrt", &[Pos], true),
    row("cbrt", &[Away], true),
    row("powi", &[Any, IntExp], true),
    row("powf", &[Pos, Bounded(2.0)], true),
    row("abs", &[Any], true),
    row("hypot", &[Any, Pos], true),
    row("recip", &[Away], false),
    row("mul_add", &[Any, Any, Any], true),
    row("max", &[Any, Any], false),
    row("min", &[Any, Any], false),
    row("clamp", &[Any, LitIn(-1.0, -0.1), LitIn(0.1, 1.0)], false),
    row("to_degrees", &[Bounded(1.0)], false),
    row("to_radians", &[Any], false),
    row("floor", &[Any], true),
    row("ceil", &[Any], true),
    row("round", &[Any], true),
    row("trunc", &[Any], true),
    row("signum", &[Away], true), // `SignumOfZero` draws `Any`
];

/// The composite expression constructs and their relative weights.
const EXPR_WEIGHTS: &[(Construct, u32)] = {
    use Construct::*;
    &[
        (Neg, 6),
        (Add, 16),
        (Sub, 12),
        (Mul, 16),
        (Div, 6),
        (Method, 28),
        (PathCall, 6),
        (IfExpr, 4),
        (BlockExpr, 4),
        (MatchExpr, 4),
        (Call, 6),
        (IterSum, 2),
        (IterProduct, 1),
        (IterFold, 1),
        (IterZip, 1),
        (IterEnumerate, 1),
        (IterWindows, 1),
        (IterRange, 1),
        (IterExtreme, 1),
        (ClosureCall, 8),
        (StructCall, 8),
        (FieldRowChain, 2),
    ]
};

/// The leaf expression constructs and their relative weights.
const LEAF_WEIGHTS: &[(Construct, u32)] = {
    use Construct::*;
    &[
        (Variable, 10),
        (Index, 6),
        (Literal, 3),
        (ConstItem, 1),
        (IntCast, 1),
        (Len, 1),
        (MatrixIndex, 4),
    ]
};

impl Gen<'_> {
    /// A float expression of nesting depth at most `depth`.
    pub fn expr(&mut self, depth: u32) -> Code {
        if depth == 0 || self.rng.chance(0.2) {
            return self.leaf();
        }
        use Construct::*;
        let c = self.choose(EXPR_WEIGHTS, |g, c| match c {
            MatchExpr => !g.scope.ints.is_empty() && !g.no_branch_expr,
            IfExpr => !g.no_branch_expr,
            Call => g.callees.iter().any(|k| g.can_call(k)),
            IterSum | IterProduct | IterFold | IterZip | IterEnumerate | IterExtreme => {
                g.has_sources()
            }
            IterWindows => {
                g.scope.arrays.iter().any(|a| a.len >= 2)
                    || g.scope.mats.iter().any(|m| m.cols >= 2)
            }
            ClosureCall => !g.scope.closures.is_empty(),
            StructCall => (g.scope.calls.iter()).any(|c| g.sw.is_on(c.construct)),
            FieldRowChain => g.has_row_mats(),
            _ => true,
        });
        let d = depth - 1;
        match c {
            Some(Neg) => both!("(-{})", self.expr(d)),
            Some(Add) => both!("({} + {})", self.expr(d), self.expr(d)),
            Some(Sub) => both!("({} - {})", self.expr(d), self.expr(d)),
            Some(Mul) => both!("({} * {})", self.expr(d), self.expr(d)),
            Some(Div) => both!("({} / {})", self.expr(d), self.positive(d)),
            Some(Method) => self.intrinsic(d, false),
            Some(PathCall) => self.intrinsic(d, true),
            Some(IfExpr) => {
                let (c, a, b) = (self.cond(d), self.expr(d), self.expr(d));
                both!("(if {} {{ {} }} else {{ {} }})", c, a, b)
            }
            Some(BlockExpr) => self.block_expr(d),
            Some(MatchExpr) => self.match_expr(d),
            Some(Call) => self.call(d),
            Some(ClosureCall) => self.closure_call(d),
            Some(StructCall) => self.struct_call(d),
            Some(FieldRowChain) => self.row_chain(d),
            Some(
                c @ (IterSum | IterProduct | IterFold | IterZip | IterEnumerate | IterWindows
                | IterRange | IterExtreme),
            ) => self.iter_chain(c, d),
            _ => self.leaf(),
        }
    }

    /// A variable, array element, literal, constant, integer cast or length.
    pub fn leaf(&mut self) -> Code {
        use Construct::*;
        // A scratch vector declared in a nested block is rare: its length, often, while one is
        // in scope (so that `LenOfNestedVec` is drawn in every run).
        let nested_vec =
            (self.scope.arrays.iter()).any(|a| a.vec && a.nested_local && self.len_ok(a));
        let c = if nested_vec && self.rng.chance(0.25) {
            Some(Len)
        } else {
            self.choose(LEAF_WEIGHTS, |g, c| match c {
                Variable => !g.scope.floats.is_empty(),
                Index => !g.scope.arrays.is_empty(),
                ConstItem => !g.scope.consts.is_empty(),
                IntCast => !g.scope.ints.is_empty(),
                Len => g.len_arrays().next().is_some(),
                MatrixIndex => !g.scope.mats.is_empty(),
                _ => true,
            })
        };
        let ft = self.ft;
        match c {
            Some(Variable) => {
                let vars = self.scope.visible_floats();
                let v = (*self.rng.pick(&vars)).clone();
                Code::same(v.name).with(v.active, v.typed)
            }
            Some(Index) => self.element(),
            Some(MatrixIndex) => self.matrix_element(),
            Some(ConstItem) => {
                let k = self.rng.pick(&self.scope.consts).clone();
                Code::same(&k)
                    .twin(format!("c::<S>({k})"))
                    .with(false, true)
            }
            Some(IntCast) => {
                let i = self.rng.pick(&self.scope.ints).name.clone();
                Code::same(format!("({i} as {ft})"))
                    .twin(format!("c::<S>({i} as f64)"))
                    .with(false, true)
            }
            Some(Len) => {
                let arrays: Vec<(String, bool)> = self.len_arrays().collect();
                // Nested scratch vectors are rare: half the time, one of them if any.
                let vecs: Vec<(String, bool)> = (arrays.iter())
                    .filter(|(a, nested)| {
                        *nested && (self.scope.arrays.iter()).any(|v| v.name == *a && v.vec)
                    })
                    .cloned()
                    .collect();
                let (a, nested) = if !vecs.is_empty() && self.rng.chance(0.5) {
                    self.rng.pick(&vecs).clone()
                } else {
                    self.rng.pick(&arrays).clone()
                };
                if nested {
                    self.used(Construct::LenOfNestedLocalArray);
                    if (self.scope.arrays.iter()).any(|v| v.name == a && v.vec) {
                        self.used(Construct::LenOfNestedVec);
                    }
                }
                Code::same(format!("({a}.len() as {ft})"))
                    .twin(format!("c::<S>({a}.len() as f64)"))
                    .with(false, true)
            }
            _ => self.lit(0.1, 3.0),
        }
    }

    /// The arrays whose `.len()` may be read (see `LenOfNestedLocalArray`).
    pub fn len_arrays(&self) -> impl Iterator<Item = (String, bool)> + '_ {
        (self.scope.arrays.iter())
            .filter(|a| self.len_ok(a))
            .map(|a| (a.name.clone(), a.nested_local))
    }

    /// Whether `a.len()` may be read (see `LenOfNestedLocalArray`, `LenOfNestedVec`).
    pub fn len_ok(&self, a: &AVar) -> bool {
        let on = |c| self.sw.is_on(c);
        !a.nested_local
            || (on(Construct::LenOfNestedLocalArray) && (!a.vec || on(Construct::LenOfNestedVec)))
    }

    /// A read `a[i]` of an array in scope, with an index known to be in bounds.
    pub fn element(&mut self) -> Code {
        let a = self.rng.pick(&self.scope.arrays).clone();
        let idx = self.index_for(a.len);
        Code::same(format!("{}[{idx}]", a.name)).with(a.active, a.typed)
    }

    /// A certainly active leaf: an active variable or an element of an active array.
    pub fn active_leaf(&mut self) -> Code {
        let vars: Vec<String> = (self.scope.visible_floats().iter())
            .filter(|v| v.active)
            .map(|v| v.name.clone())
            .collect();
        let mut arrays: Vec<(String, usize)> = (self.scope.arrays.iter())
            .filter(|a| a.active)
            .map(|a| (a.name.clone(), a.len))
            .collect();
        if !vars.is_empty() && (arrays.is_empty() || self.rng.chance(0.5)) {
            return Code::same(self.rng.pick(&vars).clone()).with(true, true);
        }
        // A matrix's row (`m[i]`) reads like an array.
        let mats: Vec<MVar> = self
            .scope
            .mats
            .iter()
            .filter(|m| m.active)
            .cloned()
            .collect();
        for m in mats {
            let i = self.index_for(m.rows);
            arrays.push((format!("{}[{i}]", m.name), m.cols));
        }
        if arrays.is_empty() {
            return self.lit(0.1, 2.0); // unreachable while parameters stay active
        }
        let (name, len) = self.rng.pick(&arrays).clone();
        let idx = self.index_for(len);
        Code::same(format!("{name}[{idx}]")).with(true, true)
    }

    /// An in-bounds index for a length `len`: a loop counter whose range fits, or a literal.
    pub fn index_for(&mut self, len: usize) -> String {
        let fits: Vec<String> = (self.scope.ints.iter())
            .filter(|i| i.hi <= len)
            .map(|i| i.name.clone())
            .collect();
        if !fits.is_empty() && self.rng.chance(0.7) {
            let i = self.rng.pick(&fits).clone();
            if self.rng.chance(0.2) {
                return format!("{len} - 1 - {i}");
            }
            return i;
        }
        self.rng.range(0, len).to_string()
    }

    /// An expression `>= 0.5`.
    pub fn positive(&mut self, d: u32) -> Code {
        let e = self.expr(d);
        match self.rng.range(0, 4) {
            0 => both!(
                "({} * {} + {})",
                Code::paren(&e),
                Code::paren(&e),
                lit_code(0.5)
            ),
            1 => both!("({} + {})", self.method("abs", vec![e]), lit_code(0.5)),
            2 => both!("({} + {})", lit_code(2.0), self.method("sin", vec![e])),
            _ => self.method("hypot", vec![e, lit_code(0.5)]),
        }
    }

    /// An expression with `|x| <= b`.
    pub fn bounded(&mut self, d: u32, b: f64) -> Code {
        let e = self.expr(d);
        // Not `tanh` of an unbounded argument (`TanhLargeArgument`).
        let squash = *self.rng.pick(&["sin", "cos", "atan"]);
        let k = b / if squash == "atan" { 1.58 } else { 1.0 };
        let k = (k * 100.0).floor() / 100.0;
        both!("({} * {})", lit_code(k), self.method(squash, vec![e]))
    }

    /// A comparison of two float expressions, or of an integer in scope with a literal.
    pub fn cond(&mut self, d: u32) -> Code {
        self.in_cond += 1;
        let c = self.comparison(d);
        self.in_cond -= 1;
        c
    }

    fn comparison(&mut self, d: u32) -> Code {
        // `&&`, `||` and `!` over conditions (the same text in both dialects).
        if d > 0 && self.rng.chance(0.3) {
            let k = self.rng.range(0, 3);
            let c = [Construct::LogicAnd, Construct::LogicOr, Construct::LogicNot][k];
            if self.sw.is_on(c) {
                self.used(c);
                let a = self.cond(d - 1);
                if c == Construct::LogicNot {
                    return Code::same(format!("!({})", a.f)).twin(format!("!({})", a.g));
                }
                let b = self.cond(d - 1);
                let op = if c == Construct::LogicAnd { "&&" } else { "||" };
                return Code::same(format!("({}) {op} ({})", a.f, b.f))
                    .twin(format!("({}) {op} ({})", a.g, b.g));
            }
        }
        let op = *self.rng.pick(&["<", ">", "<=", ">="]);
        if !self.scope.ints.is_empty() && self.rng.chance(0.25) {
            let i = self.rng.pick(&self.scope.ints).clone();
            let k = self.rng.range(1, i.hi.max(2));
            return Code::same(format!("{} {op} {k}", i.name));
        }
        let (a, b) = (self.expr(d), self.expr(d));
        Code::same(format!("{} {op} {}", paren(&a.f), paren(&b.f))).twin(format!(
            "{}.base() {op} {}.base()",
            paren(&a.g),
            paren(&b.g)
        ))
    }

    /// One operand of an intrinsic in domain `dom`.
    fn operand(&mut self, d: u32, dom: Dom) -> Code {
        match dom {
            Any => self.expr(d),
            Pos => self.positive(d),
            Bounded(b) => self.bounded(d, b),
            AboveOne => {
                let p = self.positive(d);
                both!("({} + {})", p, lit_code(1.0))
            }
            Away => {
                let p = self.positive(d);
                if self.rng.chance(0.5) {
                    both!("(-{})", p)
                } else {
                    p
                }
            }
            LitIn(lo, hi) => {
                let v = self.rng.lit(lo, hi);
                if v < 0.0 {
                    both!("(-{})", lit_code(-v))
                } else {
                    lit_code(v)
                }
            }
            IntExp => Code::same(format!("{}", self.rng.range(0, 8) as i32 - 3)),
        }
    }

    /// A call of a random intrinsic, as a method (`x.sin()`) or a path (`f64::sin(x)`).
    fn intrinsic(&mut self, d: u32, path: bool) -> Code {
        let row = &INTRINSICS[self.rng.range(0, INTRINSICS.len())];
        let negative_powi = row.name == "powi" && self.rng.chance(0.3);
        let mut ops: Vec<Code> = Vec::new();
        for (k, &dom) in row.args.iter().enumerate() {
            let op = match (k, dom) {
                (0, Any) if negative_powi => self.positive(d),
                (_, IntExp) if negative_powi => Code::same(format!("-{}", self.rng.range(1, 4))),
                (_, IntExp) => Code::same(format!("{}", self.rng.range(0, 5))),
                (0, Away) if row.name == "signum" && self.sw.is_on(Construct::SignumOfZero) => {
                    self.used(Construct::SignumOfZero);
                    let e = self.expr(d);
                    // An empty sum's sign is `EmptySumSign`.
                    if !e.f.contains(".filter(") {
                        e
                    } else if self.sw.is_on(Construct::EmptySumSign) {
                        self.used(Construct::EmptySumSign);
                        e
                    } else {
                        self.positive(d)
                    }
                }
                (0, Bounded(_))
                    if row.name == "tanh" && self.sw.is_on(Construct::TanhLargeArgument) =>
                {
                    self.used(Construct::TanhLargeArgument);
                    self.expr(d)
                }
                _ => self.operand(d, dom),
            };
            ops.push(op);
        }
        self.call_intrinsic(row, ops, path)
    }

    /// `name` of the table applied to `ops` (receiver first).
    pub fn method(&mut self, name: &str, ops: Vec<Code>) -> Code {
        let row = INTRINSICS
            .iter()
            .find(|r| r.name == name)
            .expect("in the table");
        self.call_intrinsic(row, ops, false)
    }

    /// Renders an intrinsic call. A receiver whose type is not yet known (`1.5`, a `let` of a
    /// literal) cannot take a method in plain Rust: a person writes `f64::sin(1.5)`, which is
    /// `PathCallUntyped` (off: a macro bug, see there); otherwise a bare literal gets its
    /// suffix (`1.5_f64.sin()`) and anything else is multiplied by `1.0_f64` (which keeps the
    /// value, so the operand stays in its domain).
    fn call_intrinsic(&mut self, row: &Intrinsic, mut ops: Vec<Code>, path: bool) -> Code {
        let (name, ft) = (row.name, self.ft);
        let mut path = path;
        if !ops[0].typed {
            if self.sw.is_on(Construct::PathCallUntyped) {
                self.used(Construct::PathCallUntyped);
                path = true;
            } else if ops[0].f.parse::<f64>().is_ok() {
                ops[0].f = format!("{}_{ft}", ops[0].f);
                ops[0].typed = true;
            } else {
                let one = Code::same(format!("1.0_{ft}")).twin("c::<S>(1.0)".into());
                ops[0] = both!("({} * {})", ops[0], one).with(ops[0].active, true);
            }
        }
        let join = |from: usize, sel: fn(&Code) -> &String| -> String {
            ops[from..]
                .iter()
                .map(|o| sel(o).clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let f = if path {
            format!("{ft}::{name}({})", join(0, |c| &c.f))
        } else {
            format!("{}.{name}({})", paren(&ops[0].f), join(1, |c| &c.f))
        };
        let g = if !row.in_scalar {
            format!("rp::{name}({})", join(0, |c| &c.g))
        } else if path {
            format!("S::{name}({})", join(0, |c| &c.g))
        } else {
            format!("{}.{name}({})", paren(&ops[0].g), join(1, |c| &c.g))
        };
        let active = ops.iter().any(|o| o.active);
        Code::same(f).twin(g).with(active, true)
    }

    /// `{ let t = e1; t op e2 }` where `e2` may read `t`.
    fn block_expr(&mut self, d: u32) -> Code {
        self.nested(|g| {
            let t = g.fresh("b");
            let e1 = g.expr(d);
            g.scope.floats.push(crate::gen::FVar {
                name: t.clone(),
                mutable: false,
                active: e1.active,
                typed: e1.typed,
            });
            let e2 = g.expr(d);
            let op = *g.rng.pick(&["+", "-", "*"]);
            both!("{{ let {t} = {}; {t} {op} {} }}", e1, e2)
        })
    }

    /// `match i { 0 => e, 1..=2 => e, _ => e }` on an integer in scope.
    fn match_expr(&mut self, d: u32) -> Code {
        let i = self.rng.pick(&self.scope.ints).clone();
        let mut arms = Code::same(format!("(match {} {{ ", i.name));
        for pat in self.match_patterns(i.hi) {
            let e = self.expr(d);
            arms.push(&both!("{pat} => {}, ", e));
        }
        arms.push(&Code::same("})"));
        arms
    }

    /// Patterns for a `match` on a value in `0..hi`: a literal, a range, then `_`.
    pub fn match_patterns(&mut self, hi: usize) -> Vec<String> {
        let mut pats = vec!["0".to_string()];
        if hi > 2 && self.rng.chance(0.7) {
            pats.push(format!("1..={}", self.rng.range(1, hi)));
        } else if self.rng.chance(0.5) {
            pats.push("1 | 2".to_string());
        }
        pats.push("_".to_string());
        pats
    }
}

impl Code {
    /// Wraps both dialects in parentheses unless already atomic.
    pub fn paren(c: &Code) -> Code {
        Code {
            f: paren(&c.f),
            g: paren(&c.g),
            ..c.clone()
        }
    }

    /// With `g` as the twin's text.
    pub fn twin(mut self, g: String) -> Code {
        self.g = g;
        self
    }
}

/// `s` in parentheses unless it is an identifier, a call, an index or already parenthesised.
pub fn paren(s: &str) -> String {
    let atomic = s.starts_with('(') && s.ends_with(')') && balanced_outer(s);
    let ident = s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if atomic || ident {
        s.to_string()
    } else {
        format!("({s})")
    }
}

/// Whether the first `(` of `s` closes at its last character.
fn balanced_outer(s: &str) -> bool {
    let mut depth = 0i32;
    for (i, ch) in s.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 && i + ch.len_utf8() < s.len() {
            return false;
        }
    }
    depth == 0
}
