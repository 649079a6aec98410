//! Matrices as numeric code writes them: `[[f64; N]; M]` locals, `&[[f64; N]; M]` and
//! `&[[f64; N]]` parameters, `m[i][j]` reads and writes (`+=` too), rows passed to helpers
//! (`&m[i]`), names for rows and sub-slices (`let r = &m[i];`, `let c = &x[3..6];`), `m.len()`
//! and `m[i].len()`. The 2-D heat-equation stencil is checked against the same program on dual
//! numbers, finite differences and its Hessian-vector product.

use crate::*;
use autodiff::{differentiable, Scalar};

#[differentiable]
fn row_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// Explicit heat-equation steps on a 4 x 5 grid with fixed boundary, then the squared distance
/// to a target plus a small coupling to the start.
#[differentiable(wrt(u0))]
fn heat(u0: &[[f64; 5]; 4], target: &[[f64; 5]; 4], steps: usize) -> f64 {
    let mut u = [[0.0; 5]; 4];
    for i in 0..4 {
        for j in 0..5 {
            u[i][j] = u0[i][j];
        }
    }
    let mut next = [[0.0; 5]; 4];
    for _ in 0..steps {
        for i in 1..3 {
            for j in 1..4 {
                let lap = u[i - 1][j] + u[i + 1][j] + u[i][j - 1] + u[i][j + 1] - 4.0 * u[i][j];
                next[i][j] = u[i][j] + 0.1 * lap;
            }
        }
        for i in 1..3 {
            for j in 1..4 {
                u[i][j] = next[i][j];
            }
        }
    }
    let mut loss = 0.0;
    for i in 0..u.len() {
        let r = &u[i];
        for j in 0..r.len() {
            let d = r[j] - target[i][j];
            loss += d * d;
        }
        loss += 0.01 * row_dot(&u[i], &u0[i]);
    }
    loss
}

fn heat_generic<S: Scalar<Base = f64>>(u0: &[S], target: &[[f64; 5]; 4], steps: usize) -> S {
    let mut u: Vec<S> = u0.to_vec();
    for _ in 0..steps {
        let mut next = u.clone();
        for i in 1..3 {
            for j in 1..4 {
                let at = |a: usize, b: usize| u[a * 5 + b];
                let lap = at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1)
                    - S::cst(4.0) * at(i, j);
                next[i * 5 + j] = at(i, j) + S::cst(0.1) * lap;
            }
        }
        u = next;
    }
    let mut loss = S::zero();
    for i in 0..4 {
        for j in 0..5 {
            let d = u[i * 5 + j] - S::cst(target[i][j]);
            loss += d * d;
        }
        for j in 0..5 {
            loss += S::cst(0.01) * u[i * 5 + j] * u0[i * 5 + j];
        }
    }
    loss
}

fn to_grid(p: &[f64]) -> [[f64; 5]; 4] {
    let mut g = [[0.0; 5]; 4];
    for i in 0..4 {
        g[i].copy_from_slice(&p[i * 5..(i + 1) * 5]);
    }
    g
}

#[test]
fn heat_stencil_over_a_matrix() {
    let u0: Vec<f64> = (0..20).map(|k| (k as f64 * 0.37).sin()).collect();
    let target = [[0.1; 5]; 4];
    let o = Fns {
        f: &|p: &[f64]| heat(&to_grid(p), &target, 3),
        jvp: &|p: &[f64], v: &[f64]| heat::jvp(&to_grid(p), &target, 3, &to_grid(v)),
        vjp: &|p: &[f64], c: f64, b: &mut [f64]| {
            let mut g = to_grid(b);
            let value = heat::vjp(&to_grid(p), &target, 3, c, &mut g);
            b.copy_from_slice(g.as_flattened());
            value
        },
        grad: &|p: &[f64]| {
            let (value, g): (f64, [[f64; 5]; 4]) = heat::grad(&to_grid(p), &target, 3);
            (value, g.as_flattened().to_vec())
        },
    };
    let g = check("heat", &o, &u0);
    let (_, want) = dual_grad(&|d| heat_generic(d, &target, 3), &u0);
    assert_grad_eq("heat", &g, &want, 1e-13);
    let dir: Vec<f64> = (0..20).map(|k| (k as f64 * 0.91).cos()).collect();
    let (_, _, hv) = heat::hvp(&to_grid(&u0), &target, 3, &to_grid(&dir));
    check_hvp("heat", &|p| (o.grad)(p).1, &u0, &dir, hv.as_flattened());
}

/// A matrix-vector product with a matrix parameter of any number of rows, rows to a helper.
#[differentiable]
fn quad_form(w: &[[f64; 3]], x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        let wx = row_dot(&w[i], x);
        s += wx * wx;
    }
    s
}

/// A camera-like parameter vector with named parts (`let c = &cam[3..6];`).
#[differentiable]
fn named_parts(cam: &[f64], x: &[f64]) -> f64 {
    let c = &cam[3..6];
    let tail = &cam[3..];
    let xo = [x[0] - c[0], x[1] - c[1], x[2] - c[2]];
    row_dot(&xo, c) + tail.len() as f64 * cam[0] + row_dot(&tail[1..], &x[1..])
}

/// A local matrix written with `+=` through rows and elements, then reduced.
#[differentiable]
fn accumulate(x: &[f64; 4]) -> f64 {
    let mut m = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            m[i][j] += x[2 * i + j] * x[2 * j + i];
            m[i][j] *= 1.5;
        }
    }
    let mut s = 0.0;
    for i in 0..m.len() {
        s += row_dot(&m[i], &m[i]) + m[i][0] * m[1][i];
    }
    s
}

#[test]
fn matrix_parameters_rows_and_named_parts() {
    let w = vec![[0.5, -1.0, 0.25], [1.5, 0.5, -0.5]];
    let x = [0.3, -0.7, 1.1];
    let (v, (gw, gx)) = quad_form::grad(&w, &x);
    assert_eq!(v, quad_form(&w, &x));
    // d/dW_ij = 2 (W x)_i x_j, d/dx = 2 W^T W x
    for i in 0..2 {
        let wx: f64 = (0..3).map(|j| w[i][j] * x[j]).sum();
        for j in 0..3 {
            assert_close(gw[i][j], 2.0 * wx * x[j], 1e-14, 1.0, "quad_form dW");
        }
    }
    let mut want_x = [0.0; 3];
    for i in 0..2 {
        let wx: f64 = (0..3).map(|j| w[i][j] * x[j]).sum();
        for j in 0..3 {
            want_x[j] += 2.0 * wx * w[i][j];
        }
    }
    assert_grad_eq("quad_form dx", &gx, &want_x, 1e-14);
    // hvp of a slice of rows: the direction and the results are rows too.
    let (vw, vx) = (vec![[0.3, 0.1, -0.2], [0.7, -0.4, 0.9]], [1.0, -0.5, 0.25]);
    let (hv_v, (hg_w, hg_x), (hv_w, hv_x)) = quad_form::hvp(&w, &x, &vw, &vx);
    assert_eq!((hv_v, &hg_w, hg_x), (v, &gw, gx));
    let flat_grad = |p: &[f64]| {
        let w: Vec<[f64; 3]> = p[..6].chunks(3).map(|r| [r[0], r[1], r[2]]).collect();
        let (_, (gw, gx)) = quad_form::grad(&w, &[p[6], p[7], p[8]]);
        [gw.as_flattened(), &gx].concat()
    };
    let p = [w.as_flattened(), &x].concat();
    let dir = [vw.as_flattened(), &vx].concat();
    check_hvp(
        "quad_form",
        &flat_grad,
        &p,
        &dir,
        &[hv_w.as_flattened(), &hv_x].concat(),
    );
    let cam = [0.1, 0.2, 0.3, 1.0, 2.0, 3.0];
    let p: Vec<f64> = cam.iter().chain(&x).copied().collect();
    let o = Fns {
        f: &|q: &[f64]| named_parts(&q[..6], &q[6..]),
        jvp: &|q: &[f64], v: &[f64]| named_parts::jvp(&q[..6], &q[6..], &v[..6], &v[6..]),
        vjp: &|q: &[f64], c: f64, b: &mut [f64]| {
            let (b1, b2) = b.split_at_mut(6);
            named_parts::vjp(&q[..6], &q[6..], c, b1, b2)
        },
        grad: &|q: &[f64]| {
            let (value, (a, b)) = named_parts::grad(&q[..6], &q[6..]);
            (value, [a, b].concat())
        },
    };
    check("named_parts", &o, &p);
    check(
        "accumulate",
        &fns_arr!(accumulate, 4),
        &[0.5, -1.5, 0.7, 1.1],
    );
}

/// `objective` over matrix parameters: fixed-size and slices of rows, flattened row by row.
#[differentiable]
fn mat_objective(w: &[[f64; 2]; 2], b: &[[f64; 3]], s: f64) -> f64 {
    let mut t = s * s;
    for i in 0..2 {
        for j in 0..2 {
            t += w[i][j] * w[j][i] * s;
        }
    }
    for r in 0..b.len() {
        t += b[r][0] * b[r][2] - b[r][1].sin() * w[0][1];
    }
    t
}

#[differentiable]
fn vec_objective(v: &Vec<f64>, c: f64) -> f64 {
    let mut t = 0.0;
    for i in 0..v.len() {
        t += v[i] * v[i] * c;
    }
    t
}

#[test]
fn objectives_of_matrix_and_vec_parameters() {
    use autodiff::Objective;
    let o = mat_objective::objective(2);
    assert_eq!(o.dim(), 4 + 6 + 1);
    let x: Vec<f64> = (0..11).map(|k| (k as f64 * 0.37).sin()).collect();
    let w = [[x[0], x[1]], [x[2], x[3]]];
    let b = vec![[x[4], x[5], x[6]], [x[7], x[8], x[9]]];
    let mut g = vec![0.0; 11];
    let v = o.value_grad(&x, &mut g);
    let (v2, (gw, gb, gs)) = mat_objective::grad(&w, &b, x[10]);
    assert_eq!(v, v2);
    assert_eq!(g, [gw.as_flattened(), gb.as_flattened(), &[gs]].concat());
    let dir: Vec<f64> = (0..11).map(|k| (k as f64 * 0.61).cos()).collect();
    let (mut g2, mut hv) = (vec![0.0; 11], vec![0.0; 11]);
    o.hvp(&x, &dir, &mut g2, &mut hv).unwrap();
    assert_eq!(g2, g);
    check_hvp(
        "mat_objective",
        &|p: &[f64]| {
            let mut g = vec![0.0; 11];
            o.value_grad(p, &mut g);
            g
        },
        &x,
        &dir,
        &hv,
    );
    let o = vec_objective::objective(3);
    assert_eq!(o.dim(), 4);
    let mut g = vec![0.0; 4];
    let v = o.value_grad(&[1.0, 2.0, 3.0, 0.5], &mut g);
    assert_eq!((v, g), (7.0, vec![1.0, 2.0, 3.0, 14.0]));
}

#[test]
fn hessians_of_matrix_and_vec_parameters() {
    // Flattened in parameter order: w (row by row), b (row by row), s.
    let x: Vec<f64> = (0..11).map(|k| (k as f64 * 0.37).sin()).collect();
    let w = [[x[0], x[1]], [x[2], x[3]]];
    let b = vec![[x[4], x[5], x[6]], [x[7], x[8], x[9]]];
    let (v, g, h) = mat_objective::hessian(&w, &b, x[10]);
    let o = mat_objective::objective(2);
    let mut g2 = vec![0.0; 11];
    assert_eq!(v, autodiff::Objective::value_grad(&o, &x, &mut g2));
    assert_eq!(g, g2);
    for k in 0..11 {
        let mut e = vec![0.0; 11];
        e[k] = 1.0;
        let (mut gg, mut col) = (vec![0.0; 11], vec![0.0; 11]);
        autodiff::Objective::hvp(&o, &x, &e, &mut gg, &mut col).unwrap();
        for i in 0..11 {
            assert_eq!(h[i][k], col[i], "H[{i}][{k}]");
            assert_close(h[i][k], h[k][i], 1e-14, 1.0, "symmetric");
        }
    }
    let (_, _, h) = vec_objective::hessian(&vec![1.0, 2.0], 0.5);
    assert_eq!(
        h,
        vec![
            vec![1.0, 0.0, 2.0],
            vec![0.0, 1.0, 4.0],
            vec![2.0, 4.0, 0.0]
        ]
    );
}

/// A residual function of a slice of rows, into an output buffer.
#[differentiable]
fn row_products(w: &[[f64; 2]], s: f64, r: &mut [f64]) {
    for i in 0..w.len() {
        r[i] = w[i][0] * w[i][1] * s;
    }
}

#[test]
fn jacobians_of_matrix_parameters() {
    let w = vec![[1.0, 2.0], [3.0, -1.0]];
    let mut r = [0.0; 2];
    let j = row_products::jacobian(&w, 0.5, &mut r);
    assert_eq!(r, [1.0, -1.5]);
    assert_eq!(
        j,
        vec![
            vec![1.0, 0.5, 0.0, 0.0, 2.0],
            vec![0.0, 0.0, -0.5, 1.5, -3.0]
        ]
    );
}

/// Matrix literals of active elements, `[[a, b], [c, d]]` (also rebuilt under their own name
/// from their elements), next to a constant one.
#[differentiable]
fn matrix_literals(x: &[f64; 2]) -> f64 {
    let a = [x[0], x[1] * 2.0];
    let m = [[a[0], a[1]], [x[1], a[0] * a[1]]];
    let m = [[m[1][0], m[0][1]], [m[0][0], m[1][1].sin()]];
    let k = [[1.0, 2.0], [3.0, 4.0]];
    let mut s = 0.0;
    for i in 0..2 {
        for j in 0..m[i].len() {
            s += m[i][j] * k[j][i];
        }
    }
    s + m[0][0] * m[1][1]
}

fn matrix_literals_twin(x: &[f64; 2]) -> f64 {
    let a = [x[0], x[1] * 2.0];
    let m0 = [[a[0], a[1]], [x[1], a[0] * a[1]]];
    let m = [[m0[1][0], m0[0][1]], [m0[0][0], m0[1][1].sin()]];
    let k = [[1.0, 2.0], [3.0, 4.0]];
    let mut s = 0.0;
    for i in 0..2 {
        for j in 0..2 {
            s += m[i][j] * k[j][i];
        }
    }
    s + m[0][0] * m[1][1]
}

#[test]
fn matrix_literals_of_active_values() {
    let x = [0.3, 0.7];
    let (v, _) = matrix_literals::grad(&x);
    assert_eq!(v, matrix_literals_twin(&x));
    let arr = |q: &[f64]| -> [f64; 2] { q.try_into().unwrap() };
    let fns = Fns {
        f: &|q| matrix_literals(&arr(q)),
        jvp: &|q, d| matrix_literals::jvp(&arr(q), &arr(d)),
        vjp: &|q, seed, bar| {
            let mut b = arr(bar);
            let v = matrix_literals::vjp(&arr(q), seed, &mut b);
            bar.copy_from_slice(&b);
            v
        },
        grad: &|q| {
            let (v, g) = matrix_literals::grad(&arr(q));
            (v, g.to_vec())
        },
    };
    check("matrix literals", &fns, &x);
    let dir = [0.6, -1.1];
    let (_, _, hv) = matrix_literals::hvp(&x, &dir);
    check_hvp("matrix literals", &|q| (fns.grad)(q).1, &x, &dir, &hv);
}
