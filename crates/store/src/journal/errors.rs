//! A journal's errors, each naming the journal (and its line, where one is at fault).

use std::io;
use std::path::Path;

use crate::Error;

/// Returns the error of journal `path`, at `line` where one is at fault.
pub(super) fn journal_error(path: &Path, line: Option<u64>, detail: impl Into<String>) -> Error {
    Error::Journal {
        path: path.to_path_buf(),
        line,
        detail: detail.into(),
    }
}

/// Returns the error of reading or writing journal (or folder) `path`.
pub(super) fn io_error(path: &Path, e: &io::Error) -> Error {
    journal_error(path, None, e.to_string())
}

/// Returns the error of making an agent's journal `path` (or its study's folder) in `folder`
/// (the exchange folder, or the study's in it): a folder this user may not write says so, and
/// what to do, rather than only the system's words.
pub(super) fn making_error(folder: &Path, path: &Path, e: &io::Error) -> Error {
    if e.kind() != io::ErrorKind::PermissionDenied {
        return io_error(path, e);
    }
    journal_error(
        path,
        None,
        format!(
            "the folder {} is not writable by this user ({e}): every agent writes its journal \
             in the exchange folder; make it writable for the user the agents run as, or give \
             every agent an --exchange folder they can write",
            folder.display()
        ),
    )
}
