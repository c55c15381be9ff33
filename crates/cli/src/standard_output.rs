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
//! Writes to standard output go through `std::io::stdout()` and `?` with no context: every file
//! a command reads or writes names itself in its error (`cannot write --output FILE`), so an
//! I/O error that reaches `main` bare is standard output's. That keeps the rule in one place
//! rather than in each command's writes.

use std::io::ErrorKind;

/// How a command's output could not be written.
#[derive(Debug)]
pub(crate) enum Failure<'a> {
    /// Its reader went away (`EPIPE`): the command ends quietly, as one SIGPIPE ended.
    ReaderGone,
    /// Standard output refused the write with this error (`ENOSPC`, `EIO`, ...).
    StandardOutput(&'a std::io::Error),
    /// A file (`--output FILE`, a gate's baseline) could not be written: the disk is full. The
    /// error names the file (an `EIO` there stays another error: reads fail with it too). (The store's own I/O errors carry the system's
    /// reason in their message, not as a source: they stay other errors.)
    File,
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
    if error.chain().count() == 1 {
        if let Some(bare) = error.downcast_ref::<std::io::Error>() {
            return Some(Failure::StandardOutput(bare));
        }
    }
    io().any(disk_full).then_some(Failure::File)
}

/// Returns whether `error` is a write to standard output that failed, its reader gone or the
/// write refused: what follows such a failure (the test split measured after a sweep whose
/// summary could not be printed) has nothing more to say of it.
pub(crate) fn failed(error: &anyhow::Error) -> bool {
    matches!(
        failure(error),
        Some(Failure::ReaderGone | Failure::StandardOutput(_))
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
        assert!(matches!(failure(&full), Some(Failure::StandardOutput(_))));
        let eio = anyhow::Error::from(std::io::Error::from_raw_os_error(5));
        assert!(matches!(failure(&eio), Some(Failure::StandardOutput(_))));
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
}
