#!/usr/bin/env bash
# Which gradient loops vectorize (issue 11, item 1): builds `benches/programs.rs` in release,
# with the default target and with `-C target-cpu=native` (each in its own target directory),
# disassembles the generated and hand-written gradient functions the bench calls through
# `#[inline(never)]` wrappers, and prints for each the number of packed floating-point
# instructions (`..pd`/`..ps` on xmm/ymm/zmm registers: vectorized arithmetic) and of scalar
# ones (`..sd`/`..ss`). The `tanh_*_loop_*` functions are `out[k] = f(z[k])` loops of `tanh` and
# `FastMath::tanh_fast` (a loop of `tanh` only calls the library: no arithmetic of its own).
#
#   benches/asm_check.sh
#
# Needs objdump (binutils). Takes a few minutes the first time (two release builds).
set -euo pipefail
cd "$(dirname "$0")/.."

# The functions holding the loops (a wrapper that only calls out, like `nn_vjp_generated` calling
# `nn_loss::__vjp`, is replaced by its callee; one that LLVM inlined everywhere is "absent").
funcs=(
    rosen_vjp_generated rosen_grad_into_generated rosen_windows_vjp_generated rosen_by_hand_into
    rosen::grad
    least_squares_grad_generated least_squares_by_hand
    nn_loss::__vjp nn_backprop_into
    nn_loss_fast::__vjp nn_fast_split_vjp_generated nn_backprop_fast_into
    tanh_loop_f64 tanh_fast_loop_f64 tanh_fast_with_derivative_loop_f64
    tanh_loop_f32 tanh_fast_loop_f32
)

check() {
    local label=$1 dir=$2 flags=$3
    CARGO_TARGET_DIR=$dir RUSTFLAGS=$flags cargo bench --bench programs --no-run -q 2>/dev/null
    local bin
    bin=$(ls -t "$dir"/release/deps/programs-* | grep -v '\.d$' | head -1)
    echo "== $label ($bin)"
    printf '%-32s %8s %8s\n' function packed scalar
    for f in "${funcs[@]}"; do
        local body
        body=$(objdump -d --no-show-raw-insn -C "$bin" | awk -v s="<programs::$f>:" 'index($0, s) { on = 1 } on && /^$/ { on = 0 } on')
        if [ -z "$body" ]; then
            printf '%-32s %8s\n' "$f" "(inlined or absent)"
            continue
        fi
        local packed scalar
        packed=$(grep -cE '\s(v?(add|sub|mul|div|fmadd[0-9]*|fnmadd[0-9]*|fmsub[0-9]*)p[sd])\s' <<<"$body" || true)
        scalar=$(grep -cE '\s(v?(add|sub|mul|div|fmadd[0-9]*|fnmadd[0-9]*|fmsub[0-9]*)s[sd])\s' <<<"$body" || true)
        printf '%-32s %8s %8s\n' "$f" "$packed" "$scalar"
    done
}

check "default target" target ""
check "target-cpu=native" target-native "-C target-cpu=native"
