//! The dependency rules: which crate may name which dependency, the DAG of our own crates, and
//! the pure crates' freedom from IO machinery.
//!
//! The DAG is a table of every workspace crate and the workspace crates it depends on, checked
//! both ways: an edge the table lacks fails, and so does an edge the table lists that the
//! manifests no longer have, a crate the table lacks, or a row for a crate that is gone. So the
//! table is the DAG of ARCHITECTURE.md as it is, and a new edge (or a new crate) is a deliberate
//! change to it. Every kind of dependency counts (normal, build and dev): `runner` taking
//! `trainer` even as a dev-dependency would end the millisecond study-loop tests the DAG is for.

use std::collections::{BTreeMap, BTreeSet};

use super::metadata;

/// Each workspace crate and the workspace crates it may, and does, depend on.
const DAG: &[(&str, &[&str])] = &[
    ("experiment", &[]),
    ("search", &["experiment"]),
    ("store", &["experiment"]),
    ("trainer", &["experiment"]),
    ("runner", &["experiment", "search", "store"]),
    ("dashboard", &["experiment", "store"]),
    // cli reaches the samplers through the runner, never `search` itself.
    (
        "cli",
        &["dashboard", "experiment", "runner", "store", "trainer"],
    ),
    ("tests", &["experiment", "search", "store"]),
];

/// The crates whose code is pure (no IO, clock, environment or global RNG).
pub(super) const PURE: [&str; 2] = ["experiment", "search"];

/// What a pure crate may not depend on: crates whose purpose is IO, the OS, the clock or global
/// random state. (The crates only one other crate may name, `sled`, `dfdx`, `actix-web`,
/// `clap`, `tracing-subscriber`, .., are held by the owners' rule for every crate.)
const IO_CRATES: [&str; 17] = [
    "tokio",
    "async-std",
    "mio",
    "hyper",
    "reqwest",
    "csv",
    "tempfile",
    "walkdir",
    "notify",
    "memmap2",
    "fs-err",
    "signal-hook",
    "nix",
    "libc",
    "getrandom",
    "chrono",
    "tracing-subscriber",
];

/// Returns each workspace crate's dependencies by name, normal ones (`false`) or of any kind
/// (`true`: dev and build dependencies too).
fn dependencies(any_kind: bool) -> BTreeMap<String, BTreeSet<String>> {
    let meta = metadata();
    let mut deps = BTreeMap::new();
    for package in meta["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        let names = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| any_kind || d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect();
        deps.insert(name, names);
    }
    deps
}

/// Returns where the workspace crates' edges among themselves (`deps`, every crate's
/// dependencies by name) differ from `dag`: edges it lacks or lists in vain, crates it lacks or
/// lists in vain.
fn dag_problems(deps: &BTreeMap<String, BTreeSet<String>>, dag: &[(&str, &[&str])]) -> Vec<String> {
    let ours: BTreeSet<&str> = deps.keys().map(String::as_str).collect();
    let table: BTreeMap<&str, BTreeSet<&str>> = dag
        .iter()
        .map(|(krate, allowed)| (*krate, allowed.iter().copied().collect()))
        .collect();
    let mut problems = Vec::new();
    for (krate, names) in deps {
        let edges: BTreeSet<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| ours.contains(n))
            .collect();
        let Some(allowed) = table.get(krate.as_str()) else {
            problems.push(format!(
                "`{krate}` is not in tidy's DAG table (tests/e2e/tidy/dependencies.rs); add its \
                 row, with its edges {edges:?}, and its place in ARCHITECTURE.md"
            ));
            continue;
        };
        for name in edges.difference(allowed) {
            problems.push(format!(
                "`{krate}` depends on `{name}`, an edge the DAG lacks; allowed: {allowed:?} (a \
                 new edge is a change to the table and to ARCHITECTURE.md)"
            ));
        }
        for name in allowed.difference(&edges) {
            problems.push(format!(
                "the DAG lists `{krate}` -> `{name}`, which the manifests no longer have; remove \
                 it from the table"
            ));
        }
    }
    for krate in table.keys().filter(|k| !ours.contains(*k)) {
        problems.push(format!(
            "the DAG has a row for `{krate}`, which is not a workspace crate"
        ));
    }
    problems
}

/// Returns each dependency of a `PURE` crate (normal dependencies by name in `deps`) on IO
/// machinery: an `IO_CRATES` one, or for `experiment`, which holds no random state, `rand`.
fn pure_problems(deps: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut problems = Vec::new();
    for krate in PURE {
        let names = deps.get(krate).cloned().unwrap_or_default();
        let no_rng: &[&str] = match krate {
            "experiment" => &["rand", "rand_chacha", "rand_distr"],
            _ => &[],
        };
        for dep in IO_CRATES.iter().chain(no_rng) {
            if names.contains(*dep) {
                problems.push(format!(
                    "`{krate}` depends on `{dep}`; the pure crates have no IO, clock or global \
                     RNG machinery"
                ));
            }
        }
    }
    problems
}

#[test]
fn crate_dependencies_follow_the_architecture() {
    let deps = dependencies(false);
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
        ("ureq", &["cli"]),
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
    problems.extend(dag_problems(&dependencies(true), DAG));
    problems.extend(pure_problems(&deps));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Returns a dependency map of `(crate, its dependencies)`.
fn deps_of(rows: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
    rows.iter()
        .map(|(k, d)| (k.to_string(), d.iter().map(|s| s.to_string()).collect()))
        .collect()
}

#[test]
fn tidy_holds_the_dag_to_its_table_both_ways() {
    let dag: &[(&str, &[&str])] = &[
        ("experiment", &[]),
        ("search", &["experiment"]),
        ("cli", &["experiment"]),
        ("gone", &[]),
    ];
    let deps = deps_of(&[
        ("experiment", &["thiserror"]),
        ("search", &["experiment", "rand"]),
        // A new edge, and an edge the table lists that the manifest dropped.
        ("cli", &["search", "anyhow"]),
        // A crate the table lacks.
        ("new", &["experiment"]),
    ]);
    let problems = dag_problems(&deps, dag);
    let starts = [
        "`cli` depends on `search`, an edge the DAG lacks",
        "the DAG lists `cli` -> `experiment`, which the manifests no longer have",
        "`new` is not in tidy's DAG table",
        "the DAG has a row for `gone`",
    ];
    assert_eq!(problems.len(), starts.len(), "{problems:#?}");
    for (problem, start) in problems.iter().zip(starts) {
        assert!(problem.starts_with(start), "{problem}\nwanted: {start}");
    }
    // The table as it is passes the manifests as they are.
    let exact = deps_of(&[
        ("experiment", &["thiserror"]),
        ("search", &["experiment", "rand"]),
        ("cli", &["experiment"]),
        ("gone", &[]),
    ]);
    assert_eq!(dag_problems(&exact, dag), [""; 0]);
}

#[test]
fn tidy_keeps_io_crates_out_of_both_pure_crates() {
    let deps = deps_of(&[
        ("experiment", &["thiserror", "rand"]),
        ("search", &["experiment", "rand", "getrandom", "tokio"]),
        ("store", &["tokio", "libc"]),
    ]);
    assert_eq!(
        pure_problems(&deps)
            .iter()
            .map(|p| p.split(';').next().unwrap_or_default())
            .collect::<Vec<_>>(),
        [
            "`experiment` depends on `rand`",
            "`search` depends on `tokio`",
            "`search` depends on `getrandom`",
        ]
    );
}
