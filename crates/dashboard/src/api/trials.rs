//! The API's trials: a leaderboard page of them, and one trial.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use experiment::{Trial, TrialId};
use serde::Serialize;
use store::ExperimentInfo;

use super::experiments::SpecUnreadableDto;
use super::{finite, json, param_json};
use crate::data::{shows_latest, ExperimentData, Latest};
use crate::pages::{blocking, selected};
use crate::trial_number::TrialNumber;
use crate::view::leaderboard::{self, LeaderboardQuery};
use crate::{AppState, Result};

/// One trial's answer: the trials list's fields, and what its experiment's unreadable spec
/// leaves out, as the experiment's answer says it.
#[derive(Debug, Serialize)]
pub(super) struct TrialAnswerDto {
    /// The fields of the trials list.
    #[serde(flatten)]
    trial: TrialDto,
    /// That the experiment's stored spec does not read with this version, why, and what the
    /// answer then leaves out (its rank ignores the constraints, ...); absent when it reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_unreadable: Option<SpecUnreadableDto>,
    /// What its record keeps of attempts cut off and of its last report while running
    /// (`store::TrialTrace`); absent for a trial never interrupted.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<TraceDto>,
}

/// A trial's trace: its running attempt's last report, and the attempts cut off before it.
#[derive(Debug, Serialize)]
pub(super) struct TraceDto {
    /// When the running attempt last stored an epoch (ms since the epoch); absent when it did
    /// not, or the trial is not running. For a trial a kill left running, its known end.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_heard_ms: Option<i64>,
    /// The epoch it stored then.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_heard_epoch: Option<u32>,
    /// The attempts cut off, oldest first.
    cut: Vec<CutDto>,
}

/// An attempt cut off before it ended.
#[derive(Debug, Serialize)]
pub(super) struct CutDto {
    started_ms: i64,
    /// When it was stopped, or, killed, last heard from; absent when that is not known (a kill
    /// before its first report, or under a build that kept no last-heard time:
    /// `store::CutBy::KillUnheard`).
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_ms: Option<i64>,
    /// The last epoch it reported.
    epochs: u32,
    /// `stopped` or `killed`.
    by: &'static str,
}

impl TraceDto {
    /// Returns what the API says of `trace`; `None` for an empty one.
    fn of(trace: &store::TrialTrace) -> Option<TraceDto> {
        (!trace.is_empty()).then(|| TraceDto {
            last_heard_ms: trace.heard.map(|h| h.at.0),
            last_heard_epoch: trace.heard.map(|h| h.step.0),
            cut: trace
                .cut
                .iter()
                .map(|c| CutDto {
                    started_ms: c.started.0,
                    ended_ms: c.by.time_known().then_some(c.ended.0),
                    epochs: c.epochs,
                    by: c.by.as_str(),
                })
                .collect(),
        })
    }
}

#[derive(Debug, Serialize)]
pub(super) struct TrialDto {
    id: u32,
    rank: Option<usize>,
    state: &'static str,
    reason: Option<String>,
    seed: u64,
    started_ms: Option<i64>,
    finished_ms: Option<i64>,
    params: BTreeMap<String, serde_json::Value>,
    value: Option<f64>,
    best_step: Option<u32>,
    /// The epochs it trained (its last reported epoch); absent before any.
    #[serde(skip_serializing_if = "Option::is_none")]
    epochs_trained: Option<u32>,
    /// While it runs (no result yet), the epoch its `metrics` are at: its latest reported,
    /// `epochs_trained`, not its best (`best_step` is then `null`, and so are `rank` and
    /// `value`, as the leaderboard ranks); absent once it has a result, and before it reported
    /// an epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    latest_step: Option<u32>,
    /// Its metrics at `best_step`, or, while it runs, at `latest_step`; empty without either; a
    /// count (`param_count`) as an integer, as the CLI's JSON writes it
    /// (`experiment::whole_count`), a value JSON cannot hold as `null`.
    metrics: BTreeMap<String, serde_json::Value>,
    /// Whether its result meets the constraints; absent without constraints or result.
    #[serde(skip_serializing_if = "Option::is_none")]
    feasible: Option<bool>,
    /// Whether it is on the Pareto front; absent with one objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pareto: Option<bool>,
}

#[derive(Debug, Serialize)]
pub(super) struct TrialsPageDto {
    total: usize,
    matching: usize,
    page: u32,
    pages: u32,
    per_page: u32,
    trials: Vec<TrialDto>,
}

pub(super) async fn trials(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<LeaderboardQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    json(
        blocking(move || {
            let (data, sel) = selected(&reader, &name, &query, leaderboard::PER_PAGE)?;
            let ranked = leaderboard::ranked(&data.trials, &data.objectives(), data.constraints());
            let page = leaderboard::select(&ranked, &sel);
            let front = front_of(&data);
            let effort = reader.effort(&data)?;
            let trials = page
                .rows
                .iter()
                .map(|r| {
                    let on_front = front.as_ref().map(|f| f.contains(&r.trial.id));
                    let epochs = effort.epochs_of(r.trial.id);
                    // A running trial's metrics at the epoch the snapshot says it trained.
                    let latest = if shows_latest(r.trial) {
                        reader.latest(&name, r.trial.id, epochs)?
                    } else {
                        None
                    };
                    let judged = (data.constraints(), on_front, epochs);
                    Ok(trial_dto(
                        r.trial,
                        r.rank,
                        &data.info,
                        judged,
                        latest.as_ref(),
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(TrialsPageDto {
                total: data.trials.len(),
                matching: page.matching,
                page: sel.page,
                pages: page.pages,
                per_page: sel.per_page,
                trials,
            })
        })
        .await,
    )
}

pub(super) async fn trial(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber)>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let (name, TrialNumber(id)) = path.into_inner();
    json(
        blocking(move || {
            // The snapshot holds the experiment's info, parsed spec and constraints, and the
            // trial's rank, and whether it is on the front, need every trial. It is taken
            // first, as the experiment's info was: an unknown experiment is not found (as an
            // experiment) before an unknown trial is.
            let data = reader.experiment(&name)?;
            let (t, trace) = reader.trial_traced(&name, id)?;
            let constraints = data.constraints();
            let rank = leaderboard::ranked(&data.trials, &data.objectives(), constraints)
                .iter()
                .find(|r| r.trial.id == t.id)
                .and_then(|r| r.rank);
            let on_front = match data.spec.as_ref().filter(|s| s.is_multi_objective()) {
                Some(_) => front_of(&data).map(|f| f.contains(&t.id)),
                None => None,
            };
            let epochs = reader.epochs_of(&name, &data.info.objective, t.id)?;
            let latest = if shows_latest(&t) {
                reader.latest(&name, t.id, epochs)?
            } else {
                None
            };
            let judged = (constraints, on_front, epochs);
            Ok(TrialAnswerDto {
                trial: trial_dto(&t, rank, &data.info, judged, latest.as_ref()),
                spec_unreadable: SpecUnreadableDto::of(&data),
                trace: TraceDto::of(&trace),
            })
        })
        .await,
    )
}

/// Returns the trials on the Pareto front of a study with several objectives; `None` with one.
pub(super) fn front_of(data: &ExperimentData) -> Option<std::collections::HashSet<TrialId>> {
    let objectives = data.objectives();
    (objectives.len() > 1).then(|| {
        experiment::pareto_front(&data.trials, &objectives, data.constraints())
            .iter()
            .map(|t| t.id)
            .collect()
    })
}

/// Returns trial `t` as the API shows it, with its `rank` and what is judged of it beside
/// itself: the `constraints` it is held to, whether it is on the Pareto front (`pareto`, with
/// several objectives) and the epochs it trained; and, for a trial still running
/// (`data::shows_latest`), its `latest` epoch's metrics (`Reader::latest`) in place of the
/// result it does not have yet.
pub(super) fn trial_dto(
    t: &Trial,
    rank: Option<usize>,
    info: &ExperimentInfo,
    (constraints, pareto, epochs_trained): (&[experiment::Constraint], Option<bool>, Option<u32>),
    latest: Option<&Latest>,
) -> TrialDto {
    let metrics = match (&t.result, latest) {
        (Some(r), _) => &r.metrics,
        (None, Some(latest)) => &latest.metrics,
        (None, None) => &BTreeMap::new(),
    };
    let objective = info.objective.as_str();
    TrialDto {
        id: t.id.0,
        rank,
        state: info.trial_state_shown(t.state),
        reason: t.reason.clone(),
        seed: t.seed.0,
        started_ms: t.started.map(|x| x.0),
        finished_ms: t.finished.map(|x| x.0),
        params: t
            .params
            .iter()
            .map(|(k, v)| (k.clone(), param_json(v)))
            .collect(),
        value: finite(t.value(objective)),
        best_step: t.result.as_ref().map(|r| r.best_step.0),
        epochs_trained,
        latest_step: latest.filter(|_| t.result.is_none()).map(|l| l.step.0),
        metrics: metrics
            .iter()
            .map(|(k, v)| {
                let json = finite(Some(*v)).map_or(serde_json::Value::Null, |v| {
                    experiment::whole_count(k, v).map_or_else(|| v.into(), Into::into)
                });
                (k.clone(), json)
            })
            .collect(),
        feasible: experiment::feasibility(constraints, t),
        pareto,
    }
}
