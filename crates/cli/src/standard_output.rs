//! How writing a command's output failed, for `main`'s exit-code policy: its reader gone
//! (`sweep trials NAME | head`: 141, nothing said), standard output refusing the write (a full
//! disk, a failing device: 74, saying what could not be written there), or a file that could not
//! be written for the same reasons (74, its error naming the file). Also whether standard
//! output was closed when sweep started (`closed`), which no write can show.
//!
//! Writes to standard output go through `std::io::stdout()` and `?` with no context: every file
//! a command reads or writes names itself in its error (`cannot write --output FILE`), so an
//! I/O error that reaches `main` bare is standard output's. That keeps the rule in one place
//! rather than in each command's writes.

use std::io::ErrorKind;
use std::path::Path;

/// How a command's output could not be written.
#[derive(Debug)]
pub(crate) enum Failure<'a> {
    /// Its reader went away (`EPIPE`): the command ends quietly, as one SIGPIPE ended.
    ReaderGone,
    /// Standard output refused the write with this error (`ENOSPC`, `EIO`, ...).
    StandardOutput(&'a std::io::Error),
    /// A file (`--output FILE`, a gate's baseline) could not be written: the disk is full or the
    /// device failed. The error names the file. (The store's own I/O errors carry the system's
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
    io().any(device_failed).then_some(Failure::File)
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

/// Returns whether standard output was closed when sweep started (`sweep ls >&-`).
///
/// Rust's runtime opens `/dev/null` on a standard stream it finds closed, for reading and
/// writing, so that every write to it succeeds and its data is lost; a shell's `>/dev/null`
/// opens it for writing only. Linux's `/proc/self/fd/1` and `/proc/self/fdinfo/1` tell the
/// two apart; where they cannot be read, standard output is taken to be open. A standard
/// output opened as `1<>/dev/null` reads as closed.
pub(crate) fn closed() -> bool {
    let Ok(target) = std::fs::read_link("/proc/self/fd/1") else {
        return false;
    };
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return false;
    };
    opened_by_runtime(&target, &info)
}

/// Returns whether a file descriptor that names `target`, with `fdinfo` the text of its
/// `/proc/self/fdinfo` file, is the `/dev/null` that the runtime opens on a closed stream:
/// opened for reading and writing (`O_RDWR` in its octal `flags:`).
fn opened_by_runtime(target: &Path, fdinfo: &str) -> bool {
    /// The bits of `flags:` that say how the file was opened (`O_ACCMODE`).
    const ACCESS_MODE: u32 = 0o3;
    /// Opened for reading and writing (`O_RDWR`).
    const READ_WRITE: u32 = 0o2;
    target == Path::new("/dev/null")
        && fdinfo
            .lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
            .is_some_and(|flags| flags & ACCESS_MODE == READ_WRITE)
}

/// Returns whether `error` says the disk or device refused a write: full (`ENOSPC`), over a
/// quota (`EDQUOT`), a file grown too large (`EFBIG`), or an I/O error (`EIO`).
fn device_failed(error: &std::io::Error) -> bool {
    /// `EIO`, which `ErrorKind` has no stable name for.
    const EIO: i32 = 5;
    matches!(
        error.kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge
    ) || error.raw_os_error() == Some(EIO)
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn issue_a_closed_standard_output_is_the_runtimes_read_write_dev_null() {
        let info = |flags: &str| format!("pos:\t0\nflags:\t{flags}\nmnt_id:\t24\nino:\t3\n");
        // `>&-`: the runtime's `/dev/null`, O_RDWR | O_LARGEFILE.
        assert!(opened_by_runtime(Path::new("/dev/null"), &info("0100002")));
        // `>/dev/null`: O_WRONLY | O_LARGEFILE, the user's choice.
        assert!(!opened_by_runtime(Path::new("/dev/null"), &info("0100001")));
        assert!(!opened_by_runtime(
            Path::new("/dev/null"),
            &info("02100001")
        ));
        // A file or a terminal opened for reading and writing is open.
        assert!(!opened_by_runtime(
            Path::new("/dev/pts/0"),
            &info("0100002")
        ));
        assert!(!opened_by_runtime(Path::new("/dev/null"), "pos:\t0\n"));
        // This test's own standard output is open.
        assert!(!closed());
    }

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
        assert!(!failed(&file(ErrorKind::StorageFull)));
        assert!(failure(&anyhow::anyhow!("no experiment named `x`")).is_none());
    }
}
