//! Parameter axes: how each searched parameter is laid out on charts and binned for importance.
//!
//! The search space in the stored spec says which parameters are log-scaled and in which order a
//! categorical parameter's values were written; when the spec cannot be read (an older or newer
//! spec format), the axes are inferred from the trials' values instead: names become
//! categories in sorted order, numbers a linear axis. An axis whose values are all integers is
//! whole (`Scale::Whole`), ticked at whole numbers only.

use std::collections::{BTreeMap, BTreeSet};

use experiment::{Distribution, ExperimentSpec, ParamValue, Trial};

use crate::charts::Scale;
use crate::importance::Column;

/// How one parameter's values are laid out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParamAxis {
    /// The parameter's name.
    pub(crate) name: String,
    /// Linear, log, or categories in order.
    pub(crate) kind: AxisKind,
    /// The values of a categorical axis, in the order of its names (compared without
    /// formatting, which matters at 10,000 trials); empty otherwise.
    keys: Vec<ParamValue>,
}

/// The kind of a parameter axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AxisKind {
    /// Numbers, evenly spaced.
    Linear,
    /// Positive numbers, spaced by their logarithm.
    Log,
    /// Names (or numbers chosen from a list) in this order.
    Categorical(Vec<String>),
}

/// Returns the axes of every parameter that appears in the spec's space or in a trial, by name.
pub(crate) fn param_axes(spec: Option<&ExperimentSpec>, trials: &[Trial]) -> Vec<ParamAxis> {
    let mut from_spec: BTreeMap<&str, (AxisKind, Vec<ParamValue>)> = BTreeMap::new();
    if let Some(spec) = spec {
        for p in spec.space.params() {
            let kind = match &p.distribution {
                Distribution::LogUniform { .. }
                | Distribution::LogUniformValues { .. }
                | Distribution::QLogUniformValues { .. }
                | Distribution::QLogUniform { .. }
                | Distribution::InvLogUniform { .. }
                | Distribution::InvLogUniformValues { .. }
                | Distribution::LogNormal { .. }
                | Distribution::QLogNormal { .. } => (AxisKind::Log, Vec::new()),
                Distribution::Categorical { values, .. } => {
                    (AxisKind::Categorical(Vec::new()), values.clone())
                }
                Distribution::Constant(v) => match v {
                    ParamValue::Int(_) | ParamValue::Float(_) => (AxisKind::Linear, Vec::new()),
                    other => (AxisKind::Categorical(Vec::new()), vec![other.clone()]),
                },
                _ => (AxisKind::Linear, Vec::new()),
            };
            from_spec.insert(p.name.as_str(), kind);
        }
    }
    let mut names: BTreeSet<&str> = from_spec.keys().copied().collect();
    for t in trials {
        names.extend(t.params.keys().map(String::as_str));
    }
    names
        .into_iter()
        .map(|name| {
            let (kind, mut keys) = from_spec
                .get(name)
                .cloned()
                .unwrap_or_else(|| infer(name, trials));
            if let AxisKind::Categorical(_) = kind {
                // Values the spec did not list (it changed) are appended, so none is lost.
                let mut extra: BTreeMap<String, ParamValue> = BTreeMap::new();
                for v in trials.iter().filter_map(|t| t.params.get(name)) {
                    if !keys.contains(v) {
                        extra.entry(v.to_string()).or_insert_with(|| v.clone());
                    }
                }
                keys.extend(extra.into_values());
                let names = keys.iter().map(ToString::to_string).collect();
                return ParamAxis {
                    name: name.to_string(),
                    kind: AxisKind::Categorical(names),
                    keys,
                };
            }
            ParamAxis {
                name: name.to_string(),
                kind,
                keys: Vec::new(),
            }
        })
        .collect()
}

impl ParamAxis {
    /// Returns a trial's position on this axis: the number (for linear and log axes) or the
    /// category's index; `None` when the trial lacks the parameter or the value does not fit.
    pub(crate) fn value_of(&self, trial: &Trial) -> Option<f64> {
        let v = trial.params.get(&self.name)?;
        match &self.kind {
            AxisKind::Linear => v.as_f64().filter(|x| x.is_finite()),
            AxisKind::Log => v.as_f64().filter(|x| x.is_finite() && *x > 0.0),
            AxisKind::Categorical(_) => self.keys.iter().position(|k| k == v).map(|i| i as f64),
        }
    }

    /// Returns the chart scale spanning the values of `trials`.
    pub(crate) fn scale(&self, trials: &[&Trial]) -> Scale {
        match &self.kind {
            AxisKind::Categorical(values) => Scale::Categories(values.clone()),
            kind => {
                // Whole when every value is an integer (an int range, `epochs`), as the
                // trials hold them: its ticks then name only values a trial can have.
                let mut whole = true;
                let (lo, hi) = trials
                    .iter()
                    .filter_map(|t| {
                        let v = self.value_of(t)?;
                        whole &= matches!(t.params.get(&self.name), Some(ParamValue::Int(_)));
                        Some(v)
                    })
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                        (lo.min(v), hi.max(v))
                    });
                let (lo, hi, whole) = if lo <= hi {
                    (lo, hi, whole)
                } else {
                    (0.0, 1.0, false)
                };
                if *kind == AxisKind::Log && lo > 0.0 {
                    Scale::Log { min: lo, max: hi }
                } else if whole {
                    Scale::Whole { min: lo, max: hi }
                } else {
                    Scale::Linear { min: lo, max: hi }
                }
            }
        }
    }

    /// Returns the importance column of `trials` on this axis (log axes binned on the logarithm).
    pub(crate) fn column(&self, trials: &[&Trial]) -> Column {
        match &self.kind {
            AxisKind::Categorical(values) => Column::Categorical {
                codes: trials
                    .iter()
                    .map(|t| {
                        self.value_of(t).map(|v| {
                            // Category indexes are small non-negative integers.
                            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                            let i = v as usize;
                            i
                        })
                    })
                    .collect(),
                count: values.len(),
            },
            AxisKind::Log => Column::Numeric(
                trials
                    .iter()
                    .map(|t| self.value_of(t).map(f64::ln))
                    .collect(),
            ),
            AxisKind::Linear => Column::Numeric(trials.iter().map(|t| self.value_of(t)).collect()),
        }
    }
}

fn infer(name: &str, trials: &[Trial]) -> (AxisKind, Vec<ParamValue>) {
    let values: Vec<&ParamValue> = trials.iter().filter_map(|t| t.params.get(name)).collect();
    if values.iter().all(|v| v.as_f64().is_some()) {
        return (AxisKind::Linear, Vec::new());
    }
    // Names in sorted order; `param_axes` adds every value seen.
    (AxisKind::Categorical(Vec::new()), Vec::new())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use experiment::{Params, Seed, TrialId, TrialState};

    use super::*;

    fn trial(params: &[(&str, ParamValue)]) -> Trial {
        let params: Params = params
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        Trial {
            id: TrialId(0),
            seed: Seed(0),
            params,
            state: TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: None,
        }
    }

    #[test]
    fn axes_come_from_the_spec_or_are_inferred() {
        let yaml = "name: x\nmethod: random\nrun_cap: 2\nmetric: {name: val_loss, goal: minimize}\n\
                    data: {csv: d.csv, target: y}\nparameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}\n  \
                    optimizer: {values: [sgd, adam]}\n  depth: {distribution: int_uniform, min: 1, max: 3}\n";
        let spec = ExperimentSpec::from_yaml_str(yaml, Path::new("x.yaml")).ok();
        assert!(spec.is_some(), "the test spec parses");
        let trials = [trial(&[
            ("lr", ParamValue::Float(1e-3)),
            ("optimizer", ParamValue::Str("adam".into())),
            ("depth", ParamValue::Int(2)),
            ("extra", ParamValue::Str("b".into())),
        ])];
        let axes = param_axes(spec.as_ref(), &trials);
        let kinds: Vec<(&str, &AxisKind)> =
            axes.iter().map(|a| (a.name.as_str(), &a.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("depth", &AxisKind::Linear),
                ("extra", &AxisKind::Categorical(vec!["b".into()])),
                ("lr", &AxisKind::Log),
                (
                    "optimizer",
                    &AxisKind::Categorical(vec!["sgd".into(), "adam".into()])
                ),
            ]
        );
        assert_eq!(axes[3].value_of(&trials[0]), Some(1.0));
        // An integer parameter's axis is whole: its ticks name whole numbers only.
        let deeper = trial(&[("depth", ParamValue::Int(3))]);
        assert_eq!(
            axes[0].scale(&[&trials[0], &deeper]),
            Scale::Whole { min: 2.0, max: 3.0 }
        );
        let inferred = param_axes(None, std::slice::from_ref(&deeper));
        assert_eq!(
            inferred[0].scale(&[&deeper]),
            Scale::Whole { min: 3.0, max: 3.0 }
        );
        let halfway = trial(&[("depth", ParamValue::Float(2.5))]);
        assert_eq!(
            axes[0].scale(&[&deeper, &halfway]),
            Scale::Linear { min: 2.5, max: 3.0 }
        );
        let refs: Vec<&Trial> = trials.iter().collect();
        assert_eq!(
            axes[2].scale(&refs),
            Scale::Log {
                min: 1e-3,
                max: 1e-3
            }
        );
    }
}
