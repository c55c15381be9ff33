//! View models: pure functions from what the store holds to what a page shows.
//!
//! Handlers read the store (through `data`) and call one function here; the result is plain
//! strings and numbers for a template. Nothing here does IO or reads the clock: the time now is
//! passed in, so every function is tested with fixed inputs.

pub(crate) mod compare;
pub(crate) mod experiment_page;
pub(crate) mod experiments_compare;
pub(crate) mod format;
pub(crate) mod leaderboard;
pub(crate) mod space;
pub(crate) mod trial;

use std::sync::Arc;

use experiment::{Constraint, Direction, MetricSpec, Timestamp, Trial, TrialState};
use store::ExperimentStatus;

use crate::data::ExperimentData;

/// An experiment's numbers, as the list and the experiment page's header show them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    /// The name.
    pub(crate) name: String,
    /// The experiment page.
    pub(crate) href: String,
    /// `running`, `finished` or `interrupted`.
    pub(crate) status: &'static str,
    /// The objective metric (the first, with several).
    pub(crate) objective: String,
    /// Every objective's metric with its goal, joined by commas, as `sweep ls` writes them:
    /// `val_accuracy (maximize), param_count (minimize)`.
    pub(crate) objectives: String,
    /// Trials in each state.
    pub(crate) completed: usize,
    /// Pruned trials.
    pub(crate) pruned: usize,
    /// Failed trials.
    pub(crate) failed: usize,
    /// Running trials.
    pub(crate) running: usize,
    /// Trials a sweep left running when it stopped (no sweep runs the experiment now).
    pub(crate) interrupted: usize,
    /// Trials stored (any state) and planned.
    pub(crate) stored: usize,
    /// The run cap.
    pub(crate) run_cap: u32,
    /// The best completed value, or `-`.
    pub(crate) best: format::Num,
    /// The best trial's number, if there is one.
    pub(crate) best_trial: Option<u32>,
    /// When it was created, UTC.
    pub(crate) started: String,
    /// How long it ran (so far).
    pub(crate) duration: String,
    /// Whether the page should refresh itself (the experiment is running).
    pub(crate) live: bool,
}

impl Summary {
    /// Returns the best trial's page, if there is one.
    pub(crate) fn best_href(&self) -> Option<String> {
        self.best_trial.map(|id| format::trial_href(&self.name, id))
    }

    /// Summarizes an experiment and its trials at time `now`.
    pub(crate) fn of(data: &ExperimentData, now: Timestamp) -> Summary {
        let (info, trials) = (&data.info, data.trials.as_slice());
        let count = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
        let objectives = data.objectives();
        let best = best_completed(trials, &objectives, data.constraints())
            .map(|t| (t.id.0, format::value_num(t.value(&info.objective))));
        let live = info.status == ExperimentStatus::Running;
        Summary {
            name: info.name.clone(),
            href: format::experiment_href(&info.name),
            status: info.status.as_str(),
            objective: info.objective.clone(),
            objectives: objectives_text(&objectives),
            completed: count(TrialState::Completed),
            pruned: count(TrialState::Pruned),
            failed: count(TrialState::Failed),
            // Trials of an experiment that no sweep runs are not running, whatever they say.
            running: if live { count(TrialState::Running) } else { 0 },
            interrupted: if live { 0 } else { count(TrialState::Running) },
            stored: trials.len(),
            run_cap: info.run_cap,
            best: best
                .as_ref()
                .map_or(format::Num::text("-"), |(_, v)| v.clone()),
            best_trial: best.map(|(id, _)| id),
            started: info.created.utc(),
            // The time trials ran; a running one counts to the clock only while a sweep runs it.
            duration: experiment::busy_ms(trials, live.then_some(now))
                .map_or("-".into(), experiment::format_duration),
            live,
        }
    }
}

/// Returns the `objectives` with their goals, joined by commas: `val_rmse (minimize)`.
pub(crate) fn objectives_text(objectives: &[MetricSpec]) -> String {
    objectives
        .iter()
        .map(|o| format!("{} ({})", o.name, o.goal))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The experiments page.
#[derive(Debug, Clone)]
pub(crate) struct ExperimentsPage {
    /// One row per experiment the filter keeps, oldest first.
    pub(crate) rows: Vec<Summary>,
    /// Whether any experiment is running (the page refreshes itself), shown or not.
    pub(crate) live: bool,
    /// The text a shown experiment's name contains (`?q=`), as typed; empty for every one.
    pub(crate) query: String,
    /// How many experiments the store holds.
    pub(crate) total: usize,
}

/// Builds the experiments page, of the experiments whose name contains `query` (ignoring case;
/// every one when it is empty): a store of hundreds is found in by a part of a name.
pub(crate) fn experiments_page(
    all: &[Arc<ExperimentData>],
    now: Timestamp,
    query: &str,
) -> ExperimentsPage {
    let wanted = query.trim().to_lowercase();
    let rows: Vec<Summary> = all
        .iter()
        .filter(|d| d.info.name.to_lowercase().contains(&wanted))
        .map(|d| Summary::of(d, now))
        .collect();
    let live = all
        .iter()
        .any(|d| d.info.status == ExperimentStatus::Running);
    ExperimentsPage {
        rows,
        live,
        query: query.trim().to_string(),
        total: all.len(),
    }
}

/// Returns the pairs of a query string, percent-decoded (`%32%30` is `20`, `+` a space), in
/// order; a malformed one is a bad request.
pub(crate) fn query_pairs(query: &str) -> crate::Result<Vec<(String, String)>> {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(query)
        .map(actix_web::web::Query::into_inner)
        .map_err(|e| crate::Error::BadRequest(format!("bad query: {e}")))
}

/// Returns the epoch a curve of `trial` marks: its best, whose weights its checkpoint keeps.
pub(crate) fn best_epoch(trial: &Trial) -> Option<f64> {
    trial.result.as_ref().map(|r| f64::from(r.best_step.0))
}

/// Returns what the tooltip of a curve of `trial` (its `points`) adds: for a pruned trial, that
/// it was pruned, at the curve's last epoch, and the pruner's reason (`pruned at epoch 2: asha:
/// 0.9053 not in the top 1 of 5 at rung 0 (epoch 2)`); nothing for any other.
pub(crate) fn curve_note(trial: &Trial, points: &[(f64, f64)]) -> String {
    if trial.state != TrialState::Pruned {
        return String::new();
    }
    let at = points
        .last()
        .map(|(epoch, _)| format!(" at epoch {}", crate::charts::tick(*epoch)))
        .unwrap_or_default();
    match trial.reason.as_deref().filter(|r| !r.is_empty()) {
        Some(reason) => format!("pruned{at}: {reason}"),
        None => format!("pruned{at}"),
    }
}

/// Returns the best completed trial by the `objectives` that meets the `constraints` (ties to
/// the lower number): the same trial as `experiment::best_trial`, found in one pass for one
/// objective.
pub(crate) fn best_completed<'a>(
    trials: &'a [Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> Option<&'a Trial> {
    let [MetricSpec { name: metric, goal }] = objectives else {
        return experiment::best_trial(trials, objectives, constraints);
    };
    let mut best: Option<(&Trial, f64)> = None;
    let eligible = trials
        .iter()
        .filter(|t| t.state == TrialState::Completed && experiment::feasible(constraints, t));
    for t in eligible {
        let Some(v) = t.value(metric).filter(|v| !v.is_nan()) else {
            continue;
        };
        let better = match best {
            None => true,
            Some((b, bv)) => match *goal {
                Direction::Maximize => v.total_cmp(&bv).then(b.id.cmp(&t.id)).is_gt(),
                Direction::Minimize => v.total_cmp(&bv).then(t.id.cmp(&b.id)).is_lt(),
            },
        };
        if better {
            best = Some((t, v));
        }
    }
    best.map(|(t, _)| t)
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
