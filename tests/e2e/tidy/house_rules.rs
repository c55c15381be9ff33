//! The house rules on source files: module docs, no `should_panic` or `ignore`, pure crates that
//! read no IO or clock (their global RNG is `determinism`'s), and only `cli` reading the
//! environment.

use tests::repo_root;

use super::paths::{mentions, named_paths, under};
use super::workspace::{workspace, workspace_of, Workspace};
use super::{line_of, relative, rust_files};

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
        let rel = relative(&root, file);
        if !text.starts_with("//!") {
            problems.push(format!("{rel}: does not start with a `//!` module doc"));
        }
        if text.contains(&should_panic) || text.contains(&ignore) {
            problems.push(format!("{rel}: uses should_panic or ignore"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What the pure crates' shipped code may not name: the filesystem, the environment, the clock.
/// A `std::` path is held to its crate (`std::fs`, also as `use std::{fs}` or `::std::fs`); a
/// name without one (`SystemTime`, `Instant::now`) is banned whatever its crate, as a `use`
/// renames it or a glob brings it in. (Global random state is `determinism`'s rule.)
const IMPURE: [&str; 5] = [
    "std::fs",
    "std::env",
    "SystemTime",
    "UNIX_EPOCH",
    "Instant::now",
];

/// Returns whether `meaning`, a path the code may name, is the `IMPURE` name `banned`.
fn is_impure(meaning: &str, banned: &str) -> bool {
    if banned.starts_with("std::") {
        under(meaning, banned)
    } else {
        mentions(meaning, banned)
    }
}

/// Returns each use of an `IMPURE` name in the pure crates' (`experiment`, `search`) shipped
/// code, as `file:line: what`.
fn impure_uses(workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if !super::dependencies::PURE.contains(&package) {
            continue;
        }
        for named in named_paths(code) {
            for banned in IMPURE {
                if named.meanings.iter().any(|m| is_impure(m, banned)) {
                    problems.push(format!(
                        "{rel}:{}: shipped code of the pure crate `{package}` uses `{banned}`{}",
                        line_of(code, named.at),
                        named.written_as(banned)
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn pure_crates_read_no_io_or_clock() {
    let problems = impure_uses(&workspace());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Returns where `code` first names `std::env` (the environment, argv, the temp folder), if it
/// does: as a path (`std::env::var`, `::std::env`), in a `use` (`use std::{env as e};`) or
/// through one (`use std as s; s::env::var(..)`).
fn std_env_at(code: &str) -> Option<usize> {
    named_paths(code)
        .into_iter()
        .find(|n| n.meanings.iter().any(|m| under(m, "std::env")))
        .map(|n| n.at)
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
        ("fn f() { ::std::env::var(\"X\"); }", true),
        ("use std as s;\nfn f() { s::env::args(); }", true),
        ("use std::env::{self as e};", true),
        ("use std::{fs, io::{self, Read}};", false),
        ("// std::env::var\nconst S: &str = \"std::env\";", false),
        ("use std::{self as s}; // not s::env", false),
        ("const V: &str = env!(\"CARGO_PKG_VERSION\");", false),
        ("let environment = spec.env();", false),
    ] {
        assert_eq!(std_env_at(code).is_some(), named, "{code}");
    }
    let problems = env_uses(&workspace());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Returns each shipped file of a crate other than `cli` that names `std::env`, as
/// `file:line: what`. Benchmarks and tests are not walked: they may (a child process's marker,
/// the test binary's path).
fn env_uses(workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if package == "cli" {
            continue;
        }
        if let Some(at) = std_env_at(code) {
            problems.push(format!(
                "{rel}:{}: uses `std::env` (only `cli` reads the environment; take the value \
                 from the caller)",
                line_of(code, at)
            ));
        }
    }
    problems
}

#[test]
fn tidy_checks_the_shipped_code_past_test_modules() {
    // The holes tidy had: shipped code after a `#[cfg(test)] mod testing;` declaration, and a
    // shipped file named like a test module. Test files may do as they like.
    let files = [
        (
            "p/src/lib.rs",
            "//! Docs.\n#[cfg(test)]\nmod testing;\nmod tests;\n\
             pub fn sampler_of() { let _ = std::fs::read(\"x\"); }\n",
        ),
        (
            "p/src/tests.rs",
            "//! Docs.\nuse std::{env, time::SystemTime};\n",
        ),
        (
            "p/src/testing.rs",
            "//! Docs.\nfn f() { std::fs::read(std::env::var(\"X\")); }\n",
        ),
    ];
    assert_eq!(
        impure_uses(&workspace_of("search", &files)),
        [
            "p/src/lib.rs:5: shipped code of the pure crate `search` uses `std::fs`",
            "p/src/tests.rs:2: shipped code of the pure crate `search` uses `std::env`",
            "p/src/tests.rs:2: shipped code of the pure crate `search` uses `SystemTime`",
        ]
    );
    assert_eq!(impure_uses(&workspace_of("store", &files)), [""; 0]);
    let env = env_uses(&workspace_of("runner", &files));
    assert_eq!(env.len(), 1, "{env:?}");
    assert!(
        env[0].starts_with("p/src/tests.rs:2: uses `std::env`"),
        "{env:?}"
    );
    assert_eq!(env_uses(&workspace_of("cli", &files)), [""; 0]);
}

#[test]
fn tidy_catches_each_form_of_an_impure_path() {
    // Groups, nested groups, renames (of the item, of `self`, of `std`), a leading `::`, a
    // qualified path and a glob; and names in comments and strings, which are not paths.
    let files = [(
        "p/src/lib.rs",
        "//! Not std::fs in a comment, nor `Instant::now`.\n\
         use std::{fs, io};\n\
         use std::{fs::File};\n\
         use std::time::{Duration, Instant as T};\n\
         fn a() -> T { T::now() }\n\
         use std::fs as f;\n\
         fn b() { f::read(\"x\"); }\n\
         fn c() { let _ = ::std::fs::read(\"x\"); return ::std::fs::read(\"y\"); }\n\
         use std::{io::Read, fs::{self as disk}};\n\
         fn d() { disk::read(\"x\"); }\n\
         use std as s;\n\
         fn e() { s::env::var(\"X\"); }\n\
         use std::time::*;\n\
         fn g() { Instant::now(); UNIX_EPOCH.elapsed(); }\n\
         fn h() -> T { return <std::time::Instant>::now(); }\n\
         use std::time::SystemTime as Clock;\n\
         fn i() { Clock::now(); }\n\
         const KEPT: &str = \"std::fs::read SystemTime::now\";\n\
         fn j(spec: &Spec, t: T) -> Duration { spec.env(); env!(\"X\"); t.elapsed() }\n",
    )];
    let of = |line: u8, what: &str| {
        format!("p/src/lib.rs:{line}: shipped code of the pure crate `search` uses `{what}`")
    };
    assert_eq!(
        impure_uses(&workspace_of("search", &files)),
        [
            of(2, "std::fs"),
            of(3, "std::fs"),
            of(5, "Instant::now` as `T::now"),
            of(6, "std::fs"),
            of(7, "std::fs` as `f::read"),
            of(8, "std::fs"),
            of(8, "std::fs"),
            of(9, "std::fs"),
            of(10, "std::fs` as `disk::read"),
            of(12, "std::env` as `s::env::var"),
            of(14, "Instant::now"),
            of(14, "UNIX_EPOCH"),
            of(15, "Instant::now"),
            of(16, "SystemTime"),
            of(17, "SystemTime` as `Clock::now"),
        ]
    );
    assert_eq!(impure_uses(&workspace_of("store", &files)), [""; 0]);
}
