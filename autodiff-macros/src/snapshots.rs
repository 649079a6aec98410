//! Expansion snapshots: a few inputs whose pretty-printed expansion is kept in
//! `snapshots/*.expanded.rs` and compared, so a change in the generated code shows up in review
//! and the generated code stays readable. `UPDATE_SNAPSHOTS=1 cargo test -p autodiff-macros`
//! rewrites them.

use std::path::Path;

fn check(name: &str, attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) {
    let out = crate::expand::expand(attr, item);
    let file: syn::File = syn::parse2(out).expect("expansion parses as a file");
    let pretty = prettyplease::unparse(&file);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(format!("{name}.expanded.rs"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !path.exists() {
        std::fs::write(&path, &pretty).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("read snapshot");
    assert_eq!(
        pretty, expected,
        "expansion of `{name}` changed; review it and rerun with UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn notebook000_f() {
    check(
        "notebook000_f",
        quote::quote!(),
        quote::quote! {
            fn f(x: f64, y: f64) -> f64 {
                (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
            }
        },
    );
}

#[test]
fn let_mut_and_passive_data() {
    check(
        "let_mut_and_passive_data",
        quote::quote!(wrt(x)),
        quote::quote! {
            pub fn h(x: f64, n: usize, data: &[f64]) -> f64 {
                let mut s = 0.0;
                let k = n as f64;
                s += x.sin() * k;
                s *= data[0];
                let x = x * x;
                s + f64::exp(x) / 3.0
            }
        },
    );
}

#[test]
fn rosenbrock_slice() {
    check(
        "rosenbrock_slice",
        quote::quote!(),
        quote::quote! {
            fn rosen(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() - 1 {
                    let a = x[i + 1] - x[i] * x[i];
                    let b = 1.0 - x[i];
                    s += 100.0 * a * a + b * b;
                }
                s
            }
        },
    );
}

#[test]
fn horner_with_early_return() {
    check(
        "horner_with_early_return",
        quote::quote!(),
        quote::quote! {
            fn horner<const N: usize>(c: &[f64; N], x: f64) -> f64 {
                if x == 0.0 {
                    return c[0];
                }
                let mut acc = 0.0;
                for i in (0..N).rev() {
                    acc = acc * x + c[i];
                }
                acc
            }
        },
    );
}

#[test]
fn beale() {
    check(
        "beale",
        quote::quote!(),
        quote::quote! {
            fn beale(x: f64, y: f64) -> f64 {
                (1.5 - x + x * y).powi(2) + (2.25 - x + x * y.powi(2)).powi(2) + (2.625 - x + x * y.powi(3)).powi(2)
            }
        },
    );
}

#[test]
fn impl_block() {
    check(
        "impl_block",
        quote::quote!(),
        quote::quote! {
            impl Spring {
                fn energy(x: f64, k: f64) -> f64 {
                    0.5 * k * x * x
                }

                fn total(x: f64, y: f64) -> f64 {
                    Self::energy(x, 2.0) + Self::energy(y - x, 2.0)
                }
            }
        },
    );
}
