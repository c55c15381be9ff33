//! Runs `git`, for the reproducibility record (`probe`) and for the build's name (`build.rs`,
//! which includes this file by path, since a build script cannot use the crate it builds).
//!
//! A folder git gives no answer about is told apart by why (`GitFailure`): not inside a
//! checkout, git not to be run at all (not on `PATH`), git refusing the folder (a
//! repository of another owner: "dubious ownership"), a checkout with no commit yet, or one
//! whose `HEAD` git cannot read (`head`), so that a record without a commit does not blame the
//! folder for what was git's trouble, nor call a damaged repository a new one.
//!
//! `GitFailure` is git's side of `experiment::NoCommit`, the one reason that records,
//! baselines and messages keep and say (`probe` converts, one variant to one): this file names
//! no other crate, since `build.rs` includes it by path and a build script has none of the
//! crate's dependencies.

use std::io;
use std::path::Path;
use std::process::{Command, Output};

/// Why git gave no answer about a folder; said in words as `experiment::NoCommit`, the
/// variant of the same name but for `NotACheckout` (`OutsideCheckout`), `CannotRun`
/// (`GitNotRun`) and `Refused` (`GitRefused`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GitFailure {
    /// The folder lies outside every git checkout.
    NotACheckout,
    /// git could not be started (not on `PATH`, say): the system's reason.
    CannotRun(String),
    /// git ran and failed in the folder (a repository of another owner): git's message.
    Refused(String),
    /// The folder is in a checkout that has no commit yet (`git init`, nothing committed):
    /// `HEAD` names a branch that does not exist yet.
    NoCommitYet,
    /// The folder is in a checkout whose `HEAD` git cannot read (a branch whose ref holds no
    /// commit name): git's message.
    HeadUnreadable(String),
}

/// Runs `git ARGS` in `dir` and returns its standard output as it is; `None` when git cannot
/// start, fails, or writes what is not UTF-8 (`run` says which).
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    run(dir, args).ok()
}

/// Runs `git ARGS` in `dir` and returns its standard output as it is, or why there is none
/// (`answer`).
pub(crate) fn run(dir: &Path, args: &[&str]) -> Result<String, GitFailure> {
    answer(output(dir, args))
}

/// Runs `git ARGS` in `dir` and returns what it did: its exit status and both its outputs. It
/// takes no optional lock, so that asking never holds up (or rewrites the index under) a `git`
/// the user runs at the same time; its messages are in English (`LC_ALL=C`), which `answer`
/// and `head` read; and it traces nothing: every `GIT_TRACE*` variable (`GIT_TRACE`,
/// `GIT_TRACE2`, `GIT_TRACE_PERFORMANCE`, ...) is left out of its environment, since a trace
/// written to standard error would read as git's message (a fresh checkout's "no commit yet"
/// as "cannot read HEAD: 09:57:35.292339 git.c:479 trace: ...").
fn output(dir: &Path, args: &[&str]) -> io::Result<Output> {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GIT_TRACE") {
            command.env_remove(name);
        }
    }
    command.output()
}

/// Returns git's standard output from `output`, the result of running it, or why it gave
/// none: a process that did not start, git's "not a git repository", or any other failure
/// with git's message (its standard error on one line, without `fatal: `).
pub(crate) fn answer(output: io::Result<Output>) -> Result<String, GitFailure> {
    let out = output.map_err(|e| GitFailure::CannotRun(e.to_string()))?;
    if !out.status.success() {
        if String::from_utf8_lossy(&out.stderr).contains("not a git repository") {
            return Err(GitFailure::NotACheckout);
        }
        return Err(GitFailure::Refused(
            said(&out).unwrap_or_else(|| format!("it ended with {}", out.status)),
        ));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| GitFailure::Refused("its answer is not UTF-8".to_string()))
}

/// Returns git's standard error in `out` on one line, without `fatal: `; `None` when it wrote
/// nothing there.
fn said(out: &Output) -> Option<String> {
    let message = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| l.trim().trim_start_matches("fatal: "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Some(message).filter(|m| !m.is_empty())
}

/// Returns the commit `HEAD` names in the checkout holding `dir` (its full hash), or why there
/// is none: as `run` says; `GitFailure::NoCommitYet` where git finds the repository and `HEAD`
/// names a branch with nothing committed yet (`git init`, `git checkout --orphan`); and
/// `GitFailure::HeadUnreadable`, with git's message, where git finds the repository but cannot
/// read what `HEAD` names (a branch whose ref holds no commit name).
pub(crate) fn head(dir: &Path) -> Result<String, GitFailure> {
    // `--verify -q`: an unborn `HEAD` fails without a word, rather than with "ambiguous
    // argument 'HEAD'"; a folder git refuses or finds no repository for still fails as it says.
    // So does a damaged one, often: why is asked for then (`no_head`).
    head_of(run(dir, &["rev-parse", "--verify", "-q", "HEAD"]), || {
        no_head(dir)
    })
}

/// Returns `head`'s answer from `found`, git's answer about `HEAD`, asking `no_head` (why a
/// repository's `HEAD` names no commit, `None` where git finds no repository) only when git
/// refused it: the refusal stands where `no_head` has nothing to say.
fn head_of(
    found: Result<String, GitFailure>,
    no_head: impl FnOnce() -> Option<GitFailure>,
) -> Result<String, GitFailure> {
    match found {
        Ok(commit) => Ok(commit.trim().to_string()),
        Err(refused @ GitFailure::Refused(_)) => Err(no_head().unwrap_or(refused)),
        Err(failure) => Err(failure),
    }
}

/// Returns why `HEAD` names no commit in the repository holding `dir`, once `rev-parse
/// --verify HEAD` failed there; `None` where git finds no repository (or refuses it).
///
/// `HEAD` names a branch yet to be born when `git symbolic-ref` names a branch and git says
/// that branch does not exist: `git show-ref --exists` ends with 2 (git 2.43 and later; it
/// ends with 1 where it cannot look the ref up, as of a ref file holding garbage). An older
/// git, which does not know `--exists`, is asked `git for-each-ref`: the branch is yet to be
/// born where it lists no such ref and does not warn "ignoring broken ref". Anything else
/// (`HEAD` that names no branch, a branch that exists, a ref git cannot look up) is a `HEAD`
/// git cannot read, said with git's own words. Other words git writes to standard error (a
/// warning about the user's configuration, say) decide nothing. Rejected: `git show-ref
/// --verify`, which says "not a valid ref" alike of a branch that does not exist and of one
/// whose file holds garbage; and any word on `for-each-ref`'s standard error meaning a broken
/// ref, which made any warning of git's a `HEAD` it cannot read.
fn no_head(dir: &Path) -> Option<GitFailure> {
    run(dir, &["rev-parse", "--git-dir"]).ok()?;
    let unreadable = |message: Option<String>| {
        // git's word about `HEAD` itself, where the question that failed said nothing.
        let message = message
            .or_else(|| {
                output(dir, &["rev-parse", "--verify", "HEAD"])
                    .ok()
                    .and_then(|out| said(&out))
            })
            .unwrap_or_else(|| "git names no reason".to_string());
        GitFailure::HeadUnreadable(message)
    };
    let branch = match output(dir, &["symbolic-ref", "-q", "HEAD"]) {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        Ok(out) => return Some(unreadable(said(&out))),
        Err(e) => return Some(GitFailure::CannotRun(e.to_string())),
    };
    let exists = match output(dir, &["show-ref", "--exists", &branch]) {
        Ok(out) => out,
        Err(e) => return Some(GitFailure::CannotRun(e.to_string())),
    };
    match exists.status.code() {
        Some(2) => return Some(GitFailure::NoCommitYet),
        Some(0) => return Some(unreadable(None)),
        Some(1) => return Some(unreadable(said(&exists))),
        // An older git: "unknown option `exists'" (129), asked the older way.
        _ => {}
    }
    let listed = match output(dir, &["for-each-ref", "--format=%(refname)", &branch]) {
        Ok(out) => out,
        Err(e) => return Some(GitFailure::CannotRun(e.to_string())),
    };
    Some(unborn_or_unreadable(&branch, &listed).unwrap_or_else(unreadable))
}

/// Returns `GitFailure::NoCommitYet` where `listed`, what `git for-each-ref
/// --format=%(refname) BRANCH` did, says `branch` does not exist: it succeeded, listed no such
/// ref and did not warn "ignoring broken ref"; otherwise git's message, if it said one.
fn unborn_or_unreadable(branch: &str, listed: &Output) -> Result<GitFailure, Option<String>> {
    let exists = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .any(|l| l == branch);
    let broken = String::from_utf8_lossy(&listed.stderr).contains("ignoring broken ref");
    if listed.status.success() && !exists && !broken {
        Ok(GitFailure::NoCommitYet)
    } else {
        Err(said(listed))
    }
}

/// Runs `git ARGS` in `dir` as a test sets a repository up: apart from the developer's git
/// configuration (`GIT_CONFIG_GLOBAL=/dev/null`, `GIT_CONFIG_NOSYSTEM`, no
/// `GIT_DEFAULT_REF_FORMAT`, so `git init` makes loose ref files and `git commit` signs
/// nothing) and from any repository the tests run inside (no `GIT_DIR`, `GIT_WORK_TREE`,
/// `GIT_INDEX_FILE`); returns its standard output, and panics where git fails.
#[cfg(test)]
pub(crate) fn isolated(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .env_remove("GIT_DEFAULT_REF_FORMAT")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git's answer in UTF-8")
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    use experiment::NoCommit;

    use super::*;

    /// A git that ended with exit code `code`, having written `stdout` and `stderr`.
    fn ended(code: i32, stdout: &str, stderr: &str) -> io::Result<Output> {
        Ok(Output {
            status: ExitStatus::from_raw(code << 8),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
        })
    }

    #[test]
    fn issue_a_checkout_with_no_commit_yet_is_told_apart_from_one_git_refuses() {
        // `rev-parse --verify -q HEAD` in a checkout just made with `git init`: a failure
        // without a word, where git finds the repository.
        assert_eq!(
            head_of(answer(ended(1, "", "")), || Some(GitFailure::NoCommitYet)),
            Err(GitFailure::NoCommitYet)
        );
        assert_eq!(
            NoCommit::from(GitFailure::NoCommitYet).to_string(),
            "the checkout has no commit yet"
        );
        // A repository git refuses: it finds none there either, and says why.
        let dubious = "fatal: detected dubious ownership in repository at '/srv/x'\n";
        assert_eq!(
            head_of(answer(ended(128, "", dubious)), || None),
            Err(GitFailure::Refused(
                "detected dubious ownership in repository at '/srv/x'".into()
            ))
        );
        // Outside every checkout, and a commit, are said without asking further.
        let outside = "fatal: not a git repository (or any of the parent directories): .git\n";
        assert_eq!(
            head_of(answer(ended(128, "", outside)), || unreachable!()),
            Err(GitFailure::NotACheckout)
        );
        assert_eq!(
            head_of(answer(ended(0, "85ec1f4\n", "")), || unreachable!()),
            Ok("85ec1f4".to_string())
        );
    }

    #[test]
    fn issue_a_head_git_cannot_read_is_not_called_no_commit_yet() {
        let top = tempfile::tempdir().expect("a temporary folder");
        let dir = top.path();
        let git = |args: &[&str]| isolated(dir, args);
        git(&["init", "-q"]);
        // Just made: `HEAD` names a branch yet to be born.
        assert_eq!(head(dir), Err(GitFailure::NoCommitYet));
        let branch = git(&["symbolic-ref", "-q", "HEAD"]).trim().to_string();
        let commit = ["-c", "user.name=t", "-c", "user.email=t@t", "commit"];
        git(&[&commit[..], &["-q", "--allow-empty", "-m", "first"]].concat());
        let first = head(dir).expect("a commit");
        assert_eq!(first.len(), 40, "{first}");
        // A new branch with nothing on it, in a repository with commits: none yet either.
        git(&["checkout", "-q", "--orphan", "fresh"]);
        assert_eq!(head(dir), Err(GitFailure::NoCommitYet));
        let short = branch.trim_start_matches("refs/heads/");
        git(&["checkout", "-q", short]);
        assert_eq!(head(dir).as_deref(), Ok(first.as_str()));
        let unreadable = |found: Result<String, GitFailure>| match found {
            Err(failure @ GitFailure::HeadUnreadable(_)) => match NoCommit::from(failure) {
                NoCommit::HeadUnreadable(message) => {
                    assert!(!message.is_empty(), "git's message");
                    let words = NoCommit::HeadUnreadable(message).to_string();
                    assert!(words.starts_with("git could not read HEAD: "), "{words}");
                }
                other => panic!("the record's reason for a HEAD git cannot read, not {other:?}"),
            },
            other => panic!("a HEAD git cannot read, not {other:?}"),
        };
        // The branch's ref holds garbage: git cannot read `HEAD`, and says so, in a reason of
        // its own rather than as a folder git refused. Only loose ref files can be written so
        // by hand (a git that keeps refs in a reftable ignores the file).
        let format = output(dir, &["rev-parse", "--show-ref-format"])
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string());
        if format.as_deref().unwrap_or("files") == "files" {
            let ref_file = dir.join(git(&["rev-parse", "--git-path", &branch]).trim());
            std::fs::write(&ref_file, "garbage\n").expect("the branch's ref");
            unreadable(head(dir));
        }
        // A `HEAD` that names no branch (a folder of tags) is no branch to be born either.
        std::fs::write(dir.join(".git/HEAD"), "ref: refs/tags/\n").expect("HEAD");
        unreadable(head(dir));
    }

    /// The name of `a_fresh_checkout_has_no_commit_yet`, as the test binary's filter takes it.
    const FRESH: &str = "git::tests::a_fresh_checkout_has_no_commit_yet";

    #[test]
    fn a_fresh_checkout_has_no_commit_yet() {
        let top = tempfile::tempdir().expect("a temporary folder");
        isolated(top.path(), &["init", "-q"]);
        assert_eq!(head(top.path()), Err(GitFailure::NoCommitYet));
    }

    #[test]
    fn issue_git_tracing_in_the_environment_does_not_make_a_fresh_checkout_unreadable() {
        // This very test binary, running `FRESH` alone with git's traces asked for in its
        // environment (set on that process, not this one, which other tests share): each git
        // that `head` runs would write its trace to standard error.
        for trace in ["GIT_TRACE", "GIT_TRACE2", "GIT_TRACE_PERFORMANCE"] {
            let me = std::env::current_exe().expect("the test binary");
            let out = Command::new(me)
                .args(["--exact", FRESH, "--test-threads=1"])
                .env(trace, "1")
                .output()
                .expect("the test binary runs");
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && said.contains("1 passed"),
                "{trace}=1: {said}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    #[test]
    fn issue_only_a_broken_ref_warning_makes_an_older_gits_listing_unreadable() {
        let branch = "refs/heads/main";
        // What `git for-each-ref` of a git without `show-ref --exists` did for an unborn
        // branch, with a trace or a warning about the configuration on standard error.
        for stderr in [
            "",
            "09:57:35.292339 git.c:479               trace: built-in: git for-each-ref\n",
            "warning: unable to access '/home/x/.config/git/attributes': Permission denied\n",
        ] {
            let listed = ended(0, "", stderr).expect("an output");
            assert_eq!(
                unborn_or_unreadable(branch, &listed),
                Ok(GitFailure::NoCommitYet),
                "{stderr}"
            );
        }
        let broken = ended(0, "", "warning: ignoring broken ref refs/heads/main\n");
        assert_eq!(
            unborn_or_unreadable(branch, &broken.expect("an output")),
            Err(Some("warning: ignoring broken ref refs/heads/main".into()))
        );
        let listed = ended(0, "refs/heads/main\n", "").expect("an output");
        assert_eq!(unborn_or_unreadable(branch, &listed), Err(None));
    }

    #[test]
    fn issue_why_git_gave_no_answer_is_told_apart() {
        assert_eq!(
            answer(ended(0, "85ec1f4\n", "")),
            Ok("85ec1f4\n".to_string())
        );
        let outside = "fatal: not a git repository (or any of the parent directories): .git\n";
        assert_eq!(
            answer(ended(128, "", outside)),
            Err(GitFailure::NotACheckout)
        );
        let cases = [
            // Not on PATH.
            (
                Err(io::Error::from_raw_os_error(2)),
                "git could not be run: No such file or directory (os error 2)",
            ),
            // A repository of another owner.
            (
                ended(
                    128,
                    "",
                    "fatal: detected dubious ownership in repository at '/srv/x'\nTo add an \
                     exception for this directory, call:\n\n\tgit config --global --add \
                     safe.directory /srv/x\n",
                ),
                "git refused the folder: detected dubious ownership in repository at '/srv/x' \
                 To add an exception for this directory, call: git config --global --add \
                 safe.directory /srv/x",
            ),
            (
                ended(1, "", ""),
                "git refused the folder: it ended with exit status: 1",
            ),
            (
                Ok(Output {
                    status: ExitStatus::from_raw(0),
                    stdout: vec![0xff],
                    stderr: Vec::new(),
                }),
                "git refused the folder: its answer is not UTF-8",
            ),
        ];
        for (output, said) in cases {
            let failure = answer(output).expect_err("no answer");
            assert_eq!(NoCommit::from(failure).to_string(), said);
        }
    }
}
