//! Reading a filter's text left to right (`Lexer`): fields, operators and values, each read
//! where it is written, and an error saying the column where the text is not what a filter
//! reads there, with what was likely meant.

use super::{bare_name, Comparison, Field, FilterError, Literal, Op};
use crate::TrialState;

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

/// Describes a word for a message: `` `x` `` or "the end".
pub(super) fn found(word: &str) -> String {
    if word.is_empty() {
        "the end of the filter".to_string()
    } else {
        format!("`{word}`")
    }
}

/// Reads a filter's text left to right.
pub(super) struct Lexer {
    chars: Vec<char>,
    at: usize,
}

impl Lexer {
    pub(super) fn new(text: &str) -> Lexer {
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

    pub(super) fn at_end(&mut self) -> bool {
        self.skip_spaces();
        self.at >= self.chars.len()
    }

    /// Returns the column of the next character (from 1).
    fn column(&mut self) -> usize {
        self.skip_spaces();
        self.at + 1
    }

    /// Reads a word: letters, digits and `_ . - +`; empty at an operator, a quote or the end.
    pub(super) fn word(&mut self) -> (usize, String) {
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

    pub(super) fn condition(&mut self) -> Result<Comparison, FilterError> {
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
    pub(super) fn next_text(&mut self) -> String {
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
