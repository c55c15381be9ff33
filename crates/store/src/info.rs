//! What the store keeps about an experiment as a whole.

use std::fmt;

use experiment::{Direction, Seed, Timestamp};

/// An experiment as stored: its spec, objective, budget and lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentInfo {
    /// The unique name, e.g. `digits-mlp-tpe-asha`.
    pub name: String,
    /// A free-form description from the spec.
    pub description: String,
    /// The YAML text of the spec.
    pub spec_yaml: String,
    /// The hex SHA-256 of `spec_yaml`.
    pub spec_hash: String,
    /// The path the spec was read from, as given.
    pub spec_path: String,
    /// The objective metric's name, e.g. `val_accuracy`.
    pub objective: String,
    /// Whether the objective is minimized or maximized.
    pub goal: Direction,
    /// The experiment seed that every trial seed is derived from.
    pub seed: Seed,
    /// The largest number of trials to run.
    pub run_cap: u32,
    /// Where the experiment is in its life.
    pub status: ExperimentStatus,
    /// When the experiment was created.
    pub created: Timestamp,
    /// When the experiment finished, if it did.
    pub finished: Option<Timestamp>,
}

/// Where an experiment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentStatus {
    /// Trials are being run, or the process running them died.
    Running,
    /// The run cap was reached or the search space exhausted.
    Finished,
    /// The user stopped the experiment; it can be resumed.
    Interrupted,
}

impl ExperimentStatus {
    /// Returns the lowercase name shown to users: `running`, `finished` or `interrupted`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentStatus::Running => "running",
            ExperimentStatus::Finished => "finished",
            ExperimentStatus::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for ExperimentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
