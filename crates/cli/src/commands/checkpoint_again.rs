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
use experiment::TrialId;

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
    let sidecar = dir.join(format!("{}.json", trial.0));
    // The weights lie beside their sidecar, named alike (`trainer::checkpoint`'s layout).
    if !sidecar.is_file() || !sidecar.with_extension("safetensors").exists() {
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
        let own = format!("{}.json", trial.0);
        let entries = fs::read_dir(dir)
            .with_context(|| format!("cannot read the folder {}", dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot read the folder {}", dir.display()))?
                .path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_file() && name.ends_with(".json") && name != own {
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
        let name = |ext: &str| format!("{}.{ext}", self.trial.0);
        let sidecar = self.scratch.join(name("json"));
        if !sidecar.is_file() {
            return Ok(false);
        }
        for ext in ["safetensors", "json"] {
            let (from, to) = (self.scratch.join(name(ext)), self.dir.join(name(ext)));
            fs::rename(&from, &to).with_context(|| format!("cannot write {}", to.display()))?;
        }
        for other in &self.others {
            if !self.scratch.join(other).exists() {
                let sidecar = self.dir.join(other);
                for path in [sidecar.clone(), sidecar.with_extension("safetensors")] {
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
