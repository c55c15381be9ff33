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
//! One compaction of a store runs at a time (`DIR.compact-lock`, an exclusive `flock`), and only
//! a folder that holds a store is compacted. A copy that fails (a full disk) is deleted, and the
//! store aside is deleted only once the folder in its place is the checked copy.
//!
//! Killed at any point, the store is whole somewhere: before the first rename it is where it
//! was (a half-made copy is deleted by the next compaction); after it, every open of the store
//! is refused (`Error::CompactionInterrupted`) until `compact` runs again, which finishes the
//! swap with a checked copy or puts the store back.

use std::fs;
use std::path::{Path, PathBuf};

use super::flushed::FLUSHED;
use super::name::{is_file_at, take_exclusive};
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

/// The lock one compaction of a store holds from start to end (`DIR.compact-lock`, an exclusive
/// `flock`): a second compaction at once would delete the first one's copy.
struct CompactionLock {
    file: fs::File,
    path: PathBuf,
}

impl CompactionLock {
    fn take(store: &Path) -> Result<CompactionLock> {
        let path = beside(store, "compact-lock");
        let failed = |detail: String| Error::Compact {
            path: store.to_path_buf(),
            detail,
        };
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| failed(format!("cannot make its lock {}: {e}", path.display())))?;
        let busy = || failed("another `sweep compact` is compacting it; wait for it to end".into());
        if file.try_lock().is_err() {
            return Err(busy());
        }
        // The lock is the file at the path now: one that a compaction ending meanwhile deleted
        // (its own lock file) locks nothing another process could see.
        if !is_file_at(&file, &path) {
            return Err(busy());
        }
        Ok(CompactionLock { file, path })
    }
}

impl Drop for CompactionLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

impl Store {
    /// Compacts the store in `path` (see the module), saying `opener` to a process that finds
    /// it locked meanwhile: returns its database's bytes before and after. Finishes, or undoes,
    /// a compaction that was killed part way.
    pub fn compact(path: &Path, opener: &str) -> Result<Compacted> {
        let path = &real(path);
        let _lock = CompactionLock::take(path)?;
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
        let store = Store::open_existing(path)?;
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
        let mut name = None;
        let copied = copied.and_then(|()| {
            name = take_exclusive(path)?;
            fs::rename(path, aside(path)).map_err(|e| failed(format!("{e}")))
        });
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

#[cfg(test)]
mod tests {
    use experiment::{Step, TrialId, TrialState};

    use super::*;
    use crate::store::tests::{info, point, trial};
    use crate::store::wait_released;

    /// Makes a store in `dir` with experiments `kept` and `gone` (20 trials of 50 epochs each, a
    /// checkpoint folder each), then removes `gone`.
    fn store_with_a_removed_experiment(dir: &Path) {
        let store = Store::open(dir).unwrap();
        for (name, created) in [("kept", 1), ("gone", 2)] {
            store.create_experiment(&info(name, created)).unwrap();
            for t in 0..20 {
                for e in 1..=50 {
                    let points = [point("val_loss", f64::from(e)), point("val_accuracy", 0.5)];
                    store
                        .append_metrics(name, TrialId(t), Step(e), &points)
                        .unwrap();
                }
                store
                    .put_trial(name, &trial(t, TrialState::Completed))
                    .unwrap();
            }
            let checkpoints = crate::checkpoint_dir(dir, name);
            fs::create_dir_all(&checkpoints).unwrap();
            fs::write(checkpoints.join("3.json"), name).unwrap();
            store.flush().unwrap();
        }
        store.remove_experiment("gone").unwrap();
        fs::remove_dir_all(crate::checkpoint_dir(dir, "gone")).unwrap();
        store.flush().unwrap();
        drop(store);
        wait_released(dir);
    }

    /// Returns what the store holds of `kept`, its trials and a curve, as text (a trial's
    /// metrics hold a NaN, which equals nothing); waits for the lock before and after, for the
    /// compaction before and the step after.
    fn held(dir: &Path) -> String {
        wait_released(dir);
        let store = Store::open(dir).unwrap();
        let trials = store.trials("kept").unwrap();
        let curve = store.metric_series("kept", TrialId(7), "val_loss").unwrap();
        assert_eq!((trials.len(), curve.len()), (20, 50));
        drop(store);
        wait_released(dir);
        format!("{trials:?} {curve:?}")
    }

    #[test]
    fn a_compacted_store_holds_the_same_in_less_room_with_its_checkpoints() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("s");
        store_with_a_removed_experiment(&dir);
        let before = held(&dir);
        let done = Store::compact(&dir, "test").unwrap();
        assert!(done.after * 2 < done.before, "{done:?}");
        assert_eq!(done.after, database_bytes(&dir));
        // The same records, the flush mark agreeing with them (no lost writes claimed), the
        // checkpoints where they were, and nothing left beside the store.
        assert!(held(&dir) == before, "the records changed");
        assert!(Store::open(&dir)
            .unwrap()
            .experiment("gone")
            .unwrap()
            .is_none());
        assert_eq!(
            fs::read_to_string(crate::checkpoint_dir(&dir, "kept").join("3.json")).unwrap(),
            "kept"
        );
        assert!(!dir.join(COMPACTED).exists());
        let names: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["s"]);
    }

    #[test]
    fn a_store_is_never_left_larger_than_it_was() {
        // Many small experiments and nothing removed: a fresh copy may come out larger.
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("s");
        let store = Store::open(&dir).unwrap();
        for x in 0..150 {
            let name = format!("exp-{x}");
            store.create_experiment(&info(&name, x)).unwrap();
            for t in 0..6 {
                for e in 1..=3 {
                    let points: Vec<experiment::MetricPoint> =
                        ["val_loss", "val_accuracy", "val_f1", "train_loss"]
                            .iter()
                            .map(|m| point(m, f64::from(e) / 7.0))
                            .collect();
                    store
                        .append_metrics(&name, TrialId(t), Step(e), &points)
                        .unwrap();
                }
                store
                    .put_trial(&name, &trial(t, TrialState::Completed))
                    .unwrap();
            }
            store.flush().unwrap();
        }
        drop(store);
        wait_released(&dir);
        // Sizes as the compaction measures them, once it holds the store: sled's threads may
        // still write for a moment after a handle is dropped, so a size taken here is not yet
        // the store's at rest. What it reports must match what it did: a copy swapped in (the
        // database another file) only when smaller, the store left itself otherwise.
        let database = || {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(dir.join("db")).unwrap().ino()
        };
        let before = database();
        let done = Store::compact(&dir, "test").unwrap();
        if database() == before {
            assert_eq!(done.after, done.before, "{done:?}");
        } else {
            assert!(done.after < done.before, "{done:?}");
        }
        wait_released(&dir);
        assert_eq!(Store::open(&dir).unwrap().experiments().unwrap().len(), 150);
    }

    #[test]
    fn a_folder_that_is_not_a_store_is_left_as_it_is() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("proj");
        fs::create_dir_all(dir.join("blobs")).unwrap();
        for (name, text) in [
            ("notes.txt", "n"),
            ("blobs/photo.jpg", "p"),
            ("data.csv.part", "d"),
        ] {
            fs::write(dir.join(name), text).unwrap();
        }
        let err = Store::compact(&dir, "test").unwrap_err();
        assert!(matches!(err, Error::NoStore { .. }), "{err}");
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["blobs", "data.csv.part", "notes.txt"]);
        assert!(dir.join("blobs/photo.jpg").is_file());
    }

    #[test]
    fn a_second_compaction_at_once_is_refused_and_a_store_made_meanwhile_is_never_taken_for_the_copy(
    ) {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("s");
        store_with_a_removed_experiment(&dir);
        let before = held(&dir);
        let running = CompactionLock::take(&real(&dir)).unwrap();
        let err = Store::compact(&dir, "test").unwrap_err();
        assert!(err.to_string().contains("another `sweep compact`"), "{err}");
        drop(running);
        // Killed between its renames; then a store was made where the store was (an open that
        // raced the rename). The store aside is kept, never deleted for it.
        fs::create_dir(fresh(&dir)).unwrap();
        fs::write(fresh(&dir).join("db"), b"half").unwrap();
        fs::rename(&dir, aside(&dir)).unwrap();
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("db"), b"new").unwrap();
        let err = Store::compact(&dir, "test").unwrap_err();
        assert!(err.to_string().contains("is not its checked copy"), "{err}");
        assert!(aside(&dir).join("db").is_file(), "the store aside is kept");
        // Moved away as the message says, the next compaction puts the store back.
        fs::remove_dir_all(&dir).unwrap();
        Store::compact(&dir, "test").unwrap();
        assert!(held(&dir) == before, "the records changed");
    }

    #[cfg(unix)]
    #[test]
    fn a_store_named_by_a_link_is_compacted_where_it_is() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("real");
        store_with_a_removed_experiment(&target);
        let before = held(&target);
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let done = Store::compact(&link, "test").unwrap();
        assert!(done.after < done.before, "{done:?}");
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(held(&link) == before, "the records changed");
        assert!(crate::checkpoint_dir(&target, "kept")
            .join("3.json")
            .is_file());
    }

    #[test]
    fn a_compaction_killed_part_way_is_refused_then_finished_or_undone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("s");
        store_with_a_removed_experiment(&dir);
        let before = held(&dir);
        // Killed between its two renames with a checked copy: the store is aside, the copy
        // whole. Every open is refused, a new store is not made in its place, and compacting
        // again puts the copy in place with the checkpoints.
        {
            let store = Store::open(&dir).unwrap();
            let copy = sled::Config::new().path(fresh(&dir)).open().unwrap();
            copy_into(&store.db, &copy).unwrap();
            copy.flush().unwrap();
        }
        wait_released(&dir);
        wait_released(&fresh(&dir));
        fs::copy(dir.join(FLUSHED), fresh(&dir).join(FLUSHED)).unwrap();
        fs::write(fresh(&dir).join(COMPACTED), b"").unwrap();
        fs::rename(&dir, aside(&dir)).unwrap();
        let err = Store::open(&dir).unwrap_err();
        assert!(matches!(err, Error::CompactionInterrupted { .. }), "{err}");
        assert!(
            err.to_string().contains("run `sweep compact --store"),
            "{err}"
        );
        assert!(!dir.exists(), "no store made in its place");
        Store::compact(&dir, "test").unwrap();
        assert!(held(&dir) == before, "the records changed");
        assert!(crate::checkpoint_dir(&dir, "kept").join("3.json").is_file());
        assert!(!aside(&dir).exists() && !fresh(&dir).exists());
        // Killed before its copy was checked: the store goes back as it was.
        fs::create_dir(fresh(&dir)).unwrap();
        fs::write(fresh(&dir).join("db"), b"half").unwrap();
        fs::rename(&dir, aside(&dir)).unwrap();
        Store::compact(&dir, "test").unwrap();
        assert!(held(&dir) == before, "the records changed");
        assert!(!aside(&dir).exists() && !fresh(&dir).exists());
        // A copy left before any rename is deleted by the next compaction.
        fs::create_dir(fresh(&dir)).unwrap();
        fs::write(fresh(&dir).join("db"), b"half").unwrap();
        Store::compact(&dir, "test").unwrap();
        assert!(held(&dir) == before, "the records changed");
        assert!(!fresh(&dir).exists());
    }
}
