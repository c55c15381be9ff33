//! This agent's link to the others while the study runs (`Peers`): it publishes its own
//! trials' events, applies theirs to the board and the store, beats on its journal and tells
//! the observer of a quiet agent, and hands the test split's result of the best trial round.
//! Joining the exchange and restoring a lost store come before it (`super::meet`,
//! `super::restore`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use experiment::{ExperimentSpec, Objective, Trial, TrialId, TrialState, WarmStarted};
use store::{Exchange, JournalEvent, Polled, Store, TestResult};

use super::events::{check_event, check_trial, record, unchanged_end};
use super::{adopt_checkpoint, AgentOptions, Met};
use crate::board::Board;
use crate::hearing::Hearing;
use crate::reporter;
use crate::worker::lock;
use crate::{Error, Observer, Result, Stop};

/// How many trials the study needs, from those finished (fewer once one reached the target).
pub(crate) type Needed<'a> = &'a (dyn Fn(&[Trial]) -> u32 + Sync);

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
    /// Remote trials the store held finished when the agent started, as stored: the board holds
    /// them as stored (`Run::preload`), and their replayed events change neither the board nor
    /// the store (`Peers::apply`).
    settled: BTreeMap<TrialId, &'a Trial>,
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
        (existing, warm): (&'a [Trial], Option<&WarmStarted>),
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
                JournalEvent::Finish(t, _) => Some(t.id),
                _ => None,
            })
            .collect();
        let warm_published = earlier.iter().any(|e| matches!(e, JournalEvent::Warm(_)));
        let settled = existing
            .iter()
            .filter(|t| t.state.is_finished() && !options.owns(t.id))
            .map(|t| (t.id, t))
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
        let settled = match &heard.event {
            JournalEvent::Start(t, _) | JournalEvent::Finish(t, _) => self.settled.get(&t.id),
            JournalEvent::Report { trial, .. } => self.settled.get(trial),
            _ => None,
        };
        if let Some(stored) = settled {
            // A remote trial the store held finished when the agent started: its result was
            // checked against its reports when it was stored, from this journal, and the board
            // holds it as stored (its record and curve), so its replayed events change nothing.
            // Its end must still be the line it was stored from: one edited since would be taken
            // by an agent that stores it afresh, and the agents would then disagree.
            check_trial(self.spec, self.options.agents, &heard)?;
            return match &heard.event {
                JournalEvent::Finish(trial, _) => unchanged_end(stored, trial, &heard),
                _ => Ok(()),
            };
        }
        check_event(self.spec, self.store, self.options.agents, &heard)?;
        record(self.store, &self.spec.name, &heard.event)?;
        let Polled { agent, event, .. } = heard;
        match event {
            JournalEvent::Start(trial, _) => self.board.start(trial.id, trial.params),
            JournalEvent::Report {
                trial,
                step,
                metrics,
            } => {
                let (value, _) = reporter::board_value(self.spec, &metrics);
                self.board.report(trial, step, value);
            }
            JournalEvent::Finish(trial, _) => {
                self.observer.trial_finished(&trial);
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

    /// Publishes a finished trial of this agent from the store: its start, reports and end,
    /// with its trace as stored.
    fn republish(&self, trial: &Trial) -> Result<()> {
        let trace = self
            .store
            .trial_traced(&self.spec.name, trial.id)?
            .map(|(_, trace)| trace)
            .unwrap_or_default();
        let started = Trial {
            state: TrialState::Running,
            reason: None,
            finished: None,
            result: None,
            ..trial.clone()
        };
        self.publish(&JournalEvent::Start(started, trace.clone()))?;
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
        self.publish(&JournalEvent::Finish(trial.clone(), trace))
    }
}
