//! Reading the store: the only module that calls `Store`, and only its read methods.
//!
//! Each page reads what it shows once per request: an experiment's record and all its trial
//! records, then curves only for the few trials a chart draws. Nothing here writes.

use std::collections::BTreeMap;
use std::path::Path;

use experiment::{ExperimentSpec, Step, Trial, TrialId};
use store::{ExperimentInfo, Store};

use crate::{Error, Result};

/// An experiment with its parsed spec and every trial.
#[derive(Debug, Clone)]
pub(crate) struct ExperimentData {
    /// The stored record.
    pub(crate) info: ExperimentInfo,
    /// The spec parsed from the stored YAML, when it still parses.
    pub(crate) spec: Option<ExperimentSpec>,
    /// Every trial, by id.
    pub(crate) trials: Vec<Trial>,
}

/// One metric of one trial, in step order.
pub(crate) type Series = Vec<(Step, f64)>;

/// Returns every experiment with its trials, in creation order.
pub(crate) fn experiments(store: &Store) -> Result<Vec<(ExperimentInfo, Vec<Trial>)>> {
    store
        .experiments()?
        .into_iter()
        .map(|info| {
            let trials = store.trials(&info.name)?;
            Ok((info, trials))
        })
        .collect()
}

/// Returns the experiment called `name` with its trials, or `Error::NotFound`.
pub(crate) fn experiment(store: &Store, name: &str) -> Result<ExperimentData> {
    let info = info(store, name)?;
    let trials = store.trials(name)?;
    let spec = parse_spec(&info);
    Ok(ExperimentData { info, spec, trials })
}

/// Returns the experiment record called `name`, or `Error::NotFound`.
pub(crate) fn info(store: &Store, name: &str) -> Result<ExperimentInfo> {
    store
        .experiment(name)?
        .ok_or_else(|| Error::NotFound(format!("no experiment named {name:?}")))
}

/// Returns trial `id` of the experiment, or `Error::NotFound`.
pub(crate) fn trial(store: &Store, experiment: &str, id: u32) -> Result<Trial> {
    store
        .trial(experiment, TrialId(id))?
        .ok_or_else(|| Error::NotFound(format!("experiment {experiment:?} has no trial {id}")))
}

/// Returns one metric's series for each of `ids` (empty for a trial without it).
pub(crate) fn metric_of(store: &Store, experiment: &str, ids: &[TrialId], metric: &str) -> Result<BTreeMap<TrialId, Series>> {
    ids.iter()
        .map(|&id| Ok((id, store.metric_series(experiment, id, metric)?)))
        .collect()
}

/// Returns every metric series of a trial, by metric name.
pub(crate) fn all_metrics(store: &Store, experiment: &str, id: TrialId) -> Result<BTreeMap<String, Series>> {
    Ok(store.all_metric_series(experiment, id)?)
}

/// Returns the spec parsed from the stored YAML, or `None` (logged) when it no longer parses.
pub(crate) fn parse_spec(info: &ExperimentInfo) -> Option<ExperimentSpec> {
    match ExperimentSpec::from_yaml_str(&info.spec_yaml, Path::new(&info.spec_path)) {
        Ok(spec) => Some(spec),
        Err(e) => {
            tracing::debug!(experiment = %info.name, error = %e, "stored spec does not parse; axes are inferred");
            None
        }
    }
}
