//! Trials as `sweep trials --format json`, `sweep export --format json` and `sweep show
//! EXPERIMENT --format json` write them: one object each, with its rank and objective values
//! (the leaderboard's, as the table and the dashboard rank), where its parameters came from,
//! whether it meets the constraints, whether it is on the Pareto front, and when it started
//! and finished (the wall time that `experiment::trials_csv`'s last columns carry).
//!
//! Every row has every key: a value a trial lacks is `null`, never left out, and so is a
//! value JSON cannot hold (NaN, infinity), as the dashboard's API and the curves' JSON write
//! them. `metrics` holds every name of the CSV's `metric.` columns (`Judged`: any trial's, and
//! the spec's), `null` where this trial has no value; a count (`param_count`) is an integer
//! there and among an objective's `value`/`values`, as the CSV writes it, every other metric a
//! float. `params` holds the trial's own
//! parameters, as the API's rows do: a conditional parameter that does not apply to it is not
//! there, where the CSV, which must have a cell, leaves it empty. The keys are the CSV's columns' names;
//! where the dashboard's API names the same value otherwise, its name is there too (`id`,
//! `best_step`), so that a script reads the rows of both alike. The API's `started_ms` and
//! `finished_ms` are not: they are wall time, which `started` and `finished` already write,
//! and which a comparison of two runs' rows leaves out by those names alone.

use std::collections::BTreeMap;
use std::io::{self, Write};

use experiment::{Judged, MetricSpec, ParamValue, Timestamp, Trial, TrialId};
use serde::Serialize;

/// How an experiment's trials rank: the leaderboard's ranks, judged over all of them, and the
/// objectives whose values each row carries.
#[derive(Debug, Clone)]
struct Ranking<'a> {
    /// The objectives, the first first, as the spec lists them.
    objectives: &'a [MetricSpec],
    /// Each trial's rank (from 1), for those with a value of every objective.
    ranks: BTreeMap<TrialId, usize>,
}

impl<'a> Ranking<'a> {
    /// Ranks `all` the experiment's trials by the `objectives` and `judged`'s constraints, as
    /// `sweep show`'s leaderboard, `sweep trials`' table and the dashboard do.
    fn of(all: &[Trial], objectives: &'a [MetricSpec], judged: &Judged<'_>) -> Ranking<'a> {
        let constraints = judged.spec().map_or(&[][..], |s| s.constraints.as_slice());
        let ranked = experiment::rank_trials(all, objectives, constraints);
        Ranking::ranked(&ranked, objectives)
    }

    /// The ranking of trials already `ranked` (`experiment::rank_trials` over all the
    /// experiment's, by the `objectives` and the spec's constraints), ranked no second time.
    fn ranked(ranked: &[&Trial], objectives: &'a [MetricSpec]) -> Ranking<'a> {
        Ranking {
            objectives,
            ranks: super::leaderboard::ranks_of(ranked, objectives),
        }
    }
}

/// One trial as written by `--format json`.
#[derive(Debug, Serialize)]
pub(super) struct TrialRow<'a> {
    trial: u32,
    /// `trial`, as the dashboard's API names it.
    id: u32,
    /// Its place on the leaderboard (from 1); `null` without a value of every objective.
    rank: Option<usize>,
    state: &'a str,
    reason: Option<&'a str>,
    seed: u64,
    /// The first objective's value at its best epoch, as the API's `value` (`metric_json`).
    value: serde_json::Value,
    /// Every objective's value at its best epoch, in the spec's order (one with one).
    values: Vec<serde_json::Value>,
    best_epoch: Option<u32>,
    /// `best_epoch`, as the dashboard's API names it.
    best_step: Option<u32>,
    /// The epochs it trained (its last reported epoch), once it reported one.
    epochs_trained: Option<u32>,
    /// Where its parameters came from: `enqueue[0]`, `enqueue[1], in part`, or the method;
    /// `null` without a stored spec that reads.
    source: Option<String>,
    /// Whether its result meets the spec's constraints; `null` without constraints or result.
    feasible: Option<bool>,
    /// Whether it is on the Pareto front; `null` with one objective.
    pareto: Option<bool>,
    params: BTreeMap<&'a str, serde_json::Value>,
    /// Each metric's value at its best epoch, as `metric_json` writes it.
    metrics: BTreeMap<&'a str, serde_json::Value>,
    /// When it started, as RFC 3339 in UTC to the millisecond; `null` when it did not.
    started: Option<String>,
    /// When it finished, as `started` is written; `null` when it did not.
    finished: Option<String>,
    /// The seconds from its start to its finish, to the millisecond; `null` without both.
    /// Wall time, like `started` and `finished`: it differs between two runs of the trial.
    duration_seconds: Option<f64>,
}

/// Returns the rows of `trials`, in their order; `judged` and `ranking` are over all the
/// experiment's trials.
fn trial_rows<'t>(
    trials: impl IntoIterator<Item = &'t Trial>,
    judged: &'t Judged<'_>,
    ranking: &Ranking<'_>,
) -> Vec<TrialRow<'t>> {
    trials
        .into_iter()
        .map(|t| trial_row(t, judged, ranking))
        .collect()
}

fn trial_row<'t>(t: &'t Trial, judged: &'t Judged<'_>, ranking: &Ranking<'_>) -> TrialRow<'t> {
    let spec = judged.spec();
    let params = (t.params.iter())
        .map(|(k, v)| (k.as_str(), param_json(v)))
        .collect();
    let metrics = judged
        .metric_columns()
        .iter()
        .map(|k| (k.as_str(), metric_json(k, t.value(k))))
        .collect();
    let values: Vec<serde_json::Value> = (ranking.objectives.iter())
        .map(|o| metric_json(&o.name, t.value(&o.name)))
        .collect();
    let best_epoch = t.result.as_ref().map(|r| r.best_step.0);
    TrialRow {
        trial: t.id.0,
        id: t.id.0,
        rank: ranking.ranks.get(&t.id).copied(),
        state: judged.state_of(t),
        reason: t.reason.as_deref(),
        seed: t.seed.0,
        value: values.first().cloned().unwrap_or_default(),
        values,
        best_epoch,
        best_step: best_epoch,
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

/// Returns a parameter's value as JSON, as its type: a float JSON cannot hold is `null`.
fn param_json(v: &ParamValue) -> serde_json::Value {
    match v {
        ParamValue::Int(i) => serde_json::Value::from(*i),
        ParamValue::Float(f) => serde_json::Value::from(*f),
        ParamValue::Str(s) => serde_json::Value::from(s.clone()),
        ParamValue::Bool(b) => serde_json::Value::from(*b),
    }
}

/// Returns metric `name`'s value `v` as JSON: a count (`experiment::CONSTANT_METRICS`,
/// `param_count`) that is whole as an integer (`85002`, as the CSV writes it), any other value
/// as a float (`0.5`, and `3.0` for a metric that is no count); `null` where there is none, or
/// JSON cannot hold it (NaN, infinity).
pub(crate) fn metric_json(name: &str, v: Option<f64>) -> serde_json::Value {
    let Some(v) = finite(v) else {
        return serde_json::Value::Null;
    };
    experiment::whole_count(name, v).map_or_else(|| v.into(), Into::into)
}

/// Returns `v` where JSON can hold it: NaN and infinities are `None` (`null`).
pub(crate) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Writes `trials` as a JSON array of `TrialRow`s; `judged` says where each trial's parameters
/// came from, whether it meets the constraints and whether it is on the Pareto front, and
/// the trials rank among `all` the experiment's by its `objectives`.
pub(crate) fn trials_json(
    out: &mut impl Write,
    trials: &[Trial],
    judged: &Judged<'_>,
    (all, objectives): (&[Trial], &[MetricSpec]),
) -> io::Result<()> {
    let ranking = Ranking::of(all, objectives, judged);
    serde_json::to_writer_pretty(&mut *out, &trial_rows(trials, judged, &ranking))?;
    writeln!(out)
}

/// Returns the rows `trials_json` writes of the first `top` of the trials `ranked` (all the
/// experiment's, as `experiment::rank_trials` ranks them by the `objectives` and `judged`'s
/// constraints), best first, for a writer that puts them in an object of its own (`sweep show
/// EXPERIMENT --format json`'s leaderboard): their ranks are read from `ranked`, which is not
/// ranked again.
pub(super) fn leaderboard_rows<'t>(
    ranked: &[&'t Trial],
    top: usize,
    judged: &'t Judged<'_>,
    objectives: &[MetricSpec],
) -> Vec<TrialRow<'t>> {
    let ranking = Ranking::ranked(ranked, objectives);
    trial_rows(ranked.iter().take(top).copied(), judged, &ranking)
}

impl TrialRow<'_> {
    /// Returns the row with its trial's state as shown where a live sweep runs its experiment
    /// (`output::runs_now`): a trial `running` is so, not `interrupted`.
    pub(super) fn shown_live(self, t: &Trial) -> Self {
        TrialRow {
            state: t.state.shown(true),
            ..self
        }
    }
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
        let judged = Judged::of(None, &trials, &effort);
        trials_json(&mut json, &trials, &judged, (&trials, &[])).unwrap();
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

    /// Returns a trial in `state` with `metrics` at its best epoch (none: no result).
    fn with(id: u32, state: TrialState, metrics: &[(&str, f64)]) -> Trial {
        Trial {
            state,
            result: (!metrics.is_empty()).then(|| experiment::TrialResult {
                best_step: experiment::Step(2),
                metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            }),
            ..trial(id, None, None)
        }
    }

    #[test]
    fn issue_each_row_has_its_rank_and_value_and_every_key_null_where_missing() {
        let mut tagged = with(
            0,
            TrialState::Completed,
            &[("val_loss", 0.5), ("train_loss", f64::NAN)],
        );
        tagged
            .params
            .insert("lr".into(), experiment::ParamValue::Float(0.1));
        let trials = [
            tagged,
            with(1, TrialState::Completed, &[("val_loss", 0.2)]),
            // Pruned trials rank after completed ones, whatever their value.
            with(2, TrialState::Pruned, &[("val_loss", 0.1)]),
            with(3, TrialState::Failed, &[]),
        ];
        let objectives = [MetricSpec {
            name: "val_loss".into(),
            goal: experiment::Direction::Minimize,
        }];
        let effort = Effort::default();
        let judged = Judged::of(None, &trials, &effort);
        let mut json = Vec::new();
        // Trial 1 is written alone but ranked among all.
        trials_json(&mut json, &trials, &judged, (&trials, &objectives)).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let seen: Vec<String> = (0..4)
            .map(|i| {
                let t = &back[i];
                format!(
                    "{} {} {} {} {} {} {}",
                    t["id"],
                    t["rank"],
                    t["value"],
                    t["values"],
                    t["best_step"],
                    t["params"],
                    t["metrics"]
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                r#"0 2 0.5 [0.5] 2 {"lr":0.1} {"train_loss":null,"val_loss":0.5}"#,
                r#"1 1 0.2 [0.2] 2 {} {"train_loss":null,"val_loss":0.2}"#,
                r#"2 3 0.1 [0.1] 2 {} {"train_loss":null,"val_loss":0.1}"#,
                r#"3 null null [null] null {} {"train_loss":null,"val_loss":null}"#,
            ]
        );
        // Every row has every key, `null` where there is nothing to say.
        let keys = |i: usize| {
            back[i]
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        };
        assert_eq!(keys(3), keys(0));
        for key in ["feasible", "pareto", "source", "epochs_trained", "started"] {
            let value = back[3].get(key);
            assert!(
                value.is_some_and(serde_json::Value::is_null),
                "{key}: {}",
                back[3]
            );
        }
        let one: Vec<String> = trials_json_of(&trials[1..2], &judged, (&trials, &objectives));
        assert_eq!(one, ["1 1"]);
    }

    /// Issue: `param_count`, a count, was exported as a float (`85002.0`) in `sweep trials
    /// --format json` and `sweep export --format json`; it is an integer, in `metrics` and as
    /// an objective's value, and every other metric a float as before (a whole `val_loss` is
    /// `3.0`).
    #[test]
    fn issue_a_count_is_an_integer_and_other_metrics_floats() {
        let trials = [with(
            0,
            TrialState::Completed,
            &[("param_count", 85002.0), ("val_loss", 3.0)],
        )];
        let objectives = [
            MetricSpec {
                name: "val_loss".into(),
                goal: experiment::Direction::Minimize,
            },
            MetricSpec {
                name: "param_count".into(),
                goal: experiment::Direction::Minimize,
            },
        ];
        let effort = Effort::default();
        let judged = Judged::of(None, &trials, &effort);
        let mut json = Vec::new();
        trials_json(&mut json, &trials, &judged, (&trials, &objectives)).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            format!(
                "{} {} {}",
                back[0]["value"], back[0]["values"], back[0]["metrics"]
            ),
            r#"3.0 [3.0,85002] {"param_count":85002,"val_loss":3.0}"#
        );
        // One that is no whole number, or none, is written as any other value.
        assert_eq!(
            metric_json("param_count", Some(0.5)),
            serde_json::json!(0.5)
        );
        assert!(metric_json("param_count", Some(f64::NAN)).is_null());
    }

    /// Returns each row's `trial` and `rank` as `trials_json` writes `kept` of `all`.
    fn trials_json_of(
        kept: &[Trial],
        judged: &Judged<'_>,
        all: (&[Trial], &[MetricSpec]),
    ) -> Vec<String> {
        let mut json = Vec::new();
        trials_json(&mut json, kept, judged, all).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let rows = back.as_array().cloned().unwrap_or_default();
        rows.iter()
            .map(|t| format!("{} {}", t["trial"], t["rank"]))
            .collect()
    }
}
