//! The differential random-program test: every generated `#[differentiable]` program against
//! the dual-number evaluation of its generic twin (see the crate documentation).
//!
//! Reproduce a run with `RANDPROG_SEED=<seed printed below> cargo test -p randprog-check`.

/// The generated programs: `p<i>` under `#[differentiable]`, its twin `p<i>_g`, and `run_<i>`.
/// Random code trips every style lint (unused bindings, redundant parentheses, `return` as the
/// last statement, ...): they are about how code reads, not whether it is differentiated right.
#[allow(
    unused,
    unused_parens,
    unused_mut,
    unused_assignments,
    unused_variables,
    unreachable_code,
    unused_comparisons,
    non_snake_case,
    clippy::all
)]
mod generated {
    use autodiff::{Differentiable, FastMath, Scalar};
    use randprog_check::{
        self as rp, arr, c, consts, flat, mat, rows, Checker, Program, D1, D2, D3,
    };

    include!(concat!(env!("OUT_DIR"), "/programs.rs"));
}

#[test]
fn random_programs_match_dual_numbers() {
    println!(
        "randprog: seed {:#x} (set RANDPROG_SEED to change)",
        generated::SEED
    );
    let drawn: Vec<String> = (generated::COVERAGE.iter())
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    println!("randprog: constructs drawn: {}", drawn.join(", "));
    let mut ck = randprog_check::Checker::new(generated::SEED);
    generated::run_all(&mut ck);
    ck.finish();
}
