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
//! holds it exclusively from before it renames the folder until it has let go of the store it
//! held: no open spans the rename. A compaction's swap holds it exclusively too.
//!
//! Nobody waits on the lock: an open that finds it taken counts a conflict, as it does sled's
//! (`Error::Locked`, tried again for `LOCK_WAIT`), and a removal that cannot take it for
//! `LOCK_WAIT` leaves the store where it is. The file is deleted by whoever lets go of it last (a
//! holder that can then take it exclusively), and a taker checks that the file it locked is
//! still the one at the name, taking the new one otherwise. Where the file cannot be made (a
//! folder whose parent cannot be written) an open goes on without it, and a removal does not
//! happen.
//!
//! The lock is beside the folder the name leads to (links followed), so a store named by two
//! paths has one lock; a rename that another program makes is not kept out.

use std::fs;
use std::path::{Path, PathBuf};

use super::compact::{beside, real};
use super::open::retry_locked;
use super::LOCK_WAIT;
use crate::{Error, Result, Store};

/// The suffix of the lock file beside a store's folder (`NAME.open-lock`).
const OPEN_LOCK: &str = "open-lock";

/// How the name lock is held: shared by opens, exclusively by a removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hold {
    /// By an open, with other opens.
    Shared,
    /// By a removal or a compaction's swap, alone.
    Exclusive,
}

/// What trying to take the name lock gave.
#[derive(Debug)]
pub(super) enum Taken {
    /// The lock, held until dropped.
    Held(NameLock),
    /// Another holds it in a way that keeps this hold out.
    Busy,
    /// The lock file cannot be made or locked there; the caller goes on without it.
    Unavailable,
}

/// The name lock of one store, held (see the module); let go of when dropped.
#[derive(Debug)]
pub(super) struct NameLock {
    file: fs::File,
    path: PathBuf,
}

impl NameLock {
    /// Tries once, without waiting, to take the name lock of the store in `store` as `hold`
    /// says.
    pub(super) fn try_take(store: &Path, hold: Hold) -> Taken {
        let path = beside(&real(store), OPEN_LOCK);
        // A file deleted by its last holder between this open and the lock locks nothing: the
        // new one at the name is taken instead, a few times at most.
        for _ in 0..16 {
            let Ok(file) = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
            else {
                return Taken::Unavailable;
            };
            let locked = match hold {
                Hold::Shared => file.try_lock_shared(),
                Hold::Exclusive => file.try_lock(),
            };
            match locked {
                Ok(()) if is_file_at(&file, &path) => return Taken::Held(NameLock { file, path }),
                Ok(()) => continue,
                Err(fs::TryLockError::WouldBlock) => return Taken::Busy,
                Err(fs::TryLockError::Error(_)) => return Taken::Unavailable,
            }
        }
        Taken::Busy
    }
}

impl Drop for NameLock {
    fn drop(&mut self) {
        // The last holder deletes the file; one that another still holds stays.
        if self.file.try_lock().is_ok() {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Returns whether `file` is the file at `path` (not one deleted, or replaced, since opened).
#[cfg(unix)]
pub(super) fn is_file_at(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(there)) => held.ino() == there.ino() && held.dev() == there.dev(),
        _ => false,
    }
}

/// Returns whether `file` is the file at `path`: without inode numbers, whether one is there.
#[cfg(not(unix))]
pub(super) fn is_file_at(_file: &fs::File, path: &Path) -> bool {
    path.is_file()
}

/// Takes the name lock of the store in `path` exclusively, trying for `LOCK_WAIT` while opens
/// hold it: `Ok(None)` where it cannot be made, `Error::Locked` when it stays taken.
pub(super) fn take_exclusive(path: &Path) -> Result<Option<NameLock>> {
    retry_locked(LOCK_WAIT, || {
        match NameLock::try_take(path, Hold::Exclusive) {
            Taken::Held(lock) => Ok(Some(lock)),
            Taken::Unavailable => Ok(None),
            Taken::Busy => Err(Error::Locked {
                path: path.to_path_buf(),
                opener: None,
            }),
        }
    })
}

impl Store {
    /// Removes the store in `path` when it holds no experiment, as a command that made it in
    /// vain does (a failed `sweep run`: the next command would find an empty store where the
    /// user named none); returns whether it went.
    ///
    /// The folder is renamed aside (`.NAME.removing-PID-N`) while the store and its name lock
    /// are held, and only the folder aside is deleted: an open that takes the store's lock
    /// after the removal lets go finds no folder at `path` and makes its own, and one that
    /// held the store first kept it from being taken, so nothing went. A store held elsewhere
    /// stays (`Error::Locked`), and so does one whose name lock cannot be made. A crash after the
    /// rename leaves the folder aside, which holds nothing and may be deleted.
    pub fn remove_if_empty(path: &Path) -> Result<bool> {
        Store::remove_if_empty_then(path, || {})
    }

    /// Removes the store in `path` as `remove_if_empty` does, running `released` once the store
    /// and its name are let go and before the folder aside is deleted: the moment another
    /// process may open the name.
    fn remove_if_empty_then(path: &Path, released: impl FnOnce()) -> Result<bool> {
        let aside = set_aside_if_empty(path);
        released();
        match aside? {
            Some(aside) => fs::remove_dir_all(&aside).map(|()| true).map_err(Error::Io),
            None => Ok(false),
        }
    }
}

/// Renames the store folder `path` to a new sibling while holding the store and its name lock,
/// when it holds no experiment, and returns the new name; `None` when it is left as it is (not
/// empty, or no name lock to be had).
fn set_aside_if_empty(path: &Path) -> Result<Option<PathBuf>> {
    let store = Store::open_existing(path)?;
    if !store.experiments()?.is_empty() {
        return Ok(None);
    }
    let Some(lock) = take_exclusive(path)? else {
        return Ok(None);
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = path.parent().unwrap_or(Path::new(""));
    // A process id names the attempt among processes; the number, among this process's names
    // that a crashed removal before it may have left.
    let mut aside = Ok(None);
    for n in 0..16 {
        let candidate = folder.join(format!(".{name}.removing-{}-{n}", std::process::id()));
        match fs::rename(path, &candidate) {
            Ok(()) => {
                aside = Ok(Some(candidate));
                break;
            }
            Err(_) if candidate.exists() => continue,
            Err(e) => {
                aside = Err(Error::Io(e));
                break;
            }
        }
    }
    // Let go only now, the store before its name: both kept every open out until the folder
    // went.
    drop(store);
    drop(lock);
    aside
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::store::open::{on_open, OpenStep};
    use crate::store::tests::info;
    use crate::store::wait_released;

    /// Returns the names of the experiments in the store in `path`.
    fn names(path: &Path) -> Vec<String> {
        let store = Store::open_existing(path).unwrap();
        let names = store
            .experiments()
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        drop(store);
        wait_released(path);
        names
    }

    #[test]
    fn issue_an_empty_store_goes_but_never_a_store_another_open_took() {
        let dir = tempfile::tempdir().unwrap();
        // Alone: the empty store goes, and nothing is left beside it (no folder aside, no lock).
        let alone = dir.path().join("alone");
        drop(Store::open(&alone).unwrap());
        wait_released(&alone);
        assert!(Store::remove_if_empty(&alone).unwrap());
        assert!(!alone.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        // Another open that was waiting takes the name the moment the removal lets go, and
        // writes its experiment: its store stays whole.
        let raced = dir.path().join("raced");
        drop(Store::open(&raced).unwrap());
        wait_released(&raced);
        let gone = Store::remove_if_empty_then(&raced, || {
            let other = Store::open(&raced).unwrap();
            other.create_experiment(&info("other", 1)).unwrap();
            other.flush().unwrap();
        });
        assert!(gone.unwrap());
        wait_released(&raced);
        assert_eq!(names(&raced), ["other"]);
        // A store that holds an experiment stays.
        assert!(!Store::remove_if_empty(&raced).unwrap());
        assert_eq!(names(&raced), ["other"]);
    }

    #[test]
    fn issue_a_removal_while_an_open_looks_at_the_folder_leaves_the_store_to_that_open() {
        // sled opens `db` by name and locks it a moment later; a folder renamed in between
        // left the open recovering into a folder with no database (see the module). That
        // moment lies inside the span checked here: from the open's first look at `db` to
        // sled's open returning, no removal renames the folder. Without the name lock the
        // removal here renames and deletes the store, and the open makes another.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("st");
        drop(Store::open(&path).unwrap());
        wait_released(&path);
        let db_before = file_id(&path.join("db"));
        let removed = Rc::new(RefCell::new(None));
        let seen = removed.clone();
        on_open(move |at, store| {
            if at == OpenStep::Named && seen.borrow().is_none() {
                let gone = Store::remove_if_empty(store);
                *seen.borrow_mut() = Some(gone.map_err(|e| e.to_string()));
                // The removal's own handle lets go late (see `LOCK_WAIT`).
                wait_released(store);
            }
        });
        let store = Store::open(&path).unwrap();
        store.create_experiment(&info("b", 1)).unwrap();
        store.flush().unwrap();
        drop(store);
        wait_released(&path);
        let removed = removed.borrow_mut().take().unwrap();
        assert!(!matches!(removed, Ok(true)), "{removed:?}");
        // The open's store is the one that was there, with what it wrote, and nothing is aside.
        assert_eq!(file_id(&path.join("db")), db_before);
        assert_eq!(names(&path), ["b"]);
        let beside: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(beside, ["st"]);
    }

    /// Returns the device and inode of `file`.
    #[cfg(unix)]
    fn file_id(file: &Path) -> (u64, u64) {
        use std::os::unix::fs::MetadataExt;
        let m = fs::metadata(file).unwrap();
        (m.dev(), m.ino())
    }

    /// Returns nothing off unix, where files have no inode numbers to compare.
    #[cfg(not(unix))]
    fn file_id(_file: &Path) {}
}
