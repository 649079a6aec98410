//! Closures bound with `let` (typed parameters, capturing immutable bindings) and their calls.

use crate::construct::Construct;
use crate::gen::{both, mentions, CVar, Code, FVar, Gen};

impl Gen<'_> {
    /// `let c = |t: f, u: f| e;`: a closure over what it may capture (see
    /// [`crate::gen::Scope::capturable`]).
    pub fn closure_let(&mut self, d: u32) -> Code {
        let (name, ft) = (self.fresh("c"), self.ft);
        let arity = self.rng.range(1, 3);
        let params: Vec<String> = (0..arity).map(|_| self.fresh("t")).collect();
        let inner = self.scope.capturable();
        let names: Vec<String> = inner.floats.iter().map(|v| v.name.clone()).collect();
        let saved = std::mem::replace(&mut self.scope, inner);
        // A call of a helper with a matrix row is kept out of closures, which may be called
        // inside a condition (see `MatrixRowArg`).
        self.in_cond += 1;
        let vars = (params.iter())
            .map(|t| FVar {
                name: t.clone(),
                mutable: false,
                active: false,
                typed: true,
            })
            .collect();
        let body = self.closure_body(vars, vec![], vec![], d);
        self.in_cond -= 1;
        self.scope = saved;
        let captures = (names.into_iter())
            .filter(|n| mentions(&body.f, n))
            .collect();
        self.scope.closures.push(CVar {
            name: name.clone(),
            arity,
            active: body.active,
            typed: body.typed,
            captures,
        });
        let decl =
            |t: &str| -> Vec<String> { params.iter().map(|p| format!("{p}: {t}")).collect() };
        let (pf, pg) = (decl(ft).join(", "), decl("S").join(", "));
        Code::same(format!("let {name} = |{pf}| {};", body.f))
            .twin(format!("let {name} = |{pg}| {};", body.g))
    }

    /// `c(e, ..)` of a closure in scope.
    pub fn closure_call(&mut self, d: u32) -> Code {
        let k = self.rng.pick(&self.scope.closures).clone();
        let mut args: Vec<Code> = (0..k.arity).map(|_| self.expr(d)).collect();
        let ft = self.ft;
        for a in args.iter_mut().filter(|a| !a.typed) {
            if self.sw.is_on(Construct::ClosureUntypedArg) {
                self.used(Construct::ClosureUntypedArg);
            } else if a.f.parse::<f64>().is_ok() {
                a.f = format!("{}_{ft}", a.f);
            } else {
                let one = Code::same(format!("1.0_{ft}")).twin("c::<S>(1.0)".into());
                *a = both!("({} * {})", a, one);
            }
        }
        let f: Vec<&str> = args.iter().map(|a| a.f.as_str()).collect();
        let g: Vec<&str> = args.iter().map(|a| a.g.as_str()).collect();
        Code::same(format!("{}({})", k.name, f.join(", ")))
            .twin(format!("{}({})", k.name, g.join(", ")))
            .with(k.active, k.typed)
    }
}
