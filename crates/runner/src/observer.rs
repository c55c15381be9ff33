//! Hooks through which the caller watches a study, and the clock it is given.
//!
//! The runner prints nothing itself: the binary implements `Observer` with progress bars, tests
//! with a recorder or `SilentObserver`.

use std::path::PathBuf;
use std::time::Duration;

use experiment::{MetricPoint, Step, Stopped, Trial, TrialId};

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
    /// Trials this run may start: the unfinished ones that the target or the plateau, when
    /// reached, leaves.
    pub to_run: u32,
    /// What ended the sweep early in an earlier run (the target reached, or the plateau), if
    /// anything.
    pub stopped: Option<Stopped>,
    /// This agent's number and the number of agents, when several run the study.
    pub agent: Option<(u32, u32)>,
    /// Of `already_finished`, the agent's own trials taken back from its journal into a store
    /// that lacked them.
    pub restored: u32,
    /// The trials the sampler learns from before the experiment's own (`warm_start:`), in
    /// words (`experiment::WarmStarted::describe`), if any; on a resume whose file of results
    /// is there but gives no trials, then "; note: " and why it goes on without it.
    pub warm_start: Option<String>,
}

impl StudyPlan {
    /// Returns the agent that runs trial `id` when several run the study, `None` otherwise.
    pub fn agent_of(&self, id: TrialId) -> Option<u32> {
        self.agent.map(|(_, n)| crate::agents::owner(id, n))
    }
}

/// Another agent that the study waits for and that has not been heard from for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietAgent {
    /// Its number.
    pub agent: u32,
    /// How many agents run the study.
    pub agents: u32,
    /// The first trial of the study that has not ended, which that agent runs: every later
    /// trial waits for it, sooner or later; or, once every trial has ended, the best one, which
    /// that agent measures on the test split (`measuring`).
    pub trial: TrialId,
    /// Whether the study waits for the agent to measure `trial` on the test split rather than
    /// to run it.
    pub measuring: bool,
    /// Its journal.
    pub journal: PathBuf,
    /// Whether its journal exists: false while the agent has not joined the study.
    pub joined: bool,
    /// How long its journal has not changed (not there: how long this agent has looked for it).
    pub quiet_for: Duration,
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
    /// Called when the study waits for another agent that has been quiet for a while, and again
    /// each time its quiet time doubles.
    fn agent_quiet(&self, _quiet: &QuietAgent) {}
    /// Called when an agent reported quiet is heard from (it joined, or its journal changed):
    /// `heard` is the last report, with the whole quiet time.
    fn agent_heard(&self, _heard: &QuietAgent) {}
    /// Called when a follower (`follow_study`) reads that agent `agent` of `agents` stopped on
    /// an error (`reason`, as it wrote it) and has written nothing since: its trials wait until
    /// it is mended and started again.
    fn agent_stopped(&self, _agent: u32, _agents: u32, _reason: &str) {}
    /// Called when an agent a follower said had stopped on an error writes again: it was
    /// started again.
    fn agent_restarted(&self, _agent: u32, _agents: u32) {}
    /// Called when a follower cannot read the study's journals (a damaged or hand-edited line,
    /// a journal that cannot be opened): it shows the study as interrupted and reads them
    /// again from the start after `retry`, and at each `retry` after, until they read.
    fn following_failed(&self, _error: &crate::Error, _retry: Duration) {}
    /// Called when a follower reads the study's journals again after `following_failed`.
    fn following_resumed(&self) {}
}

/// An observer that ignores everything (the runner's tests').
#[cfg(test)]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SilentObserver;

#[cfg(test)]
impl Observer for SilentObserver {}

/// Tells the time; passed in so that tests can fix it (`experiment::Clock`, the one trait the
/// dashboard is handed too).
pub use experiment::Clock;
