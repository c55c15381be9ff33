//! The house rules on source files: module docs, no `should_panic` or `ignore`, pure crates that
//! read no IO or clock (their global RNG is `determinism`'s), and only `cli` reading the
//! environment.

use tests::repo_root;

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

/// What the pure crates' shipped code may not name: IO, the environment, the clock. (Global
/// random state is `determinism`'s rule.)
const IMPURE: [&str; 4] = ["std::fs", "std::env", "SystemTime", "Instant::now"];

/// Returns each use of an `IMPURE` name in the pure crates' (`experiment`, `search`) shipped
/// code, as `file:line: what`.
fn impure_uses(workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if !matches!(package, "experiment" | "search") {
            continue;
        }
        for banned in IMPURE {
            for (at, _) in code.match_indices(banned) {
                problems.push(format!(
                    "{rel}:{}: shipped code of the pure crate `{package}` uses `{banned}`",
                    line_of(code, at)
                ));
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

/// Returns where `code` names `std::env` (the environment, argv, the temp folder), if it does:
/// as a path (`std::env::var`, `use std::env;`) or as an item of a grouped `use std::{..}`.
fn std_env_at(code: &str) -> Option<usize> {
    if let Some(at) = code.find("std::env") {
        return Some(at);
    }
    let mut from = 0;
    while let Some(at) = code[from..].find("std::{").map(|i| from + i) {
        let group = &code[at + "std::{".len()..];
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
            return Some(at);
        }
        from = at + "std::{".len();
    }
    None
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
