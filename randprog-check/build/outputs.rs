//! Output buffers, the residual style: a program whose result is `r: &mut [f]` (or
//! `&mut [f; M]`), written at the end of the body and free to be read (its initial contents are
//! passive data) and written before; and calls of such programs from later ones, writing into a
//! buffer of the caller (a local array, `Vec`, matrix row or the caller's own output buffer)
//! that is read afterwards.

use crate::construct::Construct;
use crate::gen::{both, Arg, Callee, Code, Gen, IVar};
use crate::program::Param;

/// The output buffer parameter of a new program, if one is drawn (then it returns `()`). Most
/// such programs read a slice, as residual functions do (and later programs can call them:
/// see `OutputCallScalarInputs`).
pub fn output_param(gen: &mut Gen, params: &mut Vec<Param>) -> Option<Param> {
    let (slice, array) = (Construct::OutputSlice, Construct::OutputArray);
    if !(gen.sw.is_on(slice) || gen.sw.is_on(array)) || !gen.rng.chance(0.13) {
        return None;
    }
    let scalars_only = params.iter().all(|p| matches!(p, Param::Scalar(_)));
    if scalars_only && gen.sw.is_on(Construct::SliceParam) && gen.rng.chance(0.7) {
        gen.used(Construct::SliceParam);
        params.push(Param::Slice(gen.fresh("s"), gen.rng.range(2, 5)));
    }
    let fixed = gen.sw.is_on(array) && (!gen.sw.is_on(slice) || gen.rng.chance(0.4));
    // Which kind of buffer the generated `jacobian` handles (see `OutputJacobianMix`).
    let count = |f: fn(&Param) -> bool| params.iter().filter(|p| f(p)).count();
    let scalars = count(|p| matches!(p, Param::Scalar(_)));
    let arrays = count(|p| matches!(p, Param::Array(..)));
    let slices = count(|p| matches!(p, Param::Slice(..)));
    let matrices = count(|p| matches!(p, Param::Matrix(..) | Param::MatrixRows(..)));
    let one_array = arrays == 1 && slices + scalars == 0;
    let (fixed_ok, slice_ok) = (arrays + slices == 0 || one_array, !one_array);
    let works = matrices > 0 || if fixed { fixed_ok } else { slice_ok };
    let mix = Construct::OutputJacobianMix;
    let fixed = if works || gen.sw.is_on(mix) {
        if !works {
            gen.used(mix);
        }
        fixed
    } else {
        !fixed
    };
    gen.used(if fixed { array } else { slice });
    let m = gen.rng.range(2, 4);
    let r0 = (0..m).map(|_| gen.rng.input()).collect();
    Some(Param::Output(gen.fresh("r"), m, fixed, r0))
}

impl Gen<'_> {
    /// The end of a program with an output buffer: every element written (`=`, or `+=` which
    /// reads the initial contents), one by one or in a loop over `r.len()`.
    pub fn output_tail(&mut self) -> Code {
        let (r, m, _) = self
            .out_buf
            .clone()
            .expect("a program with an output buffer");
        let mut out = Code::same("");
        if self.rng.chance(0.3) {
            let i = self.fresh("i");
            let e = self.nested(|g| {
                g.scope.ints.push(IVar {
                    name: i.clone(),
                    hi: m,
                });
                let e = g.expr(2);
                both!("({} + {})", e, g.active_leaf())
            });
            let op = *self.rng.pick(&["=", "+="]);
            let head = Code::same(format!(
                "    for {i} in 0..{r}.len() {{\n        {r}[{i}] {op} "
            ));
            out.push(&head);
            out.push(&e);
            out.push(&Code::same(";\n    }\n"));
            return out;
        }
        for k in 0..m {
            let mut e = self.expr(2);
            if k == 0 && !e.active {
                e = both!("({} + {})", e, self.active_leaf());
            }
            let op = *self.rng.pick(&["=", "=", "+="]);
            out.push(&both!("    {r}[{k}] {op} {};\n", e));
        }
        out
    }

    /// Whether some buffer in scope can take the output of `k` (and its slice inputs exist).
    pub fn can_call_writer(&self, k: &Callee) -> bool {
        let slices = k.params.iter().any(|a| matches!(a, Arg::Slice(_)));
        k.f32 == (self.ft == "f32")
            && k.writes()
            && (slices || self.sw.is_on(Construct::OutputCallScalarInputs))
            && !self.writer_targets(k).is_empty()
    }

    /// The buffers that can take the output of `k`, with its slice inputs taken elsewhere
    /// (`h(&a[0..2], &mut a[2..4])` would borrow `a` twice).
    fn writer_targets(&self, k: &Callee) -> Vec<(String, String)> {
        let Some(&Arg::Out(m, fixed)) = k.params.last() else {
            return Vec::new();
        };
        let inputs_ok = |target: &str| {
            (k.params.iter()).all(|a| match *a {
                Arg::Slice(n) => self.slice_sources(n, Some(target)).next().is_some(),
                _ => true,
            })
        };
        (self.out_targets(m, fixed).into_iter())
            .filter(|(t, _)| inputs_ok(t))
            .collect()
    }

    /// Where an output of length `m` can go: (array or matrix name, argument text).
    fn out_targets(&self, m: usize, fixed: bool) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for a in (self.scope.arrays.iter()).filter(|a| a.mutable && !a.plain && a.len >= m) {
            let name = &a.name;
            let whole = if a.out {
                name.clone()
            } else {
                format!("&mut {name}")
            };
            if a.len == m && !(fixed && (a.vec || (a.out && !self.out_fixed()))) {
                out.push((name.clone(), whole));
            }
            if !fixed {
                let k = (a.len - m) / 2;
                out.push((name.clone(), format!("&mut {name}[{k}..{}]", k + m)));
            }
        }
        for mat in (self.scope.mats.iter()).filter(|x| x.mutable && x.cols >= m) {
            let (name, row) = (&mat.name, mat.rows - 1);
            if mat.cols == m {
                out.push((name.clone(), format!("&mut {name}[{row}]")));
            } else if !fixed {
                out.push((name.clone(), format!("&mut {name}[{row}][1..{}]", m + 1)));
            }
        }
        out
    }

    fn out_fixed(&self) -> bool {
        self.out_buf.as_ref().is_some_and(|o| o.2)
    }

    /// `h(args.., &mut buf[..]);`: a call writing into a buffer of this function.
    pub fn output_call(&mut self) -> Code {
        let ks: Vec<Callee> = (self.callees.iter())
            .filter(|k| self.can_call_writer(k))
            .cloned()
            .collect();
        let k = self.rng.pick(&ks).clone();
        if !k.params.iter().any(|a| matches!(a, Arg::Slice(_))) {
            self.used(Construct::OutputCallScalarInputs);
        }
        let targets = self.writer_targets(&k);
        let (target, text) = self.rng.pick(&targets).clone();
        let mut args = self.call_args(&k, Some(&target));
        args.push(Code::same(text).with(false, true));
        let active = args.iter().any(|a| a.active);
        if let Some(a) = self
            .scope
            .arrays
            .iter_mut()
            .rev()
            .find(|a| a.name == target)
        {
            a.active |= active;
        }
        if let Some(x) = self.scope.mats.iter_mut().rev().find(|x| x.name == target) {
            x.active |= active;
        }
        let call = crate::calls::call_text(&k, &args);
        both!("{};", call)
    }
}

/// Whether `body` reads the output buffer `r` (anything but `r[i] = e` and `r.len()`): then the
/// function is in-out (see `InOutJacobian`).
pub fn reads_output(body: &str, r: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut from = 0;
    while let Some(at) = body[from..].find(r).map(|k| k + from) {
        from = at + r.len();
        let rest = &body[from..];
        if word(body[..at].chars().next_back()) || word(rest.chars().next()) {
            continue;
        }
        if rest.starts_with(".len()") {
            continue;
        }
        if rest.starts_with('[') {
            let close = rest.find(']').expect("an index closes");
            let after = &rest[close + 1..];
            if after.starts_with(" = ") {
                continue;
            }
        }
        return true;
    }
    false
}
