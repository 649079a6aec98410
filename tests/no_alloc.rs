//! The generated jvp/vjp/grad allocate nothing: a counting global allocator (per thread, so the
//! test harness's own threads cannot interfere) sees zero allocations across the calls.
//! Everything is in one `#[test]` so no other test runs on this thread meanwhile.
use autodiff::differentiable;
use std::hint::black_box as bb;

mod alloc_counter;
use alloc_counter::allocations;

#[global_allocator]
static GLOBAL: alloc_counter::Counting = alloc_counter::Counting;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x - 1.0).powi(2) + 4.0 * (y + 1.0).powi(2) + x * y / 2.0
}

#[differentiable]
fn himmelblau(x: f64, y: f64) -> f64 {
    (x * x + y - 11.0).powi(2) + (x + y * y - 7.0).powi(2)
}

#[differentiable]
fn beale(x: f64, y: f64) -> f64 {
    (1.5 - x + x * y).powi(2)
        + (2.25 - x + x * y.powi(2)).powi(2)
        + (2.625 - x + x * y.powi(3)).powi(2)
}

#[differentiable]
fn heavy(x: f64, y: f64, z: f64) -> f64 {
    let a = x.sin() * y.exp() + y.atan2(z) + z.hypot(x).ln();
    let mut b = y.abs().powf(1.5).sqrt() + x.tanh().mul_add(z, 0.5);
    b *= x.max(z).clamp(-2.0, 2.0) + (x * x + 1.0).powi(-2);
    let c = f64::cosh(x / 4.0) + z.cbrt() + (y * y + 2.0).log(3.0) + x.to_degrees().to_radians();
    a * b - c / (1.0 + y.asinh().powi(2)) + x.floor()
}

#[differentiable]
fn heavy32(x: f32, y: f32) -> f32 {
    let a = x.sin() * y.exp() + y.atan2(x) + y.hypot(x).ln();
    a.mul_add(x.tanh(), y.max(x).sqrt()) / (1.0 + (x * y).powi(2))
}

/// Runs `$e` between two reads of this thread's allocation counter; records a failure if it
/// allocated. The result goes through `black_box` so the call cannot be optimised away.
macro_rules! no_alloc {
    ($fails:ident, $what:expr, $e:expr) => {{
        let before = allocations();
        let r = bb($e);
        let n = allocations() - before;
        if n != 0 {
            $fails.push(format!("{}: {} allocation(s)", $what, n));
        }
        r
    }};
}

#[test]
fn generated_derivatives_do_not_allocate() {
    // The counter works: a real allocation on this thread is seen.
    let before = allocations();
    let v = bb(vec![1.0f64; 16]);
    assert!(
        allocations() > before,
        "the counting allocator did not see a Vec allocation"
    );
    drop(v);

    // Warm up (lazy statics in std's math, if any, are not the generated code's doing), and
    // build the failure list before measuring.
    let mut fails: Vec<String> = Vec::with_capacity(64);
    let _ = bb(heavy::grad(bb(0.3), bb(0.7), bb(1.1)));
    let _ = bb(heavy32::grad(bb(0.3), bb(0.7)));

    let mut acc = 0.0f64;
    for &(x, y) in &[(3.0, 3.0), (-1.0, 2.0), (0.3, 0.7), (-2.805118, 3.131312)] {
        let (x, y) = (bb(x), bb(y));
        let z = bb(1.1 - y);
        let (v, d) = no_alloc!(fails, "f::jvp", f::jvp(x, y, bb(1.0), bb(0.5)));
        let (w, (a, b)) = no_alloc!(fails, "f::vjp", f::vjp(x, y, bb(2.0)));
        let (u, (c, e)) = no_alloc!(fails, "f::grad", f::grad(x, y));
        acc += v + d + w + a + b + u + c + e;
        let (v, d) = no_alloc!(
            fails,
            "himmelblau::jvp",
            himmelblau::jvp(x, y, bb(1.0), bb(0.5))
        );
        let (w, (a, b)) = no_alloc!(fails, "himmelblau::vjp", himmelblau::vjp(x, y, bb(2.0)));
        let (u, (c, e)) = no_alloc!(fails, "himmelblau::grad", himmelblau::grad(x, y));
        acc += v + d + w + a + b + u + c + e;
        let (v, d) = no_alloc!(fails, "beale::jvp", beale::jvp(x, y, bb(1.0), bb(0.5)));
        let (w, (a, b)) = no_alloc!(fails, "beale::vjp", beale::vjp(x, y, bb(2.0)));
        let (u, (c, e)) = no_alloc!(fails, "beale::grad", beale::grad(x, y));
        acc += v + d + w + a + b + u + c + e;
        let (v, d) = no_alloc!(
            fails,
            "heavy::jvp",
            heavy::jvp(x, y, z, bb(1.0), bb(0.5), bb(-0.25))
        );
        let (w, (a, b, c)) = no_alloc!(fails, "heavy::vjp", heavy::vjp(x, y, z, bb(2.0)));
        let (u, (e, g, h)) = no_alloc!(fails, "heavy::grad", heavy::grad(x, y, z));
        acc += v + d + w + a + b + c + u + e + g + h;
        let (x32, y32) = (bb(x as f32), bb(y as f32));
        let (v, d) = no_alloc!(
            fails,
            "heavy32::jvp",
            heavy32::jvp(x32, y32, bb(1.0), bb(0.5))
        );
        let (w, (a, b)) = no_alloc!(fails, "heavy32::vjp", heavy32::vjp(x32, y32, bb(2.0)));
        let (u, (c, e)) = no_alloc!(fails, "heavy32::grad", heavy32::grad(x32, y32));
        acc += (v + d + w + a + b + u + c + e) as f64;
    }
    bb(acc);
    // Sanity: the results are real numbers (a stub returning NaN or nothing would not count).
    assert!(acc.is_finite(), "derivative results are not finite: {acc}");
    assert!(
        fails.is_empty(),
        "generated code allocated:\n  {}",
        fails.join("\n  ")
    );
}
