//! Giving back the disk space of removed experiments: sled never shrinks its file (`sweep rm`
//! frees the records, and sled reuses their room for later writes, but the file keeps its size).
//!
//! `Store::compact` copies the database into a fresh one beside the store (`DIR.compacting`),
//! checks that the copy holds every key and value the store does (sled's checksum of both), then
//! swaps the folders while it holds the store's lock: the store goes aside (`DIR.before-compact`),
//! the copy takes its place, the files of the store's own that are not the database's (its
//! checkpoints) move into it, and the old folder is deleted. A copy is only ever put in place
//! once whole and checked (it is marked so by the file `compacted`).
//!
//! One compaction of a store runs at a time (`DIR.compact-lock`, an exclusive `flock`; a second
//! finds the store busy, `Error::BeingMoved`), and only a folder that holds a store is compacted.
//! A copy that fails (a full disk) is deleted, and the store aside is deleted only once the
//! folder in its place is the checked copy.
//!
//! A compaction holds the store's name lock (`store/name`) exclusively from before it opens the
//! store until it has let go of it, across the copy, rather than taking it for the swap alone:
//! the swap then needs no turn of its own, so no stream of opens, however close, can make a
//! compaction throw its finished copy away; and it costs opens nothing, since the compaction's
//! hold of the store's own lock keeps them out throughout anyway. The name lock is taken in its
//! turn (opens wait behind it), waiting at most `LOCK_WAIT` for the opens under way; a
//! compaction that finds the name held past that fails before it copies anything
//! (`Error::BeingOpened`, `Error::BeingMoved`), as one that finds the store held does
//! (`Error::Locked`). Rejected: taking it only for the swap, polled for `LOCK_WAIT` (a stream of
//! opens kept it and the copy was thrown away), and keeping the copy to try the swap again (a
//! store held for minutes by a compaction that waits on opens it keeps failing).
//!
//! Killed at any point, the store is whole somewhere: before the first rename it is where it
//! was (a half-made copy is deleted by the next compaction); after it, every open of the store
//! is refused (`Error::CompactionInterrupted`) until `compact` runs again, which finishes the
//! swap with a checked copy or puts the store back. A store aside while a compaction holds its
//! name's turn is being swapped, not left: an open waits for it as for any holder of the turn
//! (`Error::BeingMoved`, tried again for `LOCK_WAIT`).

#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};

use super::flushed::FLUSHED;
use super::name::{writable_parent, Hold, LockFile, Moving, Name, Taken, COMPACTING};
use super::LOCK_WAIT;
use crate::error::storage;
use crate::{Error, Result, Store};

/// The file that marks a copy as whole and checked.
const COMPACTED: &str = "compacted";

/// What a compaction did: the database's bytes on disk before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compacted {
    /// The bytes of the database's files before.
    pub before: u64,
    /// The bytes of the database's files after.
    pub after: u64,
}

/// Returns the folder beside `store` named `store` and `suffix` (`.sweep.compacting`).
pub(super) fn beside(store: &Path, suffix: &str) -> PathBuf {
    let mut name = store
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{suffix}"));
    store.with_file_name(name)
}

/// Returns where a compaction of `store` puts the store while it swaps it for its copy (beside
/// the folder it really is: a link's target).
pub(crate) fn aside(store: &Path) -> PathBuf {
    beside(&real(store), "before-compact")
}

/// Returns the refusal of every open of the store in `path` while a compaction of it is under
/// way, or was stopped part way (the store is aside until `Store::compact` finishes it).
pub fn compaction_pending(path: &Path) -> Option<Error> {
    let aside = aside(path);
    aside.exists().then(|| Error::CompactionInterrupted {
        path: path.to_path_buf(),
        aside,
    })
}

/// Returns where a compaction of `store` makes its copy.
fn fresh(store: &Path) -> PathBuf {
    beside(store, "compacting")
}

/// Returns whether `name`, an entry of a store's folder, is one of the database's files (which
/// the copy has its own of) rather than the store's own (its checkpoints, and anything else).
fn database_file(name: &str) -> bool {
    matches!(
        name,
        "db" | "conf" | "blobs" | "opened-by" | "opened-by.part" | "flushed.part" | COMPACTED
    ) || name == FLUSHED
        || name.starts_with("snap.")
}

/// Returns the bytes of the database's files in `dir`, but for sled's snapshots (`snap.*`), an
/// index sled writes again as it opens a database and at flushes: a store just opened has
/// one and a fresh copy none, which would count as room given back.
fn database_bytes(dir: &Path) -> u64 {
    fn size(path: &Path) -> u64 {
        match fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => fs::read_dir(path)
                .map(|entries| entries.flatten().map(|e| size(&e.path())).sum())
                .unwrap_or(0),
            Ok(m) => m.len(),
            Err(_) => 0,
        }
    }
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    database_file(&name)
                        && !name.starts_with("opened-by")
                        && !name.starts_with("snap.")
                })
                .map(|e| size(&e.path()))
                .sum()
        })
        .unwrap_or(0)
}

/// Returns the folder `path` names, with its links followed and as an absolute path: the
/// compaction renames the folder itself (a link's target, where it is), and `.` has no name to
/// put a copy beside. A folder that is aside is named by its parent's real path.
pub(super) fn real(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    // A link whose target is aside (gone for the moment) names that target.
    let mut path = path.to_path_buf();
    for _ in 0..16 {
        let Ok(target) = fs::read_link(&path) else {
            break;
        };
        path = path.parent().map_or(target.clone(), |p| p.join(&target));
    }
    let path = path.as_path();
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            fs::canonicalize(parent).map_or_else(|_| path.to_path_buf(), |p| p.join(name))
        }
        _ => path.to_path_buf(),
    }
}

/// Takes the lock one compaction of a store holds from start to end (`DIR.compact-lock`, an
/// exclusive `flock`): a second compaction at once would delete the first one's copy. One that
/// another compaction holds is a busy store (`Error::BeingMoved`), as a compaction's hold of
/// the store's name is to an open: to try again later, not a failure.
fn take_compaction_lock(store: &Path) -> Result<LockFile> {
    let path = beside(store, "compact-lock");
    let failed = |detail: String| Error::Compact {
        path: store.to_path_buf(),
        detail,
    };
    match LockFile::try_take(&path, Hold::Exclusive) {
        Taken::Held(lock) => Ok(lock),
        // Another compaction holds the lock: it is what keeps this one out, named by its note
        // in the name's turn once it has it, never by another holder of the turn (a removal
        // the other compaction waits behind).
        Taken::Busy => Err(Error::BeingMoved {
            path: store.to_path_buf(),
            mover: Some(
                Name::of(store)
                    .mover()
                    .filter(|m| m.starts_with(COMPACTING))
                    .unwrap_or_else(|| COMPACTING.to_string()),
            ),
        }),
        Taken::Unavailable(e) => Err(failed(format!(
            "cannot take its lock {e}{}",
            writable_parent(store, &e)
        ))),
    }
}

impl Store {
    /// Compacts the store in `path` (see the module), saying `opener` to a process that finds
    /// it locked meanwhile: returns its database's bytes before and after. Finishes, or undoes,
    /// a compaction that was killed part way.
    pub fn compact(path: &Path, opener: &str) -> Result<Compacted> {
        let path = &real(path);
        let _lock = take_compaction_lock(path)?;
        // Held from here to the end, across the copy: opens are kept out meanwhile by the
        // store's own lock anyway, and a stream of them cannot keep the swap from its turn
        // once the copy is made (`store/name`). Where it cannot be had, the compaction goes on
        // without it, as an open does.
        let name = match Name::of(path).take_exclusive(LOCK_WAIT, Moving::Compaction { opener }) {
            Ok(held) => Some(held),
            // Kept out by opens under way or another removal (`Error::BeingOpened`,
            // `Error::BeingMoved`); `opened-by` would name whoever opened the store last.
            Err(refused) => {
                refused.unavailable(path)?;
                None
            }
        };
        let failed = |detail: String| Error::Compact {
            path: path.to_path_buf(),
            detail,
        };
        if aside(path).exists() {
            return finish(path);
        }
        // Only a store is compacted: its files are the ones the compaction moves and deletes.
        if !(path.join("db").is_file() && path.join("conf").is_file()) {
            return Err(Error::NoStore {
                path: path.to_path_buf(),
            });
        }
        let fresh = fresh(path);
        // A copy left by a compaction stopped before its swap (this one holds the lock): the
        // store is whole where it is.
        if fresh.exists() {
            fs::remove_dir_all(&fresh).map_err(|e| {
                failed(format!(
                    "cannot delete the copy {} a compaction left: {e}",
                    fresh.display()
                ))
            })?;
        }
        // Its size at rest, as the user sees it: opening a database appends to sled's log.
        let before = database_bytes(path);
        let store = Store::open_existing_named(path, name.as_ref())?;
        store.announce(opener)?;
        store.flush()?;
        let copied = copy_checked(&store, path, &fresh);
        // sled lays a database out in whole segments, and extends a file to its segment as it
        // opens it: the copy is measured as it will be once opened, as the store was. A copy of a
        // store with little room to give back can come out larger (by a quarter, on stores of a
        // few megabytes), or no smaller; such a copy is not swapped in.
        if copied.is_ok() && opened_bytes(&fresh) >= before {
            let _ = fs::remove_dir_all(&fresh);
            drop(store);
            return Ok(Compacted {
                before,
                after: before,
            });
        }
        // The swap holds the store's lock and its name lock (`store/name`): no open is between
        // its look at `db` and sled's recovery, which writes into the folder by name.
        swapping(path);
        let copied =
            copied.and_then(|()| fs::rename(path, aside(path)).map_err(|e| failed(format!("{e}"))));
        if let Err(e) = copied {
            let _ = fs::remove_dir_all(&fresh);
            return Err(failed(format!(
                "{e}; the store is as it was, and the copy deleted"
            )));
        }
        let done = finish(path);
        drop(store);
        drop(name);
        done.map(|d| Compacted { before, ..d })
    }
}

/// Returns the bytes of the database in `dir` once sled has opened it (which extends its file to
/// a whole segment), opening and closing it if need be; `database_bytes` if it cannot be.
fn opened_bytes(dir: &Path) -> u64 {
    if let Ok(db) = sled::Config::new().path(dir).open() {
        let _ = db.flush();
    }
    database_bytes(dir)
}

/// Copies the database of `store` (in `path`) into a new one at `fresh`, checks it with
/// sled's checksum, gives it the store's flush mark and marks it whole.
fn copy_checked(store: &Store, path: &Path, fresh: &Path) -> Result<()> {
    let copy = sled::Config::new().path(fresh).open().map_err(storage)?;
    copy_into(&store.db, &copy)?;
    copy.flush().map_err(storage)?;
    let (theirs, ours) = (
        store.db.checksum().map_err(storage)?,
        copy.checksum().map_err(storage)?,
    );
    drop(copy);
    if theirs != ours {
        return Err(Error::Compact {
            path: path.to_path_buf(),
            detail: "the copy of the database does not hold what the store does (their \
                     checksums differ)"
                .into(),
        });
    }
    let io = |e: std::io::Error| Error::Io(e);
    // The copy holds the store's count of flushes: its mark says so, as the store's did.
    if let Ok(mark) = fs::read(path.join(FLUSHED)) {
        fs::write(fresh.join(FLUSHED), mark).map_err(io)?;
    }
    fs::write(fresh.join(COMPACTED), b"").map_err(io)
}

/// The most keys copied in one batch.
const BATCH: usize = 10_000;

/// Copies every tree of `from` into `into`, in batches (sled's own `export` and `import`
/// panic on an I/O error, a full disk say; this returns it).
fn copy_into(from: &sled::Db, into: &sled::Db) -> Result<()> {
    for name in from.tree_names() {
        let (source, target) = (
            from.open_tree(&name).map_err(storage)?,
            into.open_tree(&name).map_err(storage)?,
        );
        let mut batch = sled::Batch::default();
        let mut held = 0;
        for entry in source.iter() {
            let (key, value) = entry.map_err(storage)?;
            batch.insert(key, value);
            held += 1;
            if held == BATCH {
                target
                    .apply_batch(std::mem::take(&mut batch))
                    .map_err(storage)?;
                held = 0;
            }
        }
        target.apply_batch(batch).map_err(storage)?;
    }
    Ok(())
}

/// Finishes a compaction of `path` whose store is aside: puts a checked copy in its place (or,
/// without one, the store back), moves the store's own files into it, and only then deletes
/// the store aside. A folder at `path` that is not the checked copy (something made it meanwhile)
/// is left alone, and so is the store aside.
fn finish(path: &Path) -> Result<Compacted> {
    let (aside, fresh) = (aside(path), fresh(path));
    let failed = |e: std::io::Error| Error::Compact {
        path: path.to_path_buf(),
        detail: format!(
            "{e}; the store is whole in {}, and `sweep compact` run again finishes the \
             compaction",
            aside.display()
        ),
    };
    let before = database_bytes(&aside);
    if !path.exists() {
        if fresh.join(COMPACTED).is_file() {
            fs::rename(&fresh, path).map_err(failed)?;
        } else {
            // No checked copy: the store goes back as it was.
            fs::rename(&aside, path).map_err(failed)?;
            let _ = fs::remove_dir_all(&fresh);
            let same = database_bytes(path);
            return Ok(Compacted {
                before: same,
                after: same,
            });
        }
    }
    if !path.join(COMPACTED).is_file() {
        return Err(Error::Compact {
            path: path.to_path_buf(),
            detail: format!(
                "the store is whole in {}, but {} is not its checked copy (something made it \
                 while the store was aside): move {} away, then run `sweep compact` again",
                aside.display(),
                path.display(),
                path.display()
            ),
        });
    }
    for entry in fs::read_dir(&aside).map_err(failed)? {
        let entry = entry.map_err(failed)?;
        let name = entry.file_name();
        if !database_file(&name.to_string_lossy()) {
            fs::rename(entry.path(), path.join(&name)).map_err(failed)?;
        }
    }
    fs::remove_dir_all(&aside).map_err(failed)?;
    // Last: while the mark is there, the folder reads as the checked copy.
    let _ = fs::remove_file(path.join(COMPACTED));
    Ok(Compacted {
        before,
        after: database_bytes(path),
    })
}

/// What a test does just before a compaction on this thread renames the store aside.
#[cfg(test)]
type SwapHook = Box<dyn FnMut(&Path)>;

#[cfg(test)]
thread_local! {
    /// What a test does before this thread's compactions swap (`on_swap`).
    static ON_SWAP: std::cell::RefCell<Option<SwapHook>> = const { std::cell::RefCell::new(None) };
}

/// Makes `hook` run, with the store's path, just before each compaction on this thread renames
/// the store aside, until the thread ends.
#[cfg(test)]
fn on_swap(hook: impl FnMut(&Path) + 'static) {
    ON_SWAP.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

/// Runs this thread's `on_swap` hook, if any.
#[cfg(test)]
fn swapping(path: &Path) {
    ON_SWAP.with(|h| {
        if let Some(hook) = h.borrow_mut().as_mut() {
            hook(path);
        }
    });
}

/// Does nothing: only tests act before a compaction's swap.
#[cfg(not(test))]
fn swapping(_path: &Path) {}
