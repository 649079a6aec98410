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
    /// `v.len()` of a `Vec` declared in a nested block (a loop body, a branch): the reverse
    /// sweep names `v` outside its scope (`error[E0425]: cannot find value a17_23`), the open
    /// finding "a `Vec` declared in a branch" of `FINDINGS.md`; default seed, program 275 once
    /// drew it (`let mut a17 = vec![0.0; 4]; let (t19, t20) = ((a17.len() as f64), ..);` in a
    /// `for w16 in s4.windows(3)` loop). Fixed (regression tests in `tests/corpus/`).
    LenOfNestedVec,
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
    // Matrices (`build/matrix.rs`).
    /// `let mut m = [[0.0; N]; M];`
    LocalMatrix,
    /// A read `m[i][j]` of a matrix parameter or local.
    MatrixIndex,
    /// `m[i][j] = e;` on a local matrix.
    MatrixWrite,
    /// `m[i][j] += e;` on a local matrix.
    MatrixAddAssign,
    /// A row `&m[i]` passed to a helper's `&[f]` parameter (not inside a condition while
    /// `CallSliceArg` is off: that is its finding).
    MatrixRowArg,
    /// `for i in 0..m.len()` and `for j in 0..m[i].len()`.
    MatrixLen,
    // Iterators, element loops and closures (`build/iters.rs`, `loops.rs`, `closures.rs`).
    /// `a.iter().map(|&v| e).sum::<f64>()` (also `|v| .. *v ..`, `.copied()`, `let s: f64 =`).
    IterSum,
    /// `a.iter().map(|&v| e).product::<f64>()`.
    IterProduct,
    /// `a.iter().fold(init, |acc, &v| e)`.
    IterFold,
    /// `let (t1, t2) = a.iter().fold((i1, i2), |(p, q), &v| (e1, e2));`: several sums in one
    /// pass (a tuple accumulator).
    TupleFold,
    /// `a.iter().map(|&v| (e1, e2)).map(|(p, q)| e3).sum::<f64>()`: a `map` returning a tuple,
    /// destructured by the next closure (in `IterSum`/`IterProduct` chains).
    IterMapTuple,
    /// `a.iter().zip(b.iter()).map(|(&p, &q)| e).sum::<f64>()` (also `zip(b)`, `zip(&b)`).
    IterZip,
    /// `a.iter().enumerate().map(|(i, &v)| e).sum::<f64>()`.
    IterEnumerate,
    /// `a.windows(k).map(|w| e).sum::<f64>()`.
    IterWindows,
    /// `let c: Vec<f64> = a.iter().map(|&v| e).collect();` at the top of the body
    /// (`build/collect.rs`).
    IterCollect,
    /// `(lo..hi).map(|i| e).sum::<f64>()`.
    IterRange,
    /// A float method on a chain whose items are constants (`x * (0..2).map(|i| 1.5)
    /// .sum::<f64>().recip()`, `s.iter().map(|&v| 1.5).sum::<f64>().sqrt()`): does not compile
    /// ("can't call method `recip` on ambiguous numeric type `{float}`" on the attribute: the
    /// generated accumulator loses the `f64` that `sum::<f64>()` names). Fixed (regression tests in `tests/corpus/`).0_f64` before a method meanwhile (as a bare literal is).
    PassiveChainMethod,
    /// `signum` of a value that may be an empty sum (a chain with `.filter(..)`): `sum()` of
    /// no items is `-0.0` in Rust, `+0.0` in the generated code, so `x[0] * x.iter().filter(|v|
    /// **v > 5.0).map(|v| v * v).sum::<f64>().signum()` at `x = [0.5]` is `-0.5` from `f` and
    /// `0.5` from `grad` and `jvp`, with the derivative's sign flipped. Fixed (regression tests in `tests/corpus/`).
    /// Drawn only where `signum` happens to get a filtered sum (none in the default seed's 400
    /// programs, which the check that every switched-on construct is drawn forbids): switch it on
    /// with `RANDPROG_ENABLE=EmptySumSign` on other seeds.
    EmptySumSign(off),
    /// `.filter(|v| **v > c)` (or on the index after `enumerate`) in a chain.
    IterFilter,
    /// `max_by(|a, b| a.total_cmp(b)).unwrap()`, `min_by(|a, b| a.partial_cmp(b).unwrap())`,
    /// `fold(f64::NEG_INFINITY, f64::max)`.
    IterExtreme,
    /// `for v in a.iter()`, `for &v in a.iter()`, `for v in &a`, `for v in a` (a reference).
    ForElements,
    /// `for (i, v) in a.iter().enumerate()`.
    ForEnumerate,
    /// `for w in a.windows(k)`.
    ForWindows,
    /// `let c = |t: f64| e;` (one or two parameters, capturing immutable bindings).
    ClosureLet,
    /// A call `c(e)` of a closure bound with `let`.
    ClosureCall,
    /// A call of a closure after a variable it captures was shadowed (`let c = |t: f64| t * y;
    /// let y = y + 1.0; c(x)`): the derivative code inlines the body where it is called, so
    /// it reads the new `y`; the value (and derivative) from `jvp`, `vjp`, `grad` are those of
    /// `x * (y + 1)`. Fixed (regression tests in `tests/corpus/`).
    ClosureCaptureShadowed,
    /// A closure with a typed parameter called with an argument of type `{float}` (`let c =
    /// |t: f64| (t * t).ln_1p(); x * c(1.5)`): does not compile ("can't call method `ln_1p` on
    /// ambiguous numeric type `{float}`" on the attribute: the inlined body drops the
    /// parameter's type). Fixed (regression tests in `tests/corpus/`).5_f64`)
    /// meanwhile.
    ClosureUntypedArg,
    // Output buffers (`build/outputs.rs`).
    /// A function returning `()` whose result is an output buffer `r: &mut [f]` (jvp, vjp,
    /// jacobian); its initial contents are read too where `r[i] += e` or `r[i]` is drawn.
    OutputSlice,
    /// The same with `r: &mut [f; M]`.
    OutputArray,
    /// An output buffer whose kind does not match the inputs' shape: `&mut [f; M]` with inputs
    /// other than only scalars or one `&[f; N]` (any slice, or a mix), or `&mut [f]` with one
    /// `&[f; N]` as its only input. The generated `jacobian` does not compile (E0308 on the
    /// attribute: a `Vec` where `&[f; N]` / `&mut [f; M]` is expected). Fixed (regression tests in `tests/corpus/`).
    OutputJacobianMix,
    /// `f::jacobian` of a function that reads its output buffer's initial contents (`r[0] +=
    /// e`, `r[1]` in an expression, `r.iter()`): its forward passes run one after the other on
    /// the same buffer, so every pass after the first starts from the previous pass's results;
    /// the values written and the Jacobian are wrong (`jvp` and `vjp` are right). Off until
    /// fixed: the `jacobian` of such functions is not compared meanwhile.
    /// Fixed (regression tests in `tests/corpus/`).
    InOutJacobian,
    /// `return;` (an early return) in a function that writes output buffers: rejected ("`return`
    /// needs a value here; return the function's float result"). Fixed (regression tests in `tests/corpus/`).
    EarlyReturnOutput,
    /// A call `h(.., &mut buf[k..k + m]);` of a helper that writes an output buffer of the
    /// caller (a local array, `Vec`, matrix row, or the caller's own output buffer), read
    /// afterwards; its slice inputs are sub-slices of other arrays or matrix rows.
    OutputCall,
    /// `OutputCall` of a helper whose inputs are all scalars (`fn h(x: f64, r: &mut [f64])`):
    /// does not compile ("no associated item named `__jvp_m0` found for struct `h`", also
    /// `__val_m0`, `__vjp_m0`). Fixed (regression tests in `tests/corpus/`).
    OutputCallScalarInputs,
    // Signatures.
    ScalarParams,
    ArrayParam,
    SliceParam,
    /// `m: &[[f64; N]; M]`, active.
    MatrixParam,
    /// `m: &[[f64; N]]` (rows of any number), active: no `hvp` (not yet generated for it).
    MatrixRowsParam,
    /// `m: &[[f64; N]; M]`, passive (not in `wrt`).
    PassiveMatrix,
    /// A passive matrix parameter where the generated code passes it on unflattened: with only
    /// active scalars and a scalar result (`#[differentiable(wrt(x, y))] fn f(w: &[[f64; 2];
    /// 3], x: f64, y: f64) -> f64`), or with an output buffer `&mut [f; M]` (`fn f(x: f64, w:
    /// &[[f64; 2]; 2], r: &mut [f64; 2])`). Does not compile (E0308 on the attribute,
    /// "expected `&[f64]`, found `&[[f64; 2]; 3]`"). With active arrays, array results or
    /// `&mut [f]` it does. Fixed (regression tests in `tests/corpus/`).
    PassiveMatrixShapes,
    PassiveSlice,
    PassiveScalar,
    PassiveInt,
    ArrayResult,
    /// A call of an earlier program returning an array, bound without its type and indexed
    /// later: `let r4 = p3(x, y); .. r4[1] ..` (the length from the callee's signature). Was a
    /// compile error ("write its type").
    UntypedArrayResultCall,
    F32,
    // Parameter structs (`build/structs.rs`).
    /// A free function with a `#[derive(Differentiable)]` struct parameter named in `wrt(..)`:
    /// `fn f(m: &T, ..)`.
    StructParam,
    /// A method `fn f(&self, ..)` in a `#[differentiable] impl T` block (`self` active).
    StructMethod,
    /// The method takes `self` by value.
    StructMethodByValue,
    /// The method has its own `#[differentiable(wrt(self, x, ..))]` (other active
    /// parameters); without it only `self` is active.
    StructMethodWrt,
    /// A tuple struct `struct T(f64, [f64; 2]);` (fields `m.0`, `m.1[i]`).
    StructTuple,
    /// A field `s: f64` (read `m.s`).
    StructScalarField,
    /// A field `b: [f64; N]` (read `m.b[i]`, `m.b.len()`, `m.b.iter()..`, `for v in &m.b`).
    StructArrayField,
    /// A field `w: [[f64; C]; R]` (read `m.w[i][j]`, `m.w.len()`, `m.w[i].len()`, rows).
    StructMatrixField,
    /// A nested derived struct field `inner: TIn` (read `m.inner.v[1]`).
    StructNested,
    /// The outer struct is const-generic, `struct P<const G: usize> { .., g: [f64; G] }`, its
    /// method in `impl<const G: usize> P<G>` (the method form only; the checker uses `P<N>`).
    StructConstGeneric,
    /// A field `v: Vec<f64>` of the outer struct (read as an array field; flattened after the
    /// fixed-size fields, the struct then sized at run time).
    StructVecField,
    /// A `#[passive]` field (`n: usize`, read as an integer `m.n`, or `tag: &'static str`).
    StructPassiveField,
    /// A read of a `#[passive] n: usize` field of the struct parameter as an integer (`m.n` as
    /// an index, loop bound, `match` scrutinee, `m.n as f64`). Was off (see FINDINGS.md).
    PassiveFieldRead,
    /// The same read in a helper the struct is passed to: a method of the struct (`self.n` in
    /// `m.h1(e)`), of its nested struct or a free function taking the nested struct
    /// (`self.n` in `m.inner.q(e)`, `qs.n` in `h(&m.inner, e)`). Was a compile error.
    PassiveReadInHelper,
    /// A whole array field `&m.b` passed to a helper's `&[f]` parameter.
    FieldArrayArg,
    /// A part `&m.b[k..k + n]` of an array field (or `&m.w[i][k..k + n]` of a matrix field's
    /// row) passed to a helper's `&[f]` parameter (fixed; was E0369, see FINDINGS.md).
    FieldSubSliceArg,
    /// A row `&m.w[i]` (or a part of it) of a matrix field passed to a helper.
    FieldRowArg,
    /// `m.w.iter().map(|row| e).sum::<f64>()` (also `.enumerate()`) over a matrix field.
    FieldRowChain,
    /// `for row in &m.w { acc += e; }` (also `for (k, row) in m.w.iter().enumerate()`).
    FieldRowLoop,
    /// A row chain or loop over a matrix field whose body does not read the row
    /// (`m.w.iter().map(|_row| m.s).sum::<f64>()`, `for _row in &m.w { acc += m.s; }`; fixed:
    /// it iterated over the `R * C` elements, wrong numbers, see FINDINGS.md).
    FieldRowUnused,
    /// A call `StructCall` of a helper over the struct (one of the next five kinds).
    StructCall,
    /// `self.h0(e)` / `m.h0(e)`: a method of the struct's `impl` block without `wrt` (inlined
    /// into a calling method of the block).
    HelperMethod,
    /// `self.h0(e)` / `m.h0(e)` of a method with its own `#[differentiable(wrt(self, t))]`
    /// (stays a call).
    HelperMethodWrt,
    /// `Self::h0(e)`: an associated function of the block (methods only).
    AssocFnCall,
    /// `m.inner.q(e)`: a method of the nested struct's own `#[differentiable] impl` block.
    NestedMethodCall,
    /// A method of the struct (or of its nested struct, `m.inner.q(e)`) called from a free
    /// function `fn f(m: &T)` (fixed; was rejected, see FINDINGS.md).
    FreeFnMethodCall,
    /// A struct passed to a callee (`h(&m.inner, e)`, `self.h0(e)`, `self.inner.q(e)`) in a
    /// function that has other active parameters besides the struct (`wrt(m, x)`, a method's
    /// `wrt(self, x)`) (fixed; was E0308 on the attribute, see FINDINGS.md).
    StructArgMixedActive,
    /// `h(&m.inner, e)`: a free helper `#[differentiable(wrt(qs, t))] fn h(qs: &TIn, t: f64)`.
    NestedStructArg,
    /// A struct built with a struct literal at the top of the body, `let lq = T { s: e, b:
    /// [m.b[1], m.b[0]], w: [m.w[0]; 2], inner: m.inner, ..*m };`, read like the parameter
    /// (`build/literals.rs`).
    StructLiteral,
    /// The struct literal built by a helper returning the struct, `fn p3_mk(qs: &P3) -> P3`,
    /// bound without its type (`let lq = p3_mk(m0);`).
    StructReturned,
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
