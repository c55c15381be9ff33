//! Opening a store: `Store::open` and `open_existing` (a folder of the user's), `temporary`
//! (a leased scratch folder), the format check on opening, and who announced holding it. sled's
//! own open, and its failures read as the store's errors, are in `database`; whether the path
//! can be a folder at all (not a file, nor under a file or a link leading nowhere), in `folder`.
//!
//! Locking: sled takes an exclusive `flock` on the database file when it opens, without waiting.
//! `flock` belongs to the open file description, so a second open conflicts whether it comes from
//! another process or from this one. Sled reports the conflict only as an `Other` I/O error whose
//! message starts "could not acquire lock" and ends with the debug text of `flock`'s error;
//! `open` recognizes that message (sled 0.34 is frozen) and returns `Error::Locked` where the
//! error is `WouldBlock`, and `Error::Open` for any other refusal (a file system that keeps no
//! locks), which no wait clears (`database`). A test re-executes the test binary to check it
//! across processes.
//! Sled also releases its lock late: a dropped handle's last log writes finish on sled's own
//! background threads, which hold the file (and its lock) until they are done (sled issue 1289).
//! So `open` retries a lock conflict for up to `LOCK_WAIT` before it reports one; a store that
//! another handle or process really holds is reported after that wait, with what the holder
//! wrote about itself in the plain file `opened-by` beside the database (`announce`): sled's lock
//! keeps a second process from reading the database, not that file.
//!
//! The lock is on the file, not the name: a process that opened `db` just before another moved
//! the folder aside (a failed run's empty store, set aside and then deleted) takes the lock of
//! the moved file once the mover lets go. So each try checks, once sled holds the lock, that
//! `db` still names the file it found there before opening (device and inode; not checked off
//! unix), and tries again when it does not. That check comes after sled's recovery, which
//! writes into the folder by name (and makes it again if it is gone): what keeps a removal from
//! renaming the folder in that span is the store's name lock (`store/name`), which each try
//! holds shared from its first look at the folder until it returns (or the opener, a removal or
//! a compaction, holds exclusively throughout); the check stays for a rename made without it.

mod database;
mod folder;
#[cfg(test)]
mod hook;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::name::{Name, NameHeld, Share};
use super::{aside_failed, compact, scratch, write_aside, Store};
use super::{FORMAT_VERSION, FORMAT_VERSION_KEY, LOCK_POLL, LOCK_WAIT, OPENED_BY, OPENED_BY_MAX};
use crate::error::{storage, DATABASE_FILE};
use crate::{Error, Result};
use database::{damaged_log, drop_unfinished_snapshots, open_error, open_sled};
use folder::not_a_folder;
#[cfg(test)]
pub(crate) use hook::on_open;
#[cfg(test)]
use hook::step;

impl Store {
    /// Opens the store in directory `path`, creating it if missing.
    ///
    /// Fails with `Error::Locked` when the store is open elsewhere, with `Error::BeingMoved`
    /// when another process is removing or compacting it, and with `Error::FormatVersion` when
    /// it was written in another format.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_at(path, false, Naming::Share(&Name::of(path)))
    }

    /// Opens the existing store in `path` as `open_existing` does, for a removal or a
    /// compaction that holds its name lock exclusively (`held`; `None`: none can be had there),
    /// which each try of an open would otherwise wait on.
    pub(super) fn open_existing_named(path: &Path, _held: Option<&NameHeld>) -> Result<Store> {
        Store::check_existing_as(path, &Naming::Caller)?;
        Store::open_at(path, true, Naming::Caller)
    }

    /// Opens the store in `path` as `open` does; `existing`: refuses rather than creates one
    /// (`Error::NoStore`), also when the folder goes while the open waits for the lock.
    fn open_at(path: &Path, existing: bool, naming: Naming<'_>) -> Result<Store> {
        // Not even created anew: the store is aside, left so by a killed compaction. One that a
        // live compaction swaps is waited for below, as its other holders are.
        if let Some(e @ Error::CompactionInterrupted { .. }) = set_aside(path, &naming) {
            return Err(e);
        }
        if let Some(e) = not_a_folder(path) {
            return Err(e);
        }
        // sled writes `conf` and `db` together; one without the other is someone else's file,
        // which opening would write over.
        let (db, conf) = (path.join("db").is_file(), path.join("conf").is_file());
        if db != conf {
            let (found, missing) = if db { ("db", "conf") } else { ("conf", "db") };
            return Err(Error::Foreign {
                path: path.to_path_buf(),
                found,
                missing,
            });
        }
        drop_unfinished_snapshots(path);
        let tried = || stepped_moving(path, Store::try_open_at(path, existing, &naming));
        match retry_locked(LOCK_WAIT, tried) {
            Err(Error::Locked { path, .. }) => {
                let opener = read_opener(&path);
                Err(Error::Locked { path, opener })
            }
            opened => opened,
        }
    }

    /// Makes one try of `open_at` past its first checks: `Error::Locked` when sled's lock is
    /// held, `Error::BeingMoved` when a removal or a compaction has the store's name, which
    /// `open_at` tries again.
    fn try_open_at(path: &Path, existing: bool, naming: &Naming<'_>) -> Result<Store> {
        let pending = || set_aside(path, naming);
        // Checked again on every try: a compaction may set the store aside meanwhile, and
        // sled would make a new, empty one in its place.
        if let Some(e) = pending() {
            return Err(e);
        }
        // Held until this try returns: no removal renames the folder meanwhile (`store/name`).
        let _name = match naming {
            Naming::Share(name) => match name.try_share() {
                Share::Held(lock) => Some(lock),
                Share::Unavailable => None,
                // Named as it is now: `opened-by` names whoever opened the store last, and a
                // removal never writes it.
                Share::Moving(mover) => {
                    return Err(Error::BeingMoved {
                        path: path.to_path_buf(),
                        mover,
                    })
                }
            },
            Naming::Caller => None,
        };
        // Again once the name is held: a compaction killed between its rename of the store
        // aside and its finish may have held the name through the check above.
        if let Some(e) = pending() {
            return Err(e);
        }
        step(OpenStep::Named, path);
        if existing && !path.join("db").is_file() {
            return Err(Error::NoStore {
                path: path.to_path_buf(),
            });
        }
        let found = file_id(&path.join("db"));
        match open_sled(path)? {
            // The folder went between the check above and sled's open (a compaction set
            // it aside), and sled made a new database where the store was: it goes again.
            Ok(db) if existing && !db.was_recovered() && pending().is_some() => {
                drop(db);
                for name in ["db", "conf", "blobs"] {
                    let made = path.join(name);
                    let _ = std::fs::remove_file(&made);
                    let _ = std::fs::remove_dir_all(&made);
                }
                drop_unfinished_snapshots(path);
                let _ = std::fs::remove_dir(path);
                Err(pending().unwrap_or(Error::NoStore {
                    path: path.to_path_buf(),
                }))
            }
            Ok(db) => {
                step(OpenStep::Locked, path);
                // The folder was moved aside after sled opened `db` and before it got the lock,
                // by a mover that did not take the name lock: sled holds the moved file, which
                // its mover deletes. Tried again, as a conflict is. (sled's recovery has
                // written into the folder at `path` by then; the name lock keeps `Store`'s own
                // removal out of that span.)
                if !still_named(found, &path.join("db")) {
                    drop(db);
                    return Err(Error::Locked {
                        path: path.to_path_buf(),
                        opener: None,
                    });
                }
                // Corruption found while reading the store's first records is damage too.
                Store::init(db, Some(Arc::from(path)), None).map_err(|e| match e {
                    Error::Corrupt {
                        what: DATABASE_FILE,
                        ..
                    } => damaged_log(path),
                    e => e,
                })
            }
            Err(e) => {
                let e = open_error(e, path);
                if matches!(e, Error::Locked { .. }) {
                    step(OpenStep::Conflict, path);
                }
                Err(e)
            }
        }
    }

    /// Opens the store in `path` as `open` does, for a command that only works on an existing
    /// one: a folder without a store is refused (`Error::NoStore`), nothing written in it.
    pub fn open_existing(path: &Path) -> Result<Store> {
        let name = Name::of(path);
        match Store::check_existing_as(path, &Naming::Share(&name)) {
            // A live compaction swaps the store: waited for as the open tries.
            Err(Error::BeingMoved { .. }) => {}
            checked => checked?,
        }
        Store::open_at(path, true, Naming::Share(&name))
    }

    /// Fails as `open_existing` would before opening anything, for a command that reads files
    /// beside the database (a checkpoint) without opening it, or before it opens: a store set
    /// aside by a compaction (a live one's swap waited for up to `LOCK_WAIT`, as an open waits,
    /// `Error::BeingMoved` past it; else `Error::CompactionInterrupted`), a file where the
    /// folder should be, or a folder holding neither of sled's files (`Error::NoStore`). A
    /// folder not there at all passes: opening says so.
    pub fn check_existing(path: &Path) -> Result<()> {
        let name = Name::of(path);
        retry_locked(LOCK_WAIT, || {
            stepped_moving(path, Store::check_existing_as(path, &Naming::Share(&name)))
        })
    }

    /// Checks the store in `path` as `check_existing` does, for an opener that holds its name
    /// as `naming` says (one that holds it itself is never kept out by its own turn).
    fn check_existing_as(path: &Path, naming: &Naming<'_>) -> Result<()> {
        if let Some(e) = set_aside(path, naming) {
            return Err(e);
        }
        if let Some(e) = not_a_folder(path) {
            return Err(e);
        }
        if path.is_dir() && !path.join("db").is_file() && !path.join("conf").is_file() {
            return Err(Error::NoStore {
                path: path.to_path_buf(),
            });
        }
        Ok(())
    }

    /// Deletes a temporary store's files now, for a process about to end while other threads
    /// still hold clones of it (which would keep them until another process sweeps them away);
    /// the store must not be used afterwards. Does nothing to a store with a path.
    pub fn discard_temporary(&self) {
        if let Some(scratch) = &self._scratch {
            scratch.discard();
        }
    }

    /// Returns the folder of a temporary store (`temporary`), to name where it is when it
    /// cannot be written; `None` for a store in a folder of the user's.
    pub fn scratch_folder(&self) -> Option<&Path> {
        self._scratch.as_deref().map(|s| s.folder.as_path())
    }

    /// Opens an empty store in `/dev/shm` (or, without it, `/tmp`) that vanishes when dropped.
    ///
    /// What a killed process leaves behind is removed by the next call, in any process (see
    /// `scratch`).
    pub fn temporary() -> Result<Store> {
        Store::temporary_in(None)
    }

    /// Opens an empty temporary store as `temporary` does, in the folder `chosen` when given
    /// (the binary passes `TMPDIR`'s), else in `/dev/shm` or `/tmp`.
    pub fn temporary_in(chosen: Option<&Path>) -> Result<Store> {
        Store::temporary_with(chosen, sled::Config::new())
    }

    /// Opens an empty temporary store as `temporary_in` does, with sled's settings `config`.
    pub(super) fn temporary_with(chosen: Option<&Path>, config: sled::Config) -> Result<Store> {
        let cannot = |path: PathBuf, e: &dyn fmt::Display| Error::Open {
            path,
            detail: format!(
                "a temporary store cannot be made there: {e} (temporary stores go to the folder \
                 TMPDIR names, else to /dev/shm; set TMPDIR to a folder with room)"
            ),
        };
        let scratch = scratch::lease(chosen).map_err(|(base, e)| cannot(base, &e))?;
        let db = config
            .temporary(true)
            .path(&scratch.folder)
            .open()
            .map_err(|e| cannot(scratch.folder.clone(), &storage(e)))?;
        Store::init(db, None, Some(Arc::new(scratch)))
    }

    /// Records who holds the store, in words for a person (such as the command, its process
    /// id and its dashboard's address), so that another process that finds the store locked
    /// can say who holds it. The text replaces what the previous opener wrote; a temporary
    /// store keeps nothing.
    pub fn announce(&self, opener: &str) -> Result<()> {
        let Some(dir) = self.path.as_deref() else {
            return Ok(());
        };
        write_aside(dir, OPENED_BY, opener).map_err(|(file, e)| aside_failed(dir, &file, &e))
    }

    fn init(
        db: sled::Db,
        path: Option<Arc<Path>>,
        scratch: Option<Arc<scratch::Scratch>>,
    ) -> Result<Store> {
        let tree = |name: &str| db.open_tree(name).map_err(storage);
        let store = Store {
            meta: tree("meta")?,
            experiment_ids: tree("experiment_ids")?,
            experiments: tree("experiments")?,
            run_records: tree("run_records")?,
            test_results: tree("test_results")?,
            warm_starts: tree("warm_starts")?,
            trials: tree("trials")?,
            metrics: tree("metrics")?,
            db,
            path,
            marked: Arc::new(Mutex::new(0)),
            _scratch: scratch,
        };
        // First: a database that lost everything reads as new, and `check_format` would write
        // the format version and a first flush mark over the count that tells.
        store.check_flushed()?;
        store.check_format()?;
        Ok(store)
    }

    /// Checks the stored format version, or writes it into a store that holds nothing yet.
    pub(super) fn check_format(&self) -> Result<()> {
        let found = self.meta.get(FORMAT_VERSION_KEY).map_err(storage)?;
        match found {
            Some(bytes) => {
                let array: [u8; 4] = bytes.as_ref().try_into().map_err(|_| {
                    Error::corrupt(
                        "format version",
                        format!("expected 4 bytes, found {}", bytes.len()),
                    )
                })?;
                let found = u32::from_be_bytes(array);
                if found != FORMAT_VERSION {
                    return Err(Error::FormatVersion {
                        path: self.display_path(),
                        found,
                        expected: FORMAT_VERSION,
                    });
                }
            }
            None => {
                for name in self.db.tree_names() {
                    if !self.db.open_tree(name).map_err(storage)?.is_empty() {
                        return Err(Error::NotAStore {
                            path: self.display_path(),
                        });
                    }
                }
                self.meta
                    .insert(FORMAT_VERSION_KEY, &FORMAT_VERSION.to_be_bytes())
                    .map_err(storage)?;
                // Still opening: a mark that cannot be written is the folder's trouble at open.
                self.flush().map_err(|e| match e {
                    Error::Flush { path, file, error } => aside_failed(&path, &file, &error),
                    other => other,
                })?;
            }
        }
        Ok(())
    }
}

/// How each try of an open holds the store's name lock (`store/name`).
#[derive(Debug)]
enum Naming<'a> {
    /// Shared, taken by each try of the open at the store's name.
    Share(&'a Name),
    /// Not at all: the opener holds it exclusively, or none can be had there.
    Caller,
}

/// Returns the refusal of an open of the store in `path` that finds it set aside by a
/// compaction: `Error::BeingMoved` while another process holds the name's turn (a live
/// compaction swapping it for its copy, or a removal or compaction waiting to take it), tried
/// again as every conflict is; `Error::CompactionInterrupted` where no one does (a compaction
/// killed part way), or where the opener holds the name itself (`Naming::Caller`).
fn set_aside(path: &Path, naming: &Naming<'_>) -> Option<Error> {
    let interrupted = compact::compaction_pending(path)?;
    match naming {
        Naming::Share(name) => match name.turn_held() {
            Some(mover) => Some(Error::BeingMoved {
                path: path.to_path_buf(),
                mover,
            }),
            None => Some(interrupted),
        },
        Naming::Caller => Some(interrupted),
    }
}

/// Runs `attempt` until it gives something other than a conflict (`Error::Locked`, or
/// `Error::BeingMoved` from an open's look at the store's name), trying again every
/// `LOCK_POLL` while less than `wait` has passed since the first try; returns the last result,
/// so a conflict names its holder as the last try found it.
pub(super) fn retry_locked<T>(wait: Duration, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    loop {
        match attempt() {
            Err(Error::Locked { .. } | Error::BeingMoved { .. }) if started.elapsed() < wait => {
                std::thread::sleep(LOCK_POLL)
            }
            done => return done,
        }
    }
}

/// A file's identity: its device and inode.
type FileId = (u64, u64);

/// Returns the identity of `file`, `None` where it is missing (or not on unix).
#[cfg(unix)]
fn file_id(file: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(file).ok().map(|m| (m.dev(), m.ino()))
}

/// Returns the identity of `file`: none off unix, where it is not checked.
#[cfg(not(unix))]
fn file_id(_file: &Path) -> Option<FileId> {
    None
}

/// Returns whether `db`, which sled has just opened and locked, names the file that `found`
/// identifies, seen there before sled opened it; `None`: nothing was there, and sled made it.
/// Where there was one and `db` now names none or another, sled may hold a file moved aside.
/// A database sled made where none was cannot be told from one another opener made there after
/// a move (a third process at once): it passes.
#[cfg(unix)]
fn still_named(found: Option<FileId>, db: &Path) -> bool {
    match (found, file_id(db)) {
        (_, None) => false,
        (Some(before), Some(now)) => before == now,
        (None, Some(_)) => true,
    }
}

/// Returns whether `db` names the file sled opened: not checked off unix.
#[cfg(not(unix))]
fn still_named(_found: Option<FileId>, _db: &Path) -> bool {
    true
}

/// Returns what the holder of the store in `dir` announced, if it did: one line of at most
/// `OPENED_BY_MAX` bytes.
pub(super) fn read_opener(dir: &Path) -> Option<String> {
    let bytes = std::fs::read(dir.join(OPENED_BY)).ok()?;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(OPENED_BY_MAX)]);
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// Returns `tried`, one try of an open (or its check) of the store in `path`, past
/// `OpenStep::Moving` where it gave `Error::BeingMoved`.
fn stepped_moving<T>(path: &Path, tried: Result<T>) -> Result<T> {
    if matches!(tried, Err(Error::BeingMoved { .. })) {
        step(OpenStep::Moving, path);
    }
    tried
}

/// A point in one try of an open, where a test may act (`on_open`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenStep {
    /// The store's name lock is held (or cannot be had); the folder is looked at and sled
    /// opens the database next.
    Named,
    /// sled has opened the database and holds its lock; whether `db` still names that file is
    /// checked next.
    Locked,
    /// sled found the database locked: this try gives `Error::Locked`.
    Conflict,
    /// A removal or a compaction has the store's name: this try gave `Error::BeingMoved`, which
    /// the open tries again while `LOCK_WAIT` lasts.
    Moving,
}

/// Does nothing: only tests act between the steps of an open.
#[cfg(not(test))]
fn step(_at: OpenStep, _path: &Path) {}

/// Waits until no handle holds sled's lock on the store in `dir`, as tests do after dropping
/// the last one before they open the store again or change its files: sled lets go on its own
/// background threads (see `LOCK_WAIT`), which on a loaded machine can take longer than `open`
/// waits. Probes the lock sled takes (an exclusive `flock` on `db`), writing nothing; gives up
/// after ten minutes of tries, leaving the conflict to whatever comes next.
#[cfg(test)]
pub(crate) fn wait_released(dir: &Path) {
    let Ok(db) = std::fs::File::open(dir.join("db")) else {
        return;
    };
    for _ in 0..60_000 {
        match db.try_lock() {
            Err(std::fs::TryLockError::WouldBlock) => std::thread::sleep(LOCK_POLL),
            // Taken (and let go as `db` closes), or not a lock this file system keeps.
            _ => return,
        }
    }
}
