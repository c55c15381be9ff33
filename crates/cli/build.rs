//! Names the commit the `sweep` binary is built from, for `sweep --version` and the version a
//! run records (`probe::sweep_version`).
//!
//! It sets `SWEEP_BUILD_COMMIT` to the short hash of the git checkout that tracks this crate, or
//! to nothing where there is none: a source tarball, `git` missing, or the sources lying
//! untracked inside some other repository. A packager who knows the commit may set
//! `SWEEP_BUILD_COMMIT` for the build instead.
//!
//! The script reruns when the checkout's `HEAD`, the branch it names or the packed refs change,
//! and only then, so the hash follows commits and checkouts (in a linked worktree too, whose
//! `.git` is a file: git itself says where each of these lives). Whether the tree has
//! uncommitted changes is deliberately left out: knowing it would mean rerunning, and so
//! relinking the binary, on every edit of any crate, and watching the index would too, since
//! `git status` rewrites it. Only paths that exist are watched, since cargo reruns a script
//! whose watched path is missing on every build.

use std::path::{Path, PathBuf};

/// The `git` runner `probe` uses too.
#[path = "src/git.rs"]
mod shared;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/git.rs");
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
    println!("cargo:rustc-env=SWEEP_BUILD_COMMIT={commit}");
}

/// Returns the short hash of the commit checked out where `dir` lies, after telling cargo to
/// rerun when it may change; `None` when git is missing or does not track `dir`'s sources.
fn git_commit(dir: &Path) -> Option<String> {
    // Sources extracted inside an unrelated repository are not that repository's commit.
    git(dir, &["ls-files", "--error-unmatch", "--", "Cargo.toml"])?;
    let commit = git(dir, &["rev-parse", "--short", "HEAD"])?;
    let mut watched = vec![git_path(dir, "HEAD")?];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        // The loose ref, or for a packed branch the nearest folder of refs above where git
        // writes one when a commit lands on it (never the git folder itself, which `git
        // status` touches).
        let refs = git_path(dir, "refs")?;
        let mut at = git_path(dir, &branch)?;
        while !at.exists() && at != refs && at.starts_with(&refs) {
            at.pop();
        }
        watched.push(at);
    }
    for other in ["packed-refs", "reftable"] {
        watched.extend(git_path(dir, other));
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    is_commit_name(&commit).then_some(commit)
}

/// Returns where git keeps `name` (`HEAD`, `refs/heads/main`, `packed-refs`) for the checkout
/// that holds `dir`: in a linked worktree, `HEAD` is the worktree's own and the refs are shared.
fn git_path(dir: &Path, name: &str) -> Option<PathBuf> {
    git(dir, &["rev-parse", "--git-path", name]).map(|p| dir.join(p))
}

/// Runs `git ARGS` in `dir` and returns its output, trimmed; `None` when it cannot start or
/// fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    shared::git(dir, args).map(|s| s.trim().to_string())
}

/// Returns whether `text` may stand in the version as a commit: non-empty, at most 64 letters,
/// digits, `.`, `-` or `_`.
fn is_commit_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}
