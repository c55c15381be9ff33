//! How writing a command's output failed, for `main`'s exit-code policy: its reader gone
//! (`sweep trials NAME | head`: 141, nothing said), standard output refusing the write (a full
//! disk, a failing device: 74, saying what could not be written there), or a file that could not
//! be written because the disk is full (74, its error naming the file).
//!
//! A standard output closed when sweep started (`sweep ls >&-`) is not told apart: Rust's
//! runtime opens `/dev/null` in its place for reading and writing, as Python's
//! `subprocess.DEVNULL`, Node's `stdio: 'ignore'` and `daemon(3)` open it on purpose, so the
//! output is discarded as into `/dev/null` (exit 0); refusing it refused those launchers too.
//!
//! A write to standard output is known as one by its mark, made where it is written: `lock`
//! hands out standard output marking its errors, and `writing` marks an error with what was
//! being written there (`the trial's summary`), which `main` then says in place of the
//! command's own words. Writes that still go through `std::io::stdout()` and `?` with no
//! context reach `main` as bare I/O errors: those are taken for standard output's too (every
//! file a command reads or writes names itself in its error: `cannot write --output FILE`),
//! but for the errors no write to standard output gives and starting a thread does
//! (`EAGAIN`, `ENOMEM`: `ulimit -u`, `ulimit -v`), which are said as they are.

use std::io::{ErrorKind, Write};

/// How a command's output could not be written.
#[derive(Debug)]
pub(crate) enum Failure<'a> {
    /// Its reader went away (`EPIPE`): the command ends quietly, as one SIGPIPE ended.
    ReaderGone,
    /// Standard output refused the write with this error (`ENOSPC`, `EIO`, ...), and what was
    /// being written, where the write said (`writing`).
    StandardOutput(&'a std::io::Error, Option<&'static str>),
    /// A file (`--output FILE`, a gate's baseline) could not be written: the disk is full. The
    /// error names the file (an `EIO` there stays another error: reads fail with it too). (The
    /// store's own I/O errors carry the system's reason in their message, not as a source: they
    /// stay other errors.)
    File,
}

/// The mark of a write to standard output that failed (`lock`, `writing`): the system's error,
/// and what was being written when the writer said.
#[derive(Debug)]
struct Refused {
    /// What was being written, as `main` says it ("the trial's summary").
    what: Option<&'static str>,
    /// The system's error.
    error: std::io::Error,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Refused {}

/// Returns `error`, of a write to standard output of `what` ("the trial's summary"), marked as
/// such: `main` says it could not write `what` to standard output. Its kind is kept, so that a
/// reader gone is still one.
pub(crate) fn writing(what: &'static str, error: std::io::Error) -> std::io::Error {
    // One already marked (`lock`) is marked again: the outer mark, with `what`, is found first.
    mark(Some(what), error)
}

/// Returns `error` marked as standard output's, with what was being written.
fn mark(what: Option<&'static str>, error: std::io::Error) -> std::io::Error {
    std::io::Error::new(error.kind(), Refused { what, error })
}

/// Standard output, locked, whose errors are marked as its own (`lock`).
#[derive(Debug)]
pub(crate) struct Out(std::io::StdoutLock<'static>);

/// Returns standard output, locked, its write errors marked as standard output's, for `main`
/// to tell them from other I/O errors.
pub(crate) fn lock() -> Out {
    Out(std::io::stdout().lock())
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).map_err(|e| mark(None, e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().map_err(|e| mark(None, e))
    }
}

/// Returns how `error` failed to write the command's output, or `None` where it is no such
/// failure.
pub(crate) fn failure(error: &anyhow::Error) -> Option<Failure<'_>> {
    let io = || {
        error
            .chain()
            .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
    };
    if io().any(|e| e.kind() == ErrorKind::BrokenPipe) {
        return Some(Failure::ReaderGone);
    }
    let marked = io().find_map(|e| {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<Refused>())
            .map(|refused| (e, refused.what))
    });
    if let Some((e, what)) = marked {
        return Some(Failure::StandardOutput(e, what));
    }
    if error.chain().count() == 1 {
        if let Some(bare) = error.downcast_ref::<std::io::Error>() {
            return (!no_write_gives(bare)).then_some(Failure::StandardOutput(bare, None));
        }
    }
    io().any(disk_full).then_some(Failure::File)
}

/// Returns whether `error` is one that no write to standard output (which blocks) gives, but
/// starting a thread does: `EAGAIN` (`ulimit -u`, or its stack refused under `ulimit -v`) and
/// `ENOMEM`.
fn no_write_gives(error: &std::io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::OutOfMemory)
}

/// Returns whether `error` is a write to standard output that failed, its reader gone or the
/// write refused: what follows such a failure (the test split measured after a sweep whose
/// summary could not be printed) has nothing more to say of it.
pub(crate) fn failed(error: &anyhow::Error) -> bool {
    matches!(
        failure(error),
        Some(Failure::ReaderGone | Failure::StandardOutput(..))
    )
}

/// Returns whether `error` says the disk refused a write: full (`ENOSPC`), over a quota
/// (`EDQUOT`), or a file grown too large (`EFBIG`); no read fails so.
fn disk_full(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge
    )
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn issue_a_write_that_failed_is_told_from_other_errors() {
        let bare = |kind: ErrorKind| anyhow::Error::from(std::io::Error::from(kind));
        let full = bare(ErrorKind::StorageFull);
        assert!(matches!(failure(&full), Some(Failure::StandardOutput(..))));
        let eio = anyhow::Error::from(std::io::Error::from_raw_os_error(5));
        assert!(matches!(failure(&eio), Some(Failure::StandardOutput(..))));
        // A reader gone, bare or wrapped (`trainer::Error::Write`'s source).
        assert!(matches!(
            failure(&bare(ErrorKind::BrokenPipe)),
            Some(Failure::ReaderGone)
        ));
        let wrapped = Err::<(), _>(std::io::Error::from(ErrorKind::BrokenPipe))
            .context("cannot write the predictions")
            .unwrap_err();
        assert!(matches!(failure(&wrapped), Some(Failure::ReaderGone)));
        assert!(failed(&wrapped) && failed(&full));
        // A file that names itself: a full disk is a failed write, a missing folder bad input.
        let file = |kind: ErrorKind| {
            Err::<(), _>(std::io::Error::from(kind))
                .context("cannot write --output out.csv")
                .unwrap_err()
        };
        assert!(matches!(
            failure(&file(ErrorKind::StorageFull)),
            Some(Failure::File)
        ));
        assert!(matches!(
            failure(&file(ErrorKind::QuotaExceeded)),
            Some(Failure::File)
        ));
        assert!(failure(&file(ErrorKind::NotFound)).is_none());
        // An I/O error of a named file may be a read's: another error, not a failed write.
        let read = Err::<(), _>(std::io::Error::from_raw_os_error(5))
            .context("cannot read the data file d.csv")
            .unwrap_err();
        assert!(failure(&read).is_none());
        assert!(!failed(&file(ErrorKind::StorageFull)));
        assert!(failure(&anyhow::anyhow!("no experiment named `x`")).is_none());
    }

    #[test]
    fn issue_a_thread_that_could_not_start_is_no_standard_output_failure() {
        // `ulimit -v 50000`: the signal thread's stack refused (`EAGAIN`) reached `main` bare
        // and read "cannot write the sweep's summary to standard output" (74).
        let eagain = anyhow::Error::from(std::io::Error::from_raw_os_error(11));
        assert!(failure(&eagain).is_none());
        assert!(!failed(&eagain));
        let enomem = anyhow::Error::from(std::io::Error::from(ErrorKind::OutOfMemory));
        assert!(failure(&enomem).is_none());
        // Marked where it was written, it is standard output's whatever its kind (a standard
        // output left non-blocking by another program refuses with `EAGAIN`).
        let marked = anyhow::Error::from(mark(None, std::io::Error::from_raw_os_error(11)));
        assert!(matches!(
            failure(&marked),
            Some(Failure::StandardOutput(_, None))
        ));
    }

    #[test]
    fn issue_a_write_says_what_it_wrote() {
        // `sweep show tiny/0 > /dev/full` said "cannot write the experiment's summary".
        let full = std::io::Error::from(ErrorKind::StorageFull);
        let said = anyhow::Error::from(writing("the trial's summary", mark(None, full)));
        match failure(&said) {
            Some(Failure::StandardOutput(e, what)) => {
                assert_eq!(what, Some("the trial's summary"));
                assert_eq!(
                    e.to_string(),
                    std::io::Error::from(ErrorKind::StorageFull).to_string()
                );
            }
            other => panic!("{other:?}"),
        }
        // Its kind is kept: a reader gone is still one.
        let gone = writing(
            "the trial's summary",
            std::io::Error::from(ErrorKind::BrokenPipe),
        );
        assert!(matches!(
            failure(&anyhow::Error::from(gone)),
            Some(Failure::ReaderGone)
        ));
    }
}
