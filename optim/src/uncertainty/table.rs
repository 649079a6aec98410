//! [`Table`]: HESSE results printed with the parameters' names.

use core::fmt;

use super::Uncertainties;
use crate::Float;

/// The parameters' values and errors, then the correlation matrix, each row labelled: what
/// [`Uncertainties::table`] returns, for printing (`{}`). Values print with `{:.*}` precision
/// when given (`{:.4}`), else 6 significant decimals.
///
/// ```
/// use optim::hesse;
/// let h = [4.0, 2.0, 2.0, 2.0]; // the Hessian [[4, 2], [2, 2]], row-major
/// let u = hesse(&h, 2, 1.0).unwrap();
/// let text = format!("{:.3}", u.table(&[0.5, -1.25], &["slope", "offset"]));
/// assert!(text.contains("slope"));
/// assert!(text.contains("-1.250 ± 1.414"));
/// assert!(text.contains("-0.707")); // the correlation of slope and offset
/// ```
pub struct Table<'a, F, S> {
    u: &'a Uncertainties<F>,
    values: &'a [F],
    names: &'a [S],
}

impl<F: Float> Uncertainties<F> {
    /// The values `values` (the minimum) with their errors and the correlations, labelled by
    /// `names` (for a parameter struct, `T::names()`: `w1[3][2]`, `inner.a`), for printing.
    ///
    /// # Panics
    /// If `values` or `names` is not `dim` long.
    ///
    /// ```
    /// use optim::hesse;
    /// let u = hesse(&[2.0], 1, 1.0).unwrap();
    /// let text = u.table(&[3.0], &["a"]).to_string();
    /// assert!(text.starts_with("parameter"));
    /// assert!(text.contains("a ") && text.contains("3.000000 ± 1.000000"));
    /// ```
    pub fn table<'a, S: AsRef<str>>(&'a self, values: &'a [F], names: &'a [S]) -> Table<'a, F, S> {
        assert!(
            values.len() == self.dim && names.len() == self.dim,
            "`table`: {} values and {} names for {} parameters",
            values.len(),
            names.len(),
            self.dim
        );
        Table {
            u: self,
            values,
            names,
        }
    }
}

impl<F: Float, S: AsRef<str>> fmt::Display for Table<'_, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = f.precision().unwrap_or(6);
        let w = self
            .names
            .iter()
            .map(|n| n.as_ref().chars().count())
            .max()
            .unwrap_or(0)
            .max("parameter".len());
        writeln!(f, "{:<w$}  value ± error", "parameter")?;
        for (i, n) in self.names.iter().enumerate() {
            let (v, e) = (self.values[i].to_f64(), self.u.errors[i].to_f64());
            writeln!(f, "{:<w$}  {v:.p$} ± {e:.p$}", n.as_ref())?;
        }
        writeln!(f, "correlations:")?;
        let cw = p + 4;
        write!(f, "{:<w$}", "")?;
        for n in self.names {
            write!(f, "  {:>cw$}", n.as_ref())?;
        }
        writeln!(f)?;
        for (i, n) in self.names.iter().enumerate() {
            write!(f, "{:<w$}", n.as_ref())?;
            for j in 0..self.u.dim {
                write!(f, "  {:>cw$.p$}", self.u.corr(i, j).to_f64())?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
