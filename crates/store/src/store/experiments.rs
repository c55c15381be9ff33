//! Experiments, and the records kept one per experiment beside them: how it was run
//! (`RunRecord`), its test result, and the trials a warm start took from another experiment.
//!
//! An experiment's name maps to a compact `ExperimentId` assigned from a counter in the meta
//! tree, in the same transaction that checks the name is free; the records beside it are keyed
//! by that id, each kind in a tree of its own, so that stores from before a kind existed open
//! unchanged.

use experiment::WarmStarted;
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use super::{Store, NEXT_EXPERIMENT_ID_KEY};
use crate::error::storage;
use crate::keys::ExperimentId;
use crate::records;
use crate::{Creation, Error, ExperimentInfo, Result, RunRecord, TestResult};

impl Store {
    /// Creates an experiment; fails with `Error::ExperimentExists` if the name is taken.
    pub fn create_experiment(&self, e: &ExperimentInfo) -> Result<()> {
        self.create_experiment_with(e, Creation::default())
    }

    /// Creates an experiment with what `with` gives beside it, all in one transaction, so that
    /// no crash leaves the experiment without them; fails with `Error::ExperimentExists`,
    /// writing nothing, if the name is taken.
    pub fn create_experiment_with(&self, e: &ExperimentInfo, with: Creation<'_>) -> Result<()> {
        let record = records::encode_experiment(e);
        let warm = with.warm_start.map(|w| records::encode_warm_start(w, None));
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
        let bytes = records::encode_warm_start(warm, None);
        self.put_one(&self.warm_starts, experiment, bytes)
    }

    /// Stores the trials the experiment took from a file of results when it was created
    /// (`warm_start: {csv: ..}`) with the SHA-256 of the file's bytes, so that a resume knows
    /// the same file without reading it again (`warm_file_sha256`). Written after
    /// `create_experiment_with`: a crash between leaves the warm start without it, as one
    /// stored before it was kept, whose resume compares the trials the file gives.
    pub fn put_warm_start_from_file(
        &self,
        experiment: &str,
        warm: &WarmStarted,
        file_sha256: &str,
    ) -> Result<()> {
        let bytes = records::encode_warm_start(warm, Some(file_sha256));
        self.put_one(&self.warm_starts, experiment, bytes)
    }

    /// Returns the trials the experiment took from another; `None` for one that took none.
    pub fn warm_start(&self, experiment: &str) -> Result<Option<WarmStarted>> {
        self.one(&self.warm_starts, experiment, records::decode_warm_start)
    }

    /// Returns the SHA-256 of the bytes of the file of results the experiment's warm start was
    /// read from (`put_warm_start_from_file`); `None` for one taken from another experiment,
    /// one stored before it was kept, or none.
    pub fn warm_file_sha256(&self, experiment: &str) -> Result<Option<String>> {
        Ok(self
            .one(
                &self.warm_starts,
                experiment,
                records::decode_warm_file_sha256,
            )?
            .flatten())
    }

    /// Returns whether the experiment took trials from another, without decoding them.
    pub fn has_warm_start(&self, experiment: &str) -> Result<bool> {
        Ok(self
            .one(&self.warm_starts, experiment, |_| Ok(()))?
            .is_some())
    }

    /// Stores `bytes` as the experiment's one record in `tree`, replacing any earlier one.
    pub(super) fn put_one(
        &self,
        tree: &sled::Tree,
        experiment: &str,
        bytes: Vec<u8>,
    ) -> Result<()> {
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
}
