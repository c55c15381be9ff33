//! Metric points: keyed by (experiment, trial, metric, step) so that a prefix scan reads one
//! trial's one metric in step order (see `keys`). The points of one step are one `sled::Batch`,
//! so a step is stored entirely or not at all.

use std::collections::BTreeMap;

use experiment::{Effort, ExperimentSpec, MetricPoint, Step, Trial, TrialId};

use super::Store;
use crate::error::storage;
use crate::keys::{self, ExperimentId};
use crate::Result;

impl Store {
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

    /// Returns every metric a trial recorded at `step`, by name; empty where none was. It reads
    /// each metric from its end: one key per metric whose last step is `step` (a running
    /// trial's latest epoch), a second only for a metric that went on past it, so the cost is
    /// that of the trial's metrics, not of its history (`all_metric_series`).
    pub fn metrics_at(
        &self,
        experiment: &str,
        trial: TrialId,
        step: Step,
    ) -> Result<BTreeMap<String, f64>> {
        let exp = self.experiment_id(experiment)?;
        let trial_prefix = keys::trial_key(exp, trial);
        let mut at = BTreeMap::new();
        // Every key below `before` is of a metric not yet visited; none when every key
        // starting with the trial's prefix is.
        let mut before = keys::successor(&trial_prefix);
        loop {
            let last = match &before {
                Some(end) => self
                    .metrics
                    .range(trial_prefix.as_slice()..end.as_slice())
                    .next_back(),
                None => self.metrics.range(trial_prefix.as_slice()..).next_back(),
            };
            let Some(entry) = last else { break };
            let (key, value) = entry.map_err(storage)?;
            let key = keys::decode_metric_key(&key)?;
            if key.step == step {
                at.insert(key.name.clone(), keys::decode_value(&value)?);
            } else if key.step > step {
                let point = keys::metric_key(exp, trial, &key.name, step)?;
                if let Some(value) = self.metrics.get(point).map_err(storage)? {
                    at.insert(key.name.clone(), keys::decode_value(&value)?);
                }
            }
            // No other metric's key starts with this one's prefix (names are length-prefixed),
            // so the keys below the prefix are exactly those of the metrics before it.
            before = Some(keys::metric_prefix(exp, trial, &key.name)?);
        }
        Ok(at)
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
}
