//! Errors of the store. Messages name the store's path where one helps the user act.

use std::io;
use std::path::PathBuf;

use crate::records::VERSIONS_READ;

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
    #[error(
        "cannot flush store {} to disk: writing {} failed: {error}; what was already \
         written to it is kept (its folder must stay writable while a command writes the store)",
        path.display(),
        file.display()
    )]
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

/// Returns what `Error::BeingMoved` says after the store's path: who holds its name and what it
/// does, as it wrote them there (`mover`), or, where it wrote nothing, that it is a removal or
/// a compaction.
fn mover_words(mover: Option<&str>) -> String {
    match mover {
        Some(mover) => format!(" is busy: another sweep process is {mover}"),
        None => " is being removed or compacted by another sweep process".to_string(),
    }
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
fn record_version_text(what: &str, experiment: Option<&str>, version: u32) -> String {
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

/// What `Error::Corrupt` names when sled finds its own file corrupt.
pub(crate) const DATABASE_FILE: &str = "database file";

/// Converts a sled error without naming sled in a public `From` impl.
pub(crate) fn storage(e: sled::Error) -> Error {
    match e {
        sled::Error::Corruption { at, .. } => Error::corrupt(
            DATABASE_FILE,
            format!(
                "sled detected corruption at {at:?}: the store's file `db` was damaged since it \
                 was written; restore the store's folder from a copy if there is one"
            ),
        ),
        other => Error::Io(undebugged(io::Error::from(other))),
    }
}

/// Returns `e` as it was before sled cloned it: sled keeps an error that stops its flusher
/// and hands out clones, which carry the original only in Rust's debug form (`Os { code: 28,
/// kind: StorageFull, message: "No space left on device" }`); this turns such text back into
/// the error it describes, so that it reads `No space left on device (os error 28)`.
fn undebugged(e: io::Error) -> io::Error {
    if e.raw_os_error().is_some() || e.get_ref().is_none() {
        return e;
    }
    let text = e.to_string();
    if let Some(code) = text
        .strip_prefix("Os { code: ")
        .and_then(|rest| rest.split(',').next())
        .and_then(|code| code.parse::<i32>().ok())
    {
        return io::Error::from_raw_os_error(code);
    }
    let custom = text
        .strip_prefix("Custom { kind: ")
        .and_then(|rest| rest.split_once(", error: "))
        .and_then(|(_, message)| message.strip_suffix(" }"))
        .map(|message| {
            let unquoted = message
                .strip_prefix('"')
                .and_then(|m| m.strip_suffix('"'))
                .unwrap_or(message);
            unquoted.replace("\\\"", "\"").replace("\\\\", "\\")
        });
    match custom {
        Some(message) => io::Error::new(e.kind(), message),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_record_says_which_versions_this_sweep_reads_and_which_sweep_wrote_it() {
        let newer = Error::RecordVersion {
            what: "run record",
            experiment: Some("digits".into()),
            version: 6,
        };
        assert_eq!(
            newer.to_string(),
            "run record of experiment `digits` has version 6, but this sweep reads versions 1 to 5: a newer sweep \
             wrote it; read it with that sweep or a later one"
        );
        let one = Error::RecordVersion {
            what: "test result",
            experiment: None,
            version: 2,
        };
        assert_eq!(
            one.to_string(),
            "test result has version 2, but this sweep reads version 1: a newer sweep wrote \
             it; read it with that sweep or a later one"
        );
        let two = Error::RecordVersion {
            what: "trial record",
            experiment: None,
            version: 3,
        };
        assert_eq!(
            two.to_string(),
            "trial record has version 3, but this sweep reads versions 1 and 2: a newer sweep \
             wrote it; read it with that sweep or a later one"
        );
        let zero = Error::RecordVersion {
            what: "run record",
            experiment: None,
            version: 0,
        };
        assert_eq!(
            zero.to_string(),
            "run record has version 0, which no sweep writes (this sweep reads versions 1 to 5)"
        );
    }

    #[test]
    fn a_record_that_does_not_read_is_told_from_other_errors_by_its_kind() {
        use crate::{RUN_RECORD, TEST_RESULT};
        let newer = Error::RecordVersion {
            what: TEST_RESULT,
            experiment: None,
            version: 2,
        };
        let damaged = Error::corrupt(TEST_RESULT, "expected value at line 1 column 1");
        assert_eq!(
            newer.unreadable_record(TEST_RESULT),
            Some(UnreadableRecord::Version)
        );
        assert_eq!(
            damaged.unreadable_record(TEST_RESULT),
            Some(UnreadableRecord::Damaged)
        );
        // Another kind's record, and the store's own failures, are not this record not reading.
        assert_eq!(newer.unreadable_record(RUN_RECORD), None);
        assert_eq!(damaged.unreadable_record(RUN_RECORD), None);
        let database = Error::corrupt(DATABASE_FILE, "sled detected corruption");
        assert_eq!(database.unreadable_record(TEST_RESULT), None);
        let io = Error::Io(io::Error::other("disk full"));
        assert_eq!(io.unreadable_record(TEST_RESULT), None);
    }

    #[test]
    fn the_versions_read_are_those_the_decoders_read() {
        use crate::records;
        type Decode = fn(&[u8]) -> Result<()>;
        let decoders: [(&str, Decode); 5] = [
            ("experiment record", |b| {
                records::decode_experiment(b).map(drop)
            }),
            ("trial record", |b| records::decode_trial(b).map(drop)),
            ("run record", |b| records::decode_run_record(b).map(drop)),
            ("test result", |b| records::decode_test_result(b).map(drop)),
            ("warm start", |b| records::decode_warm_start(b).map(drop)),
        ];
        for ((kind, newest), (what, decode)) in VERSIONS_READ.iter().zip(decoders) {
            assert_eq!(*kind, what);
            let version = |v: u32| decode(format!(r#"{{"v":{v}}}"#).as_bytes());
            // The newest version is read (and found to lack its fields); the next is refused.
            for v in 1..=*newest {
                assert!(
                    matches!(version(v), Err(Error::Corrupt { .. })),
                    "{kind} {v}"
                );
            }
            assert!(
                matches!(
                    version(newest + 1),
                    Err(Error::RecordVersion { what: w, version: v, .. }) if w == what && v == newest + 1
                ),
                "{kind} {}",
                newest + 1
            );
        }
    }

    #[test]
    fn an_io_error_sled_cloned_reads_as_the_original() {
        let full = sled::Error::Io(io::Error::from_raw_os_error(28));
        let shown = storage(full.clone()).to_string();
        assert_eq!(
            shown,
            format!("store i/o failed: {}", io::Error::from_raw_os_error(28))
        );
        assert!(!shown.contains("Os {"), "{shown}");
        let custom = sled::Error::Io(io::Error::other("the \"db\" file is gone"));
        assert_eq!(
            storage(custom.clone()).to_string(),
            "store i/o failed: the \"db\" file is gone"
        );
        // Text that merely starts alike is left as it is.
        let plain = sled::Error::Io(io::Error::other("Os { code: x"));
        assert_eq!(storage(plain).to_string(), "store i/o failed: Os { code: x");
    }
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

/// The message of `Error::Damaged`: what is damaged, what opening it did, and the ways on.
fn damaged_text(path: &std::path::Path, part: DamagedPart) -> String {
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
