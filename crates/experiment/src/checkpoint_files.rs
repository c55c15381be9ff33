//! The files of a trial's checkpoint: their names, and the rule by which a checkpoint is whole.
//!
//! A checkpoint is two files named after the trial number, in the experiment's checkpoint folder
//! beside the store (`store::checkpoint_dir`): the weights (`<trial>.safetensors`) and a JSON
//! sidecar (`<trial>.json`). The sidecar is written last and deleted first, so that a sidecar
//! present means a whole checkpoint, whatever a crash interrupted. `trainer` writes and loads
//! checkpoints, `store` hands them over between agents and deletes them, and `cli` finds them
//! (`sweep predict`, `sweep reproduce`) and counts them (`sweep rm`): all through `CheckpointFile`,
//! so that no side can rename a file the others look for. Existing stores hold these names: they
//! never change.
//!
//! This is the one place both sides can see: `trainer` and `store` depend on `experiment`, not
//! on each other. It names files and joins paths only; every read and write stays with the
//! crates that do IO.
//!
//! Rejected: the layout in `store` (where `checkpoint_dir` is), since `trainer` may not depend
//! on `store`; and a `CheckpointLayout` value passed around, since the names are constants.

use std::path::{Path, PathBuf};

use crate::TrialId;

/// One of the two files of a trial's checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointFile {
    /// The weights, one tensor per parameter, in safetensors: `<trial>.safetensors`.
    Weights,
    /// The JSON sidecar, all but the weights: `<trial>.json`. Written after the weights and
    /// deleted before them, so that it is there only beside whole weights: a checkpoint is known
    /// to be there, whole, by its sidecar.
    Sidecar,
}

impl CheckpointFile {
    /// The files in the order they are written or copied into a folder: the sidecar last.
    pub const WRITE_ORDER: [CheckpointFile; 2] = [CheckpointFile::Weights, CheckpointFile::Sidecar];

    /// The files in the order they are deleted: the sidecar first, so that a deletion cut short
    /// leaves no checkpoint that looks whole.
    pub const DELETE_ORDER: [CheckpointFile; 2] =
        [CheckpointFile::Sidecar, CheckpointFile::Weights];

    /// Returns the extension of this file, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            CheckpointFile::Weights => "safetensors",
            CheckpointFile::Sidecar => "json",
        }
    }

    /// Returns the name of this file of `trial`'s checkpoint.
    pub fn file_name(self, trial: TrialId) -> String {
        format!("{}.{}", trial.0, self.extension())
    }

    /// Returns the path of this file of `trial`'s checkpoint in the checkpoint folder `folder`.
    pub fn path(self, folder: &Path, trial: TrialId) -> PathBuf {
        folder.join(self.file_name(trial))
    }

    /// Returns the path of this file beside `other`, a file of the same checkpoint (the weights
    /// of a sidecar, say).
    pub fn beside(self, other: &Path) -> PathBuf {
        other.with_extension(self.extension())
    }

    /// Returns which checkpoint file `path` is by its extension, or `None` for any other file
    /// in a checkpoint folder (a file being written, a scratch folder).
    pub fn of(path: &Path) -> Option<CheckpointFile> {
        let extension = path.extension()?;
        CheckpointFile::WRITE_ORDER
            .into_iter()
            .find(|file| extension == file.extension())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names existing stores hold, `ls checkpoints/EXPERIMENT` of a store written by every
    /// version so far: a change here leaves their checkpoints unfound.
    #[test]
    fn the_names_are_those_existing_stores_hold() {
        let trial = TrialId(12);
        let names = CheckpointFile::WRITE_ORDER.map(|file| file.file_name(trial));
        assert_eq!(names, ["12.safetensors", "12.json"]);
        let folder = Path::new("store/checkpoints/digits");
        assert_eq!(
            CheckpointFile::Sidecar.path(folder, trial),
            Path::new("store/checkpoints/digits/12.json")
        );
        assert_eq!(
            CheckpointFile::Weights.path(folder, TrialId(0)),
            Path::new("store/checkpoints/digits/0.safetensors")
        );
        assert_eq!(
            CheckpointFile::Weights.beside(Path::new("c/12.json")),
            Path::new("c/12.safetensors")
        );
        assert_eq!(
            CheckpointFile::Sidecar.beside(Path::new("c/12.safetensors")),
            Path::new("c/12.json")
        );
    }

    #[test]
    fn the_sidecar_is_written_last_and_deleted_first() {
        assert_eq!(
            CheckpointFile::WRITE_ORDER.last(),
            Some(&CheckpointFile::Sidecar)
        );
        let mut reversed = CheckpointFile::WRITE_ORDER;
        reversed.reverse();
        assert_eq!(CheckpointFile::DELETE_ORDER, reversed);
    }

    #[test]
    fn only_the_two_extensions_are_checkpoint_files() {
        let cases = [
            ("3.json", Some(CheckpointFile::Sidecar)),
            ("3.safetensors", Some(CheckpointFile::Weights)),
            // Files being written: the trainer's `3.tmp`, a handover's `3.json.part`.
            ("3.tmp", None),
            ("3.json.part", None),
            ("3.safetensors.part", None),
            // A reproduction's scratch folder, and a name with no extension.
            (".reproduce-3-100", None),
            (".json", None),
            ("3", None),
        ];
        for (name, want) in cases {
            assert_eq!(CheckpointFile::of(Path::new(name)), want, "{name}");
        }
    }
}
