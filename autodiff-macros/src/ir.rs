//! Our own small IR: only the node kinds the emitters support, every node with its span.
//!
//! Variables are resolved during lowering (shadowing and scopes are gone: every `let` and every
//! parameter is its own [`VarId`]). Anything the derivative code does not need to understand,
//! such as `data.len()` or `n as f64` on passive values, is kept as an [`ExprKind::Opaque`] Rust
//! expression whose variable references have been renamed; `check` makes sure such code never
//! touches an active value.

use proc_macro2::{Ident, Span};

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

pub struct Var {
    /// The name the user wrote.
    pub name: Ident,
    /// The unique name used in generated code (mixed-site hygiene: cannot collide with the
    /// user's identifiers).
    pub ident: Ident,
    pub mutable: bool,
    /// Set by `check`: the variable holds a value that depends on an active input.
    pub active: bool,
}

/// What a parameter is.
pub enum ParamKind {
    /// `x: f64` / `x: f32`: active unless excluded by `wrt`.
    Float,
    /// `&[f; N]` or `&[f]`: active by default, not supported as active yet.
    FloatArray,
    /// Anything else: passed through unchanged.
    Other,
}

pub struct Param {
    pub var: VarId,
    pub ty: syn::Type,
    pub kind: ParamKind,
}

pub struct Func {
    pub params: Vec<Param>,
    pub vars: Vec<Var>,
    pub body: Block,
    /// Set by `check`.
    pub float: FloatTy,
}

pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The value of the block (`None` only for statement blocks).
    pub tail: Option<Box<Expr>>,
}

pub enum Stmt {
    /// `let x = init;` / `let mut x: T = init;`
    Let {
        var: VarId,
        ty: Option<syn::Type>,
        init: Expr,
    },
    /// `x = value;` (compound assignments are lowered to `x = x op value`).
    Assign { var: VarId, value: Expr },
    /// An expression evaluated for its effects.
    Expr(Expr),
    /// An item (`const K: f64 = ..;`, `use ..;`) kept verbatim.
    Item(syn::Item),
}

pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

pub enum ExprKind {
    Var(VarId),
    /// A float literal.
    Lit(syn::LitFloat),
    /// An operator or intrinsic call; arguments in the row's order (receiver first).
    Call(&'static Intrinsic, Vec<Expr>),
    /// `e as f64` with `e` a float of the function's type, or integer-to-float casts of
    /// passive values (kept in `Opaque`).
    Cast(Box<Expr>, syn::Type),
    /// A comparison; its result is a passive `bool`.
    Compare(syn::BinOp, Box<Expr>, Box<Expr>),
    Block(Block),
    /// Rust code the derivative does not look into, with variables renamed. `vars` lists the
    /// variables it reads or writes; `what` names the construct for error messages.
    Opaque {
        expr: syn::Expr,
        vars: Vec<VarId>,
        what: Unsupported,
    },
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
    /// Anything else, with a description.
    Other(&'static str),
}
