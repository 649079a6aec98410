#!/usr/bin/env python3
"""The README's "Scaling out" model table (a model on paper, not a measurement).

Step time on p nodes = compute / p + reduction, one process per node computing at the rates
measured by benches/mpi.rs on one core, over links with latency ALPHA and bandwidth BETA.

    python3 benches/mpi_model.py NS_PER_POINT NS_PER_SAMPLE_WEIGHT
"""
import math
import sys

ALPHA = 5e-6  # s per message
BETA = 10e9  # bytes per s
SEGMENT = 512 * 1024  # bytes per message of the ordered chain (65,536 f64)


def log2(p):
    return math.ceil(math.log2(p)) if p > 1 else 0


def ordered(m, p):
    """Pipelined chain through p processes in segments, then a pipelined tree broadcast."""
    if p == 1:
        return 0.0
    s = min(m, SEGMENT)
    segments = math.ceil(m / s)
    hop = ALPHA + s / BETA
    return (p - 2 + segments) * hop + (log2(p) + segments - 1) * hop


def allreduce(m, p):
    """Recursive doubling for small vectors, Rabenseifner (reduce-scatter + allgather) else."""
    if p == 1:
        return 0.0
    if m <= SEGMENT:
        return log2(p) * (ALPHA + m / BETA)
    return 2 * log2(p) * ALPHA + 2 * (p - 1) / p * m / BETA


def show(t):
    return f"{t * 1e3:.3g} ms" if t < 1 else f"{t:.3g} s"


def main():
    per_point = float(sys.argv[1]) * 1e-9
    per_sample_weight = float(sys.argv[2]) * 1e-9
    cases = [
        ("least squares 10^7 points", per_point * 1e7, 3 * 8),
        ("least squares 10^9 points", per_point * 1e9, 3 * 8),
        ("network 10^6 weights, batch 256", per_sample_weight * 256 * 1e6, 8 * (1e6 + 1)),
    ]
    head = " | ".join(f"{name}, `{r}`" for name, _, _ in cases for r in ("Ordered", "Allreduce"))
    print(f"| nodes | {head} |")
    print("|---|" + "---|" * (2 * len(cases)))
    for p in [1, 2, 4, 8, 16, 32, 64]:
        cells = []
        for _, compute, m in cases:
            for reduce in (ordered, allreduce):
                t = compute / p + reduce(m, p)
                cells.append(f"{show(t)} ({compute / t:.1f}x)")
        print(f"| {p} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
