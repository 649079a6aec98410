//! The `run_<i>` function of a program: the generated `jvp`/`vjp`/`grad`/`hvp`/`hessian`/
//! `jacobian`/`derivatives`/`objective` wrapped as closures over flat vectors, the twin over
//! flat duals, and the hand-off to the test's `Checker`.
//!
//! A function writing an output buffer takes the buffer's initial contents `R<i>` (passive in
//! the function, but part of its linear map): the twin reads them after the active inputs, `jvp`
//! gets their tangent in the output's tangent buffer, and `vjp` returns their adjoint in the
//! seed buffer; the checker compares both (see `src/check.rs`).

use std::fmt::Write;

use crate::emit::{
    args, base_name, data_name, entry, objective_args, out_init, r0_name, source, tangents,
    twin as twin_fn,
};
use crate::program::{Param, Program};

/// The flat values of an output-sized buffer `name` built from `from[n..]`: `[ft; m]` or `Vec`.
fn buffer_from(p: &Program, name: &str, ty: &str, from: &str) -> String {
    let n: usize = p.params.iter().map(Param::active_len).sum();
    match p.output() {
        Some((_, m, true, _)) => format!("let mut {name}: [{ty}; {m}] = arr(&{from}[{n}..]);"),
        _ => format!("let mut {name}: Vec<{ty}> = {from}[{n}..].to_vec();"),
    }
}

/// The `vjp` closure: buffers pre-filled from `pre`, the call, and the flat adjoints (and the
/// adjoint of the output buffer's initial contents).
fn vjp(p: &Program) -> String {
    adjoint_closure(p, false)
}

/// Whether the macro generates `f::grad_into`: scalar result, an active array (not a struct).
fn has_grad_into(p: &Program) -> bool {
    scalar_result(p)
        && (p.params.iter()).any(|q| q.active_len() > 0 && !matches!(q, Param::Scalar(_)))
        && !(p.params.iter()).any(|q| matches!(q, Param::Struct(..)))
}

/// The `vjp` closure, or (`into`) the `grad` closure through `f::grad_into` on buffers filled
/// with NaN (it must overwrite every element), checked equal to `f::grad` (zeros of either
/// sign alike).
fn adjoint_closure(p: &Program, into: bool) -> String {
    let ft = p.ft;
    let (mut bufs, mut call_bufs, mut assemble, mut scalars) =
        (String::new(), Vec::new(), String::new(), Vec::new());
    let mut k = 0;
    for (j, q) in p.params.iter().enumerate() {
        let n = q.active_len();
        let (a, b) = (k, k + n);
        let buf = match q {
            Param::Scalar(_) => {
                scalars.push(format!("r{j}"));
                writeln!(assemble, "        bar.push(r{j});").unwrap();
                None
            }
            Param::Array(..) => Some(format!("[{ft}; {n}] = arr(&pre[{a}..{b}])")),
            Param::Slice(..) => Some(format!("Vec<{ft}> = pre[{a}..{b}].to_vec()")),
            Param::Matrix(_, r, c) => Some(format!("[[{ft}; {c}]; {r}] = mat(&pre[{a}..{b}])")),
            Param::MatrixRows(_, _, c) => Some(format!("Vec<[{ft}; {c}]> = rows(&pre[{a}..{b}])")),
            Param::Struct(_, t) => Some(format!(
                "{} = {}.with_flat(&pre[{a}..{b}])",
                t.concrete(),
                base_name(p)
            )),
            Param::Output(..) => {
                call_bufs.push("&mut wout".to_string());
                None
            }
            _ => None,
        };
        if let Some(decl) = buf {
            writeln!(bufs, "        let mut buf{j}: {decl};").unwrap();
            call_bufs.push(format!("&mut buf{j}"));
            writeln!(assemble, "        bar.extend(flat(&buf{j}));").unwrap();
        }
        k += n;
    }
    let unit = p.output().is_some();
    let pat = match (unit, scalars.len()) {
        (true, 0) => "_".to_string(),
        (true, 1) => scalars[0].clone(),
        (true, _) => format!("({})", scalars.join(", ")),
        (false, 0) => "y".to_string(),
        (false, 1) => format!("(y, {})", scalars[0]),
        (false, _) => format!("(y, ({}))", scalars.join(", ")),
    };
    let mut call = vec![args(p, "x", false)];
    let (pre_call, post) = if unit {
        let wout = match p.output() {
            Some((_, m, true, _)) => format!("let mut wout: [{ft}; {m}] = arr(w);"),
            _ => "let mut wout = w.to_vec();".to_string(),
        };
        (
            format!("        {}\n        {wout}\n", out_init(p)),
            "        let (y, rbar) = (flat(&out), flat(&wout));\n",
        )
    } else {
        call.push(match p.out_len {
            None => "w[0]".to_string(),
            Some(m) => format!("&arr::<_, {m}>(w)"),
        });
        (String::new(), "        let rbar = Vec::new();\n")
    };
    if into {
        call.pop(); // no seed
        call.extend(call_bufs);
        let (f_into, f_grad, ax) = (entry(p, "grad_into"), entry(p, "grad"), args(p, "x", false));
        let n: usize = p.params.iter().map(Param::active_len).sum();
        return format!(
            "    let grad = |x: &[{ft}]| -> ({ft}, Vec<{ft}>) {{\n\
             \x20       let pre = vec![{ft}::NAN; {n}];\n\
             {bufs}        let {pat} = {f_into}({});\n        let mut bar = Vec::new();\n\
             {assemble}        let (yg, g) = {f_grad}({ax});\n\
             \x20       let same = flat(&g).iter().zip(&bar).all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));\n\
             \x20       assert!(yg.to_bits() == y.to_bits() && same && flat(&g).len() == bar.len(), \"grad_into != grad\");\n\
             \x20       (y, bar)\n    }};\n",
            call.join(", ")
        );
    }
    call.extend(call_bufs);
    format!(
        "    let vjp = |x: &[{ft}], w: &[{ft}], pre: &[{ft}]| -> (Vec<{ft}>, Vec<{ft}>, Vec<{ft}>) {{\n\
         {pre_call}{bufs}        let {pat} = {}({});\n{post}        let mut bar = Vec::new();\n\
         {assemble}        (flat(&y), bar, rbar)\n    }};\n",
        entry(p, "vjp"),
        call.join(", ")
    )
}

/// The active parameters.
fn active(p: &Program) -> Vec<&Param> {
    p.params.iter().filter(|q| q.active_len() > 0).collect()
}

/// Whether an active parameter is a matrix (no `hessian`, `jacobian`, `objective` yet).
fn matrix_input(p: &Program) -> bool {
    (p.params.iter()).any(|q| matches!(q, Param::Matrix(..) | Param::MatrixRows(..)))
}

/// Whether the macro generates `f::jacobian`: array result or output buffer, no matrix input
/// (any other mix of inputs is flattened).
fn has_jacobian(p: &Program) -> bool {
    (p.out_len.is_some() || p.output().is_some()) && !matrix_input(p) && p.jacobian_ok
}

/// Whether the macro generates `f::hessian`: scalar result, no matrix input.
fn has_hessian(p: &Program) -> bool {
    scalar_result(p) && !matrix_input(p)
}

/// Whether the macro generates `f::derivatives::<K>`: scalar result, one active scalar.
fn has_taylor(p: &Program) -> bool {
    let active = active(p);
    scalar_result(p) && active.len() == 1 && matches!(active[0], Param::Scalar(_))
}

/// `-> f` (`grad`, `hvp`, `objective`).
fn scalar_result(p: &Program) -> bool {
    p.out_len.is_none() && p.output().is_none()
}

/// The twin over flat inputs (the output buffer's initial contents last).
fn twin_closure(p: &Program) -> String {
    let (ft, name) = (p.ft, &p.name);
    let call = format!("{name}_g({})", args(p, "x", true));
    let body = if p.output().is_some() {
        format!("{} {call}; out.to_vec()", buffer_from(p, "out", "S", "x"))
    } else if p.out_len.is_some() {
        format!("{call}.to_vec()")
    } else {
        format!("vec![{call}]")
    };
    format!("    fn twin<S: Scalar<Base = {ft}>>(x: &[S]) -> Vec<S> {{ {body} }}\n")
}

/// The `value` and `jvp` closures.
fn value_jvp(p: &Program) -> String {
    let ft = p.ft;
    let (f_plain, f_jvp) = (entry(p, ""), entry(p, "jvp"));
    let (ax, tt) = (args(p, "x", false), tangents(p, "t"));
    if p.output().is_some() {
        let (init, dout) = (out_init(p), buffer_from(p, "dout", ft, "t"));
        format!(
            "    let value = |x: &[{ft}]| -> Vec<{ft}> {{ {init} {f_plain}({ax}); flat(&out) }};\n\
             \x20   let jvp = |x: &[{ft}], t: &[{ft}]| -> (Vec<{ft}>, Vec<{ft}>) {{\n\
             \x20       {init} {dout}\n        let _ = {f_jvp}({ax}, {tt});\n\
             \x20       (flat(&out), flat(&dout))\n    }};\n"
        )
    } else {
        format!(
            "    let value = |x: &[{ft}]| -> Vec<{ft}> {{ flat(&{f_plain}({ax})) }};\n\
             \x20   let jvp = |x: &[{ft}], t: &[{ft}]| -> (Vec<{ft}>, Vec<{ft}>) {{\n\
             \x20       let (y, d) = {f_jvp}({ax}, {tt});\n        (flat(&y), flat(&d))\n    }};\n"
        )
    }
}

/// The closures of the derivatives only some shapes have (`None` where absent).
fn optional(p: &Program, s: &mut String) -> [bool; 6] {
    let ft = p.ft;
    let [f_grad, f_hvp, f_objective, f_hessian, f_derivatives, f_jacobian] = [
        "grad",
        "hvp",
        "objective",
        "hessian",
        "derivatives",
        "jacobian",
    ]
    .map(|i| entry(p, i));
    let (ax, tt) = (args(p, "x", false), tangents(p, "t"));
    let scalar = scalar_result(p);
    let hvp = scalar && !(p.params.iter()).any(|q| matches!(q, Param::MatrixRows(..)));
    let objective = scalar && !matrix_input(p);
    let (hess, taylor, jac) = (has_hessian(p), has_taylor(p), has_jacobian(p));
    let into = has_grad_into(p);
    if into {
        s.push_str(&adjoint_closure(p, true));
    }
    let mut add = |on: bool, text: String| {
        if on {
            s.push_str(&text);
        }
    };
    add(
        scalar && !into,
        format!(
            "    let grad = |x: &[{ft}]| -> ({ft}, Vec<{ft}>) {{\n\
             \x20       let (y, g) = {f_grad}({ax});\n        (y, flat(&g))\n    }};\n"
        ),
    );
    add(
        hvp,
        format!(
            "    let hvp = |x: &[{ft}], t: &[{ft}]| -> ({ft}, Vec<{ft}>, Vec<{ft}>) {{\n\
             \x20       let (y, g, h) = {f_hvp}({ax}, {tt});\n        (y, flat(&g), flat(&h))\n    }};\n"
        ),
    );
    let oa = objective_args(p);
    add(
        objective,
        format!("    let objective = |x: &[{ft}], t: &[{ft}]| rp::objective_out(&{f_objective}({oa}), x, t);\n"),
    );
    add(
        hess,
        format!(
            "    let hessian = |x: &[{ft}]| -> ({ft}, Vec<{ft}>, Vec<{ft}>) {{\n\
             \x20       let (y, g, h) = {f_hessian}({ax});\n        (y, flat(&g), flat(&h))\n    }};\n"
        ),
    );
    add(
        taylor,
        format!("    let taylor = |x: &[{ft}]| -> Vec<{ft}> {{ {f_derivatives}::<4>({ax}).to_vec() }};\n"),
    );
    let jac_body = if p.output().is_some() {
        format!(
            "{} let j = {f_jacobian}({ax}); (flat(&out), flat(&j))",
            out_init(p)
        )
    } else {
        format!("let (y, j) = {f_jacobian}({ax}); (flat(&y), flat(&j))")
    };
    add(
        jac,
        format!("    let jacobian = |x: &[{ft}]| -> (Vec<{ft}>, Vec<{ft}>) {{ {jac_body} }};\n"),
    );
    [scalar, hvp, objective, hess, taylor, jac]
}

/// The whole item group of one program.
pub fn program(p: &Program) -> String {
    let (ft, i) = (p.ft, p.index);
    let src = source(p);
    let mut s = format!("// ---- program {i} ----\nconst SRC_{i}: &str = r#\"{src}\"#;\n{src}");
    s.push_str(&twin_fn(p));
    writeln!(s, "fn run_{i}(ck: &mut Checker) {{").unwrap();
    let list = |v: &[f64]| {
        v.iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for q in &p.params {
        if let Param::PassiveSlice(n, d) | Param::PassiveMatrix(n, _, d) = q {
            let (dn, len) = (data_name(p, n), d.len());
            writeln!(s, "    const {dn}: [{ft}; {len}] = [{}];", list(d)).unwrap();
        }
    }
    if let Some((_, t)) = crate::structs::param(&p.params) {
        // (A struct with a `Vec` field is no constant.)
        let kw = if t.has_vec() { "let" } else { "const" };
        writeln!(
            s,
            "    {kw} {}: {} = {};",
            base_name(p),
            t.concrete(),
            t.zero()
        )
        .unwrap();
    }
    let r0 = p.r0();
    if p.output().is_some() {
        let (rn, m) = (r0_name(p), r0.len());
        writeln!(s, "    const {rn}: [{ft}; {m}] = [{}];", list(r0)).unwrap();
    }
    s.push_str(&value_jvp(p));
    s.push_str(&vjp(p));
    let [grad, hvp, objective, hess, taylor, jac] = optional(p, &mut s);
    s.push_str(&twin_closure(p));
    let buffered: Vec<String> = (p.params.iter())
        .flat_map(|q| {
            let b = !matches!(q, Param::Scalar(_));
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
         \x20           r0: &[{}],\n            vr0: &[{}],\n\
         \x20           buffered: &[{}],\n            value: &value,\n            jvp: &jvp,\n\
         \x20           vjp: &vjp,\n            grad: {},\n            hvp: {},\n\
         \x20           jacobian: {},\n            hessian: {},\n            taylor: {},\n\
         \x20           objective: {},\n\
         \x20           dual1: &twin::<D1<{ft}>>,\n\
         \x20           dual2: &twin::<D2<{ft}>>,\n        }},\n        {},\n    );\n}}\n",
        list(&p.x),
        list(&p.v),
        list(&p.seed),
        list(r0),
        list(&p.vr0),
        buffered.join(", "),
        opt(grad, "grad"),
        opt(hvp, "hvp"),
        opt(jac, "jacobian"),
        opt(hess, "hessian"),
        if taylor {
            format!("Some((&taylor, &twin::<D3<{ft}>>))")
        } else {
            "None".into()
        },
        opt(objective, "objective"),
        if ft == "f32" { "2e-3" } else { "1e-10" },
    )
    .unwrap();
    s
}
