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

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use crate::{ParamValue, SearchSpace, Trial, TrialState, KNOWN_METRICS};

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

/// The fields a condition may name, for messages.
const FIELDS: &str = "param.NAME, metric.NAME, state, trial or epoch";

/// Returns the names `state` compares with, in the order of a trial's life: each state's as
/// stored, and as shown when idle (`interrupted` for a trial left running).
fn state_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = TrialState::ALL
        .iter()
        .flat_map(|s| [s.as_str(), s.as_str_when_idle()])
        .collect();
    names.dedup();
    names
}

/// The operators, longest first so that `<=` is not read as `<`.
const OPS: [(&str, Op); 8] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<>", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("=", Op::Eq),
    ("<", Op::Lt),
    (">", Op::Gt),
];

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

/// Describes a word for a message: `` `x` `` or "the end".
fn found(word: &str) -> String {
    if word.is_empty() {
        "the end of the filter".to_string()
    } else {
        format!("`{word}`")
    }
}

/// Reads a filter's text left to right.
struct Lexer {
    chars: Vec<char>,
    at: usize,
}

impl Lexer {
    fn new(text: &str) -> Lexer {
        Lexer {
            chars: text.chars().collect(),
            at: 0,
        }
    }

    fn skip_spaces(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_spaces();
        self.at >= self.chars.len()
    }

    /// Returns the column of the next character (from 1).
    fn column(&mut self) -> usize {
        self.skip_spaces();
        self.at + 1
    }

    /// Reads a word: letters, digits and `_ . - +`; empty at an operator, a quote or the end.
    fn word(&mut self) -> (usize, String) {
        let column = self.column();
        let start = self.at;
        while self
            .chars
            .get(self.at)
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+'))
        {
            self.at += 1;
        }
        (column, self.chars[start..self.at].iter().collect())
    }

    fn condition(&mut self) -> Result<Comparison, FilterError> {
        let (column, name) = self.word();
        // Not a word: the character there (`(`, `$`, `<`), or the end.
        let unexpected = match name.is_empty() {
            true => self.next_text(),
            false => name.clone(),
        };
        let field = field(&name).ok_or_else(|| FilterError {
            column,
            message: format!(
                "expected a field ({FIELDS}), found {}{}",
                found(&unexpected),
                match unexpected.to_ascii_lowercase().as_str() {
                    "and" => "; a condition goes on each side of `and`".to_string(),
                    "or" | "not" | "(" => "; conditions are joined by `and` alone, without \
                                           brackets (a list of values takes `in (...)`)"
                        .to_string(),
                    _ => bare_name(&name, ["state", "trial", "epoch"]),
                }
            ),
        })?;
        let op = self.op()?;
        let values = if matches!(op, Op::In | Op::NotIn) {
            self.list()?
        } else {
            let value_column = self.column();
            vec![(self.literal()?, value_column)]
        };
        for (value, value_column) in &values {
            check_value(&field, &name, value, *value_column)?;
        }
        let ordered = !op.is_equality();
        if ordered
            && (values.iter().any(|(v, _)| matches!(v, Literal::Bool(_))) || field == Field::State)
        {
            return Err(FilterError {
                column,
                message: format!("`{name}` compares with `=`, `!=`, `in` or `not in` only"),
            });
        }
        Ok(Comparison {
            field,
            op,
            values,
            column,
        })
    }

    /// Reads a list of values in brackets, after `in` or `not in`: `(adam, 'sgd', 3)`.
    fn list(&mut self) -> Result<Vec<(Literal, usize)>, FilterError> {
        let column = self.column();
        if self.chars.get(self.at) != Some(&'(') {
            return Err(FilterError {
                column,
                message: format!(
                    "expected a list of values in brackets, as `in (adam, sgd)`, found {}",
                    found(&self.next_text())
                ),
            });
        }
        self.at += 1;
        let mut values = Vec::new();
        loop {
            let value_column = self.column();
            values.push((self.literal()?, value_column));
            let column = self.column();
            match self.chars.get(self.at) {
                Some(',') => self.at += 1,
                Some(')') => {
                    self.at += 1;
                    return Ok(values);
                }
                _ => {
                    return Err(FilterError {
                        column,
                        message: format!(
                            "expected `,` or `)` in the list of values, found {}",
                            found(&self.next_text())
                        ),
                    })
                }
            }
        }
    }

    /// Returns the next word, or else the next character, for a message; empty at the end.
    fn next_text(&mut self) -> String {
        let start = self.at;
        let (_, word) = self.word();
        self.at = start;
        if word.is_empty() {
            self.chars
                .get(self.at)
                .map(ToString::to_string)
                .unwrap_or_default()
        } else {
            word
        }
    }
}

/// Checks that `value`, at `value_column`, is of the kind `field` (written `name`) compares
/// with, and names a state where the field is `state`.
fn check_value(
    field: &Field,
    name: &str,
    value: &Literal,
    value_column: usize,
) -> Result<(), FilterError> {
    // What the field is and what it compares with, where the literal is of another kind.
    let mismatch = match (field, value) {
        (Field::Metric(_) | Field::Trial | Field::Epoch, Literal::Text(_) | Literal::Bool(_)) => {
            Some(("a number", "a number"))
        }
        (Field::Trial | Field::Epoch, Literal::Number(n)) if n.fract() != 0.0 => {
            Some(("a whole number", "a whole number"))
        }
        (Field::State, Literal::Number(_) | Literal::Bool(_)) => {
            Some(("a state name", "a state such as `completed` or `pruned`"))
        }
        _ => None,
    };
    if let Some((is, with)) = mismatch {
        return Err(FilterError {
            column: value_column,
            message: format!("`{name}` is {is}, so it compares with {with}, not {value}"),
        });
    }
    if let (Field::State, Literal::Text(state)) = (field, value) {
        let states = state_names();
        if !states.contains(&state.as_str()) {
            let hint = crate::suggest(state, states.iter().copied())
                .map_or_else(String::new, |s| format!("did you mean `{s}`? "));
            return Err(FilterError {
                column: value_column,
                message: format!(
                    "no trial is in state `{state}`; {hint}states: {}",
                    states.join(", ")
                ),
            });
        }
    }
    Ok(())
}

impl Lexer {
    fn op(&mut self) -> Result<Op, FilterError> {
        let column = self.column();
        let rest: String = self.chars[self.at..].iter().take(2).collect();
        if let Some(meant) = match rest.as_str() {
            "=>" => Some(">="),
            "=<" => Some("<="),
            _ => None,
        } {
            return Err(FilterError {
                column,
                message: format!("`{rest}` is written `{meant}`"),
            });
        }
        for (text, op) in OPS {
            if rest.starts_with(text) {
                self.at += text.chars().count();
                return Ok(op);
            }
        }
        let start = self.at;
        let (_, word) = self.word();
        if word.eq_ignore_ascii_case("in") {
            return Ok(Op::In);
        }
        if word.eq_ignore_ascii_case("not") {
            let (_, next) = self.word();
            if next.eq_ignore_ascii_case("in") {
                return Ok(Op::NotIn);
            }
        }
        self.at = start;
        Err(FilterError {
            column,
            message: format!(
                "expected a comparison (=, !=, <, <=, >, >=, in (...) or not in (...)), found {}",
                found(&self.next_text())
            ),
        })
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        let column = self.column();
        if let Some(&quote) = self.chars.get(self.at).filter(|c| matches!(c, '\'' | '"')) {
            let start = self.at + 1;
            let Some(len) = self.chars[start..].iter().position(|c| *c == quote) else {
                return Err(FilterError {
                    column,
                    message: format!("a string opened with {quote} is not closed"),
                });
            };
            self.at = start + len + 1;
            return Ok(Literal::Text(
                self.chars[start..start + len].iter().collect(),
            ));
        }
        let (_, word) = self.word();
        if word.is_empty() {
            return Err(FilterError {
                column,
                message: format!(
                    "expected a value (a number, true, false or a string), found {}",
                    found(&self.next_text())
                ),
            });
        }
        Ok(match word.as_str() {
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            _ => match word.parse::<f64>() {
                Ok(x) if x.is_finite() => Literal::Number(x),
                _ => Literal::Text(word),
            },
        })
    }
}

/// Reads a field name: `param.NAME`, `params.NAME`, `metric.NAME`, `metrics.NAME`, `state`,
/// `trial` or `epoch`.
fn field(name: &str) -> Option<Field> {
    let (prefix, rest) = name.split_once('.').unwrap_or((name, ""));
    match (prefix, rest) {
        ("param" | "params", n) if !n.is_empty() => Some(Field::Param(n.to_string())),
        ("metric" | "metrics", n) if !n.is_empty() => Some(Field::Metric(n.to_string())),
        ("state", "") => Some(Field::State),
        ("trial", "") => Some(Field::Trial),
        ("epoch", "") => Some(Field::Epoch),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{Params, Seed, Step, TrialId, TrialResult, TrialState};

    fn trial(id: u32, state: TrialState, lr: f64, optimizer: &str, acc: Option<f64>) -> Trial {
        let params: Params = BTreeMap::from([
            ("lr".to_string(), ParamValue::Float(lr)),
            ("hidden".to_string(), ParamValue::Int(64)),
            ("optimizer".to_string(), ParamValue::Str(optimizer.into())),
            ("layer_norm".to_string(), ParamValue::Bool(false)),
        ]);
        Trial {
            id: TrialId(id),
            seed: Seed(0),
            params,
            state,
            reason: None,
            started: None,
            finished: None,
            result: acc.map(|a| TrialResult {
                best_step: Step(4),
                metrics: BTreeMap::from([("val_accuracy".to_string(), a)]),
            }),
        }
    }

    /// The trials of a sweep that runs now that meet `filter`.
    fn ids(filter: &str, trials: &[Trial]) -> Vec<u32> {
        ids_when(filter, trials, true)
    }

    fn ids_when(filter: &str, trials: &[Trial], live: bool) -> Vec<u32> {
        let f = TrialFilter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        trials
            .iter()
            .filter(|t| f.matches(t, live))
            .map(|t| t.id.0)
            .collect()
    }

    #[test]
    fn conditions_select_by_metric_parameter_state_number_and_epoch() {
        let trials = [
            trial(0, TrialState::Completed, 0.01, "adam", Some(0.97)),
            trial(1, TrialState::Completed, 0.001, "sgd", Some(0.91)),
            trial(2, TrialState::Pruned, 0.003, "adam", Some(0.5)),
            trial(3, TrialState::Failed, 0.1, "adam", None),
            trial(4, TrialState::Running, 0.02, "adamw", None),
        ];
        assert_eq!(ids("", &trials), [0, 1, 2, 3, 4]);
        assert_eq!(ids("metric.val_accuracy > 0.9", &trials), [0, 1]);
        assert_eq!(ids("metrics.val_accuracy<=0.91", &trials), [1, 2]);
        assert_eq!(
            ids(
                "param.optimizer = adam AND metric.val_accuracy >= 0.5",
                &trials
            ),
            [0, 2]
        );
        assert_eq!(ids("params.optimizer != 'adam'", &trials), [1, 4]);
        assert_eq!(ids("param.lr < 5e-3", &trials), [1, 2]);
        assert_eq!(ids("param.hidden == 64 and trial >= 3", &trials), [3, 4]);
        assert_eq!(ids("param.layer_norm = false", &trials), [0, 1, 2, 3, 4]);
        assert_eq!(ids("state = \"pruned\"", &trials), [2]);
        assert_eq!(ids("state = running", &trials), [4]);
        assert_eq!(ids("state = interrupted", &trials), Vec::<u32>::new());
        assert_eq!(ids("state <> completed", &trials), [2, 3, 4]);
        // Where no sweep runs the experiment, a trial left running is interrupted, as shown.
        assert_eq!(ids_when("state = interrupted", &trials, false), [4]);
        assert_eq!(
            ids_when("state = running", &trials, false),
            Vec::<u32>::new()
        );
        assert_eq!(
            ids_when("state != running", &trials, false),
            [0, 1, 2, 3, 4]
        );
        assert_eq!(ids("epoch = 4", &trials), [0, 1, 2]);
        // A missing field, or a value of another kind, never matches.
        assert_eq!(ids("param.depth = 1", &trials), Vec::<u32>::new());
        assert_eq!(ids("param.optimizer > 3", &trials), Vec::<u32>::new());
        assert_eq!(ids("metric.val_loss < 1", &trials), Vec::<u32>::new());
        // Lists: equal to one, or to none (a trial without the field is neither).
        assert_eq!(ids("param.optimizer in (sgd, 'adamw')", &trials), [1, 4]);
        assert_eq!(ids("param.optimizer IN (adam)", &trials), [0, 2, 3]);
        assert_eq!(ids("param.optimizer not in (adam,sgd)", &trials), [4]);
        assert_eq!(ids("state NOT IN (completed, failed)", &trials), [2, 4]);
        assert_eq!(ids("trial in (1, 3, 9) and param.lr > 0.01", &trials), [3]);
        assert_eq!(ids("epoch in (4)", &trials), [0, 1, 2]);
        assert_eq!(
            ids("metric.val_loss not in (1, 2)", &trials),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn errors_say_the_column_and_what_was_expected() {
        for (filter, column, message) in [
            ("val_accuracy > 0.9", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `val_accuracy`; did you mean `metric.val_accuracy`?"),
            ("lr > 0.01", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `lr`; a parameter is written `param.lr`"),
            ("epoch_seconds > 1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `epoch_seconds`; did you mean `metric.epoch_seconds`?"),
            ("accuracy > 0.9", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `accuracy`; did you mean `metric.val_accuracy`?"),
            ("config.lr > 0.1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `config.lr`; did you mean `param.lr`?"),
            ("summary.val_loss < 0.1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `summary.val_loss`; did you mean `metric.val_loss`?"),
            ("stat = pruned", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `stat`; did you mean `state`?"),
            ("metric.val_accuracy => 0.9", 21, "`=>` is written `>=`"),
            ("metric.val_accuracy ~ 0.9", 21, "expected a comparison (=, !=, <, <=, >, >=, in (...) or not in (...)), found `~`"),
            ("metric.val_accuracy", 20, "expected a comparison (=, !=, <, <=, >, >=, in (...) or not in (...)), found the end of the filter"),
            ("metric.val_accuracy > ", 23, "expected a value (a number, true, false or a string), found the end of the filter"),
            ("metric.x > 1 or trial = 2", 14, "expected `and` between conditions, found `or` (conditions are joined by `and` alone; `param.NAME in (a, b)` matches either value)"),
            ("trial > 1 )", 11, "expected `and` between conditions, found `)`"),
            ("(trial > 1)", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `(`; conditions are joined by `and` alone, without brackets (a list of values takes `in (...)`)"),
            ("$lr > 1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `$`"),
            ("trial > 1 and and trial < 3", 15, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `and`; a condition goes on each side of `and`"),
            ("param.optimizer = 'adam", 19, "a string opened with ' is not closed"),
            ("metric.val_loss < low", 19, "`metric.val_loss` is a number, so it compares with a number, not `low`"),
            ("state = 3", 9, "`state` is a state name, so it compares with a state such as `completed` or `pruned`, not 3"),
            ("trial in (1, 2, x)", 17, "`trial` is a number, so it compares with a number, not `x`"),
            ("state > completed", 1, "`state` compares with `=`, `!=`, `in` or `not in` only"),
            ("state = prunned", 9, "no trial is in state `prunned`; did you mean `pruned`? states: queued, running, interrupted, completed, pruned, failed"),
            ("param.flag < true", 1, "`param.flag` compares with `=`, `!=`, `in` or `not in` only"),
            ("param.optimizer in adam", 20, "expected a list of values in brackets, as `in (adam, sgd)`, found `adam`"),
            ("param.optimizer in (adam sgd)", 26, "expected `,` or `)` in the list of values, found `sgd`"),
            ("param.optimizer in (adam,", 26, "expected a value (a number, true, false or a string), found the end of the filter"),
            ("param.optimizer in ()", 21, "expected a value (a number, true, false or a string), found `)`"),
            ("param.optimizer not (adam)", 17, "expected a comparison (=, !=, <, <=, >, >=, in (...) or not in (...)), found `not`"),
            ("metric.val_loss in (0.1, low)", 26, "`metric.val_loss` is a number, so it compares with a number, not `low`"),
            ("state in (pruned, prunned)", 19, "no trial is in state `prunned`; did you mean `pruned`? states: queued, running, interrupted, completed, pruned, failed"),
            ("param. = 1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `param.`"),
        ] {
            let e = TrialFilter::parse(filter).expect_err(filter);
            assert_eq!((e.column, e.message.as_str()), (column, message), "{filter}");
        }
    }

    #[test]
    fn names_the_experiment_lacks_are_refused_with_a_suggestion() {
        let trials = [trial(0, TrialState::Completed, 0.01, "adam", Some(0.9))];
        let check = |filter: &str| {
            TrialFilter::parse(filter)
                .unwrap_or_else(|e| panic!("{e}"))
                .check_names(&trials, None)
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            check("param.lr < 1 and metric.val_accuracy > 0 and state = failed"),
            Ok(())
        );
        assert_eq!(
            check("trial > 1 and param.lrr < 0.01"),
            Err(
                "column 15: the experiment has no parameter `lrr`; did you mean `lr`? its \
                 parameters: hidden, layer_norm, lr, optimizer"
                    .to_string()
            )
        );
        assert_eq!(
            check("metric.val_acc > 0.5"),
            Err(
                "column 1: the experiment has no metric `val_acc`; did you mean \
                 `val_accuracy`? its metrics: val_accuracy"
                    .to_string()
            )
        );
        // Before any result, every known metric may be named.
        let waiting = [trial(0, TrialState::Running, 0.01, "adam", None)];
        let filter = TrialFilter::parse("metric.val_loss < 1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(filter.check_names(&waiting, None), Ok(()));
    }

    #[test]
    fn a_value_a_listed_parameter_never_takes_is_refused() {
        let trials = [trial(0, TrialState::Completed, 0.01, "adam", Some(0.9))];
        let listed = |values: Vec<ParamValue>| crate::Distribution::Categorical {
            values,
            probabilities: None,
        };
        let space = SearchSpace::new(vec![
            crate::Param::new(
                "optimizer",
                listed(vec![
                    ParamValue::Str("adam".into()),
                    ParamValue::Str("sgd".into()),
                ]),
            ),
            crate::Param::new(
                "hidden",
                listed(vec![ParamValue::Int(32), ParamValue::Int(64)]),
            ),
        ]);
        let check = |filter: &str| {
            TrialFilter::parse(filter)
                .unwrap_or_else(|e| panic!("{e}"))
                .check_names(&trials, Some(&space))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            check("param.optimizer = adam and param.hidden != 64 and param.hidden < 50"),
            Ok(())
        );
        assert_eq!(
            check("trial > 0 and param.optimizer = adamm"),
            Err(
                "column 33: `optimizer` takes one of its `values:` adam, sgd, never `adamm`; did \
                 you mean `adam`?"
                    .to_string()
            )
        );
        assert_eq!(
            check("param.optimizer not in (sgd, adam) and param.hidden in (32, 64)"),
            Ok(())
        );
        assert_eq!(
            check("param.optimizer in (sgd, adamm)"),
            Err(
                "column 26: `optimizer` takes one of its `values:` adam, sgd, never `adamm`; did \
                 you mean `adam`?"
                    .to_string()
            )
        );
        assert_eq!(
            check("param.hidden = 100"),
            Err("column 16: `hidden` takes one of its `values:` 32, 64, never 100".to_string())
        );
        // A number in quotes is the number, as a searched value written as a string compares
        // with a number.
        assert_eq!(
            check("param.hidden = \"64\" and param.hidden in ('32')"),
            Ok(())
        );
        let quoted = TrialFilter::parse("param.hidden = \"64\"").unwrap();
        let unquoted = TrialFilter::parse("param.hidden = 64").unwrap();
        for t in &trials {
            assert_eq!(quoted.matches(t, true), unquoted.matches(t, true), "{t:?}");
        }
        let mut digits = trials[0].clone();
        digits
            .params
            .insert("size".into(), ParamValue::Str("16".into()));
        assert!(TrialFilter::parse("param.size = 16")
            .unwrap()
            .matches(&digits, false));
        assert!(TrialFilter::parse("param.size < 20")
            .unwrap()
            .matches(&digits, false));
    }

    #[test]
    fn a_comparison_that_could_only_be_false_is_refused() {
        let trials = [trial(0, TrialState::Completed, 0.01, "adam", Some(0.9))];
        let space = SearchSpace::new(vec![
            crate::Param::new(
                "optimizer",
                crate::Distribution::Categorical {
                    values: vec![
                        ParamValue::Str("adam".into()),
                        ParamValue::Str("sgd".into()),
                    ],
                    probabilities: None,
                },
            ),
            crate::Param::new(
                "lr",
                crate::Distribution::Uniform {
                    min: 1e-4,
                    max: 1e-1,
                },
            ),
        ]);
        let check = |filter: &str| {
            TrialFilter::parse(filter)
                .map_err(|e| e.to_string())?
                .check_names(&trials, Some(&space))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            check("param.lr > 0.01 and param.lr in (0.01, \"0.02\")"),
            Ok(())
        );
        assert_eq!(
            check("param.lr > abc"),
            Err("column 12: `lr` is a number, so it compares with a number, not `abc`".into())
        );
        assert_eq!(
            check("param.lr in (0.003, abc)"),
            Err("column 21: `lr` is a number, so it compares with a number, not `abc`".into())
        );
        assert_eq!(
            check("param.optimizer > adam"),
            Err(
                "column 19: `optimizer` takes text values, which have no order: compare it \
                 with `=`, `!=` or `in (...)`"
                    .into()
            )
        );
        let listed = SearchSpace::new(vec![crate::Param::new(
            "hidden",
            crate::Distribution::Categorical {
                values: vec![ParamValue::Int(16), ParamValue::Int(32)],
                probabilities: None,
            },
        )]);
        let said = TrialFilter::parse("param.hidden > abc")
            .unwrap()
            .check_names(&trials, Some(&listed))
            .map_err(|e| e.to_string());
        assert_eq!(
            said,
            Err("column 16: `hidden` is a number, so it compares with a number, not `abc`".into())
        );
        assert_eq!(
            check("trial = 1.5"),
            Err(
                "column 9: `trial` is a whole number, so it compares with a whole number, not 1.5"
                    .into()
            )
        );
    }

    #[test]
    fn issue_a_bare_word_matches_the_listed_text_it_spells() {
        let listed: Vec<ParamValue> = ["1", "true", "null", "false"]
            .iter()
            .map(|v| ParamValue::Str((*v).into()))
            .collect();
        let space = SearchSpace::new(vec![crate::Param::new(
            "tag",
            crate::Distribution::Categorical {
                values: listed.clone(),
                probabilities: None,
            },
        )]);
        let trials: Vec<Trial> = listed
            .iter()
            .enumerate()
            .map(|(id, v)| {
                let mut t = trial(
                    u32::try_from(id).unwrap(),
                    TrialState::Completed,
                    0.1,
                    "adam",
                    None,
                );
                t.params.insert("tag".into(), v.clone());
                t
            })
            .collect();
        let kept = |filter: &str| {
            let parsed = TrialFilter::parse(filter).unwrap_or_else(|e| panic!("{e}"));
            parsed
                .check_names(&trials, Some(&space))
                .map_err(|e| e.to_string())?;
            Ok::<Vec<u32>, String>(
                trials
                    .iter()
                    .filter(|t| parsed.matches(t, false))
                    .map(|t| t.id.0)
                    .collect(),
            )
        };
        assert_eq!(kept("param.tag = true"), Ok(vec![1]));
        assert_eq!(kept("param.tag = 'true'"), Ok(vec![1]));
        assert_eq!(kept("param.tag = null"), Ok(vec![2]));
        assert_eq!(kept("param.tag = 1"), Ok(vec![0]));
        assert_eq!(kept("param.tag in (true, false)"), Ok(vec![1, 3]));
        assert_eq!(kept("param.tag != false"), Ok(vec![0, 1, 2]));
        // A real yes/no is not its text's match the other way round, nor is another word.
        assert_eq!(kept("param.layer_norm = false"), Ok(vec![0, 1, 2, 3]));
        assert!(kept("param.tag = yes").is_err());
    }
}
