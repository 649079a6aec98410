//! One whole program: a random signature (active scalars, arrays and slices; passive slices,
//! floats and integers; scalar or array result; `f64` or `f32`), its evaluation point, and a
//! random body.

use crate::construct::{Construct, Switches};
use crate::gen::{lit_code, AVar, Arg, Callee, Code, FVar, Gen, IVar, MVar};
use crate::rng::Rng;
use crate::structs::Form;

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
    /// `m: &[[f64; cols]; rows]`, active (`rows` then `cols`).
    Matrix(String, usize, usize),
    /// `m: &[[f64; cols]]`, active, with `rows` rows at the evaluation point.
    MatrixRows(String, usize, usize),
    /// `m: &[[f64; cols]; rows]`, passive, with its data (row by row).
    PassiveMatrix(String, usize, Vec<f64>),
    /// `r: &mut [f64]` (or `&mut [f64; m]` if fixed): the output buffer, of length `m` at the
    /// evaluation point, with its initial contents (passive data the body may read).
    Output(String, usize, bool, Vec<f64>),
    /// `m: &T` of a derived struct, active (`self` of a method), flattened in field order.
    Struct(String, crate::structs::StructTy),
}

impl Param {
    pub fn name(&self) -> &str {
        match self {
            Param::Scalar(n)
            | Param::Array(n, _)
            | Param::Slice(n, _)
            | Param::PassiveSlice(n, _)
            | Param::PassiveScalar(n, _)
            | Param::PassiveInt(n, _)
            | Param::Matrix(n, ..)
            | Param::MatrixRows(n, ..)
            | Param::PassiveMatrix(n, ..)
            | Param::Output(n, ..)
            | Param::Struct(n, _) => n,
        }
    }

    /// How many flat active inputs this parameter contributes (an output buffer's initial
    /// contents are not among them: see `Program::r0`).
    pub fn active_len(&self) -> usize {
        match self {
            Param::Scalar(_) => 1,
            Param::Array(_, n) | Param::Slice(_, n) => *n,
            Param::Matrix(_, r, c) | Param::MatrixRows(_, r, c) => r * c,
            Param::Struct(_, t) => t.dim(),
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
    /// The tangent of the output buffer's initial contents (empty without one).
    pub vr0: Vec<f64>,
    /// Whether `f::jacobian` is compared (see `InOutJacobian`).
    pub jacobian_ok: bool,
    /// A program over a struct (`structs.rs`): the type, the form, the helpers.
    pub strukt: Option<crate::structs::StructProg>,
}

impl Program {
    /// Whether some parameter is passive because of `wrt` (a float not listed), or a struct
    /// is active (named in `wrt`).
    pub fn needs_wrt(&self) -> bool {
        (self.params.iter()).any(|p| {
            matches!(
                p,
                Param::PassiveSlice(..)
                    | Param::PassiveScalar(..)
                    | Param::PassiveMatrix(..)
                    | Param::Struct(..)
            )
        })
    }

    /// The output buffer: name, length, fixed size, initial contents.
    pub fn output(&self) -> Option<(&str, usize, bool, &[f64])> {
        self.params.iter().find_map(|p| match p {
            Param::Output(n, m, fixed, r0) => Some((n.as_str(), *m, *fixed, &r0[..])),
            _ => None,
        })
    }

    /// The output buffer's initial contents (empty without one).
    pub fn r0(&self) -> &[f64] {
        self.output().map_or(&[], |o| o.3)
    }

    /// A callee for later programs, if this one takes only active scalars (and, with
    /// `slices`, active slices) and returns one float or an array, or writes one output
    /// buffer.
    pub fn as_callee(&self, slices: bool) -> Option<Callee> {
        let params: Option<Vec<Arg>> = (self.params.iter())
            .map(|p| match p {
                Param::Scalar(_) => Some(Arg::Scalar),
                Param::Slice(_, n) if slices => Some(Arg::Slice(*n)),
                Param::Output(_, m, fixed, _) => Some(Arg::Out(*m, *fixed)),
                _ => None,
            })
            .collect();
        let inputs = |ps: &Vec<Arg>| ps.iter().any(|a| !matches!(a, Arg::Out(..)));
        let params = params.filter(|ps| inputs(ps))?;
        Some(Callee {
            name: self.name.clone(),
            params,
            f32: self.ft == "f32",
            ret: self.out_len,
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
    let form = crate::structs::choose_form(&mut gen);
    let mut params = signature(&mut gen);
    let mut out_len = None;
    if let Some(Form::Method { wrt: false, .. }) = form {
        // `self` is the only active parameter.
        params.retain(|p| p.active_len() == 0);
    }
    if form.is_some() {
        // Scalar results only.
    } else if let Some(out) = crate::outputs::output_param(&mut gen, &mut params) {
        params.push(out);
    } else if gen.sw.is_on(Construct::ArrayResult) && gen.rng.chance(0.15) {
        gen.used(Construct::ArrayResult);
        out_len = Some(gen.rng.range(2, 4));
    }
    // A passive matrix where it does not compile (see `PassiveMatrixShapes`).
    let scalars = (params.iter()).all(|p| p.active_len() == 0 || matches!(p, Param::Scalar(_)));
    let fixed_out = (params.iter()).any(|p| matches!(p, Param::Output(_, _, true, _)));
    let bad = fixed_out
        || (scalars && out_len.is_none() && !params.iter().any(|p| matches!(p, Param::Output(..))));
    if bad && params.iter().any(|p| matches!(p, Param::PassiveMatrix(..))) {
        if gen.sw.is_on(Construct::PassiveMatrixShapes) {
            gen.used(Construct::PassiveMatrixShapes);
        } else {
            params.retain(|p| !matches!(p, Param::PassiveMatrix(..)));
        }
    }
    gen.out_len = out_len;
    gen.has_arrays = (params.iter()).any(|p| {
        !matches!(
            p,
            Param::Scalar(_) | Param::PassiveScalar(..) | Param::PassiveInt(..)
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
                vec: false,
                out: false,
                param: true,
            }),
            Param::PassiveSlice(_, d) => gen.scope.arrays.push(AVar {
                name,
                len: d.len(),
                mutable: false,
                active: false,
                typed: true,
                nested_local: false,
                plain: true,
                vec: false,
                out: false,
                param: true,
            }),
            Param::PassiveInt(_, v) => {
                gen.scope.ints.push(IVar {
                    name: name.clone(),
                    hi: v + 1,
                });
                gen.passive_int = Some((name, *v));
            }
            Param::Matrix(_, rows, cols) | Param::MatrixRows(_, rows, cols) => {
                gen.scope.mats.push(MVar {
                    name,
                    rows: *rows,
                    cols: *cols,
                    mutable: false,
                    active: true,
                    plain: false,
                    typed: true,
                });
            }
            Param::PassiveMatrix(_, cols, data) => gen.scope.mats.push(MVar {
                name,
                rows: data.len() / cols,
                cols: *cols,
                mutable: false,
                active: false,
                plain: true,
                typed: true,
            }),
            Param::Struct(..) => {}
            Param::Output(_, m, fixed, _) => {
                gen.scope.arrays.push(AVar {
                    name: name.clone(),
                    len: *m,
                    mutable: true,
                    active: false,
                    typed: true,
                    nested_local: false,
                    plain: false,
                    vec: false,
                    out: true,
                    param: false,
                });
                gen.out_buf = Some((name, *m, *fixed));
            }
        }
    }
    let name = format!("p{index}");
    let strukt = form.map(|form| {
        let prefix = if form == Form::Free { "m0" } else { "self" };
        let mixed = params.iter().any(|p| p.active_len() > 0);
        let sp = crate::structs::draw(&mut gen, &name, form, prefix, callees, mixed);
        let at = if form == Form::Free {
            gen.rng.range(0, params.len() + 1)
        } else {
            0
        };
        params.insert(at, Param::Struct(prefix.to_string(), sp.ty.clone()));
        sp
    });
    gen.has_arrays |= strukt.is_some();
    // Statements at the top of the body: a struct literal, then a collected vector.
    let literal = strukt.as_ref().and_then(|s| s.literal.clone());
    let mut top = literal.as_ref().map_or(Code::same(""), |l| l.stmt.clone());
    if let Some(c) = gen.collected() {
        top.push(&c);
    }
    let mut body = body(&mut gen, &params);
    let at = |b: &str| {
        b.strip_prefix("{\n")
            .expect("a body starts with `{`")
            .to_string()
    };
    body.f = format!("{{\n{}{}", top.f, at(&body.f));
    body.g = format!("{{\n{}{}", top.g, at(&body.g));
    if let Some((prefix, ty)) = crate::structs::param(&params) {
        let flat = if prefix == "self" { "this" } else { prefix };
        body.g = crate::structs::twin_body(&body.g, prefix, flat, ty);
    }
    if let Some(l) = &literal {
        let mut paths = l.paths.clone();
        paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in &paths {
            body.g = crate::structs::replace_path(&body.g, p, &p.replace('.', "__"));
        }
    }
    let in_out =
        (gen.out_buf.as_ref()).is_some_and(|o| crate::outputs::reads_output(&body.f, &o.0));
    let jacobian_ok = !in_out || gen.sw.is_on(Construct::InOutJacobian);
    if in_out && jacobian_ok {
        gen.used(Construct::InOutJacobian);
    }
    let n: usize = params.iter().map(Param::active_len).sum();
    let rng = &mut *gen.rng;
    let p = Program {
        index,
        name,
        ft: if f32 { "f32" } else { "f64" },
        params,
        out_len,
        body,
        x: (0..n).map(|_| rng.input()).collect(),
        v: (0..n).map(|_| rng.lit(-1.0, 1.0)).collect(),
        seed: Vec::new(),
        vr0: Vec::new(),
        jacobian_ok,
        strukt,
    };
    let m = out_len.or(p.output().map(|o| o.1)).unwrap_or(1);
    let vr0 = (0..p.r0().len()).map(|_| rng.lit(-1.0, 1.0)).collect();
    Program {
        seed: (0..m).map(|_| rng.lit(-2.0, 2.0)).collect(),
        vr0,
        ..p
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
    if want(gen, MatrixParam, 0.1) {
        let (rows, cols) = (gen.rng.range(2, 4), gen.rng.range(2, 4));
        ps.push(Param::Matrix(gen.fresh("m"), rows, cols));
    }
    if want(gen, MatrixRowsParam, 0.04) {
        let (rows, cols) = (gen.rng.range(1, 4), gen.rng.range(2, 4));
        ps.push(Param::MatrixRows(gen.fresh("m"), rows, cols));
    }
    if ps.is_empty() {
        ps.push(Param::Scalar(gen.fresh("x")));
    }
    if want(gen, PassiveMatrix, 0.08) {
        let (rows, cols) = (gen.rng.range(2, 4), gen.rng.range(2, 4));
        let data = (0..rows * cols).map(|_| gen.rng.input()).collect();
        ps.push(Param::PassiveMatrix(gen.fresh("w"), cols, data));
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
pub fn body(gen: &mut Gen, params: &[Param]) -> Code {
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
    let stmts = if ft == "f32" { 3 } else { 4 };
    let n = gen.rng.range(1, stmts + 1);
    out.push(&gen.stmts(n, 2));
    let tail = match gen.out_len {
        _ if gen.out_buf.is_some() => gen.output_tail(),
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
