//! The run cap a `sweep run` without `--run-cap` asks for: the file's own `run_cap`.
//!
//! A first run with `--run-cap 1` stores a plan of 1 trial, while the file (and the resolved
//! spec recorded with it) says `run_cap: 4`. Running the unchanged file again asks for the
//! file's cap, as `--help` says `--run-cap` only overrides it for the run that passes it: the
//! plan is raised to it exactly as `--run-cap 4` would raise it. Where `--run-cap` would be
//! refused, the file's cap is not taken and a note says why: a target or plateau ended the
//! experiment (more trials would never start), or agents run it (each must be run with the new
//! cap and a new exchange folder). With `--extend`, the run says what it adds, and the file's
//! cap is not taken either.

use experiment::{ExperimentSpec, Stopped};
use store::ExperimentInfo;

/// What a run without `--run-cap` does about the file's `run_cap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FileCap {
    /// Nothing: the file's cap is not above the stored plan, or the run gives `--run-cap` or
    /// `--extend`, or the experiment is new or stored from another spec.
    Unchanged,
    /// The plan is raised to the cap, as `--run-cap CAP` would; the line says so.
    Raised {
        /// The cap asked for.
        cap: u32,
        /// What the run prints once the study took the run (it may still refuse it, as
        /// changed data, and then raises nothing).
        line: String,
    },
    /// The cap is above the plan but not taken; the note says why, printed as the raise's line
    /// is, once the study took the run (a run it refuses, as another spec or changed data, says
    /// nothing of a run cap).
    Refused(String),
}

/// How the run is asked: the flags that take precedence over the file's cap.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asked {
    /// `--run-cap`.
    pub(super) run_cap: Option<u32>,
    /// `--extend`.
    pub(super) extend: Option<u32>,
    /// Whether agents run the study (`--agent`).
    pub(super) agents: bool,
}

/// Returns what a run of `spec` asked as `asked` does about the file's `run_cap`, given the
/// `stored` experiment of that name (if any), whether the study goes on with it rather than
/// refusing `spec` as another spec (`resumes`: `runner::StudyOptions::resumes`, the study's own
/// rule, so that the same file copied or linked elsewhere raises the plan as at its first path)
/// and what ended it early (`ended`, if anything).
pub(super) fn file_cap(
    spec: &ExperimentSpec,
    asked: Asked,
    (stored, resumes): (Option<&ExperimentInfo>, bool),
    ended: Option<Stopped>,
) -> FileCap {
    let Some(stored) = stored else {
        return FileCap::Unchanged;
    };
    if asked.run_cap.is_some() || asked.extend.is_some() {
        return FileCap::Unchanged;
    }
    // A file changed since is refused as another spec (with advice for a raised `run_cap`).
    let cap = spec.run_cap;
    let before = stored.run_cap;
    if !resumes || spec.planned_trials(cap) <= before {
        return FileCap::Unchanged;
    }
    let above = format!(
        "the file's run_cap {cap} is above the {} `{}` plans (an earlier --run-cap)",
        experiment::counted(before, "trial", "trials"),
        spec.name
    );
    if let Some(stopped) = ended {
        let why = match stopped {
            Stopped::Target(t) => format!("its target was reached by trial {t}"),
            Stopped::Plateau(t) => format!("its best stopped improving, up to trial {t}"),
        };
        return FileCap::Refused(format!(
            "{above}, but {why}: more trials would never start, so it still plans {before}"
        ));
    }
    if asked.agents {
        return FileCap::Refused(format!(
            "{above}; under agents it still plans {before}: run every agent with --run-cap \
             {cap} and a new --exchange folder to raise it"
        ));
    }
    FileCap::Raised {
        cap,
        line: format!(
            "run cap raised from {before} to {} (the file's run_cap)",
            spec.planned_trials(cap)
        ),
    }
}
