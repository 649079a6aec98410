//! The list of constructs: what the generator can draw, which are switched off by default
//! (known macro bugs and unsupported shapes, each with the reason), and the switches.
//!
//! Adding a construct is one line here (with `(off)` if it must not be drawn by default, and a
//! doc comment saying why), one emitter, and one weight in its family's table. Minimal
//! reproductions of the `(off)` ones are in `FINDINGS.md`.

use std::collections::BTreeMap;

/// Declares [`Construct`], [`Construct::ALL`] and [`Construct::OFF_BY_DEFAULT`] from one list.
macro_rules! constructs {
    ($($(#[doc = $doc:literal])* $name:ident $(($off:ident))?,)*) => {
        /// Every construct the generator can draw. Used for the switches and coverage counts.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Construct {
            $($(#[doc = $doc])* $name,)*
        }

        impl Construct {
            /// All constructs, in declaration order.
            pub const ALL: &'static [Construct] = &[$(Construct::$name,)*];

            /// Off unless named in `RANDPROG_ENABLE` (comma-separated variant names).
            pub const OFF_BY_DEFAULT: &'static [Construct] =
                &[$($(constructs!(@$off $name),)?)*];
        }
    };
    (@off $name:ident) => {
        Construct::$name
    };
}

constructs! {
    // Conditions.
    /// `c1 && c2` (short-circuit) in a condition.
    LogicAnd,
    /// `c1 || c2` in a condition.
    LogicOr,
    /// `!c` in a condition.
    LogicNot,
    /// `let (a, b) = (e1, e2);` and `let (s, c) = e.sin_cos();`.
    TupleLet,
    // Expressions.
    Literal,
    Variable,
    Index,
    ConstItem,
    IntCast,
    Len,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Method,
    /// `signum` of an argument that may be `-0.0` (e.g. `x * x.round()` near 0, `(x * 0.0)`):
    /// `derivatives::<K>` (Taylor jets) returns the value with the sign of zero lost,
    /// `(x * 0.0).signum()` at `x = -0.3` gives `1.0` there but `-1.0` from `f`, `grad`, `jvp`.
    /// Off until fixed; `signum` is drawn on arguments away from zero meanwhile.
    SignumOfZero,
    /// `tanh` of an unbounded argument: `rules::tanh` takes `1 / cosh(x)^2` for |tanh x| > 0.9,
    /// and on nested duals `cosh(x)^2` overflows for |x| > ~355 (f64) or ~45 (f32): `hvp` (and
    /// `Dual<Dual<_>>`) give NaN where the second derivative is 0. Off until the rule is fixed;
    /// `tanh` is drawn with |argument| <= 10 meanwhile.
    TanhLargeArgument,
    PathCall,
    /// `f64::abs(0.21)` (a path call whose first argument is a bare literal or a `let` of one,
    /// type `{float}` until inference): the macro turns it into `0.21.abs()`, which does not
    /// compile ("can't call method `abs` on ambiguous numeric type `{float}`"). Off until fixed.
    PathCallUntyped,
    IfExpr,
    BlockExpr,
    MatchExpr,
    Call,
    /// A call of a function with its own derivative rule in another crate
    /// (`randprog_check::custom`).
    CustomCall,
    /// A call argument that is passive but not a literal (a `const`, a passive slice element,
    /// directly or through a `let`, a call with only passive arguments) for an active parameter
    /// of the callee: does not compile (``f64: ToActive<__S>` is not satisfied``). Off until
    /// fixed; literal arguments and passive arithmetic such as `d[0] * 2.0` work and stay on.
    CallPassiveArg,
    /// A helper with an active slice parameter `&[f]`, called with a sub-slice `&a[k..k + n]`
    /// of an array parameter, slice parameter, local array or local `Vec` in the caller, also
    /// inside conditions (`if h(x, &a[1..4]) <= a[3] {..}`).
    CallSliceArg,
    // Statements.
    Let,
    LetMut,
    Assign,
    AddAssign,
    SubAssign,
    MulAssign,
    DivAssign,
    Shadow,
    IfStmt,
    IfNoElse,
    BlockStmt,
    MatchStmt,
    ForRange,
    ForInclusive,
    ForRev,
    ForStepBy,
    ForLen,
    /// `a.len()` (as a loop bound, or as a value inside a loop) where `a` is a local array
    /// declared inside a nested block (`if`, loop body, `{ }`) or after an early `return`:
    /// the generated code names `a` outside its scope (error[E0425]: cannot find value `a_3`
    /// in this scope). Off until fixed; `ForLen` and `Len` cover every other array.
    LenOfNestedLocalArray,
    ForPassiveBound,
    While,
    WhileActive,
    Loop,
    Break,
    Continue,
    EarlyReturn,
    /// `return [a, b];` before the end of a function returning an array: rejected by the macro
    /// ("needs a function returning an array to end with an array literal ..."), although early
    /// `return` and array results are each supported. Off until the macro accepts it.
    EarlyReturnArray,
    /// `let v = match i { 0 => return r, _ => e };`: an arm that returns.
    MatchReturnArm,
    /// An `if` or `match` expression as an element of the returned array literal in a function
    /// with an array parameter (`[if s[0] < s[1] { 2.6 } else { s[0] }, s[1]]`): rejected
    /// ("does not support `if` inside this expression", then a spurious "needs a function
    /// returning an array to end with an array literal ..."). With scalar parameters it
    /// compiles. Off until fixed.
    BranchInArrayResult,
    /// A returned array literal whose elements are all bare reads of an active array or calls
    /// (`[a[2], a[0]]` with `a: &[f64; 3]`, or `[h(x, y), h(y, x)]`): rejected ("cannot
    /// differentiate this use of the active value `a`", then a spurious "needs a function
    /// returning an array to end with an array literal ..."); `[a[2] * a[1], a[0]]`,
    /// `[h(x, y), x * y]` and `[x, y]` compile. Off until fixed.
    AtomicElementsArrayResult,
    LocalArrayZeros,
    /// `let mut v = vec![0.0; n];` (a scratch vector, with `alloc`).
    LocalVec,
    LocalArrayPassiveLiteral,
    /// `let a = [x, x * y];` with active elements: a known bug being fixed on main (wrong or
    /// rejected derivatives); off by default until the fix is merged.
    LocalArrayActiveLiteral,
    /// `let mut a = [0.5, 1.5];` later written with active values: does not compile (the macro
    /// treats the array as one constant scalar: `S::cst([..])`, "cannot index into `__S`").
    /// Off until fixed; immutable literal arrays of constants are `LocalArrayPassiveLiteral`.
    MutLocalArrayLiteral,
    ArrayWrite,
    ArrayAddAssign,
    // Signatures.
    ScalarParams,
    ArrayParam,
    SliceParam,
    PassiveSlice,
    PassiveScalar,
    PassiveInt,
    ArrayResult,
    F32,
}

/// Which constructs may be drawn, and how often each was.
pub struct Switches {
    pub on: Vec<Construct>,
    pub used: BTreeMap<Construct, usize>,
}

impl Switches {
    /// The defaults, with the variants named in `enable` (e.g. `"LocalArrayActiveLiteral"`)
    /// switched on and those in `disable` switched off.
    pub fn new(enable: &str, disable: &str) -> Switches {
        let named =
            |list: &str, c: Construct| list.split(',').any(|s| s.trim() == format!("{c:?}"));
        let on = Construct::ALL
            .iter()
            .copied()
            .filter(|&c| {
                (!Construct::OFF_BY_DEFAULT.contains(&c) || named(enable, c)) && !named(disable, c)
            })
            .collect();
        Switches {
            on,
            used: BTreeMap::new(),
        }
    }

    pub fn is_on(&self, c: Construct) -> bool {
        self.on.contains(&c)
    }
}
