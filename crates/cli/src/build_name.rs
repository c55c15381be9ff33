//! Decides the commit the build names and the paths cargo watches for it, as functions of a
//! `git` runner, so that the choice is unit-tested here: `build.rs` includes this file by path
//! (a build script cannot use the crate it builds), and the crate compiles it only for its
//! tests.

use std::path::{Path, PathBuf};

/// What the build learned from git about the checkout that holds the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The short hash of the commit checked out, when git names one for these sources.
    pub(crate) commit: Option<String>,
    /// The paths whose change may change `commit`, for `cargo:rerun-if-changed`.
    pub(crate) watched: Vec<PathBuf>,
}

/// Asks git (through `git`, which runs `git ARGS` in `dir` and returns its output, `None` when
/// it fails) for the commit checked out where `dir` lies, and which paths to watch for it;
/// `exists` says whether a path exists.
pub(crate) fn find(
    dir: &Path,
    git: &dyn Fn(&[&str]) -> Option<String>,
    exists: &dyn Fn(&Path) -> bool,
) -> Found {
    let nothing = Found {
        commit: None,
        watched: Vec::new(),
    };
    let ask = |args: &[&str]| git(args).map(|s| s.trim().to_string());
    let git_path = |name: &str| ask(&["rev-parse", "--git-path", name]).map(|p| dir.join(p));
    // Sources extracted inside an unrelated repository are not that repository's commit.
    if ask(&["ls-files", "--error-unmatch", "--", "Cargo.toml"]).is_none() {
        return nothing;
    }
    let Some(commit) = ask(&["rev-parse", "--short", "HEAD"]) else {
        return nothing;
    };
    let Some(head) = git_path("HEAD") else {
        return nothing;
    };
    let mut watched = vec![head];
    if let Some(branch) = ask(&["symbolic-ref", "-q", "HEAD"]) {
        // The loose ref, or for a packed branch the nearest folder of refs above where git
        // writes one when a commit lands on it (never the git folder itself, which `git
        // status` touches).
        let Some(refs) = git_path("refs") else {
            return nothing;
        };
        let Some(mut at) = git_path(&branch) else {
            return nothing;
        };
        while !exists(&at) && at != refs && at.starts_with(&refs) {
            at.pop();
        }
        watched.push(at);
    }
    for other in ["packed-refs", "reftable"] {
        watched.extend(git_path(other));
    }
    watched.retain(|p| exists(p));
    Found {
        commit: is_commit_name(&commit).then_some(commit),
        watched,
    }
}

/// Returns whether `text` may stand in the version as a commit: non-empty, at most 64 letters,
/// digits, `.`, `-` or `_`.
pub(crate) fn is_commit_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::BTreeMap;

    /// Runs `find` for `dir` against a git that answers `answers` (arguments joined by spaces,
    /// anything else fails) in a tree where only `present` exists.
    fn found(dir: &str, answers: &[(&str, &str)], present: &[&str]) -> Found {
        let answers: BTreeMap<String, String> = answers
            .iter()
            .map(|(a, b)| (a.to_string(), format!("{b}\n")))
            .collect();
        let git = |args: &[&str]| answers.get(&args.join(" ")).cloned();
        let exists = |p: &Path| present.iter().any(|q| Path::new(q) == p);
        find(Path::new(dir), &git, &exists)
    }

    /// What git answers in `/x/crates/cli` of a checkout at `/x` whose `main` is loose.
    const CHECKOUT: &[(&str, &str)] = &[
        ("ls-files --error-unmatch -- Cargo.toml", "Cargo.toml"),
        ("rev-parse --short HEAD", "85ec1f4"),
        ("rev-parse --git-path HEAD", "../../.git/HEAD"),
        ("rev-parse --git-path refs", "../../.git/refs"),
        (
            "rev-parse --git-path refs/heads/main",
            "../../.git/refs/heads/main",
        ),
        ("rev-parse --git-path packed-refs", "../../.git/packed-refs"),
        ("rev-parse --git-path reftable", "../../.git/reftable"),
        ("symbolic-ref -q HEAD", "refs/heads/main"),
    ];

    #[test]
    fn a_checkout_names_its_commit_and_watches_head_and_the_branch_that_exist() {
        let dir = "/x/crates/cli";
        let at = |p: &str| PathBuf::from(dir).join(p);
        let present = [
            "/x/crates/cli/../../.git/HEAD",
            "/x/crates/cli/../../.git/refs",
            "/x/crates/cli/../../.git/refs/heads",
            "/x/crates/cli/../../.git/refs/heads/main",
        ];
        assert_eq!(
            found(dir, CHECKOUT, &present),
            Found {
                commit: Some("85ec1f4".to_string()),
                watched: vec![at("../../.git/HEAD"), at("../../.git/refs/heads/main")],
            }
        );
        // A packed branch: the folder of refs where its loose ref would be written.
        let packed = [
            present[0],
            present[1],
            present[2],
            "/x/crates/cli/../../.git/packed-refs",
        ];
        assert_eq!(
            found(dir, CHECKOUT, &packed).watched,
            vec![
                at("../../.git/HEAD"),
                at("../../.git/refs/heads"),
                at("../../.git/packed-refs")
            ]
        );
    }

    #[test]
    fn a_commit_name_is_letters_digits_dots_dashes_and_underscores() {
        for good in ["85ec1f4", "v0.1.0-rc_1"] {
            assert!(is_commit_name(good), "{good}");
        }
        for bad in ["", "a b", "85ec1f4)", &"a".repeat(65)] {
            assert!(!is_commit_name(bad), "{bad}");
        }
    }
}
