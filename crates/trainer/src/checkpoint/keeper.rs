//! `Keeper`: the best `keep` checkpoints of an experiment by its first objective, and with
//! several objectives those on the Pareto front; it learns what is on disk when it opens the
//! folder and only ever lets a checkpoint go (see the module docs of `checkpoint`).

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;

use experiment::{pareto, CheckpointFile, Constraint, Direction, MetricSpec, TrialId};

use super::{io, read_sidecar, serialize, write_atomically, CheckpointV1, Kept, Standing};
use crate::model::HostTensor;
use crate::{Error, Result};

/// Keeps the best `keep` checkpoints of an experiment, and those of the Pareto front.
#[derive(Debug)]
pub(crate) struct Keeper {
    dir: PathBuf,
    keep: usize,
    goal: Direction,
    /// With several objectives, all of them (the first is `goal`'s), and the constraints a
    /// trial on the Pareto front meets; no objectives with one.
    front: Vec<MetricSpec>,
    constraints: Vec<Constraint>,
    /// The trials with a checkpoint on disk.
    kept: Mutex<Vec<Kept>>,
}

impl Keeper {
    /// Opens the checkpoint folder `dir` (created when the first checkpoint is saved), keeping
    /// `keep` checkpoints ranked by the first of `objectives`, and with several objectives those
    /// on the Pareto front of the trials that meet `constraints`; learns the checkpoints
    /// already there, only those of agent `agent.0` of `agent.1`'s trials when given.
    pub(crate) fn open(
        dir: PathBuf,
        keep: usize,
        objectives: &[MetricSpec],
        constraints: &[Constraint],
        agent: Option<(u32, u32)>,
    ) -> Result<Keeper> {
        let goal = objectives.first().map_or(Direction::Maximize, |o| o.goal);
        let front = if objectives.len() > 1 {
            objectives.to_vec()
        } else {
            Vec::new()
        };
        let mut kept = Vec::new();
        if dir.is_dir() {
            let entries = fs::read_dir(&dir).map_err(|e| io(&dir, &e))?;
            for entry in entries {
                let path = entry.map_err(|e| io(&dir, &e))?.path();
                if CheckpointFile::of(&path) == Some(CheckpointFile::Sidecar) {
                    if let Ok(meta) = read_sidecar(&path) {
                        let ours = agent.is_none_or(|(i, n)| TrialId(meta.trial).agent(n) == i);
                        if ours {
                            kept.push(Kept::of(&meta));
                        }
                    }
                }
            }
        }
        let keeper = Keeper {
            dir,
            keep,
            goal,
            front,
            constraints: constraints.to_vec(),
            kept: Mutex::new(Vec::new()),
        };
        keeper.prune(&mut kept)?;
        *keeper.lock() = kept;
        Ok(keeper)
    }

    /// Returns the oriented objectives of a trial that ended with `result` (its best epoch's
    /// metrics) when it competes for the Pareto front: the study has several objectives, and
    /// the trial `completed` and meets the constraints.
    pub(crate) fn pareto_point(
        &self,
        metrics: &BTreeMap<String, f64>,
        completed: bool,
    ) -> Option<Vec<f64>> {
        let competes = !self.front.is_empty()
            && completed
            && experiment::violation_of(&self.constraints, metrics) == 0.0;
        competes
            .then(|| pareto::oriented_metrics(metrics, &self.front))
            .flatten()
    }

    /// Returns how a trial that ended with `result` (its best epoch's metrics) ranks besides
    /// its value: how far it breaks the constraints, and whether it `completed`.
    pub(crate) fn standing(&self, metrics: &BTreeMap<String, f64>, completed: bool) -> Standing {
        // Finite, for JSON: a metric a constraint reads that the trial lacks breaks it most.
        let violation = experiment::violation_of(&self.constraints, metrics);
        Standing {
            violation: if violation.is_finite() {
                violation
            } else {
                f64::MAX
            },
            completed,
        }
    }

    /// Returns the sidecar path of `trial`'s checkpoint.
    pub(crate) fn sidecar(&self, trial: TrialId) -> PathBuf {
        CheckpointFile::Sidecar.path(&self.dir, trial)
    }

    /// Saves a trial's checkpoint if it ranks among the best `keep` (`Kept::order`) or is on
    /// the Pareto front, and deletes those it pushes out; when it does not rank, deletes any
    /// checkpoint the trial has from an earlier run (one stopped part way, run again). The
    /// whole save holds the lock, so that a checkpoint another trial pushes out meanwhile is
    /// not written after its deletion.
    pub(crate) fn save(&self, meta: CheckpointV1, tensors: &[HostTensor]) -> Result<()> {
        let mut kept = self.lock();
        let new = Kept::of(&meta);
        kept.retain(|k| k.trial != new.trial);
        let better = kept
            .iter()
            .filter(|k| Kept::order(self.goal, k, &new).is_lt())
            .count();
        if better >= self.keep && !new.on_front(&kept) {
            return self.delete(new.trial);
        }
        let trial = new.trial;
        let written = self.write(meta, tensors);
        if written.is_err() {
            // Not kept: neither listed nor on disk in part.
            let _ = self.delete(trial);
            return written;
        }
        kept.push(new);
        self.prune(&mut kept)
    }

    /// Writes a checkpoint's weights, then its sidecar (by which it is known to be whole:
    /// `CheckpointFile::WRITE_ORDER`, and the sidecar records the weights' hash).
    fn write(&self, mut meta: CheckpointV1, tensors: &[HostTensor]) -> Result<()> {
        fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, &e))?;
        let weights = CheckpointFile::Weights.path(&self.dir, TrialId(meta.trial));
        let bytes = serialize(tensors)?;
        write_atomically(&weights, &bytes)?;
        meta.weights_sha256 = Some(experiment::sha256_hex(&bytes));
        let json = serde_json::to_vec_pretty(&meta).map_err(|e| Error::Checkpoint {
            path: self.sidecar(TrialId(meta.trial)),
            message: e.to_string(),
        })?;
        write_atomically(&self.sidecar(TrialId(meta.trial)), &json)
    }

    /// Deletes the checkpoints beyond the best `keep` that are not on the Pareto front.
    fn prune(&self, kept: &mut Vec<Kept>) -> Result<()> {
        let goal = self.goal;
        kept.sort_by(|a, b| Kept::order(goal, a, b));
        let leaving: Vec<TrialId> = kept
            .iter()
            .enumerate()
            .filter(|&(rank, k)| rank >= self.keep && !k.on_front(kept))
            .map(|(_, k)| k.trial)
            .collect();
        kept.retain(|k| !leaving.contains(&k.trial));
        leaving.into_iter().try_for_each(|trial| self.delete(trial))
    }

    /// Deletes `trial`'s checkpoint, sidecar first (a sidecar means a whole checkpoint:
    /// `CheckpointFile::DELETE_ORDER`), if there is one.
    fn delete(&self, trial: TrialId) -> Result<()> {
        for file in CheckpointFile::DELETE_ORDER {
            let path = file.path(&self.dir, trial);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path, &e)),
            }
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Kept>> {
        // A panic while holding the lock leaves a list that is still valid.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
