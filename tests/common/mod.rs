#![allow(
    clippy::type_complexity,
    clippy::too_many_arguments,
    clippy::neg_cmp_op_on_partial_ord
)]
//! Helpers shared by the numeric integration tests: tolerant comparisons that print both numbers,
//! central finite differences, a seeded generator for tangents and seeds, and a table-driven
//! checker for `#[differentiable]` wrappers (used by `tests/intrinsics.rs`).
//!
//! Each test binary uses a different subset of this module.
#![allow(dead_code)]

pub use std::hint::black_box as bb;

/// `|got - want| <= rel * max(|got|, |want|, floor)`, NaN fails. Panics with both numbers.
#[track_caller]
pub fn assert_close(got: f64, want: f64, rel: f64, floor: f64, what: &str) {
    let tol = rel * got.abs().max(want.abs()).max(floor);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:?}, want {want:?} (|diff| = {:e} > tol {tol:e})",
        (got - want).abs()
    );
}

/// Relative comparison without an absolute floor (both zero passes, anything else must agree).
#[track_caller]
pub fn assert_rel(got: f64, want: f64, rel: f64, what: &str) {
    assert_close(got, want, rel, 0.0, what);
}

/// Central finite difference of `f` at `x` in direction `v`:
/// `(f(x + h v) - f(x - h v)) / 2h` with `h = 1e-6 * max(1, |x|_inf)`.
///
/// Error budget (why callers use a relative tolerance of 1e-7): truncation is
/// `h^2/6 |f'''| <= 1.7e-13 s^2 |f'''|` and rounding (of `f` and of `x +- h v`) about
/// `eps |f| / h = 1.1e-10 |f| / s` (s = max(1, |x|)). At the test points, which stay well inside
/// each domain, `|f'''| s^2 <~ 1e3 |f'|`, so the total is <= ~1e-9 relative to
/// `max(|f'|, |f|/s)`: a 1e-7 tolerance has a ~100x margin, yet a wrong factor, sign or
/// partial derivative (an error of order 1) is caught.
pub fn central(f: &dyn Fn(&[f64]) -> f64, x: &[f64], v: &[f64]) -> f64 {
    let s = x.iter().fold(1.0f64, |m, a| m.max(a.abs()));
    let h = 1e-6 * s;
    let at = |sign: f64| -> f64 {
        let p: Vec<f64> = x.iter().zip(v).map(|(a, d)| a + sign * h * d).collect();
        f(bb(&p))
    };
    (at(1.0) - at(-1.0)) / (2.0 * h)
}

/// One-dimensional convenience form of [`central`].
pub fn central1(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    central(&|p: &[f64]| f(p[0]), &[x], &[1.0])
}

/// SplitMix64: seeded, reproducible "random-ish" tangents and seeds.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// Seed from a name, so every table row gets its own stream.
    pub fn named(name: &str) -> Self {
        Rng(name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        }))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// A tangent/seed component: magnitude in [0.5, 1.5), random sign (never tiny, never 1).
    pub fn tangent(&mut self) -> f64 {
        let m = self.range(0.5, 1.5);
        if self.next_u64() & 1 == 0 {
            m
        } else {
            -m
        }
    }
    pub fn tangents(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.tangent()).collect()
    }
}

/// Flattens the adjoint/gradient shapes of the contract (a lone value, or a tuple in parameter
/// order) into a `Vec<f64>` for table-driven checks.
pub trait Flat {
    fn flat(self) -> Vec<f64>;
}
impl Flat for f64 {
    fn flat(self) -> Vec<f64> {
        vec![self]
    }
}
impl Flat for f32 {
    fn flat(self) -> Vec<f64> {
        vec![self as f64]
    }
}
impl<T: Into<f64>> Flat for (T, T) {
    fn flat(self) -> Vec<f64> {
        vec![self.0.into(), self.1.into()]
    }
}
impl<T: Into<f64>> Flat for (T, T, T) {
    fn flat(self) -> Vec<f64> {
        vec![self.0.into(), self.1.into(), self.2.into()]
    }
}

/// Collects every failed comparison of a table-driven test and reports them all at once.
pub struct Checker {
    fails: Vec<String>,
    checks: usize,
}

impl Checker {
    pub fn new() -> Self {
        Checker {
            fails: Vec::new(),
            checks: 0,
        }
    }
    /// Records a failure unless `|got - want| <= tol` (NaN fails).
    pub fn close(&mut self, ctx: &str, what: &str, got: f64, want: f64, tol: f64) {
        self.checks += 1;
        if !((got - want).abs() <= tol) {
            self.fails.push(format!(
                "{ctx}: {what}: got {got:?}, want {want:?} (|diff| = {:e} > tol {tol:e})",
                (got - want).abs()
            ));
        }
    }
    /// Records a failure unless `got == want` exactly.
    pub fn exact(&mut self, ctx: &str, what: &str, got: f64, want: f64) {
        self.close(ctx, what, got, want, 0.0);
    }
    pub fn fail(&mut self, msg: String) {
        self.checks += 1;
        self.fails.push(msg);
    }
    #[track_caller]
    pub fn finish(self) {
        assert!(self.checks > 0, "no checks ran");
        assert!(
            self.fails.is_empty(),
            "{} of {} checks failed:\n  {}",
            self.fails.len(),
            self.checks,
            self.fails.join("\n  ")
        );
    }
}

/// The derivative entry points of one wrapper, adapted to slices of f64 (f32 wrappers convert
/// on the way in and out). `x` holds every primal argument; tangents, adjoints and gradients
/// hold the active ones only.
pub struct Ops {
    pub f: Box<dyn Fn(&[f64]) -> f64>,
    pub jvp: Box<dyn Fn(&[f64], &[f64]) -> (f64, f64)>,
    pub vjp: Box<dyn Fn(&[f64], f64) -> (f64, Vec<f64>)>,
    pub grad: Box<dyn Fn(&[f64]) -> (f64, Vec<f64>)>,
}

/// One intrinsic wrapper in f64 and f32; `active` lists the indices of the active parameters.
pub struct Case {
    pub name: &'static str,
    pub active: Vec<usize>,
    pub o64: Ops,
    pub o32: Ops,
}

/// Relative tolerances. f64: see [`central`] for the finite-difference budget; the dot-product
/// identity `c * (J v) == <c J^T, v>` only differs by the rounding of the final sums of the same
/// partials, so 1e-12 of the sum of |terms| has a ~1e3x margin.
///
/// f32 (eps = 1.2e-7): each partial comes from a few f32 roundings (<= ~8 ulps through
/// the rule, amplified by at most ~10 by cancellation at these points, e.g. `1/sqrt(x^2-1)` at
/// 1.1), so <= ~1e-5 relative; it is compared with an f64 finite difference of the same formula at
/// the same (f32-representable) point, so 1e-4 keeps a ~10x margin. Dot identity in f32: 1e-5
/// of the sum of |terms| (~10 roundings of 6e-8).
pub const FD_REL_F64: f64 = 1e-7;
pub const FD_REL_F32: f64 = 1e-4;
pub const DOT_REL_F64: f64 = 1e-12;
pub const DOT_REL_F32: f64 = 1e-5;

fn scatter(t: &[f64], active: &[usize], n: usize) -> Vec<f64> {
    let mut v = vec![0.0; n];
    for (k, &i) in active.iter().enumerate() {
        v[i] = t[k];
    }
    v
}

/// The full numeric check of one wrapper at each point, in f64 and in f32:
/// - values returned by jvp/vjp/grad equal the original function (to 4 ulps);
/// - jvp along each active axis and along a seeded random direction matches a central finite
///   difference of the f64 formula;
/// - vjp against jvp by the dot-product identity, with a seeded tangent and seed;
/// - grad equals vjp with seed 1 (to 4 ulps) and has one entry per active parameter.
pub fn check_case(c: &Case, points: &[Vec<f64>], k: &mut Checker) {
    let mut rng = Rng::named(c.name);
    let n = c.active.len();
    for p in points {
        for (prec, o) in [("f64", &c.o64), ("f32", &c.o32)] {
            let is64 = prec == "f64";
            // f32 runs at the f32-rounded point; the f64 finite difference uses that same point.
            let x: Vec<f64> = if is64 {
                p.clone()
            } else {
                p.iter().map(|&v| v as f32 as f64).collect()
            };
            let ctx = format!("{} [{prec}] at {x:?}", c.name);
            let (eps, fd_rel, dot_rel) = if is64 {
                (f64::EPSILON, FD_REL_F64, DOT_REL_F64)
            } else {
                (f32::EPSILON as f64, FD_REL_F32, DOT_REL_F32)
            };
            let fx = (o.f)(&x);
            let fx64 = (c.o64.f)(&x);
            let s = x.iter().fold(1.0f64, |m, a| m.max(a.abs()));
            let value_tol = 4.0 * eps * fx.abs();

            // jvp vs finite differences: the axes first, then a random direction.
            let mut fd_axes = Vec::new();
            for i in 0..=n {
                let t = if i < n {
                    scatter_unit(n, i)
                } else {
                    rng.tangents(n)
                };
                let (v, d) = (o.jvp)(&x, &t);
                k.close(&ctx, "jvp value vs f", v, fx, value_tol);
                let fd = central(&*c.o64.f, &x, &scatter(&t, &c.active, x.len()));
                let mut scale = d.abs().max(fd.abs()).max(fx64.abs() / s);
                if i < n {
                    fd_axes.push(fd);
                } else {
                    scale = scale.max(fd_axes.iter().zip(&t).map(|(g, t)| (g * t).abs()).sum());
                }
                k.close(
                    &ctx,
                    &format!("jvp vs FD along {t:?}"),
                    d,
                    fd,
                    fd_rel * scale,
                );
            }

            // vjp vs jvp: c * (J t) == <vjp(c), t>.
            let t = rng.tangents(n);
            let seed = rng.tangent();
            let (_, d) = (o.jvp)(&x, &t);
            let (vv, b) = (o.vjp)(&x, seed);
            k.close(&ctx, "vjp value vs f", vv, fx, value_tol);
            if b.len() != n {
                k.fail(format!(
                    "{ctx}: vjp returned {} adjoints, want {n}",
                    b.len()
                ));
                continue;
            }
            let lhs = seed * d;
            let rhs: f64 = b.iter().zip(&t).map(|(b, t)| b * t).sum();
            let scale = lhs.abs() + b.iter().zip(&t).map(|(b, t)| (b * t).abs()).sum::<f64>();
            k.close(
                &ctx,
                &format!("dot identity (t = {t:?}, seed = {seed})"),
                lhs,
                rhs,
                dot_rel * scale,
            );

            // grad == vjp(1).
            let (gv, g) = (o.grad)(&x);
            let (_, b1) = (o.vjp)(&x, 1.0);
            k.close(&ctx, "grad value vs f", gv, fx, value_tol);
            for (i, (gi, bi)) in g.iter().zip(&b1).enumerate() {
                k.close(
                    &ctx,
                    &format!("grad[{i}] vs vjp(seed 1)"),
                    *gi,
                    *bi,
                    4.0 * eps * bi.abs(),
                );
            }
        }
    }
}

/// Derivatives that must be exactly zero (floor, ceil, round, trunc, signum), at every point,
/// in f64 and f32; the values must still equal the original function.
pub fn check_zero_derivative(c: &Case, points: &[f64], k: &mut Checker) {
    for &x in points {
        for (prec, o) in [("f64", &c.o64), ("f32", &c.o32)] {
            let ctx = format!("{} [{prec}] at {x}", c.name);
            let fx = (o.f)(&[x]);
            let (v, d) = (o.jvp)(&[x], &[1.25]);
            k.exact(&ctx, "jvp value", v, fx);
            k.exact(&ctx, "jvp derivative", d, 0.0);
            let (v, b) = (o.vjp)(&[x], -0.75);
            k.exact(&ctx, "vjp value", v, fx);
            k.exact(&ctx, "vjp adjoint", b[0], 0.0);
            let (v, g) = (o.grad)(&[x]);
            k.exact(&ctx, "grad value", v, fx);
            k.exact(&ctx, "grad", g[0], 0.0);
        }
    }
}

fn scatter_unit(n: usize, i: usize) -> Vec<f64> {
    let mut v = vec![0.0; n];
    v[i] = 1.0;
    v
}

/// Points of one-argument functions as rows.
pub fn rows1(xs: &[f64]) -> Vec<Vec<f64>> {
    xs.iter().map(|&x| vec![x]).collect()
}

/// Points of N-argument functions as rows.
pub fn rows<const N: usize>(xs: &[[f64; N]]) -> Vec<Vec<f64>> {
    xs.iter().map(|r| r.to_vec()).collect()
}

/// Checks a two-active-parameter function's jvp, vjp and grad at `(x, y)` against a
/// hand-derived gradient `want` (relative tolerance `rel`, absolute floor `rel * floor`) and its
/// value against `value`.
#[allow(clippy::too_many_arguments)]
#[track_caller]
pub fn check2(
    what: &str,
    (x, y): (f64, f64),
    value: f64,
    want: (f64, f64),
    rel: f64,
    floor: f64,
    jvp: impl Fn(f64, f64, f64, f64) -> (f64, f64),
    vjp: impl Fn(f64, f64, f64) -> (f64, (f64, f64)),
    grad: impl Fn(f64, f64) -> (f64, (f64, f64)),
) {
    let ctx = |s: &str| format!("{what} at ({x}, {y}): {s}");
    let (v, (gx, gy)) = grad(bb(x), bb(y));
    assert_close(v, value, rel, floor, &ctx("grad value"));
    assert_close(gx, want.0, rel, floor, &ctx("grad d/dx"));
    assert_close(gy, want.1, rel, floor, &ctx("grad d/dy"));
    let (v, dx) = jvp(bb(x), bb(y), bb(1.0), bb(0.0));
    assert_close(v, value, rel, floor, &ctx("jvp value"));
    assert_close(dx, want.0, rel, floor, &ctx("jvp along x"));
    let (_, dy) = jvp(bb(x), bb(y), bb(0.0), bb(1.0));
    assert_close(dy, want.1, rel, floor, &ctx("jvp along y"));
    let (tx, ty) = (0.625, -1.375);
    let (_, d) = jvp(bb(x), bb(y), bb(tx), bb(ty));
    let dscale = (want.0 * tx).abs() + (want.1 * ty).abs();
    assert_close(
        d,
        want.0 * tx + want.1 * ty,
        rel,
        dscale.max(floor),
        &ctx("jvp along (0.625, -1.375)"),
    );
    let seed = -1.75;
    let (v, (bx, by)) = vjp(bb(x), bb(y), bb(seed));
    assert_close(v, value, rel, floor, &ctx("vjp value"));
    assert_close(
        bx,
        seed * want.0,
        rel,
        floor,
        &ctx("vjp x adjoint (seed -1.75)"),
    );
    assert_close(
        by,
        seed * want.1,
        rel,
        floor,
        &ctx("vjp y adjoint (seed -1.75)"),
    );
}

/// The one-active-parameter form of [`check2`].
#[track_caller]
pub fn check1(
    what: &str,
    x: f64,
    value: f64,
    want: f64,
    rel: f64,
    jvp: impl Fn(f64, f64) -> (f64, f64),
    vjp: impl Fn(f64, f64) -> (f64, f64),
    grad: impl Fn(f64) -> (f64, f64),
) {
    let ctx = |s: &str| format!("{what} at {x}: {s}");
    let (v, g) = grad(bb(x));
    assert_rel(v, value, rel, &ctx("grad value"));
    assert_rel(g, want, rel, &ctx("grad"));
    let (v, d) = jvp(bb(x), bb(0.8125));
    assert_rel(v, value, rel, &ctx("jvp value"));
    assert_rel(d, 0.8125 * want, rel, &ctx("jvp (tangent 0.8125)"));
    let (v, b) = vjp(bb(x), bb(-2.5));
    assert_rel(v, value, rel, &ctx("vjp value"));
    assert_rel(b, -2.5 * want, rel, &ctx("vjp (seed -2.5)"));
}

// ---------------------------------------------------------------------------------------------
// Helpers for functions of a vector of active values (tests/programs.rs).

/// The derivative entry points of a function whose active parameters are flattened into one
/// `&[f64]` (array and slice parameters adapted by the caller). `vjp` adds `seed * gradient`
/// into the buffer, like the generated code.
#[allow(clippy::type_complexity)]
pub struct VecOps<'a> {
    pub f: &'a dyn Fn(&[f64]) -> f64,
    pub jvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, f64),
    pub vjp: &'a dyn Fn(&[f64], f64, &mut [f64]) -> f64,
    pub grad: &'a dyn Fn(&[f64]) -> (f64, Vec<f64>),
}

/// `d` (a jvp along `v`) against the central finite difference of `f` along `v`, relative
/// tolerance `rel` of `max(|d|, |fd|, |f(x)| / max(1, |x|_inf))` (the last term bounds the
/// rounding of the difference quotient; see [`central`]).
#[track_caller]
pub fn assert_fd(what: &str, f: &dyn Fn(&[f64]) -> f64, x: &[f64], v: &[f64], d: f64, rel: f64) {
    let fd = central(f, x, v);
    let s = x.iter().fold(1.0f64, |m, a| m.max(a.abs()));
    assert_close(
        d,
        fd,
        rel,
        f(x).abs() / s,
        &format!("{what}: jvp vs central FD"),
    );
}

/// The dot-product identity `c * (J v) == <vjp(c), v>`, relative `rel` of
/// `|c J v| + sum_i |b_i v_i|` (both sides are sums of the same partial products, differing only
/// by rounding).
#[track_caller]
pub fn assert_dot(what: &str, c: f64, jv: f64, bar: &[f64], v: &[f64], rel: f64) {
    assert_eq!(bar.len(), v.len(), "{what}: adjoint length");
    let lhs = c * jv;
    let rhs: f64 = bar.iter().zip(v).map(|(b, t)| b * t).sum();
    let scale = lhs.abs() + bar.iter().zip(v).map(|(b, t)| (b * t).abs()).sum::<f64>();
    let tol = rel * scale;
    assert!(
        (lhs - rhs).abs() <= tol,
        "{what}: dot identity c*(Jv) = {lhs:?} vs <vjp(c), v> = {rhs:?} (|diff| {:e} > tol {tol:e})",
        (lhs - rhs).abs()
    );
}

/// Largest absolute entry (0 for an empty slice).
pub fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, a| m.max(a.abs()))
}

/// The generic check of a vector function at `x`:
/// - the values returned by jvp, vjp and grad equal `f(x)` exactly (same operations in the
///   same order, so the primal is bit-identical);
/// - jvp along `axes` (unit vectors) and `dirs` seeded random directions vs central finite
///   differences, relative `fd_rel`;
/// - the dot-product identity with a seeded random tangent and seed, relative `dot_rel`;
/// - vjp adds into its buffer (pre-filled with a known pattern);
/// - grad equals vjp with seed 1 to 4 ulps.
///
/// Returns the gradient.
#[allow(clippy::too_many_arguments)]
#[track_caller]
pub fn check_vec_ops(
    what: &str,
    o: &VecOps,
    x: &[f64],
    axes: &[usize],
    dirs: usize,
    rng: &mut Rng,
    fd_rel: f64,
    dot_rel: f64,
) -> Vec<f64> {
    let n = x.len();
    let fx = (o.f)(x);
    for &i in axes {
        let mut v = vec![0.0; n];
        v[i] = 1.0;
        let (val, d) = (o.jvp)(x, &v);
        assert_eq!(val, fx, "{what}: jvp value vs f");
        assert_fd(&format!("{what}: axis {i}"), o.f, x, &v, d, fd_rel);
    }
    for k in 0..dirs {
        let v = rng.tangents(n);
        let (val, d) = (o.jvp)(x, &v);
        assert_eq!(val, fx, "{what}: jvp value vs f");
        assert_fd(
            &format!("{what}: random direction {k}"),
            o.f,
            x,
            &v,
            d,
            fd_rel,
        );
    }
    let v = rng.tangents(n);
    let c = rng.tangent();
    let (_, jv) = (o.jvp)(x, &v);
    // Never 0, so an overwrite instead of an add is seen.
    let pre: Vec<f64> = (0..n).map(|i| 0.25 * (i % 7) as f64 - 0.625).collect();
    let mut bar = pre.clone();
    let val = (o.vjp)(x, c, &mut bar);
    assert_eq!(val, fx, "{what}: vjp value vs f");
    let added: Vec<f64> = bar.iter().zip(&pre).map(|(b, p)| b - p).collect();
    // The buffer held `pre`; what the call added is `bar - pre`. The generated code may add
    // partials one by one (`b[i] += p1; b[i] += p2`), each rounding at the running sum's
    // magnitude (up to the largest partial, which can exceed the entry under cancellation), so
    // compare with 1e-12 of the largest entry: an overwrite would be off by |pre[i]| >= 0.125.
    let mut fresh = vec![0.0; n];
    (o.vjp)(x, c, &mut fresh);
    let big = max_abs(&fresh) + 1.0;
    for i in 0..n {
        assert_close(
            added[i],
            fresh[i],
            1e-12,
            big,
            &format!("{what}: vjp adds into its buffer, entry {i}"),
        );
    }
    assert_dot(what, c, jv, &fresh, &v, dot_rel);
    let (gv, g) = (o.grad)(x);
    assert_eq!(gv, fx, "{what}: grad value vs f");
    assert_eq!(g.len(), n, "{what}: gradient length");
    let mut one = vec![0.0; n];
    (o.vjp)(x, 1.0, &mut one);
    for i in 0..n {
        assert_close(
            g[i],
            one[i],
            4.0 * f64::EPSILON,
            0.0,
            &format!("{what}: grad[{i}] vs vjp(1)"),
        );
    }
    g
}
