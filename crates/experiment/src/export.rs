//! Trials as CSV, one row each, and their metric curves in long format, one row per (trial,
//! metric, epoch): what `sweep trials --format csv` and `sweep export [--series]` write, and
//! what the dashboard's leaderboard and trial page download. Floats are written with Rust's
//! shortest round-trip notation (`NaN` and `inf` included), so parsing them back gives the
//! stored bits; a count (`CONSTANT_METRICS`: `param_count`) that is whole is written as the
//! integer it is (`85002`, not `85002.0`), which reads back as the same value too. A parameter a trial does not have is an empty cell; a text value that is empty
//! or has spaces at its ends is quoted (`""`, `" sp"`), so that it reads back as written where
//! a reader keeps quoted cells as they are (pandas reads `""` as NaN by default; the JSON keeps
//! every value exactly). A trial's start, finish and duration come last (`WALL_TIME_COLUMNS`),
//! so that the columns before them keep the places they had before those were added.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Effort, ExperimentSpec, Step, Timestamp, Trial, TrialId};

/// What exported rows say beyond each trial itself, judged over all of an experiment's trials
/// (an export may keep only some).
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    /// The stored spec, when it parses.
    spec: Option<&'a ExperimentSpec>,
    /// With several objectives, the trials on the Pareto front.
    front: Option<BTreeSet<TrialId>>,
    /// What the trials trained, each one's epochs among it.
    effort: &'a Effort,
    /// The parameters and the metrics of all the trials, and those the spec names: the CSV's
    /// columns, the same whichever of them a filter keeps, and there before any trial reports.
    columns: (BTreeSet<String>, BTreeSet<String>),
    /// Whether a live sweep runs the experiment, so that its running trials are written
    /// `running`, not `interrupted` (`TrialState::shown`).
    live: bool,
}

impl<'a> Judged<'a> {
    /// Judges by `spec` over `all` the experiment's trials, which trained `effort`. The columns
    /// are every parameter and metric any trial has, and, with a spec, every parameter it
    /// searches and every metric it names as an objective or in a constraint, so that a script
    /// finds them in an experiment whose trials have not reported yet, or all failed.
    pub fn of(spec: Option<&'a ExperimentSpec>, all: &[Trial], effort: &'a Effort) -> Judged<'a> {
        let front = spec
            .filter(|s| s.is_multi_objective())
            .map(|s| s.pareto_front(all).iter().map(|t| t.id).collect());
        let mut params: BTreeSet<String> =
            all.iter().flat_map(|t| t.params.keys().cloned()).collect();
        let mut metrics: BTreeSet<String> = all
            .iter()
            .flat_map(|t| t.result.iter().flat_map(|r| r.metrics.keys().cloned()))
            .collect();
        if let Some(spec) = spec {
            params.extend(spec.space.params().iter().map(|p| p.name.clone()));
            metrics.extend(spec.objectives().into_iter().map(|o| o.name));
            metrics.extend(spec.constraints.iter().map(|c| c.metric.clone()));
        }
        Judged {
            spec,
            front,
            effort,
            columns: (params, metrics),
            live: false,
        }
    }

    /// Returns it judging for an experiment a live sweep runs (`live`) or not: the rows write
    /// each trial's state as `TrialState::shown` shows it.
    pub fn shown_live(self, live: bool) -> Judged<'a> {
        Judged { live, ..self }
    }

    /// Returns `t`'s state as the rows write it: `running` for a running trial of an
    /// experiment a live sweep runs, `interrupted` where none runs it.
    pub fn state_of(&self, t: &Trial) -> &'static str {
        t.state.shown(self.live)
    }

    /// Returns what the trials trained, as `of` was given it.
    pub fn effort(&self) -> &'a Effort {
        self.effort
    }

    /// Returns the epochs `t` trained (its last reported epoch), once it reported one.
    pub fn epochs_of(&self, t: &Trial) -> Option<u32> {
        self.effort.epochs_of(t.id)
    }

    /// Returns the spec it judges by.
    pub fn spec(&self) -> Option<&'a ExperimentSpec> {
        self.spec
    }

    /// Returns whether `t` is on the Pareto front; `None` with one objective.
    pub fn on_front(&self, t: &Trial) -> Option<bool> {
        self.front.as_ref().map(|f| f.contains(&t.id))
    }

    /// Returns the metrics the CSV has a `metric.NAME` column for, by name.
    pub fn metric_columns(&self) -> &BTreeSet<String> {
        &self.columns.1
    }
}

/// The columns every trials' CSV starts with. None is a knob's name: a warm start reads a
/// parameter from a bare-named column too (`lr`, as a plain results file has it) when the
/// file has no `param.lr`, so one of these must never pass for a parameter.
const FIXED_COLUMNS: [&str; 7] = [
    "trial",
    "state",
    "reason",
    "seed",
    "best_epoch",
    "epochs_trained",
    "source",
];

/// The columns every trials' CSV ends with, and the fields of each trial that `sweep export
/// --format json` writes beside them: when the trial started and when it finished (RFC 3339 in
/// UTC, to the millisecond: `Timestamp::iso_utc`), and the seconds between (to the
/// millisecond, negative where the clock stepped back), each empty (`null`) when unknown: a
/// trial not started, or not finished. Optuna's `datetime_start`, `datetime_complete` and
/// `duration`, MLflow's `start_time` and `end_time`.
///
/// They are wall time, which differs between two runs of the same trials, as the metric
/// `epoch_seconds` does: a comparison of the exports of two runs (a resumed one and one that
/// ran through) leaves them out. As with `FIXED_COLUMNS`, none is a knob's name, so a warm
/// start never reads one as a parameter.
pub const WALL_TIME_COLUMNS: [&str; 3] = ["started", "finished", "duration_seconds"];

/// Returns the trials as CSV: fixed columns (`trial`, `state`, `reason`, `seed`, `best_epoch`,
/// `epochs_trained`: its last reported epoch, `source`: where the parameters came from;
/// `feasible` when the spec has constraints, `pareto` when it has several objectives), then a
/// `param.NAME` and a `metric.NAME` column for each name any of the trials has or the spec
/// names (`Judged::of`), then the `WALL_TIME_COLUMNS`.
pub fn trials_csv(trials: &[Trial], judged: &Judged<'_>) -> String {
    trials_csv_with(trials, judged, false)
}

/// Returns the trials as `trials_csv` does, for a spreadsheet: a categorical value that a
/// spreadsheet would run as a formula (one starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return), or that starts with a `'` itself, is written after a `'`, which shows it as text
/// (`as_text_in_spreadsheets`). A program reading the file gets the `'` too, so the CSV for
/// programs (`sweep trials --format csv`) is `trials_csv`'s; a warm start reads either.
pub fn trials_csv_for_spreadsheets(trials: &[Trial], judged: &Judged<'_>) -> String {
    trials_csv_with(trials, judged, true)
}

/// What a spreadsheet's cell starts with to be shown as text, and what guards a value here.
pub(crate) const TEXT_MARK: char = '\'';

/// Returns `text` as a spreadsheet shows it as text, not runs it as a formula: after a `'`
/// where it starts with `=`, `+`, `-`, `@`, a tab, a carriage return or a `'`, else as it is.
///
/// A value that starts with a `'` gets one more, so that no two values are written alike
/// (`=x` is `'=x`, and `'=x` is `''=x`): a cell that starts with a `'` is always one so
/// guarded, and `as_guarded_by_spreadsheets` reads back the value by taking one `'` away.
fn as_text_in_spreadsheets(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r', TEXT_MARK]) {
        format!("{TEXT_MARK}{text}")
    } else {
        text.to_string()
    }
}

/// Returns the value a cell of `trials_csv_for_spreadsheets` guards (`as_text_in_spreadsheets`
/// undone): `cell` without its first `'`; `None` for a cell that starts with none, which that
/// CSV writes as the value it is.
pub(crate) fn as_guarded_by_spreadsheets(cell: &str) -> Option<&str> {
    cell.strip_prefix(TEXT_MARK)
}

fn trials_csv_with(trials: &[Trial], judged: &Judged<'_>, for_spreadsheets: bool) -> String {
    let spec = judged.spec;
    let (params, metrics) = &judged.columns;
    let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|c| c.to_string()).collect();
    let constrained = spec.is_some_and(|s| !s.constraints.is_empty());
    if constrained {
        header.push("feasible".into());
    }
    if judged.front.is_some() {
        header.push("pareto".into());
    }
    header.extend(params.iter().map(|p| format!("param.{p}")));
    header.extend(metrics.iter().map(|m| format!("metric.{m}")));
    header.extend(WALL_TIME_COLUMNS.iter().map(|c| c.to_string()));
    let mut out = csv_row(&header);
    for t in trials {
        let mut fixed = vec![
            t.id.to_string(),
            judged.state_of(t).to_string(),
            t.reason.clone().unwrap_or_default(),
            t.seed.to_string(),
            t.result
                .as_ref()
                .map_or(String::new(), |r| r.best_step.to_string()),
            judged.epochs_of(t).map_or(String::new(), |e| e.to_string()),
            spec.map_or(String::new(), |s| s.origin_label(t.id)),
        ];
        if constrained {
            let feasible = spec.and_then(|s| crate::feasibility(&s.constraints, t));
            fixed.push(feasible.map_or(String::new(), |f| f.to_string()));
        }
        if let Some(on) = judged.on_front(t) {
            fixed.push(on.to_string());
        }
        // Text from outside the spec (a failure's reason, an agent's journal among others)
        // is taken as text too; the other fixed cells are numbers and words of ours.
        if for_spreadsheets {
            for text in [2, 6] {
                fixed[text] = as_text_in_spreadsheets(&fixed[text]);
            }
        }
        let mut row: Vec<String> = fixed.iter().map(|c| csv_cell(c)).collect();
        row.extend(params.iter().map(|p| match t.params.get(p) {
            Some(crate::ParamValue::Float(f)) => format!("{f:?}"),
            // The empty text is quoted, `""`, where an empty cell is a parameter the trial does
            // not have; text with spaces at its ends is quoted by `csv_cell`, as any cell.
            Some(crate::ParamValue::Str(s)) => {
                let text = if for_spreadsheets {
                    as_text_in_spreadsheets(s)
                } else {
                    s.clone()
                };
                if s.is_empty() {
                    quoted_cell(&text)
                } else {
                    csv_cell(&text)
                }
            }
            Some(v) => csv_cell(&v.to_string()),
            None => String::new(),
        }));
        row.extend(metrics.iter().map(|m| {
            let value = t.value(m).map_or(String::new(), |v| metric_cell(m, v));
            csv_cell(&value)
        }));
        row.extend([
            t.started.map_or(String::new(), Timestamp::iso_utc),
            t.finished.map_or(String::new(), Timestamp::iso_utc),
            t.duration_ms().map_or(String::new(), seconds_text),
        ]);
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Every metric curve of some trials of `experiment`: by trial, each metric's points by name.
pub type Curves = [(TrialId, BTreeMap<String, Vec<(Step, f64)>>)];

/// Returns the `curves` of trials of `experiment` as CSV in long format, for pandas or a
/// spreadsheet: the header `experiment,trial,metric,step,value`, then a row per point, in the
/// order given.
pub fn curves_csv(experiment: &str, curves: &Curves) -> String {
    curves_csv_with(experiment, curves, false)
}

/// Returns the curves as `curves_csv` does, for a spreadsheet: a metric's name that would run
/// as a formula (a name from an agent's journal is any text) is written after a `'`, as
/// `trials_csv_for_spreadsheets` writes values.
pub fn curves_csv_for_spreadsheets(experiment: &str, curves: &Curves) -> String {
    curves_csv_with(experiment, curves, true)
}

fn curves_csv_with(experiment: &str, curves: &Curves, for_spreadsheets: bool) -> String {
    let mut out = csv_row(&["experiment", "trial", "metric", "step", "value"].map(String::from));
    for (trial, series) in curves {
        for (metric, points) in series {
            for (step, value) in points {
                out.push_str(&csv_row(&[
                    experiment.to_string(),
                    trial.to_string(),
                    if for_spreadsheets {
                        as_text_in_spreadsheets(metric)
                    } else {
                        metric.clone()
                    },
                    step.to_string(),
                    metric_cell(metric, *value),
                ]));
            }
        }
    }
    out
}

/// Writes metric `name`'s value `v` for a cell: a count (`CONSTANT_METRICS`) that is whole as
/// an integer (`85002`, `crate::whole_number`), any other value in Rust's shortest round-trip
/// notation (`0.5`, `NaN`, and `3.0` for a metric that is no count).
fn metric_cell(name: &str, v: f64) -> String {
    crate::CONSTANT_METRICS
        .contains(&name)
        .then(|| crate::whole_number(v))
        .flatten()
        .unwrap_or_else(|| format!("{v:?}"))
}

/// Writes `ms` milliseconds as seconds with three decimals, exactly (`12.345`, `-0.500`).
fn seconds_text(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    format!("{sign}{}.{:03}", ms / 1000, ms % 1000)
}

/// Returns one CSV line, ending in a newline, each cell written by `csv_cell`.
pub(crate) fn csv_row(cells: &[String]) -> String {
    let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    let mut line = quoted.join(",");
    line.push('\n');
    line
}

/// Returns a cell as Sweep's CSV files hold it (the trials, their curves, `sweep ls --format
/// csv`): quoted, its quotes doubled, when it has a comma, a quote or a line break, or spaces
/// at its ends (`" sp"`, which a reader that trims unquoted cells would read as `sp`); else as
/// it is. An empty cell stays empty: in these files it is a value that is missing.
pub fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) || cell.trim() != cell {
        quoted_cell(cell)
    } else {
        cell.to_string()
    }
}

/// Returns `cell` quoted, its quotes doubled, whatever it holds.
fn quoted_cell(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

#[cfg(test)]
mod tests;
