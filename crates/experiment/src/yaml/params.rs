//! The `parameters:` block: one distribution per searched knob, checked against that knob.
//!
//! Shapes follow Weights & Biases sweeps: `value`, `values` (+ `probabilities`), `min`/`max`
//! (both integers: `int_uniform`, else `uniform`), or an explicit `distribution:`. Every bound
//! and value is checked with `Knob::check`, so a spec that parses only draws values the trainer
//! accepts (except `normal` and `log_normal`, which are unbounded and checked per trial).

use crate::{Distribution, Knob, KnobKind, Param, KNOBS};

use super::decoder::{describe, did_you_mean, scalar, Decoder, Fields};
use super::distribution;
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
pub(super) enum Shape {
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
    pub(super) fn name(self) -> &'static str {
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
                "unknown parameter `{}`: the trainer has no such knob{hint}knobs: {}",
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
    let distribution = distribution::distribution(d, &f, knob, shape)?;
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
