//! The `parameters:` block: one distribution per searched knob, checked against that knob.
//!
//! Shapes follow Weights & Biases sweeps: `value`, `values` (+ `probabilities`), `min`/`max`
//! (both integers: `int_uniform`, else `uniform`), or an explicit `distribution:`. Every bound
//! and value is checked with `Knob::check`, so a spec that parses only draws values the trainer
//! accepts (except `normal` and `log_normal`, which are unbounded and checked per trial).

use crate::{Distribution, Knob, KnobKind, Param, ParamValue, KNOBS};

use super::decoder::{describe, did_you_mean, scalar, Decoder, Fields};
use super::tree::{join, Entry, Kind, Node, Pos, Scalar};

/// A searched parameter, with where its key and its mapping are written.
#[derive(Debug)]
pub(super) struct Searched {
    pub(super) param: Param,
    pub(super) key_pos: Pos,
    pub(super) pos: Pos,
}

/// The distributions of the v1 format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Constant,
    Categorical,
    Uniform,
    IntUniform,
    QUniform,
    LogUniform,
    LogUniformValues,
    QLogUniformValues,
    Normal,
    LogNormal,
}

const SHAPES: &[Shape] = &[
    Shape::Constant,
    Shape::Categorical,
    Shape::Uniform,
    Shape::IntUniform,
    Shape::QUniform,
    Shape::LogUniform,
    Shape::LogUniformValues,
    Shape::QLogUniformValues,
    Shape::Normal,
    Shape::LogNormal,
];

/// Distributions of W&B sweeps that Sweep does not draw from yet.
const NOT_YET: &[&str] = &[
    "inv_log_uniform",
    "inv_log_uniform_values",
    "q_log_uniform",
    "q_normal",
    "q_log_normal",
    "beta",
    "q_beta",
];

/// Every key a parameter mapping may have, under some distribution.
const PARAM_KEYS: &[&str] = &[
    "distribution",
    "value",
    "values",
    "probabilities",
    "min",
    "max",
    "q",
    "mu",
    "sigma",
];

/// Reads `parameters:`; a broken parameter is reported and left out.
pub(super) fn parameters(d: &mut Decoder, node: &Node) -> Vec<Searched> {
    let Some(f) = d.mapping(node, "parameters") else {
        return Vec::new();
    };
    f.entries.iter().filter_map(|e| parameter(d, e)).collect()
}

/// Returns the number of points a grid takes from `distribution`, or `None` when continuous.
///
/// Unlike `Distribution::grid_values`, this does not build the list.
pub(super) fn grid_len(distribution: &Distribution) -> Option<u64> {
    match distribution {
        Distribution::Constant(_) => Some(1),
        Distribution::Categorical { values, .. } => u64::try_from(values.len()).ok(),
        Distribution::IntUniform { min, max } => {
            u64::try_from(i128::from(*max) - i128::from(*min) + 1).ok()
        }
        _ => None,
    }
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Constant => "constant",
            Shape::Categorical => "categorical",
            Shape::Uniform => "uniform",
            Shape::IntUniform => "int_uniform",
            Shape::QUniform => "q_uniform",
            Shape::LogUniform => "log_uniform",
            Shape::LogUniformValues => "log_uniform_values",
            Shape::QLogUniformValues => "q_log_uniform_values",
            Shape::Normal => "normal",
            Shape::LogNormal => "log_normal",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Shape::Constant => &["distribution", "value"],
            Shape::Categorical => &["distribution", "values", "probabilities"],
            Shape::Uniform | Shape::IntUniform | Shape::LogUniform | Shape::LogUniformValues => {
                &["distribution", "min", "max"]
            }
            Shape::QUniform | Shape::QLogUniformValues => &["distribution", "min", "max", "q"],
            Shape::Normal | Shape::LogNormal => &["distribution", "mu", "sigma"],
        }
    }

    /// Whether an integer knob can take this shape's draws (the `q_` ones with a whole `q`).
    fn draws_integers(self) -> bool {
        matches!(
            self,
            Shape::Constant
                | Shape::Categorical
                | Shape::IntUniform
                | Shape::QUniform
                | Shape::QLogUniformValues
        )
    }
}

fn parameter(d: &mut Decoder, entry: &Entry) -> Option<Searched> {
    let path = join("parameters", &entry.key);
    let Some(knob) = Knob::find(&entry.key) else {
        let names: Vec<&str> = KNOBS.iter().map(|k| k.name).collect();
        let hint = did_you_mean(&entry.key, names.iter().copied());
        d.error(
            entry.key_pos,
            &path,
            format!(
                "unknown parameter `{}`: the trainer has no such knob{hint}; knobs: {}",
                entry.key,
                names.join(", ")
            ),
        );
        return None;
    };
    let node = &entry.value;
    if !matches!(node.kind, Kind::Map(_)) {
        d.error(
            node.pos,
            &path,
            format!(
                "expected a mapping such as `{{values: [..]}}` or `{{min: .., max: ..}}`, found {}",
                describe(node)
            ),
        );
        return None;
    }
    let f = d.mapping(node, &path)?;
    let shape = shape(d, &f, knob)?;
    for e in f.entries {
        if shape.keys().contains(&e.key.as_str()) {
            continue;
        }
        if PARAM_KEYS.contains(&e.key.as_str()) {
            d.error(
                e.key_pos,
                &f.path(&e.key),
                format!(
                    "`{}` does not apply to {}; expected keys: {}",
                    e.key,
                    shape.name(),
                    shape.keys().join(", ")
                ),
            );
        } else {
            d.unknown_key(e, &path, shape.keys());
        }
    }
    let distribution = distribution(d, &f, knob, shape)?;
    Some(Searched {
        param: Param {
            name: knob.name.to_string(),
            distribution,
        },
        key_pos: entry.key_pos,
        pos: node.pos,
    })
}

/// Returns the shape named by `distribution:`, or the one the keys imply.
fn shape(d: &mut Decoder, f: &Fields<'_>, knob: &Knob) -> Option<Shape> {
    if let Some(n) = f.get("distribution") {
        let path = f.path("distribution");
        if let Some(Scalar::Str(s)) = scalar(n) {
            if NOT_YET.contains(&s.as_str()) {
                let names: Vec<&str> = SHAPES.iter().map(|s| s.name()).collect();
                d.error(
                    n.pos,
                    &path,
                    format!(
                        "distribution `{s}` is not supported yet; expected one of {}",
                        names.join(", ")
                    ),
                );
                return None;
            }
        }
        let names: Vec<&str> = SHAPES.iter().map(|s| s.name()).collect();
        let name = d.choice(n, &path, "distribution", &names)?;
        let shape = SHAPES.iter().copied().find(|s| s.name() == name)?;
        return fits_knob(d, knob, shape, n.pos, &path).then_some(shape);
    }
    let has = |key: &str| f.get(key).is_some();
    let is_int = |key: &str| matches!(f.get(key).and_then(scalar), Some(Scalar::Int(_)));
    let shape = if has("value") && has("values") {
        d.error(f.pos, f.path, "give either `value` or `values`, not both");
        return None;
    } else if has("value") {
        Shape::Constant
    } else if has("values") {
        Shape::Categorical
    } else if has("min") || has("max") {
        // An integer knob always reads its bounds as integers, so `min: 1.5` gets a precise error.
        let int_knob = matches!(knob.kind, KnobKind::Int { .. });
        if int_knob || (is_int("min") && is_int("max")) {
            Shape::IntUniform
        } else {
            Shape::Uniform
        }
    } else {
        let mut unknown = false;
        for e in f.entries {
            if !PARAM_KEYS.contains(&e.key.as_str()) {
                d.unknown_key(e, f.path, PARAM_KEYS);
                unknown = true;
            }
        }
        if !unknown {
            d.error(
                f.pos,
                f.path,
                format!(
                    "cannot tell how to draw `{}`: give `values`, `value`, `min` and `max`, \
                     or a `distribution`",
                    knob.name
                ),
            );
        }
        return None;
    };
    fits_knob(d, knob, shape, f.pos, f.path).then_some(shape)
}

/// Checks that `shape` draws the kind of value `knob` takes.
fn fits_knob(d: &mut Decoder, knob: &Knob, shape: Shape, pos: Pos, path: &str) -> bool {
    let message = match knob.kind {
        KnobKind::Choice(names) if !matches!(shape, Shape::Constant | Shape::Categorical) => {
            format!(
                "`{}` takes one of {}, so it cannot use {}; use `values` or `value`",
                knob.name,
                names.join(", "),
                shape.name()
            )
        }
        KnobKind::Int { .. } if !shape.draws_integers() => format!(
            "`{}` is an integer knob and {} draws real numbers; use int_uniform (integer `min` \
             and `max`), `values`, or q_uniform or q_log_uniform_values with a whole `q`",
            knob.name,
            shape.name()
        ),
        _ => return true,
    };
    d.error(pos, path, message);
    false
}

fn distribution(
    d: &mut Decoder,
    f: &Fields<'_>,
    knob: &Knob,
    shape: Shape,
) -> Option<Distribution> {
    Some(match shape {
        Shape::Constant => {
            let node = d.required(f, "value")?;
            Distribution::Constant(checked(d, knob, node, &f.path("value"))?)
        }
        Shape::Categorical => categorical(d, f, knob)?,
        Shape::IntUniform => {
            let (min, max) = int_bounds(d, f, knob)?;
            Distribution::IntUniform { min, max }
        }
        Shape::Uniform => {
            let (min, max) = real_bounds(d, f, knob, shape)?;
            Distribution::Uniform { min, max }
        }
        Shape::LogUniform => {
            let (min, max) = real_bounds(d, f, knob, shape)?;
            Distribution::LogUniform { min, max }
        }
        Shape::LogUniformValues => {
            let (min, max) = real_bounds(d, f, knob, shape)?;
            Distribution::LogUniformValues { min, max }
        }
        Shape::QUniform | Shape::QLogUniformValues => {
            let bounds = real_bounds(d, f, knob, shape);
            let q = step(d, f, knob);
            let ((min, max), q) = (bounds?, q?);
            if shape == Shape::QUniform {
                Distribution::QUniform { min, max, q }
            } else {
                Distribution::QLogUniformValues { min, max, q }
            }
        }
        Shape::Normal | Shape::LogNormal => {
            let mu = f
                .get("mu")
                .map_or(Some(0.0), |n| d.number(n, &f.path("mu")));
            let sigma = f.get("sigma").map_or(Some(1.0), |n| {
                let path = f.path("sigma");
                let sigma = d.number(n, &path)?;
                positive(d, n, &path, sigma)
            });
            let (mu, sigma) = (mu?, sigma?);
            if shape == Shape::Normal {
                Distribution::Normal { mu, sigma }
            } else {
                Distribution::LogNormal { mu, sigma }
            }
        }
    })
}

fn categorical(d: &mut Decoder, f: &Fields<'_>, knob: &Knob) -> Option<Distribution> {
    let node = d.required(f, "values")?;
    let path = f.path("values");
    let items = d.seq(node, &path)?;
    if items.is_empty() {
        d.error(node.pos, &path, "expected at least one value, found `[]`");
        return None;
    }
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(v) = checked(d, knob, item, &format!("{path}[{i}]")) {
            values.push(v);
        }
    }
    let probabilities = match f.get("probabilities") {
        None => Some(None),
        Some(n) => probabilities(d, n, &f.path("probabilities"), items.len()).map(Some),
    };
    if values.len() != items.len() {
        return None;
    }
    Some(Distribution::Categorical {
        values,
        probabilities: probabilities?,
    })
}

fn probabilities(d: &mut Decoder, node: &Node, path: &str, count: usize) -> Option<Vec<f64>> {
    let items = d.seq(node, path)?;
    let mut ps = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        match d.number(item, &item_path) {
            Some(p) if p >= 0.0 => ps.push(p),
            Some(p) => d.error(
                item.pos,
                &item_path,
                format!(
                    "a probability must not be negative, found {}",
                    written(item, p)
                ),
            ),
            None => {}
        }
    }
    if ps.len() != items.len() {
        return None;
    }
    if ps.len() != count {
        d.error(
            node.pos,
            path,
            format!(
                "expected {count} probabilities, one per value, found {}",
                ps.len()
            ),
        );
        return None;
    }
    let sum: f64 = ps.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        d.error(
            node.pos,
            path,
            format!("probabilities must sum to 1, found {sum}"),
        );
        return None;
    }
    Some(ps)
}

fn int_bounds(d: &mut Decoder, f: &Fields<'_>, knob: &Knob) -> Option<(i64, i64)> {
    let bound = |d: &mut Decoder, key: &str| {
        let node = d.required(f, key)?;
        let path = f.path(key);
        let i = d.int(node, &path)?;
        checked_value(d, knob, node, &path, ParamValue::Int(i))?;
        Some((i, node))
    };
    let min = bound(d, "min");
    let max = bound(d, "max");
    let ((min, node), (max, _)) = (min?, max?);
    if min > max {
        d.error(
            node.pos,
            &f.path("min"),
            format!("min must not exceed max, found min {min} and max {max}"),
        );
        return None;
    }
    Some((min, max))
}

fn real_bounds(d: &mut Decoder, f: &Fields<'_>, knob: &Knob, shape: Shape) -> Option<(f64, f64)> {
    let values_positive = matches!(shape, Shape::LogUniformValues | Shape::QLogUniformValues);
    let bound = |d: &mut Decoder, key: &str| {
        let node = d.required(f, key)?;
        let path = f.path(key);
        let x = d.number(node, &path)?;
        if values_positive && x <= 0.0 {
            d.error(
                node.pos,
                &path,
                format!(
                    "{} needs positive bounds, found {}",
                    shape.name(),
                    written(node, x)
                ),
            );
            return None;
        }
        if shape == Shape::LogUniform {
            // The bounds are natural logarithms: the knob sees e^min to e^max.
            if let Err(message) = knob.check(&ParamValue::Float(x.exp())) {
                d.error(
                    node.pos,
                    &path,
                    format!(
                        "log_uniform takes natural-log bounds, and e^{} is out of range: {message}",
                        written(node, x)
                    ),
                );
                return None;
            }
        } else {
            checked_value(d, knob, node, &path, ParamValue::Float(x))?;
        }
        Some((x, node))
    };
    let min = bound(d, "min");
    let max = bound(d, "max");
    let ((min, min_node), (max, max_node)) = (min?, max?);
    if min >= max {
        d.error(
            min_node.pos,
            &f.path("min"),
            format!(
                "min must be below max, found min {} and max {}",
                written(min_node, min),
                written(max_node, max)
            ),
        );
        return None;
    }
    Some((min, max))
}

/// Reads `q`, 1 by default; an integer knob needs a whole step so that its draws are integers.
fn step(d: &mut Decoder, f: &Fields<'_>, knob: &Knob) -> Option<f64> {
    let Some(node) = f.get("q") else {
        return Some(1.0);
    };
    let path = f.path("q");
    let q = d.number(node, &path)?;
    let q = positive(d, node, &path, q)?;
    if matches!(knob.kind, KnobKind::Int { .. }) && q.fract() != 0.0 {
        d.error(
            node.pos,
            &path,
            format!(
                "`{}` is an integer knob, so q must be a whole number, found {}",
                knob.name,
                written(node, q)
            ),
        );
        return None;
    }
    Some(q)
}

fn positive(d: &mut Decoder, node: &Node, path: &str, x: f64) -> Option<f64> {
    if x > 0.0 {
        Some(x)
    } else {
        d.error(
            node.pos,
            path,
            format!("must be positive, found {}", written(node, x)),
        );
        None
    }
}

/// Reads one value and checks it against the knob, returning it normalized.
fn checked(d: &mut Decoder, knob: &Knob, node: &Node, path: &str) -> Option<ParamValue> {
    let value = d.value(node, path)?;
    checked_value(d, knob, node, path, value)
}

fn checked_value(
    d: &mut Decoder,
    knob: &Knob,
    node: &Node,
    path: &str,
    value: ParamValue,
) -> Option<ParamValue> {
    match knob.check(&value) {
        Ok(v) => Some(v),
        Err(message) => {
            d.error(node.pos, path, message);
            None
        }
    }
}

/// Returns a number as the user wrote it, for messages (`1.0e-4` rather than `0.0001`).
fn written(node: &Node, x: f64) -> String {
    match &node.kind {
        Kind::Scalar { text, .. } => text.clone(),
        _ => x.to_string(),
    }
}
