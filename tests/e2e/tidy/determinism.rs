//! The determinism rules (STYLE rule 8) on shipped code: the pure crates draw no randomness but
//! from an explicit seed, and no crate whose iteration order can reach output, storage or
//! sampling holds a hash map.
//!
//! Both read tokens of the shipped code (`tokens`), so a name in a comment or a string is not a
//! use. The global-RNG rule bans the names through which `rand` (whose workspace `std` feature
//! brings in `getrandom`) reaches the OS or thread-local generators, and the paths that name
//! them without saying so, read through the file's `use` groups and renames (`paths`):
//! `rand::random` (also `use rand as r; r::random()`), `rand::rng`, and any glob from `rand`.
//!
//! The hash-map rule is by crate, not by use: whether a map is iterated is not in its tokens,
//! and a `BTreeMap` costs those crates nothing. `dashboard` is left out: its hash maps are
//! lookups (a page cache by key, a trial's row by id, the front as a set) whose order reaches
//! nothing, and its output is ordered by the rankings of `experiment`. A new crate is checked
//! unless it is added to `HASHED_OK`.

use super::line_of;
use super::paths::{named_paths, under};
use super::tokens::{tokens, Kind};
use super::workspace::{workspace, workspace_of, Workspace};

/// Names that reach global random state: the thread-local and OS generators, seeding from
/// entropy, the `getrandom` crate (rand 0.8's names, and rand 0.9's).
const GLOBAL_RNG: [&str; 8] = [
    "thread_rng",
    "ThreadRng",
    "OsRng",
    "from_entropy",
    "from_os_rng",
    "getrandom",
    "EntropyRng",
    "ReseedingRng",
];

/// The crates whose shipped code holds no hash map (every crate not named here).
const HASHED_OK: [&str; 1] = ["dashboard"];

/// Returns whether `ident` names an unordered map or set, or the random state that orders one.
fn hashed(ident: &str) -> bool {
    ident.contains("HashMap")
        || ident.contains("HashSet")
        || matches!(ident, "RandomState" | "hash_map" | "hash_set")
}

/// Returns each reach for global random state in the pure crates' (`experiment`, `search`)
/// shipped code, as `file:line: what`.
fn global_rng_uses(workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if !super::dependencies::PURE.contains(&package) {
            continue;
        }
        let mut found: Vec<(usize, String)> = tokens(code)
            .iter()
            .filter(|t| t.kind == Kind::Ident && GLOBAL_RNG.contains(&t.text))
            .map(|t| (t.start, format!("`{}`", t.text)))
            .collect();
        for named in named_paths(code) {
            let global = named.meanings.iter().find(|m| {
                matches!(m.as_str(), "rand::random" | "rand::rng")
                    || (under(m, "rand") && m.ends_with("::*"))
            });
            if let Some(meaning) = global {
                found.push((
                    named.at,
                    format!("`{meaning}`{}", named.written_as(meaning)),
                ));
            }
        }
        found.sort();
        for (at, what) in found {
            problems.push(format!(
                "{rel}:{}: shipped code of the pure crate `{package}` uses {what} (global random \
                 state; draw from a generator seeded with the trial's `Seed`)",
                line_of(code, at)
            ));
        }
    }
    problems
}

/// Returns each hash map, hash set or `RandomState` in the shipped code of a crate not in
/// `HASHED_OK`, as `file:line: what`.
fn hashed_uses(workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if HASHED_OK.contains(&package) {
            continue;
        }
        for t in tokens(code)
            .iter()
            .filter(|t| t.kind == Kind::Ident && hashed(t.text))
        {
            problems.push(format!(
                "{rel}:{}: shipped code of `{package}` uses `{}` (its order is random; use a \
                 BTreeMap or BTreeSet)",
                line_of(code, t.start),
                t.text
            ));
        }
    }
    problems
}

#[test]
fn pure_crates_draw_no_global_randomness() {
    let problems = global_rng_uses(&workspace());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ordered_crates_hold_no_hash_maps() {
    let problems = hashed_uses(&workspace());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tidy_catches_each_reach_for_global_randomness() {
    let files = [(
        "p/src/lib.rs",
        "//! Not `thread_rng` in a comment.\n\
         use rand::{Rng, SeedableRng, random};\n\
         use rand::prelude::*;\n\
         use rand_chacha::ChaCha8Rng;\n\
         use random::RandomSampler;\n\
         fn a() -> f64 { rand::random::<f64>() }\n\
         fn b() -> ChaCha8Rng { ChaCha8Rng::from_entropy() }\n\
         fn c() { let _ = rand::rngs::OsRng; let _ = rand::thread_rng(); }\n\
         fn d(b: &mut [u8]) { getrandom::getrandom(b); }\n\
         const KEPT: &str = \"thread_rng\";\n\
         fn e(seed: u64) -> ChaCha8Rng { ChaCha8Rng::seed_from_u64(seed) }\n\
         use rand as r;\n\
         fn g() -> f64 { r::random::<f64>() + random::<f64>() + ::rand::random::<f64>() }\n\
         #[cfg(test)]\nmod tests { fn f() { rand::thread_rng(); } }\n",
    )];
    let lines: Vec<String> = global_rng_uses(&workspace_of("search", &files))
        .iter()
        .map(|p| p.split(" (").next().unwrap_or_default().to_string())
        .collect();
    let of = |line: u8, what: &str| {
        format!("p/src/lib.rs:{line}: shipped code of the pure crate `search` uses `{what}`")
    };
    assert_eq!(
        lines,
        [
            of(2, "rand::random"),
            of(3, "rand::prelude::*"),
            of(6, "rand::random"),
            of(7, "from_entropy"),
            of(8, "OsRng"),
            of(8, "thread_rng"),
            of(9, "getrandom"),
            of(9, "getrandom"),
            of(13, "rand::random` as `r::random"),
            of(13, "rand::random` as `random"),
            of(13, "rand::random"),
        ]
    );
    assert_eq!(global_rng_uses(&workspace_of("trainer", &files)), [""; 0]);
}

#[test]
fn tidy_catches_hash_maps_where_order_matters() {
    let files = [(
        "p/src/lib.rs",
        "//! A `HashMap` in a comment.\n\
         use std::collections::{BTreeMap, HashMap};\n\
         fn a() -> std::collections::HashSet<u8> { Default::default() }\n\
         const KEPT: &str = \"HashMap\";\n\
         fn b(m: &BTreeMap<u8, u8>) {}\n\
         #[cfg(test)]\nmod tests { use std::collections::HashMap; }\n",
    )];
    let lines: Vec<String> = hashed_uses(&workspace_of("store", &files))
        .iter()
        .map(|p| p.split(" (").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "p/src/lib.rs:2: shipped code of `store` uses `HashMap`",
            "p/src/lib.rs:3: shipped code of `store` uses `HashSet`",
        ]
    );
    assert_eq!(hashed_uses(&workspace_of("dashboard", &files)), [""; 0]);
}
