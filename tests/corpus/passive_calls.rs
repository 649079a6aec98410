//! Functions reading passive fields, called from other `#[differentiable]` functions as one
//! splits a model into helpers: a free function, a method of another block, a nested struct
//! passed on (`&n.hidden`) or called (`self.hidden.norm()`), through two levels. Each against
//! the same model written in plain Rust (value bitwise, gradient by finite differences), the
//! dot-product identity, the Hessian-vector product by finite differences of the gradient, and
//! through `objective` with L-BFGS.

use crate::common::{assert_dot, assert_fd};
use autodiff::{differentiable, Differentiable};

/// A layer whose activation and number of inputs are chosen at run time.
#[derive(Clone, Debug, Differentiable)]
pub struct Dense {
    w: [[f64; 3]; 2],
    b: [f64; 2],
    #[passive]
    relu: bool,
    #[passive]
    used: usize,
}

/// The network and its data.
#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    hidden: Dense,
    out: [f64; 2],
    #[passive]
    scale: f64,
    #[passive]
    xs: Vec<[f64; 3]>,
    #[passive]
    ys: Vec<f64>,
}

/// Reads a passive field of the struct it is given.
#[differentiable(wrt(d, z))]
fn activate(d: &Dense, z: f64) -> f64 {
    if d.relu {
        if z > 0.0 {
            z
        } else {
            0.01 * z
        }
    } else {
        z.tanh()
    }
}

/// Reads one itself, and passes the struct on to a function reading another.
#[differentiable(wrt(d))]
fn unit(d: &Dense, j: usize, x: &[f64; 3]) -> f64 {
    let mut z = d.b[j];
    for k in 0..d.used {
        z += d.w[j][k] * x[k];
    }
    activate(d, z)
}

#[differentiable]
impl Dense {
    /// A penalty that depends on the configuration.
    pub fn norm(&self) -> f64 {
        let mut s = 0.0;
        for j in 0..2 {
            for k in 0..self.used {
                s += self.w[j][k] * self.w[j][k];
            }
        }
        if self.relu {
            s
        } else {
            0.5 * s
        }
    }
}

/// Reads no passive field of `n` but passes its nested struct on.
#[differentiable(wrt(n))]
fn predict(n: &Net, x: &[f64; 3]) -> f64 {
    let mut y = 0.0;
    for j in 0..2 {
        y += n.out[j] * unit(&n.hidden, j, x);
    }
    y
}

/// Reads a passive field; called as `out_norm(&self)` (a `&&Net`, coerced).
#[differentiable(wrt(n))]
fn out_norm(n: &Net) -> f64 {
    n.scale * (n.out[0] * n.out[0] + n.out[1] * n.out[1])
}

#[differentiable]
impl Net {
    /// Mean squared error over the data it holds, plus a penalty from a nested struct's method.
    #[allow(clippy::needless_borrow)] // (`&self` as first written)
    pub fn loss(&self) -> f64 {
        let mut l = 0.0;
        for i in 0..self.xs.len() {
            let r = self.scale * predict(self, &self.xs[i]) - self.ys[i];
            l += r * r;
        }
        l / self.xs.len() as f64 + 1e-2 * self.hidden.norm() + 1e-3 * out_norm(&self)
    }
}

/// The same network in plain Rust.
fn loss_plain(n: &Net) -> f64 {
    let d = &n.hidden;
    let act = |z: f64| {
        if d.relu {
            if z > 0.0 {
                z
            } else {
                0.01 * z
            }
        } else {
            z.tanh()
        }
    };
    let mut l = 0.0;
    for (x, yt) in n.xs.iter().zip(&n.ys) {
        let mut y = 0.0;
        for j in 0..2 {
            let mut z = d.b[j];
            for k in 0..d.used {
                z += d.w[j][k] * x[k];
            }
            y += n.out[j] * act(z);
        }
        let r = n.scale * y - yt;
        l += r * r;
    }
    let mut s = 0.0;
    for j in 0..2 {
        for k in 0..d.used {
            s += d.w[j][k] * d.w[j][k];
        }
    }
    let s = if d.relu { s } else { 0.5 * s };
    let o = n.scale * (n.out[0] * n.out[0] + n.out[1] * n.out[1]);
    l / n.xs.len() as f64 + 1e-2 * s + 1e-3 * o
}

fn net(relu: bool, used: usize) -> Net {
    Net {
        hidden: Dense {
            w: [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]],
            b: [0.05, -0.13],
            relu,
            used,
        },
        out: [0.7, -0.4],
        scale: 1.5,
        xs: vec![
            [1.0, 0.5, -0.3],
            [-0.2, 0.8, 0.1],
            [0.6, -0.7, 0.9],
            [0.3, 0.3, 0.3],
        ],
        ys: vec![0.2, -0.1, 0.4, 0.0],
    }
}

fn flat(n: &Net) -> Vec<f64> {
    let mut v = vec![0.0; Net::DIM];
    n.flatten_into(&mut v);
    v
}

#[test]
fn passive_fields_read_by_helpers_at_every_depth() {
    for (relu, used) in [(false, 3), (true, 3), (false, 2), (true, 1)] {
        let n = net(relu, used);
        let what = format!("relu {relu}, used {used}");
        let (v, g) = n.loss_grad();
        assert_eq!(v.to_bits(), loss_plain(&n).to_bits(), "{what}: value");
        assert_eq!(v.to_bits(), n.loss().to_bits(), "{what}: the user's method");
        let x = flat(&n);
        let f = |p: &[f64]| loss_plain(&n.with_flat(p));
        for k in 0..Net::DIM {
            let mut e = vec![0.0; Net::DIM];
            e[k] = 1.0;
            assert_fd(
                &format!("{what}: d/d{}", Net::names()[k]),
                &f,
                &x,
                &e,
                flat(&g)[k],
                1e-6,
            );
        }
        // Unused inputs get no gradient; the passive fields come back as they were.
        if used < 3 {
            assert_eq!(g.hidden.w[0][2], 0.0, "{what}");
        }
        assert_eq!((g.hidden.relu, g.hidden.used, g.scale), (relu, used, 1.5));
        // Forward against reverse: the dot identity.
        let dir = n.with_flat(&[0.3, -0.5, 0.2, 0.1, 0.7, -0.4, 0.25, -0.15, 0.6, -0.2]);
        let (vj, jv) = n.loss_jvp(&dir);
        assert_eq!(vj.to_bits(), v.to_bits());
        let mut bar = n.with_flat(&[0.0; 10]);
        n.loss_vjp(0.75, &mut bar);
        assert_dot(&what, 0.75, jv, &flat(&bar), &flat(&dir), 1e-12);
        // Second order: H v against central differences of the gradient.
        let (_, gh, hv) = n.loss_hvp(&dir);
        assert_eq!(flat(&gh), flat(&g));
        let h = 1e-5;
        let at = |t: f64| {
            let p: Vec<f64> = (0..Net::DIM).map(|k| x[k] + t * flat(&dir)[k]).collect();
            flat(&n.with_flat(&p).loss_grad().1)
        };
        let (gp, gm) = (at(h), at(-h));
        for k in 0..Net::DIM {
            let fd = (gp[k] - gm[k]) / (2.0 * h);
            assert!(
                (flat(&hv)[k] - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                "{what}: H v[{k}]: {} vs {fd}",
                flat(&hv)[k]
            );
        }
    }
}

#[test]
fn a_model_split_into_helpers_trains_through_its_objective(
) -> Result<(), autodiff::optim::OptimError> {
    use autodiff::optim::{minimize, LbfgsConfig, StopRules};
    let n = net(false, 3);
    let objective = Net::loss_objective(&n);
    // The objective is the method on the flattened fields: value and gradient bit for bit.
    let (x, (v, g)) = (flat(&n), n.loss_grad());
    let mut og = vec![0.0; Net::DIM];
    let ov = autodiff::Objective::value_grad(&objective, &x, &mut og);
    assert_eq!((ov.to_bits(), og), (v.to_bits(), flat(&g)));
    let mut p = autodiff::Flat::new(n.clone());
    let report = minimize(&objective, &mut p)
        .with(LbfgsConfig::default())
        .stop(StopRules::max_iterations(50))
        .run()?;
    let trained = p.into_inner();
    let after = trained.loss();
    assert!(after < 0.1 * v, "{v} -> {after}");
    assert_eq!(after.to_bits(), report.value.to_bits());
    assert_eq!(
        (trained.xs, trained.hidden.used),
        (n.xs, 3),
        "passive fields kept"
    );
    Ok(())
}

/// A tuple struct whose passive field is `.0`.
#[derive(Clone, Debug, Differentiable)]
pub struct Picked(#[passive] usize, [f64; 3]);

#[differentiable(wrt(p))]
fn picked(p: &Picked) -> f64 {
    p.1[p.0] * p.1[0]
}

#[differentiable(wrt(p))]
fn picked_twice(p: &Picked) -> f64 {
    picked(p) + picked(p).sin()
}

#[test]
fn a_tuple_struct_passive_field_zero() {
    let p = Picked(2, [1.5, -0.5, 2.0]);
    let (v, g) = picked_twice::grad(&p);
    let s: f64 = 1.5 * 2.0;
    assert_eq!(v, s + s.sin());
    let d = 1.0 + s.cos();
    for (k, want) in [2.0 * d, 0.0, 1.5 * d].into_iter().enumerate() {
        assert!(
            (g.1[k] - want).abs() <= 1e-14 * want.abs(),
            "{k}: {} vs {want}",
            g.1[k]
        );
    }
    assert_eq!(g.0, 2);
}
