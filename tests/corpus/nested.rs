//! Nested models: a struct whose fields are other parameter structs, passed whole to helpers
//! and used through their own methods (`self.l1.forward(x)`), as PyTorch modules nest.

use crate::*;
use autodiff::{differentiable, Differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Dense {
    pub w: [[f64; 2]; 2],
    pub b: [f64; 2],
}

#[differentiable(wrt(d))]
fn dense_norm(d: &Dense) -> f64 {
    d.w[0][0] * d.w[1][1] + d.b[0] * d.b[1]
}

#[derive(Clone, Debug, Differentiable)]
pub struct Two {
    pub l1: Dense,
    pub l2: Dense,
    pub s: f64,
}

#[differentiable(wrt(t))]
fn two_energy(t: &Two) -> f64 {
    dense_norm(&t.l1) + t.s * dense_norm(&t.l2)
}

#[test]
fn nested_struct_passed_whole() {
    let t = Two {
        l1: Dense {
            w: [[1.0, 2.0], [3.0, 4.0]],
            b: [0.5, -0.5],
        },
        l2: Dense {
            w: [[-1.0, 0.2], [0.3, 2.0]],
            b: [1.5, 2.0],
        },
        s: 0.7,
    };
    let (v, g) = two_energy::grad(&t);
    assert_eq!(v, two_energy(&t));
    assert_eq!(g.l1.w, [[4.0, 0.0], [0.0, 1.0]]);
    assert_eq!(g.s, dense_norm(&t.l2));
}

#[derive(Clone, Debug, Differentiable)]
pub struct Mlp2 {
    pub hidden: Dense,
    pub out: Dense,
    pub scale: f64,
}

#[differentiable]
impl Dense {
    pub fn unit(&self, k: usize, x: &[f64; 2]) -> f64 {
        (self.w[k][0] * x[0] + self.w[k][1] * x[1] + self.b[k]).tanh()
    }
}

#[differentiable]
impl Mlp2 {
    pub fn predict(&self, x: &[f64; 2]) -> f64 {
        let h = [self.hidden.unit(0, x), self.hidden.unit(1, x)];
        self.scale * (self.out.unit(0, &h) + self.out.unit(1, &h))
    }
}

fn sample_mlp2() -> Mlp2 {
    Mlp2 {
        hidden: Dense {
            w: [[0.3, -0.4], [0.8, 0.1]],
            b: [0.05, -0.2],
        },
        out: Dense {
            w: [[1.1, -0.7], [0.2, 0.9]],
            b: [0.0, 0.3],
        },
        scale: 1.5,
    }
}

#[test]
fn methods_of_nested_structs() {
    let m = sample_mlp2();
    let x = [0.4, -1.2];
    let (v, g) = m.predict_grad(&x);
    assert_eq!(v, m.predict(&x));
    let mut p = vec![0.0; Mlp2::DIM];
    m.flatten_into(&mut p);
    let mut gf = vec![0.0; Mlp2::DIM];
    g.flatten_into(&mut gf);
    let h = 1e-6;
    for k in 0..Mlp2::DIM {
        let (mut a, mut b) = (p.clone(), p.clone());
        a[k] += h;
        b[k] -= h;
        let fd = (m.with_flat(&a).predict(&x) - m.with_flat(&b).predict(&x)) / (2.0 * h);
        assert_close(gf[k], fd, 1e-8, 1.0, &Mlp2::names()[k]);
    }
}

#[test]
fn nested_models_forward_reverse_and_second_order() {
    let m = sample_mlp2();
    let x = [0.4, -1.2];
    let flat = |q: &[f64]| m.with_flat(q);
    let fns = Fns {
        f: &|q| flat(q).predict(&x),
        jvp: &|q, d| flat(q).predict_jvp(&x, &flat(d)),
        vjp: &|q, seed, bar| {
            let mut b = flat(bar);
            let v = flat(q).predict_vjp(&x, seed, &mut b);
            b.flatten_into(bar);
            v
        },
        grad: &|q| {
            let (v, g) = flat(q).predict_grad(&x);
            let mut out = vec![0.0; Mlp2::DIM];
            g.flatten_into(&mut out);
            (v, out)
        },
    };
    let mut p = vec![0.0; Mlp2::DIM];
    m.flatten_into(&mut p);
    check("nested modules", &fns, &p);
    let dir: Vec<f64> = (0..Mlp2::DIM).map(|k| (k as f64 * 0.7).cos()).collect();
    let (_, _, hv) = m.predict_hvp(&x, &m.with_flat(&dir));
    let mut h = vec![0.0; Mlp2::DIM];
    hv.flatten_into(&mut h);
    check_hvp("nested modules", &|q| (fns.grad)(q).1, &p, &dir, &h);
}
