//! Differentiating through calls into another crate: `nostd_check::himmelblau` and
//! `nostd_check::wave` are `#[differentiable]` functions of the `nostd-check` crate.
use autodiff::differentiable;

/// `himmelblau(x, y) + wave(y, x)`, both from another crate.
#[differentiable]
pub fn combined(x: f64, y: f64) -> f64 {
    nostd_check::himmelblau(x, y) + 0.5 * nostd_check::wave(y, x)
}

/// A parameter struct for other crates: its passive field is read by their `#[differentiable]`
/// functions (the derive's layout macro is exported, `crosscrate_check::Spring!`).
#[derive(Clone, Debug, autodiff::Differentiable)]
pub struct Spring {
    pub k: f64,
    pub x0: f64,
    #[passive]
    pub rest: f64,
}
