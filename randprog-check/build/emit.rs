//! Writes a [`Program`] as Rust: the `#[differentiable]` function, its generic twin, its source
//! as a string, and a `run_<i>` function that wraps the generated `jvp`/`vjp`/`grad`/`hvp`/
//! `jacobian` as closures over flat vectors and hands them to the test's `Checker`.

use std::fmt::Write;

use crate::program::{Param, Program};

/// The `#[differentiable]` function (also embedded as the program's source text).
pub fn source(p: &Program) -> String {
    let ft = p.ft;
    let wrt = if p.needs_wrt() {
        let active: Vec<&str> = (p.params.iter())
            .filter(|q| q.active_len() > 0)
            .map(Param::name)
            .collect();
        format!("(wrt({}))", active.join(", "))
    } else {
        String::new()
    };
    let params: Vec<String> = p.params.iter().map(|q| param_decl(q, ft)).collect();
    format!(
        "#[autodiff::differentiable{wrt}]\nfn {}({}) -> {} {}\n",
        p.name,
        params.join(", "),
        result_type(p, ft),
        p.body.f
    )
}

/// The generic twin `p<i>_g`, evaluated on dual numbers.
fn twin(p: &Program) -> String {
    let params: Vec<String> = p.params.iter().map(|q| param_decl(q, "S")).collect();
    format!(
        "fn {}_g<S: Scalar<Base = {}>>({}) -> {} {}\n",
        p.name,
        p.ft,
        params.join(", "),
        result_type(p, "S"),
        p.body.g
    )
}

fn param_decl(q: &Param, t: &str) -> String {
    let int = |n: &str| format!("{n}: usize");
    match q {
        Param::Scalar(n) | Param::PassiveScalar(n, _) => format!("{n}: {t}"),
        Param::Array(n, k) => format!("{n}: &[{t}; {k}]"),
        Param::Slice(n, _) | Param::PassiveSlice(n, _) => format!("{n}: &[{t}]"),
        Param::PassiveInt(n, _) => int(n),
    }
}

fn result_type(p: &Program, t: &str) -> String {
    match p.out_len {
        Some(m) => format!("[{t}; {m}]"),
        None => t.to_string(),
    }
}

/// The data constant of a passive slice parameter.
fn data_name(p: &Program, q: &str) -> String {
    format!("D{}_{}", p.index, q.to_uppercase())
}

/// Arguments for a call with active inputs read from the flat slice `x`; `twin` renders
/// passive floats as constants of the twin's scalar type.
fn args(p: &Program, x: &str, twin: bool) -> String {
    let mut k = 0;
    let mut out = Vec::new();
    for q in &p.params {
        let n = q.active_len();
        out.push(match q {
            Param::Scalar(_) => format!("{x}[{k}]"),
            Param::Array(..) => format!("&arr::<_, {n}>(&{x}[{k}..{}])", k + n),
            Param::Slice(..) => format!("&{x}[{k}..{}]", k + n),
            Param::PassiveSlice(name, _) if twin => {
                format!("&consts::<S>(&{})", data_name(p, name))
            }
            Param::PassiveSlice(name, _) => format!("&{}", data_name(p, name)),
            Param::PassiveScalar(_, v) if twin => format!("c::<S>({v:?})"),
            Param::PassiveScalar(_, v) => format!("{v:?}"),
            Param::PassiveInt(_, v) => format!("{v}"),
        });
        k += n;
    }
    out.join(", ")
}

/// The arguments of `f::objective(..)`: each passive argument, and each active slice's length
/// in its place.
fn objective_args(p: &Program) -> String {
    let mut out = Vec::new();
    for q in &p.params {
        match q {
            Param::Slice(_, n) => out.push(format!("{n}")),
            Param::PassiveSlice(name, _) => out.push(format!("&{}", data_name(p, name))),
            Param::PassiveScalar(_, v) => out.push(format!("{v:?}")),
            Param::PassiveInt(_, v) => out.push(format!("{v}")),
            Param::Scalar(_) | Param::Array(..) => {}
        }
    }
    out.join(", ")
}

/// One tangent (or direction) per active parameter, read from the flat slice `t`.
fn tangents(p: &Program, t: &str) -> String {
    let mut k = 0;
    let mut out = Vec::new();
    for q in &p.params {
        let n = q.active_len();
        match q {
            Param::Scalar(_) => out.push(format!("{t}[{k}]")),
            Param::Array(..) => out.push(format!("&arr::<_, {n}>(&{t}[{k}..{}])", k + n)),
            Param::Slice(..) => out.push(format!("&{t}[{k}..{}]", k + n)),
            _ => {}
        }
        k += n;
    }
    out.join(", ")
}

/// The `vjp` closure: buffers pre-filled from `b0`, the call, and the flat adjoints.
fn vjp(p: &Program) -> String {
    let ft = p.ft;
    let (mut bufs, mut call_bufs, mut assemble, mut scalars) =
        (String::new(), Vec::new(), String::new(), Vec::new());
    let mut k = 0;
    for (j, q) in p.params.iter().enumerate() {
        let n = q.active_len();
        match q {
            Param::Scalar(_) => {
                scalars.push(format!("r{j}"));
                writeln!(assemble, "        bar.push(r{j});").unwrap();
            }
            Param::Array(..) => {
                let (a, b) = (k, k + n);
                writeln!(
                    bufs,
                    "        let mut buf{j}: [{ft}; {n}] = arr(&pre[{a}..{b}]);"
                )
                .unwrap();
                call_bufs.push(format!("&mut buf{j}"));
                writeln!(assemble, "        bar.extend_from_slice(&buf{j});").unwrap();
            }
            Param::Slice(..) => {
                let (a, b) = (k, k + n);
                writeln!(bufs, "        let mut buf{j} = pre[{a}..{b}].to_vec();").unwrap();
                call_bufs.push(format!("&mut buf{j}"));
                writeln!(assemble, "        bar.extend_from_slice(&buf{j});").unwrap();
            }
            _ => {}
        }
        k += n;
    }
    let pat = match scalars.len() {
        0 => "y".to_string(),
        1 => format!("(y, {})", scalars[0]),
        _ => format!("(y, ({}))", scalars.join(", ")),
    };
    let seed = match p.out_len {
        None => "w[0]".to_string(),
        Some(m) => format!("&arr::<_, {m}>(w)"),
    };
    let mut call = vec![args(p, "x", false), seed];
    call.extend(call_bufs);
    format!(
        "    let vjp = |x: &[{ft}], w: &[{ft}], pre: &[{ft}]| -> (Vec<{ft}>, Vec<{ft}>) {{\n\
         {bufs}        let {pat} = {}::vjp({});\n        let mut bar = Vec::new();\n\
         {assemble}        (flat(&y), bar)\n    }};\n",
        p.name,
        call.join(", ")
    )
}

/// Whether the macro generates `f::jacobian`: array result, and either only active scalars or
/// exactly one active array.
fn has_jacobian(p: &Program) -> bool {
    let active: Vec<&Param> = p.params.iter().filter(|q| q.active_len() > 0).collect();
    let scalars = active.iter().all(|q| matches!(q, Param::Scalar(_)));
    let one_array = active.len() == 1 && matches!(active[0], Param::Array(..));
    p.out_len.is_some() && (scalars || one_array)
}

/// Whether the macro generates `f::hessian`: scalar result, active parameters all scalars or
/// exactly one array.
fn has_hessian(p: &Program) -> bool {
    let active: Vec<&Param> = p.params.iter().filter(|q| q.active_len() > 0).collect();
    let scalars = active.iter().all(|q| matches!(q, Param::Scalar(_)));
    let one_array = active.len() == 1 && matches!(active[0], Param::Array(..));
    p.out_len.is_none() && (scalars || one_array)
}

/// Whether the macro generates `f::derivatives::<K>`: scalar result, one active scalar.
fn has_taylor(p: &Program) -> bool {
    let active: Vec<&Param> = p.params.iter().filter(|q| q.active_len() > 0).collect();
    p.out_len.is_none() && active.len() == 1 && matches!(active[0], Param::Scalar(_))
}

/// The whole item group of one program.
pub fn program(p: &Program) -> String {
    let (ft, name, i) = (p.ft, &p.name, p.index);
    let src = source(p);
    let mut s = format!("// ---- program {i} ----\nconst SRC_{i}: &str = r#\"{src}\"#;\n{src}");
    s.push_str(&twin(p));
    writeln!(s, "fn run_{i}(ck: &mut Checker) {{").unwrap();
    for q in &p.params {
        if let Param::PassiveSlice(n, d) = q {
            let items: Vec<String> = d.iter().map(|v| format!("{v:?}")).collect();
            let (dn, len) = (data_name(p, n), d.len());
            writeln!(s, "    const {dn}: [{ft}; {len}] = [{}];", items.join(", ")).unwrap();
        }
    }
    let (ax, tt) = (args(p, "x", false), tangents(p, "t"));
    writeln!(
        s,
        "    let value = |x: &[{ft}]| -> Vec<{ft}> {{ flat(&{name}({ax})) }};\n\
         \x20   let jvp = |x: &[{ft}], t: &[{ft}]| -> (Vec<{ft}>, Vec<{ft}>) {{\n\
         \x20       let (y, d) = {name}::jvp({ax}, {tt});\n        (flat(&y), flat(&d))\n    }};"
    )
    .unwrap();
    s.push_str(&vjp(p));
    let scalar = p.out_len.is_none();
    if scalar {
        writeln!(
            s,
            "    let grad = |x: &[{ft}]| -> ({ft}, Vec<{ft}>) {{\n\
             \x20       let (y, g) = {name}::grad({ax});\n        (y, flat(&g))\n    }};\n\
             \x20   let hvp = |x: &[{ft}], t: &[{ft}]| -> ({ft}, Vec<{ft}>, Vec<{ft}>) {{\n\
             \x20       let (y, g, h) = {name}::hvp({ax}, {tt});\n        (y, flat(&g), flat(&h))\n    }};"
        )
        .unwrap();
        let oa = objective_args(p);
        writeln!(
            s,
            "    let objective = |x: &[{ft}], t: &[{ft}]| rp::objective_out(&{name}::objective({oa}), x, t);"
        )
        .unwrap();
    }
    let hess = has_hessian(p);
    if hess {
        writeln!(
            s,
            "    let hessian = |x: &[{ft}]| -> ({ft}, Vec<{ft}>, Vec<{ft}>) {{\n\
             \x20       let (y, g, h) = {name}::hessian({ax});\n        (y, flat(&g), flat(&h))\n    }};"
        )
        .unwrap();
    }
    let taylor = has_taylor(p);
    if taylor {
        writeln!(
            s,
            "    let taylor = |x: &[{ft}]| -> Vec<{ft}> {{ {name}::derivatives::<4>({ax}).to_vec() }};"
        )
        .unwrap();
    }
    let jac = has_jacobian(p);
    if jac {
        writeln!(
            s,
            "    let jacobian = |x: &[{ft}]| -> (Vec<{ft}>, Vec<{ft}>) {{\n\
             \x20       let (y, j) = {name}::jacobian({ax});\n        (flat(&y), flat(&j))\n    }};"
        )
        .unwrap();
    }
    let wrap = if scalar { "vec![{}]" } else { "{}.to_vec()" };
    let call = format!("{name}_g({})", args(p, "x", true));
    writeln!(
        s,
        "    fn twin<S: Scalar<Base = {ft}>>(x: &[S]) -> Vec<S> {{ {} }}",
        wrap.replace("{}", &call)
    )
    .unwrap();
    let list = |v: &[f64]| {
        v.iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let buffered: Vec<String> = (p.params.iter())
        .flat_map(|q| {
            let b = matches!(q, Param::Array(..) | Param::Slice(..));
            std::iter::repeat_n(b.to_string(), q.active_len())
        })
        .collect();
    let opt = |on: bool, f: &str| {
        if on {
            format!("Some(&{f})")
        } else {
            "None".into()
        }
    };
    writeln!(
        s,
        "    ck.run(\n        &Program {{\n            index: {i},\n            src: SRC_{i},\n\
         \x20           x: &[{}],\n            v: &[{}],\n            seed: &[{}],\n\
         \x20           buffered: &[{}],\n            value: &value,\n            jvp: &jvp,\n\
         \x20           vjp: &vjp,\n            grad: {},\n            hvp: {},\n\
         \x20           jacobian: {},\n            hessian: {},\n            taylor: {},\n\
         \x20           objective: {},\n\
         \x20           dual1: &twin::<D1<{ft}>>,\n\
         \x20           dual2: &twin::<D2<{ft}>>,\n        }},\n        {},\n    );\n}}\n",
        list(&p.x),
        list(&p.v),
        list(&p.seed),
        buffered.join(", "),
        opt(scalar, "grad"),
        opt(scalar, "hvp"),
        opt(jac, "jacobian"),
        opt(hess, "hessian"),
        if taylor {
            format!("Some((&taylor, &twin::<D3<{ft}>>))")
        } else {
            "None".into()
        },
        opt(scalar, "objective"),
        if ft == "f32" { "2e-3" } else { "1e-10" },
    )
    .unwrap();
    s
}
