#!/usr/bin/env bash
# Prints the ratios of the `gradients` benchmark from criterion's saved estimates.
#
#   cargo bench --bench gradients     # measure (about 30 s); criterion prints a time per entry
#   benches/ratios.sh                 # then this: one row per function
#
# Criterion reports each entry's time as [lower  estimate  upper] of a 95% confidence interval.
# This script reads the median point estimate of each entry (target/criterion/<group>/<entry>/
# new/estimates.json) and prints
#   generated / hand-written  -- 1.00 means f::grad is as fast as the hand-written gradient;
#                                1.50 means it takes 50% longer.
#   generated / primal        -- the cost of value + gradient in units of one evaluation of f
#                                (reverse mode's theoretical bound is a small constant, ~3-4).
# Times of a few nanoseconds are close to the timer's and the loop's own overhead, so treat
# differences below ~0.3 ns as noise; re-run to see the spread.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${CARGO_TARGET_DIR:-target}/criterion"

median_ns() {
    local file="$dir/$1/$2/new/estimates.json"
    if [[ ! -f "$file" ]]; then
        echo "missing $file: run 'cargo bench --bench gradients' first" >&2
        exit 1
    fi
    # estimates.json is one line: {"mean":{...},"median":{"confidence_interval":{...},"point_estimate":X,...
    grep -o '"median":{"confidence_interval":{[^}]*},"point_estimate":[0-9.eE+-]*' "$file" |
        sed 's/.*"point_estimate"://'
}

printf '%-14s %12s %14s %14s %18s %14s\n' function "primal ns" "generated ns" "by hand ns" "generated/by hand" "generated/primal"
for group in himmelblau beale notebook000_f; do
    p=$(median_ns "$group" primal)
    g=$(median_ns "$group" grad_generated)
    h=$(median_ns "$group" grad_hand_written)
    awk -v n="$group" -v p="$p" -v g="$g" -v h="$h" \
        'BEGIN { printf "%-14s %12.2f %14.2f %14.2f %18.2f %14.2f\n", n, p, g, h, g / h, g / p }'
done
