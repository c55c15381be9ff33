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
