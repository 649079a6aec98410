//! [`Rng`]: a small seeded pseudo-random generator (xoshiro256\*\* seeded through splitmix64)
//! for reproducible shuffles ([`crate::minibatch`]) and start points ([`crate::restarts`]).
//!
//! Not cryptographic. The same seed gives the same stream on every platform and build (integer
//! arithmetic only; [`Rng::normal`] uses `ln`, `sqrt` and `cos` of `f64`, through std or libm).
//! No allocation, no dependency.
//!
//! Everything in the library that draws random numbers takes any [`Source`] of random 64-bit
//! words: [`Rng`], or (feature `rand_core`) any generator implementing `rand_core::Rng`
//! (`rand`'s `StdRng`, `rand_chacha`, ...), which [`Rng`] then implements too. [`below`] and
//! [`shuffle`] draw from any source exactly as [`Rng::below`] and [`Rng::shuffle`] do.
//!
//! ```
//! use optim::rng::Rng;
//! let mut rng = Rng::new(2024);
//! let mut start = [0.0f64; 3];
//! rng.fill_normal(&mut start, 0.0, 1.0);
//! let mut again = [0.0f64; 3];
//! Rng::new(2024).fill_normal(&mut again, 0.0, 1.0);
//! assert_eq!(start, again);
//! ```

/// A source of uniformly random 64-bit words.
///
/// ```
/// use optim::rng::{below, Source};
/// /// A counter: not random, but any word source works.
/// struct Counter(u64);
/// impl Source for Counter {
///     fn next_u64(&mut self) -> u64 {
///         self.0 = self.0.wrapping_add(1 << 62);
///         self.0
///     }
/// }
/// // Words 2^62, 2^63, 3 * 2^62 scale to 0..4 as 1, 2, 3.
/// let mut c = Counter(0);
/// assert_eq!([below(&mut c, 4), below(&mut c, 4), below(&mut c, 4)], [1, 2, 3]);
/// ```
pub trait Source {
    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64;
}

#[cfg(not(feature = "rand_core"))]
impl Source for Rng {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        Rng::next_u64(self)
    }
}

#[cfg(not(feature = "rand_core"))]
impl<R: Source + ?Sized> Source for &mut R {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        (**self).next_u64()
    }
}

use autodiff_runtime::{Float, Scalar};

use crate::state::{check, StateError, Stateful};

/// One step of splitmix64 (Steele, Lea and Flood; Vigna's reference constants): advances
/// `state` and returns the next output. Used to expand a `u64` seed into xoshiro's state.
///
/// ```
/// use optim::rng::splitmix64;
/// let mut state = 0;
/// assert_eq!(splitmix64(&mut state), 0xe220_a839_7b1d_cdaf); // Vigna's reference output
/// assert_eq!(state, 0x9e37_79b9_7f4a_7c15);
/// ```
#[inline]
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256\*\* (Blackman and Vigna, 2018): 256 bits of state, period `2^256 - 1`.
///
/// ```
/// use optim::rng::Rng;
/// let mut a = Rng::new(42);
/// let mut b = Rng::new(42);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let mut v = [1, 2, 3, 4, 5];
/// a.shuffle(&mut v);
/// v.sort();
/// assert_eq!(v, [1, 2, 3, 4, 5]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "RngState", into = "RngState")
)]
pub struct Rng {
    pub(crate) s: [u64; 4],
}

impl Rng {
    /// The generator for `seed`: the state is four successive splitmix64 outputs from `seed`
    /// (never all zero).
    ///
    /// ```
    /// use optim::rng::Rng;
    /// assert_eq!(Rng::new(7), Rng::new(7));
    /// assert_ne!(Rng::new(7), Rng::new(8));
    /// ```
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        if s == [0; 4] {
            // Unreachable for splitmix64 (a bijection of successive distinct states), kept so
            // the invariant is local.
            return Rng { s: [1, 0, 0, 0] };
        }
        Rng { s }
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut rng = Rng::new(0);
    /// let (a, b) = (rng.next_u64(), rng.next_u64());
    /// assert_ne!(a, b);
    /// assert_eq!(Rng::new(0).next_u64(), a); // reproducible
    /// ```
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A new generator seeded from this one's next output: an independent-looking stream (for
    /// example one per restart) that does not disturb reproducibility.
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut parent = Rng::new(1);
    /// let mut child = parent.split();
    /// assert_ne!(child.next_u64(), parent.next_u64());
    /// ```
    pub fn split(&mut self) -> Rng {
        Rng::new(self.next_u64())
    }

    /// Uniform in `[0, 1)`, with 53 random bits (every multiple of `2^-53`).
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut rng = Rng::new(3);
    /// assert!((0..1000).map(|_| rng.next_f64()).all(|u| (0.0..1.0).contains(&u)));
    /// ```
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)` (`lo + (hi - lo) * u`; may round to `hi` for some ranges).
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut rng = Rng::new(3);
    /// assert!((0..1000).map(|_| rng.uniform(-2.0, 5.0)).all(|u| (-2.0..5.0).contains(&u)));
    /// ```
    #[inline]
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    /// Uniform integer in `0..n`, without modulo bias ([`below`]).
    ///
    /// # Panics
    /// If `n == 0`.
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut rng = Rng::new(5);
    /// let mut seen = [false; 6];
    /// for _ in 0..200 {
    ///     seen[rng.below(6)] = true;
    /// }
    /// assert!(seen.iter().all(|&s| s));
    /// ```
    pub fn below(&mut self, n: usize) -> usize {
        below(self, n)
    }

    /// A standard normal sample (Box–Muller, one sample per call: two uniforms each time).
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut rng = Rng::new(11);
    /// let n = 20_000;
    /// let mean = (0..n).map(|_| rng.normal()).sum::<f64>() / n as f64;
    /// assert!(mean.abs() < 0.05);
    /// ```
    pub fn normal(&mut self) -> f64 {
        // 1 - u is in (0, 1]: the logarithm is finite.
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        let r = Scalar::sqrt(-2.0 * Scalar::ln(u1));
        r * Scalar::cos(core::f64::consts::TAU * u2)
    }

    /// A normal sample with mean `mean` and standard deviation `std`.
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let (mut a, mut b) = (Rng::new(2), Rng::new(2));
    /// assert_eq!(a.normal_with(10.0, 3.0), 10.0 + 3.0 * b.normal());
    /// ```
    #[inline]
    pub fn normal_with(&mut self, mean: f64, std: f64) -> f64 {
        mean + std * self.normal()
    }

    /// Fills `out` with independent `N(mean, std^2)` samples (a ready-made restart sampler).
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut start = [0.0f32; 4];
    /// Rng::new(9).fill_normal(&mut start, 1.0, 0.0); // std 0: all at the mean
    /// assert_eq!(start, [1.0; 4]);
    /// ```
    pub fn fill_normal<F: Float>(&mut self, out: &mut [F], mean: f64, std: f64) {
        for v in out {
            *v = F::from_f64(self.normal_with(mean, std));
        }
    }

    /// Fills `out` with independent uniform samples in `[lo, hi)`.
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let mut start = [0.0f64; 8];
    /// Rng::new(9).fill_uniform(&mut start, -1.0, 1.0);
    /// assert!(start.iter().all(|v| (-1.0..1.0).contains(v)));
    /// ```
    pub fn fill_uniform<F: Float>(&mut self, out: &mut [F], lo: f64, hi: f64) {
        for v in out {
            *v = F::from_f64(self.uniform(lo, hi));
        }
    }

    /// Shuffles `v` uniformly ([`shuffle`]).
    ///
    /// ```
    /// use optim::rng::Rng;
    /// let (mut a, mut b) = ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]);
    /// Rng::new(4).shuffle(&mut a);
    /// Rng::new(4).shuffle(&mut b);
    /// assert_eq!(a, b); // the same seed, the same order
    /// ```
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        shuffle(self, v);
    }
}

/// Uniform integer in `0..n` from `rng`, without modulo bias (Lemire's multiply-and-reject).
///
/// # Panics
/// If `n == 0`.
///
/// ```
/// use optim::rng::{below, Rng};
/// let (mut a, mut b) = (Rng::new(6), Rng::new(6));
/// assert_eq!(below(&mut a, 10), b.below(10));
/// ```
pub fn below<R: Source + ?Sized>(rng: &mut R, n: usize) -> usize {
    assert!(n > 0, "`Rng::below`: the range 0..0 is empty");
    let n = n as u64;
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    if (m as u64) < n {
        // Reject the `2^64 mod n` low values that would make some results likelier.
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as usize
}

/// Shuffles `v` uniformly with `rng` (Fisher–Yates, from the back).
///
/// ```
/// use optim::rng::{shuffle, Rng};
/// let mut v = [1, 2, 3, 4];
/// shuffle(&mut Rng::new(0), &mut v);
/// v.sort();
/// assert_eq!(v, [1, 2, 3, 4]);
/// ```
pub fn shuffle<R: Source + ?Sized, T>(rng: &mut R, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = below(rng, i + 1);
        v.swap(i, j);
    }
}

/// The state of an [`Rng`]: xoshiro256\*\*'s four words (never all zero).
///
/// ```
/// use optim::rng::{Rng, RngState};
/// let mut rng = Rng::new(1);
/// let state = RngState::from(rng.clone());
/// let mut back = Rng::try_from(state).unwrap();
/// assert_eq!(back.next_u64(), rng.next_u64());
/// assert!(Rng::try_from(RngState { s: [0; 4] }).is_err()); // all-zero is not a state
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RngState {
    /// The four state words.
    pub s: [u64; 4],
}

impl From<Rng> for RngState {
    fn from(rng: Rng) -> Self {
        RngState { s: rng.s }
    }
}

impl TryFrom<RngState> for Rng {
    type Error = StateError;
    fn try_from(state: RngState) -> Result<Self, StateError> {
        let mut rng = Rng { s: [1, 0, 0, 0] };
        rng.load_state(state)?;
        Ok(rng)
    }
}

impl Stateful for Rng {
    type State = RngState;
    fn state(&self) -> RngState {
        RngState { s: self.s }
    }
    fn load_state(&mut self, state: RngState) -> Result<(), StateError> {
        check(
            state.s != [0; 4],
            "Rng",
            "the all-zero state is not a xoshiro256** state",
        )?;
        self.s = state.s;
        Ok(())
    }
}

/// With `rand_core`, [`Rng`] is a `rand_core` generator (`next_u32` is the high half of a
/// 64-bit output, as `rand_core` recommends for 64-bit generators).
#[cfg(feature = "rand_core")]
impl rand_core::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((Rng::next_u64(self) >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(Rng::next_u64(self))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand_core::utils::fill_bytes_via_next_word(dst, || Ok(Rng::next_u64(self)))
    }
}

/// Every `rand_core` generator is a [`Source`].
#[cfg(feature = "rand_core")]
impl<R: rand_core::Rng + ?Sized> Source for R {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        rand_core::Rng::next_u64(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Vigna's splitmix64.c from seed 0.
        let mut s = 0;
        assert_eq!(splitmix64(&mut s), 0xe220_a839_7b1d_cdaf);
        assert_eq!(splitmix64(&mut s), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(splitmix64(&mut s), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn xoshiro_reference_value() {
        // xoshiro256** from the state [1, 2, 3, 4]: the first outputs of the reference code.
        let mut r = Rng { s: [1, 2, 3, 4] };
        assert_eq!(r.next_u64(), 11_520);
        assert_eq!(r.next_u64(), 0);
        assert_eq!(r.next_u64(), 1_509_978_240);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = Rng::new(7);
        let mut seen = [0usize; 6];
        for _ in 0..6000 {
            seen[r.below(6)] += 1;
        }
        assert!(seen.iter().all(|&c| c > 850 && c < 1150), "{seen:?}");
    }

    #[test]
    fn uniform_and_normal_moments() {
        let mut r = Rng::new(1);
        let n = 100_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let z = r.normal();
            s += z;
            s2 += z * z;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(
            mean.abs() < 0.02 && (var - 1.0).abs() < 0.02,
            "{mean} {var}"
        );
        for _ in 0..1000 {
            let u = r.next_f64();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
