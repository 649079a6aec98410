//! Array results bound without their type, as one first writes them: `let r = residuals(x);`
//! then `r.iter()`, `for v in &r`, `r[0]`, a copy `let q = r;` indexed, a plain function's
//! constants, and a layer's output from a method of a nested struct
//! (`let h = self.l1.forward(x);`). The length comes from the callee's signature
//! (`ret_len(&helper)`, a constant). Each against the same program with the types written
//! (bitwise), finite differences and the dot-product identity.

use crate::common::{assert_dot, assert_fd};
use autodiff::{differentiable, Differentiable};

#[differentiable]
fn residuals(x: &[f64; 3]) -> [f64; 3] {
    [x[0] - 1.0, x[1] * x[0], x[2] + x[1]]
}

#[differentiable]
fn polar(r: f64, t: f64) -> [f64; 2] {
    [r * t.cos(), r * t.sin()]
}

/// Constants from a plain (not differentiated) function.
fn weights() -> [f64; 3] {
    [0.5, 2.0, -1.0]
}

#[differentiable]
fn untyped(x: &[f64; 3]) -> f64 {
    let r = residuals(x);
    let w = weights();
    let p = polar(x[0], x[2]);
    let q = p;
    let mut s = r.iter().map(|v| v * v).sum::<f64>();
    for (k, v) in r.iter().enumerate() {
        s += w[k] * v;
    }
    s + q[0] * q[1]
}

#[differentiable]
fn typed(x: &[f64; 3]) -> f64 {
    let r: [f64; 3] = residuals(x);
    let w: [f64; 3] = weights();
    let p: [f64; 2] = polar(x[0], x[2]);
    let q: [f64; 2] = p;
    let mut s = r.iter().map(|v| v * v).sum::<f64>();
    for (k, v) in r.iter().enumerate() {
        s += w[k] * v;
    }
    s + q[0] * q[1]
}

#[test]
fn array_results_bound_without_their_type() {
    let x = [0.7, -1.2, 0.4];
    let (v, g) = untyped::grad(&x);
    let (vt, gt) = typed::grad(&x);
    assert_eq!((v.to_bits(), g), (vt.to_bits(), gt));
    let dir = [0.3, -0.5, 0.9];
    let (_, jv) = untyped::jvp(&x, &dir);
    for (k, e) in [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        .iter()
        .enumerate()
    {
        assert_fd(
            "untyped",
            &|p: &[f64]| untyped(&[p[0], p[1], p[2]]),
            &x,
            e,
            g[k],
            1e-7,
        );
    }
    assert_dot("untyped", 1.0, jv, &g, &dir, 1e-12);
}

#[derive(Clone, Debug, Differentiable)]
pub struct Layer {
    w: [[f64; 3]; 4],
    b: [f64; 4],
}

#[derive(Clone, Debug, Differentiable)]
pub struct Mlp {
    l1: Layer,
    w2: [f64; 4],
    b2: f64,
    #[passive]
    leak: f64,
}

#[differentiable]
impl Layer {
    fn forward(&self, x: &[f64; 3]) -> [f64; 4] {
        let mut h = [0.0; 4];
        for (i, row) in self.w.iter().enumerate() {
            h[i] = row.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + self.b[i];
        }
        h
    }
}

#[differentiable]
impl Mlp {
    /// The network as one first writes it: the layer's output bound without its type.
    fn forward(&self, x: &[f64; 3]) -> f64 {
        let h = self.l1.forward(x);
        let a: Vec<f64> = h
            .iter()
            .map(|&z| if z > 0.0 { z } else { self.leak * z })
            .collect();
        a.iter().zip(&self.w2).map(|(a, w)| a * w).sum::<f64>() + self.b2
    }

    fn loss(&self, xs: &[[f64; 3]], ys: &[f64]) -> f64 {
        let n = xs.len() as f64;
        xs.iter()
            .zip(ys)
            .map(|(x, y)| (self.forward(x) - y).powi(2))
            .sum::<f64>()
            / n
    }
}

fn mlp() -> Mlp {
    let w = [
        [0.1, 0.2, -0.3],
        [0.4, -0.5, 0.6],
        [-0.7, 0.8, 0.9],
        [0.15, 0.25, 0.35],
    ];
    let l1 = Layer {
        w,
        b: [0.0, 0.1, -0.1, 0.2],
    };
    Mlp {
        l1,
        w2: [0.5, -0.4, 0.3, 0.2],
        b2: 0.1,
        leak: 0.01,
    }
}

#[test]
fn a_layer_output_bound_without_its_type() {
    let m = mlp();
    let xs = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [-0.3, 0.2, 0.1]];
    let ys = [1.0, 2.0, -0.5];
    let (v, g) = m.loss_grad(&xs, &ys);
    assert_eq!(v, m.loss(&xs, &ys));
    let mut x = vec![0.0; Mlp::DIM];
    m.flatten_into(&mut x);
    let mut gf = vec![0.0; Mlp::DIM];
    g.flatten_into(&mut gf);
    let f = |p: &[f64]| m.with_flat(p).loss(&xs, &ys);
    for k in 0..Mlp::DIM {
        let mut e = vec![0.0; Mlp::DIM];
        e[k] = 1.0;
        assert_fd(&Mlp::names()[k], &f, &x, &e, gf[k], 1e-7);
    }
    let dir: Vec<f64> = (0..Mlp::DIM)
        .map(|k| ((k * 7 % 11) as f64 - 5.0) / 5.0)
        .collect();
    let (_, jv) = m.loss_jvp(&xs, &ys, &m.with_flat(&dir));
    assert_dot("mlp", 1.0, jv, &gf, &dir, 1e-12);
}

#[differentiable]
fn scaled<const N: usize>(x: &[f64; N], k: f64) -> [f64; N] {
    let mut y = [0.0; N];
    for i in 0..N {
        y[i] = k * x[i];
    }
    y
}

/// A generic helper's result: its length from the arguments (a parameter, a local, a literal).
#[differentiable]
fn through_generic(x: &[f64; 2]) -> f64 {
    let p = scaled(x, 2.0);
    let a = [x[0], 1.0, x[1]];
    let q = scaled(&a, 3.0);
    let r = scaled(&[x[1], x[0]], 0.5);
    p[0] * p[1] + q[2] + r[0] * q[0]
}

#[test]
fn a_generic_helpers_result_bound_without_its_type() {
    let x = [1.0, 2.0];
    let (v, g) = through_generic::grad(&x);
    // 4 x0 x1 + 3 x1 + 1.5 x1 x0
    assert_eq!(v, 4.0 * 2.0 + 6.0 + 3.0);
    assert_eq!(g, [4.0 * 2.0 + 1.5 * 2.0, 4.0 + 3.0 + 1.5]);
}

#[derive(Clone, Debug, Differentiable)]
pub struct Rows {
    w: f64,
    s: [[f64; 2]; 2],
    b: [f64; 2],
}

#[differentiable]
fn combine(a: f64, b: f64, r: &[f64]) -> [f64; 3] {
    [a + r[0], b * r[1], a * b]
}

#[differentiable]
impl Rows {
    /// A matrix field's row and an array field passed to a helper returning an array (random
    /// programs, seeds 0 and 1: the function's flat value called the helper's value variant,
    /// which returns arrays into a buffer).
    fn f(&self, x: f64) -> f64 {
        let r = combine(self.w * x, self.w, &self.s[1]);
        let q: [f64; 3] = combine(x, x, &self.b);
        r[1] + r[2] * q[0]
    }
}

#[test]
fn struct_parts_passed_to_a_helper_returning_an_array() {
    let m = Rows {
        w: 0.5,
        s: [[1.0, 2.0], [3.0, 4.0]],
        b: [0.1, 0.2],
    };
    let x = 2.0;
    let (v, g) = m.f_grad(x);
    // w s11 + w^2 x (x + b0)
    assert_eq!(v, m.f(x));
    assert_eq!(v, 0.5 * 4.0 + 0.25 * 2.0 * 2.1);
    assert_eq!(
        (g.w, g.s, g.b),
        (
            4.0 + 2.0 * 0.5 * 2.0 * 2.1,
            [[0.0, 0.0], [0.0, 0.5]],
            [0.5, 0.0]
        )
    );
    let objective = Rows::f_objective(&m, x);
    let mut og = [0.0; 7];
    let ov =
        autodiff::Objective::value_grad(&objective, &[0.5, 1.0, 2.0, 3.0, 4.0, 0.1, 0.2], &mut og);
    assert_eq!(ov, v);
}
