//! Tidy: the architecture rules of ARCHITECTURE.md and STYLE.md, enforced by `cargo test`.
//!
//! Dependency rules come from `cargo metadata`; source rules from reading the files. The rules on
//! shipped code read each crate as a build does: from its targets' root files (`cargo metadata`)
//! along its `mod` declarations, leaving out what is compiled only for tests (an item under
//! `#[cfg(test)]`, an inline `mod tests { .. }`, the file of a `#[cfg(test)] mod x;` and its
//! children). A file's name says nothing: a `tests.rs` declared without `#[cfg(test)]` ships.
//! The reader is a small tokenizer (strings, chars, lifetimes and comments are not code), not a
//! Rust parser; a `#[cfg(test)]` item whose end it cannot tell is reported rather than guessed.
//!
//! The modules, by concept: `tokens` splits Rust source into tokens, `source` reads one file
//! (its shipped code and its `mod` declarations), `workspace` walks each crate's module tree,
//! `paths` reads the paths a file's code names (through its `use` groups, renames and globs),
//! `dependencies` checks the crate graph, `house_rules` checks the shipped code, `determinism`
//! holds the pure crates to their seeds and the others to ordered maps, `read_only` keeps the
//! dashboard's hands off the store's writers, and `supply_chain` holds the dependency tree to
//! the license and duplicate-version policy of `.ci/deny.toml`, reading license expressions
//! with `spdx`.

mod dependencies;
mod determinism;
mod house_rules;
mod paths;
mod read_only;
mod source;
mod spdx;
mod supply_chain;
mod tokens;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::Command;

use tests::repo_root;

/// Returns `cargo metadata` for the workspace's own packages.
fn metadata() -> serde_json::Value {
    cargo_metadata(&["--no-deps"])
}

/// Returns `cargo metadata` (format 1, offline) with the `extra` arguments.
fn cargo_metadata(extra: &[&str]) -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(extra)
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Collects the `.rs` files under `dir` (leaving out `target` folders) into `out`.
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

/// Returns `path` relative to the repository root, for messages.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Returns the 1-based line of byte `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
