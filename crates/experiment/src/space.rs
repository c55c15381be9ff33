//! Search spaces: parameters, their distributions, their conditions, and sampled values.
//!
//! The distribution names follow Weights & Biases sweeps so that their users feel at home:
//! `log_uniform` takes natural-log bounds, `log_uniform_values` takes the values themselves.
//!
//! A parameter may be conditional (`when: {regularization: [dropout]}`): it exists only in trials
//! where every parameter it names took one of the listed values, and is absent from the others'
//! `Params`. Samplers therefore walk the space in dependency order (`in_dependency_order`), so the
//! values a condition tests are chosen before the parameter it guards.

use std::collections::BTreeMap;
use std::fmt;

use crate::words;

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

/// A named searched parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The knob it sets, e.g. `lr`; or, for a parameter used only in conditions, its own name.
    pub name: String,
    /// How its values are drawn.
    pub distribution: Distribution,
    /// When the parameter exists; `None` means in every trial.
    pub condition: Option<Condition>,
}

/// When a conditional parameter exists: every named parameter is present in the trial and took
/// one of the listed values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The parameters tested, each with the values that satisfy it.
    pub when: BTreeMap<String, Vec<ParamValue>>,
}

/// The searched parameters of an experiment, ordered by name.
///
/// A space parsed from a spec has valid conditions: they name categorical parameters of the
/// space, list only their values, and form no cycle. A space built by hand may break that; a
/// parameter whose condition names an unknown parameter, or sits on a cycle, is then simply never
/// active.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchSpace {
    params: Vec<Param>,
    /// Indices into `params` in dependency order: a parameter after those its condition names,
    /// otherwise by name.
    order: Vec<usize>,
}

impl Param {
    /// Returns an unconditional parameter.
    pub fn new(name: impl Into<String>, distribution: Distribution) -> Param {
        Param {
            name: name.into(),
            distribution,
            condition: None,
        }
    }
}

impl Condition {
    /// Returns true when every tested parameter is in `chosen` with one of its listed values.
    pub fn holds(&self, chosen: &Params) -> bool {
        self.when
            .iter()
            .all(|(name, values)| chosen.get(name).is_some_and(|v| values.contains(v)))
    }
}

impl SearchSpace {
    /// Builds a space; parameters are sorted by name so that sampling order is stable.
    pub fn new(mut params: Vec<Param>) -> SearchSpace {
        params.sort_by(|a, b| a.name.cmp(&b.name));
        let order = dependency_order(&params);
        SearchSpace { params, order }
    }

    /// Returns the parameters, ordered by name.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Returns the parameters in dependency order: each after the parameters its condition
    /// tests, and otherwise by name (so an unconditional space comes out in name order).
    pub fn in_dependency_order(&self) -> impl Iterator<Item = &Param> + '_ {
        self.order.iter().filter_map(|i| self.params.get(*i))
    }

    /// Returns how many parameters are searched: all but the constants (`{value: adam}`), which
    /// every trial takes as written. `sweep validate`'s summary counts these.
    pub fn searched_count(&self) -> usize {
        self.params
            .iter()
            .filter(|p| !matches!(p.distribution, Distribution::Constant(_)))
            .count()
    }

    /// Returns the parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Returns true when `param` exists given the values `chosen` so far; for a whole trial, when
    /// `chosen` holds the parameters before it in dependency order.
    pub fn is_active(&self, param: &Param, chosen: &Params) -> bool {
        param.condition.as_ref().is_none_or(|c| c.holds(chosen))
    }

    /// Returns whether `params` gives every parameter active where they place it: a whole
    /// point of the space, not part of one (such as an enqueued trial that leaves some
    /// parameters to the sampler).
    pub fn is_whole(&self, params: &Params) -> bool {
        self.in_dependency_order()
            .all(|p| params.contains_key(&p.name) || !self.is_active(p, params))
    }

    /// Returns why `params` is not a point of this space, if it is not: a name the space lacks,
    /// a value its distribution never gives, a parameter given where its condition does not
    /// hold, or one left out where it does. (A trial read from elsewhere, a journal say, is
    /// checked with it before it is taken as one of the study's.)
    pub fn not_a_point(&self, params: &Params) -> Option<String> {
        for (name, value) in params {
            let Some(param) = self.param(name) else {
                return Some(format!("`{name}` is not a parameter of the space"));
            };
            if let Err(why) = param.distribution.admit(value) {
                return Some(format!("`{name}` {why}"));
            }
            if !self.is_active(param, params) {
                return Some(format!("`{name}` is given where its `when:` does not hold"));
            }
        }
        self.in_dependency_order()
            .find(|p| !params.contains_key(&p.name) && self.is_active(p, params))
            .map(|p| format!("`{}` is missing", p.name))
    }

    /// Returns the number of points of a grid over this space, or `None` when a parameter is
    /// continuous (and so cannot be gridded).
    ///
    /// A conditional parameter multiplies only the points where it is active, so a grid over
    /// `regularization: [none, dropout]` and `dropout: {values: [0.1, 0.2], when: ..}` has three
    /// points, not four. A size too large to count saturates at `u64::MAX`.
    pub fn grid_size(&self) -> Option<u64> {
        crate::grid::size(self)
    }

    /// Returns point `index` of the grid over this space, or `None` when the space cannot be
    /// gridded or `index` is past the end.
    ///
    /// Points come in mixed-radix order, the last parameter by name changing fastest; with
    /// conditions, the values of the tested parameters change slowest.
    pub fn grid_point(&self, index: u64) -> Option<Params> {
        crate::grid::point(self, index)
    }
}

/// Returns the indices of `params` (sorted by name) in dependency order, by Kahn's algorithm
/// taking the smallest ready index first; parameters that can never be ready (an unknown name or
/// a cycle in their condition) come last, by name.
fn dependency_order(params: &[Param]) -> Vec<usize> {
    let index_of = |name: &str| params.iter().position(|p| p.name == name);
    let deps: Vec<Vec<usize>> = params
        .iter()
        .map(|p| {
            p.condition
                .iter()
                .flat_map(|c| c.when.keys())
                .filter_map(|name| index_of(name))
                .collect()
        })
        .collect();
    let mut placed = vec![false; params.len()];
    let mut order = Vec::with_capacity(params.len());
    while let Some(next) =
        (0..params.len()).find(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d] && d != i))
    {
        placed[next] = true;
        order.push(next);
    }
    order.extend((0..params.len()).filter(|&i| !placed[i]));
    order
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
        let on_grid = |x: f64, min: f64, max: f64, q: f64| {
            within(x, min - q / 2.0, max + q / 2.0)?;
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

/// Rounds `x` to a multiple of `q`, as quantized distributions give values: an integral result
/// with an integral `q` is an integer. A step such as 0.05, a whole fraction 1/n, gives k/n, the
/// float nearest the decimal (0.85, not 17 * 0.05 = 0.8500000000000001).
pub fn quantized(x: f64, q: f64) -> ParamValue {
    let k = (x / q).round();
    let per_unit = (1.0 / q).round();
    let v = if q < 1.0 && (1.0 / q - per_unit).abs() < 1e-9 * per_unit {
        k / per_unit
    } else {
        k * q
    };
    if q.fract() == 0.0 && v.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        ParamValue::Int(v as i64)
    } else {
        ParamValue::Float(v)
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
    pub(crate) fn type_name(&self) -> &'static str {
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

/// Returns a value as a message shows it: text in double quotes, as JSON writes it (`"x "`,
/// `""`), so that an empty value or spaces at its ends are seen; anything else as it reads
/// (`0.5`, `true`).
pub(crate) fn shown(value: &ParamValue) -> String {
    match value {
        ParamValue::Str(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_is_not_counted_as_searched() {
        let space = SearchSpace::new(vec![
            Param::new(
                "lr",
                Distribution::LogUniformValues {
                    min: 1e-4,
                    max: 0.1,
                },
            ),
            Param::new(
                "optimizer",
                Distribution::Constant(ParamValue::Str("adam".into())),
            ),
        ]);
        assert_eq!(space.params().len(), 2);
        assert_eq!(space.searched_count(), 1);
    }

    #[test]
    fn quantized_values_are_the_decimals_they_look_like() {
        assert_eq!(quantized(0.86, 0.05), ParamValue::Float(0.85));
        assert_eq!(quantized(0.31, 0.1), ParamValue::Float(0.3));
        assert_eq!(quantized(20.1, 8.0), ParamValue::Int(24));
        assert_eq!(quantized(7.0, 2.5), ParamValue::Float(7.5));
        assert_eq!(quantized(-1.26, 0.25), ParamValue::Float(-1.25));
        assert_eq!(quantized(0.2, 1.0), ParamValue::Int(0));
    }

    #[test]
    fn a_point_of_the_space_is_told_from_one_that_is_not() {
        use ParamValue::{Float, Str};
        let mut dropout = Param::new("dropout", Distribution::Uniform { min: 0.0, max: 0.5 });
        dropout.condition = Some(Condition {
            when: [("reg".to_string(), vec![Str("dropout".into())])].into(),
        });
        let space = SearchSpace::new(vec![
            Param::new(
                "reg",
                Distribution::Categorical {
                    values: vec![Str("none".into()), Str("dropout".into())],
                    probabilities: None,
                },
            ),
            dropout,
        ]);
        let point = |pairs: &[(&str, ParamValue)]| -> Params {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect()
        };
        let none = Str("none".into());
        let with = Str("dropout".into());
        assert_eq!(space.not_a_point(&point(&[("reg", none.clone())])), None);
        assert_eq!(
            space.not_a_point(&point(&[("reg", with.clone()), ("dropout", Float(0.2))])),
            None
        );
        for (params, said) in [
            (point(&[("reg", Str("abc".into()))]), "`reg` must be one of"),
            (
                point(&[("reg", none.clone()), ("zzz", Float(1.0))]),
                "`zzz` is not a parameter",
            ),
            (
                point(&[("reg", with.clone()), ("dropout", Float(0.9))]),
                "`dropout` must be in",
            ),
            (
                point(&[("reg", none), ("dropout", Float(0.2))]),
                "`dropout` is given where its `when:` does not hold",
            ),
            (point(&[("reg", with)]), "`dropout` is missing"),
        ] {
            let problem = space.not_a_point(&params);
            assert!(
                problem.as_deref().is_some_and(|p| p.starts_with(said)),
                "{problem:?}"
            );
        }
    }

    #[test]
    fn a_refused_value_shows_text_in_quotes_so_empty_and_spaced_values_are_seen() {
        use ParamValue::{Bool, Float, Int, Str};
        let listed = Distribution::Categorical {
            values: vec![
                Str("x".into()),
                Str(String::new()),
                Str("null".into()),
                Bool(true),
                Str(" sp".into()),
                Int(64),
                Float(0.5),
            ],
            probabilities: None,
        };
        assert_eq!(
            listed.admit(&Str("sp".into())),
            Err(r#"must be one of "x", "", "null", true, " sp", 64, 0.5, found "sp""#.into())
        );
        assert_eq!(
            listed.admit(&Int(32)),
            Err(r#"must be one of "x", "", "null", true, " sp", 64, 0.5, found 32"#.into())
        );
        let only = Distribution::Constant(Str("adam ".into()));
        assert_eq!(
            only.admit(&Str("adam".into())),
            Err(r#"must be "adam ", its only value, found "adam""#.into())
        );
        assert_eq!(
            Distribution::Constant(Int(3)).admit(&Int(4)),
            Err("must be 3, its only value, found 4".into())
        );
    }

    #[test]
    fn grid_size_multiplies_and_refuses_continuous() {
        let space = SearchSpace::new(vec![
            Param::new(
                "hidden",
                Distribution::Categorical {
                    values: vec![ParamValue::Int(32), ParamValue::Int(64)],
                    probabilities: None,
                },
            ),
            Param::new("depth", Distribution::IntUniform { min: 1, max: 3 }),
        ]);
        assert_eq!(space.grid_size(), Some(6));
        assert_eq!(space.params()[0].name, "depth");
        let continuous = SearchSpace::new(vec![Param::new(
            "lr",
            Distribution::Uniform { min: 0.0, max: 1.0 },
        )]);
        assert_eq!(continuous.grid_size(), None);
    }

    #[test]
    fn a_value_is_admitted_as_its_distribution_gives_it() {
        use Distribution as D;
        use ParamValue::{Float, Int, Str};
        let ok = |d: D, v: ParamValue| d.admit(&v);
        // Log bounds are natural logarithms; `exp` of them admits the bounds themselves.
        let log = D::LogUniform {
            min: 1e-4f64.ln(),
            max: 1e-1f64.ln(),
        };
        assert_eq!(ok(log.clone(), Float(1e-4)), Ok(Float(1e-4)));
        assert_eq!(ok(log.clone(), Float(0.1)), Ok(Float(0.1)));
        assert!(ok(log, Float(0.2)).is_err_and(|e| e.starts_with("must be in [")));
        let q = D::QLogUniformValues {
            min: 1.0,
            max: 100.0,
            q: 0.5,
        };
        assert_eq!(ok(q.clone(), Int(3)), Ok(Float(3.0)));
        assert_eq!(ok(q.clone(), Float(2.5)), Ok(Float(2.5)));
        assert_eq!(
            ok(q, Float(2.6)),
            Err("must be a multiple of q = 0.5, found 2.6".into())
        );
        let normal = D::Normal {
            mu: 0.0,
            sigma: 1.0,
        };
        assert_eq!(ok(normal.clone(), Int(-40)), Ok(Float(-40.0)));
        assert_eq!(
            ok(normal, Str("a".into())),
            Err("expected a number, found string `a`".into())
        );
        let log_normal = D::LogNormal {
            mu: 0.0,
            sigma: 1.0,
        };
        assert_eq!(
            ok(log_normal, Float(0.0)),
            Err("must be positive, found 0".into())
        );
        assert_eq!(ok(D::Constant(Int(3)), Float(3.0)), Ok(Int(3)));
        assert_eq!(
            ok(D::Constant(Int(3)), Int(4)),
            Err("must be 3, its only value, found 4".into())
        );
        let listed = D::Categorical {
            values: vec![Float(0.5), Str("adam".into())],
            probabilities: None,
        };
        assert_eq!(
            ok(listed.clone(), Str("adam".into())),
            Ok(Str("adam".into()))
        );
        assert!(ok(listed, Str("Adam".into())).is_err());
    }

    #[test]
    fn issue_log_scale_values_are_positive_whatever_the_slack() {
        use Distribution as D;
        use ParamValue::{Float, Int};
        // A bound this small once gave a slack (1e-12 absolute) that reached 0.
        let tiny = D::LogUniformValues {
            min: 1e-12,
            max: 1e-2,
        };
        for zero in [Float(0.0), Int(0), Float(-0.0), Float(-1e-13)] {
            assert!(
                tiny.admit(&zero)
                    .is_err_and(|e| e.starts_with("must be in [")),
                "{zero:?}"
            );
        }
        assert!(tiny.admit(&Float(1e-13)).is_err());
        assert_eq!(tiny.admit(&Float(1e-12)), Ok(Float(1e-12)));
        // A bound computed back from its logarithm still admits the bound itself.
        let back = 1e-12f64.ln().exp();
        assert!(tiny.admit(&Float(back)).is_ok());
        let log = D::LogUniform {
            min: 1e-12f64.ln(),
            max: 1e-2f64.ln(),
        };
        assert!(log.admit(&Float(0.0)).is_err());
        assert!(log.admit(&Float(1e-12)).is_ok());
        let inverse = D::InvLogUniformValues {
            min: 1e-12,
            max: 1e-2,
        };
        assert!(inverse.admit(&Float(0.0)).is_err());
    }

    #[test]
    fn values_display_compactly() {
        assert_eq!(ParamValue::Float(0.25).to_string(), "0.25");
        assert_eq!(ParamValue::Float(1.5e-5).to_string(), "1.500e-5");
        assert_eq!(ParamValue::Int(64).to_string(), "64");
    }
}
