//! The comparisons: one [`Program`] (closures around the macro's generated functions and the
//! generic twin) checked by a [`Checker`], which collects every failure and reports them all.
//!
//! Per program, with `x` the point, `v` a direction, `c` an output seed, the reference comes
//! from the twin on the test's own duals ([`RefDual`](crate::RefDual)), never from finite
//! differences:
//!
//! - the plain function equals the twin's value, and every generated function returns that
//!   value too;
//! - the Jacobian `J` (`n` forward passes): `jvp` must give `J v`, `grad` the row of a scalar
//!   result, `jacobian` all of it, `vjp` must add `c^T J` into the buffers it was given
//!   (pre-filled, to check accumulation), and `<v, J^T c> = <J v, c>` between `vjp` and `jvp`;
//! - second order on nested duals: `hvp` against `H v` (`n` passes), `hessian` against the
//!   dense `H` (`n^2` passes), `derivatives::<4>` against the second and third derivatives;
//! - `objective(..)`: its dimension, value, gradient and `hvp` against the same references;
//! - a function writing an output buffer: its initial contents `r0` are inputs of the
//!   reference too (passive in the function, which may read them), so `jvp` (given their
//!   tangent `vr0` in the output's tangent buffer) must give `J (v, vr0)`, `vjp` must leave their
//!   adjoint in the seed buffer, and the dot-product identity spans both.
//!
//! Tolerance: `|got - want| <= rel * max(|got|, |want|, FLOOR * scale)`, where `scale` is the
//! largest magnitude among the reference values of that kind, and at least 1 (so a component
//! that cancels to nearly zero is judged relative to its siblings, not to itself). `rel` is
//! 1e-10 for `f64` (the worst passing error is printed, ~1e-12) and 2e-3 for `f32`; second
//! and third derivatives get a 10x wider floor, and a 10x (`f64`) or 15x (`f32`) wider `rel` (see
//! `Run::close_second`). Both sides evaluate the same derivative in a different order, so they
//! agree to rounding only; a wrong rule, sign, branch or lost term is an error of order one.
//!
//! Where the reference of a second or third derivative cancels large terms, it is only as exact
//! as what survives the cancellation; its rounding noise is estimated by evaluating it again
//! along `3 v` (divided by 3; Hessian-vector products also along `7 v`, the larger of the two)
//! and a difference within ten times that passes too (counted and printed, see
//! `Run::close_second`).
//!
//! A program whose reference is not finite at its point (the generator left a domain) is
//! skipped and listed; more than 5% skipped fails the test.

use autodiff::Float;

use crate::{RefDual as Dual, D1, D2, D3};

/// Fraction of a kind's largest reference magnitude used as the absolute floor.
const FLOOR: f64 = 1e-3;

/// The plain function over flat inputs: point -> value(s).
pub type ValueFn<'a, F> = &'a dyn Fn(&[F]) -> Vec<F>;
/// `f::jvp`: (point, tangent) -> (value, directional derivative).
pub type JvpFn<'a, F> = &'a dyn Fn(&[F], &[F]) -> (Vec<F>, Vec<F>);
/// `f::vjp`: (point, output seed, initial buffer contents) -> (value, adjoints, adjoint of
/// the output buffer's initial contents).
pub type VjpFn<'a, F> = &'a dyn Fn(&[F], &[F], &[F]) -> (Vec<F>, Vec<F>, Vec<F>);
/// `f::grad`: point -> (value, gradient).
pub type GradFn<'a, F> = &'a dyn Fn(&[F]) -> (F, Vec<F>);
/// `f::hvp`: (point, direction) -> (value, gradient, H v).
pub type HvpFn<'a, F> = &'a dyn Fn(&[F], &[F]) -> (F, Vec<F>, Vec<F>);
/// `f::jacobian`: point -> (value, row-major Jacobian).
pub type JacobianFn<'a, F> = &'a dyn Fn(&[F]) -> (Vec<F>, Vec<F>);
/// `f::hessian`: point -> (value, gradient, row-major dense Hessian).
pub type HessianFn<'a, F> = &'a dyn Fn(&[F]) -> (F, Vec<F>, Vec<F>);
/// `f::derivatives::<4>` (one active scalar): point -> the value and derivatives 1 to 3.
pub type TaylorFn<'a, F> = &'a dyn Fn(&[F]) -> Vec<F>;
/// `f::objective(passive args..)` at (point, direction): see [`crate::objective_out`].
pub type ObjectiveFn<'a, F> = &'a dyn Fn(&[F], &[F]) -> crate::ObjectiveOut<F>;
/// The generic twin on scalars `S` over flat inputs.
pub type TwinFn<'a, S> = &'a dyn Fn(&[S]) -> Vec<S>;

/// One generated program, as closures over flat vectors of the active inputs (in parameter
/// order, arrays and slices element by element).
pub struct Program<'a, F> {
    /// Index of the program in the generated file.
    pub index: usize,
    /// The `#[differentiable]` source, printed on failure.
    pub src: &'a str,
    /// The point.
    pub x: &'a [F],
    /// A direction for `jvp` and `hvp`.
    pub v: &'a [F],
    /// An output seed for `vjp` (length 1 for scalar results).
    pub seed: &'a [F],
    /// The initial contents of the output buffer a function writes (empty without one):
    /// passive in the function, but read by it, so part of its linear map. The twin takes them
    /// after the active inputs.
    pub r0: &'a [F],
    /// Their tangent, which `jvp` takes in the output's tangent buffer.
    pub vr0: &'a [F],
    /// Which flat inputs get their adjoint added into a `&mut` buffer (arrays, slices).
    pub buffered: &'a [bool],
    /// The plain function.
    pub value: ValueFn<'a, F>,
    /// `f::jvp` given the point and the tangent (of the active inputs, then of `r0`):
    /// (value, tangent).
    pub jvp: JvpFn<'a, F>,
    /// `f::vjp` given the point, the seed and the initial buffer contents: (value, adjoints,
    /// adjoint of `r0`).
    pub vjp: VjpFn<'a, F>,
    /// `f::grad` (scalar results).
    pub grad: Option<GradFn<'a, F>>,
    /// `f::hvp` (scalar results): (value, gradient, H v).
    pub hvp: Option<HvpFn<'a, F>>,
    /// `f::jacobian` (array results): (value, row-major Jacobian).
    pub jacobian: Option<JacobianFn<'a, F>>,
    /// `f::hessian` (scalar results; active scalars only, or one array).
    pub hessian: Option<HessianFn<'a, F>>,
    /// `f::derivatives::<4>` (scalar results, one active scalar), with the twin on third-order
    /// duals for the reference third derivative.
    pub taylor: Option<(TaylorFn<'a, F>, TwinFn<'a, D3<F>>)>,
    /// `f::objective(..)` (scalar results).
    pub objective: Option<ObjectiveFn<'a, F>>,
    /// The generic twin on first-order duals (inputs: the active ones, then `r0`).
    pub dual1: TwinFn<'a, D1<F>>,
    /// The generic twin on nested duals.
    pub dual2: TwinFn<'a, D2<F>>,
}

/// Collects the results of many programs.
pub struct Checker {
    seed: u64,
    programs: usize,
    checks: usize,
    failures: Vec<String>,
    failed_programs: usize,
    /// Programs not compared because the reference (plain value, or the twin's derivatives)
    /// is not finite at the point: a generator slip out of a domain, reported, not hidden.
    skipped: Vec<usize>,
    /// Largest `|got - want| / max(|got|, |want|, floor)` seen in a passing comparison, f64 only
    /// (not counting those within the reference's rounding noise).
    worst: f64,
    /// Components that passed only within the reference's rounding noise (see
    /// `Run::close_second`).
    noisy: usize,
}

/// The failures of one program, with its context.
struct Run<'c, 'p, F> {
    ck: &'c mut Checker,
    p: &'p Program<'p, F>,
    rel: f64,
    /// The fraction of the largest reference magnitude used as absolute floor: [`FLOOR`], or
    /// ten times that for second and third derivatives.
    floor: f64,
    /// Per component, the reference's own rounding noise for the comparison at hand (empty:
    /// none): see [`Run::close_second`].
    noise: Vec<f64>,
    errors: Vec<String>,
}

/// How many times the reference's estimated rounding noise a second or third derivative may be
/// off (the estimate is one sample of that noise).
const NOISE: f64 = 10.0;

impl<F: Float> Run<'_, '_, F> {
    /// [`Run::close`] for second and third derivatives, which gather more rounding: a third
    /// derivative that is exactly 0 comes out as `1e-13` from one side. Their absolute floor is
    /// 10x wider (1e-12 in `f64` for values of order one). In `f32` they also suffer
    /// single-precision cancellation between large first-order terms (`(e - s) + s` with a
    /// large `s''`), which neither side can avoid, so their relative tolerance is 15x wider
    /// there (3e-2). Both stay far from the order-one error of a wrong rule.
    ///
    /// Where the reference cancels large terms (a third derivative of order 10 from terms of
    /// order 1e10, seed 52), both sides keep only the bits that survive; `noise` is the
    /// reference's own rounding noise, estimated by evaluating it again along `3 v` and dividing
    /// by 3 (exact arithmetic gives the same, rounding does not), and a difference within
    /// [`NOISE`] times that passes too.
    fn close_second(&mut self, what: &str, got: &[F], want: &[F], noise: &[F]) {
        self.noise = (want.iter().zip(noise))
            .map(|(a, b)| (a.to_f64() - b.to_f64()).abs())
            .collect();
        let (rel, floor) = (self.rel, self.floor);
        if core::mem::size_of::<F>() == 4 {
            self.rel *= 15.0;
        } else {
            // In f64, nested duals and Taylor jets through chains of transcendental functions
            // (atan2 of sinh, tanh near saturation) differ by up to ~6e-10 relative in second
            // and third derivatives (seed 52): 1e-9, still far from a wrong rule's error.
            self.rel *= 10.0;
        }
        self.floor *= 10.0;
        self.close(what, got, want);
        (self.rel, self.floor) = (rel, floor);
        self.noise.clear();
    }

    /// Compares two vectors of one kind of result.
    fn close(&mut self, what: &str, got: &[F], want: &[F]) {
        self.ck.checks += 1;
        if got.len() != want.len() {
            self.errors.push(format!(
                "{what}: length {} vs expected {}",
                got.len(),
                want.len()
            ));
            return;
        }
        let scale = want.iter().fold(1.0f64, |m, w| m.max(w.to_f64().abs()));
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let (g, w) = (g.to_f64(), w.to_f64());
            let denom = g
                .abs()
                .max(w.abs())
                .max(self.floor * scale)
                .max(f64::MIN_POSITIVE);
            let err = (g - w).abs() / denom;
            let noisy = self
                .noise
                .get(i)
                .is_some_and(|&e| (g - w).abs() <= NOISE * e);
            if err > self.rel && noisy {
                self.ck.noisy += 1;
            } else if err <= self.rel {
                if core::mem::size_of::<F>() == 8 {
                    self.ck.worst = self.ck.worst.max(err);
                }
            } else {
                self.errors.push(format!(
                    "{what}[{i}]: got {g:e}, want {w:e} (rel err {err:.1e})"
                ));
            }
        }
    }
}

impl Checker {
    /// A checker for the programs generated from `seed`.
    pub fn new(seed: u64) -> Self {
        Checker {
            seed,
            programs: 0,
            checks: 0,
            failures: Vec::new(),
            failed_programs: 0,
            skipped: Vec::new(),
            worst: 0.0,
            noisy: 0,
        }
    }

    /// Checks one program with relative tolerance `rel`.
    pub fn run<F: Float>(&mut self, p: &Program<F>, rel: f64) {
        self.programs += 1;
        let mut r = Run {
            ck: self,
            p,
            rel,
            floor: FLOOR,
            noise: Vec::new(),
            errors: Vec::new(),
        };
        if !r.all() {
            self.skipped.push(p.index);
            return;
        }
        let errors = std::mem::take(&mut r.errors);
        if !errors.is_empty() {
            self.failed_programs += 1;
            self.failures.push(format!(
                "program {} (seed {:#x}):\n  {}\n{}",
                p.index,
                self.seed,
                errors.join("\n  "),
                p.src
            ));
        }
    }

    /// Prints the summary line and panics if any program failed.
    pub fn finish(self) {
        for f in &self.failures {
            eprintln!("{f}\n");
        }
        println!(
            "randprog: seed {:#x}: {} programs, {} comparisons, {} programs failed, {} skipped \
             (reference not finite: {:?}); worst passing f64 relative error {:.1e}; {} second- \
             or third-order components within the reference's own rounding noise only",
            self.seed,
            self.programs,
            self.checks,
            self.failed_programs,
            self.skipped.len(),
            self.skipped,
            self.worst,
            self.noisy
        );
        assert!(
            self.failures.is_empty(),
            "{} of {} random programs disagree with the dual-number evaluation (seed {:#x}); \
             rerun with RANDPROG_SEED={} to reproduce",
            self.failed_programs,
            self.programs,
            self.seed,
            self.seed
        );
        assert!(
            self.skipped.len() * 20 <= self.programs,
            "more than 5% of the programs leave their domain at the evaluation point; \
             the generator needs tighter domains"
        );
    }
}

impl<F: Float> Run<'_, '_, F> {
    /// All comparisons; `false` (nothing compared) if the reference is not finite.
    fn all(&mut self) -> bool {
        let p = self.p;
        let (n, m, n0) = (p.x.len(), p.seed.len(), p.r0.len());
        let nz = n + n0;
        let plain = (p.value)(p.x);
        // Reference Jacobian over the active inputs and `r0` (m x nz, row-major) and the
        // directional derivative, from forward passes on duals.
        let z: Vec<F> = p.x.iter().chain(p.r0).copied().collect();
        let zv: Vec<F> = p.v.iter().chain(p.vr0).copied().collect();
        let mut jac_z = vec![F::zero(); m * nz];
        let mut val = Vec::new();
        for k in 0..nz {
            let zd: Vec<D1<F>> = (0..nz)
                .map(|j| Dual::new(z[j], if j == k { F::one() } else { F::zero() }))
                .collect();
            let out = (p.dual1)(&zd);
            val = out.iter().map(|d| d.re).collect();
            for (r, d) in out.iter().enumerate() {
                jac_z[r * nz + k] = d.eps;
            }
        }
        let jac: Vec<F> = (0..m * n).map(|i| jac_z[(i / n) * nz + i % n]).collect();
        let finite = |v: &[F]| v.iter().all(|a| a.to_f64().is_finite());
        if !finite(&plain) || !finite(&jac_z) {
            return false;
        }
        self.close("twin value vs plain", &val, &plain);
        let zd: Vec<D1<F>> = (0..nz).map(|j| Dual::new(z[j], zv[j])).collect();
        let jv: Vec<F> = (p.dual1)(&zd).iter().map(|d| d.eps).collect();

        let (y, t) = (p.jvp)(p.x, &zv);
        self.close("jvp value", &y, &plain);
        self.close("jvp tangent", &t, &jv);

        let prefill: Vec<F> = p
            .buffered
            .iter()
            .map(|&b| F::from_f64(if b { 0.5 } else { 0.0 }))
            .collect();
        let (y, bar, rbar) = (p.vjp)(p.x, p.seed, &prefill);
        self.close("vjp value", &y, &plain);
        let adjoint = |k: usize| (0..m).fold(F::zero(), |s, r| s + p.seed[r] * jac_z[r * nz + k]);
        let want: Vec<F> = (0..n).map(adjoint).collect();
        let got: Vec<F> = bar.iter().zip(&prefill).map(|(&b, &q)| b - q).collect();
        self.close("vjp adjoint (minus prefill)", &got, &want);
        let want_r0: Vec<F> = (n..nz).map(adjoint).collect();
        self.close(
            "vjp adjoint of the output buffer's initial contents",
            &rbar,
            &want_r0,
        );
        let dot = |a: &[F], b: &[F]| a.iter().zip(b).fold(F::zero(), |s, (&a, &b)| s + a * b);
        let lhs = dot(&got, p.v) + dot(&rbar, p.vr0);
        let rhs = dot(&t, p.seed);
        self.close(
            "dot-product identity <v, J^T c> vs <J v, c>",
            &[lhs],
            &[rhs],
        );

        if let Some(grad) = p.grad {
            let (y, g) = grad(p.x);
            self.close("grad value", &[y], &plain);
            self.close("grad", &g, &jac);
        }
        let second = p.hvp.is_some() || p.objective.is_some();
        // Two samples of the reference's noise (along `3 v` and `7 v`): one alone can round the
        // way `v` does and hide it (a product minus a large sum plus the sum again, seed 3).
        let hv_ref = second
            .then(|| {
                let hv = self.hv_reference(1.0)?;
                let (hv3, hv7) = (self.hv_reference(3.0)?, self.hv_reference(7.0)?);
                let noisier = (hv.iter().zip(hv3.iter().zip(&hv7)))
                    .map(|(w, (a, b))| {
                        let far = |x: &F| (x.to_f64() - w.to_f64()).abs();
                        if far(a) >= far(b) {
                            *a
                        } else {
                            *b
                        }
                    })
                    .collect::<Vec<F>>();
                Some((hv, noisier))
            })
            .flatten();
        if let (Some(hvp), Some((hv_ref, hv3))) = (p.hvp, &hv_ref) {
            let (y, gh, hv) = hvp(p.x, p.v);
            self.close("hvp value", &[y], &plain);
            self.close("hvp gradient", &gh, &jac);
            self.close_second("hvp H v", &hv, hv_ref, hv3);
        }
        if let Some(objective) = p.objective {
            self.objective(objective, &plain, &jac, hv_ref.as_ref());
        }
        if let Some(hessian) = p.hessian {
            self.hessian(hessian, &plain, &jac);
        }
        if let Some((taylor, dual3)) = p.taylor {
            self.taylor(taylor, dual3, &plain, &jac);
        }
        if let Some(jacobian) = p.jacobian {
            let (y, j) = jacobian(p.x);
            self.close("jacobian value", &y, &plain);
            self.close("jacobian", &j, &jac);
        }
        true
    }

    /// `hvp` against `n` passes on nested duals: inner direction `v`, outer unit vectors.
    /// `H v` from `n` passes on nested duals (inner direction `v`, outer unit vectors); `None`
    /// where the twin says the function is not twice differentiable (not finite).
    /// Along `s v`, divided by `s` (for the noise estimate of [`Run::close_second`]).
    fn hv_reference(&self, s: f64) -> Option<Vec<F>> {
        let p = self.p;
        let (n, s) = (p.x.len(), F::from_f64(s));
        let hv_ref: Vec<F> = (0..n)
            .map(|k| {
                let xd: Vec<D2<F>> = (0..n)
                    .map(|j| {
                        let e = if j == k { F::one() } else { F::zero() };
                        Dual::new(Dual::new(p.x[j], p.v[j] * s), Dual::new(e, F::zero()))
                    })
                    .collect();
                (p.dual2)(&xd)[0].eps.eps / s
            })
            .collect();
        hv_ref
            .iter()
            .all(|a| a.to_f64().is_finite())
            .then_some(hv_ref)
    }

    /// `f::objective(..)`: dimension, value, gradient (written, not added), `H v`.
    fn objective(
        &mut self,
        o: ObjectiveFn<'_, F>,
        plain: &[F],
        g: &[F],
        hv_ref: Option<&(Vec<F>, Vec<F>)>,
    ) {
        let out = o(self.p.x, self.p.v);
        self.ck.checks += 1;
        if out.dim != self.p.x.len() {
            let n = self.p.x.len();
            self.errors
                .push(format!("objective dim: {} instead of {n}", out.dim));
        }
        self.close("objective value", &[out.value], plain);
        self.close("objective value_grad value", &[out.value_grad.0], plain);
        self.close("objective value_grad gradient", &out.value_grad.1, g);
        match (out.hvp, hv_ref) {
            (Ok((y, gh, hv)), Some((hv_ref, hv3))) => {
                self.close("objective hvp value", &[y], plain);
                self.close("objective hvp gradient", &gh, g);
                self.close_second("objective hvp H v", &hv, hv_ref, hv3);
            }
            (Ok(_), None) => {}
            (Err(e), _) => self.errors.push(format!("objective hvp: {e}")),
        }
    }

    /// The reference Hessian: `n^2` passes on nested duals (inner `e_j`, outer `e_k`).
    fn hessian(&mut self, hessian: HessianFn<'_, F>, plain: &[F], g: &[F]) {
        let p = self.p;
        let n = p.x.len();
        // Inner seeds `s` (divided out again): `s = 3` for the noise estimate.
        let h_ref = |s: f64| {
            let s = F::from_f64(s);
            let unit = |j: usize, k: usize| if j == k { s } else { F::zero() };
            let mut h_ref = vec![F::zero(); n * n];
            for j in 0..n {
                for k in 0..n {
                    let xd: Vec<D2<F>> = (0..n)
                        .map(|i| {
                            Dual::new(
                                Dual::new(p.x[i], unit(i, j)),
                                Dual::new(unit(i, k) / s, F::zero()),
                            )
                        })
                        .collect();
                    h_ref[j * n + k] = (p.dual2)(&xd)[0].eps.eps / s;
                }
            }
            h_ref
        };
        let (h1, h3) = (h_ref(1.0), h_ref(3.0));
        if !h1.iter().chain(&h3).all(|a| a.to_f64().is_finite()) {
            return;
        }
        let (y, gh, h) = hessian(p.x);
        self.close("hessian value", &[y], plain);
        self.close("hessian gradient", &gh, g);
        self.close_second("hessian", &h, &h1, &h3);
    }

    /// `derivatives::<4>` against the value, the Jacobian, and the second and third
    /// derivatives from nested duals that perturb the one input at every level.
    fn taylor(&mut self, taylor: TaylorFn<'_, F>, dual3: TwinFn<'_, D3<F>>, plain: &[F], g: &[F]) {
        let x = self.p.x[0];
        let (z, p) = (F::zero(), self.p);
        // Seeds `s` at every level (divided out again): `s = 3` for the noise estimate.
        let d23 = |s: f64| {
            let s = F::from_f64(s);
            let var1 = Dual::new(x, s);
            let var2 = Dual::new(var1, Dual::new(s, z));
            let var3 = Dual::new(var2, Dual::new(Dual::new(s, z), Dual::new(z, z)));
            let d2 = (p.dual2)(&[var2])[0].eps.eps / (s * s);
            let d3 = (dual3)(&[var3])[0].eps.eps.eps / (s * s * s);
            (d2, d3)
        };
        let ((d2, d3), (e2, e3)) = (d23(1.0), d23(3.0));
        if ![d2, d3, e2, e3].iter().all(|a| a.to_f64().is_finite()) {
            return;
        }
        let got = taylor(self.p.x);
        self.close("derivatives::<4> value", &got[..1], plain);
        self.close("derivatives::<4> order 1", &got[1..2], g);
        self.close_second("derivatives::<4> order 2", &got[2..3], &[d2], &[e2]);
        self.close_second("derivatives::<4> order 3", &got[3..], &[d3], &[e3]);
    }
}
