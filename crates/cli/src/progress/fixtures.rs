//! The plans and trials the progress tests share.

use experiment::{Step, Trial, TrialId, TrialState};
use runner::StudyPlan;

/// A plan of `rnd` for `total` trials, `finished` of them already, `to_run` left, 2 side by
/// side, resumed where any finished; `agent` is this agent's number and the count, if any.
pub(super) fn plan(total: u32, finished: u32, to_run: u32, agent: Option<(u32, u32)>) -> StudyPlan {
    StudyPlan {
        experiment: "rnd".into(),
        total,
        already_finished: finished,
        parallel: 2,
        resumed: finished > 0,
        to_run,
        stopped: None,
        agent,
        restored: 0,
        warm_start: None,
    }
}

/// A completed trial with `val_loss` and `param_count` at step 1.
pub(super) fn completed(id: u32, loss: f64, count: f64) -> Trial {
    Trial {
        id: TrialId(id),
        seed: experiment::Seed(0),
        params: experiment::Params::new(),
        state: TrialState::Completed,
        reason: None,
        started: None,
        finished: None,
        result: Some(experiment::TrialResult {
            best_step: Step(1),
            metrics: [
                ("val_loss".to_string(), loss),
                ("param_count".to_string(), count),
            ]
            .into(),
        }),
    }
}
