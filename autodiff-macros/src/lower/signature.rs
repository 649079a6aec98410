//! The signature: which parameters are floats, arrays, slices, matrices or output buffers.

use super::*;

impl Lowerer<'_> {
    pub(super) fn params(&mut self, sig: &syn::Signature) -> Option<Vec<Param>> {
        let mut ok = true;
        if let Some(t) = &sig.constness {
            self.cx.error(
                t.span(),
                "`#[differentiable]` does not support `const fn`; remove `const`",
            );
            ok = false;
        }
        if let Some(t) = &sig.asyncness {
            self.cx.error(
                t.span(),
                "`#[differentiable]` does not support `async fn`; write a plain `fn`",
            );
            ok = false;
        }
        if let Some(t) = &sig.unsafety {
            self.cx.error(
                t.span(),
                "`#[differentiable]` does not support `unsafe fn`; write a safe `fn`",
            );
            ok = false;
        }
        if let Some(abi) = &sig.abi {
            self.cx.error_at(
                abi,
                "`#[differentiable]` does not support `extern` functions; write a plain Rust `fn`",
            );
            ok = false;
        }
        if let Some(v) = &sig.variadic {
            self.cx.error_at(v, "`#[differentiable]` does not support variadic functions; take a slice `&[f64]` instead");
            ok = false;
        }
        let mut params = Vec::new();
        for input in &sig.inputs {
            let pt = match input {
                syn::FnArg::Receiver(r) => {
                    self.cx.error_at(
                        r,
                        "`#[differentiable]` does not support methods; write a free function taking the value as a parameter",
                    );
                    ok = false;
                    continue;
                }
                syn::FnArg::Typed(pt) => pt,
            };
            let (name, mutable) = match &*pt.pat {
                syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    (pi.ident.clone(), pi.mutability.is_some())
                }
                other => {
                    self.cx.error_at(
                        other,
                        "`#[differentiable]` does not support patterns in parameters; bind the parameter to a name and destructure it in the body",
                    );
                    ok = false;
                    continue;
                }
            };
            let mut kind = if float_ty(&pt.ty).is_some() {
                ParamKind::Float
            } else if param_shape(&pt.ty).is_some()
                && !matches!(&*pt.ty, syn::Type::Reference(r) if r.mutability.is_some())
            {
                ParamKind::FloatArray
            } else {
                ParamKind::Other
            };
            if let syn::Type::Reference(r) = &*pt.ty {
                if let Some(m) = &r.mutability {
                    if param_shape(&pt.ty).is_some() {
                        kind = ParamKind::Output;
                    } else {
                        self.cx.error(
                            m.span(),
                            "`#[differentiable]` supports `&mut` parameters only as output buffers of floats (`&mut [f64]`, `&mut [f64; M]`); return the result instead of writing through a reference",
                        );
                        ok = false;
                        kind = ParamKind::Other;
                    }
                }
            }
            if let syn::Type::Array(a) = &*pt.ty {
                if float_ty(&a.elem).is_some() || matches!(&*a.elem, syn::Type::Array(_)) {
                    self.cx.error_at(
                        &pt.ty,
                        "`#[differentiable]` takes float arrays by reference; write `&[f64; N]` (and pass `&x`)",
                    );
                    ok = false;
                }
            }
            let matrix = matrix_shape(&pt.ty);
            let shape = param_shape(&pt.ty).unwrap_or(Shape::Scalar);
            // Declared even when rejected, so that uses in the body resolve quietly.
            let var = self.declare(&name, mutable, shape);
            if matches!(kind, ParamKind::Output) {
                self.output_params.push(var);
            }
            self.vars[var].float = matches!(
                kind,
                ParamKind::Float | ParamKind::FloatArray | ParamKind::Output
            );
            if let Some(m) = &matrix {
                self.matrices.push((var, m.rows.clone(), m.cols.clone()));
            }
            params.push(Param {
                var,
                ty: (*pt.ty).clone(),
                kind,
                matrix,
            });
        }
        ok.then_some(params)
    }
}
