//! Differential random-program test of `#[differentiable]`.
//!
//! The build script (`build/`) draws a few hundred random programs from a seeded generator that
//! knows every construct the macro supports (arithmetic, `let`/shadowing/blocks, tuples,
//! `const`s, casts, all float intrinsics as methods and paths, `if`/`match` with `&&`/`||`/`!`,
//! every loop form with `break`/`continue`/early `return`, array, slice and matrix parameters
//! active or passive, local arrays, `Vec`s and matrices, array results, output buffers
//! `&mut [f]` / `&mut [f; M]` (in-out too), iterator chains (`map`/`filter`/`enumerate`/`zip`/
//! `windows`/ranges into `sum`/`product`/`fold`/`max_by`/`min_by`), `for` loops over elements,
//! closures bound with `let`, calls between differentiable functions with scalars, matrix rows
//! and output buffers, `f32`). Each program is written twice from the same random choices:
//!
//! 1. as a plain `f64`/`f32` function under `#[autodiff::differentiable]`;
//! 2. as the same body generic over [`autodiff::Scalar`] (literals through [`c`], comparisons on
//!    [`Scalar::base`], the few methods the trait lacks through [`max`], [`min`], [`clamp`], ...).
//!
//! `tests/random_programs.rs` then compares, per program, the macro's `jvp`, `vjp`, `grad`,
//! `hvp`, `hessian`, `derivatives::<4>`, `jacobian` and `objective` (where the macro generates
//! them) with the generic twin evaluated on dual numbers (one forward pass per input
//! direction: the exact Jacobian) and on nested duals (Hessian-vector products, dense
//! Hessians, third derivatives); see [`check`] for the comparisons and tolerances. A function
//! writing an output buffer is checked as the linear map of its active inputs and the buffer's
//! initial contents: `jvp` takes their tangent in the output's tangent buffer, `vjp` returns
//! their adjoint in the seed buffer. The twin runs iterator chains with the standard library's
//! iterators, so the macro's lowering of them to loops is compared with what Rust does. The duals
//! are the test's own [`RefDual`], with every derivative written out again, so the reference
//! shares no derivative code with the macro or with `autodiff::rules`. Programs also call
//! functions with custom derivative rules in this crate ([`custom`]), whose twins use the
//! plain formulas.
//!
//! # Running and reproducing
//!
//! `cargo test -p randprog-check -- --nocapture` prints the seed, how often each construct was
//! drawn, and a summary line. Environment variables read by the build script (changing one
//! regenerates the programs):
//!
//! - `RANDPROG_SEED=<u64 or 0x..>`: another seed; a failure report names the seed, so
//!   `RANDPROG_SEED=<seed> cargo test -p randprog-check` reproduces it exactly;
//! - `RANDPROG_COUNT=<n>`: how many programs (default 400);
//! - `RANDPROG_ENABLE=<Construct,..>` / `RANDPROG_DISABLE=<Construct,..>`: switch constructs on
//!   or off by their name in `build/construct.rs`. The ones off by default are known macro
//!   bugs or limitations, each documented there and, with a minimal reproduction, in
//!   `FINDINGS.md`; enabling one shows the failure again (e.g.
//!   `RANDPROG_ENABLE=CallPassiveArg`).
//!
//! A failing program is reported with its index, each disagreeing comparison (got, want,
//! relative error) and its source; the generated file is
//! `target/debug/build/randprog-check-*/out/programs.rs`.
//!
//! # Layout
//!
//! - `build/main.rs`: environment, the loop over programs, the coverage assertion;
//! - `build/construct.rs`: the list of constructs and switches;
//! - `build/gen.rs`: the two-dialect `Code` pieces, scopes and the generator state;
//! - `build/expr.rs`, `build/stmt.rs`, `build/program.rs`: expressions (with the intrinsic
//!   table and operand domains), statements, signatures and bodies;
//! - `build/loops.rs`, `build/calls.rs`: every loop form (also over elements); calls and their
//!   arguments;
//! - `build/matrix.rs`, `build/iters.rs`, `build/closures.rs`, `build/outputs.rs`: matrices;
//!   iterator chains; closures bound with `let`; output buffers and the calls writing them;
//! - `build/emit.rs`, `build/run.rs`: a program as Rust (function, twin, arguments) and its
//!   `run_<i>` (source string, check closures);
//! - `build/rng.rs`: SplitMix64;
//! - `src/`: what the generated code and the test use (helpers for the twin, [`Flat`],
//!   [`Checker`]).
//!
//! # Adding a construct
//!
//! See the module documentation of `build/gen.rs`: one line in `build/construct.rs`, one
//! emitter method, one weight.

pub mod check;
pub mod custom;
pub mod refdual;

use autodiff::{Float, Objective, Scalar};

pub use check::{Checker, Program};
pub use custom::{logsumexp, logsumexp_g, softsign, softsign_g};
pub use refdual::RefDual;

/// The literal `v` as a constant scalar (every derivative part zero).
#[inline]
pub fn c<S: Scalar>(v: f64) -> S {
    S::cst(<S::Base as Float>::from_f64(v))
}

/// `a.max(b)`, by a comparison of the values: the derivative follows the larger operand, and a
/// tie takes the mean of both (the documented convention, PyTorch's `maximum`), so a point drawn
/// exactly on the kink is compared against the same subgradient the macro promises.
#[inline]
pub fn max<S: Scalar>(a: S, b: S) -> S {
    if a.base() > b.base() {
        a
    } else if a.base() < b.base() {
        b
    } else {
        (a + b) * c::<S>(0.5)
    }
}

/// `a.min(b)`; a tie takes the mean of both, like [`max`].
#[inline]
pub fn min<S: Scalar>(a: S, b: S) -> S {
    if a.base() < b.base() {
        a
    } else if a.base() > b.base() {
        b
    } else {
        (a + b) * c::<S>(0.5)
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

/// The first `R * C` elements of `s` as an `R x C` matrix, row by row.
pub fn mat<T: Copy, const C: usize, const R: usize>(s: &[T]) -> [[T; C]; R] {
    core::array::from_fn(|i| core::array::from_fn(|j| s[i * C + j]))
}

/// `s` as rows of `C` elements (`s.len()` a multiple of `C`).
pub fn rows<T: Copy, const C: usize>(s: &[T]) -> Vec<[T; C]> {
    s.chunks(C).map(arr).collect()
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
flat_tuple!(A 0, B 1, C 2, D 3, E 4, G 5, H 6);
flat_tuple!(A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7);

/// What an [`Objective`] gives at a point `x` with direction `v`.
pub struct ObjectiveOut<F> {
    /// `dim()`.
    pub dim: usize,
    /// `value(x)`.
    pub value: F,
    /// `value_grad(x, ..)`: the value and the gradient.
    pub value_grad: (F, Vec<F>),
    /// `hvp(x, v, ..)`: the value, the gradient and `H v`, or the error's message.
    pub hvp: Result<(F, Vec<F>, Vec<F>), String>,
}

/// Evaluates every method of `o`. The output buffers start out filled with `7.0`: the trait
/// says they are written, not added into, and a leftover shows up as a wrong number.
pub fn objective_out<F: Float>(o: &impl Objective<F>, x: &[F], v: &[F]) -> ObjectiveOut<F> {
    let garbage = || vec![F::from_f64(7.0); x.len()];
    let mut g = garbage();
    let vg = o.value_grad(x, &mut g);
    let (mut g2, mut hv) = (garbage(), garbage());
    let hvp = o.hvp(x, v, &mut g2, &mut hv).map(|y| (y, g2, hv));
    ObjectiveOut {
        dim: o.dim(),
        value: o.value(x),
        value_grad: (vg, g),
        hvp: hvp.map_err(|e| e.to_string()),
    }
}

/// First-order duals over the primitive float `F` (the test's own, see [`RefDual`]).
pub type D1<F> = RefDual<F>;
/// Second-order (nested) duals over `F`.
pub type D2<F> = RefDual<RefDual<F>>;
/// Third-order (twice nested) duals over `F`.
pub type D3<F> = RefDual<RefDual<RefDual<F>>>;
