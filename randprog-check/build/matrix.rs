//! Matrices: local `[[f; C]; R]` (written element by element, `=` and `+=`), reads `m[i][j]` of
//! locals and of matrix parameters, and loops bounded by `m.len()` / `m[i].len()`. Rows passed
//! to helpers are `Gen::slice_arg` (`MatrixRowArg`), rows iterated are `build/iters.rs`.

use crate::construct::Construct;
use crate::gen::{both, lit_code, Code, Gen, IVar, MVar};

impl Gen<'_> {
    /// `let mut m = [[0.0; C]; R];`
    pub fn local_matrix(&mut self) -> Code {
        let name = self.fresh("m");
        let (rows, cols) = (self.rng.range(2, 4), self.rng.range(2, 4));
        self.scope.mats.push(MVar {
            name: name.clone(),
            rows,
            cols,
            mutable: true,
            active: false,
            plain: false,
            typed: false,
        });
        let decl = both!("let mut {name} = [[{}; {cols}]; {rows}];", lit_code(0.0));
        if self.loops > 0 || !self.rng.chance(0.6) {
            return decl;
        }
        // Filled element by element, as a stencil or a Jacobian would be.
        let (i, j) = (self.fresh("i"), self.fresh("j"));
        let assign = self.rng.chance(0.5);
        self.used(if assign {
            Construct::MatrixWrite
        } else {
            Construct::MatrixAddAssign
        });
        let e = self.nested(|g| {
            g.scope.ints.push(IVar {
                name: i.clone(),
                hi: rows,
            });
            g.scope.ints.push(IVar {
                name: j.clone(),
                hi: cols,
            });
            g.expr(2)
        });
        if let Some(m) = self.scope.mats.last_mut() {
            m.active |= e.active;
            m.typed |= e.typed;
        }
        let op = if assign { "=" } else { "+=" };
        let (ind, at) = (self.indent(), format!("{name}[{i}][{j}]"));
        let head = format!(
            "\n{ind}for {i} in 0..{rows} {{\n{ind}    for {j} in 0..{cols} {{\n{ind}        "
        );
        let tail = format!("\n{ind}    }}\n{ind}}}");
        let mut out = decl;
        out.push(&Code::same(head));
        out.push(
            &Code::same(format!("{at} {op} {};", e.f))
                .twin(format!("{{ let __rhs = {}; {at} {op} __rhs; }}", e.g)),
        );
        out.push(&Code::same(tail));
        out
    }

    /// A read `m[i][j]` of a matrix in scope.
    pub fn matrix_element(&mut self) -> Code {
        let m = self.rng.pick(&self.scope.mats).clone();
        let (i, j) = (self.index_for(m.rows), self.index_for(m.cols));
        Code::same(format!("{}[{i}][{j}]", m.name)).with(m.active, m.typed)
    }

    /// `m[i][j] = e;` or `m[i][j] += e;` on a local matrix (the twin evaluates the right side
    /// first, as for arrays).
    pub fn matrix_write(&mut self, assign: bool, d: u32) -> Code {
        let mats: Vec<MVar> = (self.scope.mats.iter())
            .filter(|m| m.mutable)
            .cloned()
            .collect();
        let m = self.rng.pick(&mats).clone();
        let (i, j) = (self.index_for(m.rows), self.index_for(m.cols));
        let e = if self.loops > 0 {
            self.bounded(d, 1.5)
        } else {
            self.expr(d)
        };
        if let Some(v) = self.scope.mats.iter_mut().rev().find(|v| v.name == m.name) {
            v.active |= e.active;
            v.typed |= e.typed;
        }
        let op = if assign { "=" } else { "+=" };
        let at = format!("{}[{i}][{j}]", m.name);
        Code::same(format!("{at} {op} {};", e.f))
            .twin(format!("{{ let __rhs = {}; {at} {op} __rhs; }}", e.g))
            .with(e.active, true)
    }

    /// The bound of a loop over a matrix's rows (`m.len()`) or over a row (`m[i].len()`), and
    /// the counter's range.
    pub fn matrix_len_bound(&mut self) -> (String, usize) {
        let m = self.rng.pick(&self.scope.mats).clone();
        if self.rng.chance(0.5) {
            (format!("{}.len()", m.name), m.rows)
        } else {
            let i = self.index_for(m.rows);
            (format!("{}[{i}].len()", m.name), m.cols)
        }
    }
}
