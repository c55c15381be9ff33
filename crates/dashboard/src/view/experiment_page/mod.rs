//! The experiment page: summary, leaderboard, and the analysis charts (`analysis`: what the
//! charts take, computed once per snapshot; `charts`: each chart drawn from it, and `ranked`
//! those coloured by rank; `picked`: what a request's query picks, a pair of objectives or of
//! parameters, drawn for it alone).
//!
//! Scale is handled here, by choosing what to draw: the history downsamples inside its chart;
//! learning curves are read for the top `TOP_CURVES` completed and best `DIMMED_CURVES` pruned
//! trials, and, while the sweep runs, the first `RUNNING_CURVES` trials running, only;
//! parallel coordinates and slices draw the best `TOP_LINES` trials plus an evenly spaced
//! sample of the rest, `MAX_LINES` in all; importance uses every completed trial but works on
//! histograms.

mod analysis;
mod charts;
mod picked;
mod ranked;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_page;
#[cfg(test)]
mod tests_running;

use std::borrow::Cow;

use experiment::{Timestamp, Trial, TrialId, TrialState};
use store::ExperimentStatus;

use super::format;
use super::leaderboard::{self, Leaderboard, Ranked, Selection};
use super::Summary;
use crate::data::ExperimentData;
#[cfg(test)]
pub(crate) use analysis::analysis;
pub(crate) use analysis::{analysis_for, charted, importance_of, ranked_from, sample, Analysis};
#[cfg(test)]
pub(crate) use charts::MAX_BARS;
use picked::front_links;
pub(crate) use picked::{picked_front, picked_pairs, Picked};

/// Trials whose curves are drawn in colour.
pub(crate) const TOP_CURVES: usize = 8;
/// Pruned trials whose curves are drawn dimmed behind them.
pub(crate) const DIMMED_CURVES: usize = 24;
/// Trials still running whose curves so far are drawn dashed beside them, while their sweep
/// runs: one each for a sweep of `parallel: 16`, twice the 8 a sweep is commonly given; past
/// it (agents of `sweep serve --exchange` may run more) those that started first.
pub(crate) const RUNNING_CURVES: usize = 16;
/// The best trials always drawn in parallel coordinates and slices.
pub(crate) const TOP_LINES: usize = 100;
/// The most trials drawn in parallel coordinates and slices.
pub(crate) const MAX_LINES: usize = 400;

/// The experiment page.
#[derive(Debug, Clone)]
pub(crate) struct ExperimentPage<'a> {
    /// The header numbers.
    pub(crate) summary: Summary,
    /// The description from the spec, its bidirectional controls shown as escapes
    /// (`format::bidi_shown`).
    pub(crate) description: String,
    /// `maximize val_accuracy`; with several objectives, each, joined by commas.
    pub(crate) goal: String,
    /// With several objectives, the Pareto front's size and trials (`3 trials: 4, 12, 17`);
    /// empty otherwise.
    pub(crate) front: String,
    /// The objectives the Pareto chart draws, as `val_accuracy and param_count`; empty with
    /// one objective.
    pub(crate) pareto_axes: String,
    /// The Pareto chart: the analysis's (the first two objectives), or the picked pair's.
    pub(crate) pareto: Cow<'a, str>,
    /// With three or more objectives, a link to the Pareto chart of each pair; empty otherwise.
    pub(crate) front_links: Vec<ObjectiveLink>,
    /// What the chart's line means, after the front is described: with more than two
    /// objectives it is drawn only when the front, seen in the first two, is a staircase.
    pub(crate) pareto_line: &'static str,
    /// The objective's target and whether a trial reached it, or empty.
    pub(crate) target: String,
    /// The plateau rule and where the trials stand against it, or empty.
    pub(crate) plateau: String,
    /// The constraints and how many trials meet them, or empty.
    pub(crate) constraints: String,
    /// Which searched parameters of the best trial lie at an end of their range (empty: none).
    pub(crate) edges: String,
    /// The trials the sampler took from another experiment, in words (empty: none).
    pub(crate) warm_start: String,
    /// The sampler's name (`tpe`), or `-` when the stored spec no longer parses.
    pub(crate) method: &'static str,
    /// The pruner's name (`asha`, `none`), or `-` likewise.
    pub(crate) pruner: &'static str,
    /// Every setting of the sampler and of the pruner, as the `sampler:` and `pruner:` blocks
    /// that set them; empty where there are none (`random`, no pruner) or no parsed spec.
    pub(crate) settings: Vec<(&'static str, String)>,
    /// Whether the run ran with other settings than those (a default changed since): the
    /// settings that differ, joined.
    pub(crate) settings_changed: Option<String>,
    /// The leaderboard.
    pub(crate) board: Leaderboard,
    /// The compare form's target.
    pub(crate) compare_href: String,
    /// The charts, kept with the snapshot and shared by every page view of it.
    pub(crate) charts: &'a Analysis,
    /// With several objectives, a link to the charts of each, to the links themselves
    /// (`#objectives`), which the page shows apart from the charts they switch, whenever one
    /// of them is (the history waits for a completed trial, the others not); empty with one.
    pub(crate) objective_links: Vec<ObjectiveLink>,
    /// The pair plots: the analysis's, or those of the parameters the query picked.
    pub(crate) pairs: Cow<'a, str>,
    /// Which parameters they take, in words.
    pub(crate) pairs_note: Cow<'a, str>,
    /// Their names, comma-separated, as the pick's field shows them (or as typed, when the
    /// pick could not be drawn).
    pub(crate) pairs_pick: String,
    /// What is wrong with the parameters the query picked, with the closest name to one that
    /// is not a parameter; empty when the pick is drawn (or there is none).
    pub(crate) pairs_error: String,
    /// Every parameter's name, comma-separated, for the pick's hint.
    pub(crate) params: String,
    /// What the sweep running the experiment says of it now (which agent it waits for).
    pub(crate) notices: Vec<String>,
    /// That the stored spec does not read with this version, and what that leaves out
    /// (`view::spec_notice`); empty when it reads.
    pub(crate) spec_notice: String,
    /// That its run record, test result or warm start does not read with this version, and
    /// what that leaves out (`view::record_notice`, one sentence after another); empty when
    /// each reads, or there is none.
    pub(crate) record_notice: String,
    /// The epochs the trials trained, against the most they could have (`experiment::Effort`);
    /// empty before any.
    pub(crate) epochs: String,
    /// The epochs at which pruning stopped trials, e.g. `26 trials at epoch 2, 1 at 6`; empty
    /// when it stopped none.
    pub(crate) pruned_at: String,
    /// How many of the pruned trials the sweep stopped for breaking a constraint that no epoch
    /// changes (`param_count`), not a pruner, e.g. `all 7 stopped for breaking a constraint no
    /// epoch changes, not by a pruner`; empty when none was.
    pub(crate) constraint_stops: String,
    /// The command that resumes a sweep that stopped before its end (`sweep run FILE --store
    /// DIR`), set by the page's handler, which knows the store's folder; empty otherwise.
    pub(crate) resume: String,
    /// The epochs at which a successive-halving pruner judges trials (`PrunerSpec::rungs_text`);
    /// empty for the other rules.
    pub(crate) rungs: String,
    /// The best trial's metrics on the test split, once measured.
    pub(crate) test: Option<TestSplit>,
    /// Whether the page refreshes itself.
    pub(crate) live: bool,
}

/// The test split's result, as the summary shows it.
#[derive(Debug, Clone)]
pub(crate) struct TestSplit {
    /// The trial measured.
    pub(crate) trial: u32,
    /// Its page.
    pub(crate) href: String,
    /// Each metric and its value, as `test_accuracy 0.9916`, joined by ` · `.
    pub(crate) metrics: String,
    /// The best trial now, where a later run of the experiment (`--extend`, a raised
    /// `--run-cap`) found a better one than the trial measured; it is measured when that run
    /// ends.
    /// With its page.
    pub(crate) best_now: Option<(u32, String)>,
}

impl TestSplit {
    /// Returns how the summary shows `result`, measured on experiment `experiment`.
    pub(crate) fn of(experiment: &str, result: &store::TestResult) -> TestSplit {
        TestSplit {
            trial: result.trial.0,
            href: format::trial_href(experiment, result.trial.0),
            metrics: result
                .metrics
                .iter()
                .map(|(name, v)| format!("{name} {}", format::value(Some(*v))))
                .collect::<Vec<_>>()
                .join(" · "),
            best_now: None,
        }
    }
}

/// A link to the experiment page with its charts for one objective (or its Pareto chart for
/// a pair of them).
#[derive(Debug, Clone)]
pub(crate) struct ObjectiveLink {
    /// The objective's name (or the pair's, `a × b`).
    pub(crate) name: String,
    /// The page with the same leaderboard, charts for this objective.
    pub(crate) href: String,
    /// Whether the charts show it now.
    pub(crate) active: bool,
}

/// Returns the trials whose objective curve the page draws: the top `TOP_CURVES` completed ones
/// (coloured) and the best `DIMMED_CURVES` pruned ones (dimmed), each list best first.
pub(crate) fn curve_trials(ranked: &[Ranked<'_>]) -> (Vec<TrialId>, Vec<TrialId>) {
    let pick = |state: TrialState, n: usize| {
        ranked
            .iter()
            .filter(|r| r.rank.is_some() && r.trial.state == state)
            .take(n)
            .map(|r| r.trial.id)
            .collect()
    };
    (
        pick(TrialState::Completed, TOP_CURVES),
        pick(TrialState::Pruned, DIMMED_CURVES),
    )
}

/// Returns the trials still running whose objective curve so far the page draws, dashed: none
/// unless the experiment's sweep runs (`ExperimentStatus::Running` as the page shows it; a
/// trial a kill left `running` in an experiment no sweep runs is not live: the page shows it
/// `interrupted`, and draws no curve of it), else the first `RUNNING_CURVES` of them to start
/// (the furthest along), by start, then by number; one whose start is unknown after those
/// whose start is known. None has a rank: none is among the top.
pub(crate) fn running_curve_trials(data: &ExperimentData) -> Vec<TrialId> {
    if data.info.status != ExperimentStatus::Running {
        return Vec::new();
    }
    data.running_by_start()
        .into_iter()
        .take(RUNNING_CURVES)
        .map(|t| t.id)
        .collect()
}

/// Returns every trial whose objective curve the page reads, ranked as `charted`: the top and
/// pruned trials of `curve_trials` and the running ones of `running_curve_trials`.
pub(crate) fn curve_ids(data: &ExperimentData, charted: &[Ranked<'_>]) -> Vec<TrialId> {
    let (top, pruned) = curve_trials(charted);
    top.into_iter()
        .chain(pruned)
        .chain(running_curve_trials(data))
        .collect()
}

/// Builds the page from the experiment, its ranked trials, its analysis, the charts the query
/// `picked` (where it picked none, the analysis's), the leaderboard selection, and the time now
/// (for the duration of a running experiment).
pub(crate) fn experiment_page<'a>(
    data: &ExperimentData,
    ranked: &[Ranked<'_>],
    (analysis, picked): (&'a Analysis, Picked),
    sel: &Selection,
    now: Timestamp,
) -> ExperimentPage<'a> {
    let info = &data.info;
    let summary = Summary::of(data, now);
    let Picked { pairs, front } = picked;
    let (front_pair, front) = match front {
        Some((pair, chart)) => (pair, Some(chart)),
        None => ((0, 1), None),
    };
    let base = format::experiment_href(&info.name);
    let problem = sel.filter_problem(&data.trials, data.spec.as_ref());
    let objectives = data.objectives();
    let mut board = leaderboard::leaderboard(
        ranked,
        sel,
        info,
        (&objectives, data.constraints()),
        problem.as_ref(),
        &base,
    );
    leaderboard::show_last_heard(&mut board, data);
    ExperimentPage {
        test: data.test.as_ref().map(|t| {
            let mut split = TestSplit::of(&info.name, t);
            split.best_now = summary
                .best_trial
                .filter(|best| *best != split.trial)
                .map(|best| (best, format::trial_href(&info.name, best)));
            split
        }),
        description: format::bidi_shown(&info.description),
        goal: objectives
            .iter()
            .map(|o| format!("{} {}", o.goal, o.name))
            .collect::<Vec<_>>()
            .join(", "),
        front: data
            .spec
            .as_ref()
            .and_then(|s| s.front_status(&data.trials))
            .unwrap_or_default(),
        pareto_axes: match (objectives.as_slice(), front_pair) {
            ([_] | [], _) => String::new(),
            ([x, y], _) => format!("{} and {}", x.name, y.name),
            ([x, y, ..], (0, 1)) => format!(
                "{} and {} (the first two of its {} objectives)",
                x.name,
                y.name,
                objectives.len()
            ),
            (all, (i, j)) => format!(
                "{} and {} (two of its {} objectives)",
                all[i].name,
                all[j].name,
                all.len()
            ),
        },
        front_links: front_links(&objectives, front_pair, sel),
        pareto_line: if objectives.len() > 2 {
            "; a trial on the front may look beaten in these two (it is better on another), \
             and a line bounds what the front beats only when none does"
        } else {
            ", and the line bounds what they beat"
        },
        target: data
            .spec
            .as_ref()
            .and_then(|s| s.target_status(&data.trials))
            .unwrap_or_default(),
        plateau: data
            .spec
            .as_ref()
            .and_then(|s| s.plateau_status(&data.trials))
            .unwrap_or_default(),
        constraints: data
            .spec
            .as_ref()
            .and_then(|s| s.constraints_status(&data.trials))
            .unwrap_or_default(),
        edges: data
            .spec
            .as_ref()
            .and_then(|s| s.edge_status(&data.trials))
            .map(|status| status.replace('`', ""))
            .unwrap_or_default(),
        warm_start: data
            .warm_start
            .as_ref()
            .map(|w| w.describe().replace('`', ""))
            .unwrap_or_default(),
        method: data.spec.as_ref().map_or("-", |s| s.method.name()),
        pruner: data.spec.as_ref().map_or("-", |s| s.pruner.name()),
        settings: data.spec.as_ref().map_or_else(Vec::new, |s| {
            let sampler = s.method.sampler_yaml().map(|y| ("sampler", y));
            let pruner = s.pruner.is_active().then(|| ("pruner", s.pruner.yaml()));
            sampler.into_iter().chain(pruner).collect()
        }),
        settings_changed: data.settings_changed.as_ref().map(|d| d.join("; ")),
        compare_href: format!("{base}/compare"),
        objective_links: if objectives.len() > 1 {
            objectives
                .iter()
                .map(|o| ObjectiveLink {
                    name: o.name.clone(),
                    href: format!(
                        "{}#objectives",
                        sel.query(|s| s.objective = Some(o.name.clone()))
                    ),
                    active: o.name == analysis.objective,
                })
                .collect()
        } else {
            Vec::new()
        },
        pairs_pick: sel
            .pairs
            .clone()
            .unwrap_or_else(|| analysis.pairs_params.join(",")),
        params: analysis.params.join(", "),
        pareto: front.map_or(Cow::Borrowed(analysis.pareto.as_str()), Cow::Owned),
        pairs: match &pairs {
            Some(Ok(p)) => Cow::Owned(p.0.clone()),
            _ => Cow::Borrowed(analysis.pairs.as_str()),
        },
        pairs_error: match &pairs {
            Some(Err(e)) => e.clone(),
            _ => String::new(),
        },
        pairs_note: match pairs {
            Some(Ok(p)) => Cow::Owned(p.1),
            _ => Cow::Borrowed(analysis.pairs_note.as_str()),
        },
        charts: analysis,
        notices: Vec::new(),
        spec_notice: data
            .spec_problem
            .as_deref()
            .map(super::spec_notice)
            .unwrap_or_default(),
        record_notice: data
            .unreadable
            .iter()
            .map(|(what, problem)| super::record_notice(what, problem))
            .collect::<Vec<_>>()
            .join(". "),
        epochs: String::new(),
        pruned_at: String::new(),
        constraint_stops: constraint_stops(&data.trials, summary.pruned),
        resume: String::new(),
        rungs: data
            .spec
            .as_ref()
            .and_then(|s| s.rungs_text())
            .unwrap_or_default(),
        live: summary.live,
        summary,
        board,
    }
}

/// Says how many of the `pruned` trials among `trials` the sweep stopped for breaking a
/// constraint that no epoch changes rather than by its pruner: the runner prunes them at their
/// first epoch with the reason `breaks the constraint …, which no epoch changes`. Empty when
/// none was.
fn constraint_stops(trials: &[Trial], pruned: usize) -> String {
    let stopped = trials
        .iter()
        .filter(|t| t.state == TrialState::Pruned)
        .filter(|t| {
            t.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("breaks the constraint"))
        })
        .count();
    let what = "stopped for breaking a constraint no epoch changes, not by a pruner";
    match stopped {
        0 => String::new(),
        n if n == pruned && n == 1 => format!("that one {what}"),
        n if n == pruned => format!("all {n} {what}"),
        n => format!("{n} of them {what}"),
    }
}
