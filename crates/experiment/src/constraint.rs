//! Constraints on a trial's result: "the best model under 20,000 parameters", as Optuna's
//! `constraints_func` puts it.
//!
//! A constraint bounds one recorded metric from below, above or both. It is read at the trial's
//! result, the epoch chosen by the objective. A trial is feasible when every constraint holds;
//! an infeasible one is never the best trial, ranks after every feasible trial with a value, and
//! among the infeasible the smaller violation ranks first. Violations are measured relative to
//! the bound (`1.5` for 50,000 parameters against a bound of 20,000), so that constraints on
//! metrics of different scales add up.

use std::collections::BTreeMap;
use std::fmt;

use crate::Trial;

/// Bounds on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// A name from `KNOWN_METRICS`, other than `epoch_seconds`.
    pub metric: String,
    /// The smallest feasible value.
    pub min: Option<f64>,
    /// The largest feasible value.
    pub max: Option<f64>,
}

impl Constraint {
    /// Returns how far `value` lies outside the bounds, relative to the bound it passes: 0
    /// within them, infinite for NaN.
    pub fn excess(&self, value: f64) -> f64 {
        if value.is_nan() {
            return f64::INFINITY;
        }
        let relative = |over: f64, bound: f64| over / bound.abs().max(f64::MIN_POSITIVE);
        let above = self
            .max
            .map_or(0.0, |max| relative((value - max).max(0.0), max));
        let below = self
            .min
            .map_or(0.0, |min| relative((min - value).max(0.0), min));
        above + below
    }

    /// Returns the constraint's margins at `value`, one per bound, each at most 0 when the
    /// bound holds and in the units of the metric: `value - max` and `min - value`.
    pub fn margins(&self, value: f64) -> Vec<f64> {
        let mut out = Vec::with_capacity(2);
        if let Some(min) = self.min {
            out.push(min - value);
        }
        if let Some(max) = self.max {
            out.push(value - max);
        }
        out
    }
}

impl fmt::Display for Constraint {
    /// `param_count ≤ 20000`, `val_loss ≥ 0.1`, `0.1 ≤ val_loss ≤ 0.3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(min), Some(max)) => write!(f, "{min} ≤ {} ≤ {max}", self.metric),
            (Some(min), None) => write!(f, "{} ≥ {min}", self.metric),
            (None, Some(max)) => write!(f, "{} ≤ {max}", self.metric),
            (None, None) => write!(f, "{}", self.metric),
        }
    }
}

/// Returns the total violation of `trial`'s result: 0 when it meets every constraint (or there
/// are none), positive when it does not, infinite when a constrained metric is missing or NaN;
/// `None` when the trial has no result.
pub fn violation(constraints: &[Constraint], trial: &Trial) -> Option<f64> {
    Some(violation_of(constraints, &trial.result.as_ref()?.metrics))
}

/// Returns the total violation of a trial's result `metrics`, as `violation` does.
pub fn violation_of(constraints: &[Constraint], metrics: &BTreeMap<String, f64>) -> f64 {
    constraints
        .iter()
        .map(|c| {
            metrics
                .get(&c.metric)
                .map_or(f64::INFINITY, |v| c.excess(*v))
        })
        .sum()
}

/// Returns the constraints that `trial`'s result breaks (a missing metric breaks its own); none
/// when it has no result.
pub fn broken<'c>(constraints: &'c [Constraint], trial: &Trial) -> Vec<&'c Constraint> {
    let Some(result) = &trial.result else {
        return Vec::new();
    };
    constraints
        .iter()
        .filter(|c| {
            result
                .metrics
                .get(&c.metric)
                .is_none_or(|v| c.excess(*v) > 0.0)
        })
        .collect()
}

/// Returns the constraints that `trial`'s result breaks as text, as `param_count ≤ 20000`,
/// joined by commas; empty when it meets them or has no result.
pub fn broken_text(constraints: &[Constraint], trial: &Trial) -> String {
    let list: Vec<String> = broken(constraints, trial)
        .into_iter()
        .map(ToString::to_string)
        .collect();
    list.join(", ")
}

/// Says whether `trial` meets the `constraints`: `met`, or `breaks` and the ones it breaks;
/// `None` without constraints or without a result (`feasibility`).
pub fn feasibility_text(constraints: &[Constraint], trial: &Trial) -> Option<String> {
    feasibility(constraints, trial).map(|met| match met {
        true => "met".to_string(),
        false => format!("breaks {}", broken_text(constraints, trial)),
    })
}

/// Returns whether `value` of metric `metric` breaks one of the `constraints`, for the `!`
/// tables mark such a value with; `None` breaks none.
pub fn breaks_bound(constraints: &[Constraint], metric: &str, value: Option<f64>) -> bool {
    constraints
        .iter()
        .any(|c| c.metric == metric && value.is_some_and(|v| c.excess(v) > 0.0))
}

/// Returns whether `trial`'s result meets the constraints, for reports: `None` when there are
/// no constraints or the trial has no result, so that there is nothing to say.
pub fn feasibility(constraints: &[Constraint], trial: &Trial) -> Option<bool> {
    (!constraints.is_empty() && trial.result.is_some()).then(|| feasible(constraints, trial))
}

/// Returns whether `trial` has a result that meets every constraint.
pub fn feasible(constraints: &[Constraint], trial: &Trial) -> bool {
    violation(constraints, trial) == Some(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Params, Seed, Step, TrialId, TrialResult, TrialState};

    fn at_most(metric: &str, max: f64) -> Constraint {
        Constraint {
            metric: metric.into(),
            min: None,
            max: Some(max),
        }
    }

    fn trial(metrics: &[(&str, f64)]) -> Trial {
        Trial {
            id: TrialId(0),
            seed: Seed(0),
            params: Params::new(),
            state: TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: Some(TrialResult {
                best_step: Step(1),
                metrics: metrics
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), *v))
                    .collect(),
            }),
        }
    }

    #[test]
    fn excess_is_relative_to_the_bound_and_zero_inside() {
        let size = at_most("param_count", 20_000.0);
        assert_eq!(size.excess(20_000.0), 0.0);
        assert_eq!(size.excess(50_000.0), 1.5);
        assert_eq!(size.excess(f64::NAN), f64::INFINITY);
        let band = Constraint {
            metric: "val_loss".into(),
            min: Some(0.1),
            max: Some(0.2),
        };
        assert_eq!(band.excess(0.15), 0.0);
        assert!((band.excess(0.05) - 0.5).abs() < 1e-12);
        assert!((band.excess(0.3) - 0.5).abs() < 1e-12);
        assert_eq!(band.margins(0.15).len(), 2);
        assert!(band.margins(0.15).iter().all(|m| *m <= 0.0));
        assert!((band.margins(0.3)[1] - 0.1).abs() < 1e-12);
        // A bound of 0 counts the excess as it is rather than dividing by 0.
        assert!(at_most("val_loss", 0.0).excess(0.5).is_finite());
    }

    #[test]
    fn violations_add_up_and_missing_metrics_are_infeasible() {
        let constraints = [at_most("param_count", 100.0), at_most("val_loss", 0.5)];
        let ok = trial(&[("param_count", 100.0), ("val_loss", 0.4)]);
        assert_eq!(violation(&constraints, &ok), Some(0.0));
        assert!(feasible(&constraints, &ok));
        let both = trial(&[("param_count", 200.0), ("val_loss", 1.0)]);
        assert_eq!(violation(&constraints, &both), Some(2.0));
        assert_eq!(broken(&constraints, &both).len(), 2);
        assert!(broken(&constraints, &ok).is_empty());
        let old = trial(&[("val_loss", 0.4)]);
        assert_eq!(violation(&constraints, &old), Some(f64::INFINITY));
        assert_eq!(broken(&constraints, &old), [&constraints[0]]);
        let mut failed = trial(&[]);
        failed.result = None;
        assert_eq!(violation(&constraints, &failed), None);
        assert!(!feasible(&constraints, &failed));
        assert!(feasible(&[], &trial(&[])));
        assert_eq!(feasibility(&constraints, &ok), Some(true));
        assert_eq!(feasibility(&constraints, &both), Some(false));
        assert_eq!(feasibility(&constraints, &failed), None);
        assert_eq!(feasibility(&[], &ok), None);
    }

    #[test]
    fn constraints_read_as_written() {
        assert_eq!(
            at_most("param_count", 20_000.0).to_string(),
            "param_count ≤ 20000"
        );
        let band = Constraint {
            metric: "val_loss".into(),
            min: Some(0.1),
            max: Some(0.3),
        };
        assert_eq!(band.to_string(), "0.1 ≤ val_loss ≤ 0.3");
    }
}
