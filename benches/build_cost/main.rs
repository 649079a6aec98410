// The `main` of benches/build_cost.sh's corpus crate: calls every function of corpus.rs, and with
// the crate's feature `derivatives` also each one's generated gradient (`grad`, or `vjp` into a
// buffer for active slices, `loss_grad` for the method), so that the derivative code is compiled;
// with `second_order` as well, each free function's Hessian-vector product (`hvp`).
// Inputs go through `black_box` and every result is printed, so nothing is folded away.
#![allow(clippy::needless_range_loop)]

mod corpus;

use corpus::*;
use std::hint::black_box as bb;

fn main() {
    let x: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin()).collect();
    let y: Vec<f64> = (0..100).map(|i| (i as f64 * 0.11).cos()).collect();
    let sigma = vec![0.5; 100];
    let labels: Vec<f64> = (0..100).map(|i| (i % 2) as f64).collect();
    let w4 = [0.1, -0.2, 0.3, 0.05];
    let xs4: Vec<f64> = (0..400).map(|i| (i as f64 * 0.13).sin()).collect();
    let nw = 32 * 8 + 32 + 32 + 1;
    let wn: Vec<f64> = (0..nw).map(|i| (i as f64 * 0.7).sin() * 0.3).collect();
    let xs8: Vec<f64> = (0..64 * 8).map(|i| (i as f64 * 0.29).cos()).collect();
    let ys8: Vec<f64> = (0..64).map(|i| (i as f64 * 0.5).sin()).collect();
    let a3 = [1.0, 2.0, 3.0];
    let m3 = vec![[1.0, 0.5, 0.0], [0.2, 1.0, 0.3]];
    let g20 = [[0.5; 5]; 4];
    let t20 = [[0.1; 5]; 4];
    let xy2: Vec<[f64; 2]> = (0..50)
        .map(|i| [(i as f64).sin(), (i as f64).cos()])
        .collect();
    let aff = Affine {
        w: [0.3, -0.1],
        b: 0.2,
    };

    let mut out = vec![
        rosen(bb(&x)),
        rosen_arr(bb(&[-1.2, 1.0, 0.5, 2.0])),
        himmelblau(bb(1.0), bb(2.0)),
        beale(bb(1.0), bb(2.0)),
        quadratic(bb(3.0), bb(3.0)),
        least_squares(bb(0.5), bb(0.1), bb(&x), bb(&y)),
        chi2(bb(0.5), bb(0.1), bb(&x), bb(&y), bb(&sigma)),
        logistic_loss(bb(&w4), bb(&xs4), bb(&labels)),
        huber(bb(&w4[..2]), bb(&x), bb(&y), bb(0.5)),
        nn_loss(bb(&wn), bb(&xs8), bb(&ys8)),
        logsumexp(bb(&x)),
        quad_form(bb(&m3), bb(&a3)),
        heat(bb(&g20), bb(&t20), bb(3)),
        oscillator(bb(2.0), bb(0.1), bb(1.0), bb(0.0)),
        sqrt_newton(bb(2.0)),
        branches(bb(1.0), bb(2.0)),
        variance(bb(&x)),
        aff.loss(bb(&xy2), bb(&y[..50])),
    ];
    #[cfg(feature = "derivatives")]
    {
        let mut g = vec![0.0; 400];
        out.push(rosen::grad(bb(&x)).1[0]);
        out.push(rosen_arr::grad(bb(&[-1.2, 1.0, 0.5, 2.0])).1[0]);
        out.push(himmelblau::grad(bb(1.0), bb(2.0)).1 .0);
        out.push(beale::grad(bb(1.0), bb(2.0)).1 .0);
        out.push(quadratic::grad(bb(3.0), bb(3.0)).1 .1);
        out.push(least_squares::grad(bb(0.5), bb(0.1), bb(&x), bb(&y)).1 .0);
        out.push(
            chi2::grad(bb(0.5), bb(0.1), bb(&x), bb(&y), bb(&sigma))
                .1
                 .1,
        );
        out.push(logistic_loss::vjp(
            bb(&w4),
            bb(&xs4),
            bb(&labels),
            1.0,
            &mut g[..4],
        ));
        out.push(huber::vjp(
            bb(&w4[..2]),
            bb(&x),
            bb(&y),
            bb(0.5),
            1.0,
            &mut g[..2],
        ));
        out.push(nn_loss::vjp(bb(&wn), bb(&xs8), bb(&ys8), 1.0, &mut g[..nw]));
        out.push(logsumexp::grad(bb(&x)).1[3]);
        out.push(quad_form::grad(bb(&m3), bb(&a3)).1 .1[0]);
        out.push(heat::grad(bb(&g20), bb(&t20), bb(3)).1[1][1]);
        out.push(oscillator::grad(bb(2.0), bb(0.1), bb(1.0), bb(0.0)).1 .0);
        out.push(sqrt_newton::grad(bb(2.0)).1);
        out.push(branches::grad(bb(1.0), bb(2.0)).1 .0);
        out.push(variance::grad(bb(&x)).1[0]);
        out.push(aff.loss_grad(bb(&xy2), bb(&y[..50])).1.b);
        out.push(g.iter().sum());
    }
    #[cfg(feature = "second_order")]
    {
        let v: Vec<f64> = (0..400).map(|i| (i as f64 * 0.21).cos()).collect();
        let d3 = vec![[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]];
        let d20 = [[0.25; 5]; 4];
        out.push(rosen::hvp(bb(&x), &v[..100]).2[0]);
        out.push(rosen_arr::hvp(bb(&[-1.2, 1.0, 0.5, 2.0]), &[1.0, 0.0, 0.0, 0.0]).2[0]);
        out.push(himmelblau::hvp(bb(1.0), bb(2.0), 1.0, 0.0).2 .0);
        out.push(beale::hvp(bb(1.0), bb(2.0), 1.0, 0.0).2 .0);
        out.push(quadratic::hvp(bb(3.0), bb(3.0), 0.0, 1.0).2 .1);
        out.push(
            least_squares::hvp(bb(0.5), bb(0.1), bb(&x), bb(&y), 1.0, 0.0)
                .2
                 .0,
        );
        out.push(
            chi2::hvp(bb(0.5), bb(0.1), bb(&x), bb(&y), bb(&sigma), 0.0, 1.0)
                .2
                 .1,
        );
        out.push(logistic_loss::hvp(bb(&w4), bb(&xs4), bb(&labels), &v[..4]).2[0]);
        out.push(huber::hvp(bb(&w4[..2]), bb(&x), bb(&y), bb(0.5), &v[..2]).2[0]);
        out.push(nn_loss::hvp(bb(&wn), bb(&xs8), bb(&ys8), &v[..nw]).2[0]);
        out.push(logsumexp::hvp(bb(&x), &v[..100]).2[3]);
        out.push(quad_form::hvp(bb(&m3), bb(&a3), &d3, &[1.0, 0.0, 0.0]).2 .1[0]);
        out.push(heat::hvp(bb(&g20), bb(&t20), bb(3), &d20).2[1][1]);
        out.push(
            oscillator::hvp(bb(2.0), bb(0.1), bb(1.0), bb(0.0), 1.0, 0.0, 0.0, 0.0)
                .2
                 .0,
        );
        out.push(sqrt_newton::hvp(bb(2.0), 1.0).2);
        out.push(branches::hvp(bb(1.0), bb(2.0), 1.0, 0.0).2 .0);
        out.push(variance::hvp(bb(&x), &v[..100]).2[0]);
    }
    out.push(arr_max(bb(&x)) + row_dot(bb(&x), bb(&y)));
    println!("{}", out.iter().sum::<f64>());
}
