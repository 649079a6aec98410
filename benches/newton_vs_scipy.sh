#!/usr/bin/env bash
# Newton-CG on Rosenbrock n = 100: the generated objective with optim's NewtonCg against
# scipy.optimize.minimize(method='Newton-CG') with scipy's rosen/rosen_der/rosen_hess_prod
# (issue 11, item 7: target >= 100x faster in wall time).
#
#   PYTHON=/tmp/venv/bin/python benches/newton_vs_scipy.sh [ROUNDS]
#
# PYTHON: an interpreter with numpy and scipy (default python3). ROUNDS (default 3): the two
# halves run alternately, ROUNDS times each, both pinned to CPU 0 (taskset -c 0). Each half
# prints its run's outcome (iterations, evaluation counts, final point) and the median time of one
# run over 21 batches; at the end this prints the median over rounds of each side and the ratio
# scipy / Rust. Prints the load average before each half: on a shared machine, compare it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
ROUNDS=${1:-3}

cargo bench --bench newton_vs_scipy --no-run 2>&1 | tail -1
rust=()
scipy=()
for round in $(seq "$ROUNDS"); do
    echo "== round $round"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    out=$(taskset -c 0 cargo bench -q --bench newton_vs_scipy 2>&1)
    echo "$out"
    rust+=("$(sed -n 's/^rust_newton_cg_ms median=\([0-9.]*\).*/\1/p' <<<"$out")")
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    out=$(taskset -c 0 "$PYTHON" benches/scipy_newton_cg.py)
    echo "$out"
    scipy+=("$(sed -n 's/^scipy_newton_cg_ms median=\([0-9.]*\).*/\1/p' <<<"$out")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
r=$(median "${rust[@]}")
s=$(median "${scipy[@]}")
echo "== medians over $ROUNDS rounds (ms per run): rust ${rust[*]} -> $r; scipy ${scipy[*]} -> $s"
awk -v r="$r" -v s="$s" 'BEGIN { printf "scipy / rust = %.1f (target >= 100)\n", s / r }'
