//! Deleting checkpoints beside the store: one trial's, or an experiment's whole folder.
//!
//! Checkpoints are files in the experiment's folder beside the database (`checkpoint_dir`),
//! named as `experiment::CheckpointFile` names them for every crate: `trainer` writes them,
//! `handover` copies them between agents, and this module deletes them, for the runner (a trial
//! run again from scratch) and for `sweep rm` (an experiment removed). A trial's checkpoint goes
//! sidecar first (`CheckpointFile::DELETE_ORDER`), so that a deletion cut short leaves none that
//! looks whole; an experiment's folder goes at once, after its checkpoints are counted.
//!
//! An experiment's name is checked when a spec is read, but a store is input: a folder is never
//! deleted for a name that is not a plain folder name (a stored `..` would be the store itself).

use std::path::{Component, Path};

use experiment::{CheckpointFile, TrialId};

use crate::{Error, Result, Store};

/// What `Store::remove_checkpoints` did with an experiment's checkpoint folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointsRemoved {
    /// The folder is gone, or there was none (as for a temporary store); it held this many
    /// checkpoints (weights files).
    Deleted(usize),
    /// The folder was left alone: the experiment's name is not a plain folder name (names are
    /// checked now; a store from before may hold one), so its folder could lie elsewhere.
    NotPlainName,
}

impl Store {
    /// Deletes the folder of `experiment`'s checkpoints beside the store, counting the
    /// checkpoints it held; leaves it alone when the name is not a plain folder name.
    /// `sweep rm` calls this before `remove_experiment`, so that an interrupted removal leaves
    /// records without checkpoints, never checkpoints a later experiment of the name would take
    /// for its own.
    pub fn remove_checkpoints(&self, experiment: &str) -> Result<CheckpointsRemoved> {
        let mut parts = Path::new(experiment).components();
        if !matches!(
            (parts.next(), parts.next()),
            (Some(Component::Normal(_)), None)
        ) {
            return Ok(CheckpointsRemoved::NotPlainName);
        }
        match self.checkpoint_folder(experiment) {
            Some(folder) => remove_folder(&folder).map(CheckpointsRemoved::Deleted),
            None => Ok(CheckpointsRemoved::Deleted(0)),
        }
    }
}

/// Deletes `trial`'s checkpoint from `folder` if it holds one: the sidecar first, so that a
/// deletion cut short leaves no checkpoint that looks whole.
pub(crate) fn discard(folder: &Path, trial: TrialId) -> Result<()> {
    for file in CheckpointFile::DELETE_ORDER {
        let path = file.path(folder, trial);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // Deleting one of the store's own checkpoints hands nothing over.
            Err(e) => {
                return Err(Error::CheckpointFile {
                    detail: e.to_string(),
                    path,
                })
            }
        }
    }
    Ok(())
}

/// Deletes the checkpoint folder `folder`; returns how many checkpoints (weights files) it
/// held, 0 when there is none.
fn remove_folder(folder: &Path) -> Result<usize> {
    let unread = |error| Error::CheckpointsUnread {
        path: folder.to_path_buf(),
        error,
    };
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(unread(e)),
    };
    let mut count = 0;
    for entry in entries {
        if CheckpointFile::of(&entry.map_err(unread)?.path()) == Some(CheckpointFile::Weights) {
            count += 1;
        }
    }
    std::fs::remove_dir_all(folder).map_err(|error| Error::CheckpointsKept {
        path: folder.to_path_buf(),
        error,
    })?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint_dir;

    /// Writes the files `CheckpointFile` names for `trial` in `folder`.
    fn checkpoint(folder: &Path, trial: u32) {
        std::fs::create_dir_all(folder).unwrap();
        for file in CheckpointFile::WRITE_ORDER {
            std::fs::write(file.path(folder, TrialId(trial)), "x").unwrap();
        }
    }

    #[test]
    fn an_experiment_s_folder_goes_with_its_checkpoints_counted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store")).unwrap();
        let folder = store.checkpoint_folder("digits").unwrap();
        assert_eq!(folder, checkpoint_dir(&dir.path().join("store"), "digits"));
        checkpoint(&folder, 1);
        checkpoint(&folder, 4);
        // Neither counted nor kept: a file being written, half a checkpoint's sidecar, a
        // reproduction's scratch folder.
        std::fs::write(folder.join("7.tmp"), "x").unwrap();
        std::fs::write(CheckpointFile::Sidecar.path(&folder, TrialId(9)), "x").unwrap();
        std::fs::create_dir(folder.join(".reproduce-4-100")).unwrap();
        let other = store.checkpoint_folder("other").unwrap();
        checkpoint(&other, 1);
        assert_eq!(
            store.remove_checkpoints("digits").unwrap(),
            CheckpointsRemoved::Deleted(2)
        );
        assert!(!folder.exists());
        assert!(store.has_checkpoint("other", TrialId(1)));
        // None left: nothing to delete.
        assert_eq!(
            store.remove_checkpoints("digits").unwrap(),
            CheckpointsRemoved::Deleted(0)
        );
        // A temporary store keeps none.
        let temporary = Store::temporary().unwrap();
        assert_eq!(
            temporary.remove_checkpoints("digits").unwrap(),
            CheckpointsRemoved::Deleted(0)
        );
    }

    #[test]
    fn a_name_that_is_no_plain_folder_name_leaves_every_folder_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store")).unwrap();
        let folder = store.checkpoint_folder("digits").unwrap();
        checkpoint(&folder, 1);
        for name in ["..", "../..", "digits/..", "/tmp", "", "."] {
            assert_eq!(
                store.remove_checkpoints(name).unwrap(),
                CheckpointsRemoved::NotPlainName,
                "{name:?}"
            );
        }
        assert!(store.has_checkpoint("digits", TrialId(1)));
        assert!(dir.path().join("store/db").is_file());
    }

    #[test]
    fn a_folder_that_cannot_be_read_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store")).unwrap();
        // The experiment's folder replaced by a file: it cannot be listed.
        let folder = store.checkpoint_folder("digits").unwrap();
        std::fs::create_dir_all(folder.parent().unwrap()).unwrap();
        std::fs::write(&folder, "not a folder").unwrap();
        let err = store.remove_checkpoints("digits").unwrap_err().to_string();
        let want = format!("cannot read {}: ", folder.display());
        assert!(err.starts_with(&want), "{err}");
    }

    #[test]
    fn a_checkpoint_that_cannot_be_deleted_is_named_as_the_store_s_own() {
        let dir = tempfile::tempdir().unwrap();
        // The experiment's folder replaced by a file: its checkpoints cannot be reached.
        let folder = dir.path().join("exp");
        std::fs::write(&folder, "not a folder").unwrap();
        let err = discard(&folder, TrialId(2)).unwrap_err().to_string();
        assert!(
            err.starts_with("cannot delete checkpoint file ") && err.contains("exp/2.json"),
            "{err}"
        );
        assert!(!err.contains("hand"), "{err}");
    }

    #[test]
    fn a_trial_s_checkpoint_goes_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("exp");
        checkpoint(&folder, 2);
        checkpoint(&folder, 3);
        discard(&folder, TrialId(2)).unwrap();
        discard(&folder, TrialId(5)).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["3.json", "3.safetensors"]);
    }
}
