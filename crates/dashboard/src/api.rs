//! The JSON API under `/api/`: everything the pages show, as data-transfer types.
//!
//! These types are the wire format and live only here; they are built from domain types by
//! hand, so a rename in `experiment` or `store` cannot silently change the API. Non-finite
//! numbers (a diverged loss) are written as `null`. Errors are `{"error": ..., "status": ...}`.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use experiment::{ParamValue, Step, Stopped, Trial, TrialId, TrialState, WarmSource};
use serde::{Deserialize, Serialize};
use store::ExperimentInfo;

use crate::data::{ExperimentData, Series};
use crate::downsample;
use crate::pages::{blocking, now, selected};
use crate::trial_number::TrialNumber;
use crate::view::leaderboard::{self, LeaderboardQuery};
use crate::view::{ListQuery, Summary};
use crate::{AppState, Error, Result};

/// The default and largest `max_points` of a metric series.
const DEFAULT_MAX_POINTS: usize = 1000;
const LIMIT_MAX_POINTS: usize = 100_000;

#[derive(Debug, Serialize)]
struct ExperimentDto {
    name: String,
    description: String,
    status: &'static str,
    objective: String,
    goal: &'static str,
    seed: u64,
    run_cap: u32,
    spec_path: String,
    created_ms: i64,
    finished_ms: Option<i64>,
    trials: CountsDto,
    best: Option<BestDto>,
    /// With several objectives: each (`objective` and `goal` are the first's), and the Pareto
    /// front's trials in number order.
    #[serde(skip_serializing_if = "Option::is_none")]
    objectives: Option<Vec<ObjectiveDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pareto_front: Option<Vec<u32>>,
    /// What ended the sweep before its run cap (its target reached, or its plateau), if
    /// anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<StoppedDto>,
    /// What the sweep running it in this process says of it now, such as which agent it waits
    /// for (the experiment page's notices); absent when nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notices: Vec<String>,
    /// The best trial's metrics on the test split, once measured after the sweep.
    #[serde(skip_serializing_if = "Option::is_none")]
    test: Option<TestDto>,
    /// The best trial's searched parameters at an end of their range (one objective only);
    /// absent when none is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    range_ends: Vec<RangeEndDto>,
    /// The trials its sampler took from another experiment (`warm_start:`); absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    warm_start: Option<WarmStartDto>,
    /// What its trials trained (one experiment's answer only, not the list's).
    #[serde(skip_serializing_if = "Option::is_none")]
    epochs: Option<EpochsDto>,
    /// How it searches: the sampler and the pruner with their settings, the target, the
    /// plateau and the constraints (one experiment's answer only; absent when its stored spec
    /// no longer parses).
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<SearchDto>,
    /// That its stored spec does not read with this version, why, and what the answers then
    /// leave out (its constraints, objectives past the first, ...); absent when it reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_unreadable: Option<SpecUnreadableDto>,
}

#[derive(Debug, Serialize)]
struct SpecUnreadableDto {
    /// The parser's error.
    error: String,
    /// What only the spec says, and so what is not shown or applied (`LEFT_OUT_WITHOUT_SPEC`).
    left_out: [&'static str; 6],
}

impl SpecUnreadableDto {
    /// Returns what the answers about the experiment of `data` leave out when its stored spec
    /// does not read with this version, and why; `None` when it reads.
    fn of(data: &ExperimentData) -> Option<SpecUnreadableDto> {
        data.spec_problem.as_ref().map(|error| SpecUnreadableDto {
            error: error.clone(),
            left_out: crate::view::LEFT_OUT_WITHOUT_SPEC,
        })
    }
}

/// One trial's answer: the trials list's fields, and what its experiment's unreadable spec
/// leaves out, as the experiment's answer says it.
#[derive(Debug, Serialize)]
struct TrialAnswerDto {
    /// The fields of the trials list.
    #[serde(flatten)]
    trial: TrialDto,
    /// That the experiment's stored spec does not read with this version, why, and what the
    /// answer then leaves out (its rank ignores the constraints, ...); absent when it reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_unreadable: Option<SpecUnreadableDto>,
}

#[derive(Debug, Serialize)]
struct SearchDto {
    method: &'static str,
    /// The sampler's settings as a `sampler:` block would set them; absent for `random`.
    #[serde(skip_serializing_if = "Option::is_none")]
    sampler: Option<String>,
    pruner: &'static str,
    /// The pruner's settings as a `pruner:` block; absent without a pruner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pruner_settings: Option<String>,
    /// The epochs at which ASHA or Hyperband judges trials, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    rungs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plateau: Option<PlateauDto>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    constraints: Vec<ConstraintDto>,
}

#[derive(Debug, Serialize)]
struct PlateauDto {
    patience: u32,
    min_delta: f64,
}

#[derive(Debug, Serialize)]
struct ConstraintDto {
    metric: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
}

impl SearchDto {
    fn of(spec: &experiment::ExperimentSpec) -> SearchDto {
        SearchDto {
            method: spec.method.name(),
            sampler: spec.method.sampler_yaml(),
            pruner: spec.pruner.name(),
            pruner_settings: spec.pruner.is_active().then(|| spec.pruner.yaml()),
            rungs: spec.pruner.rungs_text(spec.most_epochs()),
            target: spec.target,
            plateau: spec.plateau.map(|p| PlateauDto {
                patience: p.patience,
                min_delta: p.min_delta,
            }),
            constraints: spec
                .constraints
                .iter()
                .map(|c| ConstraintDto {
                    metric: c.metric.clone(),
                    min: c.min,
                    max: c.max,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct EpochsDto {
    /// Epochs trained by every trial together.
    trained: u64,
    /// The epochs they would have trained had none stopped early; `null` when the stored spec
    /// cannot be read.
    most: Option<u64>,
    /// How many trials pruning stopped at each epoch, in epoch order.
    pruned_at: Vec<PrunedAtDto>,
}

#[derive(Debug, Serialize)]
struct PrunedAtDto {
    epoch: u32,
    trials: usize,
}

#[derive(Debug, Serialize)]
struct WarmStartDto {
    /// `experiment` or `file`: what `experiment` names, as the stored spec says (absent when
    /// the stored spec cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'static str>,
    /// The other experiment, or the file of results the trials came from.
    experiment: String,
    /// How many of its trials were taken.
    trials: usize,
    /// Why each of its other finished trials was left out.
    left_out: Vec<String>,
}

#[derive(Debug, Serialize)]
struct RangeEndDto {
    param: String,
    value: serde_json::Value,
    /// `min` or `max`: which end of the range.
    end: &'static str,
    min: f64,
    max: f64,
}

#[derive(Debug, Serialize)]
struct TestDto {
    /// The trial measured: the best on validation when it was (a later run may have found a
    /// better one, `best`, measured when that run ends).
    trial: u32,
    /// Its test metrics by name (`test_accuracy`, ...).
    metrics: std::collections::BTreeMap<String, Option<f64>>,
}

#[derive(Debug, Serialize)]
struct StoppedDto {
    /// `target` or `plateau`.
    by: &'static str,
    /// The trial that reached the target, or completed the plateau.
    trial: u32,
}

#[derive(Debug, Serialize)]
struct ObjectiveDto {
    name: String,
    goal: &'static str,
}

#[derive(Debug, Serialize)]
struct CountsDto {
    stored: usize,
    completed: usize,
    pruned: usize,
    failed: usize,
    running: usize,
    /// Left running by a sweep that stopped, of an experiment no sweep runs now.
    interrupted: usize,
}

#[derive(Debug, Serialize)]
struct BestDto {
    trial: u32,
    value: Option<f64>,
}

#[derive(Debug, Serialize)]
struct TrialDto {
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
    metrics: BTreeMap<String, Option<f64>>,
    /// Whether its result meets the constraints; absent without constraints or result.
    #[serde(skip_serializing_if = "Option::is_none")]
    feasible: Option<bool>,
    /// Whether it is on the Pareto front; absent with one objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pareto: Option<bool>,
}

/// A page of the experiments list, paged as the trials are: `total` in the store, `matching`
/// the `q` filter, and this page of them (an empty one, with these numbers, past the last).
#[derive(Debug, Serialize)]
struct ExperimentsPageDto {
    total: usize,
    matching: usize,
    page: u32,
    pages: u32,
    per_page: u32,
    experiments: Vec<ExperimentDto>,
}

#[derive(Debug, Serialize)]
struct TrialsPageDto {
    total: usize,
    matching: usize,
    page: u32,
    pages: u32,
    per_page: u32,
    trials: Vec<TrialDto>,
}

#[derive(Debug, Serialize)]
struct SeriesDto {
    trial: u32,
    metric: String,
    total_points: usize,
    downsampled: bool,
    /// `[step, value]` pairs; `value` is `null` when not finite.
    points: Vec<(u32, Option<f64>)>,
}

#[derive(Debug, Serialize)]
struct HistoryDto {
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
struct ImportanceDto {
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
struct ParamImportanceDto {
    param: String,
    importance: f64,
}

#[derive(Debug, Deserialize)]
struct SeriesQuery {
    max_points: Option<usize>,
}

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/experiments", crate::read().to(experiments))
        .route("/api/experiments/{name}", crate::read().to(experiment))
        .route("/api/experiments/{name}/trials", crate::read().to(trials))
        .route("/api/experiments/{name}/history", crate::read().to(history))
        .route(
            "/api/experiments/{name}/importance",
            crate::read().to(importance),
        )
        .route(
            "/api/experiments/{name}/trials/{id}",
            crate::read().to(trial),
        )
        .route(
            "/api/experiments/{name}/trials/{id}/metrics",
            crate::read().to(metrics),
        )
        .route(
            "/api/experiments/{name}/trials/{id}/metrics/{metric}",
            crate::read().to(metric),
        );
}

/// The experiments list, a page at a time (`?q=&sort=&dir=&page=&per_page=`, as the page takes
/// them, sorted as its columns sort, `view::listed_experiments`): a page past the last is
/// empty, with the totals that say so, as the trials' is, so that a client paging until a page
/// comes back empty stops. A sort that does not read is a 400 (the page shows it inline).
async fn experiments(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let list =
        ListQuery::parse(req.query_string(), leaderboard::PER_PAGE).map_err(Error::into_api)?;
    json(
        blocking(move || {
            let all = reader.experiments()?;
            let kept = crate::view::listed_experiments(&all, &list);
            let now = now();
            let matching = kept.len();
            Ok(ExperimentsPageDto {
                total: all.len(),
                matching,
                page: list.page,
                pages: leaderboard::pages_of(matching, list.per_page),
                per_page: list.per_page,
                experiments: crate::view::page_of(kept, list.page, list.per_page)
                    .into_iter()
                    .map(|d| experiment_dto(d, &Summary::of(d, now)))
                    .collect(),
            })
        })
        .await,
    )
}

async fn experiment(state: web::Data<AppState>, name: web::Path<String>) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    json(
        blocking(move || {
            let data = reader.experiment(&name)?;
            let effort = reader.effort(&data)?;
            Ok(ExperimentDto {
                notices: reader.notices(&name),
                epochs: Some(EpochsDto {
                    trained: effort.trained(),
                    most: effort.most(),
                    pruned_at: effort
                        .pruned_at()
                        .map(|(epoch, trials)| PrunedAtDto { epoch, trials })
                        .collect(),
                }),
                search: data.spec.as_ref().map(SearchDto::of),
                ..experiment_dto(&data, &Summary::of(&data, now()))
            })
        })
        .await,
    )
}

async fn trials(
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
            Ok(TrialsPageDto {
                total: data.trials.len(),
                matching: page.matching,
                page: sel.page,
                pages: page.pages,
                per_page: sel.per_page,
                trials: page
                    .rows
                    .iter()
                    .map(|r| {
                        let on_front = front.as_ref().map(|f| f.contains(&r.trial.id));
                        let epochs = effort.epochs_of(r.trial.id);
                        let judged = (data.constraints(), on_front, epochs);
                        trial_dto(r.trial, r.rank, &data.info, judged)
                    })
                    .collect(),
            })
        })
        .await,
    )
}

async fn history(
    state: web::Data<AppState>,
    name: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    json(
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
struct HistoryQuery {
    objective: Option<String>,
    after: Option<u32>,
    limit: Option<usize>,
}

/// The objective an analysis is for: the first unless named.
#[derive(Debug, Deserialize)]
struct ObjectiveQuery {
    objective: Option<String>,
}

async fn importance(
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

async fn trial(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber)>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let (name, TrialNumber(id)) = path.into_inner();
    json(
        blocking(move || {
            let info = reader.info(&name)?;
            let t = reader.trial(&name, id)?;
            let spec = info.spec().ok();
            let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
            // Its rank, and whether it is on the front, need every trial: the snapshot's.
            let data = reader.experiment(&name)?;
            let rank = leaderboard::ranked(&data.trials, &data.objectives(), data.constraints())
                .iter()
                .find(|r| r.trial.id == t.id)
                .and_then(|r| r.rank);
            let on_front = match spec.as_ref().filter(|s| s.is_multi_objective()) {
                Some(_) => front_of(&data).map(|f| f.contains(&t.id)),
                None => None,
            };
            let epochs = reader.epochs_of(&name, &info.objective, t.id)?;
            Ok(TrialAnswerDto {
                trial: trial_dto(&t, rank, &info, (constraints, on_front, epochs)),
                spec_unreadable: SpecUnreadableDto::of(&data),
            })
        })
        .await,
    )
}

async fn metrics(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber)>,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let (name, TrialNumber(id)) = path.into_inner();
    json(
        async move {
            let max_points = max_points(&query)?;
            blocking(move || {
                reader.trial(&name, id)?;
                let all = reader.all_metrics(&name, TrialId(id))?;
                Ok(all
                    .iter()
                    .map(|(metric, s)| series_dto(id, metric, s, max_points))
                    .collect::<Vec<_>>())
            })
            .await
        }
        .await,
    )
}

async fn metric(
    state: web::Data<AppState>,
    path: web::Path<(String, TrialNumber, String)>,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let (name, TrialNumber(id), metric) = path.into_inner();
    json(
        async move {
            let max_points = max_points(&query)?;
            blocking(move || {
                reader.trial(&name, id)?;
                let series = reader.metric_of(&name, &[TrialId(id)], &metric)?;
                let series = series
                    .get(&TrialId(id))
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        Error::NotFound(format!("trial {id} of {name:?} has no metric {metric:?}"))
                    })?;
                Ok(series_dto(id, &metric, series, max_points))
            })
            .await
        }
        .await,
    )
}

fn max_points(query: &SeriesQuery) -> Result<usize> {
    match query.max_points {
        None => Ok(DEFAULT_MAX_POINTS),
        Some(n) if (3..=LIMIT_MAX_POINTS).contains(&n) => Ok(n),
        Some(_) => Err(Error::BadRequest(format!(
            "max_points must be in 3..={LIMIT_MAX_POINTS}"
        ))),
    }
}

fn json<T: Serialize>(result: Result<T>) -> Result<HttpResponse> {
    let value = result.map_err(Error::into_api)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(value))
}

/// Returns what the API says of an experiment, with its `summary` (its counts and best trial).
fn experiment_dto(data: &ExperimentData, summary: &Summary) -> ExperimentDto {
    let (info, trials) = (&data.info, data.trials.as_slice());
    let objectives = data.objectives();
    let several = objectives.len() > 1;
    let pareto_front = several.then(|| {
        let mut ids: Vec<u32> = experiment::pareto_front(trials, &objectives, data.constraints())
            .iter()
            .map(|t| t.id.0)
            .collect();
        ids.sort_unstable();
        ids
    });
    ExperimentDto {
        name: info.name.clone(),
        description: info.description.clone(),
        status: info.status.as_str(),
        objective: info.objective.clone(),
        goal: info.goal.as_str(),
        seed: info.seed.0,
        run_cap: info.run_cap,
        spec_path: info.spec_path.clone(),
        created_ms: info.created.0,
        finished_ms: info.finished.map(|t| t.0),
        trials: CountsDto {
            stored: summary.stored,
            completed: summary.completed,
            pruned: summary.pruned,
            failed: summary.failed,
            running: summary.running,
            interrupted: summary.interrupted,
        },
        best: summary.best_trial.map(|trial| BestDto {
            trial,
            value: finite(summary.best_value),
        }),
        objectives: several.then(|| {
            objectives
                .iter()
                .map(|o| ObjectiveDto {
                    name: o.name.clone(),
                    goal: o.goal.as_str(),
                })
                .collect()
        }),
        pareto_front,
        stopped: data
            .spec
            .as_ref()
            .and_then(|s| s.stopped_by(trials))
            .map(|stopped| StoppedDto {
                by: match stopped {
                    Stopped::Target(_) => "target",
                    Stopped::Plateau(_) => "plateau",
                },
                trial: stopped.trial().0,
            }),
        notices: Vec::new(),
        epochs: None,
        search: None,
        spec_unreadable: SpecUnreadableDto::of(data),
        range_ends: data
            .spec
            .as_ref()
            .and_then(|s| s.best_at_edges(trials))
            .map_or_else(Vec::new, |(_, edges)| {
                edges
                    .into_iter()
                    .map(|e| RangeEndDto {
                        value: param_json(&e.value),
                        end: match e.end {
                            experiment::End::Low => "min",
                            experiment::End::High => "max",
                        },
                        min: e.range.0,
                        max: e.range.1,
                        param: e.param,
                    })
                    .collect()
            }),
        warm_start: data.warm_start.as_ref().map(|w| WarmStartDto {
            from: data
                .spec
                .as_ref()
                .and_then(|s| s.warm_start.as_ref())
                .map(|w| match w.source {
                    WarmSource::Experiment(_) => "experiment",
                    WarmSource::Csv(_) => "file",
                }),
            experiment: w.source.clone(),
            trials: w.trials.len(),
            left_out: w.left_out.clone(),
        }),
        test: data.test.as_ref().map(|t| TestDto {
            trial: t.trial.0,
            metrics: t
                .metrics
                .iter()
                .map(|(name, v)| (name.clone(), finite(Some(*v))))
                .collect(),
        }),
    }
}

/// Returns the trials on the Pareto front of a study with several objectives; `None` with one.
fn front_of(data: &ExperimentData) -> Option<std::collections::HashSet<TrialId>> {
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
/// several objectives) and the epochs it trained.
fn trial_dto(
    t: &Trial,
    rank: Option<usize>,
    info: &ExperimentInfo,
    (constraints, pareto, epochs_trained): (&[experiment::Constraint], Option<bool>, Option<u32>),
) -> TrialDto {
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
        metrics: t
            .result
            .iter()
            .flat_map(|r| r.metrics.iter())
            .map(|(k, v)| (k.clone(), finite(Some(*v))))
            .collect(),
        feasible: experiment::feasibility(constraints, t),
        pareto,
    }
}

fn series_dto(trial: u32, metric: &str, series: &Series, max_points: usize) -> SeriesDto {
    let xy: Vec<(f64, f64)> = series.iter().map(|(s, v)| (f64::from(s.0), *v)).collect();
    let total_points = series.len();
    let (points, downsampled) = if total_points > max_points {
        let picked = downsample::lttb(&xy, max_points);
        // Steps are exact small integers in f64, so this converts back without loss.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let points = picked
            .iter()
            .map(|(x, y)| (*x as u32, finite(Some(*y))))
            .collect();
        (points, true)
    } else {
        (
            series
                .iter()
                .map(|(Step(s), v)| (*s, finite(Some(*v))))
                .collect(),
            false,
        )
    };
    SeriesDto {
        trial,
        metric: metric.to_string(),
        total_points,
        downsampled,
        points,
    }
}

fn param_json(v: &ParamValue) -> serde_json::Value {
    match v {
        ParamValue::Int(i) => serde_json::Value::from(*i),
        ParamValue::Float(x) => serde_json::Number::from_f64(*x)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        ParamValue::Str(s) => serde_json::Value::from(s.clone()),
        ParamValue::Bool(b) => serde_json::Value::from(*b),
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}
