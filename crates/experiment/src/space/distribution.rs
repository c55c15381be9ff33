//! How a parameter's values are drawn (`Distribution`), under W&B's names: the values a grid
//! enumerates, whether a value is one a distribution gives (`admit`: for enqueued and
//! warm-started trials, and a point of the space), and the names the distributions are written
//! with.

use super::{quantized, shown, ParamValue};
use crate::words;

/// How a parameter's values are drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Always the same value.
    Constant(ParamValue),
    /// One of a list, uniformly or with the given probabilities (which sum to 1).
    Categorical {
        /// The candidates, in the order written.
        values: Vec<ParamValue>,
        /// Optional weights, one per value.
        probabilities: Option<Vec<f64>>,
    },
    /// A real number uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// An integer uniform on `min..=max`.
    IntUniform {
        /// Lower bound, included.
        min: i64,
        /// Upper bound, included.
        max: i64,
    },
    /// `round(uniform(min, max) / q) * q`.
    QUniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Quantization step.
        q: f64,
    },
    /// `exp(uniform(min, max))`: the bounds are natural logarithms.
    LogUniform {
        /// Lower bound of the logarithm.
        min: f64,
        /// Upper bound of the logarithm.
        max: f64,
    },
    /// Log-uniform between the values `min` and `max` (both positive).
    LogUniformValues {
        /// Lower bound, a positive value.
        min: f64,
        /// Upper bound, a positive value.
        max: f64,
    },
    /// `round(log_uniform_values(min, max) / q) * q`.
    QLogUniformValues {
        /// Lower bound, a positive value.
        min: f64,
        /// Upper bound, a positive value.
        max: f64,
        /// Quantization step.
        q: f64,
    },
    /// Normal with mean `mu` and standard deviation `sigma`.
    Normal {
        /// Mean.
        mu: f64,
        /// Standard deviation.
        sigma: f64,
    },
    /// `exp(normal(mu, sigma))`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// `round(exp(uniform(min, max)) / q) * q`: the bounds are natural logarithms.
    QLogUniform {
        /// Lower bound of the logarithm.
        min: f64,
        /// Upper bound of the logarithm.
        max: f64,
        /// Quantization step.
        q: f64,
    },
    /// `exp(-uniform(min, max))`: `log(1/x)` is uniform on the bounds, so values lie in
    /// `[e^-max, e^-min]`, log-uniformly.
    InvLogUniform {
        /// Lower bound of `log(1/x)`.
        min: f64,
        /// Upper bound of `log(1/x)`.
        max: f64,
    },
    /// `1/x` log-uniform between `1/max` and `1/min`: values lie in `[min, max]`, log-uniformly
    /// (the same law as `log_uniform_values`, under W&B's name for it).
    InvLogUniformValues {
        /// Lower bound, a positive value.
        min: f64,
        /// Upper bound, a positive value.
        max: f64,
    },
    /// `round(normal(mu, sigma) / q) * q`.
    QNormal {
        /// Mean.
        mu: f64,
        /// Standard deviation.
        sigma: f64,
        /// Quantization step.
        q: f64,
    },
    /// `round(exp(normal(mu, sigma)) / q) * q`.
    QLogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
        /// Quantization step.
        q: f64,
    },
    /// Beta with shape parameters `a` and `b`, on `[0, 1]`.
    Beta {
        /// First shape parameter, positive.
        a: f64,
        /// Second shape parameter, positive.
        b: f64,
    },
    /// `round(beta(a, b) / q) * q`.
    QBeta {
        /// First shape parameter, positive.
        a: f64,
        /// Second shape parameter, positive.
        b: f64,
        /// Quantization step.
        q: f64,
    },
}

impl Distribution {
    /// Returns the finite list of values a grid enumerates, or `None` for the shapes a grid
    /// does not take: continuous ranges, and quantized ones other than `q_uniform`, whose values
    /// are the multiples of q its draws round to (`grid::multiples`).
    pub fn grid_values(&self) -> Option<Vec<ParamValue>> {
        match self {
            Distribution::Constant(v) => Some(vec![v.clone()]),
            Distribution::Categorical { values, .. } => Some(values.clone()),
            Distribution::IntUniform { min, max } => {
                Some((*min..=*max).map(ParamValue::Int).collect())
            }
            Distribution::QUniform { min, max, q } => {
                let (first, count) = crate::grid::multiples(*min, *max, *q)?;
                Some(
                    (0..count)
                        .map(|k| quantized((first + f64::from(k)) * q, *q))
                        .collect(),
                )
            }
            _ => None,
        }
    }

    /// Returns `value` as a draw of this distribution would give it (an integer where the draws
    /// are integers, a float for a real range, the listed value of a categorical one), or says
    /// why the distribution never gives it: out of range, off the quantization grid, not listed,
    /// or of the wrong type.
    pub(crate) fn admit(&self, value: &ParamValue) -> Result<ParamValue, String> {
        let number = |v: &ParamValue| {
            v.as_f64()
                .ok_or_else(|| format!("expected a number, found {} `{v}`", v.type_name()))
        };
        let outside = |x: f64, min: f64, max: f64| {
            format!(
                "must be in [{}, {}], found {}",
                words::number_text(min),
                words::number_text(max),
                words::found_number(x, &[min, max])
            )
        };
        let within = |x: f64, min: f64, max: f64| {
            // Bounds written in the spec and values computed from them may differ in the last
            // digit (a log bound's `exp`), so a hair of slack.
            let scale = [min, max]
                .iter()
                .filter(|b| b.is_finite())
                .fold(1.0f64, |m, b| m.max(b.abs()));
            let slack = 1e-12 * scale;
            if x >= min - slack && x <= max + slack {
                Ok(x)
            } else {
                Err(outside(x, min, max))
            }
        };
        // The values a draw rounds to run from the multiple of q nearest `min` to the one
        // nearest `max`: those are the bounds said (0 and 10 for 0 to 10 with q 2.5, not the
        // -1.25 and 11.25 that round to them).
        let on_grid = |x: f64, min: f64, max: f64, q: f64| {
            let nearest = |b: f64| quantized(b, q).as_f64().unwrap_or(b);
            within(x, nearest(min), nearest(max))?;
            let steps = x / q;
            if (steps - steps.round()).abs() > 1e-9 * steps.abs().max(1.0) {
                return Err(format!(
                    "must be a multiple of q = {}, found {}",
                    words::number_text(q),
                    words::number_text(x)
                ));
            }
            Ok(quantized(x, q))
        };
        // A log scale has no 0 nor anything below it: the slack is relative to each bound, so
        // that a bound as small as 1e-12 does not stretch down to 0.
        let within_log = |x: f64, min: f64, max: f64| {
            let slack = 1e-12;
            if x > 0.0 && x >= min * (1.0 - slack) && x <= max * (1.0 + slack) {
                Ok(x)
            } else {
                Err(outside(x, min, max))
            }
        };
        match self {
            Distribution::Constant(v) if same(v, value) => Ok(v.clone()),
            Distribution::Constant(v) => Err(format!(
                "must be {}, its only value, found {}",
                shown(v),
                shown(value)
            )),
            Distribution::Categorical { values, .. } => values
                .iter()
                .find(|v| same(v, value))
                .cloned()
                .ok_or_else(|| {
                    // Text quoted, so that an empty value or spaces at its ends show.
                    let listed: Vec<String> = values.iter().map(shown).collect();
                    // `"true"` for `true`, `"64"` for `64`: the same word, quoted into text.
                    let quoted = matches!(value, ParamValue::Str(_))
                        && values.iter().any(|v| {
                            !matches!(v, ParamValue::Str(_)) && v.to_string() == value.to_string()
                        });
                    let hint = if quoted {
                        ", which is quoted, so it is text; write it without quotes"
                    } else {
                        ""
                    };
                    format!(
                        "must be one of {}, found {}{hint}",
                        listed.join(", "),
                        shown(value)
                    )
                }),
            Distribution::Uniform { min, max } => {
                within(number(value)?, *min, *max).map(ParamValue::Float)
            }
            Distribution::LogUniformValues { min, max }
            | Distribution::InvLogUniformValues { min, max } => {
                within_log(number(value)?, *min, *max).map(ParamValue::Float)
            }
            Distribution::LogUniform { min, max } => {
                within_log(number(value)?, min.exp(), max.exp()).map(ParamValue::Float)
            }
            Distribution::InvLogUniform { min, max } => {
                within_log(number(value)?, (-max).exp(), (-min).exp()).map(ParamValue::Float)
            }
            Distribution::Beta { .. } => within(number(value)?, 0.0, 1.0).map(ParamValue::Float),
            Distribution::IntUniform { min, max } => match value {
                ParamValue::Int(i) if (min..=max).contains(&i) => Ok(ParamValue::Int(*i)),
                ParamValue::Int(i) => {
                    Err(format!("must be an integer from {min} to {max}, found {i}"))
                }
                // A whole number written with a point (`8.0`) is that integer, as a
                // warm-start file's and a `values:` list's are.
                #[allow(clippy::cast_possible_truncation)]
                ParamValue::Float(x)
                    if x.fract() == 0.0 && (*min as f64..=*max as f64).contains(x) =>
                {
                    Ok(ParamValue::Int(*x as i64))
                }
                ParamValue::Float(x) if x.fract() == 0.0 => Err(format!(
                    "must be an integer from {min} to {max}, found {x:?}"
                )),
                ParamValue::Float(x) => Err(format!(
                    "expected an integer from {min} to {max}, found number `{x:?}`"
                )),
                other => Err(format!(
                    "expected an integer from {min} to {max}, found {} `{other}`",
                    other.type_name()
                )),
            },
            Distribution::QUniform { min, max, q }
            | Distribution::QLogUniformValues { min, max, q } => {
                on_grid(number(value)?, *min, *max, *q)
            }
            Distribution::QLogUniform { min, max, q } => {
                on_grid(number(value)?, min.exp(), max.exp(), *q)
            }
            Distribution::QBeta { q, .. } => on_grid(number(value)?, 0.0, 1.0, *q),
            Distribution::QNormal { q, .. } => {
                on_grid(number(value)?, f64::NEG_INFINITY, f64::INFINITY, *q)
            }
            // Draws below q/2 round to 0.
            Distribution::QLogNormal { q, .. } => match number(value)? {
                x if x >= 0.0 => on_grid(x, 0.0, f64::INFINITY, *q),
                x => Err(format!(
                    "must not be negative, found {}",
                    words::found_number(x, &[0.0])
                )),
            },
            Distribution::Normal { .. } => number(value).map(ParamValue::Float),
            Distribution::LogNormal { .. } => match number(value)? {
                x if x > 0.0 => Ok(ParamValue::Float(x)),
                x => Err(format!(
                    "must be positive, found {}",
                    words::found_number(x, &[0.0])
                )),
            },
        }
    }

    /// Returns the name used in specs, e.g. `log_uniform_values`.
    pub fn name(&self) -> &'static str {
        match self {
            Distribution::Constant(_) => "constant",
            Distribution::Categorical { .. } => "categorical",
            Distribution::Uniform { .. } => "uniform",
            Distribution::IntUniform { .. } => "int_uniform",
            Distribution::QUniform { .. } => "q_uniform",
            Distribution::LogUniform { .. } => "log_uniform",
            Distribution::LogUniformValues { .. } => "log_uniform_values",
            Distribution::QLogUniformValues { .. } => "q_log_uniform_values",
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "log_normal",
            Distribution::QLogUniform { .. } => "q_log_uniform",
            Distribution::InvLogUniform { .. } => "inv_log_uniform",
            Distribution::InvLogUniformValues { .. } => "inv_log_uniform_values",
            Distribution::QNormal { .. } => "q_normal",
            Distribution::QLogNormal { .. } => "q_log_normal",
            Distribution::Beta { .. } => "beta",
            Distribution::QBeta { .. } => "q_beta",
        }
    }
}

/// Returns whether two values are the same: equal, or numbers of equal value (`64` and `64.0`).
fn same(a: &ParamValue, b: &ParamValue) -> bool {
    a == b || matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
}
