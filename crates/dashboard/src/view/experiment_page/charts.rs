//! The experiment page's charts, each drawn from the experiment's trials (or the sampled ones)
//! through `crate::charts`; those coloured by rank (parallel coordinates, pairs) are in
//! `ranked`.

use std::collections::BTreeMap;

use experiment::{MetricSpec, Timestamp, Trial, TrialId, TrialState};
use store::ExperimentStatus;

use super::curve_trials;
use crate::charts::{
    self, Curve, Cut, Emphasis, Ending, HistoryPoint, ParetoPoint, Slice, SlicePoint, Span,
};
use crate::data::{ExperimentData, Series};
use crate::importance;
use crate::view::format;
use crate::view::leaderboard::Ranked;
use crate::view::space::ParamAxis;

/// The most trials the timeline draws; past it, an even sample of them by number (a bar is
/// then under a pixel high, and each adds to the page).
pub(crate) const MAX_BARS: usize = 600;

/// Returns the timeline of the trials that started, which of them it draws, and whether any
/// trial, or an attempt cut off, has started (`Analysis::started`). A trial not
/// finished runs to the time now while its sweep runs; one a kill left running, to its last
/// report where its record's trace keeps one (`TrialTrace::interrupted_at`), else it is a mark
/// at its start. The attempts its trace keeps as cut off (`data.traces`) are drawn on its row,
/// and those of a trial put back in the queue on its own (unless the trials are sampled).
pub(super) fn timeline_chart(data: &ExperimentData, now: Timestamp) -> (String, String, bool) {
    let started: Vec<&Trial> = data.trials.iter().filter(|t| t.started.is_some()).collect();
    let cut_starts = data
        .traces
        .values()
        .flat_map(|t| t.cut.iter().map(|c| c.started.0));
    let starts = started.iter().filter_map(|t| t.started).map(|t| t.0);
    let Some(origin) = starts.chain(cut_starts).min() else {
        return (
            charts::timeline(&[], &[], ""),
            "no trial has started yet".into(),
            false,
        );
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
    let live = data.info.status == ExperimentStatus::Running;
    let spans: Vec<Span> = drawn
        .iter()
        .map(|t| {
            let start = t.started.map_or(origin, |s| s.0);
            let heard = data
                .traces
                .get(&t.id)
                .and_then(|trace| trace.interrupted_at(t, live));
            let ending = match t.state {
                TrialState::Completed => Ending::Completed,
                TrialState::Pruned => Ending::Pruned,
                TrialState::Failed => Ending::Failed,
                _ if live => Ending::Open,
                // A killed sweep's trial: a bar to its last report, or a mark at its start, not
                // a bar to a made-up end.
                _ if heard.is_some() => Ending::Interrupted,
                _ => Ending::Unknown,
            };
            let end = match ending {
                Ending::Unknown => start,
                Ending::Interrupted => heard.map_or(start, |h| h.0).max(start),
                _ => t.finished.map_or(open_end, |f| f.0).max(start),
            };
            Span {
                trial: t.id.0,
                start: seconds(start),
                end: seconds(end),
                ending,
            }
        })
        .collect();
    // The attempts cut off of the trials drawn; with every trial drawn, also those of trials
    // put back in the queue and not run again, on rows of their own.
    let whole = drawn.len() == started.len();
    let rows: std::collections::BTreeSet<TrialId> = drawn.iter().map(|t| t.id).collect();
    let cuts: Vec<Cut> = (data.traces.iter())
        .filter(|(id, _)| whole || rows.contains(id))
        .flat_map(|(id, trace)| {
            trace.cut.iter().map(|c| Cut {
                trial: id.0,
                start: seconds(c.started.0),
                end: seconds(c.ended.0.max(c.started.0)),
                epochs: c.epochs,
                by: c.by.as_str(),
                time_known: c.by.time_known(),
            })
        })
        .collect();
    let mut note = if whole {
        match started.len() {
            1 => "the 1 trial that started".to_string(),
            n => format!("all {n} trials that started"),
        }
    } else {
        format!(
            "an even sample of {} of the {} trials that started",
            drawn.len(),
            started.len()
        )
    };
    if let Some(c) = experiment::concurrency(&data.trials, &data.kept_spans(), live.then_some(now))
    {
        if c.peak > 1 {
            note.push_str(&format!(
                "; on average {:.2} trials ran side by side, of at most {} ({:.0}%)",
                c.average,
                c.peak,
                100.0 * c.average / c.peak as f64
            ));
        }
    }
    if !cuts.is_empty() {
        note.push_str(&format!(
            "; {} attempt{} cut off by a stop or a kill, each a thin grey bar on its trial's row",
            cuts.len(),
            if cuts.len() == 1 { "" } else { "s" }
        ));
    }
    (
        charts::timeline(&spans, &cuts, &format::trials_href(&data.info.name)),
        note,
        true,
    )
}

/// Returns the Pareto front chart over the objectives at `(x, y)` (indices; the front is
/// every objective's); empty for one objective.
pub(super) fn pareto_chart(data: &ExperimentData, (x, y): (usize, usize)) -> String {
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
    let pages = format::trials_href(&data.info.name);
    charts::pareto(
        &points,
        (&x.name, x.goal),
        (&y.name, y.goal),
        data.task(),
        &pages,
    )
}

/// The most trial numbers at which the hypervolume history is measured, evenly spaced.
const HYPERVOLUME_STEPS: usize = 400;

/// Returns the hypervolume history of a study with several objectives: after each completed trial
/// that meets the constraints (at most `HYPERVOLUME_STEPS` of them, evenly spaced), the share
/// that the trials so far dominate of the box from the best value of each objective to a
/// reference point a tenth of the range beyond the worst (`experiment::pareto::reference`), so
/// that objectives in any units read alike; empty with one objective.
pub(super) fn hypervolume_chart(data: &ExperimentData) -> String {
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
pub(super) fn history_chart(data: &ExperimentData, chosen: &MetricSpec) -> String {
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
    let pages = format::trials_href(&data.info.name);
    let chart = charts::history(&points, objective, chosen.goal, target, data.task(), &pages);
    charts::described_by(chart, "history-hint")
}

/// Returns the learning curves of the top trials and the pruned ones among `ranked`, and of
/// the trials still `running` (`running_curve_trials`: their curves so far, dashed, never among
/// the top), from their `series`, of the `objective` of an experiment of `task` (its goal says
/// whether the axis may be logarithmic).
pub(super) fn curves_chart(
    experiment: &str,
    (ranked, running): (&[Ranked<'_>], &[TrialId]),
    series: &BTreeMap<TrialId, Series>,
    (objective, task): (&MetricSpec, charts::Task),
) -> String {
    let (top, pruned) = curve_trials(ranked);
    let best_epoch = |id: &TrialId| {
        let r = ranked.iter().find(|r| r.trial.id == *id)?;
        crate::view::best_epoch(r.trial)
    };
    let to_points = |id: &TrialId| -> Vec<(f64, f64)> {
        series
            .get(id)
            .map(|s| s.iter().map(|(step, v)| (f64::from(step.0), *v)).collect())
            .unwrap_or_default()
    };
    let mut lines: Vec<Curve> = pruned
        .iter()
        .map(|id| {
            let points = to_points(id);
            let trial = ranked.iter().find(|r| r.trial.id == *id);
            Curve {
                label: format!("trial {id}"),
                note: trial.map_or(String::new(), |r| crate::view::curve_note(r.trial, &points)),
                points,
                emphasis: Emphasis::Dimmed,
                best: None,
                href: Some(format::trial_href(experiment, id.0)),
            }
        })
        .collect();
    lines.extend(running.iter().map(|id| Curve {
        label: format!("trial {id}"),
        points: to_points(id),
        emphasis: Emphasis::Running,
        best: None,
        href: Some(format::trial_href(experiment, id.0)),
        note: String::new(),
    }));
    lines.extend(top.iter().enumerate().map(|(i, id)| Curve {
        label: format!("trial {id}"),
        points: to_points(id),
        emphasis: Emphasis::Colour(i),
        best: best_epoch(id),
        href: Some(format::trial_href(experiment, id.0)),
        note: String::new(),
    }));
    // Settled: the overlay compares the top trials where they end, which first epochs far
    // below them would squeeze into a line; a trial's page shows each curve whole.
    charts::fitted_curves(
        &lines,
        (1300, 380),
        ("epoch", &charts::metric_title(&objective.name, task)),
        Some(objective.goal),
        ("pruned trials", "no completed trials"),
        charts::Fit::Settled,
    )
}

/// Returns the importance chart of `importance`'s shares, its caption naming the top set they
/// compared with all trials, or the number of `trials` it waits for.
pub(super) fn importance_chart(
    importance: Option<&(Vec<(String, f64)>, importance::TopSet)>,
    trials: &[Trial],
) -> String {
    match importance {
        Some((items, top)) => charts::importance_of_top(items, *top, ""),
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

/// Returns the slice plots of the `objective` of an experiment of `task` against each of
/// `axes` over the sampled trials of `experiment`, each dot linked to its trial's page.
pub(super) fn slices_chart(
    experiment: &str,
    axes: &[ParamAxis],
    sample: &[Ranked<'_>],
    (objective, goal, task): (&str, experiment::Direction, charts::Task),
) -> String {
    let trials: Vec<&Trial> = sample.iter().map(|r| r.trial).collect();
    let points = |a: &ParamAxis, pruned: bool| -> Vec<SlicePoint> {
        trials
            .iter()
            .filter(|t| (t.state == TrialState::Pruned) == pruned)
            .filter_map(|t| {
                Some(SlicePoint {
                    trial: t.id.0,
                    at: (a.value_of(t)?, t.value(objective)?),
                })
            })
            .collect()
    };
    let panels: Vec<Slice> = axes
        .iter()
        .map(|a| Slice {
            name: a.name.clone(),
            scale: a.scale(&trials),
            points: points(a, false),
            pruned: points(a, true),
        })
        .collect();
    // The goal keeps the best trial on the axis, however far it lies from the others.
    let chart = charts::slices_toward(
        &panels,
        (objective, Some(goal)),
        task,
        &format::trials_href(experiment),
    );
    charts::described_by(chart, "slices-hint")
}
