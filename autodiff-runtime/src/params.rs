//! Parameter structs: `#[derive(Differentiable)]` and what it implements.

use crate::Float;

/// A struct of float parameters that `#[differentiable]` functions take as an active
/// parameter (named in `wrt(..)`) and whose gradient has the struct's own type.
///
/// Implemented by `#[derive(Differentiable)]` for structs whose fields are floats, arrays
/// `[f; N]` and matrices `[[f; N]; M]` of one float type, other such structs and (with
/// `alloc`) `Vec`s of floats; fields marked `#[passive]` are passive (sizes, flags, data) and
/// are copied, not differentiated. The fixed-size active fields are flattened in declaration
/// order, matrices row by row, nested structs in place, then the `Vec` fields in declaration
/// order: that order is the one of `objective` vectors and Hessians.
///
/// A struct with `Vec` fields has its size at run time ([`Differentiable::dim`]); its `DIM` is a
/// compile-time error, so it cannot be nested in another struct or flattened into an array.
/// Derive it with `#[derive(Differentiable)]` from the `autodiff-gen` crate.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is an active parameter but not a `Differentiable` struct",
    label = "active here",
    note = "derive it (`#[derive(Differentiable)]` on `{Self}`), or make the parameter passive: name only the other parameters in `wrt(..)` (for a method, `wrt(x)` without `self`)"
)]
pub trait Differentiable: Sized {
    /// The float type of the active fields.
    type Float: Float;
    /// The number of active scalars (a compile-time error for a struct with `Vec` fields: see
    /// [`Differentiable::dim`]).
    const DIM: usize;
    /// The number of active scalars of this value: [`Differentiable::DIM`], or for a struct with
    /// `Vec` fields its fixed part plus the `Vec`s' lengths.
    fn dim(&self) -> usize {
        Self::DIM
    }
    /// Writes the active fields into `out[..DIM]`, in the documented order.
    ///
    /// # Panics
    /// If `out` is shorter than [`Differentiable::DIM`] (entries past `DIM` are left alone).
    fn flatten_into(&self, out: &mut [Self::Float]);
    /// A copy of `self` with the active fields read from `flat[..DIM]` (passive fields cloned).
    ///
    /// # Panics
    /// If `flat` is shorter than [`Differentiable::DIM`] (entries past `DIM` are ignored).
    fn with_flat(&self, flat: &[Self::Float]) -> Self;
    /// Adds `flat[..DIM]` to the active fields.
    fn add_flat(&mut self, flat: &[Self::Float]);

    /// Writes the name of the `k`-th flattened value, as the field is written in Rust: `b`,
    /// `w[3]`, `w1[3][2]`, `inner.a`, `0[1]` (tuple structs). For labelling errors,
    /// correlations and Hessians. `k >= DIM` writes `#k`.
    fn write_name(k: usize, out: &mut dyn core::fmt::Write) -> core::fmt::Result {
        write!(out, "#{k}")
    }

    /// [`Differentiable::write_name`] for this value: the same, and for a struct with `Vec`
    /// fields the names of their elements too (`w[3]`).
    fn write_name_of(&self, k: usize, out: &mut dyn core::fmt::Write) -> core::fmt::Result {
        Self::write_name(k, out)
    }

    /// The names of all `DIM` flattened values (see [`Differentiable::write_name`]).
    #[cfg(feature = "alloc")]
    fn names() -> alloc::vec::Vec<alloc::string::String> {
        (0..Self::DIM)
            .map(|k| {
                let mut s = alloc::string::String::new();
                let _ = Self::write_name(k, &mut s);
                s
            })
            .collect()
    }

    /// The names of this value's `dim()` flattened values (see
    /// [`Differentiable::write_name_of`]); the same as [`Differentiable::names`] for a
    /// fixed-size struct.
    #[cfg(feature = "alloc")]
    fn names_of(&self) -> alloc::vec::Vec<alloc::string::String> {
        (0..self.dim())
            .map(|k| {
                let mut s = alloc::string::String::new();
                let _ = self.write_name_of(k, &mut s);
                s
            })
            .collect()
    }
}

/// The type of a struct's field, by a hash of its name (`#[derive(Differentiable)]` implements
/// it for each active field): how `#[differentiable]` functions find the layout of nested
/// structs (`m.inner.a`). Not public API.
#[doc(hidden)]
pub trait Field<const NAME: u64> {
    /// The field's type.
    type Ty;
}

/// The struct a `#[differentiable]` function returns (implemented for the function's item):
/// how a caller that binds the result without its type (`let p = pose_of(x);`) finds the
/// struct's layout. Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[differentiable]` function returning a `Differentiable` struct",
    label = "its result is read as a struct here",
    note = "a result read as a struct (`p.field`, `p.method(..)`) in a `#[differentiable]` function must come from a `#[differentiable]` function returning a `#[derive(Differentiable)]` struct"
)]
pub trait StructResult {
    /// The returned struct.
    type Ty;
}

/// Implemented for `f64` only: the float type `#[differentiable]` takes for a function whose
/// signature names none (`fn scaled(p: &Pose) -> Pose`), checked against the struct's. Not
/// public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this struct's float type is `{Self}`, but a `#[differentiable]` function whose signature names no float is differentiated in `f64`",
    label = "a struct of `{Self}`",
    note = "name the float type in the signature: take or return an `f32` (for example an `f32` parameter)"
)]
pub trait SignatureFloat {}

impl SignatureFloat for f64 {}

/// Compiles only for `F = f64` (see [`SignatureFloat`]).
#[doc(hidden)]
pub const fn signature_float<F: SignatureFloat>() {}

/// [`StructResult`] for the method of `Self` named by the hash `NAME` (as [`Field`]).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this method of `{Self}` is not a `#[differentiable]` method returning a `Differentiable` struct",
    label = "its result is read as a struct here",
    note = "a result read as a struct (`p.field`, `p.method(..)`) in a `#[differentiable]` function must come from a method of a `#[differentiable]` impl block returning a `#[derive(Differentiable)]` struct"
)]
pub trait MethodResult<const NAME: u64> {
    /// The returned struct.
    type Ty;
}

/// The whole struct a `#[differentiable]` function flattens, passed next to its active fields
/// so that it (or a function it calls) can read the passive ones (`m.n`, `self.relu`). A struct
/// built inside a function has no whole ([`Whole::NONE`]): functions reading passive fields
/// cannot be given one, which the build checks. Not public API.
#[doc(hidden)]
pub struct Whole<'a, T> {
    // (Not a tuple struct's `.0`, and private: `whole.0` and `whole.n` read the struct's own
    // fields, through `Deref`.)
    __ad_struct: Option<&'a T>,
}

impl<'a, T> Whole<'a, T> {
    /// No struct: a struct built inside a `#[differentiable]` function (its passive fields are
    /// never read, checked at compile time).
    pub const NONE: Self = Whole { __ad_struct: None };

    /// The struct `t`.
    #[inline(always)]
    pub const fn of(t: &'a T) -> Self {
        Whole {
            __ad_struct: Some(t),
        }
    }

    /// The struct's part `f(t)`, a nested struct field (`#[derive(Differentiable)]` writes the
    /// projections).
    #[inline(always)]
    pub fn part<U>(self, f: fn(&T) -> &U) -> Whole<'a, U> {
        Whole {
            __ad_struct: self.__ad_struct.map(f),
        }
    }
}

impl<T> Clone for Whole<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Whole<'_, T> {}

impl<T> core::ops::Deref for Whole<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        match self.__ad_struct {
            Some(t) => t,
            // (The build rejects a call that passes a built struct to a function reading its
            // passive fields, so this is not reached.)
            None => panic!(
                "a passive field read from a struct built inside a `#[differentiable]` function"
            ),
        }
    }
}

/// No struct (the initial value of a saved argument).
impl<T> Default for Whole<'_, T> {
    fn default() -> Self {
        Whole::NONE
    }
}
