//! Sparsity detection: [`Tracer`], a scalar that runs the generated generic code and records
//! which inputs each value depends on, and how (linearly or not).
//!
//! `Scalar` values are `Copy`, so a tracer cannot own its index sets. It holds its primal value
//! and the id of a node in a thread-local graph instead; each operation that mixes dependent
//! values appends one node (its operands and whether it is linear, a product, a quotient or a
//! nonlinear function). Operations with one dependent operand and a linear effect (`x + c`,
//! `-x`, `c * x`, `x.abs()`) reuse the operand's node, and constants have no node, so the graph
//! of Rosenbrock holds about 3 nodes per term. Once the function returns, the graph is walked
//! once: gradient index sets forward, and for the Hessian the pairs each nonlinear node adds
//! (`x * y`: grad(x) × grad(y); `sin(x)`: grad(x) × grad(x); `x / y`: grad(x) × grad(y) and
//! grad(y) × grad(y); two-argument functions: all pairs of the union), keeping only the nodes the
//! output depends on. This is the local "global tracer" of SparseConnectivityTracer.jl, with the
//! graph instead of per-value sets.
//!
//! Values follow the point: comparisons and branches in the traced code use the primal value
//! (through [`Scalar::base`]), so the pattern is the one of the branch the point takes.
//! `floor`, `ceil`, `round`, `trunc` and `signum` have derivative zero and return constants;
//! `abs` is linear (its second derivative is zero away from 0). Take the union over several
//! points ([`SparsityPattern::union`]) for a pattern valid in every branch they visit.

use core::cell::RefCell;
use core::fmt;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};
use std::thread_local;
use std::vec::Vec;

use super::pattern::SparsityPattern;
use crate::{FastMath, Float, Scalar};

/// No node: a constant.
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
enum Node {
    /// Input `i`.
    Input(u32),
    /// A linear combination of two dependent values.
    Linear(u32, u32),
    /// A nonlinear function of one value (also `x * x`).
    Unary(u32),
    /// A product: the pairs grad(a) × grad(b).
    Mul(u32, u32),
    /// A quotient `a / b`: grad(a) × grad(b) and grad(b) × grad(b).
    Div(u32, u32),
    /// A nonlinear function of two values (`atan2`, `hypot`, `powf`, `log`).
    Binary(u32, u32),
}

impl Node {
    fn parents(self) -> [u32; 2] {
        match self {
            Node::Input(_) => [NONE, NONE],
            Node::Unary(a) => [a, NONE],
            Node::Linear(a, b) | Node::Mul(a, b) | Node::Div(a, b) | Node::Binary(a, b) => [a, b],
        }
    }
}

struct Graph {
    /// Counts detections on this thread, so that a tracer from another one is caught.
    session: u32,
    active: bool,
    nodes: Vec<Node>,
}

thread_local! {
    static GRAPH: RefCell<Graph> = const {
        RefCell::new(Graph { session: 0, active: false, nodes: Vec::new() })
    };
}

/// A scalar that records dependencies: what [`hessian_pattern`] and [`jacobian_pattern`] run the
/// function on. It carries the primal value, so the code takes the branches the point takes.
///
/// Only meaningful inside those functions (a tracer made elsewhere is a constant).
///
/// ```
/// use autodiff_runtime::sparse::{hessian_pattern, Tracer};
/// use autodiff_runtime::Scalar;
///
/// // x0 * x1 + sin(x2): the Hessian couples x0 with x1, and x2 with itself.
/// let p = hessian_pattern(&[1.0, 2.0, 3.0], |x: &[Tracer]| x[0] * x[1] + x[2].sin());
/// assert_eq!(p.entries().collect::<Vec<_>>(), [(1, 0), (0, 1), (2, 2)]);
/// ```
#[derive(Clone, Copy)]
pub struct Tracer<F = f64> {
    value: F,
    node: u32,
    session: u32,
}

impl<F: Float> Tracer<F> {
    /// The primal value.
    ///
    /// ```
    /// use autodiff_runtime::sparse::Tracer;
    /// use autodiff_runtime::Scalar;
    /// assert_eq!(Tracer::<f64>::cst(2.5).value(), 2.5);
    /// ```
    #[inline]
    pub fn value(self) -> F {
        self.value
    }

    /// Whether the value depends on an input.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{hessian_pattern, Tracer};
    /// use autodiff_runtime::Scalar;
    /// hessian_pattern(&[1.0], |x: &[Tracer]| {
    ///     assert!(x[0].is_dependent());
    ///     assert!(!x[0].floor().is_dependent()); // derivative zero
    ///     x[0]
    /// });
    /// ```
    #[inline]
    pub fn is_dependent(self) -> bool {
        self.node != NONE
    }

    #[inline]
    fn constant(value: F) -> Self {
        Tracer {
            value,
            node: NONE,
            session: 0,
        }
    }

    /// A result of `value` that depends on `self` the way `self` does (a linear map).
    #[inline]
    fn same(self, value: F) -> Self {
        Tracer { value, ..self }
    }

    fn session_of(a: Self, b: Self) -> u32 {
        if a.node != NONE {
            a.session
        } else {
            b.session
        }
    }

    /// Appends `node` (made from the operands' ids) and returns a tracer for it.
    fn record(value: F, a: Self, b: Self, node: impl FnOnce(u32, u32) -> Node) -> Self {
        let session = Self::session_of(a, b);
        let id = GRAPH.with(|g| {
            let mut g = g.borrow_mut();
            assert!(
                g.active && g.session == session
                    && (a.node == NONE || a.session == session)
                    && (b.node == NONE || b.session == session),
                "`Tracer`: a value from another sparsity detection (tracers only live inside `hessian_pattern`/`jacobian_pattern`)"
            );
            let id = u32::try_from(g.nodes.len()).ok().filter(|&i| i != NONE);
            let id = id.expect("`Tracer`: more than 2^32 - 1 operations in one detection");
            g.nodes.push(node(a.node, b.node));
            id
        });
        Tracer {
            value,
            node: id,
            session,
        }
    }

    /// A linear combination of `a` and `b`.
    #[inline]
    fn linear(value: F, a: Self, b: Self) -> Self {
        if b.node == NONE || b.node == a.node {
            a.same(value)
        } else if a.node == NONE {
            b.same(value)
        } else {
            Self::record(value, a, b, Node::Linear)
        }
    }

    /// A nonlinear function of `self`.
    #[inline]
    fn unary(self, value: F) -> Self {
        if self.node == NONE {
            Self::constant(value)
        } else {
            Self::record(value, self, Self::constant(value), |a, _| Node::Unary(a))
        }
    }

    /// A nonlinear function of both.
    #[inline]
    fn binary(value: F, a: Self, b: Self) -> Self {
        if b.node == NONE || b.node == a.node {
            a.unary(value)
        } else if a.node == NONE {
            b.unary(value)
        } else {
            Self::record(value, a, b, Node::Binary)
        }
    }
}

impl<F: Float> fmt::Debug for Tracer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.node == NONE {
            write!(f, "Tracer({:?}, constant)", self.value)
        } else {
            write!(f, "Tracer({:?}, node {})", self.value, self.node)
        }
    }
}

impl<F: Float> Default for Tracer<F> {
    fn default() -> Self {
        Self::constant(F::zero())
    }
}

/// Compares the values (as the traced code's comparisons do).
impl<F: Float> PartialEq for Tracer<F> {
    fn eq(&self, o: &Self) -> bool {
        self.value == o.value
    }
}

impl<F: Float> Add for Tracer<F> {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        Self::linear(self.value + o.value, self, o)
    }
}

impl<F: Float> Sub for Tracer<F> {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Self::linear(self.value - o.value, self, o)
    }
}

impl<F: Float> Mul for Tracer<F> {
    type Output = Self;
    #[inline]
    fn mul(self, o: Self) -> Self {
        let v = self.value * o.value;
        if o.node == NONE {
            self.same(v)
        } else if self.node == NONE {
            o.same(v)
        } else if self.node == o.node {
            self.unary(v)
        } else {
            Self::record(v, self, o, Node::Mul)
        }
    }
}

impl<F: Float> Div for Tracer<F> {
    type Output = Self;
    #[inline]
    fn div(self, o: Self) -> Self {
        let v = self.value / o.value;
        if o.node == NONE {
            self.same(v)
        } else if self.node == NONE || self.node == o.node {
            o.unary(v)
        } else {
            Self::record(v, self, o, Node::Div)
        }
    }
}

impl<F: Float> Neg for Tracer<F> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.same(-self.value)
    }
}

macro_rules! assign_ops {
    ($($tr:ident $m:ident $op:tt),*) => {$(
        impl<F: Float> $tr for Tracer<F> {
            #[inline]
            fn $m(&mut self, o: Self) {
                *self = *self $op o;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

macro_rules! nonlinear {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> Self {
            self.unary(self.value.$name())
        }
    )*};
}

macro_rules! constant {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> Self {
            Self::constant(self.value.$name())
        }
    )*};
}

/// Nonlinear in the argument, as `tanh`.
impl<F: Float> FastMath for Tracer<F> {
    #[inline]
    fn tanh_fast(self) -> Self {
        self.unary(self.value.tanh_fast())
    }
    #[inline]
    fn tanh_fast_with_derivative(self) -> (Self, Self) {
        let (t, d) = self.value.tanh_fast_with_derivative();
        (self.unary(t), self.unary(d))
    }
}

impl<F: Float> Scalar for Tracer<F> {
    type Base = F;

    #[inline]
    fn cst(b: F) -> Self {
        Self::constant(b)
    }
    #[inline]
    fn base(self) -> F {
        self.value
    }
    #[inline]
    fn scale(self, k: F) -> Self {
        self.same(self.value * k)
    }
    #[inline]
    fn add_base(self, k: F) -> Self {
        self.same(self.value + k)
    }
    #[inline]
    fn sub_from_base(self, k: F) -> Self {
        self.same(k - self.value)
    }
    #[inline]
    fn div_base(self, k: F) -> Self {
        self.same(self.value / k)
    }

    nonlinear!(
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2, exp_m1,
        ln, log2, log10, ln_1p, sqrt, cbrt
    );
    constant!(floor, ceil, round, trunc, signum);

    #[inline]
    fn abs(self) -> Self {
        self.same(self.value.abs())
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        match n {
            0 => Self::constant(self.value.powi(0)),
            1 => self,
            _ => self.unary(self.value.powi(n)),
        }
    }
    #[inline]
    fn powf(self, p: Self) -> Self {
        let v = self.value.powf(p.value);
        if p.node == NONE && p.value == F::zero() {
            Self::constant(v)
        } else if p.node == NONE && p.value == F::one() {
            self.same(v)
        } else {
            Self::binary(v, self, p)
        }
    }
    #[inline]
    fn atan2(self, x: Self) -> Self {
        Self::binary(self.value.atan2(x.value), self, x)
    }
    #[inline]
    fn hypot(self, o: Self) -> Self {
        Self::binary(self.value.hypot(o.value), self, o)
    }
    #[inline]
    fn log(self, base: Self) -> Self {
        Self::binary(self.value.log(base.value), self, base)
    }
    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        let p = self * a;
        Self::linear(self.value.mul_add(a.value, b.value), p, b)
    }
}

/// Runs `f` with a fresh graph on this thread and inputs `x` as tracers; returns the graph
/// and this detection's session number.
fn trace<F: Float, R>(x: &[F], f: impl FnOnce(&[Tracer<F>]) -> R) -> (R, Vec<Node>, u32) {
    let n = u32::try_from(x.len()).expect("`Tracer`: more than 2^32 - 1 inputs");
    // Puts the previous graph back (a detection may run inside another), even if `f` panics.
    struct Restore(Vec<Node>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            GRAPH.with(|g| {
                let mut g = g.borrow_mut();
                g.nodes = core::mem::take(&mut self.0);
                g.active = self.1;
                g.session = g.session.wrapping_add(1).max(1);
            });
        }
    }
    let (restore, session) = GRAPH.with(|g| {
        let mut g = g.borrow_mut();
        g.session = g.session.wrapping_add(1).max(1);
        let old = core::mem::replace(&mut g.nodes, (0..n).map(Node::Input).collect());
        let restore = Restore(old, g.active);
        g.active = true;
        (restore, g.session)
    });
    let inputs: Vec<Tracer<F>> = x
        .iter()
        .zip(0..n)
        .map(|(&value, node)| Tracer {
            value,
            node,
            session,
        })
        .collect();
    let r = f(&inputs);
    let nodes = GRAPH.with(|g| core::mem::take(&mut g.borrow_mut().nodes));
    drop(restore);
    (r, nodes, session)
}

/// The node of a result, checked to come from this detection.
fn output_node<F: Float>(t: &Tracer<F>, session: u32) -> u32 {
    assert!(
        t.node == NONE || t.session == session,
        "`Tracer`: the result comes from another sparsity detection"
    );
    t.node
}

/// Sorted union of two sorted sets.
fn union_into(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            core::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            core::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            core::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// `a ∪= b` for sorted sets, merging from the back: linear in `b` and in the elements of `a`
/// above `b`'s smallest, so a running sum over increasing indices costs linear time overall.
fn merge_into(a: &mut Vec<u32>, b: &[u32]) {
    if b.is_empty() {
        return;
    }
    let (mut i, mut j) = (a.len(), b.len());
    a.resize(i + j, 0);
    let mut w = a.len();
    while j > 0 {
        if i > 0 && a[i - 1] >= b[j - 1] {
            let equal = a[i - 1] == b[j - 1];
            w -= 1;
            a[w] = a[i - 1];
            i -= 1;
            if equal {
                j -= 1;
            }
        } else {
            w -= 1;
            a[w] = b[j - 1];
            j -= 1;
        }
    }
    // `w - i` slots were left by repeats: close the gap.
    if w > i {
        a.copy_within(w.., i);
        let len = a.len() - (w - i);
        a.truncate(len);
    }
}

/// Gradient index sets, forward, of the nodes whose sets are needed: the `wanted` ones
/// (`want_sets`) and the operands of every nonlinear node the `wanted` ones depend on, with
/// what those depend on. `visit` sees each such nonlinear node with its operands' sets. A
/// running sum that only feeds the output never gets a set. A set is merged in place into the
/// node that uses it last.
fn gradient_sets(
    nodes: &[Node],
    wanted: &[u32],
    want_sets: bool,
    mut visit: impl FnMut(Node, &[u32], &[u32]),
) -> Vec<Vec<u32>> {
    let len = nodes.len();
    let mut live = std::vec![false; len];
    let mut need = std::vec![false; len];
    for &w in wanted.iter().filter(|&&w| w != NONE) {
        live[w as usize] = true;
        need[w as usize] = want_sets;
    }
    // Last read of each set (`usize::MAX`: a wanted one).
    let mut last = std::vec![0usize; len];
    for &w in wanted.iter().filter(|&&w| w != NONE) {
        last[w as usize] = usize::MAX;
    }
    for k in (0..len).rev() {
        if !live[k] {
            continue;
        }
        let node = nodes[k];
        let nonlinear = !matches!(node, Node::Input(_) | Node::Linear(..));
        for p in node.parents() {
            if p != NONE {
                let p = p as usize;
                live[p] = true;
                if need[k] || nonlinear {
                    need[p] = true;
                }
                if (need[k] || nonlinear) && last[p] < k {
                    last[p] = k;
                }
            }
        }
    }
    let mut sets: Vec<Vec<u32>> = (0..len).map(|_| Vec::new()).collect();
    for k in 0..len {
        if !live[k] {
            continue;
        }
        let node = nodes[k];
        let [a, b] = node.parents();
        if !matches!(node, Node::Input(_) | Node::Linear(..)) {
            let sa: &[u32] = if a == NONE { &[] } else { &sets[a as usize] };
            let sb: &[u32] = if b == NONE { &[] } else { &sets[b as usize] };
            visit(node, sa, sb);
        }
        if !need[k] {
            continue;
        }
        let set = match node {
            Node::Input(i) => std::vec![i],
            _ => {
                let owned = |p: u32| p != NONE && last[p as usize] == k;
                let (big, small) = match (a, b) {
                    (a, b) if b == NONE => (a, b),
                    (a, b) if a == NONE => (b, a),
                    (a, b) if sets[a as usize].len() >= sets[b as usize].len() => (a, b),
                    (a, b) => (b, a),
                };
                let mut set = if owned(big) {
                    core::mem::take(&mut sets[big as usize])
                } else {
                    sets[big as usize].clone()
                };
                if small != NONE {
                    merge_into(&mut set, &sets[small as usize]);
                }
                set
            }
        };
        for p in [a, b] {
            if p != NONE && last[p as usize] == k {
                sets[p as usize] = Vec::new(); // its last use
            }
        }
        sets[k] = set;
    }
    sets
}

/// The sparsity pattern of the Hessian of `f` at `x` (symmetric, both triangles, with the
/// diagonal entries that are structurally nonzero).
///
/// `f` is the function's generic code run on tracers (for a `#[differentiable]` function the
/// generated `f::sparse_hessian_pattern` does this). Branches follow `x`: the pattern is exact
/// at `x`; take a [`SparsityPattern::union`] over several points if the function branches.
///
/// ```
/// use autodiff_runtime::sparse::{hessian_pattern, Tracer};
///
/// // Rosenbrock: a tridiagonal Hessian.
/// let rosen = |x: &[Tracer]| {
///     let mut s = Tracer::default();
///     for i in 0..x.len() - 1 {
///         let a = x[i + 1] - x[i] * x[i];
///         let b = Tracer::from(1.0) - x[i];
///         s += Tracer::from(100.0) * a * a + b * b;
///     }
///     s
/// };
/// let p = hessian_pattern(&[0.5; 5], rosen);
/// assert_eq!(p.nnz(), 5 + 2 * 4);
/// assert!(p.contains(3, 2) && p.contains(2, 3) && !p.contains(3, 1));
/// ```
pub fn hessian_pattern<F: Float>(
    x: &[F],
    f: impl FnOnce(&[Tracer<F>]) -> Tracer<F>,
) -> SparsityPattern {
    let n = x.len();
    let (out, nodes, session) = trace(x, f);
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut dedup_at = 1usize << 16;
    let mut cross = |pairs: &mut Vec<(u32, u32)>, a: &[u32], b: &[u32]| {
        for &i in a {
            for &j in b {
                pairs.push((i.max(j), i.min(j)));
            }
        }
        if pairs.len() > dedup_at {
            pairs.sort_unstable();
            pairs.dedup();
            dedup_at = dedup_at.max(2 * pairs.len());
        }
    };
    let wanted = output_node(&out, session);
    gradient_sets(&nodes, &[wanted], false, |node, sa, sb| match node {
        Node::Unary(_) => cross(&mut pairs, sa, sa),
        Node::Mul(..) => cross(&mut pairs, sa, sb),
        Node::Div(..) => {
            cross(&mut pairs, sa, sb);
            cross(&mut pairs, sb, sb);
        }
        Node::Binary(..) => {
            let mut u = Vec::new();
            union_into(sa, sb, &mut u);
            cross(&mut pairs, &u, &u);
        }
        Node::Input(_) | Node::Linear(..) => {}
    });
    let mut entries: Vec<(usize, usize)> = Vec::with_capacity(2 * pairs.len());
    for &(i, j) in &pairs {
        entries.push((i as usize, j as usize));
        if i != j {
            entries.push((j as usize, i as usize));
        }
    }
    SparsityPattern::from_entries(n, n, entries)
}

/// The sparsity pattern of the Jacobian (`m × n`, `[output][input]`) of `f` at `x`: `f`
/// writes its `m` outputs into the buffer it is given (initially constant zeros).
///
/// ```
/// use autodiff_runtime::sparse::{jacobian_pattern, Tracer};
///
/// // Differences of neighbours: a bidiagonal Jacobian.
/// let p = jacobian_pattern(&[1.0, 2.0, 4.0], 2, |x: &[Tracer], r: &mut [Tracer]| {
///     for i in 0..2 {
///         r[i] = x[i + 1] - x[i];
///     }
/// });
/// assert_eq!(p.entries().collect::<Vec<_>>(), [(0, 0), (0, 1), (1, 1), (1, 2)]);
/// ```
pub fn jacobian_pattern<F: Float>(
    x: &[F],
    m: usize,
    f: impl FnOnce(&[Tracer<F>], &mut [Tracer<F>]),
) -> SparsityPattern {
    let n = x.len();
    let (outs, nodes, session) = trace(x, |xs| {
        let mut out = std::vec![Tracer::default(); m];
        f(xs, &mut out);
        out
    });
    let wanted: Vec<u32> = outs.iter().map(|o| output_node(o, session)).collect();
    let sets = gradient_sets(&nodes, &wanted, true, |_, _, _| {});
    let mut entries = Vec::new();
    for (r, &w) in wanted.iter().enumerate() {
        if w != NONE {
            entries.extend(sets[w as usize].iter().map(|&c| (r, c as usize)));
        }
    }
    SparsityPattern::from_entries(m, n, entries)
}

impl<F: Float> From<F> for Tracer<F> {
    /// A constant.
    ///
    /// ```
    /// use autodiff_runtime::sparse::Tracer;
    /// let c = Tracer::from(2.0);
    /// assert!(!c.is_dependent());
    /// ```
    fn from(v: F) -> Self {
        Self::constant(v)
    }
}

#[cfg(test)]
mod tests {
    use super::{merge_into, union_into};
    use std::vec::Vec;

    #[test]
    fn merge_in_place_equals_union() {
        let mut s = 12345u64;
        let mut next = |m: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % m) as u32
        };
        for _ in 0..500 {
            let mut a: Vec<u32> = (0..next(12)).map(|_| next(30)).collect();
            let mut b: Vec<u32> = (0..next(12)).map(|_| next(30)).collect();
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            b.dedup();
            let mut u = Vec::new();
            union_into(&a, &b, &mut u);
            merge_into(&mut a, &b);
            assert_eq!(a, u);
        }
    }
}
