//! [`Signatures`]: the names of the public derivative functions' parameters (`x`, `dx`, `vx`,
//! `x_bar`, `seed`), chosen once so that every item of the namespace agrees on them.

use proc_macro2::{Ident, Span};

use crate::emit::Cx;
use crate::ir::Func;

/// The names of the public functions' parameters.
pub struct Signatures {
    /// User-facing parameter names, in order.
    pub names: Vec<Ident>,
    /// Tangent parameter names, one per active parameter.
    pub tangents: Vec<Ident>,
    /// Direction parameter names of `hvp`, one per active parameter.
    pub dirs: Vec<Ident>,
    /// Adjoint buffer names, one per active array or slice parameter.
    pub bars: Vec<Ident>,
    pub seed: Ident,
}

impl Signatures {
    pub fn new(func: &Func, cx: &Cx) -> Self {
        // Raw identifiers (`r#type`) stay raw; derived names (`dtype`, `type_bar`) use the plain
        // spelling.
        let plain: Vec<String> = func
            .params
            .iter()
            .map(|p| {
                let n = func.vars[p.var].name.to_string();
                n.trim_start_matches("r#").to_string()
            })
            .collect();
        let names: Vec<Ident> = func
            .params
            .iter()
            .zip(&plain)
            .map(|(p, n)| {
                if func.vars[p.var].name.to_string().starts_with("r#") {
                    Ident::new_raw(n, Span::call_site())
                } else {
                    Ident::new(n, Span::call_site())
                }
            })
            .collect();
        let mut taken: Vec<String> = plain.clone();
        let mut fresh = |base: String| {
            let mut name = base;
            // Not taken, and not a keyword (`d` + `o` is `do`).
            while taken.contains(&name) || syn::parse_str::<Ident>(&name).is_err() {
                name.push('_');
            }
            taken.push(name.clone());
            Ident::new(&name, Span::call_site())
        };
        let dirs: Vec<Ident> = cx
            .active
            .iter()
            .map(|&i| fresh(format!("v{}", plain[i])))
            .collect();
        let tangents = cx
            .active
            .iter()
            .map(|&i| fresh(format!("d{}", plain[i])))
            .collect();
        let seed = fresh("seed".into());
        let bars = cx
            .active_arrays()
            .iter()
            .map(|&v| {
                let i = func
                    .params
                    .iter()
                    .position(|p| p.var == v)
                    .expect("a parameter");
                fresh(format!("{}_bar", plain[i]))
            })
            .collect();
        Signatures {
            names,
            tangents,
            dirs,
            bars,
            seed,
        }
    }
}
