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
        let written: Option<Vec<String>> = items.iter().map(comparison).collect();
        let example = match written {
            Some(bounds) if !bounds.is_empty() => bounds.join(", "),
            _ => "param_count: {max: 20000}".to_string(),
        };
        d.error(
            node.pos,
            "constraints",
            format!(
                "expected a mapping of metrics to their bounds, found a sequence; write \
                 `constraints: {{{example}}}`"
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

/// Returns the bound that a comparison written as text (`param_count <= 600`, `val_loss > 0.1`)
/// is here (`param_count: {max: 600}`); `None` for other text. A strict comparison is read as
/// the bound itself: a metric equal to it is seldom what decides.
fn comparison(node: &Node) -> Option<String> {
    let Kind::Scalar {
        value: Scalar::Str(text),
        ..
    } = &node.kind
    else {
        return None;
    };
    let (at, op) = ["<=", ">=", "<", ">"]
        .iter()
        .find_map(|op| text.find(op).map(|at| (at, *op)))?;
    let (name, bound) = (text[..at].trim(), text[at + op.len()..].trim());
    let valid_name =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (valid_name && bound.parse::<f64>().is_ok_and(f64::is_finite)).then(|| {
        let side = if op.starts_with('<') { "max" } else { "min" };
        format!("{}: {{{side}: {}}}", shorten(name), shorten(bound))
    })
}
