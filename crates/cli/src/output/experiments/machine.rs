//! The list of experiments as `sweep ls --format json|csv` writes it (and `sweep show
//! EXPERIMENT --format json` heads it). As JSON, an experiment is one object whose keys are the
//! dashboard API's names for the same facts (`name`, `status`, `objective`, `goal`, `run_cap`,
//! `created_ms`, `trials: {stored, completed, ...}`, `best: {trial, value}`,
//! `resume_command`, `test: {trial, metrics}`), with every key in
//! every object and `null` for a value that is missing or that JSON cannot hold (NaN,
//! infinity); `sweep show`'s object adds the API's `epochs` and `search` of one experiment
//! (with every key too, where the API leaves out one that does not apply); as CSV, one row
//! each under `LS_CSV_COLUMNS`, a missing value an empty cell and a float written as
//! `experiment::trials_csv` writes it (`NaN`, `inf`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use experiment::{busy_ms, Effort, ExperimentSpec, Timestamp, Trial, TrialState};
use serde::Serialize;
use store::{ExperimentInfo, TestResult};

use crate::output::trials_json::{finite, TrialRow};

/// An experiment as `sweep ls --format json` lists it.
#[derive(Debug, Serialize)]
struct ExperimentRow<'a> {
    name: &'a str,
    description: &'a str,
    /// As `Running::shown` shows it: `running` only for the experiment a live sweep runs.
    status: &'static str,
    /// The first objective, which `best` is judged by.
    objective: &'a str,
    goal: &'static str,
    /// Every objective, the first first (one with one).
    objectives: Vec<ObjectiveRow>,
    seed: u64,
    run_cap: u32,
    spec_path: &'a str,
    /// When it was created, as RFC 3339 in UTC to the millisecond (the trials' `started`).
    created: String,
    /// `created` in milliseconds since the Unix epoch, as the dashboard's API writes it.
    created_ms: i64,
    /// When it finished, as `created` is written; `null` when it has not.
    finished: Option<String>,
    /// `finished` in milliseconds since the Unix epoch.
    finished_ms: Option<i64>,
    trials: CountsRow,
    /// Its best trial (`experiment::best_trial`); `null` before one completed.
    best: Option<BestRow>,
    /// The seconds while any trial ran (the table's `busy`); `null` when none has.
    busy_seconds: Option<f64>,
    /// The command that resumes an interrupted sweep, as `sweep show`'s `resume` line and the
    /// API's `resume_command` give it; `null` for one that is not interrupted.
    resume_command: Option<&'a str>,
    /// Its best trial's metrics on the held-out test split as the store keeps them, as the
    /// API's `test` (`TestRow`); `null` where none was measured (or its record does not read).
    test: Option<TestRow<'a>>,
}

/// One objective: its metric and whether it is minimized or maximized.
#[derive(Debug, Serialize)]
struct ObjectiveRow {
    name: String,
    goal: &'static str,
}

/// An experiment's trials by state, as its status shows them (`Running::shown`).
#[derive(Debug, Serialize)]
struct CountsRow {
    stored: usize,
    completed: usize,
    pruned: usize,
    failed: usize,
    /// Running now, in the experiment a live sweep runs (read through its dashboard); none
    /// elsewhere, as the API counts them.
    running: usize,
    /// Left running by a sweep that was killed, of an experiment no sweep runs now.
    interrupted: usize,
    /// Waiting for their turn, or put back by a sweep that was stopped.
    queued: usize,
}

/// The best trial and its value of the first objective.
#[derive(Debug, Serialize)]
struct BestRow {
    trial: u32,
    /// `null` in JSON where it is not finite.
    #[serde(serialize_with = "finite_or_null")]
    value: Option<f64>,
}

/// The trial measured on the test split and its metrics, as the API's `test`.
#[derive(Debug, Serialize)]
struct TestRow<'a> {
    /// The trial measured: the best on validation when it was (a later run may have found a
    /// better one, `best`, measured when that run ends).
    trial: u32,
    /// Its test metrics by name (`test_accuracy`, ...) in full precision; `null` in JSON where
    /// not finite.
    #[serde(serialize_with = "finite_metrics")]
    metrics: &'a BTreeMap<String, f64>,
}

/// An experiment as `sweep show EXPERIMENT --format json` writes it: the experiment as `sweep
/// ls --format json` lists it, the epochs its trials trained and how it searches as the API's
/// `/api/experiments/{name}` says them, and its leaderboard's rows as `sweep trials --format
/// json` writes them.
#[derive(Debug, Serialize)]
struct ShownRow<'a> {
    experiment: ExperimentRow<'a>,
    epochs: EpochsRow,
    /// `null` when the stored spec does not read with this version.
    search: Option<SearchRow>,
    leaderboard: Vec<TrialRow<'a>>,
}

/// The epochs an experiment's trials trained (`experiment::Effort`), as the API's `epochs`.
#[derive(Debug, Serialize)]
struct EpochsRow {
    /// Epochs trained by every trial together (attempts cut off apart).
    trained: u64,
    /// The epochs they would have trained had none stopped early; `null` when the stored spec
    /// cannot be read.
    most: Option<u64>,
    /// Epochs trained by attempts a stop or a kill cut off before their trials ran again.
    cut: u64,
    /// How many trials were pruned at each epoch, in epoch order (those a constraint stopped
    /// among them, as the API counts them).
    pruned_at: Vec<PrunedAtRow>,
}

/// How many trials were pruned at one epoch.
#[derive(Debug, Serialize)]
struct PrunedAtRow {
    epoch: u32,
    trials: usize,
}

/// How an experiment searches, as the API's `search` (and `sweep show`'s `method`, `pruner`
/// and `rungs` lines) says it; a setting that does not apply is `null` (`[]` for no
/// constraints) where the API leaves it out.
#[derive(Debug, Serialize)]
struct SearchRow {
    method: &'static str,
    /// The sampler's settings as a `sampler:` block would set them; `null` for `random`.
    sampler: Option<String>,
    pruner: &'static str,
    /// The pruner's settings as a `pruner:` block; `null` without a pruner.
    pruner_settings: Option<String>,
    /// The epochs at which ASHA or Hyperband judges trials, in words.
    rungs: Option<String>,
    target: Option<f64>,
    plateau: Option<PlateauRow>,
    constraints: Vec<ConstraintRow>,
}

/// The plateau rule that ends a sweep.
#[derive(Debug, Serialize)]
struct PlateauRow {
    patience: u32,
    min_delta: f64,
}

/// A constraint on a metric: its bounds, `null` where it has none.
#[derive(Debug, Serialize)]
struct ConstraintRow {
    metric: String,
    min: Option<f64>,
    max: Option<f64>,
}

impl EpochsRow {
    fn of(effort: &Effort) -> EpochsRow {
        EpochsRow {
            trained: effort.trained(),
            most: effort.most(),
            cut: effort.cut(),
            pruned_at: effort
                .pruned_at()
                .map(|(epoch, trials)| PrunedAtRow { epoch, trials })
                .collect(),
        }
    }
}

impl SearchRow {
    fn of(spec: &ExperimentSpec) -> SearchRow {
        SearchRow {
            method: spec.method.name(),
            sampler: spec.method.sampler_yaml(),
            pruner: spec.pruner.name(),
            pruner_settings: spec.pruner.is_active().then(|| spec.pruner.yaml()),
            rungs: spec.rungs_text(),
            target: spec.target,
            plateau: spec.plateau.map(|p| PlateauRow {
                patience: p.patience,
                min_delta: p.min_delta,
            }),
            constraints: spec
                .constraints
                .iter()
                .map(|c| ConstraintRow {
                    metric: c.metric.clone(),
                    min: c.min,
                    max: c.max,
                })
                .collect(),
        }
    }
}

/// Writes experiment `info`, judged by its `spec` over its `trials` with the spans of work in
/// `kept` and its `best` trial (`experiment::best_trial`, judged by the caller), with the
/// command that resumes it (`resume`), what its trials trained (`effort`) and its
/// `leaderboard`'s rows, as one JSON object (`ShownRow`).
pub(super) fn shown_json(
    out: &mut impl Write,
    (info, spec, resume, test): super::Headed<'_>,
    (trials, best, kept): (&[Trial], Option<&Trial>, &[(Timestamp, Timestamp)]),
    (effort, leaderboard): (&Effort, Vec<TrialRow<'_>>),
) -> io::Result<()> {
    let shown = ShownRow {
        experiment: experiment_row(info, spec, (trials, best), (kept, resume, test)),
        epochs: EpochsRow::of(effort),
        search: spec.map(SearchRow::of),
        leaderboard,
    };
    serde_json::to_writer_pretty(&mut *out, &shown)?;
    writeln!(out)
}

/// Writes the experiments of `rows`, judged by `specs` with the spans of work in `kept` and
/// the commands that resume them in `resumes` and their test results in `tests`, as
/// `experiments_kept` takes them, as a JSON array (`[]` for none).
pub(super) fn json(
    out: &mut impl Write,
    rows: &[(ExperimentInfo, Vec<Trial>)],
    specs: &[Option<ExperimentSpec>],
    beside: super::Beside<'_>,
) -> io::Result<()> {
    let listed: Vec<ExperimentRow<'_>> = listed(rows, specs, beside).collect();
    serde_json::to_writer_pretty(&mut *out, &listed)?;
    writeln!(out)
}

/// Writes the experiments as `json` takes them (the commands that resume them aside), as CSV
/// (the header alone for none): `LS_CSV_COLUMNS`, then one column for each test metric any
/// of them measured, by its name (`test_accuracy`, ...), in name order, as the trials' CSV
/// has one per metric; a cell is empty where its experiment has no such test metric.
pub(super) fn csv(
    out: &mut impl Write,
    rows: &[(ExperimentInfo, Vec<Trial>)],
    specs: &[Option<ExperimentSpec>],
    (kept, _, tests): super::Beside<'_>,
) -> io::Result<()> {
    let listed: Vec<ExperimentRow<'_>> = listed(rows, specs, (kept, &[], tests)).collect();
    let measured: BTreeSet<&str> = (listed.iter())
        .filter_map(|row| row.test.as_ref())
        .flat_map(|test| test.metrics.keys().map(String::as_str))
        .collect();
    let mut header: Vec<String> = LS_CSV_COLUMNS.map(String::from).to_vec();
    header.extend(measured.iter().map(|name| name.to_string()));
    out.write_all(csv_line(&header).as_bytes())?;
    for row in &listed {
        let mut cells = row.csv_cells();
        cells.extend(measured.iter().map(|name| {
            let value = row.test.as_ref().and_then(|t| t.metrics.get(*name));
            value.map_or(String::new(), |v| format!("{v:?}"))
        }));
        out.write_all(csv_line(&cells).as_bytes())?;
    }
    Ok(())
}

/// Returns each of `rows` as a row, judged by its spec in `specs`; a row past the end of
/// `kept` counts no spans beside its trials, one past the end of `resumes` has no command
/// that resumes it, and one past the end of `tests` no test result.
fn listed<'a>(
    rows: &'a [(ExperimentInfo, Vec<Trial>)],
    specs: &'a [Option<ExperimentSpec>],
    (kept, resumes, tests): super::Beside<'a>,
) -> impl Iterator<Item = ExperimentRow<'a>> + 'a {
    rows.iter()
        .zip(specs)
        .enumerate()
        .map(|(row, ((info, trials), spec))| {
            let kept = kept.get(row).map_or(&[][..], Vec::as_slice);
            let resume = resumes.get(row).and_then(Option::as_deref);
            let test = tests.get(row).and_then(Option::as_ref);
            let objectives = info.objectives(spec.as_ref());
            let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
            let best = experiment::best_trial(trials, &objectives, constraints);
            experiment_row(info, spec.as_ref(), (trials, best), (kept, resume, test))
        })
}

/// The columns of `sweep ls --format csv`: `ExperimentRow`'s facts, one cell each (the test
/// split's trial as `test_trial`), before its test metrics' columns (`csv`).
const LS_CSV_COLUMNS: [&str; 18] = [
    "name",
    "status",
    "objective",
    "goal",
    "objectives",
    "run_cap",
    "stored",
    "completed",
    "pruned",
    "failed",
    "interrupted",
    "queued",
    "best_trial",
    "best_value",
    "created",
    "finished",
    "busy_seconds",
    "test_trial",
];

/// Returns `info`, judged by its `spec` over its `trials`, whose `best` is as
/// `experiment::best_trial` judges it, as `sweep ls --format json` lists it; `kept` are the
/// spans of work its trials' records keep, which its busy time counts, `resume` the
/// command that resumes it and `test` its test result.
fn experiment_row<'a>(
    info: &'a ExperimentInfo,
    spec: Option<&ExperimentSpec>,
    (trials, best): (&[Trial], Option<&Trial>),
    (kept, resume, test): (
        &[(Timestamp, Timestamp)],
        Option<&'a str>,
        Option<&'a TestResult>,
    ),
) -> ExperimentRow<'a> {
    let objectives = info.objectives(spec);
    let n = |s: TrialState| trials.iter().filter(|t| t.state == s).count();
    let live = crate::output::runs_now(info);
    ExperimentRow {
        name: &info.name,
        description: &info.description,
        status: info.status.as_str(),
        objective: &info.objective,
        goal: info.goal.as_str(),
        objectives: objectives
            .iter()
            .map(|o| ObjectiveRow {
                name: o.name.clone(),
                goal: o.goal.as_str(),
            })
            .collect(),
        seed: info.seed.0,
        run_cap: info.run_cap,
        spec_path: &info.spec_path,
        created: info.created.iso_utc(),
        created_ms: info.created.0,
        finished: info.finished.map(Timestamp::iso_utc),
        finished_ms: info.finished.map(|t| t.0),
        trials: CountsRow {
            stored: trials.len(),
            completed: n(TrialState::Completed),
            pruned: n(TrialState::Pruned),
            failed: n(TrialState::Failed),
            running: if live { n(TrialState::Running) } else { 0 },
            interrupted: if live { 0 } else { n(TrialState::Running) },
            queued: n(TrialState::Queued),
        },
        best: best.map(|t| BestRow {
            trial: t.id.0,
            value: t.value(&info.objective),
        }),
        // Exact below 2^53 ms, as the trials' `duration_seconds`.
        #[allow(clippy::cast_precision_loss)]
        busy_seconds: busy_ms(trials, kept, None).map(|ms| ms as f64 / 1000.0),
        resume_command: resume,
        test: test.map(|t| TestRow {
            trial: t.trial.0,
            metrics: &t.metrics,
        }),
    }
}

impl ExperimentRow<'_> {
    /// Returns its cells under `LS_CSV_COLUMNS`: a missing value empty, the best value as
    /// `experiment::trials_csv` writes metrics (shortest round trip, `NaN` and `inf` too).
    fn csv_cells(&self) -> Vec<String> {
        let names: Vec<&str> = self.objectives.iter().map(|o| o.name.as_str()).collect();
        let count = |n: usize| n.to_string();
        vec![
            self.name.to_string(),
            self.status.to_string(),
            self.objective.to_string(),
            self.goal.to_string(),
            names.join(" "),
            self.run_cap.to_string(),
            count(self.trials.stored),
            count(self.trials.completed),
            count(self.trials.pruned),
            count(self.trials.failed),
            count(self.trials.interrupted),
            count(self.trials.queued),
            self.best
                .as_ref()
                .map_or(String::new(), |b| b.trial.to_string()),
            self.best.as_ref().map_or(String::new(), |b| b.csv_value()),
            self.created.clone(),
            self.finished.clone().unwrap_or_default(),
            self.busy_seconds
                .map_or(String::new(), |s| format!("{s:?}")),
            self.test
                .as_ref()
                .map_or(String::new(), |t| t.trial.to_string()),
        ]
    }
}

impl BestRow {
    /// Returns its value as a CSV cell.
    fn csv_value(&self) -> String {
        self.value.map_or(String::new(), |v| format!("{v:?}"))
    }
}

/// Serializes a value JSON cannot hold (NaN, infinity) as `null`, as the API writes it.
fn finite_or_null<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    finite(*v).serialize(s)
}

/// Serializes test metrics with a value JSON cannot hold as `null`, as the API writes them.
fn finite_metrics<S: serde::Serializer>(
    metrics: &&BTreeMap<String, f64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(metrics.iter().map(|(name, v)| (name, finite(Some(*v)))))
}

/// Returns one CSV line, ending in a newline, each cell as `experiment::trials_csv` writes
/// cells (`experiment::csv_cell`).
fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells.iter().map(|c| experiment::csv_cell(c)).collect();
    format!("{}\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Format;
    use crate::output::experiments::tests::trial;
    use crate::output::experiments_kept;

    #[test]
    fn issue_ls_writes_each_experiment_as_json_and_csv_with_its_best_and_counts() {
        let info = crate::output::trial::tests::info();
        let best = Trial {
            result: Some(experiment::TrialResult {
                best_step: experiment::Step(1),
                metrics: [("val_loss".to_string(), 0.25)].into_iter().collect(),
            }),
            ..trial(0, TrialState::Completed)
        };
        let rows = [
            (info.clone(), vec![best, trial(1, TrialState::Failed)]),
            (
                ExperimentInfo {
                    name: "empty, \"quoted\"".into(),
                    ..info
                },
                Vec::new(),
            ),
        ];
        let listed = |format: Format| {
            let mut out = Vec::new();
            experiments_kept(&mut out, &rows, &[None, None], (&[], &[], &[]), format).unwrap();
            String::from_utf8(out).unwrap()
        };
        let json: serde_json::Value = serde_json::from_str(&listed(Format::Json)).unwrap();
        let seen: Vec<String> = (0..2)
            .map(|i| {
                let e = &json[i];
                format!(
                    "{} {} {} {} {} {}",
                    e["name"], e["status"], e["objectives"], e["trials"], e["best"], e["finished"]
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                r#""e" "finished" [{"goal":"minimize","name":"val_loss"}] {"completed":1,"failed":1,"interrupted":0,"pruned":0,"queued":0,"running":0,"stored":2} {"trial":0,"value":0.25} null"#,
                r#""empty, \"quoted\"" "finished" [{"goal":"minimize","name":"val_loss"}] {"completed":0,"failed":0,"interrupted":0,"pruned":0,"queued":0,"running":0,"stored":0} null null"#,
            ]
        );
        // Every key in every object: no command resumes a finished sweep.
        let resume = json[0].as_object().and_then(|e| e.get("resume_command"));
        assert_eq!(resume, Some(&serde_json::Value::Null), "{json}");
        assert_eq!(
            listed(Format::Csv),
            "name,status,objective,goal,objectives,run_cap,stored,completed,pruned,failed,\
             interrupted,queued,best_trial,best_value,created,finished,busy_seconds,test_trial\n\
             e,finished,val_loss,minimize,val_loss,2,2,1,0,1,0,0,0,0.25,1970-01-01T00:00:00.000Z,,,\n\
             \"empty, \"\"quoted\"\"\",finished,val_loss,minimize,val_loss,2,0,0,0,0,0,0,,,\
             1970-01-01T00:00:00.000Z,,,\n"
        );
        // No experiments: a header alone, or an empty array, that a script reads as none.
        let mut out = Vec::new();
        experiments_kept(&mut out, &[], &[], (&[], &[], &[]), Format::Json).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[]\n");
    }

    #[test]
    fn issue_f3_ls_and_show_write_the_test_result_as_the_api_does() {
        // The test split's metrics were in the API's `test` alone: `sweep ls` and `sweep show`
        // wrote them in no machine-readable form.
        let info = crate::output::trial::tests::info();
        let tested = TestResult {
            trial: experiment::TrialId(1),
            metrics: [
                ("test_accuracy".to_string(), 0.964_601_769_911_504_4),
                ("test_loss".to_string(), f64::NAN),
            ]
            .into_iter()
            .collect(),
        };
        let other = ExperimentInfo {
            name: "f".into(),
            ..info.clone()
        };
        let rows = [(info.clone(), Vec::new()), (other, Vec::new())];
        let tests = [Some(tested.clone()), None];
        let listed = |format: Format| {
            let mut out = Vec::new();
            let beside = (&[][..], &[][..], &tests[..]);
            experiments_kept(&mut out, &rows, &[None, None], beside, format).unwrap();
            String::from_utf8(out).unwrap()
        };
        let json: serde_json::Value = serde_json::from_str(&listed(Format::Json)).unwrap();
        let api = serde_json::json!({
            "trial": 1,
            "metrics": {"test_accuracy": 0.964_601_769_911_504_4, "test_loss": null},
        });
        assert_eq!(json[0]["test"], api);
        // Every key in every object: `null` where none was measured.
        let test = json[1].as_object().and_then(|e| e.get("test"));
        assert_eq!(test, Some(&serde_json::Value::Null), "{json}");
        // As CSV, the trial, then a column per test metric, in full precision.
        let csv = listed(Format::Csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert!(
            lines[0].ends_with(",busy_seconds,test_trial,test_accuracy,test_loss"),
            "{csv}"
        );
        assert!(lines[1].ends_with(",1,0.9646017699115044,NaN"), "{csv}");
        assert!(lines[2].ends_with(",,,"), "{csv}");
        // `sweep show --format json` heads its answer with the same object.
        let mut shown = Vec::new();
        shown_json(
            &mut shown,
            (&info, None, None, Some(&tested)),
            (&[], None, &[]),
            (&Effort::default(), Vec::new()),
        )
        .unwrap();
        let shown: serde_json::Value = serde_json::from_slice(&shown).unwrap();
        assert_eq!(shown["experiment"]["test"], api);
    }

    /// Returns the cell `experiment::trials_csv` writes for a trial's text parameter `text`.
    fn trials_csv_cell(text: &str) -> String {
        let mut t = trial(0, TrialState::Completed);
        t.params
            .insert("p".into(), experiment::ParamValue::Str(text.into()));
        let effort = experiment::Effort::default();
        let all = [t];
        let csv = experiment::trials_csv(&all, &experiment::Judged::of(None, &all, &effort));
        // The header names `p` alone; the row's 7 fixed cells hold no comma, and its 3 wall
        // time cells are empty.
        let (_, row) = csv.split_once('\n').unwrap();
        let cells = row.strip_suffix(",,,\n").unwrap();
        cells.splitn(8, ',').last().unwrap().to_string()
    }

    #[test]
    fn ls_csv_quotes_a_cell_as_the_trials_csv_does() {
        // A leading space, as a comma, a quote and a line break, is kept by quoting it.
        for text in [" lead", "trail ", "a,b", "say \"hi\"", "two\nlines"] {
            let info = ExperimentInfo {
                name: text.into(),
                objective: text.into(),
                ..crate::output::trial::tests::info()
            };
            let mut out = Vec::new();
            experiments_kept(
                &mut out,
                &[(info, Vec::new())],
                &[None],
                (&[], &[], &[]),
                Format::Csv,
            )
            .unwrap();
            let listed = String::from_utf8(out).unwrap();
            let cell = trials_csv_cell(text);
            assert!(cell.starts_with('"'), "{text:?} is quoted: {cell}");
            let row = format!("\n{cell},finished,{cell},minimize,{cell},");
            assert!(listed.contains(&row), "{listed:?} has {row:?}");
        }
    }
}
