//! Trials as `sweep trials --format json` writes them: one object each, with where its
//! parameters came from, whether it meets the constraints and whether it is on the Pareto
//! front.

use std::io::{self, Write};

use experiment::{Judged, Trial};
use serde::Serialize;

/// One trial as written by `--format csv|json`.
#[derive(Debug, Serialize)]
struct TrialRow<'a> {
    trial: u32,
    state: &'a str,
    reason: Option<&'a str>,
    seed: u64,
    best_epoch: Option<u32>,
    /// The epochs it trained (its last reported epoch), once it reported one.
    epochs_trained: Option<u32>,
    /// Where its parameters came from: `enqueue[0]`, `enqueue[1], in part`, or the method.
    source: Option<String>,
    /// Whether its result meets the spec's constraints; absent without constraints or result.
    #[serde(skip_serializing_if = "Option::is_none")]
    feasible: Option<bool>,
    /// Whether it is on the Pareto front; absent with one objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pareto: Option<bool>,
    params: serde_json::Map<String, serde_json::Value>,
    metrics: serde_json::Map<String, serde_json::Value>,
}

fn trial_row<'t>(t: &'t Trial, judged: &Judged<'_>) -> TrialRow<'t> {
    let spec = judged.spec();
    let params = t
        .params
        .iter()
        .map(|(k, v)| {
            let value = match v {
                experiment::ParamValue::Int(i) => serde_json::Value::from(*i),
                experiment::ParamValue::Float(f) => serde_json::Value::from(*f),
                experiment::ParamValue::Str(s) => serde_json::Value::from(s.clone()),
                experiment::ParamValue::Bool(b) => serde_json::Value::from(*b),
            };
            (k.clone(), value)
        })
        .collect();
    let metrics = t
        .result
        .iter()
        .flat_map(|r| r.metrics.iter())
        .map(|(k, v)| (k.clone(), serde_json::Value::from(*v)))
        .collect();
    TrialRow {
        trial: t.id.0,
        state: t.state.as_str_when_idle(),
        reason: t.reason.as_deref(),
        seed: t.seed.0,
        best_epoch: t.result.as_ref().map(|r| r.best_step.0),
        epochs_trained: judged.epochs_of(t),
        source: spec.map(|s| s.origin_label(t.id)),
        feasible: spec.and_then(|s| experiment::feasibility(&s.constraints, t)),
        pareto: judged.on_front(t),
        params,
        metrics,
    }
}

/// Writes the trials as a JSON array; `judged` says where each trial's parameters came from,
/// whether it meets the constraints and whether it is on the Pareto front.
pub(crate) fn trials_json(
    out: &mut impl Write,
    trials: &[Trial],
    judged: &Judged<'_>,
) -> io::Result<()> {
    let rows: Vec<TrialRow<'_>> = trials.iter().map(|t| trial_row(t, judged)).collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}
