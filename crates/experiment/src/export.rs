//! Trials as CSV, one row each, and their metric curves in long format, one row per (trial,
//! metric, epoch): what `sweep trials --format csv` and `sweep export [--series]` write, and
//! what the dashboard's leaderboard and trial page download. Floats are written with Rust's
//! shortest round-trip notation (`NaN` and `inf` included), so parsing them back gives the
//! stored bits. A parameter a trial does not have is an empty cell; a text value that is empty
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
        }
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
/// return) is written after a `'`, which shows it as text. A program reading the file gets the
/// `'` too, so the CSV for programs (`sweep trials --format csv`, a warm start's results file)
/// is `trials_csv`'s.
pub fn trials_csv_for_spreadsheets(trials: &[Trial], judged: &Judged<'_>) -> String {
    trials_csv_with(trials, judged, true)
}

/// Returns `text` as a spreadsheet shows it as text, not runs it as a formula.
fn as_text_in_spreadsheets(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
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
            t.state.as_str_when_idle().to_string(),
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
            // Text that is empty or has spaces at its ends is quoted: `""` is the empty value,
            // where an empty cell is a parameter the trial does not have.
            Some(crate::ParamValue::Str(s)) => {
                let text = if for_spreadsheets {
                    as_text_in_spreadsheets(s)
                } else {
                    s.clone()
                };
                if s.is_empty() || s.trim() != s {
                    quoted_cell(&text)
                } else {
                    csv_cell(&text)
                }
            }
            Some(v) => csv_cell(&v.to_string()),
            None => String::new(),
        }));
        row.extend(metrics.iter().map(|m| {
            let value = t.value(m).map_or(String::new(), |v| format!("{v:?}"));
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
                    format!("{value:?}"),
                ]));
            }
        }
    }
    out
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
mod tests {
    use super::*;
    use crate::testing::trial_with;
    use crate::{ParamValue, TrialState};

    #[test]
    fn curves_are_long_and_exact() {
        let series = BTreeMap::from([(
            "val_loss".to_string(),
            vec![(Step(1), 0.1 + 0.2), (Step(2), f64::NAN)],
        )]);
        assert_eq!(
            curves_csv("e,1", &[(TrialId(0), series)]),
            "experiment,trial,metric,step,value\n\
             \"e,1\",0,val_loss,1,0.30000000000000004\n\
             \"e,1\",0,val_loss,2,NaN\n"
        );
    }

    #[test]
    fn no_fixed_column_passes_for_a_parameter() {
        for column in FIXED_COLUMNS.into_iter().chain(WALL_TIME_COLUMNS) {
            assert!(
                crate::knobs::KNOBS.iter().all(|k| k.name != column),
                "`{column}` is a knob's name"
            );
        }
    }

    #[test]
    fn a_cell_is_quoted_where_a_reader_would_read_it_otherwise() {
        let cells = [
            "",
            "x",
            "a b",
            " lead",
            "trail\t",
            "a,b",
            "say \"hi\"",
            "two\nlines",
        ];
        assert_eq!(
            cells.map(csv_cell),
            [
                "",
                "x",
                "a b",
                "\" lead\"",
                "\"trail\t\"",
                "\"a,b\"",
                "\"say \"\"hi\"\"\"",
                "\"two\nlines\""
            ]
        );
    }

    #[test]
    fn rows_quote_what_needs_it_and_keep_every_bit() {
        let mut a = trial_with(0, TrialState::Pruned, "val_loss", Some(0.1 + 0.2));
        a.reason = Some("asha: 0.3 not in the top 1 of 2, at rung 0".into());
        a.params.insert("lr".into(), ParamValue::Float(0.1));
        a.params
            .insert("name".into(), ParamValue::Str("say \"hi\"".into()));
        let mut b = trial_with(1, TrialState::Completed, "val_loss", Some(f64::NAN));
        b.params.insert("lr".into(), ParamValue::Float(1e-7));
        // Trial 0 trained 2 epochs; trial 1 reported none yet.
        let mut effort = Effort::default();
        effort.add(&a, None, Some(Step(2)));
        let all = [a, b];
        let judged = Judged::of(None, &all, &effort);
        let csv = trials_csv(&all, &judged);
        assert_eq!(
            csv,
            "trial,state,reason,seed,best_epoch,epochs_trained,source,param.lr,param.name,metric.val_loss,\
             started,finished,duration_seconds\n\
             0,pruned,\"asha: 0.3 not in the top 1 of 2, at rung 0\",0,1,2,,0.1,\"say \"\"hi\"\"\",\
             0.30000000000000004,,,\n\
             1,completed,,0,1,,,1e-7,,NaN,,,\n"
        );
        // The trials a filter keeps have the columns of all: files of one experiment line up.
        let kept = trials_csv(&all[1..], &judged);
        assert_eq!(kept.lines().next(), csv.lines().next());
    }

    #[test]
    fn issue_rows_end_with_when_the_trial_started_and_finished_and_how_long_it_took() {
        let mut done = trial_with(0, TrialState::Completed, "val_loss", Some(0.5));
        done.started = Some(Timestamp(1_795_865_400_000));
        done.finished = Some(Timestamp(1_795_865_412_345));
        let mut stepped_back = trial_with(1, TrialState::Completed, "val_loss", Some(0.5));
        stepped_back.started = Some(Timestamp(1_795_865_400_500));
        stepped_back.finished = Some(Timestamp(1_795_865_400_000));
        let mut running = trial_with(2, TrialState::Running, "val_loss", None);
        running.started = Some(Timestamp(1_795_865_400_000));
        let queued = trial_with(3, TrialState::Queued, "val_loss", None);
        let all = [done, stepped_back, running, queued];
        let effort = Effort::default();
        let judged = Judged::of(None, &all, &effort);
        let csv = trials_csv(&all, &judged);
        let tails: Vec<String> = csv
            .lines()
            .map(|l| l.splitn(7, ',').nth(6).unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            tails,
            [
                "source,metric.val_loss,started,finished,duration_seconds",
                ",0.5,2026-11-28T11:30:00.000Z,2026-11-28T11:30:12.345Z,12.345",
                ",0.5,2026-11-28T11:30:00.500Z,2026-11-28T11:30:00.000Z,-0.500",
                ",,2026-11-28T11:30:00.000Z,,",
                ",,,,",
            ]
        );
        // The same for spreadsheets: nothing there reads as a formula.
        assert_eq!(trials_csv_for_spreadsheets(&all, &judged), csv);
    }

    #[test]
    fn for_spreadsheets_a_value_that_reads_as_a_formula_is_text() {
        let rows = |value: &str, for_spreadsheets: bool| {
            let mut t = trial_with(0, TrialState::Completed, "val_loss", Some(0.5));
            t.params.insert("act".into(), ParamValue::Str(value.into()));
            t.params.insert("lr".into(), ParamValue::Float(-0.5));
            let all = [t];
            let effort = Effort::default();
            let judged = Judged::of(None, &all, &effort);
            let csv = if for_spreadsheets {
                trials_csv_for_spreadsheets(&all, &judged)
            } else {
                trials_csv(&all, &judged)
            };
            csv.lines().nth(1).unwrap_or_default().to_string()
        };
        for formula in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(1)"] {
            let plain = rows(formula, false);
            let safe = rows(formula, true);
            // The cell starts with `'`, quoted or not; the number is left as it is.
            assert!(safe.contains(",'") || safe.contains(",\"'"), "{safe}");
            assert!(safe.contains(",-0.5,"), "{safe}");
            // For programs, as it is.
            assert!(!plain.contains('\''), "{plain}");
        }
        assert_eq!(rows("relu", true), rows("relu", false));
    }

    #[test]
    fn for_spreadsheets_a_reason_and_a_metric_name_that_read_as_formulas_are_text() {
        // An agent's journal carries any text as a reason or a metric's name.
        let mut t = trial_with(0, TrialState::Failed, "=1+1", Some(0.5));
        t.reason = Some("=HYPERLINK(\"http://x\")".into());
        let all = [t];
        let effort = Effort::default();
        let judged = Judged::of(None, &all, &effort);
        let safe = trials_csv_for_spreadsheets(&all, &judged);
        assert!(safe.contains(",\"'=HYPERLINK("), "{safe}");
        assert!(!trials_csv(&all, &judged).contains('\''));
        let curves = [(
            TrialId(0),
            BTreeMap::from([("=1+1".to_string(), vec![(Step(1), -0.5)])]),
        )];
        assert_eq!(
            curves_csv_for_spreadsheets("e", &curves),
            "experiment,trial,metric,step,value\ne,0,'=1+1,1,-0.5\n"
        );
        assert_eq!(
            curves_csv("e", &curves),
            "experiment,trial,metric,step,value\ne,0,=1+1,1,-0.5\n"
        );
    }

    #[test]
    fn issue_an_empty_value_or_one_with_spaces_at_its_ends_is_quoted() {
        let mut trials = Vec::new();
        for (id, tag) in [
            (0, Some("")),
            (1, Some(" sp")),
            (2, Some("x ")),
            (3, Some("x")),
            (4, None),
        ] {
            let mut t = trial_with(id, TrialState::Completed, "val_loss", Some(0.5));
            if let Some(tag) = tag {
                t.params.insert("tag".into(), ParamValue::Str(tag.into()));
            }
            trials.push(t);
        }
        let effort = Effort::default();
        let judged = Judged::of(None, &trials, &effort);
        let tags: Vec<String> = trials_csv(&trials, &judged)
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(7).unwrap_or_default().to_string())
            .collect();
        assert_eq!(tags, ["\"\"", "\" sp\"", "\"x \"", "x", ""]);
    }

    #[test]
    fn issue_the_columns_are_the_specs_before_any_trial_reports_or_when_all_failed() {
        let yaml = "name: t\nmetric: [{name: val_loss}, {name: val_accuracy}]\n\
                    data: {csv: d.csv, target: y}\nconstraints:\n  param_count: {max: 100}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n";
        let spec = ExperimentSpec::from_yaml_str(yaml, std::path::Path::new("t.yaml"))
            .unwrap_or_else(|e| panic!("{e}"));
        let effort = Effort::default();
        let header = "trial,state,reason,seed,best_epoch,epochs_trained,source,feasible,pareto,\
                      param.lr,metric.param_count,metric.val_accuracy,metric.val_loss,started,\
                      finished,duration_seconds";
        let none: [Trial; 0] = [];
        let csv = trials_csv(&none, &Judged::of(Some(&spec), &none, &effort));
        assert_eq!(csv, format!("{header}\n"));
        let mut failed = trial_with(0, TrialState::Failed, "val_loss", None);
        failed.params.insert("lr".into(), ParamValue::Float(0.01));
        let failed = [failed];
        let csv = trials_csv(&failed, &Judged::of(Some(&spec), &failed, &effort));
        assert_eq!(csv.lines().next(), Some(header), "{csv}");
        // A trial's own metric joins them, in name order.
        let done = [trial_with(
            0,
            TrialState::Completed,
            "train_loss",
            Some(0.5),
        )];
        let judged = Judged::of(Some(&spec), &done, &effort);
        let names: Vec<&str> = judged.metric_columns().iter().map(String::as_str).collect();
        assert_eq!(
            names,
            ["param_count", "train_loss", "val_accuracy", "val_loss"]
        );
    }
}
