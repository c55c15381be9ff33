//! `Store`: opening the database, checking its format, and the reads and writes of the study loop
//! and the dashboard.
//!
//! Experiment names map to a compact `ExperimentId` assigned from a counter in the meta tree, in
//! the same transaction that checks the name is free. Metric points of one step are one
//! `sled::Batch`, so a step is stored entirely or not at all.
//!
//! Locking: sled takes an exclusive `flock` on the database file when it opens, without waiting.
//! `flock` belongs to the open file description, so a second open conflicts whether it comes from
//! another process or from this one. Sled reports the conflict only as an `Other` I/O error whose
//! message starts "could not acquire lock"; `open` recognizes that message (sled 0.34 is frozen)
//! and returns `Error::Locked`. A test re-executes the test binary to check it across processes.
//! Sled also releases its lock late: a dropped handle's last log writes finish on sled's own
//! background threads, which hold the file (and its lock) until they are done (sled issue 1289).
//! So `open` retries a lock conflict for up to `LOCK_WAIT` before it reports one; a store that
//! another handle or process really holds is reported after that wait, with what the holder
//! wrote about itself in the plain file `opened-by` beside the database (`announce`): sled's lock
//! keeps a second process from reading the database, not that file.

mod compact;
mod flushed;
mod remove;
mod scratch;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use experiment::{
    CheckpointFile, Effort, ExperimentSpec, MetricPoint, Step, Trial, TrialId, WarmStarted,
};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use crate::error::{storage, DamagedPart, DATABASE_FILE};
use crate::keys::{self, ExperimentId};
use crate::records;
use crate::{CheckpointAt, Creation, Error, ExperimentInfo, Result, RunRecord, TestResult};

pub use compact::{compaction_pending, Compacted};
pub use remove::Removed;

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
    /// Opens the store in directory `path`, creating it if missing.
    ///
    /// Fails with `Error::Locked` when the store is open elsewhere, and with
    /// `Error::FormatVersion` when it was written in another format.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_at(path, false)
    }

    /// Opens the store in `path` as `open` does; `existing`: refuses rather than creates one
    /// (`Error::NoStore`), also when the folder goes while the open waits for the lock.
    fn open_at(path: &Path, existing: bool) -> Result<Store> {
        // Not even created anew: the store is aside while a compaction swaps it for its copy.
        let pending = || compact::compaction_pending(path);
        if let Some(e) = pending() {
            return Err(e);
        }
        if path.exists() && !path.is_dir() {
            return Err(Error::Open {
                path: path.to_path_buf(),
                detail: "it is a file, not a folder".into(),
            });
        }
        // sled writes `conf` and `db` together; one without the other is someone else's file,
        // which opening would write over.
        let (db, conf) = (path.join("db").is_file(), path.join("conf").is_file());
        if db != conf {
            let (found, missing) = if db { ("db", "conf") } else { ("conf", "db") };
            return Err(Error::Foreign {
                path: path.to_path_buf(),
                found,
                missing,
            });
        }
        drop_unfinished_snapshots(path);
        match retry_locked(LOCK_WAIT, || Store::try_open_at(path, existing)) {
            Err(Error::Locked { path, .. }) => {
                let opener = read_opener(&path);
                Err(Error::Locked { path, opener })
            }
            opened => opened,
        }
    }

    /// Makes one try of `open_at` past its first checks: `Error::Locked` when sled's lock is
    /// held, which `open_at` tries again.
    fn try_open_at(path: &Path, existing: bool) -> Result<Store> {
        let pending = || compact::compaction_pending(path);
        // Checked again on every try: a compaction may set the store aside meanwhile, and
        // sled would make a new, empty one in its place.
        if let Some(e) = pending() {
            return Err(e);
        }
        if existing && !path.join("db").is_file() {
            return Err(Error::NoStore {
                path: path.to_path_buf(),
            });
        }
        match open_sled(path)? {
            // The folder went between the check above and sled's open (a compaction set
            // it aside), and sled made a new database where the store was: it goes again.
            Ok(db) if existing && !db.was_recovered() && pending().is_some() => {
                drop(db);
                for name in ["db", "conf", "blobs"] {
                    let made = path.join(name);
                    let _ = std::fs::remove_file(&made);
                    let _ = std::fs::remove_dir_all(&made);
                }
                drop_unfinished_snapshots(path);
                let _ = std::fs::remove_dir(path);
                Err(pending().unwrap_or(Error::NoStore {
                    path: path.to_path_buf(),
                }))
            }
            // Corruption found while reading the store's first records is damage too.
            Ok(db) => Store::init(db, Some(Arc::from(path)), None).map_err(|e| match e {
                Error::Corrupt {
                    what: DATABASE_FILE,
                    ..
                } => damaged_log(path),
                e => e,
            }),
            Err(e) => Err(open_error(e, path)),
        }
    }

    /// Opens the store in `path` as `open` does, for a command that only works on an existing
    /// one: a folder without a store is refused (`Error::NoStore`), nothing written in it.
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::check_existing(path)?;
        Store::open_at(path, true)
    }

    /// Fails as `open_existing` would before opening anything, for a command that reads files
    /// beside the database (a checkpoint) without opening it: a store set aside by a compaction,
    /// a file where the folder should be, or a folder holding neither of sled's files
    /// (`Error::NoStore`). A folder not there at all passes: opening says so.
    pub fn check_existing(path: &Path) -> Result<()> {
        if let Some(e) = compact::compaction_pending(path) {
            return Err(e);
        }
        if path.exists() && !path.is_dir() {
            return Err(Error::Open {
                path: path.to_path_buf(),
                detail: "it is a file, not a folder".into(),
            });
        }
        if path.is_dir() && !path.join("db").is_file() && !path.join("conf").is_file() {
            return Err(Error::NoStore {
                path: path.to_path_buf(),
            });
        }
        Ok(())
    }

    /// Deletes a temporary store's files now, for a process about to end while other threads
    /// still hold clones of it (which would keep them until another process sweeps them away);
    /// the store must not be used afterwards. Does nothing to a store with a path.
    pub fn discard_temporary(&self) {
        if let Some(scratch) = &self._scratch {
            scratch.discard();
        }
    }

    /// Returns the folder of a temporary store (`temporary`), to name where it is when it
    /// cannot be written; `None` for a store in a folder of the user's.
    pub fn scratch_folder(&self) -> Option<&Path> {
        self._scratch.as_deref().map(|s| s.folder.as_path())
    }

    /// Opens an empty store in `/dev/shm` (or, without it, `/tmp`) that vanishes when dropped.
    ///
    /// What a killed process leaves behind is removed by the next call, in any process (see
    /// `scratch`).
    pub fn temporary() -> Result<Store> {
        Store::temporary_in(None)
    }

    /// Opens an empty temporary store as `temporary` does, in the folder `chosen` when given
    /// (the binary passes `TMPDIR`'s), else in `/dev/shm` or `/tmp`.
    pub fn temporary_in(chosen: Option<&Path>) -> Result<Store> {
        let cannot = |path: PathBuf, e: &dyn fmt::Display| Error::Open {
            path,
            detail: format!(
                "a temporary store cannot be made there: {e} (temporary stores go to the folder \
                 TMPDIR names, else to /dev/shm; set TMPDIR to a folder with room)"
            ),
        };
        let scratch = scratch::lease(chosen).map_err(|(base, e)| cannot(base, &e))?;
        let db = sled::Config::new()
            .temporary(true)
            .path(&scratch.folder)
            .open()
            .map_err(|e| cannot(scratch.folder.clone(), &storage(e)))?;
        Store::init(db, None, Some(Arc::new(scratch)))
    }

    /// Records who holds the store, in words for a person (such as the command, its process
    /// id and its dashboard's address), so that another process that finds the store locked
    /// can say who holds it. The text replaces what the previous opener wrote; a temporary
    /// store keeps nothing.
    pub fn announce(&self, opener: &str) -> Result<()> {
        let Some(dir) = self.path.as_deref() else {
            return Ok(());
        };
        write_aside(dir, OPENED_BY, opener).map_err(|(file, e)| aside_failed(dir, &file, &e))
    }

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
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Stores a trial, replacing any trial with the same id in the experiment.
    pub fn put_trial(&self, experiment: &str, trial: &Trial) -> Result<()> {
        let id = self.experiment_id(experiment)?;
        self.trials
            .insert(keys::trial_key(id, trial.id), records::encode_trial(trial))
            .map_err(storage)?;
        Ok(())
    }

    /// Returns trial `id` of the experiment, if stored.
    pub fn trial(&self, experiment: &str, id: TrialId) -> Result<Option<Trial>> {
        let exp = self.experiment_id(experiment)?;
        let key = keys::trial_key(exp, id);
        match self.trials.get(key).map_err(storage)? {
            Some(bytes) => decode_trial_at(&key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Returns the experiment's trials, ordered by id.
    pub fn trials(&self, experiment: &str) -> Result<Vec<Trial>> {
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
    /// trial.
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

    fn init(
        db: sled::Db,
        path: Option<Arc<Path>>,
        scratch: Option<Arc<scratch::Scratch>>,
    ) -> Result<Store> {
        let tree = |name: &str| db.open_tree(name).map_err(storage);
        let store = Store {
            meta: tree("meta")?,
            experiment_ids: tree("experiment_ids")?,
            experiments: tree("experiments")?,
            run_records: tree("run_records")?,
            test_results: tree("test_results")?,
            warm_starts: tree("warm_starts")?,
            trials: tree("trials")?,
            metrics: tree("metrics")?,
            db,
            path,
            marked: Arc::new(Mutex::new(0)),
            _scratch: scratch,
        };
        // First: a database that lost everything reads as new, and `check_format` would write
        // the format version and a first flush mark over the count that tells.
        store.check_flushed()?;
        store.check_format()?;
        Ok(store)
    }

    /// Checks the stored format version, or writes it into a store that holds nothing yet.
    fn check_format(&self) -> Result<()> {
        let found = self.meta.get(FORMAT_VERSION_KEY).map_err(storage)?;
        match found {
            Some(bytes) => {
                let array: [u8; 4] = bytes.as_ref().try_into().map_err(|_| {
                    Error::corrupt(
                        "format version",
                        format!("expected 4 bytes, found {}", bytes.len()),
                    )
                })?;
                let found = u32::from_be_bytes(array);
                if found != FORMAT_VERSION {
                    return Err(Error::FormatVersion {
                        path: self.display_path(),
                        found,
                        expected: FORMAT_VERSION,
                    });
                }
            }
            None => {
                for name in self.db.tree_names() {
                    if !self.db.open_tree(name).map_err(storage)?.is_empty() {
                        return Err(Error::NotAStore {
                            path: self.display_path(),
                        });
                    }
                }
                self.meta
                    .insert(FORMAT_VERSION_KEY, &FORMAT_VERSION.to_be_bytes())
                    .map_err(storage)?;
                // Still opening: a mark that cannot be written is the folder's trouble at open.
                self.flush().map_err(|e| match e {
                    Error::Flush { path, file, error } => aside_failed(&path, &file, &error),
                    other => other,
                })?;
            }
        }
        Ok(())
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
fn decode_trial_at(key: &[u8], bytes: &[u8]) -> Result<Trial> {
    let (_, id) = keys::decode_trial_key(key)?;
    let trial = records::decode_trial(bytes)?;
    if trial.id != id {
        return Err(Error::corrupt(
            "trial record",
            format!("record of trial {} is stored under trial {}", trial.id, id),
        ));
    }
    Ok(trial)
}

/// Runs `attempt` until it gives something other than `Error::Locked`, trying again every
/// `LOCK_POLL` while less than `wait` has passed since the first try; returns the last result.
fn retry_locked<T>(wait: Duration, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    loop {
        match attempt() {
            Err(Error::Locked { .. }) if started.elapsed() < wait => std::thread::sleep(LOCK_POLL),
            done => return done,
        }
    }
}

/// Waits until no handle holds sled's lock on the store in `dir`, as tests do after dropping
/// the last one before they open the store again or change its files: sled lets go on its own
/// background threads (see `LOCK_WAIT`), which on a loaded machine can take longer than `open`
/// waits. Probes the lock sled takes (an exclusive `flock` on `db`), writing nothing; gives up
/// after ten minutes of tries, leaving the conflict to whatever comes next.
#[cfg(test)]
pub(crate) fn wait_released(dir: &Path) {
    let Ok(db) = std::fs::File::open(dir.join("db")) else {
        return;
    };
    for _ in 0..60_000 {
        match db.try_lock() {
            Err(std::fs::TryLockError::WouldBlock) => std::thread::sleep(LOCK_POLL),
            // Taken (and let go as `db` closes), or not a lock this file system keeps.
            _ => return,
        }
    }
}

thread_local! {
    /// Whether this thread is opening a sled database (`open_sled`).
    static OPENING: Cell<bool> = const { Cell::new(false) };
}

/// Opens the sled database in `path`. sled 0.34 panics, rather than failing, on a database
/// file cut short behind its snapshot (an index out of bounds in its segment recovery); that is
/// `Error::Damaged` here, the panic's message kept off the terminal.
fn open_sled(path: &Path) -> Result<sled::Result<sled::Db>> {
    // The hook is the process's, and others (the runner's) wrap it too: it is wrapped once and
    // never put back, and it silences only the thread that opens, passing every other
    // thread's panics to the hook that was there before. Swapping hooks for the open's
    // duration would lose them, and a hook that another thread installs meanwhile.
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !OPENING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = OPENING.with(|o| o.replace(true));
    let opened = std::panic::catch_unwind(|| sled::Config::new().path(path).open());
    OPENING.with(|o| o.set(was));
    opened.map_err(|_| damaged_log(path))
}

/// Returns whether sled 0.34 reads the settings file `conf`: at most 8 bytes (taken as none
/// and written again), or UTF-8 lines `key: value` and a 4-byte checksum, with a
/// `segment_size`, a `use_compression` and a `version` `major.minor` that parse.
fn settings_readable(conf: &Path) -> bool {
    let Ok(bytes) = std::fs::read(conf) else {
        return true;
    };
    if bytes.len() <= 8 {
        return true;
    }
    let Ok(text) = std::str::from_utf8(&bytes[..bytes.len() - 4]) else {
        return false;
    };
    let mut settings = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.split(": ");
        match (parts.next(), parts.next()) {
            (Some(key), Some(value)) => settings.insert(key, value),
            _ => return false,
        };
    }
    let version = settings.get("version").and_then(|v| {
        let mut parts = v.split('.');
        let major = parts.next()?.parse::<usize>().ok();
        let minor = parts.next()?.parse::<usize>().ok();
        major.zip(minor)
    });
    settings
        .get("segment_size")
        .is_some_and(|v| v.parse::<usize>().is_ok())
        && settings
            .get("use_compression")
            .is_some_and(|v| v.parse::<bool>().is_ok())
        && version.is_some()
}

/// Deletes the snapshots sled began and never finished (`snap.*.generating`, renamed to
/// `snap.*` once written): one left by a full disk or a kill is empty or cut short, and sled
/// 0.34 reads it as the latest snapshot and calls the store damaged. What cannot be deleted (a
/// read-only medium) is left for sled to refuse.
fn drop_unfinished_snapshots(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The error for a store whose log `db` sled cannot read, saying whether it has a snapshot.
fn damaged_log(path: &Path) -> Error {
    let snapshot = std::fs::read_dir(path).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("snap."))
    });
    Error::Damaged {
        path: path.to_path_buf(),
        part: DamagedPart::Log { snapshot },
    }
}

/// Maps sled's lock conflict, which it reports only as a message, to `Error::Locked`, and
/// the corruption it finds on opening to `Error::Damaged`. Any other I/O error of an open
/// names the store's path.
fn open_error(e: sled::Error, path: &Path) -> Error {
    match e {
        sled::Error::Io(io_error)
            if io_error.kind() == io::ErrorKind::Other
                && io_error.to_string().contains("could not acquire lock") =>
        {
            Error::Locked {
                path: path.to_path_buf(),
                opener: None,
            }
        }
        sled::Error::Io(io_error) => {
            // sled opens its files for writing, even for a command that only reads.
            let advice = match io_error.kind() {
                io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied => {
                    "; the store's folder must be writable, also to read it (the database opens \
                     its files for writing): choose a folder you can write, or, to read a store \
                     on a read-only medium, copy it somewhere writable"
                }
                io::ErrorKind::StorageFull => {
                    "; the database needs some room to open, even to read: free space on that \
                     disk, or copy the folder to another"
                }
                _ => "",
            };
            Error::Open {
                path: path.to_path_buf(),
                detail: format!("{io_error}{advice}"),
            }
        }
        // At open, sled's corruption is its settings file's when that does not read (sled
        // also calls a settings file that is not UTF-8 one from before its 0.29), else its
        // log's, damaged behind its snapshot.
        sled::Error::Corruption { .. } | sled::Error::Unsupported(_)
            if !settings_readable(&path.join("conf")) =>
        {
            Error::Damaged {
                path: path.to_path_buf(),
                part: DamagedPart::Settings,
            }
        }
        sled::Error::Corruption { .. } => damaged_log(path),
        other => storage(other),
    }
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

/// Returns what the holder of the store in `dir` announced, if it did: one line of at most
/// `OPENED_BY_MAX` bytes.
fn read_opener(dir: &Path) -> Option<String> {
    let bytes = std::fs::read(dir.join(OPENED_BY)).ok()?;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(OPENED_BY_MAX)]);
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

#[cfg(test)]
mod model_tests;
#[cfg(test)]
pub(crate) mod tests;
