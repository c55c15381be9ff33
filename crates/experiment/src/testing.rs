//! Test fixtures shared by the crate's unit tests.

use crate::{Params, Seed, Step, Trial, TrialId, TrialResult, TrialState};

/// Returns trial `id` in `state`, with `metric` at `value` at step 1 when there is a value.
pub(crate) fn trial_with(id: u32, state: TrialState, metric: &str, value: Option<f64>) -> Trial {
    Trial {
        id: TrialId(id),
        seed: Seed(0),
        params: Params::new(),
        state,
        reason: None,
        started: None,
        finished: None,
        result: value.map(|v| TrialResult {
            best_step: Step(1),
            metrics: [(metric.to_string(), v)].into_iter().collect(),
        }),
    }
}
