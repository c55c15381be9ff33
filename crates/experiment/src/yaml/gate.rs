//! The `gate:` block: the baseline file, repeats, noise allowance and the guarded metrics.
//!
//! Thresholds may be given once for the whole gate and overridden per metric; every guarded
//! metric must end up with at least one. `epoch_seconds` cannot be guarded: it is wall time,
//! the one metric that differs between two runs of the same trial.

use std::path::{Path, PathBuf};

use crate::words::number_text;
use crate::{Aggregate, Direction, GateSpec, GatedMetric, Located, MetricSpec};

use super::decoder::{Decoder, Fields};
use super::tree::Node;

const GATE_KEYS: &[&str] = &[
    "baseline",
    "repeats",
    "noise_k",
    "max_regression_abs",
    "max_regression_rel",
    "metrics",
];

const METRIC_KEYS: &[&str] = &["aggregate", "max_regression_abs", "max_regression_rel"];

/// The `noise_k` used when the spec gives none.
const DEFAULT_NOISE_K: f64 = 2.0;

/// Reads `gate:`; `objective` (when the `metric:` block was valid) gives the objective's goal.
pub(super) fn gate(
    d: &mut Decoder,
    node: &Node,
    file: &Path,
    objective: Option<&MetricSpec>,
) -> Option<GateSpec> {
    let f = d.fields(node, "gate", GATE_KEYS)?;
    let baseline = d.required(&f, "baseline").and_then(|n| {
        let text = d.path_text(n, "gate.baseline")?;
        if text.trim().is_empty() {
            d.error(
                n.pos,
                "gate.baseline",
                "expected a file name, found an empty string",
            );
            return None;
        }
        let value = match file.parent() {
            Some(dir) => dir.join(text),
            None => PathBuf::from(text),
        };
        Some(Located {
            value,
            location: super::location(file, n.pos),
        })
    });
    // Each repeat runs the whole experiment: a hundred is already far beyond a CI budget.
    let repeats = f
        .get("repeats")
        .map_or(Some(1), |n| d.count_in(n, "gate.repeats", (1, MAX_REPEATS)));
    let noise_k = f
        .get("noise_k")
        .map_or(Some(DEFAULT_NOISE_K), |n| d.non_negative(n, "gate.noise_k"));
    let defaults = Defaults {
        abs: threshold(d, &f, "max_regression_abs"),
        rel: threshold(d, &f, "max_regression_rel"),
    };
    let metrics = d
        .required(&f, "metrics")
        .and_then(|n| metrics(d, n, objective, defaults));
    defaults.abs?;
    defaults.rel?;
    Some(GateSpec {
        baseline: baseline?,
        repeats: repeats?,
        noise_k: noise_k?,
        metrics: metrics?,
    })
}

/// The gate-wide thresholds: `Some(None)` when not written, `None` when written wrongly.
#[derive(Debug, Clone, Copy)]
struct Defaults {
    abs: Option<Option<f64>>,
    rel: Option<Option<f64>>,
}

fn metrics(
    d: &mut Decoder,
    node: &Node,
    objective: Option<&MetricSpec>,
    defaults: Defaults,
) -> Option<Vec<GatedMetric>> {
    let f = d.mapping(node, "gate.metrics")?;
    if f.entries.is_empty() {
        d.error(
            node.pos,
            "gate.metrics",
            "expected at least one metric, such as `val_accuracy: {aggregate: best}`",
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for entry in f.entries {
        let path = f.path(&entry.key);
        let why = "the gate cannot guard it";
        let Some(name) = super::blocks::reproducible_metric(d, entry, "gate.metrics", why) else {
            ok = false;
            continue;
        };
        match metric(d, &entry.value, &path, name, objective, defaults) {
            Some(m) => out.push(m),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn metric(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    name: &str,
    objective: Option<&MetricSpec>,
    defaults: Defaults,
) -> Option<GatedMetric> {
    let f = d.fields(node, path, METRIC_KEYS)?;
    let names: Vec<&str> = Aggregate::ALL.iter().map(|a| a.as_str()).collect();
    let aggregate = match f.get("aggregate") {
        None => Some(Aggregate::Best),
        Some(n) => d
            .choice(n, &f.path("aggregate"), "aggregate", &names)
            .and_then(Aggregate::from_name),
    };
    let own_abs = threshold(d, &f, "max_regression_abs");
    let own_rel = threshold(d, &f, "max_regression_rel");
    let (own_abs, own_rel) = (own_abs?, own_rel?);
    // A metric with a threshold of its own takes none of the gate's: its own may be stricter.
    let (max_regression_abs, max_regression_rel) = if own_abs.is_some() || own_rel.is_some() {
        (own_abs, own_rel)
    } else {
        (defaults.abs.flatten(), defaults.rel.flatten())
    };
    // A gate-wide threshold written wrongly has its own error; do not add a second one here.
    let defaults_written = defaults.abs != Some(None) || defaults.rel != Some(None);
    if own_abs.is_none() && own_rel.is_none() && !defaults_written {
        d.error(
            f.pos,
            path,
            format!(
                "no threshold for `{name}`: give `max_regression_abs` or `max_regression_rel`, \
                 here or for the whole gate"
            ),
        );
        return None;
    }
    let goal = match objective {
        Some(o) if o.name == name => o.goal,
        // Every guardable metric is known, so the fallback is never used.
        _ => Direction::of_metric(name).unwrap_or(Direction::Minimize),
    };
    Some(GatedMetric {
        name: name.to_string(),
        aggregate: aggregate?,
        goal,
        max_regression_abs,
        max_regression_rel,
    })
}

/// Reads an optional non-negative threshold; `Some(None)` when absent, `None` after an error.
/// A relative one is a fraction, at most 1: 15 meant as 15% would tolerate any regression.
fn threshold(d: &mut Decoder, f: &Fields<'_>, key: &str) -> Option<Option<f64>> {
    let n = match f.get(key) {
        None => return Some(None),
        Some(n) => n,
    };
    let path = f.path(key);
    let value = d.non_negative(n, &path)?;
    if key == "max_regression_rel" && value > 1.0 {
        d.error(
            n.pos,
            &path,
            format!(
                "`max_regression_rel` is a fraction of the baseline's mean, at most 1: {} would \
                 tolerate a regression of {}%; write 0.15 for 15%",
                number_text(value),
                number_text(value * 100.0)
            ),
        );
        return None;
    }
    Some(Some(value))
}

/// The most repeats a gate runs.
const MAX_REPEATS: u32 = 100;
