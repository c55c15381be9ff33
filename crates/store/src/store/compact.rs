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
//! Killed at any point, the store is whole somewhere: before the first rename it is where it
//! was (a half-made copy is deleted by the next compaction); after it, every open of the store
//! is refused (`Error::CompactionInterrupted`) until `compact` runs again, which finishes the
//! swap with a checked copy or puts the store back.

use std::fs;
use std::path::{Path, PathBuf};

use super::flushed::FLUSHED;
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
fn beside(store: &Path, suffix: &str) -> PathBuf {
    let mut name = store
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{suffix}"));
    store.with_file_name(name)
}

/// Returns where a compaction of `store` puts the store while it swaps it for its copy.
pub(crate) fn aside(store: &Path) -> PathBuf {
    beside(store, "before-compact")
}

/// Returns whether a compaction of the store in `path` is under way, or was stopped part way:
/// the store is aside, and every open of it is refused until `Store::compact` finishes it.
pub fn compaction_pending(path: &Path) -> bool {
    aside(path).exists()
}

/// Returns where a compaction of `store` makes its copy.
fn fresh(store: &Path) -> PathBuf {
    beside(store, "compacting")
}

/// Returns whether `name`, an entry of a store's folder, is one of the database's files (which
/// the copy has its own of) rather than the store's own (its checkpoints, say).
fn database_file(name: &str) -> bool {
    matches!(name, "db" | "conf" | "blobs" | "opened-by" | COMPACTED)
        || name == FLUSHED
        || name.starts_with("snap.")
        || name.ends_with(".part")
}

/// Returns the bytes of the database's files in `dir`.
pub fn database_bytes(dir: &Path) -> u64 {
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
                    database_file(&name) && name != "opened-by"
                })
                .map(|e| size(&e.path()))
                .sum()
        })
        .unwrap_or(0)
}

impl Store {
    /// Compacts the store in `path` (see the module): returns its database's bytes before and
    /// after. Finishes, or undoes, a compaction that was killed part way.
    pub fn compact(path: &Path) -> Result<Compacted> {
        let io = |e: std::io::Error| Error::Open {
            path: path.to_path_buf(),
            detail: format!("compacting it: {e}"),
        };
        if aside(path).exists() {
            return finish(path).map_err(io);
        }
        let fresh = fresh(path);
        // A copy left by a compaction stopped before its swap: the store is whole where it is.
        if fresh.exists() {
            fs::remove_dir_all(&fresh).map_err(io)?;
        }
        let store = Store::open(path)?;
        store.flush()?;
        let before = database_bytes(path);
        {
            let copy = sled::Config::new().path(&fresh).open().map_err(storage)?;
            copy_into(&store.db, &copy)?;
            copy.flush().map_err(storage)?;
            let (theirs, ours) = (
                store.db.checksum().map_err(storage)?,
                copy.checksum().map_err(storage)?,
            );
            if theirs != ours {
                drop(copy);
                let _ = fs::remove_dir_all(&fresh);
                return Err(Error::Open {
                    path: path.to_path_buf(),
                    detail: "compacting it: the copy of the database does not hold what the \
                             store does (their checksums differ); the store is as it was"
                        .into(),
                });
            }
        }
        // The copy holds the store's count of flushes: its mark says so, as the store's did.
        if let Ok(mark) = fs::read(path.join(FLUSHED)) {
            fs::write(fresh.join(FLUSHED), mark).map_err(io)?;
        }
        fs::write(fresh.join(COMPACTED), b"").map_err(io)?;
        // The swap, holding the store's lock: no other process opens it meanwhile.
        fs::rename(path, aside(path)).map_err(io)?;
        finish(path).map_err(io)?;
        drop(store);
        Ok(Compacted {
            before,
            after: database_bytes(path),
        })
    }
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

/// Finishes a compaction of `path` whose store is aside: puts a whole copy in its place (or,
/// without one, the store back), moves the store's own files into it, and deletes the rest.
fn finish(path: &Path) -> std::io::Result<Compacted> {
    let (aside, fresh) = (aside(path), fresh(path));
    let before = database_bytes(&aside);
    if !path.exists() {
        if fresh.join(COMPACTED).is_file() {
            fs::rename(&fresh, path)?;
        } else {
            // No checked copy: the store goes back as it was.
            fs::rename(&aside, path)?;
            let _ = fs::remove_dir_all(&fresh);
            let same = database_bytes(path);
            return Ok(Compacted {
                before: same,
                after: same,
            });
        }
    }
    for entry in fs::read_dir(&aside)? {
        let entry = entry?;
        let name = entry.file_name();
        if !database_file(&name.to_string_lossy()) {
            fs::rename(entry.path(), path.join(&name))?;
        }
    }
    fs::remove_dir_all(&aside)?;
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
    }

    /// Returns what the store holds of `kept`, its trials and a curve, as text (a trial's
    /// metrics hold a NaN, which equals nothing).
    fn held(dir: &Path) -> String {
        let store = Store::open(dir).unwrap();
        let trials = store.trials("kept").unwrap();
        let curve = store.metric_series("kept", TrialId(7), "val_loss").unwrap();
        assert_eq!((trials.len(), curve.len()), (20, 50));
        format!("{trials:?} {curve:?}")
    }

    #[test]
    fn a_compacted_store_holds_the_same_in_less_room_with_its_checkpoints() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("s");
        store_with_a_removed_experiment(&dir);
        let before = held(&dir);
        let done = Store::compact(&dir).unwrap();
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
        Store::compact(&dir).unwrap();
        assert!(held(&dir) == before, "the records changed");
        assert!(crate::checkpoint_dir(&dir, "kept").join("3.json").is_file());
        assert!(!aside(&dir).exists() && !fresh(&dir).exists());
        // Killed before its copy was checked: the store goes back as it was.
        fs::create_dir(fresh(&dir)).unwrap();
        fs::write(fresh(&dir).join("db"), b"half").unwrap();
        fs::rename(&dir, aside(&dir)).unwrap();
        Store::compact(&dir).unwrap();
        assert!(held(&dir) == before, "the records changed");
        assert!(!aside(&dir).exists() && !fresh(&dir).exists());
        // A copy left before any rename is deleted by the next compaction.
        fs::create_dir(fresh(&dir)).unwrap();
        fs::write(fresh(&dir).join("db"), b"half").unwrap();
        Store::compact(&dir).unwrap();
        assert!(held(&dir) == before, "the records changed");
        assert!(!fresh(&dir).exists());
    }
}
