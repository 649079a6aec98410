//! Compile-fail tests of `#[differentiable]`'s diagnostics: one minimal case per rejected
//! construct, in `tests/ui/<category>/<case>.rs` with the expected `.stderr` next to it.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui`, then read
//! every one: the error must point at the offending node and be the only error.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
