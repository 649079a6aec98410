//! One whole program: a random signature (active scalars, arrays and slices; passive slices,
//! floats and integers; scalar or array result; `f64` or `f32`), its evaluation point, and a
//! random body.

use crate::construct::{Construct, Switches};
use crate::gen::{lit_code, AVar, Callee, Code, FVar, Gen, IVar};
use crate::rng::Rng;

/// A parameter. Active ones are flattened in order into the test's input vector.
#[derive(Clone, Debug)]
pub enum Param {
    /// `x: f64`, active.
    Scalar(String),
    /// `x: &[f64; n]`, active.
    Array(String, usize),
    /// `x: &[f64]`, active, of length `n` at the evaluation point.
    Slice(String, usize),
    /// `d: &[f64]`, passive (not in `wrt`), with its data.
    PassiveSlice(String, Vec<f64>),
    /// `p: f64`, passive (not in `wrt`), with its value.
    PassiveScalar(String, f64),
    /// `n: usize` (integers are always passive), with its value.
    PassiveInt(String, usize),
}

impl Param {
    pub fn name(&self) -> &str {
        match self {
            Param::Scalar(n)
            | Param::Array(n, _)
            | Param::Slice(n, _)
            | Param::PassiveSlice(n, _)
            | Param::PassiveScalar(n, _)
            | Param::PassiveInt(n, _) => n,
        }
    }

    /// How many flat active inputs this parameter contributes.
    pub fn active_len(&self) -> usize {
        match self {
            Param::Scalar(_) => 1,
            Param::Array(_, n) | Param::Slice(_, n) => *n,
            _ => 0,
        }
    }
}

/// A generated program.
pub struct Program {
    pub index: usize,
    pub name: String,
    /// `"f64"` or `"f32"`.
    pub ft: &'static str,
    pub params: Vec<Param>,
    /// `Some(m)` for `-> [ft; m]`.
    pub out_len: Option<usize>,
    /// The body including its braces.
    pub body: Code,
    /// Point, direction and output seed (flat).
    pub x: Vec<f64>,
    pub v: Vec<f64>,
    pub seed: Vec<f64>,
}

impl Program {
    /// Whether some parameter is passive because of `wrt` (a float not listed).
    pub fn needs_wrt(&self) -> bool {
        (self.params.iter())
            .any(|p| matches!(p, Param::PassiveSlice(..) | Param::PassiveScalar(..)))
    }

    /// A callee for later programs, if this one takes only active scalars (and, with
    /// `slices`, active slices) and returns one float.
    pub fn as_callee(&self, slices: bool) -> Option<Callee> {
        let params: Option<Vec<Option<usize>>> = (self.params.iter())
            .map(|p| match p {
                Param::Scalar(_) => Some(None),
                Param::Slice(_, n) if slices => Some(Some(*n)),
                _ => None,
            })
            .collect();
        let params = params.filter(|ps| !ps.is_empty() && self.out_len.is_none())?;
        Some(Callee {
            name: self.name.clone(),
            params,
            f32: self.ft == "f32",
        })
    }
}

/// Draws program number `index`.
pub fn program(index: usize, rng: &mut Rng, sw: &mut Switches, callees: &[Callee]) -> Program {
    let mut gen = Gen::new(rng, sw, "f64", callees);
    let f32 = gen.sw.is_on(Construct::F32) && gen.rng.chance(0.12);
    if f32 {
        gen.ft = "f32";
        gen.used(Construct::F32);
    }
    let params = signature(&mut gen);
    let out_len = (gen.sw.is_on(Construct::ArrayResult) && gen.rng.chance(0.15)).then(|| {
        gen.used(Construct::ArrayResult);
        gen.rng.range(2, 4)
    });
    gen.out_len = out_len;
    gen.has_arrays = (params.iter()).any(|p| {
        matches!(
            p,
            Param::Array(..) | Param::Slice(..) | Param::PassiveSlice(..)
        )
    });
    for p in &params {
        let name = p.name().to_string();
        match p {
            Param::Scalar(_) | Param::PassiveScalar(..) => gen.scope.floats.push(FVar {
                name,
                mutable: false,
                active: p.active_len() > 0,
                typed: true,
            }),
            Param::Array(_, n) | Param::Slice(_, n) => gen.scope.arrays.push(AVar {
                name,
                len: *n,
                mutable: false,
                active: true,
                typed: true,
                nested_local: false,
                plain: false,
            }),
            Param::PassiveSlice(_, d) => gen.scope.arrays.push(AVar {
                name,
                len: d.len(),
                mutable: false,
                active: false,
                typed: true,
                nested_local: false,
                plain: true,
            }),
            Param::PassiveInt(_, v) => {
                gen.scope.ints.push(IVar {
                    name: name.clone(),
                    hi: v + 1,
                });
                gen.passive_int = Some((name, *v));
            }
        }
    }
    let body = body(&mut gen, &params);
    let n: usize = params.iter().map(Param::active_len).sum();
    let m = out_len.unwrap_or(1);
    let rng = &mut *gen.rng;
    Program {
        index,
        name: format!("p{index}"),
        ft: if f32 { "f32" } else { "f64" },
        params,
        out_len,
        body,
        x: (0..n).map(|_| rng.input()).collect(),
        v: (0..n).map(|_| rng.lit(-1.0, 1.0)).collect(),
        seed: (0..m).map(|_| rng.lit(-2.0, 2.0)).collect(),
    }
}

/// The parameter list, shuffled.
fn signature(gen: &mut Gen) -> Vec<Param> {
    use Construct::*;
    let mut ps = Vec::new();
    let want = |gen: &mut Gen, c: Construct, p: f64| {
        let yes = gen.sw.is_on(c) && gen.rng.chance(p);
        if yes {
            gen.used(c);
        }
        yes
    };
    if want(gen, ScalarParams, 0.8) {
        for _ in 0..gen.rng.range(1, 4) {
            ps.push(Param::Scalar(gen.fresh("x")));
        }
    }
    if want(gen, ArrayParam, 0.3) {
        ps.push(Param::Array(gen.fresh("a"), gen.rng.range(2, 5)));
    }
    if want(gen, SliceParam, 0.2) {
        ps.push(Param::Slice(gen.fresh("s"), gen.rng.range(2, 5)));
    }
    if ps.is_empty() {
        ps.push(Param::Scalar(gen.fresh("x")));
    }
    if want(gen, PassiveSlice, 0.12) {
        let n = gen.rng.range(2, 5);
        let data = (0..n).map(|_| gen.rng.input()).collect();
        ps.push(Param::PassiveSlice(gen.fresh("d"), data));
    }
    if want(gen, PassiveScalar, 0.12) {
        let v = gen.rng.input();
        ps.push(Param::PassiveScalar(gen.fresh("q"), v));
    }
    if want(gen, PassiveInt, 0.2) {
        let v = gen.rng.range(1, 4);
        ps.push(Param::PassiveInt(gen.fresh("n"), v));
    }
    // Fisher-Yates, so active and passive parameters interleave.
    for i in (1..ps.len()).rev() {
        let j = gen.rng.range(0, i + 1);
        ps.swap(i, j);
    }
    ps
}

/// `{ [const ..;] [let mut out = ..;] statements; result }`.
fn body(gen: &mut Gen, params: &[Param]) -> Code {
    let mut out = Code::same("{\n");
    let ft = gen.ft;
    if gen.sw.is_on(Construct::ConstItem) && gen.rng.chance(0.3) {
        let k = gen.fresh("K");
        let v = gen.rng.lit(0.1, 2.0);
        out.push(
            &Code::same(format!("    const {k}: {ft} = {v:?};\n"))
                .twin(format!("    const {k}: f64 = {v:?};\n")),
        );
        gen.scope.consts.push(k);
    }
    let stmts = if ft == "f32" { 3 } else { 5 };
    let n = gen.rng.range(1, stmts + 1);
    out.push(&gen.stmts(n, 2));
    let tail = match gen.out_len {
        Some(m) if gen.rng.chance(0.5) => {
            // Accumulate into a local array and return it.
            let mut t = crate::gen::both!("    let mut out = [{}; {m}];\n", lit_code(0.0));
            for r in 0..m {
                let mut e = gen.expr(2);
                if r == 0 && !e.active {
                    // The macro rejects an array result that does not depend on the inputs.
                    e = crate::gen::both!("({} + {})", e, gen.active_leaf());
                }
                t.push(&crate::gen::both!("    out[{r}] += {};\n", e));
            }
            t.push(&Code::same("    out\n"));
            t
        }
        _ => {
            let mut e = gen.result(3);
            if gen.out_len.is_none() {
                // Let the body's last variables reach the result, so fewer statements are dead.
                let locals: Vec<Code> = (gen.scope.visible_floats().iter())
                    .filter(|v| params.iter().all(|p| p.name() != v.name))
                    .take(2)
                    .map(|v| Code::same(&v.name).with(v.active, v.typed))
                    .collect();
                for v in locals {
                    e = crate::gen::both!("({} + {})", e, v);
                }
            }
            if gen.out_len.is_none() && gen.rng.chance(0.1) {
                gen.used(Construct::EarlyReturn);
                crate::gen::both!("    return {};\n", e)
            } else {
                crate::gen::both!("    {}\n", e)
            }
        }
    };
    out.push(&tail);
    out.push(&Code::same("}"));
    out
}
