//! Test helpers: finished trials from values, and a study loop over a toy objective.

use std::collections::BTreeMap;

use experiment::{
    Direction, MetricSpec, Params, Seed, Step, Trial, TrialId, TrialResult, TrialState,
};

use crate::{Sampler, SuggestContext};
use experiment::SearchSpace;

/// The objective every test minimizes.
pub(crate) fn objective() -> MetricSpec {
    MetricSpec {
        name: "loss".into(),
        goal: Direction::Minimize,
    }
}

/// Returns a completed trial with `params` whose loss is `value`.
pub(crate) fn trial(id: u32, params: Params, value: f64) -> Trial {
    Trial {
        id: TrialId(id),
        seed: Seed(0),
        params,
        state: TrialState::Completed,
        reason: None,
        started: None,
        finished: None,
        result: Some(TrialResult {
            best_step: Step(1),
            metrics: BTreeMap::from([("loss".to_string(), value)]),
        }),
    }
}

/// Runs `budget` trials of `sampler` on `space`, one at a time, scoring each with `f`.
pub(crate) fn study(
    sampler: &dyn Sampler,
    space: &SearchSpace,
    budget: u32,
    f: impl Fn(&Params) -> f64,
) -> Vec<Trial> {
    let mut trials = Vec::new();
    for k in 0..budget {
        let params = sampler
            .suggest_in(&SuggestContext {
                space,
                finished: &trials,
                running: &[],
                trial: TrialId(k),
            })
            .unwrap_or_else(|e| panic!("trial {k}: {e}"));
        let value = f(&params);
        trials.push(trial(k, params, value));
    }
    trials
}

/// Returns the smallest loss of `trials`.
pub(crate) fn best(trials: &[Trial]) -> f64 {
    trials
        .iter()
        .filter_map(|t| t.value("loss"))
        .fold(f64::INFINITY, f64::min)
}

/// Returns the median of `values`.
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
