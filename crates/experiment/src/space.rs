//! Search spaces: parameters, their distributions, their conditions, and sampled values.
//!
//! The distribution names follow Weights & Biases sweeps so that their users feel at home:
//! `log_uniform` takes natural-log bounds, `log_uniform_values` takes the values themselves.
//!
//! A parameter may be conditional (`when: {regularization: [dropout]}`): it exists only in trials
//! where every parameter it names took one of the listed values, and is absent from the others'
//! `Params`. Samplers therefore walk the space in dependency order (`in_dependency_order`), so the
//! values a condition tests are chosen before the parameter it guards.

mod distribution;
mod outside;

use std::collections::BTreeMap;
use std::fmt;

pub use distribution::Distribution;

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
    /// Which multiples of q a grid lists for a `q_uniform` range: this version's, or, for a
    /// grid an earlier version stored, that version's (`ExperimentSpec::as_it_ran`).
    multiples: crate::grid::Multiples,
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
        SearchSpace {
            params,
            order,
            multiples: crate::grid::Multiples::Reached,
        }
    }

    /// Returns this space with its grid listing the multiples of q of `q_uniform` ranges by
    /// `rule`.
    pub(crate) fn with_multiples(self, rule: crate::grid::Multiples) -> SearchSpace {
        SearchSpace {
            multiples: rule,
            ..self
        }
    }

    /// Returns which multiples of q a grid over this space lists (`grid::Multiples`).
    pub(crate) fn multiples(&self) -> crate::grid::Multiples {
        self.multiples
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

    /// Returns the number of points of a grid over this space, or `None` when a parameter
    /// cannot be gridded: a continuous range, or a quantized one other than `q_uniform` (whose
    /// points are the multiples of q its draws round to, max included where it is one).
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

/// Rounds `x` to a multiple of `q`, as quantized distributions give values: an integral result
/// with an integral `q` is an integer. A step such as 0.05, a whole fraction 1/n, gives k/n, the
/// float nearest the decimal (0.85, not 17 * 0.05 = 0.8500000000000001).
pub fn quantized(x: f64, q: f64) -> ParamValue {
    multiple((x / q).round(), q)
}

/// Returns the counts of `q` of the first and the last multiple of `q` that a draw from `min`
/// to `max`, rounded to the nearest multiple (`quantized`), gives with positive probability:
/// the multiple nearest `min` and the one nearest `max`, where an end lies exactly halfway
/// between two multiples the one inside the range (a draw lands on the end itself with
/// probability zero, and any draw inside rounds inward). So `q_uniform` from 0 to 10 with q 4
/// gives 0, 4 and 8, never 12 (10 / 4 = 2.5), though from 3 to 8 with q 3 it gives 3, 6 and 9,
/// the draws past 7.5 rounding to 9, past `max`. Where both ends are the same tie, the one
/// value a draw gives. The one rule for the grid's values (`grid::multiples`), the most epochs
/// a trial trains (`stopping::most_epochs`), the notes' counts of values and the samplers that
/// map a unit box to values (`quantized_between`).
pub fn reached_multiples(min: f64, max: f64, q: f64) -> (f64, f64) {
    let (low, high) = (min / q, max / q);
    let tie = |x: f64| x.fract().abs() == 0.5;
    let first = if tie(low) { low.ceil() } else { low.round() };
    let last = if tie(high) {
        high.floor()
    } else {
        high.round()
    };
    if first > last {
        (low.round(), low.round())
    } else {
        (first, last)
    }
}

/// Rounds `x` to a multiple of `q` as `quantized` does, but never past the multiples a draw
/// from `min` to `max` gives (`reached_multiples`): `x` at an end halfway between two
/// multiples gives the one inside. Equal to `quantized(x, q)` for any `x` from `min` to `max`
/// where neither end is such a tie.
pub fn quantized_between(x: f64, q: f64, (min, max): (f64, f64)) -> ParamValue {
    let (first, last) = reached_multiples(min, max, q);
    let k = (x / q).round();
    // `clamp` would panic on bounds out of order (NaN ones); these are compared one by one.
    let k = if k < first {
        first
    } else if k > last {
        last
    } else {
        k
    };
    multiple(k, q)
}

/// Returns the multiple `k` of `q` as `quantized` gives it.
fn multiple(k: f64, q: f64) -> ParamValue {
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
mod tests;
