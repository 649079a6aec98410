//! Colourings that let a few matrix-vector products recover a sparse matrix: a star colouring
//! of a symmetric pattern (Hessians, from `H s` products) and a column colouring (Jacobians,
//! from `J s` products).
//!
//! Both are greedy in the natural order (Gebremedhin, Manne and Pothen, "What color is your
//! Jacobian? Graph coloring for computing derivatives", SIAM Review 2005). Columns of one colour
//! are summed into one seed vector `s_c` (ones on the colour's columns), so `p` colours cost `p`
//! products.

use alloc::vec::Vec;

use super::pattern::SparsityPattern;
use super::SparseError;

const NONE: usize = usize::MAX;

/// A colour per column: columns of one colour share one product.
///
/// ```
/// use autodiff_runtime::sparse::{star_coloring, SparsityPattern};
/// // Tridiagonal 6 × 6: three colours, whatever the size.
/// let p = SparsityPattern::from_entries(6, 6, (0..6usize).flat_map(|i| {
///     [(i, i), (i, i.saturating_sub(1)), (i.saturating_sub(1), i)]
/// }));
/// let c = star_coloring(&p).unwrap();
/// assert_eq!(c.count(), 3);
/// assert_eq!(c.colors(), [0, 1, 0, 2, 0, 1]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coloring {
    colors: Vec<usize>,
    count: usize,
}

impl Coloring {
    /// The colour of each column (`0..count()`).
    ///
    /// ```
    /// use autodiff_runtime::sparse::{column_coloring, SparsityPattern};
    /// let c = column_coloring(&SparsityPattern::from_entries(1, 2, [(0, 0), (0, 1)]));
    /// assert_eq!(c.colors(), [0, 1]); // both columns touch row 0
    /// ```
    pub fn colors(&self) -> &[usize] {
        &self.colors
    }

    /// Number of colours: the number of products a recovery costs.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{column_coloring, SparsityPattern};
    /// let diagonal = SparsityPattern::from_entries(3, 3, [(0, 0), (1, 1), (2, 2)]);
    /// assert_eq!(column_coloring(&diagonal).count(), 1);
    /// ```
    pub fn count(&self) -> usize {
        self.count
    }

    /// Writes the seed of colour `c` into `s`: one on the columns of colour `c`, zero elsewhere.
    ///
    /// # Panics
    /// If `s` does not have one entry per column.
    ///
    /// ```
    /// use autodiff_runtime::sparse::{column_coloring, SparsityPattern};
    /// let c = column_coloring(&SparsityPattern::from_entries(1, 3, [(0, 0), (0, 1)]));
    /// let mut s = [0.0; 3];
    /// c.seed(0, &mut s);
    /// assert_eq!(s, [1.0, 0.0, 1.0]);
    /// ```
    pub fn seed<F: crate::Float>(&self, c: usize, s: &mut [F]) {
        assert_eq!(
            s.len(),
            self.colors.len(),
            "`Coloring::seed`: one entry per column"
        );
        for (si, &ci) in s.iter_mut().zip(&self.colors) {
            *si = if ci == c { F::one() } else { F::zero() };
        }
    }

    fn from_colors(colors: Vec<usize>) -> Self {
        let count = colors.iter().map(|&c| c + 1).max().unwrap_or(0);
        Coloring { colors, count }
    }
}

/// Smallest colour not marked with `stamp`.
fn first_free(forbidden: &mut Vec<usize>, stamp: usize) -> usize {
    match forbidden.iter().position(|&s| s != stamp) {
        Some(c) => c,
        None => {
            forbidden.push(NONE);
            forbidden.len() - 1
        }
    }
}

fn forbid(forbidden: &mut Vec<usize>, c: usize, stamp: usize) {
    if c >= forbidden.len() {
        forbidden.resize(c + 1, NONE);
    }
    forbidden[c] = stamp;
}

/// A star colouring of a symmetric pattern (a Hessian's): a distance-1 colouring in which every
/// path on four vertices uses at least three colours. Then each entry `H[i][j]` is read
/// directly from one compressed product: `(H s_c(j))[i]` if `j` is the only column of its colour
/// in row `i`, else `(H s_c(i))[j]` (one of the two holds: the two-coloured subgraphs are
/// stars). A tridiagonal pattern takes 3 colours, an arrowhead 2, a diagonal 1.
///
/// Greedy: each vertex gets the smallest colour that no already-coloured neighbour has and that
/// would not close a two-coloured path on four vertices, with the vertex at its end or inside.
///
/// # Errors
/// [`SparseError::NotSymmetric`] if the pattern is not square and symmetric.
///
/// ```
/// use autodiff_runtime::sparse::{star_coloring, SparsityPattern};
/// // Arrowhead: x0 coupled with everything, a diagonal otherwise.
/// let n = 5;
/// let p = SparsityPattern::from_entries(n, n, (0..n).flat_map(|i| [(i, i), (0, i), (i, 0)]));
/// assert_eq!(star_coloring(&p).unwrap().count(), 2);
/// ```
pub fn star_coloring(pattern: &SparsityPattern) -> Result<Coloring, SparseError> {
    if !pattern.is_symmetric() {
        return Err(SparseError::NotSymmetric);
    }
    let n = pattern.ncols();
    // Neighbours: the column without its diagonal entry (rows = columns by symmetry).
    let adj: Vec<&[usize]> = (0..n).map(|j| pattern.column(j)).collect();
    let mut color = alloc::vec![NONE; n];
    let mut forbidden: Vec<usize> = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for v in 0..n {
        let nb = || adj[v].iter().copied().filter(move |&w| w != v);
        // Distance 1, and how often each colour occurs around v.
        for w in nb() {
            if color[w] != NONE {
                forbid(&mut forbidden, color[w], v);
                let c = color[w];
                if c >= seen.len() {
                    seen.resize(c + 1, 0);
                }
                seen[c] += 1;
            }
        }
        for w in nb() {
            let cw = color[w];
            if cw == NONE {
                continue;
            }
            // v at the end of v - w - x - y with c(y) = c(w): v must not take c(x).
            for &x in adj[w] {
                if x == v || x == w || color[x] == NONE {
                    continue;
                }
                if adj[x].iter().any(|&y| y != w && y != x && color[y] == cw) {
                    forbid(&mut forbidden, color[x], v);
                }
            }
            // v inside w' - v - w - y with c(w') = c(w): v must not take c(y).
            if seen[cw] >= 2 {
                for &y in adj[w] {
                    if y != v && y != w && color[y] != NONE {
                        forbid(&mut forbidden, color[y], v);
                    }
                }
            }
        }
        for w in nb() {
            if color[w] != NONE {
                seen[color[w]] = 0;
            }
        }
        color[v] = first_free(&mut forbidden, v);
    }
    Ok(Coloring::from_colors(color))
}

/// A column colouring of a (Jacobian's) pattern: two columns with an entry in the same row get
/// different colours, so `J[i][j] = (J s_c(j))[i]`. A banded pattern of bandwidth `b` takes
/// `b` colours.
///
/// ```
/// use autodiff_runtime::sparse::{column_coloring, SparsityPattern};
/// // Rows i touch columns i and i + 1: two colours.
/// let p = SparsityPattern::from_entries(4, 5, (0..4).flat_map(|i| [(i, i), (i, i + 1)]));
/// assert_eq!(column_coloring(&p).colors(), [0, 1, 0, 1, 0]);
/// ```
pub fn column_coloring(pattern: &SparsityPattern) -> Coloring {
    let rows = pattern.transpose();
    let n = pattern.ncols();
    let mut color = alloc::vec![NONE; n];
    let mut forbidden: Vec<usize> = Vec::new();
    for j in 0..n {
        for &i in pattern.column(j) {
            for &k in rows.column(i) {
                if k != j && color[k] != NONE {
                    forbid(&mut forbidden, color[k], j);
                }
            }
        }
        color[j] = first_free(&mut forbidden, j);
    }
    Coloring::from_colors(color)
}
