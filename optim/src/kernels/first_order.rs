//! The element loops of the first-order rules: each optimizer's `step` computes its constants
//! (a `...Step` struct, in `F` where torch casts them) and runs its kernel over the parameters.

use autodiff_runtime::{Float, Scalar};

use super::kernels;
use crate::transforms::{add_scaled, addcdiv, addcmul, decay_addcmul, effective_grad, lerp};

/// Panics unless every buffer has the parameters' length (the loops zip them).
#[inline(always)]
fn same_len<F>(params: &[F], others: &[&[F]]) {
    let n = params.len();
    assert!(
        others.iter().all(|o| o.len() == n),
        "optimizer state and parameters must have the same length {n}"
    );
}

/// The weight decay of a step: decoupled (`p *= 1 - lr wd` first) or L2 (`g += wd p`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decay<F> {
    /// `Some(1 - lr wd)` with decoupled decay and `wd != 0`.
    pub(crate) decoupled: Option<F>,
    /// `wd` for L2 decay, else 0.
    pub(crate) l2: f64,
}

impl<F: Float> Decay<F> {
    /// torch's `p.mul_(1 - lr wd)` if `decoupled` and `wd != 0`, else `grad.add(p, alpha=wd)`.
    pub(crate) fn new(decoupled: bool, weight_decay: f64, lr: f64) -> Self {
        Decay {
            decoupled: (decoupled && weight_decay != 0.0)
                .then(|| F::from_f64(1.0 - lr * weight_decay)),
            l2: if decoupled { 0.0 } else { weight_decay },
        }
    }

    /// The parameter after decoupled decay, and the effective gradient.
    #[inline(always)]
    fn apply(self, p: F, g: F, maximize: bool) -> (F, F) {
        let p = match self.decoupled {
            Some(d) => p * d,
            None => p,
        };
        (p, effective_grad(g, p, maximize, self.l2))
    }
}

/// `Sgd::step`'s constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SgdStep<F> {
    pub(crate) neg_lr: F,
    /// `Some(momentum)` if `momentum != 0`.
    pub(crate) momentum: Option<F>,
    pub(crate) one_minus_damp: F,
    /// Whether the momentum buffer holds a previous step (else it starts as the gradient).
    pub(crate) has_buf: bool,
    pub(crate) nesterov: bool,
    pub(crate) maximize: bool,
    pub(crate) weight_decay: f64,
}

/// `Adam::step`'s (and `AdamW`'s) constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdamStep<F> {
    pub(crate) w1: F,
    pub(crate) b2: F,
    pub(crate) w2: F,
    pub(crate) eps: F,
    pub(crate) bc2_sqrt: F,
    pub(crate) neg_step_size: F,
    pub(crate) decay: Decay<F>,
    pub(crate) maximize: bool,
    pub(crate) amsgrad: bool,
}

/// `RmsProp::step`'s constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RmsPropStep<F> {
    pub(crate) alpha: F,
    pub(crate) w: F,
    pub(crate) eps: F,
    pub(crate) neg_lr: F,
    /// `Some(momentum)` if `momentum > 0`.
    pub(crate) momentum: Option<F>,
    pub(crate) centered: bool,
    pub(crate) maximize: bool,
    pub(crate) weight_decay: f64,
}

/// `Adagrad::step`'s constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdagradStep<F> {
    pub(crate) neg_clr: F,
    pub(crate) eps: F,
    pub(crate) maximize: bool,
    pub(crate) weight_decay: f64,
}

/// `Adadelta::step`'s constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdadeltaStep<F> {
    pub(crate) rho: F,
    pub(crate) w: F,
    pub(crate) eps: F,
    pub(crate) neg_lr: F,
    pub(crate) maximize: bool,
    pub(crate) weight_decay: f64,
}

/// `NAdam::step`'s constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NAdamStep<F> {
    pub(crate) w1: F,
    pub(crate) b2: F,
    pub(crate) w2: F,
    pub(crate) eps: F,
    pub(crate) bias_correction2: F,
    pub(crate) value_g: F,
    pub(crate) value_m: F,
    pub(crate) decay: Decay<F>,
    pub(crate) maximize: bool,
}

/// `RAdam::step`'s constants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RAdamStep<F> {
    pub(crate) w1: F,
    pub(crate) b2: F,
    pub(crate) w2: F,
    pub(crate) eps: F,
    pub(crate) bc1: F,
    pub(crate) bc2_sqrt: F,
    pub(crate) lr: F,
    /// `Some(rect)` once the variance is tractable (`rho_t > 5`).
    pub(crate) rect: Option<F>,
    pub(crate) decay: Decay<F>,
    pub(crate) maximize: bool,
}

kernels! {
    /// SGD (momentum, dampening, Nesterov): `buf = momentum buf + (1 - dampening) g`,
    /// `p -= lr (g + momentum buf if nesterov, else buf)`.
    fn sgd<F: Float>(params: &mut [F], grad: &[F], buf: &mut [F], k: SgdStep<F>) {
        same_len(params, &[grad, buf]);
        for ((p, &g), b) in params.iter_mut().zip(grad).zip(buf) {
            let mut g = effective_grad(g, *p, k.maximize, k.weight_decay);
            if let Some(momentum) = k.momentum {
                let nb = if k.has_buf {
                    add_scaled(*b * momentum, k.one_minus_damp, g)
                } else {
                    g
                };
                *b = nb;
                g = if k.nesterov { add_scaled(g, momentum, nb) } else { nb };
            }
            *p = add_scaled(*p, k.neg_lr, g);
        }
    }

    /// Adam / AdamW: `m = lerp(m, g, 1-beta1)`, `v = beta2 v + (1-beta2) g g`
    /// (`vmax = max(vmax, v)`), `p -= step_size m / (sqrt(v)/sqrt(bc2) + eps)`.
    fn adam<F: Float>(
        params: &mut [F],
        grad: &[F],
        m: &mut [F],
        v: &mut [F],
        vmax: &mut [F],
        k: AdamStep<F>,
    ) {
        same_len(params, &[grad, m, v, vmax]);
        let it = params.iter_mut().zip(grad).zip(m).zip(v).zip(vmax);
        for ((((p, &g), m), v), vmax) in it {
            let (q, g) = k.decay.apply(*p, g, k.maximize);
            *m = lerp(*m, g, k.w1);
            *v = decay_addcmul(*v, k.b2, k.w2, g, g);
            let second = if k.amsgrad {
                if *v > *vmax || v.is_nan() {
                    *vmax = *v;
                }
                *vmax
            } else {
                *v
            };
            let denom = Scalar::sqrt(second) / k.bc2_sqrt + k.eps;
            *p = addcdiv(q, k.neg_step_size, *m, denom);
        }
    }

    /// RMSprop (centered, momentum): `s = alpha s + (1-alpha) g g`,
    /// `avg = sqrt(s [- ga ga]) + eps`, `p -= lr g / avg` (or through the momentum buffer).
    fn rmsprop<F: Float>(
        params: &mut [F],
        grad: &[F],
        sq: &mut [F],
        ga: &mut [F],
        buf: &mut [F],
        k: RmsPropStep<F>,
    ) {
        same_len(params, &[grad, sq, ga, buf]);
        let it = params.iter_mut().zip(grad).zip(sq).zip(ga).zip(buf);
        for ((((p, &g), sq), ga), buf) in it {
            let g = effective_grad(g, *p, k.maximize, k.weight_decay);
            *sq = decay_addcmul(*sq, k.alpha, k.w, g, g);
            let avg = if k.centered {
                *ga = lerp(*ga, g, k.w);
                Scalar::sqrt(addcmul(*sq, -F::one(), *ga, *ga))
            } else {
                Scalar::sqrt(*sq)
            } + k.eps;
            if let Some(momentum) = k.momentum {
                *buf = addcdiv(*buf * momentum, F::one(), g, avg);
                *p = add_scaled(*p, k.neg_lr, *buf);
            } else {
                *p = addcdiv(*p, k.neg_lr, g, avg);
            }
        }
    }

    /// Adagrad: `sum += g g`, `p -= clr g / (sqrt(sum) + eps)`.
    fn adagrad<F: Float>(params: &mut [F], grad: &[F], sum: &mut [F], k: AdagradStep<F>) {
        same_len(params, &[grad, sum]);
        for ((p, &g), sum) in params.iter_mut().zip(grad).zip(sum) {
            let g = effective_grad(g, *p, k.maximize, k.weight_decay);
            *sum = addcmul(*sum, F::one(), g, g);
            let std = Scalar::sqrt(*sum) + k.eps;
            *p = addcdiv(*p, k.neg_clr, g, std);
        }
    }

    /// Adadelta: `sq = rho sq + (1-rho) g g`, `delta = sqrt(acc + eps) / sqrt(sq + eps) g`,
    /// `acc = rho acc + (1-rho) delta delta`, `p -= lr delta`.
    fn adadelta<F: Float>(
        params: &mut [F],
        grad: &[F],
        sq: &mut [F],
        acc: &mut [F],
        k: AdadeltaStep<F>,
    ) {
        same_len(params, &[grad, sq, acc]);
        for (((p, &g), sq), acc) in params.iter_mut().zip(grad).zip(sq).zip(acc) {
            let g = effective_grad(g, *p, k.maximize, k.weight_decay);
            *sq = decay_addcmul(*sq, k.rho, k.w, g, g);
            let std = Scalar::sqrt(*sq + k.eps);
            let delta = Scalar::sqrt(*acc + k.eps) / std * g;
            *acc = decay_addcmul(*acc, k.rho, k.w, delta, delta);
            *p = add_scaled(*p, k.neg_lr, delta);
        }
    }

    /// NAdam: Adam's moments, `denom = sqrt(v / bc2) + eps`,
    /// `p += value_g g / denom + value_m m / denom`.
    fn nadam<F: Float>(params: &mut [F], grad: &[F], m: &mut [F], v: &mut [F], k: NAdamStep<F>) {
        same_len(params, &[grad, m, v]);
        for (((p, &g), m), v) in params.iter_mut().zip(grad).zip(m).zip(v) {
            let (q, g) = k.decay.apply(*p, g, k.maximize);
            *m = lerp(*m, g, k.w1);
            *v = decay_addcmul(*v, k.b2, k.w2, g, g);
            let denom = Scalar::sqrt(*v / k.bias_correction2) + k.eps;
            let q = addcdiv(q, k.value_g, g, denom);
            *p = addcdiv(q, k.value_m, *m, denom);
        }
    }

    /// RAdam: Adam's moments, `p -= lr m/bc1 (sqrt(bc2) / (sqrt(v) + eps) rect)` once
    /// rectified, else `p -= lr m/bc1`.
    fn radam<F: Float>(params: &mut [F], grad: &[F], m: &mut [F], v: &mut [F], k: RAdamStep<F>) {
        same_len(params, &[grad, m, v]);
        for (((p, &g), m), v) in params.iter_mut().zip(grad).zip(m).zip(v) {
            let (q, g) = k.decay.apply(*p, g, k.maximize);
            *m = lerp(*m, g, k.w1);
            *v = decay_addcmul(*v, k.b2, k.w2, g, g);
            let corrected = *m / k.bc1;
            let update = match k.rect {
                Some(rect) => {
                    let adaptive = k.bc2_sqrt / (Scalar::sqrt(*v) + k.eps);
                    corrected * k.lr * adaptive * rect
                }
                None => corrected * k.lr,
            };
            *p = add_scaled(q, -F::one(), update);
        }
    }
}
