//! A port of ADBench's LSTM objective (`lstm.h`) written with helper functions over the state
//! arrays: `sigmoid`, `logsumexp`, `lstm_model` updating hidden and cell state in place (in-out
//! buffers), `lstm_predict` over the layers with a `Vec` scratch buffer, and the objective over
//! a character sequence. Checked against the same model on dual numbers and finite differences.

use crate::*;
use autodiff::{differentiable, Scalar};

#[differentiable]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[differentiable]
fn logsumexp(vect: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..vect.len() {
        sum += vect[i].exp();
    }
    sum += 2.0;
    sum.ln()
}

/// One LSTM cell layer: `weight` and `bias` hold the forget, input, output and change blocks.
#[differentiable]
fn lstm_model(
    hsize: usize,
    weight: &[f64],
    bias: &[f64],
    hidden: &mut [f64],
    cell: &mut [f64],
    input: &[f64],
) {
    for i in 0..hsize {
        let forget = sigmoid(input[i] * weight[i] + bias[i]);
        let ingate = sigmoid(hidden[i] * weight[hsize + i] + bias[hsize + i]);
        let outgate = sigmoid(input[i] * weight[2 * hsize + i] + bias[2 * hsize + i]);
        let change = (hidden[i] * weight[3 * hsize + i] + bias[3 * hsize + i]).tanh();
        cell[i] = cell[i] * forget + ingate * change;
        hidden[i] = outgate * cell[i].tanh();
    }
}

#[differentiable]
fn lstm_predict(
    l: usize,
    b: usize,
    main_params: &[f64],
    extra_params: &[f64],
    hidden: &mut [f64],
    cell: &mut [f64],
    input: &[f64],
    output: &mut [f64],
) {
    for i in 0..b {
        output[i] = input[i] * extra_params[i];
    }
    let mut layer_output = vec![0.0; b];
    for i in 0..b {
        layer_output[i] = output[i];
    }
    for i in 0..l {
        let w = &main_params[8 * b * i..8 * b * i + 4 * b];
        let bias = &main_params[8 * b * i + 4 * b..8 * b * (i + 1)];
        lstm_model(
            b,
            w,
            bias,
            &mut hidden[b * i..b * (i + 1)],
            &mut cell[b * i..b * (i + 1)],
            &layer_output,
        );
        for j in 0..b {
            layer_output[j] = hidden[b * i + j];
        }
    }
    for i in 0..b {
        output[i] = layer_output[i] * extra_params[b + i] + extra_params[2 * b + i];
    }
}

#[differentiable(wrt(main_params, extra_params))]
fn lstm_objective(
    l: usize,
    c: usize,
    b: usize,
    main_params: &[f64],
    extra_params: &[f64],
    state: &[f64],
    sequence: &[f64],
) -> f64 {
    let mut total = 0.0;
    let mut count = 0;
    let mut hidden = vec![0.0; l * b];
    let mut cell = vec![0.0; l * b];
    for i in 0..l {
        for j in 0..b {
            hidden[i * b + j] = state[2 * b * i + j];
            cell[i * b + j] = state[2 * b * i + b + j];
        }
    }
    let mut ypred = vec![0.0; b];
    let mut ynorm = vec![0.0; b];
    for t in 0..c - 1 {
        let input = &sequence[t * b..(t + 1) * b];
        lstm_predict(
            l,
            b,
            main_params,
            extra_params,
            &mut hidden,
            &mut cell,
            input,
            &mut ypred,
        );
        let lse = logsumexp(&ypred);
        for i in 0..b {
            ynorm[i] = ypred[i] - lse;
        }
        let ygold = &sequence[(t + 1) * b..(t + 2) * b];
        for i in 0..b {
            total += ygold[i] * ynorm[i];
        }
        count += b;
    }
    -total / count as f64
}

/// The same model over any scalar.
fn lstm_generic<S: Scalar<Base = f64>>(
    l: usize,
    c: usize,
    b: usize,
    main: &[S],
    extra: &[S],
    state: &[f64],
    seq: &[f64],
) -> S {
    let sig = |x: S| S::one() / (S::one() + (-x).exp());
    let mut hidden: Vec<S> = (0..l * b)
        .map(|k| S::cst(state[2 * b * (k / b) + k % b]))
        .collect();
    let mut cell: Vec<S> = (0..l * b)
        .map(|k| S::cst(state[2 * b * (k / b) + b + k % b]))
        .collect();
    let mut total = S::zero();
    for t in 0..c - 1 {
        let mut out: Vec<S> = (0..b).map(|i| S::cst(seq[t * b + i]) * extra[i]).collect();
        for li in 0..l {
            let w = &main[8 * b * li..];
            let bi = &main[8 * b * li + 4 * b..];
            for i in 0..b {
                let h = hidden[b * li + i];
                let f = sig(out[i] * w[i] + bi[i]);
                let ig = sig(h * w[b + i] + bi[b + i]);
                let o = sig(out[i] * w[2 * b + i] + bi[2 * b + i]);
                let ch = (h * w[3 * b + i] + bi[3 * b + i]).tanh();
                let cnew = cell[b * li + i] * f + ig * ch;
                cell[b * li + i] = cnew;
                hidden[b * li + i] = o * cnew.tanh();
            }
            out = hidden[b * li..b * (li + 1)].to_vec();
        }
        let ypred: Vec<S> = (0..b)
            .map(|i| out[i] * extra[b + i] + extra[2 * b + i])
            .collect();
        let lse = (ypred.iter().fold(S::zero(), |s, &a| s + a.exp()) + S::cst(2.0)).ln();
        for i in 0..b {
            total += S::cst(seq[(t + 1) * b + i]) * (ypred[i] - lse);
        }
    }
    -total / S::cst(((c - 1) * b) as f64)
}

#[test]
fn lstm_objective_as_ported() {
    let (l, c, b) = (2, 4, 3);
    let mut rng = Rng::named("lstm");
    let main: Vec<f64> = (0..8 * b * l).map(|_| rng.range(-0.5, 0.5)).collect();
    let extra: Vec<f64> = (0..3 * b).map(|_| rng.range(-0.5, 0.5)).collect();
    let state: Vec<f64> = (0..2 * b * l).map(|_| rng.range(-0.5, 0.5)).collect();
    let seq: Vec<f64> = (0..c * b).map(|_| rng.range(0.0, 1.0)).collect();
    let nm = main.len();
    let f = |p: &[f64]| lstm_objective(l, c, b, &p[..nm], &p[nm..], &state, &seq);
    let o = Fns {
        f: &f,
        jvp: &|p: &[f64], v: &[f64]| {
            lstm_objective::jvp(
                l,
                c,
                b,
                &p[..nm],
                &p[nm..],
                &state,
                &seq,
                &v[..nm],
                &v[nm..],
            )
        },
        vjp: &|p: &[f64], s: f64, bar: &mut [f64]| {
            let (b1, b2) = bar.split_at_mut(nm);
            lstm_objective::vjp(l, c, b, &p[..nm], &p[nm..], &state, &seq, s, b1, b2)
        },
        grad: &|p: &[f64]| {
            let (v, (g1, g2)) = lstm_objective::grad(l, c, b, &p[..nm], &p[nm..], &state, &seq);
            (v, [g1, g2].concat())
        },
    };
    let p: Vec<f64> = [main.clone(), extra.clone()].concat();
    let g = check("lstm", &o, &p);
    let (v, want) = dual_grad(
        &|d| lstm_generic(l, c, b, &d[..nm], &d[nm..], &state, &seq),
        &p,
    );
    assert_close(v, f(&p), 1e-13, 1.0, "lstm value vs generic");
    assert_grad_eq("lstm", &g, &want, 1e-12);
    let dir: Vec<f64> = (0..p.len()).map(|_| rng.tangent()).collect();
    let (_, _, (h1, h2)) = lstm_objective::hvp(
        l,
        c,
        b,
        &p[..nm],
        &p[nm..],
        &state,
        &seq,
        &dir[..nm],
        &dir[nm..],
    );
    check_hvp("lstm", &|q| (o.grad)(q).1, &p, &dir, &[h1, h2].concat());
}
