//! Opening sled's database in a store's folder, and what sled 0.34 does wrong there, as the
//! store's errors: a panic on a log cut short (`open_sled`), corruption of its settings or of
//! its log (`Error::Damaged`), a lock conflict it reports only as a message (`Error::Locked`,
//! told from a file system that keeps no locks by that message's words), and unfinished
//! snapshots it would read as the latest (`drop_unfinished_snapshots`).

#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::Once;

use crate::error::{storage, DamagedPart};
use crate::{Error, Result};

thread_local! {
    /// Whether this thread is opening a sled database (`open_sled`).
    static OPENING: Cell<bool> = const { Cell::new(false) };
}

/// Opens the sled database in `path`. sled 0.34 panics, rather than failing, on a database
/// file cut short behind its snapshot (an index out of bounds in its segment recovery); that is
/// `Error::Damaged` here, the panic's message kept off the terminal.
pub(super) fn open_sled(path: &Path) -> Result<sled::Result<sled::Db>> {
    // The hook is the process's, and others (the runner's) wrap it too: it is wrapped once and
    // never put back, and it silences only the thread that opens, passing every other
    // thread's panics to the hook that was there before. Swapping hooks for the open's
    // duration would lose them, and a hook that another thread installs meanwhile.
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !OPENING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = OPENING.with(|o| o.replace(true));
    let opened = std::panic::catch_unwind(|| sled::Config::new().path(path).open());
    OPENING.with(|o| o.set(was));
    opened.map_err(|_| damaged_log(path))
}

/// Returns whether sled 0.34 reads the settings file `conf`: at most 8 bytes (taken as none
/// and written again), or UTF-8 lines `key: value` and a 4-byte checksum, with a
/// `segment_size`, a `use_compression` and a `version` `major.minor` that parse.
fn settings_readable(conf: &Path) -> bool {
    let Ok(bytes) = std::fs::read(conf) else {
        return true;
    };
    if bytes.len() <= 8 {
        return true;
    }
    let Ok(text) = std::str::from_utf8(&bytes[..bytes.len() - 4]) else {
        return false;
    };
    let mut settings = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.split(": ");
        match (parts.next(), parts.next()) {
            (Some(key), Some(value)) => settings.insert(key, value),
            _ => return false,
        };
    }
    let version = settings.get("version").and_then(|v| {
        let mut parts = v.split('.');
        let major = parts.next()?.parse::<usize>().ok();
        let minor = parts.next()?.parse::<usize>().ok();
        major.zip(minor)
    });
    settings
        .get("segment_size")
        .is_some_and(|v| v.parse::<usize>().is_ok())
        && settings
            .get("use_compression")
            .is_some_and(|v| v.parse::<bool>().is_ok())
        && version.is_some()
}

/// Deletes the snapshots sled began and never finished (`snap.*.generating`, renamed to
/// `snap.*` once written): one left by a full disk or a kill is empty or cut short, and sled
/// 0.34 reads it as the latest snapshot and calls the store damaged. What cannot be deleted (a
/// read-only medium) is left for sled to refuse.
pub(super) fn drop_unfinished_snapshots(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The error for a store whose log `db` sled cannot read, saying whether it has a snapshot.
pub(super) fn damaged_log(path: &Path) -> Error {
    let snapshot = std::fs::read_dir(path).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("snap."))
    });
    Error::Damaged {
        path: path.to_path_buf(),
        part: DamagedPart::Log { snapshot },
    }
}

/// Maps sled's lock conflict, which it reports only as a message, to `Error::Locked`, and
/// the corruption it finds on opening to `Error::Damaged`. Any other I/O error of an open
/// names the store's path; so does a lock refused for another reason than another holder (a
/// file system that keeps no `flock`), which no wait clears.
pub(super) fn open_error(e: sled::Error, path: &Path) -> Error {
    match e {
        sled::Error::Io(io_error)
            if io_error.kind() == io::ErrorKind::Other
                && io_error.to_string().contains(LOCK_REFUSED) =>
        {
            let text = io_error.to_string();
            if held_by_another(&text) {
                return Error::Locked {
                    path: path.to_path_buf(),
                    opener: None,
                };
            }
            Error::Open {
                path: path.to_path_buf(),
                detail: format!(
                    "cannot lock its database file {}: {}; the database needs a lock (`flock`) \
                     to open, which some file systems do not keep (NFS mounted without locking, \
                     some FUSE file systems): put the store on a local disk",
                    path.join("db").display(),
                    refusal(&text)
                ),
            }
        }
        sled::Error::Io(io_error) => {
            // sled opens its files for writing, even for a command that only reads.
            let read_only = match io_error.kind() {
                io::ErrorKind::PermissionDenied => read_only_file(path),
                _ => None,
            };
            let advice = match (io_error.kind(), read_only) {
                (_, Some(file)) => format!(
                    "; its database file {} is read-only, and the database opens its files for \
                     writing, also to read them: make it writable (`chmod u+w`), or copy the \
                     folder somewhere writable",
                    file.display()
                ),
                (io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied, None) => {
                    "; the store's folder must be writable, also to read it (the database opens \
                     its files for writing): choose a folder you can write, or, to read a store \
                     on a read-only medium, copy it somewhere writable"
                        .to_string()
                }
                (io::ErrorKind::StorageFull, None) => {
                    "; the database needs some room to open, even to read: free space on that \
                     disk, or copy the folder to another"
                        .to_string()
                }
                // `ulimit -f` below the database's size: sled writes at its end on opening.
                (io::ErrorKind::FileTooLarge, None) => format!(
                    "; its database file {} is larger than the file size limit lets this \
                     process write (`ulimit -f`), and the database writes to it even to read: \
                     raise the limit (`ulimit -f unlimited`); nothing stored was lost",
                    path.join("db").display()
                ),
                _ => String::new(),
            };
            Error::Open {
                path: path.to_path_buf(),
                detail: format!("{io_error}{advice}"),
            }
        }
        // At open, sled's corruption is its settings file's when that does not read (sled
        // also calls a settings file that is not UTF-8 one from before its 0.29), else its
        // log's, damaged behind its snapshot.
        sled::Error::Corruption { .. } | sled::Error::Unsupported(_)
            if !settings_readable(&path.join("conf")) =>
        {
            Error::Damaged {
                path: path.to_path_buf(),
                part: DamagedPart::Settings,
            }
        }
        sled::Error::Corruption { .. } => damaged_log(path),
        other => storage(other),
    }
}

/// Returns the first of the database's files in `path` (`db`, then `conf`) that is there but
/// read-only (no write permission, or refusing to be opened for writing as sled opens it), a
/// file made read-only in a writable folder; `None` when each is missing or writable, and a
/// refusal is the folder's.
fn read_only_file(path: &Path) -> Option<std::path::PathBuf> {
    ["db", "conf"]
        .into_iter()
        .map(|name| path.join(name))
        .find(|file| {
            let Ok(metadata) = std::fs::metadata(file) else {
                return false;
            };
            // Opened without truncating, and closed at once: nothing is written.
            let opened = std::fs::OpenOptions::new().write(true).open(file);
            metadata.permissions().readonly()
                || matches!(&opened, Err(e) if e.kind() == io::ErrorKind::PermissionDenied)
        })
}

/// The words sled 0.34 begins its message with when it cannot lock its database file:
/// `could not acquire lock on "PATH": {:?}` of the `io::Error` that `fs2`'s `flock` gave
/// (sled's `config.rs`).
const LOCK_REFUSED: &str = "could not acquire lock";

/// Returns whether sled's message `text` of a lock it could not take (`LOCK_REFUSED`) says
/// that another holds the lock: the `io::Error`'s debug text names its kind, `WouldBlock`
/// (`Os { code: 11, kind: WouldBlock, .. }`, `EWOULDBLOCK` from `flock`; on Windows,
/// `ERROR_LOCK_VIOLATION`, code 33, which the standard library gives no kind of its own).
fn held_by_another(text: &str) -> bool {
    text.contains("WouldBlock") || (cfg!(windows) && text.contains("code: 33,"))
}

/// Returns the system's words in sled's message `text` of a lock it could not take: the
/// `io::Error`'s message in its debug text (`message: "No locks available"`), else all of
/// `text`.
fn refusal(text: &str) -> &str {
    text.split_once("message: \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or(text, |(message, _)| message)
}
