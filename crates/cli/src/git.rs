//! Runs `git`, for the reproducibility record (`probe`) and for the build's name (`build.rs`,
//! which includes this file by path, since a build script cannot use the crate it builds).
//!
//! A folder git gives no answer about is told apart by why (`GitFailure`): not inside a
//! checkout, git not to be run at all (not on `PATH`), git refusing the folder (a
//! repository of another owner: "dubious ownership"), or a checkout with no commit yet
//! (`head`), so that a record without a commit does
//! not blame the folder for what was git's trouble.

use std::fmt;
use std::io;
use std::path::Path;
use std::process::{Command, Output};

/// Why git gave no answer about a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GitFailure {
    /// The folder lies outside every git checkout.
    NotACheckout,
    /// git could not be started (not on `PATH`, say): the system's reason.
    CannotRun(String),
    /// git ran and failed in the folder (a repository of another owner): git's message.
    Refused(String),
    /// The folder is in a checkout that has no commit yet (`git init`, nothing committed):
    /// `HEAD` names none.
    NoCommitYet,
}

impl fmt::Display for GitFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitFailure::NotACheckout => f.write_str("not inside a git checkout"),
            GitFailure::CannotRun(why) => write!(f, "git could not be run: {why}"),
            GitFailure::Refused(message) => write!(f, "git refused the folder: {message}"),
            GitFailure::NoCommitYet => f.write_str("the checkout has no commit yet"),
        }
    }
}

/// Runs `git ARGS` in `dir` and returns its standard output as it is; `None` when git cannot
/// start, fails, or writes what is not UTF-8 (`run` says which).
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    run(dir, args).ok()
}

/// Runs `git ARGS` in `dir` and returns its standard output as it is, or why there is none
/// (`answer`). It takes no optional lock, so that asking never holds up (or rewrites the index
/// under) a `git` the user runs at the same time; its messages are in English (`LC_ALL=C`),
/// which `answer` reads.
pub(crate) fn run(dir: &Path, args: &[&str]) -> Result<String, GitFailure> {
    answer(
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("LC_ALL", "C")
            .output(),
    )
}

/// Returns git's standard output from `output`, the result of running it, or why it gave
/// none: a process that did not start, git's "not a git repository", or any other failure
/// with git's message (its standard error on one line, without `fatal: `).
pub(crate) fn answer(output: io::Result<Output>) -> Result<String, GitFailure> {
    let out = output.map_err(|e| GitFailure::CannotRun(e.to_string()))?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr);
        if message.contains("not a git repository") {
            return Err(GitFailure::NotACheckout);
        }
        let message = message
            .lines()
            .map(|l| l.trim().trim_start_matches("fatal: "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        return Err(GitFailure::Refused(if message.is_empty() {
            format!("it ended with {}", out.status)
        } else {
            message
        }));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| GitFailure::Refused("its answer is not UTF-8".to_string()))
}

/// Returns the commit `HEAD` names in the checkout holding `dir` (its full hash), or why there
/// is none: as `run` says, and `GitFailure::NoCommitYet` in a checkout with nothing committed,
/// where git finds the repository but `HEAD` names no commit.
pub(crate) fn head(dir: &Path) -> Result<String, GitFailure> {
    // `--verify -q`: an unborn `HEAD` fails without a word, rather than with "ambiguous
    // argument 'HEAD'"; a folder git refuses or finds no repository for still fails as it says.
    head_of(run(dir, &["rev-parse", "--verify", "-q", "HEAD"]), || {
        run(dir, &["rev-parse", "--git-dir"]).is_ok()
    })
}

/// Returns `head`'s answer from `found`, git's answer about `HEAD`, asking `in_repository`
/// (whether git finds a repository there) only when git refused it.
fn head_of(
    found: Result<String, GitFailure>,
    in_repository: impl FnOnce() -> bool,
) -> Result<String, GitFailure> {
    match found {
        Ok(commit) => Ok(commit.trim().to_string()),
        Err(GitFailure::Refused(_)) if in_repository() => Err(GitFailure::NoCommitYet),
        Err(failure) => Err(failure),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

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
            head_of(answer(ended(1, "", "")), || true),
            Err(GitFailure::NoCommitYet)
        );
        assert_eq!(
            GitFailure::NoCommitYet.to_string(),
            "the checkout has no commit yet"
        );
        // A repository git refuses: it finds none there either, and says why.
        let dubious = "fatal: detected dubious ownership in repository at '/srv/x'\n";
        assert_eq!(
            head_of(answer(ended(128, "", dubious)), || false),
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
            assert_eq!(answer(output).unwrap_err().to_string(), said);
        }
    }
}
