//! Builds a parameter's `Distribution` once its shape is known: reads the keys the shape takes,
//! applies their defaults (`q: 1`, `mu: 0`, `sigma: 1`, `a: 1`, `b: 1`) and checks bounds against
//! the knob.

use crate::{quantized, Distribution, Knob, KnobKind, ParamValue};

use super::decoder::{Decoder, Fields};
use super::params::Shape;
use super::tree::{Kind, Node};

/// Returns the distribution of shape `shape` described by the mapping `f`.
pub(super) fn distribution(
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
        Shape::WeightedCategorical => {
            let probabilities = d.required(f, "probabilities").is_some();
            let categorical = categorical(d, f, knob)?;
            probabilities.then_some(categorical)?
        }
        Shape::IntUniform => {
            let (min, max) = int_bounds(d, f, knob)?;
            Distribution::IntUniform { min, max }
        }
        Shape::Uniform => {
            let (min, max) = real_bounds(d, f, knob, shape, None)?;
            Distribution::Uniform { min, max }
        }
        Shape::LogUniform => {
            let (min, max) = real_bounds(d, f, knob, shape, None)?;
            Distribution::LogUniform { min, max }
        }
        Shape::LogUniformValues => {
            let (min, max) = real_bounds(d, f, knob, shape, None)?;
            Distribution::LogUniformValues { min, max }
        }
        Shape::InvLogUniform => {
            let (min, max) = real_bounds(d, f, knob, shape, None)?;
            Distribution::InvLogUniform { min, max }
        }
        Shape::InvLogUniformValues => {
            let (min, max) = real_bounds(d, f, knob, shape, None)?;
            Distribution::InvLogUniformValues { min, max }
        }
        Shape::QUniform | Shape::QLogUniformValues | Shape::QLogUniform => {
            let q = step(d, f, knob);
            let bounds = real_bounds(d, f, knob, shape, q);
            let ((min, max), q) = (bounds?, q?);
            // Draws are rounded to multiples of q: with none between the bounds every draw
            // would land outside them. (Log-scale bounds, `q_log_uniform`'s, are exponents.)
            let on_values = !matches!(shape, Shape::QLogUniform);
            let pos = f.get("q").map_or(f.pos, |n| n.pos);
            // Rounding to a multiple of q is meaningless, and overflows, where the values hold
            // more multiples of q than a double tells apart.
            let top = if on_values {
                min.abs().max(max.abs())
            } else {
                max.exp()
            };
            if (top / q).is_nan() || top / q >= 9.0e15 {
                d.error(
                    pos,
                    &f.path("q"),
                    format!(
                        "q ({}) is finer than a number can tell apart between min and max: \
                         give a larger q, or the distribution without `q_`",
                        f.get("q").map_or_else(|| q.to_string(), |n| written(n, q))
                    ),
                );
                return None;
            }
            // Without `q:`, q is 1 (as in W&B), which a range narrower than 1 seldom means: the
            // missing `q` is said, with one that suits the range.
            let unwritten = match f.get("q") {
                Some(_) => String::new(),
                None => format!(
                    "; q defaults to 1 (as in W&B) where `q:` is not given: write one, such as \
                     `q: {}`",
                    suggested_q(knob, min, max)
                ),
            };
            // A q below the range's width leaves a multiple inside it.
            let first = (min / q).ceil() * q;
            if on_values && q > max - min && first > max * (1.0 + 1e-12) + 1e-300 {
                let advice = if unwritten.is_empty() {
                    "; give a q no larger than max - min"
                } else {
                    &unwritten
                };
                d.error(
                    pos,
                    &f.path("q"),
                    format!(
                        "no multiple of q ({q}) lies between min ({min}) and max ({max}), so \
                         every draw would round to a value outside them{advice}"
                    ),
                );
                return None;
            }
            // Draws are rounded to a multiple of q: a bound rounds to the value the knob gets
            // there, which may be one it cannot take (`hidden` from 1 with q 4 gives 0).
            if on_values {
                for (key, bound) in [("min", min), ("max", max)] {
                    let value = quantized(bound, q);
                    if let (Err(message), Some(node)) = (knob.check(&value), f.get(key)) {
                        let advice = if unwritten.is_empty() {
                            "; move the bound so that the multiple of q nearest it is in range"
                        } else {
                            &unwritten
                        };
                        d.error(
                            node.pos,
                            &f.path(key),
                            format!(
                                "{} rounds each draw to a multiple of q ({}), and {} rounds to \
                                 {value}, which `{}` cannot take ({message}){advice}",
                                shape.name(),
                                f.get("q").map_or_else(|| q.to_string(), |n| written(n, q)),
                                written(node, bound),
                                knob.name
                            ),
                        );
                        return None;
                    }
                }
            }
            match shape {
                Shape::QUniform => Distribution::QUniform { min, max, q },
                Shape::QLogUniform => Distribution::QLogUniform { min, max, q },
                _ => Distribution::QLogUniformValues { min, max, q },
            }
        }
        Shape::Normal | Shape::LogNormal | Shape::QNormal | Shape::QLogNormal => {
            let mu = f
                .get("mu")
                .map_or(Some(0.0), |n| d.number(n, &f.path("mu")));
            let sigma = shape_number(d, f, "sigma");
            let q = quantized_step(d, f, knob, shape);
            let (mu, sigma, q) = (mu?, sigma?, q?);
            match (shape, q) {
                (Shape::Normal, _) => Distribution::Normal { mu, sigma },
                (Shape::LogNormal, _) => Distribution::LogNormal { mu, sigma },
                (Shape::QNormal, q) => Distribution::QNormal { mu, sigma, q },
                (_, q) => Distribution::QLogNormal { mu, sigma, q },
            }
        }
        Shape::Beta | Shape::QBeta => {
            let a = shape_number(d, f, "a");
            let b = shape_number(d, f, "b");
            let q = quantized_step(d, f, knob, shape);
            let (a, b, q) = (a?, b?, q?);
            if shape == Shape::Beta {
                Distribution::Beta { a, b }
            } else {
                Distribution::QBeta { a, b, q }
            }
        }
    })
}

/// Returns a step to suggest for a quantized range from `min` to `max` written without `q:`:
/// the round step (1, 2 or 5 times a power of ten) nearest above a tenth of the range, or the
/// next finer one that both bounds round to values `knob` takes (`q: 0.05` for a dropout from 0
/// to 0.5, `q: 0.001` for an lr from 0.001 to 0.1, whose 0.001 would round to 0 with a coarser
/// one).
fn suggested_q(knob: &Knob, min: f64, max: f64) -> String {
    let width = (max - min).abs();
    let tenth = width / 10.0;
    if !(tenth.is_finite() && tenth > 0.0) {
        return "0.1".to_string();
    }
    // Round steps from coarse to fine: m * 10^e, written m / 10^-e below 1 so that each is
    // the float nearest its decimal (0.05, not 0.05000000000000001).
    #[allow(clippy::cast_possible_truncation)]
    let top = tenth.log10().floor() as i32 + 1;
    let candidates: Vec<f64> = (0..12)
        .flat_map(|i| [5.0, 2.0, 1.0].map(|m| (m, top - i)))
        .map(|(m, e)| {
            if e < 0 {
                m / 10f64.powi(-e)
            } else {
                m * 10f64.powi(e)
            }
        })
        .collect();
    let whole = matches!(knob.kind, crate::KnobKind::Int { .. });
    let fits = |q: f64| {
        (!whole || q.fract() == 0.0)
            && [min, max]
                .iter()
                .all(|b| knob.check(&crate::quantized(*b, q)).is_ok())
    };
    let start = candidates
        .iter()
        .rposition(|q| *q >= tenth * 0.9999)
        .unwrap_or(0);
    let step = candidates[start..]
        .iter()
        .copied()
        .find(|q| fits(*q))
        .unwrap_or(tenth);
    crate::words::number_text(step)
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
    if values.len() != items.len() || repeated(d, &values, items, &path) {
        return None;
    }
    Some(Distribution::Categorical {
        values,
        probabilities: probabilities?,
    })
}

/// Reports each value of a `values:` list (read from `items`, at `path`) that an earlier item
/// gives already: a repeat would count twice in a grid, in the space's size and in the
/// samplers' odds. Returns whether there was one.
pub(super) fn repeated(d: &mut Decoder, values: &[ParamValue], items: &[Node], path: &str) -> bool {
    let mut any = false;
    for (i, (value, item)) in values.iter().zip(items).enumerate() {
        if let Some(first) = values[..i].iter().position(|v| v == value) {
            let message = format!(
                "`{}` is listed already as item {first}; list each value once (give \
                 `probabilities:` to draw some more often)",
                super::quote::shown(value)
            );
            d.error(item.pos, &format!("{path}[{i}]"), message);
            any = true;
        }
    }
    any
}

pub(super) fn probabilities(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    count: usize,
) -> Option<Vec<f64>> {
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
            // To 6 significant digits: 0.999, not 0.9990000000000001.
            format!(
                "probabilities must sum to 1, found {}",
                crate::words::significant_text(sum, 6)
            ),
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

/// Reads `min` and `max`, checking the values they stand for against the knob: the bounds
/// themselves, or for the shapes with log bounds e^min and e^max (e^-max and e^-min for
/// `inv_log_uniform`), rounded to `q` where the shape has one.
fn real_bounds(
    d: &mut Decoder,
    f: &Fields<'_>,
    knob: &Knob,
    shape: Shape,
    q: Option<f64>,
) -> Option<(f64, f64)> {
    let values_positive = matches!(
        shape,
        Shape::LogUniformValues | Shape::QLogUniformValues | Shape::InvLogUniformValues
    );
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
        let log_bound = match shape {
            Shape::LogUniform | Shape::QLogUniform => {
                Some(("natural-log bounds", written(node, x), x.exp()))
            }
            Shape::InvLogUniform => {
                let w = written(node, x);
                let negated = match w.strip_prefix('-') {
                    Some(positive) => positive.to_string(),
                    None => format!("-{w}"),
                };
                Some(("bounds on log(1/x)", negated, (-x).exp()))
            }
            _ => None,
        };
        if let Some((meaning, exponent, exact)) = log_bound {
            let value = match (q, shape) {
                (Some(q), _) => quantized(exact, q),
                // `q` is broken, reported already: the value the knob would see is unknown.
                (None, Shape::QLogUniform) => return Some((x, node)),
                (None, _) => ParamValue::Float(exact),
            };
            if let Err(message) = knob.check(&value) {
                // Bounds written as the values themselves (W&B's `log_uniform` bounds are
                // natural logs): the shape that takes values.
                let values = match shape {
                    Shape::LogUniform => {
                        "; to bound the values themselves, write `distribution: \
                                          log_uniform_values`"
                    }
                    Shape::QLogUniform => {
                        "; to bound the values themselves, write \
                                           `distribution: q_log_uniform_values`"
                    }
                    _ => "",
                };
                // Where `q` moved it, the value e^x rounds to is the one out of range.
                let rounded = match value.as_f64() {
                    Some(v) if v != exact => {
                        let shown = format!("{exact:.4}");
                        let shown = shown.trim_end_matches('0').trim_end_matches('.');
                        format!(" (about {shown}, which rounds to {value}, a multiple of q)")
                    }
                    _ => String::new(),
                };
                d.error(
                    node.pos,
                    &path,
                    format!(
                        "{} takes {meaning}, and e^{exponent}{rounded} is out of range: \
                         {message}{values}",
                        shape.name()
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
                "min must be below max, found min {} and max {}{}",
                written(min_node, min),
                written(max_node, max),
                if min == max {
                    "; give one value as `{value: ...}`"
                } else {
                    ""
                }
            ),
        );
        return None;
    }
    // The samplers draw on the log of the values for these shapes: that is the width to sample.
    let (lo, hi) = if values_positive {
        (min.ln(), max.ln())
    } else {
        (min, max)
    };
    let width = hi - lo;
    if !width.is_normal() || width < 1e-12 * lo.abs().max(hi.abs()) {
        d.error(
            min_node.pos,
            &f.path("min"),
            format!(
                "min {} and max {} are too close together to draw between{}; widen the range, \
                 or give one value as `{{value: ...}}`",
                written(min_node, min),
                written(max_node, max),
                if values_positive {
                    " on a log scale"
                } else {
                    ""
                }
            ),
        );
        return None;
    }
    Some((min, max))
}

/// Reads a positive shape number (`sigma`, `a`, `b`), 1 by default.
fn shape_number(d: &mut Decoder, f: &Fields<'_>, key: &str) -> Option<f64> {
    f.get(key).map_or(Some(1.0), |n| {
        let path = f.path(key);
        let x = d.number(n, &path)?;
        positive(d, n, &path, x)
    })
}

/// Reads `q` for the quantized shapes; the others have no step, and get 1, unused.
fn quantized_step(d: &mut Decoder, f: &Fields<'_>, knob: &Knob, shape: Shape) -> Option<f64> {
    if matches!(shape, Shape::QNormal | Shape::QLogNormal | Shape::QBeta) {
        step(d, f, knob)
    } else {
        Some(1.0)
    }
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
    // W&B hands a script `None` for `null`, which the script then reads as "use my default":
    // here a knob takes values only, and its default is one.
    if let Kind::Scalar {
        value: super::tree::Scalar::Null,
        text,
    } = &node.kind
    {
        let written = if text.is_empty() { "nothing" } else { text };
        d.error(
            node.pos,
            path,
            format!(
                "`{written}` is not a value here: YAML reads `null` and `~` as no value (W&B \
                 hands a script `None` for it); list the value meant instead, such as `{}`'s \
                 default, {}",
                knob.name,
                crate::space::shown(&knob.default_value())
            ),
        );
        return None;
    }
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
            d.error(
                node.pos,
                path,
                super::quote::as_written(message, node, &value),
            );
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
