//! Every kernel, portable and FMA builds, on the same random inputs: the same bits.
//!
//! The FMA build exists only with `std` on x86-64 without `fma` enabled at compile time, and
//! runs only on a CPU with FMA; elsewhere these tests check the portable build against itself
//! (there is nothing else to compare with) and say so.

use alloc::vec::Vec;

use autodiff_runtime::Float;

use super::first_order::Decay;
use super::*;

/// splitmix64: the inputs, reproducible.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `[-scale, scale)`, all bits of the mantissa random.
    fn f<F: Float>(&mut self, scale: f64) -> F {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        F::from_f64((2.0 * u - 1.0) * scale)
    }
    fn vec<F: Float>(&mut self, n: usize, scale: f64) -> Vec<F> {
        (0..n).map(|_| self.f(scale)).collect()
    }
    /// Non-negative (second moments).
    fn pos<F: Float>(&mut self, n: usize, scale: f64) -> Vec<F> {
        (0..n).map(|_| self.f::<F>(scale).abs()).collect()
    }
    fn flag(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

fn bits<F: Float>(v: &[F]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

/// Lengths around the vector widths (tails) and a long one.
const LENGTHS: [usize; 7] = [0, 1, 3, 4, 7, 100, 1003];

/// Runs `run` on the portable build and, if present, on the FMA build, from the same state, and
/// checks that every output buffer has the same bits. Returns whether the FMA build ran.
fn both<F: Float, St: Clone>(
    state: &St,
    out: impl Fn(&St) -> Vec<&[F]>,
    run: impl Fn(Kernels, &mut St),
) -> bool {
    let mut portable = state.clone();
    run(Kernels::PORTABLE, &mut portable);
    let Some(fma) = Kernels::with_fma() else {
        return false;
    };
    let mut fused = state.clone();
    run(fma, &mut fused);
    for (a, b) in out(&portable).into_iter().zip(out(&fused)) {
        assert_eq!(bits(a), bits(b), "portable and FMA builds differ");
    }
    true
}

/// The buffers of a first-order step: params, grad, and three state buffers.
type Bufs<F> = (Vec<F>, Vec<F>, Vec<F>, Vec<F>, Vec<F>);

fn bufs<F: Float>(g: &mut Gen, n: usize) -> Bufs<F> {
    (
        g.vec(n, 2.0),
        g.vec(n, 5.0),
        g.vec(n, 1.0),
        g.pos(n, 1.0),
        g.pos(n, 1.0),
    )
}

fn outs<F>(b: &Bufs<F>) -> Vec<&[F]> {
    alloc::vec![&b.0[..], &b.2[..], &b.3[..], &b.4[..]]
}

fn decay<F: Float>(g: &mut Gen) -> Decay<F> {
    Decay::new(g.flag(), if g.flag() { 0.0 } else { 0.01 }, 0.1)
}

/// Every first-order kernel, random constants and flags, several steps in a row.
fn first_order<F: Float>() -> bool {
    let mut g = Gen(7);
    let mut fma_ran = false;
    for &n in &LENGTHS {
        for _ in 0..16 {
            let b = bufs::<F>(&mut g, n);
            let (maximize, wd) = (g.flag(), if g.flag() { 0.0 } else { 0.05 });
            let sgd = SgdStep {
                neg_lr: g.f(0.1),
                momentum: g.flag().then(|| g.f(1.0)),
                one_minus_damp: g.f(1.0),
                has_buf: g.flag(),
                nesterov: g.flag(),
                maximize,
                weight_decay: wd,
            };
            fma_ran |= both(&b, outs, |k, b| k.sgd(&mut b.0, &b.1, &mut b.2, sgd));
            let adam = AdamStep {
                w1: g.f(0.2),
                b2: F::from_f64(0.999),
                w2: F::from_f64(0.001),
                eps: F::from_f64(1e-8),
                bc2_sqrt: g.f::<F>(1.0).abs(),
                neg_step_size: g.f(0.01),
                decay: decay(&mut g),
                maximize,
                amsgrad: g.flag(),
            };
            both(&b, outs, |k, b| {
                for _ in 0..3 {
                    k.adam(&mut b.0, &b.1, &mut b.2, &mut b.3, &mut b.4, adam);
                }
            });
            let rms = RmsPropStep {
                alpha: F::from_f64(0.99),
                w: F::from_f64(0.01),
                eps: F::from_f64(1e-8),
                neg_lr: g.f(0.01),
                momentum: g.flag().then(|| g.f(1.0)),
                centered: g.flag(),
                maximize,
                weight_decay: wd,
            };
            both(&b, outs, |k, b| {
                k.rmsprop(&mut b.0, &b.1, &mut b.3, &mut b.2, &mut b.4, rms)
            });
            let ada = AdagradStep {
                neg_clr: g.f(0.1),
                eps: F::from_f64(1e-10),
                maximize,
                weight_decay: wd,
            };
            both(&b, outs, |k, b| k.adagrad(&mut b.0, &b.1, &mut b.3, ada));
            let delta = AdadeltaStep {
                rho: F::from_f64(0.9),
                w: F::from_f64(0.1),
                eps: F::from_f64(1e-6),
                neg_lr: g.f(1.0),
                maximize,
                weight_decay: wd,
            };
            both(&b, outs, |k, b| {
                k.adadelta(&mut b.0, &b.1, &mut b.3, &mut b.4, delta)
            });
            let nadam = NAdamStep {
                w1: F::from_f64(0.1),
                b2: F::from_f64(0.999),
                w2: F::from_f64(0.001),
                eps: F::from_f64(1e-8),
                bias_correction2: g.f::<F>(1.0).abs(),
                value_g: g.f(0.01),
                value_m: g.f(0.01),
                decay: decay(&mut g),
                maximize,
            };
            both(&b, outs, |k, b| {
                k.nadam(&mut b.0, &b.1, &mut b.2, &mut b.3, nadam)
            });
            let radam = RAdamStep {
                w1: F::from_f64(0.1),
                b2: F::from_f64(0.999),
                w2: F::from_f64(0.001),
                eps: F::from_f64(1e-8),
                bc1: g.f::<F>(1.0).abs(),
                bc2_sqrt: g.f::<F>(1.0).abs(),
                lr: g.f(0.01),
                rect: g.flag().then(|| g.f(1.0)),
                decay: decay(&mut g),
                maximize,
            };
            both(&b, outs, |k, b| {
                k.radam(&mut b.0, &b.1, &mut b.2, &mut b.3, radam)
            });
        }
    }
    fma_ran
}

/// The L-BFGS kernels on random histories (full and partial, wrapped ring buffers).
fn lbfgs<F: Float>() -> bool {
    let mut g = Gen(11);
    let mut fma_ran = false;
    for &n in &LENGTHS {
        for m in [1, 3, 10] {
            for len in [0, 1, m] {
                let s: Vec<Vec<F>> = (0..m).map(|_| g.vec(n, 1.0)).collect();
                let y: Vec<Vec<F>> = (0..m).map(|_| g.vec(n, 1.0)).collect();
                let rho: Vec<F> = g.vec(m, 1.0);
                let head = (g.next() % m as u64) as usize;
                let h_diag = g.f::<F>(1.0);
                let state = (g.vec::<F>(n, 1.0), g.vec::<F>(n, 1.0), g.vec::<F>(m, 1.0));
                fma_ran |= both(
                    &state,
                    |st| alloc::vec![&st.0[..], &st.2[..]],
                    |k, st| {
                        let (d, grad, al) = st;
                        k.two_loop(d, grad, &s, &y, &rho, al, head, len, h_diag)
                    },
                );
            }
        }
        let t = g.f::<F>(2.0);
        let state = (g.vec::<F>(n, 1.0), g.vec::<F>(n, 1.0), g.vec::<F>(n, 1.0));
        both(
            &state,
            |st| alloc::vec![&st.0[..], &st.2[..]],
            |k, st| {
                k.add_step(&mut st.0, t, &st.1);
                k.add_step_into(&mut st.2, &st.0, t, &st.1);
            },
        );
    }
    fma_ran
}

/// Whether this build and CPU have an FMA build to compare with.
fn fma_expected() -> bool {
    cfg!(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "fma")
    )) && Kernels::with_fma().is_some()
}

#[test]
fn first_order_kernels_same_bits_on_both_builds() {
    assert_eq!(first_order::<f64>(), fma_expected());
    assert_eq!(first_order::<f32>(), fma_expected());
}

#[test]
fn lbfgs_kernels_same_bits_on_both_builds() {
    assert_eq!(lbfgs::<f64>(), fma_expected());
    assert_eq!(lbfgs::<f32>(), fma_expected());
}

/// The FMA build really fuses: `fma(a, b, c)` and `a * b + c` differ on these inputs, and the
/// kernel gives the fused result (so the comparison above is not between two unfused builds).
#[test]
fn add_step_is_fused_on_both_builds() {
    let (t, d, p) = (0.1f64, 10.0f64, -1.0f64);
    assert_ne!(t.mul_add(d, p), t * d + p);
    let mut builds = alloc::vec![Kernels::PORTABLE];
    builds.extend(Kernels::with_fma());
    for k in builds {
        let mut x = [p];
        k.add_step(&mut x, t, &[d]);
        assert_eq!(x[0].to_bits(), t.mul_add(d, p).to_bits(), "{k:?}");
    }
}

/// `force_portable` acts on this thread only and is undone by `force_portable(false)`.
#[test]
fn force_portable_selects_the_portable_build() {
    force_portable(true);
    assert_eq!(Kernels::get(), Kernels::PORTABLE);
    force_portable(false);
    assert_eq!(
        Kernels::get(),
        Kernels::with_fma().unwrap_or(Kernels::PORTABLE)
    );
}
