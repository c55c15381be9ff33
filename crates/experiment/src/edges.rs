//! Searched parameters whose value in the best trial lies at an end of their range: the best
//! value may lie beyond it, where no trial looked.
//!
//! A value is at an end when it lies within `EDGE` of the range's length from it, on the
//! parameter's own scale (logarithmic for the log distributions). Only ranges count: `min` and
//! `max` of a uniform, log-uniform or integer distribution (an integer one of at least
//! `MIN_INTEGERS` values); a list of `values` is a choice the file made, and a normal or beta
//! distribution has no end. Nor does an end that is the knob's own limit (`dropout: {min: 0}`):
//! no range reaches past it.

use crate::space::{Distribution, Param, ParamValue};
use crate::{Knob, KnobKind, SearchSpace, Trial};

/// The share of a range's length, from either end, within which a value is at that end.
const EDGE: f64 = 0.02;

/// The fewest values of an integer range whose ends count: at three values (`depth: 1..3`)
/// most trials sit at an end.
const MIN_INTEGERS: i64 = 5;

/// Which end of its range a value lies at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// At `min`.
    Low,
    /// At `max`.
    High,
}

/// A parameter of the best trial at an end of its range.
#[derive(Debug, Clone, PartialEq)]
pub struct AtEdge {
    /// The parameter.
    pub param: String,
    /// Its value in the trial.
    pub value: ParamValue,
    /// The end it lies at.
    pub end: End,
    /// The range's ends as values (for `log_uniform`, `e^min` and `e^max`).
    pub range: (f64, f64),
}

impl AtEdge {
    /// Describes it: "`lr` = 0.01, the top of its range [0.0003, 0.01]".
    pub fn describe(&self) -> String {
        let end = match self.end {
            End::Low => "bottom",
            End::High => "top",
        };
        let value = match self.value {
            ParamValue::Float(x) => short(x),
            ref other => other.to_string(),
        };
        format!(
            "`{}` = {value}, the {end} of its range [{}, {}]",
            self.param,
            short(self.range.0),
            short(self.range.1)
        )
    }
}

/// Writes `x` to four significant digits, as briefly as it reads back (a `log_uniform` bound
/// of ln 0.01 is 0.010000000000000004 once exponentiated).
fn short(x: f64) -> String {
    crate::words::significant_text(x, 4)
}

/// Returns the searched parameters of `trial` that lie at an end of their range, in the
/// space's order.
pub(crate) fn at_edges(space: &SearchSpace, trial: &Trial) -> Vec<AtEdge> {
    space
        .params()
        .iter()
        .filter_map(|param| {
            let value = trial.params.get(&param.name)?;
            let x = value.as_f64()?;
            let (range, log) = range_of(param)?;
            let at = |v: f64| if log { v.ln() } else { v };
            let (low, high) = (at(range.0), at(range.1));
            let share = (at(x) - low) / (high - low);
            let end = if share <= EDGE {
                End::Low
            } else if share >= 1.0 - EDGE {
                End::High
            } else {
                return None;
            };
            let bound = match end {
                End::Low => range.0,
                End::High => range.1,
            };
            (!knob_limit(param, end, bound)).then(|| AtEdge {
                param: param.name.clone(),
                value: value.clone(),
                end,
                range,
            })
        })
        .collect()
}

/// Returns a range's ends as values and whether its scale is logarithmic; `None` for a
/// distribution without a range, or an integer range of too few values.
fn range_of(param: &Param) -> Option<((f64, f64), bool)> {
    let (range, log) = match param.distribution {
        Distribution::Uniform { min, max } | Distribution::QUniform { min, max, .. } => {
            ((min, max), false)
        }
        Distribution::IntUniform { min, max } if max.saturating_sub(min) >= MIN_INTEGERS - 1 => {
            ((min as f64, max as f64), false)
        }
        Distribution::LogUniformValues { min, max }
        | Distribution::QLogUniformValues { min, max, .. }
        | Distribution::InvLogUniformValues { min, max } => ((min, max), true),
        Distribution::LogUniform { min, max } | Distribution::QLogUniform { min, max, .. } => {
            ((min.exp(), max.exp()), true)
        }
        Distribution::InvLogUniform { min, max } => (((-max).exp(), (-min).exp()), true),
        _ => return None,
    };
    let valid =
        range.0.is_finite() && range.1.is_finite() && range.0 < range.1 && (!log || range.0 > 0.0);
    valid.then_some((range, log))
}

/// Returns whether `bound`, the `end` of `param`'s range, is as far as its knob goes.
fn knob_limit(param: &Param, end: End, bound: f64) -> bool {
    let Some(knob) = Knob::known_as(&param.name) else {
        return false;
    };
    let (min, max) = match knob.kind {
        KnobKind::Float { min, max, .. } => (min, max),
        KnobKind::Int { min, max } => (min as f64, max as f64),
        KnobKind::Choice(_) | KnobKind::Bool => return false,
    };
    match end {
        End::Low => bound <= min,
        End::High => bound >= max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::trial_with;
    use crate::TrialState;

    fn space() -> SearchSpace {
        SearchSpace::new(vec![
            Param::new(
                "lr",
                Distribution::LogUniformValues {
                    min: 3e-4,
                    max: 1e-2,
                },
            ),
            Param::new("dropout", Distribution::Uniform { min: 0.0, max: 0.5 }),
            Param::new("hidden", Distribution::IntUniform { min: 16, max: 128 }),
            Param::new("depth", Distribution::IntUniform { min: 1, max: 3 }),
            Param::new(
                "batch_size",
                Distribution::Categorical {
                    values: vec![ParamValue::Int(16), ParamValue::Int(64)],
                    probabilities: None,
                },
            ),
            Param::new(
                "l2",
                Distribution::LogUniform {
                    min: (1e-6f64).ln(),
                    max: (1e-2f64).ln(),
                },
            ),
        ])
    }

    fn trial(values: &[(&str, ParamValue)]) -> Trial {
        let mut t = trial_with(3, TrialState::Completed, "val_loss", None);
        t.params = values
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        t
    }

    #[test]
    fn values_within_two_percent_of_an_end_on_their_own_scale_are_at_it() {
        let t = trial(&[
            // On a log scale 0.0094 is 98.2% of the way from 3e-4 to 1e-2.
            ("lr", ParamValue::Float(0.0094)),
            ("dropout", ParamValue::Float(0.49)),
            ("hidden", ParamValue::Int(17)),
            ("l2", ParamValue::Float(1.1e-6)),
        ]);
        let found = at_edges(&space(), &t);
        let described: Vec<String> = found.iter().map(AtEdge::describe).collect();
        assert_eq!(
            described,
            // In the space's order, by name.
            [
                "`dropout` = 0.49, the top of its range [0, 0.5]",
                "`hidden` = 17, the bottom of its range [16, 128]",
                "`l2` = 0.0000011, the bottom of its range [1e-6, 0.01]",
                "`lr` = 0.0094, the top of its range [0.0003, 0.01]",
            ]
        );
        // On a linear scale 0.0094 would be at the top too, but 0.005 is not on either.
        let inside = trial(&[
            ("lr", ParamValue::Float(0.005)),
            ("dropout", ParamValue::Float(0.25)),
            ("hidden", ParamValue::Int(19)),
            ("l2", ParamValue::Float(2e-6)),
        ]);
        assert_eq!(at_edges(&space(), &inside), []);
    }

    #[test]
    fn a_knob_s_own_limit_short_integer_ranges_and_lists_are_no_ends() {
        let t = trial(&[
            // dropout cannot go below 0; depth 1..3 has three values; batch_size is a list.
            ("dropout", ParamValue::Float(0.0)),
            ("depth", ParamValue::Int(3)),
            ("batch_size", ParamValue::Int(64)),
        ]);
        assert_eq!(at_edges(&space(), &t), []);
        // An inactive (absent) parameter is not looked at.
        assert_eq!(at_edges(&space(), &trial(&[])), []);
    }

    #[test]
    fn the_spec_says_so_of_its_best_trial_only_with_one_objective() {
        use crate::ExperimentSpec;

        let yaml = "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                    parameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-4, max: \
                    1.0e-1}\n  l2: {distribution: log_uniform_values, min: 1.0e-6, max: 1.0e-2}\n";
        let spec = ExperimentSpec::from_yaml_str(yaml, std::path::Path::new("t.yaml"))
            .unwrap_or_else(|e| panic!("{e}"));
        let with = |id: u32, loss: f64, lr: f64, l2: f64| {
            let mut t = trial_with(id, TrialState::Completed, "val_loss", Some(loss));
            t.params.insert("lr".into(), ParamValue::Float(lr));
            t.params.insert("l2".into(), ParamValue::Float(l2));
            t
        };
        // Trial 1 is the best: lr at the top; trial 0 at both ends is not looked at.
        let trials = [with(0, 0.5, 1e-4, 1e-6), with(1, 0.2, 0.1, 1e-4)];
        assert_eq!(
            spec.edge_status(&trials).as_deref(),
            Some(
                "the best trial (1) lies at the end of a searched range: `lr` = 0.1, the top of \
                 its range [0.0001, 0.1]: better values may lie beyond it, where no trial looked \
                 (a wider range is a new experiment)"
            )
        );
        let inside = [with(0, 0.2, 0.01, 1e-4)];
        assert_eq!(spec.edge_status(&inside), None);
        assert_eq!(spec.edge_status(&[]), None);
        let two = ExperimentSpec::from_yaml_str(
            &yaml.replace(
                "metric: {name: val_loss}",
                "metric: [{name: val_loss}, {name: param_count, goal: minimize}]",
            ),
            std::path::Path::new("t.yaml"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(two.edge_status(&trials), None);
    }
}
