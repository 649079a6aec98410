//! SplitMix64, written out here instead of depending on `rand`: a build script must produce the
//! same programs for the same seed on every machine and toolchain, forever, and the workspace
//! should not gain a dependency for twenty lines.

/// A seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A generator of its own derived from this one's state, which it leaves as it is: for
    /// draws added later that must not shift the programs the others draw.
    pub fn fork(&self, salt: u64) -> Rng {
        let mut r = Rng(self.0 ^ salt);
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (exclusive), `lo < hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.range(0, xs.len())]
    }

    /// A "nice" literal in `[lo, hi]` with two decimals (readable sources, exact in the text).
    pub fn lit(&mut self, lo: f64, hi: f64) -> f64 {
        let v = lo + (hi - lo) * self.unit();
        (v * 100.0).round() / 100.0
    }

    /// A program input: `|x|` in `[0.2, 1.5]`, either sign, three decimals.
    pub fn input(&mut self) -> f64 {
        let v = 0.2 + 1.3 * self.unit();
        let v = (v * 1000.0).round() / 1000.0;
        if self.chance(0.5) {
            -v
        } else {
            v
        }
    }

    /// Index into `weights` chosen with probability proportional to the weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut k = (self.next_u64() % total as u64) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if k < w {
                return i;
            }
            k -= w;
        }
        unreachable!("weights sum to {total}")
    }
}
