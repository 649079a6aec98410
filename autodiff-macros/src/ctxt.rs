//! Error accumulator: every error is collected and all are reported together.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// Collects spanned errors while the macro keeps going, so one build shows all of them.
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    /// Records an error at `span`.
    pub fn error(&mut self, span: Span, msg: impl core::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// Records an error spanning the tokens of `node`.
    pub fn error_at<T: ToTokens>(&mut self, node: &T, msg: impl core::fmt::Display) {
        self.push(syn::Error::new_spanned(node, msg));
    }

    /// Records an already built error (once: the same message at the same place is kept once,
    /// as when every arm of a `match` meets the same problem).
    pub fn push(&mut self, err: syn::Error) {
        let key = |e: &syn::Error| format!("{:?} {e}", e.span());
        let k = key(&err);
        if !self.errors.iter().any(|e| key(e) == k) {
            self.errors.push(err);
        }
    }

    /// Number of errors so far.
    pub fn count(&self) -> usize {
        self.errors.len()
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All errors as `compile_error!` invocations.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.errors
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }
}
