//! Storage for the reverse sweep of loops and branches.
//!
//! Inside a loop, every iteration computes its own local partial derivatives; the reverse sweep
//! needs them again, last iteration first. The generated code pushes them, one tuple per
//! statement, onto a tape and pops them in reverse. A loop whose trip count is bounded at compile
//! time (`for i in 0..N`) uses a [`FixedTape`] on the stack, whose storage is a (nested) array
//! sized by the loop bounds; any other loop uses a [`VecTape`], which needs the `alloc` feature.

use core::marker::PhantomData;

/// Fixed storage: an array, or nested arrays (one dimension per enclosing loop), seen as a flat
/// slice of slots.
pub trait Slots<T> {
    /// All slots, in memory order.
    fn slots(&mut self) -> &mut [T];
}

impl<T, const A: usize> Slots<T> for [T; A] {
    #[inline(always)]
    fn slots(&mut self) -> &mut [T] {
        self
    }
}

impl<T, const A: usize, const B: usize> Slots<T> for [[T; A]; B] {
    #[inline(always)]
    fn slots(&mut self) -> &mut [T] {
        self.as_flattened_mut()
    }
}

impl<T, const A: usize, const B: usize, const C: usize> Slots<T> for [[[T; A]; B]; C] {
    #[inline(always)]
    fn slots(&mut self) -> &mut [T] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

impl<T, const A: usize, const B: usize, const C: usize, const D: usize> Slots<T>
    for [[[[T; A]; B]; C]; D]
{
    #[inline(always)]
    fn slots(&mut self) -> &mut [T] {
        self.as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut()
    }
}

/// A last-in first-out tape in fixed storage (no allocation).
pub struct FixedTape<T, B> {
    storage: B,
    len: usize,
    _t: PhantomData<T>,
}

impl<T: Copy, B: Slots<T>> FixedTape<T, B> {
    /// A tape over `storage` (its initial contents are never read).
    #[inline(always)]
    pub fn new(storage: B) -> Self {
        FixedTape {
            storage,
            len: 0,
            _t: PhantomData,
        }
    }

    /// Appends `v`.
    ///
    /// # Panics
    /// If the storage is full; the macro sizes it from the loop bounds, so this means a bug.
    #[inline(always)]
    pub fn push(&mut self, v: T) {
        let len = self.len;
        self.storage.slots()[len] = v;
        self.len = len + 1;
    }

    /// Removes and returns the last value.
    ///
    /// # Panics
    /// If the tape is empty (a bug in the generated code).
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        self.len -= 1;
        self.storage.slots()[self.len]
    }
}

/// A last-in first-out tape on the heap, for loops with a run-time trip count.
#[cfg(feature = "alloc")]
pub struct VecTape<T> {
    items: alloc::vec::Vec<T>,
}

#[cfg(feature = "alloc")]
impl<T> VecTape<T> {
    /// An empty tape.
    #[inline(always)]
    pub fn new() -> Self {
        VecTape {
            items: alloc::vec::Vec::new(),
        }
    }

    /// Appends `v`.
    #[inline(always)]
    pub fn push(&mut self, v: T) {
        self.items.push(v);
    }

    /// Removes and returns the last value.
    ///
    /// # Panics
    /// If the tape is empty (a bug in the generated code).
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        self.items
            .pop()
            .expect("autodiff: tape underflow (a bug in the generated code)")
    }
}

#[cfg(feature = "alloc")]
impl<T> Default for VecTape<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Without `alloc`, a function that needs a heap tape fails to compile with this message.
#[cfg(not(feature = "alloc"))]
pub struct VecTape<T> {
    _t: PhantomData<T>,
}

#[cfg(not(feature = "alloc"))]
struct NeedsAlloc<T>(PhantomData<T>);

#[cfg(not(feature = "alloc"))]
impl<T> NeedsAlloc<T> {
    const ERROR: () = panic!(
        "this #[differentiable] function has a loop whose trip count is not known at compile time \
         (a `while`/`loop`, or a range with run-time bounds), so its reverse mode stores values on \
         the heap: enable the `alloc` feature of `autodiff`, or bound the loop by a constant \
         (`for i in 0..N`)"
    );
}

#[cfg(not(feature = "alloc"))]
impl<T> VecTape<T> {
    /// Fails to compile: see the type's documentation.
    #[allow(clippy::let_unit_value, clippy::new_without_default)]
    pub fn new() -> Self {
        let () = NeedsAlloc::<T>::ERROR;
        VecTape { _t: PhantomData }
    }
    /// Unreachable without `alloc`.
    pub fn push(&mut self, _v: T) {}
    /// Unreachable without `alloc`.
    pub fn pop(&mut self) -> T {
        unreachable!()
    }
}

/// The growable buffer `grad` returns for slice parameters (`alloc::vec::Vec`).
#[cfg(feature = "alloc")]
pub use alloc::vec::Vec;

/// `n` copies of `zero`, for `grad` of slice parameters.
#[cfg(feature = "alloc")]
#[inline]
pub fn zeros_vec<T: Copy>(n: usize, zero: T) -> Vec<T> {
    alloc::vec![zero; n]
}

/// Without `alloc`, `grad` of a function with slice parameters fails to compile with a message
/// (use `vjp` with your own buffer instead).
#[cfg(not(feature = "alloc"))]
pub struct Vec<T> {
    _t: PhantomData<T>,
}

#[cfg(not(feature = "alloc"))]
struct NeedsAllocForGrad<T>(PhantomData<T>);

#[cfg(not(feature = "alloc"))]
impl<T> NeedsAllocForGrad<T> {
    const ERROR: () = panic!(
        "`grad` of a #[differentiable] function with slice parameters returns a `Vec`: enable the \
         `alloc` feature of `autodiff`, or call `vjp` with your own adjoint buffer"
    );
}

#[cfg(not(feature = "alloc"))]
impl<T> Vec<T> {
    /// Unreachable without `alloc`.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut []
    }
    /// Unreachable without `alloc`.
    pub fn push(&mut self, _v: T) {}
    /// Unreachable without `alloc`.
    pub fn pop(&mut self) -> Option<T> {
        None
    }
    /// Unreachable without `alloc`.
    pub fn len(&self) -> usize {
        0
    }
    /// Unreachable without `alloc`.
    pub fn is_empty(&self) -> bool {
        true
    }
    /// Unreachable without `alloc`.
    pub fn new() -> Self {
        Vec { _t: PhantomData }
    }
}

#[cfg(not(feature = "alloc"))]
impl<T> Default for Vec<T> {
    fn default() -> Self {
        Vec { _t: PhantomData }
    }
}

#[cfg(not(feature = "alloc"))]
impl<T> core::ops::Deref for Vec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &[]
    }
}

#[cfg(not(feature = "alloc"))]
impl<T> core::ops::DerefMut for Vec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut []
    }
}

/// `n` copies of `v`: a `vec![v; n]` of a `#[differentiable]` body (and its tangent or
/// adjoint).
#[cfg(feature = "alloc")]
#[inline]
pub fn vec_of<T: Copy>(n: usize, v: T) -> Vec<T> {
    alloc::vec![v; n]
}

/// An empty `Vec` with room for `n`: `Vec::with_capacity(n)` of a `#[differentiable]` body.
#[cfg(feature = "alloc")]
#[inline]
pub fn vec_with_capacity<T>(n: usize) -> Vec<T> {
    Vec::with_capacity(n)
}

#[cfg(not(feature = "alloc"))]
struct NeedsAllocForVec<T>(PhantomData<T>);

#[cfg(not(feature = "alloc"))]
impl<T> NeedsAllocForVec<T> {
    const ERROR: () = panic!(
        "a `Vec` in a #[differentiable] function needs the `alloc` feature of `autodiff` (its \
         derivative code keeps a tangent or adjoint `Vec` next to it); enable `alloc`, or use a \
         fixed-size array `[0.0; N]`"
    );
}

/// Fails to compile without `alloc`, saying why.
#[cfg(not(feature = "alloc"))]
#[allow(clippy::let_unit_value)]
pub fn vec_of<T: Copy>(_n: usize, _v: T) -> Vec<T> {
    let () = NeedsAllocForVec::<T>::ERROR;
    Vec { _t: PhantomData }
}

/// Fails to compile without `alloc`, saying why.
#[cfg(not(feature = "alloc"))]
#[allow(clippy::let_unit_value)]
pub fn vec_with_capacity<T>(_n: usize) -> Vec<T> {
    let () = NeedsAllocForVec::<T>::ERROR;
    Vec { _t: PhantomData }
}

/// Fails to compile without `alloc`: see [`Vec`].
#[cfg(not(feature = "alloc"))]
#[allow(clippy::let_unit_value)]
pub fn zeros_vec<T: Copy>(_n: usize, _zero: T) -> Vec<T> {
    let () = NeedsAllocForGrad::<T>::ERROR;
    Vec { _t: PhantomData }
}

/// Duals `x[i] + v[i] ε`, for `hvp` of slice parameters.
#[cfg(feature = "alloc")]
#[doc(hidden)]
pub fn dual_vec<S: crate::Scalar>(x: &[S], v: &[S]) -> Vec<crate::Dual<S>> {
    assert!(
        x.len() == v.len(),
        "`hvp`: the direction has length {}, expected {}",
        v.len(),
        x.len()
    );
    x.iter()
        .zip(v)
        .map(|(&a, &b)| crate::Dual::new(a, b))
        .collect()
}

/// The real and `eps` parts of duals, for `hvp` of slice parameters.
#[cfg(feature = "alloc")]
#[doc(hidden)]
pub fn split_dual_vec<S: crate::Scalar>(d: &[crate::Dual<S>]) -> (Vec<S>, Vec<S>) {
    (
        d.iter().map(|v| v.re).collect(),
        d.iter().map(|v| v.eps).collect(),
    )
}

#[cfg(not(feature = "alloc"))]
impl<T> Vec<T> {
    /// Unreachable without `alloc`.
    pub fn as_slice(&self) -> &[T] {
        &[]
    }
}

/// Fails to compile without `alloc`: see [`Vec`].
#[cfg(not(feature = "alloc"))]
#[doc(hidden)]
#[allow(clippy::let_unit_value)]
pub fn dual_vec<S: crate::Scalar>(_x: &[S], _v: &[S]) -> Vec<crate::Dual<S>> {
    let () = NeedsAllocForGrad::<S>::ERROR;
    Vec { _t: PhantomData }
}

/// Fails to compile without `alloc`: see [`Vec`].
#[cfg(not(feature = "alloc"))]
#[doc(hidden)]
#[allow(clippy::let_unit_value)]
pub fn split_dual_vec<S: crate::Scalar>(_d: &[crate::Dual<S>]) -> (Vec<S>, Vec<S>) {
    let () = NeedsAllocForGrad::<S>::ERROR;
    (Vec { _t: PhantomData }, Vec { _t: PhantomData })
}
