//! `Store`: opening the database, checking its format, and the reads and writes of the study loop
//! and the dashboard.
//!
//! Experiment names map to a compact `ExperimentId` assigned from a counter in the meta tree, in
//! the same transaction that checks the name is free. Metric points of one step are one
//! `sled::Batch`, so a step is stored entirely or not at all.
//!
//! Opening a store, its lock and sled's quirks on opening are in `store/open`.

mod compact;
mod flushed;
mod name;
mod open;
mod remove;
mod scratch;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use experiment::{
    CheckpointFile, Effort, ExperimentSpec, MetricPoint, Step, Timestamp, Trial, TrialId,
    TrialState, WarmStarted,
};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use crate::error::storage;
#[cfg(test)]
use crate::error::DamagedPart; // for the tests, which see this module's names through `super::*`
use crate::keys::{self, ExperimentId};
use crate::records;
use crate::trace::{Heard, TrialTrace};
use crate::{CheckpointAt, Creation, Error, ExperimentInfo, Result, RunRecord, TestResult};

pub use compact::{compaction_pending, Compacted};
pub use remove::Removed;

#[cfg(test)]
pub(crate) use open::wait_released;
#[cfg(test)]
use open::{read_opener, retry_locked};

/// The version of the on-disk layout and records; a store of another version is not opened.
pub const FORMAT_VERSION: u32 = 1;

/// The file in the store's directory where the process that opened it last says who it is.
const OPENED_BY: &str = "opened-by";

/// The most bytes of `OPENED_BY` read back.
const OPENED_BY_MAX: usize = 1000;

/// How long `open` retries a lock conflict, and how often.
const LOCK_WAIT: Duration = Duration::from_secs(1);
const LOCK_POLL: Duration = Duration::from_millis(10);

const FORMAT_VERSION_KEY: &[u8] = b"format_version";
const NEXT_EXPERIMENT_ID_KEY: &[u8] = b"next_experiment_id";

/// Returns the folder of `experiment`'s checkpoints in the store folder `store`: files beside
/// the database (named as `experiment::CheckpointFile` names them), written by the trainer's
/// keeper, read by `sweep predict`, removed with the experiment (`sweep rm`,
/// `Store::remove_checkpoints`).
pub fn checkpoint_dir(store: &Path, experiment: &str) -> PathBuf {
    store.join("checkpoints").join(experiment)
}

/// A handle on an open store; clones share the same database.
///
/// Every experiment-scoped method returns `Error::UnknownExperiment` when no experiment has the
/// given name.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    meta: sled::Tree,
    experiment_ids: sled::Tree,
    experiments: sled::Tree,
    run_records: sled::Tree,
    test_results: sled::Tree,
    warm_starts: sled::Tree,
    trials: sled::Tree,
    metrics: sled::Tree,
    path: Option<Arc<Path>>,
    /// The latest flush count written to the file `flushed` (see `flushed`).
    marked: Arc<Mutex<u64>>,
    /// A temporary store's folder and lease; last, so that it is let go after sled's handles.
    _scratch: Option<Arc<scratch::Scratch>>,
}

impl Store {
    /// Returns whether trial `trial` of `experiment` has a checkpoint beside the store (its
    /// sidecar in `checkpoint_dir`); never for a temporary store.
    pub fn has_checkpoint(&self, experiment: &str, trial: TrialId) -> bool {
        self.checkpoint_folder(experiment)
            .is_some_and(|folder| CheckpointFile::Sidecar.path(&folder, trial).is_file())
    }

    /// Deletes trial `trial`'s checkpoint beside the store, if it has one: a trial stopped part
    /// way (to run again from scratch) keeps no weights of its unfinished run.
    pub fn discard_checkpoint(&self, experiment: &str, trial: TrialId) -> Result<()> {
        match self.checkpoint_folder(experiment) {
            Some(folder) => crate::checkpoints::discard(&folder, trial),
            None => Ok(()),
        }
    }

    /// Returns the folder beside the store that holds `experiment`'s checkpoints
    /// (`checkpoint_dir`), or `None` for a temporary store, which keeps none.
    pub fn checkpoint_folder(&self, experiment: &str) -> Option<PathBuf> {
        self.path
            .as_deref()
            .map(|path| checkpoint_dir(path, experiment))
    }

    /// Returns where trial `trial`'s checkpoint is, as this store knows: beside it, in the
    /// store of the agent that ran it (a study run by agents), or nowhere.
    pub fn checkpoint_at(&self, experiment: &str, trial: TrialId) -> Result<CheckpointAt> {
        if self.has_checkpoint(experiment, trial) {
            return Ok(CheckpointAt::Here);
        }
        Ok(self
            .run_record(experiment)?
            .and_then(|r| r.ran_by_another(trial))
            .map_or(CheckpointAt::Nowhere, CheckpointAt::Agent))
    }

    /// Returns the directory the store was opened from, or `None` for a temporary store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Creates an experiment; fails with `Error::ExperimentExists` if the name is taken.
    pub fn create_experiment(&self, e: &ExperimentInfo) -> Result<()> {
        self.create_experiment_with(e, Creation::default())
    }

    /// Creates an experiment with what `with` gives beside it, all in one transaction, so that
    /// no crash leaves the experiment without them; fails with `Error::ExperimentExists`,
    /// writing nothing, if the name is taken.
    pub fn create_experiment_with(&self, e: &ExperimentInfo, with: Creation<'_>) -> Result<()> {
        let record = records::encode_experiment(e);
        let warm = with.warm_start.map(records::encode_warm_start);
        let run = with.run_record.map(records::encode_run_record);
        let name = e.name.as_bytes();
        let trees = (
            &self.meta,
            &self.experiment_ids,
            &self.experiments,
            &self.warm_starts,
            &self.run_records,
        );
        let outcome = trees.transaction(|(meta, ids, experiments, warm_starts, run_records)| {
            if ids.get(name)?.is_some() {
                return Err(ConflictableTransactionError::Abort(
                    Error::ExperimentExists {
                        name: e.name.clone(),
                    },
                ));
            }
            let id = match meta.get(NEXT_EXPERIMENT_ID_KEY)? {
                Some(bytes) => {
                    ExperimentId::from_bytes(&bytes).map_err(ConflictableTransactionError::Abort)?
                }
                None => ExperimentId(0),
            };
            let next = id.0.checked_add(1).ok_or_else(|| {
                ConflictableTransactionError::Abort(Error::corrupt(
                    "experiment counter",
                    "no experiment ids left",
                ))
            })?;
            meta.insert(NEXT_EXPERIMENT_ID_KEY, &next.to_be_bytes())?;
            ids.insert(name, &id.to_bytes())?;
            experiments.insert(&id.to_bytes(), record.as_slice())?;
            if let Some(warm) = &warm {
                warm_starts.insert(&id.to_bytes(), warm.as_slice())?;
            }
            if let Some(run) = &run {
                run_records.insert(&id.to_bytes(), run.as_slice())?;
            }
            Ok(())
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(storage(e)),
        }
    }

    /// Replaces the stored experiment that has `e.name`.
    pub fn update_experiment(&self, e: &ExperimentInfo) -> Result<()> {
        let id = self.experiment_id(&e.name)?;
        self.experiments
            .insert(id.to_bytes(), records::encode_experiment(e))
            .map_err(storage)?;
        Ok(())
    }

    /// Returns the experiment called `name`, if there is one.
    pub fn experiment(&self, name: &str) -> Result<Option<ExperimentInfo>> {
        let Some(id) = self.find_experiment_id(name)? else {
            return Ok(None);
        };
        let bytes = self.experiments.get(id.to_bytes()).map_err(storage)?;
        let bytes = bytes.ok_or_else(|| {
            Error::corrupt(
                "experiment index",
                format!("experiment {name:?} has id {} but no record", id.0),
            )
        })?;
        let info = records::decode_experiment(&bytes)?;
        if info.name != name {
            return Err(Error::corrupt(
                "experiment index",
                format!("id {} of {name:?} holds experiment {:?}", id.0, info.name),
            ));
        }
        Ok(Some(info))
    }

    /// Returns every experiment, ordered by creation time, then name.
    pub fn experiments(&self) -> Result<Vec<ExperimentInfo>> {
        let mut all = self
            .experiments
            .iter()
            .map(|entry| {
                let (_, bytes) = entry.map_err(storage)?;
                records::decode_experiment(&bytes)
            })
            .collect::<Result<Vec<_>>>()?;
        all.sort_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
        Ok(all)
    }

    /// Stores how and where the experiment was run, replacing any earlier record.
    pub fn put_run_record(&self, experiment: &str, record: &RunRecord) -> Result<()> {
        let bytes = records::encode_run_record(record);
        self.put_one(&self.run_records, experiment, bytes)
    }

    /// Returns how and where the experiment was run; `None` for an experiment stored without a
    /// record (by a Sweep from before records, or by a caller that had none to give).
    pub fn run_record(&self, experiment: &str) -> Result<Option<RunRecord>> {
        self.one(&self.run_records, experiment, records::decode_run_record)
    }

    /// Stores the test-split metrics of the experiment's best trial, replacing any earlier ones.
    pub fn put_test_result(&self, experiment: &str, result: &TestResult) -> Result<()> {
        let bytes = records::encode_test_result(result);
        self.put_one(&self.test_results, experiment, bytes)
    }

    /// Returns the test-split metrics of the experiment's best trial; `None` until a sweep of
    /// the experiment has finished and measured them.
    pub fn test_result(&self, experiment: &str) -> Result<Option<TestResult>> {
        self.one(&self.test_results, experiment, records::decode_test_result)
    }

    /// Stores the trials the experiment took from another when it was created (`warm_start:`).
    pub fn put_warm_start(&self, experiment: &str, warm: &WarmStarted) -> Result<()> {
        let bytes = records::encode_warm_start(warm);
        self.put_one(&self.warm_starts, experiment, bytes)
    }

    /// Returns the trials the experiment took from another; `None` for one that took none.
    pub fn warm_start(&self, experiment: &str) -> Result<Option<WarmStarted>> {
        self.one(&self.warm_starts, experiment, records::decode_warm_start)
    }

    /// Returns whether the experiment took trials from another, without decoding them.
    pub fn has_warm_start(&self, experiment: &str) -> Result<bool> {
        Ok(self
            .one(&self.warm_starts, experiment, |_| Ok(()))?
            .is_some())
    }

    /// Stores `bytes` as the experiment's one record in `tree`, replacing any earlier one.
    fn put_one(&self, tree: &sled::Tree, experiment: &str, bytes: Vec<u8>) -> Result<()> {
        let id = self.experiment_id(experiment)?;
        tree.insert(id.to_bytes(), bytes).map_err(storage)?;
        Ok(())
    }

    /// Returns the experiment's one record in `tree`, decoded; `None` when it has none.
    fn one<T>(
        &self,
        tree: &sled::Tree,
        experiment: &str,
        decode: fn(&[u8]) -> Result<T>,
    ) -> Result<Option<T>> {
        let id = self.experiment_id(experiment)?;
        match tree.get(id.to_bytes()).map_err(storage)? {
            Some(bytes) => decode(&bytes).map(Some).map_err(|e| match e {
                Error::RecordVersion { what, version, .. } => Error::RecordVersion {
                    what,
                    experiment: Some(experiment.to_string()),
                    version,
                },
                e => e,
            }),
            None => Ok(None),
        }
    }

    /// Stores a trial without a trace, replacing any trial with the same id in the experiment
    /// (and its trace: `put_trial_traced` keeps one).
    pub fn put_trial(&self, experiment: &str, trial: &Trial) -> Result<()> {
        self.put_trial_traced(experiment, trial, &TrialTrace::default())
    }

    /// Stores a trial with its trace (`TrialTrace`: when it was last heard from, the attempts
    /// cut off before this one), replacing any trial with the same id in the experiment.
    pub fn put_trial_traced(
        &self,
        experiment: &str,
        trial: &Trial,
        trace: &TrialTrace,
    ) -> Result<()> {
        let id = self.experiment_id(experiment)?;
        self.trials
            .insert(
                keys::trial_key(id, trial.id),
                records::encode_traced_trial(trial, trace),
            )
            .map_err(storage)?;
        Ok(())
    }

    /// Returns trial `id` of the experiment, if stored.
    pub fn trial(&self, experiment: &str, id: TrialId) -> Result<Option<Trial>> {
        Ok(self.trial_traced(experiment, id)?.map(|(trial, _)| trial))
    }

    /// Returns trial `id` of the experiment with its trace, if stored.
    pub fn trial_traced(
        &self,
        experiment: &str,
        id: TrialId,
    ) -> Result<Option<(Trial, TrialTrace)>> {
        let exp = self.experiment_id(experiment)?;
        let key = keys::trial_key(exp, id);
        match self.trials.get(key).map_err(storage)? {
            Some(bytes) => decode_trial_at(&key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Returns the experiment's trials, ordered by id.
    pub fn trials(&self, experiment: &str) -> Result<Vec<Trial>> {
        let traced = self.traced_trials(experiment)?;
        Ok(traced.into_iter().map(|(trial, _)| trial).collect())
    }

    /// Returns the experiment's trials with their traces, ordered by id.
    pub fn traced_trials(&self, experiment: &str) -> Result<Vec<(Trial, TrialTrace)>> {
        let exp = self.experiment_id(experiment)?;
        self.trials
            .scan_prefix(exp.to_bytes())
            .map(|entry| {
                let (key, bytes) = entry.map_err(storage)?;
                decode_trial_at(&key, &bytes)
            })
            .collect()
    }

    /// Records the metrics of one step of a trial, all or none; a metric already recorded at
    /// that step is overwritten, and of repeated names in `points` the last wins.
    pub fn append_metrics(
        &self,
        experiment: &str,
        trial: TrialId,
        step: Step,
        points: &[MetricPoint],
    ) -> Result<()> {
        let exp = self.experiment_id(experiment)?;
        let mut batch = sled::Batch::default();
        for point in points {
            let key = keys::metric_key(exp, trial, &point.name, step)?;
            batch.insert(key, &keys::encode_value(point.value));
        }
        self.metrics.apply_batch(batch).map_err(storage)
    }

    /// Records a running trial's report: the metrics of one step, as `append_metrics` does,
    /// and, in the same transaction, the trial's record heard from at `at` (`TrialTrace::heard`),
    /// so that a kill leaves the trial's known end with its last stored epoch, at no extra
    /// write to disk. A trial not stored (or stored ended) has its metrics recorded alone.
    pub fn append_report(
        &self,
        experiment: &str,
        trial: TrialId,
        step: Step,
        points: &[MetricPoint],
        at: Timestamp,
    ) -> Result<()> {
        let exp = self.experiment_id(experiment)?;
        let points = points
            .iter()
            .map(|p| {
                Ok((
                    keys::metric_key(exp, trial, &p.name, step)?,
                    keys::encode_value(p.value),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let key = keys::trial_key(exp, trial);
        let outcome = (&self.trials, &self.metrics).transaction(|(trials, metrics)| {
            for (key, value) in &points {
                metrics.insert(key.as_slice(), value.as_slice())?;
            }
            let Some(bytes) = trials.get(key)? else {
                return Ok(());
            };
            let (stored, mut trace) =
                decode_trial_at(&key, &bytes).map_err(ConflictableTransactionError::Abort)?;
            if stored.state == TrialState::Running {
                trace.heard = Some(Heard { at, step });
                trials.insert(&key[..], records::encode_traced_trial(&stored, &trace))?;
            }
            Ok(())
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(storage(e)),
        }
    }

    /// Returns the names of the metrics recorded for a trial, sorted.
    pub fn metric_names(&self, experiment: &str, trial: TrialId) -> Result<Vec<String>> {
        let exp = self.experiment_id(experiment)?;
        let trial_prefix = keys::trial_key(exp, trial);
        let mut names = Vec::new();
        let mut from = trial_prefix.to_vec();
        // Visits one key per metric: after reading a name, jumps past all of its steps.
        while let Some(entry) = self.metrics.range(from.as_slice()..).next() {
            let (key, _) = entry.map_err(storage)?;
            if !key.starts_with(&trial_prefix) {
                break;
            }
            let name = keys::decode_metric_key(&key)?.name;
            let next = keys::successor(&keys::metric_prefix(exp, trial, &name)?);
            names.push(name);
            match next {
                Some(next) => from = next,
                None => break,
            }
        }
        names.sort();
        Ok(names)
    }

    /// Returns one metric of a trial as (step, value) pairs in step order.
    pub fn metric_series(
        &self,
        experiment: &str,
        trial: TrialId,
        metric: &str,
    ) -> Result<Vec<(Step, f64)>> {
        let exp = self.experiment_id(experiment)?;
        let prefix = keys::metric_prefix(exp, trial, metric)?;
        self.metrics
            .scan_prefix(&prefix)
            .map(|entry| {
                let (key, value) = entry.map_err(storage)?;
                let key = keys::decode_metric_key(&key)?;
                Ok((key.step, keys::decode_value(&value)?))
            })
            .collect()
    }

    /// Returns the last step at which a trial recorded `metric` (its epochs trained, as the
    /// trainer numbers epochs from 1), reading one key; `None` before any.
    pub fn last_step(
        &self,
        experiment: &str,
        trial: TrialId,
        metric: &str,
    ) -> Result<Option<Step>> {
        self.last_step_of(self.experiment_id(experiment)?, trial, metric)
    }

    /// Returns what `trials` of `experiment` (with its stored `spec`, when that parses)
    /// trained (`experiment::Effort`): each one's last step of the `objective`, a key read per
    /// trial. The epochs of their attempts cut off are in their traces, which a caller that
    /// read them adds (`Effort::add_cut`) without a second scan of the records.
    pub fn effort(
        &self,
        experiment: &str,
        objective: &str,
        spec: Option<&ExperimentSpec>,
        trials: &[Trial],
    ) -> Result<Effort> {
        let exp = self.experiment_id(experiment)?;
        let mut effort = Effort::default();
        for t in trials {
            effort.add(t, spec, self.last_step_of(exp, t.id, objective)?);
        }
        Ok(effort)
    }

    fn last_step_of(
        &self,
        exp: ExperimentId,
        trial: TrialId,
        metric: &str,
    ) -> Result<Option<Step>> {
        let prefix = keys::metric_prefix(exp, trial, metric)?;
        match self.metrics.scan_prefix(&prefix).next_back() {
            None => Ok(None),
            Some(entry) => {
                let (key, _) = entry.map_err(storage)?;
                Ok(Some(keys::decode_metric_key(&key)?.step))
            }
        }
    }

    /// Returns every metric of a trial by name, each in step order, in a single scan.
    pub fn all_metric_series(
        &self,
        experiment: &str,
        trial: TrialId,
    ) -> Result<BTreeMap<String, Vec<(Step, f64)>>> {
        let exp = self.experiment_id(experiment)?;
        let mut series: BTreeMap<String, Vec<(Step, f64)>> = BTreeMap::new();
        for entry in self.metrics.scan_prefix(keys::trial_key(exp, trial)) {
            let (key, value) = entry.map_err(storage)?;
            let key = keys::decode_metric_key(&key)?;
            let value = keys::decode_value(&value)?;
            series.entry(key.name).or_default().push((key.step, value));
        }
        Ok(series)
    }

    /// Deletes every metric point of a trial, as one batch; used before re-running it.
    pub fn clear_metrics(&self, experiment: &str, trial: TrialId) -> Result<()> {
        let exp = self.experiment_id(experiment)?;
        let mut batch = sled::Batch::default();
        for entry in self.metrics.scan_prefix(keys::trial_key(exp, trial)) {
            let (key, _) = entry.map_err(storage)?;
            batch.remove(key);
        }
        self.metrics.apply_batch(batch).map_err(storage)
    }

    /// Writes everything stored so far to disk and waits until it is there; counts the flush,
    /// so that a later `open` notices a database that lost it (see `flushed`).
    pub fn flush(&self) -> Result<()> {
        let count = self.count_flush()?;
        self.db.flush().map_err(storage)?;
        self.mark_flushed(count)
    }

    fn find_experiment_id(&self, name: &str) -> Result<Option<ExperimentId>> {
        match self.experiment_ids.get(name).map_err(storage)? {
            Some(bytes) => Ok(Some(ExperimentId::from_bytes(&bytes)?)),
            None => Ok(None),
        }
    }

    fn experiment_id(&self, name: &str) -> Result<ExperimentId> {
        self.find_experiment_id(name)?
            .ok_or_else(|| Error::UnknownExperiment {
                name: name.to_owned(),
            })
    }

    fn display_path(&self) -> PathBuf {
        self.path
            .as_deref()
            .map_or_else(|| PathBuf::from("(temporary)"), Path::to_path_buf)
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not derived: sled's `Debug` prints every key and value.
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Decodes the trial stored under `key`, checking that the record agrees with its key.
fn decode_trial_at(key: &[u8], bytes: &[u8]) -> Result<(Trial, TrialTrace)> {
    let (_, id) = keys::decode_trial_key(key)?;
    let (trial, trace) = records::decode_traced_trial(bytes)?;
    if trial.id != id {
        return Err(Error::corrupt(
            records::TRIAL_RECORD,
            format!("record of trial {} is stored under trial {}", trial.id, id),
        ));
    }
    Ok((trial, trace))
}

/// The error for a file beside the store, `name`, that could not be written: it names the file
/// and says why every command needs the folder writable.
pub(crate) fn aside_failed(dir: &Path, file: &Path, e: &io::Error) -> Error {
    Error::Open {
        path: dir.to_path_buf(),
        detail: format!(
            "cannot write {}: {e}; every command writes beside the store (who holds it, how \
             many writes reached disk), so its folder must be writable: to read a store on a \
             read-only medium, copy the folder somewhere writable",
            file.display()
        ),
    }
}

/// Writes `text` to the file `name` in `dir`, aside and renamed, so that a reader never sees
/// half of it.
fn write_aside(
    dir: &Path,
    name: &str,
    text: &str,
) -> std::result::Result<(), (PathBuf, io::Error)> {
    let part = dir.join(format!("{name}.part"));
    std::fs::write(&part, text).map_err(|e| (part.clone(), e))?;
    let file = dir.join(name);
    std::fs::rename(&part, &file).map_err(|e| (file, e))
}

#[cfg(test)]
mod model_tests;
#[cfg(test)]
pub(crate) mod tests;
