//! Parameter structs (`#[derive(Differentiable)]`): a random struct type (scalar, array and
//! matrix fields, sometimes a nested struct with its own method, a `#[passive]` field, a tuple
//! struct), read by a free function naming it in `wrt(..)` or by a method of a
//! `#[differentiable] impl` block (with helper methods, an associated function, a helper taking
//! the nested struct).
//!
//! The body is drawn by the ordinary generator with the struct's fields in scope under their
//! paths (`m.w` is a matrix, `m.inner.v` an array, `m.n` a passive integer), so every
//! expression and statement form reads fields too. The twin takes the struct's flattened active
//! fields as `&[S]`: its prelude unpacks them at the offsets the generator computes from the
//! documented order (declaration order, nested structs in place, matrices row by row) into
//! locals `m__w`, `m__inner__v`, and the body reads those (see [`twin_body`]). The checker
//! builds points and directions with `with_flat` and flattens struct gradients with
//! `flatten_into`, so a wrong layout shows as wrong numbers. Some bodies first build a struct
//! of the same type with a literal (`crate::literals`) and read its fields too.

use crate::construct::Construct;
use crate::gen::{AVar, Callee, Code, FVar, Gen, IVar, MVar, SCall};
use crate::program::Param;

/// The kind of one field.
#[derive(Clone, Debug)]
pub enum Kind {
    /// `f`.
    Scalar,
    /// `[f; n]`.
    Array(usize),
    /// `[[f; cols]; rows]` (`rows` then `cols`).
    Matrix(usize, usize),
    /// `Vec<f>` of this length (outer structs only: flattened after the fixed-size fields).
    Vector(usize),
    /// `[f; G]` of a const-generic struct, `G` being this length.
    Generic(usize),
    /// Another derived struct, flattened in place.
    Nested(Box<StructTy>),
    /// `#[passive] usize` with its value.
    PassiveInt(usize),
    /// `#[passive] &'static str` (never read).
    PassiveStr,
}

/// A struct type: its fields, and (for a nested one) a method drawn for it.
#[derive(Clone, Debug)]
pub struct StructTy {
    pub name: String,
    pub tuple: bool,
    pub fields: Vec<(String, Kind)>,
    /// `Some(n)` for `struct P<const G: usize>` (used with `G = n`).
    pub generic: Option<usize>,
    /// Items that go with the type (the `impl` block of its method), both dialects: the
    /// twin's are generic functions over the flat fields.
    pub items: Code,
}

impl StructTy {
    /// The number of active scalars (`T::DIM`).
    pub fn dim(&self) -> usize {
        (self.fields.iter())
            .map(|(_, k)| match k {
                Kind::Scalar => 1,
                Kind::Array(n) | Kind::Vector(n) | Kind::Generic(n) => *n,
                Kind::Matrix(r, c) => r * c,
                Kind::Nested(t) => t.dim(),
                _ => 0,
            })
            .sum()
    }

    /// Whether a `Vec` field is among the fields (the struct is then sized at run time: not
    /// built by a literal, and its base point is a `let`, not a `const`).
    pub fn has_vec(&self) -> bool {
        (self.fields.iter()).any(|(_, k)| matches!(k, Kind::Vector(_)))
    }

    /// The type as concrete code names it: `P3<2>` for a const-generic one.
    pub fn concrete(&self) -> String {
        match self.generic {
            Some(n) => format!("{}<{n}>", self.name),
            None => self.name.clone(),
        }
    }

    /// The `impl` block's header: `impl<const G: usize> P3<G>`, or `impl P3`.
    pub fn impl_header(&self) -> String {
        match self.generic {
            Some(_) => format!("impl<const G: usize> {}<G>", self.name),
            None => format!("impl {}", self.name),
        }
    }

    /// Whether a nested struct is among the fields.
    pub fn nested(&self) -> Option<(&str, &StructTy)> {
        self.fields.iter().find_map(|(n, k)| match k {
            Kind::Nested(t) => Some((n.as_str(), &**t)),
            _ => None,
        })
    }

    /// The declarations (nested types first), the `Flat` adapter of the checker, and the
    /// items of nested types.
    pub fn decl(&self, ft: &str) -> String {
        let mut out = String::new();
        if let Some((_, t)) = self.nested() {
            out.push_str(&t.decl(ft));
        }
        let fields: Vec<String> = (self.fields.iter())
            .map(|(n, k)| {
                let ty = match k {
                    Kind::Scalar => ft.to_string(),
                    Kind::Array(n) => format!("[{ft}; {n}]"),
                    Kind::Matrix(r, c) => format!("[[{ft}; {c}]; {r}]"),
                    Kind::Vector(_) => format!("Vec<{ft}>"),
                    Kind::Generic(_) => format!("[{ft}; G]"),
                    Kind::Nested(t) => t.name.clone(),
                    Kind::PassiveInt(_) => "usize".into(),
                    Kind::PassiveStr => "&'static str".into(),
                };
                let attr = match k {
                    Kind::PassiveInt(_) | Kind::PassiveStr => "#[passive] ",
                    _ => "",
                };
                if self.tuple {
                    format!("{attr}{ty}")
                } else {
                    format!("{attr}{n}: {ty}")
                }
            })
            .collect();
        let body = if self.tuple {
            format!("({});", fields.join(", "))
        } else {
            format!(" {{ {} }}", fields.join(", "))
        };
        let name = &self.name;
        let params = if self.generic.is_some() {
            "<const G: usize>"
        } else {
            ""
        };
        out.push_str(&format!(
            "#[derive(Clone, Debug, autodiff::Differentiable)]\nstruct {name}{params}{body}\n"
        ));
        out.push_str(&self.items.f);
        out
    }

    /// The checker's `Flat` adapter: the active fields by `flatten_into`.
    pub fn flat_impl(&self, ft: &str) -> String {
        let mut out = String::new();
        if let Some((_, t)) = self.nested() {
            out.push_str(&t.flat_impl(ft));
        }
        let name = self.concrete();
        out.push_str(&format!(
            "impl rp::Flat<{ft}> for {name} {{\n    fn flat_into(&self, out: &mut Vec<{ft}>) {{\n\
             \x20       let mut v = vec![0.0; autodiff::Differentiable::dim(self)];\n\
             \x20       autodiff::Differentiable::flatten_into(self, &mut v);\n\
             \x20       out.extend(v);\n    }}\n}}\n"
        ));
        out
    }

    /// The twin items of the type and its nested types.
    pub fn twin_items(&self) -> String {
        let mut out = String::new();
        if let Some((_, t)) = self.nested() {
            out.push_str(&t.twin_items());
        }
        out.push_str(&self.items.g);
        out
    }

    /// A value with every active field zero and the passive fields set (a `const`).
    pub fn zero(&self) -> String {
        let vals: Vec<String> = (self.fields.iter())
            .map(|(n, k)| {
                let v = match k {
                    Kind::Scalar => "0.0".to_string(),
                    Kind::Array(n) => format!("[0.0; {n}]"),
                    Kind::Matrix(r, c) => format!("[[0.0; {c}]; {r}]"),
                    Kind::Vector(n) => format!("vec![0.0; {n}]"),
                    Kind::Generic(n) => format!("[0.0; {n}]"),
                    Kind::Nested(t) => t.zero(),
                    Kind::PassiveInt(v) => format!("{v}"),
                    Kind::PassiveStr => "\"tag\"".into(),
                };
                if self.tuple {
                    v
                } else {
                    format!("{n}: {v}")
                }
            })
            .collect();
        if self.tuple {
            format!("{}({})", self.name, vals.join(", "))
        } else {
            format!("{} {{ {} }}", self.name, vals.join(", "))
        }
    }
}

/// How the struct is taken.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Form {
    /// `fn p(m: &T, ..)` with `m` in `wrt(..)`.
    Free,
    /// `fn p(&self, ..)` (or `self` by value) in `#[differentiable] impl T`; `wrt` says
    /// whether the method has its own `#[differentiable(wrt(self, ..))]` (other active
    /// parameters) or none (`self` the only active one).
    Method { by_value: bool, wrt: bool },
}

/// What a program over a struct adds to [`crate::program::Program`].
#[derive(Clone, Debug)]
pub struct StructProg {
    pub ty: StructTy,
    pub form: Form,
    /// Helper items in both dialects: helper methods (inside the main `impl` block for
    /// [`Form::Method`], in an `impl` block of their own for [`Form::Free`]) and free helpers.
    pub methods: Code,
    pub free_items: Code,
    /// A struct built with a literal at the top of the body.
    pub literal: Option<crate::literals::Literal>,
}

/// Draws a struct type named `name` (`depth` 0 may nest one more).
/// (`generic_ok`: the struct may be const-generic, see `StructConstGeneric`.)
fn draw_ty(gen: &mut Gen, name: &str, depth: u32, generic_ok: bool) -> StructTy {
    use Construct::*;
    let tuple = gen.sw.is_on(StructTuple) && gen.rng.chance(0.15);
    if tuple {
        gen.used(StructTuple);
    }
    let mut fields = Vec::new();
    let n = gen.rng.range(1, 4);
    let kinds: &[(Construct, u32)] = &[
        (StructScalarField, 4),
        (StructArrayField, 4),
        (StructMatrixField, 2),
    ];
    for _ in 0..n {
        let c = gen.choose(kinds, |_, _| true);
        let kind = match c {
            Some(StructArrayField) => Kind::Array(gen.rng.range(2, 5)),
            Some(StructMatrixField) => Kind::Matrix(gen.rng.range(2, 4), gen.rng.range(2, 4)),
            _ => Kind::Scalar,
        };
        fields.push(kind);
    }
    if depth == 0 && gen.sw.is_on(StructNested) && gen.rng.chance(0.3) {
        gen.used(StructNested);
        let inner = draw_ty(gen, &format!("{name}In"), 1, false);
        let at = gen.rng.range(0, fields.len() + 1);
        fields.insert(at, Kind::Nested(Box::new(inner)));
    }
    // A `Vec` field, drawn on a generator of its own (the programs without one stay the ones
    // drawn before this construct existed).
    if depth == 0 && gen.sw.is_on(StructVecField) {
        let mut fork = gen.rng.fork(0x7ec_f1e1d);
        if fork.chance(0.3) {
            gen.used(StructVecField);
            let (len, at) = (fork.range(1, 5), fork.range(0, fields.len() + 1));
            fields.insert(at, Kind::Vector(len));
        }
    }
    if gen.sw.is_on(StructPassiveField) && gen.rng.chance(0.3) {
        gen.used(StructPassiveField);
        let k = if gen.rng.chance(0.6) {
            Kind::PassiveInt(gen.rng.range(0, 3))
        } else {
            Kind::PassiveStr
        };
        let at = gen.rng.range(0, fields.len() + 1);
        fields.insert(at, k);
    }
    // A const-generic struct: its first array field's length becomes the parameter `G` (the
    // fields, and so the programs drawn, stay the same; decided on a generator of its own).
    let mut generic = None;
    if depth == 0 && generic_ok && gen.sw.is_on(StructConstGeneric) {
        let mut fork = gen.rng.fork(0xc0_9e9e);
        // (Not with a nested struct: passing its part on from a generic function is not
        // supported yet, see the README.)
        let nested = fields.iter().any(|k| matches!(k, Kind::Nested(_)));
        let first = (fields.iter().position(|k| matches!(k, Kind::Array(_)))).filter(|_| !nested);
        if let (true, Some(at)) = (fork.chance(0.8), first) {
            gen.used(StructConstGeneric);
            let Kind::Array(len) = fields[at] else {
                unreachable!()
            };
            fields[at] = Kind::Generic(len);
            generic = Some(len);
        }
    }
    const NAMES: &[&str] = &["s", "b", "w", "c", "k", "u", "z", "h", "g", "r"];
    let fields = (fields.into_iter().enumerate())
        .map(|(i, k)| {
            let n = if tuple {
                i.to_string()
            } else {
                match k {
                    Kind::Nested(_) => "inner".to_string(),
                    Kind::PassiveInt(_) => "n".to_string(),
                    Kind::PassiveStr => "tag".to_string(),
                    _ => NAMES[i].to_string(),
                }
            };
            (n, k)
        })
        .collect();
    StructTy {
        name: name.to_string(),
        tuple,
        fields,
        generic,
        items: Code::same(""),
    }
}

/// Puts the fields of `ty` at `prefix` (`m`, `self`, `m.inner`) in scope; its passive integer
/// fields too when `passive` (a struct parameter: of the function the checker calls, or of a
/// helper it is passed to; a local's or a nested struct's read through its parent are not).
pub fn register(gen: &mut Gen, prefix: &str, ty: &StructTy, passive: bool) {
    for (n, k) in &ty.fields {
        let name = format!("{prefix}.{n}");
        match k {
            Kind::Scalar => gen.scope.floats.push(FVar {
                name,
                mutable: false,
                active: true,
                typed: true,
            }),
            Kind::Array(len) | Kind::Vector(len) | Kind::Generic(len) => {
                gen.scope.arrays.push(AVar {
                    name,
                    len: *len,
                    mutable: false,
                    active: true,
                    typed: true,
                    nested_local: false,
                    plain: false,
                    vec: matches!(k, Kind::Vector(_)),
                    out: false,
                    param: false,
                })
            }
            Kind::Matrix(rows, cols) => gen.scope.mats.push(MVar {
                name,
                rows: *rows,
                cols: *cols,
                mutable: false,
                active: true,
                plain: false,
                typed: true,
            }),
            Kind::Nested(t) => register(gen, &name, t, false),
            Kind::PassiveInt(v) if passive && gen.sw.is_on(Construct::PassiveFieldRead) => {
                gen.used(Construct::PassiveFieldRead);
                gen.scope.ints.push(IVar { name, hi: v + 1 })
            }
            Kind::PassiveInt(_) => {}
            Kind::PassiveStr => {}
        }
    }
}

/// The twin's alias of a field path: `m.inner.v` -> `m__inner__v`.
fn alias(path: &str) -> String {
    path.replace('.', "__")
}

/// The twin's prelude unpacking `flat` (the `&[S]` of `ty`'s active fields) at `prefix`, and
/// the field paths (longest first) it binds.
fn unpack(
    prefix: &str,
    flat: &str,
    ty: &StructTy,
    at: &mut usize,
    out: &mut (String, Vec<String>),
) {
    for (n, k) in &ty.fields {
        let path = format!("{prefix}.{n}");
        let a = alias(&path);
        let k0 = *at;
        let line = match k {
            Kind::Scalar => {
                *at += 1;
                format!("let {a}: S = {flat}[{k0}];")
            }
            Kind::Array(len) | Kind::Generic(len) => {
                *at += len;
                format!("let {a}: [S; {len}] = arr(&{flat}[{k0}..{}]);", *at)
            }
            Kind::Matrix(r, c) => {
                *at += r * c;
                format!("let {a}: [[S; {c}]; {r}] = mat(&{flat}[{k0}..{}]);", *at)
            }
            Kind::Nested(t) => {
                let d = t.dim();
                let line = format!("let {a}: [S; {d}] = arr(&{flat}[{k0}..{}]);", k0 + d);
                out.0.push_str(&format!("    {line}\n"));
                out.1.push(path.clone());
                unpack(&path, flat, t, at, out);
                continue;
            }
            Kind::PassiveInt(v) => format!("let {a}: usize = {v};"),
            Kind::PassiveStr | Kind::Vector(_) => continue,
        };
        out.0.push_str(&format!("    {line}\n"));
        out.1.push(path);
    }
    // The `Vec` fields, after all the others (the documented order).
    for (n, k) in &ty.fields {
        if let Kind::Vector(len) = k {
            let path = format!("{prefix}.{n}");
            let (a, k0) = (alias(&path), *at);
            *at += len;
            out.0.push_str(&format!(
                "    let {a}: [S; {len}] = arr(&{flat}[{k0}..{}]);\n",
                *at
            ));
            out.1.push(path);
        }
    }
}

/// The twin's body: `g` (a body `{ .. }` reading fields of `ty` at `prefix`) with a prelude
/// unpacking the flat parameter `flat`, and every field path replaced by its alias.
pub fn twin_body(g: &str, prefix: &str, flat: &str, ty: &StructTy) -> String {
    let mut out = (String::new(), Vec::new());
    unpack(prefix, flat, ty, &mut 0, &mut out);
    let (prelude, mut paths) = out;
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut body = g.to_string();
    for p in &paths {
        body = replace_path(&body, p, &alias(p));
    }
    let rest = body.strip_prefix("{\n").expect("a body starts with `{`");
    format!("{{\n{prelude}{rest}")
}

/// `text` with each occurrence of the path `p` (not part of a longer name or path) replaced.
pub fn replace_path(text: &str, p: &str, by: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    // `x.m0.s` is a longer path, `0..m0.s` a range.
    let before = |s: &str| {
        let mut it = s.chars().rev();
        let c = it.next();
        word(c) || (c == Some('.') && it.next() != Some('.'))
    };
    let mut out = String::new();
    let mut last = 0;
    for (at, _) in text.match_indices(p) {
        if at < last || before(&text[..at]) || word(text[at + p.len()..].chars().next()) {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(by);
        last = at + p.len();
    }
    out.push_str(&text[last..]);
    out
}

/// A helper's body over the fields of `ty` at `prefix` (if any) and an active scalar `t`,
/// drawn by a generator of its own; the twin's body unpacks `flat`. It reads the struct's
/// passive integers too when `PassiveReadInHelper` is on.
fn helper_body(gen: &mut Gen, callees: &[Callee], ty: Option<(&str, &str, &StructTy)>) -> Code {
    let ft = gen.ft;
    let reads = ty.is_some_and(|(_, _, t)| {
        (t.fields.iter()).any(|(_, k)| matches!(k, Kind::PassiveInt(_)))
            && gen.sw.is_on(Construct::PassiveReadInHelper)
            && gen.sw.is_on(Construct::PassiveFieldRead)
    });
    if reads {
        gen.used(Construct::PassiveReadInHelper);
    }
    let mut sub = Gen::new(&mut *gen.rng, &mut *gen.sw, ft, callees);
    sub.scope.floats.push(FVar {
        name: "t".into(),
        mutable: false,
        active: true,
        typed: true,
    });
    if let Some((prefix, _, ty)) = ty {
        register(&mut sub, prefix, ty, reads);
    }
    sub.has_arrays = ty.is_some();
    let n = sub.rng.range(0, 3);
    let mut body = Code::same("{\n");
    body.push(&sub.stmts(n, 1));
    let mut e = sub.expr(2);
    if !e.active {
        e = crate::gen::both!("({} + {})", e, sub.active_leaf());
    }
    // The passive integer read at least once (the body may read it more).
    if let (true, Some((prefix, _, ty))) = (reads, ty) {
        let n = (ty.fields.iter())
            .find(|(_, k)| matches!(k, Kind::PassiveInt(_)))
            .map(|(n, _)| format!("{prefix}.{n}"))
            .expect("checked");
        e = Code::same(format!("({} * (({n} as {ft}) + 0.5))", e.f))
            .twin(format!("({} * c::<S>(({n} as f64) + 0.5))", e.g))
            .with(e.active, true);
    }
    body.push(&crate::gen::both!("    {}\n}}", e));
    if let Some((prefix, flat, ty)) = ty {
        body.g = twin_body(&body.g, prefix, flat, ty);
    }
    body
}

/// The twin function `name<S>(params) -> S body`.
fn twin_fn(name: &str, ft: &str, params: &str, body: &str) -> String {
    format!("fn {name}<S: Scalar<Base = {ft}>>({params}) -> S {body}\n")
}

/// Draws the struct of program `pname` and its helpers; registers them in `gen`'s scope
/// (fields at `prefix`, helper calls as [`SCall`]s).
///
/// `mixed`: the function has other active parameters besides the struct (see
/// `StructArgMixedActive`).
pub fn draw(
    gen: &mut Gen,
    pname: &str,
    form: Form,
    prefix: &str,
    callees: &[Callee],
    mixed: bool,
) -> StructProg {
    use Construct::*;
    let pass_ok = !mixed || gen.sw.is_on(StructArgMixedActive);
    let ft = gen.ft;
    let tname = pname.to_uppercase();
    let mut ty = draw_ty(gen, &tname, 0, matches!(form, Form::Method { .. }));
    register(gen, prefix, &ty, true);
    let mut methods = Code::same("");
    let mut free_items = Code::same("");
    // A method of the nested struct, called as `m.inner.q(e)`, and a free helper taking it
    // whole, `h(&m.inner, e)`.
    let nested = ty.nested().map(|(n, t)| (n.to_string(), t.clone()));
    if let Some((field, inner)) = nested {
        let path = format!("{prefix}.{field}");
        // Not from a free function unless `FreeFnMethodCall` is on.
        let from_ok = form != Form::Free || gen.sw.is_on(FreeFnMethodCall);
        if from_ok && pass_ok && gen.sw.is_on(NestedMethodCall) && gen.rng.chance(0.5) {
            if form == Form::Free {
                gen.used(FreeFnMethodCall);
            }
            if mixed {
                gen.used(StructArgMixedActive);
            }
            let body = helper_body(gen, callees, Some(("self", "this", &inner)));
            let (iname, twin) = (&inner.name, format!("{}_q_g", inner.name.to_lowercase()));
            let items = Code::same(format!(
                "#[autodiff::differentiable]\nimpl {iname} {{\n    fn q(&self, t: {ft}) -> {ft} {}\n}}\n",
                body.f
            ))
            .twin(twin_fn(&twin, ft, "this: &[S], t: S", &body.g));
            gen.scope.calls.push(SCall {
                f: format!("{path}.q("),
                g: format!("{twin}(&{path}, "),
                construct: NestedMethodCall,
            });
            if let Some((_, Kind::Nested(t))) = ty.fields.iter_mut().find(|(n, _)| *n == field) {
                t.items = items;
            }
        }
        if pass_ok && gen.sw.is_on(NestedStructArg) && gen.rng.chance(0.5) {
            if mixed {
                gen.used(StructArgMixedActive);
            }
            let body = helper_body(gen, callees, Some(("qs", "qs", &inner)));
            let h = format!("{pname}_h");
            free_items.push(
                &Code::same(format!(
                    "#[autodiff::differentiable(wrt(qs, t))]\nfn {h}(qs: &{}, t: {ft}) -> {ft} {}\n",
                    inner.name, body.f
                ))
                .twin(twin_fn(&format!("{h}_g"), ft, "qs: &[S], t: S", &body.g)),
            );
            gen.scope.calls.push(SCall {
                f: format!("{h}(&{path}, "),
                g: format!("{h}_g(&{path}, "),
                construct: NestedStructArg,
            });
        }
    }
    // Helper methods of the struct itself: `self.h1(e)` / `m.h1(e)` (inlined, or kept a call
    // with their own `wrt(self, t)`), and an associated function `Self::a1(e)`.
    let method_form = matches!(form, Form::Method { .. });
    for k in 0..gen.rng.range(0, 3) {
        let c = if gen.rng.chance(0.35) {
            HelperMethodWrt
        } else if method_form && gen.rng.chance(0.3) {
            AssocFnCall
        } else {
            HelperMethod
        };
        let passes = c != AssocFnCall;
        if !gen.sw.is_on(c)
            || (!method_form && !gen.sw.is_on(FreeFnMethodCall))
            || (passes && !pass_ok)
        {
            continue;
        }
        if !method_form {
            gen.used(FreeFnMethodCall);
        }
        if passes && mixed {
            gen.used(StructArgMixedActive);
        }
        let h = format!("h{k}");
        let twin = format!("{pname}_{h}_g");
        if c == AssocFnCall {
            let body = helper_body(gen, callees, None);
            methods.push(
                &Code::same(format!("    fn {h}(t: {ft}) -> {ft} {}\n", body.f))
                    .twin(twin_fn(&twin, ft, "t: S", &body.g)),
            );
            gen.scope.calls.push(SCall {
                f: format!("Self::{h}("),
                g: format!("{twin}("),
                construct: c,
            });
            continue;
        }
        let body = helper_body(gen, callees, Some(("self", "this", &ty)));
        let attr = if c == HelperMethodWrt {
            "    #[autodiff::differentiable(wrt(self, t))]\n"
        } else {
            ""
        };
        methods.push(
            &Code::same(format!(
                "{attr}    fn {h}(&self, t: {ft}) -> {ft} {}\n",
                body.f
            ))
            .twin(twin_fn(&twin, ft, "this: &[S], t: S", &body.g)),
        );
        let flat = if method_form { "this" } else { prefix };
        gen.scope.calls.push(SCall {
            f: format!("{prefix}.{h}("),
            g: format!("{twin}({flat}, "),
            construct: c,
        });
    }
    let literal = crate::literals::draw(gen, prefix, &ty, form);
    if let Some(l) = &literal {
        free_items.push(&l.items);
    }
    StructProg {
        ty,
        form,
        methods,
        free_items,
        literal,
    }
}

/// Whether a program is over a struct (about one in five), and how.
pub fn choose_form(gen: &mut Gen) -> Option<Form> {
    use Construct::*;
    if !gen.rng.chance(0.2) {
        return None;
    }
    let free = gen.sw.is_on(StructParam);
    let method = gen.sw.is_on(StructMethod);
    let form = match (free, method) {
        (false, false) => return None,
        (true, false) => Form::Free,
        (false, true) => Form::Method {
            by_value: false,
            wrt: false,
        },
        (true, true) if gen.rng.chance(0.45) => Form::Free,
        _ => Form::Method {
            by_value: false,
            wrt: false,
        },
    };
    Some(match form {
        Form::Free => {
            gen.used(StructParam);
            Form::Free
        }
        Form::Method { .. } => {
            gen.used(StructMethod);
            let by_value = gen.sw.is_on(StructMethodByValue) && gen.rng.chance(0.3);
            if by_value {
                gen.used(StructMethodByValue);
            }
            let wrt = gen.sw.is_on(StructMethodWrt) && gen.rng.chance(0.5);
            if wrt {
                gen.used(StructMethodWrt);
            }
            Form::Method { by_value, wrt }
        }
    })
}

/// The struct parameter of a program (`self` for a method).
pub fn param(p: &[Param]) -> Option<(&str, &StructTy)> {
    p.iter().find_map(|q| match q {
        Param::Struct(n, t) => Some((n.as_str(), t)),
        _ => None,
    })
}

impl Gen<'_> {
    /// A call of a helper over the struct (see [`draw`]) with one scalar argument.
    pub fn struct_call(&mut self, d: u32) -> Code {
        let calls: Vec<SCall> = (self.scope.calls.iter())
            .filter(|c| self.sw.is_on(c.construct))
            .cloned()
            .collect();
        let c = self.rng.pick(&calls).clone();
        self.used(c.construct);
        let a = self.expr(d);
        Code::same(format!("{}{})", c.f, a.f))
            .twin(format!("{}{})", c.g, a.g))
            .with(true, true)
    }

    /// The matrices whose rows may be iterated whole (`m.w.iter()`): struct fields.
    fn row_mats(&self) -> Vec<MVar> {
        (self.scope.mats.iter())
            .filter(|m| m.name.contains('.'))
            .cloned()
            .collect()
    }

    /// Whether a row chain or loop can be drawn.
    pub fn has_row_mats(&self) -> bool {
        !self.row_mats().is_empty()
    }

    /// `e` reading `row` (a closure or loop body over the rows of `m`), unless
    /// `FieldRowUnused` is on (see there).
    fn reads_row(&mut self, e: Code, row: &str, m: &MVar) -> Code {
        if crate::gen::mentions(&e.f, row) {
            return e;
        }
        if self.sw.is_on(Construct::FieldRowUnused) {
            self.used(Construct::FieldRowUnused);
            return e;
        }
        let j = self.rng.range(0, m.cols);
        crate::gen::both!(
            "({} + {})",
            e,
            Code::same(format!("{row}[{j}]")).with(m.active, true)
        )
    }

    /// `m.w.iter().map(|row| e).sum::<f>()`, or with `.enumerate()`.
    pub fn row_chain(&mut self, d: u32) -> Code {
        let m = self.rng.pick(&self.row_mats()).clone();
        let row = self.fresh("row");
        let rv = row_var(&row, &m);
        let ft = self.ft;
        if self.rng.chance(0.5) {
            let k = self.fresh("k");
            let iv = IVar {
                name: k.clone(),
                hi: m.rows,
            };
            let e = self.closure_body(vec![], vec![iv], vec![rv], d);
            let e = self.reads_row(e, &row, &m);
            Code::same(format!(
                "{}.iter().enumerate().map(|({k}, {row})| {}).sum::<{ft}>()",
                m.name, e.f
            ))
            .twin(format!(
                "{}.iter().enumerate().map(|({k}, {row})| {}).fold(c::<S>(-0.0), |p, t| p + t)",
                m.name, e.g
            ))
            .with(e.active, true)
        } else {
            let e = self.closure_body(vec![], vec![], vec![rv], d);
            let e = self.reads_row(e, &row, &m);
            Code::same(format!(
                "{}.iter().map(|{row}| {}).sum::<{ft}>()",
                m.name, e.f
            ))
            .twin(format!(
                "{}.iter().map(|{row}| {}).fold(c::<S>(-0.0), |p, t| p + t)",
                m.name, e.g
            ))
            .with(e.active, true)
        }
    }

    /// `let mut acc = 0.0; for row in &m.w { acc += e; }` (or `.iter().enumerate()`).
    pub fn row_loop(&mut self, d: u32) -> Code {
        let m = self.rng.pick(&self.row_mats()).clone();
        let (row, acc) = (self.fresh("row"), self.fresh("acc"));
        let rv = row_var(&row, &m);
        let ind = self.indent();
        let (head, ints) = if self.rng.chance(0.5) {
            let k = self.fresh("k");
            let iv = IVar {
                name: k.clone(),
                hi: m.rows,
            };
            (
                format!("for ({k}, {row}) in {}.iter().enumerate()", m.name),
                vec![iv],
            )
        } else {
            (format!("for {row} in &{}", m.name), vec![])
        };
        let e = self.nested(|g| {
            g.scope.ints.extend(ints);
            g.scope.arrays.push(rv);
            g.loops += 1;
            let e = g.bounded(d, 1.5);
            g.loops -= 1;
            e
        });
        let e = self.reads_row(e, &row, &m);
        self.scope.floats.push(FVar {
            name: acc.clone(),
            mutable: true,
            active: e.active,
            typed: true,
        });
        let ft = self.ft;
        Code::same(format!(
            "let mut {acc}: {ft} = 0.0;\n{ind}{head} {{\n{ind}    {acc} += {};\n{ind}}}",
            e.f
        ))
        .twin(format!(
            "let mut {acc} = c::<S>(0.0);\n{ind}{head} {{\n{ind}    {acc} += {};\n{ind}}}",
            e.g
        ))
    }
}

/// A row `&[f; cols]` bound by a loop or closure over the rows of `m`.
fn row_var(name: &str, m: &MVar) -> AVar {
    AVar {
        name: name.to_string(),
        len: m.cols,
        mutable: false,
        active: m.active,
        typed: m.typed,
        nested_local: false,
        plain: false,
        vec: false,
        out: false,
        param: true,
    }
}
