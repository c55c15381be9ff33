//! Tidy: the architecture rules of ARCHITECTURE.md and STYLE.md, enforced by `cargo test`.
//!
//! Dependency rules come from `cargo metadata`; source rules from reading the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use tests::repo_root;

/// Returns each workspace crate's normal (non-dev) dependencies by name.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut deps = BTreeMap::new();
    for package in meta["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        let names = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect();
        deps.insert(name, names);
    }
    deps
}

#[test]
fn crate_dependencies_follow_the_architecture() {
    let deps = dependencies();
    // (dependency, the only crates allowed to name it)
    let owners: &[(&str, &[&str])] = &[
        ("sled", &["store"]),
        ("dfdx", &["trainer"]),
        ("actix-web", &["dashboard"]),
        ("askama", &["dashboard"]),
        ("plotters", &["dashboard"]),
        ("clap", &["cli"]),
        ("tracing-subscriber", &["cli"]),
        ("indicatif", &["cli"]),
        ("anyhow", &["cli", "tests"]),
        ("trainer", &["cli", "tests"]),
    ];
    let mut problems = Vec::new();
    for (dep, allowed) in owners {
        for (krate, names) in &deps {
            if names.contains(*dep) && !allowed.contains(&krate.as_str()) {
                problems.push(format!(
                    "`{krate}` depends on `{dep}`; only {allowed:?} may"
                ));
            }
        }
    }
    // The DAG of our own crates.
    let internal: &[(&str, &[&str])] = &[
        ("experiment", &[]),
        ("search", &["experiment"]),
        ("store", &["experiment"]),
        ("trainer", &["experiment"]),
        ("runner", &["experiment", "search", "store"]),
        ("dashboard", &["experiment", "store"]),
    ];
    let ours: BTreeSet<&str> = deps.keys().map(String::as_str).collect();
    for (krate, allowed) in internal {
        let names = deps.get(*krate).cloned().unwrap_or_default();
        for name in names.iter().filter(|n| ours.contains(n.as_str())) {
            if !allowed.contains(&name.as_str()) {
                problems.push(format!(
                    "`{krate}` depends on `{name}`; allowed: {allowed:?}"
                ));
            }
        }
    }
    // The pure crates own no randomness or IO machinery of their own.
    for dep in ["rand", "rand_chacha", "tokio", "csv", "tracing-subscriber"] {
        if deps["experiment"].contains(dep) {
            problems.push(format!("`experiment` depends on `{dep}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn source_files_follow_the_house_rules() {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    files.sort();
    let should_panic = ["#[should", "_panic]"].concat();
    let ignore = ["#[ig", "nore]"].concat();
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        if !text.starts_with("//!") {
            problems.push(format!("{rel}: does not start with a `//!` module doc"));
        }
        if text.contains(&should_panic) || text.contains(&ignore) {
            problems.push(format!("{rel}: uses should_panic or ignore"));
        }
        // Benchmarks are programs of their own: they read files, flags and clocks.
        let pure = (rel.starts_with("crates/experiment/") || rel.starts_with("crates/search/"))
            && !rel.contains("/benches/")
            && !rel.contains("/tests/");
        if pure {
            // Only the code that ships counts; tests may read their fixtures.
            let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
            for banned in [
                "std::fs",
                "std::env",
                "SystemTime",
                "Instant::now",
                "thread_rng",
            ] {
                if shipped.contains(banned) {
                    problems.push(format!("{rel}: a pure crate uses `{banned}`"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Returns `text` up to its test module (`#[cfg(test)] mod ..`): other items marked
/// `#[cfg(test)]` (a helper for the tests) may come before the shipped code that follows them.
fn shipped_part(text: &str) -> &str {
    const MARK: &str = "#[cfg(test)]";
    let mut from = 0;
    while let Some(at) = text[from..].find(MARK).map(|i| from + i) {
        let after = text[at + MARK.len()..].trim_start();
        let after = after.strip_prefix("pub(crate) ").unwrap_or(after);
        if after.starts_with("mod ") {
            return &text[..at];
        }
        from = at + MARK.len();
    }
    text
}

/// Returns whether `code` names `std::env` (the environment, argv, the temp folder): as a path
/// (`std::env::var`, `use std::env;`) or as an item of a grouped `use std::{..}`.
fn names_std_env(code: &str) -> bool {
    if code.contains("std::env") {
        return true;
    }
    let mut rest = code;
    while let Some(at) = rest.find("std::{") {
        let group = &rest[at + "std::{".len()..];
        // The group's items at its own depth, split at its commas.
        let (mut depth, mut item, mut items) = (0usize, String::new(), Vec::new());
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut item));
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        items.push(item);
        let env = |item: &str| {
            let item = item.trim();
            item == "env" || item.starts_with("env::") || item.starts_with("env as ")
        };
        if items.iter().any(|i| env(i)) {
            return true;
        }
        rest = group;
    }
    false
}

#[test]
fn only_cli_reads_the_environment() {
    // The check itself, on the forms it must catch and those it must let be.
    for (code, named) in [
        ("let dir = std::env::temp_dir();", true),
        ("use std::env;\nenv::var(\"X\")", true),
        ("use std::{env, fs};", true),
        (
            "use std::{\n    fs::{self, File},\n    env::var_os,\n};",
            true,
        ),
        ("use std::{env as environment};", true),
        ("use std::{fs, io::{self, Read}};", false),
        ("const V: &str = env!(\"CARGO_PKG_VERSION\");", false),
        ("let environment = spec.env();", false),
    ] {
        assert_eq!(names_std_env(code), named, "{code}");
    }
    let file = "fn a() {}\n#[cfg(test)]\nfn helper() {}\nfn b() {}\n#[cfg(test)]\nmod tests {}\n";
    assert_eq!(
        shipped_part(file),
        "fn a() {}\n#[cfg(test)]\nfn helper() {}\nfn b() {}\n"
    );
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    // The modules declared `#[cfg(test)] mod NAME;`: their files are tests.
    let mut test_modules = BTreeSet::new();
    for text in &texts {
        for after in text.split("#[cfg(test)]").skip(1) {
            let declared = after.trim_start();
            let declared = declared.strip_prefix("pub(crate) ").unwrap_or(declared);
            if let Some(name) = declared
                .strip_prefix("mod ")
                .and_then(|d| d.split_once(';'))
                .map(|(name, _)| name.trim())
                .filter(|name| !name.contains(char::is_whitespace))
            {
                test_modules.insert(name.to_string());
            }
        }
    }
    let mut problems = Vec::new();
    for (file, text) in files.iter().zip(&texts) {
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        // The binary reads it; benchmarks are programs of their own; tests may (a child
        // process's marker, the test binary's path).
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let test_only = rel.contains("/tests/") || test_modules.contains(stem);
        if rel.starts_with("crates/cli/") || rel.contains("/benches/") || test_only {
            continue;
        }
        if names_std_env(shipped_part(text)) {
            problems.push(format!(
                "{rel}: uses `std::env` (only `cli` reads the environment; take the value \
                 from the caller)"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
