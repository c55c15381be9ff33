//! The experiment page: summary, leaderboard, and the analysis charts.
//!
//! Scale is handled here, by choosing what to draw: the history downsamples inside its chart;
//! learning curves are read for the top `TOP_CURVES` completed and best `DIMMED_CURVES` pruned
//! trials only; parallel coordinates and slices draw the best `TOP_LINES` trials plus an evenly
//! spaced sample of the rest, `MAX_LINES` in all; importance uses every completed trial but works
//! on histograms.

use std::borrow::Cow;
use std::collections::BTreeMap;

use experiment::{Direction, MetricSpec, Timestamp, Trial, TrialId, TrialState};
use store::ExperimentStatus;

use super::format;
use super::leaderboard::{self, Leaderboard, Ranked, Selection};
use super::space::{param_axes, ParamAxis};
use super::Summary;
use crate::charts::{
    self, Curve, Emphasis, Ending, HistoryPoint, ParAxis, ParLine, ParetoPoint, Scale, Slice, Span,
};
use crate::data::{ExperimentData, Series};
use crate::importance;

/// Trials whose curves are drawn in colour.
pub(crate) const TOP_CURVES: usize = 8;
/// Pruned trials whose curves are drawn dimmed behind them.
pub(crate) const DIMMED_CURVES: usize = 24;
/// The best trials always drawn in parallel coordinates and slices.
pub(crate) const TOP_LINES: usize = 100;
/// The most trials drawn in parallel coordinates and slices.
pub(crate) const MAX_LINES: usize = 400;

/// The experiment page.
#[derive(Debug, Clone)]
pub(crate) struct ExperimentPage<'a> {
    /// The header numbers.
    pub(crate) summary: Summary,
    /// The description from the spec.
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
    /// With several objectives, a link to the charts of each; empty with one.
    pub(crate) objective_links: Vec<ObjectiveLink>,
    /// The pair plots: the analysis's, or those of the parameters the query picked.
    pub(crate) pairs: Cow<'a, str>,
    /// Which parameters they take, in words.
    pub(crate) pairs_note: Cow<'a, str>,
    /// Their names, comma-separated, as the pick's field shows them.
    pub(crate) pairs_pick: String,
    /// Every parameter's name, comma-separated, for the pick's hint.
    pub(crate) params: String,
    /// What the sweep running the experiment says of it now (which agent it waits for).
    pub(crate) notices: Vec<String>,
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

/// What the query picked for one request, drawn apart from the cached analysis.
#[derive(Debug, Clone, Default)]
pub(crate) struct Picked {
    /// The pair plots of the picked parameters and their note (`picked_pairs`).
    pub(crate) pairs: Option<(String, String)>,
    /// The picked pair of objectives (indices) and its Pareto chart (`picked_front`).
    pub(crate) front: Option<((usize, usize), String)>,
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
    let board = leaderboard::leaderboard(
        ranked,
        sel,
        info,
        (&objectives, data.constraints()),
        problem.as_ref(),
        &base,
    );
    ExperimentPage {
        test: data.test.as_ref().map(|t| TestSplit::of(&info.name, t)),
        description: info.description.clone(),
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
                        "{}#history",
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
        pairs: pairs
            .as_ref()
            .map_or(Cow::Borrowed(analysis.pairs.as_str()), |p| {
                Cow::Owned(p.0.clone())
            }),
        pairs_note: pairs.map_or(Cow::Borrowed(analysis.pairs_note.as_str()), |p| {
            Cow::Owned(p.1)
        }),
        charts: analysis,
        notices: Vec::new(),
        live: summary.live,
        summary,
        board,
    }
}

/// The parts of the experiment page that do not depend on the leaderboard's query: the rank
/// order and the charts, computed once per snapshot of the experiment.
#[derive(Debug, Clone)]
pub(crate) struct Analysis {
    /// The objective the charts below the front show.
    pub(crate) objective: String,
    /// (index into the trials, objective rank) in rank order.
    pub(crate) order: Vec<(usize, Option<usize>)>,
    /// Optimization history (SVG).
    pub(crate) history: String,
    /// The Pareto front of the first two objectives (SVG); empty with one objective.
    pub(crate) pareto: String,
    /// The hypervolume of the trials so far by trial number (SVG); empty unless there are two
    /// objectives.
    pub(crate) hypervolume: String,
    /// Learning curves of the top trials (SVG).
    pub(crate) curves: String,
    /// Parallel coordinates (SVG).
    pub(crate) parallel: String,
    /// Parameter importance (SVG).
    pub(crate) importance: String,
    /// The most important parameters, two at a time (SVG).
    pub(crate) pairs: String,
    /// Which parameters the pair plots take, in words.
    pub(crate) pairs_note: String,
    /// Their names.
    pub(crate) pairs_params: Vec<String>,
    /// Every parameter's name, as the charts order them.
    pub(crate) params: Vec<String>,
    /// Slice plots (SVG).
    pub(crate) slices: String,
    /// When each trial ran (SVG).
    pub(crate) timeline: String,
    /// Which trials the timeline draws, e.g. `all 40 trials that started`.
    pub(crate) timeline_note: String,
    /// How many trials parallel coordinates and slices draw, e.g. `all 40 trials`.
    pub(crate) sample_note: String,
}

/// Computes the analysis of an experiment for its first objective (`analysis_for`).
#[cfg(test)]
pub(crate) fn analysis(
    data: &ExperimentData,
    ranked: &[Ranked<'_>],
    curves: &BTreeMap<TrialId, Series>,
    now: Timestamp,
) -> Analysis {
    let first = MetricSpec {
        name: data.info.objective.clone(),
        goal: data.info.goal,
    };
    let charted = charted(data, &first);
    analysis_for(data, (ranked, &charted), curves, now, &first)
}

/// Returns the trials ranked by `chosen` alone, as the charts below the front rank them (with
/// one objective, as the leaderboard does).
pub(crate) fn charted<'t>(data: &'t ExperimentData, chosen: &MetricSpec) -> Vec<Ranked<'t>> {
    leaderboard::ranked(
        &data.trials,
        std::slice::from_ref(chosen),
        data.constraints(),
    )
}

/// Computes the analysis of an experiment from its trials `ranked` as the leaderboard ranks
/// them and as `charted` ranks them by `chosen`, one of its objectives, and the curves of
/// `curve_trials` of `charted`: its charts (but the front's) are for `chosen`.
pub(crate) fn analysis_for(
    data: &ExperimentData,
    (ranked, charted): (&[Ranked<'_>], &[Ranked<'_>]),
    curves: &BTreeMap<TrialId, Series>,
    now: Timestamp,
    chosen: &MetricSpec,
) -> Analysis {
    let objective = chosen.name.as_str();
    let axes = param_axes(data.spec.as_ref(), &data.trials);
    let sample = sample(charted);
    let sample_note = if sample.len() == finite(charted).count() {
        format!("all {} trials with a value", sample.len())
    } else {
        format!(
            "the best {TOP_LINES} and an even sample of the rest, {} of {} trials",
            sample.len(),
            finite(charted).count()
        )
    };
    let (timeline, timeline_note) = timeline_chart(data, now);
    let importance = importance_of(&axes, &data.trials, objective, chosen.goal);
    let (pairs, pairs_note, pairs_params) = pairs_chart(
        &axes,
        &sample,
        Pairing::Important(importance.as_deref()),
        objective,
        chosen.goal,
    );
    let index: std::collections::HashMap<TrialId, usize> = data
        .trials
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id, i))
        .collect();
    Analysis {
        objective: objective.to_string(),
        order: ranked
            .iter()
            .filter_map(|r| Some((*index.get(&r.trial.id)?, r.rank)))
            .collect(),
        history: history_chart(data, chosen),
        pareto: pareto_chart(data, (0, 1)),
        hypervolume: hypervolume_chart(data),
        curves: curves_chart(charted, curves, objective),
        parallel: parallel_chart(&axes, &sample, objective, chosen.goal),
        importance: importance_chart(importance.as_deref(), &data.trials),
        pairs,
        pairs_note,
        pairs_params,
        params: axes.iter().map(|a| a.name.clone()).collect(),
        slices: slices_chart(&axes, &sample, objective),
        sample_note,
        timeline,
        timeline_note,
    }
}

/// Returns the ranked trials an analysis recorded.
pub(crate) fn ranked_from<'a>(
    trials: &'a [Trial],
    order: &[(usize, Option<usize>)],
) -> Vec<Ranked<'a>> {
    order
        .iter()
        .filter_map(|&(i, rank)| {
            Some(Ranked {
                rank,
                trial: trials.get(i)?,
            })
        })
        .collect()
}

fn finite<'a, 'b>(ranked: &'b [Ranked<'a>]) -> impl Iterator<Item = &'b Ranked<'a>> {
    ranked.iter().filter(|r| {
        r.rank.is_some() && matches!(r.trial.state, TrialState::Completed | TrialState::Pruned)
    })
}

/// Returns the trials drawn in parallel coordinates and slices, best first: the best
/// `TOP_LINES`, then every k-th of the rest, at most `MAX_LINES` in all.
pub(crate) fn sample<'a>(ranked: &[Ranked<'a>]) -> Vec<Ranked<'a>> {
    let all: Vec<Ranked<'a>> = finite(ranked).copied().collect();
    if all.len() <= MAX_LINES {
        return all;
    }
    let rest = &all[TOP_LINES..];
    let want = MAX_LINES - TOP_LINES;
    let mut out: Vec<Ranked<'a>> = all[..TOP_LINES].to_vec();
    out.extend((0..want).map(|k| rest[k * rest.len() / want]));
    out
}

/// The most trials the timeline draws; past it, an even sample of them by number (a bar is
/// then under a pixel high, and each adds to the page).
pub(crate) const MAX_BARS: usize = 600;

/// Returns the timeline of the trials that started, and which of them it draws. A trial not
/// finished runs to the time now while its sweep runs, else to the last time the store knows.
fn timeline_chart(data: &ExperimentData, now: Timestamp) -> (String, String) {
    let started: Vec<&Trial> = data.trials.iter().filter(|t| t.started.is_some()).collect();
    let Some(origin) = started.iter().filter_map(|t| t.started).map(|t| t.0).min() else {
        return (charts::timeline(&[]), "no trial has started yet".into());
    };
    let open_end = if data.info.status == ExperimentStatus::Running {
        now.0
    } else {
        started
            .iter()
            .flat_map(|t| [t.started, t.finished])
            .flatten()
            .map(|t| t.0)
            .max()
            .unwrap_or(origin)
    };
    let seconds = |ms: i64| {
        // Milliseconds since the origin fit a double exactly for 285,000 years.
        #[allow(clippy::cast_precision_loss)]
        let s = (ms - origin).max(0) as f64 / 1000.0;
        s
    };
    let drawn: Vec<&Trial> = if started.len() <= MAX_BARS {
        started.clone()
    } else {
        (0..MAX_BARS)
            .map(|k| started[k * started.len() / MAX_BARS])
            .collect()
    };
    let spans: Vec<Span> = drawn
        .iter()
        .map(|t| {
            let start = t.started.map_or(origin, |s| s.0);
            Span {
                trial: t.id.0,
                start: seconds(start),
                end: seconds(t.finished.map_or(open_end, |f| f.0).max(start)),
                ending: match t.state {
                    TrialState::Completed => Ending::Completed,
                    TrialState::Pruned => Ending::Pruned,
                    TrialState::Failed => Ending::Failed,
                    _ => Ending::Open,
                },
            }
        })
        .collect();
    let mut note = if drawn.len() == started.len() {
        format!("all {} trials that started", started.len())
    } else {
        format!(
            "an even sample of {} of the {} trials that started",
            drawn.len(),
            started.len()
        )
    };
    let live = data.info.status == ExperimentStatus::Running;
    if let Some(c) = experiment::concurrency(&data.trials, live.then_some(now)) {
        if c.peak > 1 {
            note.push_str(&format!(
                "; on average {:.2} trials ran side by side, of at most {} ({:.0}%)",
                c.average,
                c.peak,
                100.0 * c.average / c.peak as f64
            ));
        }
    }
    (charts::timeline(&spans), note)
}

/// Returns the Pareto front chart over the objectives at `(x, y)` (indices; the front is
/// every objective's); empty for one objective.
pub(crate) fn pareto_chart(data: &ExperimentData, (x, y): (usize, usize)) -> String {
    let objectives = data.objectives();
    let (Some(x), Some(y)) = (objectives.get(x), objectives.get(y)) else {
        return String::new();
    };
    if x.name == y.name {
        return String::new();
    }
    let constraints = data.constraints();
    let front: std::collections::HashSet<TrialId> =
        experiment::pareto_front(&data.trials, &objectives, constraints)
            .iter()
            .map(|t| t.id)
            .collect();
    let points: Vec<ParetoPoint> = data
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Completed)
        .filter_map(|t| {
            Some(ParetoPoint {
                trial: t.id.0,
                x: t.value(&x.name)?,
                y: t.value(&y.name)?,
                on_front: front.contains(&t.id),
                feasible: experiment::feasible(constraints, t),
            })
        })
        .collect();
    charts::pareto(&points, (&x.name, x.goal), (&y.name, y.goal))
}

/// The most trial numbers at which the hypervolume history is measured, evenly spaced.
const HYPERVOLUME_STEPS: usize = 400;

/// Returns the hypervolume history of a study with several objectives: after each completed trial
/// that meets the constraints (at most `HYPERVOLUME_STEPS` of them, evenly spaced), the share
/// that the trials so far dominate of the box from the best value of each objective to a
/// reference point a tenth of the range beyond the worst (`experiment::pareto::reference`), so
/// that objectives in any units read alike; empty with one objective.
pub(crate) fn hypervolume_chart(data: &ExperimentData) -> String {
    let objectives = data.objectives();
    if objectives.len() < 2 {
        return String::new();
    }
    let constraints = data.constraints();
    let mut done: Vec<(u32, Vec<f64>)> = data
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Completed && experiment::feasible(constraints, t))
        .filter_map(|t| Some((t.id.0, experiment::pareto::oriented(t, &objectives)?)))
        .filter(|(_, p)| p.iter().all(|v| v.is_finite()))
        .collect();
    done.sort_by_key(|(id, _)| *id);
    let points: Vec<Vec<f64>> = done.iter().map(|(_, p)| p.clone()).collect();
    let Some(frame) = experiment::pareto::Frame::around(&points) else {
        return charts::hypervolume_history(&[]);
    };
    let n = points.len();
    let step = n.div_ceil(HYPERVOLUME_STEPS).max(1);
    // The front so far: what a point dominates adds nothing, so each measure needs only the
    // front (with three objectives or more the measure grows faster than linearly).
    let mut front: Vec<Vec<f64>> = Vec::new();
    let mut history = Vec::new();
    for (m, point) in points.iter().enumerate() {
        if !front
            .iter()
            .any(|f| f == point || experiment::pareto::dominates(f, point))
        {
            front.retain(|f| !experiment::pareto::dominates(point, f));
            front.push(point.clone());
        }
        if (m + 1) % step == 0 || m + 1 == n {
            history.push((f64::from(done[m].0), frame.share(&front)));
        }
    }
    charts::hypervolume_history(&history)
}

/// Returns the history chart of `chosen` over all trials; the spec's target, which only one
/// objective takes, is drawn on it.
pub(crate) fn history_chart(data: &ExperimentData, chosen: &MetricSpec) -> String {
    let objective = &chosen.name;
    let points: Vec<HistoryPoint> = data
        .trials
        .iter()
        .filter_map(|t| {
            Some(HistoryPoint {
                trial: t.id.0,
                value: t.value(objective)?,
                state: t.state,
                feasible: experiment::feasible(data.constraints(), t),
            })
        })
        .collect();
    let target = data.spec.as_ref().and_then(|s| s.target);
    charts::history(&points, objective, chosen.goal, target)
}

fn curves_chart(
    ranked: &[Ranked<'_>],
    series: &BTreeMap<TrialId, Series>,
    objective: &str,
) -> String {
    let (top, pruned) = curve_trials(ranked);
    let to_points = |id: &TrialId| -> Vec<(f64, f64)> {
        series
            .get(id)
            .map(|s| s.iter().map(|(step, v)| (f64::from(step.0), *v)).collect())
            .unwrap_or_default()
    };
    let mut lines: Vec<Curve> = pruned
        .iter()
        .map(|id| Curve {
            label: format!("trial {id}"),
            points: to_points(id),
            emphasis: Emphasis::Dimmed,
        })
        .collect();
    lines.extend(top.iter().enumerate().map(|(i, id)| Curve {
        label: format!("trial {id}"),
        points: to_points(id),
        emphasis: Emphasis::Colour(i),
    }));
    charts::curves(
        &lines,
        (1300, 380),
        ("epoch", &charts::metric_title(objective)),
        "pruned trials",
        "no completed trials yet",
    )
}

fn parallel_chart(
    axes: &[ParamAxis],
    sample: &[Ranked<'_>],
    objective: &str,
    goal: Direction,
) -> String {
    let trials: Vec<&Trial> = sample.iter().map(|r| r.trial).collect();
    let values: Vec<f64> = trials.iter().filter_map(|t| t.value(objective)).collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let mut par_axes = titled(axes.iter(), &trials);
    par_axes.push(ParAxis {
        title: objective.to_string(),
        scale: Scale::Linear { min: lo, max: hi },
    });
    let lines: Vec<ParLine> = sample
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut values: Vec<Option<f64>> = axes.iter().map(|a| a.value_of(r.trial)).collect();
            values.push(r.trial.value(objective));
            ParLine {
                values,
                goodness: goodness(i, sample.len()),
            }
        })
        .collect();
    let (best, worst) = rank_labels(&values, goal);
    let width = (240 + 130 * u32::try_from(par_axes.len()).unwrap_or(8)).clamp(700, 1300);
    charts::parallel(&par_axes, &lines, width, (&best, &worst))
}

/// Returns the chart axes of `axes` over `trials`, a log axis titled so.
fn titled<'a>(axes: impl Iterator<Item = &'a ParamAxis>, trials: &[&Trial]) -> Vec<ParAxis> {
    axes.map(|a| {
        let scale = a.scale(trials);
        let title = if matches!(scale, Scale::Log { .. }) {
            format!("{} (log)", a.name)
        } else {
            a.name.clone()
        };
        ParAxis { title, scale }
    })
    .collect()
}

/// Returns how good the `i`-th best of `n` sampled trials is, from 1 (the best) to 0.
fn goodness(i: usize, n: usize) -> f64 {
    1.0 - i as f64 / (n.max(2) - 1) as f64
}

/// Returns the colour bar's labels: the best and worst of `values`, the objective going `goal`.
fn rank_labels(values: &[f64], goal: Direction) -> (String, String) {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    match (values.is_empty(), goal) {
        (true, _) => ("best".to_string(), "worst".to_string()),
        (false, Direction::Maximize) => (
            format!("best {}", charts::tick(hi)),
            format!("worst {}", charts::tick(lo)),
        ),
        (false, Direction::Minimize) => (
            format!("best {}", charts::tick(lo)),
            format!("worst {}", charts::tick(hi)),
        ),
    }
}

/// How many parameters the pair plots take, the most important first: 3 make 3 pairs.
const PAIRED: usize = 3;

/// Which parameters the pair plots take.
#[derive(Debug, Clone, Copy)]
enum Pairing<'p> {
    /// The most important ones (by these shares; without them, the first in name order).
    Important(Option<&'p [(String, f64)]>),
    /// These, in this order.
    Picked(&'p [String]),
}

/// Returns the pair plots of the parameters `pairing` says over the sampled trials, a note
/// saying which, and their names.
fn pairs_chart(
    axes: &[ParamAxis],
    sample: &[Ranked<'_>],
    pairing: Pairing<'_>,
    objective: &str,
    goal: Direction,
) -> (String, String, Vec<String>) {
    let mut chosen: Vec<&ParamAxis> = axes.iter().collect();
    let note = match pairing {
        Pairing::Picked(names) => {
            chosen = names
                .iter()
                .filter_map(|n| axes.iter().find(|a| a.name == *n))
                .collect();
            "the parameters picked"
        }
        Pairing::Important(Some(shares)) => {
            let share = |a: &ParamAxis| {
                shares
                    .iter()
                    .find(|(name, _)| *name == a.name)
                    .map_or(0.0, |s| s.1)
            };
            // Stable: equal shares keep name order.
            chosen.sort_by(|a, b| share(b).total_cmp(&share(a)));
            chosen.truncate(PAIRED);
            "the most important parameters, by the importance above"
        }
        Pairing::Important(None) => {
            chosen.truncate(PAIRED);
            "the first parameters by name (importance needs more trials)"
        }
    };
    let trials: Vec<&Trial> = sample.iter().map(|r| r.trial).collect();
    let pair_axes = titled(chosen.iter().copied(), &trials);
    let points: Vec<ParLine> = sample
        .iter()
        .enumerate()
        .map(|(i, r)| ParLine {
            values: chosen.iter().map(|a| a.value_of(r.trial)).collect(),
            goodness: goodness(i, sample.len()),
        })
        .collect();
    let values: Vec<f64> = trials.iter().filter_map(|t| t.value(objective)).collect();
    let (best, worst) = rank_labels(&values, goal);
    let chart = charts::pairs(&pair_axes, &points, (&best, &worst));
    let names = chosen.iter().map(|a| a.name.clone()).collect();
    (chart, note.to_string(), names)
}

/// Returns the pair of objectives (indices) named in `names` (comma-separated, two different
/// objectives of a study with three or more) and its Pareto chart, for one request;
/// `Error::BadRequest` names the objectives when the pick is not such a pair.
pub(crate) fn picked_front(
    data: &ExperimentData,
    names: &str,
) -> crate::Result<((usize, usize), String)> {
    let objectives = data.objectives();
    let index = |name: &str| objectives.iter().position(|o| o.name == name.trim());
    let pair = match names.split(',').collect::<Vec<_>>().as_slice() {
        [a, b] => index(a).zip(index(b)).filter(|(i, j)| i != j),
        _ => None,
    };
    let Some(pair) = pair.filter(|_| objectives.len() > 2) else {
        let all: Vec<&str> = objectives.iter().map(|o| o.name.as_str()).collect();
        return Err(crate::Error::BadRequest(format!(
            "front takes two different objectives, comma-separated, of a study with three or \
             more; this one has: {}; found {names:?}",
            all.join(", ")
        )));
    };
    Ok((pair, pareto_chart(data, pair)))
}

/// Returns a link to the Pareto chart of each pair of `objectives` when there are three or
/// more (none otherwise), the one of `shown` active.
fn front_links(
    objectives: &[MetricSpec],
    shown: (usize, usize),
    sel: &Selection,
) -> Vec<ObjectiveLink> {
    if objectives.len() < 3 {
        return Vec::new();
    }
    let mut links = Vec::new();
    for (i, x) in objectives.iter().enumerate() {
        for (j, y) in objectives.iter().enumerate().skip(i + 1) {
            let pick = format!("{},{}", x.name, y.name);
            links.push(ObjectiveLink {
                name: format!("{} × {}", x.name, y.name),
                href: format!("{}#pareto", sel.query(|s| s.front = Some(pick))),
                active: shown == (i, j) || shown == (j, i),
            });
        }
    }
    links
}

/// Returns the pair plots of the parameters named in `names` (comma-separated, 2 or `PAIRED`
/// of the experiment's) for `chosen`, for one request, with their note;
/// `Error::BadRequest` says which parameters there are when the pick is not such a list.
pub(crate) fn picked_pairs(
    data: &ExperimentData,
    chosen: &MetricSpec,
    names: &str,
) -> crate::Result<(String, String)> {
    let axes = param_axes(data.spec.as_ref(), &data.trials);
    let picked: Vec<String> = names
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let known = |n: &String| axes.iter().any(|a| a.name == *n);
    let distinct = picked
        .iter()
        .enumerate()
        .all(|(i, n)| !picked[..i].contains(n));
    if !(2..=PAIRED).contains(&picked.len()) || !distinct || !picked.iter().all(known) {
        let all: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
        return Err(crate::Error::BadRequest(format!(
            "pairs takes 2 or {PAIRED} different parameters, comma-separated, of: {}; found \
             {names:?}",
            all.join(", ")
        )));
    }
    let charted = charted(data, chosen);
    let (chart, note, _) = pairs_chart(
        &axes,
        &sample(&charted),
        Pairing::Picked(&picked),
        &chosen.name,
        chosen.goal,
    );
    Ok((chart, note))
}

/// Returns each parameter's importance over the finished trials with a value, or `None` with
/// too few. Pruned trials count, ranked after every completed trial (as the samplers rank
/// them): a sweep that prunes most trials still says which parameters the survivors share.
pub(crate) fn importance_of(
    axes: &[ParamAxis],
    trials: &[Trial],
    objective: &str,
    goal: Direction,
) -> Option<Vec<(String, f64)>> {
    let oriented = |t: &Trial| {
        t.value(objective).filter(|v| v.is_finite()).map(|v| {
            if goal == Direction::Maximize {
                -v
            } else {
                v
            }
        })
    };
    let of = |state: TrialState| -> Vec<(&Trial, f64)> {
        trials
            .iter()
            .filter(|t| t.state == state)
            .filter_map(|t| oriented(t).map(|v| (t, v)))
            .collect()
    };
    let completed = of(TrialState::Completed);
    let pruned = of(TrialState::Pruned);
    let worst = completed.iter().map(|c| c.1).reduce(f64::max)?;
    // Shift pruned values past the worst completed one, keeping their order.
    let offset = pruned
        .iter()
        .map(|p| p.1)
        .reduce(f64::min)
        .map_or(0.0, |least| worst - least + 1.0);
    let ranked: Vec<(&Trial, f64)> = completed
        .into_iter()
        .chain(pruned.into_iter().map(|(t, v)| (t, v + offset)))
        .collect();
    let done: Vec<&Trial> = ranked.iter().map(|r| r.0).collect();
    let values: Vec<f64> = ranked.iter().map(|r| r.1).collect();
    let columns: Vec<importance::Column> = axes.iter().map(|a| a.column(&done)).collect();
    let scores = importance::ped_anova(&columns, &values)?;
    Some(axes.iter().map(|a| a.name.clone()).zip(scores).collect())
}

fn importance_chart(importance: Option<&[(String, f64)]>, trials: &[Trial]) -> String {
    match importance {
        Some(items) => charts::importance(items, ""),
        None => {
            let done = trials
                .iter()
                .filter(|t| matches!(t.state, TrialState::Completed | TrialState::Pruned))
                .count();
            charts::importance(
                &[],
                &format!(
                    "needs {} completed or pruned trials ({done} so far)",
                    importance::MIN_TRIALS
                ),
            )
        }
    }
}

fn slices_chart(axes: &[ParamAxis], sample: &[Ranked<'_>], objective: &str) -> String {
    let trials: Vec<&Trial> = sample.iter().map(|r| r.trial).collect();
    let panels: Vec<Slice> = axes
        .iter()
        .map(|a| Slice {
            name: a.name.clone(),
            scale: a.scale(&trials),
            points: trials
                .iter()
                .filter_map(|t| Some((a.value_of(t)?, t.value(objective)?)))
                .collect(),
        })
        .collect();
    charts::slices(&panels, objective)
}
