//! Whether an experiment runs now, as a command that reads a store shows it: the one place
//! `sweep ls`, `sweep show`, `sweep trials` and `sweep export` decide `running` against
//! `interrupted`.
//!
//! A command that opened the store itself holds its lock, so no sweep runs any experiment of
//! it: one stored `running` was killed and is `interrupted` (`ExperimentInfo::status_when_idle`),
//! its trials left running are attempts cut off, and the command that resumes it is given. A
//! command that read a copy through the dashboard of the sweep that holds the store
//! (`commands::held`) learns from that answer which experiment the sweep runs now: that one is
//! shown as stored, as the sweep's dashboard and API show it (`running`, its running trials
//! `running`, their epochs trained, no command to resume it), every other as when idle.

use store::{ExperimentInfo, ExperimentStatus};

/// The experiment a live sweep runs in the store read, as the command knows it; none where the
/// command holds the store itself, or its holder runs no sweep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Running(Option<String>);

impl Running {
    /// Returns the knowledge that a live sweep runs experiment `name` now.
    pub(crate) fn experiment(name: String) -> Running {
        Running(Some(name))
    }

    /// Returns `info` with its status as shown: as stored for the experiment a live sweep
    /// runs, as when idle (`status_when_idle`) for every other. What the output writes of an
    /// experiment's status, its trials' states (`ExperimentInfo::trial_state_shown`), its
    /// attempts cut off and its resume command follows from the status it returns.
    pub(crate) fn shown(&self, mut info: ExperimentInfo) -> ExperimentInfo {
        if self.0.as_deref() != Some(info.name.as_str()) {
            info.status = info.status_when_idle();
        }
        info
    }
}

/// Returns whether experiment `info`, as `Running::shown` shows it, runs now.
pub(crate) fn runs_now(info: &ExperimentInfo) -> bool {
    info.status == ExperimentStatus::Running
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_experiment_a_live_sweep_runs_shows_as_stored() {
        let stored = |name: &str, status| ExperimentInfo {
            name: name.to_string(),
            status,
            ..crate::output::trial::tests::info()
        };
        let live = Running::experiment("live".into());
        let shown = |running: &Running, name: &str, status| running.shown(stored(name, status));
        // The sweep's own experiment runs; one a killed sweep left running was interrupted.
        assert!(runs_now(&shown(&live, "live", ExperimentStatus::Running)));
        let killed = shown(&live, "killed", ExperimentStatus::Running);
        assert_eq!(killed.status, ExperimentStatus::Interrupted);
        // A command that holds the store sees none running.
        let idle = shown(&Running::default(), "live", ExperimentStatus::Running);
        assert_eq!(idle.status, ExperimentStatus::Interrupted);
        // Stored finished, or stopped, it is so whoever reads it.
        for status in [ExperimentStatus::Finished, ExperimentStatus::Interrupted] {
            assert_eq!(shown(&live, "live", status).status, status);
        }
    }
}
