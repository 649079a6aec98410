//! The random-program generator: signatures, scopes, and the list of constructs.
//!
//! Every piece of a program is produced as a [`Code`] pair from one set of random choices: `f`,
//! the plain `f64`/`f32` dialect the macro sees, and `g`, the same computation generic over
//! `S: autodiff::Scalar` (literals through `c::<S>(..)`, comparisons on `.base()`, the few
//! methods `Scalar` lacks through `rp::max(..)` etc.), which the test evaluates on dual numbers.
//! Write a template once with [`both!`] and it is rendered in both dialects.
//!
//! Besides the text, a [`Code`] carries what the generator knows about the value: whether it is
//! certainly active (a call argument that is passive must be a literal while
//! `CallPassiveArg` is off) and whether its float type is known where it is written (a method
//! on `{float}` does not compile in plain Rust).
//!
//! # Adding a construct
//!
//! 1. One line in the list of `construct.rs` (with `(off)` and a doc comment if it is not
//!    supported yet or has a known bug).
//! 2. One emitter method on [`Gen`] returning a [`Code`]: an expression in `expr.rs` (chosen
//!    in `Gen::expr` or `Gen::leaf`), a statement in `stmt.rs` (chosen in `Gen::stmt`), a
//!    parameter kind in `program.rs` (`Param`, flattened in `emit.rs`); give it a weight in
//!    its family's table and an applicability rule if it needs something in scope.
//! 3. If the twin cannot be written with `Scalar` alone, add a helper to `src/lib.rs` (as
//!    `max`, `clamp`). The build fails if an enabled construct is never drawn in >= 100
//!    programs, so a new construct is really exercised.
//!
//! An intrinsic is one row of `expr::INTRINSICS` (name, operand domains, whether `Scalar` has
//! it as a method).
//!
//! The families follow the same recipe: `&&`/`||`/`!` are arms of `Gen::cond` (conditions
//! are already `.base()` comparisons in the twin); tuples a statement `let (a, b) = (e1, e2);`
//! pushing two `FVar`s; matrices an `MVar` in `Scope` (`matrix.rs`), flattened in
//! `emit::args`/`emit::tangents`/`run::vjp` (`Flat` in `src/lib.rs` already nests); iterator
//! chains (`iters.rs`) and closures (`closures.rs`) bind items and parameters as `FVar`s (`|&v|`
//! as `v`, `|v|` as `*v`); output buffers (`outputs.rs`) an `AVar` the body writes, plus the
//! initial contents `r0` in the checker; calls pass `Arg`s (`Callee::params`).

use crate::construct::{Construct, Switches};
use crate::rng::Rng;

/// Source text in both dialects, with what the generator knows about its value.
#[derive(Clone, Debug)]
pub struct Code {
    /// What `#[differentiable]` sees (concrete `f64`/`f32`).
    pub f: String,
    /// The twin, generic over `S: Scalar`.
    pub g: String,
    /// Certainly depends on an active input (an under-approximation: `false` may still be
    /// active, never the other way round).
    pub active: bool,
    /// Its float type is known where it is written (`x`, `1.5_f64`, `a.len() as f64`), so a
    /// method may be called on it; a bare literal or a `let` of one is `{float}` until later
    /// inference, and `1.5.sin()` does not compile in plain Rust either.
    pub typed: bool,
}

impl Code {
    /// The same text in both dialects (structure, integers); neither active nor typed.
    pub fn same(s: impl Into<String>) -> Code {
        let s = s.into();
        Code {
            f: s.clone(),
            g: s,
            active: false,
            typed: false,
        }
    }

    /// With the given flags.
    pub fn with(mut self, active: bool, typed: bool) -> Code {
        self.active = active;
        self.typed = typed;
        self
    }

    /// Appends `other` (in both dialects).
    pub fn push(&mut self, other: &Code) {
        self.f.push_str(&other.f);
        self.g.push_str(&other.g);
    }
}

/// `both!("({} + {})", a, b)`: a template rendered in both dialects from [`Code`] arguments.
/// Each argument is evaluated once, in order (they are random draws), then used for both.
macro_rules! both {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {
        $crate::gen::both!(@bind $fmt; []; $($arg),*)
    };
    (@bind $fmt:literal; [$($done:ident)*]; $head:expr $(, $rest:expr)*) => {{
        let v: &$crate::gen::Code = &$head;
        $crate::gen::both!(@bind $fmt; [$($done)* v]; $($rest),*)
    }};
    (@bind $fmt:literal; [$($done:ident)*];) => {
        $crate::gen::Code {
            f: format!($fmt $(, $done.f)*),
            g: format!($fmt $(, $done.g)*),
            active: false $(|| $done.active)*,
            typed: false $(|| $done.typed)*,
        }
    };
}
pub(crate) use both;

/// A float variable in scope.
#[derive(Clone, Debug)]
pub struct FVar {
    pub name: String,
    pub mutable: bool,
    /// As [`Code::active`] and [`Code::typed`], for its uses.
    pub active: bool,
    pub typed: bool,
}

/// An array or slice in scope, with its length (known to the generator even for slices).
#[derive(Clone, Debug)]
pub struct AVar {
    pub name: String,
    pub len: usize,
    pub mutable: bool,
    /// As [`Code::active`] and [`Code::typed`], for its elements.
    pub active: bool,
    pub typed: bool,
    /// Declared in a nested block or after an early `return` (see `LenOfNestedLocalArray`).
    pub nested_local: bool,
    /// A passive slice parameter: plain floats in the twin too, so never a call argument for
    /// an active slice parameter there.
    pub plain: bool,
    /// A local `Vec` (not an array: never an argument for `&mut [f; M]`).
    pub vec: bool,
    /// The function's own output buffer `r: &mut [f]` (passed on as `r` / `&mut r[a..b]`).
    pub out: bool,
    /// A parameter `&[f; N]` / `&[f]`: a reference already (`for v in x`, `zip(x)`).
    pub param: bool,
}

/// A matrix in scope: a parameter `&[[f; cols]; rows]` / `&[[f; cols]]` or a local
/// `[[f; cols]; rows]` (`rows` known to the generator in every case).
#[derive(Clone, Debug)]
pub struct MVar {
    pub name: String,
    pub rows: usize,
    pub cols: usize,
    pub mutable: bool,
    /// As [`Code::active`], for its elements.
    pub active: bool,
    /// A passive parameter: plain floats in the twin too (never a row argument).
    pub plain: bool,
    /// As [`Code::typed`], for its elements (a local `[[0.0; C]; R]` is `{float}` until
    /// inference).
    pub typed: bool,
}

/// A closure bound with `let` (typed parameters, non-escaping).
#[derive(Clone, Debug)]
pub struct CVar {
    pub name: String,
    pub arity: usize,
    /// As [`Code::active`] and [`Code::typed`], for what its body reads besides its
    /// parameters.
    pub active: bool,
    pub typed: bool,
    /// The float variables its body captures (see `ClosureCaptureShadowed`).
    pub captures: Vec<String>,
}

/// Whether `text` names `name` (as a whole word).
pub fn mentions(text: &str, name: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(name).any(|(at, _)| {
        !word(text[..at].chars().next_back()) && !word(text[at + name.len()..].chars().next())
    })
}

/// An integer in scope whose value lies in `0..hi` (loop counters, passive parameters).
#[derive(Clone, Debug)]
pub struct IVar {
    pub name: String,
    pub hi: usize,
}

/// What is visible at the current point of the body. Later entries shadow earlier ones.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub floats: Vec<FVar>,
    pub arrays: Vec<AVar>,
    pub ints: Vec<IVar>,
    pub consts: Vec<String>,
    pub mats: Vec<MVar>,
    pub closures: Vec<CVar>,
    /// Helpers over a struct parameter (`structs.rs`).
    pub calls: Vec<SCall>,
}

/// A call of a helper over a struct with one scalar argument: `f` and `g` are the texts up to
/// the argument (`self.h0(`, `p5_h0_g(this, `).
#[derive(Clone, Debug)]
pub struct SCall {
    pub f: String,
    pub g: String,
    pub construct: Construct,
}

impl Scope {
    /// What a closure may capture: the bindings nothing writes while it lives (immutable
    /// floats, arrays and matrices; a name whose last binding is mutable is left out).
    pub fn capturable(&self) -> Scope {
        let floats = (self.visible_floats().into_iter())
            .filter(|v| !v.mutable)
            .cloned()
            .collect();
        Scope {
            floats,
            arrays: self.arrays.iter().filter(|a| !a.mutable).cloned().collect(),
            ints: self.ints.clone(),
            consts: self.consts.clone(),
            mats: self.mats.iter().filter(|m| !m.mutable).cloned().collect(),
            closures: self.closures.clone(),
            calls: self.calls.clone(),
        }
    }

    /// The visible float variables (the last binding of each name).
    pub fn visible_floats(&self) -> Vec<&FVar> {
        let mut out: Vec<&FVar> = Vec::new();
        for v in self.floats.iter().rev() {
            if !out.iter().any(|o| o.name == v.name) {
                out.push(v);
            }
        }
        out
    }
}

/// One parameter of a callee.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg {
    /// An active scalar.
    Scalar,
    /// An active slice `&[f]` the callee reads `n` elements of (its length at the callee's own
    /// evaluation point).
    Slice(usize),
    /// An output buffer of length `m`: `&mut [f; m]` if `fixed`, else `&mut [f]`.
    Out(usize, bool),
}

/// An earlier program that later ones may call: active scalar and slice parameters, and a
/// scalar result or (as a statement) one output buffer.
#[derive(Clone, Debug)]
pub struct Callee {
    pub name: String,
    pub params: Vec<Arg>,
    pub f32: bool,
    /// The length of the array it returns (`None`: a float).
    pub ret: Option<usize>,
}

impl Callee {
    /// A callee over active scalars only.
    pub fn scalars(name: &str, arity: usize) -> Callee {
        Callee {
            name: name.to_string(),
            params: vec![Arg::Scalar; arity],
            f32: false,
            ret: None,
        }
    }

    /// Whether it writes an output buffer (called as a statement).
    pub fn writes(&self) -> bool {
        self.params.iter().any(|a| matches!(a, Arg::Out(..)))
    }
}

/// The state of generating one function body.
pub struct Gen<'a> {
    pub rng: &'a mut Rng,
    pub sw: &'a mut Switches,
    /// `"f64"` or `"f32"`.
    pub ft: &'static str,
    pub scope: Scope,
    pub callees: &'a [Callee],
    /// `Some(m)` for a function returning `[ft; m]`.
    pub out_len: Option<usize>,
    /// How many loops enclose the current point.
    pub loops: u32,
    /// Statement nesting, for indentation.
    pub level: usize,
    /// While drawing the elements of a returned array literal in a function with array
    /// parameters (see `BranchInArrayResult`): no `if`/`match` expressions.
    pub no_branch_expr: bool,
    /// Whether an early `return` has been drawn (see `LenOfNestedLocalArray`).
    pub returned: bool,
    /// Whether the function has array or slice parameters.
    pub has_arrays: bool,
    /// The passive integer parameter and its value at the evaluation point, if any.
    pub passive_int: Option<(String, usize)>,
    /// The function returns `()`, its result in this output buffer (name, length, fixed).
    pub out_buf: Option<(String, usize, bool)>,
    /// How many conditions enclose the current point (see `MatrixRowArg`).
    pub in_cond: u32,
    fresh: usize,
}

impl<'a> Gen<'a> {
    pub fn new(
        rng: &'a mut Rng,
        sw: &'a mut Switches,
        ft: &'static str,
        callees: &'a [Callee],
    ) -> Self {
        Gen {
            rng,
            sw,
            ft,
            scope: Scope::default(),
            callees,
            out_len: None,
            loops: 0,
            level: 1,
            passive_int: None,
            out_buf: None,
            in_cond: 0,
            no_branch_expr: false,
            has_arrays: false,
            returned: false,
            fresh: 0,
        }
    }

    /// A new local name with the given prefix.
    pub fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    /// Counts a use of `c`.
    pub fn used(&mut self, c: Construct) {
        *self.sw.used.entry(c).or_insert(0) += 1;
    }

    /// Draws one of `options` (construct, weight) among those switched on and `applicable`;
    /// `None` if none is.
    pub fn choose(
        &mut self,
        options: &[(Construct, u32)],
        applicable: impl Fn(&Self, Construct) -> bool,
    ) -> Option<Construct> {
        let live: Vec<(Construct, u32)> = options
            .iter()
            .copied()
            .filter(|&(c, w)| w > 0 && self.sw.is_on(c) && applicable(self, c))
            .collect();
        if live.is_empty() {
            return None;
        }
        let weights: Vec<u32> = live.iter().map(|&(_, w)| w).collect();
        let c = live[self.rng.weighted(&weights)].0;
        self.used(c);
        Some(c)
    }

    /// A float literal in both dialects.
    pub fn lit(&mut self, lo: f64, hi: f64) -> Code {
        let v = self.rng.lit(lo, hi);
        lit_code(v)
    }

    /// Runs `f` in a nested scope: bindings made inside are dropped afterwards.
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.scope.clone();
        let out = f(self);
        // Mutability of outer variables cannot change inside, so restoring is exact.
        self.scope = saved;
        out
    }
}

/// The literal `v` (non-negative) in both dialects.
pub fn lit_code(v: f64) -> Code {
    let s = format!("{v:?}");
    Code {
        g: format!("c::<S>({s})"),
        f: s,
        active: false,
        typed: false,
    }
}
