//! Iterator chains and `for` loops over elements, lowered to the indexed loops (issue 10's
//! first step): the idiomatic versions give bitwise the same values and gradients as the
//! indexed ones.

use crate::*;
use autodiff::differentiable;

/// Rosenbrock as one first writes it in Rust (also `overwrite`'s).
#[differentiable]
pub(crate) fn rosen_windows(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

#[differentiable]
fn rosen_indexed(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

#[differentiable(wrt(w))]
fn dot_zip(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().tanh()
}

#[differentiable]
fn element_loops(x: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        s += v * v;
    }
    for (i, v) in x.iter().enumerate() {
        s += v * i as f64;
    }
    for &v in x {
        s += v.sin();
    }
    for w in x.windows(2) {
        s += w[0] * w[1];
    }
    let p: f64 = x.iter().map(|a| a + 1.0).product();
    let f = x.iter().fold(0.0, |acc, v| acc * 0.5 + v);
    let r: f64 = (0..4).map(|i| x[i] * (i as f64)).sum();
    s + p + f + r
}

#[test]
fn idiomatic_equals_indexed() {
    let x = [-1.2, 1.0, 0.5, 0.8, -0.3];
    let (a, ga) = rosen_windows::grad(&x);
    let (b, gb) = rosen_indexed::grad(&x);
    assert_eq!(
        (a, &ga),
        (b, &gb),
        "windows(2) Rosenbrock is the indexed loop, bit for bit"
    );
    check("rosen_windows", &fns_slice!(rosen_windows), &x);
    let v = [0.5, -1.0, 0.25, 2.0, 1.0];
    let (_, _, ha) = rosen_windows::hvp(&x, &v);
    let (_, _, hb) = rosen_indexed::hvp(&x, &v);
    assert_eq!(ha, hb);
}

#[test]
fn iterator_forms() {
    let data = [1.0, 2.0, -0.5, 0.25];
    let g = check(
        "dot_zip",
        &fns_slice!(dot_zip, &data),
        &[0.3, -0.2, 0.5, 0.1],
    );
    let s: f64 = [0.3, -0.2, 0.5, 0.1]
        .iter()
        .zip(&data)
        .map(|(a, b)| a * b)
        .sum();
    let want: Vec<f64> = data.iter().map(|d| d * (1.0 - s.tanh().powi(2))).collect();
    assert_grad_eq("dot_zip", &g, &want, 1e-14);
    check(
        "element_loops",
        &fns_arr!(element_loops, 4),
        &[0.5, -1.2, 0.7, 1.1],
    );
}

#[differentiable]
fn with_closures(x: f64, y: f64) -> f64 {
    let sq = |t: f64| t * t;
    let soft = |a: f64, b: f64| (a.exp() + b.exp()).ln();
    let k = 0.5;
    let scaled = |t| k * sq(t) + y;
    sq(x) + soft(x, y) * scaled(x - y)
}

#[test]
fn closures_bound_with_let() {
    let p = [0.7, -0.4];
    let g = check("with_closures", &fns2!(with_closures), &p);
    let (x, y) = (p[0], p[1]);
    let s = (x.exp() + y.exp()).ln();
    let c = 0.5 * (x - y).powi(2) + y;
    let (sx, sy) = (x.exp() / (x.exp() + y.exp()), y.exp() / (x.exp() + y.exp()));
    let want = [
        2.0 * x + sx * c + s * (x - y),
        sy * c + s * (-(x - y) + 1.0),
    ];
    assert_grad_eq("with_closures", &g, &want, 1e-14);
}

#[differentiable]
fn filtered(x: &[f64]) -> f64 {
    let pos: f64 = x.iter().filter(|v| **v > 0.0).map(|v| v * v).sum();
    let mut neg = 0.0;
    for (i, v) in x.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        neg += v * (i as f64 + 1.0);
    }
    pos + neg
}

#[test]
fn filters() {
    let x = [0.5, -1.2, 0.7, 1.1, -0.3];
    let g = check("filtered", &fns_slice!(filtered), &x);
    let want: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let p = if v > 0.0 { 2.0 * v } else { 0.0 };
            let n = if i % 2 == 0 { i as f64 + 1.0 } else { 0.0 };
            p + n
        })
        .collect();
    assert_grad_eq("filtered", &g, &want, 1e-15);
}

#[differentiable]
fn extremes(x: &[f64]) -> f64 {
    let hi = x.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap();
    let lo = x
        .iter()
        .map(|v| v * 2.0)
        .min_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap();
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    hi * lo + m
}

#[test]
fn maxima_and_minima() {
    let x = [0.5, -1.2, 0.7, 1.1, -0.3];
    let g = check("extremes", &fns_slice!(extremes), &x);
    // hi = x3 = 1.1, lo = 2 x1 = -2.4, m = x3
    let mut want = vec![0.0; 5];
    want[3] = -2.4 + 1.0;
    want[1] = 1.1 * 2.0;
    assert_grad_eq("extremes", &g, &want, 1e-15);
}

/// Rows of a matrix as items (`for (h, row) in w.iter().enumerate()`), an iterator chain over
/// each row: bitwise the indexed loops.
#[differentiable]
fn layer_rows(w1: &[[f64; 3]; 4], b1: &[f64; 4], w2: &[f64; 4], x: &[f64; 3]) -> f64 {
    let mut out = 0.0;
    for (h, row) in w1.iter().enumerate() {
        let z: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum();
        out += w2[h] * (z + b1[h]).tanh();
    }
    out
}

#[differentiable]
fn layer_indexed(w1: &[[f64; 3]; 4], b1: &[f64; 4], w2: &[f64; 4], x: &[f64; 3]) -> f64 {
    let mut out = 0.0;
    for h in 0..4 {
        let mut z = 0.0;
        for j in 0..3 {
            z += w1[h][j] * x[j];
        }
        out += w2[h] * (z + b1[h]).tanh();
    }
    out
}

/// `chunks_exact(k)` and `chunks(k)` (a shorter last chunk) of a slice.
#[differentiable]
fn chunked(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for c in x.chunks_exact(2) {
        s += c[0] * c[1];
    }
    for c in x.chunks(3) {
        let mut p = 1.0;
        for v in c {
            p *= v;
        }
        s += p * c.len() as f64;
    }
    s
}

#[test]
fn matrix_rows_and_chunks() {
    let w1 = [
        [0.1, 0.2, -0.3],
        [0.4, -0.5, 0.6],
        [0.7, 0.8, -0.9],
        [-1.0, 0.3, 0.2],
    ];
    let (b1, w2, x) = (
        [0.1, -0.2, 0.3, 0.0],
        [0.5, -0.6, 0.7, 0.8],
        [0.3, -0.1, 0.9],
    );
    assert_eq!(
        layer_rows::grad(&w1, &b1, &w2, &x),
        layer_indexed::grad(&w1, &b1, &w2, &x)
    );
    let x = [0.5, -1.5, 2.0, 0.25, 3.0];
    // pairs (0,1), (2,3); chunks [0..3] (x3), [3..5] (x2)
    let want = x[0] * x[1] + x[2] * x[3] + 3.0 * x[0] * x[1] * x[2] + 2.0 * x[3] * x[4];
    let (v, g) = chunked::grad(&x);
    assert_close(v, want, 1e-14, 1.0, "chunked");
    let gw = [
        x[1] + 3.0 * x[1] * x[2],
        x[0] + 3.0 * x[0] * x[2],
        x[3] + 3.0 * x[0] * x[1],
        x[2] + 2.0 * x[4],
        2.0 * x[3],
    ];
    assert_grad_eq("chunked", &g, &gw, 1e-14);
    check("chunked", &fns_slice!(chunked), &x);
}

/// `rev()`, `skip(n)`, `take(n)`, `step_by(s)` on iterators, in loops and chains.
#[differentiable]
fn adapters(x: &[f64]) -> f64 {
    let mut s = 0.0;
    // Horner from the highest coefficient: a reversed iterator.
    for c in x.iter().rev() {
        s = s * 0.5 + c;
    }
    let tail: f64 = x.iter().skip(1).map(|v| v * v).sum();
    let head: f64 = x
        .iter()
        .take(2)
        .zip(x.iter().skip(2))
        .map(|(a, b)| a * b)
        .sum();
    let even: f64 = x.iter().step_by(2).fold(1.0, |p, v| p * v);
    let mut back = 0.0;
    for (i, v) in x.iter().enumerate().rev().skip(1) {
        back += (i as f64) * v.sin();
    }
    s + tail + head + even + back
}

#[test]
fn reversed_skipped_taken_and_stepped_iterators() {
    let x = [0.5, -1.5, 2.0, 0.25, 3.0];
    let by_hand = |x: &[f64]| {
        let mut s = 0.0;
        for k in (0..x.len()).rev() {
            s = s * 0.5 + x[k];
        }
        let tail: f64 = (1..x.len()).map(|k| x[k] * x[k]).sum();
        let head = x[0] * x[2] + x[1] * x[3];
        let even = x[0] * x[2] * x[4];
        let back: f64 = (0..x.len() - 1).map(|i| i as f64 * x[i].sin()).sum();
        s + tail + head + even + back
    };
    assert_close(adapters(&x), by_hand(&x), 1e-14, 1.0, "value");
    let (v, _) = adapters::grad(&x);
    assert_eq!(v, adapters(&x));
    check("adapters", &fns_slice!(adapters), &x);
}

#[differentiable]
fn dot2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// `collect()` into a `Vec`: residuals of a zip, a filtered and mapped chain, `windows`
/// differences, the collected vectors iterated, indexed, measured and passed to a helper.
#[differentiable(wrt(x))]
fn collected(x: &[f64], y: &[f64]) -> f64 {
    let r: Vec<f64> = x.iter().zip(y).map(|(a, b)| a * a - b).collect();
    let pos = r
        .iter()
        .filter(|v| **v > 0.0)
        .map(|v| v * 2.0)
        .collect::<Vec<f64>>();
    let d: Vec<_> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let weighted: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v * (i as f64 + 1.0))
        .collect();
    let ss: f64 = r.iter().map(|v| v * v).sum();
    ss + pos.iter().sum::<f64>() + d[0] * d[d.len() - 1] + dot2(&weighted, x) - pos.len() as f64
}

fn collected_indexed(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let mut r = vec![0.0; n];
    for i in 0..n {
        r[i] = x[i] * x[i] - y[i];
    }
    let mut pos = Vec::new();
    for &v in &r {
        if v > 0.0 {
            pos.push(v * 2.0);
        }
    }
    let d: Vec<f64> = (0..x.len() - 1).map(|i| x[i + 1] - x[i]).collect();
    let weighted: Vec<f64> = (0..x.len()).map(|i| x[i] * (i as f64 + 1.0)).collect();
    let mut ss = -0.0;
    for v in &r {
        ss += v * v;
    }
    let mut sp = -0.0;
    for v in &pos {
        sp += v;
    }
    let mut dw = 0.0;
    for i in 0..x.len() {
        dw += weighted[i] * x[i];
    }
    ss + sp + d[0] * d[d.len() - 1] + dw - pos.len() as f64
}

#[test]
fn collected_vectors() {
    let x = [0.5, 2.0, 1.5, -0.7, 1.2];
    let y = [1.0, 1.0, 3.0, 0.2, -0.4];
    let v = collected(&x, &y);
    assert_eq!(v, collected_indexed(&x, &y));
    let fns = Fns {
        f: &|q| collected(q, &y),
        jvp: &|q, d| collected::jvp(q, &y, d),
        vjp: &|q, seed, bar| collected::vjp(q, &y, seed, bar),
        grad: &|q| collected::grad(q, &y),
    };
    let g = check("collected", &fns, &x);
    assert_eq!(collected::grad(&x, &y).0, v);
    let dir = [0.3, -1.0, 0.5, 0.25, -0.6];
    let (_, _, hv) = collected::hvp(&x, &y, &dir);
    check_hvp("collected", &|q| collected::grad(q, &y).1, &x, &dir, &hv);
    // The closed form: d/dx_i of r_i^2 + 2 r_i [r_i > 0] is (2 r_i + 2 [r_i > 0]) 2 x_i.
    let r: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a * a - b).collect();
    let want0 = (2.0 * r[0] + if r[0] > 0.0 { 2.0 } else { 0.0 }) * 2.0 * x[0];
    let d_last = x[4] - x[3];
    // x[0] also enters d[0] = x[1] - x[0] (times d_last) and the weighted dot (2 * 1 * x[0]).
    assert_close(
        g[0],
        want0 - d_last + 2.0 * x[0],
        1e-14,
        1.0,
        "collected d/dx0",
    );
}

/// Passive data in a struct (not differentiated), its fields iterated as one writes it.
pub struct Samples {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub w: [f64; 3],
}

/// `sum_i (a x_i + b - y_i)^2 w_(i mod 3)`, its data read through the chains of every form.
#[differentiable(wrt(a, b))]
fn data_fields(a: f64, b: f64, d: &Samples) -> f64 {
    let chained: f64 =
        d.xs.iter()
            .zip(&d.ys)
            .map(|(x, y)| (a * x + b - y).powi(2))
            .sum();
    let mut looped = 0.0;
    for (i, (x, y)) in d.xs.iter().zip(d.ys.iter()).enumerate() {
        looped += (a * x + b - y).powi(2) * d.w[i % 3];
    }
    let xs = &d.xs;
    let mut by_ref = 0.0;
    for x in &d.xs {
        by_ref += a * x;
    }
    let named: f64 = xs.iter().map(|x| b * x).sum::<f64>() + d.w.iter().map(|w| a * w).sum::<f64>();
    chained + looped + by_ref + named
}

#[test]
fn passive_struct_fields_iterated() {
    let d = Samples {
        xs: vec![0.5, 1.0, -2.0, 3.0],
        ys: vec![1.0, 0.25, 0.5, -1.0],
        w: [1.0, 2.0, 0.5],
    };
    let (a, b) = (0.7, -0.3);
    // Closed forms.
    let r: Vec<f64> = d.xs.iter().zip(&d.ys).map(|(x, y)| a * x + b - y).collect();
    let wi = |i: usize| 1.0 + d.w[i % 3];
    let sx: f64 = d.xs.iter().sum();
    let sw: f64 = d.w.iter().sum();
    let da: f64 = (0..4).map(|i| 2.0 * r[i] * d.xs[i] * wi(i)).sum::<f64>() + sx + sw;
    let db: f64 = (0..4).map(|i| 2.0 * r[i] * wi(i)).sum::<f64>() + sx;
    let (v, (ga, gb)) = data_fields::grad(a, b, &d);
    assert_eq!(v, data_fields(a, b, &d));
    assert_close(ga, da, 1e-14, 1.0, "d/da");
    assert_close(gb, db, 1e-14, 1.0, "d/db");
    let (_, jv) = data_fields::jvp(a, b, &d, 1.0, -2.0);
    assert_close(jv, ga - 2.0 * gb, 1e-14, 1.0, "jvp");
}

/// Two sums in one pass, as one writes it: `fold` with a tuple accumulator (the `let` typed).
#[differentiable]
fn variance_one_pass(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (s, q): (f64, f64) = x.iter().fold((0.0, 0.0), |(s, q), v| (s + v, q + v * v));
    (q - s * s / n) / (n - 1.0)
}

/// Three accumulators over a zipped chain (rustfmt puts the long tuple in a block).
#[differentiable]
fn weighted_moments(x: &[f64], w: &[f64]) -> f64 {
    let (sw, swx, swxx) = x
        .iter()
        .zip(w)
        .fold((0.0, 0.0, 0.0), |(sw, swx, swxx), (a, b)| {
            (sw + b, swx + a * b, swxx + a * a * b)
        });
    swxx / sw - (swx / sw).powi(2)
}

#[test]
fn folds_with_tuple_accumulators() {
    let x = [0.5, 2.0, -1.5, 3.0, 0.25];
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (v, g) = variance_one_pass::grad(&x);
    assert_close(v, variance_one_pass(&x), 1e-15, 1.0, "value");
    for i in 0..x.len() {
        // d var / d x_i = 2 (x_i - mean) / (n - 1).
        assert_close(g[i], 2.0 * (x[i] - mean) / (n - 1.0), 1e-13, 1.0, "d var");
    }
    let w = [1.0, 0.5, 2.0, 1.5, 0.25];
    let fns = Fns {
        f: &|q| weighted_moments(q, &w),
        jvp: &|q, d| weighted_moments::jvp(q, &w, d, &[0.0; 5]),
        vjp: &|q, seed, bar| {
            let mut wb = [0.0; 5];
            weighted_moments::vjp(q, &w, seed, bar, &mut wb)
        },
        grad: &|q| {
            let (v, (gx, _)) = weighted_moments::grad(q, &w);
            (v, gx)
        },
    };
    check("weighted_moments", &fns, &x);
}

/// `map` to a tuple, destructured by the next closure, a `fold` or a `for` pattern.
#[differentiable]
fn mapped_pairs(x: &[f64], w: &[f64]) -> f64 {
    let (sw, swx) = x
        .iter()
        .zip(w)
        .map(|(a, b)| (a * b, *b))
        .fold((0.0, 0.0), |(sw, swx), (ab, b)| (sw + b, swx + ab * ab));
    let mut s = 0.0;
    for (sq, sn) in x.iter().map(|v| (v * v, v.sin())) {
        s += sq * sn;
    }
    s + swx / sw
        + x.iter()
            .map(|v| (v * 2.0, *v))
            .map(|(d, v)| d * v)
            .sum::<f64>()
}

/// The same, indexed.
fn mapped_pairs_indexed(x: &[f64], w: &[f64]) -> f64 {
    let (mut sw, mut swx, mut s, mut t) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        let ab = x[i] * w[i];
        sw += w[i];
        swx += ab * ab;
    }
    for v in x {
        s += v * v * v.sin();
        t += v * 2.0 * v;
    }
    s + swx / sw + t
}

#[test]
fn maps_to_tuples() {
    let x = [0.5, 2.0, -1.5, 0.75];
    let w = [1.0, 0.5, 2.0, 1.25];
    assert_close(
        mapped_pairs(&x, &w),
        mapped_pairs_indexed(&x, &w),
        1e-14,
        1.0,
        "value",
    );
    let fns = Fns {
        f: &|q| mapped_pairs(q, &w),
        jvp: &|q, d| mapped_pairs::jvp(q, &w, d, &[0.0; 4]),
        vjp: &|q, seed, bar| {
            let mut wb = [0.0; 4];
            mapped_pairs::vjp(q, &w, seed, bar, &mut wb)
        },
        grad: &|q| {
            let (v, (gx, _)) = mapped_pairs::grad(q, &w);
            (v, gx)
        },
    };
    check("mapped_pairs", &fns, &x);
}
