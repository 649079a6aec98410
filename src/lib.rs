//! # autodiff
//!
//! Compile-time automatic differentiation for Rust. Put `#[differentiable]` on a plain numeric
//! function and the macro writes its forward-mode and reverse-mode derivatives as Rust source
//! while your crate compiles: no tape, no graph, no allocation.
//!
//! The package is `autodiff-gen` (`cargo add autodiff-gen`); the library is imported as
//! `autodiff`. Everything a user needs is here: the attribute, the number types that carry
//! derivatives ([`Dual`], [`Jet`]), objectives ([`Objective`]), gradient checking
//! ([`check_gradient`]), classification of critical points ([`classify`]), the optimizers
//! ([`optim`]), and a [`prelude`].
//!
//! ```
//! use autodiff::differentiable;
//!
//! /// f(x, y) = (x - 1)^2 + 4 (y + 1)^2 + x y / 2.
//! #[differentiable]
//! fn f(x: f64, y: f64) -> f64 {
//!     (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
//! }
//!
//! let (value, (dx, dy)) = f::grad(3.0, 3.0);
//! assert_eq!(value, f(3.0, 3.0));
//! assert_eq!((dx, dy), (5.5, 33.5));
//!
//! // Directional derivative (forward mode) and vector-Jacobian product (reverse mode).
//! let (_, d) = f::jvp(3.0, 3.0, 1.0, 0.0);
//! assert_eq!(d, 5.5);
//! let (_, (bx, by)) = f::vjp(3.0, 3.0, 2.0);
//! assert_eq!((bx, by), (11.0, 67.0));
//! ```
//!
//! For `#[differentiable] fn f(..)`, the function `f` is kept exactly as written and a
//! derivative namespace `f` is added next to it with `f::jvp`, `f::vjp` and `f::grad`; see
//! [`differentiable`] for the exact signatures and the supported Rust.
//!
//! ## Features
//! - `std` (default): math through `std`. Without it the crate is `#![no_std]` and uses `libm`.
//! - `alloc`: enables heap storage where a derivative needs it (implied by `std`).
//! - `optim` (default): re-exports the [`optim`] crate.
//! - `mpi` (off by default; implies `std` and `optim`): `optim::mpi`, objectives, minibatch
//!   training and restarts over MPI processes (needs Open MPI or MPICH and clang to build).
//! - `argmin` (off by default; implies `std`): `autodiff::argmin::Problem` runs any
//!   [`Objective`] in the argmin crate's solvers.
//! - `nalgebra` (off by default; `no_std` too): `autodiff::nalgebra`, nalgebra vectors in and
//!   out of objectives, Jacobians and Hessians as nalgebra matrices.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

mod analysis;
mod numbers;
mod objectives;
pub mod prelude;

pub use analysis::{
    check_gradient, classify, classify_eigenvalues, sym_eigenvalues, sym_eigenvalues_in_place,
    CriticalPoint, GradientCheck,
};
/// For a function of one active slice, `#[differentiable]` adds
/// `f::hvp_into(args.., v, &mut g, &mut hv, &mut work)`: the Hessian-vector product into your
/// buffers, on dual numbers kept in `work` between calls (no allocation after the first).
///
/// ```
/// use autodiff::{differentiable, HvpWork};
///
/// #[differentiable]
/// fn rosen(x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() - 1 {
///         s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
///     }
///     s
/// }
///
/// let (x, v) = (vec![0.5; 100], vec![1.0; 100]);
/// let (mut g, mut hv) = (vec![0.0; 100], vec![0.0; 100]);
/// let mut work = HvpWork::new();
/// let value = rosen::hvp_into(&x, &v, &mut g, &mut hv, &mut work);
/// let (value2, g2, hv2) = rosen::hvp(&x, &v);
/// assert_eq!((value, &g, &hv), (value2, &g2, &hv2));
/// ```
#[cfg(feature = "alloc")]
pub use autodiff_runtime::HvpWork;
pub use numbers::{Dual, FastMath, Float, Jet, Scalar};

/// Sparse Hessians and Jacobians (feature `alloc`; detecting a pattern needs `std`): the
/// sparsity pattern found by running the generated code on a tracer scalar, a star colouring
/// (Hessians) or column colouring (Jacobians), and recovery from one product per colour into a
/// [`CscMatrix`](sparse::CscMatrix). For `#[differentiable] fn f(.., x: &[f64]) -> f64` (one
/// active slice or array) the macro adds `f::sparse_hessian_pattern(..)` and
/// `f::sparse_hessian(.., &mut work) -> (value, gradient, &CscMatrix)`; for one returning
/// `[f64; M]`, `f::sparse_jacobian_pattern(..)` and `f::sparse_jacobian(.., &mut work) ->
/// ([f64; M], &CscMatrix)`. Other shapes use the runtime API with closures.
///
/// ```
/// use autodiff::differentiable;
/// use autodiff::sparse::SparseHessian;
///
/// #[differentiable]
/// fn rosen(x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() - 1 {
///         let a = x[i + 1] - x[i] * x[i];
///         let b = 1.0 - x[i];
///         s += 100.0 * a * a + b * b;
///     }
///     s
/// }
///
/// let x = vec![0.5; 10_000];
/// // Once: the pattern (tridiagonal) and its star colouring (3 colours).
/// let mut work = SparseHessian::new(rosen::sparse_hessian_pattern(&x)).unwrap();
/// assert_eq!(work.coloring().count(), 3);
/// // Then at any point: 3 Hessian-vector products, no allocation.
/// let (value, grad, h) = rosen::sparse_hessian(&x, &mut work);
/// assert_eq!(value, rosen(&x));
/// assert_eq!(grad.len(), 10_000);
/// assert_eq!(h.pattern().nnz(), 10_000 + 2 * 9_999);
/// assert!((h.get(1, 0) - -200.0).abs() < 1e-12); // -400 x0
/// for (i, j, v) in h.triplets().take(3) {
///     println!("H[{i}][{j}] = {v}");
/// }
/// ```
#[cfg(feature = "alloc")]
pub mod sparse {
    pub use autodiff_runtime::sparse::*;
}
pub use objectives::{from_fns, hessian_into, FnObjective, Objective, ObjectiveError};

/// Generates forward- and reverse-mode derivatives of a numeric function at compile time.
///
/// The function is kept exactly as written. Next to it appears a zero-sized *derivative
/// namespace* with the same name and visibility (a struct, so that it also works for functions
/// defined inside other functions), holding:
///
/// | item | meaning |
/// |---|---|
/// | `f::jvp(args.., tangents..)` | value and directional derivative (forward mode); one tangent per active parameter, of the same type |
/// | `f::vjp(args.., seed, bars..)` | value and `seed` times the gradient (reverse mode); adjoints of array/slice parameters are **added** into `&mut` buffers, scalar adjoints are returned |
/// | `f::grad(args..)` | value and gradient, shaped like the active parameters (a lone one is not wrapped in a tuple) |
///
/// ```
/// use autodiff::differentiable;
///
/// #[differentiable]
/// fn rosenbrock<const N: usize>(x: &[f64; N]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..N - 1 {
///         let a = x[i + 1] - x[i] * x[i];
///         let b = 1.0 - x[i];
///         s += 100.0 * a * a + b * b;
///     }
///     s
/// }
///
/// let x = [-1.2, 1.0];
/// let (value, g) = rosenbrock::grad(&x);
/// assert_eq!(value, rosenbrock(&x));
/// assert!((g[0] - -215.6).abs() < 1e-12 && (g[1] - -88.0).abs() < 1e-12);
///
/// let mut bar = [0.0; 2];
/// let v = rosenbrock::vjp(&x, 2.0, &mut bar); // adds 2 * gradient into `bar`
/// assert_eq!((v, bar), (value, [2.0 * g[0], 2.0 * g[1]]));
/// ```
///
/// # Active parameters
///
/// Every `f32`/`f64` parameter and every `&[f; N]` / `&[f]` of floats is active, unless
/// `#[differentiable(wrt(x, y))]` names the active ones; the others are passive data and get no
/// tangent or adjoint. All active parameters and the result share one float type (no silent
/// promotion between `f32` and `f64`).
///
/// ```
/// # use autodiff::differentiable;
/// /// Mean absolute error of the model t1 x + t2 x^2; x and y are data.
/// #[differentiable(wrt(t1, t2))]
/// fn mae(t1: f64, t2: f64, x: &[f64], y: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() {
///         s += (y[i] - (t1 * x[i] + t2 * x[i] * x[i])).abs();
///     }
///     s / x.len() as f64
/// }
/// let (_, (d1, d2)) = mae::grad(0.0, 0.0, &[1.0, 2.0], &[1.0, 1.0]);
/// assert_eq!((d1, d2), (-1.5, -2.5));
/// ```
///
/// # Supported Rust
///
/// Arithmetic `+ - * /`, unary `-`, compound assignment, `let`/`let mut`/shadowing, blocks,
/// literals, `const`s, integer-to-float casts; the float methods with a derivative rule (also as
/// `f64::sin(x)`); `if`/`else` (the derivative follows the branch taken) with `&&`, `||`, `!`,
/// `match` on integers, arms that `return`/`break`/`continue`, `for i in a..b` (also `..=`,
/// `.rev()`, `.step_by(k)`), `while`, `loop`, `break`, `continue`, early `return`; `#[cfg]` on
/// statements; indexing arrays and slices, local arrays, `Vec`s (with `alloc`) and matrices
/// `[[f; N]; M]` with element writes, `.len()`; sub-slices `&x[a..b]`; tuples and
/// `x.sin_cos()`; calls to other `#[differentiable]` functions with scalars, arrays, slices,
/// matrix rows and `&mut` output buffers; functions writing their results into output buffers;
/// loops over `x.iter()`, `enumerate`, `zip`, `windows(k)`, and chains of those with `map` and
/// `filter` ending in `sum()`, `product()` or `fold(..)` (lowered to indexed loops); closures
/// bound with `let` and called. Anything else in the body (other closures and iterator adapters
/// among them) is a compile error that names the construct and says what to write instead. The
/// repository README's table lists each construct.
///
/// ```
/// use autodiff::differentiable;
///
/// #[differentiable]
/// fn sqnorm(x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() {
///         s += x[i] * x[i];
///     }
///     s
/// }
///
/// /// Distances of consecutive 2-D points, through a helper over sub-slices.
/// #[differentiable]
/// fn path_energy(p: &[f64], out: &mut [f64]) {
///     let mut d = vec![0.0; 2];
///     for k in 0..out.len() {
///         d[0] = p[2 * k + 2] - p[2 * k];
///         d[1] = p[2 * k + 3] - p[2 * k + 1];
///         out[k] = sqnorm(&d) + sqnorm(&p[2 * k..2 * k + 2]);
///     }
/// }
///
/// let p = [0.0, 0.0, 1.0, 0.0, 1.0, 2.0];
/// let mut e = [0.0; 2];
/// let j = path_energy::jacobian(&p, &mut e);
/// assert_eq!(e, [1.0, 5.0]);
/// assert_eq!(j[1], vec![0.0, 0.0, 2.0, -4.0, 0.0, 4.0]);
/// ```
///
/// # Associated functions
///
/// On an `impl` block, `#[differentiable]` differentiates its associated functions and methods
/// (every one with a float parameter, and those marked `#[differentiable]` inside it, whose
/// arguments such as `wrt(..)` then apply to that function). An `impl` block cannot hold the
/// namespace `f::..`, so the derivatives of `Type::f` are `Type::f_jvp`, `Type::f_vjp`,
/// `Type::f_grad`, `Type::f_hvp`, `Type::f_hessian`, `Type::f_objective`, ..., with the same
/// signatures. They call each other as written (`Self::g(x)`, `Type::g(x)`), and free
/// functions call them too. Trait impls work the same way (the derivatives go into an inherent
/// `impl` of the type). Methods taking `&self` (or `self`) differentiate `self` by default (the
/// type derives [`Differentiable`]; `m.loss_grad(..)` returns the gradient as the type itself),
/// or the parameters `wrt(..)` names (`wrt(x)` for a passive `self`); `self.g(..)` calls another
/// method, and is inlined where it is evaluated unconditionally (the callee's forward pass is
/// not repeated in the caller's reverse sweep); a nested struct's methods are called as
/// written (`self.layer.forward(&x)`). Generic blocks with const parameters work
/// (`impl<const H: usize> Mlp<H>`: the struct flattened into a slice, so the wrappers allocate).
/// Not yet: `&mut self`, and blocks with type parameters.
///
/// ```
/// use autodiff::differentiable;
///
/// struct Spring;
///
/// #[differentiable]
/// impl Spring {
///     fn energy(x: f64, k: f64) -> f64 {
///         0.5 * k * x * x
///     }
///
///     fn total(x: &[f64; 2], k: f64) -> f64 {
///         Self::energy(x[0], k) + Self::energy(x[1] - x[0], k)
///     }
/// }
///
/// assert_eq!(Spring::energy_grad(2.0, 3.0), (6.0, (6.0, 2.0)));
/// let (_, (gx, _)) = Spring::total_grad(&[1.0, 3.0], 2.0);
/// assert_eq!(gx, [-2.0, 4.0]);
/// ```
///
/// # Your own derivative
///
/// `#[differentiable(custom = rule)]` keeps the body as the value and takes the derivative
/// from `rule`, which receives the arguments (active ones as a generic [`Scalar`]) and returns
/// the value and the partial derivatives with respect to the active parameters, in order. Use
/// it for numerically better formulas or for functions whose body cannot be differentiated
/// (a call into a library).
///
/// ```
/// use autodiff::{differentiable, Scalar};
///
/// /// log(e^x + e^y) without overflow.
/// #[differentiable(custom = logsumexp_rule)]
/// fn logsumexp(x: f64, y: f64) -> f64 {
///     let m = x.max(y);
///     m + ((x - m).exp() + (y - m).exp()).ln()
/// }
///
/// fn logsumexp_rule<S: Scalar<Base = f64>>(x: S, y: S) -> (S, [S; 2]) {
///     let m = if x.base() > y.base() { x } else { y };
///     let (ex, ey) = ((x - m).exp(), (y - m).exp());
///     (m + (ex + ey).ln(), [ex / (ex + ey), ey / (ex + ey)])
/// }
///
/// #[differentiable]
/// fn softplus_sum(x: f64) -> f64 {
///     logsumexp(x, 0.0) + logsumexp(1000.0 * x, 0.0)
/// }
///
/// let (_, d) = softplus_sum::grad(1.0);
/// assert!((d - (1.0 / (1.0 + (-1.0f64).exp()) + 1000.0)).abs() < 1e-9);
/// ```
///
/// # `no_std`
///
/// With `default-features = false` the crate is `#![no_std]` and allocation-free. Bring the float
/// methods into scope with `use autodiff::Scalar;` (they are inherent only with `std`). Functions
/// whose reverse mode must store values of loops with run-time trip counts need the `alloc`
/// feature, and fail to compile with a message saying so without it.
pub use autodiff_macros::{differentiable, Differentiable};
pub use autodiff_runtime::rules;
/// A struct of float parameters, differentiated as one active parameter: its gradient has the
/// struct's own type. `#[derive(Differentiable)]` implements it for structs whose fields are
/// floats, arrays `[f; N]`, matrices `[[f; N]; M]` (one float type), other such structs and
/// `Vec`s of floats; fields marked `#[passive]` (sizes, flags, data) are cloned, not
/// differentiated. The active fields are flattened in declaration order (matrices row by row,
/// nested structs in place), the `Vec` fields after all the others: the order of `objective`
/// vectors and Hessians; `T::names()` (with `alloc`) and `T::write_name(k, ..)` name each
/// flattened value as written in Rust (`w1[3][2]`, `inner.a`), for labelling errors,
/// correlations and Hessians.
///
/// A struct with `Vec` fields has its size at run time: `p.dim()` gives it and `p.names_of()`
/// the names (`T::DIM` is a compile-time error that says so). Functions take it as a parameter
/// (flattened into a slice, with `grad`/`vjp`/`jvp`/`hvp`/`objective` as for the others) and
/// [`Flat`] trains it; it cannot be a field of another struct, or be built or returned inside a
/// `#[differentiable]` function.
///
/// A `#[differentiable]` function differentiates a struct parameter named in `wrt(..)`; it
/// reads fields as written (`m.w[i][j]`, `m.b[i]`, `m.scale`, `&m.w[i]` and `&m.b` passed to
/// helpers, `m.w.len()`), its passive fields too (`m.n`, `self.xs.iter()`), also in the helpers
/// it passes the struct to; `grad` returns the gradient as a struct, `vjp` adds into a `&mut`
/// struct, `jvp` and `hvp` take a struct direction, and `objective` takes the struct first (for
/// its passive fields) and works on the flattened active ones.
///
/// ```
/// use autodiff::Differentiable;
///
/// #[derive(Clone, Debug, PartialEq, Differentiable)]
/// struct Pose {
///     angle: f64,
///     t: [f64; 2],
///     #[passive]
///     label: u32,
/// }
///
/// let p = Pose { angle: 0.5, t: [1.0, 2.0], label: 7 };
/// assert_eq!(Pose::DIM, 3);
/// let mut flat = [0.0; 3];
/// p.flatten_into(&mut flat);
/// assert_eq!(flat, [0.5, 1.0, 2.0]);
/// let q = p.with_flat(&[0.0, 3.0, 4.0]);
/// assert_eq!(q, Pose { angle: 0.0, t: [3.0, 4.0], label: 7 });
///
/// #[derive(Clone, Debug, PartialEq, Differentiable)]
/// struct Poly {
///     coeffs: Vec<f64>,
///     bias: f64,
/// }
///
/// let p = Poly { coeffs: vec![1.0, 2.0], bias: 3.0 };
/// assert_eq!(p.dim(), 3);
/// assert_eq!(p.names_of(), ["bias", "coeffs[0]", "coeffs[1]"]);
/// let mut flat = vec![0.0; p.dim()];
/// p.flatten_into(&mut flat);
/// assert_eq!(flat, [3.0, 1.0, 2.0]);
/// ```
pub use autodiff_runtime::Differentiable;

#[cfg(feature = "optim")]
pub use optim;

#[cfg(all(feature = "optim", feature = "alloc"))]
mod flat;
#[cfg(all(feature = "optim", feature = "alloc"))]
pub use flat::Flat;
#[cfg(feature = "optim")]
mod flat_array;
#[cfg(feature = "optim")]
pub use flat_array::FlatArray;

#[cfg(any(feature = "argmin", feature = "nalgebra"))]
mod interop;
#[cfg(feature = "argmin")]
pub use interop::argmin;
#[cfg(feature = "nalgebra")]
pub use interop::nalgebra;

/// The crate README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/crate/README.md")]
struct ReadmeDoctests;

/// Items the generated code names. Not public API: they may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use autodiff_macros::__layout as layout;
    pub use autodiff_runtime::__if_alloc as if_alloc;
    pub use autodiff_runtime::__if_std as if_std;
    pub use autodiff_runtime::call::{
        fixed, fixed_mut, ret_len, Active, ActiveArrayToPassive, BindArrayResult, Const, ToActive,
        ToBase, ToPassive,
    };
    pub use autodiff_runtime::mode::{Accumulate, AdjointMode, Overwrite};
    #[cfg(feature = "alloc")]
    pub use autodiff_runtime::sparse;
    pub use autodiff_runtime::{
        dual_vec, rules, signature_float, split_dual_vec, vec_of, vec_with_capacity, zeros_vec,
        Bound, Dual, Field, FixedTape, Float, Jet, MethodResult, ObjectiveFns, Scalar,
        StructResult, Vec, VecTape, Whole,
    };
    #[cfg(feature = "alloc")]
    pub use autodiff_runtime::{with_hvp_work, HvpWork};
}
