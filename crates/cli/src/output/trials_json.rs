//! Trials as `sweep trials --format json` writes them: one object each, with where its
//! parameters came from, whether it meets the constraints, whether it is on the Pareto front,
//! and when it started and finished (the wall time that `experiment::trials_csv`'s last
//! columns carry).

use std::io::{self, Write};

use experiment::{Judged, Timestamp, Trial};
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
    /// When it started, as RFC 3339 in UTC to the millisecond; `null` when it did not.
    started: Option<String>,
    /// When it finished, as `started` is written; `null` when it did not.
    finished: Option<String>,
    /// The seconds from its start to its finish, to the millisecond; `null` without both.
    /// Wall time, like `started` and `finished`: it differs between two runs of the trial.
    duration_seconds: Option<f64>,
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
        started: t.started.map(Timestamp::iso_utc),
        finished: t.finished.map(Timestamp::iso_utc),
        // Exact below 2^53 ms (285,000 years), and the nearest to the decimal the CSV writes.
        #[allow(clippy::cast_precision_loss)]
        duration_seconds: t.duration_ms().map(|ms| ms as f64 / 1000.0),
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

#[cfg(test)]
mod tests {
    use experiment::{Effort, Params, Seed, TrialId, TrialState};

    use super::*;

    fn trial(id: u32, started: Option<i64>, finished: Option<i64>) -> Trial {
        Trial {
            id: TrialId(id),
            seed: Seed(0),
            params: Params::new(),
            state: TrialState::Completed,
            reason: None,
            started: started.map(Timestamp),
            finished: finished.map(Timestamp),
            result: None,
        }
    }

    #[test]
    fn issue_each_trial_says_when_it_started_and_finished_and_how_long_it_took() {
        let trials = [
            trial(0, Some(1_795_865_400_000), Some(1_795_865_412_345)),
            trial(1, Some(1_795_865_400_000), None),
            trial(2, None, None),
        ];
        let effort = Effort::default();
        let mut json = Vec::new();
        trials_json(&mut json, &trials, &Judged::of(None, &trials, &effort)).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let times: Vec<String> = (0..3)
            .map(|i| {
                let t = &back[i];
                format!(
                    "{} {} {}",
                    t["started"], t["finished"], t["duration_seconds"]
                )
            })
            .collect();
        assert_eq!(
            times,
            [
                "\"2026-11-28T11:30:00.000Z\" \"2026-11-28T11:30:12.345Z\" 12.345",
                "\"2026-11-28T11:30:00.000Z\" null null",
                "null null null",
            ]
        );
    }
}
