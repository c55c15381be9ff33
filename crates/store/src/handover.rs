//! The study's best checkpoint, handed from the agent that ran the trial to every other store.
//!
//! Under agents each agent keeps the checkpoints of its own trials beside its own store. So that
//! `sweep predict` and `sweep show` find the study's best model in every agent's store, the
//! agent that measures the best trial on the test split first copies that trial's checkpoint
//! into the study's folder of the exchange (`<exchange>/<experiment>/checkpoints/`), then
//! publishes the result; each other agent, storing the result, copies the checkpoint next to
//! its own store, and so does the measuring agent itself when it starts again on an empty store
//! (a lost node). The other kept checkpoints stay with the agents that ran them.
//!
//! A checkpoint is two files named after the trial (`experiment::CheckpointFile`, as `trainer`
//! writes them): the weights (`<trial>.safetensors`) and the sidecar (`<trial>.json`). They are
//! copied weights first (`CheckpointFile::WRITE_ORDER`), each to a name of its own and renamed,
//! so that a sidecar, by which `Store::has_checkpoint` knows a checkpoint, means a whole one, as
//! after a crash mid-copy.

use std::path::{Path, PathBuf};

use experiment::{CheckpointFile, TrialId};

use crate::{Error, Result};

/// The folder of a study's exchange folder that holds the handed-over checkpoint.
const FOLDER: &str = "checkpoints";

/// Copies trial `trial`'s checkpoint from `from` (the experiment's `checkpoint_dir`) into the
/// study folder `study`. Returns false, copying nothing, when `from` holds none.
pub(crate) fn share(study: &Path, from: &Path, trial: TrialId) -> Result<bool> {
    copy(from, &study.join(FOLDER), trial)
}

/// Copies trial `trial`'s checkpoint from the study folder `study` into `to` (the experiment's
/// `checkpoint_dir` of another store), unless `to` holds one already. Returns whether it copied
/// one: false also when the study folder holds none (its agent kept none, or shared none).
pub(crate) fn adopt(study: &Path, to: &Path, trial: TrialId) -> Result<bool> {
    if CheckpointFile::Sidecar.path(to, trial).is_file() {
        return Ok(false);
    }
    copy(&study.join(FOLDER), to, trial)
}

/// Returns the sidecar of trial `trial`'s checkpoint as shared in the study folder `study`:
/// the file `adopt` looks for.
pub(crate) fn shared_sidecar(study: &Path, trial: TrialId) -> PathBuf {
    CheckpointFile::Sidecar.path(&study.join(FOLDER), trial)
}

/// Copies `trial`'s checkpoint from folder `from` to folder `to`; false when `from` has none.
fn copy(from: &Path, to: &Path, trial: TrialId) -> Result<bool> {
    if !CheckpointFile::Sidecar.path(from, trial).is_file() {
        return Ok(false);
    }
    std::fs::create_dir_all(to).map_err(|e| failed(to, &e))?;
    for file in CheckpointFile::WRITE_ORDER {
        let (source, target) = (file.path(from, trial), file.path(to, trial));
        // Not a checkpoint file until renamed (`CheckpointFile::of`).
        let part = to.join(format!("{}.part", file.file_name(trial)));
        std::fs::copy(&source, &part).map_err(|e| failed(&source, &e))?;
        std::fs::rename(&part, &target).map_err(|e| failed(&target, &e))?;
    }
    Ok(true)
}

fn failed(path: &Path, e: &std::io::Error) -> Error {
    Error::Handover {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a checkpoint's two files for `trial` in `folder`, with `weights` as its weights.
    fn checkpoint(folder: &Path, trial: u32, weights: &str) {
        std::fs::create_dir_all(folder).unwrap();
        std::fs::write(folder.join(format!("{trial}.safetensors")), weights).unwrap();
        std::fs::write(
            folder.join(format!("{trial}.json")),
            format!("{{\"trial\": {trial}}}"),
        )
        .unwrap();
    }

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_shared_checkpoint_is_adopted_byte_for_byte_and_only_where_missing() {
        let dir = tempfile::tempdir().unwrap();
        let (study, owner, other) = (
            dir.path().join("exchange/digits"),
            dir.path().join("a/checkpoints/digits"),
            dir.path().join("b/checkpoints/digits"),
        );
        checkpoint(&owner, 4, "weights of 4");
        checkpoint(&owner, 7, "weights of 7");
        assert!(share(&study, &owner, TrialId(4)).unwrap());
        assert_eq!(names(&study.join(FOLDER)), ["4.json", "4.safetensors"]);
        assert!(adopt(&study, &other, TrialId(4)).unwrap());
        assert_eq!(names(&other), ["4.json", "4.safetensors"]);
        for file in CheckpointFile::WRITE_ORDER {
            assert_eq!(
                std::fs::read(file.path(&owner, TrialId(4))).unwrap(),
                std::fs::read(file.path(&other, TrialId(4))).unwrap()
            );
        }
        // Adopted again (an agent started again re-reads the result): left as it is.
        std::fs::write(other.join("4.safetensors"), "kept").unwrap();
        assert!(!adopt(&study, &other, TrialId(4)).unwrap());
        assert_eq!(
            std::fs::read_to_string(other.join("4.safetensors")).unwrap(),
            "kept"
        );
        // Its own store, which ran the trial, keeps its own.
        assert!(!adopt(&study, &owner, TrialId(4)).unwrap());
    }

    #[test]
    fn nothing_is_copied_when_no_checkpoint_was_kept() {
        let dir = tempfile::tempdir().unwrap();
        let study = dir.path().join("exchange/digits");
        let owner = dir.path().join("a/checkpoints/digits");
        checkpoint(&owner, 4, "weights of 4");
        // A trial outside `checkpoints.keep`: the owner has none to share.
        assert!(!share(&study, &owner, TrialId(5)).unwrap());
        assert!(!study.join(FOLDER).exists());
        // Nothing shared: nothing adopted, and no folder made.
        let other = dir.path().join("b/checkpoints/digits");
        assert!(!adopt(&study, &other, TrialId(5)).unwrap());
        assert!(!other.exists());
        // Weights without a sidecar are half a checkpoint (a copy cut short): not shared.
        std::fs::remove_file(owner.join("4.json")).unwrap();
        assert!(!share(&study, &owner, TrialId(4)).unwrap());
    }

    #[test]
    fn a_failed_copy_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let owner = dir.path().join("a");
        checkpoint(&owner, 1, "w");
        // The study folder is a file: the checkpoints' folder cannot be made in it.
        let study = dir.path().join("exchange");
        std::fs::write(&study, "not a folder").unwrap();
        let message = share(&study, &owner, TrialId(1)).unwrap_err().to_string();
        assert!(message.contains("exchange"), "{message}");
    }
}
