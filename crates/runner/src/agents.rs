//! One study run by several agents: `sweep run` processes, on one machine or many, started by
//! whatever runs jobs there (a Slurm array, a Kubernetes indexed job, a shell loop).
//!
//! Agent `i` of `n` runs the trials numbered `i`, `i + n`, `i + 2n`, ..., and learns everything
//! else from the other agents' journals (`store::Exchange`, on a folder they all see): each
//! remote trial's start, reports and end go on the board, so that the deterministic rule
//! (`board`) holds across agents exactly as across threads, and into the agent's own store, so
//! that each agent's store ends holding the whole study. With `parallel = p` across all agents
//! the results are those of one process with `parallel: p`, bit for bit on CPU, whatever the
//! machines and their timing.
//!
//! Each agent keeps its own store (sled is one process's); the shared folder carries only the
//! journals. An agent ends when every trial of the study has ended, not just its own, so that
//! its summary and store are whole; killed and started again, it re-reads the journals and
//! re-runs its unfinished trials, as a single process resumes.
//!
//! After the study, the best trial is measured once on the test split, by the agent that ran
//! it (from its checkpoint), which publishes the result (`JournalEvent::Tested`, with no
//! metrics when there is no test split); the others wait for it and store it, rather than each
//! train that trial again.
//!
//! A warm start (`warm_start:`) is taken by each agent, from its own copy of the file or its own
//! store, before it meets the others: the journals' headers carry the digest of the trials
//! taken (`store::warm_start_digest`), so agents that took other trials refuse each other, and
//! agent 0 publishes the trials (`JournalEvent::Warm`) for a follower to show.
//!
//! An agent that has not joined, or was lost, holds the study up: the first trial that has not
//! ended is sooner or later every other trial's wait. Each agent therefore touches its journal
//! every quarter of `quiet_after` (a change of modification time, no line written), and tells
//! its observer when the trial the study waits for belongs to an agent whose journal has not
//! changed for `quiet_after`, and again when that agent is heard from. Only messages depend on
//! this timing, never a result.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use experiment::{ExperimentSpec, Objective, Trial, TrialId, TrialState, WarmStarted};
use store::{AgentHeader, Exchange, JournalEvent, Polled, Store, TestResult};

use crate::board::Board;
use crate::hearing::Hearing;
use crate::reporter;
use crate::worker::lock;
use crate::{Error, Observer, Result, Stop, StudyOptions};

/// Which agent this process is, and where the agents meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentOptions {
    /// This agent's number, below `agents`.
    pub agent: u32,
    /// How many agents run the study.
    pub agents: u32,
    /// The folder every agent reads and writes its journal in.
    pub exchange: PathBuf,
    /// How often the other agents' journals are read.
    pub poll: Duration,
    /// How long the agent the study waits for may leave its journal unchanged before the
    /// observer hears of it.
    pub quiet_after: Duration,
}

impl AgentOptions {
    /// Returns the agent that runs trial `id`.
    fn owner(&self, id: TrialId) -> u32 {
        owner(id, self.agents)
    }

    /// Returns whether this agent runs trial `id`.
    pub(crate) fn owns(&self, id: TrialId) -> bool {
        self.owner(id) == self.agent
    }
}

/// Returns the agent, of `agents`, that runs trial `id`.
pub(crate) fn owner(id: TrialId, agents: u32) -> u32 {
    id.agent(agents)
}

/// An agent that has joined the exchange, before it runs anything.
pub(crate) struct Met {
    exchange: Exchange,
    /// What its journal held from an earlier run.
    earlier: Vec<JournalEvent>,
    /// What the other agents had written, their headers checked.
    first: Vec<Polled>,
}

/// Joins the exchange as agent `options.agent` of a study of `spec` planning `planned` trials,
/// warm-started with `warm`, and reads what the others wrote so far: refuses, before the agent
/// writes anything, an earlier journal of its own or another agent's with other settings.
pub(crate) fn meet(
    options: &AgentOptions,
    spec: &ExperimentSpec,
    study: &StudyOptions,
    planned: u32,
    warm: Option<&WarmStarted>,
) -> Result<Met> {
    let header = AgentHeader {
        experiment: spec.name.clone(),
        agent: options.agent,
        agents: options.agents,
        parallel: u32::try_from(study.parallel.max(1)).unwrap_or(u32::MAX),
        planned,
        spec_hash: spec.hash(),
        spec_text: spec.source.clone(),
        data_hash: study
            .record
            .as_ref()
            .map_or_else(String::new, |r| r.data_hash.clone()),
        warm_hash: warm.map_or_else(String::new, store::warm_start_digest),
    };
    let (exchange, earlier) = Exchange::join(&options.exchange, header)?;
    let first = exchange.poll_placed()?;
    Ok(Met {
        exchange,
        earlier,
        first,
    })
}

/// Writes into `store` the trials of this agent that its own journal holds finished but the
/// store does not, with their curves (and the test split's result it measured, if the store
/// lacks one): an agent started again with a new store (its node lost with the old one) does
/// not train them again. Returns how many trials it restored.
pub(crate) fn restore(met: &Met, store: &Store, spec: &ExperimentSpec) -> Result<usize> {
    let name = &spec.name;
    let stored: BTreeSet<TrialId> = store
        .trials(name)?
        .iter()
        .filter(|t| t.state.is_finished())
        .map(|t| t.id)
        .collect();
    let missing: BTreeSet<TrialId> = met
        .earlier
        .iter()
        .filter_map(|e| match e {
            JournalEvent::Finish(t) if t.state.is_finished() && !stored.contains(&t.id) => {
                Some(t.id)
            }
            _ => None,
        })
        .collect();
    let untested = store.test_result(name)?.is_none();
    // The journal's first line is its header, and each later line one event.
    for (line, event) in (2..).zip(&met.earlier) {
        let restored = match event {
            JournalEvent::Start(t) | JournalEvent::Finish(t) => missing.contains(&t.id),
            JournalEvent::Report { trial, .. } => missing.contains(trial),
            JournalEvent::Tested(_) => untested,
            JournalEvent::Skip(_) | JournalEvent::Abort(_) | JournalEvent::Warm(_) => false,
        };
        if restored {
            let heard = Polled {
                agent: met.exchange.agent(),
                event: event.clone(),
                path: met.exchange.own_path().to_path_buf(),
                line,
            };
            in_space(spec, &heard)?;
            result_given(spec, store, &heard)?;
            record(store, name, event)?;
            if let JournalEvent::Tested(result) = event {
                // A new store of the agent that ran the best trial: its shared copy comes back.
                adopt_checkpoint(&met.exchange, store, spec, result.trial);
            }
        }
    }
    Ok(missing.len())
}

/// Copies into `store` the checkpoint of the study's best trial `trial` that the agent which
/// ran it shared in the exchange, unless the store has it (`store::Exchange::adopt_checkpoint`).
/// A failure, or a copy not there although `spec` keeps checkpoints (the exchange's
/// `checkpoints` folder deleted or cleaned), is warned of and does not stop the study: only
/// `sweep predict` in this store needs the copy, and the agent that ran the trial keeps the
/// checkpoint.
fn adopt_checkpoint(exchange: &Exchange, store: &Store, spec: &ExperimentSpec, trial: TrialId) {
    let name = &spec.name;
    let Some(folder) = store.checkpoint_folder(name) else {
        return;
    };
    match exchange.adopt_checkpoint(&folder, trial) {
        Ok(true) => {}
        Ok(false) if spec.checkpoints.keep == 0 || store.has_checkpoint(name, trial) => {}
        Ok(false) => {
            let missing = exchange.shared_checkpoint(trial);
            tracing::warn!(
                %trial,
                missing = %missing.display(),
                "the exchange holds no copy of the best trial's checkpoint: this store will lack \
                 it (the store of the agent that ran the trial keeps it)"
            );
        }
        Err(e) => tracing::warn!(%e, "this store will lack the best trial's checkpoint"),
    }
}

/// How many trials the study needs, from those finished (fewer once one reached the target).
pub(crate) type Needed<'a> = &'a (dyn Fn(&[Trial]) -> u32 + Sync);

/// Returns an error when the event `heard`, read from an agent's journal (of `agents`), is not
/// one that agent could have written: about a trial another agent runs (`Error::StrayTrial`),
/// or one `in_space` or `result_given` refuses.
pub(crate) fn check_event(
    spec: &ExperimentSpec,
    store: &Store,
    agents: u32,
    heard: &Polled,
) -> Result<()> {
    check_trial(spec, agents, heard)?;
    result_given(spec, store, heard)
}

/// Returns an error when the event `heard`, read from an agent's journal (of `agents`), is
/// about a trial another agent runs (`Error::StrayTrial`), or one `in_space` refuses: the
/// checks of `check_event` that read nothing from the store.
fn check_trial(spec: &ExperimentSpec, agents: u32, heard: &Polled) -> Result<()> {
    let Polled {
        agent,
        event,
        path,
        line,
    } = heard;
    if let Some(id) = event.trial().filter(|id| owner(*id, agents) != *agent) {
        return Err(Error::StrayTrial {
            journal: path.clone(),
            line: *line,
            agent: *agent,
            trial: id,
            owner: owner(id, agents),
        });
    }
    in_space(spec, heard)
}

/// Returns an error when the event `heard`, from an agent's journal, gives a trial parameters
/// that are not a point of the study's space (`Error::StrayParams`): a hand-edited or damaged
/// line. No agent's sampler gives those parameters; taken as the study's, they would mislead
/// every later suggestion.
fn in_space(spec: &ExperimentSpec, heard: &Polled) -> Result<()> {
    let (JournalEvent::Start(trial) | JournalEvent::Finish(trial)) = &heard.event else {
        return Ok(());
    };
    match spec.space.not_a_point(&trial.params) {
        Some(problem) => Err(Error::StrayParams {
            journal: heard.path.clone(),
            line: heard.line,
            agent: heard.agent,
            trial: trial.id,
            problem,
        }),
        None => Ok(()),
    }
}

/// Returns an error when the event `heard`, from an agent's journal, ends a trial with a result
/// its reports, already in `store`, do not give (`Error::StrayResult`): a hand-edited or damaged
/// line. No agent's trial gives that result; taken as the study's, it would mislead every later
/// suggestion and the ranking. Reads the trial's curves from the store.
fn result_given(spec: &ExperimentSpec, store: &Store, heard: &Polled) -> Result<()> {
    let JournalEvent::Finish(trial) = &heard.event else {
        return Ok(());
    };
    match result_problem(spec, trial, &store.all_metric_series(&spec.name, trial.id)?) {
        Some(problem) => Err(Error::StrayResult {
            journal: heard.path.clone(),
            line: heard.line,
            trial: trial.id,
            problem,
        }),
        None => Ok(()),
    }
}

/// Returns what is wrong with ended `trial`'s result against its reported `curves` (every
/// metric's points, by name), if anything: the result is its best step's report, so each of
/// its metrics that was reported must have that value at that step (bit for bit: journals
/// carry floats exactly), the objective's among them, and a result needs a report at all.
fn result_problem(
    spec: &ExperimentSpec,
    trial: &Trial,
    curves: &BTreeMap<String, Vec<(experiment::Step, f64)>>,
) -> Option<String> {
    let result = trial.result.as_ref().filter(|r| !r.metrics.is_empty())?;
    let step = result.best_step;
    if curves.values().all(Vec::is_empty) {
        return Some(format!(
            "its best step is epoch {step}, but the journal reports none of its epochs"
        ));
    }
    let objective = &spec.metric.name;
    if result.metrics.contains_key(objective) && curves.get(objective).is_none_or(Vec::is_empty) {
        return Some(format!(
            "its `{objective}` is {}, but the journal reports no `{objective}` of it",
            result.metrics[objective]
        ));
    }
    for (name, value) in &result.metrics {
        let Some(curve) = curves.get(name).filter(|c| !c.is_empty()) else {
            continue;
        };
        match curve.iter().find(|(s, _)| *s == step) {
            Some((_, reported)) if reported.to_bits() == value.to_bits() => {}
            Some((_, reported)) => {
                return Some(format!(
                    "`{name}` is {value} at its best step, epoch {step}, where the journal \
                     reports {reported}"
                ))
            }
            None => {
                return Some(format!(
                    "its best step is epoch {step}, where the journal reports no `{name}`"
                ))
            }
        }
    }
    None
}

/// Writes what another agent's `event` says into `store`, under experiment `name`, as that
/// agent wrote it into its own: a trial started (from scratch), a report, a trial's end, the
/// test split's result, the warm start (into a store without one: a follower's). Skips and
/// aborts change nothing stored.
pub(crate) fn record(store: &Store, name: &str, event: &JournalEvent) -> Result<()> {
    match event {
        JournalEvent::Start(trial) => {
            store.clear_metrics(name, trial.id)?;
            store.put_trial(name, trial)?;
        }
        JournalEvent::Report {
            trial,
            step,
            metrics,
        } => store.append_metrics(name, *trial, *step, metrics)?,
        JournalEvent::Finish(trial) => {
            store.put_trial(name, trial)?;
            store.flush()?;
        }
        JournalEvent::Tested(result) if !result.metrics.is_empty() => {
            store.put_test_result(name, result)?;
            store.flush()?;
        }
        JournalEvent::Warm(warm) => {
            if !store.has_warm_start(name)? {
                store.put_warm_start(name, warm)?;
            }
        }
        JournalEvent::Tested(_) | JournalEvent::Skip(_) | JournalEvent::Abort(_) => {}
    }
    Ok(())
}

/// The study an agent's link to the others works on.
pub(crate) struct Study<'a> {
    pub(crate) store: &'a Store,
    pub(crate) spec: &'a ExperimentSpec,
    pub(crate) board: &'a Board,
    pub(crate) observer: &'a dyn Observer,
    pub(crate) needed: Needed<'a>,
}

/// This agent's link to the others: publishes its own trials' events and applies theirs.
pub(crate) struct Peers<'a> {
    exchange: Exchange,
    options: &'a AgentOptions,
    store: &'a Store,
    spec: &'a ExperimentSpec,
    board: &'a Board,
    observer: &'a dyn Observer,
    needed: Needed<'a>,
    /// Remote trials the store held finished when the agent started: their replayed events go
    /// on the board only.
    settled: BTreeSet<TrialId>,
    watch: Mutex<Watch>,
    /// The trials whose test-split result an agent published (`JournalEvent::Tested`).
    tested: Mutex<BTreeSet<TrialId>>,
    /// The best trial, once every trial has ended and this agent waits for its test-split
    /// result from the agent that ran it.
    awaiting: Mutex<Option<TrialId>>,
}

/// This agent's beat and what it hears of the others.
struct Watch {
    /// When this agent last touched its journal and looked for a quiet agent.
    beat: Instant,
    /// Whether touching the journal failed (warned of once).
    touch_failed: bool,
    hearing: Hearing,
}

impl<'a> Peers<'a> {
    /// Publishes the finished trials of this agent that its journal lacks (it was killed
    /// between storing and publishing them) and, for agent 0, the study's `warm` start if its
    /// journal lacks it, and applies what the other agents wrote so far.
    pub(crate) fn join(
        met: Met,
        options: &'a AgentOptions,
        study: Study<'a>,
        (existing, warm): (&[Trial], Option<&WarmStarted>),
    ) -> Result<Peers<'a>> {
        let Study {
            store,
            spec,
            board,
            observer,
            needed,
        } = study;
        let Met {
            exchange,
            earlier,
            first,
        } = met;
        let published: BTreeSet<TrialId> = earlier
            .iter()
            .filter_map(|e| match e {
                JournalEvent::Finish(t) => Some(t.id),
                _ => None,
            })
            .collect();
        let warm_published = earlier.iter().any(|e| matches!(e, JournalEvent::Warm(_)));
        let settled = existing
            .iter()
            .filter(|t| t.state.is_finished() && !options.owns(t.id))
            .map(|t| t.id)
            .collect();
        let now = Instant::now();
        let hearing = Hearing::new(
            exchange.peer_journals(),
            options.agents,
            options.quiet_after,
            now,
        );
        let peers = Peers {
            exchange,
            options,
            store,
            spec,
            board,
            observer,
            needed,
            settled,
            watch: Mutex::new(Watch {
                beat: now,
                touch_failed: false,
                hearing,
            }),
            tested: Mutex::new(BTreeSet::new()),
            awaiting: Mutex::new(None),
        };
        // An agent started again is heard from at once.
        peers.touch(&mut lock(&peers.watch));
        // An error from here on is told the others, as one while the study runs.
        let joined = (|| -> Result<()> {
            if let Some(warm) = warm.filter(|_| options.agent == 0 && !warm_published) {
                peers.publish(&JournalEvent::Warm(warm.clone()))?;
            }
            for trial in existing {
                if options.owns(trial.id)
                    && trial.state.is_finished()
                    && !published.contains(&trial.id)
                {
                    peers.republish(trial)?;
                }
            }
            // An agent's stop on an error before this one started is history: if it started again
            // since, the error is over; if not, it runs again once mended and started, and this
            // agent waits for its trials meanwhile (saying so), rather than ending on the old error
            // as an agent running at the time did. Only an error heard from now on ends this one.
            let last_words: BTreeMap<u32, usize> = first
                .iter()
                .enumerate()
                .map(|(i, heard)| (heard.agent, i))
                .collect();
            for (i, heard) in first.into_iter().enumerate() {
                let agent = heard.agent;
                match &heard.event {
                    JournalEvent::Abort(reason) => {
                        if last_words.get(&agent) == Some(&i) {
                            tracing::warn!(
                                "agent {agent} of {} stopped on an error before this agent started \
                                 ({reason}); its trials run once it is mended and started again, \
                                 and this agent waits for them",
                                options.agents
                            );
                        }
                    }
                    _ => peers.apply(heard)?,
                }
            }
            peers.catch_up()?;
            Ok(())
        })();
        match joined {
            Ok(()) => Ok(peers),
            Err(error) => {
                if !matches!(error, Error::AgentFailed { .. }) {
                    peers.abort(&error);
                }
                Err(error)
            }
        }
    }

    /// Publishes `event` about one of this agent's trials.
    pub(crate) fn publish(&self, event: &JournalEvent) -> Result<()> {
        Ok(self.exchange.publish(event)?)
    }

    /// Tells the others that this agent stopped on `error`, so that they do not wait for it.
    pub(crate) fn abort(&self, error: &Error) {
        if let Err(e) = self.publish(&JournalEvent::Abort(error.to_string())) {
            tracing::warn!(%e, "could not tell the other agents of the error");
        }
    }

    /// Applies the other agents' events until `done`, reading their journals every `poll`, or
    /// until `stop` is requested: then it ends the board's waits (`Board::abort`), since a trial
    /// that waits for a trial of an agent that is gone would wait for ever, and returns.
    /// Once `stop` closes the study (its time limit), no trial waits for its parameters either
    /// (`Board::close`): it would not start; and once the study waits for a quiet agent, the
    /// running trials stop waiting too (`Board::abort`; they run again on resume), since they
    /// could not finish before that agent comes back.
    pub(crate) fn follow(&self, done: &AtomicBool, stop: &Stop) -> Result<()> {
        while !done.load(Ordering::SeqCst) {
            if stop.requested() || (stop.closed() && self.waits_for_a_quiet_agent()) {
                self.board.abort();
                return Ok(());
            }
            if stop.closed() {
                self.board.close();
            }
            self.catch_up()?;
            std::thread::sleep(self.options.poll);
        }
        Ok(())
    }

    /// Returns whether the first trial the study needs that has not ended is another agent's,
    /// whose journal has stood still for `quiet_after`.
    fn waits_for_a_quiet_agent(&self) -> bool {
        self.first_open().is_some_and(|trial| {
            let agent = self.options.owner(trial);
            lock(&self.watch).hearing.is_quiet(agent, Instant::now())
        })
    }

    /// Applies the other agents' events until every trial the study needs has ended, or
    /// `stop` closes the study.
    pub(crate) fn settle(&self, stop: &Stop) -> Result<()> {
        // The board changes only by the others' events: it is looked at again only then.
        let mut changed = true;
        loop {
            if stop.closed() {
                return Ok(());
            }
            if changed && self.first_open().is_none() {
                return Ok(());
            }
            std::thread::sleep(self.options.poll);
            changed = self.catch_up()?;
        }
    }

    /// Measures the study's `best` trial on the test split when this agent ran it, stores and
    /// publishes the result (with no metrics when the objective has no test split); otherwise
    /// waits until the agent that ran it publishes one, or `stop` closes the study. Called
    /// once every trial the study needs has ended. Returns false when `stop` cut the wait
    /// short.
    pub(crate) fn share_test(
        &self,
        objective: &dyn Objective,
        best: &Trial,
        stop: &Stop,
    ) -> Result<bool> {
        let name = &self.spec.name;
        if self.options.owns(best.id) {
            let result = match self.store.test_result(name)? {
                Some(stored) if stored.trial == best.id => stored,
                _ => {
                    let metrics = match objective.test(best) {
                        None => BTreeMap::new(),
                        Some(Ok(metrics)) => metrics,
                        Some(Err(message)) => {
                            return Err(Error::TestSplit {
                                trial: best.id,
                                message,
                            })
                        }
                    };
                    TestResult {
                        trial: best.id,
                        metrics,
                    }
                }
            };
            // Stored as the others store it, then published after the trial's checkpoint, which
            // whoever stores the result takes into its own store.
            let tested = JournalEvent::Tested(result);
            record(self.store, name, &tested)?;
            if let Some(folder) = self.store.checkpoint_folder(name) {
                if let Err(e) = self.exchange.share_checkpoint(&folder, best.id) {
                    tracing::warn!(%e, "the other agents' stores will lack the best trial's checkpoint");
                }
            }
            self.publish(&tested)?;
            return Ok(true);
        }
        *lock(&self.awaiting) = Some(best.id);
        loop {
            let stored = self
                .store
                .test_result(name)?
                .is_some_and(|r| r.trial == best.id);
            if stored || lock(&self.tested).contains(&best.id) {
                return Ok(true);
            }
            if stop.closed() {
                return Ok(false);
            }
            std::thread::sleep(self.options.poll);
            self.catch_up()?;
        }
    }

    /// Reads the other agents' new events and applies them; returns whether there were any.
    fn catch_up(&self) -> Result<bool> {
        let events = self.exchange.poll_placed()?;
        let any = !events.is_empty();
        for heard in events {
            self.apply(heard)?;
        }
        self.listen();
        Ok(any)
    }

    /// Returns the first trial the study needs that has not ended.
    fn first_open(&self) -> Option<TrialId> {
        self.board
            .first_open_below((self.needed)(&self.board.finished()))
    }

    /// Notes which agents' journals changed since the last poll, and on each beat touches this
    /// agent's and tells the observer when the trial the study waits for belongs to an agent
    /// quiet for `quiet_after` (again at each doubling of its quiet time).
    fn listen(&self) {
        let now = Instant::now();
        let mut watch = lock(&self.watch);
        watch
            .hearing
            .note(self.exchange.peer_journals(), now, self.observer);
        let beat = (self.options.quiet_after / 4).max(self.options.poll);
        if now.duration_since(watch.beat) < beat {
            return;
        }
        watch.beat = now;
        self.touch(&mut watch);
        let open = self.first_open();
        let Some((trial, measuring)) = open
            .map(|t| (t, false))
            .or_else(|| lock(&self.awaiting).map(|t| (t, true)))
        else {
            return;
        };
        // This agent's own trials are not heard, so never reported.
        let agent = self.options.owner(trial);
        watch
            .hearing
            .check((trial, measuring), agent, now, self.observer);
    }

    /// Touches this agent's journal, so that the others hear it is alive; a failure is warned
    /// of once (the others may then report this agent quiet) and does not stop the study.
    fn touch(&self, watch: &mut Watch) {
        if let Err(e) = self.exchange.touch() {
            if !watch.touch_failed {
                tracing::warn!(%e, "could not touch this agent's journal; the others may report it quiet");
            }
            watch.touch_failed = true;
        }
    }

    /// Puts another agent's event on the board and in the store, as if a local worker had.
    fn apply(&self, heard: Polled) -> Result<()> {
        let name = &self.spec.name;
        // A remote trial the store held finished when the agent started goes on the board only.
        let replayed = match &heard.event {
            JournalEvent::Start(t) | JournalEvent::Finish(t) => self.settled.contains(&t.id),
            JournalEvent::Report { trial, .. } => self.settled.contains(trial),
            _ => false,
        };
        if replayed {
            // Its result was checked against its curves as they were stored, from this
            // journal: only what reads nothing from the store is checked again.
            check_trial(self.spec, self.options.agents, &heard)?;
        } else {
            check_event(self.spec, self.store, self.options.agents, &heard)?;
            record(self.store, name, &heard.event)?;
        }
        let Polled { agent, event, .. } = heard;
        match event {
            JournalEvent::Start(trial) => self.board.start(trial.id, trial.params),
            JournalEvent::Report {
                trial,
                step,
                metrics,
            } => {
                let (value, _) = reporter::board_value(self.spec, &metrics);
                self.board.report(trial, step, value);
            }
            JournalEvent::Finish(trial) => {
                if !self.settled.contains(&trial.id) {
                    self.observer.trial_finished(&trial);
                }
                self.board.finish(trial);
            }
            JournalEvent::Skip(trial) => self.board.skip(trial),
            JournalEvent::Tested(result) => {
                adopt_checkpoint(&self.exchange, self.store, self.spec, result.trial);
                lock(&self.tested).insert(result.trial);
            }
            JournalEvent::Abort(reason) => return Err(Error::AgentFailed { agent, reason }),
            JournalEvent::Warm(_) => {}
        }
        Ok(())
    }

    /// Publishes a finished trial of this agent from the store: its start, reports and end.
    fn republish(&self, trial: &Trial) -> Result<()> {
        let started = Trial {
            state: TrialState::Running,
            reason: None,
            finished: None,
            result: None,
            ..trial.clone()
        };
        self.publish(&JournalEvent::Start(started))?;
        let series = self.store.all_metric_series(&self.spec.name, trial.id)?;
        let steps: BTreeSet<_> = series.values().flatten().map(|(s, _)| *s).collect();
        for step in steps {
            let metrics = series
                .iter()
                .filter_map(|(name, points)| {
                    points.iter().find(|(s, _)| *s == step).map(|(_, value)| {
                        experiment::MetricPoint {
                            name: name.clone(),
                            value: *value,
                        }
                    })
                })
                .collect();
            self.publish(&JournalEvent::Report {
                trial: trial.id,
                step,
                metrics,
            })?;
        }
        self.publish(&JournalEvent::Finish(trial.clone()))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::AtomicI64;

    use experiment::{Method, PrunerSpec, Step};

    use crate::QuietAgent;

    use super::*;
    use crate::testing::*;
    use crate::{run_study, SilentObserver, StudyOptions, StudySummary};

    fn agent_options(agent: u32, agents: u32, exchange: &Path, parallel: usize) -> StudyOptions {
        StudyOptions {
            agent: Some(AgentOptions {
                agent,
                agents,
                exchange: exchange.to_path_buf(),
                poll: Duration::from_millis(1),
                quiet_after: Duration::from_secs(3600),
            }),
            ..options(parallel)
        }
    }

    /// Runs agent `agent` of `agents` on its own temporary store, with its own timing.
    fn run_agent(
        spec: &ExperimentSpec,
        agent: u32,
        agents: u32,
        exchange: &Path,
        parallel: usize,
        observer: &dyn Observer,
    ) -> (Store, crate::Result<StudySummary>) {
        let options = agent_options(agent, agents, exchange, parallel);
        run_agent_with(spec, &options, observer)
    }

    /// Runs an agent as `options` say, on its own temporary store, with its own timing.
    fn run_agent_with(
        spec: &ExperimentSpec,
        options: &StudyOptions,
        observer: &dyn Observer,
    ) -> (Store, crate::Result<StudySummary>) {
        let store = Store::temporary().unwrap();
        let objective = Quadratic {
            // Agents' trials of different lengths, in another pattern for each agent.
            jitter: |k| u64::from((k * 7 + 3) % 4),
            ..quadratic(2.0)
        };
        let clock = TickClock(AtomicI64::new(0));
        let summary = run_study(&store, spec, &objective, observer, &clock, options);
        (store, summary)
    }

    /// Agent `agent` of 2 that reports an agent quiet after 20 ms.
    fn impatient(agent: u32, exchange: &Path) -> StudyOptions {
        let mut options = agent_options(agent, 2, exchange, 2);
        if let Some(a) = options.agent.as_mut() {
            a.quiet_after = Duration::from_millis(20);
        }
        options
    }

    /// Records what an agent said of the others.
    #[derive(Default)]
    struct Listener(std::sync::Mutex<Vec<String>>);

    impl Listener {
        fn said(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }

        /// Waits until `n` things were said (a test that never hears them fails here).
        fn wait(&self, n: usize) {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while self.said().len() < n {
                assert!(std::time::Instant::now() < deadline, "nothing was said");
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }

    impl Observer for Listener {
        fn agent_quiet(&self, quiet: &QuietAgent) {
            assert!(quiet.quiet_for >= Duration::from_millis(20));
            assert!(quiet
                .journal
                .ends_with(format!("toy/agent-{}.jsonl", quiet.agent)));
            self.0.lock().unwrap().push(format!(
                "quiet: agent {} of {}, trial {}, joined {}{}",
                quiet.agent,
                quiet.agents,
                quiet.trial,
                quiet.joined,
                if quiet.measuring { ", measuring" } else { "" }
            ));
        }

        fn agent_heard(&self, heard: &QuietAgent) {
            self.0.lock().unwrap().push(format!(
                "heard: agent {}, joined {}",
                heard.agent, heard.joined
            ));
        }
    }

    /// What must not depend on who ran a trial: parameters, state, reason, values, curve.
    fn view(store: &Store, summary: &StudySummary) -> Vec<String> {
        summary
            .trials
            .iter()
            .map(|t| {
                let curve = store.metric_series("toy", t.id, "val_loss").unwrap();
                let bits: Vec<_> = curve.iter().map(|(s, v)| (s.0, v.to_bits())).collect();
                format!(
                    "{} {:?} {:?} {:?} {:?} {bits:?}",
                    t.id,
                    t.state,
                    t.reason,
                    t.params["lr"].as_f64().map(f64::to_bits),
                    t.value("val_loss").map(f64::to_bits),
                )
            })
            .collect()
    }

    /// The header of agent 1 of 2 of a study of `spec` with 6 trials, 2 side by side.
    fn agent_1(spec: &ExperimentSpec) -> AgentHeader {
        AgentHeader {
            experiment: "toy".into(),
            agent: 1,
            agents: 2,
            parallel: 2,
            planned: 6,
            spec_hash: spec.hash(),
            data_hash: String::new(),
            spec_text: spec.source.clone(),
            warm_hash: String::new(),
        }
    }

    #[test]
    fn issue_aud_3_an_agent_that_refuses_another_s_journal_tells_the_others() {
        // Agent 1's journal gives trial 1 text for `lr` (a hand edit): read as agent 0 joins,
        // or once its own trials 0 and 2 are done and it waits for the others'.
        for late in [false, true] {
            let spec = spec(4, "agents");
            let dir = tempfile::tempdir().unwrap();
            let bad = JournalEvent::Start(Trial {
                id: TrialId(1),
                seed: experiment::Seed(1),
                params: [("lr".to_string(), experiment::ParamValue::Str("abc".into()))].into(),
                state: TrialState::Running,
                reason: None,
                started: Some(experiment::Timestamp(1000)),
                finished: None,
                result: None,
            });
            let one = AgentHeader {
                planned: 4,
                ..agent_1(&spec)
            };
            let zero_journal = dir.path().join("toy").join("agent-0.jsonl");
            let (_, result) = std::thread::scope(|scope| {
                if !late {
                    let (one, _) = Exchange::join(dir.path(), one.clone()).unwrap();
                    one.publish(&bad).unwrap();
                } else {
                    scope.spawn(|| {
                        // Once agent 0 published its trial 2's end.
                        let mut watcher = store::Watcher::new(dir.path(), "toy");
                        loop {
                            std::thread::sleep(Duration::from_millis(1));
                            if watcher.read_header().unwrap().is_none() {
                                continue;
                            }
                            let polled = watcher.poll().unwrap();
                            if polled.iter().any(
                                |(_, e)| matches!(e, JournalEvent::Finish(t) if t.id == TrialId(2)),
                            ) {
                                break;
                            }
                        }
                        let (one, _) = Exchange::join(dir.path(), one.clone()).unwrap();
                        one.publish(&bad).unwrap();
                    });
                }
                run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver)
            });
            let error = result.unwrap_err().to_string();
            let journal = dir.path().join("toy").join("agent-1.jsonl");
            let said = format!(
                "agent journal {}:2: agent 1's journal gives trial 1 parameters outside the \
                 study's space: ",
                journal.display()
            );
            assert!(error.starts_with(&said), "{error}");
            // Agent 0's journal ends with its abort, so the others do not wait for it.
            let written = std::fs::read_to_string(&zero_journal).unwrap();
            let last = written.lines().last().unwrap();
            assert!(last.contains(r#""abort":"#), "late {late}: {last}");
        }
    }

    /// What one process running `spec` with `parallel` trials side by side gives.
    fn one_process(spec: &ExperimentSpec, parallel: usize) -> Vec<String> {
        let store = Store::temporary().unwrap();
        let summary = run(&store, spec, &quadratic(2.0), parallel);
        view(&store, &summary)
    }

    fn tpe_with_median(run_cap: u32) -> ExperimentSpec {
        let mut spec = spec(run_cap, "agents");
        spec.method = Method::Tpe(experiment::TpeConfig {
            n_startup_trials: 3,
            ..experiment::TpeConfig::default()
        });
        spec.pruner = PrunerSpec::Median {
            n_startup_trials: 2,
            n_warmup_steps: 1,
        };
        spec
    }

    #[test]
    fn agents_sharing_a_folder_give_the_results_of_one_process() {
        let spec = tpe_with_median(12);
        let single_store = Store::temporary().unwrap();
        let single = run(&single_store, &spec, &quadratic(2.0), 3);
        let expected = view(&single_store, &single);
        assert!(single.count(TrialState::Pruned) > 0, "{expected:?}");

        let dir = tempfile::tempdir().unwrap();
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|agent| {
                    let spec = &spec;
                    let dir = dir.path();
                    scope.spawn(move || run_agent(spec, agent, 3, dir, 3, &SilentObserver))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (agent, (store, summary)) in results.iter().enumerate() {
            let summary = summary.as_ref().unwrap();
            // Each agent ran its own trials and holds everyone's.
            assert_eq!(summary.ran, 4, "agent {agent}");
            assert_eq!(view(store, summary), expected, "agent {agent}");
            let info = store.experiment("toy").unwrap().unwrap();
            assert_eq!(info.status, store::ExperimentStatus::Finished);
        }
    }

    /// Runs agent 1 of 2 of `spec` on `store` until it is stopped (Ctrl-C) in the middle of
    /// trial `at`.
    fn stop_agent_1_in(spec: &ExperimentSpec, dir: &Path, store: &Store, at: TrialId) {
        let stop_at = StopAt {
            at,
            step: Step(2),
            stop: Stop::default(),
            close: false,
        };
        let clock = TickClock(AtomicI64::new(0));
        let stopped = StudyOptions {
            stop: stop_at.stop.clone(),
            ..agent_options(1, 2, dir, 2)
        };
        let objective = quadratic(2.0);
        let summary = run_study(store, spec, &objective, &stop_at, &clock, &stopped);
        assert!(summary.unwrap().interrupted);
    }

    #[test]
    fn an_agent_started_again_on_a_new_store_trains_none_of_its_finished_trials_again() {
        let spec = tpe_with_median(8);
        let expected = one_process(&spec, 2);
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver));
            // Agent 1 is stopped in its trial 5, then its store is lost with its node.
            let lost = Store::temporary().unwrap();
            stop_agent_1_in(&spec, dir.path(), &lost, TrialId(5));
            let done_before: Vec<TrialId> = lost
                .trials("toy")
                .unwrap()
                .iter()
                .filter(|t| t.id.0 % 2 == 1 && t.state.is_finished())
                .map(|t| t.id)
                .collect();
            assert_eq!(done_before, [TrialId(1), TrialId(3)]);
            drop(lost);
            let store = Store::temporary().unwrap();
            let calls = quadratic(2.0);
            // Started again later than the trials it takes back.
            let clock = TickClock(AtomicI64::new(1_000_000));
            let again = agent_options(1, 2, dir.path(), 2);
            let summary = run_study(&store, &spec, &calls, &SilentObserver, &clock, &again);
            // Trials 1 and 3 come from its journal; only 5 and 7 train.
            assert_eq!(calls.calls.load(Ordering::SeqCst), 2);
            (first.join().unwrap(), (store, summary))
        });
        for (store, summary) in [first, second] {
            assert_eq!(view(&store, &summary.unwrap()), expected);
            // The experiment began no later than its first trial, whenever the store was made.
            let info = store.experiment("toy").unwrap().unwrap();
            let began = store
                .trials("toy")
                .unwrap()
                .iter()
                .filter_map(|t| t.started)
                .min();
            assert!(began.is_some_and(|b| info.created <= b), "{info:?}");
        }
    }

    #[test]
    fn an_agent_stopped_and_started_again_gives_the_same_results() {
        let spec = tpe_with_median(8);
        let expected = one_process(&spec, 2);

        let dir = tempfile::tempdir().unwrap();
        let (first, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver));
            // Agent 1 is stopped (Ctrl-C) in the middle of its trial 3, and agent 0 waits for
            // it meanwhile; then the same agent, on the same store, carries on.
            let store = Store::temporary().unwrap();
            stop_agent_1_in(&spec, dir.path(), &store, TrialId(3));
            let clock = TickClock(AtomicI64::new(0));
            let objective = quadratic(2.0);
            let again = agent_options(1, 2, dir.path(), 2);
            let summary = run_study(&store, &spec, &objective, &SilentObserver, &clock, &again);
            (first.join().unwrap(), (store, summary))
        });
        for (store, summary) in [first, second] {
            assert_eq!(view(&store, &summary.unwrap()), expected);
        }
    }

    #[test]
    fn an_agent_started_again_checks_against_its_store_only_the_trials_it_had_not_settled() {
        let spec = tpe_with_median(6);
        let dir = tempfile::tempdir().unwrap();
        let (store, summary) = std::thread::scope(|scope| {
            let other = scope.spawn(|| run_agent(&spec, 1, 2, dir.path(), 2, &SilentObserver));
            let zero = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
            other.join().unwrap().1.unwrap();
            zero
        });
        let expected = view(&store, &summary.unwrap());
        // Agent 0's store loses the curves of agent 1's trial 1, which it held finished: were
        // the journal's end of trial 1 checked against them again, it would be refused (its
        // result names an epoch the store then lacks).
        store.clear_metrics("toy", TrialId(1)).unwrap();
        let clock = TickClock(AtomicI64::new(0));
        let again = agent_options(0, 2, dir.path(), 2);
        let objective = quadratic(2.0);
        let summary = run_study(&store, &spec, &objective, &SilentObserver, &clock, &again);
        let summary = summary.unwrap();
        assert_eq!(objective.calls.load(Ordering::SeqCst), 0);
        let states = |v: &[String]| -> Vec<String> {
            v.iter().map(|t| t.split(' ').take(2).collect()).collect()
        };
        assert_eq!(states(&view(&store, &summary)), states(&expected));
    }

    /// The toy objective with a test split (or none): counts its measurements, each of which
    /// waits at `gate` until it is open.
    struct WithTest {
        inner: Quadratic,
        split: bool,
        gate: Gate,
        measured: std::sync::atomic::AtomicU32,
    }

    /// A gate that holds whoever passes it until a test opens it: what keeps an agent busy
    /// measuring for exactly as long as a test needs, however loaded the machine.
    struct Gate {
        open: std::sync::Mutex<bool>,
        opened: std::sync::Condvar,
    }

    impl Gate {
        /// Returns a gate, open or shut.
        fn new(open: bool) -> Gate {
            Gate {
                open: std::sync::Mutex::new(open),
                opened: std::sync::Condvar::new(),
            }
        }

        /// Waits until the gate is open.
        fn pass(&self) {
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
        }

        /// Opens the gate for good.
        fn open(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    /// Opens its gate when dropped, also when the thread that holds it panics: a failing test
    /// ends rather than leave an agent waiting at the gate for ever.
    struct OpensOnDrop<'a>(&'a Gate);

    impl Drop for OpensOnDrop<'_> {
        fn drop(&mut self) {
            self.0.open();
        }
    }

    /// Requests its stop when dropped, also when the thread that holds it panics: a failing
    /// test ends rather than leave the stopped agent waiting for ever.
    struct StopsOnDrop<'a>(&'a Stop);

    impl Drop for StopsOnDrop<'_> {
        fn drop(&mut self) {
            self.0.request();
        }
    }

    impl Objective for WithTest {
        fn run(
            &self,
            ctx: &experiment::TrialContext<'_>,
            reporter: &mut dyn experiment::Reporter,
        ) -> experiment::TrialOutcome {
            self.inner.run(ctx, reporter)
        }

        fn test(
            &self,
            trial: &Trial,
        ) -> Option<std::result::Result<BTreeMap<String, f64>, String>> {
            self.split.then(|| {
                self.gate.pass();
                self.measured.fetch_add(1, Ordering::SeqCst);
                let value = trial.value("val_loss").unwrap_or(f64::NAN);
                Ok([("test_loss".to_string(), value + 0.5)].into())
            })
        }
    }

    #[test]
    fn the_best_trial_is_measured_on_the_test_split_once_by_the_agent_that_ran_it() {
        let spec = tpe_with_median(9);
        for split in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let agents: Vec<(WithTest, Store)> = (0..3)
                .map(|i| {
                    // A store on disk, with a checkpoint of each of its agent's trials beside it.
                    let store = Store::open(&dir.path().join(format!("store-{i}"))).unwrap();
                    let folder = store.checkpoint_folder("toy").unwrap();
                    std::fs::create_dir_all(&folder).unwrap();
                    for k in (i..9).step_by(3) {
                        std::fs::write(folder.join(format!("{k}.safetensors")), format!("w{k}"))
                            .unwrap();
                        std::fs::write(folder.join(format!("{k}.json")), format!("{k}")).unwrap();
                    }
                    let objective = WithTest {
                        inner: Quadratic {
                            jitter: |k| u64::from((k * 5 + 1) % 3),
                            ..quadratic(2.0)
                        },
                        split,
                        gate: Gate::new(true),
                        measured: std::sync::atomic::AtomicU32::new(0),
                    };
                    (objective, store)
                })
                .collect();
            let summaries: Vec<StudySummary> = std::thread::scope(|scope| {
                let handles: Vec<_> = agents
                    .iter()
                    .enumerate()
                    .map(|(i, (objective, store))| {
                        let options = agent_options(u32::try_from(i).unwrap(), 3, dir.path(), 3);
                        let spec = &spec;
                        scope.spawn(move || {
                            let clock = TickClock(AtomicI64::new(0));
                            run_study(store, spec, objective, &SilentObserver, &clock, &options)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap().unwrap())
                    .collect()
            });
            let best = summaries[0].best.clone().expect("a best trial");
            let owner = usize::try_from(owner(best.id, 3)).unwrap();
            let measured: Vec<u32> = agents
                .iter()
                .map(|(o, _)| o.measured.load(Ordering::SeqCst))
                .collect();
            let mut expected = vec![0; 3];
            expected[owner] = u32::from(split);
            assert_eq!(
                measured, expected,
                "only agent {owner} measures trial {}",
                best.id
            );
            for (i, ((_, store), summary)) in agents.iter().zip(&summaries).enumerate() {
                assert_eq!(summary.best.as_ref().map(|t| t.id), Some(best.id));
                let stored = store.test_result("toy").unwrap();
                if split {
                    let stored = stored.expect("every agent stores the result");
                    assert_eq!(stored.trial, best.id, "agent {i}");
                    let value = best.value("val_loss").unwrap() + 0.5;
                    assert_eq!(stored.metrics["test_loss"].to_bits(), value.to_bits());
                } else {
                    assert_eq!(stored, None, "no test split: nothing stored by agent {i}");
                }
                // The best trial's checkpoint is in every store, as its agent wrote it; the
                // others' stay where they ran.
                let folder = store.checkpoint_folder("toy").unwrap();
                let weights =
                    std::fs::read_to_string(folder.join(format!("{}.safetensors", best.id)));
                assert_eq!(weights.unwrap(), format!("w{}", best.id), "agent {i}");
                assert!(store.has_checkpoint("toy", best.id), "agent {i}");
                let other = TrialId((best.id.0 + 1) % 9);
                assert_eq!(
                    store.has_checkpoint("toy", other),
                    other.agent(3) == u32::try_from(i).unwrap()
                );
            }
            // Run again, each agent finds the study done and the result where it was.
            for (i, (objective, store)) in agents.iter().enumerate() {
                let options = agent_options(u32::try_from(i).unwrap(), 3, dir.path(), 3);
                let clock = TickClock(AtomicI64::new(0));
                let again = run_study(store, &spec, objective, &SilentObserver, &clock, &options);
                assert_eq!(again.unwrap().ran, 0);
            }
            let measured: u32 = agents
                .iter()
                .map(|(o, _)| o.measured.load(Ordering::SeqCst))
                .sum();
            assert_eq!(measured, u32::from(split), "measured once in all");
            // The agent that ran the best trial, started again on an empty store (its node
            // lost), takes its trials back from its journal and the checkpoint from the exchange.
            let lost = Store::open(&dir.path().join("store-lost")).unwrap();
            let options = agent_options(u32::try_from(owner).unwrap(), 3, dir.path(), 3);
            let clock = TickClock(AtomicI64::new(0));
            let objective = &agents[owner].0;
            let again = run_study(&lost, &spec, objective, &SilentObserver, &clock, &options);
            assert_eq!(again.unwrap().ran, 0);
            assert!(lost.has_checkpoint("toy", best.id));
        }
    }

    #[test]
    fn an_agent_waiting_for_the_test_split_says_which_agent_measures_it() {
        let spec = tpe_with_median(6);
        let best = run(&Store::temporary().unwrap(), &spec, &quadratic(2.0), 2)
            .best
            .expect("a best trial");
        let measurer = owner(best.id, 2);
        let waiter = 1 - measurer;
        let slow = |agent: u32| WithTest {
            inner: quadratic(2.0),
            split: true,
            // The measurer measures only once the test has seen what it needs: its gate opens
            // when the waiter, started again, says the measurer is measuring.
            gate: Gate::new(agent != measurer),
            measured: std::sync::atomic::AtomicU32::new(0),
        };
        let dir = tempfile::tempdir().unwrap();
        let (objectives, stores) = (
            [slow(0), slow(1)],
            [Store::temporary().unwrap(), Store::temporary().unwrap()],
        );
        let (w, m) = (
            usize::try_from(waiter).unwrap(),
            usize::try_from(measurer).unwrap(),
        );
        let measuring = format!(
            "quiet: agent {measurer} of 2, trial {}, joined true, measuring",
            best.id
        );
        let says_measuring = |listener: &Listener| {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while !listener.said().contains(&measuring) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "{:?}",
                    listener.said()
                );
                std::thread::sleep(Duration::from_millis(2));
            }
        };
        let clock = TickClock(AtomicI64::new(0));
        std::thread::scope(|scope| {
            let dir = dir.path();
            let (objective, store, spec) = (&objectives[m], &stores[m], &spec);
            let measured = scope.spawn(move || {
                let clock = TickClock(AtomicI64::new(0));
                let options = agent_options(measurer, 2, dir, 2);
                run_study(store, spec, objective, &SilentObserver, &clock, &options)
            });
            // Stopped (Ctrl-C) while it waits: interrupted, with nothing stored, though every
            // trial has ended.
            let listener = Listener::default();
            let stopped = StudyOptions {
                stop: Stop::default(),
                ..impatient(waiter, dir)
            };
            let summary = std::thread::scope(|inner| {
                inner.spawn(|| {
                    let _stop = StopsOnDrop(&stopped.stop);
                    says_measuring(&listener);
                });
                run_study(
                    &stores[w],
                    spec,
                    &objectives[w],
                    &listener,
                    &clock,
                    &stopped,
                )
            })
            .unwrap();
            assert!(summary.interrupted);
            assert_eq!(summary.finished(), 6);
            assert_eq!(stores[w].test_result("toy").unwrap(), None);
            // Started again, it waits again, and hears the measurer when the result comes
            // (the measurer is let through once the waiter has said it measures).
            let listener = Listener::default();
            let again = impatient(waiter, dir);
            let summary = std::thread::scope(|inner| {
                inner.spawn(|| {
                    let _open = OpensOnDrop(&objectives[m].gate);
                    says_measuring(&listener);
                });
                run_study(&stores[w], spec, &objectives[w], &listener, &clock, &again)
            })
            .unwrap();
            assert!(!summary.interrupted);
            // (Under load the waiter may also hear the measurer quiet while trials run.)
            let said = listener.said();
            let at = said.iter().position(|s| *s == measuring);
            let heard = format!("heard: agent {measurer}, joined true");
            assert!(
                at.is_some_and(|at| said[at + 1..].contains(&heard)),
                "{said:?}"
            );
            assert!(!measured.join().unwrap().unwrap().interrupted);
        });
        let stored = stores[w].test_result("toy").unwrap();
        assert_eq!(stored.map(|r| r.trial), Some(best.id));
        assert_eq!(objectives[w].measured.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn agents_end_where_one_process_ends_once_a_trial_reaches_the_target_or_the_plateau() {
        let mut target = spec(30, "target");
        // val_loss at the last step is (lr - 0.3)^2 + 1/3.
        target.target = Some(0.34);
        let mut plateau = spec(30, "plateau");
        plateau.plateau = Some(experiment::Plateau {
            patience: 4,
            min_delta: 0.001,
        });
        for spec in [target, plateau] {
            agents_end_where_one_process_ends(&spec);
        }
    }

    fn agents_end_where_one_process_ends(spec: &ExperimentSpec) {
        let single_store = Store::temporary().unwrap();
        let single = run(&single_store, spec, &quadratic(2.0), 3);
        let t = single.stopped.expect("the sweep ends early");
        assert!(single.trials.len() < 30, "{t:?} ends the sweep early");
        let expected = view(&single_store, &single);

        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|agent| {
                    let dir = dir.path();
                    scope.spawn(move || run_agent(spec, agent, 3, dir, 3, &SilentObserver))
                })
                .collect();
            for handle in handles {
                let (store, summary) = handle.join().unwrap();
                let summary = summary.unwrap();
                assert_eq!(summary.stopped, Some(t));
                assert_eq!(view(&store, &summary), expected);
                let info = store.experiment("toy").unwrap().unwrap();
                assert_eq!(info.status, store::ExperimentStatus::Finished);
            }
        });
    }

    /// Runs agent 0 of two (impatient) until it reports agent 1 quiet, then agent 1; returns
    /// each one's store and summary, and what agent 0 said of agent 1.
    fn agent_1_joins_once_reported(
        spec: &ExperimentSpec,
        exchange: &Path,
    ) -> ([(Store, crate::Result<StudySummary>); 2], Vec<String>) {
        let listener = Listener::default();
        let options = impatient(0, exchange);
        let ran = std::thread::scope(|scope| {
            let first = scope.spawn(|| run_agent_with(spec, &options, &listener));
            listener.wait(1);
            let second = run_agent(spec, 1, 2, exchange, 2, &SilentObserver);
            [first.join().unwrap(), second]
        });
        (ran, listener.said())
    }

    #[test]
    fn an_agent_started_after_another_stopped_on_an_error_waits_for_it_to_run_again() {
        let spec = tpe_with_median(6);
        let expected = one_process(&spec, 2);
        let dir = tempfile::tempdir().unwrap();
        // Agent 1 joined and failed (its disk filled up, say) before agent 0 started. (An
        // error heard while running ends an agent: the test of a quiet agent below.)
        let (failed, _) = Exchange::join(dir.path(), agent_1(&spec)).unwrap();
        failed
            .publish(&JournalEvent::Abort(
                "store i/o failed: no space left".into(),
            ))
            .unwrap();
        drop(failed);
        // Agent 0 waits for agent 1's trials rather than ending on the old error, and once
        // agent 1, mended, runs again, the study ends as one process's, in whichever order the
        // two were started again.
        let ([first, second], _) = agent_1_joins_once_reported(&spec, dir.path());
        for (store, summary) in [first, second] {
            assert_eq!(view(&store, &summary.unwrap()), expected);
        }
        // Started again after that, an agent finds the old error followed by agent 1's trials.
        let (store, again) = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
        assert_eq!(view(&store, &again.unwrap()), expected);
    }

    #[test]
    fn an_agent_that_has_not_joined_is_reported_and_heard_when_it_joins() {
        let spec = tpe_with_median(6);
        let expected = one_process(&spec, 2);
        let dir = tempfile::tempdir().unwrap();
        let ([first, second], said) = agent_1_joins_once_reported(&spec, dir.path());
        // Trial 0 is agent 0's own: the study waits for agent 1 from trial 1 on.
        assert_eq!(said[0], "quiet: agent 1 of 2, trial 1, joined false");
        let heard = "heard: agent 1, joined false".to_string();
        assert!(said.contains(&heard), "{said:?}");
        for (store, summary) in [first, second] {
            assert_eq!(view(&store, &summary.unwrap()), expected);
        }
    }

    #[test]
    fn a_joined_agent_whose_journal_stays_unchanged_is_reported_quiet() {
        let spec = tpe_with_median(6);
        let dir = tempfile::tempdir().unwrap();
        // Agent 1 joined, then its machine was lost: its journal never changes again.
        let (lost, _) = Exchange::join(dir.path(), agent_1(&spec)).unwrap();
        let listener = Listener::default();
        let options = impatient(0, dir.path());
        let summary = std::thread::scope(|scope| {
            let agent = scope.spawn(|| run_agent_with(&spec, &options, &listener));
            // Reported, and again once its quiet time doubled; then the test ends.
            listener.wait(2);
            lost.publish(&JournalEvent::Abort("lost".into())).unwrap();
            agent.join().unwrap().1
        });
        let said = listener.said();
        assert_eq!(said[0], "quiet: agent 1 of 2, trial 1, joined true");
        assert_eq!(said[1], said[0]);
        assert!(summary.unwrap_err().to_string().contains("lost"));
    }

    #[test]
    fn agents_warm_started_from_copies_of_a_file_give_one_process_results_and_refuse_another() {
        // Another study's trials, as each agent's copy of a file of results gives them.
        let before = run(
            &Store::temporary().unwrap(),
            &tpe_with_median(5),
            &quadratic(2.0),
            1,
        );
        let copy = |trials: &[Trial], left_out: &str| WarmStarted {
            source: "runs/past.csv".into(),
            trials: trials.to_vec(),
            left_out: vec![left_out.to_string()],
        };
        let mut spec = tpe_with_median(8);
        spec.warm_start = Some(warm_from_file());
        let with = |options: StudyOptions, warm: WarmStarted| StudyOptions {
            warm_file: Some(warm),
            ..options
        };
        let single_store = Store::temporary().unwrap();
        let single = run_study(
            &single_store,
            &spec,
            &quadratic(2.0),
            &SilentObserver,
            &TickClock(AtomicI64::new(0)),
            &with(options(2), copy(&before.trials, "line 3")),
        )
        .unwrap();
        let expected = view(&single_store, &single);
        let mut cold = spec.clone();
        cold.warm_start = None;
        assert_ne!(one_process(&cold, 2), expected, "the warm start counts");

        let dir = tempfile::tempdir().unwrap();
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|agent| {
                    let (spec, dir, before) = (&spec, dir.path(), &before.trials);
                    scope.spawn(move || {
                        // Copies that differ only in the rows left out agree.
                        let options = with(
                            agent_options(agent, 2, dir, 2),
                            copy(before, &format!("line {agent}")),
                        );
                        run_agent_with(spec, &options, &SilentObserver)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (agent, (store, summary)) in results.iter().enumerate() {
            let summary = summary.as_ref().unwrap();
            assert_eq!(view(store, summary), expected, "agent {agent}");
            // Each keeps what it took, not what agent 0 published.
            assert_eq!(
                store.warm_start("toy").unwrap(),
                Some(copy(&before.trials, &format!("line {agent}")))
            );
        }
        // A follower, which reads the journals alone, shows the warm start agent 0 published.
        let mut watcher = store::Watcher::new(dir.path(), "toy");
        assert!(watcher.read_header().unwrap().is_some());
        let followed = Store::temporary().unwrap();
        let follow = crate::Follow {
            watcher: &mut watcher,
            spec_path: "exchange".into(),
            poll: Duration::from_millis(1),
            quiet_after: Duration::from_secs(3600),
            retry: Duration::from_millis(1),
        };
        let clock = TickClock(AtomicI64::new(0));
        let stop = crate::Stop::default();
        let ended = crate::follow_study(&followed, &spec, follow, (&clock, &SilentObserver), &stop);
        assert!(ended.unwrap());
        assert_eq!(
            followed.warm_start("toy").unwrap(),
            Some(copy(&before.trials, "line 0"))
        );

        // An agent whose copy gives other trials is refused before it writes anything.
        let other = tempfile::tempdir().unwrap();
        let agent_1 = AgentHeader {
            planned: 8,
            warm_hash: store::warm_start_digest(&copy(&before.trials, "")),
            ..agent_1(&spec)
        };
        let _ = Exchange::join(other.path(), agent_1).unwrap();
        let options = with(
            agent_options(0, 2, other.path(), 2),
            copy(&before.trials[1..], ""),
        );
        let (store, refused) = run_agent_with(&spec, &options, &SilentObserver);
        let message = refused.unwrap_err().to_string();
        let short = |w: WarmStarted| store::short_hash(&store::warm_start_digest(&w)).to_string();
        assert!(
            message.contains(&format!(
                "warm start sha256: {} there, {} here",
                short(copy(&before.trials, "")),
                short(copy(&before.trials[1..], ""))
            )),
            "{message}"
        );
        assert_eq!(store.experiment("toy").unwrap(), None);
    }

    #[test]
    fn an_agent_refused_by_the_journals_it_finds_writes_nothing() {
        let spec = tpe_with_median(6);
        let dir = tempfile::tempdir().unwrap();
        // Another file (not only another copy of it, which may differ in comments).
        let other = AgentHeader {
            spec_hash: "0".repeat(64),
            spec_text: format!(
                "{}\n# and one more trial\nrun_cap: 7\n",
                agent_1(&spec).spec_text
            ),
            ..agent_1(&spec)
        };
        let _ = Exchange::join(dir.path(), other).unwrap();
        let (store, summary) = run_agent(&spec, 0, 2, dir.path(), 2, &SilentObserver);
        let message = summary.unwrap_err().to_string();
        assert!(
            message.contains("spec text sha256: 000000000000 there"),
            "{message}"
        );
        assert_eq!(store.experiment("toy").unwrap(), None);
        // Nor its journal: started again with the right file, it would join.
        let journal = std::fs::read(dir.path().join("toy").join("agent-0.jsonl")).unwrap();
        assert!(journal.is_empty());
    }

    #[test]
    fn an_agent_of_other_settings_is_refused_and_the_others_wait_for_it_to_join_right() {
        let spec = tpe_with_median(6);
        let expected = one_process(&spec, 2);
        let dir = tempfile::tempdir().unwrap();
        let listener = Listener::default();
        let options = impatient(0, dir.path());
        let (first, refused, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| run_agent_with(&spec, &options, &listener));
            // Agent 0 has joined and waits for agent 1, which is started with `parallel: 4`.
            listener.wait(1);
            let (_, refused) = run_agent(&spec, 1, 2, dir.path(), 4, &SilentObserver);
            let second = run_agent(&spec, 1, 2, dir.path(), 2, &SilentObserver);
            (first.join().unwrap(), refused, second)
        });
        let message = refused.unwrap_err().to_string();
        assert!(message.contains("parallel: 2 there, 4 here"), "{message}");
        assert_eq!(
            listener.said()[0],
            "quiet: agent 1 of 2, trial 1, joined false"
        );
        for (store, summary) in [first, second] {
            assert_eq!(view(&store, &summary.unwrap()), expected);
        }
    }
}
