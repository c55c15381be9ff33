//! The `constraints:` block: bounds on recorded metrics that the best trial must meet.
//!
//! ```yaml
//! constraints:
//!   param_count: {max: 20000}
//!   val_loss: {min: 0.05, max: 0.5}
//! ```
//! Each key is a recorded metric; each value gives `min`, `max` or both. `epoch_seconds` cannot
//! be constrained: it is wall time, and a constraint on it would make the same file rank its
//! trials differently from run to run.

use crate::Constraint;

use super::decoder::{shorten, Decoder};
use super::tree::{Kind, Node, Pos, Scalar};

const BOUND_KEYS: &[&str] = &["min", "max"];

/// Reads `constraints:`, with each constraint's position for the check against the task.
pub(super) fn constraints(d: &mut Decoder, node: &Node) -> Option<Vec<(Constraint, Pos)>> {
    // A list of comparisons (`[param_count <= 600]`, as Ray Tune or a paper writes them): the
    // mapping they are here, built from them where they read as one.
    if let Kind::Seq(items) = &node.kind {
        d.error(
            node.pos,
            "constraints",
            format!(
                "expected a mapping of metrics to their bounds, found a sequence; {}",
                from_comparisons(items)
            ),
        );
        return None;
    }
    let f = d.mapping(node, "constraints")?;
    let mut out = Vec::new();
    let mut ok = true;
    for entry in f.entries {
        let path = f.path(&entry.key);
        let why = "a constraint on it would rank the same trials differently each time";
        let Some(metric) = super::blocks::reproducible_metric(d, entry, "constraints", why) else {
            ok = false;
            continue;
        };
        match bounds(d, &entry.value, &path, metric) {
            Some(c) => out.push((c, entry.key_pos)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Reads `{min, max}` for `metric`: at least one, and `min` not above `max`.
fn bounds(d: &mut Decoder, node: &Node, path: &str, metric: &str) -> Option<Constraint> {
    // A bare number (`param_count: 600`): which side it bounds is not said.
    if let Kind::Scalar {
        value: Scalar::Int(_) | Scalar::Float(_),
        text,
    } = &node.kind
    {
        d.error(
            node.pos,
            path,
            format!(
                "expected `min`, `max` or both, found the number `{text}`; write `{metric}: \
                 {{max: {text}}}` for an upper bound, `{{min: {text}}}` for a lower one"
            ),
        );
        return None;
    }
    let f = d.fields(node, path, BOUND_KEYS)?;
    let bound = |d: &mut Decoder, key: &str| match f.get(key) {
        None => Some(None),
        Some(n) => d.number(n, &f.path(key)).map(Some),
    };
    let (min, max) = (bound(d, "min"), bound(d, "max"));
    let (min, max) = (min?, max?);
    match (min, max) {
        (None, None) => {
            d.error(
                f.pos,
                path,
                format!("expected `min`, `max` or both, such as `{metric}: {{max: 20000}}`"),
            );
            return None;
        }
        (Some(lo), Some(hi)) if lo > hi => {
            d.error(
                f.pos,
                path,
                format!("`min` ({lo}) is above `max` ({hi}): no value can meet it"),
            );
            return None;
        }
        _ => {}
    }
    // A bound past the values the metric can take (`val_accuracy: {min: 90}`, a percentage for
    // a fraction) is met by no trial, and every trial would rank as breaking it.
    for (key, bound, beyond) in [("min", min, 1.0), ("max", max, -1.0)] {
        let Some(x) = bound else { continue };
        if x * beyond <= 0.0 {
            continue;
        }
        if let Some(why) = crate::out_of_range(metric, x) {
            let pos = f.get(key).map_or(f.pos, |n| n.pos);
            d.error(
                pos,
                &f.path(key),
                format!("{why}: no trial can meet this bound"),
            );
            return None;
        }
    }
    Some(Constraint {
        metric: metric.to_string(),
        min,
        max,
    })
}

/// Returns, as a message shows it, the mapping that a list of comparisons (`[param_count <= 600, param_count >= 100]`)
/// is here, each metric's comparisons merged into one mapping (`param_count: {min: 100, max:
/// 600}`); where they leave a metric no value (`param_count >= 600` and `param_count <= 100`),
/// that, and where an item reads as no comparison (`param_count == 600`), the general form,
/// with each metric the items compare (`param_count: {min: ..., max: ...}`). A bound past the
/// values its metric takes is said too, as a mapping of it would be refused.
fn from_comparisons(items: &[Node]) -> String {
    let mut merged: Vec<Merged<'_>> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut all_read = true;
    for item in items {
        let text = match &item.kind {
            Kind::Scalar {
                value: Scalar::Str(text),
                ..
            } => text,
            // A list of mappings (`- param_count: {max: 600}`): their keys are the metrics.
            Kind::Map(entries) => {
                all_read = false;
                for entry in entries {
                    if !names.contains(&entry.key.as_str()) {
                        names.push(&entry.key);
                    }
                }
                continue;
            }
            _ => {
                all_read = false;
                continue;
            }
        };
        for name in compared(text) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let Some(bounds) = comparison(text) else {
            all_read = false;
            continue;
        };
        for (name, side, bound) in bounds {
            let at = match merged.iter().position(|m| m.name == name) {
                Some(at) => at,
                None => {
                    merged.push(Merged {
                        name,
                        min: None,
                        max: None,
                    });
                    merged.len() - 1
                }
            };
            // Two bounds on one side: both hold only at the tighter one (a strict one, of two
            // at the same number).
            let slot = &mut merged[at];
            let (held, tighter) = match side {
                Side::Min => (&mut slot.min, 1.0),
                Side::Max => (&mut slot.max, -1.0),
            };
            let x = number(bound.text);
            let replace = held.is_none_or(|old| {
                let by = (x - number(old.text)) * tighter;
                by > 0.0 || (by == 0.0 && bound.strict)
            });
            if replace {
                *held = Some(bound);
            }
        }
    }
    let general = |names: &[&str]| {
        let general: Vec<String> = names
            .iter()
            .map(|name| mapping(name, Some("..."), Some("...")))
            .collect();
        format!("`constraints: {{{}}}`", general.join(", "))
    };
    if all_read && !merged.is_empty() {
        if let Some(m) = merged.iter().find(|m| m.leaves_no_value()) {
            let (lo, hi) = (m.min.map(Bound::lower), m.max.map(Bound::upper));
            return format!(
                "no value of `{}` meets its comparisons ({} and {}), so no trial could; write the \
                 bounds you mean as a mapping, {}, with `min` not above `max`",
                shorten(m.name),
                lo.unwrap_or_default(),
                hi.unwrap_or_default(),
                general(&names)
            );
        }
        let past = merged.iter().find_map(|m| {
            let sides = [(m.min, 1.0), (m.max, -1.0)];
            sides.into_iter().find_map(|(bound, beyond)| {
                let x = number(bound?.text);
                (x * beyond > 0.0)
                    .then(|| crate::out_of_range(m.name, x))
                    .flatten()
            })
        });
        if let Some(why) = past {
            return format!(
                "{why}: no trial can meet that comparison; write the bounds you mean as a \
                 mapping, {}",
                general(&names)
            );
        }
        let merged: Vec<String> = merged
            .iter()
            .map(|m| mapping(m.name, m.min.map(|b| b.text), m.max.map(|b| b.text)))
            .collect();
        return format!("write `constraints: {{{}}}`", merged.join(", "));
    }
    if names.is_empty() {
        names.push("param_count");
    }
    format!(
        "write {}, with `min`, `max` or both for each metric",
        general(&names)
    )
}

/// Returns `name: {min: .., max: ..}` with the sides given, as a message shows it.
fn mapping(name: &str, min: Option<&str>, max: Option<&str>) -> String {
    let sides: Vec<String> = [("min", min), ("max", max)]
        .into_iter()
        .filter_map(|(key, x)| x.map(|x| format!("{key}: {}", shorten(x))))
        .collect();
    format!("{}: {{{}}}", shorten(name), sides.join(", "))
}

/// One metric's comparisons merged: the tightest bound on each side.
struct Merged<'t> {
    name: &'t str,
    min: Option<Bound<'t>>,
    max: Option<Bound<'t>>,
}

impl Merged<'_> {
    /// Returns whether no value meets both sides: `min` above `max`, or equal to it where
    /// either comparison is strict (`> 5` and `< 5`).
    fn leaves_no_value(&self) -> bool {
        let (Some(lo), Some(hi)) = (self.min, self.max) else {
            return false;
        };
        let (lo_x, hi_x) = (number(lo.text), number(hi.text));
        lo_x > hi_x || (lo_x == hi_x && (lo.strict || hi.strict))
    }
}

/// A bound as a comparison writes it: the number's text, and whether the sign is strict.
#[derive(Clone, Copy)]
struct Bound<'t> {
    text: &'t str,
    strict: bool,
}

impl Bound<'_> {
    /// Returns the bound read as a lower one: `at least 600`, `above 600`.
    fn lower(self) -> String {
        let word = if self.strict { "above" } else { "at least" };
        format!("{word} {}", shorten(self.text))
    }

    /// Returns the bound read as an upper one: `at most 100`, `below 100`.
    fn upper(self) -> String {
        let word = if self.strict { "below" } else { "at most" };
        format!("{word} {}", shorten(self.text))
    }
}

/// Which side of a metric a comparison bounds.
#[derive(Clone, Copy)]
enum Side {
    Min,
    Max,
}

/// Words that read as a name but are no metric: logic between comparisons and numbers spelt
/// as words.
const NOT_METRICS: &[&str] = &[
    "and", "or", "not", "is", "in", "inf", "infinity", "nan", "true", "false", "null", "none",
];

/// Returns whether `word` reads as a metric's name: a name-like word that is none of
/// `NOT_METRICS`.
fn is_metric_word(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !NOT_METRICS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Returns the metrics the comparisons of `text` compare, in order: each name written right
/// beside a comparison sign (`<`, `<=`, `==`, `!=`, ...), as in `loss < 0.1 and acc > 0.9`
/// (`loss`, `acc`), and not the words between comparisons.
fn compared(text: &str) -> Vec<&str> {
    // The text cut into words, numbers and signs; a number's exponent (`1e-4`) stays in it.
    let is_sign = |c: char| matches!(c, '<' | '>' | '=' | '!');
    let mut tokens: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = if is_sign(c) {
            rest.find(|c: char| !is_sign(c)).unwrap_or(rest.len())
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            let mut end = 0;
            let mut prev = ' ';
            for (i, ch) in rest.char_indices() {
                let exponent = (ch == '-' || ch == '+')
                    && matches!(prev, 'e' | 'E')
                    && rest.starts_with(|c: char| c.is_ascii_digit() || c == '.');
                if !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || exponent) {
                    break;
                }
                end = i + ch.len_utf8();
                prev = ch;
            }
            end
        } else {
            c.len_utf8()
        };
        tokens.push(&rest[..len]);
        rest = &rest[len..];
    }
    let tokens: Vec<&str> = tokens
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .collect();
    let mut names = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let beside_sign = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| tokens.get(j))
            .any(|t| t.starts_with(is_sign));
        if beside_sign && is_metric_word(token) && !names.contains(token) {
            names.push(*token);
        }
    }
    names
}

/// Returns the value of a bound already checked to be a number.
fn number(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// Returns the bounds that a comparison written as text is: `param_count <= 600` and `600 >=
/// param_count` an upper bound on `param_count`, `val_loss > 0.1` a lower one on `val_loss`,
/// `0 <= val_loss <= 0.5` both; `None` for other text (`param_count == 600`, `x <= inf`). A
/// strict comparison is read as the bound itself, marked strict: a metric equal to it is
/// seldom what decides, but `> 5` and `< 5` leave no value.
fn comparison(text: &str) -> Option<Vec<(&str, Side, Bound<'_>)>> {
    // The text cut at each comparison sign: operands, and the signs between them.
    let mut operands = Vec::new();
    let mut signs = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['<', '>']) {
        operands.push(rest[..at].trim());
        let sign = &rest[at..];
        let len = if sign[1..].starts_with('=') { 2 } else { 1 };
        let side = if sign.starts_with('<') {
            Side::Max
        } else {
            Side::Min
        };
        signs.push((side, len == 1));
        rest = &sign[len..];
    }
    operands.push(rest.trim());
    let is_number = |t: &str| t.parse::<f64>().is_ok_and(f64::is_finite);
    let flip = |side: Side| match side {
        Side::Min => Side::Max,
        Side::Max => Side::Min,
    };
    let bound = |text, strict| Bound { text, strict };
    match (operands.as_slice(), signs.as_slice()) {
        // `name < bound`: the sign says which side of the metric the bound is.
        ([name, b], [(side, strict)]) if is_metric_word(name) && is_number(b) => {
            Some(vec![(*name, *side, bound(*b, *strict))])
        }
        // `bound > name`: the sign read from the metric's side is the other way round.
        ([b, name], [(side, strict)]) if is_metric_word(name) && is_number(b) => {
            Some(vec![(*name, flip(*side), bound(*b, *strict))])
        }
        // `low <= name <= high` (or `high >= name >= low`): the signs point the same way.
        ([a, name, b], [(first, a_strict), (second, b_strict)])
            if is_metric_word(name) && is_number(a) && is_number(b) && same(*first, *second) =>
        {
            Some(vec![
                (*name, flip(*first), bound(*a, *a_strict)),
                (*name, *second, bound(*b, *b_strict)),
            ])
        }
        _ => None,
    }
}

/// Returns whether two comparison signs point the same way (`<` and `<=`, `>` and `>=`).
fn same(a: Side, b: Side) -> bool {
    matches!((a, b), (Side::Min, Side::Min) | (Side::Max, Side::Max))
}
