//! Writes a [`Program`] as Rust: the `#[differentiable]` function, its generic twin, and the
//! arguments of calls over flat vectors (used by `run.rs` for the check closures).

use crate::program::{Param, Program};
use crate::structs::Form;

/// The `#[differentiable]` function (also embedded as the program's source text), with the
/// struct type and helpers of a program over a struct.
pub fn source(p: &Program) -> String {
    let ft = p.ft;
    let actives = || -> Vec<&str> {
        (p.params.iter())
            .filter(|q| q.active_len() > 0)
            .map(Param::name)
            .collect()
    };
    let wrt = if p.needs_wrt() {
        format!("(wrt({}))", actives().join(", "))
    } else {
        String::new()
    };
    let params: Vec<String> = p.params.iter().map(|q| param_decl(q, ft)).collect();
    let Some(sp) = &p.strukt else {
        return format!(
            "#[autodiff::differentiable{wrt}]\nfn {}({}){} {}\n",
            p.name,
            params.join(", "),
            result_type(p, ft),
            p.body.f
        );
    };
    let mut out = sp.ty.decl(ft);
    out.push_str(&sp.free_items.f);
    let header = sp.ty.impl_header();
    match sp.form {
        Form::Free => {
            out.push_str(&format!(
                "#[autodiff::differentiable{wrt}]\nfn {}({}){} {}\n",
                p.name,
                params.join(", "),
                result_type(p, ft),
                p.body.f
            ));
            if !sp.methods.f.is_empty() {
                out.push_str(&format!(
                    "#[autodiff::differentiable]\n{header} {{\n{}}}\n",
                    sp.methods.f
                ));
            }
        }
        Form::Method { by_value, wrt } => {
            let attr = if wrt {
                format!(
                    "    #[autodiff::differentiable(wrt({}))]\n",
                    actives().join(", ")
                )
            } else {
                String::new()
            };
            let recv = if by_value { "self" } else { "&self" };
            let rest: Vec<&String> = params.iter().skip(1).collect();
            let rest: Vec<String> = std::iter::once(recv.to_string())
                .chain(rest.into_iter().cloned())
                .collect();
            let body = p.body.f.replace('\n', "\n    ");
            out.push_str(&format!(
                "#[autodiff::differentiable]\n{header} {{\n{attr}    fn {}({}){} {}\n{}}}\n",
                p.name,
                rest.join(", "),
                result_type(p, ft),
                body,
                sp.methods.f
            ));
        }
    }
    out
}

/// The generic twin `p<i>_g`, evaluated on dual numbers (with the twins of the helpers).
pub fn twin(p: &Program) -> String {
    let params: Vec<String> = p.params.iter().map(|q| param_decl(q, "S")).collect();
    let mut out = format!(
        "fn {}_g<S: Scalar<Base = {}>>({}){} {}\n",
        p.name,
        p.ft,
        params.join(", "),
        result_type(p, "S"),
        p.body.g
    );
    if let Some(sp) = &p.strukt {
        out.push_str(&sp.ty.twin_items());
        out.push_str(&sp.free_items.g);
        out.push_str(&sp.methods.g);
        out.push_str(&sp.ty.flat_impl(p.ft));
    }
    out
}

/// The path of the plain function (`""`) or of a generated item (`"grad"`): `p5::grad`, or
/// `P5::p5_grad` for a method.
pub fn entry(p: &Program, item: &str) -> String {
    match &p.strukt {
        Some(sp) if matches!(sp.form, Form::Method { .. }) => {
            let t = match sp.ty.generic {
                Some(n) => format!("{}::<{n}>", sp.ty.name),
                None => sp.ty.name.clone(),
            };
            if item.is_empty() {
                format!("{t}::{}", p.name)
            } else {
                format!("{t}::{}_{item}", p.name)
            }
        }
        _ if item.is_empty() => p.name.clone(),
        _ => format!("{}::{item}", p.name),
    }
}

/// The value of the struct parameter built from the flat `x[k..k + n]` (by reference unless a
/// method takes `self` by value).
fn struct_arg(p: &Program, x: &str, k: usize, n: usize) -> String {
    let by_value = matches!(
        p.strukt.as_ref().map(|s| s.form),
        Some(Form::Method { by_value: true, .. })
    );
    let amp = if by_value { "" } else { "&" };
    format!("{amp}{}.with_flat(&{x}[{k}..{}])", base_name(p), k + n)
}

/// The struct value whose passive fields the point and the directions copy.
pub fn base_name(p: &Program) -> String {
    format!("B{}", p.index)
}

fn param_decl(q: &Param, t: &str) -> String {
    let int = |n: &str| format!("{n}: usize");
    match q {
        Param::Scalar(n) | Param::PassiveScalar(n, _) => format!("{n}: {t}"),
        Param::Array(n, k) => format!("{n}: &[{t}; {k}]"),
        Param::Slice(n, _) | Param::PassiveSlice(n, _) => format!("{n}: &[{t}]"),
        Param::PassiveInt(n, _) => int(n),
        Param::Matrix(n, r, c) => format!("{n}: &[[{t}; {c}]; {r}]"),
        Param::PassiveMatrix(n, c, d) => format!("{n}: &[[{t}; {c}]; {}]", d.len() / c),
        Param::MatrixRows(n, _, c) => format!("{n}: &[[{t}; {c}]]"),
        Param::Output(n, m, true, _) => format!("{n}: &mut [{t}; {m}]"),
        Param::Output(n, _, false, _) => format!("{n}: &mut [{t}]"),
        Param::Struct(n, _) if t == "S" => {
            let n = if n == "self" { "this" } else { n };
            format!("{n}: &[S]")
        }
        Param::Struct(n, ty) => format!("{n}: &{}", ty.name),
    }
}

/// ` -> T`, or nothing for a function writing an output buffer.
pub fn result_type(p: &Program, t: &str) -> String {
    match p.out_len {
        _ if p.output().is_some() => String::new(),
        Some(m) => format!(" -> [{t}; {m}]"),
        None => format!(" -> {t}"),
    }
}

/// The output buffer's initial contents, as a constant of `run_<i>`.
pub fn r0_name(p: &Program) -> String {
    format!("R{}", p.index)
}

/// `let mut out = ..;` (the output buffer with its initial contents, in the primitive type),
/// or nothing.
pub fn out_init(p: &Program) -> String {
    match p.output() {
        Some((_, _, true, _)) => format!("let mut out = {};", r0_name(p)),
        Some(_) => format!("let mut out = {}.to_vec();", r0_name(p)),
        None => String::new(),
    }
}

/// The data constant of a passive slice parameter.
pub fn data_name(p: &Program, q: &str) -> String {
    format!("D{}_{}", p.index, q.to_uppercase())
}

/// Arguments for a call with active inputs read from the flat slice `x`; `twin` renders
/// passive floats as constants of the twin's scalar type. The output buffer is `out`.
pub fn args(p: &Program, x: &str, twin: bool) -> String {
    let mut k = 0;
    let mut out = Vec::new();
    for q in &p.params {
        out.push(arg(p, q, x, k, twin));
        k += q.active_len();
    }
    out.join(", ")
}

/// The argument for `q`, whose active inputs (if any) start at `x[k]`.
fn arg(p: &Program, q: &Param, x: &str, k: usize, twin: bool) -> String {
    let n = q.active_len();
    let data = |name: &str| {
        if twin {
            format!("consts::<S>(&{})", data_name(p, name))
        } else {
            data_name(p, name)
        }
    };
    match q {
        Param::Scalar(_) => format!("{x}[{k}]"),
        Param::Array(..) => format!("&arr::<_, {n}>(&{x}[{k}..{}])", k + n),
        Param::Slice(..) => format!("&{x}[{k}..{}]", k + n),
        Param::PassiveSlice(name, _) => format!("&{}", data(name)),
        Param::PassiveScalar(_, v) if twin => format!("c::<S>({v:?})"),
        Param::PassiveScalar(_, v) => format!("{v:?}"),
        Param::PassiveInt(_, v) => format!("{v}"),
        Param::Matrix(_, r, c) => format!("&mat::<_, {c}, {r}>(&{x}[{k}..{}])", k + n),
        Param::MatrixRows(_, _, c) => format!("&rows::<_, {c}>(&{x}[{k}..{}])", k + n),
        Param::PassiveMatrix(name, c, d) => {
            format!("&mat::<_, {c}, {}>(&{})", d.len() / c, data(name))
        }
        Param::Output(..) => "&mut out".to_string(),
        Param::Struct(..) if twin => format!("&{x}[{k}..{}]", k + n),
        Param::Struct(..) => struct_arg(p, x, k, n),
    }
}

/// The arguments of `f::objective(..)`: each passive argument, and each active slice's length
/// in its place.
pub fn objective_args(p: &Program) -> String {
    let mut out = Vec::new();
    for q in &p.params {
        match q {
            Param::Slice(_, n) => out.push(format!("{n}")),
            Param::PassiveSlice(name, _) => out.push(format!("&{}", data_name(p, name))),
            Param::PassiveScalar(_, v) => out.push(format!("{v:?}")),
            Param::PassiveInt(_, v) => out.push(format!("{v}")),
            Param::PassiveMatrix(..) => out.push(arg(p, q, "x", 0, false)),
            // The struct too (for its passive fields).
            Param::Struct(..) => out.push(format!("&{}", base_name(p))),
            _ => {}
        }
    }
    out.join(", ")
}

/// One tangent (or direction) per active parameter, read from the flat slice `t`.
pub fn tangents(p: &Program, t: &str) -> String {
    let mut k = 0;
    let mut out = Vec::new();
    for q in &p.params {
        let n = q.active_len();
        match q {
            Param::Scalar(_) => out.push(format!("{t}[{k}]")),
            Param::Array(..) => out.push(format!("&arr::<_, {n}>(&{t}[{k}..{}])", k + n)),
            Param::Slice(..) => out.push(format!("&{t}[{k}..{}]", k + n)),
            Param::Matrix(_, r, c) => {
                out.push(format!("&mat::<_, {c}, {r}>(&{t}[{k}..{}])", k + n))
            }
            Param::MatrixRows(_, _, c) => {
                out.push(format!("&rows::<_, {c}>(&{t}[{k}..{}])", k + n))
            }
            Param::Output(..) => out.push("&mut dout".to_string()),
            Param::Struct(..) => {
                out.push(format!("&{}.with_flat(&{t}[{k}..{}])", base_name(p), k + n))
            }
            _ => {}
        }
        k += n;
    }
    out.join(", ")
}
