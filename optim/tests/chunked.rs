//! `optim::chunked`: the cut of a dataset into chunks and processes' blocks, and the
//! single-process chunked objective (the reference the `mpi` feature reproduces).

use autodiff_runtime::{from_fns, Objective, ObjectiveError};
use optim::chunked::{Chunked, Chunks};
use optim::OptimError;

#[test]
fn chunks_cut_the_data_and_share_them_in_contiguous_blocks() {
    let c = Chunks::new(10, 4).unwrap();
    assert_eq!((c.len(), c.n_examples(), c.chunk_size()), (3, 10, 4));
    assert_eq!([c.range(0), c.range(1), c.range(2)], [0..4, 4..8, 8..10]);
    assert_eq!(c.range(3), 10..10);
    assert!(Chunks::new(0, 4).unwrap().is_empty());
    assert_eq!(
        Chunks::new(10, 0),
        Err(OptimError::InvalidHyperparameter {
            component: "Chunks",
            message: "chunk_size must be >= 1"
        })
    );
    // Any number of processes: the blocks follow each other, cover every chunk once, and
    // differ in size by at most one; the shards are the blocks' examples.
    let c = Chunks::new(1000, 7).unwrap();
    for ranks in 1..=9 {
        let mut next = 0;
        let mut examples = 0;
        for rank in 0..ranks {
            let share = c.share(rank, ranks);
            assert_eq!(share.start, next);
            assert!(share.len().abs_diff(c.len() / ranks) <= 1);
            next = share.end;
            let shard = c.shard(rank, ranks);
            assert_eq!(shard.start, examples);
            examples = shard.end;
        }
        assert_eq!((next, examples), (c.len(), 1000));
        assert!(c.share(ranks, ranks).is_empty());
    }
    // More processes than chunks: some have none.
    let c = Chunks::new(2, 1).unwrap();
    assert_eq!(
        [c.shard(0, 3), c.shard(1, 3), c.shard(2, 3)],
        [0..0, 0..1, 1..2]
    );
}

fn squares(ys: &[f64]) -> impl Objective<f64> + '_ {
    let value = |p: &[f64]| ys.iter().map(|y| (p[0] - y) * (p[0] - y)).sum::<f64>();
    from_fns(1, value, move |p: &[f64], g: &mut [f64]| {
        g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
        value(p)
    })
    .with_hvp(move |p: &[f64], v: &[f64], g: &mut [f64], hv: &mut [f64]| {
        g[0] = ys.iter().map(|y| 2.0 * (p[0] - y)).sum();
        hv[0] = 2.0 * ys.len() as f64 * v[0];
        value(p)
    })
}

#[test]
fn chunked_adds_the_chunks_in_order() {
    let ys: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin()).collect();
    let p = [0.3];
    // One chunk: the objective itself.
    let whole = Chunked::new(1, Chunks::new(100, 100).unwrap(), |r| squares(&ys[r])).unwrap();
    let direct = squares(&ys);
    let (mut g1, mut g2) = ([0.0], [0.0]);
    assert_eq!(
        whole.value_grad(&p, &mut g1),
        direct.value_grad(&p, &mut g2)
    );
    assert_eq!(g1, g2);
    // Chunks of 16: ((0 + c0) + c1) + ..., by hand.
    let chunked = Chunked::new(1, Chunks::new(100, 16).unwrap(), |r| squares(&ys[r])).unwrap();
    let (mut value, mut grad, mut hv) = (0.0, 0.0, 0.0);
    for c in ys.chunks(16) {
        let (mut g, mut h) = ([0.0], [0.0]);
        value += squares(c).hvp(&p, &[1.5], &mut g, &mut h).unwrap();
        grad += g[0];
        hv += h[0];
    }
    let (mut g, mut h) = ([0.0], [0.0]);
    assert_eq!(chunked.hvp(&p, &[1.5], &mut g, &mut h), Ok(value));
    assert_eq!((g[0], h[0]), (grad, hv));
    assert_eq!(chunked.value(&p), value);
    assert_eq!(chunked.dim(), 1);
}

#[test]
fn chunked_errors() {
    let ys = [1.0, 2.0, 3.0];
    assert_eq!(
        Chunked::new(2, Chunks::new(3, 2).unwrap(), |r| squares(&ys[r])).err(),
        Some(OptimError::InvalidHyperparameter {
            component: "Chunked",
            message: "every chunk's objective must have the dimension `dim`"
        })
    );
    let no_hvp = Chunked::new(1, Chunks::new(3, 2).unwrap(), |_| {
        from_fns(
            1,
            |p: &[f64]| p[0],
            |_: &[f64], g: &mut [f64]| {
                g[0] = 1.0;
                0.0
            },
        )
    })
    .unwrap();
    assert_eq!(
        no_hvp.hvp(&[0.0], &[1.0], &mut [0.0], &mut [0.0]),
        Err(ObjectiveError::NoHvp)
    );
}
