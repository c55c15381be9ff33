//! The resolved spec as a person reads it: each setting as the YAML writes it, for a diff shown
//! to people (the gate's "file changed" note, `sweep run` refusing an edited file).
//!
//! What is stored and hashed stays the notation of `notation` (`Grid(GridConfig { shuffle:
//! false })`), byte for byte; this module only reads that text back and writes each value as
//! the spec file would: `grid (shuffle: false)`, `normal(mu -1.0, sigma 0.001)`, `one of [8,
//! 16]`, `none`, under the YAML's keys (`restart_strategy: ipop`, `crossover: sbx, sbx_eta:
//! 20.0`, `nsga3`'s settings beside `nsga2`'s, `warm_start: {experiment: old}`); a setting left
//! to a rule (`parallel`, one trial a core; `multivariate`, by the number of objectives) reads
//! `auto`, not `none`, its opposite. What stays unlike the YAML is the layout: a method's
//! settings in parentheses after it, a pruner's and a data format's alike.
//!
//! It reads the notation's grammar (text quoted with Rust's escapes, numbers, names,
//! `Name(value)`, `Name { field: value }`, `[..]`, `{"key": value}`) and knows each name the
//! notation writes (`names`); a line holding anything else (a name it does not know, text it cannot
//! read) is shown as it is stored, so that the reader is total and never shows a setting as
//! something it is not. A line whose value is a list of `word value` parts (`plateau: patience
//! 4, min_delta 0.001`, a gate's metric) has each part's value read alike.
//!
//! Both sides of a diff go through this one reader (a baseline's side is text only), so equal
//! settings always read equal. Rejected: writing the readable form from the structured spec as
//! well (a second writer to keep in step with the reader: a difference between the two would
//! show as a change where there is none); changing the stored notation (every record and
//! baseline written so far would read as another configuration).

use crate::ExperimentSpec;

use names::{
    auto, flattened, lookup, renamed, Flattened, BLOCKS, DISTRIBUTIONS, KINDS, METHODS, TAGGED,
    UNITS, WRAPPERS,
};

mod names;

impl ExperimentSpec {
    /// Returns the resolved spec `resolved` (`ExperimentSpec::resolved`, or a record's or a
    /// baseline's text of it) with each setting written as the YAML writes it, one line each:
    /// `method: grid (shuffle: false)`, `train.lr: normal(mu -1.0, sigma 0.001)`,
    /// `model.hidden: one of [8, 16]`, `early_stopping: none`. A line it cannot read is kept
    /// as it is.
    pub fn readable_resolved(resolved: &str) -> String {
        let mut out = String::with_capacity(resolved.len());
        for line in resolved.split_inclusive('\n') {
            let (text, end) = match line.strip_suffix('\n') {
                Some(text) => (text, "\n"),
                None => (line, ""),
            };
            out.push_str(&readable_line(text));
            out.push_str(end);
        }
        out
    }
}

/// Returns one `key: value` line of a resolved spec as a person reads it, or the line as it is
/// where its value cannot be read.
fn readable_line(line: &str) -> String {
    let Some((key, value)) = line.split_once(": ") else {
        return line.to_string();
    };
    if let Some(word) = auto("", key).filter(|_| value == "None") {
        return format!("{key}: {word}");
    }
    // A searched setting's distribution says it is searched.
    let distribution = value.strip_prefix("searched ").unwrap_or(value);
    if let Some(shown) = readable_value(distribution) {
        return format!("{key}: {shown}");
    }
    // A list of `word value` parts, each part read alone, or kept as it is.
    let parts: Vec<String> = top_level_parts(value)
        .into_iter()
        .map(|part| {
            readable_value(part)
                .or_else(|| {
                    let (word, rest) = part.split_once(' ')?;
                    let is_word = !word.is_empty()
                        && word.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                    is_word
                        .then(|| readable_value(rest))
                        .flatten()
                        .map(|v| format!("{word} {v}"))
                })
                .unwrap_or_else(|| part.to_string())
        })
        .collect();
    format!("{key}: {}", parts.join(", "))
}

/// Returns `value` read whole and written as a person reads it; `None` when it is not one
/// value of the notation, or holds a name this reader does not know.
fn readable_value(value: &str) -> Option<String> {
    let mut reader = Reader {
        rest: value,
        depth: 0,
    };
    let read = reader.value()?;
    if !reader.rest.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    show(&read, &mut out)?;
    Some(out)
}

/// Splits `text` at each `, ` outside brackets and quotes.
fn top_level_parts(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut start) = (0_i64, false, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 && text[i + 1..].starts_with(' ') => {
                parts.push(&text[start..i]);
                start = i + 2;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A value of the notation, as read.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    /// Text, unquoted (its escapes read).
    Text(String),
    /// A number, as written.
    Number(String),
    /// A bare name: `None`, `Random`, `true`.
    Name(String),
    /// `Name(value)`.
    Call(String, Box<Value>),
    /// `Name { field: value, .. }`.
    Record(String, Vec<(String, Value)>),
    /// `[a, b]`.
    List(Vec<Value>),
    /// `{"key": value, ..}`.
    Map(Vec<(String, Value)>),
}

/// The most values one value may hold inside each other (`[[..]]`, `Some(Some(..))`); the
/// notation nests a few levels deep, and a line nested deeper (a hand-edited baseline) is shown
/// as it is stored, rather than read by a recursion as deep as the line is long.
const MAX_DEPTH: usize = 64;

/// Reads the notation from the start of `rest`, moving past what it reads.
#[derive(Debug)]
struct Reader<'a> {
    /// What is left to read.
    rest: &'a str,
    /// How many values the one being read is inside, at most `MAX_DEPTH`.
    depth: usize,
}

impl Reader<'_> {
    /// Reads one value; `None` where the text is not one, or nests deeper than `MAX_DEPTH`.
    fn value(&mut self) -> Option<Value> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let value = self.value_within();
        self.depth -= 1;
        value
    }

    /// Reads one value, `depth` already counting it.
    fn value_within(&mut self) -> Option<Value> {
        let c = self.rest.chars().next()?;
        match c {
            '"' => Some(Value::Text(self.text()?)),
            '[' => {
                self.rest = &self.rest[1..];
                Some(Value::List(self.list(']', Reader::value)?))
            }
            '{' => {
                self.rest = &self.rest[1..];
                Some(Value::Map(self.list('}', |r| {
                    let key = r.text()?;
                    r.eat(": ")?;
                    Some((key, r.value()?))
                })?))
            }
            '-' | '0'..='9' => Some(Value::Number(self.number()?)),
            _ if c.is_ascii_alphabetic() => {
                let name = self.name();
                if self.eat("(").is_some() {
                    let inner = self.value()?;
                    self.eat(")")?;
                    Some(Value::Call(name, Box::new(inner)))
                } else if self.eat(" { ").is_some() {
                    let mut fields = Vec::new();
                    loop {
                        let field = self.name();
                        if field.is_empty() {
                            return None;
                        }
                        self.eat(": ")?;
                        fields.push((field, self.value()?));
                        if self.eat(" }").is_some() {
                            return Some(Value::Record(name, fields));
                        }
                        self.eat(", ")?;
                    }
                } else {
                    Some(Value::Name(name))
                }
            }
            _ => None,
        }
    }

    /// Reads items by `item`, separated by `, `, up to `close`; the opening bracket is read.
    fn list<T>(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut items = Vec::new();
        if let Some(rest) = self.rest.strip_prefix(close) {
            self.rest = rest;
            return Some(items);
        }
        loop {
            items.push(item(self)?);
            if let Some(rest) = self.rest.strip_prefix(close) {
                self.rest = rest;
                return Some(items);
            }
            self.eat(", ")?;
        }
    }

    /// Reads `prefix`; `None` where the text does not start with it.
    fn eat(&mut self, prefix: &str) -> Option<()> {
        self.rest = self.rest.strip_prefix(prefix)?;
        Some(())
    }

    /// Reads a name (letters, digits, `_`), maybe empty.
    fn name(&mut self) -> String {
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest.len());
        let (name, rest) = self.rest.split_at(end);
        self.rest = rest;
        name.to_string()
    }

    /// Reads a number as Rust writes an integer or a float with `{:?}`: `-12`, `0.5`, `1e-7`.
    fn number(&mut self) -> Option<String> {
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '.' | 'e')))
            .unwrap_or(self.rest.len());
        let (number, rest) = self.rest.split_at(end);
        number.parse::<f64>().ok()?;
        self.rest = rest;
        Some(number.to_string())
    }

    /// Reads text quoted with Rust's escapes (`\"`, `\\`, `\t`, `\n`, `\r`, `\'`, `\0`,
    /// `\u{..}`), returning it unquoted; `None` for an escape it does not know.
    fn text(&mut self) -> Option<String> {
        let mut chars = self.rest.strip_prefix('"')?.char_indices();
        let mut out = String::new();
        while let Some((_, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = chars.as_str();
                    return Some(out);
                }
                '\\' => {
                    let (_, e) = chars.next()?;
                    out.push(match e {
                        '"' | '\\' | '\'' => e,
                        't' => '\t',
                        'n' => '\n',
                        'r' => '\r',
                        '0' => '\0',
                        'u' => {
                            let body = chars.as_str().strip_prefix('{')?;
                            let (hex, _) = body.split_once('}')?;
                            let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                            // `{`, the digits and `}`.
                            for _ in 0..hex.len() + 2 {
                                chars.next();
                            }
                            c
                        }
                        _ => return None,
                    });
                }
                _ => out.push(c),
            }
        }
        None
    }
}

/// Writes `value` as a person reads it to `out`; `None` where it holds a name this reader does
/// not know (`out` then holds a part of it). Each value is written once, where it stands, so
/// that the time taken grows with the text, not with its depth times its length.
fn show(value: &Value, out: &mut String) -> Option<()> {
    match value {
        Value::Text(text) => out.push_str(&plain_or_quoted(text)),
        Value::Number(number) => out.push_str(number),
        Value::Name(name) => out.push_str(lookup(UNITS, name)?),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show(item, out)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&plain_or_quoted(k));
                out.push_str(": ");
                show(v, out)?;
            }
            out.push('}');
        }
        Value::Call(name, inner) => {
            if WRAPPERS.contains(&name.as_str()) {
                show(inner, out)?;
            } else if let (Some(method), Value::Record(block, settings)) =
                (lookup(METHODS, name), inner.as_ref())
            {
                BLOCKS.contains(&block.as_str()).then_some(())?;
                out.push_str(method);
                out.push_str(" (");
                show_fields(block, settings, (": ", ""), out)?;
                out.push(')');
            } else {
                out.push_str(lookup(TAGGED, name)?);
                out.push(' ');
                show(inner, out)?;
            }
        }
        Value::Record(name, settings) => {
            if BLOCKS.contains(&name.as_str()) {
                out.push('{');
                show_fields(name, settings, (": ", ""), out)?;
                out.push('}');
            } else if let Some(kind) = lookup(KINDS, name) {
                out.push_str(kind);
                out.push_str(" (");
                show_fields(name, settings, (": ", ""), out)?;
                out.push(')');
            } else if let Some(distribution) = lookup(DISTRIBUTIONS, name) {
                out.push_str(distribution);
                out.push('(');
                show_fields(name, settings, (" ", ""), out)?;
                out.push(')');
            } else if name == "Categorical" {
                categorical(settings, out)?;
            } else {
                return None;
            }
        }
    }
    Some(())
}

/// Writes the fields of `block` to `out`, each as its YAML key, `sep` and its value, `, `
/// between: a field the YAML writes flat (`flattened`) as the YAML writes it, a `None` that
/// stands for a value a rule decides (`auto`) as `auto`. `prefix` comes before each key.
fn show_fields(
    block: &str,
    fields: &[(String, Value)],
    (sep, prefix): (&str, &str),
    out: &mut String,
) -> Option<()> {
    for (i, (field, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let key = renamed(block, field);
        let field_is = |shown: &str, out: &mut String| {
            out.push_str(prefix);
            out.push_str(key);
            out.push_str(sep);
            out.push_str(shown);
        };
        match (flattened(block, field), value, auto(block, field)) {
            (_, Value::Name(none), Some(word)) if none == "None" => field_is(word, out),
            (
                Some(how @ (Flattened::Kind | Flattened::KindPrefixed)),
                Value::Record(kind, more),
                _,
            ) => {
                let name = lookup(KINDS, kind)?;
                field_is(name, out);
                if !more.is_empty() {
                    out.push_str(", ");
                    let prefix = match how {
                        Flattened::KindPrefixed => format!("{prefix}{name}_"),
                        _ => prefix.to_string(),
                    };
                    show_fields(kind, more, (sep, &prefix), out)?;
                }
            }
            (Some(Flattened::Inline), Value::Record(inner, more), _)
                if BLOCKS.contains(&inner.as_str()) =>
            {
                show_fields(inner, more, (sep, prefix), out)?;
            }
            (Some(Flattened::Tagged), Value::Call(tag, inner), _) => {
                out.push_str(prefix);
                out.push_str(lookup(TAGGED, tag)?);
                out.push_str(sep);
                show(inner, out)?;
            }
            _ => {
                field_is("", out);
                show(value, out)?;
            }
        }
    }
    Some(())
}

/// Writes a categorical distribution's settings as `one of [8, 16]`, with its probabilities
/// when given: `one of [relu, tanh], probabilities [0.75, 0.25]`.
fn categorical(settings: &[(String, Value)], out: &mut String) -> Option<()> {
    match settings {
        [(v, values @ Value::List(_)), (p, probabilities)]
            if v == "values" && p == "probabilities" =>
        {
            out.push_str("one of ");
            show(values, out)?;
            match probabilities {
                Value::Name(none) if none == "None" => {}
                _ => {
                    out.push_str(", probabilities ");
                    show(probabilities, out)?;
                }
            }
            Some(())
        }
        _ => None,
    }
}

/// Returns `text` as YAML writes a plain word (`relu`, `exp/d.csv`), or quoted with Rust's
/// escapes where a plain word would read as something else or not as itself: a number or
/// anything starting with a digit (`0x10`, which Sweep's YAML reads as 16), `true`, `none`, an
/// empty text, spaces or punctuation, or a character Rust's escapes write otherwise (a
/// non-spacing mark, `\u{301}`, which joins the character before it).
fn plain_or_quoted(text: &str) -> String {
    const READ_AS_OTHER: [&str; 12] = [
        "true", "false", "none", "null", "yes", "no", "on", "off", "inf", "nan", ".inf", ".nan",
    ];
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !text.starts_with(|c: char| c == '-' || c.is_ascii_digit())
        && text.parse::<f64>().is_err()
        && !READ_AS_OTHER.contains(&text.to_ascii_lowercase().as_str())
        && text
            .chars()
            .all(|c| c.escape_debug().eq(std::iter::once(c)));
    if plain {
        text.to_string()
    } else {
        format!("{text:?}")
    }
}

#[cfg(test)]
mod tests;
