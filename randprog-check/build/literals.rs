//! Structs built with a struct literal at the top of a program over a struct:
//! `let lq = T { s: <expr>, b: [m0.b[1], m0.b[0]], w: [m0.w[1]; 2], inner: m0.inner, ..*m0 };`,
//! whose fields the body then reads like the parameter's (`lq.w[i][j]`, `lq.b.iter()..`).
//!
//! Every value has its field's type, in one of the written shapes `#[differentiable]` takes
//! (scalars drawn by the ordinary generator, array and matrix literals of drawn elements, rows and
//! elements of the parameter's fields as items and repeats, whole fields, `..base` for the rest).
//! The twin binds each field to a local `lq__f` with the same value (its aliases of the
//! parameter's fields, see `structs::twin_body`), so a value written to the wrong place shows
//! as wrong numbers.

use crate::construct::Construct;
use crate::gen::{Code, Gen};
use crate::structs::{register, Form, Kind, StructTy};

/// The local's name.
pub const NAME: &str = "lq";

/// A struct literal drawn for a program.
#[derive(Clone, Debug)]
pub struct Literal {
    /// The `let` in both dialects (the twin's as one `let lq__f` per field, reading the
    /// parameter's field paths, aliased later with the rest of the body).
    pub stmt: Code,
    /// The local's field paths (`lq.w`, `lq.inner.v`), for the twin's aliases.
    pub paths: Vec<String>,
    /// The helper that builds it, if any (the twin needs none: its `let`s compute the fields).
    pub items: Code,
}

/// Draws the literal of `ty` from the fields of the parameter at `prefix` and puts its fields
/// in scope, or `None`.
pub fn draw(gen: &mut Gen, prefix: &str, ty: &StructTy, form: Form) -> Option<Literal> {
    // (A struct with a `Vec` field is not built inside: the attribute's message.)
    if !gen.sw.is_on(Construct::StructLiteral) || ty.has_vec() || ty.generic.is_some() {
        return None;
    }
    // On a generator of its own: the programs without a literal stay the ones drawn before
    // this construct existed.
    let fork = gen.rng.fork(0x11be_5a1e);
    let main = std::mem::replace(&mut *gen.rng, fork);
    let l = draw_on(gen, prefix, ty, form);
    *gen.rng = main;
    l
}

fn draw_on(gen: &mut Gen, prefix: &str, ty: &StructTy, form: Form) -> Option<Literal> {
    if !gen.rng.chance(0.35) {
        return None;
    }
    gen.used(Construct::StructLiteral);
    // Built by a helper returning the struct (`let lq = p3_mk(m0);`, its type found through the
    // helper), with values from the struct alone. (Its signature names no float: `f64` only.)
    let helper = gen.sw.is_on(Construct::StructReturned) && gen.ft == "f64" && gen.rng.chance(0.4);
    if helper {
        gen.used(Construct::StructReturned);
    }
    let passive = ty
        .fields
        .iter()
        .any(|(_, k)| matches!(k, Kind::PassiveInt(_) | Kind::PassiveStr));
    // `..base` (needed for passive fields, which a literal inside cannot set).
    // (`*m` only where every field is `Copy`: a nested struct is `Clone`.)
    let nested = ty.nested().is_some();
    let rest = (passive || gen.rng.chance(0.3)).then(|| match form {
        Form::Method { by_value: true, .. } => format!("{prefix}.clone()"),
        _ if nested => format!("{prefix}.clone()"),
        _ => format!("*{prefix}"),
    });
    let (mut fields, mut twin, mut paths) = (Vec::new(), String::new(), Vec::new());
    for (n, k) in &ty.fields {
        let from = format!("{prefix}.{n}");
        let to = format!("{NAME}.{n}");
        let alias = to.replace('.', "__");
        let skip = rest.is_some() && gen.rng.chance(0.3);
        if matches!(k, Kind::PassiveInt(_) | Kind::PassiveStr) {
            continue;
        }
        let value = if skip {
            Code::same(from.clone())
        } else {
            let v = value(gen, &from, k, !helper);
            // (Tuple structs too: `T { 0: a, 1: b }`.)
            fields.push(format!("{n}: {}", v.f));
            v
        };
        let ft = "S";
        let tty = match k {
            Kind::Scalar => ft.to_string(),
            Kind::Array(len) => format!("[{ft}; {len}]"),
            Kind::Matrix(r, c) => format!("[[{ft}; {c}]; {r}]"),
            Kind::Nested(t) => format!("[{ft}; {}]", t.dim()),
            _ => unreachable!("passive fields skipped"),
        };
        twin.push_str(&format!("    let {alias}: {tty} = {};\n", value.g));
        paths.push(to.clone());
        // A nested struct is copied whole: its fields' aliases are the parameter's.
        if let Kind::Nested(t) = k {
            nested_aliases(&from, &to, t, &mut twin, &mut paths);
        }
    }
    let rest = rest.map(|r| format!("..{r}")).into_iter();
    let body: Vec<String> = fields.into_iter().chain(rest).collect();
    let literal = format!("{} {{ {} }}", ty.name, body.join(", "));
    let (stmt, items) = if helper {
        let h = format!("{}_mk", ty.name.to_lowercase());
        let text = crate::structs::replace_path(&literal, prefix, "qs");
        let item = format!(
            "#[autodiff::differentiable(wrt(qs))]\nfn {h}(qs: &{0}) -> {0} {{\n    {text}\n}}\n",
            ty.name
        );
        let arg = match form {
            Form::Method { by_value: true, .. } => format!("&{prefix}"),
            _ => prefix.to_string(),
        };
        // Bound with its type, or without and then read as a struct (how the attribute knows
        // it is one; an unread untyped result is not supported, see the closing notes).
        let stmt = match first_read(NAME, ty) {
            Some(read) if gen.rng.chance(0.5) => Code::same(format!(
                "    let {NAME} = {h}({arg});\n    let {NAME}_r = {read};\n"
            ))
            .twin(format!("    let {NAME}_r = {read};\n")),
            _ => Code::same(format!("    let {NAME}: {} = {h}({arg});\n", ty.name))
                .twin(String::new()),
        };
        (stmt, Code::same(item).twin(String::new()))
    } else {
        (
            Code::same(format!("    let {NAME} = {literal};\n")).twin(String::new()),
            Code::same(""),
        )
    };
    register(gen, NAME, ty, false);
    // The twin's `let`s first, then the statement's own twin (a read of the local).
    let stmt = Code::same(stmt.f).twin(format!("{twin}{}", stmt.g));
    Some(Literal { stmt, paths, items })
}

/// A read of one float of the struct at `at` (`lq.s`, `lq.b[0]`, `lq.w[0][0]`, `lq.inner.s`).
fn first_read(at: &str, ty: &StructTy) -> Option<String> {
    ty.fields.iter().find_map(|(n, k)| match k {
        Kind::Scalar => Some(format!("{at}.{n}")),
        Kind::Array(_) | Kind::Vector(_) | Kind::Generic(_) => Some(format!("{at}.{n}[0]")),
        Kind::Matrix(..) => Some(format!("{at}.{n}[0][0]")),
        Kind::Nested(t) => first_read(&format!("{at}.{n}"), t),
        Kind::PassiveInt(_) | Kind::PassiveStr => None,
    })
}

/// `let lq__inner__v = m0.inner.v;` for each field of a nested struct copied whole.
fn nested_aliases(from: &str, to: &str, ty: &StructTy, twin: &mut String, paths: &mut Vec<String>) {
    for (n, k) in &ty.fields {
        let (f, t) = (format!("{from}.{n}"), format!("{to}.{n}"));
        if matches!(k, Kind::PassiveInt(_) | Kind::PassiveStr) {
            continue;
        }
        twin.push_str(&format!("    let {} = {f};\n", t.replace('.', "__")));
        paths.push(t.clone());
        if let Kind::Nested(inner) = k {
            nested_aliases(&f, &t, inner, twin, paths);
        }
    }
}

/// A value of kind `k` in one of the written shapes, from the parameter's field `from` and
/// drawn expressions.
fn value(gen: &mut Gen, from: &str, k: &Kind, drawn_ok: bool) -> Code {
    let pick = gen.rng.range(0, if drawn_ok { 4 } else { 3 });
    match k {
        Kind::Scalar => match pick {
            0 => Code::same(from.to_string()),
            1 => Code::same(format!("-{from}")),
            2 => Code::same(format!("{from} * {from}")),
            _ => drawn(gen),
        },
        Kind::Array(n) => match pick {
            0 => Code::same(from.to_string()),
            // Elements of the field, reversed: items that are parts of the struct.
            1 => Code::same(format!(
                "[{}]",
                (0..*n)
                    .rev()
                    .map(|i| format!("{from}[{i}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            2 => Code::same(format!("[{from}[{}]; {n}]", gen.rng.range(0, *n))),
            _ => {
                let items: Vec<Code> = (0..*n).map(|_| drawn(gen)).collect();
                list(&items)
            }
        },
        Kind::Matrix(r, c) => match pick {
            0 => Code::same(from.to_string()),
            // Rows of the field, reversed.
            1 => Code::same(format!(
                "[{}]",
                (0..*r)
                    .rev()
                    .map(|i| format!("{from}[{i}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            2 => Code::same(format!("[{from}[{}]; {r}]", gen.rng.range(0, *r))),
            _ => {
                let rows: Vec<Code> = (0..*r)
                    .map(|_| {
                        let items: Vec<Code> = (0..*c).map(|_| drawn(gen)).collect();
                        list(&items)
                    })
                    .collect();
                list(&rows)
            }
        },
        Kind::Nested(_) => Code::same(format!("{from}.clone()")),
        Kind::Vector(_) | Kind::Generic(_) => {
            unreachable!("no literal of a struct with a `Vec` field or generic")
        }
        Kind::PassiveInt(_) | Kind::PassiveStr => unreachable!("passive fields skipped"),
    }
}

/// A drawn float expression (over the parameters and the struct's fields).
fn drawn(gen: &mut Gen) -> Code {
    let e = gen.expr(2);
    let ft = gen.ft;
    // A bare literal is `{float}` where the field's type is not yet known in an array literal:
    // typed like the generator types it elsewhere.
    if e.f.parse::<f64>().is_ok() {
        return Code::same(format!("{}_{ft}", e.f)).twin(e.g);
    }
    // A call as the value is rejected (`#[differentiable]` cannot see what it returns); one
    // times it is the same value.
    if e.f.ends_with(')') {
        return Code::same(format!("1.0_{ft} * ({})", e.f))
            .twin(format!("c::<S>(1.0) * ({})", e.g));
    }
    e
}

/// `[a, b, ..]` in both dialects.
fn list(items: &[Code]) -> Code {
    let f: Vec<&str> = items.iter().map(|c| c.f.as_str()).collect();
    let g: Vec<&str> = items.iter().map(|c| c.g.as_str()).collect();
    Code::same(format!("[{}]", f.join(", "))).twin(format!("[{}]", g.join(", ")))
}
