//! Parsing a crate's sources into modules: items, `use` declarations, inherent impl blocks,
//! and whether each doc comment has an example.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use syn::{Attribute, ImplItem, Item, UseTree, Visibility};

/// A module: its items and its `use` declarations.
#[derive(Default)]
pub(crate) struct Module {
    /// Name, kind, public, documented with an example, hidden.
    pub(crate) items: Vec<Entry>,
    /// `use` declarations: alias, full path (`None` for a glob), public, own doc example.
    pub(crate) uses: Vec<Import>,
    /// Inherent `impl` blocks: self type name and their public methods.
    pub(crate) impls: Vec<(String, Vec<Entry>)>,
}

pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) public: bool,
    pub(crate) example: bool,
    pub(crate) hidden: bool,
}

pub(crate) struct Import {
    pub(crate) alias: String,
    /// The path as written, the last segment being the imported name (`*` for a glob).
    pub(crate) path: Vec<String>,
    pub(crate) public: bool,
    pub(crate) example: bool,
}

/// A parsed crate: modules by path from the root (`[]` is the root).
pub(crate) struct Krate {
    pub(crate) modules: HashMap<Vec<String>, Module>,
}

pub(crate) fn parse_crate(dir: &Path) -> Krate {
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
