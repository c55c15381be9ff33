//! A trial's checkpoint written again by `sweep reproduce`, when the stored one is missing or
//! fails its check and the trial reproduces.
//!
//! `sweep predict` refuses a checkpoint whose weights changed since they were written, and
//! sends the user to `sweep reproduce`; so reproducing must leave a checkpoint behind. The
//! reproduction saves it the way `sweep run` does (`MlpObjective::with_checkpoints`, whose
//! keeper decides whether the trial ranks among the checkpoints kept), but into a scratch folder
//! inside the experiment's checkpoint folder: a run that turns out to differ must not replace
//! the stored checkpoint. The scratch folder holds copies of the other trials' sidecars, so that
//! the keeper ranks the trial among them as it would in place; only once the verdict is known is
//! the new checkpoint moved into place (weights, then sidecar, as the keeper writes them), and
//! any checkpoint it pushed out of the best `keep` deleted. The keeper skips folders, so a
//! scratch folder a crash left behind is ignored by later runs.
//!
//! Rejected: training the trial a second time with the real folder once it reproduced (twice
//! the time), and comparing bytes with the fresh weights (it cannot tell damage from a GPU's
//! rounding).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;
use experiment::{CheckpointFile, TrialId};

/// What a trial's stored checkpoint was found to be before the trial ran again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// Its sidecar and weights load, as `sweep predict` loads them.
    Usable,
    /// There is no sidecar, or no weights beside it.
    Missing,
    /// There is a sidecar, but the checkpoint fails to load: weights changed since they were
    /// written (their sha256 is not the recorded one), or unreadable.
    Damaged,
}

impl Found {
    /// Returns the word for a checkpoint found so, as the verdict prints it.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Found::Usable => "usable",
            Found::Missing => "missing",
            Found::Damaged => "damaged",
        }
    }
}

/// A scratch checkpoint folder for one reproduction; removed when dropped.
#[derive(Debug)]
pub(super) struct Scratch {
    /// The experiment's checkpoint folder (`store::checkpoint_dir`).
    dir: PathBuf,
    /// The scratch folder inside it.
    scratch: PathBuf,
    /// The trial reproduced.
    trial: TrialId,
    /// The other trials whose sidecars were copied in, by file name.
    others: Vec<String>,
}

/// Returns how the checkpoint of `trial` in the experiment's checkpoint folder `dir` is found:
/// loaded as `sweep predict` loads it, on an input with no column, which fails on the input
/// only after the checkpoint has loaded (a failure of the checkpoint is `Error::Checkpoint`).
pub(super) fn inspect(dir: &Path, trial: TrialId) -> Found {
    let sidecar = CheckpointFile::Sidecar.path(dir, trial);
    // The weights lie beside their sidecar, named alike (`experiment::CheckpointFile`).
    if !sidecar.is_file() || !CheckpointFile::Weights.beside(&sidecar).exists() {
        return Found::Missing;
    }
    let checked = trainer::predict(
        &sidecar,
        io::empty(),
        Path::new("(no input)"),
        &mut io::sink(),
    );
    match checked {
        Err(trainer::Error::Checkpoint { .. }) => Found::Damaged,
        _ => Found::Usable,
    }
}

impl Scratch {
    /// Creates a scratch folder in `dir` for `trial`, holding copies of the other trials'
    /// sidecars.
    pub(super) fn create(dir: &Path, trial: TrialId) -> anyhow::Result<Scratch> {
        let scratch = dir.join(format!(".reproduce-{}-{}", trial.0, std::process::id()));
        fs::create_dir_all(&scratch)
            .with_context(|| format!("cannot create the folder {}", scratch.display()))?;
        let mut made = Scratch {
            dir: dir.to_path_buf(),
            scratch,
            trial,
            others: Vec::new(),
        };
        let own = CheckpointFile::Sidecar.file_name(trial);
        let entries = fs::read_dir(dir)
            .with_context(|| format!("cannot read the folder {}", dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot read the folder {}", dir.display()))?
                .path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let sidecar = CheckpointFile::of(&path) == Some(CheckpointFile::Sidecar);
            if path.is_file() && sidecar && name != own {
                fs::copy(&path, made.scratch.join(name))
                    .with_context(|| format!("cannot copy {}", path.display()))?;
                made.others.push(name.to_string());
            }
        }
        Ok(made)
    }

    /// Returns the scratch folder, to save the reproduction's checkpoints in.
    pub(super) fn path(&self) -> &Path {
        &self.scratch
    }

    /// Moves the trial's checkpoint from the scratch folder into place, if the reproduction
    /// saved one there, and deletes the checkpoints it pushed out; returns whether it did.
    pub(super) fn commit(&self) -> anyhow::Result<bool> {
        let sidecar = CheckpointFile::Sidecar.path(&self.scratch, self.trial);
        if !sidecar.is_file() {
            return Ok(false);
        }
        for file in CheckpointFile::WRITE_ORDER {
            let (from, to) = (
                file.path(&self.scratch, self.trial),
                file.path(&self.dir, self.trial),
            );
            fs::rename(&from, &to).with_context(|| format!("cannot write {}", to.display()))?;
        }
        for other in &self.others {
            if !self.scratch.join(other).exists() {
                // Pushed out: deleted as the keeper deletes, sidecar first.
                let sidecar = self.dir.join(other);
                for path in CheckpointFile::DELETE_ORDER.map(|file| file.beside(&sidecar)) {
                    match fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(e)
                                .with_context(|| format!("cannot delete {}", path.display()))
                        }
                    }
                }
            }
        }
        Ok(true)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Nothing in it is needed any more; a folder left behind is skipped by the keeper.
        let _ = fs::remove_dir_all(&self.scratch);
        // The experiment's folder too when the scratch folder's creation made it and nothing
        // was written in it: removing a folder fails unless it is empty.
        let _ = fs::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use experiment::{
        Control, ExperimentSpec, MetricPoint, Objective, Params, Reporter, Seed, Step, TrialContext,
    };
    use store::{CheckpointsRemoved, Store};
    use trainer::MlpObjective;

    use super::*;

    struct Quiet;

    impl Reporter for Quiet {
        fn report(&mut self, _: Step, _: &[MetricPoint]) -> Control {
            Control::Continue
        }
    }

    /// Trains trial 0 of a small experiment `p`, keeping its checkpoint in `folder`.
    fn train(folder: &Path) {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/p.yaml");
        let spec = ExperimentSpec::from_yaml_str(
            "name: p\ndata: {csv: data/breast_cancer.csv, target: diagnosis}\n\
             metric: {name: val_accuracy}\nmodel: {hidden: 4}\ntrain: {epochs: 1}\n",
            &file,
        )
        .unwrap();
        let objective = MlpObjective::with_checkpoints(&spec, folder, None).unwrap();
        let ctx = TrialContext {
            trial: TrialId(0),
            seed: Seed(1),
            params: &Params::new(),
        };
        objective.run(&ctx, &mut Quiet);
    }

    /// One checkpoint, as the trainer writes it, is the one the store knows and removes and the
    /// one `sweep reproduce` finds and loads as `sweep predict` does: all through
    /// `experiment::CheckpointFile`.
    #[test]
    fn trainer_store_and_cli_agree_on_a_checkpoint_s_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let store = Store::open(&path).unwrap();
        let folder = store::checkpoint_dir(&path, "p");
        let trial = TrialId(0);
        train(&folder);
        assert!(store.has_checkpoint("p", trial));
        assert_eq!(inspect(&folder, trial), Found::Usable);

        // Weights gone beside their sidecar: missing to the CLI; written again through a
        // scratch folder, as `sweep reproduce` does.
        let weights = CheckpointFile::Weights.path(&folder, trial);
        fs::remove_file(&weights).unwrap();
        assert_eq!(inspect(&folder, trial), Found::Missing);
        let scratch = Scratch::create(&folder, trial).unwrap();
        train(scratch.path());
        assert!(scratch.commit().unwrap());
        drop(scratch);
        assert!(weights.is_file());
        assert_eq!(inspect(&folder, trial), Found::Usable);

        // A damaged weights file is the one the trainer refuses.
        let whole = fs::read(&weights).unwrap();
        let mut damaged = whole.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0xff;
        fs::write(&weights, &damaged).unwrap();
        assert_eq!(inspect(&folder, trial), Found::Damaged);
        fs::write(&weights, &whole).unwrap();

        // The store deletes one trial's checkpoint, and a whole folder, counting it.
        store.discard_checkpoint("p", trial).unwrap();
        assert!(!store.has_checkpoint("p", trial));
        assert_eq!(inspect(&folder, trial), Found::Missing);
        train(&folder);
        assert_eq!(
            store.remove_checkpoints("p").unwrap(),
            CheckpointsRemoved::Deleted(1)
        );
        assert!(!folder.exists());
    }
}
