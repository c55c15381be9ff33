//! The messages of `Error`'s variants that say more than an `#[error]` attribute holds: who
//! holds a store being moved, which record versions this build reads, what a damaged
//! database's files mean for the user, and what to mend where a flush could not write.

use std::io;
use std::path::Path;

use super::DamagedPart;
use crate::records::VERSIONS_READ;

/// Returns what `Error::BeingMoved` says after the store's path: who holds its name and what it
/// does, as it wrote them there (`mover`), or, where it wrote nothing, that it is a removal or
/// a compaction.
pub(super) fn mover_words(mover: Option<&str>) -> String {
    match mover {
        Some(mover) => format!(" is busy: another sweep process is {mover}"),
        None => " is being removed or compacted by another sweep process".to_string(),
    }
}

/// The message of `Error::Flush`: the store, the file beside its database that could not be
/// written, why, and what to mend: the limit on open files (`ulimit -n`) where that was the
/// reason, else the folder, which must stay writable (made read-only, or on a disk refusing
/// writes).
pub(super) fn flush_text(path: &Path, file: &Path, error: &io::Error) -> String {
    let mend = if too_many_open_files(error) {
        "too many open files: raise `ulimit -n`"
    } else {
        "its folder must stay writable while a command writes the store"
    };
    format!(
        "cannot flush store {} to disk: writing {} failed: {error}; what was already written to \
         it is kept ({mend})",
        path.display(),
        file.display()
    )
}

/// Returns whether `error` is the process's (`EMFILE`) or the system's (`ENFILE`) limit on
/// open files, which the standard library gives no kind of its own; the numbers are those of
/// Linux and the BSDs, macOS included.
pub(crate) fn too_many_open_files(error: &io::Error) -> bool {
    cfg!(unix) && matches!(error.raw_os_error(), Some(23 | 24))
}

/// Returns the versions 1 to `newest` as every version message names them: "version 1",
/// "versions 1 and 2", "versions 1 to 5".
pub(crate) fn versions_read(newest: u32) -> String {
    match newest {
        1 => "version 1".to_string(),
        2 => "versions 1 and 2".to_string(),
        newest => format!("versions 1 to {newest}"),
    }
}

/// The message of `Error::RecordVersion`: the record, its version, the versions this build
/// reads, and, for a version past them, that a newer Sweep wrote it and is the one to read it.
pub(super) fn record_version_text(what: &str, experiment: Option<&str>, version: u32) -> String {
    let newest = VERSIONS_READ
        .iter()
        .find(|(kind, _)| *kind == what)
        .map(|(_, newest)| *newest);
    let reads = newest.map_or_else(|| "other versions".to_string(), versions_read);
    let what = match experiment {
        Some(name) => format!("{what} of experiment `{name}`"),
        None => what.to_string(),
    };
    if newest.is_some_and(|newest| version > newest) {
        format!(
            "{what} has version {version}, but this sweep reads {reads}: a newer sweep wrote \
             it; read it with that sweep or a later one"
        )
    } else {
        format!("{what} has version {version}, which no sweep writes (this sweep reads {reads})")
    }
}

/// The message of `Error::Damaged`: what is damaged, what opening it did, and the ways on.
pub(super) fn damaged_text(path: &Path, part: DamagedPart) -> String {
    let store = path.display();
    match part {
        DamagedPart::Settings => format!(
            "store {store} is damaged: its database's settings file `conf` cannot be read (cut \
             short or overwritten). Nothing in the store was read or changed. Restore the folder \
             from a copy if there is one; otherwise empty that file (`: > {}`): the database \
             writes its settings again on the next open, and this store uses the defaults",
            path.join("conf").display()
        ),
        DamagedPart::Log { snapshot } => {
            let (cause, way) = if snapshot {
                (
                    "the file `db` was cut short or damaged since its snapshot `snap.*` was \
                     written, as a copy made in part leaves it",
                    "to recover what the file still holds, copy the folder aside, delete its \
                     `snap.*` files and run the command again",
                )
            } else {
                (
                    "the file `db` is damaged",
                    "otherwise copy the folder aside before anything else opens it",
                )
            };
            format!(
                "store {store} is damaged: its database cannot be read back ({cause}). Nothing \
                 was stored in it, but opening it may have rewritten the end of `db` past the \
                 damage. Restore the folder from a copy if there is one; {way}"
            )
        }
    }
}
