//! The two seams of the study loop.
//!
//! `Objective` is implemented by a training engine (the `trainer` crate) and `Reporter` by the
//! study loop (the `runner` crate). Neither side names the other: the runner can be tested with a
//! toy objective in milliseconds, and the engine could be replaced without touching the runner.

use std::collections::BTreeMap;

use crate::{MetricPoint, Params, Seed, Step, Trial, TrialId, TrialOutcome};

/// Everything a trial needs to know about itself.
#[derive(Debug, Clone, Copy)]
pub struct TrialContext<'a> {
    /// The trial's number.
    pub trial: TrialId,
    /// The trial's seed, derived by `trial_seed`.
    pub seed: Seed,
    /// The sampled hyperparameters.
    pub params: &'a Params,
}

/// What the study loop tells a running trial after a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Stop now: the trial is pruned.
    Prune,
}

/// Receives a trial's metrics as they are produced.
pub trait Reporter {
    /// Records the metrics of one step and says whether the trial may continue.
    fn report(&mut self, step: Step, metrics: &[MetricPoint]) -> Control;

    /// Records the metrics of the trial's last step. Stopping it there saves nothing, so no
    /// rule judges it (a pruner would only rank a whole run as a shortened one): `Prune` here
    /// only says that the trial cannot end well (the store failed, or the other agents could
    /// not be told).
    fn report_last(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
        self.report(step, metrics)
    }
}

/// Something whose hyperparameters are searched: usually a model trained on a dataset.
///
/// Implementations must be deterministic: the same context gives the same reports and outcome.
pub trait Objective: Sync {
    /// Runs one trial to its end, reporting every step, and returns how it ended.
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome;

    /// Measures the finished `trial` once on the held-out test split, after the sweep: its
    /// metrics by name (`test_loss`, `test_accuracy`, ...), or why it could not; `None` when
    /// there is no test split (the default).
    fn test(&self, trial: &Trial) -> Option<Result<BTreeMap<String, f64>, String>> {
        let _ = trial;
        None
    }
}
