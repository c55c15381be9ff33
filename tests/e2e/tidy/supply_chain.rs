//! The license and duplicate-version policy of `.ci/deny.toml` (cargo-deny's format), enforced by
//! `cargo test` without cargo-deny.
//!
//! The graph is the one cargo-deny checks under that file's settings: `cargo metadata
//! --all-features` (`[graph] all-features = true`), walked from the workspace members along the
//! edges a build takes: an optional dependency only where a feature the resolve turned on enables
//! it (the lockfile, and so `cargo metadata`, lists every optional dependency). Every platform's
//! dependencies count, and dev-dependencies too (`multiple-versions-include-dev = true`).
//! A package passes the license rule when its SPDX expression is satisfied by `[licenses] allow`;
//! a crate in several versions passes the duplicate rule when all its versions but one are in
//! `[bans] skip`. Both lists are exact: an allowed license no package needs, or a skip entry no
//! duplicate needs, fails too, so neither list outlives its reason.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::cargo_metadata;
use super::spdx::parse_license;

/// The policy file, relative to the repository root.
const POLICY: &str = ".ci/deny.toml";

/// A package of the dependency graph, as the policy judges it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Package {
    /// Its name on crates.io (or the workspace's).
    name: String,
    /// Its version, as `cargo metadata` writes it.
    version: String,
    /// Its `license` field: an SPDX expression, if it has one.
    license: Option<String>,
}

/// What tidy reads of the policy file.
#[derive(Debug, PartialEq)]
struct Policy {
    /// `[licenses] allow`: the licenses a package's expression may be satisfied by.
    allow: Vec<String>,
    /// `[bans] skip`: the (crate, version) pairs that may stay beside another version.
    skip: Vec<(String, String)>,
}

/// Reads the policy file's text: `[licenses] allow` and `[bans] skip`, and checks that its
/// settings are those tidy's checks mirror.
fn read_policy(text: &str) -> Result<Policy, String> {
    let table: toml::Table = text.parse().map_err(|e| format!("{POLICY}: {e}"))?;
    let field = |section: &str, key: &str| table.get(section).and_then(|s| s.get(key));
    // (section, key, the value tidy's checks mirror, as TOML writes it)
    for (section, key, wanted, written) in [
        ("graph", "all-features", toml::Value::Boolean(true), "true"),
        ("bans", "multiple-versions", "deny".into(), "\"deny\""),
        ("bans", "multiple-versions-include-dev", true.into(), "true"),
    ] {
        if field(section, key) != Some(&wanted) {
            return Err(format!(
                "{POLICY}: `{section}.{key}` must be {written}: tidy checks the graph cargo-deny \
                 checks with it"
            ));
        }
    }
    if field("bans", "skip-tree").is_some() {
        return Err(format!(
            "{POLICY}: `bans.skip-tree`: tidy reads only `bans.skip`; list each duplicate version \
             there"
        ));
    }
    let allow = field("licenses", "allow")
        .and_then(toml::Value::as_array)
        .ok_or(format!(
            "{POLICY}: `licenses.allow`: expected a list of license names"
        ))?
        .iter()
        .enumerate()
        .map(|(k, name)| {
            name.as_str().map(str::to_string).ok_or(format!(
                "{POLICY}: `licenses.allow[{k}]`: expected a license name, found a {}",
                name.type_str()
            ))
        })
        .collect::<Result<_, _>>()?;
    let entries = match field("bans", "skip") {
        None => &Vec::new(),
        Some(skip) => skip.as_array().ok_or(format!(
            "{POLICY}: `bans.skip`: expected a list of \
             {{ crate = \"name@version\", reason = \"..\" }}"
        ))?,
    };
    let skip = entries
        .iter()
        .enumerate()
        .map(|(k, entry)| {
            skip_entry(entry).map_err(|why| format!("{POLICY}: `bans.skip[{k}]`: {why}"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Policy { allow, skip })
}

/// Reads one `[bans] skip` entry, `{ crate = "name@version", reason = ".." }`: its crate and
/// version.
fn skip_entry(entry: &toml::Value) -> Result<(String, String), String> {
    let spec = entry.get("crate").and_then(toml::Value::as_str);
    let reason = entry.get("reason").and_then(toml::Value::as_str);
    let (Some(spec), Some(reason)) = (spec, reason) else {
        let found = match entry {
            toml::Value::Table(_) => "a table without `crate` and `reason` strings".to_string(),
            other => format!("a {}", other.type_str()),
        };
        return Err(format!(
            "expected {{ crate = \"name@version\", reason = \"..\" }}, found {found}"
        ));
    };
    if reason.trim().is_empty() {
        return Err(format!("`{spec}` needs a reason"));
    }
    // A plain version (`1.2.3`, `1.0.0-rc.1`, `1.2.2+spec-1.1.0`), not a range.
    let version = |v: &str| {
        let core = v.split(['-', '+']).next().unwrap_or_default();
        let parts: Vec<&str> = core.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    match spec.split_once('@') {
        Some((name, v)) if !name.is_empty() && version(v.trim_start_matches('=')) => {
            Ok((name.to_string(), v.trim_start_matches('=').to_string()))
        }
        _ => Err(format!(
            "expected `crate = \"name@version\"` with one exact version, found `{spec}`"
        )),
    }
}

/// Returns the packages of `meta` (`cargo metadata` output with its resolve) that a build of the
/// workspace compiles: those reached from its members along dependency edges a build takes.
fn packages_of(meta: &Value) -> Vec<Package> {
    let by_id = |list: &Value| -> BTreeMap<String, Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| (v["id"].as_str().unwrap().to_string(), v.clone()))
            .collect()
    };
    let packages = by_id(&meta["packages"]);
    let nodes = by_id(&meta["resolve"]["nodes"]);
    let mut queue: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let mut reached = BTreeSet::new();
    while let Some(id) = queue.pop() {
        if !reached.insert(id) {
            continue;
        }
        let (package, node) = (&packages[id], &nodes[id]);
        for dep in node["deps"].as_array().unwrap() {
            let to = dep["pkg"].as_str().unwrap();
            let name = packages[to]["name"].as_str().unwrap();
            if builds_with(package, &node["features"], name) {
                queue.push(to);
            }
        }
    }
    let mut out: Vec<Package> = reached
        .iter()
        .map(|id| Package {
            name: packages[*id]["name"].as_str().unwrap().to_string(),
            version: packages[*id]["version"].as_str().unwrap().to_string(),
            license: packages[*id]["license"].as_str().map(str::to_string),
        })
        .collect();
    out.sort();
    out
}

/// Returns whether `package`, with the `features` the resolve turned on, builds its dependency
/// on the package named `name`: a declaration of it is not optional, or a turned-on feature
/// enables it (`dep:x`, `x/feature`, or the implicit feature `x`; `x?/feature` does not).
fn builds_with(package: &Value, features: &Value, name: &str) -> bool {
    let on: Vec<&str> = features
        .as_array()
        .map(|f| f.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    package["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"] == name)
        .any(|d| {
            let key = d["rename"].as_str().unwrap_or(name);
            let enables = |entry: &str| {
                entry == format!("dep:{key}") || entry.starts_with(&format!("{key}/"))
            };
            d["optional"] != true
                || on.contains(&key)
                || on.iter().any(|f| {
                    package["features"][*f]
                        .as_array()
                        .is_some_and(|e| e.iter().filter_map(Value::as_str).any(enables))
                })
        })
}

/// Returns each package whose license the `allow` list does not satisfy (or that has none, or
/// one tidy cannot read), and each allowed license no package needs.
fn license_problems(packages: &[Package], allow: &[String]) -> Vec<String> {
    let allow: Vec<&str> = allow.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    let mut passing = Vec::new();
    for Package {
        name,
        version,
        license,
    } in packages
    {
        let Some(expression) = license else {
            problems.push(format!(
                "`{name}` {version} declares no license (no `license` field), so tidy cannot \
                 check it against `licenses.allow` in {POLICY}: drop the dependency"
            ));
            continue;
        };
        match parse_license(expression) {
            Err(why) => problems.push(format!(
                "`{name}` {version} has the license `{expression}`, which does not read as an \
                 SPDX expression ({why}); tidy cannot check it against `licenses.allow` in {POLICY}"
            )),
            Ok(license) if !license.is_satisfied_by(&allow) => problems.push(format!(
                "`{name}` {version} is licensed `{expression}`, which `licenses.allow` in \
                 {POLICY} does not satisfy: allow one of its licenses there (after review) or \
                 drop the dependency"
            )),
            Ok(license) => passing.push(license),
        }
    }
    for name in &allow {
        let rest: Vec<&str> = allow.iter().copied().filter(|a| a != name).collect();
        if passing.iter().all(|l| l.is_satisfied_by(&rest)) {
            problems.push(format!(
                "`{name}` is in `licenses.allow` of {POLICY}, but no package needs it: remove it"
            ));
        }
    }
    problems
}

/// Returns each crate in more than one version whose versions but one are not all in `skip`,
/// and each `skip` entry no such crate needs.
fn duplicate_problems(packages: &[Package], skip: &[(String, String)]) -> Vec<String> {
    // Build metadata (`+spec-1.1.0`) does not tell versions apart, as in semver.
    let same = |a: &str, b: &str| a.split('+').next() == b.split('+').next();
    let mut versions: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in packages {
        versions.entry(&p.name).or_default().push(&p.version);
    }
    let skipped =
        |name: &str, version: &str| skip.iter().any(|(n, v)| n == name && same(v, version));
    let mut problems = Vec::new();
    for (name, all) in versions.iter().filter(|(_, all)| all.len() > 1) {
        let kept = all.iter().filter(|v| !skipped(name, v)).count();
        if kept != 1 {
            problems.push(format!(
                "`{name}` is in the dependency tree at versions {}: list all but one of them \
                 (not all) in `bans.skip` of {POLICY}, each with the reason it stays, or bring \
                 them to one version",
                all.join(", ")
            ));
        }
    }
    for (name, version) in skip {
        let present = versions.get(name.as_str()).cloned().unwrap_or_default();
        if present.len() < 2 || !present.iter().any(|v| same(v, version)) {
            let found = match present.as_slice() {
                [] => "no version of it".to_string(),
                _ => format!("`{name}` at {} only", present.join(", ")),
            };
            problems.push(format!(
                "`bans.skip` of {POLICY} lists `{name}@{version}`, but the dependency tree has \
                 {found}: remove the entry"
            ));
        }
    }
    problems
}

#[test]
fn the_dependency_tree_follows_the_license_and_duplicate_policy() {
    let path = tests::repo_root().join(POLICY);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{POLICY}: cannot read it: {e}"));
    let policy = read_policy(&text).unwrap_or_else(|e| panic!("{e}"));
    let packages = packages_of(&cargo_metadata(&["--all-features"]));
    // The walk found the tree at all.
    assert!(packages.iter().any(|p| p.name == "serde"), "{packages:?}");
    let mut problems = license_problems(&packages, &policy.allow);
    problems.extend(duplicate_problems(&packages, &policy.skip));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tidy_reads_the_policy_file() {
    let settings = "[graph]\nall-features = true\n[bans]\nmultiple-versions = \"deny\"\n\
                    multiple-versions-include-dev = true\n";
    let licenses = "[licenses]\nallow = []\n";
    let policy = read_policy(&format!(
        "{settings}skip = [{{ crate = \"syn@=2.0.1\", reason = \"r\" }},\n\
         {{ crate = \"toml@1.2.2+spec-1.1.0\", reason = \"r\" }}]\n\
         [licenses]\nallow = [\"MIT\"]\n"
    ));
    assert_eq!(
        policy,
        Ok(Policy {
            allow: vec!["MIT".into()],
            skip: vec![
                ("syn".into(), "2.0.1".into()),
                ("toml".into(), "1.2.2+spec-1.1.0".into()),
            ],
        })
    );
    for (text, error) in [
        (licenses, "`graph.all-features` must be true"),
        (
            &format!("{settings}skip-tree = []\n{licenses}"),
            "`bans.skip-tree`: tidy reads only `bans.skip`",
        ),
        (
            &format!("{settings}[licenses]\n"),
            "`licenses.allow`: expected",
        ),
        (
            &format!("{settings}skip = [\"syn@2.0.1\"]\n{licenses}"),
            "`bans.skip[0]`: expected { crate",
        ),
        (
            &format!("{settings}skip = [{{ crate = \"syn@2.0.1\", reason = \" \" }}]\n{licenses}"),
            "`bans.skip[0]`: `syn@2.0.1` needs a reason",
        ),
        (
            &format!("{settings}skip = [{{ crate = \"syn@>=2\", reason = \"r\" }}]\n{licenses}"),
            "`bans.skip[0]`: expected `crate = \"name@version\"` with one exact version, \
             found `syn@>=2`",
        ),
        (
            &format!("{settings}skip = [{{ crate = \"syn\", reason = \"r\" }}]\n{licenses}"),
            "found `syn`",
        ),
    ] {
        let got = read_policy(text);
        assert!(
            got.as_ref()
                .is_err_and(|e| e.starts_with(POLICY) && e.contains(error)),
            "{text}\n---\n{got:?}"
        );
    }
}

/// Returns a package for the checks' tests.
fn package(name: &str, version: &str, license: Option<&str>) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        license: license.map(str::to_string),
    }
}

/// Asserts that `problems` are, in order, messages that start with `starts` and name the policy.
fn assert_problems(problems: &[String], starts: &[&str]) {
    assert_eq!(problems.len(), starts.len(), "{problems:#?}");
    for (problem, start) in problems.iter().zip(starts) {
        assert!(
            problem.starts_with(start) && problem.contains(POLICY),
            "{problem}\ndoes not start with\n{start}"
        );
    }
}

#[test]
fn tidy_catches_licenses_the_policy_does_not_allow() {
    let packages = [
        package("a", "1.0.0", Some("MIT")),
        package(
            "b",
            "2.0.0",
            Some("GPL-3.0-only OR Zlib WITH LLVM-exception"),
        ),
        package("c", "0.1.0", None),
        package("d", "1.0.0", Some("MIT OR")),
        package("e", "1.0.0", Some("Apache-2.0 OR MIT")),
    ];
    let allow = ["MIT".to_string(), "Zlib".into(), "Apache-2.0".into()];
    assert_problems(
        &license_problems(&packages, &allow),
        &[
            "`b` 2.0.0 is licensed `GPL-3.0-only OR Zlib WITH LLVM-exception`, which \
             `licenses.allow` in .ci/deny.toml does not satisfy",
            "`c` 0.1.0 declares no license",
            "`d` 1.0.0 has the license `MIT OR`, which does not read as an SPDX expression",
            "`Zlib` is in `licenses.allow` of .ci/deny.toml, but no package needs it",
            "`Apache-2.0` is in `licenses.allow` of .ci/deny.toml, but no package needs it",
        ],
    );
    // Each allowed license is needed: `Apache-2.0` by `f` alone.
    let packages = [&packages[..1], &[package("f", "1.0.0", Some("Apache-2.0"))]].concat();
    let allow = ["MIT".to_string(), "Apache-2.0".into()];
    assert_problems(&license_problems(&packages, &allow), &[]);
}

#[test]
fn tidy_catches_unlisted_duplicates_and_stale_skip_entries() {
    let packages = [
        package("bitflags", "1.3.2", None),
        package("bitflags", "2.0.0", None),
        package("syn", "2.0.1", None),
        package("syn", "3.0.0", None),
        package("toml", "0.9.0", None),
        package("toml", "1.2.2+spec-1.1.0", None),
        package("x", "1.0.0", None),
        package("x", "2.0.0", None),
        package("one", "1.0.0", None),
    ];
    let skip = |entries: &[(&str, &str)]| -> Vec<(String, String)> {
        entries
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    let listed = [("bitflags", "1.3.2"), ("toml", "1.2.2")];
    assert_problems(
        &duplicate_problems(
            &packages,
            &skip(&[listed[0], listed[1], ("x", "1.0.0"), ("syn", "2.0.1")]),
        ),
        &[],
    );
    assert_problems(
        &duplicate_problems(
            &packages,
            &skip(&[
                listed[0],
                listed[1],
                ("x", "1.0.0"),
                ("x", "2.0.0"),
                ("syn", "1.0.0"),
                ("one", "1.0.0"),
                ("gone", "0.1.0"),
            ]),
        ),
        &[
            "`syn` is in the dependency tree at versions 2.0.1, 3.0.0: list all but one",
            "`x` is in the dependency tree at versions 1.0.0, 2.0.0: list all but one",
            "`bans.skip` of .ci/deny.toml lists `syn@1.0.0`, but the dependency tree has `syn` \
             at 2.0.1, 3.0.0 only",
            "`bans.skip` of .ci/deny.toml lists `one@1.0.0`, but the dependency tree has `one` \
             at 1.0.0 only",
            "`bans.skip` of .ci/deny.toml lists `gone@0.1.0`, but the dependency tree has no \
             version of it",
        ],
    );
}

#[test]
fn tidy_walks_only_the_edges_a_build_takes() {
    /// Returns a dependency declaration of `cargo metadata`'s packages.
    fn dependency(name: &str, optional: bool, rename: Option<&str>) -> Value {
        serde_json::json!({ "name": name, "optional": optional, "rename": rename })
    }
    let package = |name: &str, dependencies: Vec<Value>| {
        serde_json::json!({ "id": name, "name": name, "version": "1.0.0", "license": "MIT",
                            "dependencies": dependencies, "features": {} })
    };
    let leaf = |name: &str| package(name, Vec::new());
    let w_deps: Vec<_> = [
        "kept", "off", "by-dep", "implicit", "by-slash", "weak", "renamed", "dev",
    ]
    .map(|d| serde_json::json!({ "pkg": d }))
    .to_vec();
    let meta = serde_json::json!({
        "workspace_members": ["w"],
        "packages": [
            { "id": "w", "name": "w", "version": "0.0.0", "license": "MIT",
              "dependencies": [
                  dependency("kept", false, None),
                  dependency("off", true, None),
                  dependency("by-dep", true, None),
                  dependency("implicit", true, None),
                  dependency("by-slash", true, None),
                  dependency("weak", true, None),
                  dependency("renamed", true, Some("other")),
                  // Optional as a normal dependency, not as a dev-dependency.
                  dependency("dev", true, None),
                  dependency("dev", false, None),
              ],
              "features": { "a": ["dep:by-dep"], "b": ["by-slash/x"], "c": ["weak?/x"],
                            "d": ["dep:other"] } },
            // What `off` would bring in.
            package("off", vec![dependency("behind-off", false, None)]),
            leaf("kept"), leaf("by-dep"), leaf("implicit"), leaf("by-slash"),
            leaf("weak"), leaf("renamed"), leaf("dev"), leaf("behind-off"),
        ],
        "resolve": { "nodes": [
            { "id": "w", "features": ["a", "b", "c", "d", "implicit"],
              "deps": w_deps },
            { "id": "off", "features": [], "deps": [{ "pkg": "behind-off" }] },
            { "id": "kept", "features": [], "deps": [] },
            { "id": "by-dep", "features": [], "deps": [] },
            { "id": "implicit", "features": [], "deps": [] },
            { "id": "by-slash", "features": [], "deps": [] },
            { "id": "weak", "features": [], "deps": [] },
            { "id": "renamed", "features": [], "deps": [] },
            { "id": "dev", "features": [], "deps": [] },
            { "id": "behind-off", "features": [], "deps": [] },
        ] },
    });
    let names: Vec<String> = packages_of(&meta).into_iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        ["by-dep", "by-slash", "dev", "implicit", "kept", "renamed", "w"]
    );
}
