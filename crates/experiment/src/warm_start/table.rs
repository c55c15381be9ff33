//! A warm start from a table of results (a CSV file, read by the caller): which column holds
//! each parameter, the objective and a trial's state, and which rows a search takes.
//!
//! Four layouts are read, so that results come from wherever they were kept: `sweep export
//! --format csv` (`trial`, `state`, `best_epoch`, `param.NAME`, `metric.NAME`), MLflow's
//! `search_runs()` (`status` as `FINISHED`/`FAILED`/`KILLED`, `params.NAME`, `metrics.NAME`),
//! Optuna's `study.trials_dataframe()` (`number`, `state` as `COMPLETE`/`PRUNED`/`FAIL`,
//! `params_NAME`, `value`, `user_attrs_NAME`), and a plain table with a column named after
//! each parameter and one after the objective (a W&B runs table exported as CSV, a
//! spreadsheet). For each name the first of those spellings the header has is read. A row
//! without a state column is a completed trial. The dashboard's download for a spreadsheet
//! reads as `sweep export`'s: a text cell guarded with a `'` reads as the value it guards,
//! cell by cell (`guarded`).
//!
//! A file that gives nothing is refused rather than taken as an empty warm start: curve data
//! (`sweep export --series`), a file without a column for a parameter every trial has (said
//! once, with the columns it may have been renamed), and one none of whose finished rows fit.

use std::collections::BTreeMap;

use crate::{
    Constraint, Distribution, ExperimentSpec, Param, ParamValue, Params, Seed, Step, Trial,
    TrialId, TrialResult, TrialState,
};

use super::{first_reasons, params_in, unused_notes, WarmStart, WarmStarted, NOTE};
use crate::comma::decimal_comma_hint;
use guarded::{guarded_notes, guarded_read, guarded_value};

mod guarded;

/// Says why a file of `sweep export --series` curves is no warm start.
const CURVE_DATA: &str = "this is curve data (a `metric` and a `value` per `step`, as `sweep \
                          export --series` writes it), not a table of results; a warm start \
                          reads a row per trial, as `sweep export EXPERIMENT --format csv` \
                          writes it";

/// A table of results read from a CSV file: its header and its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultsTable {
    /// The header's cells, trimmed.
    pub columns: Vec<String>,
    /// The rows, in file order.
    pub rows: Vec<ResultsRow>,
}

/// One row of a `ResultsTable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsRow {
    /// The file line it starts on, from 1.
    pub line: u64,
    /// Its cells, in the header's order (a short row lacks the last ones).
    pub cells: Vec<String>,
}

/// How a row's state reads.
enum RowState {
    /// Finished: taken if it fits the search.
    Finished(TrialState),
    /// Still running or waiting: not a result yet, left out without a word (as an experiment's
    /// unfinished trials are).
    Unfinished,
}

/// Where a table holds what a warm start reads, by column index.
struct Columns<'s> {
    /// The objective's name, and its column.
    objective: (&'s str, usize),
    /// Each searched parameter the table has, by name.
    params: Vec<(&'s str, usize)>,
    /// The metrics the constraints read, besides the objective.
    metrics: Vec<(&'s str, usize)>,
    /// The constraints on a metric the table has no column for.
    missing: Vec<&'s Constraint>,
    state: Option<usize>,
    number: Option<usize>,
    best_epoch: Option<usize>,
    seed: Option<usize>,
}

/// A row read as a trial.
struct Read<'s> {
    trial: Trial,
    /// The parameters it gives where this search does not set them (`Fitted::unused`).
    unused: Vec<String>,
    /// Each parameter whose cell was read as the value it guards, and `guarded_read`.
    guarded: Vec<(&'s str, String)>,
}

impl<'s> Columns<'s> {
    /// Finds the columns of `table` that `spec`'s search reads, the first spelling the header
    /// has winning for each name; `Err` when the table is another kind of file (curves), or
    /// lacks a column for the objective or for a parameter every trial of the search has.
    fn of(spec: &'s ExperimentSpec, table: &ResultsTable) -> Result<Columns<'s>, String> {
        let column = |names: &[String]| {
            names
                .iter()
                .find_map(|n| table.columns.iter().position(|c| c == n))
        };
        let named = |name: &str| {
            table
                .columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
        };
        if is_curve_data(table) {
            return Err(CURVE_DATA.to_string());
        }
        let objective = spec.metric.name.as_str();
        let Some(value_at) = column(&[
            format!("metric.{objective}"),
            format!("metrics.{objective}"),
            objective.to_string(),
            "value".to_string(),
        ]) else {
            return Err(format!(
                "no column for the objective `{objective}`: looked for `metric.{objective}` \
                 (`sweep export`), `metrics.{objective}` (MLflow), `{objective}` and `value` \
                 (Optuna's `trials_dataframe()`); the header has {}",
                listed(&table.columns)
            ));
        };
        let found: Vec<(&Param, Option<usize>)> = spec
            .space
            .params()
            .iter()
            .map(|p| (p, column(&param_spellings(&p.name))))
            .collect();
        let params: Vec<(&str, usize)> = found
            .iter()
            .filter_map(|(p, at)| Some((p.name.as_str(), (*at)?)))
            .collect();
        // A parameter every trial has, without a column, would leave every row out, each
        // saying so: it is said once, for the file, with the columns it may have been renamed.
        // (A parameter of one value, `value:`, needs none: Optuna's table has no column for a
        // value never suggested, and every trial had it.)
        if let Some((p, _)) = found.iter().find(|(p, at)| {
            at.is_none()
                && p.condition.is_none()
                && !matches!(p.distribution, crate::Distribution::Constant(_))
        }) {
            let used: Vec<usize> = params.iter().map(|(_, at)| *at).chain([value_at]).collect();
            let unused: Vec<String> = (0..table.columns.len())
                .filter(|at| !used.contains(at))
                .filter_map(|at| table.columns.get(at).cloned())
                .collect();
            return Err(no_param_column(&p.name, &unused, &table.columns));
        }
        let mut metrics = Vec::new();
        let mut missing = Vec::new();
        for c in spec.constraints.iter().filter(|c| c.metric != objective) {
            match column(&metric_spellings(&c.metric)) {
                Some(at) => metrics.push((c.metric.as_str(), at)),
                None => missing.push(c),
            }
        }
        Ok(Columns {
            objective: (objective, value_at),
            params,
            metrics,
            missing,
            // MLflow's state is its `status`; in any other table `status` is the user's own
            // column (a review's, a label), not a trial's state.
            state: named("state").or_else(|| {
                let mlflow = table
                    .columns
                    .iter()
                    .any(|c| c.starts_with("params.") || c.starts_with("metrics."));
                named("status").filter(|_| mlflow)
            }),
            number: named("trial").or_else(|| named("number")),
            best_epoch: named("best_epoch"),
            seed: named("seed"),
        })
    }

    /// Returns a note for each constraint whose metric the table has no column for: its rows
    /// count as breaking it (a missing metric is an infinite violation, as Optuna counts a trial
    /// without constraint values), which the search learns little from.
    fn notes(&self) -> Vec<String> {
        self.missing
            .iter()
            .map(|c| {
                let looked: Vec<String> = metric_spellings(&c.metric)
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect();
                format!(
                    "{NOTE}the file has no column for `{}` (looked for {}), so its rows count as \
                     breaking `{c}`: the search learns from them where not to look, not which of \
                     them did best",
                    c.metric,
                    joined(&looked)
                )
            })
            .collect()
    }

    /// Returns the number a row counts as against `trials:`: its trial number, else its place;
    /// `Err` says why a row's trial number cannot be read (a row that cannot be placed cannot
    /// be counted against `trials:` either).
    fn number(&self, row: &ResultsRow, place: usize) -> Result<u64, String> {
        match self.number {
            Some(at) => {
                let text = cell(row, at);
                // pandas writes a number column with gaps as floats: `3.0` is trial 3.
                let whole = text
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0 && x.fract() == 0.0 && *x < 1.8e19)
                    .map(|x| {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let n = x as u64;
                        n
                    });
                text.parse::<u64>().ok().or(whole).ok_or_else(|| {
                    format!(
                        "line {}: trial `{text}` is not a trial number (a whole number from 0)",
                        row.line
                    )
                })
            }
            None => Ok(u64::try_from(place).unwrap_or(u64::MAX)),
        }
    }

    /// Reads `row` as trial `id` of a search over `spec`'s space: `Ok(None)` for a row that is
    /// not a result yet, `Err` with why a finished one is left out.
    fn trial(
        &self,
        row: &ResultsRow,
        spec: &ExperimentSpec,
        id: TrialId,
    ) -> Result<Option<Read<'s>>, String> {
        let line = row.line;
        let state = match self.state.map(|at| cell(row, at)) {
            None => TrialState::Completed,
            Some(text) => match row_state(text) {
                Some(RowState::Finished(state)) => state,
                Some(RowState::Unfinished) => return Ok(None),
                None => {
                    return Err(format!(
                        "line {line}: state `{text}` is not completed, pruned or failed"
                    ))
                }
            },
        };
        let (objective, value_at) = self.objective;
        let value = match (state, number_in(cell(row, value_at))) {
            (TrialState::Failed, v) => v.ok(),
            (_, Ok(v)) => Some(v),
            (_, Err(why)) => return Err(format!("line {line}: `{objective}` {why}")),
        };
        let mut given = Params::new();
        // An empty cell is a missing value, but for a parameter one of whose values is the
        // empty string: where the row has that parameter, it is that value (`sweep export`
        // writes it `""`; a CSV reader gives both as an empty cell).
        let mut blank = Params::new();
        // `0,02`, a number with a decimal comma, read as text: said with how to write it, where
        // the parameter is one the trial has (an inactive one's cell is never read).
        let mut hints: Vec<(&str, String)> = Vec::new();
        let mut guarded = Vec::new();
        for &(name, at) in &self.params {
            let Some(param) = spec.space.param(name) else {
                continue;
            };
            let raw = row.cells.get(at).map_or("", String::as_str);
            let text = raw.trim();
            // The dashboard's download writes `=x` as `'=x`: a cell that is no listed value
            // as written, but is one without its first `'`, reads as that one (`guarded`).
            // Else a cell is read trimmed (`lr, depth` and `0.1, 2` as a person writes a
            // table), but a value of a `values:` list with spaces at its ends (`"x "`) is read
            // as written first, so that it is not taken for another (`"x"`).
            let value = match guarded_value(raw, &param.distribution) {
                Some(value) => {
                    guarded.push((name, guarded_read(row.line, raw, &value)));
                    value
                }
                None => match listed_as_written(raw, &param.distribution) {
                    Some(value) => value,
                    None if text.is_empty() => {
                        if let Some(empty) = listed_as_written("", &param.distribution) {
                            blank.insert(name.to_string(), empty);
                        }
                        continue;
                    }
                    None => typed(text, &param.distribution),
                },
            };
            if matches!(value, ParamValue::Str(_)) {
                hints.push((name, decimal_comma_hint(text)));
            }
            given.insert(name.to_string(), value);
        }
        let fitted = params_in(&spec.space, &given, &blank).map_err(|why| {
            let hint = hints
                .iter()
                .find(|(name, _)| why.starts_with(&format!("`{name}` ")))
                .map_or("", |(_, hint)| hint.as_str());
            format!("line {line}: {why}{hint}")
        })?;
        let params = fitted.params;
        let mut recorded: BTreeMap<String, f64> = self
            .metrics
            .iter()
            .filter_map(|(m, at)| Some((m.to_string(), number_in(cell(row, *at)).ok()?)))
            .collect();
        if let Some(v) = value {
            recorded.insert(objective.to_string(), v);
        }
        // A value a known metric cannot take (an accuracy of 97.5, in percent) would teach the
        // search wrong; the row is left out, with why.
        let impossible = recorded
            .iter()
            .find_map(|(name, &v)| crate::out_of_range(name, v));
        if let Some(why) = impossible {
            return Err(format!("line {line}: {why}"));
        }
        let read = |at: Option<usize>| at.map(|at| cell(row, at));
        let best_step = read(self.best_epoch)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let trial = Trial {
            id,
            seed: Seed(read(self.seed).and_then(|c| c.parse().ok()).unwrap_or(0)),
            params,
            state,
            reason: None,
            started: None,
            finished: None,
            result: (!recorded.is_empty()).then_some(TrialResult {
                best_step: Step(best_step),
                metrics: recorded,
            }),
        };
        Ok(Some(Read {
            trial,
            unused: fitted.unused,
            guarded,
        }))
    }
}

impl WarmStart {
    /// Returns the rows of `table` that `spec`'s search learns from, as trials numbered from 0
    /// in their order (the table's trial numbers where it has them), and why the other finished
    /// rows were left out (and, after them, a `note: ` for each parameter given where the search
    /// does not set it, each parameter with cells read as the values they guard from a
    /// spreadsheet, and each constraint whose metric it has no column for). `Err` says why the
    /// table cannot be read at all: it is curve data, or has no column for the objective or for
    /// a parameter every trial has; or none of its rows can be taken while some finished.
    pub fn import_table(
        &self,
        spec: &ExperimentSpec,
        table: &ResultsTable,
    ) -> Result<WarmStarted, String> {
        let columns = Columns::of(spec, table)?;
        let mut left_out = Vec::new();
        let mut rows: Vec<(u64, &ResultsRow)> = Vec::new();
        for (place, row) in table.rows.iter().enumerate() {
            match columns.number(row, place) {
                Ok(number) if self.trials.is_none_or(|n| number < u64::from(n)) => {
                    rows.push((number, row));
                }
                Ok(_) => {}
                Err(why) => left_out.push(why),
            }
        }
        rows.sort_by_key(|(number, _)| *number);
        let mut trials = Vec::new();
        let mut unused = Vec::new();
        let mut guarded = Vec::new();
        for (_, row) in rows {
            let id = TrialId(u32::try_from(trials.len()).unwrap_or(u32::MAX));
            match columns.trial(row, spec, id) {
                Ok(Some(read)) => {
                    let at = format!("line {}", row.line);
                    unused.extend(read.unused.into_iter().map(|p| (p, at.clone())));
                    guarded.extend(read.guarded);
                    trials.push(read.trial);
                }
                Ok(None) => {}
                Err(why) => left_out.push(why),
            }
        }
        // A warm start that takes nothing from a file of results is not what was asked for.
        if trials.is_empty() && !left_out.is_empty() {
            // (With `trials: N`, the rows it looks at are those numbered below N.)
            let which = self
                .trials
                .map_or_else(String::new, |n| format!(" numbered below {n}"));
            return Err(format!(
                "none of its rows{which} can be taken: {} left out ({})",
                left_out.len(),
                first_reasons(&left_out)
            ));
        }
        if !trials.is_empty() {
            left_out.extend(unused_notes(&spec.space, &unused));
            left_out.extend(guarded_notes(&guarded));
            left_out.extend(columns.notes());
        }
        Ok(WarmStarted {
            source: self.source.name(),
            trials,
            left_out,
        })
    }
}

/// Returns the cell of `row` in column `at`, trimmed; empty where the row is short.
fn cell(row: &ResultsRow, at: usize) -> &str {
    row.cells.get(at).map_or("", |c| c.trim())
}

/// Reads a state as `sweep export`, Optuna (`COMPLETE`, `FAIL`, `TrialState.PRUNED`), W&B
/// (`finished`, `crashed`, `killed`) or MLflow (`FINISHED`, `FAILED`, `KILLED`, `SCHEDULED`)
/// write it; `None` for anything else.
fn row_state(text: &str) -> Option<RowState> {
    let word = text.rsplit('.').next().unwrap_or(text).to_ascii_lowercase();
    Some(match word.as_str() {
        "completed" | "complete" | "finished" => RowState::Finished(TrialState::Completed),
        "pruned" => RowState::Finished(TrialState::Pruned),
        "failed" | "fail" | "crashed" | "killed" => RowState::Finished(TrialState::Failed),
        // `interrupted`: a trial a killed sweep left running, as `sweep export` writes it.
        "running" | "queued" | "waiting" | "pending" | "scheduled" | "interrupted" => {
            RowState::Unfinished
        }
        _ => return None,
    })
}

/// Reads a finite number, or says why not.
fn number_in(text: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Err("is empty".to_string());
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "= {text} is not a finite number{}",
            decimal_comma_hint(text)
        )),
    }
}

/// Returns a parameter's column names, in the order they are looked for: `sweep export`'s,
/// MLflow's, Optuna's, then the name itself.
fn param_spellings(name: &str) -> [String; 4] {
    [
        format!("param.{name}"),
        format!("params.{name}"),
        format!("params_{name}"),
        name.to_string(),
    ]
}

/// Returns a constrained metric's column names, in the order they are looked for: `sweep
/// export`'s, MLflow's, an Optuna user attribute's, then the name itself.
fn metric_spellings(name: &str) -> [String; 4] {
    [
        format!("metric.{name}"),
        format!("metrics.{name}"),
        format!("user_attrs_{name}"),
        name.to_string(),
    ]
}

/// Says that the table has no column for the parameter `name`, which every trial has: the
/// names looked for, and the `unused` columns it may have been renamed (`learning_rate` for
/// `lr`), else the whole header.
fn no_param_column(name: &str, unused: &[String], header: &[String]) -> String {
    let [export, mlflow, optuna, plain] = param_spellings(name);
    let close: Vec<String> = unused
        .iter()
        .filter(|c| is_close(name, c))
        .cloned()
        .collect();
    let header = if close.is_empty() {
        listed(header)
    } else {
        format!("{}, which may be it renamed", listed(&close))
    };
    format!(
        "no column for the parameter `{name}`, which every trial of this search has: looked \
         for `{export}` (`sweep export`), `{mlflow}` (MLflow), `{optuna}` (Optuna) and \
         `{plain}`; the header has {header}"
    )
}

/// Returns whether `column`, its layout's prefix aside, may name the parameter `name`: a close
/// spelling (`learn_rate`, `LR`), or words whose initials spell it (`learning_rate` for `lr`).
fn is_close(name: &str, column: &str) -> bool {
    let bare = ["param.", "params.", "params_"]
        .iter()
        .find_map(|p| column.strip_prefix(p))
        .unwrap_or(column);
    let words: Vec<&str> = bare
        .split(['_', '-', '.', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
    // An unnamed column (pandas' index) or a letter is a prefix of every name: never close.
    bare.chars().count() > 1 && crate::words::suggest(name, [bare]).is_some()
        || (words.len() > 1 && initials.eq_ignore_ascii_case(name))
}

/// Returns whether `table` is `sweep export --series`'s long format (a `metric` and a `value`
/// per `step` or `epoch`) rather than a row per trial.
fn is_curve_data(table: &ResultsTable) -> bool {
    let has = |name: &str| table.columns.iter().any(|c| c.eq_ignore_ascii_case(name));
    has("metric") && has("value") && (has("step") || has("epoch"))
}

/// Reads a cell as a value of `distribution`: an integer where it draws integers (`3.0`, as a
/// table with empty cells writes one, included), a number, `true`/`false` (`True` as pandas
/// writes it), or text; a categorical of names also matches the cell's text as written.
fn typed(text: &str, distribution: &Distribution) -> ParamValue {
    let plain = || {
        if let Ok(i) = text.parse::<i64>() {
            return ParamValue::Int(i);
        }
        if let Ok(x) = text.parse::<f64>() {
            let whole = x.fract() == 0.0 && x.abs() < 9.0e15;
            #[allow(clippy::cast_possible_truncation)]
            return match distribution {
                Distribution::IntUniform { .. } if whole => ParamValue::Int(x as i64),
                _ => ParamValue::Float(x),
            };
        }
        match text.to_ascii_lowercase().as_str() {
            "true" => ParamValue::Bool(true),
            "false" => ParamValue::Bool(false),
            _ => ParamValue::Str(text.to_string()),
        }
    };
    let value = plain();
    // A listed name that reads as a number or a yes/no (`"1"`, `"true"` among names).
    match distribution {
        Distribution::Categorical { values, .. }
            if distribution.admit(&value).is_err()
                && values.iter().any(|v| v.as_str() == Some(text)) =>
        {
            ParamValue::Str(text.to_string())
        }
        _ => value,
    }
}

/// Returns the value of a `values:` list whose text is `text` exactly, spaces at its ends and
/// all (`"x "`, `""`), when `text` is not that of a value read trimmed.
fn listed_as_written(text: &str, distribution: &Distribution) -> Option<ParamValue> {
    let Distribution::Categorical { values, .. } = distribution else {
        return None;
    };
    if !text.is_empty() && text.trim() == text {
        return None;
    }
    values.iter().find(|v| v.as_str() == Some(text)).cloned()
}

/// Joins quoted names as "`a`, `b` and `c`".
fn joined(names: &[String]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Lists column names for a message: "`a`, `b`", or "no columns".
fn listed(columns: &[String]) -> String {
    if columns.is_empty() {
        return "no columns".to_string();
    }
    let names: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests;
