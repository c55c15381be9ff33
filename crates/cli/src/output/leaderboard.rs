//! The leaderboard and `sweep trials`' table: trials ranked by the objectives (the Pareto
//! front's ranks with several), with the further objectives, the constrained metrics and every
//! parameter as columns (`sweep trials` with each trial's run time too, which `--sort
//! duration` orders by), and the order `--sort` asks for.
//!
//! The run time of a trial a kill left `running` is its start to its last report, as its
//! record's trace keeps it (`store::TrialTrace`), marked `(last heard)` as `sweep show` and the
//! dashboard say it; `--sort duration` orders by the time the column shows, so it sorts here
//! rather than by `experiment::TrialOrder`, which sees the trial alone.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::Path;

use experiment::{
    format_duration, rank_trials, Constraint, ExperimentSpec, MetricSpec, SortKey, Timestamp,
    Trial, TrialId, TrialOrder,
};
use store::TrialTrace;

use super::{named_metric, table, visible};
use cells::Cells;

pub(super) mod cells;

/// How many rows a leaderboard writes, and whose trials the footer's `sweep trials` command
/// lists: `(top, experiment, store)` gives the whole command, one to paste (every caller's);
/// `top` alone, in tests only, the command's name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows<'a> {
    /// The rows written, best first.
    top: usize,
    /// The experiment ranked and the store it is in.
    listed: Option<(&'a str, &'a Path)>,
    /// Whether a live sweep runs the experiment (`output::runs_now`), so that its trials
    /// `running` are so, not `interrupted`.
    live: bool,
}

#[cfg(test)]
impl From<usize> for Rows<'_> {
    fn from(top: usize) -> Self {
        Rows {
            top,
            listed: None,
            live: false,
        }
    }
}

/// The leaderboard of an experiment no sweep runs (one whose sweep has ended).
impl<'a> From<(usize, &'a str, &'a Path)> for Rows<'a> {
    fn from((top, experiment, store): (usize, &'a str, &'a Path)) -> Self {
        Rows {
            top,
            listed: Some((experiment, store)),
            live: false,
        }
    }
}

/// The leaderboard of experiment `info` as `output::Running::shown` shows it.
impl<'a> From<(usize, &'a store::ExperimentInfo, &'a Path)> for Rows<'a> {
    fn from((top, info, store): (usize, &'a store::ExperimentInfo, &'a Path)) -> Self {
        Rows {
            top,
            listed: Some((info.name.as_str(), store)),
            live: super::runs_now(info),
        }
    }
}

impl Rows<'_> {
    /// Returns the command that lists every trial: `sweep trials NAME` with the store when it
    /// is not the default (`commands::store_flag`), each shell-quoted as the other hints quote
    /// them; `sweep trials` alone where the experiment is not known.
    fn all_trials(&self) -> String {
        match self.listed {
            Some((experiment, store)) => format!(
                "sweep trials {}{}",
                super::shell_word(experiment),
                crate::commands::store_flag(store)
            ),
            None => "sweep trials".to_string(),
        }
    }

    /// Returns what writes a value the table cut whole: `sweep trials NAME --format csv`, and
    /// `sweep show NAME/N` for one trial, with the store as `all_trials` names it.
    fn whole(&self) -> String {
        let (trials, show) = match self.listed {
            Some((experiment, store)) => (
                self.all_trials(),
                format!(
                    "sweep show {}/N{}",
                    super::shell_word(experiment),
                    crate::commands::store_flag(store)
                ),
            ),
            None => (
                "sweep trials EXPERIMENT".to_string(),
                "sweep show EXPERIMENT/N".to_string(),
            ),
        };
        format!("`{trials} --format csv` writes every value whole, as `{show}` does one trial's")
    }
}

/// Writes the leaderboard: rank, trial, state, objective, best epoch, the further objectives and
/// the constrained metrics, then every parameter; `ranked` is best first, and only the first
/// `rows.top` rows are written, then how many more there are and the command that lists them.
pub(crate) fn leaderboard<'a>(
    out: &mut impl Write,
    ranked: &[&Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
    rows: impl Into<Rows<'a>>,
) -> io::Result<()> {
    let listing = rows.into();
    let top = listing.top;
    let rows: Vec<(Option<usize>, &Trial)> = ranked
        .iter()
        .take(top)
        .enumerate()
        .map(|(i, t)| (has_values(t, objectives).then_some(i + 1), *t))
        .collect();
    // No rows asked for (`--top 0`): no table of columns without rows either.
    if !rows.is_empty() {
        let columns = Columns::Leaderboard { live: listing.live };
        let cells = trial_table(out, ranked, &rows, (objectives, constraints), columns)?;
        cells.note(out, &listing.whole())?;
    }
    let all: Vec<Trial> = ranked.iter().map(|t| (*t).clone()).collect();
    front_ranks(out, &all, objectives, constraints)?;
    if ranked.len() > top {
        let (one, many) = if rows.is_empty() {
            ("trial", "trials")
        } else {
            ("more trial", "more trials")
        };
        let rest = u64::try_from(ranked.len() - top).unwrap_or(u64::MAX);
        writeln!(
            out,
            "({}; `{}` lists them all)",
            experiment::counted(rest, one, many),
            listing.all_trials()
        )?;
    }
    Ok(())
}

/// A trial as `sweep trials` lists it: alone, or with its record's trace, which says how long
/// a trial a kill left `running` ran to its last report.
pub(crate) trait Listed {
    /// Returns the trial.
    fn trial(&self) -> &Trial;

    /// Returns when the trial, left `running` by a kill, was last heard from
    /// (`TrialTrace::interrupted_at`); `None` for any other trial, or one listed without its
    /// trace.
    fn last_heard(&self) -> Option<Timestamp>;
}

impl Listed for Trial {
    fn trial(&self) -> &Trial {
        self
    }

    fn last_heard(&self) -> Option<Timestamp> {
        None
    }
}

impl Listed for (Trial, TrialTrace) {
    fn trial(&self) -> &Trial {
        &self.0
    }

    fn last_heard(&self) -> Option<Timestamp> {
        // The lister holds the store: no sweep runs the experiment.
        self.1.interrupted_at(&self.0, false)
    }
}

/// How long a trial ran, as `sweep trials` shows it and `--sort duration` orders by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunTime {
    /// From its start to its end, in milliseconds.
    Ended(i64),
    /// From its start to its last report, in milliseconds, for a trial a kill left `running`:
    /// it ran at least that long, and its end is not known.
    LastHeard(i64),
}

impl RunTime {
    /// Returns the run time of `listed`: start to end, or, for a trial a kill left `running`,
    /// start to its last report; `None` for one that has not ended and was not heard from.
    fn of(listed: &impl Listed) -> Option<RunTime> {
        let trial = listed.trial();
        if let Some(ms) = trial.duration_ms() {
            return Some(RunTime::Ended(ms));
        }
        let ms = listed.last_heard()?.0.checked_sub(trial.started?.0)?;
        Some(RunTime::LastHeard(ms))
    }

    /// Returns its milliseconds, which `--sort duration` orders by.
    fn ms(self) -> i64 {
        match self {
            RunTime::Ended(ms) | RunTime::LastHeard(ms) => ms,
        }
    }

    /// Returns it as the column shows it: `3.9s`, or `2.5s (last heard)`, as the dashboard's
    /// leaderboard writes it.
    fn text(self) -> String {
        match self {
            RunTime::Ended(ms) => format_duration(ms),
            RunTime::LastHeard(ms) => format!("{} (last heard)", format_duration(ms)),
        }
    }
}

/// Each trial's run time, where it has one.
type RunTimes = BTreeMap<TrialId, RunTime>;

/// Returns the run time of each of `listed` that has one.
fn run_times(listed: &[impl Listed]) -> RunTimes {
    listed
        .iter()
        .filter_map(|l| Some((l.trial().id, RunTime::of(l)?)))
        .collect()
}

/// Writes every trial of `listed` that `shown` keeps in trial order, in the leaderboard's
/// columns and its run time (`duration`: `RunTime`, `-` for one that has not ended and was not
/// heard from), each with its rank among all of them, then what the ranks and marks mean: the
/// Pareto front's ranks with several objectives, and with a target (`spec`'s), the trial that
/// reached it.
pub(crate) fn trials_table(
    out: &mut impl Write,
    listed: &[impl Listed],
    (shown, order): (&dyn Fn(&Trial) -> bool, Order<'_>),
    (objectives, spec): (&[MetricSpec], Option<&ExperimentSpec>),
    live: bool,
) -> io::Result<()> {
    let trials: Vec<Trial> = listed.iter().map(|l| l.trial().clone()).collect();
    let mut times = run_times(listed);
    // A trial a live sweep runs has not ended: it was heard from, not cut off.
    if live {
        times.retain(|id, _| {
            !trials
                .iter()
                .any(|t| t.id == *id && t.state == experiment::TrialState::Running)
        });
    }
    let constraints = spec.map_or(&[][..], |s| s.constraints.as_slice());
    let ranked = rank_trials(&trials, objectives, constraints);
    let ranks = ranks_of(&ranked, objectives);
    let rows: Vec<(Option<usize>, &Trial)> = trials
        .iter()
        .filter(|t| shown(t))
        .map(|t| (ranks.get(&t.id).copied(), t))
        .collect();
    let rows = sorted(rows, order, &times);
    if rows.is_empty() && !trials.is_empty() {
        return writeln!(out, "no trial of {} meets the filter", trials.len());
    }
    // A metric sorted by shows its column, so that the order can be read; every parameter
    // has one already.
    let sorted_by = order.and_then(|o| match &o.key {
        SortKey::Metric(name) => Some(name.as_str()),
        _ => None,
    });
    let columns = Columns::Trials {
        times: &times,
        sorted_by,
        live,
    };
    let cells = trial_table(out, &ranked, &rows, (objectives, constraints), columns)?;
    cells.note(
        out,
        "`--format csv` or `--format json` writes every value whole, as `sweep show \
         EXPERIMENT/N` does one trial's",
    )?;
    front_ranks(out, &trials, objectives, constraints)?;
    if let (Some(spec), Some(objective)) = (spec, objectives.first()) {
        if let Some(target) = spec.target_status(&trials) {
            writeln!(out, "target {} {target}", visible(&objective.name))?;
        }
    }
    Ok(())
}

/// With several objectives, says which ranks are the Pareto front of `trials`.
fn front_ranks(
    out: &mut impl Write,
    trials: &[Trial],
    objectives: &[MetricSpec],
    constraints: &[Constraint],
) -> io::Result<()> {
    if objectives.len() < 2 {
        return Ok(());
    }
    match experiment::pareto_front(trials, objectives, constraints).len() {
        0 => Ok(()),
        front => writeln!(
            out,
            "ranks 1 to {front}: the Pareto front (no other trial is as good on every objective \
             and better on one)"
        ),
    }
}

/// The columns of a table of trials beside the leaderboard's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns<'a> {
    /// The leaderboard's alone (the summary of `sweep run` and `sweep show`), of an experiment
    /// a live sweep runs or not.
    Leaderboard { live: bool },
    /// `sweep trials`': with each trial's run time, after the metrics, before the parameters,
    /// and the metric the rows are sorted by (`--sort metric.NAME`) after the leaderboard's
    /// metrics when none of them is it.
    Trials {
        /// Each trial's run time.
        times: &'a RunTimes,
        /// The metric the rows are sorted by, if they are.
        sorted_by: Option<&'a str>,
        /// Whether a live sweep runs the experiment (`output::runs_now`).
        live: bool,
    },
}

/// The order `sweep trials --sort KEY [--desc]` asks for, `None` for trial order.
pub(crate) type Order<'a> = Option<&'a TrialOrder>;

/// Returns each trial's place in `ranked` (from 1), for those with a value of every objective.
pub(super) fn ranks_of(ranked: &[&Trial], objectives: &[MetricSpec]) -> BTreeMap<TrialId, usize> {
    ranked
        .iter()
        .enumerate()
        .filter(|(_, t)| has_values(t, objectives))
        .map(|(i, t)| (t.id, i + 1))
        .collect()
}

/// Returns `rows` (rank, trial) in `order`: put in rank order first, so that ties keep it; as
/// given without one. `--sort duration` orders by `times`, the run times the table shows.
fn sorted<'t>(
    mut rows: Vec<(Option<usize>, &'t Trial)>,
    order: Order<'_>,
    times: &RunTimes,
) -> Vec<(Option<usize>, &'t Trial)> {
    let Some(order) = order else {
        return rows;
    };
    rows.sort_by_key(|(rank, _)| rank.unwrap_or(usize::MAX));
    order.sort_timed(
        rows,
        |(rank, t)| (*t, *rank),
        |t| times.get(&t.id).map(|time| time.ms()),
    )
}

/// Returns the trials of `all` that `shown` keeps, in `order` (trial order without one, and
/// then no ranking), for `--format csv|json`.
pub(crate) fn kept_in_order(
    all: &[Trial],
    shown: &dyn Fn(&Trial) -> bool,
    order: Order<'_>,
    (objectives, constraints): (&[MetricSpec], &[Constraint]),
) -> Vec<Trial> {
    if order.is_none() {
        return all.iter().filter(|t| shown(t)).cloned().collect();
    }
    let ranks = ranks_of(&rank_trials(all, objectives, constraints), objectives);
    let rows = all
        .iter()
        .filter(|t| shown(t))
        .map(|t| (ranks.get(&t.id).copied(), t))
        .collect();
    // Their duration is start to end alone (`experiment::export`), and so is its order.
    sorted(rows, order, &run_times(all))
        .into_iter()
        .map(|(_, t)| t.clone())
        .collect()
}

/// Whether a trial has a value of every objective to rank it by.
fn has_values(t: &Trial, objectives: &[MetricSpec]) -> bool {
    experiment::pareto::oriented(t, objectives).is_some()
}

/// Writes `rows` (rank, trial) with a column for each further objective and constrained
/// metric, a value marked `!` where it breaks a constraint, the metric sorted by and the run
/// time where `columns` asks for them, and one for every parameter that any of `all` has.
/// Each cell is written as `Cells::cell` writes it (escaped, a long one cut); the caller says
/// below the table what shows a cut one whole (`Cells::note`).
fn trial_table(
    out: &mut impl Write,
    all: &[&Trial],
    rows: &[(Option<usize>, &Trial)],
    (objectives, constraints): (&[MetricSpec], &[Constraint]),
    columns_asked: Columns,
) -> io::Result<Cells> {
    let (times, sorted_by, live) = match columns_asked {
        Columns::Trials {
            times,
            sorted_by,
            live,
        } => (Some(times), sorted_by, live),
        Columns::Leaderboard { live } => (None, None, live),
    };
    let mut cells = Cells::default();
    if all.is_empty() {
        writeln!(out, "no trials yet")?;
        return Ok(cells);
    }
    let objective = objectives.first().map_or("", |o| o.name.as_str());
    let mut columns = experiment::extra_columns(objectives, constraints);
    if let Some(name) = sorted_by.filter(|n| *n != objective && !columns.contains(n)) {
        columns.push(name);
    }
    let names: BTreeSet<&str> = all
        .iter()
        .flat_map(|t| t.params.keys().map(String::as_str))
        .collect();
    let mut header = vec![
        "rank".to_string(),
        "trial".to_string(),
        "state".to_string(),
        objective.to_string(),
        "epoch".to_string(),
    ];
    header.extend(columns.iter().map(|c| c.to_string()));
    if times.is_some() {
        header.push("duration".to_string());
    }
    header.extend(names.iter().map(|n| n.to_string()));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|(rank, t)| {
            let mut row = vec![
                rank.map_or("-".to_string(), |r| r.to_string()),
                t.id.to_string(),
                t.state.shown(live).to_string(),
                named_metric(objective, t.value(objective)),
                t.result
                    .as_ref()
                    .map_or("-".to_string(), |r| r.best_step.to_string()),
            ];
            row.extend(columns.iter().map(|name| {
                let value = t.value(name);
                let broken = experiment::breaks_bound(constraints, name, value);
                // Counts (param_count) read as counts.
                let shown = named_metric(name, value);
                format!("{shown}{}", if broken { "!" } else { "" })
            }));
            if let Some(times) = times {
                // As `--sort duration` orders them.
                let ran = times.get(&t.id).map(|time| time.text());
                row.push(ran.unwrap_or_else(|| "-".to_string()));
            }
            row.extend(
                names
                    .iter()
                    .map(|n| t.params.get(*n).map_or("-".to_string(), |v| v.to_string())),
            );
            row
        })
        .collect();
    let header = cells.row(&header);
    let body: Vec<Vec<String>> = body.iter().map(|r| cells.row(r)).collect();
    table(out, &header, &body)?;
    let any_broken = rows
        .iter()
        .any(|(_, t)| !experiment::broken(constraints, t).is_empty());
    if any_broken {
        let list: Vec<String> = constraints.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "! breaks a constraint ({}): such a trial ranks after every trial that meets them \
             and is never the best",
            list.join(", ")
        )?;
    }
    Ok(cells)
}

#[cfg(test)]
mod tests;
