//! Hooks through which the caller watches a study, and the clock it is given.
//!
//! The runner prints nothing itself: the binary implements `Observer` with progress bars, tests
//! with a recorder or `SilentObserver`.

use experiment::{MetricPoint, Step, Timestamp, Trial, TrialId};

/// What a study is about to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyPlan {
    /// The experiment's name.
    pub experiment: String,
    /// The number of trials the study will hold when done.
    pub total: u32,
    /// Trials already finished in an earlier run (resumed).
    pub already_finished: u32,
    /// Trials side by side.
    pub parallel: usize,
    /// Whether the experiment existed before this run.
    pub resumed: bool,
    /// Trials this run may start: the unfinished ones that the target, when reached, leaves.
    pub to_run: u32,
    /// The first trial that reached the spec's target in an earlier run, if one did.
    pub target_reached: Option<TrialId>,
    /// This agent's number and the number of agents, when several run the study.
    pub agent: Option<(u32, u32)>,
}

/// Receives the events of a study; every method has an empty default.
///
/// Methods are called from worker threads, hence `Sync`.
pub trait Observer: Sync {
    /// Called once before any trial starts.
    fn study_started(&self, _plan: &StudyPlan) {}
    /// Called when a trial starts running.
    fn trial_started(&self, _trial: &Trial) {}
    /// Called after each report of a running trial has been stored.
    fn trial_reported(&self, _trial: TrialId, _step: Step, _metrics: &[MetricPoint]) {}
    /// Called when a trial has ended and been stored.
    fn trial_finished(&self, _trial: &Trial) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct SilentObserver;

impl Observer for SilentObserver {}

/// Tells the time; passed in so that tests can fix it.
pub trait Clock: Sync {
    /// Returns the current instant.
    fn now(&self) -> Timestamp;
}
