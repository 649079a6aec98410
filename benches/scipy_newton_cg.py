#!/usr/bin/env python3
"""scipy's Newton-CG on Rosenbrock, n = 100: the Python half of issue 11, item 7.

    python3 benches/scipy_newton_cg.py          # needs numpy and scipy
    benches/newton_vs_scipy.sh                  # both halves, pinned to one core, and the ratio

As a scipy user would write it: `scipy.optimize.minimize(rosen, x0, method='Newton-CG',
jac=rosen_der, hessp=rosen_hess_prod)` with scipy's own numpy-vectorized Rosenbrock, gradient and
Hessian-vector product, default options (xtol 1e-5, 200 n iterations), from the standard start
x0 = (-1.2, 1, -1.2, 1, ...) as in benches/optim.rs and benches/newton_vs_scipy.rs.

Prints the run's outcome (iterations, evaluation counts, final value, distance to the minimum)
and the wall time of one run: median over batches (min, max) in milliseconds, on a line
`scipy_newton_cg_ms median=...` that the driver parses.
"""
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess_prod

N = 100


def run(x0):
    return minimize(rosen, x0, method="Newton-CG", jac=rosen_der, hessp=rosen_hess_prod)


def main():
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}")
    x0 = np.array([-1.2 if i % 2 == 0 else 1.0 for i in range(N)])
    r = run(x0.copy())
    dist = float(np.max(np.abs(r.x - 1.0)))
    print(f"scipy Newton-CG, Rosenbrock n = {N}: status {r.status} ({r.message}) after {r.nit} "
          f"iterations ({r.nfev} values, {r.njev} gradients, {r.nhev} HVPs), f = {r.fun:.3e}, "
          f"|g|_2 = {np.linalg.norm(rosen_der(r.x)):.3e}, max |x - 1| = {dist:.3e}, "
          f"x[0] = {r.x[0]:.6f}, x[{N - 1}] = {r.x[-1]:.6f}")
    assert dist < 1e-2, "did not reach the minimum (scipy's xtol rule stops within ~1e-3)"

    t = time.perf_counter()
    calib = 0
    while time.perf_counter() - t < 0.5:
        run(x0.copy())
        calib += 1
    per_batch = max(1, calib)
    ms = []
    for _ in range(21):
        t = time.perf_counter()
        for _ in range(per_batch):
            run(x0.copy())
        ms.append((time.perf_counter() - t) * 1e3 / per_batch)
    print(f"scipy_newton_cg_ms median={statistics.median(ms):.4f} min={min(ms):.4f} "
          f"max={max(ms):.4f} (21 batches x {per_batch} runs)")


if __name__ == "__main__":
    main()
