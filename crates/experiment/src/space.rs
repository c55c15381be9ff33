//! Search spaces: parameters, their distributions, and sampled values.
//!
//! The distribution names follow Weights & Biases sweeps so that their users feel at home:
//! `log_uniform` takes natural-log bounds, `log_uniform_values` takes the values themselves.

use std::collections::BTreeMap;
use std::fmt;

/// One value of a hyperparameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// An integer, such as a layer width.
    Int(i64),
    /// A real number, such as a learning rate.
    Float(f64),
    /// A name, such as an optimizer.
    Str(String),
    /// A switch.
    Bool(bool),
}

/// Sampled hyperparameters by name; ordered so that iteration is deterministic.
pub type Params = BTreeMap<String, ParamValue>;

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
}

/// A named searched parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The knob it sets, e.g. `lr`.
    pub name: String,
    /// How its values are drawn.
    pub distribution: Distribution,
}

/// The searched parameters of an experiment, ordered by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchSpace {
    params: Vec<Param>,
}

impl SearchSpace {
    /// Builds a space; parameters are sorted by name so that sampling order is stable.
    pub fn new(mut params: Vec<Param>) -> SearchSpace {
        params.sort_by(|a, b| a.name.cmp(&b.name));
        SearchSpace { params }
    }

    /// Returns the parameters, ordered by name.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Returns the parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Returns the number of points of a grid over this space, or `None` when a parameter is
    /// continuous (and so cannot be gridded).
    pub fn grid_size(&self) -> Option<u64> {
        self.params.iter().try_fold(1u64, |acc, p| {
            let n = p.distribution.grid_values()?.len();
            acc.checked_mul(u64::try_from(n).ok()?)
        })
    }
}

impl Distribution {
    /// Returns the finite list of values a grid enumerates, or `None` for continuous ranges.
    pub fn grid_values(&self) -> Option<Vec<ParamValue>> {
        match self {
            Distribution::Constant(v) => Some(vec![v.clone()]),
            Distribution::Categorical { values, .. } => Some(values.clone()),
            Distribution::IntUniform { min, max } => {
                Some((*min..=*max).map(ParamValue::Int).collect())
            }
            _ => None,
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
        }
    }
}

impl ParamValue {
    /// Returns the value as a float when it is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Returns the value as an integer when it is an integer, or a float with no fraction.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ParamValue::Int(i) => Some(*i),
            ParamValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    /// Returns the value as a string slice when it is a name.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ParamValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Returns the name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Int(_) => "integer",
            ParamValue::Float(_) => "number",
            ParamValue::Str(_) => "string",
            ParamValue::Bool(_) => "boolean",
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => {
                if x.abs() >= 1e-3 && x.abs() < 1e6 || *x == 0.0 {
                    write!(f, "{}", fmt_short(*x))
                } else {
                    write!(f, "{x:.3e}")
                }
            }
            ParamValue::Str(s) => f.write_str(s),
            ParamValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Formats a float with at most 4 significant decimals, trimming trailing zeros.
fn fmt_short(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_size_multiplies_and_refuses_continuous() {
        let space = SearchSpace::new(vec![
            Param {
                name: "hidden".into(),
                distribution: Distribution::Categorical {
                    values: vec![ParamValue::Int(32), ParamValue::Int(64)],
                    probabilities: None,
                },
            },
            Param {
                name: "depth".into(),
                distribution: Distribution::IntUniform { min: 1, max: 3 },
            },
        ]);
        assert_eq!(space.grid_size(), Some(6));
        assert_eq!(space.params()[0].name, "depth");
        let continuous = SearchSpace::new(vec![Param {
            name: "lr".into(),
            distribution: Distribution::Uniform { min: 0.0, max: 1.0 },
        }]);
        assert_eq!(continuous.grid_size(), None);
    }

    #[test]
    fn values_display_compactly() {
        assert_eq!(ParamValue::Float(0.25).to_string(), "0.25");
        assert_eq!(ParamValue::Float(1.5e-5).to_string(), "1.500e-5");
        assert_eq!(ParamValue::Int(64).to_string(), "64");
    }
}
