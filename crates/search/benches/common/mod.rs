//! What the search benches and the crate's own tests (`testing`, which includes this file)
//! share: a finished trial as the samplers see it.

use std::collections::BTreeMap;

use experiment::{Params, Seed, Step, Trial, TrialId, TrialResult, TrialState};

/// Returns trial `id`, completed with `params` and `metrics` at step 1.
pub(crate) fn completed(id: u32, params: Params, metrics: BTreeMap<String, f64>) -> Trial {
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
            metrics,
        }),
    }
}
