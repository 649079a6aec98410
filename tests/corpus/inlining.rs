//! Calls between methods of one `#[differentiable]` `impl` block are inlined (the callee's
//! forward sweep is not run again in the caller's reverse sweep). The same methods with their
//! own `#[differentiable]` attribute stay calls: both must give the same numbers, and both are
//! checked against finite differences and the dot-product identity.

use crate::*;
use autodiff::{differentiable, Differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Chain {
    pub a: f64,
    pub w: [f64; 3],
}

#[derive(Clone, Debug, Differentiable)]
pub struct ChainCalls {
    pub a: f64,
    pub w: [f64; 3],
}

/// The methods, written once: the attributes are empty for the inlined version and
/// `#[differentiable(..)]` (a method's own attribute: it stays a call) for the other; a called
/// method's scalar parameters are active only when its `wrt(..)` names them.
macro_rules! chain_methods {
    ($ty:ident, [$(#[$g:meta])*], [$(#[$h:meta])*], [$(#[$k:meta])*], [$(#[$r:meta])*]) => {
        #[differentiable]
        impl $ty {
            /// Locals named like the caller's (`s`, `w`).
            $(#[$g])*
            pub fn g(&self, t: f64) -> f64 {
                let s = t * self.a;
                let w = s.sin();
                w + self.w[0] * t
            }

            /// A `mut` parameter: the caller's variable must not change.
            $(#[$h])*
            pub fn h(&self, mut t: f64) -> f64 {
                t *= 2.0;
                t + self.w[1] * t
            }

            /// Iterators over a parameter and a field, a closure parameter named like a local.
            $(#[$k])*
            pub fn k(&self, x: &[f64; 3]) -> f64 {
                let z = 0.5;
                x.iter().zip(&self.w).fold(z, |z, (p, q)| z + p * q.cos())
            }

            /// Recursion stays a call.
            $(#[$r])*
            pub fn rec(&self, x: f64, n: usize) -> f64 {
                if n == 0 {
                    self.a * x
                } else {
                    self.rec(x * 1.1, n - 1) + x.sin()
                }
            }

            pub fn total(&self, x: &[f64; 3]) -> f64 {
                let s = x[0];
                // An expression argument, and the same method twice.
                let w = self.g(s) + self.g(x[1] * 2.0);
                let mut acc = self.h(w);
                for i in 0..3 {
                    acc += self.g(x[i]) * w;
                }
                if acc > 0.0 {
                    acc += self.k(x);
                } else {
                    acc -= self.k(x);
                }
                // A call on the right of `&&` is evaluated only sometimes: it stays a call.
                let c = if s > 0.0 && self.g(s) > -10.0 { 1.0 } else { 2.0 };
                let mut n = 0;
                while self.h(s + n as f64) < 3.0 && n < 4 {
                    n += 1;
                }
                acc * c + self.g(self.h(s)) + w + self.rec(x[2], 2) + n as f64
            }
        }
    };
}

chain_methods!(Chain, [], [], [], []);
chain_methods!(
    ChainCalls,
    [#[differentiable(wrt(self, t))]],
    [#[differentiable(wrt(self, t))]],
    [#[differentiable]],
    [#[differentiable(wrt(self, x))]]
);

#[test]
fn inlined_methods_match_calls_and_finite_differences() {
    let x = [0.7, -0.4, 1.3];
    let base = Chain {
        a: 0.8,
        w: [0.3, -1.2, 0.6],
    };
    let calls = ChainCalls {
        a: base.a,
        w: base.w,
    };
    let (v, g) = base.total_grad(&x);
    let (vc, gc) = calls.total_grad(&x);
    assert_eq!(v, base.total(&x));
    assert_eq!(v.to_bits(), vc.to_bits(), "value");
    let (mut a, mut b) = ([0.0; 4], [0.0; 4]);
    g.flatten_into(&mut a);
    gc.flatten_into(&mut b);
    assert_grad_eq("inlined vs calls", &a, &b, 1e-14);

    let flat = |p: &[f64]| base.with_flat(p);
    let fns = Fns {
        f: &|p| flat(p).total(&x),
        jvp: &|p, d| flat(p).total_jvp(&x, &flat(d)),
        vjp: &|p, seed, bar| {
            let mut gb = flat(bar);
            let v = flat(p).total_vjp(&x, seed, &mut gb);
            gb.flatten_into(bar);
            v
        },
        grad: &|p| {
            let (v, g) = flat(p).total_grad(&x);
            let mut out = vec![0.0; 4];
            g.flatten_into(&mut out);
            (v, out)
        },
    };
    let mut p = [0.0; 4];
    base.flatten_into(&mut p);
    check("inlined methods", &fns, &p);
    // Second order through the inlined body.
    let dir = base.with_flat(&[0.3, -0.1, 0.7, 0.2]);
    let (_, _, hv) = base.total_hvp(&x, &dir);
    let (_, _, hvc) = calls.total_hvp(&x, &calls.with_flat(&[0.3, -0.1, 0.7, 0.2]));
    let (mut h1, mut h2) = ([0.0; 4], [0.0; 4]);
    hv.flatten_into(&mut h1);
    hvc.flatten_into(&mut h2);
    assert_grad_eq("hvp inlined vs calls", &h1, &h2, 1e-13);
}

/// Arguments that are not plain variables: a matrix row `&xs[s]`, an expression, a field.
#[derive(Clone, Debug, Differentiable)]
pub struct Small {
    pub w: [f64; 2],
    pub c: f64,
}

#[differentiable]
impl Small {
    pub fn loss(&self, xs: &[[f64; 2]], ys: &[f64]) -> f64 {
        let mut l = 0.0;
        for s in 0..ys.len() {
            let r = self.predict(&xs[s], self.c * 0.5) - ys[s];
            l += r * r;
        }
        l
    }

    pub fn predict(&self, x: &[f64; 2], shift: f64) -> f64 {
        (self.w[0] * x[0] + self.w[1] * x[1] + shift).tanh()
    }
}

#[test]
fn inlined_arguments_that_are_expressions() {
    let m = Small {
        w: [0.4, -0.3],
        c: 0.2,
    };
    let xs = [[1.0, 2.0], [-0.5, 0.3], [0.7, -1.1]];
    let ys = [0.1, -0.2, 0.3];
    let (v, g) = m.loss_grad(&xs, &ys);
    assert_eq!(v, m.loss(&xs, &ys));
    let mut p = [0.0; 3];
    m.flatten_into(&mut p);
    let f = |q: &[f64]| m.with_flat(q).loss(&xs, &ys);
    let mut gf = [0.0; 3];
    g.flatten_into(&mut gf);
    for k in 0..3 {
        let mut e = [0.0; 3];
        e[k] = 1.0;
        assert_close(gf[k], central(&f, &p, &e), 1e-8, 1.0, "d/dp");
    }
}

/// A method that binds its parameter again (`let t = t * 2.0;`), called with a plain variable:
/// inlined, the `let` must not shadow the caller's variable (it did, and the caller then read
/// `2 x` for `x`: random-program seed 0x5eed20260026, program 87).
#[derive(Clone, Debug, Differentiable)]
pub struct Rebinds {
    pub a: f64,
}

#[differentiable]
impl Rebinds {
    pub fn loss(&self, x: f64) -> f64 {
        let h = self.doubled(x);
        let mut s = x;
        for _ in 0..2 {
            s += 1.5 * s.sin();
        }
        s * h
    }

    fn doubled(&self, t: f64) -> f64 {
        let t = t * 2.0;
        self.a * t
    }
}

#[test]
fn an_inlined_parameter_bound_again_does_not_shadow_the_callers() {
    let m = Rebinds { a: 0.7 };
    let x = 0.4;
    let plain = |a: f64, x: f64| {
        let mut s = x;
        for _ in 0..2 {
            s += 1.5 * s.sin();
        }
        s * (a * (x * 2.0))
    };
    let (v, g) = m.loss_grad(x);
    assert_eq!(v.to_bits(), plain(0.7, x).to_bits());
    assert_eq!(v.to_bits(), m.loss(x).to_bits());
    let fa = (plain(0.7 + 1e-6, x) - plain(0.7 - 1e-6, x)) / 2e-6;
    assert!((g.a - fa).abs() < 1e-7 * fa.abs(), "{} vs {fa}", g.a);
    let (_, da) = m.loss_jvp(x, &Rebinds { a: 1.0 });
    assert_eq!(da, g.a, "forward and reverse (one scalar)");
}
