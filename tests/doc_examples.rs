//! Every public item of the facade (`src/`) and of `optim` (`optim/src/`) has a doc example: a
//! doc comment with a ```` ``` ```` code block (run as a doctest).
//!
//! The check parses the sources with `syn` and walks what is reachable from each crate root:
//! `pub` items of public modules, the targets of `pub use` (followed into the workspace's other
//! crates), and the `pub` methods of inherent `impl` blocks of reachable types, including the
//! builder setters written through optim's `setters!` macro. A re-export counts as documented
//! when it carries its own doc example or the item it names has one. `#[doc(hidden)]` and
//! `#[deprecated]` items, `#[cfg(test)]` modules and trait impls are exempt. Items behind cargo
//! features are checked too (their examples run when the feature is on). Trait methods and
//! methods written by other macros than `setters!` are not seen.

#[path = "doc_examples/parse.rs"]
mod parse;
#[path = "doc_examples/walk.rs"]
mod walk;

use std::collections::HashMap;
use std::path::Path;

use parse::{parse_crate, Krate};
use walk::missing;

/// The workspace's crates by import name.
fn workspace() -> HashMap<&'static str, Krate> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        ("autodiff", "src"),
        ("optim", "optim/src"),
        ("autodiff_runtime", "autodiff-runtime/src"),
        ("autodiff_macros", "autodiff-macros/src"),
    ]
    .into_iter()
    .map(|(name, dir)| (name, parse_crate(&root.join(dir))))
    .collect()
}

#[test]
fn every_public_item_has_a_doc_example() {
    let report = missing(&workspace(), &["autodiff", "optim"]);
    assert!(
        report.is_empty(),
        "{} public items have no doc example (a ``` block in their doc comment):\n{}",
        report.len(),
        report.join("\n")
    );
}

/// The checker itself, on a small crate written to a temporary directory: what it must report,
/// and what it must not.
#[test]
fn the_checker_reports_exactly_the_undocumented_reachable_items() {
    let dir = std::env::temp_dir().join(format!("doc_examples_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ex = "/// ```\n/// ```\n";
    let lib = format!(
        "mod inner;\npub mod open;\npub use inner::{{Documented, Bare}};\n{ex}pub use inner::Covered;\n\
         pub struct Root;\nimpl Root {{\n    pub fn method(&self) {{}}\n{ex}    pub fn documented(&self) {{}}\n    \
         fn private(&self) {{}}\n}}\n#[doc(hidden)]\npub fn hidden() {{}}\n#[deprecated]\npub fn old() {{}}\n\
         #[cfg(test)]\nmod tests {{\n    pub fn in_tests() {{}}\n}}\n"
    );
    let inner = format!(
        "{ex}pub struct Documented;\npub struct Bare;\npub struct Covered;\npub struct Unreachable;\n"
    );
    std::fs::write(dir.join("lib.rs"), lib).unwrap();
    std::fs::write(dir.join("inner.rs"), inner).unwrap();
    std::fs::write(dir.join("open.rs"), "//! No example.\npub fn f() {}\n").unwrap();
    let crates: HashMap<&'static str, Krate> = [("t", parse_crate(&dir))].into_iter().collect();
    let found = missing(&crates, &["t"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        found,
        [
            "fn t::Root::method",
            "fn t::open::f",
            "mod t::open",
            "struct t::Bare",
            "struct t::Root"
        ]
    );
}
