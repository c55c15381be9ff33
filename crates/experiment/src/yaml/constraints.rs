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
                "expected a mapping of metrics to their bounds, found a sequence; write {}",
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
/// 600}`); where an item reads as no comparison (`param_count == 600`), the general form, with
/// each name the items write (`param_count: {min: ..., max: ...}`).
fn from_comparisons(items: &[Node]) -> String {
    let mut merged: Vec<(&str, Option<&str>, Option<&str>)> = Vec::new();
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
        for name in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            if is_name && !names.contains(&name) {
                names.push(name);
            }
        }
        let Some(bounds) = comparison(text) else {
            all_read = false;
            continue;
        };
        for (name, side, bound) in bounds {
            let at = match merged.iter().position(|(n, _, _)| *n == name) {
                Some(at) => at,
                None => {
                    merged.push((name, None, None));
                    merged.len() - 1
                }
            };
            // Two bounds on one side: both hold only at the tighter one.
            let slot = &mut merged[at];
            let x = number(bound);
            let (held, tighter) = match side {
                Side::Min => (&mut slot.1, 1.0),
                Side::Max => (&mut slot.2, -1.0),
            };
            if held.is_none_or(|old| (x - number(old)) * tighter > 0.0) {
                *held = Some(bound);
            }
        }
    }
    let mapping = |name: &str, min: Option<&str>, max: Option<&str>| {
        let sides: Vec<String> = [("min", min), ("max", max)]
            .into_iter()
            .filter_map(|(key, x)| x.map(|x| format!("{key}: {}", shorten(x))))
            .collect();
        format!("{}: {{{}}}", shorten(name), sides.join(", "))
    };
    if all_read && !merged.is_empty() {
        let merged: Vec<String> = merged
            .iter()
            .map(|(name, min, max)| mapping(name, *min, *max))
            .collect();
        return format!("`constraints: {{{}}}`", merged.join(", "));
    }
    if names.is_empty() {
        names.push("param_count");
    }
    let general: Vec<String> = names
        .iter()
        .map(|name| mapping(name, Some("..."), Some("...")))
        .collect();
    format!(
        "`constraints: {{{}}}`, with `min`, `max` or both for each metric",
        general.join(", ")
    )
}

/// Which side of a metric a comparison bounds.
#[derive(Clone, Copy)]
enum Side {
    Min,
    Max,
}

/// Returns the value of a bound already checked to be a number.
fn number(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// Returns the bounds that a comparison written as text is: `param_count <= 600` and `600 >=
/// param_count` an upper bound on `param_count`, `val_loss > 0.1` a lower one on `val_loss`,
/// `0 <= val_loss <= 0.5` both; `None` for other text (`param_count == 600`). A strict
/// comparison is read as the bound itself: a metric equal to it is seldom what decides.
fn comparison(text: &str) -> Option<Vec<(&str, Side, &str)>> {
    // The text cut at each comparison sign: operands, and the signs between them.
    let mut operands = Vec::new();
    let mut signs = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['<', '>']) {
        operands.push(rest[..at].trim());
        let sign = &rest[at..];
        let len = if sign[1..].starts_with('=') { 2 } else { 1 };
        signs.push(if sign.starts_with('<') {
            Side::Max
        } else {
            Side::Min
        });
        rest = &sign[len..];
    }
    operands.push(rest.trim());
    let is_name = |t: &str| {
        t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let is_number = |t: &str| t.parse::<f64>().is_ok_and(f64::is_finite);
    let flip = |side: Side| match side {
        Side::Min => Side::Max,
        Side::Max => Side::Min,
    };
    match (operands.as_slice(), signs.as_slice()) {
        // `name < bound`: the sign says which side of the metric the bound is.
        ([name, bound], [side]) if is_name(name) && is_number(bound) => {
            Some(vec![(*name, *side, *bound)])
        }
        // `bound > name`: the sign read from the metric's side is the other way round.
        ([bound, name], [side]) if is_name(name) && is_number(bound) => {
            Some(vec![(*name, flip(*side), *bound)])
        }
        // `low <= name <= high` (or `high >= name >= low`): the signs point the same way.
        ([a, name, b], [first, second])
            if is_name(name) && is_number(a) && is_number(b) && same(*first, *second) =>
        {
            Some(vec![(*name, flip(*first), *a), (*name, *second, *b)])
        }
        _ => None,
    }
}

/// Returns whether two comparison signs point the same way (`<` and `<=`, `>` and `>=`).
fn same(a: Side, b: Side) -> bool {
    matches!((a, b), (Side::Min, Side::Min) | (Side::Max, Side::Max))
}
