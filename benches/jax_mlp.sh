#!/usr/bin/env bash
# JAX against the generated gradient on the MLP of benches/programs.rs (group nn_loss_256x8x32;
# issue 11, item 5): jax.jit(jax.grad(loss)) in float64 on one thread, same data and weights.
#
#   PYTHON=/tmp/venv/bin/python benches/jax_mlp.sh [ROUNDS]
#
# The Rust entries include the network with `tanh_fast` (`*_tanh_fast*`, see benches/programs.rs);
# the reference JSON carries its loss and gradient too, which JAX's (with exact tanh) must match
# to 1e-12 as well. For native code: RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target-native
# (the bench's target directory, where criterion's estimates are read; the reference crate always
# builds in target/measure).
#
# PYTHON: an interpreter with jax and numpy (default python3). Steps:
#  1. builds benches/reference/nn_loss.rs in a temporary crate that depends on this workspace's
#     facade (target dir target/measure) and saves its JSON: Rust's data, weights, loss and
#     generated gradient;
#  2. ROUNDS times (default 3), alternately: benches/jax_mlp.py (checks JAX's data bitwise and
#     its value and gradient to 1e-12 against Rust's and a numpy backprop, then times) and
#     `cargo bench --bench programs -- nn_loss`, both on CPU 0 (taskset -c 0), XLA on one
#     thread (XLA_FLAGS below);
#  3. prints the median over rounds of each entry in microseconds (criterion's median point
#     estimate for the Rust entries), and the load average measured before each half.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
ROUNDS=${1:-3}
export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
cp benches/reference/nn_loss.rs "$tmp/src/main.rs"
cp Cargo.lock rust-toolchain.toml "$tmp/"
cat >"$tmp/Cargo.toml" <<TOML
[package]
name = "nn-loss-reference"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
autodiff = { package = "autodiff-gen", path = "$ROOT" }

[workspace]
TOML
echo "== building the Rust reference and the programs bench"
(cd "$tmp" && CARGO_TARGET_DIR="$ROOT/target/measure" cargo run -q --release >"$tmp/ref.json")
cargo bench --bench programs --no-run 2>&1 | tail -1

est() { # criterion's median point estimate of an nn_loss entry, in microseconds
    grep -o '"median":{"confidence_interval":{[^}]*},"point_estimate":[0-9.eE+-]*' \
        "${CARGO_TARGET_DIR:-target}/criterion/nn_loss_256x8x32/$1/new/estimates.json" |
        sed 's/.*"point_estimate"://' | awk '{ printf "%.1f", $1 / 1000 }'
}
rust_entries=(vjp_generated grad_struct_method grad_struct_inline vjp_hand_written primal
    vjp_generated_tanh_fast vjp_generated_tanh_fast_split vjp_hand_written_tanh_fast
    primal_tanh_fast primal_tanh_fast_split)
declare -A samples
for round in $(seq "$ROUNDS"); do
    echo "== round $round: JAX (load $(cut -d' ' -f1-3 /proc/loadavg))"
    out=$(taskset -c 0 "$PYTHON" benches/jax_mlp.py --reference "$tmp/ref.json")
    echo "$out"
    while read -r name us; do
        samples[$name]+="$us "
    done < <(awk '/^  (jit|in-jit)/ { n = $1; if (n == "in-jit") n = "jax_in_jit_loop"; print n, $(NF - 2) }' <<<"$out")
    echo "== round $round: Rust (load $(cut -d' ' -f1-3 /proc/loadavg))"
    taskset -c 0 cargo bench -q --bench programs -- nn_loss 2>&1 | grep -E '^nn_loss|time:'
    for e in "${rust_entries[@]}"; do
        samples[$e]+="$(est "$e") "
    done
done
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "== medians over $ROUNDS rounds, microseconds per call"
for k in "jit(grad(loss))" "jit(value_and_grad(loss))" "jit(loss)" jax_in_jit_loop "${rust_entries[@]}"; do
    # shellcheck disable=SC2086
    printf '  %-28s %8s   (%s)\n' "$k" "$(median ${samples[$k]})" "${samples[$k]% }"
done
