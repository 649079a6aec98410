#!/usr/bin/env python3
"""JAX on the MLP of `benches/programs.rs` (group `nn_loss_256x8x32`), one thread, same data.

Run through the driver, which pins one core and one XLA thread and also runs the Rust side:

    benches/jax_mlp.sh

or alone (needs `pip install jax numpy`):

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \
        taskset -c 0 python3 benches/jax_mlp.py [--reference nn_loss.json]

The network: 8 inputs, 32 tanh hidden units, 1 linear output, MSE over 256 samples, the 321
weights in one vector (layout as in programs.rs). Data and weights come from the same splitmix64
generator and seeds as programs.rs, reimplemented here. Checks, before timing:
  * against a numpy backprop written here: JAX's value and gradient agree to 1e-12;
  * with `--reference` (the JSON printed by benches/reference/nn_loss.rs: the Rust data, the
    value of `nn_loss` and the generated `nn_loss::vjp`): the data and weights are bitwise
    Rust's, and JAX's value and gradient agree with Rust's to 1e-12 (relative to the largest
    gradient entry).
Prints one line per timed function, in microseconds per call (median over batches):
  * `jit(grad(loss))`: the gradient, one call at a time, each waited for (block_until_ready);
  * `jit(value_and_grad(loss))`: value and gradient (what Rust's `vjp` returns);
  * `jit(loss)`: the loss alone;
  * `in-jit loop`: 100 value_and_grad evaluations inside one jitted `lax.fori_loop` (each
    input depends on the previous gradient), so Python dispatch is excluded; per evaluation.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)

NI, NH, M = 8, 32, 256
NW = NH * NI + NH + NH + 1
MASK = (1 << 64) - 1


class Rng:
    """splitmix64, as `Rng` in benches/programs.rs."""

    def __init__(self, seed):
        self.state = seed

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def range(self, lo, hi):
        u = float(self.next_u64() >> 11) / float(1 << 53)
        return lo + (hi - lo) * u


def make_data():
    """xs (256 x 8), ys (256), w (321), drawn in programs.rs's order."""
    import math

    rng = Rng(0x1234)
    xs = [rng.range(-1.0, 1.0) for _ in range(M * NI)]
    ys = []
    for s in range(M):
        x = xs[s * NI:(s + 1) * NI]
        # Rust: (x[0] + 0.5 * x[1] * x[2]).sin() - 0.3 * x[7] + rng.range(-0.1, 0.1)
        ys.append(math.sin(x[0] + 0.5 * x[1] * x[2]) - 0.3 * x[7] + rng.range(-0.1, 0.1))
    w = []
    for k in range(NW):
        fan_in = NI if k < NH * NI + NH else NH
        w.append(rng.range(-1.0, 1.0) / math.sqrt(float(fan_in)))
    return np.array(xs), np.array(ys), np.array(w)


def loss(w, xs, ys):
    w1 = w[: NH * NI].reshape(NH, NI)
    b1 = w[NH * NI: NH * NI + NH]
    w2 = w[NH * NI + NH: NH * NI + 2 * NH]
    b2 = w[NH * NI + 2 * NH]
    h = jnp.tanh(xs.reshape(M, NI) @ w1.T + b1)
    r = h @ w2 + b2 - ys
    return jnp.mean(r * r)


def numpy_backprop(w, xs, ys):
    """Value and gradient by hand (the same algebra as programs.rs's `nn_backprop_into`)."""
    w1 = w[: NH * NI].reshape(NH, NI)
    b1 = w[NH * NI: NH * NI + NH]
    w2 = w[NH * NI + NH: NH * NI + 2 * NH]
    b2 = w[NH * NI + 2 * NH]
    x = xs.reshape(M, NI)
    h = np.tanh(x @ w1.T + b1)
    r = h @ w2 + b2 - ys
    dout = 2.0 * r / M
    dz = np.outer(dout, w2) * (1.0 - h * h)
    g = np.concatenate([(dz.T @ x).ravel(), dz.sum(0), h.T @ dout, [dout.sum()]])
    return np.mean(r * r), g


def close(a, b, tol, what):
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    scale = max(1.0, float(np.max(np.abs(b))))
    err = float(np.max(np.abs(a - b))) / scale
    ok = err <= tol
    print(f"  {what}: max |diff| / max(1, max |ref|) = {err:.1e} ({'ok' if ok else 'FAIL'})")
    return ok


def time_per_call(fn, args, batches, per_batch):
    """Median over `batches` of the mean time of `per_batch` calls, each waited for, in us."""
    for _ in range(per_batch):  # warm-up (compilation happened before)
        jax.block_until_ready(fn(*args))
    samples = []
    for _ in range(batches):
        t = time.perf_counter()
        for _ in range(per_batch):
            jax.block_until_ready(fn(*args))
        samples.append((time.perf_counter() - t) / per_batch * 1e6)
    return statistics.median(samples), min(samples), max(samples)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", help="JSON from benches/reference/nn_loss.rs")
    p.add_argument("--batches", type=int, default=31)
    p.add_argument("--per-batch", type=int, default=200)
    a = p.parse_args()

    print(f"jax {jax.__version__}, numpy {np.__version__}, devices {jax.devices()}")
    print(f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}, "
          f"CPU affinity {sorted(os.sched_getaffinity(0))}")
    xs, ys, w = make_data()
    xs_j, ys_j, w_j = jnp.asarray(xs), jnp.asarray(ys), jnp.asarray(w)

    grad = jax.jit(jax.grad(loss))
    vg = jax.jit(jax.value_and_grad(loss))
    val = jax.jit(loss)

    ok = True
    print("checks:")
    v_np, g_np = numpy_backprop(w, xs, ys)
    v_j, g_j = vg(w_j, xs_j, ys_j)
    g_only = grad(w_j, xs_j, ys_j)
    ok &= close(float(v_j), v_np, 1e-12, "JAX value vs numpy backprop")
    ok &= close(np.asarray(g_j), g_np, 1e-12, "JAX value_and_grad vs numpy backprop")
    ok &= close(np.asarray(g_only), g_np, 1e-12, "JAX grad vs numpy backprop")
    if a.reference:
        with open(a.reference) as f:
            ref = json.load(f)
        same = all(np.array_equal(np.array(ref[k]), v) for k, v in
                   (("xs", xs), ("ys", ys), ("w", w)))
        print(f"  data and weights bitwise Rust's: {'ok' if same else 'FAIL'}")
        ok &= same
        ok &= close(float(v_j), ref["loss"], 1e-12, "JAX value vs Rust nn_loss")
        ok &= close(np.asarray(g_j), np.array(ref["grad"]), 1e-12,
                    "JAX gradient vs Rust nn_loss::vjp")
        if "grad_tanh_fast" in ref:
            ok &= close(float(v_j), ref["loss_tanh_fast"], 1e-12,
                        "JAX value vs Rust nn_loss_fast (tanh_fast)")
            ok &= close(np.asarray(g_j), np.array(ref["grad_tanh_fast"]), 1e-12,
                        "JAX gradient vs Rust nn_loss_fast::vjp (tanh_fast)")
    if not ok:
        sys.exit("a check failed; not timing")

    def steps(w, xs, ys):
        # 100 value_and_grad evaluations in one XLA call; each w depends on the last gradient
        # (a negligible descent step), so nothing can be hoisted out of the loop.
        def body(_, carry):
            w, acc = carry
            v, g = jax.value_and_grad(loss)(w, xs, ys)
            return w - 1e-30 * g, acc + v
        return jax.lax.fori_loop(0, 100, body, (w, 0.0))

    loop = jax.jit(steps)
    jax.block_until_ready(loop(w_j, xs_j, ys_j))

    args = (w_j, xs_j, ys_j)
    print(f"timing: {a.batches} batches x {a.per_batch} calls, median of batch means "
          "(min, max) in us per call")
    for name, fn, div in (("jit(grad(loss))", grad, 1),
                          ("jit(value_and_grad(loss))", vg, 1),
                          ("jit(loss)", val, 1),
                          ("in-jit loop, per value_and_grad", loop, 100)):
        per = max(1, a.per_batch // div)
        med, lo, hi = time_per_call(fn, args, a.batches, per)
        print(f"  {name:34s} {med / div:9.1f}  ({lo / div:.1f}, {hi / div:.1f})")


if __name__ == "__main__":
    main()
