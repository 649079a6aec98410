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

/// Every pinned error is spanned on the user's code: never on the `#[differentiable]`
/// attribute itself (which is what an error from inside generated code looks like), never in
/// the runtime or macro crates.
#[test]
fn errors_point_at_user_code() {
    let mut checked = 0;
    for dir in std::fs::read_dir("tests/ui").expect("tests/ui") {
        for file in std::fs::read_dir(dir.expect("entry").path()).expect("category") {
            let path = file.expect("entry").path();
            if path.extension().is_none_or(|e| e != "stderr") {
                continue;
            }
            let stderr = std::fs::read_to_string(&path).expect("stderr");
            let source = std::fs::read_to_string(path.with_extension("rs")).expect("source");
            let lines: Vec<&str> = source.lines().collect();
            for loc in stderr
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix("--> "))
            {
                assert!(
                    loc.starts_with("tests/ui/"),
                    "{}: a location outside the user's file: {loc}",
                    path.display()
                );
                let mut parts = loc.rsplit(':');
                let col: usize = parts.next().and_then(|n| n.parse().ok()).expect("column");
                let line: usize = parts.next().and_then(|n| n.parse().ok()).expect("line");
                let text = lines.get(line - 1).map_or("", |l| l.trim());
                // An argument of the attribute (`wrt(..)`) is user code; the attribute as a
                // whole (column 1) is where errors from inside generated code point.
                assert!(
                    !(text.starts_with("#[") && col == 1),
                    "{}: an error spanned on the attribute ({loc}): an error from generated code",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} error locations found");
}
