#!/usr/bin/env bash
# Build cost of `#[differentiable]` (issue 11, item 8): a fixed corpus of 19 typical annotated
# functions and one annotated impl (benches/build_cost/corpus.rs, called from
# benches/build_cost/main.rs) built in release in a temporary crate that depends on this
# workspace's facade, in six variants:
#   hvp    - as grad, and every free function's Hessian-vector product called too (feature
#            `second_order`: forward-over-reverse on dual numbers, the heaviest common use);
#   grad   - with the attribute, every function's derivative called (feature `derivatives`);
#   attr   - with the attribute, only the functions themselves called;
#   plain  - every `#[differentiable...]` line and the derive of `Differentiable` removed;
#   lib, libplain - attr and plain as a library (corpus.rs as src/lib.rs, no main): every public
#            non-generic item, generated ones included, is compiled to machine code whether
#            called or not.
#
#   benches/build_cost.sh [ROUNDS]
#
# Dependencies are built once first (target dir target/build-cost, kept between runs); then,
# ROUNDS times (default 3) in turn, each variant is timed after `cargo clean -p` of the corpus
# crate only: `cargo build --release` (wall time) and `cargo check --release` (the front end:
# expansion, type and borrow checking, no code generation). Prints every sample, the load average
# before each round, and the medians, with seconds per 100 corpus lines.
# EXPANDED=1 also prints the line count of the macro-expanded corpus crate (hvp, grad, plain)
# through `-Zunpretty=expanded` on the stable compiler with RUSTC_BOOTSTRAP=1 (a measurement-only
# escape hatch; the rest of the script uses stable features only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-3}
export CARGO_TARGET_DIR="$ROOT/target/build-cost"
export CARGO_TERM_COLOR=never

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
cp Cargo.lock rust-toolchain.toml "$tmp/"
cat >"$tmp/Cargo.toml" <<TOML
[package]
name = "build-cost-corpus"
version = "0.0.0"
edition = "2021"
publish = false

[features]
derivatives = []
second_order = ["derivatives"]

[dependencies]
autodiff = { package = "autodiff-gen", path = "$ROOT" }

[workspace]
TOML
cd "$tmp"

corpus=$ROOT/benches/build_cost/corpus.rs
plain() { # the corpus without the attribute
    grep -Ev '^[[:space:]]*#\[differentiable' "$corpus" |
        sed -e 's/#\[derive(Clone, Debug, Differentiable)\]/#[derive(Clone, Debug)]/' \
            -e 's/^use autodiff::{differentiable, Differentiable};$//'
}
setup() { # variant -> corpus source and feature flags
    rm -f src/lib.rs src/main.rs src/corpus.rs
    case $1 in
        lib*) ;;
        *) cp "$ROOT/benches/build_cost/main.rs" src/main.rs ;;
    esac
    case $1 in
        hvp) cp "$corpus" src/corpus.rs; flags=(--features second_order) ;;
        grad) cp "$corpus" src/corpus.rs; flags=(--features derivatives) ;;
        attr) cp "$corpus" src/corpus.rs; flags=() ;;
        plain) plain >src/corpus.rs; flags=() ;;
        lib) cp "$corpus" src/lib.rs; flags=() ;;
        libplain) plain >src/lib.rs; flags=() ;;
    esac
}
secs() { # wall time of a command, seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

lines=$(wc -l <"$corpus")
annotated=$(grep -c '^[[:space:]]*#\[differentiable' "$corpus")
echo "corpus: $lines lines, $annotated annotated items; rustc $(rustc --version | cut -d' ' -f2)"
echo "== dependencies (once)"
for v in hvp plain lib; do
    setup $v
    cargo build --release -q "${flags[@]}"
    cargo check --release -q "${flags[@]}"
done
setup hvp
out=$(cargo run --release -q "${flags[@]}")
echo "corpus program runs (sum of results: $out)"

declare -A build check
for round in $(seq "$ROUNDS"); do
    echo "== round $round (load $(cut -d' ' -f1-3 /proc/loadavg))"
    for v in hvp grad attr plain lib libplain; do
        setup $v
        cargo clean --release -q -p build-cost-corpus
        b=$(secs cargo build --release "${flags[@]}")
        cargo clean --release -q -p build-cost-corpus
        c=$(secs cargo check --release "${flags[@]}")
        build[$v]+="$b "
        check[$v]+="$c "
        printf '  %-8s build %6.2f s   check %6.2f s\n' "$v" "$b" "$c"
    done
done
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "== medians over $ROUNDS rounds (seconds; per 100 corpus lines = / $lines * 100)"
for v in hvp grad attr plain lib libplain; do
    # shellcheck disable=SC2086
    b=$(median ${build[$v]})
    # shellcheck disable=SC2086
    c=$(median ${check[$v]})
    awk -v v="$v" -v b="$b" -v c="$c" -v n="$lines" 'BEGIN {
        printf "  %-8s build %6.2f s (%.2f s / 100 lines)   check %6.2f s   build - check %6.2f s\n",
            v, b, b / n * 100, c, b - c }'
done

if [[ ${EXPANDED:-0} == 1 ]]; then
    echo "== expanded size (RUSTC_BOOTSTRAP=1 -Zunpretty=expanded, lines of the whole crate)"
    for v in hvp grad plain; do
        setup $v
        n=$(RUSTC_BOOTSTRAP=1 cargo rustc --release -q "${flags[@]}" -- -Zunpretty=expanded | wc -l)
        echo "  $v: $n lines"
    done
fi
