//! Defects the random programs found with structs and methods (each fixed, kept as a test).

use autodiff::{differentiable, Differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Rows {
    pub s: f64,
    pub w: [[f64; 3]; 2],
}

/// A row loop or chain whose body does not read the row: R iterations, not R * C.
#[differentiable(wrt(m))]
fn rows_unread(m: &Rows) -> f64 {
    let mut acc = m.w.iter().map(|_row| m.s).sum::<f64>();
    for _row in &m.w {
        acc += m.s;
    }
    acc
}

#[derive(Clone, Debug, Differentiable)]
pub struct In {
    pub a: f64,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Out {
    pub inner: In,
    pub s: f64,
}

/// Only a nested struct active: the float type is the nested struct's.
#[derive(Clone, Debug, Differentiable)]
pub struct OnlyNested {
    pub inner: In,
    #[passive]
    pub tag: u8,
}

#[differentiable(wrt(o))]
fn only_nested(o: &OnlyNested) -> f64 {
    o.inner.a * o.inner.a
}

#[differentiable(wrt(q, t))]
fn h_in(q: &In, t: f64) -> f64 {
    q.a * t
}

/// A struct part passed with another active argument.
#[differentiable(wrt(m, x))]
fn struct_arg_mixed(m: &Out, x: f64) -> f64 {
    h_in(&m.inner, m.s) * x
}

#[derive(Clone, Debug, Differentiable)]
pub struct B {
    pub s: f64,
    pub b: [f64; 3],
    #[passive]
    pub n: usize,
}

#[differentiable]
impl B {
    pub fn h(&self, t: f64) -> f64 {
        self.s * t
    }
}

#[differentiable]
fn sum2(v: &[f64]) -> f64 {
    v[0] + 2.0 * v[1]
}

/// A method called from a free function; a field's sub-slices to a helper.
#[differentiable(wrt(m))]
fn free_uses(m: &B) -> f64 {
    m.h(m.s) + sum2(&m.b[0..2]) + sum2(&m.b[1..]) + sum2(&m.b[..=1])
}

#[test]
fn struct_defects_found_by_random_programs() {
    let r = Rows {
        s: 1.0,
        w: [[0.0; 3]; 2],
    };
    let (v, g) = rows_unread::grad(&r);
    assert_eq!((v, g.s), (4.0, 4.0));

    let o = Out {
        inner: In { a: 2.0 },
        s: 3.0,
    };
    let (v, (g, gx)) = struct_arg_mixed::grad(&o, 0.5);
    assert_eq!((v, g.inner.a, g.s, gx), (3.0, 1.5, 1.0, 6.0));

    let on = OnlyNested {
        inner: In { a: 3.0 },
        tag: 1,
    };
    let (v, g) = only_nested::grad(&on);
    assert_eq!((v, g.inner.a, g.tag, OnlyNested::DIM), (9.0, 6.0, 1, 1));

    let b = B {
        s: 2.0,
        b: [1.0, 2.0, 3.0],
        n: 2,
    };
    let (v, g) = free_uses::grad(&b);
    assert_eq!(v, 4.0 + 5.0 + 8.0 + 5.0);
    assert_eq!((g.s, g.b, g.n), (4.0, [2.0, 2.0 + 1.0 + 2.0, 2.0], 2));
}

/// Two struct parameters of different types, the second with a passive field: its layout was
/// not asked of its derive (only the first unknown type was), so its passive field read as an
/// active one and the build stopped with the message for nested passive reads.
#[derive(Clone, Debug, Differentiable)]
pub struct First {
    pub a: f64,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Second {
    pub b: [f64; 2],
    #[passive]
    pub k: usize,
}

#[differentiable(wrt(f, s))]
fn two_types(f: &First, s: &Second) -> f64 {
    f.a * s.b[s.k]
}

#[test]
fn the_second_struct_types_passive_fields_are_known() {
    let (f, s) = (
        First { a: 2.0 },
        Second {
            b: [3.0, 5.0],
            k: 1,
        },
    );
    let (v, (gf, gs)) = two_types::grad(&f, &s);
    assert_eq!((v, gf.a, gs.b, gs.k), (10.0, 5.0, [0.0, 2.0], 1));
}
