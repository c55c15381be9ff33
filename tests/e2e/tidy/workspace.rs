//! Walks each crate's module trees from its targets' root files, as a build does: which files
//! ship and which are compiled only for tests.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use tests::repo_root;

use super::source::{read_source, ModuleDecl, Reading};
use super::{metadata, relative, rust_files};

/// Returns `path` with its `.` and `..` components resolved, without asking the filesystem.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Returns the files `decl`, declared in `file`, may live in, in the order rustc tries them.
/// `owns_folder`: `file` is a crate root, a `mod.rs` or named by `#[path]`, so its modules sit
/// beside it rather than in a folder named after it.
fn module_files(file: &Path, owns_folder: bool, decl: &ModuleDecl) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let mut base = if owns_folder {
        dir.to_path_buf()
    } else {
        dir.join(file.file_stem().unwrap_or_default())
    };
    let (name, inline) = decl.path.split_last().expect("a module has a name");
    match &decl.file {
        Some(named) if inline.is_empty() => vec![normalized(&dir.join(named))],
        Some(named) => {
            base.extend(inline);
            vec![normalized(&base.join(named))]
        }
        None => {
            base.extend(inline);
            vec![
                normalized(&base.join(format!("{name}.rs"))),
                normalized(&base.join(name).join("mod.rs")),
            ]
        }
    }
}

/// How a build reaches a file: from which package's target, and whether it ships.
#[derive(Debug, Clone, PartialEq)]
struct Reach {
    /// The package whose target's module tree holds the file.
    package: String,
    /// Whether a build that is not a test compiles it: reached by declarations none of which is
    /// under `#[cfg(test)]`.
    shipped: bool,
}

/// Walks the module trees from `roots` (package, root file) through the files in `readings`:
/// how each file is reached, and the declarations whose file is not among `readings`.
fn walk_modules(
    roots: &[(String, PathBuf)],
    readings: &BTreeMap<PathBuf, Reading>,
) -> (BTreeMap<PathBuf, Reach>, Vec<String>) {
    let mut reached: BTreeMap<PathBuf, Reach> = BTreeMap::new();
    let mut missing = Vec::new();
    // (file, owns its folder, reach)
    let mut queue: Vec<(PathBuf, bool, Reach)> = roots
        .iter()
        .map(|(package, file)| {
            let reach = Reach {
                package: package.clone(),
                shipped: true,
            };
            (normalized(file), true, reach)
        })
        .collect();
    while let Some((file, owns_folder, reach)) = queue.pop() {
        match reached.get(&file) {
            Some(seen) if seen.shipped || !reach.shipped => continue,
            _ => {}
        }
        reached.insert(file.clone(), reach.clone());
        let Some(reading) = readings.get(&file) else {
            continue;
        };
        for decl in &reading.modules {
            let candidates = module_files(&file, owns_folder, decl);
            let Some(found) = candidates.iter().find(|c| readings.contains_key(*c)) else {
                missing.push(format!(
                    "{}: declares `mod {}` but none of {candidates:?} is a file",
                    file.display(),
                    decl.path.join("::")
                ));
                continue;
            };
            let owns = decl.file.is_some() || found.ends_with("mod.rs");
            let child = Reach {
                package: reach.package.clone(),
                shipped: reach.shipped && !decl.test,
            };
            queue.push((found.clone(), owns, child));
        }
    }
    (reached, missing)
}

/// The workspace's crates as tidy reads them.
pub(super) struct Workspace {
    /// The repository root, which messages name files relative to.
    root: PathBuf,
    /// Every `.rs` file under `crates/`, read.
    readings: BTreeMap<PathBuf, Reading>,
    /// The files a target of a crate compiles, and how.
    reached: BTreeMap<PathBuf, Reach>,
    /// What tidy could not read: unknown `#[cfg(test)]` forms, missing module files, files
    /// under a `src/` no target compiles.
    unread: Vec<String>,
}

/// Reads every crate under `crates/` from its targets' roots (libraries and binaries: the code
/// that ships; benches, tests and build scripts are not walked).
pub(super) fn workspace() -> Workspace {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    let readings: BTreeMap<PathBuf, Reading> = files
        .iter()
        .map(|f| {
            (
                normalized(f),
                read_source(&std::fs::read_to_string(f).unwrap()),
            )
        })
        .collect();
    let mut roots = Vec::new();
    for package in metadata()["packages"].as_array().unwrap() {
        for target in package["targets"].as_array().unwrap() {
            let kinds = target["kind"].as_array().unwrap();
            let ships = kinds
                .iter()
                .any(|k| matches!(k.as_str(), Some("lib" | "rlib" | "proc-macro" | "bin")));
            let file = normalized(Path::new(target["src_path"].as_str().unwrap()));
            if ships && file.starts_with(root.join("crates")) {
                roots.push((package["name"].as_str().unwrap().to_string(), file));
            }
        }
    }
    let (reached, mut unread) = walk_modules(&roots, &readings);
    for (file, reading) in &readings {
        let rel = relative(&root, file);
        unread.extend(reading.unread.iter().map(|u| format!("{rel}: {u}")));
        let in_src = Path::new(&rel)
            .components()
            .nth(2)
            .is_some_and(|c| c.as_os_str() == "src");
        if in_src && !reached.contains_key(file) {
            unread.push(format!(
                "{rel}: no target reaches it through `mod` declarations (an orphan file, or a \
                 declaration tidy cannot follow)"
            ));
        }
    }
    Workspace {
        root,
        readings,
        reached,
        unread,
    }
}

impl Workspace {
    /// Returns each shipped file (relative path), its package and its shipped code.
    pub(super) fn shipped(&self) -> impl Iterator<Item = (String, &str, &str)> {
        self.reached
            .iter()
            .filter(|(_, reach)| reach.shipped)
            .filter_map(|(file, reach)| {
                let reading = self.readings.get(file)?;
                Some((
                    relative(&self.root, file),
                    reach.package.as_str(),
                    reading.shipped.as_str(),
                ))
            })
    }
}

#[test]
fn tidy_reads_every_crate_file() {
    let workspace = workspace();
    assert!(
        workspace.unread.is_empty(),
        "{}",
        workspace.unread.join("\n")
    );
    // The walk reached the crates' code at all.
    assert!(workspace
        .shipped()
        .any(|(rel, _, _)| rel == "crates/search/src/lib.rs"));
}

/// Reads `files` (path, text) as the crate `package`, rooted at the first.
pub(super) fn workspace_of(package: &str, files: &[(&str, &str)]) -> Workspace {
    let readings: BTreeMap<PathBuf, Reading> = files
        .iter()
        .map(|(f, text)| (PathBuf::from(f), read_source(text)))
        .collect();
    let roots = [(package.to_string(), PathBuf::from(files[0].0))];
    let (reached, unread) = walk_modules(&roots, &readings);
    Workspace {
        root: PathBuf::new(),
        readings,
        reached,
        unread,
    }
}

#[test]
fn tidy_follows_declarations_not_file_names() {
    let workspace = workspace_of(
        "c",
        &[
            (
                "c/src/lib.rs",
                "mod a;\nmod tests;\n#[cfg(test)]\nmod testing;\n#[cfg(test)]\n\
                 #[path = \"../benches/common.rs\"]\nmod common;\n",
            ),
            ("c/src/a.rs", "mod b;\n#[cfg(test)]\nmod tests;\n"),
            ("c/src/a/b.rs", ""),
            ("c/src/a/tests.rs", ""),
            // Named like a test module, but declared without `#[cfg(test)]`: it ships.
            ("c/src/tests.rs", ""),
            ("c/src/testing/mod.rs", "mod deep;\n"),
            ("c/src/testing/deep.rs", ""),
            ("c/benches/common.rs", ""),
            ("c/src/orphan.rs", ""),
        ],
    );
    assert!(workspace.unread.is_empty(), "{:?}", workspace.unread);
    let shipped: BTreeMap<&str, bool> = workspace
        .reached
        .iter()
        .map(|(f, r)| (f.to_str().unwrap(), r.shipped))
        .collect();
    assert_eq!(
        shipped,
        BTreeMap::from([
            ("c/src/lib.rs", true),
            ("c/src/a.rs", true),
            ("c/src/a/b.rs", true),
            ("c/src/a/tests.rs", false),
            ("c/src/tests.rs", true),
            ("c/src/testing/mod.rs", false),
            ("c/src/testing/deep.rs", false),
            ("c/benches/common.rs", false),
        ])
    );
    // A declaration without its file is reported.
    let workspace = workspace_of("c", &[("c/src/a.rs", "mod nowhere;")]);
    assert_eq!(workspace.unread.len(), 1, "{:?}", workspace.unread);
}
