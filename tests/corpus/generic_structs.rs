//! Const-generic models as one writes them: `struct Mlp<const H: usize>` with its methods in
//! `impl<const H: usize> Mlp<H>`, and free functions generic over the size. Inside a generic
//! function the struct is flattened into a slice (an array's length cannot name `H` there);
//! each against the same model written for a concrete size (flattened into an array), bitwise,
//! and against finite differences, the dot-product identity and the optimizers.

use crate::common::{assert_dot, assert_fd};
use autodiff::optim::{minimize, GradNorm, LbfgsConfig, StopRules};
use autodiff::{differentiable, Differentiable, Flat};

/// A one-hidden-layer network of `H` tanh units over two inputs.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Mlp<const H: usize> {
    pub w1: [[f64; 2]; H],
    pub b1: [f64; H],
    pub w2: [f64; H],
    pub b2: f64,
    #[passive]
    pub decay: f64,
}

#[differentiable]
impl<const H: usize> Mlp<H> {
    /// The network's output at `x`.
    pub fn predict(&self, x: &[f64; 2]) -> f64 {
        let mut out = self.b2;
        for j in 0..H {
            let z = self.w1[j][0] * x[0] + self.w1[j][1] * x[1] + self.b1[j];
            out += self.w2[j] * z.tanh();
        }
        out
    }

    /// Mean squared error plus weight decay on the output layer.
    pub fn loss(&self, xs: &[[f64; 2]], ys: &[f64]) -> f64 {
        let mut l = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let r = self.predict(x) - y;
            l += r * r;
        }
        let decay: f64 = self.w2.iter().map(|w| w * w).sum();
        l / xs.len() as f64 + self.decay * decay
    }

    /// An associated function using the size: `Mlp::<H>::scaled(x)`.
    pub fn scaled(x: f64) -> f64 {
        x * x * H as f64
    }
}

/// The same loss written for `H = 3` (not generic: the struct flattened into an array).
#[differentiable(wrt(m))]
fn loss3(m: &Mlp<3>, xs: &[[f64; 2]], ys: &[f64]) -> f64 {
    let mut l = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let mut out = m.b2;
        for j in 0..3 {
            let z = m.w1[j][0] * x[0] + m.w1[j][1] * x[1] + m.b1[j];
            out += m.w2[j] * z.tanh();
        }
        let r = out - y;
        l += r * r;
    }
    let decay: f64 = m.w2.iter().map(|w| w * w).sum();
    l / xs.len() as f64 + m.decay * decay
}

/// A free function generic over the size, over the generic struct.
#[differentiable(wrt(m))]
fn energy<const H: usize>(m: &Mlp<H>, t: f64) -> f64 {
    let mut e = m.b2 * t;
    for j in 0..H {
        e += m.w2[j] * m.b1[j] + (m.w1[j][0] * t).sin();
    }
    e
}

fn net() -> Mlp<3> {
    Mlp {
        w1: [[0.3, -0.5], [0.8, 0.1], [-0.4, 0.6]],
        b1: [0.1, -0.2, 0.05],
        w2: [0.7, -0.3, 0.5],
        b2: 0.2,
        decay: 0.01,
    }
}

fn data() -> (Vec<[f64; 2]>, Vec<f64>) {
    let xs: Vec<[f64; 2]> = (0..12)
        .map(|i| [-1.0 + 0.2 * i as f64, 0.5 - 0.1 * i as f64])
        .collect();
    let ys = xs
        .iter()
        .map(|x| (x[0] * x[1]).sin() + 0.5 * x[0])
        .collect();
    (xs, ys)
}

fn flat<T: Differentiable<Float = f64>>(t: &T) -> Vec<f64> {
    let mut v = vec![0.0; t.dim()];
    t.flatten_into(&mut v);
    v
}

#[test]
fn a_generic_impl_block_is_differentiated_like_the_concrete_function() {
    let (m, (xs, ys)) = (net(), data());
    let (v, g) = m.loss_grad(&xs, &ys);
    let (vc, gc) = loss3::grad(&m, &xs, &ys);
    assert_eq!(v, m.loss(&xs, &ys));
    assert_eq!(v.to_bits(), vc.to_bits());
    assert_eq!(
        g, gc,
        "the generic method's gradient is the concrete function's"
    );
    assert_eq!(g.decay, m.decay);
    // Forward mode against finite differences, the dot identity, the HVP of the concrete one.
    let dir = m.with_flat(
        &(0..m.dim())
            .map(|k| 0.3 - 0.05 * k as f64)
            .collect::<Vec<_>>(),
    );
    let f = |p: &[f64]| m.with_flat(p).loss(&xs, &ys);
    let (_, jv) = m.loss_jvp(&xs, &ys, &dir);
    assert_fd("generic mlp", &f, &flat(&m), &flat(&dir), jv, 1e-7);
    let mut bar = m.with_flat(&vec![0.0; m.dim()]);
    m.loss_vjp(&xs, &ys, 0.75, &mut bar);
    assert_dot("generic mlp", 0.75, jv, &flat(&bar), &flat(&dir), 1e-12);
    let (_, _, hv) = m.loss_hvp(&xs, &ys, &dir);
    let (_, _, hvc) = loss3::hvp(&m, &xs, &ys, &dir);
    assert_eq!(hv, hvc);
    // `objective`, and L-BFGS through `Flat` on a struct of another size.
    let obj = Mlp::loss_objective(&m, &xs, &ys);
    let mut og = vec![0.0; m.dim()];
    let ov = autodiff::Objective::value_grad(&obj, &flat(&m), &mut og);
    assert_eq!((ov.to_bits(), og), (v.to_bits(), flat(&g)));
    let wide: Mlp<5> = Mlp {
        w1: [[0.2, 0.1]; 5],
        b1: [0.0, 0.1, -0.1, 0.2, -0.2],
        w2: [0.1; 5],
        b2: 0.0,
        decay: 1e-4,
    };
    let mut p = Flat::new(wide.clone());
    let r = minimize(&Mlp::loss_objective(&wide, &xs, &ys), &mut p)
        .with(LbfgsConfig::default())
        .stop(StopRules::max_iterations(300).grad_norm(GradNorm::Inf, 1e-9))
        .run()
        .expect("L-BFGS runs");
    assert!(r.value < wide.loss(&xs, &ys) / 10.0, "loss {}", r.value);
    assert_eq!(Mlp::<5>::names()[0], "w1[0][0]");
}

#[test]
fn generic_free_functions_and_associated_functions() {
    let m = net();
    let (v, g) = energy::grad(&m, 0.8);
    assert_eq!(v, energy(&m, 0.8));
    let f = |p: &[f64]| energy(&m.with_flat(p), 0.8);
    for k in 0..m.dim() {
        let mut e = vec![0.0; m.dim()];
        e[k] = 1.0;
        assert_fd(&format!("energy {k}"), &f, &flat(&m), &e, flat(&g)[k], 1e-7);
    }
    // An associated function of the generic block: `2 H x`.
    let (v, d) = Mlp::<3>::scaled_grad(2.0);
    assert_eq!((v, d), (12.0, 12.0));
    let (v, d) = Mlp::<5>::scaled_grad(2.0);
    assert_eq!((v, d), (20.0, 20.0));
}

/// A const-generic network as one first writes it: a `vec![0.0; H]` scratch of hidden units
/// filled over the rows of `w1` (`zip` with a closure naming its item like the method's
/// parameter), a helper over slices, the loss as a chain calling the method.
#[derive(Clone, Debug, Differentiable)]
pub struct Net<const H: usize> {
    pub w1: [[f64; 2]; H],
    pub w2: [f64; H],
    pub b: f64,
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[differentiable]
impl<const H: usize> Net<H> {
    pub fn hidden(&self, x: &[f64; 2]) -> f64 {
        let mut h = vec![0.0; H];
        for (j, row) in self.w1.iter().enumerate() {
            h[j] = row.iter().zip(x).map(|(w, x)| w * x).sum::<f64>().tanh();
        }
        dot(&h, &self.w2) + self.b
    }

    pub fn loss(&self, xs: &[[f64; 2]], ys: &[f64]) -> f64 {
        let total: f64 = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| (self.hidden(x) - y).powi(2))
            .sum();
        total / ys.len() as f64
    }
}

#[test]
fn a_generic_network_as_first_written() {
    let m = Net::<3> {
        w1: [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]],
        w2: [0.7, -0.8, 0.9],
        b: 0.1,
    };
    let (xs, ys) = data();
    let (v, g) = m.loss_grad(&xs, &ys);
    assert_eq!(v, m.loss(&xs, &ys));
    let f = |p: &[f64]| m.with_flat(p).loss(&xs, &ys);
    let q = flat(&m);
    for k in 0..q.len() {
        let mut e = vec![0.0; q.len()];
        e[k] = 1.0;
        assert_fd(&format!("net {k}"), &f, &q, &e, flat(&g)[k], 1e-7);
    }
}
