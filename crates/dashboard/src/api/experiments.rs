//! The API's experiments: the list, a page at a time, and one experiment with its search,
//! epochs, warm start and whether its stored spec reads.

use actix_web::{web, HttpRequest, HttpResponse};
use experiment::{Stopped, WarmSource};
use serde::Serialize;

use super::{finite, json, param_json};
use crate::data::{ExperimentData, RUN_RECORD, TEST_RESULT, WARM_START};
use crate::pages::blocking;
use crate::view::leaderboard::{self};
use crate::view::ticks::BadTick;
use crate::view::{ListQuery, Summary};
use crate::{AppState, Error, Result};

#[derive(Debug, Serialize)]
pub(super) struct ExperimentDto {
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
    /// Why its run record does not read with this version (a newer Sweep wrote it): the
    /// answers leave out what only the record says; absent when it reads, or there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    run_record_unreadable: Option<String>,
    /// Why its test result does not read with this version (a newer Sweep wrote it): `test`
    /// is then absent; absent when it reads, or there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    test_result_unreadable: Option<String>,
    /// Why its warm start does not read with this version (a newer Sweep wrote it):
    /// `warm_start` is then absent; absent when it reads, or there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    warm_start_unreadable: Option<String>,
    /// The command that resumes an interrupted sweep (`view::resume_command_of`: for an agent's
    /// store, with its `--agent` and the exchange folder its run record keeps, or, in a record
    /// older than that, one to fill in); absent otherwise, and in the list of experiments.
    #[serde(skip_serializing_if = "Option::is_none")]
    resume_command: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct SpecUnreadableDto {
    /// The parser's error.
    error: String,
    /// What only the spec says, and so what is not shown or applied (`LEFT_OUT_WITHOUT_SPEC`).
    left_out: [&'static str; 6],
}

impl SpecUnreadableDto {
    /// Returns what the answers about the experiment of `data` leave out when its stored spec
    /// does not read with this version, and why; `None` when it reads.
    pub(super) fn of(data: &ExperimentData) -> Option<SpecUnreadableDto> {
        data.spec_problem.as_ref().map(|error| SpecUnreadableDto {
            error: error.clone(),
            left_out: crate::view::LEFT_OUT_WITHOUT_SPEC,
        })
    }
}

#[derive(Debug, Serialize)]
pub(super) struct SearchDto {
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
pub(super) struct PlateauDto {
    patience: u32,
    min_delta: f64,
}

#[derive(Debug, Serialize)]
pub(super) struct ConstraintDto {
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
            rungs: spec.rungs_text(),
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
pub(super) struct EpochsDto {
    /// Epochs trained by every trial together (attempts cut off apart).
    trained: u64,
    /// The epochs they would have trained had none stopped early; `null` when the stored spec
    /// cannot be read.
    most: Option<u64>,
    /// Epochs trained by attempts a stop or a kill cut off before their trials ran again from
    /// scratch (`Effort::cut`): trained and thrown away, in neither number above.
    cut: u64,
    /// How many trials pruning stopped at each epoch, in epoch order.
    pruned_at: Vec<PrunedAtDto>,
}

#[derive(Debug, Serialize)]
pub(super) struct PrunedAtDto {
    epoch: u32,
    trials: usize,
}

#[derive(Debug, Serialize)]
pub(super) struct WarmStartDto {
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
pub(super) struct RangeEndDto {
    param: String,
    value: serde_json::Value,
    /// `min` or `max`: which end of the range.
    end: &'static str,
    min: f64,
    max: f64,
}

#[derive(Debug, Serialize)]
pub(super) struct TestDto {
    /// The trial measured: the best on validation when it was (a later run may have found a
    /// better one, `best`, measured when that run ends).
    trial: u32,
    /// Its test metrics by name (`test_accuracy`, ...).
    metrics: std::collections::BTreeMap<String, Option<f64>>,
}

#[derive(Debug, Serialize)]
pub(super) struct StoppedDto {
    /// `target` or `plateau`.
    by: &'static str,
    /// The trial that reached the target, or completed the plateau.
    trial: u32,
}

#[derive(Debug, Serialize)]
pub(super) struct ObjectiveDto {
    name: String,
    goal: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct CountsDto {
    stored: usize,
    completed: usize,
    pruned: usize,
    failed: usize,
    running: usize,
    /// Left running by a sweep that stopped, of an experiment no sweep runs now.
    interrupted: usize,
    /// In the queue, not started: suggested ahead, or put back by a stop.
    queued: usize,
}

#[derive(Debug, Serialize)]
pub(super) struct BestDto {
    trial: u32,
    value: Option<f64>,
}

/// A page of the experiments list, paged as the trials are: `total` in the store, `matching`
/// the `q` filter, and this page of them (an empty one, with these numbers, past the last).
#[derive(Debug, Serialize)]
pub(super) struct ExperimentsPageDto {
    total: usize,
    matching: usize,
    page: u32,
    pages: u32,
    per_page: u32,
    experiments: Vec<ExperimentDto>,
}

/// The experiments list, a page at a time (`?q=&sort=&dir=&page=&per_page=`, as the page takes
/// them, sorted as its columns sort, `view::listed_experiments`): a page past the last is
/// empty, with the totals that say so, as the trials' is, so that a client paging until a page
/// comes back empty stops. A sort that does not read is a 400 (the page shows it inline).
///
/// Without `sort` and `dir` it lists newest first, as the page does: one order for both, not
/// one of the API's own. An experiment created while a client pages moves the rest one place
/// on, so the client may see one twice but misses none; `sort=started&dir=asc` (oldest first)
/// puts new experiments on the last page instead, and the pages before it stay. An
/// experiment removed meanwhile moves the rest back in either order.
pub(super) async fn experiments(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let now = state.now();
    // The list's ticks (`?e=`) mean nothing here: one that is no experiment's name is left out,
    // as any other key the API does not take is.
    let list = ListQuery::parse_ticks(req.query_string(), leaderboard::PER_PAGE, BadTick::Skipped)
        .map_err(Error::into_api)?;
    json(
        blocking(move || {
            let all = reader.experiments()?;
            let kept = crate::view::listed_experiments(&all, &list);
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

pub(super) async fn experiment(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let reader = state.reader.clone();
    let now = state.now();
    json(
        blocking(move || {
            let data = reader.experiment(&name)?;
            let effort = reader.effort(&data)?;
            let resume = crate::view::resume_command_of(&data, &reader.store_dir());
            Ok(ExperimentDto {
                resume_command: Some(resume).filter(|c| !c.is_empty()),
                notices: reader.notices(&name),
                epochs: Some(EpochsDto {
                    trained: effort.trained(),
                    most: effort.most(),
                    cut: effort.cut(),
                    pruned_at: effort
                        .pruned_at()
                        .map(|(epoch, trials)| PrunedAtDto { epoch, trials })
                        .collect(),
                }),
                search: data.spec.as_ref().map(SearchDto::of),
                ..experiment_dto(&data, &Summary::of(&data, now))
            })
        })
        .await,
    )
}

/// Returns what the API says of an experiment, with its `summary` (its counts and best trial).
pub(super) fn experiment_dto(data: &ExperimentData, summary: &Summary) -> ExperimentDto {
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
    // Why each record that does not read does not, by kind; `None` for one that reads.
    let [run_record_unreadable, test_result_unreadable, warm_start_unreadable] =
        [RUN_RECORD, TEST_RESULT, WARM_START].map(|kind| data.unreadable.get(kind).cloned());
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
            queued: summary.queued,
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
        run_record_unreadable,
        test_result_unreadable,
        warm_start_unreadable,
        resume_command: None,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use experiment::Timestamp;
    use store::ExperimentStatus;

    use super::experiment_dto;
    use crate::data::{ExperimentData, RUN_RECORD, TEST_RESULT, WARM_START};
    use crate::view::{fixtures, Summary};

    #[test]
    fn each_record_that_does_not_read_is_said_under_its_own_field() {
        let data = || {
            let info = fixtures::info("demo", ExperimentStatus::Running, 3);
            ExperimentData::new(info, (0..3).map(|i| fixtures::trial(i, 3)).collect())
        };
        let unreadable = data().with_unreadable(BTreeMap::from([
            (RUN_RECORD, "run record: newer".to_string()),
            (TEST_RESULT, "test result: newer".to_string()),
            (WARM_START, "warm start: damaged".to_string()),
        ]));
        let json = |d: &ExperimentData| {
            serde_json::to_value(experiment_dto(d, &Summary::of(d, Timestamp(0))))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let said = json(&unreadable);
        assert_eq!(said["run_record_unreadable"], "run record: newer");
        assert_eq!(said["test_result_unreadable"], "test result: newer");
        assert_eq!(said["warm_start_unreadable"], "warm start: damaged");
        let fine = json(&data());
        for field in [
            "run_record_unreadable",
            "test_result_unreadable",
            "warm_start_unreadable",
        ] {
            assert!(fine.get(field).is_none(), "{field}: {fine}");
        }
    }

    #[test]
    fn issue_the_list_api_leaves_out_a_tick_it_has_no_use_for() {
        // `?e=` ticks experiments on the list page; the API keeps none, and refused one that is
        // no experiment's name (a 400) while it ignores any other key it does not take.
        crate::tests::run(async {
            let store = fixtures::store_with("demo", 3);
            let (status, body) = crate::tests::get(&store, "/api/experiments?e=x%20y&e=demo").await;
            assert_eq!(status, actix_web::http::StatusCode::OK, "{body}");
            assert!(body.contains("\"demo\""), "{body}");
            // The list page, which keeps its ticks in its links, still says so.
            let (status, _) = crate::tests::get(&store, "/?e=x%20y").await;
            assert_eq!(status, actix_web::http::StatusCode::BAD_REQUEST);
        });
    }
}
