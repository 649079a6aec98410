//! Our own small IR: only the node kinds the emitters support, every node with its span.
//!
//! Lowering resolves names (every `let`, parameter and loop variable is its own [`VarId`]),
//! turns `match` into `if` chains, hoists `if`, `match` and block expressions into statements
//! that assign a fresh variable, and rewrites `break`, `continue` and early `return` into flag
//! variables and guarded blocks. The emitters therefore see structured code only: statements,
//! `if`/`else`, and loops whose only exit is a check of flags at the top of an iteration.
//!
//! Anything the derivative code does not need to understand, such as `data.len()` on passive
//! values, is kept as an [`ExprKind::Opaque`] Rust expression whose variable references have been
//! renamed; `check` makes sure such code never touches an active value.

use proc_macro2::{Ident, Span, TokenStream};

use crate::intrinsics::Intrinsic;

pub type VarId = usize;

/// The float type of the function's active values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    pub fn ident(self) -> Ident {
        Ident::new(
            match self {
                FloatTy::F32 => "f32",
                FloatTy::F64 => "f64",
            },
            Span::call_site(),
        )
    }
}

/// The shape of a variable's value, as far as the emitters care.
#[derive(Clone)]
pub enum Shape {
    /// A scalar, or a passive value of any type.
    Scalar,
    /// A local array `[f; len]`.
    Array(TokenStream),
    /// A parameter `&[f; len]`.
    ArrayRef(TokenStream),
    /// A parameter `&[f]` (or `&Vec<f>`).
    SliceRef,
    /// A local `Vec<f>` (`vec![0.0; n]`, `Vec::with_capacity(n)` and `push`).
    Vec,
}

pub struct Var {
    /// The name the user wrote (generated variables get a descriptive name).
    pub name: Ident,
    /// The unique name used in generated code (mixed-site hygiene: cannot collide with the
    /// user's identifiers).
    pub ident: Ident,
    pub mutable: bool,
    pub shape: Shape,
    /// Set by `check`: the variable holds a value that depends on an active input.
    pub active: bool,
    /// Known to hold a float (a float parameter, or a `let` of a float expression): passed to
    /// other `#[differentiable]` functions as a constant when passive.
    pub float: bool,
}

/// What a parameter is.
pub enum ParamKind {
    /// `x: f64` / `x: f32`: active unless excluded by `wrt`.
    Float,
    /// `&[f; N]` or `&[f]`: active unless excluded by `wrt`.
    FloatArray,
    /// `&mut [f; M]` or `&mut [f]`: an output buffer (the residual style); its final contents
    /// are the function's result, its initial contents passive data it may read.
    Output,
    /// Anything else: passed through unchanged.
    Other,
}

pub struct Param {
    pub var: VarId,
    pub ty: syn::Type,
    pub kind: ParamKind,
    /// `&[[f; cols]; rows]` or `&[[f; cols]]` (rows `None`): a matrix, which the derivative
    /// code sees flattened row by row (a `&[f]` of `rows * cols`); the public functions take
    /// and return the matrix shape.
    pub matrix: Option<Matrix>,
}

#[derive(Clone)]
pub struct Matrix {
    pub rows: Option<TokenStream>,
    pub cols: TokenStream,
}

pub struct Func {
    pub params: Vec<Param>,
    pub vars: Vec<Var>,
    pub body: Block,
    /// The returned value, evaluated after `body`.
    pub result: Expr,
    /// Set by `check`.
    pub float: FloatTy,
    /// For `-> [f; M]`: `M` (set by `check`).
    pub ret_len: Option<TokenStream>,
    /// The function's generic parameters (for explicit generic arguments in generated calls).
    pub generics: syn::Generics,
    /// Returns `()`, its results in output buffers (set by `check`).
    pub unit: bool,
}

#[derive(Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

pub enum Stmt {
    /// `let x = init;` / `let mut x: T = init;`
    Let {
        var: VarId,
        ty: Option<syn::Type>,
        init: Expr,
    },
    /// `let mut x;`: a variable assigned later on every path (hoisted `if` values).
    Declare {
        var: VarId,
    },
    /// `x = value;` (compound assignments are lowered to `x = x op value`).
    Assign {
        var: VarId,
        value: Expr,
    },
    /// `a[index] = value;` on a local array.
    IndexAssign {
        var: VarId,
        index: Expr,
        value: Expr,
    },
    /// `v.push(..)` on a local `Vec`: one more element, zero (the value is written next by an
    /// `IndexAssign` at `v.len() - 1`).
    Push {
        var: VarId,
    },
    /// An expression evaluated for its effects.
    Expr(Expr),
    /// An item (`const K: f64 = ..;`, `use ..;`) kept verbatim.
    Item(syn::Item),
    If {
        cond: Expr,
        then: Block,
        els: Block,
    },
    Loop(Box<Loop>),
}

pub struct Loop {
    pub head: LoopHead,
    pub body: Block,
    /// Flags (passive `bool` variables); the loop ends when one is true at the top of an
    /// iteration (`break` and early `return` set them).
    pub exits: Vec<VarId>,
    /// A compile-time upper bound of the trip count, if known (sizes the reverse sweep's
    /// storage: `0..N` gives `N`).
    pub bound: Option<TokenStream>,
}

pub enum LoopHead {
    /// `for var in iter`, with `iter` passive (`a..b`, `(a..b).rev()`, `.step_by(k)`).
    For {
        var: VarId,
        iter: Expr,
    },
    While {
        cond: Expr,
    },
    Loop,
}

pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// The user's tokens, where an error should underline all of them.
    pub orig: Option<TokenStream>,
    /// Variables whose lengths it reads (`v.len()` of a local `Vec`): passive reads that the
    /// reverse sweep must still find in scope.
    pub lens: Vec<VarId>,
}

pub enum ExprKind {
    Var(VarId),
    /// A float literal.
    Lit(syn::LitFloat),
    /// An operator or intrinsic call; arguments in the row's order (receiver first).
    Call(&'static Intrinsic, Vec<Expr>),
    /// `e as f32` / `e as f64`.
    Cast(Box<Expr>, syn::Type),
    /// A comparison; its result is a passive `bool`.
    Compare(syn::BinOp, Box<Expr>, Box<Expr>),
    /// `a && b`, `a || b` (short-circuit, as written) or `!a` on conditions: a passive `bool`
    /// (or, for `!`, the bitwise not of a passive integer).
    Logic(LogicOp, Vec<Expr>),
    /// `a[index]` on a local variable (array, slice parameter, ...).
    Index(VarId, Box<Expr>),
    /// `[elem; len]`.
    ArrayRepeat(Box<Expr>, syn::Expr),
    /// `vec![elem; len]`, or (`elem` `None`) `Vec::new()`/`Vec::with_capacity(len)`.
    VecNew(Option<Box<Expr>>, syn::Expr),
    /// A call of a function that is not an intrinsic: differentiated through its generated
    /// `__call` (scalar arguments) or `__val_m*`/`__jvp_m*`/`__vjp_m*` (with array arguments)
    /// when an argument is active, kept as written otherwise.
    UserCall(syn::Expr, Vec<Expr>),
    /// An array passed to a call: `x` (a `&[f; N]`/`&[f]` parameter), `&a` (a local array), or a
    /// sub-slice `&x[lo..hi]` (either bound may be missing); `mutable`: `&mut ..`, an output
    /// buffer the callee writes.
    View {
        var: VarId,
        range: Option<Range>,
        mutable: bool,
        /// The length, when known at compile time (a matrix row, `&x[2..5]`).
        len: Option<TokenStream>,
        /// The call's returned array, passed as an extra last output buffer (`let p: [f; M] =
        /// helper(..)`); passive code writes `p = helper(..)`.
        returned: bool,
    },
    /// Rust code the derivative does not look into, with variables renamed. `vars` lists the
    /// variables whose values it uses; `what` names the construct for error messages.
    Opaque {
        expr: syn::Expr,
        vars: Vec<VarId>,
        what: Unsupported,
    },
}

/// The bounds of a sub-slice `lo..hi` (each may be missing).
pub type Range = (Option<Box<Expr>>, Option<Box<Expr>>);

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LogicOp {
    And,
    Or,
    Not,
}

/// Why an opaque expression could not be differentiated, if it ever meets an active value.
#[derive(Clone)]
pub enum Unsupported {
    /// Plain passive code: paths, literals, indexing, field access, casts, references, ...
    Passive,
    /// A method without a derivative rule.
    Method(Ident),
    /// A call of a function that is not an intrinsic.
    Call(String),
    /// A cast of an active value to a non-float type.
    CastToInt,
    /// An operator without a derivative (`%`, `&`, `<<`, ..), named as written.
    Operator(String),
    /// Anything else, with a description and the remedy.
    Other(&'static str, &'static str),
    /// A complete message (`{}` stands for the active variable's name).
    Message(&'static str),
    /// The expression contains a construct already reported as an error.
    Reported,
    /// Built by the macro: reads only the lengths of the variables it lists (never an error,
    /// but the reverse sweep must know what it depends on).
    Length,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr {
            kind,
            span,
            orig: None,
            lens: Vec::new(),
        }
    }
}
