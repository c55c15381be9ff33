//! The study loop: suggest parameters, run the objective, record every report, persist results.
//!
//! The runner knows nothing about training: it drives any `experiment::Objective`, so the whole
//! loop (resume included) is tested in milliseconds with a toy objective. Trials run side by
//! side on plain threads, one trial per thread; the objective decides how many cores a trial
//! uses.
//!
//! One study may also run as several agents (processes, on one machine or a cluster's nodes),
//! each running the trial numbers it owns and meeting the others through journals in a shared
//! folder (`AgentOptions`, `agents`), with the same results as one process; `follow_study`
//! writes such a study into a store from the journals alone, for `sweep serve --exchange`.

mod agents;
mod board;
mod follow;
mod hearing;
mod observer;
mod panics;
mod parallel;
mod reporter;
mod stop;
mod study;
#[cfg(test)]
mod testing;
mod worker;

pub use agents::AgentOptions;
pub use follow::{follow_study, Follow};
#[cfg(test)]
pub(crate) use observer::SilentObserver;
pub use observer::{Clock, Observer, QuietAgent, StudyPlan};
pub use parallel::results_depend_on_parallel;
pub use stop::Stop;
pub use study::{run_study, spec_as_it_ran, StudyOptions, StudySummary, WarmFile};

/// Errors of the `runner` crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The sampler could not propose parameters.
    #[error(transparent)]
    Search(#[from] search::Error),
    /// An experiment of this name exists with a different spec.
    #[error(
        "experiment `{name}` already exists in this store with a different spec; \
         give the edited file a new `name:`, or run the unchanged file with --extend N to add \
         trials"
    )]
    SpecChanged {
        /// The experiment's name.
        name: String,
        /// The stored spec's YAML text.
        stored: String,
        /// The YAML text given now.
        current: String,
    },
    /// The data file hashes otherwise than when the experiment was created: its trials so far
    /// trained on other data. Where the run read it from another path (a folder moved or
    /// copied since), the message names both paths.
    #[error(
        "the data of experiment `{name}` changed since it started: {}; its trials so far \
         trained on the data as it was, so nothing runs: restore the file, give the experiment \
         a new `name:` to start over on the new data, or remove it",
        data_changed(read, file, then, now)
    )]
    DataChanged {
        /// The experiment's name.
        name: String,
        /// The data file (or files, comma-separated) the experiment's run read, as its record
        /// holds it.
        read: String,
        /// The data file (or files, comma-separated) as now resolved.
        file: String,
        /// The start of the hash the experiment's record holds.
        then: String,
        /// The start of the data's hash now.
        now: String,
    },
    /// The spec is unchanged, but this version reads its sampler or pruner settings otherwise
    /// than the run record says it ran with (a default changed since): going on would mix the
    /// two in one experiment.
    #[error(
        "experiment `{name}` ran with other sampler or pruner settings than this version of \
         Sweep reads in its unchanged file (a default changed since):\n{differing}\nit ran \
         with\n{then}\nand would now go on with\n{now}\nso nothing runs, since its trials \
         would mix the two: write the setting that differs into the file's `sampler:` or \
         `pruner:` block at the value it ran with to go on as it ran, give the experiment a new \
         `name:` to start over, or remove it"
    )]
    SearchChanged {
        /// The experiment's name.
        name: String,
        /// The settings that differ, one indented line each.
        differing: String,
        /// The resolved `method:` and `pruner:` lines it ran with, indented.
        then: String,
        /// The same lines as this version resolves the file, indented.
        now: String,
    },
    /// `warm_start:` names an experiment the store does not hold, or one of another objective,
    /// or comes with agents; or, on resume, its file of results gives other trials than were
    /// taken.
    #[error("warm_start: {0}")]
    WarmStart(String),
    /// `--extend` was given for an experiment that does not exist yet.
    #[error("experiment `{0}` does not exist yet: run it once before extending it")]
    NothingToExtend(String),
    /// `--extend`, or a `--run-cap` above the stored one, was given for an experiment that its
    /// target or plateau already ended.
    #[error(
        "experiment `{name}` ended {why}: {how} would add trials that never start (going on \
         past it is another experiment: give it a new `name:`)"
    )]
    ExtendEnded {
        /// The experiment.
        name: String,
        /// What ended it, as `when trial 4 reached its target`.
        why: String,
        /// What asked for more trials: `--extend` or `--run-cap 20`.
        how: String,
    },
    /// `--extend N` would plan more trials than an experiment can number.
    #[error(
        "experiment `{name}` plans {base} trials: `--extend {extend}` would plan more than the \
         most an experiment can have, {max}",
        max = u32::MAX
    )]
    ExtendTooFar {
        /// The experiment.
        name: String,
        /// The trials it plans now.
        base: u32,
        /// The trials asked for.
        extend: u32,
    },
    /// `--extend` was given for a grid whose every point is already planned.
    #[error(
        "experiment `{name}` is a grid of {points} points, all of them planned already: \
         `--extend` has no point left to add (a larger grid is another experiment: give it a \
         new `name:`)"
    )]
    GridExhausted {
        /// The experiment.
        name: String,
        /// The grid's points.
        points: u32,
    },
    /// Another worker failed while this one waited for it; the first error is reported instead.
    #[error("the study was stopped by an error in another trial")]
    Aborted,
    /// The study took no new trial (its time limit passed) before this one got its parameters:
    /// it never started, and runs on resume.
    #[error("the study took no new trial")]
    Closed,
    /// The study was asked to stop (`Stop`) while this trial ran; it is run again on resume.
    #[error("the study was asked to stop")]
    Stopped,
    /// Another agent of the study stopped on an error.
    #[error(
        "agent {agent} of this study stopped on an error, and its trials cannot go on without \
         it: {reason}"
    )]
    AgentFailed {
        /// The agent's number.
        agent: u32,
        /// Its error, as it wrote it.
        reason: String,
    },
    /// Another agent's journal speaks of a trial that agent does not run.
    #[error(
        "agent journal {}:{line}: agent {agent}'s journal speaks of trial {trial}, which agent \
         {owner} runs; does another study of the same name share the exchange folder?",
        journal.display()
    )]
    StrayTrial {
        /// The journal.
        journal: std::path::PathBuf,
        /// The line, from 1.
        line: u64,
        /// The agent whose journal it is.
        agent: u32,
        /// The trial.
        trial: experiment::TrialId,
        /// The agent that runs it.
        owner: u32,
    },
    /// An agent's journal gives a trial parameters outside the study's space.
    #[error(
        "agent journal {}:{line}: agent {agent}'s journal gives trial {trial} parameters outside \
         the study's space: {problem}; was the journal edited, or does another study of the same \
         name share the exchange folder?",
        journal.display()
    )]
    StrayParams {
        /// The journal.
        journal: std::path::PathBuf,
        /// The line, from 1.
        line: u64,
        /// The agent whose journal it is.
        agent: u32,
        /// The trial.
        trial: experiment::TrialId,
        /// What is wrong with them.
        problem: String,
    },
    /// An agent's journal ends a trial with a result its reports in the journal do not give.
    #[error(
        "agent journal {}:{line}: trial {trial} ends with a result its reports do not give: \
         {problem}; was the journal edited?",
        journal.display()
    )]
    StrayResult {
        /// The journal.
        journal: std::path::PathBuf,
        /// The line, from 1.
        line: u64,
        /// The trial.
        trial: experiment::TrialId,
        /// What disagrees.
        problem: String,
    },
    /// A trial could not be run or kept for a reason outside it (`TrialOutcome::Aborted`): the
    /// study stops, and the trial runs again on resume.
    #[error(
        "trial {trial} could not be kept: {reason}; the sweep stopped, and running the same \
         command again runs the trial again once that is mended"
    )]
    TrialAborted {
        /// The trial.
        trial: experiment::TrialId,
        /// Why.
        reason: String,
    },
    /// A thread of the study could not be started: the system's limit on threads or memory.
    #[error(
        "cannot start a thread for the sweep ({started} of {wanted} trial workers started, \
         as `--parallel` or `parallel:` asks): {error}; ask for fewer side by side, or raise \
         the limit on threads or memory"
    )]
    Threads {
        /// The workers asked for.
        wanted: usize,
        /// The workers started before the failure.
        started: usize,
        /// The system's refusal.
        error: std::io::Error,
    },
    /// A worker thread panicked; this is a bug.
    #[error("a trial worker panicked: {0}")]
    WorkerPanicked(String),
    /// The study's best trial could not be measured on the test split.
    #[error("cannot measure trial {trial} on the test split: {message}")]
    TestSplit {
        /// The trial.
        trial: experiment::TrialId,
        /// Why.
        message: String,
    },
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Returns the note on an unscrambled `sobol` search whose trial 0 puts a prior-shaped
/// parameter at its prior's 1e-12 quantile (`search::corner_start_note`), for the notes of
/// `sweep validate` and `sweep run`: the CLI reaches the samplers through the runner.
pub fn corner_start_note(spec: &experiment::ExperimentSpec) -> Option<String> {
    search::corner_start_note(spec)
}

/// Says how the data of `Error::DataChanged` changed: the same path with another hash (`{file}
/// had sha256 {then}, now {now}`), or, where the run read the data from another path (`read`),
/// both paths, each with its hash, so that the message does not give the path read now as the
/// one the run read.
fn data_changed(read: &str, file: &str, then: &str, now: &str) -> String {
    if read == file {
        return format!("{file} had sha256 {then}, now {now}");
    }
    let has = if file.contains(", ") { "have" } else { "has" };
    format!("the run read {read} (sha256 {then}); {file} now {has} sha256 {now}")
}
