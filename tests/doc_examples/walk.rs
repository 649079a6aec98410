//! What a crate exposes: the items reachable from its root through public modules and
//! re-exports (followed across the workspace's crates), and the ones without a doc example.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::parse::{Entry, Krate};

/// Walks what a crate exposes and collects the public items without a doc example.
struct Walk<'a> {
    crates: &'a HashMap<&'static str, Krate>,
    /// Items without an example by (crate, module, name), with the first path they were met at.
    missing: BTreeMap<(String, Vec<String>, String), String>,
    seen: BTreeSet<(String, Vec<String>)>,
}

/// An item a path resolves to.
enum Target<'a> {
    /// `covered`: a re-export on the way has its own doc example.
    Item {
        krate: &'static str,
        module: Vec<String>,
        entry: &'a Entry,
        covered: bool,
    },
    /// A crate root (`pub use optim;`).
    Crate(&'static str),
    /// Outside the workspace (`core`, ...): not checked here.
    External,
}

impl<'a> Walk<'a> {
    /// Visits public module `path` of crate `krate`, shown to users as `shown`.
    fn module(&mut self, krate: &'static str, path: &[String], shown: &str) {
        if !self.seen.insert((krate.to_owned(), path.to_vec())) {
            return;
        }
        let module = &self.crates[krate].modules[path];
        for e in module.items.iter().filter(|e| e.public && !e.hidden) {
            self.check(krate, path, e, &format!("{shown}::{}", e.name), false);
        }
        for u in module.uses.iter().filter(|u| u.public) {
            let targets = self.resolve(krate, path, &u.path, 0);
            for t in targets {
                match t {
                    Target::Item {
                        krate: k,
                        module: m,
                        entry,
                        covered,
                    } => {
                        let name = if u.alias == "*" {
                            &entry.name
                        } else {
                            &u.alias
                        };
                        if !entry.hidden {
                            let covered = covered || u.example;
                            self.check(k, &m, entry, &format!("{shown}::{name}"), covered);
                        }
                    }
                    Target::Crate(k) => self.module(k, &[], k),
                    Target::External => {}
                }
            }
        }
    }

    /// Checks one reachable item (and walks it if it is a module or a type).
    fn check(
        &mut self,
        krate: &'static str,
        module: &[String],
        e: &Entry,
        shown: &str,
        covered: bool,
    ) {
        if !(covered || e.example) {
            let key = (
                krate.to_owned(),
                module.to_vec(),
                format!("{} {}", e.kind, e.name),
            );
            self.missing
                .entry(key)
                .or_insert_with(|| format!("{} {shown}", e.kind));
        }
        if e.kind == "mod" {
            let mut child = module.to_vec();
            child.push(e.name.clone());
            self.module(krate, &child, shown);
        } else if matches!(e.kind, "struct" | "enum" | "trait" | "type" | "union") {
            self.methods(krate, module, &e.name, shown);
        }
    }

    /// The public methods of a type's inherent impls: in its module or naming it unambiguously.
    fn methods(&mut self, krate: &'static str, module: &[String], ty: &str, shown: &str) {
        if !self
            .seen
            .insert((format!("{krate} impl"), [module, &[ty.to_owned()]].concat()))
        {
            return;
        }
        let defined_once = self.crates[krate]
            .modules
            .values()
            .flat_map(|m| &m.items)
            .filter(|e| e.name == ty)
            .count()
            == 1;
        for (path, m) in &self.crates[krate].modules {
            if !(path == module || defined_once) {
                continue;
            }
            for (_, methods) in m.impls.iter().filter(|(name, _)| name == ty) {
                for f in methods
                    .iter()
                    .filter(|f| f.public && !f.hidden && !f.example)
                {
                    let key = (krate.to_owned(), path.clone(), format!("{ty}::{}", f.name));
                    self.missing
                        .entry(key)
                        .or_insert_with(|| format!("{} {shown}::{}", f.kind, f.name));
                }
            }
        }
    }

    /// What `path`, written in module `from` of `krate`, names.
    fn resolve(
        &self,
        krate: &'static str,
        from: &[String],
        path: &[String],
        depth: usize,
    ) -> Vec<Target<'a>> {
        assert!(
            depth < 32,
            "re-export cycle at {krate}::{}",
            path.join("::")
        );
        let (mut krate, mut module) = (krate, from.to_vec());
        let mut rest = path;
        match path[0].as_str() {
            "crate" => (module, rest) = (Vec::new(), &path[1..]),
            "self" => rest = &path[1..],
            "super" => {
                module.pop();
                rest = &path[1..];
            }
            first if path.len() == 1 && self.crates.contains_key(first) => {
                return vec![Target::Crate(self.crates.get_key_value(first).unwrap().0)];
            }
            first => {
                let local = &self.crates[krate].modules[&module];
                let here = local.items.iter().any(|e| e.name == first)
                    || local.uses.iter().any(|u| u.alias == first);
                if !here {
                    match self.crates.get_key_value(first) {
                        Some((k, _)) => (krate, module, rest) = (*k, Vec::new(), &path[1..]),
                        None => return vec![Target::External],
                    }
                }
            }
        }
        let Some((last, init)) = rest.split_last() else {
            return vec![Target::Crate(krate)];
        };
        for seg in init {
            let m = &self.crates[krate].modules[&module];
            if m.items.iter().any(|e| e.kind == "mod" && e.name == *seg) {
                module.push(seg.clone());
            } else if let Some(u) = m.uses.iter().find(|u| u.alias == *seg) {
                let rest: Vec<String> = [&u.path[..], &rest[rest.len() - 1..]].concat();
                return self.resolve(krate, &module, &rest, depth + 1);
            } else {
                return vec![Target::External];
            }
        }
        let crates: &'a HashMap<&'static str, Krate> = self.crates;
        let m = &crates[krate].modules[&module];
        let mut out = Vec::new();
        if last == "*" {
            for e in m.items.iter().filter(|e| e.public) {
                out.push(Target::Item {
                    krate,
                    module: module.clone(),
                    entry: e,
                    covered: false,
                });
            }
            return out;
        }
        for e in m.items.iter().filter(|e| e.name == *last) {
            out.push(Target::Item {
                krate,
                module: module.clone(),
                entry: e,
                covered: false,
            });
        }
        for u in m.uses.iter().filter(|u| u.alias == *last) {
            for mut t in self.resolve(krate, &module, &u.path, depth + 1) {
                if let Target::Item { covered, .. } = &mut t {
                    *covered |= u.example;
                }
                out.push(t);
            }
        }
        out
    }
}

/// Public items reachable from the `roots` crates without a doc example, as `kind path` lines.
pub(crate) fn missing(
    crates: &HashMap<&'static str, Krate>,
    roots: &[&'static str],
) -> Vec<String> {
    let mut walk = Walk {
        crates,
        missing: BTreeMap::new(),
        seen: BTreeSet::new(),
    };
    for krate in roots {
        walk.module(krate, &[], krate);
    }
    let shown: BTreeSet<String> = walk.missing.into_values().collect();
    shown.into_iter().collect()
}
