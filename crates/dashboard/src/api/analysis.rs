//! The API's analyses of an experiment: the history of its objective, and the importance of
//! its parameters.

use actix_web::{web, HttpResponse};
use experiment::TrialState;
use serde::{Deserialize, Serialize};

use super::{json, json_list};
use crate::pages::blocking;
use crate::view::leaderboard::{self};
use crate::{AppState, Error, Result};

#[derive(Debug, Serialize)]
pub(super) struct HistoryDto {
    trial: u32,
    state: &'static str,
    value: Option<f64>,
    /// Whether its result meets the experiment's constraints; absent without constraints or
    /// result, as in the trials' list.
    #[serde(skip_serializing_if = "Option::is_none")]
    feasible: Option<bool>,
    best_so_far: Option<f64>,
}

#[derive(Debug, Serialize)]
pub(super) struct ImportanceDto {
    method: &'static str,
    /// The objective the top trials are the best by.
    objective: String,
    top_fraction: f64,
    /// How many trials the top set held (the top fraction, at least `importance::MIN_TOP`,
    /// and those tied with its last); `None` until enough trials completed.
    top_trials: Option<usize>,
    /// How many trials with a value it compared the top set with; `None` as `top_trials`.
    trials: Option<usize>,
    /// `None` until enough trials completed.
    importance: Option<Vec<ParamImportanceDto>>,
}

#[derive(Debug, Serialize)]
pub(super) struct ParamImportanceDto {
    param: String,
    importance: f64,
}

pub(super) async fn history(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    json_list(
        blocking(move || {
            let limit = match query.limit {
                Some(0) => return Err(Error::BadRequest("limit must be at least 1".into())),
                Some(n) => n,
                None => usize::MAX,
            };
            let data = reader.experiment(&name)?;
            let objectives = data.objectives();
            let index = leaderboard::objective_index(query.objective.as_deref(), &objectives)?;
            let (objective, goal) = objectives
                .get(index)
                .map_or((data.info.objective.as_str(), data.info.goal), |o| {
                    (o.name.as_str(), o.goal)
                });
            // The best so far counts every trial, also those before the page asked for.
            let mut best: Option<f64> = None;
            Ok(data
                .trials
                .iter()
                .map(|t| {
                    let value = t.value(objective).filter(|v| v.is_finite());
                    let feasible = experiment::feasible(data.constraints(), t);
                    if let (TrialState::Completed, Some(v), true) = (t.state, value, feasible) {
                        if best.is_none_or(|b| goal.improves(v, b, 0.0)) {
                            best = Some(v);
                        }
                    }
                    HistoryDto {
                        trial: t.id.0,
                        state: data.info.trial_state_shown(t.state),
                        value,
                        feasible: experiment::feasibility(data.constraints(), t),
                        best_so_far: best,
                    }
                })
                .filter(|h| query.after.is_none_or(|after| h.trial > after))
                .take(limit)
                .collect::<Vec<_>>())
        })
        .await,
    )
}

/// The history's query: the objective (the first unless named), and a page of it: the trials
/// after trial `after`, at most `limit` of them (all by default).
#[derive(Debug, Deserialize)]
pub(super) struct HistoryQuery {
    objective: Option<String>,
    after: Option<u32>,
    limit: Option<usize>,
}

/// The objective an analysis is for: the first unless named.
#[derive(Debug, Deserialize)]
pub(super) struct ObjectiveQuery {
    objective: Option<String>,
}

pub(super) async fn importance(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<ObjectiveQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    json(
        blocking(move || {
            let data = reader.experiment(&name)?;
            let objectives = data.objectives();
            let index = leaderboard::objective_index(query.objective.as_deref(), &objectives)?;
            let objective = objectives.get(index);
            let measured = objective
                .and_then(|o| crate::param_importance_top(data.spec.as_ref(), &data.trials, o));
            let top = measured.as_ref().map(|(_, top)| *top);
            Ok(ImportanceDto {
                method: "PED-ANOVA (global, histogram densities)",
                objective: objective.map(|o| o.name.clone()).unwrap_or_default(),
                top_fraction: crate::importance::GAMMA,
                top_trials: top.map(|t| t.top),
                trials: top.map(|t| t.of),
                importance: measured.map(|(s, _)| {
                    s.into_iter()
                        .map(|(param, importance)| ParamImportanceDto { param, importance })
                        .collect()
                }),
            })
        })
        .await,
    )
}
