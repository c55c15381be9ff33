//! Trial filters: `metric.val_accuracy > 0.95 and param.optimizer = adam`, as MLflow's
//! `search_runs(filter_string=...)` selects runs.
//!
//! A filter is conditions joined by `and` (MLflow has no `or` either). A condition compares a
//! field with a value: `param.NAME` (or MLflow's `params.NAME`), `metric.NAME` (`metrics.NAME`:
//! the value at the trial's result, its best epoch), `state`, `trial` (its number) or `epoch`
//! (its best epoch); with `=`, `!=`, `<`, `<=`, `>`, `>=` (also `==` and `<>`), or with a list
//! of values, `in (adam, sgd)` and `not in (adam, sgd)` (as MLflow writes `IN`). Values are
//! numbers, `true`/`false`, quoted strings (`'adam'`, `"adam"`) or bare words (`adam`). Numbers
//! compare as numbers, strings as strings; a bare word compares with a text value as the text
//! it is (`1`, `true`, `null` match `values: ["1", "true", "null"]`, as `"1"` matches `1`); a
//! trial without the field, or whose value is of another kind than the literal, does not match
//! (not even `!=` or `not in`).

mod lexer;

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use crate::{ParamValue, SearchSpace, Trial, KNOWN_METRICS};

use lexer::{found, Lexer};

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialFilter {
    conditions: Vec<Comparison>,
}

/// One comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What is compared.
    pub field: Field,
    op: Op,
    /// The value compared with, each with the column where it starts: one, or a list's for
    /// `in` and `not in`.
    values: Vec<(Literal, usize)>,
    /// Where the field starts in the filter text, counted in characters from 1.
    pub column: usize,
}

/// What a condition compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A parameter by name.
    Param(String),
    /// A metric at the trial's result, by name.
    Metric(String),
    /// The trial's state, as shown (`interrupted` for a trial left running).
    State,
    /// The trial's number.
    Trial,
    /// The trial's best epoch.
    Epoch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Equal to one of a list.
    In,
    /// Equal to none of a list.
    NotIn,
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Number(f64),
    Text(String),
    Bool(bool),
}

/// Why a filter does not parse: the column (in characters, from 1) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// Where the problem is.
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FilterError {}

impl TrialFilter {
    /// Parses `text`; an empty filter matches every trial.
    pub fn parse(text: &str) -> Result<TrialFilter, FilterError> {
        let mut lexer = Lexer::new(text);
        let mut conditions = Vec::new();
        if lexer.at_end() {
            return Ok(TrialFilter { conditions });
        }
        loop {
            conditions.push(lexer.condition()?);
            if lexer.at_end() {
                break;
            }
            let (column, word) = lexer.word();
            if !word.eq_ignore_ascii_case("and") {
                let unexpected = match word.is_empty() {
                    true => lexer.next_text(),
                    false => word.clone(),
                };
                let or = match word.eq_ignore_ascii_case("or") {
                    true => {
                        " (conditions are joined by `and` alone; `param.NAME in (a, b)` \
                             matches either value)"
                    }
                    false => "",
                };
                return Err(FilterError {
                    column,
                    message: format!(
                        "expected `and` between conditions, found {}{or}",
                        found(&unexpected)
                    ),
                });
            }
        }
        Ok(TrialFilter { conditions })
    }

    /// Returns the comparisons, in the order written.
    pub fn comparisons(&self) -> &[Comparison] {
        &self.conditions
    }

    /// Returns whether `trial` meets every condition; `live` says whether a sweep runs its
    /// experiment now: a trial stored `running` is then `running`, else `interrupted` (a
    /// stopped sweep left it), as the tables show it.
    pub fn matches(&self, trial: &Trial, live: bool) -> bool {
        self.conditions.iter().all(|c| c.matches(trial, live))
    }

    /// Checks that every parameter and metric the filter names exists in an experiment with
    /// `trials` and search `space`: a parameter of the space or of a trial; a metric of a
    /// trial's result, or any known metric before a trial has one. A misspelt name is then an
    /// error rather than an empty answer.
    pub fn check_names(
        &self,
        trials: &[Trial],
        space: Option<&SearchSpace>,
    ) -> Result<(), FilterError> {
        // Every experiment page checks its filter, mostly an empty one: no names, no sets.
        if self.conditions.is_empty() {
            return Ok(());
        }
        let names = Names::of(trials, space);
        for c in &self.conditions {
            c.check_listed(space)?;
            c.check_kind(space)?;
            let unknown = match &c.field {
                Field::Param(p) => names.unknown_param(p),
                Field::Metric(m) => names.unknown_metric(m),
                Field::State | Field::Trial | Field::Epoch => None,
            };
            if let Some(message) = unknown {
                return Err(FilterError {
                    column: c.column,
                    message,
                });
            }
        }
        Ok(())
    }
}

/// The parameter and metric names an experiment has, for a filter or a sort that names one: a
/// parameter of the space or of a trial; a metric of a trial's result, or any known metric
/// before a trial has one.
pub(crate) struct Names<'a> {
    params: BTreeSet<&'a str>,
    metrics: BTreeSet<&'a str>,
}

impl<'a> Names<'a> {
    /// Gathers the names of an experiment with `trials` and search `space`.
    pub(crate) fn of(trials: &'a [Trial], space: Option<&'a SearchSpace>) -> Names<'a> {
        let mut params: BTreeSet<&str> = trials
            .iter()
            .flat_map(|t| t.params.keys().map(String::as_str))
            .collect();
        if let Some(space) = space {
            params.extend(space.params().iter().map(|p| p.name.as_str()));
        }
        let mut metrics: BTreeSet<&str> = trials
            .iter()
            .flat_map(|t| t.result.iter().flat_map(|r| r.metrics.keys()))
            .map(String::as_str)
            .collect();
        if metrics.is_empty() {
            metrics.extend(KNOWN_METRICS.iter().map(|(m, _)| *m));
        }
        Names { params, metrics }
    }

    /// Says that the experiment has no parameter `wanted`, when it has none.
    pub(crate) fn unknown_param(&self, wanted: &str) -> Option<String> {
        unknown("parameter", wanted, &self.params)
    }

    /// Says that the experiment has no metric `wanted`, when it has none.
    pub(crate) fn unknown_metric(&self, wanted: &str) -> Option<String> {
        unknown("metric", wanted, &self.metrics)
    }
}

/// Says that `wanted`, a `kind` of name, is not among `known`, with the closest and the list.
fn unknown(kind: &str, wanted: &str, known: &BTreeSet<&str>) -> Option<String> {
    if known.contains(wanted) {
        return None;
    }
    let hint = crate::suggest(wanted, known.iter().copied())
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    let list: Vec<&str> = known.iter().copied().collect();
    Some(format!(
        "the experiment has no {kind} `{wanted}`; {hint}its {kind}s: {}",
        list.join(", ")
    ))
}

impl Comparison {
    /// Refuses a comparison that could only ever be false, from the kind of values a
    /// parameter takes: a numeric range with a value that is not a number (`param.lr > abc`),
    /// or an order (`<`, `>`, ...) on a `values:` list of text (`param.optimizer > adam`).
    fn check_kind(&self, space: Option<&SearchSpace>) -> Result<(), FilterError> {
        let Field::Param(name) = &self.field else {
            return Ok(());
        };
        let Some(param) = space.and_then(|s| s.param(name)) else {
            return Ok(());
        };
        // A range, or a list of numbers only (`hidden: {values: [16, 32]}`).
        let numeric = match &param.distribution {
            crate::Distribution::Categorical { values, .. } => values
                .iter()
                .all(|v| matches!(v, ParamValue::Int(_) | ParamValue::Float(_))),
            crate::Distribution::Constant(v) => {
                matches!(v, ParamValue::Int(_) | ParamValue::Float(_))
            }
            _ => true,
        };
        for (literal, column) in &self.values {
            let number = match literal {
                Literal::Number(_) => true,
                Literal::Text(t) => t.trim().parse::<f64>().is_ok_and(f64::is_finite),
                Literal::Bool(_) => false,
            };
            if numeric && !number {
                return Err(FilterError {
                    column: *column,
                    message: format!(
                        "`{name}` is a number, so it compares with a number, not {literal}"
                    ),
                });
            }
        }
        let text_values = match &param.distribution {
            crate::Distribution::Categorical { values, .. } => values
                .iter()
                .all(|v| matches!(v, ParamValue::Str(s) if s.trim().parse::<f64>().is_err())),
            _ => false,
        };
        if text_values && !self.op.is_equality() {
            return Err(FilterError {
                column: self.values.first().map_or(self.column, |(_, c)| *c),
                message: format!(
                    "`{name}` takes text values, which have no order: compare it with `=`, \
                     `!=` or `in (...)`"
                ),
            });
        }
        Ok(())
    }

    /// Refuses `=` or `!=` with a value that a parameter searched over a `values:` list can
    /// never take (`param.optimizer = adamm`), which would match no trial, or every one.
    fn check_listed(&self, space: Option<&SearchSpace>) -> Result<(), FilterError> {
        let Field::Param(name) = &self.field else {
            return Ok(());
        };
        let listed = space
            .and_then(|s| s.param(name))
            .and_then(|p| match &p.distribution {
                crate::Distribution::Categorical { values, .. } => Some(values),
                _ => None,
            });
        let Some(values) = listed.filter(|_| self.op.is_equality()) else {
            return Ok(());
        };
        for (literal, column) in &self.values {
            if values
                .iter()
                .any(|v| compare_param(v, literal) == Some(Ordering::Equal))
            {
                continue;
            }
            let shown: Vec<String> = values.iter().map(ToString::to_string).collect();
            let hint = match literal {
                Literal::Text(t) => crate::suggest(t, shown.iter().map(String::as_str))
                    .map_or_else(String::new, |s| format!("; did you mean `{s}`?")),
                _ => String::new(),
            };
            return Err(FilterError {
                column: *column,
                message: format!(
                    "`{name}` takes one of its `values:` {}, never {literal}{hint}",
                    shown.join(", "),
                ),
            });
        }
        Ok(())
    }

    /// Returns whether `trial` meets the condition (`live` as `TrialFilter::matches` reads it).
    fn matches(&self, trial: &Trial, live: bool) -> bool {
        let mut orderings = self
            .values
            .iter()
            .map(|(v, _)| self.ordering(trial, v, live));
        let equal = |o: Option<Ordering>| o == Some(Ordering::Equal);
        match self.op {
            Op::In => orderings.any(equal),
            // A trial without the field, or of another kind, is not "none of these".
            Op::NotIn => orderings.all(|o| o.is_some_and(|o| o != Ordering::Equal)),
            op => orderings.next().flatten().is_some_and(|o| match op {
                Op::Eq => o == Ordering::Equal,
                Op::Ne => o != Ordering::Equal,
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Gt => o == Ordering::Greater,
                Op::Ge => o != Ordering::Less,
                Op::In | Op::NotIn => false,
            }),
        }
    }

    /// Returns how the trial's field compares with `value`; `None` when the trial has no such
    /// field, or one of another kind.
    fn ordering(&self, trial: &Trial, value: &Literal, live: bool) -> Option<Ordering> {
        let number = |v: Option<f64>| match (v, value) {
            (Some(a), Literal::Number(b)) => a.partial_cmp(b),
            _ => None,
        };
        match &self.field {
            // Named as shown: `running` while a sweep runs it, `interrupted` after; `=` and
            // `!=` only.
            Field::State => match value {
                Literal::Text(t) => Some(if *t == trial.state.shown(live) {
                    Ordering::Equal
                } else {
                    Ordering::Less
                }),
                _ => None,
            },
            Field::Param(name) => trial.params.get(name).and_then(|v| compare_param(v, value)),
            Field::Metric(name) => number(trial.value(name)),
            Field::Trial => number(Some(f64::from(trial.id.0))),
            Field::Epoch => number(trial.result.as_ref().map(|r| f64::from(r.best_step.0))),
        }
    }
}

impl Op {
    /// Returns whether it asks for equality with a value or a list's (`=`, `!=`, `in`, `not
    /// in`), rather than an order.
    fn is_equality(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::In | Op::NotIn)
    }
}

impl fmt::Display for Literal {
    /// As a message shows it: `` `adam` ``, `0.01`, `true`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Text(t) => write!(f, "`{t}`"),
            Literal::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Compares a parameter's value with a literal of its kind, a number in quotes (`"256"`) being
/// a number, as a string of digits (`values: ["16", "32"]`) compares with one, and a bare
/// `true` or `false` the text `"true"` or `"false"`; `None` across other kinds.
fn compare_param(v: &ParamValue, literal: &Literal) -> Option<Ordering> {
    let number = |t: &str| t.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    match (v, literal) {
        (ParamValue::Str(s), Literal::Text(t)) => Some(s.as_str().cmp(t.as_str())),
        (ParamValue::Bool(b), Literal::Bool(c)) => Some(b.cmp(c)),
        // A bare `true` is also the text of a listed value written so (`values: ["true"]`).
        (ParamValue::Str(s), Literal::Bool(c)) => {
            Some(s.as_str().cmp(if *c { "true" } else { "false" }))
        }
        (ParamValue::Str(s), Literal::Number(n)) => number(s).and_then(|a| a.partial_cmp(n)),
        (v, Literal::Number(n)) => v.as_f64().and_then(|a| a.partial_cmp(n)),
        (v, Literal::Text(t)) => v
            .as_f64()
            .zip(number(t))
            .and_then(|(a, b)| a.partial_cmp(&b)),
        _ => None,
    }
}

/// Returns "; did you mean `metric.NAME`?" (or `param.NAME`) for a name written without its
/// kind, as W&B's and Optuna's tables show them, or with W&B's (`config.lr`, `summary.val_loss`):
/// a metric where it reads as one (a known one, or a `val_`, `train_` or `test_` name, or close
/// to a known one: `accuracy`), one of `fields` where it is a typo of one (`stat`), otherwise a
/// parameter.
pub(crate) fn bare_name<'f>(name: &str, fields: impl IntoIterator<Item = &'f str>) -> String {
    let (kind, name) = match name.split_once('.') {
        Some(("config", n)) => (Some("param"), n),
        Some(("summary" | "summary_metrics", n)) => (Some("metric"), n),
        Some(_) => return String::new(),
        None => (None, name),
    };
    let plain = name.chars().next().is_some_and(char::is_alphabetic)
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !plain {
        return String::new();
    }
    let known = KNOWN_METRICS.iter().map(|(known, _)| *known);
    let metric = known.clone().any(|known| known == name)
        || ["val_", "train_", "test_"]
            .iter()
            .any(|p| name.starts_with(p));
    let suggestion = match kind {
        Some(kind) => format!("{kind}.{name}"),
        None if metric => format!("metric.{name}"),
        None => match crate::words::suggest(name, fields) {
            Some(field) => field.to_string(),
            None => match crate::words::suggest(name, known) {
                Some(close) => format!("metric.{close}"),
                // Said as the way to write one, not as a guess: no parameter is known here.
                None => return format!("; a parameter is written `param.{name}`"),
            },
        },
    };
    format!("; did you mean `{suggestion}`?")
}

#[cfg(test)]
mod tests;
