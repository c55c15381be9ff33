//! The experiment page's analysis: the rank order and every chart, computed once per snapshot
//! of the experiment and shared by every view of it; the trials sampled for the line charts;
//! parameter importance.

use std::collections::BTreeMap;

use experiment::{Direction, MetricSpec, Timestamp, Trial, TrialId, TrialState};

use super::charts::{
    curves_chart, history_chart, hypervolume_chart, importance_chart, pareto_chart, slices_chart,
    timeline_chart,
};
use super::ranked::{pairs_chart, parallel_chart, Pairing, Placing};
use super::{running_curve_trials, MAX_LINES, TOP_LINES};
use crate::data::{ExperimentData, Series};
use crate::importance;
use crate::view::leaderboard::{self, Ranked};
use crate::view::space::{param_axes, ParamAxis};

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
    /// Learning curves of the top trials, the pruned ones and those running (SVG).
    pub(crate) curves: String,
    /// How many trials still running the learning curves draw, each with an epoch reported
    /// (`running_curve_trials`): the page shows the curves once one is, before any trial has a
    /// value, and says how it draws them.
    pub(crate) running_curves: usize,
    /// Which running trials the learning curves draw where they leave some out, to open the
    /// sentence that says how (`16 of 22 running trials, those that started first`); empty
    /// where they draw every one (that has reported an epoch).
    pub(crate) running_drawn: String,
    /// Parallel coordinates (SVG).
    pub(crate) parallel: String,
    /// Whether a trial drawn there lacks a parameter (a conditional one), which its line
    /// bridges dashed: the caption then says so.
    pub(crate) parallel_bridged: bool,
    /// Parameter importance (SVG).
    pub(crate) importance: String,
    /// Whether importance was computed and no parameter beats chance (every share 0): the
    /// caption then says so rather than that shares sum to 100%.
    pub(crate) importance_flat: bool,
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
    /// Whether a trial (or an attempt cut off) has started: the page shows the timeline from
    /// then on, whatever the trials' states, so that a sweep whose first trials all run, fail
    /// or were killed shows what ran and for how long.
    pub(crate) started: bool,
    /// Whether a trial has a value that the charts after the leaderboard draw (a completed or
    /// a pruned one, ranked): the page shows learning curves, parallel coordinates,
    /// importance, pairs and slices from then on, a pruned trial's at the value it was stopped
    /// with.
    pub(crate) valued: bool,
    /// Which charts the page leaves out for now and when they appear (`waiting`); empty once
    /// a trial has completed, when it draws them all.
    pub(crate) waiting: String,
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
/// `curve_ids` (the top and pruned trials of `charted` and those running): its charts (but the
/// front's) are for `chosen`.
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
        match sample.len() {
            1 => "the 1 trial with a value".to_string(),
            n => format!("all {n} trials with a value"),
        }
    } else {
        format!(
            "the best {TOP_LINES} and an even sample of the rest, {} of {} trials",
            sample.len(),
            finite(charted).count()
        )
    };
    let (timeline, timeline_note, started) = timeline_chart(data, now);
    let valued = !sample.is_empty();
    let running = running_curve_trials(data);
    let running_curves = running
        .iter()
        .filter(|id| {
            curves
                .get(id)
                .is_some_and(|s| s.iter().any(|(_, v)| v.is_finite()))
        })
        .count();
    let completed = data.trials.iter().any(|t| t.state == TrialState::Completed);
    let placing = Placing::of(data);
    let importance = importance_of(&axes, &data.trials, objective, chosen.goal);
    let (pairs, pairs_note, pairs_params) = pairs_chart(
        &data.info.name,
        &axes,
        &sample,
        Pairing::Important(importance.as_ref().map(|(shares, _)| shares.as_slice())),
        (objective, placing),
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
        curves: curves_chart(
            &data.info.name,
            (charted, &running),
            curves,
            (chosen, data.task()),
        ),
        running_curves,
        running_drawn: running_drawn(data, (running.len(), running_curves)),
        parallel: parallel_chart(
            &data.info.name,
            &axes,
            &sample,
            (objective, chosen.goal, placing),
        ),
        parallel_bridged: sample
            .iter()
            .any(|r| axes.iter().any(|a| a.value_of(r.trial).is_none())),
        importance: importance_chart(importance.as_ref(), &data.trials),
        importance_flat: importance
            .as_ref()
            .is_some_and(|(items, _)| !crate::charts::importance_stands_out(items)),
        pairs,
        pairs_note,
        pairs_params,
        params: axes.iter().map(|a| a.name.clone()).collect(),
        slices: slices_chart(
            &data.info.name,
            &axes,
            &sample,
            (objective, chosen.goal, data.task()),
        ),
        valued,
        waiting: waiting(
            completed,
            (started, valued, running_curves > 0),
            data.objectives().len() > 1,
        ),
        sample_note,
        started,
        timeline,
        timeline_note,
    }
}

/// Says which of the running trials of `data` the learning curves draw, where they take the
/// `chosen` that started first of more (`running_curve_trials`) and draw the `drawn` of them
/// that have reported an epoch, for the sentence that says how they are drawn; empty where
/// they take every one.
fn running_drawn(data: &ExperimentData, (chosen, drawn): (usize, usize)) -> String {
    let running = data
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Running)
        .count();
    if drawn == 0 || running <= chosen {
        return String::new();
    }
    if drawn < chosen {
        // A trial among the first to start that reported no epoch yet leaves a gap: those drawn
        // are not the first `drawn` to start.
        return format!(
            "{drawn} of {running} running trials: of the {chosen} that started first, those that \
             reported an epoch"
        );
    }
    format!("{drawn} of {running} running trials, those that started first")
}

/// Says which charts the experiment page leaves out for now of an experiment whose trials
/// have `started` (`Analysis::started`) and have a `valued` one (`Analysis::valued`), as it
/// draws each from the first trial it can draw: the timeline once a trial has started, the
/// learning curves once a trial `running` has reported an epoch (`Analysis::running_curves`),
/// the charts of values once one is completed or pruned, and the optimization history (and with
/// `several` objectives the Pareto front), which rank completed values, once one completes.
/// Empty once one has (`completed`).
fn waiting(
    completed: bool,
    (started, valued, running): (bool, bool, bool),
    several: bool,
) -> String {
    if completed {
        return String::new();
    }
    let history = if several {
        "the optimization history and the Pareto front appear"
    } else {
        "the optimization history appears"
    };
    match (started, valued) {
        (true, false) if running => format!(
            "no completed trials yet: the timeline below shows the trials that started, and \
             the learning curves the running trials' epochs so far; {history} once a trial \
             completes, the other charts once one completes or is pruned"
        ),
        (_, true) => format!(
            "no completed trials yet: {history} once a trial completes; the charts below draw \
             the pruned trials at the values they were stopped with"
        ),
        (true, false) => format!(
            "no completed trials yet: the timeline below shows the trials that started; \
             {history} once a trial completes, the other charts once one completes or is pruned"
        ),
        (false, false) => format!(
            "no trial has started yet: the timeline appears once one does; {history} once a \
             trial completes, the other charts once one completes or is pruned"
        ),
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

/// Returns each parameter's importance over the finished trials with a value, and the top set
/// it compared with all of them, or `None` with too few. Pruned trials count, ranked after
/// every completed trial (as the samplers rank them): a sweep that prunes most trials still
/// says which parameters the survivors share.
pub(crate) fn importance_of(
    axes: &[ParamAxis],
    trials: &[Trial],
    objective: &str,
    goal: Direction,
) -> Option<(Vec<(String, f64)>, importance::TopSet)> {
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
    // Shift pruned values past the worst completed one, keeping their order (with none
    // completed, the pruned ones rank by their own values).
    let worst = completed.iter().map(|c| c.1).reduce(f64::max);
    let offset = match (worst, pruned.iter().map(|p| p.1).reduce(f64::min)) {
        (Some(worst), Some(least)) => worst - least + 1.0,
        _ => 0.0,
    };
    let ranked: Vec<(&Trial, f64)> = completed
        .into_iter()
        .chain(pruned.into_iter().map(|(t, v)| (t, v + offset)))
        .collect();
    let done: Vec<&Trial> = ranked.iter().map(|r| r.0).collect();
    let values: Vec<f64> = ranked.iter().map(|r| r.1).collect();
    let columns: Vec<importance::Column> = axes.iter().map(|a| a.column(&done)).collect();
    let (scores, top) = importance::ped_anova_top(&columns, &values)?;
    Some((
        axes.iter().map(|a| a.name.clone()).zip(scores).collect(),
        top,
    ))
}
