//! THE table: one row per supported operator, method and function.
//!
//! A row says how the value is computed (a Rust operator, or the runtime rule of the same name in
//! `autodiff_runtime::rules`), what each argument is, and where each argument's local partial
//! derivative comes from. The emitters only interpret rows: forward mode computes
//! `sum(partial_i * tangent_i)`, reverse mode `arg_i_bar += partial_i * out_bar`. Adding an
//! intrinsic is one rule function in the runtime plus one row here.

/// How the value of a row is computed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Value {
    /// A Rust operator on the (scalar) operands.
    Op(Op),
    /// `rules::<name>(args..)`, which returns `(value, partial_0, partial_1, ..)`.
    Rule,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Neg,
}

/// Where the partial derivative with respect to one argument comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Partial {
    One,
    MinusOne,
    /// The argument is not differentiable (an integer) or the derivative is zero everywhere.
    Zero,
    /// The value of another argument (`d(a*b)/da = b`).
    Arg(usize),
    /// Element `1 + k` of the rule's returned tuple.
    Rule(usize),
    /// `1 / arg_j` (`d(a/b)/da`).
    Recip(usize),
    /// `-out / arg_j` (`d(a/b)/db`).
    NegOutOver(usize),
}

/// What an argument is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Arg {
    /// A float of the function's type: may be active.
    Float,
    /// An `i32` (the exponent of `powi`): always passive.
    Int,
}

/// One supported operator, method or function.
#[derive(Debug)]
pub struct Intrinsic {
    /// How it is written in Rust: an operator, or a method/`f64::name` call.
    pub syntax: Option<Op>,
    /// The method name (`sin` for `x.sin()` and `f64::sin(x)`), or the operator's rule name.
    pub name: &'static str,
    /// Callable by name as a method or `f64::name` path (false for operators).
    pub callable: bool,
    pub args: &'static [Arg],
    pub value: Value,
    /// One entry per argument.
    pub partials: &'static [Partial],
}

use Arg::{Float as F, Int as I};
use Partial::{Arg as A, MinusOne as M1, One as P1, Rule as R, Zero as Z};

macro_rules! rows {
    ($($name:literal $callable:literal [$($arg:expr),*] $value:expr => [$($p:expr),*];)*) => {
        /// Every row. Order is the order of the README's list.
        pub static TABLE: &[Intrinsic] = &[
            $(Intrinsic { syntax: syntax($name), name: $name, callable: $callable, args: &[$($arg),*], value: $value, partials: &[$($p),*] },)*
        ];
    };
}

rows! {
    // operators
    "add" false [F, F] Value::Op(Op::Add) => [P1, P1];
    "sub" false [F, F] Value::Op(Op::Sub) => [P1, M1];
    "mul" false [F, F] Value::Op(Op::Mul) => [A(1), A(0)];
    "div" false [F, F] Value::Op(Op::Div) => [Partial::Recip(1), Partial::NegOutOver(1)];
    "neg" false [F] Value::Op(Op::Neg) => [M1];
    // methods with a derivative
    "sin" true [F] Value::Rule => [R(0)];
    "cos" true [F] Value::Rule => [R(0)];
    "tan" true [F] Value::Rule => [R(0)];
    "asin" true [F] Value::Rule => [R(0)];
    "acos" true [F] Value::Rule => [R(0)];
    "atan" true [F] Value::Rule => [R(0)];
    "atan2" true [F, F] Value::Rule => [R(0), R(1)];
    "sinh" true [F] Value::Rule => [R(0)];
    "cosh" true [F] Value::Rule => [R(0)];
    "tanh" true [F] Value::Rule => [R(0)];
    "tanh_fast" true [F] Value::Rule => [R(0)];
    "asinh" true [F] Value::Rule => [R(0)];
    "acosh" true [F] Value::Rule => [R(0)];
    "atanh" true [F] Value::Rule => [R(0)];
    "exp" true [F] Value::Rule => [R(0)];
    "exp2" true [F] Value::Rule => [R(0)];
    "exp_m1" true [F] Value::Rule => [R(0)];
    "ln" true [F] Value::Rule => [R(0)];
    "log" true [F, F] Value::Rule => [R(0), R(1)];
    "log2" true [F] Value::Rule => [R(0)];
    "log10" true [F] Value::Rule => [R(0)];
    "ln_1p" true [F] Value::Rule => [R(0)];
    "sqrt" true [F] Value::Rule => [R(0)];
    "cbrt" true [F] Value::Rule => [R(0)];
    "powi" true [F, I] Value::Rule => [R(0), Z];
    "powf" true [F, F] Value::Rule => [R(0), R(1)];
    "abs" true [F] Value::Rule => [R(0)];
    "hypot" true [F, F] Value::Rule => [R(0), R(1)];
    "recip" true [F] Value::Rule => [R(0)];
    "mul_add" true [F, F, F] Value::Rule => [R(0), R(1), R(2)];
    "max" true [F, F] Value::Rule => [R(0), R(1)];
    "min" true [F, F] Value::Rule => [R(0), R(1)];
    "clamp" true [F, F, F] Value::Rule => [R(0), R(1), R(2)];
    "to_degrees" true [F] Value::Rule => [R(0)];
    "to_radians" true [F] Value::Rule => [R(0)];
    // zero derivative
    "floor" true [F] Value::Rule => [Z];
    "ceil" true [F] Value::Rule => [Z];
    "round" true [F] Value::Rule => [Z];
    "trunc" true [F] Value::Rule => [Z];
    "signum" true [F] Value::Rule => [Z];
}

/// The operator spelling of the operator rows.
const fn syntax(name: &str) -> Option<Op> {
    match name.as_bytes() {
        b"add" => Some(Op::Add),
        b"sub" => Some(Op::Sub),
        b"mul" => Some(Op::Mul),
        b"div" => Some(Op::Div),
        b"neg" => Some(Op::Neg),
        _ => None,
    }
}

/// The row of a method or `f64::name` function.
pub fn callable(name: &str) -> Option<&'static Intrinsic> {
    TABLE.iter().find(|r| r.callable && r.name == name)
}

/// The row of an operator.
pub fn op(op: Op) -> &'static Intrinsic {
    let name = match op {
        Op::Add => "add",
        Op::Sub => "sub",
        Op::Mul => "mul",
        Op::Div => "div",
        Op::Neg => "neg",
    };
    TABLE
        .iter()
        .find(|r| r.name == name)
        .expect("every operator has a row")
}

/// The supported method names, for error messages.
pub fn supported_list() -> String {
    TABLE
        .iter()
        .filter(|r| r.callable)
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's list of float methods is this table's list, in order.
    #[test]
    fn readme_lists_exactly_the_table() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("<!-- intrinsics:start -->")
            .expect("README has the intrinsics markers");
        let end = readme
            .find("<!-- intrinsics:end -->")
            .expect("README has the intrinsics markers");
        let listed: Vec<&str> = readme[start..end]
            .lines()
            .skip(1)
            .flat_map(|l| l.split_whitespace())
            .map(|w| w.trim_matches('`'))
            .collect();
        let table: Vec<&str> = TABLE
            .iter()
            .filter(|r| r.callable)
            .map(|r| r.name)
            .collect();
        assert_eq!(listed, table, "update the README's list of float methods");
    }

    #[test]
    fn rows_are_consistent() {
        for row in TABLE {
            assert_eq!(row.args.len(), row.partials.len(), "{}", row.name);
            for (arg, p) in row.args.iter().zip(row.partials) {
                if *arg == Arg::Int {
                    assert_eq!(
                        *p,
                        Partial::Zero,
                        "{}: integer arguments have no derivative",
                        row.name
                    );
                }
                if let Partial::Arg(k) | Partial::Recip(k) | Partial::NegOutOver(k) = p {
                    assert!(*k < row.args.len(), "{}", row.name);
                }
            }
            if row.value != Value::Rule {
                assert!(
                    row.partials.iter().all(|p| !matches!(p, Partial::Rule(_))),
                    "{}",
                    row.name
                );
            }
        }
    }
}
