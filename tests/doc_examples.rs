//! Every public item of the facade (`src/`) and of `optim` (`optim/src/`) has a doc example: a
//! doc comment with a ```` ``` ```` code block (run as a doctest).
//!
//! The check parses the sources with `syn` and walks what is reachable from each crate root:
//! `pub` items of public modules, the targets of `pub use` (followed into the workspace's other
//! crates), and the `pub` methods of inherent `impl` blocks of reachable types, including the
//! builder setters written through optim's `setters!` macro. A re-export counts as documented
//! when it carries its own doc example or the item it names has one. `#[doc(hidden)]` and
//! `#[deprecated]` items,
//! `#[cfg(test)]` modules and trait impls are exempt. Items behind cargo features are checked
//! too (their examples run when the feature is on).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use syn::{Attribute, ImplItem, Item, UseTree, Visibility};

/// A module: its items and its `use` declarations.
#[derive(Default)]
struct Module {
    /// Name, kind, public, documented with an example, hidden.
    items: Vec<Entry>,
    /// `use` declarations: alias, full path (`None` for a glob), public, own doc example.
    uses: Vec<Import>,
    /// Inherent `impl` blocks: self type name and their public methods.
    impls: Vec<(String, Vec<Entry>)>,
}

struct Entry {
    name: String,
    kind: &'static str,
    public: bool,
    example: bool,
    hidden: bool,
}

struct Import {
    alias: String,
    /// The path as written, the last segment being the imported name (`*` for a glob).
    path: Vec<String>,
    public: bool,
    example: bool,
}

/// A parsed crate: modules by path from the root (`[]` is the root).
struct Krate {
    modules: HashMap<Vec<String>, Module>,
}

/// The workspace's crates by import name.
fn workspace() -> HashMap<&'static str, Krate> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        ("autodiff", "src"),
        ("optim", "optim/src"),
        ("autodiff_runtime", "autodiff-runtime/src"),
        ("autodiff_macros", "autodiff-macros/src"),
    ]
    .into_iter()
    .map(|(name, dir)| (name, parse_crate(&root.join(dir))))
    .collect()
}

fn parse_crate(dir: &Path) -> Krate {
    let mut krate = Krate {
        modules: HashMap::new(),
    };
    let file = read(&dir.join("lib.rs"));
    load(&mut krate, Vec::new(), file.items, dir.to_path_buf());
    krate
}

fn read(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads a module's items; `dir` is where its child modules' files are.
fn load(krate: &mut Krate, path: Vec<String>, items: Vec<Item>, dir: PathBuf) {
    let mut module = Module::default();
    for item in items {
        match item {
            Item::Mod(m) if is_test(&m.attrs) => {}
            Item::Mod(m) => {
                let name = m.ident.to_string();
                let mut e = entry(&name, "mod", &m.vis, &m.attrs);
                let mut child = path.clone();
                child.push(name.clone());
                match m.content {
                    Some((_, inner)) => load(krate, child, inner, dir.join(&name)),
                    None => {
                        let flat = dir.join(format!("{name}.rs"));
                        let (file, sub) = if flat.exists() {
                            (flat, dir.join(&name))
                        } else {
                            (dir.join(&name).join("mod.rs"), dir.join(&name))
                        };
                        let file = read(&file);
                        // The module's own `//!` docs.
                        e.example |= has_example(&file.attrs);
                        load(krate, child, file.items, sub);
                    }
                }
                module.items.push(e);
            }
            Item::Use(u) => {
                let mut paths = Vec::new();
                flatten_use(&u.tree, Vec::new(), &mut paths);
                for (alias, path) in paths {
                    module.uses.push(Import {
                        alias,
                        path,
                        public: is_pub(&u.vis),
                        example: has_example(&u.attrs) && !is_hidden(&u.attrs),
                    });
                }
            }
            Item::Impl(i) if i.trait_.is_none() => {
                if let syn::Type::Path(p) = &*i.self_ty {
                    let name = p.path.segments.last().unwrap().ident.to_string();
                    module.impls.push((name, methods(&i.items)));
                }
            }
            other => {
                if let Some((name, kind, vis, attrs)) = describe(&other) {
                    module.items.push(entry(&name, kind, vis, attrs));
                }
            }
        }
    }
    krate.modules.insert(path, module);
}

/// Public methods of an inherent impl block, with the setters of `setters! { .. }`.
fn methods(items: &[ImplItem]) -> Vec<Entry> {
    let mut out = Vec::new();
    for item in items {
        match item {
            ImplItem::Fn(f) => out.push(entry(&f.sig.ident.to_string(), "fn", &f.vis, &f.attrs)),
            ImplItem::Const(c) => out.push(entry(&c.ident.to_string(), "const", &c.vis, &c.attrs)),
            ImplItem::Macro(m) if m.mac.path.is_ident("setters") => {
                let setters = m.mac.parse_body_with(parse_setters).expect("setters! body");
                for (name, attrs) in setters {
                    out.push(entry(
                        &name,
                        "fn",
                        &Visibility::Public(Default::default()),
                        &attrs,
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// `$(#[meta])* name: Type;` repeated, as `setters!` takes it.
fn parse_setters(input: syn::parse::ParseStream) -> syn::Result<Vec<(String, Vec<Attribute>)>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let attrs = input.call(Attribute::parse_outer)?;
        let name: syn::Ident = input.parse()?;
        input.parse::<syn::Token![:]>()?;
        input.parse::<syn::Type>()?;
        input.parse::<syn::Token![;]>()?;
        out.push((name.to_string(), attrs));
    }
    Ok(out)
}

fn describe(item: &Item) -> Option<(String, &'static str, &Visibility, &Vec<Attribute>)> {
    Some(match item {
        Item::Fn(i) => (i.sig.ident.to_string(), "fn", &i.vis, &i.attrs),
        Item::Struct(i) => (i.ident.to_string(), "struct", &i.vis, &i.attrs),
        Item::Enum(i) => (i.ident.to_string(), "enum", &i.vis, &i.attrs),
        Item::Trait(i) => (i.ident.to_string(), "trait", &i.vis, &i.attrs),
        Item::Type(i) => (i.ident.to_string(), "type", &i.vis, &i.attrs),
        Item::Const(i) => (i.ident.to_string(), "const", &i.vis, &i.attrs),
        Item::Static(i) => (i.ident.to_string(), "static", &i.vis, &i.attrs),
        Item::Union(i) => (i.ident.to_string(), "union", &i.vis, &i.attrs),
        _ => return None,
    })
}

fn entry(name: &str, kind: &'static str, vis: &Visibility, attrs: &[Attribute]) -> Entry {
    // Deprecated items are kept for old code only: they need no example.
    let deprecated = attrs.iter().any(|a| a.path().is_ident("deprecated"));
    Entry {
        name: name.to_owned(),
        kind,
        public: is_pub(vis),
        example: has_example(attrs),
        hidden: is_hidden(attrs) || deprecated,
    }
}

fn flatten_use(tree: &UseTree, prefix: Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    let with = |s: String| {
        let mut p = prefix.clone();
        p.push(s);
        p
    };
    match tree {
        UseTree::Path(p) => flatten_use(&p.tree, with(p.ident.to_string()), out),
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            let alias = if name == "self" {
                prefix.last().cloned().unwrap_or_default()
            } else {
                name.clone()
            };
            let path = if name == "self" {
                prefix.clone()
            } else {
                with(name)
            };
            out.push((alias, path));
        }
        UseTree::Rename(r) => out.push((r.rename.to_string(), with(r.ident.to_string()))),
        UseTree::Glob(_) => out.push(("*".to_owned(), with("*".to_owned()))),
        UseTree::Group(g) => g
            .items
            .iter()
            .for_each(|t| flatten_use(t, prefix.clone(), out)),
    }
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn is_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|i| i == "test" || i == "doctest")
    })
}

fn is_hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("doc") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "hidden")
    })
}

/// The doc comment has a code block.
fn has_example(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => s.value().lines().any(|l| l.trim_start().starts_with("```")),
            _ => false,
        },
        _ => false,
    })
}

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
fn missing(crates: &HashMap<&'static str, Krate>, roots: &[&'static str]) -> Vec<String> {
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

#[test]
fn every_public_item_has_a_doc_example() {
    let report = missing(&workspace(), &["autodiff", "optim"]);
    assert!(
        report.is_empty(),
        "{} public items have no doc example (a ``` block in their doc comment):\n{}",
        report.len(),
        report.join("\n")
    );
}
