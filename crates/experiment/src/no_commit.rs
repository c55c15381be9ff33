//! Why a run names no git commit: one typed reason for the run record, git's answer and a gate
//! baseline's provenance alike.
//!
//! The reason is kept so that a run without a commit does not blame its folder for what was
//! git's trouble: only `NoCommit::OutsideCheckout` says the spec lay in no checkout. Each reason
//! has its words (`Display`), which every message, report and baseline file says it in, and
//! `NoCommit::from_words` reads them back: a baseline file keeps the words, so that what reads
//! them is a person or any Sweep, old or new. Words this build does not know (those of another
//! build) are kept as they are (`NoCommit::Unrecognized`) rather than refused.
//!
//! The words are a stored format: baseline files on disk hold them, and `from_words` must go
//! on reading every wording any build wrote. Rewording `Display` is a change of that format:
//! the old words stay readable in `from_words` (as the last build's "git refused the folder:
//! cannot read HEAD: ..." does), and the tests of each wording read a literal file's words
//! (`tests` here, and the gate baseline's in the `cli` crate).
//!
//! Rejected: a tagged form in the baseline file (`{"git_refused": ...}`), which the Sweep that
//! first kept the reason would refuse to read; and a reason of each layer's own (git's, the
//! store's, the baseline's words), which said the same three ways and drifted.

use std::fmt;

/// Why a run names no git commit: git's answer about the folder of the experiment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCommit {
    /// The folder lay outside every git checkout.
    OutsideCheckout,
    /// git could not be started (not on `PATH`, say): the system's reason.
    GitNotRun(String),
    /// git ran and failed in the folder (a repository of another owner: "dubious ownership"):
    /// git's message.
    GitRefused(String),
    /// The folder was in a checkout with no commit yet: `HEAD` named a branch yet to be born
    /// (`git init`, `git checkout --orphan`).
    NoCommitYet,
    /// git found the checkout but could not read what `HEAD` names (a branch whose ref holds
    /// no commit name): git's message.
    HeadUnreadable(String),
    /// A reason in words this build does not know (a baseline written by another build): the
    /// words as written.
    Unrecognized(String),
}

/// The words of `NoCommit::OutsideCheckout`.
const OUTSIDE_CHECKOUT: &str = "not inside a git checkout";
/// What the words of `NoCommit::GitNotRun` start with, before the reason.
const GIT_NOT_RUN: &str = "git could not be run: ";
/// What the words of `NoCommit::GitRefused` start with, before git's message.
const GIT_REFUSED: &str = "git refused the folder: ";
/// The words of `NoCommit::NoCommitYet`.
const NO_COMMIT_YET: &str = "the checkout has no commit yet";
/// What the words of `NoCommit::HeadUnreadable` start with, before git's message.
const HEAD_UNREADABLE: &str = "git could not read HEAD: ";
/// What git's message started with in the words Sweep said a `HEAD` it could not read in
/// before `NoCommit::HeadUnreadable` existed: "git refused the folder: cannot read HEAD: ...".
const HEAD_REFUSED: &str = "cannot read HEAD: ";

impl NoCommit {
    /// Reads a reason back from its words (`Display`'s): the reason they say, with a `HEAD`
    /// git could not read said as builds before `NoCommit::HeadUnreadable` said it ("git
    /// refused the folder: cannot read HEAD: MESSAGE") read as one; other words are
    /// `NoCommit::Unrecognized`, as they are.
    pub fn from_words(words: &str) -> NoCommit {
        let after = |prefix: &str| words.strip_prefix(prefix).map(str::to_string);
        if words == OUTSIDE_CHECKOUT {
            NoCommit::OutsideCheckout
        } else if words == NO_COMMIT_YET {
            NoCommit::NoCommitYet
        } else if let Some(why) = after(GIT_NOT_RUN) {
            NoCommit::GitNotRun(why)
        } else if let Some(message) = after(HEAD_UNREADABLE) {
            NoCommit::HeadUnreadable(message)
        } else if let Some(message) = after(GIT_REFUSED) {
            match message.strip_prefix(HEAD_REFUSED) {
                Some(head) => NoCommit::HeadUnreadable(head.to_string()),
                None => NoCommit::GitRefused(message),
            }
        } else {
            NoCommit::Unrecognized(words.to_string())
        }
    }
}

impl fmt::Display for NoCommit {
    /// "not inside a git checkout", "git could not be run: REASON", "git refused the folder:
    /// MESSAGE", "the checkout has no commit yet", "git could not read HEAD: MESSAGE", or the
    /// words of an unrecognized reason as they are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoCommit::OutsideCheckout => f.write_str(OUTSIDE_CHECKOUT),
            NoCommit::GitNotRun(why) => write!(f, "{GIT_NOT_RUN}{why}"),
            NoCommit::GitRefused(message) => write!(f, "{GIT_REFUSED}{message}"),
            NoCommit::NoCommitYet => f.write_str(NO_COMMIT_YET),
            NoCommit::HeadUnreadable(message) => write!(f, "{HEAD_UNREADABLE}{message}"),
            NoCommit::Unrecognized(words) => f.write_str(words),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_says_its_words_and_reads_back_from_them() {
        let reasons = [
            (NoCommit::OutsideCheckout, "not inside a git checkout"),
            (
                NoCommit::GitNotRun("No such file or directory (os error 2)".into()),
                "git could not be run: No such file or directory (os error 2)",
            ),
            (
                NoCommit::GitRefused("detected dubious ownership in repository at '/x'".into()),
                "git refused the folder: detected dubious ownership in repository at '/x'",
            ),
            (NoCommit::NoCommitYet, "the checkout has no commit yet"),
            (
                NoCommit::HeadUnreadable("bad object HEAD".into()),
                "git could not read HEAD: bad object HEAD",
            ),
            (
                NoCommit::Unrecognized("the moon was full".into()),
                "the moon was full",
            ),
        ];
        for (reason, words) in reasons {
            assert_eq!(reason.to_string(), words);
            assert_eq!(NoCommit::from_words(words), reason, "{words}");
        }
    }

    #[test]
    fn issue_the_words_on_disk_read_back_as_their_reasons() {
        // Each wording as baseline files hold it, written out here rather than from
        // `Display`: rewording a reason breaks this test, not the files already written.
        let stored = [
            ("not inside a git checkout", NoCommit::OutsideCheckout),
            (
                "git could not be run: No such file or directory (os error 2)",
                NoCommit::GitNotRun("No such file or directory (os error 2)".into()),
            ),
            (
                "git refused the folder: detected dubious ownership in repository at '/x'",
                NoCommit::GitRefused("detected dubious ownership in repository at '/x'".into()),
            ),
            ("the checkout has no commit yet", NoCommit::NoCommitYet),
            (
                "git could not read HEAD: error: failed to look up reference",
                NoCommit::HeadUnreadable("error: failed to look up reference".into()),
            ),
        ];
        for (words, reason) in stored {
            assert_eq!(NoCommit::from_words(words), reason, "{words}");
            assert_eq!(reason.to_string(), words);
        }
    }

    #[test]
    fn issue_a_head_git_could_not_read_said_as_a_refusal_reads_as_one() {
        // As the build before `HeadUnreadable` wrote it into a baseline.
        assert_eq!(
            NoCommit::from_words("git refused the folder: cannot read HEAD: bad object HEAD"),
            NoCommit::HeadUnreadable("bad object HEAD".into())
        );
        // Words that only look alike are kept as they are.
        for words in ["", "Not inside a git checkout", "git could not be run"] {
            assert_eq!(
                NoCommit::from_words(words),
                NoCommit::Unrecognized(words.into())
            );
        }
    }
}
