//! Errors of the store. Messages name the store's path where one helps the user act.
//!
//! The messages too long for an `#[error]` attribute are written in `messages`; sled's errors
//! become the store's in `from_sled`, so that no `From` impl names sled.

mod from_sled;
mod messages;
#[cfg(test)]
mod tests;

use std::io;
use std::path::PathBuf;

pub(crate) use from_sled::{storage, DATABASE_FILE};
pub(crate) use messages::versions_read;
use messages::{damaged_text, flush_text, mover_words, record_version_text};

/// Errors of the `store` crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process (or another `Store` in this one) has the store open.
    #[error(
        "store {} is in use by another sweep process{}",
        path.display(),
        opener.as_ref().map_or(String::new(), |o| format!(": {o}"))
    )]
    Locked {
        /// The store's directory.
        path: PathBuf,
        /// Who opened the store last, as that process announced itself (`Store::announce`),
        /// when it did.
        opener: Option<String>,
    },
    /// A removal or a compaction of the store found its name held by opens of other sweep
    /// processes throughout its wait (`store/name`): the store itself was not reached.
    #[error("store {} is being opened by other sweep processes; try again", path.display())]
    BeingOpened {
        /// The store's directory.
        path: PathBuf,
    },
    /// An open, a removal or a compaction of the store found a removal or a compaction of it
    /// holding its name throughout its wait (`store/name`), or a compaction found another one
    /// holding the compaction lock (`DIR.compact-lock`, refused at once).
    #[error("store {}{}; try again once it is done", path.display(), mover_words(mover.as_deref()))]
    BeingMoved {
        /// The store's directory.
        path: PathBuf,
        /// What the process holding the name does and who it is, as it wrote them there (a
        /// clause after "another sweep process is": "removing it if it holds no experiment
        /// (pid 42)"), when it did.
        mover: Option<String>,
    },
    /// An empty store that `Store::remove_if_empty` was to remove stays where it is, for the
    /// user to delete: its name lock cannot be had, it cannot be moved aside, or it is named by
    /// a link.
    #[error("the empty store {} stays: {detail}", path.display())]
    EmptyStoreStays {
        /// The store's directory.
        path: PathBuf,
        /// Why, in words.
        detail: String,
    },
    /// An empty store that `Store::remove_if_empty` moved aside to delete is gone from its
    /// path, but the folder it was moved to, which holds nothing, cannot be deleted.
    #[error(
        "the empty store {} was moved to {} to be deleted, and that folder stays ({error}): it \
         holds nothing and may be deleted",
        path.display(),
        aside.display()
    )]
    EmptyStoreAsideStays {
        /// The store's directory, as it was.
        path: PathBuf,
        /// The folder it was moved to.
        aside: PathBuf,
        /// The system's reason. Part of the message, not a separate source, as for `Io`.
        error: io::Error,
    },
    /// The store was written in a format this build of Sweep does not read.
    #[error(
        "store {} has format version {found}, but this sweep reads version {expected}",
        path.display()
    )]
    FormatVersion {
        /// The store's directory.
        path: PathBuf,
        /// The version found in the store.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// The database holds fewer flushes than reached disk: its file was damaged or copied in
    /// part, and sled, opening it, kept only what came before the damage.
    #[error(
        "store {} lost data: its database holds {held} of the {written} flushes that reached \
         disk (the file `db` was damaged or copied in part, and sled, opening it, kept only \
         what came before the damage). Nothing more was stored in it. Restore the folder from a \
         copy if there is one; to go on with what it still holds (a sweep then runs its lost \
         trials again), delete {}",
        path.display(),
        mark.display()
    )]
    LostWrites {
        /// The store's directory.
        path: PathBuf,
        /// The file that counts the flushes that reached disk.
        mark: PathBuf,
        /// The flushes the database holds.
        held: u64,
        /// The flushes its file says reached disk.
        written: u64,
    },
    /// sled cannot read the database back at all: its settings file `conf` is damaged, or its
    /// file `db` was cut short (or damaged) behind its snapshot, where sled 0.34 fails by
    /// panicking; `Store::open` catches that.
    #[error("{}", damaged_text(path, *part))]
    Damaged {
        /// The store's directory.
        path: PathBuf,
        /// Which of its files sled could not read.
        part: DamagedPart,
    },
    /// A compaction of the store failed; `detail` says why and where the store is.
    #[error("cannot compact store {}: {detail}", path.display())]
    Compact {
        /// The store's directory.
        path: PathBuf,
        /// Why, and what state the store is left in.
        detail: String,
    },
    /// A compaction of the store was killed part way: the store is whole, aside.
    #[error(
        "store {} is being compacted, or its compaction was stopped part way (the store is kept \
         whole meanwhile, in {} or, once swapped, in its place); run `sweep compact --store {}` \
         to finish it",
        path.display(),
        aside.display(),
        path.display()
    )]
    CompactionInterrupted {
        /// The store's directory.
        path: PathBuf,
        /// Where the store is meanwhile.
        aside: PathBuf,
    },
    /// A command that reads a store was given a folder that holds none.
    #[error(
        "no store at {}: the folder holds no sweep store (no `db` and `conf` files); pass the \
         folder a sweep ran in with --store, or run `sweep run FILE` first",
        path.display()
    )]
    NoStore {
        /// The folder given.
        path: PathBuf,
    },
    /// The folder holds a file named `db` or `conf` (the database's own names) without the
    /// other: not a store, and opening it would write over the file.
    #[error(
        "{} holds a file `{found}` but no `{missing}`: it is not a sweep store, and nothing in \
         it was changed. If it is one that lost its `{missing}`, restore the folder from a copy; \
         otherwise pass a store's folder, or a new or empty one, with --store",
        path.display()
    )]
    Foreign {
        /// The folder given.
        path: PathBuf,
        /// The file that is there.
        found: &'static str,
        /// The file that is not.
        missing: &'static str,
    },
    /// The directory holds a sled database that was not written by Sweep.
    #[error("{} holds data but no sweep format version; it is not a sweep store", path.display())]
    NotAStore {
        /// The store's directory.
        path: PathBuf,
    },
    /// An experiment with this name already exists.
    #[error("experiment {name:?} already exists")]
    ExperimentExists {
        /// The name asked for.
        name: String,
    },
    /// No experiment has this name.
    #[error("no experiment named {name:?}")]
    UnknownExperiment {
        /// The name asked for.
        name: String,
    },
    /// A metric name is too long to be part of a key.
    #[error("metric name of {len} bytes is longer than the limit of {max} bytes")]
    MetricNameTooLong {
        /// The name's length in bytes.
        len: usize,
        /// The longest name allowed, in bytes.
        max: usize,
    },
    /// A record was written by a newer Sweep, in a record version this one does not know. The
    /// message says which versions this one reads (`VERSIONS_READ`) and which Sweep to use.
    #[error("{}", record_version_text(what, experiment.as_deref(), *version))]
    RecordVersion {
        /// The kind of record, e.g. `trial record`.
        what: &'static str,
        /// The experiment the record belongs to, where the reader knows it.
        experiment: Option<String>,
        /// The version found.
        version: u32,
    },
    /// Stored bytes do not decode.
    #[error("corrupt {what} in store: {detail}")]
    Corrupt {
        /// What was being read, e.g. `trial record`.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The store's folder cannot be opened as a database: it is a file, or the system refused.
    #[error("cannot open store {}: {detail}", path.display())]
    Open {
        /// The store's directory, as given.
        path: PathBuf,
        /// Why, in words.
        detail: String,
    },
    /// An open store could not be written to disk: a flush wrote the database, but not the
    /// count of flushes beside it (its folder made read-only, the disk refusing writes). What
    /// earlier flushes wrote is kept; the count is only behind the database, which `open`
    /// allows.
    #[error("{}", flush_text(path, file, error))]
    Flush {
        /// The store's directory.
        path: PathBuf,
        /// The file beside the database that could not be written.
        file: PathBuf,
        /// The system's reason. Part of the message, not a separate source, as for `Io`.
        error: io::Error,
    },
    /// An agent journal cannot be read or written, or holds what this agent cannot go on with.
    #[error(
        "agent journal {}{}: {detail}",
        path.display(),
        line.map_or(String::new(), |l| format!(":{l}"))
    )]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// The line, from 1, when one line is at fault.
        line: Option<u64>,
        /// What is wrong, in words.
        detail: String,
    },
    /// The study's best checkpoint could not be handed over between agents (`handover`).
    #[error("cannot hand the best trial's checkpoint over: {}: {detail}", path.display())]
    Handover {
        /// The file or folder at fault.
        path: PathBuf,
        /// What went wrong, in words.
        detail: String,
    },
    /// A checkpoint's file, beside the store, could not be deleted (a trial run again that is
    /// no longer kept, one stopped, one a better trial pushed out).
    #[error("cannot delete checkpoint file {}: {detail}", path.display())]
    CheckpointFile {
        /// The file or folder at fault.
        path: PathBuf,
        /// What went wrong, in words.
        detail: String,
    },
    /// An experiment's checkpoint folder, beside the store, could not be listed (`sweep rm`).
    #[error("cannot read {}: {error}", path.display())]
    CheckpointsUnread {
        /// The experiment's checkpoint folder.
        path: PathBuf,
        /// The system's reason. Part of the message, not a separate source, as for `Io`.
        error: io::Error,
    },
    /// An experiment's checkpoint folder, beside the store, could not be deleted (`sweep rm`).
    #[error("cannot delete {}: {error}", path.display())]
    CheckpointsKept {
        /// The experiment's checkpoint folder.
        path: PathBuf,
        /// The system's reason. Part of the message, not a separate source, as for `Io`.
        error: io::Error,
    },
    /// The database failed to read or write. The I/O error is part of the message, not a
    /// separate source, so that a chain of causes does not print it twice.
    #[error("store i/o failed: {0}")]
    Io(io::Error),
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Builds a `Corrupt` error.
    pub(crate) fn corrupt(what: &'static str, detail: impl Into<String>) -> Error {
        Error::Corrupt {
            what,
            detail: detail.into(),
        }
    }

    /// Returns how this error is a record of kind `what` (`RUN_RECORD`, `TEST_RESULT`,
    /// `WARM_START`, ...) that does not read: its record version is not one this Sweep reads
    /// (`Error::RecordVersion`), or its bytes do not decode (`Error::Corrupt`). `None` for any
    /// other error, a record of another kind's included.
    pub fn unreadable_record(&self, what: &str) -> Option<UnreadableRecord> {
        match self {
            Error::RecordVersion { what: kind, .. } if *kind == what => {
                Some(UnreadableRecord::Version)
            }
            Error::Corrupt { what: kind, .. } if *kind == what => Some(UnreadableRecord::Damaged),
            _ => None,
        }
    }
}

/// Why a record does not read (`Error::unreadable_record`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreadableRecord {
    /// Its record version is not one this Sweep reads (as where a newer Sweep wrote it).
    Version,
    /// Its stored bytes do not decode: no version of Sweep reads it.
    Damaged,
}

/// Which file of a store's database is damaged (`Error::Damaged`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamagedPart {
    /// The settings file `conf`, read before anything else (nothing was read or written).
    Settings,
    /// The log `db`, behind its snapshot when `snapshot` (its `snap.*` files are there).
    Log {
        /// Whether the folder holds a snapshot, `snap.*`.
        snapshot: bool,
    },
}
