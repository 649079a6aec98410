//! Valid Rust that used to be rejected or mis-differentiated: `#[cfg]` in the body, array
//! literals bound by `let`, whole-array copies, `&f64` parameters, integer call arguments and
//! recursion, raw identifiers, const generics used only in the body, block array lengths,
//! `#[deprecated]`, `#![no_implicit_prelude]`, and the spellings of float paths.
#![allow(deprecated, unused_assignments)]

use crate::*;
use autodiff::differentiable;

/// The regression of issue 9: a `cfg`-disabled statement must not be differentiated.
#[differentiable]
fn cfg_disabled(x: f64) -> f64 {
    #[cfg(any())]
    let x = x * 100.0;
    x
}

#[differentiable]
fn cfg_mixed(x: f64, y: f64) -> f64 {
    let mut s = x * y;
    #[cfg(not(any()))]
    {
        s += x.sin();
    }
    #[cfg(any())]
    {
        s = s * 1000.0;
    }
    #[cfg_attr(any(), cfg(any()))]
    let t = s * y;
    #[cfg_attr(not(any()), cfg(any()))]
    let t = t * 1e6;
    match 2 {
        #[cfg(any())]
        2 => t * 7.0,
        _ => t,
    }
}

#[test]
fn cfg_statements_are_honoured() {
    assert_eq!(cfg_disabled::grad(2.0), (2.0, 1.0));
    assert_eq!(cfg_disabled::jvp(2.0, 1.0), (2.0, 1.0));
    assert_eq!(cfg_disabled::hvp(2.0, 1.0), (2.0, 1.0, 0.0));
    let x = [0.7, -1.3];
    let g = check("cfg_mixed", &fns2!(cfg_mixed), &x);
    // (x y + sin x) y
    let (a, b) = (x[0], x[1]);
    assert_grad_eq(
        "cfg_mixed",
        &g,
        &[(b + a.cos()) * b, a * b + (a * b + a.sin())],
        1e-14,
    );
}

#[differentiable]
fn literal_let(x: f64, y: f64) -> f64 {
    let a = [y, x * y];
    a[0] * a[1]
}

#[differentiable]
fn array_copies(x: f64, y: f64) -> f64 {
    let a = [y, x * y, x.exp()];
    let mut b = [0.0; 3];
    b[2] = 5.0;
    b = a;
    let mut c = b;
    c[0] = c[0] * x;
    b[1] = 0.0; // `c` is a copy: this does not change it
    c[0] * c[1] + c[2] + b[1]
}

#[test]
fn array_literals_and_copies() {
    let x = [0.9, -0.4];
    let g = check("literal_let", &fns2!(literal_let), &x);
    assert_grad_eq("literal_let", &g, &[x[1] * x[1], 2.0 * x[0] * x[1]], 1e-15);
    let g = check("array_copies", &fns2!(array_copies), &x);
    // c0 c1 + c2 = (y x)(x y) + e^x
    let (a, b) = (x[0], x[1]);
    assert_grad_eq(
        "array_copies",
        &g,
        &[2.0 * a * b * b + a.exp(), 2.0 * a * a * b],
        1e-14,
    );
}

#[differentiable]
fn by_reference(x: f64, c: &f64, k: &&f64) -> f64 {
    x * c + *c * x.sin() + x * **k
}

#[differentiable]
fn power(x: f64, n: usize) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * power(x, n - 1)
    }
}

#[differentiable]
fn calls_with_int_expressions(x: f64, n: usize) -> f64 {
    power(x, n - 1) + power(x, 2 * n) / (n as f64)
}

#[test]
fn references_and_integer_arguments() {
    let g = check("by_reference", &fns1!(by_reference, &3.0, &&0.5), &[0.8]);
    assert_grad_eq("by_reference", &g, &[3.0 + 3.0 * 0.8f64.cos() + 0.5], 1e-15);
    let x = 1.1f64;
    let g = check("power", &fns1!(power, 5), &[x]);
    assert_grad_eq("power", &g, &[5.0 * x.powi(4)], 1e-14);
    let g = check("calls", &fns1!(calls_with_int_expressions, 3), &[x]);
    assert_grad_eq("calls", &g, &[2.0 * x + 2.0 * x.powi(5)], 1e-14);
}

#[differentiable]
fn raw_identifiers(r#type: f64, r#match: f64) -> f64 {
    r#type * r#match.sin()
}

#[differentiable]
fn const_only_in_body<const K: usize>(x: f64) -> f64 {
    let mut t = [0.0; K];
    for i in 0..K {
        t[i] = x * (i as f64 + 1.0);
    }
    let mut s = 0.0;
    for i in 0..K {
        s += t[i] * t[i];
    }
    s
}

#[differentiable]
#[allow(unused_braces)]
fn block_length(x: &[f64; { 2 + 1 }]) -> f64 {
    x[0] * x[1] * x[2]
}

#[deprecated = "a deprecated function still gets derivatives without warnings"]
#[differentiable]
fn deprecated_fn(x: f64) -> f64 {
    x * x
}

mod no_prelude {
    #![no_implicit_prelude]
    #[::autodiff::differentiable]
    pub fn h(x: f64, y: f64) -> f64 {
        let mut s = 0.0;
        for i in 0..3 {
            if x > y {
                s += x * y * (i as f64);
            } else {
                s += x.sin();
            }
        }
        s
    }
}

#[differentiable]
fn float_paths(x: f64) -> f64 {
    <f64>::cos(x) + core::primitive::f64::sin(x) + f64::exp(x) + std::primitive::f64::sqrt(x)
}

#[differentiable]
fn primitive_types(x: core::primitive::f64) -> std::primitive::f64 {
    x * x
}

#[test]
fn spellings_of_valid_rust() {
    let x = [0.6, 1.7];
    let g = check("raw", &fns2!(raw_identifiers), &x);
    assert_grad_eq("raw", &g, &[x[1].sin(), x[0] * x[1].cos()], 1e-15);
    // sum (x (i+1))^2 = x^2 * 14 for K = 3
    assert_eq!(const_only_in_body::grad::<3>(2.0), (56.0, 56.0));
    let (v, g) = block_length::grad(&[2.0, 3.0, 4.0]);
    assert_eq!((v, g), (24.0, [12.0, 8.0, 6.0]));
    assert_eq!(deprecated_fn::grad(3.0), (9.0, 6.0));
    use no_prelude::h;
    let g = check("no_prelude", &fns2!(h), &[1.5, 0.5]);
    assert_grad_eq("no_prelude", &g, &[1.5, 4.5], 1e-15);
    let g = check("float_paths", &fns1!(float_paths), &[0.7]);
    let a = 0.7f64;
    let want = -a.sin() + a.cos() + a.exp() + 0.5 / a.sqrt();
    assert_grad_eq("float_paths", &g, &[want], 1e-15);
    assert_eq!(primitive_types::grad(3.0), (9.0, 6.0));
}

// Shapes the random-program generator found rejected or miscompiled (randprog-check's
// FINDINGS.md), now compiled and differentiated.

#[differentiable]
fn h2(a: f64, b: f64) -> f64 {
    a * b
}

const K: f64 = 2.0;

#[differentiable(wrt(x))]
fn passive_args(x: f64, d: &[f64]) -> f64 {
    let k = d[0];
    h2(K, x) + h2(x, d[1]) + h2(x, k) + h2(x, h2(2.0, 3.0))
}

#[differentiable]
fn mutable_literal(x: f64) -> f64 {
    let mut a = [0.5, 1.5, 2.0];
    a[0] += x;
    x * a[0] + x * (f64::abs(0.21) + 0.5).recip()
}

#[differentiable]
fn nested_len(x: f64) -> f64 {
    let mut s = x;
    for _i in 0..2 {
        let a = [0.0; 2];
        for _j in 0..a.len() {
            s *= x;
        }
    }
    if x > 5.0 {
        return x;
    }
    let b = [0.18, 1.02];
    for i in 0..b.len() {
        s += (s * b[i]).sin();
    }
    s
}

#[differentiable]
fn element_results(a: &[f64; 3], x: f64) -> [f64; 3] {
    [a[2], h2(x, a[0]), if a[0] < a[1] { 2.62 } else { a[0] * x }]
}

#[differentiable]
fn steep_tanh(x: f64) -> f64 {
    (x * 400.0).tanh()
}

#[test]
fn generator_findings() {
    let d = [1.5, -0.5];
    let g = check("passive_args", &fns1!(passive_args, &d), &[0.7]);
    assert_grad_eq("passive_args", &g, &[2.0 + d[1] + d[0] + 6.0], 1e-15);
    let g = check("mutable_literal", &fns1!(mutable_literal), &[0.7]);
    assert_grad_eq(
        "mutable_literal",
        &g,
        &[0.5 + 2.0 * 0.7 + 1.0 / 0.71],
        1e-15,
    );
    check("nested_len", &fns1!(nested_len), &[0.7]);
    let (v, j) = element_results::jacobian(&[0.3, 0.5, 0.9], 1.5);
    assert_eq!(v, element_results(&[0.3, 0.5, 0.9], 1.5));
    assert_eq!(j, [[0.0, 0.0, 1.0, 0.0], [1.5, 0.0, 0.0, 0.3], [0.0; 4]]);
    // The second derivative far out is 0, not NaN (no cosh^2 overflow on nested duals).
    assert_eq!(steep_tanh::hvp(-1.382, 0.81), (-1.0, 0.0, 0.0));
}

#[differentiable]
fn early_array(x: f64, y: f64) -> [f64; 2] {
    if x > y {
        return [x, y * x];
    }
    [x * y, y]
}

#[differentiable]
fn early_tuple(x: f64, y: f64) -> (f64, f64) {
    if x > y {
        return (x.sin(), y);
    }
    (x * y, y.exp())
}

#[test]
fn early_returns_of_arrays_and_tuples() {
    assert_eq!(
        early_array::jacobian(2.0, 1.0),
        ([2.0, 2.0], [[1.0, 0.0], [1.0, 2.0]])
    );
    assert_eq!(
        early_array::jacobian(1.0, 2.0),
        ([2.0, 2.0], [[2.0, 1.0], [0.0, 1.0]])
    );
    let (v, j) = early_tuple::jacobian(2.0, 1.0);
    assert_eq!(
        (v, j),
        ([2.0f64.sin(), 1.0], [[2.0f64.cos(), 0.0], [0.0, 1.0]])
    );
    let (v, j) = early_tuple::jacobian(1.0, 2.0);
    assert_eq!(
        (v, j),
        ([2.0, 2.0f64.exp()], [[2.0, 1.0], [0.0, 2.0f64.exp()]])
    );
}

#[differentiable]
fn signum_of_zero(x: f64) -> f64 {
    (x * 0.0).signum() * x
}

#[test]
fn taylor_jets_keep_the_sign_of_zero() {
    // -0.3 * 0.0 is -0.0: signum -1 in f, grad and the Taylor jets alike.
    assert_eq!(signum_of_zero::grad(-0.3), (0.3, -1.0));
    assert_eq!(signum_of_zero::derivatives::<3>(-0.3), [0.3, -1.0, 0.0]);
}

#[differentiable]
fn weighted(x: f64, s: &[f64], y: f64) -> f64 {
    x * s[0] + s[2] * y
}

/// Calls with array arguments as operands of conditions (`if`, `while`, `&&`): found by the
/// random programs (`CallSliceArg`).
#[differentiable]
fn call_in_condition(x: f64, a: &[f64; 4]) -> f64 {
    let mut s = x * a[0];
    if weighted(x, &a[1..4], x) <= a[3] {
        s += a[1] * a[1];
    }
    let mut k = 0;
    while k < 5 && weighted(s, &a[..3], 1.0) < 40.0 {
        s *= 1.5;
        k += 1;
    }
    let local = [x, a[2], 2.0];
    if !(weighted(0.5, &local, a[0]) > 3.0) || weighted(x, a, x) > 0.0 {
        s += x * a[3];
    }
    s
}

#[test]
fn calls_with_arrays_in_conditions() {
    // Both branches of the first `if` and several trips of the `while`.
    for x in [
        [0.3, 1.1, -0.4, 0.8, 2.5],
        [1.7, -0.6, 0.9, 1.3, -0.2],
        [-0.8, 0.5, 0.4, -1.2, 0.9],
    ] {
        let f = |x: &[f64]| {
            let a: [f64; 4] = x[1..].try_into().unwrap();
            (x[0], a)
        };
        let fns = Fns {
            f: &|x: &[f64]| {
                let (x, a) = f(x);
                call_in_condition(x, &a)
            },
            jvp: &|x: &[f64], v: &[f64]| {
                let ((x, a), (dx, da)) = (f(x), f(v));
                call_in_condition::jvp(x, &a, dx, &da)
            },
            vjp: &|x: &[f64], c: f64, b: &mut [f64]| {
                let (x, a) = f(x);
                let mut ab = [0.0; 4];
                let (value, bx) = call_in_condition::vjp(x, &a, c, &mut ab);
                b[0] += bx;
                for (b, g) in b[1..].iter_mut().zip(ab) {
                    *b += g;
                }
                value
            },
            grad: &|x: &[f64]| {
                let (x, a) = f(x);
                let (value, (gx, ga)) = call_in_condition::grad(x, &a);
                let mut g = vec![gx];
                g.extend(ga);
                (value, g)
            },
        };
        check("call_in_condition", &fns, &x);
    }
}

/// The length of a `Vec` declared in a branch, read in a loop the reverse sweep runs again
/// (found by the random programs).
#[differentiable]
fn vec_len_in_branch(x: f64, n: usize) -> f64 {
    let mut s = x;
    if n >= 3 {
        let a = vec![0.0; 4];
        for _ in 0..n {
            s = (x * (a.len() as f64)).sin();
        }
    }
    s
}

/// The same with an active `Vec` (its length is still passive).
#[differentiable]
fn active_vec_len_in_loop(x: f64, n: usize) -> f64 {
    let mut s = x;
    for k in 0..n {
        let mut v = vec![0.0; k + 1];
        v[0] = x * s;
        for _ in 0..2 {
            s = s * x + v[0] / (v.len() as f64);
        }
    }
    s
}

#[test]
fn vec_lengths_read_where_the_reverse_sweep_runs_again() {
    for n in [2, 3, 5] {
        check("vec_len_in_branch", &fns1!(vec_len_in_branch, n), &[0.7]);
        check(
            "active_vec_len_in_loop",
            &fns1!(active_vec_len_in_loop, n),
            &[0.9],
        );
    }
}

#[differentiable]
fn empty_sum(x: &[f64]) -> f64 {
    x[0] * x
        .iter()
        .filter(|v| **v > 5.0)
        .map(|v| v * v)
        .sum::<f64>()
        .signum()
}

#[differentiable]
fn shadowed_capture(x: f64, y: f64) -> f64 {
    let c = |t: f64| t * y;
    let y = y + 1.0;
    c(x) + y
}

#[differentiable]
fn typed_closure_literal(x: f64) -> f64 {
    let c = |t: f64| (t * t).ln_1p();
    x * c(1.5)
}

#[differentiable]
fn constant_chain(x: f64, s: &[f64]) -> f64 {
    x * s.iter().map(|&_v| 1.5).sum::<f64>().sqrt() + x * (0..2).map(|_i| 1.5).sum::<f64>().recip()
}

#[differentiable]
fn h_out(x: f64, r: &mut [f64]) {
    r[0] = x * x;
}

#[differentiable]
fn calls_h_out(x: f64) -> f64 {
    let mut a = [0.0; 2];
    h_out(x, &mut a);
    a[0]
}

/// Found by the random programs with matrices, output buffers and iterator chains: an empty
/// sum is -0.0, closures see what they captured where defined (not a later shadow), typed
/// closure parameters keep their type, a chain of constants keeps `sum::<f64>()`'s type, a
/// helper with scalar inputs and an output buffer can be called.
#[test]
fn randprog_findings_with_chains_closures_and_outputs() {
    assert_eq!(empty_sum(&[0.5]), -0.5);
    assert_eq!(empty_sum::grad(&[0.5]), (-0.5, vec![-1.0]));
    assert_eq!(shadowed_capture(2.0, 3.0), 10.0);
    assert_eq!(shadowed_capture::grad(2.0, 3.0), (10.0, (3.0, 3.0)));
    let (v, d) = typed_closure_literal::grad(2.0);
    assert_eq!((v, d), (2.0 * 3.25f64.ln(), 3.25f64.ln()));
    let s = [1.0, 2.0];
    let (v, (dx, _)) = constant_chain::grad(2.0, &s);
    assert_eq!(v, constant_chain(2.0, &s));
    assert_eq!(dx, 3.0f64.sqrt() + 1.0 / 3.0);
    assert_eq!(calls_h_out::grad(3.0), (9.0, 6.0));
}

/// `jacobian` of functions that read their output buffer's initial contents: every pass starts
/// from them (found by the random programs).
#[differentiable]
fn scale_in_place(x: f64, y: f64, r: &mut [f64]) {
    r[0] *= x * y;
    r[1] += x;
}

#[differentiable]
fn scale_fixed(x: &[f64; 2], r: &mut [f64; 2]) {
    r[0] *= x[0] * x[1];
    r[1] = r[1] * x[0] + r[0];
}

#[differentiable]
fn scale_mixed(x: &[f64; 2], y: f64, r: &mut [f64]) {
    r[0] *= x[0] * y;
    r[1] += x[1];
}

#[test]
fn jacobians_of_in_out_buffers() {
    let mut r = vec![1.0, 2.0];
    let j = scale_in_place::jacobian(0.5, 3.0, &mut r);
    assert_eq!(r, [1.5, 2.5]);
    assert_eq!(j, [[3.0, 0.5], [1.0, 0.0]]);
    let mut r = [2.0, 1.0];
    let j = scale_fixed::jacobian(&[0.5, 3.0], &mut r);
    // r0 = 2 x0 x1 = 3, r1 = x0 + r0 = 3.5
    assert_eq!(r, [3.0, 3.5]);
    assert_eq!(j, [[6.0, 1.0], [1.0 + 6.0, 1.0]]);
    let mut r = vec![1.0, 1.0];
    let j = scale_mixed::jacobian(&[2.0, 5.0], 0.5, &mut r);
    assert_eq!(r, [1.0, 6.0]);
    assert_eq!(j, vec![vec![0.5, 0.0, 2.0], vec![0.0, 1.0, 0.0]]);
}

#[differentiable(wrt(x, y))]
pub fn pm_f(w: &[[f64; 2]; 3], x: f64, y: f64) -> f64 {
    w[0][0] * x * y + w[2][1] * x
}

#[differentiable(wrt(x))]
pub fn pm_g(x: f64, w: &[[f64; 2]; 2], r: &mut [f64; 2]) {
    r[0] = x * w[0][0];
    r[1] = x * x * w[1][1];
}

#[differentiable]
pub fn mix_a(x: &[f64], r: &mut [f64; 2]) {
    r[0] = x[0] * x[1];
    r[1] = x[1];
}
#[differentiable]
pub fn mix_b(x: &[f64; 2], y: f64, r: &mut [f64; 2]) {
    r[0] = x[0] * y;
    r[1] = x[1] * x[1];
}
#[differentiable]
pub fn mix_c(x: &[f64; 2], r: &mut [f64]) {
    r[0] = x[0] * x[1];
}

/// Passive matrices with active scalars, and `jacobian` for every mix of fixed and variable
/// input arrays and output buffers (random-program findings).
#[test]
fn passive_matrices_and_output_jacobian_mixes() {
    let w = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    assert_eq!(
        pm_f::grad(&w, 2.0, 3.0),
        (1.0 * 6.0 + 6.0 * 2.0, (3.0 + 6.0, 2.0))
    );
    let mut r = [0.0; 2];
    let j = pm_g::jacobian(3.0, &[[1.0, 2.0], [3.0, 4.0]], &mut r);
    assert_eq!((r, j), ([3.0, 36.0], vec![vec![1.0], vec![24.0]]));
    let mut r = [0.0; 2];
    let j = mix_a::jacobian(&[2.0, 3.0], &mut r);
    assert_eq!((r, j), ([6.0, 3.0], vec![vec![3.0, 2.0], vec![0.0, 1.0]]));
    let j = mix_b::jacobian(&[2.0, 3.0], 5.0, &mut r);
    assert_eq!(
        (r, j),
        ([10.0, 9.0], vec![vec![5.0, 0.0, 2.0], vec![0.0, 6.0, 0.0]])
    );
    let mut r = vec![0.0];
    let j = mix_c::jacobian(&[2.0, 3.0], &mut r);
    assert_eq!((r, j), (vec![6.0], vec![vec![3.0, 2.0]]));
}

/// A vector filled by `push` (here by `collect()`) that some variant evaluates passively wrote
/// `v[v.len() - 1] = e` there, which does not borrow-check while the element type is still
/// inferred (E0502 on the attribute; random-program finding, seed 0x5eed_2026_0022).
#[allow(clippy::map_clone, clippy::vec_init_then_push)] // as the random program wrote it
#[differentiable(wrt(x2, x1, a4, x3))]
fn pushed_passive(x2: f64, x1: f64, n6: usize, a4: &[f64; 3], x3: f64, q5: f64) -> f64 {
    let c8: Vec<f64> = a4.iter().map(|&v7| v7).collect();
    let mut s9 = (c8.iter().map(|&v10| v10).fold(f64::NEG_INFINITY, f64::max)).trunc();
    for _ in 0..c8.len() {
        s9 += 1.5 * x1.sin();
    }
    let mut p = Vec::new();
    p.push(q5 * 2.0);
    p.push(q5 + 1.0);
    c8.iter().copied().fold(f64::INFINITY, f64::min) + x3 * p[1] + s9 + x2 * c8[n6] * p[0]
}

#[test]
fn vectors_filled_passively() {
    let a = [0.5, 2.5, -1.0];
    let (v, g) = pushed_passive::grad(0.3, 0.7, 1, &a, 1.5, 0.25);
    assert_eq!(v, pushed_passive(0.3, 0.7, 1, &a, 1.5, 0.25));
    assert_eq!(g.0, 2.5 * 0.5);
    assert_eq!(g.1, 3.0 * 1.5 * 0.7f64.cos());
    assert_eq!(g.2, [1.0 * 0.0, 0.3 * 0.5, 1.0]);
    assert_eq!(g.3, 1.25);
}

#[differentiable]
fn twice_pair(a: &[f64; 2]) -> [f64; 2] {
    [a[0] * 2.0, a[1] + a[0]]
}

/// An array result bound under the name of an argument it is computed from (`let a: [f64; 2] =
/// f(&a);`): the call read the new, zeroed `a` (value 0, wrong numbers). Found while testing
/// struct results rebound under their names.
#[differentiable]
fn array_result_shadows_argument(x: &[f64; 2]) -> f64 {
    let a: [f64; 2] = twice_pair(x);
    let a: [f64; 2] = twice_pair(&a);
    a[0] * a[1]
}

#[test]
fn array_results_rebound_under_their_names() {
    let x = [0.3, 0.7];
    let (v, g) = array_result_shadows_argument::grad(&x);
    assert_eq!(v, array_result_shadows_argument(&x));
    // a = [2 x0, x1 + x0], then [4 x0, x1 + 3 x0]: v = 4 x0 (x1 + 3 x0).
    assert_close(v, 4.0 * x[0] * (x[1] + 3.0 * x[0]), 1e-15, 1.0, "value");
    assert_close(g[0], 4.0 * x[1] + 24.0 * x[0], 1e-15, 1.0, "d/dx0");
    assert_close(g[1], 4.0 * x[0], 1e-15, 1.0, "d/dx1");
}

#[differentiable]
fn residuals3(x: &[f64; 3]) -> [f64; 3] {
    [x[0] - 1.0, x[1] * x[0], x[2] + x[1]]
}

/// The fix the message for an untyped array result used whole (`r.iter()`, `for v in &r`)
/// suggests: with its type written, the result iterates and loops (ui test
/// `returned_array_iterated`).
#[differentiable]
fn residuals_used_whole(x: &[f64; 3]) -> f64 {
    let r: [f64; 3] = residuals3(x);
    let mut s: f64 = r.iter().map(|v| v * v).sum();
    for v in &r {
        s += v;
    }
    s
}

#[test]
fn typed_array_results_iterate() {
    let x = [0.7, -1.3, 2.1];
    let (v, g) = residuals_used_whole::grad(&x);
    let r = [x[0] - 1.0, x[1] * x[0], x[2] + x[1]];
    let want = r.iter().map(|v| v * v + v).sum::<f64>();
    assert_close(v, want, 1e-15, 0.0, "value");
    // d/dx of sum(r^2 + r): (2 r + 1) . dr/dx.
    let w: Vec<f64> = r.iter().map(|v| 2.0 * v + 1.0).collect();
    let closed = [w[0] + w[1] * x[1], w[1] * x[0] + w[2], w[2]];
    assert_grad_eq("residuals used whole", &g, &closed, 1e-14);
}

/// A vector collected from a chain whose items are constants (`map(|v| 0.4)`), then a float
/// method on its element: the vector was passive and built with an untyped
/// `vec_with_capacity(n)`, so `c[1].to_radians()` was rustc's "ambiguous numeric type
/// `{float}`" on the attribute. Found by the random programs (default seed, program 75).
#[differentiable(wrt(x, a))]
fn collected_constants(x: f64, a: &[f64; 4]) -> f64 {
    let c: Vec<f64> = a.iter().copied().map(|_| 0.4).collect();
    (c[1]).to_radians() * x + a[0] * c.len() as f64
}

#[test]
fn vectors_of_collected_constants_keep_their_type() {
    let a = [1.0, 2.0, 3.0, 4.0];
    let (v, (gx, ga)) = collected_constants::grad(1.5, &a);
    assert_eq!(v, collected_constants(1.5, &a));
    assert_eq!((gx, ga), (0.4f64.to_radians(), [4.0, 0.0, 0.0, 0.0]));
}

/// A returned local array that no active value reaches (its derivatives are zero) was "needs
/// a function returning an array to end with .. a local array that depends on the active
/// parameters". Found by the random programs (seed 3, program 243: the only active value in
/// the element was dropped by the next `map`).
#[differentiable(wrt(x))]
fn result_not_reached(w: &[f64; 2], x: f64) -> [f64; 2] {
    let s = x * 2.0;
    let mut out = [0.0; 2];
    out[0] += w
        .iter()
        .map(|v| (s.cos(), v * 0.5))
        .map(|(_, b)| 1.0 + b)
        .product::<f64>();
    out[1] = w[0] - 1.0;
    out
}

#[test]
fn an_array_result_the_active_values_do_not_reach_has_zero_derivatives() {
    let w = [1.0, 3.0];
    let (v, j) = result_not_reached::jacobian(&w, 0.5);
    assert_eq!(v, result_not_reached(&w, 0.5));
    assert_eq!((v, j), ([1.5 * 2.5, 0.0], [[0.0], [0.0]]));
    let (_, t) = result_not_reached::jvp(&w, 0.5, 1.0);
    assert_eq!(t, [0.0, 0.0]);
    assert_eq!(result_not_reached::vjp(&w, 0.5, &[1.0, 1.0]).1, 0.0);
}
