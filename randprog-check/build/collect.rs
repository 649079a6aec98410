//! `let cN: Vec<f> = a.iter().map(|&v| e).collect();` at the top of a body (`collect()` is
//! supported there only), whose vector the body then reads like any other.

use crate::construct::Construct;
use crate::gen::{AVar, Code, Gen};

impl Gen<'_> {
    /// The statement, or `None`; drawn on a generator of its own, so that the programs without
    /// it stay the ones drawn before this construct existed.
    pub fn collected(&mut self) -> Option<Code> {
        if !self.sw.is_on(Construct::IterCollect) || !self.has_sources() {
            return None;
        }
        let fork = self.rng.fork(0x0c01_1ec7);
        let main = std::mem::replace(&mut *self.rng, fork);
        let out = self.collected_on();
        *self.rng = main;
        out
    }

    fn collected_on(&mut self) -> Option<Code> {
        if !self.rng.chance(0.25) {
            return None;
        }
        self.used(Construct::IterCollect);
        let s = self.source(1)?;
        let b = self.binding();
        let (v, pat) = self.elem(&b, &s);
        let it = self.iter_of(&s, &b);
        let body = self.closure_body(vec![v], vec![], vec![], 2);
        let name = self.fresh("c");
        let ft = self.ft;
        let code = Code::same(format!(
            "    let {name}: Vec<{ft}> = {it}.map(|{pat}| {}).collect();\n",
            body.f
        ))
        .twin(format!(
            "    let {name}: Vec<S> = {it}.map(|{pat}| {}).collect();\n",
            body.g
        ));
        self.scope.arrays.push(AVar {
            name,
            len: s.len,
            mutable: false,
            active: body.active,
            typed: true,
            nested_local: false,
            plain: false,
            vec: true,
            out: false,
            param: false,
        });
        Some(code)
    }
}
