//! The `parameters:` block: one distribution per searched knob, checked against that knob.
//!
//! Shapes follow Weights & Biases sweeps: `value`, `values` (+ `probabilities`), `min`/`max`
//! (both integers: `int_uniform`, else `uniform`), or an explicit `distribution:`. Every bound
//! and value is checked with `Knob::check`, so a spec that parses only draws values the trainer
//! accepts (except `normal` and `log_normal`, which are unbounded and checked per trial).
//!
//! Any parameter may add `when: {other: [value, ..]}` (see `conditions`). A name that is not a
//! knob is still an error, with one exception: a categorical of names that some `when:` tests,
//! such as `regularization: {values: [none, dropout, l2]}`. It selects between variants of the
//! search and is recorded with each trial, but no knob reads it.

use std::collections::BTreeSet;

use crate::{suggest, Distribution, Knob, KnobKind, Param, ParamValue, KNOBS};

use super::conditions::{self, RawWhen};
use super::decoder::{describe, did_you_mean, scalar, Decoder, Fields};
use super::distribution;
use super::split_values::split_values;
use super::syntax::Allowed;
use super::tree::{join, Entry, Kind, Node, Pos, Scalar};

/// A searched parameter, with where its key and its mapping are written.
#[derive(Debug)]
pub(super) struct Searched {
    pub(super) param: Param,
    pub(super) key_pos: Pos,
    pub(super) pos: Pos,
    /// Its `when:` as written, checked against the other parameters once all are read.
    pub(super) when: Option<RawWhen>,
    /// The knob it sets, or `None` for a parameter that only conditions test.
    pub(super) knob: Option<&'static Knob>,
}

/// The distributions of the v1 format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Constant,
    Categorical,
    /// W&B's explicit name for a categorical with `probabilities`, which it then requires.
    WeightedCategorical,
    Uniform,
    IntUniform,
    QUniform,
    LogUniform,
    LogUniformValues,
    QLogUniformValues,
    Normal,
    LogNormal,
    QLogUniform,
    InvLogUniform,
    InvLogUniformValues,
    QNormal,
    QLogNormal,
    Beta,
    QBeta,
}

const SHAPES: &[Shape] = &[
    Shape::Constant,
    Shape::Categorical,
    Shape::WeightedCategorical,
    Shape::Uniform,
    Shape::IntUniform,
    Shape::QUniform,
    Shape::LogUniform,
    Shape::LogUniformValues,
    Shape::QLogUniformValues,
    Shape::Normal,
    Shape::LogNormal,
    Shape::QLogUniform,
    Shape::InvLogUniform,
    Shape::InvLogUniformValues,
    Shape::QNormal,
    Shape::QLogNormal,
    Shape::Beta,
    Shape::QBeta,
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
    "a",
    "b",
    "when",
];

/// Optuna's words for a parameter (`trial.suggest_float(low, high, log=True)`, `choices`), and
/// how each is written here: reported so rather than as unknown keys.
const OPTUNA_WORDS: &[(&str, &str)] = &[
    ("low", "is Optuna's word; here the lower bound is `min:`"),
    ("high", "is Optuna's word; here the upper bound is `max:`"),
    (
        "log",
        "is Optuna's word; here a log scale is `distribution: log_uniform_values`, with `min` \
         and `max` the values",
    ),
    (
        "choices",
        "is Optuna's word; here a list to choose from is `values: [..]`",
    ),
    (
        "step",
        "is Optuna's word; here a value rounded to a step is `distribution: q_uniform` (or \
         `q_log_uniform_values`) with `q:`, which rounds to multiples of q, as W&B does (Optuna \
         counts steps from `low`: for its `1, 3, 5, 7, 9` list them, `values: [1, 3, 5, 7, 9]`)",
    ),
];

/// Other tools' names of distributions, each answered with what it is here. Ray Tune's and
/// scipy's `loguniform` take the values as bounds, so the edit-distance neighbour
/// `log_uniform` (natural-log bounds) would draw from e^min to e^max.
const OTHER_DISTRIBUTIONS: &[(&str, &str)] = &[
    (
        "loguniform",
        "Ray Tune's and scipy's `loguniform` take the values themselves as bounds, which is \
         `log_uniform_values` here (`log_uniform` takes their natural logarithms, as W&B's \
         and hyperopt's do)",
    ),
    (
        "qloguniform",
        "Ray Tune's `qloguniform` takes the values themselves as bounds, which is \
         `q_log_uniform_values` here (`q_log_uniform` takes their natural logarithms)",
    ),
    (
        "float",
        "Optuna's `suggest_float` is `uniform` here, or `log_uniform_values` for its `log=True`, \
         with `min` and `max` the values",
    ),
    (
        "int",
        "Optuna's `suggest_int` is `int_uniform` here, with `min` and `max` the values",
    ),
    (
        "randint",
        "Ray Tune's `randint` is `int_uniform` here, whose `max` is drawn too (Ray's upper \
         bound is not)",
    ),
    (
        "quniform",
        "that is `q_uniform` here, which rounds draws to multiples of `q` too",
    ),
];

/// What Optuna's `log` is for an integer knob (`suggest_int(..., log=True)`).
const INT_LOG: &str = "is Optuna's word; for an integer knob a log scale is `distribution: \
                       q_log_uniform_values` with `q: 1`, and `min` and `max` the values";

/// The keys of a parameter that is not a knob.
const SELECTOR_KEYS: &[&str] = &["distribution", "values", "probabilities", "when"];

/// Reads `parameters:`; a broken parameter is reported and left out. Also returns every name
/// written, broken or not, so that a condition on a broken parameter is not reported again.
pub(super) fn parameters(d: &mut Decoder, node: &Node) -> (Vec<Searched>, BTreeSet<String>) {
    let Some(f) = d.mapping(node, "parameters") else {
        return (Vec::new(), BTreeSet::new());
    };
    let tested = tested_names(f.entries);
    let searched = f
        .entries
        .iter()
        .filter_map(|e| parameter(d, e, &tested))
        .collect();
    (searched, f.entries.iter().map(|e| e.key.clone()).collect())
}

/// Returns the names that some parameter's `when:` mapping tests, as written; a misspelt name
/// also counts for the parameter it is closest to, so that the misspelling is the one error.
fn tested_names(entries: &[Entry]) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    for entry in entries {
        if let Some(Kind::Map(tested)) = entry.value.get("when").map(|n| &n.kind) {
            names.extend(tested.iter().map(|t| t.key.as_str()));
        }
    }
    let written: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    let near: Vec<&str> = names
        .iter()
        .filter(|n| !written.contains(n))
        .filter_map(|n| suggest(n, written.iter().copied()))
        .collect();
    names.extend(near);
    names
}

impl Shape {
    pub(super) fn name(self) -> &'static str {
        match self {
            Shape::Constant => "constant",
            Shape::Categorical => "categorical",
            Shape::WeightedCategorical => "categorical_w_probabilities",
            Shape::Uniform => "uniform",
            Shape::IntUniform => "int_uniform",
            Shape::QUniform => "q_uniform",
            Shape::LogUniform => "log_uniform",
            Shape::LogUniformValues => "log_uniform_values",
            Shape::QLogUniformValues => "q_log_uniform_values",
            Shape::Normal => "normal",
            Shape::LogNormal => "log_normal",
            Shape::QLogUniform => "q_log_uniform",
            Shape::InvLogUniform => "inv_log_uniform",
            Shape::InvLogUniformValues => "inv_log_uniform_values",
            Shape::QNormal => "q_normal",
            Shape::QLogNormal => "q_log_normal",
            Shape::Beta => "beta",
            Shape::QBeta => "q_beta",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Shape::Constant => &["distribution", "value", "when"],
            Shape::Categorical | Shape::WeightedCategorical => {
                &["distribution", "values", "probabilities", "when"]
            }
            Shape::Uniform
            | Shape::IntUniform
            | Shape::LogUniform
            | Shape::LogUniformValues
            | Shape::InvLogUniform
            | Shape::InvLogUniformValues => &["distribution", "min", "max", "when"],
            Shape::QUniform | Shape::QLogUniformValues | Shape::QLogUniform => {
                &["distribution", "min", "max", "q", "when"]
            }
            Shape::Normal | Shape::LogNormal => &["distribution", "mu", "sigma", "when"],
            Shape::QNormal | Shape::QLogNormal => &["distribution", "mu", "sigma", "q", "when"],
            Shape::Beta => &["distribution", "a", "b", "when"],
            Shape::QBeta => &["distribution", "a", "b", "q", "when"],
        }
    }

    /// Whether an integer knob can take this shape's draws (the `q_` ones with a whole `q`).
    fn draws_integers(self) -> bool {
        matches!(
            self,
            Shape::Constant
                | Shape::Categorical
                | Shape::WeightedCategorical
                | Shape::IntUniform
                | Shape::QUniform
                | Shape::QLogUniformValues
                | Shape::QLogUniform
                | Shape::QNormal
                | Shape::QLogNormal
                | Shape::QBeta
        )
    }
}

fn parameter(d: &mut Decoder, entry: &Entry, tested: &BTreeSet<&str>) -> Option<Searched> {
    let path = join("parameters", &entry.key);
    if !d.shown_characters(entry.key_pos, &path, &entry.key, Allowed::Visible) {
        return None;
    }
    // W&B's nested parameters (a dictionary of parameters under one name).
    if let Kind::Map(keys) = &entry.value.kind {
        if let Some(nested) = keys.iter().find(|k| k.key == "parameters") {
            d.error(
                nested.key_pos,
                &join(&path, "parameters"),
                format!(
                    "nested parameters (W&B's dictionary of parameters under `{}`) are not \
                     read here: write each knob as an entry of the top-level `parameters:`, and \
                     give one that applies only with some values of another a `when:` (see \
                     \"Conditional parameters\" in experiments/README.md)",
                    entry.key
                ),
            );
            return None;
        }
    }
    let knob = Knob::find(&entry.key);
    // A name that is not a knob only labels trials for `when:`; one a `when:` tests that is a
    // letter or two off a knob is that knob misspelt, and would change nothing in training.
    if let Some(meant) = (knob.is_none() && tested.contains(entry.key.as_str()))
        .then(|| crate::words::misspelling_of(&entry.key, KNOBS.iter().map(|k| k.name)))
        .flatten()
    {
        d.error(
            entry.key_pos,
            &path,
            format!(
                "`{}` is not a knob of the trainer, so it would change nothing in training (a \
                 name that is not a knob only labels trials for `when:`); did you mean the knob \
                 `{meant}`?",
                entry.key
            ),
        );
        return None;
    }
    if knob.is_none() && !tested.contains(entry.key.as_str()) {
        if let Some(meant) = Knob::known_as(&entry.key) {
            d.error(
                entry.key_pos,
                &path,
                format!(
                    "unknown parameter `{}`: the trainer calls this knob `{}` ({}); write `{}:`{}",
                    entry.key,
                    meant.name,
                    meant.doc,
                    meant.name,
                    Knob::alias_scale(&entry.key)
                ),
            );
            return None;
        }
        let names: Vec<&str> = KNOBS.iter().map(|k| k.name).collect();
        let hint = did_you_mean(&entry.key, names.iter().copied());
        let knobs = if d.first_time("knobs") {
            format!("knobs: {}", names.join(", "))
        } else {
            "the knobs are listed above".to_string()
        };
        d.error(
            entry.key_pos,
            &path,
            format!(
                "unknown parameter `{}`: the trainer has no such knob{hint}{knobs}; a name \
                 that is not a knob must be tested by some `when:`",
                entry.key,
            ),
        );
        return None;
    }
    let node = &entry.value;
    if !matches!(node.kind, Kind::Map(_)) {
        // W&B's sweep files write a fixed value `{value: ..}` and a list `{values: [..]}`.
        let hint = match &node.kind {
            // Nothing (or `~`) is no value to put in `{value: ..}`: say how each shape is
            // written, with the knob's default as the example of a fixed value.
            Kind::Scalar {
                value: Scalar::Null,
                ..
            } => match knob {
                Some(k) => format!(
                    "; to search it, give a list, `{{values: [..]}}`, or a range, `{{min: .., \
                     max: ..}}`, with values in place of the dots; to fix it, write such as \
                     `{{value: {}}}` (its default), or leave it out to keep the default",
                    k.default_value()
                ),
                None => {
                    "; a list of names to choose from is written `{values: [a, b]}`".to_string()
                }
            },
            Kind::Scalar { text, .. } => format!("; a fixed value is written `{{value: {text}}}`"),
            Kind::Seq(_) => "; a list to choose from is written `{values: [..]}`".to_string(),
            Kind::Map(_) => String::new(),
        };
        d.error(
            node.pos,
            &path,
            format!(
                "expected a mapping such as `{{values: [..]}}` or `{{min: .., max: ..}}`, found \
                 {}{hint}",
                describe(node)
            ),
        );
        return None;
    }
    let f = d.mapping(node, &path)?;
    // `{values: sgd, adam}`: a comma in braces ends a value, and the rest read as keys.
    let split = split_values(f.entries);
    if !split.is_empty() {
        for (entry, message) in split {
            d.error(entry.key_pos, &f.path(&entry.key), message);
        }
        return None;
    }
    let when = match f.get("when") {
        None => Some(None),
        Some(n) => conditions::read(d, n, &f.path("when")).map(Some),
    };
    let Some(knob) = knob else {
        let distribution = selector(d, &f, &entry.key);
        return Some(Searched {
            param: Param::new(entry.key.clone(), distribution?),
            key_pos: entry.key_pos,
            pos: node.pos,
            when: when?,
            knob: None,
        });
    };
    let shape = shape(d, &f, knob)?;
    for e in f.entries {
        if shape.keys().contains(&e.key.as_str()) {
            continue;
        }
        if PARAM_KEYS.contains(&e.key.as_str()) {
            // `q` beside a distribution that has a quantized twin: the twin is named.
            let twin = match (e.key.as_str(), shape) {
                ("q", Shape::Uniform) => Some(Shape::QUniform),
                ("q", Shape::LogUniformValues) => Some(Shape::QLogUniformValues),
                ("q", Shape::LogUniform) => Some(Shape::QLogUniform),
                ("q", Shape::Normal) => Some(Shape::QNormal),
                ("q", Shape::LogNormal) => Some(Shape::QLogNormal),
                ("q", Shape::Beta) => Some(Shape::QBeta),
                _ => None,
            };
            let advice = twin.map_or_else(String::new, |twin| {
                format!(
                    "; to round draws to multiples of q, write `distribution: {}`",
                    twin.name()
                )
            });
            d.error(
                e.key_pos,
                &f.path(&e.key),
                format!(
                    "`{}` does not apply to {}{advice}; expected keys: {}",
                    e.key,
                    shape.name(),
                    shape.keys().join(", ")
                ),
            );
        } else if matches!(knob.kind, KnobKind::Int { .. }) {
            // Optuna's `suggest_int(..., log=True)`: the log scale that draws integers.
            let words: Vec<(&str, &str)> = OPTUNA_WORDS
                .iter()
                .map(|&(key, said)| {
                    if key == "log" {
                        ("log", INT_LOG)
                    } else {
                        (key, said)
                    }
                })
                .collect();
            d.not_expected(e, &path, shape.keys(), &words);
        } else {
            d.not_expected(e, &path, shape.keys(), OPTUNA_WORDS);
        }
    }
    let distribution = distribution::distribution(d, &f, knob, shape)?;
    Some(Searched {
        param: Param::new(knob.name, distribution),
        key_pos: entry.key_pos,
        pos: node.pos,
        when: when?,
        knob: Some(knob),
    })
}

/// Reads a parameter that is not a knob but is tested by a condition: a categorical of names.
fn selector(d: &mut Decoder, f: &Fields<'_>, name: &str) -> Option<Distribution> {
    let not_categorical = |d: &mut Decoder, pos: Pos, path: &str| {
        d.error(
            pos,
            path,
            format!(
                "`{name}` is not a knob, so it can only be a categorical of names that `when:` \
                 tests; give `values: [..]`"
            ),
        );
    };
    let mut ok = true;
    for e in f.entries {
        if !SELECTOR_KEYS.contains(&e.key.as_str()) {
            if PARAM_KEYS.contains(&e.key.as_str()) {
                not_categorical(d, e.key_pos, &f.path(&e.key));
            } else {
                d.not_expected(e, f.path, SELECTOR_KEYS, OPTUNA_WORDS);
            }
            ok = false;
        }
    }
    if let Some(n) = f.get("distribution") {
        let path = f.path("distribution");
        let categorical = ["categorical", "categorical_w_probabilities"];
        if !matches!(scalar(n), Some(Scalar::Str(s)) if categorical.contains(&s.as_str())) {
            not_categorical(d, n.pos, &path);
            return None;
        }
    }
    let Some(node) = f.get("values") else {
        if ok {
            not_categorical(d, f.pos, f.path);
        }
        return None;
    };
    let path = f.path("values");
    let items = d.seq(node, &path)?;
    if items.is_empty() {
        d.error(node.pos, &path, "expected at least one value, found `[]`");
        return None;
    }
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        match d.value(item, &item_path) {
            Some(v @ ParamValue::Str(_)) => values.push(v),
            Some(_) => d.error(
                item.pos,
                &item_path,
                format!("expected a name for `{name}`, found {}", describe(item)),
            ),
            None => {}
        }
    }
    let probabilities = match f.get("probabilities") {
        None => Some(None),
        Some(n) => {
            distribution::probabilities(d, n, &f.path("probabilities"), items.len()).map(Some)
        }
    };
    if values.len() != items.len() || distribution::repeated(d, &values, items, &path) || !ok {
        return None;
    }
    Some(Distribution::Categorical {
        values,
        probabilities: probabilities?,
    })
}

/// Returns the shape named by `distribution:`, or the one the keys imply.
fn shape(d: &mut Decoder, f: &Fields<'_>, knob: &Knob) -> Option<Shape> {
    if let Some(n) = f.get("distribution") {
        let path = f.path("distribution");
        let names: Vec<&str> = SHAPES.iter().map(|s| s.name()).collect();
        if let Some(Scalar::Str(written)) = scalar(n) {
            let lower = written.to_ascii_lowercase();
            if let Some((_, why)) = OTHER_DISTRIBUTIONS.iter().find(|(o, _)| *o == lower) {
                d.error(
                    n.pos,
                    &path,
                    format!("unknown distribution `{written}`: {why}"),
                );
                return None;
            }
        }
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
                d.not_expected(e, f.path, PARAM_KEYS, OPTUNA_WORDS);
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
        KnobKind::Choice(names)
            if !matches!(
                shape,
                Shape::Constant | Shape::Categorical | Shape::WeightedCategorical
            ) =>
        {
            format!(
                "`{}` takes one of {}, so it cannot use {}; use `values` or `value`",
                knob.name,
                names.join(", "),
                shape.name()
            )
        }
        KnobKind::Int { .. } if !shape.draws_integers() => format!(
            "`{}` is an integer knob and {} draws real numbers; use int_uniform (integer `min` \
             and `max`), `values`, or a q_ distribution such as q_uniform or \
             q_log_uniform_values with a whole `q`",
            knob.name,
            shape.name()
        ),
        _ => return true,
    };
    d.error(pos, path, message);
    false
}
