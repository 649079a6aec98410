//! A crate that depends on the facade as `ad` (`ad = { package = "autodiff-gen", .. }`) and uses
//! `#[differentiable]` without `crate = ..`: the generated code must name `::ad`.

use ad::differentiable;

/// Rosenbrock over an array, with a loop (tape-free reverse), so that generated code names
/// several runtime items through the facade.
#[differentiable]
pub fn rosenbrock(x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_through_the_renamed_facade() {
        let x = [-1.2, 1.0, 0.5];
        let (v, g) = rosenbrock::grad(&x);
        assert_eq!(v, rosenbrock(&x));
        // d/dx0 = -400 x0 (x1 - x0^2) - 2 (1 - x0)
        let want0 = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
        assert!((g[0] - want0).abs() < 1e-12 * want0.abs());
        let (_, _, hv) = rosenbrock::hvp(&x, &[1.0, 0.0, 0.0]);
        assert!(hv[0].is_finite());
    }
}
