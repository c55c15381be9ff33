//! A store's name: the lock that keeps the folder at its name while a store is opened there
//! (`NAME.open-lock`, a `flock` on a file beside the folder), and `Store::remove_if_empty`, the
//! one thing that moves a store's folder away from its name while others may open it.
//!
//! sled 0.34 opens its database file by name and takes its lock on the open file, without
//! waiting; then, as it recovers, it writes by name again: it makes the folder anew if it is
//! gone, writes its snapshot there and deletes every other. A folder renamed aside between
//! sled's opening of `db` and its lock (a failed run's empty store, set aside and deleted)
//! leaves another process's open holding the moved file and recovering into a folder at the
//! store's name that has no database, which sled then calls corrupt. So every try of an open
//! holds this lock shared from its first look at the folder until it returns, and a removal
//! and a compaction hold it exclusively from before they open the store until they have let go
//! of it: no open spans a rename.
//!
//! Opens wait behind an exclusive taker: it first takes the name's turn (`NAME.open-turn`,
//! exclusively), and an open that finds the turn taken does not take the lock but gives
//! `Error::BeingMoved`, which it tries again for `LOCK_WAIT` as it does sled's conflict
//! (`Error::Locked`); the taker then waits only for the opens already holding the lock, each of
//! which lets go when its try ends.
//! So a stream of short opens, however close, does not keep a compaction or a removal out: each
//! takes its turn, waiting at most `LOCK_WAIT` for the opens before it. Not strictly never: an
//! open looks at the turn by locking it shared for a moment, and a taker whose every try (one
//! each `LOCK_POLL`) for `LOCK_WAIT` meets such a moment is kept out. A removal or a compaction
//! kept out leaves the store where it is and says by whom: opens under way
//! (`Error::BeingOpened`; sled's lock was never reached), or another removal or compaction
//! with the turn (`Error::BeingMoved`). The taker writes into the turn what it does and who it
//! is (`Moving`), so an open or a taker kept out by it names it: an open's wait ends in
//! `Error::BeingMoved` too, not in `Error::Locked` with the last opener's announcement, which
//! a removal never writes and a compaction writes only once it has the store. A note whose
//! writer is gone (a killed taker's, left where the next taker cannot write: `lock_file`) is
//! not read: the taker is then named by none.
//!
//! The files are made by their takers and deleted by their last holder (`lock_file`); one left
//! by a killed process locks nothing, and the next holder deletes it (the turn's, the next
//! removal or compaction: opens only look at the turn). Where the lock file cannot be made or
//! locked (a folder whose parent cannot be written, a file system without `flock`: sled needs
//! `flock` on `db` to open the store at all, so in practice a parent on another file system
//! than the store) an open goes on without it, and a removal does not happen: it could pull
//! the folder from under another process's open, while an empty store left is only a folder to
//! delete (and where the parent cannot be written, it could not be renamed anyway). One this
//! user cannot write but can read (another user's) is locked all the same.
//!
//! The lock is beside the folder the name leads to (links followed), so a store named by two
//! paths has one lock; a rename that another program makes is not kept out.

mod lock_file;
#[cfg(test)]
mod tests;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::compact::{beside, real};
use super::{LOCK_POLL, LOCK_WAIT};
use crate::{Error, Result, Store};

#[cfg(test)]
pub(super) use lock_file::on_lock_opened;
pub(super) use lock_file::{Hold, LockFile, Taken};

/// The suffix of the lock file beside a store's folder (`NAME.open-lock`).
const OPEN_LOCK: &str = "open-lock";

/// The suffix of the turn that an exclusive taker of the name lock holds while it waits for it
/// (`NAME.open-turn`).
const OPEN_TURN: &str = "open-turn";

/// Where the name lock of one store and its turn are, found once (the store's folder with its
/// links followed) for every try that takes them.
#[derive(Debug, Clone)]
pub(super) struct Name {
    lock: PathBuf,
    turn: PathBuf,
}

/// The name lock of one store held exclusively, with its turn: let go of when dropped, the lock
/// first.
#[derive(Debug)]
pub(super) struct NameHeld {
    _lock: LockFile,
    _turn: LockFile,
}

/// What an exclusive taker of a store's name does, written into the turn it holds
/// (`LockFile::write_note`) so that an open or another taker it keeps out names it now
/// (`Error::BeingMoved`), not whoever opened the store last (`opened-by`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Moving<'a> {
    /// Removes the store if it holds no experiment (`Store::remove_if_empty`), which it has not
    /// yet looked at when it takes the name.
    Removal,
    /// Compacts the store (`Store::compact`), for the process that announced itself as
    /// `opener`.
    Compaction {
        /// The compacting process, in its own words (`Store::announce`).
        opener: &'a str,
    },
}

impl Moving<'_> {
    /// Returns the turn's note: what this process does to the store and who it is, a clause
    /// that `Error::BeingMoved` follows "another sweep process is" with.
    fn note(self) -> String {
        match self {
            Moving::Removal => format!(
                "removing it if it holds no experiment (pid {})",
                std::process::id()
            ),
            Moving::Compaction { opener } => format!("{COMPACTING}: {opener}"),
        }
    }
}

/// What a compaction does to the store, as `Error::BeingMoved` says it: the start of its note.
pub(super) const COMPACTING: &str = "compacting it";

/// What one try of an open found of a store's name (`Name::try_share`).
#[derive(Debug)]
pub(super) enum Share {
    /// The name lock, held shared until dropped.
    Held(LockFile),
    /// A removal or a compaction has the name: what it wrote of itself in the turn
    /// (`Moving`), if it did.
    Moving(Option<String>),
    /// The lock file cannot be made or locked there: the open goes on without it.
    Unavailable,
}

/// Why an exclusive taker did not get the name lock (`Name::take_exclusive`).
#[derive(Debug)]
pub(super) enum Refused {
    /// Another exclusive taker (a removal or a compaction) had the turn throughout: what it
    /// wrote of itself there (`Moving`), if it did.
    Turn(Option<String>),
    /// Opens held the lock throughout, after this taker had its turn: sled's lock was never
    /// reached.
    Opens,
    /// The lock file or the turn cannot be made or locked there: why, naming the file.
    Unavailable(io::Error),
}

impl Refused {
    /// Returns why the name lock of the store in `path` cannot be had (`Unavailable`), for the
    /// caller to say its own way; where others hold it, the error that says so
    /// (`Error::BeingMoved`, `Error::BeingOpened`).
    pub(super) fn unavailable(self, path: &Path) -> Result<io::Error> {
        let path = path.to_path_buf();
        match self {
            Refused::Turn(mover) => Err(Error::BeingMoved { path, mover }),
            Refused::Opens => Err(Error::BeingOpened { path }),
            Refused::Unavailable(e) => Ok(e),
        }
    }
}

impl Name {
    /// Returns where the name lock of the store in `store` is.
    pub(super) fn of(store: &Path) -> Name {
        let real = real(store);
        Name {
            lock: beside(&real, OPEN_LOCK),
            turn: beside(&real, OPEN_TURN),
        }
    }

    /// Tries once, without waiting, to take the name lock shared, as one try of an open does:
    /// `Share::Moving` while an exclusive taker holds it or has its turn.
    pub(super) fn try_share(&self) -> Share {
        if let Some(mover) = LockFile::held_exclusively(&self.turn) {
            return Share::Moving(mover.note);
        }
        match LockFile::try_take(&self.lock, Hold::Shared) {
            Taken::Held(lock) => Share::Held(lock),
            // Its holder took the turn first, since the look above.
            Taken::Busy => Share::Moving(self.mover()),
            Taken::Unavailable(_) => Share::Unavailable,
        }
    }

    /// Returns what the exclusive taker that has the turn now wrote of itself there, if one
    /// has it and wrote.
    pub(super) fn mover(&self) -> Option<String> {
        self.turn_held().flatten()
    }

    /// Returns whether an exclusive taker has the turn now, with what it wrote of itself there
    /// (`Some(None)`: it holds the turn and wrote nothing, or its note is not to be read).
    pub(super) fn turn_held(&self) -> Option<Option<String>> {
        LockFile::held_exclusively(&self.turn).map(|mover| mover.note)
    }

    /// Takes the name lock exclusively to do what `moving` says, trying for `wait`: first its
    /// turn, which keeps new opens out and says `moving` to those kept out, then the lock once
    /// the opens that held it let go.
    pub(super) fn take_exclusive(
        &self,
        wait: Duration,
        moving: Moving<'_>,
    ) -> std::result::Result<NameHeld, Refused> {
        let started = Instant::now();
        let turn = match poll(started, wait, || {
            LockFile::try_take(&self.turn, Hold::Exclusive)
        }) {
            Taken::Held(turn) => turn,
            Taken::Busy => return Err(Refused::Turn(self.mover())),
            Taken::Unavailable(e) => return Err(Refused::Unavailable(e)),
        };
        turn.write_note(&moving.note());
        match poll(started, wait, || {
            LockFile::try_take(&self.lock, Hold::Exclusive)
        }) {
            Taken::Held(lock) => Ok(NameHeld {
                _lock: lock,
                _turn: turn,
            }),
            Taken::Busy => Err(Refused::Opens),
            Taken::Unavailable(e) => Err(Refused::Unavailable(e)),
        }
    }
}

/// Runs `attempt` until it gives something other than `Taken::Busy`, trying again every
/// `LOCK_POLL` while less than `wait` has passed since `started`; returns the last result.
fn poll(started: Instant, wait: Duration, mut attempt: impl FnMut() -> Taken) -> Taken {
    loop {
        match attempt() {
            Taken::Busy if started.elapsed() < wait => std::thread::sleep(LOCK_POLL),
            done => return done,
        }
    }
}

impl Store {
    /// Removes the store in `path` when it holds no experiment, as a command that made it in
    /// vain does (a failed `sweep run`: the next command would find an empty store where the
    /// user named none); returns whether it went: `Ok(false)` when it holds an experiment.
    ///
    /// The store is opened and its folder renamed aside (`.NAME.removing-PID-N`) while its name
    /// lock is held exclusively, and only the folder aside is deleted: an open that takes the
    /// name after the removal lets go finds no folder at `path` and makes its own, and one that
    /// held the name first kept the removal out, so nothing went. Nothing at `path` is
    /// `Error::NoStore`, with nothing made; so are a `path` under a file (`afile/sub`, which no
    /// command could make) and a link leading nowhere (which an open would have made the folder
    /// of). The store stays where another process holds it
    /// past `LOCK_WAIT` (`Error::Locked`) or holds its name (`Error::BeingOpened`,
    /// `Error::BeingMoved`); where its name lock cannot be made or locked, where it cannot be
    /// moved aside, and where `path` is a link (a command makes a folder, not a link, and
    /// removing the folder would leave the link leading nowhere): `Error::EmptyStoreStays`. A
    /// folder aside that cannot be deleted is `Error::EmptyStoreAsideStays`: the store is gone
    /// from `path`, and that folder, which holds nothing, stays. So does one a crash after the
    /// rename leaves.
    pub fn remove_if_empty(path: &Path) -> Result<bool> {
        Store::remove_if_empty_then(path, || {})
    }

    /// Removes the store in `path` as `remove_if_empty` does, running `released` once the store
    /// and its name are let go and before the folder aside is deleted: the moment another
    /// process may open the name.
    fn remove_if_empty_then(path: &Path, released: impl FnOnce()) -> Result<bool> {
        let aside = set_aside_if_empty(path);
        released();
        let Some(aside) = aside? else {
            return Ok(false);
        };
        fs::remove_dir_all(&aside)
            .map(|()| true)
            .map_err(|error| Error::EmptyStoreAsideStays {
                path: path.to_path_buf(),
                aside,
                error,
            })
    }
}

/// Renames the store folder `path` to a new sibling while holding its name lock exclusively and
/// the store, when it holds no experiment, and returns the new name; `None` when it holds one.
fn set_aside_if_empty(path: &Path) -> Result<Option<PathBuf>> {
    let stays = |detail: String| Error::EmptyStoreStays {
        path: path.to_path_buf(),
        detail,
    };
    let nothing_made = || Error::NoStore {
        path: path.to_path_buf(),
    };
    match fs::symlink_metadata(path) {
        // Nothing there, or no folder to hold it (a parent that is a file, `ENOTDIR`): nothing
        // was made, and nothing is made here (no lock files).
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Err(nothing_made())
        }
        // A link leading nowhere: no command made its folder, which opening would have.
        Ok(m) if m.file_type().is_symlink() && fs::metadata(path).is_err() => {
            return Err(nothing_made())
        }
        // The name lock is beside the link's target, and a rename would move the link.
        Ok(m) if m.file_type().is_symlink() => {
            return Err(stays(
                "it is named by a link, and removing the folder the link leads to would leave \
                 the link leading nowhere (a command makes a folder, not a link)"
                    .into(),
            ))
        }
        _ => {}
    }
    Store::check_existing(path)?;
    // Let go of last, after the store: both keep every open out until the folder went.
    let held = match Name::of(path).take_exclusive(LOCK_WAIT, Moving::Removal) {
        Ok(held) => held,
        Err(refused) => {
            let e = refused.unavailable(path)?;
            return Err(stays(format!(
                "cannot take its name lock, which keeps other processes from opening it while \
                 it is removed ({e}){}, and removing it without that lock could pull it from \
                 under another process's open",
                writable_parent(path, &e)
            )));
        }
    };
    let store = Store::open_existing_named(path, Some(&held))?;
    if !store.experiments()?.is_empty() {
        return Ok(None);
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = path.parent().unwrap_or(Path::new(""));
    // A process id names the attempt among processes; the number, among this process's names
    // that a crashed removal before it may have left.
    for n in 0..16 {
        let candidate = folder.join(format!(".{file_name}.removing-{}-{n}", std::process::id()));
        match fs::rename(path, &candidate) {
            Ok(()) => return Ok(Some(candidate)),
            Err(_) if candidate.exists() => continue,
            Err(e) => {
                return Err(stays(format!(
                    "cannot move it to {} to delete it ({e}){}",
                    candidate.display(),
                    writable_parent(path, &e)
                )))
            }
        }
    }
    Err(stays(format!(
        "the names it is moved to before it is deleted ({}/.{file_name}.removing-{}-0 to -15) \
         are taken",
        folder.display(),
        std::process::id()
    )))
}

/// Returns what to say of the folder holding the store in `path` after `e`: that it must be
/// writable, where `e` is a refusal to write there; nothing otherwise.
pub(super) fn writable_parent(path: &Path, e: &io::Error) -> String {
    if !matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    ) {
        return String::new();
    }
    let parent = match real(path).parent() {
        Some(parent) => parent.display().to_string(),
        None => return String::new(),
    };
    format!("; the folder holding the store, {parent}, must be writable")
}
