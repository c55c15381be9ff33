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
///
/// cargo reruns a build script when a watched path changes, and on every build while one is
/// missing, which would rebuild this crate on every build of a source tarball. So only paths
/// that exist are watched: the checkout's `HEAD`, its branch's ref (or, for a packed or unborn
/// branch, the nearest folder of refs above where git writes it, so an unborn branch's first
/// commit is picked up) and the packed refs; for sources a checkout does not track, that
/// checkout's `HEAD` and refs, and any `.git` of their own between `dir` and its top; where git
/// finds no checkout it will use (git missing, or refusing another user's checkout), the
/// nearest `.git` at or above `dir`, which git writes in once it may use it. A `.git` that
/// appears later where none was (a source tarball `git init`-ed) is not seen until `build.rs`
/// or `SWEEP_BUILD_COMMIT` changes, or `cargo clean -p cli`: the price of not rebuilding every
/// tarball build.
pub(crate) fn find(
    dir: &Path,
    git: &dyn Fn(&[&str]) -> Option<String>,
    exists: &dyn Fn(&Path) -> bool,
) -> Found {
    let ask = |args: &[&str]| git(args).map(|s| s.trim().to_string());
    let git_path = |name: &str| ask(&["rev-parse", "--git-path", name]).map(|p| dir.join(p));
    let Some(head) = git_path("HEAD") else {
        let mut watched = Vec::new();
        if let Some(at) = dir
            .ancestors()
            .map(|folder| folder.join(".git"))
            .find(|at| exists(at))
        {
            watched.push(at);
        }
        return Found {
            commit: None,
            watched,
        };
    };
    let mut watched = vec![head];
    if let Some(branch) = ask(&["symbolic-ref", "-q", "HEAD"]) {
        // The loose ref, or for a packed (or unborn) branch the nearest folder of refs above
        // where git writes one when a commit lands on it (never the git folder itself, which
        // `git status` touches).
        if let (Some(refs), Some(mut at)) = (git_path("refs"), git_path(&branch)) {
            while !exists(&at) && at != refs && at.starts_with(&refs) {
                at.pop();
            }
            watched.push(at);
        }
    }
    for other in ["packed-refs", "reftable"] {
        watched.extend(git_path(other));
    }
    watched.retain(|p| exists(p));
    // Sources extracted inside an unrelated repository are not that repository's commit.
    if ask(&["ls-files", "--error-unmatch", "--", "Cargo.toml"]).is_none() {
        let top = ask(&["rev-parse", "--show-toplevel"]).map(PathBuf::from);
        let below = dir.ancestors().take_while(|f| Some(*f) != top.as_deref());
        watched.extend(below.map(|f| f.join(".git")).filter(|at| exists(at)));
        return Found {
            commit: None,
            watched,
        };
    }
    let commit = ask(&["rev-parse", "--short", "HEAD"]).filter(|c| is_commit_name(c));
    Found { commit, watched }
}

/// Returns a build's name from its version and commit (empty when unknown), as `sweep
/// --version` says it and a record keeps it: `0.1.0 (85ec1f4)`, or `0.1.0`.
pub(crate) fn name(version: &str, commit: &str) -> String {
    if commit.is_empty() {
        version.to_string()
    } else {
        format!("{version} ({commit})")
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
    fn an_unborn_branch_is_watched_where_its_first_commit_lands() {
        let dir = "/x/crates/cli";
        let at = |p: &str| PathBuf::from(dir).join(p);
        let unborn: Vec<_> = CHECKOUT
            .iter()
            .copied()
            .filter(|(args, _)| !args.starts_with("rev-parse --short"))
            .collect();
        let present = [
            "/x/crates/cli/../../.git/HEAD",
            "/x/crates/cli/../../.git/refs",
            "/x/crates/cli/../../.git/refs/heads",
        ];
        assert_eq!(
            found(dir, &unborn, &present),
            Found {
                commit: None,
                watched: vec![at("../../.git/HEAD"), at("../../.git/refs/heads")],
            }
        );
    }

    #[test]
    fn sources_a_checkout_does_not_track_watch_its_head_and_no_missing_path() {
        // Untracked in a checkout at `/x` (or not added yet): the checkout's `HEAD` moves when
        // they are committed; the missing `.git`s below its top are not watched, since cargo
        // would rerun the script on every build while they are missing.
        let untracked: Vec<_> = CHECKOUT
            .iter()
            .copied()
            .filter(|(args, _)| !args.starts_with("ls-files"))
            .chain([("rev-parse --show-toplevel", "/x")])
            .collect();
        let present = ["/x/sweep/crates/cli/../../.git/HEAD"];
        assert_eq!(
            found("/x/sweep/crates/cli", &untracked, &present),
            Found {
                commit: None,
                watched: vec![PathBuf::from("/x/sweep/crates/cli/../../.git/HEAD")],
            }
        );
    }

    #[test]
    fn without_a_checkout_git_uses_only_an_existing_git_is_watched() {
        // A source tarball (no `.git` anywhere above), or git missing: nothing, so that a
        // tarball's builds do not rebuild this crate every time.
        assert_eq!(
            found("/x/crates/cli", &[], &[]),
            Found {
                commit: None,
                watched: Vec::new(),
            }
        );
        // A checkout git refuses (another user's, not marked safe): its `.git`, which git
        // writes in once it may use it (the index, at the next `git status`).
        assert_eq!(
            found("/x/crates/cli", &[], &["/x/.git"]).watched,
            vec![PathBuf::from("/x/.git")]
        );
    }

    #[test]
    fn a_real_checkout_is_named_from_its_first_commit_on() {
        let top = tempfile::tempdir().expect("a temporary folder");
        let dir = top.path().join("crates").join("cli");
        std::fs::create_dir_all(&dir).expect("the crate's folder");
        std::fs::write(dir.join("Cargo.toml"), "").expect("a manifest");
        let git = |args: &[&str]| crate::git::git(&dir, args);
        let exists = |p: &Path| p.exists();
        // The repository is set up apart from the developer's git configuration (loose refs
        // whatever `init.defaultRefFormat`, no signing whatever `commit.gpgsign`); `find` asks
        // git as the build does.
        crate::git::isolated(top.path(), &["init", "-q"]);
        let unborn = find(&dir, &git, &exists);
        assert_eq!(unborn.commit, None);
        let heads = dir.join("../../.git/refs/heads");
        assert!(unborn.watched.contains(&heads), "{unborn:?}");
        crate::git::isolated(&dir, &["add", "Cargo.toml"]);
        let commit = [
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "first",
        ];
        crate::git::isolated(&dir, &commit);
        let named = find(&dir, &git, &exists);
        assert!(named.commit.is_some(), "{named:?}");
        assert!(named.watched.iter().all(|p| p.exists()), "{named:?}");
    }

    #[test]
    fn a_build_is_named_by_its_version_and_commit() {
        assert_eq!(name("0.1.0", "85ec1f4"), "0.1.0 (85ec1f4)");
        assert_eq!(name("0.1.0", ""), "0.1.0");
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
