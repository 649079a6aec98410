//! Calls of earlier programs: with a scalar result in expressions, and their arguments
//! (scalars, sub-slices of arrays, matrix rows); `outputs.rs` calls the ones writing buffers.

use crate::construct::Construct;
use crate::gen::{AVar, Arg, Callee, Code, Gen, MVar};

impl Gen<'_> {
    /// A call of an earlier program of the same float type with a scalar result. Passive
    /// arguments are literals unless `CallPassiveArg` is on (see there).
    pub fn call(&mut self, _d: u32) -> Code {
        let ks: Vec<_> = (self.callees.iter())
            .filter(|k| self.can_call(k))
            .cloned()
            .collect();
        let k = self.rng.pick(&ks).clone();
        debug_assert_eq!(k.f32, self.ft == "f32");
        if k.name.starts_with("rp::") {
            self.used(Construct::CustomCall);
        }
        let args = self.call_args(&k, None);
        call_text(&k, &args)
    }

    /// The arguments for the inputs of `k` (not its output buffer); slices are not taken
    /// from `exclude`.
    pub fn call_args(&mut self, k: &Callee, exclude: Option<&str>) -> Vec<Code> {
        let mut args = Vec::new();
        for p in &k.params {
            match *p {
                Arg::Slice(n) => args.push(self.slice_arg(n, exclude)),
                Arg::Out(..) => {}
                Arg::Scalar => {
                    let a = self.expr(1);
                    let a = if a.active || self.sw.is_on(Construct::CallPassiveArg) {
                        if !a.active {
                            self.used(Construct::CallPassiveArg);
                        }
                        a
                    } else {
                        self.lit(0.1, 2.0)
                    };
                    args.push(a);
                }
            }
        }
        args
    }
}

/// `k(args)`, and `k_g::<S>(args)` in the twin.
pub fn call_text(k: &Callee, args: &[Code]) -> Code {
    let join = |sel: fn(&Code) -> &String| {
        args.iter()
            .map(|a| sel(a).clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let active = args.iter().any(|a| a.active);
    Code::same(format!("{}({})", k.name, join(|c| &c.f)))
        .twin(format!("{}_g::<S>({})", k.name, join(|c| &c.g)))
        .with(active, true)
}

impl Gen<'_> {
    /// Whether `k` returns an array and can be called here (see [`Self::can_call`]).
    pub fn can_call_array(&self, k: &Callee) -> bool {
        let scalar = Callee {
            ret: None,
            ..k.clone()
        };
        k.ret.is_some() && self.can_call(&scalar)
    }

    /// `let r = h(args..);` for an earlier program `h` returning an array, bound without its
    /// type; `r` is a local array from here on (see `UntypedArrayResultCall`).
    pub fn untyped_array_call(&mut self) -> Code {
        let ks: Vec<_> = (self.callees.iter())
            .filter(|k| self.can_call_array(k))
            .cloned()
            .collect();
        let k = self.rng.pick(&ks).clone();
        let args = self.call_args(&k, None);
        let call = call_text(&k, &args);
        let (name, len) = (self.fresh("r"), k.ret.expect("an array result"));
        // One element read at once (a result never indexed is taken for a float: see
        // `tests/ui/diagnostics/array_result_unused.rs`); later expressions may read more.
        let (v, i) = (self.fresh("v"), self.rng.range(0, len));
        self.scope.floats.push(crate::gen::FVar {
            name: v.clone(),
            mutable: false,
            active: call.active,
            typed: true,
        });
        self.scope.arrays.push(AVar {
            name: name.clone(),
            len,
            mutable: false,
            active: call.active,
            typed: true,
            nested_local: self.level > 1 || self.returned,
            plain: false,
            vec: false,
            out: false,
            param: false,
        });
        crate::gen::both!("let {name} = {}; let {v} = {name}[{i}];", call)
    }

    /// Whether `k` has this function's float type, a scalar result and, for each slice
    /// parameter, some array or matrix row in scope long enough.
    pub fn can_call(&self, k: &Callee) -> bool {
        k.f32 == (self.ft == "f32")
            && !k.writes()
            && k.ret.is_none()
            && (k.params.iter()).all(|a| match *a {
                Arg::Slice(n) => self.slice_sources(n, None).next().is_some(),
                _ => true,
            })
    }

    /// What a slice parameter reading `n` elements can be given: `&a[k..k + n]` of an array
    /// (`CallSliceArg`, or in a statement calling a helper that writes into `exclude`,
    /// `OutputCall`), `&m[i]` or a part of it (`MatrixRowArg`; not inside a condition unless
    /// `CallSliceArg` is on: its finding is such calls in conditions); never from `exclude` or
    /// passive data.
    pub fn slice_sources(&self, n: usize, exclude: Option<&str>) -> impl Iterator<Item = Source> {
        let mut out = Vec::new();
        let ok = |name: &str| exclude != Some(name);
        // A part of a struct's field only where `FieldSubSliceArg` is on (see there).
        let sub = self.sw.is_on(Construct::FieldSubSliceArg);
        let field_ok = |name: &str, len: usize| !name.contains('.') || len == n || sub;
        if self.sw.is_on(Construct::CallSliceArg) || exclude.is_some() {
            for a in &self.scope.arrays {
                if !a.plain && a.len >= n && ok(&a.name) && field_ok(&a.name, a.len) {
                    out.push(Source::Array(a.clone()));
                }
            }
        }
        let rows_here = self.in_cond == 0 || self.sw.is_on(Construct::CallSliceArg);
        if self.sw.is_on(Construct::MatrixRowArg) && rows_here {
            for m in &self.scope.mats {
                if !m.plain && m.cols >= n && ok(&m.name) && field_ok(&m.name, m.cols) {
                    out.push(Source::Row(m.clone()));
                }
            }
        }
        out.into_iter()
    }

    /// A slice argument reading `n` elements (see [`Gen::slice_sources`]).
    fn slice_arg(&mut self, n: usize, exclude: Option<&str>) -> Code {
        let mut sources: Vec<Source> = self.slice_sources(n, exclude).collect();
        // A struct's matrix field row is rare among the sources: often, while there is one (so
        // that `FieldRowArg` is drawn in every run).
        let field_rows: Vec<Source> = (sources.iter())
            .filter(|s| matches!(s, Source::Row(m) if m.name.contains('.')))
            .cloned()
            .collect();
        if !field_rows.is_empty() && self.rng.chance(0.5) {
            sources = field_rows;
        }
        match self.rng.pick(&sources).clone() {
            Source::Array(a) => {
                let k = self.rng.range(0, a.len - n + 1);
                if exclude.is_none() {
                    self.used(Construct::CallSliceArg);
                }
                let sub = self.sw.is_on(Construct::FieldSubSliceArg);
                if a.name.contains('.') && a.len == n && (!sub || self.rng.chance(0.5)) {
                    self.used(Construct::FieldArrayArg);
                    return Code::same(format!("&{}", a.name)).with(a.active, true);
                }
                if a.name.contains('.') {
                    self.used(Construct::FieldSubSliceArg);
                }
                Code::same(format!("&{}[{k}..{}]", a.name, k + n)).with(a.active, true)
            }
            Source::Row(m) => {
                let i = self.index_for(m.rows);
                self.used(Construct::MatrixRowArg);
                if m.name.contains('.') {
                    self.used(Construct::FieldRowArg);
                }
                let text = if m.cols == n {
                    format!("&{}[{i}]", m.name)
                } else {
                    let k = self.rng.range(0, m.cols - n + 1);
                    format!("&{}[{i}][{k}..{}]", m.name, k + n)
                };
                Code::same(text).with(m.active, true)
            }
        }
    }
}

/// Where a slice argument comes from.
#[derive(Clone)]
pub enum Source {
    Array(AVar),
    Row(MVar),
}
