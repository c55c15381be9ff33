//! Trials: their records (with their traces, `TrialTrace`) keyed by (experiment, trial), and a
//! running trial's report, its metrics and its last-heard time written in one transaction.

use experiment::{MetricPoint, Step, Timestamp, Trial, TrialId, TrialState};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use super::Store;
use crate::error::storage;
use crate::keys;
use crate::records;
use crate::trace::{Heard, TrialTrace};
use crate::{Error, Result};

impl Store {
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
