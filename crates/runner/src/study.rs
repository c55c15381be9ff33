//! `run_study`: creates or resumes an experiment and runs its missing trials.
//!
//! Resuming is the normal path, not a special one: the trials an experiment should hold are
//! numbered `0..run_cap`; a run executes every number that is not finished in the store, so a
//! study killed at any moment continues where it stopped when the same command runs again.
//! Trials left `running` or `queued` by a crash keep their parameters, lose their partial
//! curves, and run again from scratch; one left `running` is put back in the queue, its
//! attempt cut off kept in its trace, as the resume starts, before any worker does. `--extend N` raises the stored `run_cap` by `N`, and the
//! samplers learn from every earlier trial, so an extension is warm-started.

mod open;
mod told;
mod workers;

use std::sync::Arc;

use experiment::{ExperimentSpec, Objective, Stopped, Trial, TrialId, TrialState, WarmStarted};
use store::{ExperimentInfo, ExperimentStatus, RunRecord, Store};

use crate::agents::{self, AgentOptions, Peers};

use crate::board::Board;
use crate::reporter;
use crate::worker::{Pending, Worker};
use crate::{Clock, Error, Observer, Result, Stop, StudyPlan};
use open::open_experiment;
use workers::Workers;

/// How to run a study, beyond what the spec says.
#[derive(Debug, Clone)]
pub struct StudyOptions {
    /// The path the spec was read from, as the user gave it; stored with the experiment's text
    /// (a resume from another file than its run record names stores that file's absolute path
    /// instead, from `record`).
    pub spec_path: String,
    /// Trials side by side (at least 1).
    pub parallel: usize,
    /// Overrides the spec's `run_cap` when set.
    pub run_cap: Option<u32>,
    /// Adds this many trials to what the experiment already planned.
    pub extend: Option<u32>,
    /// How and where the study runs, stored with the experiment when it is created; a resumed
    /// experiment keeps the record of its first run (its `parallel` too, the number the first
    /// run's trials were drawn with), but for `planned` (the plan the sampler is told, which the
    /// runner fills in), which says the last run's.
    pub record: Option<RunRecord>,
    /// Ends the study early when requested (no new trial starts, running ones stop at their next
    /// report and run again on resume, but for one whose training is over: its last epoch
    /// reported, it is kept) or closed (no new trial starts, running ones finish).
    pub stop: Stop,
    /// When several agents run the study: which one this is and where they meet (`parallel`
    /// then counts the trials side by side across all of them).
    pub agent: Option<AgentOptions>,
    /// A `warm_start: {csv: ..}` file as the caller read it (the runner reads no file but the
    /// store): its trials are taken when the experiment is created, with the digest of its
    /// bytes; when it resumes, which reads back the ones taken then, the same bytes go on,
    /// other bytes are compared by the trials they give, and the resume is refused where those
    /// differ; a file there but unreadable goes on from the trials taken, with a note, as one
    /// gone since does (`None`: gone, nothing to compare).
    pub warm_file: Option<WarmFile>,
}

/// A `warm_start: {csv: ..}` file as the caller read it.
#[derive(Debug, Clone, PartialEq)]
pub enum WarmFile {
    /// Read: the SHA-256 (hex) of its bytes, and the trials they give
    /// (`experiment::WarmStart::import_table`).
    Read {
        /// The SHA-256 (hex) of the file's bytes.
        sha256: String,
        /// The trials the file gives.
        trials: WarmStarted,
    },
    /// There, but giving no trials: its bytes could not be read, or the reader refuses them
    /// (only a resume's caller hands this on; a new experiment's refuses the file first).
    Unreadable {
        /// The SHA-256 (hex) of its bytes, where they could be read.
        sha256: Option<String>,
        /// Why, naming the file.
        why: String,
    },
}

impl WarmFile {
    /// Returns the trials the file gives, where it was read.
    pub fn trials(&self) -> Option<&WarmStarted> {
        match self {
            WarmFile::Read { trials, .. } => Some(trials),
            WarmFile::Unreadable { .. } => None,
        }
    }

    /// Returns the SHA-256 (hex) of the file's bytes, where they could be read.
    pub fn sha256(&self) -> Option<&str> {
        match self {
            WarmFile::Read { sha256, .. } => Some(sha256),
            WarmFile::Unreadable { sha256, .. } => sha256.as_deref(),
        }
    }
}

/// What a study run produced.
#[derive(Debug, Clone)]
pub struct StudySummary {
    /// Every trial of the experiment, by number.
    pub trials: Vec<Trial>,
    /// Trials run to their end by this call (not resumed from earlier).
    pub ran: u32,
    /// The trials the experiment plans in all (its stored run cap).
    pub planned: u32,
    /// The best completed trial, if any.
    pub best: Option<Trial>,
    /// Whether a stop request, or closing the study to new trials, ended it before every trial
    /// finished, or (an agent) before the test split's result came from the agent measuring it.
    pub interrupted: bool,
    /// What ended the sweep before its run cap, if anything (the target reached, or the
    /// plateau): no trial numbered `parallel` or more above its trial starts.
    pub stopped: Option<Stopped>,
    /// Whether this agent stopped after every trial the study needs had ended, while it waited
    /// for the test split's result from the agent measuring it.
    pub awaiting_test: bool,
}

impl StudySummary {
    /// Returns how many trials are in `state`.
    pub fn count(&self, state: TrialState) -> usize {
        self.trials.iter().filter(|t| t.state == state).count()
    }

    /// Returns how many trials have finished (completed, pruned or failed).
    pub fn finished(&self) -> usize {
        self.trials.iter().filter(|t| t.state.is_finished()).count()
    }
}

/// Returns the settings a stored experiment of `spec`'s name goes on under, where the version
/// that wrote it resolved the file otherwise (`ExperimentSpec::as_it_ran`: a Hyperband
/// `max_resource` defaulted by an earlier rule, a grid listed by an earlier rule), so that its
/// decisions, and the points its trial numbers stand for, stay so; `None` where the file's own
/// reading is the one it ran under, or no experiment of that name is stored.
pub fn spec_as_it_ran(store: &Store, spec: &ExperimentSpec) -> Result<Option<ExperimentSpec>> {
    if store.experiment(&spec.name)?.is_none() {
        return Ok(None);
    }
    Ok(store
        .run_record(&spec.name)?
        .and_then(|record| spec.as_it_ran(&record.resolved_spec)))
}

/// Runs every trial of `spec` that the store does not hold finished, and returns the summary.
///
/// An experiment of the same name with a different spec is refused with `Error::SpecChanged`;
/// a file that differs only in comments, layout or key order (the same resolved spec as in the
/// experiment's run record) is the same spec.
pub fn run_study(
    store: &Store,
    spec: &ExperimentSpec,
    objective: &dyn Objective,
    observer: &dyn Observer,
    clock: &dyn Clock,
    options: &StudyOptions,
) -> Result<StudySummary> {
    // The parent of each trial's span (`Worker::experiment`), entered on the agent follower's
    // thread too.
    let experiment = tracing::info_span!("experiment", id = %spec.name);
    let _entered = experiment.enter();
    let ran = spec_as_it_ran(store, spec)?;
    let file = spec;
    let spec = ran.as_ref().unwrap_or(spec);
    let run = Run {
        store,
        spec,
        file,
        objective,
        observer,
        clock,
        options,
        window: u32::try_from(options.parallel.max(1)).unwrap_or(u32::MAX),
    };
    let opened = run.open()?;
    let run_cap = opened.info.run_cap;
    let restored = match &opened.met {
        Some(met) => agents::restore(met, store, spec)?,
        None => 0,
    };
    let existing = run.requeue_killed(store.trials(&spec.name)?, run_cap)?;
    let board = Arc::new(Board::default());
    // Closing the stop closes the board at once: a worker waiting for earlier trials before it
    // chooses a trial's parameters gives up then (`Stop::watch`).
    options.stop.watch(&board);
    let finished = run.preload(&board, &existing)?;
    let own_before = run.own_finished(&existing);
    let (pending, parallel) = run.plan(&opened, &existing, (finished, restored));
    let window = run.window;
    let needed = |finished: &[Trial]| needed_trials(run_cap, spec.stopped_by(finished), window);
    let peers = match (options.agent.as_ref(), opened.met) {
        (Some(a), Some(met)) => {
            let study = agents::Study {
                store,
                spec,
                board: &board,
                observer,
                needed: &needed,
            };
            Some(Peers::join(
                met,
                a,
                study,
                (&existing, opened.warm.as_ref()),
            )?)
        }
        _ => None,
    };
    let sampler = sampler(spec, opened.warm);
    let worker = Worker {
        store,
        spec,
        objective,
        observer,
        clock,
        sampler: sampler.as_ref(),
        existing: &existing,
        board: &board,
        stop: &options.stop,
        window,
        // The file's plan, or the stored one where `--extend` or a `--run-cap` above the
        // file's lengthened it: a `--run-cap` below the file's runs its first trials.
        planned: told::sampler_plan(spec, run_cap),
        peers: peers.as_ref(),
        experiment: experiment.clone(),
    };
    let error = Workers::run(&worker, pending, parallel);
    settle(error, peers.as_ref(), &options.stop)?;
    run.finish(opened.info, own_before, peers.as_ref())
}

/// One call of `run_study`: what it was given, which its phases share.
struct Run<'a> {
    store: &'a Store,
    spec: &'a ExperimentSpec,
    /// The file as this version reads it, which `spec` is but where the earlier version that
    /// stored the experiment resolved it otherwise (`ExperimentSpec::as_it_ran`).
    file: &'a ExperimentSpec,
    objective: &'a dyn Objective,
    observer: &'a dyn Observer,
    clock: &'a dyn Clock,
    options: &'a StudyOptions,
    /// The trials side by side across the study (at least 1): trial `k` may see the finished
    /// trials `k - window` and below (`Worker::window`).
    window: u32,
}

/// The experiment a study runs, as `Run::open` found or created it.
struct Opened {
    /// Its record, with the trials it plans (`run_cap`) settled.
    info: ExperimentInfo,
    /// Whether it existed before this call.
    resumed: bool,
    /// The trials it took from another experiment (`warm_start:`).
    warm: Option<WarmStarted>,
    /// Why a resume went on from those trials without comparing its warm start's file, which
    /// is there but gives no trials (`WarmFile::Unreadable`), said with them as the study starts.
    warm_note: Option<String>,
    /// The other agents, met before anything was written, when several run the study.
    met: Option<agents::Met>,
}

impl Run<'_> {
    /// Creates the experiment or checks the stored one (`open_experiment`).
    fn open(&self) -> Result<Opened> {
        let (spec, options) = (self.spec, self.options);
        // An agent meets the others before writing, so that one refused changes nothing stored.
        // Each agent takes a warm start itself, from its own store or its own copy of the file:
        // the agents compare the trials taken (their digest in the journal headers).
        let mut met = None;
        let (info, resumed, (warm, warm_note)) = open_experiment(
            self.store,
            (spec, self.file),
            options,
            self.clock,
            |run_cap, warm| {
                if let Some(a) = &options.agent {
                    met = Some(agents::meet(a, spec, options, run_cap, warm)?);
                }
                Ok(())
            },
        )?;
        Ok(Opened {
            info,
            resumed,
            warm,
            warm_note,
            met,
        })
    }

    /// Puts back in the queue each trial of `existing` that an earlier run's process left
    /// `running` (a kill, a crash) and that this call runs again (`worker::requeue_killed`: as a
    /// stop leaves it, the attempt cut off in its trace), before any worker starts, so that
    /// every reader of the store (the sweep's own dashboard, `sweep show`) sees it queued from
    /// the start rather than running with the killed attempt's last epoch until a worker takes
    /// it. An agent's are its own trials; one the target or plateau keeps from running stays.
    /// Returns the trials as stored then.
    fn requeue_killed(&self, existing: Vec<Trial>, run_cap: u32) -> Result<Vec<Trial>> {
        let (store, spec, agent) = (self.store, self.spec, self.options.agent.as_ref());
        let needed = needed_trials(run_cap, spec.stopped_by(&existing), self.window);
        let mut requeued = false;
        for trial in &existing {
            if trial.state == TrialState::Running
                && trial.id.0 < needed
                && agent.is_none_or(|a| a.owns(trial.id))
            {
                requeued |= crate::worker::requeue_killed(store, spec, trial.id)?;
            }
        }
        if !requeued {
            return Ok(existing);
        }
        store.flush()?;
        Ok(store.trials(&spec.name)?)
    }

    /// Puts the finished trials of `existing` on `board`, with their objective curves, and
    /// returns how many there are.
    fn preload(&self, board: &Board, existing: &[Trial]) -> Result<u32> {
        let spec = self.spec;
        let mut finished = 0u32;
        for trial in existing {
            if trial.state.is_finished() {
                let mut curve =
                    self.store
                        .metric_series(&spec.name, trial.id, &spec.metric.name)?;
                // As its reports went on the board when it ran: left out of pruning.
                if reporter::never_meets(&spec.constraints, |m| trial.value(m)).is_some() {
                    curve.iter_mut().for_each(|(_, v)| *v = f64::NAN);
                }
                board.preload(trial.clone(), curve);
                finished += 1;
            }
        }
        Ok(finished)
    }

    /// Returns how many of `trials` have finished among those this process runs (an agent's
    /// own, or all).
    fn own_finished(&self, trials: &[Trial]) -> usize {
        let agent = self.options.agent.as_ref();
        trials
            .iter()
            .filter(|t| t.state.is_finished() && agent.is_none_or(|a| a.owns(t.id)))
            .count()
    }

    /// Returns the trials this call runs and how many threads run them, and tells the observer
    /// the plan; `finished` trials of `existing` are on the board, `restored` of them written
    /// back from this agent's journal.
    fn plan(
        &self,
        opened: &Opened,
        existing: &[Trial],
        (finished, restored): (u32, usize),
    ) -> (Pending, usize) {
        let (spec, agent) = (self.spec, self.options.agent.as_ref());
        let run_cap = opened.info.run_cap;
        // Trials the target or the plateau, reached in an earlier run, keeps from starting are
        // not pending.
        let stopped = spec.stopped_by(existing);
        let done: Vec<TrialId> = existing
            .iter()
            .filter(|t| t.state.is_finished())
            .map(|t| t.id)
            .collect();
        let pending = Pending::new(
            needed_trials(run_cap, stopped, self.window),
            agent.map(|a| (a.agent, a.agents)),
            &done,
        );
        // An agent's share of the trials side by side.
        let threads = match agent {
            Some(a) => usize::try_from(self.window.div_ceil(a.agents.max(1))).unwrap_or(1),
            None => self.options.parallel,
        };
        let parallel = threads
            .max(1)
            .min(usize::try_from(pending.len()).unwrap_or(usize::MAX).max(1));
        self.observer.study_started(&StudyPlan {
            experiment: spec.name.clone(),
            total: run_cap,
            already_finished: finished,
            parallel,
            resumed: opened.resumed,
            to_run: u32::try_from(pending.len()).unwrap_or(u32::MAX),
            stopped,
            agent: agent.map(|a| (a.agent, a.agents)),
            restored: u32::try_from(restored).unwrap_or(u32::MAX),
            warm_start: opened.warm.as_ref().map(|w| {
                let said = w.describe();
                match &opened.warm_note {
                    Some(note) => format!("{said}; note: {note}"),
                    None => said,
                }
            }),
        });
        (pending, parallel)
    }

    /// Records how the study ended in the experiment's record, and for an agent whose study
    /// finished, shares the best trial's result on the test split; returns the summary.
    /// `own_before` trials of this process had finished before the call.
    fn finish(
        &self,
        info: ExperimentInfo,
        own_before: usize,
        peers: Option<&Peers<'_>>,
    ) -> Result<StudySummary> {
        let (store, spec, stop) = (self.store, self.spec, &self.options.stop);
        let trials = store.trials(&spec.name)?;
        let ran = u32::try_from(self.own_finished(&trials).saturating_sub(own_before))
            .unwrap_or(u32::MAX);
        let stopped = spec.stopped_by(&trials);
        let run_cap = info.run_cap;
        let status = self.status(&trials, run_cap, stopped);
        // An agent's store may be made after the study began (an agent that joined late, or
        // started again on a new store).
        store.update_experiment(&ExperimentInfo {
            status,
            finished: Some(self.clock.now()),
            created: info.began(&trials),
            ..info
        })?;
        store.flush()?;
        let best = spec.best(&trials).cloned();
        // An agent still waiting for the test split's result when stopped is interrupted too.
        let mut interrupted = stop.closed() && status == ExperimentStatus::Interrupted;
        let mut awaiting_test = false;
        if let (Some(peers), Some(best), ExperimentStatus::Finished) = (peers, &best, status) {
            let shared = peers
                .share_test(self.objective, best, stop)
                .map_err(|error| told(peers, error))?;
            awaiting_test = !shared;
            interrupted |= awaiting_test;
        }
        Ok(StudySummary {
            trials,
            ran,
            planned: run_cap,
            best,
            interrupted,
            stopped,
            awaiting_test,
        })
    }

    /// Returns `Finished` when every trial the experiment needs (`needed_trials`, of `run_cap`
    /// and what `stopped` it) has ended among `trials`, else `Interrupted`.
    fn status(&self, trials: &[Trial], run_cap: u32, stopped: Option<Stopped>) -> ExperimentStatus {
        let needed = needed_trials(run_cap, stopped, self.window);
        // Trial numbers are unique: the experiment is done when every one below `needed` ended.
        let ended_needed = trials
            .iter()
            .filter(|t| t.id.0 < needed && t.state.is_finished())
            .count();
        if ended_needed == usize::try_from(needed).unwrap_or(usize::MAX) {
            ExperimentStatus::Finished
        } else {
            ExperimentStatus::Interrupted
        }
    }
}

/// Returns the sampler of `spec`, which learns from the trials of `warm` first when it has them.
fn sampler(spec: &ExperimentSpec, warm: Option<WarmStarted>) -> Box<dyn search::Sampler> {
    match warm {
        Some(warm) => Box::new(search::WarmSampler::new(
            search::sampler_of(spec),
            warm.trials,
        )),
        None => search::sampler_of(spec),
    }
}

/// Returns how the study ends once its workers have: with `error` when one ended it; else, for
/// an agent, once the other agents' trials have ended too (`Peers::settle`). An agent tells
/// the others of its error (`told`).
fn settle(error: Option<Error>, peers: Option<&Peers<'_>>, stop: &Stop) -> Result<()> {
    match (error, peers) {
        (Some(error), Some(peers)) => Err(told(peers, error)),
        (Some(error), None) => Err(error),
        // The other agents' trials, to the end of the study.
        (None, Some(peers)) => peers.settle(stop).map_err(|error| told(peers, error)),
        (None, None) => Ok(()),
    }
}

/// Tells the other agents of `error`, which ends this agent's study, unless it is another
/// agent's (`Error::AgentFailed`, which that agent wrote), and returns it.
fn told(peers: &Peers<'_>, error: Error) -> Error {
    if !matches!(error, Error::AgentFailed { .. }) {
        peers.abort(&error);
    }
    error
}

/// Returns how many trials, numbered from 0, the experiment runs: all `run_cap`, or with its
/// target reached or its plateau completed by trial `t`, those below `t + window` (no later
/// one starts).
pub(crate) fn needed_trials(run_cap: u32, stopped: Option<Stopped>, window: u32) -> u32 {
    stopped.map_or(run_cap, |s| run_cap.min(s.trial().0.saturating_add(window)))
}

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod stop_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trace_tests;
