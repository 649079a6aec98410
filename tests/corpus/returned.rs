//! Structs returned from differentiable functions: a pose made from a parameter vector by a
//! helper, a method returning a changed copy of its struct, a nested struct returned, and the
//! results bound in callers with or without their types (`let p = pose_of(x);`). The returned
//! struct's `jvp`, `vjp` and `jacobian` take and give structs (passive fields from the function's
//! own value); each against finite differences, the dot-product identity and a twin written on
//! flat values.

use crate::*;
use autodiff::{differentiable, Differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Frame {
    pub angle: f64,
    pub t: [f64; 2],
    #[passive]
    pub id: u32,
}

#[differentiable]
fn frame_of(x: &[f64; 3]) -> Frame {
    let c = x[0].cos();
    Frame {
        angle: x[0] * 2.0,
        t: [x[1] * c, x[2] * x[0]],
        id: 7,
    }
}

#[differentiable]
impl Frame {
    /// A copy scaled by `k` (a changed copy of `self`).
    pub fn scaled(&self, k: f64) -> Self {
        if k > 1.0 {
            return Self {
                angle: self.angle * k,
                t: [self.t[0], self.t[1] * k],
                id: 1,
            };
        }
        Frame {
            angle: self.angle,
            t: [self.t[0] * k, self.t[1]],
            id: 2,
        }
    }

    /// `&self` passed on from a method taking `self` (random-program finding: `&&[f; N]` to
    /// the generic code, E0308 and E0061 on the attribute).
    pub fn norm_by_value(self) -> f64 {
        frame_norm(&self) * self.angle
    }

    #[allow(clippy::needless_borrow)] // as first written
    pub fn norm_by_ref(&self) -> f64 {
        frame_norm(&self) + frame_norm(self)
    }

    pub fn residual(&self, q: &[f64; 2], target: &[f64; 2]) -> f64 {
        let (s, c) = self.angle.sin_cos();
        let u = c * q[0] - s * q[1] + self.t[0] - target[0];
        let v = s * q[0] + c * q[1] + self.t[1] - target[1];
        u * u + v * v
    }
}

#[differentiable(wrt(f))]
fn frame_norm(f: &Frame) -> f64 {
    f.angle * f.angle + f.t[0] * f.t[1]
}

#[test]
fn self_passed_on_by_reference() {
    let f = frame_of(&[0.4, -1.3, 0.8]);
    let (v, g) = f.clone().norm_by_value_grad();
    assert_eq!(v, frame_norm(&f) * f.angle);
    let (gn, ga) = (frame_norm::grad(&f).1, f.angle);
    assert_close(
        g.angle,
        gn.angle * ga + frame_norm(&f),
        1e-15,
        1.0,
        "by value",
    );
    assert_eq!(g.t, [gn.t[0] * ga, gn.t[1] * ga]);
    let (v, g) = f.norm_by_ref_grad();
    assert_eq!(v, 2.0 * frame_norm(&f));
    assert_eq!(g.t, [2.0 * gn.t[0], 2.0 * gn.t[1]]);
}

/// Frames returned by a helper and a method, bound as one writes it (without their types, the
/// attribute finds them through the callees) and with their types.
#[differentiable(wrt(x))]
fn chained(x: &[f64; 3], q: &[f64; 2], target: &[f64; 2]) -> f64 {
    let f = frame_of(x);
    let g: Frame = f.scaled(1.5);
    let h = Frame::scaled(&g, 0.5);
    f.residual(q, target) + g.residual(q, target) * h.t[0]
}

fn chained_twin(x: &[f64; 3], q: &[f64; 2], target: &[f64; 2]) -> f64 {
    let f = frame_of(x);
    let g = f.scaled(1.5);
    let h = g.scaled(0.5);
    f.residual(q, target) + g.residual(q, target) * h.t[0]
}

#[test]
fn frames_returned_and_bound_with_their_types() {
    let x = [0.4, -1.3, 0.8];
    let (q, target) = ([1.0, 0.5], [0.3, -0.2]);
    let (v, g) = chained::grad(&x, &q, &target);
    assert_eq!(v, chained(&x, &q, &target));
    assert_eq!(v, chained_twin(&x, &q, &target));
    let arr = |p: &[f64]| -> [f64; 3] { p.try_into().unwrap() };
    let fns = Fns {
        f: &|p| chained(&arr(p), &q, &target),
        jvp: &|p, d| chained::jvp(&arr(p), &q, &target, &arr(d)),
        vjp: &|p, seed, bar| {
            let mut b = arr(bar);
            let v = chained::vjp(&arr(p), &q, &target, seed, &mut b);
            bar.copy_from_slice(&b);
            v
        },
        grad: &|p| {
            let (v, g) = chained::grad(&arr(p), &q, &target);
            (v, g.to_vec())
        },
    };
    assert_eq!(check("returned frames", &fns, &x), g.to_vec());
    let dir = [0.5, -0.25, 1.0];
    let (_, _, hv) = chained::hvp(&x, &q, &target, &dir);
    check_hvp("returned frames", &|p| (fns.grad)(p).1, &x, &dir, &hv);
}

/// The returned struct's own derivatives: `jvp` gives the value and the tangent as frames (the
/// passive `id` from the function's value), `vjp` takes a frame seed, `jacobian` rows are the
/// flattened fields; against finite differences and each other.
#[test]
fn derivatives_of_a_returned_frame() {
    let x = [0.4, -1.3, 0.8];
    let flat = |f: &Frame| {
        let mut o = [0.0; Frame::DIM];
        f.flatten_into(&mut o);
        o
    };
    let (value, jac) = frame_of::jacobian(&x);
    assert_eq!(value, frame_of(&x));
    assert_eq!(value.id, 7);
    let h = 1e-6;
    for i in 0..3 {
        let mut d = [0.0; 3];
        d[i] = 1.0;
        let (v, t) = frame_of::jvp(&x, &d);
        assert_eq!(v, value);
        assert_eq!(t.id, 7, "the tangent's passive fields are the value's");
        let (mut a, mut b) = (x, x);
        a[i] += h;
        b[i] -= h;
        let (fa, fb) = (flat(&frame_of(&a)), flat(&frame_of(&b)));
        for k in 0..Frame::DIM {
            let fd = (fa[k] - fb[k]) / (2.0 * h);
            assert_close(
                flat(&t)[k],
                fd,
                1e-8,
                1.0,
                &format!("d{}/dx{i}", Frame::names()[k]),
            );
            assert_eq!(jac[k][i], flat(&t)[k]);
        }
    }
    // Dot-product identity: <seed, J d> = <J^T seed, d>.
    let seed = Frame {
        angle: 0.7,
        t: [-1.1, 0.4],
        id: 0,
    };
    let d = [0.3, -0.8, 1.2];
    let (_, t) = frame_of::jvp(&x, &d);
    let mut bar = [0.0; 3];
    let v = frame_of::vjp(&x, &seed, &mut bar);
    assert_eq!(v, value);
    let lhs: f64 = flat(&seed).iter().zip(flat(&t)).map(|(a, b)| a * b).sum();
    let rhs: f64 = bar.iter().zip(d).map(|(a, b)| a * b).sum();
    assert_close(lhs, rhs, 1e-14, 1.0, "dot-product identity");
    // A method returning a struct: its jvp in `self`.
    let f = frame_of(&x);
    let df = Frame {
        angle: 1.0,
        t: [0.5, -0.5],
        id: 0,
    };
    let (v, t) = f.scaled_jvp(1.5, &df);
    assert_eq!(v, f.scaled(1.5));
    assert_eq!((t.angle, t.t, t.id), (1.5, [0.5, -0.75], 1));
}

#[derive(Clone, Debug, Differentiable)]
pub struct Rig {
    pub base: Frame,
    pub arm: f64,
}

/// A nested struct returned (its nested field built by a helper's result and a literal).
#[differentiable]
fn rig_of(x: &[f64; 3]) -> Rig {
    let base: Frame = frame_of(x);
    Rig {
        arm: x[1] * x[2],
        base,
    }
}

#[differentiable(wrt(x))]
fn rig_energy(x: &[f64; 3]) -> f64 {
    let r = rig_of(x);
    let typed: Rig = rig_of(x);
    r.arm * r.base.angle + typed.base.t[1]
}

#[test]
fn nested_struct_returned() {
    let x = [0.4, -1.3, 0.8];
    let r = rig_of(&x);
    let (v, g) = rig_energy::grad(&x);
    assert_eq!(v, r.arm * r.base.angle + r.base.t[1]);
    for i in 0..3 {
        let mut e = [0.0; 3];
        e[i] = 1.0;
        let f = |p: &[f64]| rig_energy(p.try_into().unwrap());
        assert_close(g[i], central(&f, &x, &e), 1e-8, 1.0, "rig");
    }
    let (v, t) = rig_of::jvp(&x, &[1.0, 0.0, 0.0]);
    assert_eq!((v.base.id, t.base.id), (7, 7));
    assert_eq!(t.arm, 0.0);
    assert_eq!(t.base.angle, 2.0);
}

/// The README's example (section "Models as structs"), as written there.
mod readme {
    use crate::*;
    use autodiff::{differentiable, Differentiable};

    #[derive(Clone, Differentiable)]
    struct Pose {
        angle: f64,
        t: [f64; 2],
    }

    #[differentiable]
    impl Pose {
        fn residual(&self, q: &[f64; 2], target: &[f64; 2]) -> f64 {
            let (s, c) = self.angle.sin_cos();
            (c * q[0] - s * q[1] + self.t[0] - target[0]).powi(2)
                + (s * q[0] + c * q[1] + self.t[1] - target[1]).powi(2)
        }
        fn turned(&self, a: f64) -> Self {
            Self {
                angle: self.angle + a,
                ..*self
            }
        }
    }

    #[differentiable]
    fn pose_of(x: &[f64; 3]) -> Pose {
        Pose {
            angle: x[0],
            t: [x[1], x[2]],
        } // pose_of::jvp gives (Pose, Pose)
    }

    #[differentiable(wrt(x))]
    fn fit(x: &[f64; 3], pts: &[[f64; 2]], targets: &[[f64; 2]]) -> f64 {
        let pose = pose_of(x); // a struct returned, bound without its type
        let turned = pose.turned(0.1); // a method returning `Self`
        let mut s = 0.0;
        for k in 0..pts.len() {
            s += pose.residual(&pts[k], &targets[k]) + 0.1 * turned.residual(&pts[k], &targets[k]);
        }
        s
    }

    /// Results rebound under their own name (`let p = p.turned(..)`): the same type found two
    /// ways, checked equal at compile time.
    #[differentiable(wrt(x))]
    fn rebound(x: &[f64; 3], q: &[f64; 2], target: &[f64; 2]) -> f64 {
        let p = pose_of(x);
        let p = p.turned(0.25);
        let p = Pose::turned(&p, 0.5);
        p.residual(q, target)
    }

    #[test]
    fn results_rebound_under_their_name() {
        let x = [0.3, -0.2, 0.9];
        let (q, target) = ([1.0, 0.5], [0.2, 1.4]);
        let (v, g) = rebound::grad(&x, &q, &target);
        let p = pose_of(&x).turned(0.25).turned(0.5);
        assert_eq!(v, p.residual(&q, &target));
        for i in 0..3 {
            let mut e = [0.0; 3];
            e[i] = 1.0;
            let f = |y: &[f64]| rebound(y.try_into().unwrap(), &q, &target);
            assert_close(g[i], central(&f, &x, &e), 1e-8, 1.0, "rebound");
        }
    }

    #[test]
    fn readme_pose_example() {
        let (pts, targets) = ([[1.0, 0.5], [-0.3, 2.0]], [[0.2, 1.4], [-1.9, 0.6]]);
        let x = [0.3, -0.2, 0.9];
        let (v, g) = fit::grad(&x, &pts, &targets);
        assert_eq!(v, fit(&x, &pts, &targets));
        for i in 0..3 {
            let mut e = [0.0; 3];
            e[i] = 1.0;
            let f = |p: &[f64]| fit(p.try_into().unwrap(), &pts, &targets);
            assert_close(g[i], central(&f, &x, &e), 1e-8, 1.0, "README fit");
        }
        let (p, dp) = pose_of::jvp(&x, &[1.0, 0.0, 0.0]);
        assert_eq!((p.angle, dp.angle, dp.t), (0.3, 1.0, [0.0, 0.0]));
    }
}

/// A struct of `f32`, through a function whose signature names no float: differentiated in
/// the struct's float type (the derive tells the attribute).
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Small {
    pub a: f32,
    pub b: [f32; 2],
}

#[differentiable(wrt(p))]
fn mixed_small(p: &Small) -> Small {
    Small {
        a: p.a * 2.0,
        b: [p.b[1], p.a * p.b[0]],
    }
}

#[test]
fn f32_struct_without_a_float_in_the_signature() {
    let p = Small {
        a: 1.5,
        b: [2.0, -1.0],
    };
    let (v, d) = mixed_small::jvp(
        &p,
        &Small {
            a: 1.0,
            b: [0.5, 0.25],
        },
    );
    assert_eq!(v, mixed_small(&p));
    // d(2a) = 2 da, d(b1) = db1, d(a b0) = b0 da + a db0.
    assert_eq!((d.a, d.b), (2.0, [0.25, 2.0 * 1.0 + 1.5 * 0.5]));
    let seed = Small {
        a: 1.0,
        b: [0.0, 1.0],
    };
    let mut bar = Small {
        a: 0.0,
        b: [0.0; 2],
    };
    mixed_small::vjp(&p, &seed, &mut bar);
    // seed . J: 2 + b0 for a, a for b0, 0 for b1.
    assert_eq!((bar.a, bar.b), (2.0 + 2.0, [1.5, 0.0]));
}
