//! Names the commit the `sweep` binary is built from, for `sweep --version` and the version a
//! run records (`probe::sweep_version`).
//!
//! It sets `SWEEP_BUILD_NAME` to the crate's version and the short hash of the git checkout that
//! tracks this crate (`0.1.0 (85ec1f4)`), or to the version alone where there is none: a source
//! tarball, `git` missing, or the sources lying untracked inside some other repository. A
//! packager who knows the commit may set `SWEEP_BUILD_COMMIT` for the build instead.
//!
//! The script reruns when the checkout's `HEAD`, the branch it names or the packed refs change,
//! so the hash follows commits and checkouts (in a linked worktree too, whose `.git` is a file:
//! git itself says where each of these lives). Whether the tree has uncommitted changes is
//! deliberately left out: knowing it would mean rerunning, and so relinking the binary, on every
//! edit of any crate, and watching the index would too, since `git status` rewrites it. It
//! watches only paths that exist (`src/build_name.rs` chooses them), since cargo reruns a
//! script on every build while a watched path is missing: an unborn branch is watched at the
//! folder of refs its first commit writes to, and a checkout git refuses at its `.git`; a
//! `.git` that appears where none was (a source tarball later `git init`-ed) is seen once
//! `build.rs` or `SWEEP_BUILD_COMMIT` changes, or after `cargo clean -p cli`.

use std::path::{Path, PathBuf};

/// The `git` runner `probe` uses too; what only `probe` asks of it (`head`, and the
/// `NoCommitYet` it tells) goes unused here.
#[path = "src/git.rs"]
#[allow(dead_code)]
mod shared;

/// What to ask git and what to watch, unit-tested in the crate.
#[path = "src/build_name.rs"]
mod build_name;

use build_name::is_commit_name;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/git.rs");
    println!("cargo:rerun-if-changed=src/build_name.rs");
    println!("cargo:rerun-if-env-changed=SWEEP_BUILD_COMMIT");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = match std::env::var("SWEEP_BUILD_COMMIT") {
        Ok(given) if is_commit_name(given.trim()) => given.trim().to_string(),
        Ok(given) if !given.trim().is_empty() => {
            println!(
                "cargo:warning=SWEEP_BUILD_COMMIT `{given}` is no commit name (letters, digits, \
                 `.`, `-` or `_`); the build names no commit"
            );
            String::new()
        }
        _ => git_commit(&dir).unwrap_or_default(),
    };
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!(
        "cargo:rustc-env=SWEEP_BUILD_NAME={}",
        build_name::name(&version, &commit)
    );
}

/// Returns the short hash of the commit checked out where `dir` lies, after telling cargo what
/// to watch for it; `None` when git is missing or does not track `dir`'s sources.
fn git_commit(dir: &Path) -> Option<String> {
    let found = build_name::find(dir, &|args| shared::git(dir, args), &|p| p.exists());
    for path in &found.watched {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    found.commit
}
