//! The dependency rules: which crate may name which dependency, and the DAG of our own crates.

use std::collections::{BTreeMap, BTreeSet};

use super::metadata;

/// Returns each workspace crate's normal (non-dev) dependencies by name.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let meta = metadata();
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
