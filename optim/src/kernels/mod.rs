//! The element loops that use `mul_add` (torch's fused multiply-adds), each written once and
//! compiled twice on x86-64.
//!
//! On the default x86-64 target (SSE2 only) `mul_add` cannot be an instruction: it is a call to
//! libm's `fma`, a few nanoseconds per element. So every loop that fuses lives here, written once
//! in [`kernels!`], and is built
//!
//! * for the crate's own target features (the portable build): with `-C target-feature=+fma` or
//!   `-C target-cpu=native` on an FMA machine that already is the fast build, and no run-time
//!   check is compiled at all;
//! * and, with `std` on x86-64 without `fma` enabled at compile time, a second time inside a
//!   `#[target_feature(enable = "fma")]` function, chosen at run time when the CPU has FMA
//!   (detected once, [`Kernels::get`]).
//!
//! Both builds give the same bits. A fused multiply-add is correctly rounded whether libm or the
//! instruction computes it, and nothing else changes: without fast-math flags LLVM neither
//! contracts `a * b + c` into an `fma` nor reassociates sums, so the FMA build (which may also
//! use AVX vectors, `fma` implies `avx`) does the same operations in the same order for every
//! element, and reductions stay sequential. `kernels/tests.rs` checks every kernel on both builds
//! bit for bit, and `force_portable` lets the PyTorch trajectory tests run on both.
//!
//! Without `std`, `mul_add` is the `libm` crate's `fma` (which picks the instruction at run
//! time by itself), and only the portable build exists.
//!
//! This is the crate's only `unsafe` (`lib.rs` denies it elsewhere): calling a
//! `#[target_feature]` function needs the promise that the CPU has the feature.

#![allow(unsafe_code)]

mod first_order;
mod lbfgs;
#[cfg(all(test, feature = "alloc"))]
mod tests;

pub(crate) use first_order::{AdadeltaStep, AdagradStep, AdamStep, Decay, NAdamStep, RAdamStep};
pub(crate) use first_order::{RmsPropStep, SgdStep};

/// Which build of the kernels runs. The kernels are its methods (written by [`kernels!`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kernels {
    /// True only when the CPU was detected to have FMA ([`Kernels::with_fma`],
    /// [`Kernels::get`]): the safety condition of calling the FMA builds.
    #[cfg_attr(
        not(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma"))),
        allow(dead_code)
    )]
    fma: bool,
}

impl Kernels {
    /// The portable build, always available.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) const PORTABLE: Kernels = Kernels { fma: false };

    /// The FMA build, if it is compiled in (`std`, x86-64, `fma` not on at compile time) and the
    /// CPU has FMA.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn with_fma() -> Option<Kernels> {
        cpu_has_fma().then_some(Kernels { fma: true })
    }

    /// The build to run: with FMA when available, unless [`force_portable`] is on for this
    /// thread.
    #[inline]
    pub(crate) fn get() -> Kernels {
        Kernels {
            fma: cpu_has_fma() && !forced_portable(),
        }
    }
}

/// Makes this thread's optimizer steps use the portable kernels (`true`), or the FMA kernels
/// again when the CPU has FMA (`false`). For tests: both give the same bits, and the PyTorch
/// trajectory tests run once each way. Without `std`, or when the crate is compiled with `fma`
/// enabled, there is only one build and this does nothing.
///
/// ```
/// use optim::{AdamConfig, Optimizer};
/// let run = || {
///     let mut adam = AdamConfig::default().lr(0.1).build::<f64, Vec<f64>>(2).unwrap();
///     let mut x = vec![1.0, -2.0];
///     adam.step(&mut x, &[0.3, 0.7]);
///     x
/// };
/// optim::force_portable(true);
/// let portable = run();
/// optim::force_portable(false);
/// assert_eq!(portable, run());
/// ```
#[doc(hidden)]
pub fn force_portable(on: bool) {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma")))]
    PORTABLE.with(|p| p.set(on));
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma"))))]
    let _ = on;
}

#[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma")))]
std::thread_local! {
    static PORTABLE: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

#[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma")))]
#[inline]
fn forced_portable() -> bool {
    PORTABLE.with(|p| p.get())
}

#[cfg(not(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma"))))]
#[inline]
fn forced_portable() -> bool {
    false
}

/// Whether the CPU has FMA, asked once (0: not yet, 1: no, 2: yes).
#[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma")))]
#[inline]
fn cpu_has_fma() -> bool {
    use core::sync::atomic::{AtomicU8, Ordering};
    static FMA: AtomicU8 = AtomicU8::new(0);
    match FMA.load(Ordering::Relaxed) {
        0 => {
            let has = std::is_x86_feature_detected!("fma");
            FMA.store(1 + u8::from(has), Ordering::Relaxed);
            has
        }
        state => state == 2,
    }
}

#[cfg(not(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma"))))]
#[inline]
fn cpu_has_fma() -> bool {
    false
}

/// Writes each kernel as a method of [`Kernels`]: the body once, as an `#[inline(always)]`
/// function, called from the portable build and from a `#[target_feature(enable = "fma")]`
/// build (compiled only with `std`, on x86-64, without `fma` enabled at compile time).
macro_rules! kernels {
    ($(
        $(#[$doc:meta])*
        fn $name:ident<$($g:ident: $bound:path),+>($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?
        $body:block
    )*) => {
        impl $crate::kernels::Kernels {$(
            $(#[$doc])*
            #[inline]
            pub(crate) fn $name<$($g: $bound),+>(self, $($arg: $ty),*) $(-> $ret)? {
                #[inline(always)]
                #[allow(clippy::too_many_arguments)]
                fn body<$($g: $bound),+>($($arg: $ty),*) $(-> $ret)? $body

                #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "fma")))]
                if self.fma {
                    #[target_feature(enable = "fma")]
                    #[allow(clippy::too_many_arguments)]
                    fn with_fma<$($g: $bound),+>($($arg: $ty),*) $(-> $ret)? {
                        body($($arg),*)
                    }
                    // SAFETY: `self.fma` is only true when the CPU has FMA (`Kernels::get`,
                    // `Kernels::with_fma`), all a `#[target_feature(enable = "fma")]` function
                    // requires of its caller.
                    return unsafe { with_fma($($arg),*) };
                }
                body($($arg),*)
            }
        )*}
    };
}
use kernels;
