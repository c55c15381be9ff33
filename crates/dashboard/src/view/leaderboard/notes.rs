//! What a leaderboard row says beyond its trial's own record: why a trial of an experiment no
//! sweep runs waits, the epochs it trained past its best (from the experiment's effort), how
//! long a trial a kill left running ran (from its trace), and a running trial's latest epoch's
//! metrics (from its curves).

use std::collections::BTreeMap;

use experiment::{format_duration, Effort, Timestamp, Trial, TrialId, TrialState};
use store::{ExperimentInfo, ExperimentStatus};

use super::board::Leaderboard;
use crate::data::{ExperimentData, Latest};
use crate::view::format;

/// Says why a trial of an experiment no sweep runs now waits, where it has no reason of its
/// own: a queued trial (never started, or put back when a Ctrl-C stopped it) or an interrupted
/// one (running when the sweep was killed) runs again from scratch when the same command runs
/// again. Empty otherwise.
pub(crate) fn idle_reason(info: &ExperimentInfo, t: &Trial) -> String {
    let waits = matches!(t.state, TrialState::Queued | TrialState::Running);
    if info.status == ExperimentStatus::Running || !waits {
        return String::new();
    }
    match t.state {
        TrialState::Running => "running when the sweep was killed: it runs again from scratch \
                                when the same command runs again"
            .into(),
        _ => "not run, or put back unfinished when the sweep stopped: it runs from scratch when \
              the same command runs again"
            .into(),
    }
}

/// Adds to each row of `board` with a best epoch the epochs its trial trained past it, as
/// `effort` counted them: where a pruner or early stopping stopped it, or the epochs it has
/// run so far.
pub(crate) fn show_trained(board: &mut Leaderboard, effort: &Effort) {
    for row in &mut board.rows {
        let best = row.epoch.parse::<u32>().ok();
        row.trained = match (best, effort.epochs_of(TrialId(row.id))) {
            (Some(best), Some(trained)) if trained > best => trained.to_string(),
            // No best epoch (a trial a kill stopped before its result): what it trained.
            (None, Some(trained)) if trained > 0 => trained.to_string(),
            _ => String::new(),
        };
    }
}

/// Shows, in each row of `board` whose trial `latest` holds (a trial still running, without a
/// result: `data::shows_latest`), its latest epoch's metrics in place of the `-` of a result it
/// does not have yet: the `objective`'s and each further column's, each said in its tooltip as
/// the latest (`format::latest_tooltip`), never as its best. Its rank stays `-`: it is ranked
/// once it ends, as the compare page and the API say it.
pub(crate) fn show_latest(
    board: &mut Leaderboard,
    latest: &BTreeMap<TrialId, Latest>,
    objective: &str,
) {
    let columns = board.metric_columns.clone();
    for row in &mut board.rows {
        let Some(l) = latest.get(&TrialId(row.id)) else {
            continue;
        };
        let said = |num: format::Num, name: &str| match l.metrics.get(name) {
            Some(_) => format::Num {
                full: format::latest_tooltip(&num, l, name, row.state),
                text: num.text,
            },
            None => num,
        };
        let v = l.metrics.get(objective).copied();
        row.value = said(format::metric_value_num(objective, v), objective);
        for (cell, metric) in row.metrics.iter_mut().zip(&columns) {
            let v = l.metrics.get(metric).copied();
            *cell = said(format::count_or_value_num(v), metric);
        }
        row.latest = Some(l.step.0);
    }
}

/// Returns the run time, in milliseconds, of each trial of `data` a kill left running, from
/// its start to its last report, as its record's trace keeps it (`TrialTrace::interrupted_at`:
/// only where no sweep runs the experiment; a sweep's own running trial has no duration yet):
/// what its duration column shows (`show_last_heard`) and sorts by (`Selection::last_heard`).
pub(crate) fn last_heard_ms(data: &ExperimentData) -> BTreeMap<TrialId, i64> {
    (data.trials.iter())
        .filter_map(|t| Some((t.id, last_heard(data, t)?.0)))
        .collect()
}

/// Returns how long `trial` of `data`, a kill left running, ran to its last report, in
/// milliseconds, with when and at which epoch it was heard from; `None` for any other trial.
fn last_heard(data: &ExperimentData, trial: &Trial) -> Option<(i64, Timestamp, u32)> {
    let live = data.info.status == ExperimentStatus::Running;
    let trace = data.traces.get(&trial.id)?;
    let at = trace.interrupted_at(trial, live)?;
    let (started, heard) = (trial.started?, trace.heard?);
    Some((at.0.saturating_sub(started.0), at, heard.step.0))
}

/// Shows, in each row of `board` whose trial has no end, the time a trial a kill left running
/// ran to its last report (`last_heard_ms`), marked `(last heard)`: it ran at least that long,
/// and its end is not known.
pub(crate) fn show_last_heard(board: &mut Leaderboard, data: &ExperimentData) {
    for row in &mut board.rows {
        let id = TrialId(row.id);
        let Some(trial) = data.trials.iter().find(|t| t.id == id) else {
            continue;
        };
        let Some((ms, at, step)) = last_heard(data, trial) else {
            continue;
        };
        row.duration = format!("{} (last heard)", format_duration(ms));
        row.duration_full = format!(
            "a killed sweep left it running: from its start to its last report, epoch {step} at \
             {} UTC; its end is not known",
            at.utc()
        );
    }
}
