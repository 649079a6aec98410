//! On error: the original function, every error as a spanned `compile_error!`, and stubs with
//! the right signatures so that callers type-check and only the real errors show.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::emit::Cx;
use crate::expand::Signatures;
use crate::ir::Func;

pub fn fallback(
    item: &syn::ItemFn,
    func: Option<&Func>,
    krate: &syn::Path,
    cx: &Ctxt,
) -> TokenStream {
    let errors = cx.to_compile_errors();
    // Stubs only when the signature is understood; otherwise just the errors.
    let stubs = func.and_then(|func| {
        let ecx = Cx::new(func, krate);
        if ecx.active.is_empty() {
            return None;
        }
        let sigs = Signatures::new(func, &ecx);
        Some(sigs.namespace(item, &ecx, None))
    });
    match stubs {
        Some(stubs) => quote!(#stubs #errors),
        None => quote!(#item #errors),
    }
}
