//! Differential random-program test of `#[differentiable]`.
//!
//! The build script (`build/`) draws a few hundred random programs from a seeded generator that
//! knows every construct the macro supports (arithmetic, `let`/shadowing/blocks, `const`s,
//! casts, all float intrinsics as methods and paths, `if`/`match`, every loop form with
//! `break`/`continue`/early `return`, array and slice parameters active or passive, local
//! arrays, array results, calls between differentiable functions, `f32`). Each program is
//! written twice from the same random choices:
//!
//! 1. as a plain `f64`/`f32` function under `#[autodiff::differentiable]`;
//! 2. as the same body generic over [`autodiff::Scalar`] (literals through [`c`], comparisons on
//!    [`Scalar::base`], the few methods the trait lacks through [`max`], [`min`], [`clamp`], ...).
//!
//! `tests/random_programs.rs` then compares, per program, the macro's `jvp`, `vjp`, `grad` and
//! `hvp` (and `jacobian` for array results) with the generic twin evaluated on [`Dual`] numbers
//! (one forward pass per input direction: the exact gradient, independent of the macro) and on
//! `Dual<Dual<_>>` (Hessian-vector products); see [`check`] for the comparisons and tolerances.
//!
//! # Reproducing a run
//!
//! The test prints its seed. `RANDPROG_SEED=<seed> cargo test -p randprog-check` regenerates
//! exactly the same programs (the build script reruns when the variable changes);
//! `RANDPROG_COUNT=<n>` changes how many programs are drawn. A failure prints the program's
//! index and its source.
//!
//! # Adding a construct
//!
//! See the module documentation of `build/gen.rs`: one variant of `Construct` plus one emitter
//! function.

pub mod check;

use autodiff::{Dual, Float, Scalar};

pub use check::{Checker, Program};

/// The literal `v` as a constant scalar (every derivative part zero).
#[inline]
pub fn c<S: Scalar>(v: f64) -> S {
    S::cst(<S::Base as Float>::from_f64(v))
}

/// `a.max(b)`, by a comparison of the values (the derivative follows the larger operand).
#[inline]
pub fn max<S: Scalar>(a: S, b: S) -> S {
    if a.base() >= b.base() {
        a
    } else {
        b
    }
}

/// `a.min(b)`.
#[inline]
pub fn min<S: Scalar>(a: S, b: S) -> S {
    if a.base() <= b.base() {
        a
    } else {
        b
    }
}

/// `x.clamp(lo, hi)`.
#[inline]
pub fn clamp<S: Scalar>(x: S, lo: S, hi: S) -> S {
    if x.base() < lo.base() {
        lo
    } else if x.base() > hi.base() {
        hi
    } else {
        x
    }
}

/// `x.recip()`.
#[inline]
pub fn recip<S: Scalar>(x: S) -> S {
    S::one() / x
}

/// `x.to_degrees()`.
#[inline]
pub fn to_degrees<S: Scalar>(x: S) -> S {
    x * c::<S>(180.0 / core::f64::consts::PI)
}

/// `x.to_radians()`.
#[inline]
pub fn to_radians<S: Scalar>(x: S) -> S {
    x * c::<S>(core::f64::consts::PI / 180.0)
}

/// The first `N` elements of `s` as an array.
pub fn arr<T: Copy, const N: usize>(s: &[T]) -> [T; N] {
    core::array::from_fn(|i| s[i])
}

/// Passive data as constant scalars of any type over the same primitive float.
pub fn consts<S: Scalar>(d: &[S::Base]) -> Vec<S> {
    d.iter().map(|&v| S::cst(v)).collect()
}

/// Flattens the value shapes the generated derivative functions return (a float, arrays,
/// `Vec`s, tuples of those) into one vector, in parameter order.
pub trait Flat<F> {
    /// Appends the leaves to `out`.
    fn flat_into(&self, out: &mut Vec<F>);
}

/// `x` flattened into a new vector.
pub fn flat<F, T: Flat<F> + ?Sized>(x: &T) -> Vec<F> {
    let mut out = Vec::new();
    x.flat_into(&mut out);
    out
}

impl Flat<f64> for f64 {
    fn flat_into(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
}

impl Flat<f32> for f32 {
    fn flat_into(&self, out: &mut Vec<f32>) {
        out.push(*self);
    }
}

impl<F, T: Flat<F>, const N: usize> Flat<F> for [T; N] {
    fn flat_into(&self, out: &mut Vec<F>) {
        self.iter().for_each(|t| t.flat_into(out));
    }
}

impl<F, T: Flat<F>> Flat<F> for Vec<T> {
    fn flat_into(&self, out: &mut Vec<F>) {
        self.iter().for_each(|t| t.flat_into(out));
    }
}

macro_rules! flat_tuple {
    ($($t:ident $i:tt),*) => {
        impl<F, $($t: Flat<F>),*> Flat<F> for ($($t,)*) {
            fn flat_into(&self, out: &mut Vec<F>) {
                $(self.$i.flat_into(out);)*
            }
        }
    };
}
flat_tuple!(A 0, B 1);
flat_tuple!(A 0, B 1, C 2);
flat_tuple!(A 0, B 1, C 2, D 3);
flat_tuple!(A 0, B 1, C 2, D 3, E 4);
flat_tuple!(A 0, B 1, C 2, D 3, E 4, G 5);

/// First-order duals over the primitive float `F`.
pub type D1<F> = Dual<F>;
/// Second-order (nested) duals over `F`.
pub type D2<F> = Dual<Dual<F>>;
/// Third-order (twice nested) duals over `F`.
pub type D3<F> = Dual<Dual<Dual<F>>>;
